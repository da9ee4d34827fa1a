"""Elementwise ops: arithmetic, comparisons, logic, math functions, activations, clip, where, fma.

Every op here runs through `hologram/ops/_ufunc.py`, which behaves like the numpy ufunc of the
same name: numpy's type promotion (float32 with a float64 array or numpy scalar gives float64;
Python numbers are weak), numpy scalars and 0-d arrays, broadcasting of any rank, strided views
without a copy, `out=` (in place when it is exactly an input; through a temporary when it partly
overlaps one). A 0-d result is returned as a numpy scalar, as numpy's ufuncs do.

Element types: the kernels exist for float32, float64, int32, int64, uint32, uint64 and bool
where the op is defined for them (`SUPPORTED` lists them per op); int8, int16, uint8 and uint16
compute on the int32 kernels and are narrowed back (exact for these ops). Math functions of
integers follow numpy (`exp(int32)` is float64: the input is converted once). complex64 and
complex128 have kernels for the arithmetic, `==`/`!=`, the classification, abs (a real
result), sign, real, imag, conj and the math functions (C99 Annex G special values); the ops
that need an order (minimum, floor, clip, less...) raise a TypeError naming the op and the
dtype, as float16 does everywhere.
"""

from __future__ import annotations

import functools

import numpy as np

from hologram.ops import _ufunc as U
from hologram.ops._dispatch import OPS, alias, op
from hologram.ops._registry import stdlib_kernel
from hologram.ops._ufunc import ALL, COMPLEX, FLOATS, NUMERIC, UFUNCS, call, ufunc

_SIGNED_FLOATS = FLOATS | {"i32", "i64"}
_NUMERIC_C = NUMERIC | COMPLEX
_FLOATS_C = FLOATS | COMPLEX

# --- the op table (shared with @hologram.jit) ------------------------------------------------
# name, stdlib kernel base, inputs, numpy ufunc, element types, scalar params, block broadcast
for _name, _kernel, _nin, _np, _types, _bcast in [
    ("add", "add", 2, np.add, _NUMERIC_C, True),
    ("subtract", "sub", 2, np.subtract, _NUMERIC_C, True),
    ("multiply", "mul", 2, np.multiply, _NUMERIC_C, True),
    ("divide", "div", 2, np.true_divide, _FLOATS_C, True),
    ("floor_divide", "floor_divide", 2, np.floor_divide, NUMERIC, False),
    ("remainder", "remainder", 2, np.remainder, NUMERIC, False),
    ("minimum", "minimum", 2, np.minimum, NUMERIC, True),
    ("maximum", "maximum", 2, np.maximum, NUMERIC, True),
    ("power", "power", 2, np.power, _NUMERIC_C, False),
    ("hypot", "hypot", 2, np.hypot, FLOATS, False),
    ("arctan2", "arctan2", 2, np.arctan2, FLOATS, False),
    ("logaddexp", "logaddexp", 2, np.logaddexp, FLOATS, False),
    ("copysign", "copysign", 2, np.copysign, FLOATS, False),
    ("signbit", "signbit", 1, np.signbit, FLOATS, False),
    ("equal", "equal", 2, np.equal, ALL | COMPLEX, False),
    ("not_equal", "not_equal", 2, np.not_equal, ALL | COMPLEX, False),
    ("less", "less", 2, np.less, NUMERIC, False),
    ("less_equal", "less_equal", 2, np.less_equal, NUMERIC, False),
    ("greater", "greater", 2, np.greater, NUMERIC, False),
    ("greater_equal", "greater_equal", 2, np.greater_equal, NUMERIC, False),
    ("logical_and", "logical_and", 2, np.logical_and, ALL, False),
    ("logical_or", "logical_or", 2, np.logical_or, ALL, False),
    ("logical_xor", "logical_xor", 2, np.logical_xor, ALL, False),
    ("logical_not", "logical_not", 1, np.logical_not, ALL, False),
    ("isnan", "isnan", 1, np.isnan, _NUMERIC_C, False),
    ("isfinite", "isfinite", 1, np.isfinite, _NUMERIC_C, False),
    ("isinf", "isinf", 1, np.isinf, _NUMERIC_C, False),
    ("negative", "neg", 1, np.negative, _NUMERIC_C, False),
    ("positive", "copy", 1, np.positive, _NUMERIC_C, False),
    ("abs", "abs", 1, np.absolute, _NUMERIC_C, False),
    ("square", "square", 1, np.square, _NUMERIC_C, False),
    ("reciprocal", "reciprocal", 1, np.reciprocal, _FLOATS_C, False),
    ("sign", "sign", 1, np.sign, _NUMERIC_C, False),
    ("floor", "floor", 1, np.floor, NUMERIC, False),
    ("ceil", "ceil", 1, np.ceil, NUMERIC, False),
    ("trunc", "trunc", 1, np.trunc, NUMERIC, False),
    ("rint", "round", 1, np.rint, NUMERIC, False),
    ("sqrt", "sqrt", 1, np.sqrt, _FLOATS_C, False),
    ("exp", "exp", 1, np.exp, _FLOATS_C, False),
    ("expm1", "expm1", 1, np.expm1, _FLOATS_C, False),
    ("log", "log", 1, np.log, _FLOATS_C, False),
    ("log1p", "log1p", 1, np.log1p, _FLOATS_C, False),
    ("log2", "log2", 1, np.log2, _FLOATS_C, False),
    ("log10", "log10", 1, np.log10, _FLOATS_C, False),
    ("sin", "sin", 1, np.sin, _FLOATS_C, False),
    ("cos", "cos", 1, np.cos, _FLOATS_C, False),
    ("tan", "tan", 1, np.tan, _FLOATS_C, False),
    ("arcsin", "arcsin", 1, np.arcsin, _FLOATS_C, False),
    ("arccos", "arccos", 1, np.arccos, _FLOATS_C, False),
    ("arctan", "arctan", 1, np.arctan, _FLOATS_C, False),
    ("sinh", "sinh", 1, np.sinh, _FLOATS_C, False),
    ("cosh", "cosh", 1, np.cosh, _FLOATS_C, False),
    ("tanh", "tanh", 1, np.tanh, _FLOATS_C, False),
    ("arcsinh", "arcsinh", 1, np.arcsinh, _FLOATS_C, False),
    ("arccosh", "arccosh", 1, np.arccosh, _FLOATS_C, False),
    ("arctanh", "arctanh", 1, np.arctanh, _FLOATS_C, False),
]:
    ufunc(_name, _kernel, _nin, _np, _types, bcast=_bcast)

