"""The benchmark report's machine-limits probe builds and runs (it once failed to compile under
gcc 12 on AVX2 machines: inline asm with 24 "+v" operands, "impossible constraint in asm")."""

from __future__ import annotations

import platform
import shutil
import subprocess

import numpy as np
import pytest

from benchmarks import machine


def test_limits_probe_builds_and_runs(tmp_path):
    ffi, lib = machine._build_lib(tmp_path)
    assert lib.hb_lanes() in (4, 8, 16)
    seed = np.array([0.999999, 1e-7] + [0.01 * c for c in range(machine._CHAINS)], np.float32)
    sink = np.full(64, np.nan, np.float32)
    fp = lambda arr: ffi.cast("float *", arr.ctypes.data)  # noqa: E731
    t = lib.hb_fma_peak(1000, 1, fp(seed), fp(sink))
    assert t > 0
    threads = min(lib.hb_threads(), 64)
    # The same recurrence in float64: chains a_c = x + seed[2 + c], a = a * x + y, 1000 times.
    x, y = float(seed[0]), float(seed[1])
    chains = x + seed[2:].astype(np.float64)
    for _ in range(1000):
        chains = chains * x + y
    expected = chains.sum() * lib.hb_lanes()
    assert np.allclose(sink[:threads], expected, rtol=1e-4)
    n = 1 << 12
    a, b, c = (np.empty(n, np.float32) for _ in range(3))
    assert lib.hb_stream_triad(fp(a), fp(b), fp(c), n, 1) > 0
    assert np.all(a == 7.0)


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64") or not shutil.which("cc"),
                    reason="x86-64 ISA levels only")
@pytest.mark.parametrize("march", ["x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4"])
def test_limits_probe_compiles_for_every_x86_level(tmp_path, march):
    """Compiled for each ISA level, not just this machine's (the asm failure was AVX2-only)."""
    src = tmp_path / "probe.c"
    src.write_text(machine._C_SOURCE)
    res = subprocess.run(["cc", "-O3", f"-march={march}", "-ffp-contract=fast", "-fopenmp",
                          "-Werror", "-c", str(src), "-o", str(tmp_path / "probe.o")],
                         capture_output=True, text=True)
    if "unrecognized" in res.stderr or "bad value" in res.stderr:
        pytest.skip(f"the compiler does not know -march={march}")
    assert res.returncode == 0, res.stderr
