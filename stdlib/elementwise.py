"""Elementwise kernels: arithmetic, comparisons, logic, math functions, clip, where, fma.

Each op is written once, as a scalar function under `@vectorize` (hologram/generic.py),
which expands it per element type into the forms `hologram.ops` and `@hologram.jit` launch:
`add_f32(x0, x1, out, n)` on contiguous arrays, `add_scalar_f32(x0, s, out, n)` and
`radd_scalar_f32` with a scalar on either side, and `add_strided_f32(..., ndim, shape, st0, st1)`
for any-rank broadcasting and strided views. The contiguous and scalar forms read their inputs
only at `[idx]`, so `out` may be one of the inputs (in place).

The semantics are numpy's for each element type (`hologram.ops` picks the type with numpy's
promotion rules): integers wrap, integer `//` and `%` by zero give 0, NaN propagates through
`minimum`/`maximum`, comparisons with NaN are false except `!=`.

Complex types (`COMPLEX`: c64, c128) have the arithmetic, `==`/`!=`, the classification
(isnan: either part NaN; isinf: either part infinite), abs (a real result), sign (`z / |z|`)
and the math functions, with C99 Annex G special values (docs/language.md); the ops that need
an order (minimum, floor, clip...) have no complex kernels.
"""

from hologram.lang import DeviceArray, u32, get_global_id, generic, vectorize
from hologram.lang import ALL, BOOL, COMPLEX, FLOATS, INTS, NUMERIC, SIGNED, UNSIGNED, T
from hologram.lang import exp, log, sin, cos, tan, tanh, erf, sqrt, rsqrt, pow, floor, ceil
from hologram.lang import asin, acos, atan, sinh, cosh, asinh, acosh, atanh, atan2, copysign
from hologram.lang import log1p, expm1, log2, log10, trunc, rint


# --- arithmetic ----------------------------------------------------------------------------------
@vectorize(T=NUMERIC + COMPLEX)
def add(x, y):
    return x + y


@vectorize(T=NUMERIC + COMPLEX)
def sub(x, y):
    return x - y


@vectorize(T=NUMERIC + COMPLEX)
def mul(x, y):
    return x * y


@vectorize(T=FLOATS + COMPLEX)
def div(x, y):
    return x / y


def _fmod(x, y):
    # C's fmod(x, y) = x - trunc(x / y) * y (exact while the quotient fits the mantissa);
    # fmod(x, +-inf) is x for a finite x (the formula would give 0 * inf = NaN).
    if y - y != 0.0 and y == y and x - x == 0.0:
        return x
    return x - trunc(x / y) * y


@vectorize(T=FLOATS)
def floor_divide(x, y):
    # numpy's npy_divmod: the quotient of x - fmod(x, y), rounded to the floor; x / 0 for y == 0.
    if y == 0.0:
        return x / y
    mod = _fmod(x, y)
    div = (x - mod) / y
    if mod != 0.0 and (y < 0.0) != (mod < 0.0):
        div = div - 1.0
    if div == 0.0:
        return copysign(T(0), x / y)
    f = floor(div)
    if div - f > 0.5:
        f = f + 1.0
    return f


@vectorize(T=INTS)
def floor_divide(x, y):  # noqa: F811 - the integer specializations of the same op
    return 0 if y == 0 else x // y


@vectorize(T=FLOATS)
def remainder(x, y):
    # numpy's: fmod with the sign of the divisor; NaN for y == 0, a zero takes y's sign.
    if y == 0.0:
        return _fmod(x, y)
    mod = _fmod(x, y)
    if mod != 0.0:
        if (y < 0.0) != (mod < 0.0):
            return mod + y
        return mod
    return copysign(T(0), y)


@vectorize(T=INTS)
def remainder(x, y):  # noqa: F811
    return 0 if y == 0 else x % y


@vectorize(T=NUMERIC)
def minimum(x, y):
    # NaN in either input gives NaN; on a tie (0.0 and -0.0) the second, as numpy.minimum.
    return x if (x < y or x != x) else y


@vectorize(T=NUMERIC)
def maximum(x, y):
    return x if (x > y or x != x) else y


@vectorize(T=FLOATS + COMPLEX)
def power(x, y):
    return pow(x, y)


@vectorize(T=INTS)
def power(x, y):  # noqa: F811
    # Square and multiply, wrapping as numpy's integer power (negative exponents: ops refuses).
    r = T(1)
    b = x
    e = y
    while e > 0:
        if e % 2 == 1:
            r = r * b
        b = b * b
        e = e // 2
    return r


