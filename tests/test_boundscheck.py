"""Bounds-checked kernels: `boundscheck=True`, `load_kernels(..., boundscheck=True)` and
`HOLOGRAM_BOUNDSCHECK=1` compile every array access with a check; an access out of bounds stops
the launch with IndexError naming the kernel, the array, the index, the id and the line."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import hologram
from hologram.lang import DeviceArray, f32, get_global_id, i32, u32

SOURCE = """\
from hologram.lang import *

def scatter(a: DeviceArray[f32], ix: DeviceArray[i32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[ix[idx]] = a[idx] * 2.0

def gather(src: DeviceArray[f32], where: DeviceArray[u32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = src[where[idx]]

def histogram(values: DeviceArray[u32], bins: DeviceArray[u32], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_add(bins, values[idx], 1)

def lowest(values: DeviceArray[f32], slot: DeviceArray[u32], lo: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_min(lo, slot[idx], values[idx])

def total(a: DeviceArray[f32], r: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_add_f32(r, a[idx])

def stencil(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        acc = 0.0
        for j in range(3):
            acc += a[idx + j]
        out[idx] = acc
"""
LINES = {name: i + 1 for i, line in enumerate(SOURCE.splitlines())
         for name in ["out[ix[idx]]", "src[where[idx]]", "atomic_add(bins", "atomic_min(lo",
                      "atomic_add_f32(r", "acc += a[idx + j]"] if name in line}


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    path = tmp_path_factory.mktemp("bc") / "bc_kernels.py"
    path.write_text(SOURCE)
    kernels = hologram.load_kernels(path, boundscheck=True)
    kernels["scatter"].compile()
    return kernels


@pytest.fixture(scope="module")
def unchecked(checked):
    return hologram.load_kernels(checked["scatter"].filename, boundscheck=False)


def f32s(n):
    return np.arange(n, dtype=np.float32)


def expect(kernel, *, array, index, gid, length, line):
    pattern = (f"kernel '{kernel}': index {index} is out of bounds for array '{array}' of "
               f"{length} elements, at id {gid}, .*bc_kernels.py:{line}")
    return pytest.raises(IndexError, match=pattern)


def test_in_bounds_results_are_unchanged(checked, unchecked):
    a, ix = f32s(50), np.arange(50, dtype=np.int32)[::-1].copy()
    got, want = np.zeros(50, np.float32), np.zeros(50, np.float32)
    checked["scatter"](a, ix, got, 50)
    unchecked["scatter"](a, ix, want, 50)
    np.testing.assert_array_equal(got, want)
    r1, r2 = np.zeros(1, np.float32), np.zeros(1, np.float32)
    checked["total"](f32s(100000), r1, 100000)
    unchecked["total"](f32s(100000), r2, 100000)
    assert r1[0] == r2[0]  # the same deterministic tree reduction


def test_only_checked_kernels_carry_checks(checked, unchecked):
    assert "hg_bounds_fail" in checked["scatter"].c_source()
    assert "hg_bounds_fail" not in unchecked["scatter"].c_source()


@pytest.mark.parametrize("bad", [10, 1000, 2**31 - 1, -1, -(2**31)])
def test_scatter_store_out_of_bounds(checked, bad):
    a, ix, out = f32s(10), np.arange(10, dtype=np.int32), np.zeros(10, np.float32)
    ix[3] = bad
    with expect("scatter", array="out", index=bad, gid=3, length=10, line=LINES["out[ix[idx]]"]):
        checked["scatter"](a, ix, out, 10)
    # A small grid runs in id order on one thread: ids before the failure ran, none after.
    np.testing.assert_array_equal(out[:3], a[:3] * 2)
    np.testing.assert_array_equal(out[3:], 0)


def test_gather_load_out_of_bounds(checked):
    src, where, out = f32s(8), np.zeros(20, np.uint32), np.zeros(20, np.float32)
    where[17] = 8
    with expect("gather", array="src", index=8, gid=17, length=8,
                line=LINES["src[where[idx]]"]):
        checked["gather"](src, where, out, 20)


def test_atomic_add_out_of_bounds(checked):
    values, bins = np.zeros(30, np.uint32), np.zeros(4, np.uint32)
    values[29] = 4
    with expect("histogram", array="bins", index=4, gid=29, length=4,
                line=LINES["atomic_add(bins"]):
        checked["histogram"](values, bins, 30)


def test_atomic_min_out_of_bounds(checked):
    values, slot, lo = f32s(6), np.zeros(6, np.uint32), np.full(2, np.inf, np.float32)
    slot[5] = 2
    with expect("lowest", array="lo", index=2, gid=5, length=2, line=LINES["atomic_min(lo"]):
        checked["lowest"](values, slot, lo, 6)


def test_loop_read_past_the_end(checked):
    a, out = f32s(10), np.zeros(10, np.float32)
    with expect("stencil", array="a", index=10, gid=8, length=10,
                line=LINES["acc += a[idx + j]"]):
        checked["stencil"](a, out, 10)


def test_reduction_target_too_short(checked):
    """The tree reduction's final write runs after the grid loop: no id to name."""
    with pytest.raises(IndexError, match="array 'r' of 0 elements, after the grid loop"):
        checked["total"](f32s(100), np.zeros(0, np.float32), 100)


def test_large_parallel_launch_reports_the_first_failure(checked):
    n = 200_000
    a, ix, out = f32s(n), np.arange(n, dtype=np.int32), np.zeros(n, np.float32)
    ix[123_457] = n
    with expect("scatter", array="out", index=n, gid=123457, length=n,
                line=LINES["out[ix[idx]]"]):
        checked["scatter"](a, ix, out, n)


def test_decorator_form():
    @hologram.kernel(boundscheck=True)
    def shifted(a: DeviceArray[f32], out: DeviceArray[f32], k: i32, n: u32):
        idx = get_global_id()
        if idx < n:
            out[idx] = a[i32(idx) + k]

    a, out = f32s(5), np.zeros(5, np.float32)
    shifted(a, out, 0, 5)
    np.testing.assert_array_equal(out, a)
    with pytest.raises(IndexError, match=r"kernel 'shifted': index -1 .* array 'a' .* at id 0, "
                                         r".*test_boundscheck.py:\d+"):
        shifted(a, out, -1, 5)


def test_environment_variable(tmp_path):
    """HOLOGRAM_BOUNDSCHECK=1 checks every kernel (here in a fresh process, as a user sets it);
    without it the same kernel compiles unchecked."""
    path = tmp_path / "env_kernels.py"
    path.write_text(SOURCE)
    script = textwrap.dedent(f"""
        import numpy as np, hologram
        k = hologram.load_kernels({str(path)!r})["gather"]
        print("checked" if "hg_bounds_fail" in k.c_source() else "unchecked")
        try:
            k(np.zeros(4, np.float32), np.full(4, 9, np.uint32), np.zeros(4, np.float32), 4)
        except IndexError as err:
            print("IndexError", err)
    """)
    results = {}
    for value in ("1", ""):
        env = dict(os.environ, HOLOGRAM_BOUNDSCHECK=value)
        if value == "":
            script_run = script.replace("k(np.zeros", "pass  # k(np.zeros")  # unchecked: UB
        else:
            script_run = script
        proc = subprocess.run([sys.executable, "-c", script_run], capture_output=True,
                              text=True, timeout=300, env=env)
        assert proc.returncode == 0, proc.stderr
        results[value] = proc.stdout
    assert results["1"].startswith("checked")
    assert "IndexError kernel 'gather': index 9 is out of bounds for array 'src'" in results["1"]
    assert results[""].startswith("unchecked")


def test_corpus_runs_checked(tmp_path):
    """Every corpus kernel compiles bounds-checked and, on in-bounds inputs, gives what its
    simulation gives (no false alarm anywhere in the corpus)."""
    from test_differential_corpus import FILES, NO_GUARD_GRID, _assert_same, _copy, make_args

    for path in FILES:
        for name, k in hologram.load_kernels(path, boundscheck=True).items():
            args = make_args(k, seed=len(name))
            grid = None if k.grid is not None else NO_GUARD_GRID
            simulated, compiled = _copy(args), _copy(args)
            k.simulate(*simulated, grid=grid)
            k(*compiled, grid=grid)
            _assert_same(k, compiled, simulated, "bounds-checked")


def test_docs_state_the_mode():
    text = (Path(__file__).parent.parent / "docs" / "backend.md").read_text()
    assert "HOLOGRAM_BOUNDSCHECK" in text and "IndexError" in text
