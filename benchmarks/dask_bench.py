"""Hologram as Dask's chunk engine against numpy chunks, on a `LocalCluster`:
`python -m benchmarks.dask_bench [--gib 4] [--rounds 3] [--workers 2] [--out DIR]`
(also `python -m benchmarks.report --dask`). Slow (minutes): not part of `make test`.

The input is a float32 array of `--gib` GiB generated lazily, chunk by chunk, on the workers
(`gen_chunk`: a ramp over [-4, 4) written once per chunk; nothing of it is ever held by the
client). Each chunk size is run twice: with the input *generated in each task* (every row pays
for the generator, so the rows time generator + chunk engine + Dask), and *held in worker
memory* (generated once, `persist`ed on the workers; the rows time the chunk engine and Dask;
`--no-held` leaves these out). Rows, each the same expression in Hologram and in `dask.array`
with numpy chunks, on the same chunks and the same cluster, timed in interleaved rounds
(medians):

* the floor: every chunk made (or, held, read) and reduced to one element: what both columns
  of the rows below pay besides their own work ("net of the floor" takes it away);
* `sigmoid chain`: `sigmoid(x * 1.7 - 0.3) * 2 - 1`; Hologram runs it as one `@hologram.jit`
  program per chunk (one fused kernel), `dask.array` as its numpy ufuncs (Dask fuses the tasks,
  numpy still makes one pass per ufunc). Each output chunk is made and reduced to one element, so
  nothing travels;
* `sum`: the whole-array sum as each is written, `hologram.ops.sum(x)` against `x.sum()`: each
  column with its own tree (Hologram's fan-in fits the partials' size, docs/dask.md; Dask's
  default is 4 per level). The two rows after it give both columns the same tree, so they time
  the chunk engines alone: `sum, Hologram's tree for both` (`x.sum(split_every=` Hologram's
  fan-in `)`) and `sum, Dask's tree for both` (split_every=4, Dask's default, for both).

Throughput is input bytes / time, set against the STREAM triad of `benchmarks.machine` (all
cores; the better of a measurement before and one after the rows). The ratio is numpy's time /
Hologram's: above 1, Hologram's chunks are faster. Each worker process gets `--omp-threads`
OpenMP threads (default: cores / workers), so Dask's parallelism over chunks is not
oversubscribed by the kernels' own threads.
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
# Rows of 16384 float32 (64 KiB); a 64 MiB chunk is 1024 of them.
COLS = 16384
ROWS_PER_CHUNK = 1024
SAME_TREE = "sum, Hologram's tree for both"
DASK_TREE = "sum, Dask's tree for both"
SUMS = ("sum", SAME_TREE, DASK_TREE)


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
        out: Path | None = None, chunk_mib: tuple[int, ...] = (64,), held: bool = True) -> dict:
    """Every row at every chunk size (MiB, rows of COLS float32), on one cluster, interleaved."""
    import dask
    import dask.array as da
    from distributed import Client, LocalCluster, wait

    import hologram.ops as ops
    from hologram.dask import split_every
    from benchmarks.machine import measure_limits

    cores = os.cpu_count() or 1
    omp = omp_threads or max(1, cores // workers)
    row_bytes = COLS * 4
    block = max(ROWS_PER_CHUNK * row_bytes * m // 64 for m in chunk_mib)
    rows = int(gib * GIB) // block * block // row_bytes
    shape, nbytes = (rows, COLS), rows * row_bytes
    print(f"input: float32 {shape} = {nbytes / GIB:.2f} GiB, chunks of {chunk_mib} MiB; "
          f"{workers} worker processes x 1 thread, OMP_NUM_THREADS={omp}", flush=True)
    stream = measure_limits(quick=True).stream_gbs
    print(f"STREAM triad (all cores, start of the run): {stream:.1f} GB/s", flush=True)

    chain = _hologram_chain()
    env = {"OMP_NUM_THREADS": str(omp)}
    results: dict = {"input_GiB": round(nbytes / GIB, 3), "shape": list(shape),
                     "chunk_MiB": list(chunk_mib), "workers": workers, "omp_threads": omp,
                     "stream_GBs": round(stream, 2), "rows": []}
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, env=env) as cluster, Client(cluster) as client:
        cases: dict = {}
        inputs = []
        for mib in chunk_mib:
            per = ROWS_PER_CHUNK * mib // 64
            nblocks = rows // per
            x = da.map_blocks(gen_chunk, dtype=np.float32, chunks=((per,) * nblocks, (COLS,)),
                              meta=np.empty((0, 0), np.float32))
            inputs.append((f"{mib} MiB, generated in each task", x, nblocks))
            if held:
                # Generated once on the workers and kept in their memory: the rows then time
                # the chunk engines (and Dask), not the generator.
                xh = x.persist()
                wait(xh)
                inputs.append((f"{mib} MiB, held in worker memory", xh, nblocks))
        for label, x, nblocks in inputs:

            def firsts(y, nblocks=nblocks):
                return da.map_blocks(first, y, chunks=((1,) * nblocks, (1,)), dtype=y.dtype)

            cases[(label, "floor", "numpy")] = firsts(x)
            cases[(label, "sigmoid chain", "hologram")] = firsts(chain(x))
            cases[(label, "sigmoid chain", "numpy")] = firsts(numpy_chain(x))
            cases[(label, "sum", "hologram")] = ops.sum(x)
            cases[(label, "sum", "numpy")] = x.sum()
            tree = split_every(x, (0, 1), 4)
            cases[(label, SAME_TREE, "hologram")] = ops.sum(x)
            cases[(label, SAME_TREE, "numpy")] = x.sum(split_every=tree)
            with dask.config.set(split_every=4):
                cases[(label, DASK_TREE, "hologram")] = ops.sum(x)
            cases[(label, DASK_TREE, "numpy")] = x.sum(split_every=4)
        labels = [label for label, _, _ in inputs]
        # Warm-up (compiles on the workers, checks the results agree), then timed rounds.
        small = {key: client.compute(expr).result() for key, expr in cases.items()}
        for label in labels:
            h, n = small[(label, "sigmoid chain", "hologram")], \
                small[(label, "sigmoid chain", "numpy")]
            assert np.allclose(h, n, rtol=1e-5, atol=1e-6), "chain results differ"
            for name in SUMS:
                hs, ns = float(small[(label, name, "hologram")]), \
                    float(small[(label, name, "numpy")])
                assert abs(hs - ns) <= 1e-5 * rows * COLS * 4.0, f"sums differ: {hs} {ns}"
        times: dict = {key: [] for key in cases}
        for r in range(rounds):
            for key, expr in cases.items():
                t0 = time.perf_counter()
                client.compute(expr).result()
                times[key].append(time.perf_counter() - t0)
            print(f"round {r + 1}/{rounds} done", flush=True)
    # STREAM again at the end, the better of both: a limit measured while the machine was busy
    # would flatter the "% of STREAM" column.
    stream = max(stream, measure_limits(quick=True).stream_gbs)
    results["stream_GBs"] = round(stream, 2)
    print(f"STREAM triad (all cores, best of start and end): {stream:.1f} GB/s", flush=True)
    med = {key: statistics.median(ts) for key, ts in times.items()}
    lines = [f"| input | row | hologram | numpy chunks | numpy ÷ hologram | hologram GB/s "
             f"(% of STREAM {stream:.1f}) | numpy GB/s |", "|---|---|---|---|---|---|---|"]
    notes = []
    for label in labels:
        gen = med[(label, "floor", "numpy")]
        what = "generate only" if "generated" in label else "touch each chunk"
        lines.append(f"| {label} | {what} (the floor) | | {gen:.2f} s | | | "
                     f"{nbytes / gen / 1e9:.1f} |")
        for name in ("sigmoid chain", *SUMS):
            th, tn = med[(label, name, "hologram")], med[(label, name, "numpy")]
            gbh, gbn = nbytes / th / 1e9, nbytes / tn / 1e9
            lines.append(f"| {label} | {name} | {th:.2f} s | {tn:.2f} s | **{tn / th:.2f}x** | "
                         f"{gbh:.1f} ({100 * gbh / stream:.0f}%) | {gbn:.1f} |")
            net = (tn - gen) / (th - gen) if th > gen else float("nan")
            notes.append(f"* {label}, {name}: net of the floor ({gen:.2f} s), numpy ÷ "
                         f"hologram = {net:.2f}x")
            results["rows"].append({
                "input": label, "row": name, "hologram_s": round(th, 3),
                "numpy_s": round(tn, 3), "floor_s": round(gen, 3), "ratio": round(tn / th, 3),
                "ratio_net_of_floor": round(net, 3), "hologram_GBs": round(gbh, 2),
                "numpy_GBs": round(gbn, 2),
                "hologram_all_s": [round(t, 3) for t in times[(label, name, "hologram")]],
                "numpy_all_s": [round(t, 3) for t in times[(label, name, "numpy")]]})
    results["markdown"] = "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n"
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
    parser.add_argument("--chunk-mib", type=int, nargs="+", default=[64],
                        help="chunk sizes in MiB, multiples of 4 (default 64); every row runs "
                             "at each")
    parser.add_argument("--no-held", action="store_true",
                        help="only the rows that generate the input in each task")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if any(m <= 0 or m % 4 for m in args.chunk_mib):
        parser.error("--chunk-mib: positive multiples of 4")
    run(args.gib, args.rounds, args.workers, args.omp_threads, args.out, tuple(args.chunk_mib),
        held=not args.no_held)
    return 0


if __name__ == "__main__":
    sys.exit(main())
