"""hologram.ops behaves like numpy: every dtype, promotion, scalars, broadcasting, views, out=,
special values, errors, and the ops added for numpy users (issue 15). numpy is the reference
throughout."""

from __future__ import annotations

import math

import numpy as np
import pytest

import hologram
import hologram.ops as ops
from hologram.ops._ufunc import SUFFIX, UFUNCS

DTYPES = [np.dtype(t) for t in (np.float32, np.float64, np.int32, np.int64, np.uint32,
                                np.uint64, np.bool_, np.int8, np.int16, np.uint8, np.uint16)]
rng = np.random.default_rng(15)


def sample(dtype: np.dtype, shape=(37,), positive=False):
    if dtype.kind == "b":
        return rng.random(shape) > 0.5
    if dtype.kind == "f":
        x = rng.uniform(0.1 if positive else -3, 3, shape).astype(dtype)
        if x.size > 4 and not positive:
            x.flat[:4] = [0.0, -0.0, np.inf, np.nan]
        return x
    info = np.iinfo(dtype)
    lo = 0 if positive or info.min == 0 else max(info.min, -100)
    return rng.integers(lo, min(info.max, 100), shape, endpoint=True).astype(dtype)


def numpy_of(name):
    u = UFUNCS[name]
    return u.np_ufunc


def assert_like_numpy(got, want, dtype_kind):
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape
    if dtype_kind == "f":
        np.testing.assert_allclose(got, want, rtol=4e-6 if got.dtype == np.float32 else 1e-13,
                                   atol=1e-6 if got.dtype == np.float32 else 1e-13)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    else:
        np.testing.assert_array_equal(got, want)


# --- dtypes: every op with a numpy ufunc, every dtype numpy gives a loop we have ----------------
_UNARY = [n for n, u in UFUNCS.items() if u.np_ufunc is not None and u.nin == 1]
_BINARY = [n for n, u in UFUNCS.items() if u.np_ufunc is not None and u.nin == 2
           and n != "clip3"]
_POSITIVE = {"log", "log1p", "log2", "log10", "sqrt", "arccosh", "reciprocal"}


def _supported(name, dtypes):
    u = UFUNCS[name]
    try:
        loop, _ = u.resolve(tuple(dtypes))
    except TypeError:
        return False
    from hologram.ops._ufunc import WIDEN

    return SUFFIX.get(WIDEN.get(loop, loop)) in u.types


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name", _UNARY)
def test_unary_every_dtype_against_numpy(name, dtype):
    if not _supported(name, (dtype,)):
        with pytest.raises(TypeError, match=f"hologram.ops.{name}: "):
            getattr(ops, name)(sample(dtype))
        return
    x = sample(dtype, positive=name in _POSITIVE)
    if name in ("arcsin", "arccos", "arctanh") and dtype.kind == "f":
        x = np.clip(x, -0.99, 0.99).astype(dtype)
    with np.errstate(all="ignore"):
        want = numpy_of(name)(x)
    got = getattr(ops, name)(x)
    assert_like_numpy(got, want, np.asarray(want).dtype.kind)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name", _BINARY)
def test_binary_every_dtype_against_numpy(name, dtype):
    if not _supported(name, (dtype, dtype)):
        with pytest.raises(TypeError, match=f"hologram.ops.{name}: "):
            getattr(ops, name)(sample(dtype), sample(dtype))
        return
    a = sample(dtype)
    b = sample(dtype, positive=name in ("power", "floor_divide", "remainder"))
    if name == "power" and dtype.kind in "iu":
        a, b = a % 7, b % 5
    with np.errstate(all="ignore"):
        want = numpy_of(name)(a, b)
    assert_like_numpy(getattr(ops, name)(a, b), want, np.asarray(want).dtype.kind)


# --- promotion and scalars ------------------------------------------------------------------------
def test_promotion_follows_numpy_2():
    f32, f64, i8, u8 = (np.ones(5, t) for t in (np.float32, np.float64, np.int8, np.uint8))
    cases = [(f32, f64), (f32, np.float64(2)), (f32, 2.0), (i8, u8), (i8, f32), (u8, 200),
             (np.int32(3) * np.ones(5, np.int32), 2.5), (f32, np.int64(2))]
    for a, b in cases:
        assert ops.add(a, b).dtype == np.add(a, b).dtype, (a.dtype, type(b))
        np.testing.assert_array_equal(ops.add(a, b), np.add(a, b))
        np.testing.assert_array_equal(ops.subtract(b, a), np.subtract(b, a))


