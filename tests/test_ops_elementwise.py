"""hologram.ops elementwise ops and activations against numpy (tolerances: docs/ops.md)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import hologram.ops as ops

SIZES = [0, 1, 7, 1000, 3072, 100003]
# Values where numpy defines the answer: NaN, ±inf, ±0, overflow and underflow edges.
SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1e-30, -1e-30,
                    1e30, -1e30, 20.0, -20.0, 88.0, -89.0, 100.0, -100.0, 3.4e38, -3.4e38],
                   dtype=np.float32)


def data(n, seed=0, lo=-4.0, hi=4.0):
    return np.random.default_rng(seed + n).uniform(lo, hi, n).astype(np.float32)


_erf = np.vectorize(math.erf, otypes=[np.float64])


def _f64(fn):
    def ref(*xs):
        with np.errstate(all="ignore"):
            return fn(*(x.astype(np.float64) if isinstance(x, np.ndarray) else x for x in xs))
    return ref


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


UNARY = {
    # op: (reference in float64, input range, rtol, atol)
    "negative": (np.negative, (-4, 4), 0, 0),
    "abs": (np.abs, (-4, 4), 0, 0),
    "sqrt": (np.sqrt, (0, 100), 1e-6, 0),
    "rsqrt": (lambda x: 1 / np.sqrt(x), (0.01, 100), 1e-6, 0),
    "exp": (np.exp, (-80, 80), 2e-6, 0),
    "log": (np.log, (1e-6, 1e6), 2e-6, 1e-6),
    "sin": (np.sin, (-10, 10), 2e-6, 1e-6),
    "cos": (np.cos, (-10, 10), 2e-6, 1e-6),
    "tanh": (np.tanh, (-10, 10), 2e-6, 1e-6),
    "erf": (_erf, (-5, 5), 2e-6, 1e-6),
    "relu": (lambda x: np.maximum(x, 0), (-4, 4), 0, 0),
    "sigmoid": (_sigmoid, (-100, 100), 2e-6, 1e-7),
    "silu": (lambda x: x * _sigmoid(x), (-100, 100), 2e-6, 1e-6),
    "softplus": (lambda x: np.logaddexp(0, x), (-100, 100), 2e-6, 1e-7),
    "elu": (lambda x: np.where(x > 0, x, np.expm1(x)), (-20, 20), 2e-6, 1e-7),
    "gelu": (lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))), (-10, 10), 2e-6, 1e-6),
}


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_against_float64(name, n):
    ref, (lo, hi), rtol, atol = UNARY[name]
    x = data(n, lo=lo, hi=hi)
    got = getattr(ops, name)(x)
    assert got.dtype == np.float32 and got.shape == x.shape and got is not x
    want = _f64(ref)(x)
    if rtol == 0 and atol == 0:
        np.testing.assert_array_equal(got, want.astype(np.float32))
    else:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


NUMPY_SPECIAL = {
    # ops whose special-value answers numpy (or the float64 formula) defines
    "negative": np.negative, "abs": np.abs, "sqrt": np.sqrt, "exp": np.exp, "log": np.log,
    "tanh": np.tanh, "relu": lambda x: np.where(np.isnan(x), x, np.maximum(x, 0)),
    "sigmoid": _sigmoid, "softplus": lambda x: np.logaddexp(0, x),
    "rsqrt": lambda x: 1 / np.sqrt(x), "erf": _erf,
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
}


@pytest.mark.parametrize("name", sorted(NUMPY_SPECIAL))
def test_unary_special_values(name):
    got = getattr(ops, name)(SPECIAL)
    with np.errstate(over="ignore"):
        want = _f64(NUMPY_SPECIAL[name])(SPECIAL).astype(np.float32)
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-7, equal_nan=True)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))


def test_sigmoid_has_no_nan_for_large_negative_inputs():
    x = np.array([-89.0, -100.0, -1e30, -np.inf, 89.0, np.inf], np.float32)
    np.testing.assert_array_equal(ops.sigmoid(x), [0, 0, 0, 0, 1, 1])


def test_gelu_tanh_approximation():
    x = data(1000, lo=-8, hi=8).astype(np.float64)
    want = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    got = ops.gelu(x.astype(np.float32), approximate="tanh")
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6)


def test_leaky_relu_and_elu_parameters():
    x = data(101)
    np.testing.assert_array_equal(ops.leaky_relu(x, 0.2), np.where(x < 0, np.float32(0.2) * x, x))
    np.testing.assert_array_equal(ops.leaky_relu(x), np.where(x < 0, np.float32(0.01) * x, x))
    want = np.where(x > 0, x, 0.5 * np.expm1(x.astype(np.float64)))
    np.testing.assert_allclose(ops.elu(x, alpha=0.5), want, rtol=2e-6, atol=1e-7)


def test_expm1_and_log1p_forms_are_accurate_near_zero():
    x = np.array([1e-8, -1e-8, 1e-5, -1e-5, -1e-3], np.float32)
    np.testing.assert_allclose(ops.elu(x), np.where(x > 0, x, np.expm1(x.astype(np.float64))),
                               rtol=1e-6)
    y = np.array([-20, -30, -50], np.float32)
    np.testing.assert_allclose(ops.softplus(y), np.log1p(np.exp(y.astype(np.float64))),
                               rtol=1e-6)


BINARY = {
    "add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.divide,
    "minimum": np.minimum, "maximum": np.maximum,
}


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_same_shape_is_exact(name, n):
    a, b = data(n, 1), data(n, 2)
    got = getattr(ops, name)(a, b)
    np.testing.assert_array_equal(got, BINARY[name](a, b))


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_scalar_on_either_side(name):
    a = data(1001)
    for s in (2.5, -3, np.float32(0.75)):
        np.testing.assert_array_equal(getattr(ops, name)(a, s), BINARY[name](a, np.float32(s)))
        np.testing.assert_array_equal(getattr(ops, name)(s, a), BINARY[name](np.float32(s), a))


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_special_values(name):
    a = SPECIAL
    b = np.roll(SPECIAL, 5)
    with np.errstate(all="ignore"):
        want = BINARY[name](a, b)
    np.testing.assert_array_equal(getattr(ops, name)(a, b), want)


def test_power():
    a, b = np.abs(data(3072, 3)) + 0.1, data(3072, 4)
    np.testing.assert_allclose(ops.power(a, b), _f64(np.power)(a, b), rtol=4e-6)
    np.testing.assert_allclose(ops.power(a, 1.5), _f64(np.power)(a, 1.5), rtol=4e-6)
    np.testing.assert_allclose(ops.power(2.0, b), _f64(np.power)(2.0, b), rtol=4e-6)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(ops.power(np.float32(-8.0) * np.ones(2, np.float32), 0.5),
                                      [np.nan, np.nan])


BROADCASTS = [
    ((5, 7), (7,)), ((5, 7), (1, 7)), ((5, 7), (5, 1)), ((5, 1), (1, 7)), ((7,), (5, 7)),
    ((2, 3, 4, 5), (3, 1, 1)), ((2, 3, 4, 5), (1,)), ((1,), (9,)), ((3, 4), ()),
    ((0, 4), (4,)), ((4, 1), (4, 0)),
]


@pytest.mark.parametrize("sa,sb", BROADCASTS)
@pytest.mark.parametrize("name", ["add", "subtract", "divide", "maximum", "power"])
def test_binary_broadcasting(name, sa, sb):
    rng = np.random.default_rng(7)
    a = rng.uniform(0.5, 2, sa).astype(np.float32)
    b = rng.uniform(0.5, 2, sb).astype(np.float32)
    fn = {"power": np.power, **BINARY}[name]
    got = getattr(ops, name)(a, b)
    want = fn(a, b)
    assert got.shape == want.shape
    if name == "power":
        np.testing.assert_allclose(got, want, rtol=4e-6)
    else:
        np.testing.assert_array_equal(got, want)


def test_broadcast_in_place_into_the_full_operand():
    x = data(35).reshape(5, 7)
    bias = data(7, 3)
    want = x + bias
    assert ops.add(x, bias, out=x) is x
    np.testing.assert_array_equal(x, want)
    # x[0] is stretched over rows that overwrite it: numpy's answer, through a temporary.
    want = x + x[0]
    assert ops.add(x, x[0], out=x) is x
    np.testing.assert_array_equal(x, want)


def test_any_broadcast_and_shape_errors():
    a = data(24).reshape(2, 3, 4)
    b = data(8, 2).reshape(2, 1, 4)
    np.testing.assert_array_equal(ops.add(a, b), a + b)
    with pytest.raises(ValueError, match="hologram.ops.add: operands could not be broadcast"):
        ops.add(np.ones(3, np.float32), np.ones(4, np.float32))


def test_float64_kernels():
    a, b = data(1001).astype(np.float64), data(1001, 9).astype(np.float64)
    for name in ("add", "subtract", "multiply", "divide"):
        got = getattr(ops, name)(a, b)
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, BINARY[name](a, b))
        np.testing.assert_array_equal(getattr(ops, name)(a, 3.0), BINARY[name](a, 3.0))
        np.testing.assert_array_equal(getattr(ops, name)(3.0, a), BINARY[name](3.0, a))
    np.testing.assert_array_equal(ops.negative(a), -a)
    np.testing.assert_allclose(ops.sqrt(np.abs(a)), np.sqrt(np.abs(a)), rtol=1e-15)
    np.testing.assert_allclose(ops.exp(a), np.exp(a), rtol=1e-14)
    np.testing.assert_allclose(ops.log(np.abs(a)), np.log(np.abs(a)), rtol=1e-14)


def test_clip():
    x = np.concatenate([data(1000), SPECIAL])
    np.testing.assert_array_equal(ops.clip(x, -1.0, 2.0), np.clip(x, -1.0, 2.0))
    np.testing.assert_array_equal(ops.clip(x, None, 2.0), np.clip(x, None, 2.0))
    np.testing.assert_array_equal(ops.clip(x, -1.0, None), np.clip(x, -1.0, None))


def test_where_and_fma():
    a, b, c = data(3072, 1), data(3072, 2), data(3072, 3)
    cond = a > b
    np.testing.assert_array_equal(ops.where(cond, a, b), np.where(cond, a, b))
    np.testing.assert_array_equal(ops.where(cond, a, 0.0), np.where(cond, a, np.float32(0)))
    np.testing.assert_array_equal(ops.where(cond, -1.0, b), np.where(cond, np.float32(-1), b))
    want = a.astype(np.float64) * b + c
    np.testing.assert_allclose(ops.fma(a, b, c), want, rtol=1e-6, atol=1e-6)
    assert ops.fma(a[:0], b[:0], c[:0]).shape == (0,)


def test_out_argument_and_in_place():
    a, b = data(1000, 1), data(1000, 2)
    out = np.empty_like(a)
    assert ops.add(a, b, out=out) is out
    np.testing.assert_array_equal(out, a + b)
    want = np.exp(a.astype(np.float64))
    assert ops.exp(a, out=a) is a
    np.testing.assert_allclose(a, want, rtol=2e-6)


def test_two_dimensional_inputs_keep_their_shape():
    a = data(35).reshape(5, 7)
    assert ops.sigmoid(a).shape == (5, 7)
    np.testing.assert_array_equal(ops.multiply(a, a), a * a)


def test_seed_aliases():
    a, b = data(33, 1), data(33, 2)
    np.testing.assert_array_equal(ops.vector_add(a, b), a + b)
    np.testing.assert_array_equal(ops.vector_sub(a, b), a - b)
    np.testing.assert_array_equal(ops.vector_mul(a, b), a * b)


# --- errors: the op and the argument are named, nothing is converted ----------------------------
def test_integer_input_to_a_float_only_op_is_an_error_with_a_hint():
    with pytest.raises(TypeError, match=r"hologram.ops.sigmoid: has no kernel for int32 inputs"
                                        r".*\n  hint: convert explicitly with .astype"):
        ops.sigmoid(np.zeros(3, np.int32))
    with pytest.raises(TypeError, match=r"hologram.ops.exp: has no kernel for float16"):
        ops.exp(np.zeros(3, np.float16))


def test_mixed_dtypes_promote_as_numpy():
    got = ops.add(np.ones(3, np.float32), np.ones(3))
    assert got.dtype == np.float64


def test_non_arrays_and_bad_out_are_errors():
    with pytest.raises(TypeError, match="hologram.ops.exp: argument 'x' must be a numpy array "
                                        "or a number, got list"):
        ops.exp([1.0, 2.0])
    with pytest.raises(ValueError, match=r"hologram.ops.exp: argument 'out' has shape \(4,\); "
                                         r"expected \(3,\)"):
        ops.exp(np.zeros(3, np.float32), out=np.zeros(4, np.float32))
    with pytest.raises(TypeError, match="argument 'out' has dtype float64"):
        ops.exp(np.zeros(3, np.float32), out=np.zeros(3))
    with pytest.raises(TypeError, match="argument 'condition' must be a bool array, got float32"):
        ops.where(np.zeros(3, np.float32), np.zeros(3, np.float32), 0.0)
    with pytest.raises(ValueError, match="approximate' must be 'none' or 'tanh'"):
        ops.gelu(np.zeros(3, np.float32), approximate="fast")
