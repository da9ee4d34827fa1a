"""Timing and bookkeeping shared by the report and the pytest-benchmark suites.

A *case* is one row of the report: an op at one size, with several implementations (Hologram,
numpy, Numba, ...) as zero-argument callables over inputs prepared once. The timer

* calls every implementation once first (warm-up: compiles, caches, page faults) and checks its
  result against the reference implementation, so a wrong answer is never timed as a fast one;
* calibrates a batch size per implementation, so one sample lasts about `target_s` (a 1 µs call
  is timed over thousands of calls, a 1 s call alone);
* then runs the rounds interleaved, A B C A B C ..., so that noise from the shared machine (other
  processes, frequency changes) falls on every implementation alike, and keeps the median.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


class Skip(Exception):
    """A case or implementation that cannot run here (a missing feature or package): the reason."""


@dataclass
class Impl:
    fn: Callable[[], Any]
    # Compare this implementation's result with the reference's? (False for "empty" kernels.)
    check: bool = True
    # Tolerances for this implementation when they differ from the case's (float32 atomics).
    rtol: float | None = None
    atol: float | None = None
    # A yardstick only (a plain Python call): timed, but no ratio against it.
    ratio: bool = True
    # Pause after this implementation's samples, so its thread pool has gone idle before the
    # next implementation is timed. Measured here: libgomp's workers spin for a few ms after a
    # parallel region (numpy's gemv right after a Hologram kernel ran 7x slower), OpenBLAS's
    # for tens of ms after a BLAS call (a Hologram gemm right after numpy's ran 2x slower).
    pause_s: float = 0.005


@dataclass
class Case:
    group: str
    op: str
    size: int  # elements, rows, or the matrix order: what the size column shows
    size_label: str
    impls: dict[str, Impl]
    reference: str = "numpy"  # result to compare against, and the ratio's numerator
    bytes: float | None = None  # minimal memory traffic of one call (inputs once, outputs once)
    flops: float | None = None  # floating-point operations of one call
    rtol: float = 1e-4
    atol: float = 1e-5
    notes: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # impl name -> reason not run


@dataclass
class Timing:
    median_s: float
    min_s: float
    rounds: int
    batch: int

    def as_dict(self) -> dict:
        return {"median_s": self.median_s, "min_s": self.min_s, "rounds": self.rounds,
                "batch": self.batch}


def _result_array(value: Any) -> np.ndarray | None:
    if value is None:
        return None
    if isinstance(value, (tuple, list)):
        value = value[0]
    return np.asarray(value, dtype=np.float64)


def compare(name: str, got: Any, ref: Any, rtol: float, atol: float) -> str | None:
    """None when `got` matches `ref` within tolerance, else a one-line description of the error."""
    g, r = _result_array(got), _result_array(ref)
    if g is None or r is None:
        return None if g is None and r is None else f"{name}: returned nothing to compare"
    if g.shape != r.shape and g.size == r.size:
        g = g.reshape(r.shape)
    if g.shape != r.shape:
        return f"{name}: shape {g.shape} != reference {r.shape}"
    if np.allclose(g, r, rtol=rtol, atol=atol, equal_nan=True):
        return None
    err = np.abs(g - r)
    worst = int(np.nanargmax(err)) if err.size else 0
    return (f"{name}: wrong result (max abs error {np.nanmax(err):.3g} at flat index {worst}, "
            f"rtol={rtol}, atol={atol})")


def warm_up_and_check(case: Case, log: Callable[[str], None] = print) -> dict[str, Impl]:
    """Run every implementation once; drop (with a reason) those that fail or answer wrongly."""
    results: dict[str, Any] = {}
    good: dict[str, Impl] = {}
    for name, impl in case.impls.items():
        try:
            results[name] = impl.fn()
            good[name] = impl
        except Skip as err:
            case.skipped[name] = str(err)
        except Exception as err:  # noqa: BLE001 - a failing implementation is reported, not fatal
            case.skipped[name] = f"failed: {type(err).__name__}: {err}".splitlines()[0][:300]
            log(f"    {case.op} n={case.size_label} {name}: {case.skipped[name]}")
    if case.reference in results:
        ref = results[case.reference]
        for name in list(good):
            if name == case.reference or not good[name].check:
                continue
            impl = good[name]
            rtol = case.rtol if impl.rtol is None else impl.rtol
            atol = case.atol if impl.atol is None else impl.atol
            problem = compare(name, results[name], ref, rtol, atol)
            if problem:
                case.skipped[name] = problem
                log(f"    {case.op} n={case.size_label}: {problem}")
                del good[name]
    return good


def _time_batch(fn: Callable[[], Any], batch: int) -> float:
    t0 = time.perf_counter()
    for _ in range(batch):
        fn()
    return (time.perf_counter() - t0) / batch


def calibrate(fn: Callable[[], Any], target_s: float,
              max_batch: int = 100_000) -> tuple[int, float | None]:
    """The number of calls that makes one sample last about `target_s`, and the time of one
    call when a single call already lasts that long (that timing then counts as a sample)."""
    batch = 1
    while True:
        t = _time_batch(fn, batch) * batch
        if batch == 1 and t >= target_s:
            return 1, t
        if t >= target_s / 4 or batch >= max_batch:
            break
        batch *= 4 if t < target_s / 40 else 2
    per_call = t / batch
    return max(1, min(max_batch, int(target_s / per_call) if per_call > 0 else max_batch)), None


def time_interleaved(impls: dict[str, Impl], rounds: int, target_s: float,
                     max_total_s: float = 30.0) -> dict[str, Timing]:
    """Median per-call time of each implementation, rounds interleaved A B C A B C ...

    Fewer rounds are run when the next round would take the case past `max_total_s` (at least
    three, or one when a single round is longer than a third of the budget: a 10 s call).
    """
    if not impls:
        return {}
    samples: dict[str, list[float]] = {name: [] for name in impls}
    batches: dict[str, int] = {}
    t_start = time.perf_counter()
    for name, impl in impls.items():
        batches[name], first = calibrate(impl.fn, target_s)
        if first is not None:
            samples[name].append(first)
        time.sleep(impl.pause_s)
    round_s = time.perf_counter() - t_start  # a round costs about what calibrating cost
    min_rounds = 1 if round_s > max_total_s / 3 else 3
    # Short calls get an untimed call first (caches, a sleeping thread's wake-up); a long one
    # amortizes that by itself.
    settle = {name: batches[name] > 1 or samples[name] == [] for name in impls}
    while min(len(s) for s in samples.values()) < rounds:
        done = min(len(s) for s in samples.values())
        if done >= min_rounds and time.perf_counter() - t_start + round_s > max_total_s:
            break
        t_round = time.perf_counter()
        for name, impl in impls.items():
            if len(samples[name]) > done:
                continue  # its calibration call already counted for this round
            if settle[name]:
                impl.fn()  # untimed: lets the previous implementation's thread pool quiet down
            samples[name].append(_time_batch(impl.fn, batches[name]))
            time.sleep(impl.pause_s)
        round_s = time.perf_counter() - t_round
    return {
        name: Timing(median_s=statistics.median(s), min_s=min(s), rounds=len(s), batch=batches[name])
        for name, s in samples.items()
    }


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def fmt_ratio(r: float | None) -> str:
    if r is None:
        return "—"
    if r < 0.1:
        return f"{r:.2g}×"
    if r < 10:
        return f"{r:.2f}×"
    return f"{r:.1f}×" if r < 100 else f"{r:.0f}×"


# ---------------------------------------------------------------------------------------------
# Load from other processes. The machine is shared: a parallel region waits for its slowest
# thread, and a thread that shares its core with another process loses whole scheduler slices,
# so the report measures how much CPU *other* processes used while each case was timed.


def _busy_cpu_s() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (Linux /proc/stat), or None."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    values = [int(v) for v in fields[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class LoadMeter:
    """Average number of cores busy with other processes between `start()` and `stop()`."""

    def start(self) -> LoadMeter:
        self._busy, self._own, self._wall = _busy_cpu_s(), _own_cpu_s(), time.perf_counter()
        return self

    def stop(self) -> float | None:
        busy = _busy_cpu_s()
        wall = time.perf_counter() - self._wall
        if busy is None or self._busy is None or wall <= 0:
            return None
        return max(0.0, (busy - self._busy) - (_own_cpu_s() - self._own)) / wall


def wait_for_quiet(threshold_cores: float, max_wait_s: float, window_s: float = 0.25) -> float:
    """Wait (up to `max_wait_s`) for a window in which other processes use less than
    `threshold_cores`; returns the seconds waited."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < max_wait_s:
        meter = LoadMeter().start()
        time.sleep(window_s)
        load = meter.stop()
        if load is None or load < threshold_cores:
            break
    return time.perf_counter() - t0
