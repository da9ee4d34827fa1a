"""Elementwise ops: arithmetic with broadcasting, math functions, activations, clip, where, fma.

Broadcasting (binary ops): two arrays of the same shape; an array and a scalar (a Python or
numpy number) on either side; and two arrays whose shapes broadcast in numpy's sense when each
operand's own dimensions (those not stretched) form one contiguous block of the result's
dimensions: a row `(n,)` or `(1, n)` against `(m, n)`, a column `(m, 1)` against `(m, n)`,
`(m, 1)` against `(1, n)`, a channel vector `(c, 1, 1)` against `(n, c, h, w)`, a size-1 array
against anything. Other broadcasts (`(a, 1, c)` against `(a, b, c)`) are refused with an error.
"""

from __future__ import annotations

import numpy as np

from hologram.ops import _checks as C
from hologram.ops._dispatch import alias, op
from hologram.ops._registry import stdlib_kernel

# Public table for `@hologram.jit` and tools: op name -> kernel base name. The kernels are
# `<base>_f32` (and `<base>_f64` where listed in F64_KERNELS), follow the elementwise convention
# (inputs, scalars, out, n); binary ops also have `<base>_scalar_*` (x op s), the non-commutative
# ones `r<base>_scalar_*` (s op x), and `<base>_bcast_f32` for broadcasting.
ELEMENTWISE_KERNELS: dict[str, str] = {
    "add": "add", "subtract": "sub", "multiply": "mul", "divide": "div",
    "minimum": "minimum", "maximum": "maximum", "power": "power",
    "negative": "neg", "abs": "abs", "sqrt": "sqrt", "rsqrt": "rsqrt", "exp": "exp",
    "log": "log", "sin": "sin", "cos": "cos", "tanh": "tanh", "erf": "erf",
    "clip": "clip", "where": "where", "fma": "fma",
    "relu": "relu", "leaky_relu": "leaky_relu", "sigmoid": "sigmoid", "gelu": "gelu",
    "silu": "silu", "softplus": "softplus", "elu": "elu",
}
F64_KERNELS = {"add", "sub", "mul", "div", "neg", "sqrt", "exp", "log"}
_COMMUTATIVE = {"add", "mul", "minimum", "maximum"}
_F32_ONLY = (C.F32,)
_FAST_DTYPES = {base: (C.F32, C.F64) for base in F64_KERNELS}
_HAS_REVERSED_SCALAR = {"sub", "div", "power"}


def _unary(name: str, base: str, x, out, *scalars):
    x = C.array(name, "x", x, (C.F32, C.F64))
    sfx = C.kernel_dtype(name, "x", x, base in F64_KERNELS)
    out = C.output(name, out, x.shape, x.dtype)
    n = x.size
    if n:
        stdlib_kernel(f"{base}_{sfx}")(C.flat(x), *scalars, C.flat(out), n, grid=n)
    return out


def _bcast_params(shape: tuple[int, ...], full: tuple[int, ...]) -> tuple[int, int] | None:
    """(d, m) such that element idx of the result reads operand[(idx // d) % m], or None."""
    shape = (1,) * (len(full) - len(shape)) + tuple(shape)
    kept = [d for d in range(len(full)) if full[d] != 1 and shape[d] == full[d]]
    stretched = [d for d in range(len(full)) if full[d] != 1 and shape[d] == 1]
    if not kept:
        return 1, 1
    lo, hi = kept[0], kept[-1]
    if any(lo < d < hi for d in stretched):
        return None
    return int(np.prod(full[hi + 1:], dtype=np.int64)), int(np.prod(full[lo:hi + 1],
                                                                    dtype=np.int64))


