"""Hologram as Dask's chunk engine against numpy chunks, on a `LocalCluster`:
`python -m benchmarks.dask_bench [--gib 4] [--rounds 3] [--workers 2] [--out DIR]`
(also `python -m benchmarks.report --dask`). Slow (minutes): not part of `make test`.

The input is a float32 array of `--gib` GiB generated lazily, chunk by chunk, on the workers
(`gen_chunk`: a ramp over [-4, 4) written once per chunk; nothing of it is ever held whole). Rows,
each the same expression in Hologram and in `dask.array` with numpy chunks, on the same chunks
and the same cluster, timed in interleaved rounds (medians):

* `generate`: the generator alone (every chunk is made and reduced to one element): the floor
  under both columns of the rows below;
* `sigmoid chain`: `sigmoid(x * 1.7 - 0.3) * 2 - 1`; Hologram runs it as one `@hologram.jit`
  program per chunk (one fused kernel), `dask.array` as its numpy ufuncs (Dask fuses the tasks,
  numpy still makes one pass per ufunc). Each output chunk is made and reduced to one element, so
  nothing travels;
* `sum`: the whole-array sum, `hologram.ops.sum(x)` against `x.sum()`.

Throughput is input bytes / time, set against the STREAM triad of `benchmarks.machine` (all
cores). The ratio is numpy's time / Hologram's: above 1, Hologram's chunks are faster. Each worker
process gets `--omp-threads` OpenMP threads (default: cores / workers), so Dask's parallelism
over chunks is not oversubscribed by the kernels' own threads.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

GIB = 1 << 30
# Chunks of 64 MiB: 1024 rows of 16384 float32.
COLS = 16384
ROWS_PER_CHUNK = 1024


def gen_chunk(block_info=None):
    """One chunk of the input: a ramp over [-4, 4) along the row, offset by the chunk's row."""
    (r0, r1), (c0, c1) = block_info[None]["array-location"]
    row = np.linspace(-4.0, 4.0, c1 - c0, endpoint=False, dtype=np.float32)
    out = np.empty((r1 - r0, c1 - c0), np.float32)
    out[...] = row
    out[:, 0] = np.float32(r0 % 7)  # chunks differ, so no result is a constant
    return out


def first(block):
    """A chunk reduced to one element: the chunk was computed, nothing else travels. A copy: a
    view would keep the whole chunk alive in the worker's memory (and have it spill)."""
    return block[:1, :1].copy()


def numpy_chain(x):
    return (1.0 / (1.0 + np.exp(-(x * np.float32(1.7) - np.float32(0.3))))) * np.float32(2.0) \
        - np.float32(1.0)


def _hologram_chain():
    import hologram
    import hologram.ops as ops

    @hologram.jit
    def chain(x):
        return ops.sigmoid(x * 1.7 - 0.3) * 2.0 - 1.0

    return chain


