"""The kernel corpus against numpy: `python -m benchmarks.corpus [--quick] [--only PATTERN]`.

Every kernel of `benchmarks/corpus_kernels.py` (written the way a user writes it first) is timed
against the numpy a user would otherwise write, like for like: numpy with `out=` where it has
one (matmul, sum, max, take, copyto), else the expression that allocates; `hologram.ops` calls
against numpy's allocating call. Results are checked against numpy before timing; timings are
medians of interleaved rounds (benchmarks/harness.py), ratios are numpy time ÷ Hologram time
(above 1: Hologram is faster), measured in the same run. The report (`benchmarks.report`)
runs the same entries as its "corpus" group.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from functools import cache
from pathlib import Path

import numpy as np

from benchmarks.harness import Case, Impl, Skip, time_interleaved, warm_up_and_check

KERNELS_FILE = Path(__file__).with_name("corpus_kernels.py")
F32, F64 = 4, 8
BLAS_PAUSE_S = 0.1  # OpenBLAS's workers spin that long after a call


@cache
def _kernels() -> dict:
    from hologram.runtime import load_kernels

    return load_kernels(str(KERNELS_FILE))


def _kernel(name: str):
    ks = _kernels()
    if name not in ks:
        raise Skip(f"kernel {name!r} not in {KERNELS_FILE.name}")
    return ks[name]


def _lazy(build):
    state: dict = {}

    def run():
        if "fn" not in state:
            state["fn"] = build()
        return state["fn"]()

    return run


def _rand(shape, seed, lo=-1.0, hi=1.0, dtype=np.float32):
    return np.random.default_rng(seed).uniform(lo, hi, size=shape).astype(dtype)


def _label(size) -> str:
    return "×".join(str(s) for s in size) if isinstance(size, tuple) else str(size)


def _case(op, size, hologram_run, numpy_run, *, bytes_=None, flops=None, rtol=1e-4, atol=1e-5,
          blas=False, notes=()):
    return Case("corpus", op, size if not isinstance(size, tuple) else math.prod(size),
                _label(size), impls={
                    "hologram": Impl(_lazy(hologram_run)),
                    "numpy": Impl(numpy_run, pause_s=BLAS_PAUSE_S if blas else 0.005),
                }, bytes=bytes_, flops=flops, rtol=rtol, atol=atol, notes=list(notes))


# --- contractions --------------------------------------------------------------------------------
_LAYOUTS = {"gemm_nn": (False, False), "gemm_nt": (False, True), "gemm_tn": (True, False),
            "gemm_tt": (True, True)}


def _gemm_layout(name):
    ta, tb = _LAYOUTS[name]

    def factory(n) -> Case:
        m = k = n
        a = _rand((k, m) if ta else (m, k), 1)
        b = _rand((n, k) if tb else (k, n), 2)
        c = np.empty((m, n), np.float32)
        opa, opb = (a.T if ta else a), (b.T if tb else b)
        ref = np.empty((m, n), np.float32)

        def holo():
            kern = _kernel(name)
            af, bf, cf = a.reshape(-1), b.reshape(-1), c.reshape(-1)

            def run():
                kern(af, bf, cf, m, n, k, a.shape[1], b.shape[1], n)
                return c
            return run

        return _case(f"{name} (C[i*ldc+j])", n, holo,
                     lambda: np.matmul(opa, opb, out=ref), blas=True, rtol=1e-3, atol=1e-3,
                     bytes_=F32 * 3 * n * n, flops=2.0 * n ** 3,
                     notes=["numpy: np.matmul(op(A), op(B), out=C) (OpenBLAS)"])
    return factory


def gemm_f64(n) -> Case:
    a, b = _rand((n, n), 3, dtype=np.float64), _rand((n, n), 4, dtype=np.float64)
    c, ref = np.empty((n, n)), np.empty((n, n))

    def holo():
        kern = _kernel("gemm_f64")
        af, bf, cf = a.reshape(-1), b.reshape(-1), c.reshape(-1)

        def run():
            kern(af, bf, cf, n, n, n)
            return c
        return run

    return _case("gemm f64", n, holo, lambda: np.matmul(a, b, out=ref), blas=True,
                 rtol=1e-9, atol=1e-9, bytes_=F64 * 3 * n * n, flops=2.0 * n ** 3)


def bmm(shape) -> Case:
    q, n = shape
    a, b = _rand((q, n, n), 5), _rand((q, n, n), 6)
    c, ref = np.empty((q, n, n), np.float32), np.empty((q, n, n), np.float32)

    def holo():
        kern = _kernel("bmm")
        af, bf, cf = a.reshape(-1), b.reshape(-1), c.reshape(-1)

        def run():
            kern(af, bf, cf, q, n, n, n)
            return c
        return run

    return _case("batched matmul (3-D decode)", shape, holo, lambda: np.matmul(a, b, out=ref),
                 blas=True, rtol=1e-3, atol=1e-3, bytes_=F32 * 3 * q * n * n,
                 flops=2.0 * q * n ** 3)


def ops_gemm(trans):
    ta, tb = trans

    def factory(n) -> Case:
        a, b = _rand((n, n), 7), _rand((n, n), 8)
        opa, opb = (a.T if ta else a), (b.T if tb else b)

        def holo():
            from hologram import ops

            return lambda: ops.gemm(a, b, trans_a=ta, trans_b=tb)

        name = f"ops.gemm trans_a={int(ta)} trans_b={int(tb)}"
        return _case(name, n, holo, lambda: opa @ opb, blas=True, rtol=1e-3, atol=1e-3,
                     bytes_=F32 * 3 * n * n, flops=2.0 * n ** 3,
                     notes=["both allocate their result; numpy: op(A) @ op(B)"])
    return factory


# --- row and column reductions -------------------------------------------------------------------
def _reduction(kernel, np_fn, axis):
    def factory(n) -> Case:
        rows = cols = n
        x = _rand((rows, cols), 9)
        out = np.empty(cols if axis == 0 else rows, np.float32)
        ref = np.empty_like(out)

        def holo():
            kern = _kernel(kernel)
            xf = x.reshape(-1)

            def run():
                kern(xf, out, rows, cols)
                return out
            return run

        return _case(f"{kernel} ({np_fn.__name__} axis={axis})", (rows, cols), holo,
                     lambda: np_fn(x, axis=axis, out=ref), rtol=1e-3, atol=1e-3,
                     bytes_=F32 * rows * cols)
    return factory


# --- stencils ------------------------------------------------------------------------------------
def stencil_1d(n) -> Case:
    x = _rand(n, 10)
    out = np.zeros(n, np.float32)
    ref = np.zeros(n, np.float32)

    def np_run():
        ref[1:-1] = 0.25 * x[:-2] + 0.5 * x[1:-1] + 0.25 * x[2:]
        return ref

    def holo():
        kern = _kernel("stencil_1d")
        return lambda: (kern(x, out, n), out)[1]

    return _case("stencil 1-D 3-point", n, holo, np_run, bytes_=2 * F32 * n)


def stencil_2d(n) -> Case:
    h = w = n
    x = _rand((h, w), 11)
    out, ref = np.zeros((h, w), np.float32), np.zeros((h, w), np.float32)

    def np_run():
        ref[1:-1, 1:-1] = (x[:-2, 1:-1] + x[2:, 1:-1] + x[1:-1, :-2] + x[1:-1, 2:]) \
            - 4.0 * x[1:-1, 1:-1]
        return ref

    def holo():
        kern = _kernel("stencil_2d")
        xf, of = x.reshape(-1), out.reshape(-1)
        return lambda: (kern(xf, of, h, w), out)[1]

    return _case("stencil 2-D 5-point", (h, w), holo, np_run, bytes_=2 * F32 * h * w)


def stencil_3d(n) -> Case:
    d = h = w = n
    x = _rand((d, h, w), 12)
    out, ref = np.zeros((d, h, w), np.float32), np.zeros((d, h, w), np.float32)

    def np_run():
        c = x[1:-1, 1:-1, 1:-1]
        ref[1:-1, 1:-1, 1:-1] = (x[:-2, 1:-1, 1:-1] + x[2:, 1:-1, 1:-1] + x[1:-1, :-2, 1:-1]
                                 + x[1:-1, 2:, 1:-1] + x[1:-1, 1:-1, :-2]
                                 + x[1:-1, 1:-1, 2:]) - 6.0 * c
        return ref

    def holo():
        kern = _kernel("stencil_3d")
        xf, of = x.reshape(-1), out.reshape(-1)
        return lambda: (kern(xf, of, d, h, w), out)[1]

    return _case("stencil 3-D 7-point", (d, h, w), holo, np_run, bytes_=2 * F32 * d * h * w)


# --- direct convolutions -------------------------------------------------------------------------
def conv_1d(n) -> Case:
    k = 16
    x, wt = _rand(n + k - 1, 13), _rand(k, 14)
    out = np.empty(n, np.float32)

    def holo():
        kern = _kernel("conv_1d")
        return lambda: (kern(x, wt, out, k, n), out)[1]

    return _case("conv 1-D direct, 16 taps", n, holo,
                 lambda: np.correlate(x, wt, mode="valid"), rtol=1e-4, atol=1e-4,
                 flops=2.0 * n * k, notes=["numpy: np.correlate(x, w, 'valid')"])


def conv_2d(n) -> Case:
    r = 5
    oh = ow = n
    w = ow + r - 1
    x, wt = _rand((oh + r - 1, w), 15), _rand((r, r), 16)
    out = np.empty((oh, ow), np.float32)
    ref = np.empty((oh, ow), np.float32)

    def np_run():
        ref[...] = 0.0
        for a in range(r):
            for b in range(r):
                ref[...] += wt[a, b] * x[a:a + oh, b:b + ow]
        return ref

    def holo():
        kern = _kernel("conv_2d")
        xf, wf, of = x.reshape(-1), wt.reshape(-1), out.reshape(-1)
        return lambda: (kern(xf, wf, of, r, w, oh, ow), out)[1]

    return _case("conv 2-D direct 5x5", (oh, ow), holo, np_run, rtol=1e-4, atol=1e-4,
                 flops=2.0 * oh * ow * r * r,
                 notes=["numpy: out += w[a, b] * x[a:a+oh, b:b+ow] over the taps"])


# --- transposes ----------------------------------------------------------------------------------
def transpose(n) -> Case:
    rows, cols = n, n
    x = _rand((rows, cols), 17)
    out, ref = np.empty((cols, rows), np.float32), np.empty((cols, rows), np.float32)

    def holo():
        kern = _kernel("transpose")
        xf, of = x.reshape(-1), out.reshape(-1)
        return lambda: (kern(xf, of, rows, cols), out)[1]

    return _case("transpose", (rows, cols), holo, lambda: (np.copyto(ref, x.T), ref)[1],
                 bytes_=2 * F32 * rows * cols)


# --- histograms and global extrema ---------------------------------------------------------------
def histogram(n) -> Case:
    values = np.random.default_rng(18).integers(0, 256, n).astype(np.uint32)
    bins = np.zeros(256, np.uint32)

    def holo():
        kern = _kernel("histogram")

        def run():
            bins.fill(0)
            kern(values, bins, n)
            return bins
        return run

    return _case("histogram 256 bins (atomic_add)", n, holo,
                 lambda: np.bincount(values, minlength=256).astype(np.uint32),
                 bytes_=4 * n, notes=["numpy: np.bincount(values, minlength=256)"])


def global_max(n) -> Case:
    x = _rand(n, 19)
    out = np.empty(1, np.float32)

    def holo():
        kern = _kernel("global_max")

        def run():
            out[0] = -np.inf
            kern(x, out, n)
            return out[0]
        return run

    return _case("global max (atomic_max)", n, holo, lambda: np.max(x), bytes_=F32 * n)


def global_min(n) -> Case:
    x = np.random.default_rng(20).integers(-2**30, 2**30, n).astype(np.int32)
    out = np.empty(1, np.int32)

    def holo():
        kern = _kernel("global_min")

        def run():
            out[0] = np.iinfo(np.int32).max
            kern(x, out, n)
            return out[0]
        return run

    return _case("global min i32 (atomic_min)", n, holo, lambda: np.min(x), bytes_=4 * n)


def argmax(n) -> Case:
    x = _rand(n, 21)

    def holo():
        from hologram import ops

        return lambda: ops.argmax(x)

    return _case("ops.argmax", n, holo, lambda: np.argmax(x), bytes_=F32 * n)


def _np_logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def _whole_op(name, dtype, numpy_fn=None, blas=False):
    """`ops.<name>` of a whole array of another dtype: integers with many ties, or normals;
    numpy's function of the same name unless `numpy_fn` is given (`blas`: it calls OpenBLAS,
    whose threads spin after the call, so the next sample waits them out)."""
    def case(n) -> Case:
        dt = np.dtype(dtype)
        if dt.kind == "f":
            x = np.random.default_rng(22).standard_normal(n).astype(dt)
        else:
            x = np.random.default_rng(22).integers(-1000, 1000, n).astype(dt)

        def holo():
            from hologram import ops

            return lambda: getattr(ops, name)(x)

        ref = numpy_fn or getattr(np, name)
        return _case(f"ops.{name} {dt.name}", n, holo, lambda: ref(x), bytes_=dt.itemsize * n,
                     rtol=1e-5, atol=1e-4, blas=blas)  # atol: numpy's float32 mean sums in
                                                       # float32
    return case


# --- per-element loops ---------------------------------------------------------------------------
def horner(n) -> Case:
    deg = 8
    x, coef = _rand(n, 22), _rand(deg + 1, 23)
    out = np.empty(n, np.float32)

    def holo():
        kern = _kernel("horner")
        return lambda: (kern(x, coef, out, deg, n), out)[1]

    return _case("polynomial (Horner, degree 8)", n, holo, lambda: np.polyval(coef, x),
                 rtol=1e-4, atol=1e-4, flops=2.0 * deg * n, notes=["numpy: np.polyval"])


def clamp_branches(n) -> Case:
    x = _rand(n, 26, lo=-2.0, hi=2.0)
    out, tmp = np.empty(n, np.float32), np.empty(n, np.float32)
    lo, hi = np.float32(-0.5), np.float32(0.5)

    def holo():
        kern = _kernel("clamp_branches")
        return lambda: (kern(x, out, lo, hi, n), out)[1]

    return _case("clamp by if/elif/else locals", n, holo,
                 lambda: np.multiply(np.clip(x, lo, hi, out=tmp), np.float32(2.0), out=tmp),
                 bytes_=F32 * 2 * n, notes=["numpy: np.clip(x, lo, hi) * 2"])


def newton_cbrt(n) -> Case:
    steps = 6
    x = _rand(n, 24, lo=0.5, hi=2.0)
    out = np.empty(n, np.float32)

    def np_run():
        y = x.copy()
        for _ in range(steps):
            y -= (y * y * y - x) / (3.0 * y * y)
        return y

    def holo():
        kern = _kernel("newton_cbrt")
        return lambda: (kern(x, out, steps, n), out)[1]

    return _case("Newton cube root, 6 steps", n, holo, np_run, rtol=1e-4, atol=1e-5,
                 flops=7.0 * steps * n, notes=["numpy: the same loop over whole arrays"])


def exp_series(n) -> Case:
    terms = 8
    x = _rand(n, 25, lo=0.0, hi=1.0)
    out = np.empty(n, np.float32)

    def np_run():
        acc = np.zeros(n, np.float32)
        for t in range(terms):
            acc += np.exp(-np.float32(t) * x)
        return acc

    def holo():
        kern = _kernel("exp_series")
        return lambda: (kern(x, out, terms, n), out)[1]

    return _case("sum of exp(-k x), 8 terms", n, holo, np_run, rtol=1e-4, atol=1e-5,
                 notes=["numpy: the same loop over whole arrays"])


# --- gather and scatter --------------------------------------------------------------------------
def gather(n) -> Case:
    x = _rand(n, 26)
    index = np.random.default_rng(27).permutation(n).astype(np.int32)
    out, ref = np.empty(n, np.float32), np.empty(n, np.float32)

    def holo():
        kern = _kernel("gather")
        return lambda: (kern(x, index, out, n), out)[1]

    return _case("gather x[index]", n, holo, lambda: np.take(x, index, out=ref),
                 bytes_=3 * 4 * n)


def scatter(n) -> Case:
    x = _rand(n, 28)
    index = np.random.default_rng(29).permutation(n).astype(np.int32)
    out, ref = np.empty(n, np.float32), np.empty(n, np.float32)

    def np_run():
        ref[index] = x
        return ref

    def holo():
        kern = _kernel("scatter")
        return lambda: (kern(x, index, out, n), out)[1]

    return _case("scatter out[index] = x", n, holo, np_run, bytes_=3 * 4 * n)


# (name, factory, full sizes, quick sizes)
CORPUS = [
    *[(name, _gemm_layout(name), [1024], [512]) for name in _LAYOUTS],
    ("gemm_f64", gemm_f64, [1024], [512]),
    ("bmm", bmm, [(16, 256)], [(8, 256)]),
    ("column_sum", _reduction("column_sum", np.sum, 0), [4096], [2048]),
    ("column_max", _reduction("column_max", np.max, 0), [4096], [2048]),
    ("row_sum", _reduction("row_sum", np.sum, 1), [4096], [2048]),
    ("row_max", _reduction("row_max", np.max, 1), [4096], [2048]),
    ("stencil_1d", stencil_1d, [16_000_000], [4_000_000]),
    ("stencil_2d", stencil_2d, [4096], [2048]),
    ("stencil_3d", stencil_3d, [256], [128]),
    ("conv_1d", conv_1d, [4_000_000], [1_000_000]),
    ("conv_2d", conv_2d, [2048], [1024]),
    ("transpose", transpose, [4096], [2048]),
    ("histogram", histogram, [16_000_000], [4_000_000]),
    ("global_max", global_max, [16_000_000], [4_000_000]),
    ("global_min", global_min, [16_000_000], [4_000_000]),
    ("argmax", argmax, [16_000_000], [4_000_000]),
    ("argmax int32", _whole_op("argmax", np.int32), [16_000_000], [4_000_000]),
    ("argmin int64", _whole_op("argmin", np.int64), [16_000_000], [4_000_000]),
    ("max float64", _whole_op("max", np.float64), [16_000_000], [4_000_000]),
    ("min uint32", _whole_op("min", np.uint32), [16_000_000], [4_000_000]),
    ("sum int64", _whole_op("sum", np.int64), [16_000_000], [4_000_000]),
    ("mean float32", _whole_op("mean", np.float32), [16_000_000], [4_000_000]),
    ("var float64", _whole_op("var", np.float64), [16_000_000], [4_000_000]),
    ("norm float64", _whole_op("norm", np.float64, np.linalg.norm, blas=True), [16_000_000],
     [4_000_000]),
    ("logsumexp float32", _whole_op("logsumexp", np.float32, _np_logsumexp), [16_000_000],
     [4_000_000]),
    ("horner", horner, [16_000_000], [4_000_000]),
    ("clamp_branches", clamp_branches, [16_000_000], [4_000_000]),
    ("newton_cbrt", newton_cbrt, [16_000_000], [4_000_000]),
    ("exp_series", exp_series, [4_000_000], [1_000_000]),
    ("gather", gather, [16_000_000], [4_000_000]),
    ("scatter", scatter, [16_000_000], [4_000_000]),
]
OPS_GEMM = [(f"ops.gemm {int(ta)}{int(tb)}", ops_gemm((ta, tb)), [1024, 2048], [1024])
            for ta in (False, True) for tb in (False, True)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer rounds")
    parser.add_argument("--only", metavar="PATTERN", help="regex on the entry names")
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args(argv)
    rounds = args.rounds or (5 if args.quick else 9)
    target = 0.004 if args.quick else 0.02
    rows: list[tuple[str, str, float, float, float]] = []
    print(f"{'kernel':44s} {'size':>14s} {'numpy':>10s} {'hologram':>10s} {'ratio':>7s}")
    for name, factory, sizes, quick in CORPUS + OPS_GEMM:
        if args.only and not re.search(args.only, name):
            continue
        for size in (quick if args.quick else sizes):
            case = factory(size)
            good = warm_up_and_check(case, log=print)
            if "hologram" not in good or "numpy" not in good:
                print(f"{case.op:44s} {case.size_label:>14s} skipped: {case.skipped}")
                continue
            t = time_interleaved(good, rounds, target, max_total_s=20.0 if args.quick else 40.0)
            tn, th = t["numpy"].median_s, t["hologram"].median_s
            rows.append((name, case.size_label, tn, th, tn / th))
            print(f"{case.op:44s} {case.size_label:>14s} {tn * 1e3:9.3f}m {th * 1e3:9.3f}m "
                  f"{tn / th:6.2f}x", flush=True)
    corpus = [r for r in rows if not r[0].startswith("ops.gemm")]
    if corpus:
        geo = math.exp(sum(math.log(r[4]) for r in corpus) / len(corpus))
        worst = min(corpus, key=lambda r: r[4])
        print(f"\ncorpus: {len(corpus)} rows, geometric mean {geo:.2f}x numpy, lowest "
              f"{worst[4]:.2f}x ({worst[0]} {worst[1]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