def _binary(name: str, base: str, a, b, out):
    ndarray = np.ndarray
    if type(a) is ndarray and type(b) is ndarray and a.shape == b.shape \
            and a.dtype == b.dtype and a.dtype in _FAST_DTYPES.get(base, _F32_ONLY):
        # The common case, checked with as little Python as possible (per-call overhead).
        C.array(name, "x1", a, (a.dtype,))
        C.array(name, "x2", b, (a.dtype,))
        out = C.output(name, out, a.shape, a.dtype)
        n = a.size
        if n:
            stdlib_kernel(f"{base}_{C.SUFFIX[a.dtype]}")(C.flat(a), C.flat(b), C.flat(out), n)
        return out
    a_scalar, b_scalar = C.is_scalar(a), C.is_scalar(b)
    if a_scalar and b_scalar:
        raise TypeError(f"hologram.ops.{name}: at least one argument must be a numpy array"
                        "\n  hint: use Python arithmetic for two numbers")
    if b_scalar or a_scalar:
        x, s = (a, b) if b_scalar else (b, a)
        arg = "x1" if b_scalar else "x2"
        x = C.array(name, arg, x, (C.F32, C.F64))
        sfx = C.kernel_dtype(name, arg, x, base in F64_KERNELS)
        if b_scalar or base in _COMMUTATIVE:
            kname = f"{base}_scalar_{sfx}"
        else:
            kname = f"r{base}_scalar_{sfx}"
        out = C.output(name, out, x.shape, x.dtype)
        n = x.size
        if n:
            stdlib_kernel(kname)(C.flat(x), float(s), C.flat(out), n, grid=n)
        return out
    a = C.array(name, "x1", a, (C.F32, C.F64))
    b = C.array(name, "x2", b, (C.F32, C.F64))
    dtype = C.same_dtype(name, x1=a, x2=b)
    if a.shape == b.shape:
        sfx = C.kernel_dtype(name, "x1", a, base in F64_KERNELS)
        out = C.output(name, out, a.shape, dtype)
        n = a.size
        if n:
            stdlib_kernel(f"{base}_{sfx}")(C.flat(a), C.flat(b), C.flat(out), n, grid=n)
        return out
    try:
        full = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"hologram.ops.{name}: operands could not be broadcast together with "
                         f"shapes {a.shape} {b.shape}") from None
    pa, pb = _bcast_params(a.shape, full), _bcast_params(b.shape, full)
    if pa is None or pb is None:
        raise ValueError(
            f"hologram.ops.{name}: broadcasting {a.shape} with {b.shape} is not supported: each "
            "operand's dimensions must form one contiguous block of the result's "
            "(same shape, scalar, row, column, or channel vectors)"
            "\n  hint: np.broadcast_to(...).copy() the operand first")
    if dtype != C.F32:
        C.array(name, "x1", a, (C.F32,))
    # `out` may be a full-shape operand (read at [idx], as `add(x, bias, out=x)`), not a
    # broadcast one.
    stretched = [v for v, p in ((a, pa), (b, pb)) if v.shape != full]
    out = C.output(name, out, full, dtype, *stretched, may_alias=False)
    n = out.size
    if n:
        stdlib_kernel(f"{base}_bcast_f32")(C.flat(a), C.flat(b), C.flat(out), n,
                                           pa[0], pa[1], pb[0], pb[1], grid=n)
    return out


# --- binary --------------------------------------------------------------------------------------
@op()
def add(x1, x2, out=None):
    """`out = x1 + x2` elementwise, numpy's `add`. Either side may be a scalar; shapes
    broadcast as described in the module docstring. float32 and float64.

    >>> hologram.ops.add(np.ones(3, np.float32), 2.0)
    array([3., 3., 3.], dtype=float32)
    """
    return _binary("add", "add", x1, x2, out)


@op()
def subtract(x1, x2, out=None):
    """`out = x1 - x2` elementwise (numpy's `subtract`). float32 and float64.

    >>> hologram.ops.subtract(np.ones(3, np.float32), 2.0)
    array([-1., -1., -1.], dtype=float32)
    """
    return _binary("subtract", "sub", x1, x2, out)


@op()
def multiply(x1, x2, out=None):
    """`out = x1 * x2` elementwise (numpy's `multiply`). float32 and float64.

    >>> hologram.ops.multiply(np.arange(3, dtype=np.float32), 2.0)
    array([0., 2., 4.], dtype=float32)
    """
    return _binary("multiply", "mul", x1, x2, out)


@op()
def divide(x1, x2, out=None):
    """`out = x1 / x2` elementwise, IEEE division (x / 0 = ±inf, 0 / 0 = NaN), numpy's
    `divide`. float32 and float64.

    >>> hologram.ops.divide(np.ones(2, np.float32), np.array([2, 0], np.float32))
    array([0.5, inf], dtype=float32)
    """
    return _binary("divide", "div", x1, x2, out)


@op()
def minimum(x1, x2, out=None):
    """`out = min(x1, x2)` elementwise; NaN in either input gives NaN (numpy's `minimum`).

    >>> hologram.ops.minimum(np.array([1, 5], np.float32), 3.0)
    array([1., 3.], dtype=float32)
    """
    return _binary("minimum", "minimum", x1, x2, out)


@op()
def maximum(x1, x2, out=None):
    """`out = max(x1, x2)` elementwise; NaN in either input gives NaN (numpy's `maximum`).

    >>> hologram.ops.maximum(np.array([1, 5], np.float32), 3.0)
    array([3., 5.], dtype=float32)
    """
    return _binary("maximum", "maximum", x1, x2, out)