# No numpy ufunc: float32/float64 only (PyTorch's activations), or numpy's result_type.
for _name, _kernel, _params in [
    ("rsqrt", "rsqrt", ()), ("erf", "erf", ()), ("relu", "relu", ()),
    ("sigmoid", "sigmoid", ()), ("gelu", "gelu", ()), ("gelu_tanh", "gelu_tanh", ()),
    ("silu", "silu", ()), ("softplus", "softplus", ()),
    ("leaky_relu", "leaky_relu", (("negative_slope", 0.01),)),
    ("elu", "elu", (("alpha", 1.0),)),
]:
    ufunc(_name, _kernel, 1, None, FLOATS, _params)
ufunc("clip", "clip", 1, None, NUMERIC, (("a_min", None), ("a_max", None)), any_type=True)
ufunc("clip3", "clip3", 3, np._core.umath.clip, NUMERIC)
ufunc("where", "where", 3, None, ALL | COMPLEX, any_type=True)
ufunc("fma", "fma", 3, None, FLOATS)

# Public tables (tools, tests): op name -> kernel base; kernel bases with float64 kernels.
ELEMENTWISE_KERNELS: dict[str, str] = {name: u.kernel for name, u in UFUNCS.items()
                                       if name not in ("gelu_tanh", "clip3")}
F64_KERNELS = {u.kernel for u in UFUNCS.values() if "f64" in u.types}
SUPPORTED: dict[str, list[str]] = {
    name: [str(d) for d, s in U.SUFFIX.items() if s in u.types] for name, u in UFUNCS.items()}


def _unary_op(name: str, doc: str, public: str | None = None):
    u = UFUNCS[name]

    def impl(x, /, out=None):
        return call(u, (x,), out)

    impl.__name__ = impl.__qualname__ = public or name
    impl.__doc__ = doc
    return _with_front(u, op(public or name)(impl))


