"""Every launch check fails with a LaunchError naming the kernel and the parameter, before any C
runs (the arrays are left untouched)."""

from __future__ import annotations

import numpy as np
import pytest

import hologram
from hologram import LaunchError

SOURCE = '''
from hologram.lang import DeviceArray, f32, f64, i32, u32, i64, u64, get_global_id

def saxpy(x: DeviceArray[f32], y: DeviceArray[f32], a: f32, n: u32):
    idx = get_global_id()
    if idx < n:
        y[idx] = a * x[idx] + y[idx]

def scalars(out: DeviceArray[f64], a: i32, b: u32, c: i64, d: u64, e: f64, f: bool, n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = f64(a) + f64(b) + f64(c) + f64(d) + e + (1.0 if f else 0.0)

def unguarded(out: DeviceArray[u32]):
    idx = get_global_id()
    out[idx] = idx

def product(out: DeviceArray[f32], m: i32, n: i32):
    idx = get_global_id()
    if idx < m * n:
        out[idx] = 1.0

def gather(src: DeviceArray[f32], where: DeviceArray[u32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = src[where[idx]]
'''


@pytest.fixture(scope="module")
def ks(tmp_path_factory):
    path = tmp_path_factory.mktemp("launch") / "launch_kernels.py"
    path.write_text(SOURCE)
    kernels = hologram.load_kernels(path)
    kernels["saxpy"].compile()
    return kernels


def f32(n):
    return np.ones(n, np.float32)


def raises(match: str):
    return pytest.raises(LaunchError, match=match)


def test_ok_launch(ks):
    x, y = f32(10), f32(10)
    ks["saxpy"](x, y, 2.0, 10)
    assert (y == 3).all()


def test_argument_count(ks):
    with raises(r"kernel 'saxpy': takes 4 arguments .*got 3"):
        ks["saxpy"](f32(4), f32(4), 2.0)
    with raises(r"takes 4 arguments .*got 5"):
        ks["saxpy"](f32(4), f32(4), 2.0, 4, 4)


def test_argument_count_before_first_compile(tmp_path):
    path = tmp_path / "fresh.py"
    path.write_text(SOURCE)
    k = hologram.load_kernels(path)["saxpy"]
    with raises(r"kernel 'saxpy': takes 4 arguments"):
        k(f32(4))


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int32, np.uint32])
def test_array_dtype(ks, dtype):
    y = f32(4)
    with raises(rf"kernel 'saxpy': parameter 'x' \(f32\[\]\) needs dtype float32, got {np.dtype(dtype)}"):
        ks["saxpy"](np.ones(4, dtype), y, 2.0, 4)
    assert (y == 1).all()


def test_u32_array_needs_uint32(ks):
    with raises(r"parameter 'where' \(u32\[\]\) needs dtype uint32, got int32"):
        ks["gather"](f32(4), np.zeros(4, np.int32), f32(4), 4)


def test_not_an_array(ks):
    with raises(r"parameter 'x' \(f32\[\]\) needs a numpy array, got list"):
        ks["saxpy"]([1.0, 2.0], f32(2), 2.0, 2)


def test_non_contiguous(ks):
    with raises(r"parameter 'x' \(f32\[\]\) needs a C-contiguous array"):
        ks["saxpy"](f32(20)[::2], f32(10), 2.0, 10)
    with raises(r"parameter 'y' .* C-contiguous"):
        ks["saxpy"](f32(10), np.ones((4, 5), np.float32).T, 2.0, 10)


def test_any_shape_is_flat(ks):
    x, y = np.ones((3, 4), np.float32), np.ones((3, 4), np.float32)
    ks["saxpy"](x, y, 2.0, 12)
    assert (y == 3).all()


def test_read_only_written_array(ks):
    y = f32(4)
    y.flags.writeable = False
    with raises(r"parameter 'y' \(f32\[\]\) is written by the kernel but the array is read-only"):
        ks["saxpy"](f32(4), y, 2.0, 4)


def test_read_only_input_is_fine(ks):
    x = f32(4)
    x.flags.writeable = False
    y = f32(4)
    ks["saxpy"](x, y, 2.0, 4)
    assert (y == 3).all()


