"""hologram.ops reductions against numpy and float64 references (tolerances: docs/ops.md)."""

from __future__ import annotations

import numpy as np
import pytest

import hologram.ops as ops

SIZES = [1, 7, 1000, 3072, 100003]
# (200, 33) and (3, 130, 9) take the blocked path for strided sums (r >= 64, inner >= 8).
SHAPES = [(1, 1), (1, 9), (9, 1), (37, 53), (3, 4, 5), (2, 3, 4, 5), (0, 5), (5, 0), (200, 33),
          (3, 130, 9)]


def data(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def sum_tol(x):
    """Whole-array float32 sums: 1e-5 of sum |x| (docs/ops.md)."""
    return 1e-5 * float(np.abs(x.astype(np.float64)).sum()) + 1e-30


@pytest.mark.parametrize("n", [0, *SIZES])
def test_sum_mean_dot_norm_whole_vector(n):
    x, y = data(n, 1), data(n, 2)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    s = ops.sum(x)
    assert isinstance(s, np.float32)
    assert abs(s - x64.sum()) <= sum_tol(x)
    assert abs(ops.vector_sum(x) - x64.sum()) <= sum_tol(x)
    d = ops.dot(x, y)
    assert isinstance(d, np.float32)
    assert abs(d - x64 @ y64) <= sum_tol(x * y)
    assert abs(ops.vector_dot(x, y) - x64 @ y64) <= sum_tol(x * y)
    assert abs(ops.norm(x) - np.sqrt((x64 ** 2).sum())) <= 1e-5 * np.sqrt((x64 ** 2).sum())
    assert abs(ops.nrm2(x) - np.sqrt((x64 ** 2).sum())) <= 1e-5 * np.sqrt((x64 ** 2).sum())
    if n:
        assert abs(ops.mean(x) - x64.mean()) <= sum_tol(x) / n
    else:
        assert np.isnan(ops.mean(x))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(100003,), (37, 53), (3, 130, 9), (0, 4)])
def test_whole_sum_is_the_same_kernel_however_spelled(shape, dtype):
    # Regression: keepdims=True, out= or an axis tuple naming every axis took the per-axis
    # kernel (4x slower under Dask, whose chunk step passes keepdims=True) and other bits.
    x = data(shape, 5).astype(dtype)
    s = ops.sum(x)
    every = tuple(range(x.ndim))[::-1]
    kept = ops.sum(x, keepdims=True)
    assert kept.shape == (1,) * x.ndim and kept.dtype == dtype
    out = np.empty((1,) * x.ndim, dtype)
    assert ops.sum(x, axis=every, keepdims=True, out=out) is out
    for v in (kept.reshape(()), ops.sum(x, axis=every), out.reshape(())):
        assert v.tobytes() == np.asarray(s).tobytes()
    assert abs(s - x.astype(np.float64).sum()) <= sum_tol(x)


def test_float64_sum_and_dot():
    x = data(100003, 3).astype(np.float64)
    assert ops.sum(x).dtype == np.float64
    assert abs(ops.sum(x) - x.sum()) <= 1e-12 * np.abs(x).sum()
    assert abs(ops.dot(x, x) - x @ x) <= 1e-12 * (x @ x)


@pytest.mark.parametrize("n", SIZES)
def test_max_min_argmax_argmin_whole(n):
    x = data(n, 4)
    assert ops.max(x) == x.max() and ops.min(x) == x.min()
    assert ops.argmax(x) == x.argmax() and ops.argmin(x) == x.argmin()
    assert isinstance(ops.argmax(x), np.int64)


def test_argmax_returns_the_first_of_equal_values():
    x = np.array([1, 5, 2, 5, 5, -1, -1], np.float32)
    assert ops.argmax(x) == 1 and ops.argmin(x) == 5
    big = np.zeros(100003, np.float32)
    big[[50000, 70000, 99999]] = 3.0
    assert ops.argmax(big) == 50000