@vectorize(T=FLOATS)
def hypot(x, y):
    # Scaled so it neither overflows nor underflows: m * sqrt(1 + (s / m)^2); an infinity wins
    # over NaN, as C's hypot.
    a = abs(x)
    b = abs(y)
    if a - a != 0.0 and a == a:
        return a
    if b - b != 0.0 and b == b:
        return b
    m = max(a, b)
    if m == 0.0 or m != m:
        return m
    r = min(a, b) / m
    return m * sqrt(1.0 + r * r)


@vectorize(T=FLOATS)
def arctan2(y, x):
    return atan2(y, x)


@vectorize(T=FLOATS)
def copysign(x, y):
    return copysign(x, y)


@vectorize(T=FLOATS, out=bool)
def signbit(x):
    # The sign bit itself: true for -0.0 and negative NaN.
    return copysign(T(1), x) < 0.0


# --- comparisons and logic -----------------------------------------------------------------------
@vectorize(T=ALL + COMPLEX, out=bool)
def equal(x, y):
    return x == y


@vectorize(T=ALL + COMPLEX, out=bool)
def not_equal(x, y):
    return x != y


@vectorize(T=NUMERIC, out=bool)
def less(x, y):
    return x < y


@vectorize(T=NUMERIC, out=bool)
def less_equal(x, y):
    return x <= y


@vectorize(T=NUMERIC, out=bool)
def greater(x, y):
    return x > y


@vectorize(T=NUMERIC, out=bool)
def greater_equal(x, y):
    return x >= y


@vectorize(T=ALL, out=bool)
def logical_and(x, y):
    return bool(x) & bool(y)


@vectorize(T=ALL, out=bool)
def logical_or(x, y):
    return bool(x) | bool(y)


@vectorize(T=ALL, out=bool)
def logical_xor(x, y):
    return bool(x) != bool(y)


@vectorize(T=ALL, out=bool)
def logical_not(x):
    return not bool(x)


@vectorize(T=NUMERIC + COMPLEX, out=bool)
def isnan(x):
    return x != x


@vectorize(T=NUMERIC + COMPLEX, out=bool)
def isfinite(x):
    # x - x is 0 for finite x, NaN for inf and NaN (integers are always finite).
    return x - x == x - x


@vectorize(T=NUMERIC + COMPLEX, out=bool)
def isinf(x):
    return x == x and x - x != x - x


# --- unary arithmetic ----------------------------------------------------------------------------
@vectorize(T=NUMERIC + COMPLEX)
def neg(x):
    return -x


@vectorize(T=NUMERIC)
def abs(x):  # noqa: A001 - the op's name
    return abs(x)


@vectorize(T=NUMERIC + COMPLEX)
def square(x):
    return x * x


@vectorize(T=FLOATS + COMPLEX)
def reciprocal(x):
    return 1.0 / x


@vectorize(T=FLOATS + SIGNED)
def sign(x):
    # numpy: sign(-0.0) is 0.0, sign(NaN) is NaN.
    if x > 0:
        return T(1)
    if x < 0:
        return T(-1)
    return x if x != x else T(0)


@vectorize(T=UNSIGNED)
def sign(x):  # noqa: F811
    return T(1) if x > 0 else T(0)


@vectorize(T=ALL + COMPLEX)
def copy(x):
    return x


# --- complex: parts, conjugate, magnitude, sign ---------------------------------------------------
@vectorize(T=COMPLEX, R={"c64": "f32", "c128": "f64"}, out=R)
def abs(x):  # noqa: F811,A001 - the magnitude is real
    return abs(x)


@vectorize(T=COMPLEX, R={"c64": "f32", "c128": "f64"}, out=R)
def real(x):
    return x.real


@vectorize(T=COMPLEX, R={"c64": "f32", "c128": "f64"}, out=R)
def imag(x):
    return x.imag


@vectorize(T=COMPLEX)
def conj(x):
    return x.conjugate()


@vectorize(T=COMPLEX)
def sign(x):  # noqa: F811
    # x / |x|: 0 for 0, NaN for a NaN part (the array API's special cases); one infinite part
    # gives its direction (numpy's), two give NaN, as complex division inf / inf does.
    re = x.real
    im = x.imag
    if re == 0.0 and im == 0.0:
        return T(0)
    if re != re or im != im:
        return T(re + im, re + im)
    if re - re != 0.0 and im - im != 0.0:
        return T(re - re, re - re)
    if re - re != 0.0 or im - im != 0.0:
        re = copysign(1.0, re) if re - re != 0.0 else copysign(0.0, re)
        im = copysign(1.0, im) if im - im != 0.0 else copysign(0.0, im)
    m = abs(T(re, im))
    return T(re / m, im / m)


