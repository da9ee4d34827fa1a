"""The machine's limits and environment, measured at the start of a report.

* Streaming bandwidth: a STREAM triad (`a[i] = b[i] + s * c[i]`, float32, 12 bytes per element as
  STREAM counts them) in C with OpenMP on all cores, arrays far larger than the last-level cache.
* Peak FLOP/s: independent FMA chains on GNU C vectors of the native register width (AVX-512,
  AVX or 128-bit) on all cores; no inline asm, so it builds with any GCC or Clang.

Both are compiled here with cffi straight from C (not through Hologram, so a compiler bug cannot
skew the yardstick), `-O3 -march=native -fopenmp`, and timed inside C with `omp_get_wtime`. The
best of several repetitions is the limit (a limit is what the machine can do, not what it did on
average while shared).
"""

from __future__ import annotations

import importlib.util
import os
import platform
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_C_SOURCE = r"""
#include <stdint.h>
#include <omp.h>

/* The register width the compiler targets: one chain is one native vector register. */
#if defined(__AVX512F__)
#define HB_VBYTES 64
#elif defined(__AVX__)
#define HB_VBYTES 32
#else
#define HB_VBYTES 16
#endif
typedef float vnf __attribute__((vector_size(HB_VBYTES)));
#define HB_LANES (HB_VBYTES / 4)

int hb_lanes(void) { return HB_LANES; }

double hb_stream_triad(float *a, float *b, float *c, int64_t n, int reps)
{
    double best = 1e30;
    /* First touch in parallel, so pages land where the threads run. */
    #pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) { a[i] = 0.0f; b[i] = 1.0f; c[i] = 2.0f; }
    for (int r = 0; r < reps; r++) {
        const float s = 3.0f;
        double t0 = omp_get_wtime();
        #pragma omp parallel for simd schedule(static)
        for (int64_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
        double t = omp_get_wtime() - t0;
        if (t < best) best = t;
    }
    return best;
}

/* 12 independent vector FMA chains per thread: enough to cover the FMA latency, and few enough
   to stay in registers on every ISA with 16 or more vector registers. No inline asm (24 "+v"
   operands were an impossible constraint for gcc 12 on AVX2): the starting values, the
   multiplier and the addend come from memory at run time, so the compiler can neither merge
   the chains nor fold the loop (floating-point `a * x + y` is not associative), and
   `-ffp-contract=fast` makes each step one FMA. */
double hb_fma_peak(int64_t iters, int reps, const float *seed, float *sink)
{
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = omp_get_wtime();
        #pragma omp parallel
        {
            const vnf x = (vnf){0} + seed[0];
            const vnf y = (vnf){0} + seed[1];
            vnf a0 = x + seed[2], a1 = x + seed[3], a2 = x + seed[4], a3 = x + seed[5];
            vnf a4 = x + seed[6], a5 = x + seed[7], a6 = x + seed[8], a7 = x + seed[9];
            vnf a8 = x + seed[10], a9 = x + seed[11], a10 = x + seed[12], a11 = x + seed[13];
            for (int64_t i = 0; i < iters; i++) {
                a0 = a0 * x + y; a1 = a1 * x + y; a2 = a2 * x + y; a3 = a3 * x + y;
                a4 = a4 * x + y; a5 = a5 * x + y; a6 = a6 * x + y; a7 = a7 * x + y;
                a8 = a8 * x + y; a9 = a9 * x + y; a10 = a10 * x + y; a11 = a11 * x + y;
            }
            vnf s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
            float t = 0.0f;
            for (int k = 0; k < HB_LANES; k++) t += s[k];
            sink[omp_get_thread_num() % 64] = t;
        }
        double t = omp_get_wtime() - t0;
        if (t < best) best = t;
    }
    return best;
}

int hb_threads(void) { return omp_get_max_threads(); }
"""

_CDEF = """
double hb_stream_triad(float *a, float *b, float *c, int64_t n, int reps);
double hb_fma_peak(int64_t iters, int reps, const float *seed, float *sink);
int hb_lanes(void);
int hb_threads(void);
"""

_CHAINS = 12  # independent FMA chains per thread, each one native vector register


@dataclass
class Limits:
    threads: int
    stream_n: int
    stream_gbs: float  # best triad bandwidth, GB/s (1e9 bytes)
    peak_gflops: float  # best float32 FMA rate, GFLOP/s

    def as_dict(self) -> dict:
        return {
            "threads": self.threads,
            "stream_triad_n": self.stream_n,
            "stream_triad_GBs": round(self.stream_gbs, 2),
            "fma_peak_GFLOPs": round(self.peak_gflops, 1),
            "method": "best of repetitions; STREAM triad float32 counts 12 bytes/element; "
            "FMA peak counts 2 FLOP per lane per FMA, native-width GNU C vectors",
        }