def _binary_op(name: str, doc: str):
    u = UFUNCS[name]

    def impl(x1, x2, /, out=None):
        return call(u, (x1, x2), out)

    impl.__name__ = impl.__qualname__ = name
    impl.__doc__ = doc
    return _with_front(u, op(name)(impl))


def _launch_error() -> type:
    # Evaluated only when a launch raised: hologram.runtime (not imported with hologram.ops,
    # for a fast import) is loaded by then, since the kernel came from it.
    from hologram.runtime import LaunchError

    return LaunchError


def _with_front(u: U.Ufunc, general):
    """The op's public function: the common small call (1-D C-contiguous arrays of one of the
    op's fast dtypes, no out=) allocates and launches right here; any other call goes to
    `general`, the dispatch wrapper (tracing, Dask, numpy's rules in `_ufunc.call`, which has
    the same fast case). Only the layers between are saved: at 1k elements they were most of
    an `ops.add` (docs/performance.md)."""
    # The launch refuses (LaunchError, before any C runs) what these checks leave to it:
    # a strided array, a size past the u32 count. The general path then decides.
    fast, empty, ndarray = u.fast, np.empty, np.ndarray
    if u.nin == 1:
        def front(x, /, out=None):
            if out is None and x.__class__ is ndarray and x.ndim == 1:
                entry = fast.get(x.dtype)
                if entry is not None:
                    n = x.size
                    res = empty(n, entry[1])
                    try:
                        stdlib_kernel(entry[0])(x, res, n)
                        return res
                    except _launch_error():
                        pass
            return general(x, out=out)
    else:
        def front(x1, x2, /, out=None):
            if (out is None and x1.__class__ is ndarray and x2.__class__ is ndarray
                    and x1.ndim == 1 and x2.ndim == 1):
                entry = fast.get(x1.dtype)
                n = x1.size
                if entry is not None and x2.dtype is x1.dtype and x2.size == n:
                    res = empty(n, entry[1])
                    try:
                        stdlib_kernel(entry[0])(x1, x2, res, n)
                        return res
                    except _launch_error():
                        pass
            return general(x1, x2, out=out)
    front = functools.wraps(general)(front)  # the docstring, op_name and impl too
    OPS[front.op_name] = front
    return front


# --- binary --------------------------------------------------------------------------------------
add = _binary_op("add", """`out = x1 + x2` elementwise, numpy's `add` (every numeric dtype).

    >>> hologram.ops.add(np.ones(3, np.float32), 2.0)
    array([3., 3., 3.], dtype=float32)
    """)
subtract = _binary_op("subtract", """`out = x1 - x2` elementwise (numpy's `subtract`).

    >>> hologram.ops.subtract(np.ones(3, np.float32), 2.0)
    array([-1., -1., -1.], dtype=float32)
    """)
multiply = _binary_op("multiply", """`out = x1 * x2` elementwise (numpy's `multiply`).

    >>> hologram.ops.multiply(np.arange(3, dtype=np.float32), 2.0)
    array([0., 2., 4.], dtype=float32)
    """)
divide = _binary_op("divide", """`out = x1 / x2`, IEEE division (x / 0 = ±inf, 0 / 0 = NaN),
    numpy's `divide`; integers divide in float64, as numpy.

    >>> hologram.ops.divide(np.ones(2, np.float32), np.array([2, 0], np.float32))
    array([0.5, inf], dtype=float32)
    """)
floor_divide = _binary_op("floor_divide", """`out = floor(x1 / x2)` (numpy's `floor_divide`;
    integer division by zero gives 0).

    >>> hologram.ops.floor_divide(np.array([7, -7], np.int32), 2)
    array([ 3, -4], dtype=int32)
    """)
remainder = _binary_op("remainder", """`out = x1 mod x2` with the sign of `x2` (numpy's
    `remainder`, Python's `%`; integer remainder by zero gives 0).

    >>> hologram.ops.remainder(np.array([7, -7], np.int32), 3)
    array([1, 2], dtype=int32)
    """)
minimum = _binary_op("minimum", """`out = min(x1, x2)`; NaN in either gives NaN (numpy's
    `minimum`, bit for bit: on a tie of 0.0 and -0.0 the second argument).

    >>> hologram.ops.minimum(np.array([1, 5], np.float32), 3.0)
    array([1., 3.], dtype=float32)
    """)
