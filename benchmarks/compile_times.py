"""Compile-time benchmarks, each measured in fresh processes (so no in-process cache helps):

* cold compile: one kernel, first call in a process with an empty `$HOLOGRAM_CACHE_DIR`
  (frontend, passes, C emission, the C compiler, loading the library, the call);
* warm load: the same kernel, first call in a new process whose cache already holds it;
* `hologram-opt` with the default pipeline on a generated module of at least 10,000 ops, against
  `hologram-opt` with no passes on the same file (parsing and printing only).

Times are taken inside the child process around the step, except for `hologram-opt`, whose wall
time includes the interpreter's start (shown separately as `python -c pass`).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent

ONE_KERNEL = '''from hologram.lang import DeviceArray, f32, u32, get_global_id


def vector_add(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] + b[idx]
'''

_CHILD = r'''
import json, sys, time
t0 = time.perf_counter()
import numpy as np
from hologram.runtime import load_kernels
t1 = time.perf_counter()
ks = load_kernels(sys.argv[1])
t2 = time.perf_counter()
k = ks["vector_add"]
a = np.ones(1000, np.float32); b = np.ones(1000, np.float32); c = np.zeros(1000, np.float32)
k(a, b, c, 1000)
t3 = time.perf_counter()
assert float(c.sum()) == 2000.0, "wrong result"
k(a, b, c, 1000)
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load_kernels": t2 - t1, "first_call": t3 - t2,
                  "second_call": t4 - t3}))
'''


def _python() -> str:
    return sys.executable


def _child(kernel_file: Path, cache: Path) -> dict:
    env = dict(os.environ, HOLOGRAM_CACHE_DIR=str(cache))
    proc = subprocess.run([_python(), "-c", _CHILD, str(kernel_file)], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"child process failed: {last[:300]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cold_and_warm(repeats: int) -> dict:
    """Median first-call times with an empty cache (cold) and with the kernel cached (warm)."""
    cold, warm = [], []
    with tempfile.TemporaryDirectory(prefix="hb-compile-") as tmp:
        kernel_file = Path(tmp) / "one_kernel.py"
        kernel_file.write_text(ONE_KERNEL)
        for r in range(repeats):
            cache = Path(tmp) / f"cache{r}"
            cold.append(_child(kernel_file, cache))
            warm.append(_child(kernel_file, cache))
    med = lambda rows, key: statistics.median(row[key] for row in rows)  # noqa: E731
    return {
        "repeats": repeats,
        "cold_first_call_s": med(cold, "first_call"),
        "warm_first_call_s": med(warm, "first_call"),
        "load_kernels_s": med(cold, "load_kernels"),
        "import_s": med(warm, "import"),
        "second_call_s": med(warm, "second_call"),
    }


def _big_kernel_source(lines: int) -> str:
    body = [f"        x{i + 1} = x{i} * 1.0001 + a[idx]" for i in range(lines)]
    return "\n".join([
        "from hologram.lang import DeviceArray, f32, u32, get_global_id",
        "",
        "",
        "def big(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):",
        "    idx = get_global_id()",
        "    if idx < n:",
        "        x0 = a[idx]",
        *body,
        f"        out[idx] = x{lines}",
        "",
    ])


def _module_text(lines: int) -> tuple[str, int]:
    from hologram.frontend import parse_source

    result = parse_source(_big_kernel_source(lines), "big_kernel.py")
    count = sum(1 for _ in result.module.walk())
    return str(result.module), count


def big_module(min_ops: int = 10_000) -> tuple[str, int, float]:
    """MLIR text of a generated kernel with at least `min_ops` ops, its op count, parse time."""
    _, small = _module_text(100)
    lines = max(100, int(min_ops / max(small / 100, 1)) + 50)
    while True:
        t0 = time.perf_counter()
        text, count = _module_text(lines)
        parse_s = time.perf_counter() - t0
        if count >= min_ops:
            return text, count, parse_s
        lines = int(lines * 1.2) + 10


def _opt_exe() -> str:
    exe = Path(sys.executable).with_name("hologram-opt")
    return str(exe) if exe.exists() else "hologram-opt"


def _wall(cmd: list[str], timeout_s: float = 600) -> float:
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{' '.join(cmd[:2])} did not finish within {timeout_s:.0f} s") from None
    t = time.perf_counter() - t0
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{' '.join(cmd[:3])} failed: {last[:300]}")
    return t


def opt_big_module(repeats: int, min_ops: int = 10_000, timeout_s: float = 300) -> dict:
    from benchmarks import hg

    text, count, parse_s = big_module(min_ops)
    pipeline = ",".join(hg.default_pipeline())
    with tempfile.TemporaryDirectory(prefix="hb-opt-") as tmp:
        path = Path(tmp) / "big.mlir"
        path.write_text(text)
        passes, plain, start = [], [], []
        for _ in range(repeats):
            passes.append(_wall([_opt_exe(), f"--pipeline={pipeline}", str(path)], timeout_s))
            plain.append(_wall([_opt_exe(), str(path)], timeout_s))
            start.append(_wall([_python(), "-c", "pass"]))
    return {
        "ops": count,
        "pipeline": pipeline,
        "repeats": repeats,
        "frontend_parse_s": parse_s,
        "opt_default_pipeline_s": statistics.median(passes),
        "opt_no_passes_s": statistics.median(plain),
        "python_start_s": statistics.median(start),
    }


# ---------------------------------------------------------------------------------------------
# Warm starts: the first call in a fresh process whose cache already holds the kernels
_WARM_CHILD = r'''
import json, sys, time
t0 = time.perf_counter()
import numpy as np
t1 = time.perf_counter()
what = sys.argv[1]
if what == "import hologram":
    import hologram
elif what == "import hologram.ops":
    import hologram.ops
elif what == "kernel file":
    import hologram
    k = hologram.load_kernels(sys.argv[2])["vector_add"]
    a = np.ones(1000, np.float32); c = np.zeros(1000, np.float32)
    k(a, a, c, 1000)
    assert float(c.sum()) == 2000.0, "wrong result"
else:
    import hologram.ops as ops
    x = np.full(1000, 0.5, np.float32)
    if what == "ops.add":
        assert float(ops.add(x, x)[0]) == 1.0, "wrong result"
    elif what == "ops.sigmoid":
        assert abs(float(ops.sigmoid(x)[0]) - 0.6224593) < 1e-6, "wrong result"
    elif what == "ops.sum":
        assert abs(float(ops.sum(x)) - 500.0) < 1e-3, "wrong result"
    else:
        raise SystemExit(f"unknown case {what}")
t2 = time.perf_counter()
print(json.dumps({"numpy_s": t1 - t0, "beyond_numpy_s": t2 - t1,
                  "xdsl": any(m.split(".")[0] == "xdsl" for m in sys.modules)}))
'''

WARM_CASES = ("import hologram", "import hologram.ops", "kernel file", "ops.add", "ops.sigmoid",
              "ops.sum")
# Done-when limits of the warm start, beyond `import numpy` (seconds).
WARM_LIMITS = {"import hologram.ops": 0.15, "kernel file": 0.05, "ops.add": 0.05,
               "ops.sigmoid": 0.05, "ops.sum": 0.05}


def _warm_child(case: str, kernel_file: Path, cache: Path) -> dict:
    env = dict(os.environ, HOLOGRAM_CACHE_DIR=str(cache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as users run: byte code cached
    proc = subprocess.run([_python(), "-c", _WARM_CHILD, case, str(kernel_file)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"child process ({case}) failed: {last[:300]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def warm_start(repeats: int) -> dict:
    """Medians over fresh processes of the time beyond `import numpy` to import Hologram, and
    to make the first call of a kernel file and of ops.add/sigmoid/sum with a warm cache (one
    priming process per case fills the cache first; cases are interleaved round by round)."""
    with tempfile.TemporaryDirectory(prefix="hb-warm-") as tmp:
        kernel_file = Path(tmp) / "one_kernel.py"
        kernel_file.write_text(ONE_KERNEL)
        cache = Path(tmp) / "cache"
        cold_ops = {case: _warm_child(case, kernel_file, cache)["beyond_numpy_s"]
                    for case in WARM_CASES}
        samples: dict[str, list[dict]] = {case: [] for case in WARM_CASES}
        for _ in range(repeats):
            for case in WARM_CASES:
                samples[case].append(_warm_child(case, kernel_file, cache))
    out: dict = {"repeats": repeats, "cases": {}}
    for case, rows in samples.items():
        out["cases"][case] = {
            "beyond_numpy_s": statistics.median(r["beyond_numpy_s"] for r in rows),
            "numpy_s": statistics.median(r["numpy_s"] for r in rows),
            "xdsl_imported": any(r["xdsl"] for r in rows),
            "first_process_s": cold_ops[case],
            "limit_s": WARM_LIMITS.get(case),
        }
    return out