def _build_lib(build_dir: Path):
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    ffi.set_source(
        "_hb_machine_limits",
        _C_SOURCE,
        extra_compile_args=["-O3", "-march=native", "-ffp-contract=fast", "-fopenmp"],
        extra_link_args=["-fopenmp"],
    )
    build_dir.mkdir(parents=True, exist_ok=True)
    so_path = ffi.compile(tmpdir=str(build_dir), verbose=False)
    spec = importlib.util.spec_from_file_location("_hb_machine_limits", so_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ffi, module.lib


def measure_limits(quick: bool = False, build_dir: Path | None = None) -> Limits:
    """Measure the streaming bandwidth and the float32 FMA peak of this machine, all cores."""
    with tempfile.TemporaryDirectory(prefix="hb-limits-") as tmp:
        ffi, lib = _build_lib(Path(build_dir or tmp))
        n = (16 if quick else 32) * 1024 * 1024  # 64 or 128 MiB per array, >> the 32 MiB L3
        a = np.empty(n, np.float32)
        b = np.empty(n, np.float32)
        c = np.empty(n, np.float32)
        fp = lambda arr: ffi.cast("float *", arr.ctypes.data)  # noqa: E731
        t = lib.hb_stream_triad(fp(a), fp(b), fp(c), n, 8 if quick else 20)
        if not np.all(a[:: n // 97] == 7.0):
            raise RuntimeError("STREAM triad computed a wrong result")
        stream_gbs = 12.0 * n / t / 1e9
        del a, b, c

        threads = lib.hb_threads()
        sink = np.zeros(64, np.float32)
        iters = 2_000_000 if quick else 5_000_000
        seed = np.array([0.999999, 1e-7] + [0.01 * c for c in range(_CHAINS)], np.float32)
        t = lib.hb_fma_peak(iters, 3 if quick else 7, fp(seed), fp(sink))
        if not np.all(np.isfinite(sink[:min(threads, 64)])):
            raise RuntimeError("the FMA peak probe computed a non-finite result")
        peak = 2.0 * _CHAINS * lib.hb_lanes() * iters * threads / t / 1e9
    return Limits(threads=threads, stream_n=n, stream_gbs=stream_gbs, peak_gflops=peak)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def environment() -> dict:
    """What a reader needs to judge the numbers: CPU, cores, versions, numpy's BLAS and threads."""
    env: dict = {
        "cpu_model": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "notes": [
            "numpy is measured as it runs for a user: its default BLAS and threads, with the "
            "environment variables below left as they were set.",
            "numpy's ufuncs (a+b, np.exp, ...) run on one thread; Hologram's kernels use OpenMP on "
            "all cores; Numba's @njit(parallel=True) uses its own thread pool on all cores.",
        ],
    }
    try:
        import cffi

        env["cffi"] = cffi.__version__
    except ImportError:
        pass
    try:
        import xdsl

        env["xdsl"] = str(getattr(xdsl, "__version__", "unknown"))
    except ImportError:
        pass
    try:
        import hologram

        env["hologram"] = hologram.__version__
    except ImportError:
        env["hologram"] = "not importable"
    try:
        import numba

        env["numba"] = numba.__version__
    except ImportError:
        env["numba"] = "not installed (Numba columns skipped; pip install numba)"
    try:
        from threadpoolctl import threadpool_info

        env["threadpools"] = [
            {k: info.get(k) for k in ("user_api", "internal_api", "num_threads", "version",
                                       "architecture", "threading_layer", "prefix")}
            for info in threadpool_info()
        ]
    except ImportError:
        env["threadpools"] = "threadpoolctl not installed (pip install threadpoolctl)"
        try:
            cfg = np.show_config(mode="dicts")
            env["numpy_blas"] = cfg.get("Build Dependencies", {}).get("blas", {})
        except Exception as err:  # noqa: BLE001 - only informative
            env["numpy_blas"] = f"unknown ({err})"
    env["variables"] = {
        k: v for k, v in sorted(os.environ.items())
        if k.startswith(("OPENBLAS_", "OMP_", "GOMP_", "MKL_", "NUMBA_", "HOLOGRAM_", "CC"))
        or k in ("CFLAGS",)
    }
    return env


def limits_to_use(measured: Limits, path: Path, quiet: bool) -> tuple[Limits, dict]:
    """This run's limits when it measured them on a quiet machine, else the best on record.

    On this shared VM the measured bandwidth depends on more than load: quiet runs gave about
    38 GB/s most of the time and about 60 GB/s at other times (the two virtual CPUs may sit
    on different parts of the host). A run's own quiet measurement is therefore the yardstick
    for that run; the record in `path` (the best quiet measurement per host, with its date) is
    the fallback when a run never saw a quiet moment. Returns the limits and their provenance.
    """
    import datetime as dt
    import json

    key = f"{platform.node()} | {_cpu_model()} | {os.cpu_count()} CPUs"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        data = {}
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rec = data.get(key, {})
    info = {"host": key, "this_run_stream_GBs": measured.stream_gbs,
            "this_run_peak_GFLOPs": measured.peak_gflops, "this_run_quiet": quiet}
    if quiet:
        if measured.stream_gbs > rec.get("stream_GBs", 0):
            rec.update(stream_GBs=measured.stream_gbs, stream_date=now)
        if measured.peak_gflops > rec.get("peak_GFLOPs", 0):
            rec.update(peak_GFLOPs=measured.peak_gflops, peak_date=now)
        data[key] = rec
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(data, indent=1))
        except OSError:
            pass
        return measured, {**info, "source": f"this run ({now}), measured while quiet",
                          "record": rec}
    if "stream_GBs" in rec:
        best = Limits(measured.threads, measured.stream_n, rec["stream_GBs"], rec["peak_GFLOPs"])
        return best, {**info, "source": f"best quiet measurement on record (STREAM "
                      f"{rec['stream_date']}, FMA {rec['peak_date']}); this run never saw a "
                      "quiet moment", "record": rec}
    return measured, {**info, "source": f"this run ({now}), measured under load", "record": rec}