maximum = _binary_op("maximum", """`out = max(x1, x2)`; NaN in either gives NaN (numpy's
    `maximum`).

    >>> hologram.ops.maximum(np.array([1, 5], np.float32), 3.0)
    array([3., 5.], dtype=float32)
    """)
_power = UFUNCS["power"]


@op()
def power(x1, x2, /, out=None):
    """`out = x1 ** x2` (C `pow` for floats; integers by repeated squaring, wrapping as numpy;
    negative integer exponents are an error, as in numpy).

    >>> hologram.ops.power(np.array([2, 3], np.float32), 2.0)
    array([4., 9.], dtype=float32)
    """
    ints = [np.asarray(v) for v in (x1, x2)]
    if ints[0].dtype.kind in "iu" and ints[1].dtype.kind in "iu" and ints[1].size \
            and ints[1].dtype.kind == "i" and ints[1].min() < 0:
        raise ValueError("hologram.ops.power: integers to negative integer powers are not "
                         "allowed\n  hint: use a float base, e.g. x1.astype(np.float64)")
    return call(_power, (x1, x2), out)


hypot = _binary_op("hypot", """`out = sqrt(x1^2 + x2^2)` without overflow or underflow
    (numpy's `hypot`).

    >>> hologram.ops.hypot(np.array([3e30], np.float32), 4e30)
    array([5.e+30], dtype=float32)
    """)
arctan2 = _binary_op("arctan2", """`out = atan2(x1, x2)`, the angle of the point (x2, x1)
    (numpy's `arctan2`).

    >>> hologram.ops.arctan2(np.array([1.0]), -1.0)
    array([2.35619449])
    """)
logaddexp = _binary_op("logaddexp", """`out = log(exp(x1) + exp(x2))` without overflow
    (numpy's `logaddexp`).

    >>> hologram.ops.logaddexp(np.array([1000.0]), 1000.0)
    array([1000.69314718])
    """)

copysign = _binary_op("copysign", """`out = |x1|` with the sign of `x2` (numpy's `copysign`).

    >>> hologram.ops.copysign(np.array([1.0, 2.0], np.float32), -0.0)
    array([-1., -2.], dtype=float32)
    """)
signbit = _unary_op("signbit", """`out = the sign bit of x` (true for -0.0; numpy's `signbit`).

    >>> hologram.ops.signbit(np.array([-0.0, 0.0, -1.0], np.float32))
    array([ True, False,  True])
    """)


# --- comparisons and logic -----------------------------------------------------------------------
equal = _binary_op("equal", """`out = x1 == x2`, a bool array (numpy's `equal`).

    >>> hologram.ops.equal(np.array([1, 2], np.float32), 2.0)
    array([False,  True])
    """)
not_equal = _binary_op("not_equal", """`out = x1 != x2` (NaN != NaN is true).

    >>> hologram.ops.not_equal(np.array([1, 2], np.int64), 2)
    array([ True, False])
    """)
less = _binary_op("less", """`out = x1 < x2` (comparisons with NaN are false).

    >>> hologram.ops.less(np.array([1, 2], np.float32), 2.0)
    array([ True, False])
    """)
less_equal = _binary_op("less_equal", """`out = x1 <= x2`.

    >>> hologram.ops.less_equal(np.array([1, 2], np.float32), 2.0)
    array([ True,  True])
    """)
greater = _binary_op("greater", """`out = x1 > x2`.

    >>> hologram.ops.greater(np.array([1, 2], np.float32), 1.0)
    array([False,  True])
    """)
greater_equal = _binary_op("greater_equal", """`out = x1 >= x2`.

    >>> hologram.ops.greater_equal(np.array([1, 2], np.float32), 2.0)
    array([False,  True])
    """)
logical_and = _binary_op("logical_and", """`out = bool(x1) and bool(x2)` elementwise.

    >>> hologram.ops.logical_and(np.array([True, True]), np.array([True, False]))
    array([ True, False])
    """)
logical_or = _binary_op("logical_or", """`out = bool(x1) or bool(x2)` elementwise.

    >>> hologram.ops.logical_or(np.array([True, False]), False)
    array([ True, False])
    """)