def test_numpy_scalars_and_0d_arrays():
    x = np.float32(2)
    assert ops.sqrt(x) == np.sqrt(x) and type(ops.sqrt(x)) is np.float32
    np.testing.assert_array_equal(ops.exp(np.array(1.0)), np.exp(np.array(1.0)))
    assert ops.add(np.array(1, np.int8), np.array(2, np.int8)).dtype == np.int8
    assert ops.add(1, 2) == 3
    np.testing.assert_array_equal(ops.maximum(np.arange(3.0), np.float64(1)),
                                  np.maximum(np.arange(3.0), 1))


def test_python_scalars_overflow_like_numpy():
    x = np.ones(3, np.float32)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(ops.add(x, 1e40), np.add(x, np.float32(np.inf)))
    with pytest.raises(OverflowError, match="hologram.ops.add: Python integer 300 out of bounds "
                                            "for int8"):
        ops.add(np.ones(3, np.int8), 300)
    with pytest.raises(OverflowError):
        np.add(np.ones(3, np.int8), 300)  # numpy's answer too
    np.testing.assert_array_equal(ops.add(np.full(3, 100, np.int8), np.int8(100)),
                                  np.full(3, 100, np.int8) + np.int8(100))  # wraps


# --- shapes ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("sa, sb", [((2, 3, 4), (2, 1, 4)), ((3, 1, 5), (1, 4, 1)),
                                    ((2, 1, 3, 1), (4, 1, 2)), ((), (3, 2)), ((5,), ())])
def test_broadcasting_any_rank(sa, sb):
    a, b = sample(np.dtype(np.float32), sa), sample(np.dtype(np.float32), sb)
    for name in ("add", "multiply", "hypot", "less", "maximum"):
        want = numpy_of(name)(a, b)
        assert_like_numpy(getattr(ops, name)(a, b), want, np.asarray(want).dtype.kind)


def test_where_and_clip_broadcast():
    c = rng.random((3, 1, 4)) > 0.5
    x, y = np.arange(12.0).reshape(3, 4), np.float32(-1)
    np.testing.assert_array_equal(ops.where(c, x[:, None, :], y), np.where(c, x[:, None, :], y))
    assert ops.where(c, x[:, None, :], y).dtype == np.float64
    lo, hi = np.zeros((3, 1)), np.full(4, 2.0)
    np.testing.assert_array_equal(ops.clip(x, lo, hi), np.clip(x, lo, hi))


def test_matmul_broadcast_and_integers():
    a = rng.standard_normal((2, 3, 4)).astype(np.float32)
    b = rng.standard_normal((4, 5)).astype(np.float32)
    np.testing.assert_allclose(ops.matmul(a, b), a @ b, rtol=1e-5, atol=1e-5)
    i, j = np.arange(24).reshape(2, 3, 4), np.arange(8).reshape(4, 2)
    np.testing.assert_array_equal(ops.matmul(i, j), i @ j)
    np.testing.assert_array_equal(ops.matmul(np.arange(4), i.transpose(0, 2, 1)),
                                  np.arange(4) @ i.transpose(0, 2, 1))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.uint64, np.bool_,
                                   np.int8])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2), (1, 2), ()])
def test_reductions_axis_tuples_keepdims_every_dtype(dtype, axis):
    x = sample(np.dtype(dtype), (3, 4, 5))
    x = np.where(np.isnan(x), 1, x).astype(dtype) if x.dtype.kind == "f" else x
    for name in ("sum", "prod", "max", "min", "any", "all"):
        if name in ("max", "min") and axis == ():
            continue
        for keep in (False, True):
            want = getattr(np, name)(x, axis=axis, keepdims=keep)
            got = getattr(ops, name)(x, axis=axis, keepdims=keep)
            assert_like_numpy(got, want, np.asarray(want).dtype.kind)
    if x.dtype.kind != "b":
        for name in ("mean", "var", "std"):
            want = getattr(np, name)(x, axis=axis)
            assert_like_numpy(getattr(ops, name)(x, axis=axis), want, "f")


def test_reduction_dtype_argument():
    x = np.arange(10, dtype=np.int32)
    for dt in (np.float32, np.int64, np.int32, np.float64):
        assert_like_numpy(ops.sum(x, dtype=dt), np.sum(x, dtype=dt), np.dtype(dt).kind)
        assert_like_numpy(ops.prod(x[1:5], dtype=dt), np.prod(x[1:5], dtype=dt),
                          np.dtype(dt).kind)
    assert_like_numpy(ops.cumsum(x, dtype=np.float64), np.cumsum(x, dtype=np.float64), "f")