# The whole-array float32 argmax/argmin is one pass over a 64-bit key (the value's order, then
# the index reversed): cases where the order of the bits and numpy's comparison could differ.
ARG_EDGE_CASES = {
    "signed zeros tie": [0.0, -0.0, 0.0, -0.0],
    "negative zero first": [-0.0, 0.0, -1.0, 1e-45, -1e-45],
    "negative denormals": [-1e-45, -2e-45, -1e-40, -0.0],
    "all negative": [-3.0, -1.5, -1.5, -7.0, -7.0],
    "infinities": [-np.inf, 1.0, np.inf, np.inf, -np.inf],
    "nan after the max": [1.0, 3e38, np.nan, 5.0, np.nan],
    "negative nan": [1.0, -np.nan, 2.0],
    "only nan": [np.nan, np.nan],
    "largest finite": [3.4028235e38, -3.4028235e38, 3.4028235e38],
    "one element": [2.5],
}


@pytest.mark.parametrize("values", ARG_EDGE_CASES.values(), ids=ARG_EDGE_CASES.keys())
def test_argmax_argmin_keys_follow_numpy(values):
    x = np.array(values, np.float32)
    for pad in (0, 5000):  # alone, and amid a larger array of ones, with the cases at the end
        y = np.concatenate([np.ones(pad, np.float32), x])
        assert ops.argmax(y) == np.argmax(y), (values, pad)
        assert ops.argmin(y) == np.argmin(y), (values, pad)


def test_argmax_index_beyond_float32_exact_integers():
    # Indices above 2**24 are not representable in float32; the key keeps them exactly.
    x = np.zeros((1 << 24) + 9, np.float32)
    x[[(1 << 24) + 3, (1 << 24) + 7]] = 2.0
    x[(1 << 24) + 5] = -2.0
    assert ops.argmax(x) == (1 << 24) + 3 and ops.argmin(x) == (1 << 24) + 5
    ties = np.random.default_rng(9).integers(-3, 4, 3_000_001).astype(np.float32)
    assert ops.argmax(ties) == np.argmax(ties) and ops.argmin(ties) == np.argmin(ties)


WHOLE_DTYPES = [np.float32, np.float64, np.int32, np.int64, np.uint32, np.uint64, np.int8,
                np.uint8, np.int16, np.uint16, np.bool_]


def _whole_data(dtype, n, seed):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(n).astype(dtype)
    if dtype is np.bool_:
        return rng.integers(0, 2, n).astype(bool)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, n, endpoint=True, dtype=dtype)


@pytest.mark.parametrize("dtype", WHOLE_DTYPES, ids=lambda d: np.dtype(d).name)
def test_whole_array_extremes_of_every_dtype(dtype):
    # The parallel whole-array kernels (one-pass keys for 32-bit types, max then first index for
    # 64-bit ones): values and result dtypes as numpy, ties at the type's extremes, a transposed
    # view, keepdims and out=.
    for n in (1, 5, 4099, 200_003):
        x = _whole_data(dtype, n, n)
        for name in ("max", "min", "argmax", "argmin"):
            got, want = getattr(ops, name)(x), getattr(np, name)(x)
            assert got == want and np.asarray(got).dtype == np.asarray(want).dtype, (name, n)
    if dtype is not np.bool_:
        hi = np.finfo(dtype).max if np.dtype(dtype).kind == "f" else np.iinfo(dtype).max
        lo = np.finfo(dtype).min if np.dtype(dtype).kind == "f" else np.iinfo(dtype).min
        x = np.ones(10_000, dtype)
        x[[7, 700, 7000]] = hi
        x[[70, 3000]] = lo
        assert (ops.argmax(x), ops.argmin(x)) == (7, 70)
        assert ops.max(x) == hi and ops.min(x) == lo
    a = _whole_data(dtype, 300 * 7, 3).reshape(300, 7).T  # not contiguous
    for name in ("max", "min", "argmax", "argmin"):
        assert getattr(ops, name)(a) == getattr(np, name)(a), name
        kept = getattr(ops, name)(a, keepdims=True)
        np.testing.assert_array_equal(kept, getattr(np, name)(a, keepdims=True))