logical_xor = _binary_op("logical_xor", """`out = bool(x1) != bool(x2)` elementwise.

    >>> hologram.ops.logical_xor(np.array([True, False]), True)
    array([False,  True])
    """)
logical_not = _unary_op("logical_not", """`out = not bool(x)` elementwise.

    >>> hologram.ops.logical_not(np.array([True, False]))
    array([False,  True])
    """)
isnan = _unary_op("isnan", """`out = x is NaN` (false for integers).

    >>> hologram.ops.isnan(np.array([1, np.nan], np.float32))
    array([False,  True])
    """)
isfinite = _unary_op("isfinite", """`out = x is neither inf nor NaN` (true for integers).

    >>> hologram.ops.isfinite(np.array([1, np.inf], np.float32))
    array([ True, False])
    """)
isinf = _unary_op("isinf", """`out = x is +inf or -inf`.

    >>> hologram.ops.isinf(np.array([1, -np.inf], np.float32))
    array([False,  True])
    """)

# --- unary arithmetic and rounding ---------------------------------------------------------------
negative = _unary_op("negative", """`out = -x` (numpy's `negative`; integers wrap).

    >>> hologram.ops.negative(np.array([1, -2], np.float32))
    array([-1.,  2.], dtype=float32)
    """)
positive = _unary_op("positive", """`out = +x`, a copy (numpy's `positive`).

    >>> hologram.ops.positive(np.array([1, -2], np.int32))
    array([ 1, -2], dtype=int32)
    """)
abs_ = _unary_op("abs", """`out = |x|` (numpy's `abs`; the most negative integer stays
    itself, as in numpy).

    >>> hologram.ops.abs(np.array([-1.5, 2], np.float32))
    array([1.5, 2. ], dtype=float32)
    """)
square = _unary_op("square", """`out = x * x` (numpy's `square`).

    >>> hologram.ops.square(np.array([-3, 2], np.int32))
    array([9, 4], dtype=int32)
    """)
reciprocal = _unary_op("reciprocal", """`out = 1 / x` (floats).

    >>> hologram.ops.reciprocal(np.array([2, 0], np.float32))
    array([0.5, inf], dtype=float32)
    """)
sign = _unary_op("sign", """`out = -1, 0 or 1` by the sign of x; NaN stays NaN, sign(-0.0) is
    0.0 (numpy's `sign`).

    >>> hologram.ops.sign(np.array([-2, 0, 3], np.float32))
    array([-1.,  0.,  1.], dtype=float32)
    """)
floor = _unary_op("floor", """`out = floor(x)` (integers are returned as they are).

    >>> hologram.ops.floor(np.array([-1.5, 1.5], np.float32))
    array([-2.,  1.], dtype=float32)
    """)
ceil = _unary_op("ceil", """`out = ceil(x)`.

    >>> hologram.ops.ceil(np.array([-1.5, 1.5], np.float32))
    array([-1.,  2.], dtype=float32)
    """)
trunc = _unary_op("trunc", """`out = x rounded toward zero`.

    >>> hologram.ops.trunc(np.array([-1.5, 1.5], np.float32))
    array([-1.,  1.], dtype=float32)
    """)
rint = _unary_op("rint", """`out = x rounded to the nearest integer, ties to even` (numpy's
    `rint`, and `round` with decimals=0).

    >>> hologram.ops.rint(np.array([0.5, 1.5, 2.5], np.float32))
    array([0., 2., 2.], dtype=float32)
    """)


# round of an integer array is the integer array (numpy's `round`, unlike `rint`, keeps the
# integer dtype): the integer `round_*` kernels, in the input's own type.
_ROUND_INT = U.Ufunc("round", "round", 1, None, frozenset(U.INTS), any_type=True)


@op("round")
def round_(x, /, decimals=0, out=None):
    """`out = x rounded to `decimals` = 0 places, ties to even` (numpy's `round`; other
    `decimals` are not supported). Integers keep their dtype, as numpy.

    >>> hologram.ops.round(np.array([0.5, 1.5, 2.5], np.float32))
    array([0., 2., 2.], dtype=float32)
    """
    if decimals != 0:
        raise ValueError("hologram.ops.round: only decimals=0 is supported, got "
                         f"{decimals!r}\n  hint: scale, round and divide explicitly")
    dt = getattr(x, "dtype", None)
    if dt is None and isinstance(x, int) and not isinstance(x, bool):
        dt = np.dtype(np.int64)
    if dt is not None and dt.kind in "iu":
        return call(_ROUND_INT, (x,), out)
    return call(UFUNCS["rint"], (x,), out)