def run(gib: float = 4.0, rounds: int = 3, workers: int = 2, omp_threads: int | None = None,
        out: Path | None = None) -> dict:
    import dask.array as da
    from distributed import Client, LocalCluster

    import hologram.ops as ops
    from benchmarks.machine import measure_limits

    cores = os.cpu_count() or 1
    omp = omp_threads or max(1, cores // workers)
    rows = int(gib * GIB) // (COLS * 4)
    rows -= rows % ROWS_PER_CHUNK
    shape, chunks = (rows, COLS), (ROWS_PER_CHUNK, COLS)
    nbytes = rows * COLS * 4
    print(f"input: float32 {shape} = {nbytes / GIB:.2f} GiB in {rows // ROWS_PER_CHUNK} chunks "
          f"of {ROWS_PER_CHUNK * COLS * 4 / 2**20:.0f} MiB; {workers} worker processes x 1 "
          f"thread, OMP_NUM_THREADS={omp}", flush=True)
    stream = measure_limits(quick=True).stream_gbs
    print(f"STREAM triad (all cores): {stream:.1f} GB/s", flush=True)

    chain = _hologram_chain()
    env = {"OMP_NUM_THREADS": str(omp)}
    results: dict = {"input_GiB": round(nbytes / GIB, 3), "shape": list(shape),
                     "chunk_MiB": ROWS_PER_CHUNK * COLS * 4 / 2**20, "workers": workers,
                     "omp_threads": omp, "stream_GBs": round(stream, 2), "rows": []}
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, env=env) as cluster, Client(cluster) as client:
        x = da.map_blocks(gen_chunk, dtype=np.float32, chunks=(
            (ROWS_PER_CHUNK,) * (rows // ROWS_PER_CHUNK), (COLS,)),
            meta=np.empty((0, 0), np.float32))
        nblocks = x.numblocks

        def firsts(y):
            return da.map_blocks(first, y, chunks=((1,) * nblocks[0], (1,) * nblocks[1]),
                                 dtype=y.dtype)

        cases = {
            "generate": {"numpy": firsts(x)},
            "sigmoid chain": {"hologram": firsts(chain(x)), "numpy": firsts(numpy_chain(x))},
            "sum": {"hologram": ops.sum(x), "numpy": x.sum()},
        }
        # Warm-up (compiles on the workers, checks the results agree), then timed rounds.
        small = {}
        for name, impls in cases.items():
            for impl, expr in impls.items():
                small[(name, impl)] = client.compute(expr).result()
        h, n = small[("sigmoid chain", "hologram")], small[("sigmoid chain", "numpy")]
        assert np.allclose(h, n, rtol=1e-5, atol=1e-6), "chain results differ"
        hs, ns = float(small[("sum", "hologram")]), float(small[("sum", "numpy")])
        assert abs(hs - ns) <= 1e-4 * rows * COLS * 4.0, f"sums differ: {hs} {ns}"
        times: dict = {key: [] for key in small}
        for r in range(rounds):
            for name, impls in cases.items():
                for impl, expr in impls.items():
                    t0 = time.perf_counter()
                    client.compute(expr).result()
                    times[(name, impl)].append(time.perf_counter() - t0)
            print(f"round {r + 1}/{rounds} done", flush=True)
    med = {key: statistics.median(ts) for key, ts in times.items()}
    gen = med[("generate", "numpy")]
    lines = [f"| row | hologram | numpy chunks | numpy ÷ hologram | hologram GB/s (of STREAM "
             f"{stream:.1f}) | numpy GB/s |", "|---|---|---|---|---|---|"]
    lines.append(f"| generate only | | {gen:.2f} s | | | {nbytes / gen / 1e9:.1f} |")
    for name in ("sigmoid chain", "sum"):
        th, tn = med[(name, "hologram")], med[(name, "numpy")]
        gbh, gbn = nbytes / th / 1e9, nbytes / tn / 1e9
        lines.append(f"| {name} | {th:.2f} s | {tn:.2f} s | **{tn / th:.2f}x** | "
                     f"{gbh:.1f} ({100 * gbh / stream:.0f}%) | {gbn:.1f} |")
        net = (tn - gen) / (th - gen) if th > gen else float("nan")
        results["rows"].append({
            "row": name, "hologram_s": round(th, 3), "numpy_s": round(tn, 3),
            "ratio": round(tn / th, 3), "ratio_net_of_generation": round(net, 3),
            "hologram_GBs": round(gbh, 2), "numpy_GBs": round(gbn, 2),
            "hologram_all_s": [round(t, 3) for t in times[(name, "hologram")]],
            "numpy_all_s": [round(t, 3) for t in times[(name, "numpy")]]})
    results["generate_s"] = round(gen, 3)
    table = "\n".join(lines)
    notes = "\n".join(f"* {r['row']}: net of generation ({gen:.2f} s), numpy ÷ hologram = "
                      f"{r['ratio_net_of_generation']:.2f}x" for r in results["rows"])
    results["markdown"] = f"{table}\n\n{notes}\n"
    print(results["markdown"], flush=True)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "dask.json").write_text(json.dumps(results, indent=1))
        (out / "dask.md").write_text(results["markdown"])
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dask_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gib", type=float, default=4.0, help="input size in GiB (default 4)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--omp-threads", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    run(args.gib, args.rounds, args.workers, args.omp_threads, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