@pytest.mark.parametrize("dtype", WHOLE_DTYPES[2:], ids=lambda d: np.dtype(d).name)
def test_whole_integer_sum_is_numpys_exactly(dtype):
    # One tree-reduction launch: numpy's int64/uint64 result, wrapping as numpy's does (the
    # full-range values overflow), for every way of naming all axes, views and keepdims.
    for n in (1, 5, 4097, 300_001):
        x = _whole_data(dtype, n, n + 1)
        for kw in ({}, {"axis": 0}, {"keepdims": True}, {"axis": (0,)}):
            got, want = ops.sum(x, **kw), np.sum(x, **kw)
            assert np.array_equal(got, want), (n, kw)
            assert np.asarray(got).dtype == np.asarray(want).dtype
    a = _whole_data(dtype, 301 * 7, 5).reshape(301, 7).T
    assert ops.sum(a) == np.sum(a) and ops.sum(a, axis=(1, 0)) == np.sum(a, axis=(1, 0))


@pytest.mark.parametrize("dtype", WHOLE_DTYPES[:6] + [np.int8], ids=lambda d: np.dtype(d).name)
def test_whole_mean_var_std_in_float64(dtype):
    # Whole arrays: float64 tree sums (the mean, then the squared deviations) read the array's
    # own type; numpy's result dtype, ddof, keepdims, a view, and ddof >= n (numpy's NaN).
    for n in (1, 7, 4097, 300_001):
        x = _whole_data(dtype, n, n + 2)
        if np.dtype(dtype).kind in "iu":
            x = x // 4  # no int64 overflow in numpy's own float conversions either
        for name in ("mean", "var", "std"):
            for kw in ({}, {"keepdims": True}, {"ddof": 1}, {"axis": (0,)}):
                if name == "mean" and "ddof" in kw or n == 1 and "ddof" in kw:
                    continue
                got, want = getattr(ops, name)(x, **kw), getattr(np, name)(x, **kw)
                assert np.asarray(got).dtype == np.asarray(want).dtype, (name, kw)
                np.testing.assert_allclose(got, want, rtol=2e-6, err_msg=f"{name} {kw}")
    a = _whole_data(dtype, 301 * 7, 5).reshape(301, 7).T
    np.testing.assert_allclose(ops.var(a), np.var(a), rtol=2e-6)
    assert np.isnan(ops.var(np.ones(3, dtype), ddof=3))  # numpy: NaN, with a warning
    for name in ("mean", "var", "std", "logsumexp"):  # a bad axis names the op called
        with pytest.raises(np.exceptions.AxisError, match=f"hologram.ops.{name}:"):
            getattr(ops, name)(np.ones((3, 3), dtype), axis=5)


def test_whole_logsumexp_matches_the_axis_kernel():
    # The whole array on the tree kernels: the same special values and result type as along an
    # axis, and close to float64 math.
    rng = np.random.default_rng(12)
    for dtype in (np.float32, np.float64, np.int32):
        x = (rng.standard_normal(300_001) * 30).astype(dtype)
        x64 = x.astype(np.float64)
        want = x64.max() + np.log(np.sum(np.exp(x64 - x64.max())))
        got = ops.logsumexp(x)
        assert np.asarray(got).dtype == np.asarray(ops.logsumexp(x[None], axis=1)).dtype
        assert abs(float(got) - want) <= 1e-5 * abs(want)
    for values in ([1000, 1000], [-np.inf, -np.inf], [np.inf, 1], [np.nan, np.inf],
                   [np.inf, np.nan], [-np.inf, 0]):
        for dtype in (np.float32, np.float64):
            x = np.array(values, dtype)
            np.testing.assert_array_equal(ops.logsumexp(x), ops.logsumexp(x[None], axis=1)[0])