@pytest.mark.parametrize(
    ("pos", "value", "message"),
    [
        (1, 2**31, r"'a' \(i32\) is out of range: 2147483648"),
        (1, -(2**31) - 1, r"'a' \(i32\) is out of range"),
        (2, -1, r"'b' \(u32\) is out of range: -1 is not in \[0, 4294967295\]"),
        (2, 2**32, r"'b' \(u32\) is out of range"),
        (3, 2**63, r"'c' \(i64\) is out of range"),
        (4, -1, r"'d' \(u64\) is out of range"),
        (4, 2**64, r"'d' \(u64\) is out of range"),
        (1, 1.5, r"'a' \(i32\) needs an integer, got float 1.5"),
        (2, 3.0, r"'b' \(u32\) needs an integer, got float 3.0"),
        (2, True, r"'b' \(u32\) needs an integer, got bool"),
        (2, "3", r"'b' \(u32\) needs an integer, got str"),
        (5, "x", r"'e' \(f64\) needs a number, got str"),
        (5, None, r"'e' \(f64\) needs a number, got NoneType"),
        (6, 1, r"'f' \(bool\) needs True or False, got int 1"),
    ],
)
def test_scalar_checks(ks, pos, value, message):
    out = np.zeros(1, np.float64)
    args = [out, 1, 2, 3, 4, 5.0, True, 1]
    args[pos] = value
    with raises(rf"kernel 'scalars': parameter {message}"):
        ks["scalars"](*args)
    assert out[0] == 0


def test_f32_scalar_overflow(ks):
    with raises(r"parameter 'a' \(f32\) is out of range: 1e\+39 overflows float32"):
        ks["saxpy"](f32(4), f32(4), 1e39, 4)


def test_scalars_accept_numpy_and_edge_values(ks):
    out = np.zeros(1, np.float64)
    ks["scalars"](out, np.int32(-(2**31)), np.uint32(2**32 - 1), -(2**63), 2**64 - 1,
                  np.float32(0.5), np.bool_(False), 1)
    assert out[0] == pytest.approx(-(2**31) + (2**32 - 1) - 2**63 + (2**64 - 1) + 0.5)


def test_f32_accepts_int_and_inf(ks):
    y = f32(2)
    ks["saxpy"](f32(2), y, 3, 2)
    assert (y == 4).all()
    ks["saxpy"](f32(2), y, float("inf"), 2)
    assert np.isinf(y).all()


def test_missing_grid(ks):
    with raises(r"kernel 'unguarded': no grid= given, and the grid cannot be inferred: no `if` on "
                r"the id .* guards the kernel's body; pass grid=N"):
        ks["unguarded"](np.zeros(4, np.uint32))


def test_explicit_grid(ks):
    out = np.zeros(6, np.uint32)
    ks["unguarded"](out, grid=6)
    assert list(out) == list(range(6))


@pytest.mark.parametrize("grid", [-1, 2.0, "4", True])
def test_bad_grid(ks, grid):
    with raises(r"kernel 'unguarded': grid"):
        ks["unguarded"](np.zeros(4, np.uint32), grid=grid)


def test_grid_inferred_from_expression(ks):
    out = np.zeros(12, np.float32)
    ks["product"](out, 3, 4)
    assert (out == 1).all()


def test_negative_inferred_grid(ks):
    """`idx < m * n` with m * n = -12 holds for no id (the comparison is signed, in i64): the
    inferred grid is 0 and nothing runs, as in Python."""
    out = np.zeros(12, np.float32)
    ks["product"](out, -3, 4)
    assert (out == 0).all()


def test_array_too_short_for_grid(ks):
    with raises(r"kernel 'saxpy': array 'y' has 9 elements but the kernel reads or writes 'y\[idx\]' for idx up to 9"):
        ks["saxpy"](f32(10), f32(9), 2.0, 10)
    with raises(r"array 'out' has 3 elements .* up to 3"):
        ks["unguarded"](np.zeros(3, np.uint32), grid=4)
    with raises(r"array 'out' has 11 elements .* up to 11"):
        ks["product"](np.zeros(11, np.float32), 3, 4)


def test_length_check_uses_the_guard(ks):
    """grid beyond the guard: only ids below the guard touch memory, so shorter arrays are fine."""
    y = f32(10)
    ks["saxpy"](f32(10), y, 2.0, 10, grid=100)
    assert (y == 3).all()


def test_indirect_access_is_not_length_checked(ks):
    """`src[where[idx]]` is not provably `src[idx]`: src may be shorter than the grid."""
    out = f32(8)
    ks["gather"](np.array([5.0], np.float32), np.zeros(8, np.uint32), out, 8)
    assert (out == 5).all()


def test_simulate_runs_the_same_checks(ks):
    with raises(r"kernel 'saxpy': parameter 'x' \(f32\[\]\) needs dtype float32"):
        ks["saxpy"].simulate(np.ones(4), f32(4), 2.0, 4)
    with raises(r"kernel 'unguarded': no grid= given"):
        ks["unguarded"].simulate(np.zeros(4, np.uint32))
