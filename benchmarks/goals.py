"""The project's performance goals (from the issues), checked against a report's rows.

Each goal names a row (op and size) and a ratio `A ÷ B` of two implementations' times; the check
reports the ratio from medians (the headline) and from each side's fastest sample, and whether
the median ratio meets the goal. A row that was not measured is "not measured", never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass

M = 1_000_000


@dataclass
class Goal:
    text: str
    op: str
    size: int
    num: str  # the slower-is-better side: ratio = time(num) / time(den)
    den: str
    at_least: float | None = None
    at_most: float | None = None
    metric: str | None = None  # a row field instead of a ratio (e.g. traffic_vs_min)


GOALS = [
    *[Goal(f"{op} ≥ {t}× numpy at {label}", f"{op} (atomic_add_f32)", n, "numpy", "hologram", t)
      for op in ("sum", "dot") for n, label, t in ((16 * M, "16M", 1.5), (100_000, "1e5", 3.0),
                                                   (M, "1e6", 3.0))],
    *[Goal(f"{op}: atomic-to-tree-reduction ≥ 100× the kernel without it, at {label}",
           f"{op} (atomic_add_f32)", n, "hologram no-tree", "hologram", 100.0)
      for op in ("sum", "dot") for n, label in ((100_000, "1e5"), (M, "1e6"))],
    *[Goal(f"a launch with 3 arrays and a scalar{g} within 2× of np.add(x, y, out=z) at n=100",
           "3 arrays + scalar", 100, "numpy", impl, 0.5)
      for g, impl in (("", "hologram"), (" (grid=n)", "hologram grid=n"))],
    *[Goal(f"a launch with 3 arrays and a scalar at n={n}: at most 1.0 µs", "3 arrays + scalar",
           n, "", "", at_most=1e-6, metric="hologram_median_s") for n in (1, 100, 1_000)],
    Goal("vector_add ≥ 1.5× numpy at 16M", "vector_add", 16 * M, "numpy", "hologram", 1.5),
    Goal("sigmoid(a*b+c) in one kernel ≥ 5× numpy at 16M", "sigmoid(a*b+c) one kernel", 16 * M,
         "numpy", "hologram", 5.0),
    Goal("tanh ≥ 2× numpy at 16M", "tanh", 16 * M, "numpy", "hologram", 2.0),
    *[Goal(f"{op} within 3× of numpy's time at n={n}", op, n, "numpy", "hologram", 1 / 3)
      for op in ("vector_add", "a*b+c", "tanh") for n in (100, 1_000)],
    Goal("@hologram.jit sigmoid(a*b+c) ≥ 4× numpy at 16M", "sigmoid(a*b+c)", 16 * M, "numpy",
         "hologram jit", 4.0),
    Goal("@hologram.jit sigmoid(a*b+c) ≥ 2.5× Hologram op by op at 16M", "sigmoid(a*b+c)", 16 * M,
         "hologram op-by-op", "hologram jit", 2.5),
    Goal("fused sigmoid(a*b+c): time within 1.3× of the minimal traffic at STREAM bandwidth, 16M",
         "sigmoid(a*b+c)", 16 * M, "", "", at_most=1.3, metric="traffic_vs_min"),
    Goal("ops.gemm ≥ 0.9× numpy's speed at 1024", "gemm", 1024, "numpy", "hologram", 0.9),
    Goal("seed-style gemm kernel ≥ 0.5× numpy's speed at 1024", "gemm", 1024, "numpy",
         "hologram seed kernel", 0.5),
]


def _find(rows: list[dict], op: str, size: int) -> dict | None:
    for row in rows:
        if row["op"] == op and row["size"] == size:
            return row
    return None


def check(rows: list[dict]) -> list[dict]:
    out = []
    for g in GOALS:
        entry = {"goal": g.text, "median": None, "fastest": None, "met": None, "load": None,
                 "unit": "s" if g.metric == "hologram_median_s" else "×"}
        row = _find(rows, g.op, g.size)
        if row is not None:
            entry["load"] = row.get("other_load_cores")
            if g.metric == "hologram_median_s":  # an absolute time, in seconds
                times = row["times"].get("hologram", {})
                entry["median"], entry["fastest"] = times.get("median_s"), times.get("min_s")
            elif g.metric:
                entry["median"] = row.get(g.metric)
            elif g.num in row["times"] and g.den in row["times"]:
                tn, td = row["times"][g.num], row["times"][g.den]
                entry["median"] = tn["median_s"] / td["median_s"]
                entry["fastest"] = tn["min_s"] / td["min_s"]
        if entry["median"] is not None:
            entry["met"] = ((g.at_least is None or entry["median"] >= g.at_least)
                            and (g.at_most is None or entry["median"] <= g.at_most))
        out.append(entry)
    # "No op slower than numpy from n = 3072 up" (elementwise kernels and ops): every such row.
    slower = [f"{r['op']} {r['size_label']}" for r in rows
              if r["group"] in ("elementwise", "ops") and r["size"] >= 3_072
              and "numpy" in r["times"] and r["primary"] in r["times"]
              and r["times"]["numpy"]["median_s"] < r["times"][r["primary"]]["median_s"]]
    measured = [r for r in rows if r["group"] in ("elementwise", "ops") and r["size"] >= 3_072
                and r["primary"] in r["times"]]
    out.append({"goal": "no elementwise kernel or op slower than numpy from n = 3072 up",
                "median": None, "fastest": None, "load": None,
                "met": (not slower) if measured else None,
                "detail": (f"slower in {len(slower)} of {len(measured)} rows: " + ", ".join(slower))
                if slower else f"{len(measured)} rows"})
    return out


def markdown(rows: list[dict]) -> list[str]:
    lines = ["| goal | median ratio | fastest-sample ratio | met (median) | others' load |",
             "|---|---|---|---|---|"]
    for e in check(rows):
        def fmt(v, unit=e.get("unit", "×")):
            if v is None:
                return "—"
            return f"{v * 1e6:.3g} µs" if unit == "s" else f"{v:.3g}×"

        met = "not measured" if e["met"] is None else ("yes" if e["met"] else "**no**")
        load = "—" if e["load"] is None else f"{e['load']:.2f}"
        goal = e["goal"] + (f" ({e['detail']})" if e.get("detail") else "")
        lines.append(f"| {goal} | {fmt(e['median'])} | {fmt(e['fastest'])} | {met} | {load} |")
    return lines