def test_whole_norm_scales_only_when_it_must():
    # One unscaled pass in float64 unless the sum overflows or may have underflowed; then
    # BLAS nrm2's scaling; a subnormal largest |x| goes to the per-block kernel.
    cases = {(1e300, 1e300): 2**0.5 * 1e300, (1e-160, 1e-160): 2**0.5 * 1e-160,
             (1e200, -1e200, 1.0): 2**0.5 * 1e200, (3e-30, 4e-30): 5e-30,
             (1e-310, 3e-310): 10**0.5 * 1e-310, (5e-324, 5e-324): 5e-324}
    for values, want in cases.items():
        got = ops.norm(np.array(values))
        assert abs(got - want) <= 1e-12 * want, (values, got)
    assert np.isnan(ops.norm(np.array([np.nan, np.inf])))
    assert ops.norm(np.array([np.inf, 1.0])) == np.inf
    assert ops.norm(np.zeros(5)) == 0.0
    for dtype in (np.float32, np.float64, np.int32, np.bool_):
        x = _whole_data(dtype, 200_003, 4)
        want = np.sqrt(np.sum(x.astype(np.float64) ** 2))
        got = ops.norm(x)
        assert np.asarray(got).dtype == (np.float32 if dtype is np.float32 else np.float64)
        assert abs(float(got) - want) <= 1e-6 * want
        a = x[:200_000].reshape(400, 500).T  # a view: copied first
        want_a = np.sqrt(np.sum(a.astype(np.float64) ** 2))
        np.testing.assert_allclose(ops.norm(a, keepdims=True), np.full((1, 1), want_a), rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.int64, np.uint64, np.float64])
def test_arg_extremes_across_segments(dtype, monkeypatch):
    # 64-bit argmax/argmin go segment by segment: with 8 elements a segment, ties, NaN and
    # signed zeros fall on both sides of segment boundaries.
    import hologram.ops.reductions as R

    monkeypatch.setattr(R, "ARG_SEGMENT_BYTES", 64)
    rng = np.random.default_rng(11)
    for trial in range(200):
        n = int(rng.integers(1, 60))
        low = 0 if dtype is np.uint64 else -3
        x = rng.integers(low, 4, n).astype(dtype)
        if dtype is np.float64 and trial % 3 == 0:
            x[rng.integers(0, n, 2)] = np.nan
        if dtype is np.float64 and trial % 5 == 0:
            x[rng.integers(0, n, 2)] = -0.0
        assert ops.argmax(x) == np.argmax(x) and ops.argmin(x) == np.argmin(x), x


def test_float64_extremes_nan_zero_and_inf_follow_numpy():
    for values in ARG_EDGE_CASES.values():
        x = np.concatenate([np.ones(3000), np.array(values, np.float64)])
        for name in ("max", "min", "argmax", "argmin"):
            got, want = getattr(ops, name)(x), getattr(np, name)(x)
            assert got == want or (np.isnan(got) and np.isnan(want)), (name, values)
            if name in ("max", "min") and want == 0:
                assert np.signbit(got) == np.signbit(want), (name, values)


def test_nan_and_inf_in_reductions_follow_numpy():
    x = data(3072, 5)
    x[[100, 2000]] = np.nan
    assert np.isnan(ops.max(x)) and np.isnan(ops.min(x)) and np.isnan(ops.sum(x))
    assert ops.argmax(x) == 100 and ops.argmin(x) == 100
    y = data(1000, 6)
    y[10], y[20] = np.inf, -np.inf
    assert ops.max(y) == np.inf and ops.min(y) == -np.inf
    assert ops.argmax(y) == 10 and ops.argmin(y) == 20
    assert np.isnan(ops.sum(y))  # inf + -inf
    a = data((6, 9), 7)
    a[2, 4] = np.nan
    a[4, 0] = np.inf
    for ax in (0, 1):
        np.testing.assert_array_equal(ops.max(a, axis=ax), a.max(axis=ax))
        np.testing.assert_array_equal(ops.min(a, axis=ax), a.min(axis=ax))
        np.testing.assert_array_equal(ops.argmax(a, axis=ax), a.argmax(axis=ax))
        np.testing.assert_array_equal(ops.argmin(a, axis=ax), a.argmin(axis=ax))


