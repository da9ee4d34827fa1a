"""The C launch path (`backends/c/launcher.py`): a compiled kernel is called through its C
launcher, which accepts exactly what the Python checks accept (numpy scalars, array subclasses,
equivalent dtypes), computes the inferred grid as Python does, and hands every refused call to
Python for the LaunchError. Results are checked against numpy."""

from __future__ import annotations

import sys
import threading
import time

import numpy as np
import pytest

import hologram
from hologram import LaunchError

SOURCE = '''
from hologram.lang import DeviceArray, f32, f64, i32, u32, i64, u64, get_global_id

def vector_add(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] + b[idx]

def scale(x: DeviceArray[f64], out: DeviceArray[f64], s: f32, t: f64, flip: bool, n: i64):
    idx = get_global_id()
    if idx < n:
        v = x[idx] * f64(s) + t
        out[idx] = -v if flip else v

def halves(out: DeviceArray[i64], n: i32, k: i32):
    idx = get_global_id()
    if idx < n // k - 1:
        out[idx] = i64(idx)

def big(out: DeviceArray[u32], n: u64):
    idx = get_global_id()
    if idx < n:
        out[idx] = u32(1)

def no_guard(out: DeviceArray[u32]):
    idx = get_global_id()
    out[idx] = u32(idx)
'''


@pytest.fixture(scope="module")
def ks(tmp_path_factory):
    path = tmp_path_factory.mktemp("launch") / "launch_kernels.py"
    path.write_text(SOURCE)
    kernels = hologram.load_kernels(path)
    for k in kernels.values():
        k.compile()
    return kernels


def arrays(n, dtype=np.float32):
    rng = np.random.default_rng(n)
    return (rng.standard_normal(n).astype(dtype), rng.standard_normal(n).astype(dtype),
            np.zeros(n, dtype))


def test_a_compiled_kernel_is_called_through_its_c_launcher(ks):
    k = ks["vector_add"]
    assert isinstance(k, hologram.Kernel)
    assert type(type(k).__dict__["__call__"]).__name__ == "builtin_function_or_method"


@pytest.mark.parametrize("n", [0, 1, 100, 1000, 5000])
def test_vector_add_matches_numpy(ks, n):
    a, b, out = arrays(n)
    ks["vector_add"](a, b, out, n)
    np.testing.assert_array_equal(out, a + b)


def test_explicit_grid_runs_that_many_ids(ks):
    a, b, out = arrays(100)
    ks["vector_add"](a, b, out, 100, grid=10)
    np.testing.assert_array_equal(out[:10], (a + b)[:10])
    assert not out[10:].any()
    out[:] = 0
    # ids beyond the guard's bound touch nothing: a grid above n needs no longer arrays.
    ks["vector_add"](a, b, out, 100, grid=1000)
    np.testing.assert_array_equal(out, a + b)
    ks["vector_add"](a, b, out, 100, grid=None)


def test_numpy_scalars_and_array_forms_are_taken(ks):
    x = np.linspace(-1, 1, 50)
    out = np.zeros(50)
    ks["scale"](x, out, np.float32(2.0), np.float64(0.5), np.bool_(True), np.int64(50))
    np.testing.assert_allclose(out, -(x * 2.0 + 0.5))
    ks["scale"](x.reshape(5, 10), out.reshape(5, 10), 3, 1, False, np.uint8(50))  # ints as floats
    np.testing.assert_allclose(out, x * 3.0 + 1)

    class Tagged(np.ndarray):
        pass

    a, b, out32 = arrays(64)
    ks["vector_add"](a.view(Tagged), b, out32.view(Tagged), np.uint16(64), grid=np.int32(64))
    np.testing.assert_array_equal(out32, a + b)


def test_equivalent_integer_dtype_is_taken(ks):
    out = np.zeros(10, dtype=np.dtype("q"))  # long long: the same type as int64 here
    assert out.dtype == np.int64
    ks["halves"](out, 20, 2)
    np.testing.assert_array_equal(out[:9], np.arange(9))