def test_long_whole_array_reductions():
    x = rng.integers(-1000, 1000, 300_001)
    assert ops.sum(x) == x.sum() and ops.max(x) == x.max() and ops.argmin(x) == x.argmin()
    f = rng.standard_normal(300_001)
    np.testing.assert_allclose(ops.norm(f), np.linalg.norm(f), rtol=1e-12)
    assert ops.any(np.zeros(200_000, bool)) == np.False_


def test_concatenate_axis_none_0d_and_promotion():
    parts = [np.array(1.5), np.arange(3, dtype=np.int8), np.ones((2, 2), np.float32)]
    assert_like_numpy(ops.concat(parts, axis=None), np.concatenate(parts, axis=None), "f")
    a, b = np.ones((2, 3), np.int32), np.zeros((1, 3), np.uint32)
    assert_like_numpy(ops.concatenate([a, b]), np.concatenate([a, b]), "i")
    with pytest.raises(ValueError, match="zero-dimensional arrays cannot be concatenated"):
        ops.concatenate([np.array(1.0), np.array(2.0)])


# --- views ----------------------------------------------------------------------------------------
def test_views_run_without_a_copy_or_once():
    x = rng.standard_normal((6, 8)).astype(np.float32)
    for view in (x[:, 0], x.T, x[::-2, 1::3], x[::-1], np.broadcast_to(x[0], (3, 8))):
        np.testing.assert_allclose(ops.exp(view), np.exp(view), rtol=1e-6)
        np.testing.assert_array_equal(ops.add(view, view), view + view)
        np.testing.assert_allclose(ops.sum(view, axis=0), view.sum(axis=0), rtol=1e-5,
                                   atol=1e-5)
        np.testing.assert_array_equal(ops.transpose(view), view.T)
        np.testing.assert_array_equal(ops.sort(view), np.sort(view))


# --- out= -----------------------------------------------------------------------------------------
def test_out_partial_overlap_goes_through_a_temporary():
    x = np.arange(10, dtype=np.float32) - 4
    y = x.copy()
    ops.relu(x[:-1], out=x[1:])
    np.maximum(y[:-1], 0, out=y[1:])
    np.testing.assert_array_equal(x, y)
    x = np.arange(10, dtype=np.float32)
    y = x.copy()
    ops.add(x[1:], 1.0, out=x[:-1])
    np.add(y[1:], 1.0, out=y[:-1])
    np.testing.assert_array_equal(x, y)
    m = np.arange(12, dtype=np.float64).reshape(3, 4)
    want = m + m.T[:, :3].T
    assert ops.add(m, m.T[:, :3].T, out=m) is m
    np.testing.assert_array_equal(m, want)


def test_out_exact_alias_is_in_place_and_non_contiguous_out():
    x = np.arange(8, dtype=np.float32)
    assert ops.multiply(x, x, out=x) is x
    np.testing.assert_array_equal(x, np.arange(8, dtype=np.float32) ** 2)
    big = np.zeros((4, 6), np.float32)
    ops.negative(np.ones((4, 3), np.float32), out=big[:, ::2])
    np.testing.assert_array_equal(big[:, ::2], -1)
    np.testing.assert_array_equal(big[:, 1::2], 0)


# --- special values -------------------------------------------------------------------------------
def test_clip_swapped_and_nan_bounds_like_numpy():
    x = np.array([-2.0, 0.5, 3.0, np.nan], np.float32)
    for lo, hi in ((2.0, 1.0), (np.nan, 1.0), (0.0, np.nan), (None, 1.0), (0.0, None)):
        np.testing.assert_array_equal(ops.clip(x, lo, hi), np.clip(x, lo, hi))
    i = np.arange(-5, 5, dtype=np.int32)
    np.testing.assert_array_equal(ops.clip(i, -2, 3), np.clip(i, -2, 3))
    assert ops.clip(i, -2.5, 3).dtype == np.clip(i, -2.5, 3).dtype


def test_nrm2_and_norm_scale_like_blas():
    for v in (1e20, 3e-30):
        x = np.full(4, v, np.float32)
        np.testing.assert_allclose(ops.nrm2(x), 2 * v, rtol=1e-6)
        np.testing.assert_allclose(ops.norm(x), 2 * v, rtol=1e-6)


