"""The 2-3 tiling experiment: `fold-layout` tiles from the smooth23 family (2^a * 3^b) against
powers of two, on GEMM and a 2-D stencil, against numpy in the same run.

    python -m benchmarks.layout_experiment            # full run (a few minutes)
    python -m benchmarks.layout_experiment --quick    # small sizes, fewer rounds
    python -m benchmarks.layout_experiment --write-doc  # also refresh the table in docs/
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python -m benchmarks.layout_experiment --only gemm
                                                        # one core each (less disturbed)

Kernels are written the natural SIMT way (one output element per id, the seed's `gemm_f32`) and
compiled through the default pipeline with `fold-layout{tile=R,C,K}` in front. Each size runs
every variant and numpy in interleaved rounds; a variant's time is its best round (the machine
is shared, so the minimum is the estimate least disturbed by other work). Every variant's output
is checked against numpy before it is timed.

Writes `benchmarks/results/layout_experiment.json`, a markdown table on stdout, and the plot
`docs/layout-experiment.png` (when matplotlib is installed).

GEMV and a row-wise softmax are not in the table: written the natural way they run one id per
row (a one-dimensional grid), so `fold-layout` has no decoded index to fold and leaves them alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "layout_experiment.json"
PLOT = ROOT / "docs" / "layout-experiment.png"
DOC = ROOT / "docs" / "layout-experiment.md"

KERNELS = '''
from hologram.lang import DeviceArray, f32, u32, get_global_id


def gemm_f32(A: DeviceArray[f32], B: DeviceArray[f32], C: DeviceArray[f32], M: u32, N: u32, K: u32):
    idx = get_global_id()
    if idx < M * N:
        i = idx // N
        j = idx % N
        acc = 0.0
        for k in range(K):
            acc += A[i * K + k] * B[k * N + j]
        C[idx] = acc


def stencil5(x: DeviceArray[f32], y: DeviceArray[f32], m: u32, n: u32):
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        if i > 0 and i < m - 1 and j > 0 and j < n - 1:
            y[idx] = 0.2 * (x[idx] + x[idx - 1] + x[idx + 1] + x[idx - n] + x[idx + n])
        else:
            y[idx] = x[idx]
'''

# (family, scale) -> (rows, columns, reduction) tile. Each smooth23 tile has a power-of-two
# partner of similar size, so "which family" is compared at equal footprint.
TILES: dict[tuple[str, str], tuple[int, int, int]] = {
    ("smooth23", "S"): (24, 48, 96),
    ("pow2", "S"): (32, 64, 128),
    ("smooth23", "M"): (48, 96, 192),
    ("pow2", "M"): (64, 128, 256),
    ("smooth23", "L"): (96, 192, 384),
    ("pow2", "L"): (128, 256, 512),
}
# One dimension at a time through both families, the others fixed: if 2^a * 3^b sizes were
# special, the smooth23 points would stand out from a smooth curve.
SWEEP_N = 1024
SWEEP: dict[str, list[tuple[int, int, int]]] = {
    "columns": [(96, c, 256) for c in (48, 64, 96, 128, 192, 256)],
    "rows": [(r, 128, 256) for r in (24, 32, 48, 64, 96, 128)],
    "reduction": [(96, 128, k) for k in (96, 128, 192, 256, 384, 512)],
}
GEMM_SIZES = [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048),
              (1000, 1500, 700)]
STENCIL_SIZES = [(1000, 1000), (3000, 3000), (768, 4096)]
# The unfolded seed kernel runs at a few GFLOP/s; time it only up to this many flops.
SEED_MAX_FLOP = 2.2e9


def default_pipeline() -> str:
    from hologram.passes import DEFAULT_PIPELINE

    return ",".join(DEFAULT_PIPELINE)


def with_fold(tile: tuple[int, int, int]) -> str:
    base = default_pipeline()
    fold = f"fold-layout{{tile={tile[0]},{tile[1]},{tile[2]}}}"
    return fold + ("," + base if base else "")


def best_of_interleaved(fns: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    best = {name: float("inf") for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def run(quick: bool, rounds: int | None = None, only: str | None = None) -> dict:
    import hologram

    load_at_start = os.getloadavg()

    tmp = Path(tempfile.mkdtemp(prefix="hg-layout-"))
    src = tmp / "layout_kernels.py"
    src.write_text(KERNELS)
    compiled: dict[str, dict] = {"seed": hologram.load_kernels(src, pipeline=default_pipeline())}
    for (family, scale), tile in TILES.items():
        compiled[f"{family}-{scale}"] = hologram.load_kernels(src, pipeline=with_fold(tile))
    if rounds is None:
        rounds = 3 if quick else 7
    rng = np.random.default_rng(0)
    rows: list[dict] = []

    gemm_sizes = GEMM_SIZES[:2] if quick else GEMM_SIZES
    if only in ("stencil", "sweep"):
        gemm_sizes = []
    for m, n, k in gemm_sizes:
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        ref = a @ b
        af, bf = a.ravel(), b.ravel()
        outs: dict[str, np.ndarray] = {}
        fns: dict[str, Callable[[], object]] = {"numpy": lambda: a @ b}
        for name, ks in compiled.items():
            if name == "seed" and 2.0 * m * n * k > SEED_MAX_FLOP:
                continue
            out = np.zeros(m * n, np.float32)
            ks["gemm_f32"](af, bf, out, m, n, k)
            err = float(np.max(np.abs(out.reshape(m, n) - ref)) / max(1.0, np.max(np.abs(ref))))
            if err > 1e-4:
                raise SystemExit(f"gemm {m}x{n}x{k} {name}: relative error {err:.2e}")
            outs[name] = out
            fns[name] = (lambda f=ks["gemm_f32"], o=out: f(af, bf, o, m, n, k))
        times = best_of_interleaved(fns, 1 if quick else rounds)
        if not quick:
            # the seed kernel takes seconds; time the fast variants more often
            fast = {name: fn for name, fn in fns.items() if name != "seed"}
            for name, t in best_of_interleaved(fast, rounds).items():
                times[name] = min(times[name], t)
        flop = 2.0 * m * n * k
        for name, t in times.items():
            rows.append({"kernel": "gemm", "size": f"{m}x{n}x{k}", "variant": name,
                         "seconds": t, "gflops": flop / t / 1e9,
                         "vs_numpy": times["numpy"] / t})

    if only in (None, "gemm", "sweep") and not quick:
        rows += sweep(src, rounds, rng)
    if only == "sweep":
        gemm_sizes = []
    stencil_sizes = STENCIL_SIZES[:1] if quick else STENCIL_SIZES
    if only in ("gemm", "sweep"):
        stencil_sizes = []
    for m, n in stencil_sizes:
        x = rng.standard_normal((m, n), dtype=np.float32)

        def np_stencil(x=x):
            y = x.copy()
            y[1:-1, 1:-1] = np.float32(0.2) * (x[1:-1, 1:-1] + x[1:-1, :-2] + x[1:-1, 2:]
                                              + x[:-2, 1:-1] + x[2:, 1:-1])
            return y

        ref = np_stencil()
        xf = x.ravel()
        fns = {"numpy": np_stencil}
        for name, ks in compiled.items():
            out = np.zeros(m * n, np.float32)
            ks["stencil5"](xf, out, m, n)
            if not np.allclose(out.reshape(m, n), ref, rtol=1e-5, atol=1e-5):
                raise SystemExit(f"stencil {m}x{n} {name}: wrong result")
            fns[name] = (lambda f=ks["stencil5"], o=out: f(xf, o, m, n))
        times = best_of_interleaved(fns, rounds)
        for name, t in times.items():
            rows.append({"kernel": "stencil5", "size": f"{m}x{n}", "variant": name,
                         "seconds": t, "gbytes_s": 8.0 * m * n / t / 1e9,
                         "vs_numpy": times["numpy"] / t})
    return {
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                    "loadavg_at_start": load_at_start, "loadavg_at_end": os.getloadavg(),
                    "threads": {v: os.environ.get(v) for v in
                                ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_WAIT_POLICY")}},
        "tiles": {f"{f}-{s}": list(t) for (f, s), t in TILES.items()},
        "default_pipeline": default_pipeline(),
        "rounds": rounds,
        "rows": rows,
    }


def sweep(src: Path, rounds: int, rng: np.random.Generator) -> list[dict]:
    """GEMM at SWEEP_N with one tile dimension varied; all variants and numpy interleaved."""
    import hologram

    n = SWEEP_N
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    ref = a @ b
    af, bf = a.ravel(), b.ravel()
    fns: dict[str, Callable[[], object]] = {"numpy": lambda: a @ b}
    labels: dict[str, tuple[str, tuple[int, int, int]]] = {}
    for dim, tiles in SWEEP.items():
        for tile in tiles:
            name = f"{dim}:{'x'.join(map(str, tile))}"
            if name in fns:
                continue
            k = hologram.load_kernels(src, pipeline=with_fold(tile))["gemm_f32"]
            out = np.zeros(n * n, np.float32)
            k(af, bf, out, n, n, n)
            if not np.allclose(out.reshape(n, n), ref, rtol=1e-3, atol=1e-3):
                raise SystemExit(f"sweep {name}: wrong result")
            fns[name] = (lambda f=k, o=out: f(af, bf, o, n, n, n))
            labels[name] = (dim, tile)
    times = best_of_interleaved(fns, rounds)
    flop = 2.0 * n ** 3
    rows = []
    for name, (dim, tile) in labels.items():
        rows.append({"kernel": "gemm-sweep", "size": f"{n}x{n}x{n}", "variant": name,
                     "dim": dim, "tile": list(tile), "seconds": times[name],
                     "gflops": flop / times[name] / 1e9, "vs_numpy": times["numpy"] / times[name]})
    rows.append({"kernel": "gemm-sweep", "size": f"{n}x{n}x{n}", "variant": "numpy",
                 "seconds": times["numpy"], "gflops": flop / times["numpy"] / 1e9, "vs_numpy": 1.0})
    return rows


def sweep_table(result: dict) -> str:
    rows = [r for r in result["rows"] if r["kernel"] == "gemm-sweep"]
    if not rows:
        return ""
    numpy_row = next(r for r in rows if r["variant"] == "numpy")
    lines = [f"**GEMM {SWEEP_N}, one tile dimension varied** (GFLOP/s, numpy "
             f"{numpy_row['gflops']:.1f}; * = smooth23 size that is not a power of two)\n"]
    for dim, tiles in SWEEP.items():
        axis = {"rows": 0, "columns": 1, "reduction": 2}[dim]
        cells, heads = [], []
        for tile in tiles:
            r = next(r for r in rows if r.get("dim") == dim and r["tile"] == list(tile))
            v = tile[axis]
            heads.append(f"{v}{'*' if v & (v - 1) else ''}")
            cells.append(f"{r['gflops']:.1f}")
        shown = list(tiles[0])
        shown[axis] = "·"
        lines.append(f"| {dim} (tile {'x'.join(map(str, shown))}) | " + " | ".join(heads) + " |")
        lines.append("|---" * (len(tiles) + 1) + "|")
        lines.append("| GFLOP/s | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def table(result: dict) -> str:
    variants = ["numpy", "seed"] + [f"{f}-{s}" for (f, s) in TILES]
    lines = []
    for kernel, unit in (("gemm", "gflops"), ("stencil5", "gbytes_s")):
        rows = [r for r in result["rows"] if r["kernel"] == kernel]
        if not rows:
            continue
        sizes = list(dict.fromkeys(r["size"] for r in rows))
        present = [v for v in variants if any(r["variant"] == v for r in rows)]
        head = "GFLOP/s" if unit == "gflops" else "GB/s"
        lines.append(f"**{kernel}** ({head}; in brackets: speed relative to numpy)\n")
        labels = []
        for v in present:
            if v in ("numpy", "seed"):
                labels.append(v)
            else:
                family, scale = v.rsplit("-", 1)
                labels.append(f"{v} {'x'.join(map(str, TILES[(family, scale)]))}")
        lines.append("| size | " + " | ".join(labels) + " |")
        lines.append("|---" * (len(present) + 1) + "|")
        for size in sizes:
            cells = []
            for v in present:
                r = next((r for r in rows if r["size"] == size and r["variant"] == v), None)
                if r is None:
                    cells.append("-")
                elif v == "numpy":
                    cells.append(f"{r[unit]:.1f}")
                else:
                    cells.append(f"{r[unit]:.1f} ({r['vs_numpy']:.2f})")
            lines.append(f"| {size} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def plot(result: dict, path: Path = PLOT) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    rows = [r for r in result["rows"] if r["kernel"] == "gemm"]
    if not rows:
        return False
    sizes = list(dict.fromkeys(r["size"] for r in rows))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    variants = [f"{f}-{s}" for (f, s) in TILES]
    width = 0.8 / (len(variants) + 1)
    for n, v in enumerate(["numpy"] + variants):
        ys = [next((r["gflops"] for r in rows if r["size"] == s and r["variant"] == v), 0.0)
              for s in sizes]
        hatch = "//" if v.startswith("pow2") else None
        ax.bar([i + n * width for i in range(len(sizes))], ys, width, label=v, hatch=hatch)
    ax.set_xticks([i + 0.4 for i in range(len(sizes))], sizes)
    ax.set_ylabel("GFLOP/s (float32, best round)")
    threads = result["machine"]["threads"].get("OMP_NUM_THREADS") or "all"
    ax.set_title(f"GEMM: seed-style kernel + fold-layout, smooth23 vs pow2 tiles, vs numpy "
                 f"({threads} threads)", fontsize=10)
    ax.legend(ncol=4, fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return True


def write_doc_table(text: str) -> None:
    doc = DOC.read_text()
    new = re.sub(r"(<!-- table:start -->\n).*?(<!-- table:end -->)",
                 lambda m: m.group(1) + text + "\n" + m.group(2), doc, flags=re.S)
    DOC.write_text(new)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few rounds")
    parser.add_argument("--write-doc", action="store_true",
                        help="replace the table in docs/layout-experiment.md")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per size (default 7)")
    parser.add_argument("--only", choices=["gemm", "stencil", "sweep"],
                        help="run one part only")
    parser.add_argument("--tag", default="", help="suffix of the result and plot file names")
    args = parser.parse_args()
    result = run(args.quick, args.rounds, args.only)
    results = RESULTS.with_name(RESULTS.stem + args.tag + RESULTS.suffix)
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(result, indent=1))
    text = table(result) + "\n" + sweep_table(result)
    print(text)
    machine = result["machine"]
    print(f"load average (1, 5, 15 min) at the start: {machine['loadavg_at_start']}, "
          f"at the end: {machine['loadavg_at_end']}")
    plot_path = PLOT.with_name(PLOT.stem + args.tag + PLOT.suffix)
    if plot(result, plot_path):
        print(f"plot: {plot_path.relative_to(ROOT)}")
    if args.write_doc:
        write_doc_table(text)


if __name__ == "__main__":
    main()