def test_inferred_grid_with_floor_division_matches_python(ks):
    """`idx < n // k - 1`: the launcher's grid (the kernel's C grid function) runs as many ids
    as Python's floor division says; a bound below zero runs none. Compiled == simulate."""
    k = ks["halves"]
    for n, kk in [(20, 2), (7, 3), (-7, 2), (5, -2), (0, 5), (33, 2)]:
        expected = max(n // kk - 1, 0)
        out = np.full(16, -1, np.int64)
        k(out, n, kk)
        np.testing.assert_array_equal(out[:expected], np.arange(expected))
        assert (out[expected:] == -1).all()
        simulated = np.full(16, -1, np.int64)
        k.simulate(simulated, n, kk)
        np.testing.assert_array_equal(out, simulated)


def test_grid_beyond_u32_ids_is_refused(ks):
    with pytest.raises(LaunchError, match=r"out of range \[0, 2\*\*32\]"):
        ks["big"](np.zeros(4, np.uint32), 2**63 + 5)
    with pytest.raises(LaunchError, match=r"grid=4294967297 is out of range"):
        ks["vector_add"](*arrays(4), 4, grid=2**32 + 1)


def test_kernel_without_guard_needs_grid(ks):
    out = np.zeros(8, np.uint32)
    with pytest.raises(LaunchError, match="no grid= given"):
        ks["no_guard"](out)
    ks["no_guard"](out, grid=8)
    np.testing.assert_array_equal(out, np.arange(8))


@pytest.mark.parametrize("case, message", [
    ("big endian", "needs dtype float32"),
    ("strided", "C-contiguous"),
    ("read-only out", "read-only"),
    ("list", "needs a numpy array"),
    ("bool n", "needs an integer"),
    ("float n", "needs an integer"),
    ("negative n", "out of range"),
    ("short", "has 50 elements"),
    ("keyword", "parameter 'n' is passed by keyword"),
    ("grid float", "grid= needs a non-negative integer"),
    ("arity", "takes 4 arguments"),
])
def test_refused_calls_raise_launch_errors_and_run_nothing(ks, case, message):
    a, b, out = arrays(100)
    n: object = 100
    kwargs: dict = {}
    args = [a, b, out]
    if case == "big endian":
        args[0] = a.astype(">f4")
    elif case == "strided":
        args[0] = np.zeros(200, np.float32)[::2]
    elif case == "read-only out":
        out.setflags(write=False)
    elif case == "list":
        args[1] = list(b)
    elif case == "bool n":
        n = True
    elif case == "float n":
        n = 100.0
    elif case == "negative n":
        n = -1
    elif case == "short":
        args[2] = np.zeros(50, np.float32)
    elif case == "keyword":
        kwargs, n = {"n": 100}, None
    elif case == "grid float":
        kwargs = {"grid": 10.0}
    call_args = [*args, n] if n is not None else args
    if case == "arity":
        call_args = args
    with pytest.raises(LaunchError, match=message):
        ks["vector_add"](*call_args, **kwargs)
    assert not args[2].any()


def test_f32_scalar_overflow_is_refused(ks):
    x, out = np.ones(4), np.zeros(4)
    with pytest.raises(LaunchError, match="overflows float32"):
        ks["scale"](x, out, 1e39, 0.0, False, 4)
    ks["scale"](x, out, float("inf"), 0.0, False, 4)
    assert np.isinf(out).all()


def test_launches_from_threads(ks):
    n = 50_000  # above the size that releases the GIL
    a, b, _ = arrays(n)
    outs = [np.zeros(n, np.float32) for _ in range(4)]
    threads = [threading.Thread(target=ks["vector_add"], args=(a, b, o, n)) for o in outs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for o in outs:
        np.testing.assert_array_equal(o, a + b)


def test_decorated_kernel_uses_the_launcher():
    from hologram.lang import DeviceArray, f32, u32, get_global_id

    @hologram.kernel
    def twice(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
        idx = get_global_id()
        if idx < n:
            out[idx] = a[idx] * 2.0

    a = np.arange(10, dtype=np.float32)
    out = np.zeros_like(a)
    twice(a, out, 10)
    np.testing.assert_array_equal(out, a * 2)
    assert type(type(twice).__dict__["__call__"]).__name__ == "builtin_function_or_method"
    with pytest.raises(LaunchError, match="takes 3 arguments"):
        twice(a, out)


def test_a_few_ids_over_a_large_array_release_the_gil():
    """Regression: the GIL was released from 4096 ids on only, so a blocked reduction (a few
    ids, each looping over a large array) held it for the whole kernel, and a Dask worker's
    communication thread waited. Another thread must run while such a kernel runs."""
    from hologram.lang import DeviceArray, f32, u32, get_global_id

    @hologram.kernel
    def one_id_sum(x: DeviceArray[f32], out: DeviceArray[f32], n: u32, reps: u32):
        idx = get_global_id()
        if idx < 1:
            acc = 0.0
            for r in range(reps):
                for i in range(n):
                    acc += x[i] * x[(i + r) % n]
            out[idx] = acc

    x, out = np.ones(1 << 20, np.float32), np.zeros(1, np.float32)
    one_id_sum(x, out, 16, 1)  # compiled and loaded before the measurement
    took: list[float] = []
    done = threading.Event()

    def run():
        t0 = time.perf_counter()
        one_id_sum(x, out, x.size, 120)
        took.append(time.perf_counter() - t0)
        done.set()

    # This thread notes the time whenever it runs Python. With the GIL held, it cannot run
    # (in `start` or in its loop) while the kernel runs: a gap as long as the kernel.
    t = threading.Thread(target=run)
    last = time.perf_counter()
    gap = 0.0
    t.start()
    while not done.is_set():
        now = time.perf_counter()
        gap, last = max(gap, now - last), now
    t.join()
    assert out[0] > 0
    assert gap < took[0] / 2, f"this thread waited {gap:.3f} s of the kernel's {took[0]:.3f} s"