def test_gelu_silu_limits_and_gelu_tail_accuracy():
    inf = np.array([-np.inf, np.inf], np.float32)
    np.testing.assert_array_equal(ops.gelu(inf), [0.0, np.inf])
    np.testing.assert_array_equal(ops.silu(inf), [0.0, np.inf])
    assert np.signbit(ops.gelu(inf)[0]) and np.signbit(ops.silu(inf)[0])
    x = np.linspace(-12, -4, 33)
    want = np.array([0.5 * v * math.erfc(-v / math.sqrt(2)) for v in x])
    np.testing.assert_allclose(ops.gelu(x), want, rtol=1e-12)
    np.testing.assert_allclose(ops.gelu(x.astype(np.float32)), want, rtol=2e-5)


def test_sign_of_zero_in_max_and_minimum_is_numpys():
    pairs = np.array([-0.0, 0.0, 0.0, -0.0], np.float32)
    a, b = pairs[:2], pairs[2:]
    for name in ("maximum", "minimum"):
        got, want = getattr(ops, name)(a, b), getattr(np, name)(a, b)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    for arr in ([0.0, -0.0], [-0.0, 0.0], [-0.0, -0.0, 0.0]):
        x = np.array(arr, np.float32)
        for name in ("max", "min"):
            assert np.signbit(getattr(ops, name)(x)) == np.signbit(getattr(np, name)(x)), arr
            assert np.signbit(getattr(ops, name)(x[None], axis=1)[0]) == \
                np.signbit(getattr(np, name)(x)), arr


# --- errors ---------------------------------------------------------------------------------------
def test_errors_name_the_op():
    with pytest.raises(ValueError, match="hologram.ops.dot: shapes"):
        ops.dot(np.ones((2, 3), np.float32), np.ones(4, np.float32))
    with pytest.raises(ValueError, match="hologram.ops.slice: slice step cannot be zero"):
        ops.slice(np.ones(3, np.float32), np.s_[::0])
    with pytest.raises(TypeError, match="hologram.ops.sum: argument 'dtype'"):
        ops.sum(np.ones(3), dtype="float128x")
    with pytest.raises(TypeError, match="hologram.ops.exp: has no kernel for float16"):
        ops.exp(np.ones(3, np.float16))
    np.testing.assert_array_equal(ops.abs(np.array([-1.0])), [1.0])  # float64 has a kernel now


