"""The kernel language surface: types and intrinsics (DESIGN §1).

Kernels import these names for type annotations and editor completion::

    from hologram.lang import DeviceArray, f32, u32, get_global_id, atomic_add_f32

Compiling a kernel never runs this module's functions: the frontend reads the source. The
functions here are the *pure-Python semantics* of the intrinsics, used by `Kernel.simulate`
(one call per id, atomics sequential), so they follow the compiled semantics: float32 math in
float32, u32 arithmetic wrapping modulo 2**32.
"""

from __future__ import annotations

import math as _math
from contextvars import ContextVar

import numpy as np

__all__ = [
    "ScalarType", "DeviceArray", "f32", "f64", "c64", "c128", "complex64", "complex128", "cmath", "i32", "u32", "i64", "u64", "usize", "bool_",
    "get_global_id", "atomic_add_f32", "atomic_add", "atomic_min", "atomic_max", "inline",
    "exp", "expf", "log", "logf", "sin", "sinf", "cos", "cosf", "tan", "tanf", "sqrt", "sqrtf",
    "rsqrt", "tanh", "tanhf", "erf", "erff", "fabs", "fabsf", "floor", "floorf", "ceil", "ceilf",
    "pow", "powf", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "log1p",
    "expm1", "log2", "log10", "exp2", "trunc", "rint", "atan2", "copysign", "float_bits",
    "generic",
    "vectorize", "T", "U", "A", "W", "I", "FLOATS", "SIGNED", "UNSIGNED", "INTS", "NUMERIC", "ALL", "BOOL", "COMPLEX", "R",
    "INTEGRAL",
]


class ScalarType:
    """A scalar element type of the language; calling it casts like the compiled code."""

    def __init__(self, name: str, dtype: type[np.generic]):
        self.name = name
        self.dtype = np.dtype(dtype)

    def __call__(self, value, imag=None):
        if self.dtype.kind == "c":
            if imag is not None:  # c64(re, im): each part converted to the part type
                part = np.dtype(np.float32 if self.dtype == np.complex64 else np.float64)
                return self.dtype.type(complex(part.type(value), part.type(imag)))
            if isinstance(value, (complex, np.complexfloating)):
                return self.dtype.type(value)
            return self.dtype.type(complex(value))
        if imag is not None:
            raise TypeError(f"{self.name}() takes one argument")
        if isinstance(value, (complex, np.complexfloating)):
            if self.dtype.kind == "b":
                return np.bool_(value != 0)
            raise TypeError(f"cannot convert a complex number to {self.name}; take z.real")
        if self.dtype.kind in "iu":
            # Casts wrap modulo 2**bits, as the C conversion does (floats truncate first).
            if isinstance(value, (float, np.floating)):
                value = float_to_int(float(value), self.dtype == np.uint64)
            return np.array(int(value)).astype(self.dtype, casting="unsafe")[()]
        return self.dtype.type(value)

    def __repr__(self) -> str:
        return self.name


_TWO63 = 2.0**63


def float_to_int(x: float, to_u64: bool = False) -> int:
    """A float converted to an integer as compiled code does (docs/language.md): truncated
    toward zero when it fits in int64; NaN, infinities and values beyond int64 give -2**63
    (0 for u64, which also takes [2**63, 2**64)). Narrower types then wrap that integer."""
    if -_TWO63 < x < _TWO63:
        return int(x)
    if to_u64:
        return int(x) if _TWO63 <= x < 2.0 * _TWO63 else 0
    return -(2**63)


f32 = ScalarType("f32", np.float32)
f64 = ScalarType("f64", np.float64)
i32 = ScalarType("i32", np.int32)
u32 = ScalarType("u32", np.uint32)
i64 = ScalarType("i64", np.int64)
u64 = ScalarType("u64", np.uint64)
usize = ScalarType("usize", np.uint64)
bool_ = ScalarType("bool", np.bool_)
c64 = complex64 = ScalarType("c64", np.complex64)
c128 = complex128 = ScalarType("c128", np.complex128)

SCALAR_TYPES: dict[str, ScalarType] = {
    "f32": f32, "f64": f64, "i32": i32, "u32": u32, "i64": i64, "u64": u64,
    "usize": usize, "bool": bool_, "float": f32, "int": i32, "c64": c64, "c128": c128,
    "complex64": c64, "complex128": c128, "complex": c64,
}


class DeviceArray:
    """`DeviceArray[f32]`: a 1-D buffer of the element type, passed as a contiguous numpy array."""

    def __class_getitem__(cls, elem: ScalarType):
        return _ArrayAnnotation(elem)


class _ArrayAnnotation:
    def __init__(self, elem: ScalarType):
        self.elem = elem

    def __repr__(self) -> str:
        return f"DeviceArray[{self.elem!r}]"


def inline(fn):
    """Marks a helper for inlining (the seed's `@inline`); every helper is inlined anyway."""
    return fn


# --- execution state of the pure-Python reference --------------------------------------------
_GLOBAL_ID: ContextVar[int] = ContextVar("hologram_global_id", default=0)


def set_global_id(idx: int) -> None:
    _GLOBAL_ID.set(idx)


def get_global_id() -> np.uint32:
    """The id of the current thread, in [0, grid)."""
    return np.uint32(_GLOBAL_ID.get())


def atomic_add_f32(arr, value) -> None:
    """`arr[0] += value`, atomically."""
    arr[0] = arr.dtype.type(arr[0] + value)