# --- math functions ------------------------------------------------------------------------------
def _math(name, what, example_in, example_out):
    return _unary_op(name, f"""`out = {what}` elementwise (numpy's `{name}`; float32 and
    float64, integers in float64 as numpy).

    >>> hologram.ops.{name}(np.array({example_in}, np.float32))
    {example_out}
    """)


sqrt = _math("sqrt", "sqrt(x)", "[4, 9]", "array([2., 3.], dtype=float32)")
exp = _math("exp", "e ** x", "[0, 0]", "array([1., 1.], dtype=float32)")
expm1 = _math("expm1", "e ** x - 1, accurate near 0", "[0]", "array([0.], dtype=float32)")
log = _math("log", "ln(x)", "[1, 1]", "array([0., 0.], dtype=float32)")
log1p = _math("log1p", "ln(1 + x), accurate near 0", "[0]", "array([0.], dtype=float32)")
log2 = _math("log2", "log2(x)", "[8]", "array([3.], dtype=float32)")
log10 = _math("log10", "log10(x)", "[100]", "array([2.], dtype=float32)")
sin = _math("sin", "sin(x) (radians)", "[0]", "array([0.], dtype=float32)")
cos = _math("cos", "cos(x) (radians)", "[0]", "array([1.], dtype=float32)")
tan = _math("tan", "tan(x) (radians)", "[0]", "array([0.], dtype=float32)")
arcsin = _math("arcsin", "asin(x)", "[0]", "array([0.], dtype=float32)")
arccos = _math("arccos", "acos(x)", "[1]", "array([0.], dtype=float32)")
arctan = _math("arctan", "atan(x)", "[0]", "array([0.], dtype=float32)")
sinh = _math("sinh", "sinh(x)", "[0]", "array([0.], dtype=float32)")
cosh = _math("cosh", "cosh(x)", "[0]", "array([1.], dtype=float32)")
tanh = _math("tanh", "tanh(x)", "[0]", "array([0.], dtype=float32)")
arcsinh = _math("arcsinh", "asinh(x)", "[0]", "array([0.], dtype=float32)")
arccosh = _math("arccosh", "acosh(x)", "[1]", "array([0.], dtype=float32)")
arctanh = _math("arctanh", "atanh(x)", "[0]", "array([0.], dtype=float32)")
rsqrt = _unary_op("rsqrt", """`out = 1 / sqrt(x)` (PyTorch's `rsqrt`); inf at 0, NaN for x < 0.

    >>> hologram.ops.rsqrt(np.array([4, 16], np.float32))
    array([0.5 , 0.25], dtype=float32)
    """)
erf = _unary_op("erf", """`out = erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt`.

    >>> hologram.ops.erf(np.zeros(1, np.float32))
    array([0.], dtype=float32)
    """)


# --- clip, where, fma ----------------------------------------------------------------------------
def _bound(v):
    return v is None or isinstance(v, (int, float, np.generic)) and not isinstance(v, complex) \
        or isinstance(v, np.ndarray) and v.ndim == 0


