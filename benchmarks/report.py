"""The performance report: `python -m benchmarks.report [--quick] [--out DIR] [--only PATTERN]`.

Measures the machine's limits (STREAM triad bandwidth, float32 FMA peak), then every entry of
`benchmarks/entries.py` at each size: all implementations in one process, interleaved rounds,
medians, warm-up and compilation excluded, results checked against numpy before they are timed.
Writes `report.json`, `report.md` and plots (`plots/*.png`, when matplotlib is installed) to the
output directory (default `benchmarks/results/`), and prints the tables as it goes.

Ratios are `numpy time ÷ X time`: above 1 means X is faster than numpy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import platform
import re
import sys
import time
import traceback
from pathlib import Path

from benchmarks import compile_times, goals
from benchmarks.entries import ENTRIES, GROUP_TITLES, PRIMARY
from benchmarks.harness import (
    Case, LoadMeter, Skip, fmt_ratio, fmt_time, time_interleaved, wait_for_quiet,
    warm_up_and_check,
)
from benchmarks.machine import Limits, environment, limits_to_use, measure_limits

DEFAULT_OUT = Path(__file__).resolve().parent / "results"

# Ratios shown besides "numpy ÷ X": (numerator, denominator), when both were timed.
EXTRA_RATIOS = [
    ("hologram op-by-op", "hologram jit"),
    ("hologram no-tree", "hologram"),
    # The C backend's time over the MLIR backend's (docs/mlir.md): above 1, MLIR is faster.
    ("hologram", "hologram mlir"),
    ("hologram seed kernel", "hologram seed kernel mlir"),
]


class Settings:
    def __init__(self, quick: bool):
        self.quick = quick
        self.rounds = 5 if quick else 11
        self.target_s = 0.004 if quick else 0.02  # one timed sample
        self.max_case_s = 5.0 if quick else 12.0  # the timed rounds of one case
        self.compile_repeats = 1 if quick else 3
        self.warm_repeats = 3 if quick else 9  # fresh processes per warm-start case
        # hologram-opt on a generated module: 10,000 ops in a full run, a smaller one in --quick.
        self.opt_min_ops = 2_000 if quick else 10_000
        self.opt_repeats = 1
        self.opt_timeout_s = 60 if quick else 300
        # The machine is shared. Before each case, wait a little for other processes to quiet
        # down; after the pass, re-measure the cases that ran under load while time remains.
        self.busy_cores = 0.25  # other processes' average use that marks a row as loaded
        self.wait_per_case_s = 1.0 if quick else 3.0
        self.wait_budget_s = 5.0 if quick else 90.0
        self.retry_until_s = 60.0 if quick else 600.0  # elapsed time after which no retries


def _primary(case: Case) -> str:
    return PRIMARY.get(case.group, "hologram")


def _rates(case: Case, seconds: float, limits: Limits) -> dict:
    return _rates_from({"bytes": case.bytes, "flops": case.flops}, seconds, limits)


def _rates_from(row: dict, seconds: float, limits: Limits) -> dict:
    rates: dict = {}
    if row["bytes"]:
        gbs = row["bytes"] / seconds / 1e9
        rates["GB/s"] = gbs
        rates["pct_stream"] = 100.0 * gbs / limits.stream_gbs
    if row["flops"]:
        gflops = row["flops"] / seconds / 1e9
        rates["GFLOP/s"] = gflops
        rates["pct_peak"] = 100.0 * gflops / limits.peak_gflops
    return rates


def _compute_bound(case: Case, limits: Limits) -> bool:
    """Above the machine balance (FLOP per byte at which both limits meet) the peak is the limit."""
    if not case.flops or not case.bytes:
        return bool(case.flops)
    return case.flops / case.bytes > limits.peak_gflops / limits.stream_gbs


def run_case(case: Case, settings: Settings, limits: Limits, log) -> dict:
    good = warm_up_and_check(case, log=log)
    timings = time_interleaved(good, settings.rounds, settings.target_s, settings.max_case_s)
    row: dict = {
        "group": case.group, "op": case.op, "size": case.size, "size_label": case.size_label,
        "reference": case.reference, "primary": _primary(case),
        "bytes": case.bytes, "flops": case.flops, "compute_bound": _compute_bound(case, limits),
        "times": {name: t.as_dict() for name, t in timings.items()},
        "skipped": dict(case.skipped), "notes": list(case.notes),
        "ratios": {}, "rates": {},
    }
    med = {name: t.median_s for name, t in timings.items()}
    ref = med.get(case.reference)
    for name, t in med.items():
        if name != case.reference and ref is not None and t > 0 and case.impls[name].ratio:
            row["ratios"][f"{case.reference} ÷ {name}"] = ref / t
        row["rates"][name] = _rates(case, t, limits)
    # The same ratio from each side's fastest sample: closer to the uncontended speed when
    # other processes disturbed some rounds (the median stays the headline number).
    mins = {name: t.min_s for name, t in timings.items()}
    primary_name = _primary(case)
    if case.reference in mins and primary_name in mins and mins[primary_name] > 0:
        row["ratio_best_of"] = mins[case.reference] / mins[primary_name]
    for num, den in EXTRA_RATIOS:
        if num in med and den in med and med[den] > 0:
            row["ratios"][f"{num} ÷ {den}"] = med[num] / med[den]
    primary = row["primary"]
    if case.group == "fused" and primary in med and case.bytes:
        # Time of the fused program over the time the minimal traffic takes at STREAM bandwidth.
        row["traffic_vs_min"] = med[primary] / (case.bytes / (limits.stream_gbs * 1e9))
    return row


def _summary_line(row: dict) -> str:
    parts = [f"{name} {fmt_time(t['median_s'])}" for name, t in row["times"].items()]
    ratios = [f"{k} {fmt_ratio(v)}" for k, v in row["ratios"].items()]
    skipped = [f"{k}: skipped" for k in row["skipped"]]
    return (f"  [{row['group']}] {row['op']} {row['size_label']}: " + ", ".join(parts)
            + (" | " + ", ".join(ratios) if ratios else "")
            + (" | " + ", ".join(skipped) if skipped else ""))


def run_compile_times(settings: Settings, log) -> dict:
    out: dict = {"group": "compile"}
    try:
        out["kernel"] = compile_times.cold_and_warm(settings.compile_repeats)
    except Skip as err:
        out["kernel_skipped"] = str(err)
    except Exception as err:  # noqa: BLE001 - reported, the report goes on
        out["kernel_skipped"] = f"failed: {type(err).__name__}: {err}".splitlines()[0][:300]
    try:
        out["warm"] = compile_times.warm_start(settings.warm_repeats)
    except Skip as err:
        out["warm_skipped"] = str(err)
    except Exception as err:  # noqa: BLE001
        out["warm_skipped"] = f"failed: {type(err).__name__}: {err}".splitlines()[0][:300]
    try:
        out["opt"] = compile_times.opt_big_module(
            settings.opt_repeats, settings.opt_min_ops, settings.opt_timeout_s)
    except Skip as err:
        out["opt_skipped"] = str(err)
    except Exception as err:  # noqa: BLE001
        out["opt_skipped"] = f"failed: {type(err).__name__}: {err}".splitlines()[0][:300]
    for key in ("kernel", "warm", "opt"):
        if key == "warm" and key in out:
            for case, row in out["warm"]["cases"].items():
                log(f"  [compile] warm {case}: {fmt_time(row['beyond_numpy_s'])} beyond numpy"
                    f" (xDSL imported: {row['xdsl_imported']})")
        elif key in out:
            log(f"  [compile] {key}: " + ", ".join(
                f"{k} {fmt_time(v) if k.endswith('_s') else v}" for k, v in out[key].items()))
        else:
            log(f"  [compile] {key}: skipped ({out[key + '_skipped']})")
    return out


# ---------------------------------------------------------------------------------------------
# Markdown


def _impl_order(rows: list[dict]) -> list[str]:
    order: list[str] = []
    for row in rows:
        for name in [*row["times"], *row["skipped"]]:
            if name not in order:
                order.append(name)
    ref = rows[0]["reference"] if rows else "numpy"
    primary = rows[0]["primary"] if rows else "hologram"
    ours = [n for n in order if n.startswith("hologram") and n != primary]
    rest = [n for n in order if n not in (primary, ref, *ours)]
    return [n for n in (primary, *ours, ref) if n in order] + rest


def _group_table(rows: list[dict]) -> list[str]:
    impls = _impl_order(rows)
    ratio_keys: list[str] = []
    for row in rows:
        for key in row["ratios"]:
            if key not in ratio_keys:
                ratio_keys.append(key)
    primary = rows[0]["primary"]
    has_traffic = any("traffic_vs_min" in r for r in rows)
    ref = rows[0]["reference"]
    header = ["op", "size", *impls, *ratio_keys, f"{ref} ÷ {primary}, fastest samples",
              f"{primary} rate", "% of limit"]
    if has_traffic:
        header.append("time ÷ min-traffic time")
    header.append("others' load")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [row["op"], row["size_label"]]
        for name in impls:
            if name in row["times"]:
                cells.append(fmt_time(row["times"][name]["median_s"]))
            elif name in row["skipped"]:
                reason = row["skipped"][name]
                cells.append("wrong" if "wrong result" in reason else
                             "failed" if reason.startswith("failed") else "skip")
            else:
                cells.append("")
        cells += [fmt_ratio(row["ratios"][k]) if k in row["ratios"] else "—" for k in ratio_keys]
        t_ref, t_pri = row["times"].get(ref), row["times"].get(primary)
        cells.append(fmt_ratio(t_ref["min_s"] / t_pri["min_s"]) if t_ref and t_pri else "—")
        rate = row["rates"].get(primary, {})
        if row["compute_bound"] and "GFLOP/s" in rate:
            cells += [f"{rate['GFLOP/s']:.1f} GFLOP/s", f"{rate['pct_peak']:.0f}% peak"]
        elif "GB/s" in rate:
            cells += [f"{rate['GB/s']:.1f} GB/s", f"{rate['pct_stream']:.0f}% STREAM"]
        else:
            cells += ["—", "—"]
        if has_traffic:
            cells.append(f"{row['traffic_vs_min']:.2f}×" if "traffic_vs_min" in row else "—")
        load = row.get("other_load_cores")
        cells.append("?" if load is None else f"{load:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _group_notes(rows: list[dict]) -> list[str]:
    """Skip reasons and notes, each said once with the sizes it applies to."""
    seen: dict[str, list[str]] = {}
    for row in rows:
        for name, reason in row["skipped"].items():
            seen.setdefault(f"{row['op']}, {name}: {reason}", []).append(row["size_label"])
        for note in row["notes"]:
            seen.setdefault(f"{row['op']}: {note}", [])
    out = []
    for text, sizes in seen.items():
        out.append(f"- {text}" + (f" (sizes {', '.join(sizes)})" if len(sizes) > 1 else ""))
    return out


def corpus_summary(rows: list[dict]) -> str:
    """Geometric mean and lowest of numpy ÷ hologram over the corpus kernels (ops.gemm apart)."""
    import math

    ratios = [(r["op"], r["size_label"], r["ratios"].get("numpy ÷ hologram")) for r in rows
              if not r["op"].startswith("ops.gemm")]
    ratios = [r for r in ratios if r[2]]
    if not ratios:
        return "Corpus: no row was timed."
    geo = math.exp(sum(math.log(r[2]) for r in ratios) / len(ratios))
    low = min(ratios, key=lambda r: r[2])
    below = [f"{op} {size} ({ratio:.2f}×)" for op, size, ratio in ratios if ratio < 0.5]
    return (f"Corpus: {len(ratios)} kernels, geometric mean of numpy ÷ hologram {geo:.2f}×, "
            f"lowest {low[2]:.2f}× ({low[0]} {low[1]}); below 0.5×: "
            f"{', '.join(below) if below else 'none'}.")


def _compile_md(comp: dict) -> list[str]:
    lines = ["| measurement | median |", "|---|---|"]
    if "kernel" in comp:
        k = comp["kernel"]
        lines += [
            f"| cold compile: first call of one kernel, empty cache (frontend, passes, C, cc, load) "
            f"| {fmt_time(k['cold_first_call_s'])} |",
            f"| warm: first call after `load_kernels` in a new process, cached (loads the "
            f"library) | {fmt_time(k['warm_first_call_s'])} |",
            f"| cold: `load_kernels` (parse the file, no index entry yet) "
            f"| {fmt_time(k['load_kernels_s'])} |",
            f"| `import hologram.runtime` (and numpy) | {fmt_time(k['import_s'])} |",
            f"| second call (n=1000) | {fmt_time(k['second_call_s'])} |",
        ]
    if "warm" in comp:
        w = comp["warm"]
        lines += ["", f"Warm start: each a fresh process with the cache already filled, median of "
                  f"{w['repeats']}, time beyond `import numpy` (itself "
                  f"{fmt_time(w['cases']['kernel file']['numpy_s'])}); byte code cached.", "",
                  "| first use, warm cache | beyond `import numpy` | goal | met | xDSL imported |"
                  " first process (cold cache) |", "|---|---|---|---|---|---|"]
        for case, row in w["cases"].items():
            limit = row["limit_s"]
            goal = "—" if limit is None else f"≤ {fmt_time(limit)}"
            met = "—" if limit is None else ("yes" if row["beyond_numpy_s"] <= limit else "**no**")
            what = case if case.startswith("import") else f"{case}: load + first call (n=1000)"
            lines.append(f"| {what} | {fmt_time(row['beyond_numpy_s'])} | {goal} | {met} | "
                         f"{'yes' if row['xdsl_imported'] else 'no'} | "
                         f"{fmt_time(row['first_process_s'])} |")
        lines.append("")
        lines += ["| measurement | median |", "|---|---|"]
    if "opt" in comp:
        o = comp["opt"]
        lines += [
            f"| frontend: parse the generated kernel ({o['ops']} ops) | "
            f"{fmt_time(o['frontend_parse_s'])} |",
            f"| `hologram-opt --pipeline={o['pipeline']}` on it (process wall time) | "
            f"{fmt_time(o['opt_default_pipeline_s'])} |",
            f"| `hologram-opt` with no passes on it (parse + print) | "
            f"{fmt_time(o['opt_no_passes_s'])} |",
            f"| `python -c pass` (interpreter start, included above) | "
            f"{fmt_time(o['python_start_s'])} |",
        ]
    for key in ("kernel_skipped", "warm_skipped", "opt_skipped"):
        if key in comp:
            lines.append(f"\n- {key.split('_')[0]}: {comp[key]}")
    return lines


def render_markdown(doc: dict) -> str:
    entry_groups = {e.op: e.group for e in ENTRIES}
    for row in doc["results"]:  # the entry's group wins (also for reports of older versions)
        row["group"] = entry_groups.get(row.get("entry"), row["group"])
    meta, env, lim = doc["meta"], doc["environment"], doc["limits"]
    rec = doc["limits_record"]
    pools = env.get("threadpools")
    if isinstance(pools, list):
        pool_text = "; ".join(
            f"{p['internal_api']} {p.get('version') or ''} ({p['num_threads']} threads"
            + (f", {p['architecture']}" if p.get("architecture") else "") + ")" for p in pools)
    else:
        pool_text = str(pools)
    variables = env.get("variables") or {}
    lines = [
        f"Run {meta['date']} on `{meta['host']}`, {meta['mode']} mode, {meta['wall_s']:.0f} s "
        f"(`{meta['command']}`).",
        "",
        f"- CPU: {env['cpu_model']}, {env['logical_cpus']} logical CPUs "
        f"({env['usable_cpus']} usable); {env['platform']}",
        f"- Python {env['python']}, numpy {env['numpy']}, numba {env['numba']}, "
        f"xdsl {env.get('xdsl')}, cffi {env.get('cffi')}, hologram {env['hologram']}",
        f"- Thread pools: {pool_text}",
        "- Variables: " + (", ".join(f"`{k}={v}`" for k, v in variables.items())
                           if variables else "no `OPENBLAS_*`, `OMP_*`, `GOMP_*`, `MKL_*`, "
                           "`NUMBA_*`, `HOLOGRAM_*` variables set"),
        *[f"- {note}" for note in env["notes"]],
        f"- Measured limits: STREAM triad {lim['stream_triad_GBs']:.1f} GB/s, float32 FMA peak "
        f"{lim['fma_peak_GFLOPs']:.0f} GFLOP/s ({lim['threads']} threads; {lim['method']}). "
        f"Measured at the start and at the end of the run (others' load at the quieter of the "
        f"two: {rec['this_run_other_load_cores']:.2f} cores); source: {rec.get('source', 'not recorded')}. On this "
        "VM, quiet measurements of STREAM vary between runs (about 38 and about 60 GB/s were "
        "both seen), so `% of limit` is only as good as this run's yardstick.",
        f"- Method: medians of up to {meta['rounds']} interleaved rounds per case "
        f"(A B C A B C ...), each sample ≈ {meta['target_s'] * 1e3:.0f} ms of back-to-back calls; "
        "warm-up (compilation, first touch) excluded; every result checked against numpy "
        "before timing. Ratio `numpy ÷ X` above 1 means X is faster than numpy (from medians; "
        "the `fastest samples` column takes each side's fastest sample instead). "
        "`% of limit`: the primary implementation's rate against STREAM (memory-bound rows, "
        "minimal traffic: inputs read once, outputs written once) or the FMA peak; far above 100 % "
        "of STREAM the data fit in the caches (STREAM measures main memory).",
        "- Thread pools are let go idle between implementations (5 ms after each sample, 100 ms "
        "after numpy's multi-threaded BLAS calls): measured here, libgomp's workers spin for a "
        "few ms after a parallel region and OpenBLAS's for tens of ms after a BLAS call, and "
        "timing one library while the other's workers spin slowed it 2-7×.",
        f"- The machine is shared: `others' load` is the average number of cores other processes "
        f"used while the row was timed (of {env['logical_cpus']}). A parallel region waits for "
        "its slowest thread, so a loaded row penalizes the multi-threaded columns (Hologram, "
        f"Numba, BLAS) more than numpy's single-threaded ufuncs. Rows above "
        f"{meta['busy_cores_threshold']} cores were re-measured while time allowed, keeping the "
        f"quieter run; {meta['waited_for_quiet_s']:.0f} s were spent waiting for quiet moments.",
        "",
    ]
    lines += ["### Goals of the issues, checked", "", *goals.markdown(doc["results"]), ""]
    groups: dict[str, list[dict]] = {}
    for row in doc["results"]:
        groups.setdefault(row["group"], []).append(row)
    for group, rows in groups.items():
        lines += [f"### {GROUP_TITLES.get(group, group)}", ""]
        by_op: dict[str, list[dict]] = {}
        for row in rows:
            by_op.setdefault(row["op"], []).append(row)
        # One table per group; rows keep entry order.
        lines += _group_table(rows)
        if group == "corpus":
            lines += ["", corpus_summary(rows)]
        notes = _group_notes(rows)
        if notes:
            lines += ["", *notes]
        lines.append("")
    for skipped in doc.get("skipped_entries", []):
        lines.append(f"- skipped entry {skipped['op']} {skipped['size']}: {skipped['reason']}")
    if doc.get("compile"):
        lines += [f"### {GROUP_TITLES['compile']}", "", *_compile_md(doc["compile"]), ""]
    if doc.get("plots"):
        lines += ["### Plots", "", *[f"- `{p}`" for p in doc["plots"]], ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Plots


def draw_plots(doc: dict, out_dir: Path, log) -> list[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("  plots skipped: matplotlib not installed (pip install matplotlib)")
        return []
    groups: dict[str, dict[str, list[dict]]] = {}
    for row in doc["results"]:
        groups.setdefault(row["group"], {}).setdefault(row["op"], []).append(row)
    written = []
    plot_dir = out_dir / "plots"
    plot_dir.mkdir(parents=True, exist_ok=True)
    for group, ops in groups.items():
        ops = {op: rows for op, rows in ops.items() if len(rows) >= 2}
        if not ops:
            continue
        cols = min(3, len(ops))
        nrows = (len(ops) + cols - 1) // cols
        fig, axes = plt.subplots(nrows, cols, figsize=(5.2 * cols, 3.9 * nrows), squeeze=False)
        for ax, (op, rows) in zip(axes.flat, ops.items()):
            impls: list[str] = []
            for row in rows:
                impls += [n for n in row["times"] if n not in impls]
            for name in impls:
                pts = [(r["size"], r["times"][name]["median_s"]) for r in rows if name in r["times"]]
                if pts:
                    xs, ys = zip(*pts)
                    ax.plot(xs, ys, marker="o", label=name)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(op, fontsize=10)
            ax.set_xlabel("FLOP" if group == "nn" and op.startswith("conv") else
                          "matrix order n" if group == "linalg" else "elements")
            ax.set_ylabel("median time per call (s)")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=8)
        for ax in list(axes.flat)[len(ops):]:
            ax.axis("off")
        fig.suptitle(GROUP_TITLES.get(group, group))
        fig.tight_layout()
        path = plot_dir / f"{group}.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(str(path))
    return written


# ---------------------------------------------------------------------------------------------


def _dask_markdown(doc: dict) -> str:
    section = doc.get("dask")
    if not section:
        return ""
    return (f"\n\n## Dask: Hologram chunks against numpy chunks (`--dask`)\n\n"
            f"{section['input_GiB']} GiB float32 {tuple(section['shape'])}, "
            f"{section['workers']} worker processes, "
            f"OMP_NUM_THREADS={section['omp_threads']}; medians.\n\n{section['markdown']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="a few sizes, fewer rounds (under two minutes)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"output directory (default {DEFAULT_OUT})")
    parser.add_argument("--only", metavar="PATTERN",
                        help="run only entries whose 'group/op' matches this regular expression "
                             "(case-insensitive); 'compile' selects the compile times")
    parser.add_argument("--dask", action="store_true",
                        help="also the Dask rows (benchmarks/dask_bench.py: a 4 GiB array, 1 GiB "
                             "with --quick, on a LocalCluster; minutes; needs hologram[dask])")
    parser.add_argument("--render", type=Path, metavar="REPORT_JSON",
                        help="only re-render report.md and the plots from an earlier report.json")
    args = parser.parse_args(argv)
    if args.render:
        doc = json.loads(args.render.read_text())
        out = args.render.parent
        doc["plots"] = [str(Path(p).relative_to(out)) for p in draw_plots(doc, out, print)]
        (out / "report.md").write_text(render_markdown(doc) + _dask_markdown(doc) + "\n")
        print(f"Wrote {out / 'report.md'}")
        return 0
    settings = Settings(args.quick)
    only = re.compile(args.only, re.IGNORECASE) if args.only else None
    t_start = time.perf_counter()

    def log(msg: str) -> None:
        print(msg, flush=True)

    log(f"Hologram benchmark report ({'quick' if args.quick else 'full'}); measuring limits ...")
    wait_for_quiet(settings.busy_cores, 5.0)
    meter = LoadMeter().start()
    limits = measure_limits(quick=args.quick)
    limits_load = [meter.stop()]
    log(f"  STREAM triad {limits.stream_gbs:.1f} GB/s, FMA peak {limits.peak_gflops:.0f} GFLOP/s, "
        f"{limits.threads} threads")
    env = environment()

    results: list[dict] = []
    skipped_entries: list[dict] = []
    waited = 0.0

    def measure(entry, size) -> dict | None:
        nonlocal waited
        key = f"{entry.group}/{entry.op}"
        if waited < settings.wait_budget_s:
            waited += wait_for_quiet(settings.busy_cores, settings.wait_per_case_s)
        try:
            case = entry.factory(size)
        except Skip as err:
            skipped_entries.append({"op": key, "size": str(size), "reason": str(err)})
            log(f"  [{entry.group}] {entry.op} {size}: skipped ({err})")
            return None
        meter = LoadMeter().start()
        try:
            row = run_case(case, settings, limits, log)
        except Exception as err:  # noqa: BLE001 - one broken case must not end the report
            traceback.print_exc()
            skipped_entries.append({"op": key, "size": str(size),
                                    "reason": f"failed: {type(err).__name__}: {err}"[:300]})
            return None
        finally:
            del case
            gc.collect()
        row["other_load_cores"] = meter.stop()
        row["entry"] = entry.op
        row["group"] = entry.group  # an entry may reuse another group's factory
        log(_summary_line(row))
        return row

    work = []
    for entry in ENTRIES:
        if only and not only.search(f"{entry.group}/{entry.op}"):
            continue
        work += [(entry, size) for size in (entry.quick_sizes if args.quick else entry.sizes)]
    for entry, size in work:
        row = measure(entry, size)
        if row is not None:
            results.append((entry, size, row))

    # Re-measure the rows taken under the heaviest load from other processes, while time remains;
    # keep whichever measurement saw less load.
    loaded = sorted((i for i, (_, _, row) in enumerate(results)
                     if (row.get("other_load_cores") or 0) > settings.busy_cores),
                    key=lambda i: -(results[i][2]["other_load_cores"]))
    if loaded:
        log(f"  {len(loaded)} cases ran while other processes used > {settings.busy_cores} "
            "cores; re-measuring while time remains ...")
    for i in loaded:
        if time.perf_counter() - t_start > settings.retry_until_s:
            break
        entry, size, old = results[i]
        row = measure(entry, size)
        if row is not None and (row["other_load_cores"] or 0) < old["other_load_cores"]:
            row["remeasured"] = True
            results[i] = (entry, size, row)
    results = [row for _, _, row in results]

    compile_section = None
    if not only or only.search("compile/compile times"):
        log("  [compile] measuring in fresh processes ...")
        compile_section = run_compile_times(settings, log)

    dask_section = None
    if args.dask:
        from benchmarks import dask_bench

        log("  [dask] Hologram and numpy chunks on a LocalCluster ...")
        dask_section = dask_bench.run(gib=1.0 if args.quick else 4.0,
                                      rounds=3 if args.quick else 5, chunk_mib=(64, 16))

    # The limits again at the end, keeping the best of both: a limit measured while the machine
    # was busy would flatter every "% of limit" column.
    wait_for_quiet(settings.busy_cores, 5.0)
    meter = LoadMeter().start()
    again = measure_limits(quick=args.quick)
    limits_load.append(meter.stop())
    log(f"  limits again: STREAM triad {again.stream_gbs:.1f} GB/s, FMA peak "
        f"{again.peak_gflops:.0f} GFLOP/s")
    limits_runs = [limits.as_dict(), again.as_dict()]
    # Of this run's two measurements, the better of those taken while quiet (or, when neither
    # was, the one with less load).
    loads = [x if x is not None else 0.0 for x in limits_load]
    quiet = [m for m, x in zip((limits, again), loads) if x < settings.busy_cores]
    if quiet:
        this_run = Limits(limits.threads, limits.stream_n, max(m.stream_gbs for m in quiet),
                          max(m.peak_gflops for m in quiet))
    else:
        this_run = limits if loads[0] <= loads[1] else again
    best, limits_record = limits_to_use(this_run, DEFAULT_OUT / "machine_limits.json",
                                        quiet=bool(quiet))
    limits_record["this_run_other_load_cores"] = min(loads)
    if best.stream_gbs != limits.stream_gbs or best.peak_gflops != limits.peak_gflops:
        for row in results:
            for name, t in row["times"].items():
                row["rates"][name] = _rates_from(row, t["median_s"], best)
            if "traffic_vs_min" in row:
                t = row["times"][row["primary"]]["median_s"]
                row["traffic_vs_min"] = t / (row["bytes"] / (best.stream_gbs * 1e9))
        limits = best

    wall = time.perf_counter() - t_start
    doc = {
        "meta": {
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "host": platform.node(),
            "mode": "quick" if args.quick else "full",
            "command": "python -m benchmarks.report" + (" --quick" if args.quick else "")
                       + (f" --only '{args.only}'" if args.only else ""),
            "rounds": settings.rounds, "target_s": settings.target_s, "wall_s": wall,
            "busy_cores_threshold": settings.busy_cores, "waited_for_quiet_s": waited,
        },
        "environment": env,
        "limits": limits.as_dict(),
        "limits_runs": limits_runs,
        "limits_record": limits_record,
        "results": results,
        "skipped_entries": skipped_entries,
        "compile": compile_section,
        "dask": dask_section,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    doc["plots"] = [str(Path(p).relative_to(args.out)) for p in draw_plots(doc, args.out, log)]
    (args.out / "report.json").write_text(json.dumps(doc, indent=1, default=str))
    markdown = render_markdown(doc) + _dask_markdown(doc)
    (args.out / "report.md").write_text(markdown + "\n")
    log("")
    log(markdown)
    log(f"\nWrote {args.out / 'report.json'}, {args.out / 'report.md'}"
        + (f" and {len(doc['plots'])} plots in {args.out / 'plots'}" if doc["plots"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