def atomic_add(arr, index, value):
    """`arr[index] += value` atomically; returns the old value."""
    old = arr[int(index)]
    arr[int(index)] = arr.dtype.type(old + value)
    return old


def atomic_min(arr, index, value):
    """`arr[index] = min(arr[index], value)` atomically; returns the old value."""
    old = arr[int(index)]
    arr[int(index)] = arr.dtype.type(min(old, value))
    return old


def atomic_max(arr, index, value):
    """`arr[index] = max(arr[index], value)` atomically; returns the old value."""
    old = arr[int(index)]
    arr[int(index)] = arr.dtype.type(max(old, value))
    return old


# --- math: the result keeps the float width of the argument ------------------------------------
def _float(x):
    # Python complex literals are c64 as float literals are f32 (docs/language.md).
    if isinstance(x, (np.floating, np.complexfloating)):
        return x
    return np.complex64(x) if isinstance(x, complex) else np.float32(x)


def _unary(np_fn):
    def fn(x):
        x = _float(x)
        with np.errstate(all="ignore"):
            return x.dtype.type(np_fn(x))
    fn.__name__ = np_fn.__name__
    return fn


def _erf(x):
    x = _float(x)
    return x.dtype.type(_math.erf(float(x)))


def rsqrt(x):
    x = _float(x)
    with np.errstate(all="ignore"):
        return x.dtype.type(1.0 / np.sqrt(x))


def pow(x, y):  # noqa: A001 - the language's name
    x = _float(x)
    with np.errstate(all="ignore"):
        return x.dtype.type(np.power(x, x.dtype.type(y)))


exp = expf = _unary(np.exp)
log = logf = _unary(np.log)
sin = sinf = _unary(np.sin)
cos = cosf = _unary(np.cos)
tan = tanf = _unary(np.tan)
sqrt = sqrtf = _unary(np.sqrt)
tanh = tanhf = _unary(np.tanh)
fabs = fabsf = _unary(np.fabs)
floor = floorf = _unary(np.floor)
ceil = ceilf = _unary(np.ceil)
erf = erff = _erf
powf = pow
asin = asinf = _unary(np.arcsin)
acos = acosf = _unary(np.arccos)
atan = atanf = _unary(np.arctan)
sinh = sinhf = _unary(np.sinh)
cosh = coshf = _unary(np.cosh)
asinh = asinhf = _unary(np.arcsinh)
acosh = acoshf = _unary(np.arccosh)
atanh = atanhf = _unary(np.arctanh)
log1p = log1pf = _unary(np.log1p)
expm1 = expm1f = _unary(np.expm1)
log2 = log2f = _unary(np.log2)
log10 = log10f = _unary(np.log10)
exp2 = exp2f = _unary(np.exp2)
trunc = truncf = _unary(np.trunc)
rint = rintf = _unary(np.rint)


def atan2(y, x):
    y = _float(y)
    with np.errstate(all="ignore"):
        return y.dtype.type(np.arctan2(y, y.dtype.type(x)))


def copysign(x, y):
    x = _float(x)
    return x.dtype.type(np.copysign(x, x.dtype.type(y)))


def float_bits(x):
    """The IEEE-754 bits of a float: a u32 for an f32, a u64 for an f64 (a Python float is an
    f32, as float literals are)."""
    if isinstance(x, (bool, np.bool_, int, np.integer, complex, np.complexfloating)):
        raise TypeError(f"float_bits() takes a float, got {type(x).__name__}")
    x = _float(x)
    return x.view(np.uint32 if x.dtype == np.float32 else np.uint64)


class _CMath:
    """`cmath.exp(z)`... in a kernel: numpy's complex functions (C99 Annex G special values,
    no exception where Python's cmath raises), in the argument's width; a real argument
    converts to complex first (f64 -> c128, others -> c64)."""

    @staticmethod
    def _complex(z):
        if isinstance(z, np.complexfloating):
            return z
        if isinstance(z, np.float64):
            return np.complex128(z)
        return np.complex64(z)

    def __getattr__(self, name):
        fn = {"isnan": np.isnan, "isinf": np.isinf, "isfinite": np.isfinite}.get(name)
        if fn is not None:
            return lambda z: np.bool_(fn(self._complex(z)))
        fn = globals().get(name)
        if name not in _CMATH_NAMES or fn is None:
            raise AttributeError(f"cmath.{name} is not a kernel intrinsic")
        return lambda z: fn(self._complex(z))


_CMATH_NAMES = {"exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "asin",
                "acos", "atan", "asinh", "acosh", "atanh", "log10"}
cmath = _CMath()


def generic(**type_variables):
    """`@generic(T=FLOATS)`: a kernel written once for several element types; the compiler
    specializes it per type (hologram/generic.py). Running the file does nothing."""
    return lambda fn: fn


def vectorize(**type_variables):
    """`@vectorize(T=NUMERIC)`: a scalar function expanded into elementwise kernels (contiguous,
    scalar and strided forms) per type (hologram/generic.py)."""
    return lambda fn: fn


# Type variables and type sets of generic kernels (names only: the compiler reads the source).
T, U, A, W, I, R = "T", "U", "A", "W", "I", "R"
FLOATS, SIGNED, UNSIGNED = ("f32", "f64"), ("i32", "i64"), ("u32", "u64")
INTS = SIGNED + UNSIGNED
NUMERIC = FLOATS + INTS
ALL = NUMERIC + ("bool",)
BOOL = ("bool",)
INTEGRAL = INTS + ("bool",)
COMPLEX = ("c64", "c128")