# --- rounding ------------------------------------------------------------------------------------
@vectorize(T=FLOATS)
def floor(x):
    return floor(x)


@vectorize(T=FLOATS)
def ceil(x):
    return ceil(x)


@vectorize(T=FLOATS)
def trunc(x):
    return trunc(x)


@vectorize(T=FLOATS)
def round(x):  # noqa: A001
    # Half to even, as numpy.round.
    return rint(x)


@vectorize(T=INTS)
def floor(x):  # noqa: F811 - integers are their own floor, ceil, trunc and round
    return x


@vectorize(T=INTS)
def ceil(x):  # noqa: F811
    return x


@vectorize(T=INTS)
def trunc(x):  # noqa: F811
    return x


@vectorize(T=INTS)
def round(x):  # noqa: F811,A001
    return x


# --- math functions (floats) ---------------------------------------------------------------------
@vectorize(T=FLOATS + COMPLEX)
def sqrt(x):
    return sqrt(x)


@vectorize(T=FLOATS)
def rsqrt(x):
    return rsqrt(x)


@vectorize(T=FLOATS + COMPLEX)
def exp(x):
    return exp(x)


@vectorize(T=FLOATS + COMPLEX)
def expm1(x):
    return expm1(x)


@vectorize(T=FLOATS + COMPLEX)
def log(x):
    return log(x)


@vectorize(T=FLOATS + COMPLEX)
def log1p(x):
    return log1p(x)


@vectorize(T=FLOATS + COMPLEX)
def log2(x):
    return log2(x)


@vectorize(T=FLOATS + COMPLEX)
def log10(x):
    return log10(x)


@vectorize(T=FLOATS)
def logaddexp(x, y):
    # log(exp(x) + exp(y)) without overflow: max + log1p(exp(-|x - y|)).
    if x == y:
        return x + 0.6931471805599453  # also inf + inf and -inf + -inf
    m = max(x, y)
    if m != m:
        return m
    return m + log1p(exp(-abs(x - y)))


@vectorize(T=FLOATS + COMPLEX)
def sin(x):
    return sin(x)


@vectorize(T=FLOATS + COMPLEX)
def cos(x):
    return cos(x)


@vectorize(T=FLOATS + COMPLEX)
def tan(x):
    return tan(x)


@vectorize(T=FLOATS + COMPLEX)
def arcsin(x):
    return asin(x)


@vectorize(T=FLOATS + COMPLEX)
def arccos(x):
    return acos(x)


@vectorize(T=FLOATS + COMPLEX)
def arctan(x):
    return atan(x)


@vectorize(T=FLOATS + COMPLEX)
def sinh(x):
    return sinh(x)


@vectorize(T=FLOATS + COMPLEX)
def cosh(x):
    return cosh(x)


@vectorize(T=FLOATS + COMPLEX)
def tanh(x):
    return tanh(x)


@vectorize(T=FLOATS + COMPLEX)
def arcsinh(x):
    return asinh(x)


@vectorize(T=FLOATS + COMPLEX)
def arccosh(x):
    return acosh(x)


@vectorize(T=FLOATS + COMPLEX)
def arctanh(x):
    return atanh(x)


@vectorize(T=FLOATS)
def erf(x):
    return erf(x)


# --- clip, where, fma, fill ----------------------------------------------------------------------
@vectorize(T=NUMERIC, inputs=1)
def clip(x, lo: T, hi: T):
    # numpy.clip = minimum(maximum(x, lo), hi): NaN (in x or a bound) gives NaN; lo > hi gives hi.
    m = x if (x > lo or x != x) else lo
    return m if (m < hi or m != m) else hi


@vectorize(T=NUMERIC)
def clip3(x, lo, hi):
    # clip with array bounds (broadcast through the strided form).
    m = x if (x > lo or x != x) else lo
    return m if (m < hi or m != m) else hi


@vectorize(T=NUMERIC + COMPLEX)
def where(cond: bool, x, y):
    return x if cond else y


@vectorize(T=BOOL)
def where(cond: bool, x, y):  # noqa: F811 - a conditional expression does not take bools
    return (cond & x) | ((cond ^ True) & y)


@vectorize(T=FLOATS)
def fma(a, b, c):
    return a * b + c


@generic(T=ALL + COMPLEX)
def fill(s: T, out: DeviceArray[T], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = s
