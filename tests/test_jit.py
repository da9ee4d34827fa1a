"""`@hologram.jit`: traced op graphs, fused into one program, against numpy.

Each jitted function compiles once per (dtypes, ranks, size-1 dimensions), so the functions are
module-level and several results share one function where that keeps the compile count down.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import hologram
import hologram.ops as ops
from hologram.tracing import JitError, Traced

SIZES = [0, 1, 7, 1000, 3072, 100003]
RTOL = 2e-6  # float32 math functions, a few ulp
GELU_ATOL = 1e-6  # 1 + erf(x) cancels for x < 0: absolute error of float32 erf


def rand(*shape, seed=0, lo=-2.0, hi=2.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape).astype(np.float32)


def np_sigmoid(x):
    return (1.0 / (1.0 + np.exp(-x.astype(np.float64)))).astype(np.float32)


_erf = np.vectorize(math.erf)


def np_gelu(x):
    x = x.astype(np.float64)
    return (0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))).astype(np.float32)


# The three benchmark functions.
@hologram.jit
def sigmoid_chain(a, b, c):
    return ops.sigmoid(a * b + c)


@hologram.jit
def gelu_bias(x, bias):
    return ops.gelu(x + bias)


@hologram.jit
def five_ops(a, b):
    return ops.tanh(ops.exp(-(a * b + 1.0)) * 0.5 - a)


def launches(text: str) -> int:
    return text.count("hologram.launch")


@pytest.mark.parametrize("n", SIZES)
def test_sigmoid_chain_matches_numpy(n):
    a, b, c = rand(n, seed=1), rand(n, seed=2), rand(n, seed=3)
    got = sigmoid_chain(a, b, c)
    assert got.shape == (n,) and got.dtype == np.float32
    np.testing.assert_allclose(got, np_sigmoid(a * b + c), rtol=RTOL, atol=1e-7)


def test_sigmoid_chain_is_one_fused_launch():
    a = rand(10)
    sigmoid_chain(a, a, a)
    before = sigmoid_chain.mlir(stage="before")
    after = sigmoid_chain.mlir(stage="after")
    assert launches(before) == 3 and before.count("memref.alloc") == 2
    assert launches(after) == 1 and "memref.alloc" not in after
    assert "fused_mul_f32_add_f32_sigmoid_f32" in after
    both = sigmoid_chain.mlir()
    assert before in both and after in both
    assert "hg_fused_mul_f32_add_f32_sigmoid_f32" in sigmoid_chain.c_source()


def test_gelu_bias_and_five_op_chain_match_numpy_and_fuse():
    x, bias = rand(3001, seed=4), rand(3001, seed=5)
    np.testing.assert_allclose(gelu_bias(x, bias), np_gelu(x + bias), rtol=RTOL, atol=GELU_ATOL)
    assert launches(gelu_bias.mlir(stage="after")) == 1
    a, b = rand(3001, seed=6), rand(3001, seed=7)
    want = np.tanh(np.exp(-(a.astype(np.float64) * b + 1.0)) * 0.5 - a)
    np.testing.assert_allclose(five_ops(a, b), want, rtol=RTOL, atol=1e-6)
    assert launches(five_ops.mlir(stage="before")) == 7  # mul add neg exp mul sub tanh
    assert launches(five_ops.mlir(stage="after")) == 1


def test_same_answer_as_op_by_op():
    a, b, c = rand(5000, seed=8), rand(5000, seed=9), rand(5000, seed=10)
    by_ops = ops.sigmoid(ops.add(ops.multiply(a, b), c))
    np.testing.assert_allclose(sigmoid_chain(a, b, c), by_ops, rtol=RTOL, atol=1e-7)


@hologram.jit
def operators(a, b):
    return (-a, a / 2.0, 2.0 * a, 2.0 / b, 1.0 - a, a - b, np.float32(3) * a, a ** 2.0,
            abs(a), +a, ops.maximum(a, b), ops.clip(a, -0.5, None))


def test_operators_work_as_in_numpy():
    a, b = rand(777, seed=11), rand(777, seed=12, lo=0.5, hi=2.0)
    want = (-a, a / 2.0, 2.0 * a, 2.0 / b, 1.0 - a, a - b, np.float32(3) * a, a ** 2.0,
            abs(a), a, np.maximum(a, b), np.clip(a, -0.5, None))
    got = operators(a, b)
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, w in zip(got, want):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, w, rtol=RTOL)
    assert got[9] is not a  # `+a` is a copy, as in numpy


@hologram.jit
def with_scalar(a, s):
    return ops.leaky_relu(a * s + (s * 2.0 - 1.0), s)


def test_scalar_arguments_are_program_parameters():
    a = rand(500, seed=13)
    for s in (0.25, 3.0, -1.5):
        x = a * np.float32(s) + np.float32(s * 2.0 - 1.0)
        want = np.where(x >= 0, x, np.float32(s) * x)
        np.testing.assert_allclose(with_scalar(a, s), want, rtol=1e-6, atol=1e-6)
    assert len(with_scalar._cache) == 1  # one trace for all three values


@hologram.jit
def reductions(a, b):
    t = a * b
    return ops.sum(t), ops.mean(t + 1.0), t / ops.sum(t)


@pytest.mark.parametrize("n", [0, 7, 100003])
def test_whole_array_reductions_run_inside_the_program(n):
    a, b = rand(n, seed=14, lo=0.5, hi=1.5), rand(n, seed=15, lo=0.5, hi=1.5)
    total, mean, normalized = reductions(a, b)
    t = a.astype(np.float64) * b
    assert isinstance(total, np.float32)
    np.testing.assert_allclose(total, t.sum(), rtol=1e-5)
    if n:
        np.testing.assert_allclose(mean, (t + 1).mean(), rtol=1e-5)
        np.testing.assert_allclose(normalized, t / t.sum(), rtol=1e-5)
    else:
        assert total == 0 and np.isnan(mean) and normalized.shape == (0,)


def test_reduction_consumer_is_not_fused_with_its_broadcast_reader():
    a = rand(10, seed=16)
    reductions(a, a)
    after = reductions.mlir(stage="after")
    # mul fuses into the sum and the mean's producer; the division by the sum cannot join them.
    assert 1 < launches(after) < launches(reductions.mlir(stage="before"))


@hologram.jit
def rows(x):
    y = ops.exp(x) * 0.5
    return ops.softmax(y, axis=-1) + 1.0, ops.sum(y, axis=0), ops.max(x, axis=1), ops.mean(x, 1)


def test_row_ops_and_axis_reductions():
    x = rand(33, 17, seed=17)
    soft, col_sum, row_max, row_mean = rows(x)
    y = np.exp(x.astype(np.float64)) * 0.5
    e = np.exp(y - y.max(-1, keepdims=True))
    np.testing.assert_allclose(soft, e / e.sum(-1, keepdims=True) + 1.0, rtol=1e-5)
    np.testing.assert_allclose(col_sum, y.sum(0), rtol=1e-5)
    np.testing.assert_array_equal(row_max, x.max(1))
    np.testing.assert_allclose(row_mean, x.astype(np.float64).mean(1), rtol=1e-5, atol=1e-6)
    before, after = rows.mlir(stage="before"), rows.mlir(stage="after")
    assert "softmax_f32" in after and launches(after) < launches(before)


def test_broadcast_bias_row_against_a_matrix():
    x, bias = rand(40, 25, seed=18), rand(25, seed=19)
    np.testing.assert_allclose(gelu_bias(x, bias), np_gelu(x + bias), rtol=RTOL, atol=GELU_ATOL)
    # the bias is read at (idx % 25): it cannot be a fused temporary, but gelu fuses with the add
    assert launches(gelu_bias.mlir(x, bias, stage="after")) == 1


def test_float64_where_the_stdlib_has_kernels():
    @hologram.jit
    def f(a, b):
        return ops.exp(a * b - 1.0)

    a, b = rand(99, seed=20).astype(np.float64), rand(99, seed=21).astype(np.float64)
    got = f(a, b)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, np.exp(a * b - 1.0), rtol=1e-14)


# ------------------------------------------------------------------------------------------------
# Errors
# ------------------------------------------------------------------------------------------------
def test_shape_mismatch_is_checked_at_every_call():
    with pytest.raises(ValueError, match=r"sigmoid_chain: shapes do not match for 'multiply'.*"
                                         r"a\.shape\[0\] is 4 but b\.shape\[0\] is 5"):
        sigmoid_chain(rand(4), rand(5), rand(4))
    with pytest.raises(ValueError, match="shapes do not match for 'add'"):
        sigmoid_chain(rand(4), rand(4), rand(6))


def test_bad_arguments():
    with pytest.raises(ValueError, match="not C-contiguous"):
        sigmoid_chain(rand(8)[::2], rand(4), rand(4))
    with pytest.raises(JitError, match=r"multiply: arrays of different dtypes \('a' int32"):
        sigmoid_chain(np.arange(4, dtype=np.int32), rand(4), rand(4))
    with pytest.raises(JitError, match="argument 'a' has dtype float16"):
        sigmoid_chain(np.zeros(4, np.float16), rand(4), rand(4))
    with pytest.raises(JitError, match="must be a numpy array or a number, got str"):
        sigmoid_chain("x", rand(4), rand(4))
    with pytest.raises(JitError, match="keyword arguments"):
        sigmoid_chain(a=rand(4), b=rand(4), c=rand(4))


def test_unsupported_op_names_it():
    @hologram.jit
    def f(a):
        return ops.argmax(a)

    with pytest.raises(JitError, match=r"hologram\.ops\.argmax cannot be traced yet"):
        f(rand(4))


def test_missing_kernel_names_it():
    @hologram.jit
    def f(a):
        return ops.sigmoid(a)

    with pytest.raises(JitError, match="no stdlib kernel 'sigmoid_i32'"):
        f(np.arange(4, dtype=np.int32))


def test_traced_values_refuse_what_they_cannot_do():
    @hologram.jit
    def shape(a):
        return a * a.shape[0]

    @hologram.jit
    def branch(a):
        return a if a else -a

    @hologram.jit
    def outside(a):
        return ops.add(a, np.ones(3, np.float32))

    @hologram.jit
    def number(a):
        return 1.0

    @hologram.jit
    def mixed(a, b):
        return a + b

    @hologram.jit
    def with_out(a):
        return ops.exp(a, out=a)

    for fn, pattern in [(shape, "shape of 'a' is not known"), (branch, "as a condition"),
                        (outside, "not an argument of the traced function"),
                        (number, "must return traced arrays"), (with_out, r"out=\.\.\.")]:
        with pytest.raises(JitError, match=pattern):
            fn(rand(3))
    with pytest.raises(JitError, match="different dtypes"):
        mixed(rand(3), rand(3).astype(np.float64))


def test_escaped_traced_value_is_an_error():
    kept = []

    @hologram.jit
    def leak(a):
        kept.append(a)
        return a * 2.0

    leak(rand(3))
    assert isinstance(kept[0], Traced)
    with pytest.raises(JitError, match="outside of its @hologram.jit function"):
        ops.exp(kept[0])


def test_mlir_before_any_call_needs_arguments():
    @hologram.jit
    def f(a):
        return a + 1.0

    with pytest.raises(JitError, match="not traced yet"):
        f.mlir()
    assert launches(f.mlir(rand(3), stage="after")) == 1


@hologram.jit
def passthrough(a, b):
    return a, [b * 2.0, a]


def test_returning_an_input_returns_that_array():
    a, b = rand(4, seed=22), rand(4, seed=23)
    first, (doubled, again) = passthrough(a, b)
    assert first is a and again is a
    np.testing.assert_array_equal(doubled, b * 2.0)


def test_jit_is_the_decorator_even_after_the_tracing_module_is_imported():
    import hologram.tracing  # noqa: F401  (the op dispatcher imports it too)

    deco = hologram.jit
    assert deco is hologram.tracing.jit

    @deco
    def f(a):
        return a - 1.0

    np.testing.assert_array_equal(f(np.ones(2, np.float32)), np.zeros(2, np.float32))


def test_new_elementwise_ops_comparisons_and_where_trace():
    """The ops added with the shared op registry trace too: math, comparisons, where."""
    @hologram.jit
    def f(a, b):
        m = ops.greater(a, b)
        return ops.where(m, ops.log1p(ops.abs(a)), ops.hypot(a, b)), ops.isfinite(a)

    a, b = rand(257), rand(257) * 2
    a[3] = np.inf
    got, fin = f(a, b)
    want = np.where(a > b, np.log1p(np.abs(a)), np.hypot(a, b))
    np.testing.assert_allclose(got, want, rtol=2e-6)
    np.testing.assert_array_equal(fin, np.isfinite(a))
    assert fin.dtype == np.bool_


def test_float64_and_int_programs_trace():
    @hologram.jit
    def f(a, b):
        return ops.maximum(ops.multiply(a, b), a)

    a, b = rand(100).astype(np.float64), rand(100).astype(np.float64)
    np.testing.assert_array_equal(f(a, b), np.maximum(a * b, a))
    i, j = np.arange(-50, 50, dtype=np.int64), np.arange(100, dtype=np.int64)
    np.testing.assert_array_equal(f(i, j), np.maximum(i * j, i))