@op()
def clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None):  # noqa: A002
    """`out = minimum(maximum(a, a_min), a_max)` (numpy's `clip`; `min=`/`max=` are the array
    API spellings): `None` leaves a side open, NaN in `a` or a bound gives NaN, `a_min > a_max`
    gives `a_max`. Bounds may be numbers or arrays that broadcast with `a`.

    >>> hologram.ops.clip(np.array([-2, 0.5, 3], np.float32), 0.0, 1.0)
    array([0. , 0.5, 1. ], dtype=float32)
    """
    a_min = min if a_min is None else a_min
    a_max = max if a_max is None else a_max
    u = UFUNCS["clip"]
    if not isinstance(a, np.ndarray) and not isinstance(a, np.generic):
        raise TypeError(f"hologram.ops.clip: argument 'a' must be a numpy array, got "
                        f"{type(a).__name__}")
    a = np.asarray(a)
    if _bound(a_min) and _bound(a_max):
        # Scalar bounds: numpy's type for (a, a_min, a_max); the scalar form when it is a's.
        lo = a_min.item() if isinstance(a_min, np.ndarray | np.generic) else a_min
        hi = a_max.item() if isinstance(a_max, np.ndarray | np.generic) else a_max
        strong = [b for b in (a_min, a_max) if isinstance(b, np.ndarray | np.generic)]
        loop = np.result_type(a, *strong, *(b for b in (lo, hi) if b is not None
                                             and not isinstance(b, np.generic)))
        if loop == a.dtype and a.dtype.kind in "fiu":
            if a.dtype.kind == "f":
                lo = -np.inf if lo is None else lo
                hi = np.inf if hi is None else hi
            else:
                info = np.iinfo(a.dtype)
                lo = info.min if lo is None else lo
                hi = info.max if hi is None else hi
                if isinstance(lo, float) or isinstance(hi, float):
                    loop = np.result_type(a.dtype, np.float64)
            if loop == a.dtype:
                return call(u, (a,), out, (lo, hi))
    if a_min is None or a_max is None:
        kind = a.dtype.kind
        fill = (-np.inf, np.inf) if kind == "f" else (np.iinfo(a.dtype).min,
                                                      np.iinfo(a.dtype).max)
        a_min = fill[0] if a_min is None else a_min
        a_max = fill[1] if a_max is None else a_max
    return call(UFUNCS["clip3"], (a, a_min, a_max), out)


@op()
def where(condition, x, y, /, out=None):
    """`out = x if condition else y` elementwise (numpy's `where` with three arguments): a
    bool condition, `x` and `y` arrays or numbers, all broadcast together; the result has
    numpy's promoted dtype of `x` and `y`.

    >>> hologram.ops.where(np.array([True, False]), np.ones(2, np.float32), 0.0)
    array([1., 0.], dtype=float32)
    """
    cond = condition
    if isinstance(cond, (bool, np.bool_)):
        cond = np.asarray(cond)
    if not isinstance(cond, np.ndarray) or cond.dtype != np.bool_:
        got = cond.dtype if isinstance(cond, np.ndarray) else type(cond).__name__
        raise TypeError(f"hologram.ops.where: argument 'condition' must be a bool array, got "
                        f"{got}\n  hint: build it with a comparison, e.g. "
                        "hologram.ops.greater(x, 0)")
    return call(UFUNCS["where"], (cond, x, y), out)


@op()
def fma(a, b, c, /, out=None):
    """`out = a * b + c` elementwise, one pass (floats; broadcasts like the other ops).

    >>> hologram.ops.fma(np.ones(2, np.float32), np.full(2, 2, np.float32), np.ones(2, np.float32))
    array([3., 3.], dtype=float32)
    """
    return call(UFUNCS["fma"], (a, b, c), out)


# --- activations ---------------------------------------------------------------------------------
relu = _unary_op("relu", """`out = max(x, 0)`; NaN stays NaN (PyTorch's `relu`).

    >>> hologram.ops.relu(np.array([-1, 2], np.float32))
    array([0., 2.], dtype=float32)
    """)
sigmoid = _unary_op("sigmoid", """`out = 1 / (1 + exp(-x))`; exactly 0 below x = -88 and 1
    above x = 17 (float32).

    >>> hologram.ops.sigmoid(np.zeros(1, np.float32))
    array([0.5], dtype=float32)
    """)
silu = _unary_op("silu", """`out = x * sigmoid(x)` (PyTorch's `silu`, also called swish);
    silu(-inf) = -0.0.

    >>> hologram.ops.silu(np.zeros(1, np.float32))
    array([0.], dtype=float32)
    """)
softplus = _unary_op("softplus", """`out = log(1 + exp(x))`, computed as
    `max(x, 0) + log1p(exp(-|x|))` (no overflow; PyTorch's `softplus` with beta = 1, without its
    linear cut-off above x = 20).

    >>> hologram.ops.softplus(np.zeros(1, np.float32))
    array([0.6931472], dtype=float32)
    """)