# --- the ops a numpy user reaches for --------------------------------------------------------------
def test_new_reductions_against_numpy():
    x = rng.standard_normal((4, 5))
    np.testing.assert_allclose(ops.cumsum(x, axis=1), np.cumsum(x, axis=1), rtol=1e-12)
    np.testing.assert_allclose(ops.cumprod(x, axis=0), np.cumprod(x, axis=0), rtol=1e-12)
    np.testing.assert_allclose(ops.cumsum(x), np.cumsum(x), rtol=1e-12)
    lse = np.log(np.exp(x).sum(axis=1))
    np.testing.assert_allclose(ops.logsumexp(x, axis=1), lse, rtol=1e-12)
    assert ops.logsumexp(np.array([1000.0, 1000.0])) == pytest.approx(1000 + math.log(2))
    np.testing.assert_allclose(ops.var(x, ddof=1), np.var(x, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(ops.std(x, axis=0, correction=1), np.std(x, axis=0, ddof=1),
                               rtol=1e-12)
    assert ops.count_nonzero(np.array([0, 1, 2])) == 2


def test_new_shape_ops_against_numpy():
    x = np.arange(24, dtype=np.int64).reshape(2, 3, 4)
    eq = np.testing.assert_array_equal
    eq(ops.reshape(x, (4, -1)), x.reshape(4, -1))
    eq(ops.stack([x, x], axis=1), np.stack([x, x], axis=1))
    for a, b in zip(ops.split(x, 2, axis=2), np.split(x, 2, axis=2)):
        eq(a, b)
    eq(ops.squeeze(x[:, :1]), np.squeeze(x[:, :1]))
    eq(ops.expand_dims(x, -1), np.expand_dims(x, -1))
    eq(ops.broadcast_to(x[0, 0], (2, 4)), np.broadcast_to(x[0, 0], (2, 4)))
    eq(ops.flip(x, 1), np.flip(x, 1))
    eq(ops.roll(x, 2, axis=2), np.roll(x, 2, axis=2))
    eq(ops.tile(x[0], 2), np.tile(x[0], 2))
    eq(ops.repeat(x, 2, axis=0), np.repeat(x, 2, axis=0))
    eq(ops.tril(x, -1), np.tril(x, -1))
    eq(ops.triu(x[0], 1), np.triu(x[0], 1))
    eq(ops.outer(x[0, 0], x[1, 1]), np.outer(x[0, 0], x[1, 1]))
    v = rng.standard_normal(100)
    v[[5, 50]] = np.nan
    eq(ops.sort(v), np.sort(v))
    eq(ops.argsort(v), np.argsort(v, kind="stable"))
    ints = rng.integers(0, 5, (3, 40))
    eq(ops.argsort(ints, axis=1), np.argsort(ints, axis=1, kind="stable"))
    eq(ops.sort(ints, axis=0), np.sort(ints, axis=0))


def test_new_nn_ops_against_references():
    x = rng.standard_normal((3, 4, 6)).astype(np.float32)
    w = rng.standard_normal(6).astype(np.float32)
    ref = x / np.sqrt((x.astype(np.float64) ** 2).mean(-1, keepdims=True) + 1e-6) * w
    np.testing.assert_allclose(ops.rms_norm(x, w), ref, rtol=1e-5, atol=1e-6)
    g = x.reshape(3, 2, -1).astype(np.float64)
    ref = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + 1e-5))
    np.testing.assert_allclose(ops.group_norm(x, 2), ref.reshape(x.shape), rtol=1e-5, atol=1e-5)
    logits = rng.standard_normal((5, 7)).astype(np.float32)
    t = rng.integers(0, 7, 5)
    logp = logits - np.log(np.exp(logits.astype(np.float64)).sum(-1, keepdims=True))
    np.testing.assert_allclose(ops.cross_entropy(logits, t), -logp[np.arange(5), t].mean(),
                               rtol=1e-5)
    table = rng.standard_normal((9, 3)).astype(np.float32)
    idx = rng.integers(0, 9, (2, 4))
    np.testing.assert_array_equal(ops.embedding(idx, table), table[idx])
    xc = rng.standard_normal((2, 3, 10)).astype(np.float32)
    wk = rng.standard_normal((4, 3, 3)).astype(np.float32)
    xp = np.pad(xc, ((0, 0), (0, 0), (1, 1))).astype(np.float64)
    ref = np.stack([sum(xp[:, :, 2 * o + k] @ wk[:, :, k].T for k in range(3))
                    for o in range(5)], -1)
    np.testing.assert_allclose(ops.conv1d(xc, wk, stride=2, padding=1), ref, rtol=1e-5,
                               atol=1e-5)


def test_generic_kernels_simulate_like_they_compile():
    """A specialization of a generic kernel runs in pure Python (Kernel.simulate) as compiled."""
    for name in ("maximum_strided_i64", "where_f64", "sum_axis_u32", "sort_axis_i32"):
        k = ops.stdlib_kernel(name)
        assert k.name == name
    x = np.array([3, -1, 7, 2], np.int64)
    y = np.array([1, 5], np.int64)
    want = np.maximum(x.reshape(2, 2), y)
    out, out_sim = np.zeros(4, np.int64), np.zeros(4, np.int64)
    args = [x, y, out, 4, 2, np.array([2, 2], np.int64), np.array([2, 1, 0], np.int64),
            np.array([0, 1, 0], np.int64)]
    ops.stdlib_kernel("maximum_strided_i64")(*args)
    ops.stdlib_kernel("maximum_strided_i64").simulate(*args[:2], out_sim, *args[3:])
    np.testing.assert_array_equal(out.reshape(2, 2), want)
    np.testing.assert_array_equal(out_sim, out)


def test_every_new_op_is_public_and_traceable_or_named():
    for name in ("equal", "less", "greater", "logical_and", "logical_or", "logical_not",
                 "isnan", "isfinite", "isinf", "var", "std", "prod", "any", "all", "cumsum",
                 "cumprod", "logsumexp", "log1p", "expm1", "log2", "log10", "tan", "arcsin",
                 "arccos", "arctan", "sinh", "cosh", "arcsinh", "arccosh", "arctanh", "floor",
                 "ceil", "round", "trunc", "sign", "square", "reciprocal", "remainder", "hypot",
                 "reshape", "stack", "split", "squeeze", "expand_dims", "broadcast_to", "flip",
                 "roll", "tile", "repeat", "tril", "triu", "sort", "argsort", "outer",
                 "rms_norm", "group_norm", "cross_entropy", "embedding", "conv1d"):
        assert name in ops.OPS and getattr(ops, name) is ops.OPS[name], name

    @hologram.jit
    def f(a, b):
        return ops.logical_and(ops.less(a, b), ops.isfinite(ops.log2(ops.square(a))))

    a, b = rng.standard_normal(64).astype(np.float32), rng.standard_normal(64).astype(np.float32)
    with np.errstate(divide="ignore"):
        want = np.logical_and(a < b, np.isfinite(np.log2(a * a)))
    np.testing.assert_array_equal(f(a, b), want)