@pytest.mark.parametrize("shape", SHAPES)
def test_axis_reductions(shape):
    x = data(shape, 8)
    x64 = x.astype(np.float64)
    for ax in range(-x.ndim, x.ndim):
        for keepdims in (False, True):
            kw = dict(axis=ax, keepdims=keepdims)
            np.testing.assert_allclose(ops.sum(x, **kw), x64.sum(**kw), rtol=1e-6, atol=1e-6)
            np.testing.assert_allclose(ops.norm(x, **kw), np.sqrt((x64**2).sum(**kw)),
                                       rtol=1e-6, atol=1e-6)
            if x.shape[ax]:
                np.testing.assert_allclose(ops.mean(x, **kw), x64.mean(**kw), rtol=1e-6,
                                           atol=1e-6)
                np.testing.assert_array_equal(ops.max(x, **kw), x.max(**kw))
                np.testing.assert_array_equal(ops.min(x, **kw), x.min(**kw))
                got = ops.argmax(x, **kw)
                assert got.dtype == np.int64
                np.testing.assert_array_equal(got, x.argmax(**kw))
                np.testing.assert_array_equal(ops.argmin(x, **kw), x.argmin(**kw))
            else:
                with pytest.raises(ValueError):
                    ops.max(x, **kw)
                with pytest.raises(ValueError):
                    ops.argmin(x, **kw)


def test_whole_array_of_a_matrix_and_keepdims():
    x = data((37, 53), 9)
    assert abs(ops.sum(x) - x.astype(np.float64).sum()) <= sum_tol(x)
    assert ops.argmax(x) == x.argmax()
    k = ops.max(x, keepdims=True)
    assert k.shape == (1, 1) and k[0, 0] == x.max()


def test_out_argument():
    x = data((4, 6), 10)
    out = np.empty(6, np.float32)
    assert ops.sum(x, axis=0, out=out) is out
    np.testing.assert_allclose(out, x.sum(0), rtol=1e-6)
    out0 = np.empty((), np.float32)
    assert ops.max(x, out=out0) is out0 and out0 == x.max()
    idx = np.empty(4, np.int64)
    ops.argmax(x, axis=1, out=idx)
    np.testing.assert_array_equal(idx, x.argmax(1))


def test_reduction_errors():
    with pytest.raises(ValueError, match="hologram.ops.max: zero-size array"):
        ops.max(np.zeros(0, np.float32))
    with pytest.raises(ValueError, match="hologram.ops.argmin: attempt to get argmin of an empty"):
        ops.argmin(np.zeros(0, np.float32))
    with pytest.raises(np.exceptions.AxisError, match="hologram.ops.sum: axis 2 is out of bounds"):
        ops.sum(np.zeros((2, 2), np.float32), axis=2)
    with pytest.raises(TypeError, match="hologram.ops.sum: argument 'axis' must be an int, a "
                                        "tuple of ints or None, got str"):
        ops.sum(np.zeros((2, 2), np.float32), axis="0")
    with pytest.raises(ValueError, match="hologram.ops.sum: duplicate value in 'axis'"):
        ops.sum(np.zeros((2, 2), np.float32), axis=(0, -2))
    with pytest.raises(TypeError, match="hologram.ops.sum: argument 'dtype' is not a dtype"):
        ops.sum(np.zeros(2, np.float32), dtype="nonsense")
    with pytest.raises(ValueError, match=r"hologram.ops.dot: shapes \(3,\) and \(4,\) not aligned"):
        ops.dot(np.zeros(3, np.float32), np.zeros(4, np.float32))
    # An out that overlaps the input gets numpy's answer (the result goes through a temporary).
    x = np.arange(9, dtype=np.float32).reshape(3, 3)
    want = x.sum(axis=0)
    assert ops.sum(x, axis=0, out=x[0]) is not None
    np.testing.assert_array_equal(x[0], want)


@pytest.mark.parametrize("shape", [(5,), (37, 53), (3, 4, 5), (0, 3), (3, 0)])
def test_vecdot_row_wise_dot_products(shape):
    a, b = data(shape, 11), data(shape, 12)
    for ax in range(-len(shape), len(shape)):
        want = (a.astype(np.float64) * b).sum(axis=ax)
        np.testing.assert_allclose(ops.vecdot(a, b, axis=ax), want, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="hologram.ops.vecdot: arguments 'x1'"):
        ops.vecdot(a, data((7,), 1))
