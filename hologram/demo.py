"""`make demo`: compile a few kernels, run them on numpy arrays, print the results beside numpy's."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

import hologram
import hologram.ops as ops

KERNELS = '''
from hologram.lang import DeviceArray, f32, u32, get_global_id, atomic_add_f32, exp

def vector_add(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] + b[idx]

def saxpy(x: DeviceArray[f32], y: DeviceArray[f32], alpha: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = alpha * x[idx] + y[idx]

def sigmoid(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = 1.0 / (1.0 + exp(-a[idx]))

def dot(a: DeviceArray[f32], b: DeviceArray[f32], result: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_add_f32(result, a[idx] * b[idx])
'''


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo_kernels.py"
        path.write_text(KERNELS)
        kernels = hologram.load_kernels(path)
        start = time.perf_counter()
        kernels["vector_add"].compile()
        print(f"compiled {len(kernels)} kernels in {time.perf_counter() - start:.2f} s "
              f"(cache: $HOLOGRAM_CACHE_DIR or ~/.cache/hologram)\n")

        n = 100_003
        rng = np.random.default_rng(0)
        a = rng.standard_normal(n, dtype=np.float32)
        b = rng.standard_normal(n, dtype=np.float32)
        out = np.empty(n, np.float32)

        def show(name: str, got: np.ndarray, want: np.ndarray, labels=("hologram", "numpy")) -> None:
            err = float(np.max(np.abs(got.astype(np.float64) - want))) if got.size else 0.0
            print(f"{name:<11} {labels[0]} {np.array2string(got[:4], precision=5)}  "
                  f"{labels[1]} {np.array2string(np.asarray(want)[:4], precision=5)}  "
                  f"max |diff| {err:.2e}")

        kernels["vector_add"](a, b, out, n)
        show("vector_add", out, a + b)
        kernels["saxpy"](a, b, 2.0, out, n)
        show("saxpy", out, np.float32(2.0) * a + b)
        kernels["sigmoid"](a, out, n)
        show("sigmoid", out, 1 / (1 + np.exp(-a)))
        result = np.zeros(1, np.float32)
        kernels["dot"](a, b, result, n)
        show("dot", result, np.array([np.dot(a.astype(np.float64), b)]))

        small = np.arange(5, dtype=np.float32)
        sim = np.empty(5, np.float32)
        kernels["sigmoid"].simulate(small, sim, 5)
        kernels["sigmoid"](small, out[:5], 5)
        show("sigmoid", out[:5], sim, labels=("compiled", "simulated (pure Python)"))

    show_ops()


def _median_time(fn, rounds: int = 15) -> float:
    fn()  # warm-up: compile or load from the cache
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def show_ops() -> None:
    """A few `hologram.ops` beside numpy, with median times (a quick look; see `make bench`)."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal(1_000_000, dtype=np.float32)
    y = rng.standard_normal(1_000_000, dtype=np.float32)
    rows = rng.standard_normal((512, 1024), dtype=np.float32)
    m = rng.standard_normal((256, 256), dtype=np.float32)

    @hologram.jit
    def fused(a, b):
        return ops.sigmoid(a * b + 1.0)

    def np_softmax(r):
        e = np.exp(r - r.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    cases = [
        ("ops.sigmoid(x)", lambda: ops.sigmoid(x), lambda: 1 / (1 + np.exp(-x))),
        ("ops.sum(x)", lambda: ops.sum(x), lambda: x.sum()),
        ("ops.dot(x, y)", lambda: ops.dot(x, y), lambda: np.dot(x, y)),
        ("ops.softmax(rows)", lambda: ops.softmax(rows), lambda: np_softmax(rows)),
        ("ops.matmul(m, m)", lambda: ops.matmul(m, m), lambda: m @ m),
        ("jit sigmoid(x*y+1)", lambda: fused(x, y), lambda: 1 / (1 + np.exp(-(x * y + 1)))),
    ]
    print("\nhologram.ops beside numpy (median of 15 runs; this machine is shared, see `make bench`)")
    print(f"{'op':<20} {'max |diff|':>11} {'hologram':>11} {'numpy':>11} {'numpy/hologram':>15}")
    for name, ours, theirs in cases:
        got = np.asarray(ours(), dtype=np.float64)
        want = np.asarray(theirs(), dtype=np.float64)
        err = float(np.max(np.abs(got - want))) if got.size else 0.0
        t_ours, t_np = _median_time(ours), _median_time(theirs)
        print(f"{name:<20} {err:>11.2e} {t_ours * 1e3:>9.3f}ms {t_np * 1e3:>9.3f}ms "
              f"{t_np / t_ours:>14.2f}x")


if __name__ == "__main__":
    main()