# --- found by the array API conformance suite (docs/ops.md) -------------------------------------
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_floor_divide_and_remainder_by_infinity_like_numpy(dt):
    x = np.array([1, -1, 1, -1, 0, -0.0, 2.5, np.inf, -np.inf, np.nan, 3], dt)
    y = np.array([np.inf, np.inf, -np.inf, -np.inf, np.inf, -np.inf, 3, 2, 2, np.inf, np.nan],
                 dt)
    for f in ("floor_divide", "remainder"):
        with np.errstate(all="ignore"):
            got, want = getattr(ops, f)(x, y), getattr(np, f)(x, y)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want, err_msg=f)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want), err_msg=f)


@pytest.mark.parametrize("dt", [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.int64,
                                np.uint32, np.uint64])
def test_round_keeps_integer_dtypes(dt):
    x = sample(np.dtype(dt), (3, 5))
    got, want = ops.round(x), np.round(x)
    assert got.dtype == want.dtype == dt
    np.testing.assert_array_equal(got, want)
    assert repr(ops.round(dt(7))) == repr(np.round(dt(7)))
    assert repr(ops.round(7)) == repr(np.round(7))


@pytest.mark.parametrize("dt", [np.int8, np.uint8, np.int16, np.uint16])
def test_sum_prod_cumulative_with_a_narrow_dtype_argument(dt):
    a = np.array([[100, 100, 100], [7, 8, 9]], np.int32)
    for axis in (None, 0, 1):
        for f in ("sum", "prod"):
            got, want = getattr(ops, f)(a, axis=axis, dtype=dt), getattr(np, f)(a, axis=axis,
                                                                              dtype=dt)
            assert np.asarray(got).dtype == np.asarray(want).dtype == dt
            np.testing.assert_array_equal(got, want)
    for f in ("cumulative_sum", "cumulative_prod"):
        got, want = getattr(ops, f)(a, axis=1, dtype=dt), getattr(np, f)(a, axis=1, dtype=dt)
        assert got.dtype == want.dtype == dt
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dt", [np.int8, np.uint8, np.int32, np.uint32, np.int64, np.float32])
def test_vecdot_keeps_numpys_result_dtype(dt):
    a = np.array([[100, 100, 100], [7, 8, 9]], dt)
    got, want = ops.vecdot(a, a), np.vecdot(a, a)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_repeat_with_one_count_as_an_array():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    for reps in (np.array(2), np.array([2])):
        for axis in (None, 0, 1):
            np.testing.assert_array_equal(ops.repeat(x, reps, axis=axis),
                                          np.repeat(x, reps, axis=axis))
    empty = np.zeros((0, 3), np.float32)
    assert ops.repeat(empty, np.array([2]), axis=0).shape == (0, 3)


def test_the_small_call_front_falls_back_to_numpys_rules():
    """The public elementwise functions launch the common call (1-D C-contiguous arrays of one
    dtype) themselves; every other call must reach the general path and still be numpy's."""
    a = np.arange(10, dtype=np.float32)
    b = np.arange(10, 20, dtype=np.float32)
    np.testing.assert_array_equal(ops.add(a, b), a + b)                  # the front
    np.testing.assert_allclose(ops.exp(a), np.exp(a), rtol=2e-7)  # libm vs numpy: 1 ulp
    assert ops.add(a[:0], b[:0]).shape == (0,)
    np.testing.assert_array_equal(ops.add(a[::2], b[::2]), a[::2] + b[::2])   # strided
    got = ops.add(a, b.astype(np.float64))                               # promotion
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, a + b.astype(np.float64))
    with pytest.raises(ValueError):
        ops.add(a, np.arange(11, dtype=np.float32))                      # no broadcast
    out = np.empty(10, np.float32)
    assert ops.multiply(a, b, out=out) is out
    np.testing.assert_array_equal(out, a * b)
    m = a.reshape(2, 5)
    np.testing.assert_array_equal(ops.negative(m), -m)                   # 2-D
    assert ops.add.op_name == "add" and ops.OPS["add"] is ops.add