@op()
def power(x1, x2, out=None):
    """`out = x1 ** x2` elementwise (C `powf`; numpy's `power` for floats).

    >>> hologram.ops.power(np.array([2, 3], np.float32), 2.0)
    array([4., 9.], dtype=float32)
    """
    return _binary("power", "power", x1, x2, out)


# --- unary ---------------------------------------------------------------------------------------
@op()
def negative(x, out=None):
    """`out = -x` (numpy's `negative`). float32 and float64.

    >>> hologram.ops.negative(np.array([1, -2], np.float32))
    array([-1.,  2.], dtype=float32)
    """
    return _unary("negative", "neg", x, out)


@op("abs")
def abs_(x, out=None):
    """`out = |x|` (numpy's `abs`).

    >>> hologram.ops.abs(np.array([-1.5, 2], np.float32))
    array([1.5, 2. ], dtype=float32)
    """
    return _unary("abs", "abs", x, out)


@op()
def sqrt(x, out=None):
    """`out = sqrt(x)`; NaN for x < 0. float32 and float64.

    >>> hologram.ops.sqrt(np.array([4, 9], np.float32))
    array([2., 3.], dtype=float32)
    """
    return _unary("sqrt", "sqrt", x, out)


@op()
def rsqrt(x, out=None):
    """`out = 1 / sqrt(x)` (PyTorch's `rsqrt`); inf at 0, NaN for x < 0.

    >>> hologram.ops.rsqrt(np.array([4, 16], np.float32))
    array([0.5 , 0.25], dtype=float32)
    """
    return _unary("rsqrt", "rsqrt", x, out)


@op()
def exp(x, out=None):
    """`out = e ** x`. float32 and float64.

    >>> hologram.ops.exp(np.zeros(2, np.float32))
    array([1., 1.], dtype=float32)
    """
    return _unary("exp", "exp", x, out)


@op()
def log(x, out=None):
    """`out = ln(x)`; -inf at 0, NaN for x < 0. float32 and float64.

    >>> hologram.ops.log(np.ones(2, np.float32))
    array([0., 0.], dtype=float32)
    """
    return _unary("log", "log", x, out)


@op()
def sin(x, out=None):
    """`out = sin(x)` (radians).

    >>> hologram.ops.sin(np.zeros(1, np.float32))
    array([0.], dtype=float32)
    """
    return _unary("sin", "sin", x, out)


@op()
def cos(x, out=None):
    """`out = cos(x)` (radians).

    >>> hologram.ops.cos(np.zeros(1, np.float32))
    array([1.], dtype=float32)
    """
    return _unary("cos", "cos", x, out)


@op()
def tanh(x, out=None):
    """`out = tanh(x)`.

    >>> hologram.ops.tanh(np.zeros(1, np.float32))
    array([0.], dtype=float32)
    """
    return _unary("tanh", "tanh", x, out)


@op()
def erf(x, out=None):
    """`out = erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt` (`math.erf` elementwise).

    >>> hologram.ops.erf(np.zeros(1, np.float32))
    array([0.], dtype=float32)
    """
    return _unary("erf", "erf", x, out)


# --- ternary -------------------------------------------------------------------------------------
@op()
def clip(a, a_min, a_max, out=None):
    """`out = min(max(a, a_min), a_max)` (numpy's `clip`); `None` leaves a side open; NaN
    stays NaN.

    >>> hologram.ops.clip(np.array([-2, 0.5, 3], np.float32), 0.0, 1.0)
    array([0. , 0.5, 1. ], dtype=float32)
    """
    lo = -np.inf if a_min is None else C.scalar("clip", "a_min", a_min)
    hi = np.inf if a_max is None else C.scalar("clip", "a_max", a_max)
    return _unary("clip", "clip", a, out, lo, hi)


@op()
def where(condition, x, y, out=None):
    """`out = x if condition else y` elementwise (numpy's `where` with three arguments).
    `condition` is a bool array; `x` and `y` are float32 arrays of its shape, or scalars.

    >>> hologram.ops.where(np.array([True, False]), np.ones(2, np.float32), 0.0)
    array([1., 0.], dtype=float32)
    """
    cond = C.array("where", "condition", condition, (np.dtype(np.bool_),))
    arrays = {}
    for arg, v in (("x", x), ("y", y)):
        if C.is_scalar(v):
            filled = np.empty(cond.shape, np.float32)
            if filled.size:
                stdlib_kernel("fill_f32")(float(v), C.flat(filled), filled.size, grid=filled.size)
            arrays[arg] = filled
        else:
            arrays[arg] = C.array("where", arg, v, (C.F32,))
            if arrays[arg].shape != cond.shape:
                raise ValueError(f"hologram.ops.where: argument '{arg}' has shape "
                                 f"{arrays[arg].shape}; expected the condition's {cond.shape}")
    out = C.output("where", out, cond.shape, C.F32)
    n = cond.size
    if n:
        stdlib_kernel("where_f32")(C.flat(cond), C.flat(arrays["x"]), C.flat(arrays["y"]),
                                   C.flat(out), n, grid=n)
    return out