@op()
def leaky_relu(x, negative_slope=0.01, out=None):
    """`out = x if x >= 0 else negative_slope * x` (PyTorch's `leaky_relu`).

    >>> hologram.ops.leaky_relu(np.array([-1, 2], np.float32), 0.1)
    array([-0.1,  2. ], dtype=float32)
    """
    return call(UFUNCS["leaky_relu"], (x,), out, (_number("leaky_relu", "negative_slope",
                                                          negative_slope),))


@op()
def elu(x, alpha=1.0, out=None):
    """`out = x if x > 0 else alpha * (exp(x) - 1)` (PyTorch's `elu`; expm1 accurate near 0).

    >>> hologram.ops.elu(np.array([-1, 1], np.float32))
    array([-0.63212055,  1.        ], dtype=float32)
    """
    return call(UFUNCS["elu"], (x,), out, (_number("elu", "alpha", alpha),))


def _number(name, arg, v):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer,
                                                             np.floating)):
        raise TypeError(f"hologram.ops.{name}: argument '{arg}' must be a real number, "
                        f"got {type(v).__name__}")
    return float(v)


@op()
def gelu(x, approximate="none", out=None):
    """GELU (PyTorch's `gelu`): `approximate="none"` is the exact `x Phi(x) = 0.5 x (1 +
    erf(x / sqrt 2))` (the erfc form below x = -2, so it keeps its relative accuracy there),
    `approximate="tanh"` is `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.

    >>> hologram.ops.gelu(np.array([0, 1], np.float32))
    array([0.       , 0.8413447], dtype=float32)
    """
    if approximate == "none":
        return call(UFUNCS["gelu"], (x,), out)
    if approximate == "tanh":
        return call(UFUNCS["gelu_tanh"], (x,), out)
    raise ValueError(f"hologram.ops.gelu: argument 'approximate' must be 'none' or 'tanh', "
                     f"got {approximate!r}")


# --- complex parts ---------------------------------------------------------------------------------
# Complex-only kernels, outside the UFUNCS table (whose ops take every dtype they list and are
# traced by @hologram.jit): a real input never reaches them. real and imag have no numpy ufunc;
# absolute's loops have their dtypes (complex64 -> float32).
_PARTS = {name: U.Ufunc(name, name, 1, resolver, COMPLEX) for name, resolver in
          (("real", np.absolute), ("imag", np.absolute), ("conj", np.conjugate))}


def _complex_part(name: str, doc: str, of_real):
    """`real`, `imag`, `conj`: the complex kernels; a real input (no kernel needed) gives
    `of_real(x)`, as numpy's functions of the same name."""
    u = _PARTS[name]

    def impl(x, /, out=None):
        if np.asarray(x).dtype.kind == "c":
            return call(u, (x,), out)
        res = of_real(np.asarray(x))
        if out is None:
            return res if res.ndim else res[()]
        out[...] = res
        return out

    impl.__name__ = impl.__qualname__ = name
    impl.__doc__ = doc
    return op(name)(impl)


real = _complex_part("real", """`out = x.real`: the real part (float32 for complex64, float64
    for complex128); a copy of a real x.

    >>> hologram.ops.real(np.array([1 + 2j], np.complex64))
    array([1.], dtype=float32)
    """, lambda x: x.copy())
imag = _complex_part("imag", """`out = x.imag`: the imaginary part (zeros for a real x).

    >>> hologram.ops.imag(np.array([1 + 2j], np.complex64))
    array([2.], dtype=float32)
    """, np.zeros_like)
conj = _complex_part("conj", """`out = conjugate(x)`: the imaginary part negated; a copy of a
    real x.

    >>> hologram.ops.conj(np.array([1 + 2j], np.complex64))
    array([1.-2.j], dtype=complex64)
    """, lambda x: x.copy())


# --- the seed's names and the array API's spellings ----------------------------------------------
vector_add = alias("vector_add", add)
vector_sub = alias("vector_sub", subtract)
vector_mul = alias("vector_mul", multiply)
absolute = alias("absolute", abs_)
conjugate = alias("conjugate", conj)
acos = alias("acos", arccos)
asin = alias("asin", arcsin)
atan = alias("atan", arctan)
acosh = alias("acosh", arccosh)
asinh = alias("asinh", arcsinh)
atanh = alias("atanh", arctanh)
atan2 = alias("atan2", arctan2)
pow = alias("pow", power)  # noqa: A001
true_divide = alias("true_divide", divide)