@op()
def fma(a, b, c, out=None):
    """`out = a * b + c` elementwise, one pass (three float32 arrays of one shape).

    >>> hologram.ops.fma(np.ones(2, np.float32), np.full(2, 2, np.float32), np.ones(2, np.float32))
    array([3., 3.], dtype=float32)
    """
    a = C.array("fma", "a", a)
    b = C.array("fma", "b", b)
    c = C.array("fma", "c", c)
    for arg, v in (("b", b), ("c", c)):
        if v.shape != a.shape:
            raise ValueError(f"hologram.ops.fma: argument '{arg}' has shape {v.shape}; "
                             f"expected {a.shape} (the shape of 'a')")
    out = C.output("fma", out, a.shape, C.F32)
    n = a.size
    if n:
        stdlib_kernel("fma_f32")(C.flat(a), C.flat(b), C.flat(c), C.flat(out), n, grid=n)
    return out


# --- activations ---------------------------------------------------------------------------------
@op()
def relu(x, out=None):
    """`out = max(x, 0)`; NaN stays NaN (PyTorch's `relu`).

    >>> hologram.ops.relu(np.array([-1, 2], np.float32))
    array([0., 2.], dtype=float32)
    """
    return _unary("relu", "relu", x, out)


@op()
def leaky_relu(x, negative_slope=0.01, out=None):
    """`out = x if x >= 0 else negative_slope * x` (PyTorch's `leaky_relu`).

    >>> hologram.ops.leaky_relu(np.array([-1, 2], np.float32), 0.1)
    array([-0.1,  2. ], dtype=float32)
    """
    s = C.scalar("leaky_relu", "negative_slope", negative_slope)
    return _unary("leaky_relu", "leaky_relu", x, out, s)


@op()
def sigmoid(x, out=None):
    """`out = 1 / (1 + exp(-x))`; exactly 0 below x = -88 and 1 above x = 17.

    >>> hologram.ops.sigmoid(np.zeros(1, np.float32))
    array([0.5], dtype=float32)
    """
    return _unary("sigmoid", "sigmoid", x, out)


@op()
def gelu(x, approximate="none", out=None):
    """GELU (PyTorch's `gelu`): `approximate="none"` is the exact `0.5 x (1 + erf(x / sqrt 2))`,
    `approximate="tanh"` is `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.

    >>> hologram.ops.gelu(np.array([0, 1], np.float32))
    array([0.       , 0.8413447], dtype=float32)
    """
    if approximate == "none":
        return _unary("gelu", "gelu", x, out)
    if approximate == "tanh":
        return _unary("gelu", "gelu_tanh", x, out)
    raise ValueError(f"hologram.ops.gelu: argument 'approximate' must be 'none' or 'tanh', "
                     f"got {approximate!r}")


@op()
def silu(x, out=None):
    """`out = x * sigmoid(x) = x / (1 + exp(-x))` (PyTorch's `silu`, also called swish).

    >>> hologram.ops.silu(np.zeros(1, np.float32))
    array([0.], dtype=float32)
    """
    return _unary("silu", "silu", x, out)


@op()
def softplus(x, out=None):
    """`out = log(1 + exp(x))`, computed as `max(x, 0) + log1p(exp(-|x|))` (no overflow;
    PyTorch's `softplus` with beta = 1, without its linear cut-off above x = 20).

    >>> hologram.ops.softplus(np.zeros(1, np.float32))
    array([0.6931472], dtype=float32)
    """
    return _unary("softplus", "softplus", x, out)


@op()
def elu(x, alpha=1.0, out=None):
    """`out = x if x > 0 else alpha * (exp(x) - 1)` (PyTorch's `elu`; expm1 accurate near 0).

    >>> hologram.ops.elu(np.array([-1, 1], np.float32))
    array([-0.63212055,  1.        ], dtype=float32)
    """
    a = C.scalar("elu", "alpha", alpha)
    return _unary("elu", "elu", x, out, a)


# --- the seed's names ----------------------------------------------------------------------------
vector_add = alias("vector_add", add)
vector_sub = alias("vector_sub", subtract)
vector_mul = alias("vector_mul", multiply)
