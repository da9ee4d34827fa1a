"""`@hologram.jit`: trace calls of `hologram.ops` into one program, fuse it, compile it, call it.

    @hologram.jit
    def f(a, b, c):
        return hologram.ops.sigmoid(a * b + c)

    f(a, b, c)        # the first call per (dtypes, ranks) traces, compiles and caches
    f.mlir()          # the program before and after the pipeline (with `fuse`)
    f.c_source()      # the C of the compiled program

How it works. The first call with a new combination of argument kinds (array dtype and rank, and
which dimensions are 1, so broadcasting is known; or "scalar") runs the Python function on
*traced* values: every `hologram.ops` call (through `hologram/ops/_dispatch.py`) and every
arithmetic operator (`a * b + c`, `-a`, `a / 2.0`, `2.0 * a`) is recorded instead of computed.
The record becomes a program (a `func.func` of `hologram.launch`es of stdlib kernels on buffers,
docs/ir.md "Programs"), which runs through `fuse` and then `hologram.passes.DEFAULT_PIPELINE`, is
compiled by the C backend, and is called with one C call per call of `f`.

Shapes are symbolic while tracing: operands of an elementwise op must have equal dimensions (or
broadcast, numpy's rules, where a dimension that is 1 at the first call stays 1), checked at every
call with an error that names the op. Scalars: Python numbers in the function body are constants
of the program; scalar *arguments* of `f` are parameters of the program (float64, converted to the
kernel's type), so calling with another value does not retrace.

Supported: the elementwise ops of `hologram.ops` (see `_ELEMENTWISE`), `fma`, `clip`, the
whole-array and per-axis `sum` and `mean`, per-axis `max`/`min`, and `softmax`/`log_softmax` along
one axis. Reductions and row-wise ops run as their own launches in the same program (the `fuse`
pass refuses what it cannot fuse). Anything else raises `JitError` naming the op.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["jit", "JitFunction", "JitError", "is_tracing", "trace_call", "Traced", "TracedScalar"]


class JitError(TypeError):
    """An op or construct `@hologram.jit` cannot trace, or a bad call of a jitted function."""


# ------------------------------------------------------------------------------------------------
# Symbolic shapes
# ------------------------------------------------------------------------------------------------
class _Dim:
    """A dimension of an argument, known at trace time only as "the same as" other dimensions.

    Union-find: dimensions that an op requires to be equal share a root. `origin` is the
    (argument name, axis) it was read from, for error messages.
    """

    def __init__(self, origin: tuple[str, int]):
        self.origin = origin
        self.parent: _Dim = self

    def root(self) -> _Dim:
        d = self
        while d.parent is not d:
            d.parent = d.parent.parent
            d = d.parent
        return d

    def __repr__(self) -> str:
        return f"{self.origin[0]}.shape[{self.origin[1]}]"


# A shape entry is a _Dim or the integer 1 (a dimension that was 1 when traced).
Shape = tuple["_Dim | int", ...]


def _same(d: _Dim | int, e: _Dim | int) -> bool:
    if isinstance(d, int) or isinstance(e, int):
        return d == e
    return d.root() is e.root()


@dataclass
class _Constraint:
    """Two dimensions an op requires to be equal; checked at each call."""

    first: _Dim
    second: _Dim
    op: str


# ------------------------------------------------------------------------------------------------
# Traced values
# ------------------------------------------------------------------------------------------------
_tls = threading.local()


def _active() -> _Tracer | None:
    return getattr(_tls, "tracer", None)


class Traced:
    """An array inside a traced function: its dtype and symbolic shape, no data."""

    __array_ufunc__ = None  # numpy scalars and arrays defer to our operators

    def __init__(self, tracer: _Tracer, dtype: np.dtype, shape: Shape, name: str):
        self._tracer = tracer
        self.dtype = dtype
        self._shape = shape
        self.name = name

    @property
    def ndim(self) -> int:
        return len(self._shape)

    @property
    def shape(self):
        raise JitError(
            f"hologram.jit: the shape of '{self.name}' is not known while tracing (the program "
            "is compiled once for every shape); use ndim, or pass sizes as arguments"
        )

    def _refuse(self, what: str):
        raise JitError(
            f"hologram.jit: '{self.name}' is a traced array; {what} is not possible while "
            "tracing (only hologram.ops calls and arithmetic operators are recorded)"
        )

    def __bool__(self):
        self._refuse("using it as a condition")

    def __len__(self):
        self._refuse("len()")

    def __iter__(self):
        self._refuse("iterating over it")

    def __float__(self):
        self._refuse("converting it to a number")

    def __array__(self, *args, **kwargs):
        self._refuse("converting it to a numpy array")

    def __getitem__(self, item):
        self._refuse("indexing")

    def __repr__(self) -> str:
        return f"Traced({self.name}, dtype={self.dtype}, ndim={self.ndim})"

    # numpy's operators, as the op API's ops
    def __add__(self, other): return self._tracer.call("add", (self, other), {})
    def __radd__(self, other): return self._tracer.call("add", (other, self), {})
    def __sub__(self, other): return self._tracer.call("subtract", (self, other), {})
    def __rsub__(self, other): return self._tracer.call("subtract", (other, self), {})
    def __mul__(self, other): return self._tracer.call("multiply", (self, other), {})
    def __rmul__(self, other): return self._tracer.call("multiply", (other, self), {})
    def __truediv__(self, other): return self._tracer.call("divide", (self, other), {})
    def __rtruediv__(self, other): return self._tracer.call("divide", (other, self), {})
    def __pow__(self, other): return self._tracer.call("power", (self, other), {})
    def __rpow__(self, other): return self._tracer.call("power", (other, self), {})
    def __neg__(self): return self._tracer.call("negative", (self,), {})
    def __pos__(self): return self._tracer.call("multiply", (self, 1.0), {})  # a copy, as numpy
    def __abs__(self): return self._tracer.call("abs", (self,), {})


class TracedScalar:
    """A scalar argument of the traced function: a float64 parameter of the program.

    Arithmetic between traced scalars and numbers is computed in the program (float64).
    """

    __array_ufunc__ = None

    def __init__(self, tracer: _Tracer, name: str, node: tuple):
        self._tracer = tracer
        self.name = name
        self.node = node  # ("arg", index) | ("const", float) | (op, lhs, rhs) | ("neg", x)

    def __bool__(self):
        raise JitError(f"hologram.jit: scalar argument '{self.name}' is traced; it cannot be "
                       "used as a condition (its value is only known when the program runs)")

    def __float__(self):
        self.__bool__()

    def _bin(self, op: str, other, reverse: bool = False):
        if isinstance(other, Traced):
            return NotImplemented
        node = _scalar_node(other, self._tracer)
        if node is None:
            return NotImplemented
        lhs, rhs = (node, self.node) if reverse else (self.node, node)
        return TracedScalar(self._tracer, f"({self.name} {op} ...)", (op, lhs, rhs))

    def __add__(self, o): return self._bin("+", o)
    def __radd__(self, o): return self._bin("+", o, True)
    def __sub__(self, o): return self._bin("-", o)
    def __rsub__(self, o): return self._bin("-", o, True)
    def __mul__(self, o): return self._bin("*", o)
    def __rmul__(self, o): return self._bin("*", o, True)
    def __truediv__(self, o): return self._bin("/", o)
    def __rtruediv__(self, o): return self._bin("/", o, True)
    def __neg__(self): return TracedScalar(self._tracer, f"-{self.name}", ("neg", self.node))
    def __pos__(self): return self


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool | np.bool_)


def _scalar_node(x, tracer: _Tracer) -> tuple | None:
    if isinstance(x, TracedScalar):
        if x._tracer is not tracer:
            raise JitError("hologram.jit: a traced scalar from another trace was used")
        return x.node
    if _is_number(x):
        return ("const", float(x))
    return None


def is_tracing(args: Sequence[Any]) -> bool:
    """Whether an op called with `args` must be recorded (an argument is a traced value)."""
    for a in args:
        if isinstance(a, Traced | TracedScalar):
            return True
        if isinstance(a, list | tuple) and any(isinstance(b, Traced | TracedScalar) for b in a):
            return True
    return False


def trace_call(op_name: str, args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    """Record `hologram.ops.<op_name>(*args, **kwargs)` in the active trace; returns its result."""
    tracer = _active()
    if tracer is None:
        raise JitError(
            f"hologram.ops.{op_name}: called with a traced value outside of its "
            "@hologram.jit function (a traced value escaped, e.g. stored in a global)"
        )
    return tracer.call(op_name, args, kwargs)


# ------------------------------------------------------------------------------------------------
# The op table: how each traced op becomes launches of stdlib kernels
# ------------------------------------------------------------------------------------------------
# Elementwise ops come from the op registry `hologram.ops._ufunc.UFUNCS` (shared with
# hologram.ops): the kernel base, the number of inputs, the scalar parameters, the element types.
# A kernel is `<base>_<sfx>`; with a scalar `<base>_scalar_<sfx>` (x op s) or
# `r<base>_scalar_<sfx>` (s op x); block broadcasting `<base>_bcast_<sfx>`.
def _ufuncs() -> dict:
    from hologram.ops._ufunc import UFUNCS

    return UFUNCS


# Ops with their own handler below (extra arguments), not the generic unary/binary path.
_SPECIAL = {"gelu", "gelu_tanh", "clip", "clip3", "where", "fma", "power"}
# The seed's names and the array API's spellings, traced as their targets.
_ALIASES = {"vector_add": "add", "vector_sub": "subtract", "vector_mul": "multiply",
            "absolute": "abs", "acos": "arccos", "asin": "arcsin", "atan": "arctan",
            "acosh": "arccosh", "asinh": "arcsinh", "atanh": "arctanh", "atan2": "arctan2",
            "pow": "power", "true_divide": "divide"}
_AXIS_REDUCTIONS = {"sum": "sum_axis", "mean": "mean_axis", "max": "max_axis", "min": "min_axis"}
_ROW_OPS = {"softmax": "softmax", "log_softmax": "log_softmax"}

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_BOOL = np.dtype(np.bool_)
# Element types a traced program's buffers may have (the kernels' suffixes).
_SUFFIX = {np.dtype(t): s for t, s in ((np.float32, "f32"), (np.float64, "f64"),
                                       (np.int32, "i32"), (np.int64, "i64"),
                                       (np.bool_, "bool"))}
_U32_MAX = 0xFFFFFFFF


# A size: a product of dimensions (a tuple of _Dim roots and ints), evaluated in the program.
@dataclass(frozen=True)
class _Size:
    dims: tuple

    @staticmethod
    def of(shape: Shape) -> _Size:
        return _Size(tuple(d.root() if isinstance(d, _Dim) else d for d in shape))


# Kernel arguments recorded by a launch.
@dataclass(frozen=True)
class _ArrayArg:
    value: Traced


@dataclass(frozen=True)
class _FloatArg:
    node: tuple  # a scalar node (constant, argument, or arithmetic on them)
    type: str  # "f32" | "f64"


@dataclass(frozen=True)
class _SizeArg:
    size: _Size  # passed as the kernel's u32


@dataclass
class _Launch:
    kernel: str
    args: list
    grid: _Size
    op: str


# ------------------------------------------------------------------------------------------------
# The tracer
# ------------------------------------------------------------------------------------------------
class _Tracer:
    def __init__(self, fn_name: str):
        self.fn_name = fn_name
        self.launches: list[_Launch] = []
        self.constraints: list[_Constraint] = []
        self.inputs: list[Traced] = []
        self.values: list[Traced] = []  # every traced array, in creation order
        self.count = 0

    # -- values -------------------------------------------------------------------------------
    def input(self, name: str, dtype: np.dtype, ones: tuple[bool, ...]) -> Traced:
        shape = tuple(1 if one else _Dim((name, k)) for k, one in enumerate(ones))
        t = Traced(self, dtype, shape, name)
        self.inputs.append(t)
        self.values.append(t)
        return t

    def fresh(self, dtype: np.dtype, shape: Shape, op: str) -> Traced:
        self.count += 1
        t = Traced(self, dtype, shape, f"{op}_{self.count}")
        self.values.append(t)
        return t

    def launch(self, kernel: str, args: list, grid: _Size, op: str) -> None:
        self.launches.append(_Launch(kernel, args, grid, op))

    # -- dispatch -----------------------------------------------------------------------------
    def call(self, op_name: str, args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
        op_name = _ALIASES.get(op_name, op_name)
        if kwargs.get("out") is not None:
            raise JitError(f"hologram.jit: {op_name}(out=...) is not supported inside a traced "
                           "function; return the result instead")
        kwargs = {k: v for k, v in kwargs.items() if k != "out"}
        for a in args:
            if isinstance(a, Traced) and a._tracer is not self:
                raise JitError(f"hologram.jit: {op_name}: '{a.name}' belongs to another trace")
        u = _ufuncs().get(op_name)
        if u is not None and op_name not in _SPECIAL:
            if u.nin == 2:
                return self._binary(op_name, *args, **kwargs)
            if u.nin == 1:
                return self._unary(op_name, *args, **kwargs)
        handler = getattr(self, f"_op_{op_name}", None)
        if handler is None:
            raise JitError(
                f"hologram.jit: hologram.ops.{op_name} cannot be traced yet; call it outside "
                "the @hologram.jit function, or split the function there"
            )
        return handler(*args, **kwargs)

    def _array(self, op: str, arg: str, x) -> Traced:
        if isinstance(x, np.ndarray):
            raise JitError(
                f"hologram.jit: {op}: argument '{arg}' is a numpy array that is not an argument "
                "of the traced function (a global or a closure); pass it as an argument"
            )
        if not isinstance(x, Traced):
            raise JitError(f"hologram.jit: {op}: argument '{arg}' must be an array, "
                           f"got {type(x).__name__}")
        return x

    def _float(self, op: str, arg: str, x, kernel_type: str) -> _FloatArg:
        node = _scalar_node(x, self)
        if node is None:
            raise JitError(f"hologram.jit: {op}: argument '{arg}' must be a number, "
                           f"got {type(x).__name__}")
        return _FloatArg(node, kernel_type)

    def _suffix(self, op: str, dtype: np.dtype, kernel_base: str) -> str:
        sfx = _SUFFIX.get(dtype)
        if sfx is None:
            raise JitError(f"hologram.jit: {op}: dtype {dtype} is not supported "
                           f"(traced programs take {', '.join(str(d) for d in _SUFFIX)})")
        _require_kernel(op, f"{kernel_base}_{sfx}")
        return sfx

    def _result_dtype(self, op: str, u, dtypes: tuple) -> np.dtype:
        """The op's result dtype for these (equal) input dtypes; a traced program does not
        convert, so the loop must be the inputs' dtype."""
        try:
            loop, res = u.resolve(dtypes)
        except TypeError as err:
            raise JitError(f"hologram.jit: {err}") from None
        if loop != dtypes[0]:
            raise JitError(f"hologram.jit: {op}: {dtypes[0]} inputs compute in {loop}; convert "
                           "them before the call (a traced program does not convert)")
        return res

    def _unary(self, op: str, x, *scalars, **kwargs) -> Traced:
        u = _ufuncs()[op]
        base, params = u.kernel, u.params
        x = self._array(op, "x", x)
        values = _bind(op, params, scalars, kwargs)
        sfx = self._suffix(op, x.dtype, base)
        out = self.fresh(self._result_dtype(op, u, (x.dtype,)), x._shape, op)
        size = _Size.of(x._shape)
        args = [_ArrayArg(x)] + [self._float(op, p, v, sfx) for (p, _), v in zip(params, values)]
        self.launch(f"{base}_{sfx}", args + [_ArrayArg(out), _SizeArg(size)], size, op)
        return out

    def _op_gelu(self, x, approximate="none") -> Traced:
        if approximate not in ("none", "tanh"):
            raise JitError(f"hologram.jit: gelu: approximate must be 'none' or 'tanh', "
                           f"got {approximate!r}")
        base = "gelu" if approximate == "none" else "gelu_tanh"
        x = self._array("gelu", "x", x)
        sfx = self._suffix("gelu", x.dtype, base)
        out = self.fresh(x.dtype, x._shape, "gelu")
        size = _Size.of(x._shape)
        self.launch(f"{base}_{sfx}", [_ArrayArg(x), _ArrayArg(out), _SizeArg(size)], size,
                    "gelu")
        return out

    def _op_clip(self, a, a_min=None, a_max=None, *, min=None, max=None) -> Traced:  # noqa: A002
        a_min = min if a_min is None else a_min
        a_max = max if a_max is None else a_max
        x = self._array("clip", "a", a)
        sfx = self._suffix("clip", x.dtype, "clip")
        lo = self._float("clip", "a_min", -math.inf if a_min is None else a_min, sfx)
        hi = self._float("clip", "a_max", math.inf if a_max is None else a_max, sfx)
        out = self.fresh(x.dtype, x._shape, "clip")
        size = _Size.of(x._shape)
        self.launch(f"clip_{sfx}", [_ArrayArg(x), lo, hi, _ArrayArg(out), _SizeArg(size)], size,
                    "clip")
        return out

    def _op_fma(self, a, b, c) -> Traced:
        arrays = [self._array("fma", n, v) for n, v in (("a", a), ("b", b), ("c", c))]
        self._same_dtype("fma", *arrays)
        for other in arrays[1:]:
            self._equal_shapes("fma", arrays[0], other)
        sfx = self._suffix("fma", arrays[0].dtype, "fma")
        out = self.fresh(arrays[0].dtype, arrays[0]._shape, "fma")
        size = _Size.of(out._shape)
        self.launch(f"fma_{sfx}", [_ArrayArg(v) for v in arrays] + [_ArrayArg(out),
                                                                    _SizeArg(size)], size, "fma")
        return out

    def _op_where(self, condition, x, y) -> Traced:
        cond = self._array("where", "condition", condition)
        if cond.dtype != _BOOL:
            raise JitError(f"hologram.jit: where: condition must be a bool array, got "
                           f"{cond.dtype}")
        arrays = [self._array("where", n, v) for n, v in (("x", x), ("y", y))]
        self._same_dtype("where", *arrays)
        for other in arrays:
            self._equal_shapes("where", cond, other)
        sfx = self._suffix("where", arrays[0].dtype, "where")
        out = self.fresh(arrays[0].dtype, cond._shape, "where")
        size = _Size.of(out._shape)
        self.launch(f"where_{sfx}", [_ArrayArg(cond)] + [_ArrayArg(v) for v in arrays]
                    + [_ArrayArg(out), _SizeArg(size)], size, "where")
        return out

    def _same_dtype(self, op: str, *arrays: Traced) -> None:
        dtypes = {a.dtype for a in arrays}
        if len(dtypes) > 1:
            names = ", ".join(f"'{a.name}' {a.dtype}" for a in arrays)
            raise JitError(f"hologram.jit: {op}: arrays of different dtypes ({names}); "
                           "convert one explicitly before the call")

    def _equal_shapes(self, op: str, a: Traced, b: Traced) -> None:
        if a.ndim != b.ndim:
            raise JitError(f"hologram.jit: {op}: '{a.name}' has {a.ndim} dimensions and "
                           f"'{b.name}' {b.ndim}")
        for d, e in zip(a._shape, b._shape):
            self._unify(op, d, e)

    def _unify(self, op: str, d: _Dim | int, e: _Dim | int) -> None:
        if isinstance(d, int) or isinstance(e, int):
            if d != e:
                raise JitError(f"hologram.jit: {op}: a dimension of size 1 meets one that is not "
                               "(retrace with other shapes, or broadcast explicitly)")
            return
        if d.root() is not e.root():
            self.constraints.append(_Constraint(d, e, op))
            d.root().parent = e.root()

    def _op_power(self, x1, x2) -> Traced:
        return self._binary("power", x1, x2)

    def _binary(self, op: str, x1, x2) -> Traced:
        u = _ufuncs()[op]
        base = u.kernel
        n1, n2 = _is_number(x1) or isinstance(x1, TracedScalar), _is_number(x2) or isinstance(
            x2, TracedScalar)
        if n1 and n2:
            raise JitError(f"hologram.jit: {op}: at least one argument must be an array")
        if n1 or n2:
            x, s = (x2, x1) if n1 else (x1, x2)
            x = self._array(op, "x2" if n1 else "x1", x)
            kernel = f"{base}_scalar" if n2 else f"r{base}_scalar"
            if x.dtype.kind != "f":
                raise JitError(f"hologram.jit: {op}: a scalar with {x.dtype} arrays cannot be "
                               "traced yet (scalars are float parameters of the program)")
            sfx = self._suffix(op, x.dtype, kernel)
            out = self.fresh(self._result_dtype(op, u, (x.dtype, x.dtype)), x._shape, op)
            size = _Size.of(x._shape)
            self.launch(f"{kernel}_{sfx}", [_ArrayArg(x), self._float(op, "scalar", s, sfx),
                                            _ArrayArg(out), _SizeArg(size)], size, op)
            return out
        a = self._array(op, "x1", x1)
        b = self._array(op, "x2", x2)
        self._same_dtype(op, a, b)
        if a.ndim == b.ndim and all(
            not (isinstance(d, int) or isinstance(e, int)) or d == e
            for d, e in zip(a._shape, b._shape)
        ):
            self._equal_shapes(op, a, b)
            sfx = self._suffix(op, a.dtype, base)
            out = self.fresh(self._result_dtype(op, u, (a.dtype, b.dtype)), a._shape, op)
            size = _Size.of(a._shape)
            self.launch(f"{base}_{sfx}", [_ArrayArg(a), _ArrayArg(b), _ArrayArg(out),
                                          _SizeArg(size)], size, op)
            return out
        return self._broadcast(op, u, a, b)

    def _broadcast(self, op: str, u, a: Traced, b: Traced) -> Traced:
        """numpy broadcasting where each operand's own dimensions are one contiguous block of
        the result's: element idx reads operand[(idx // d) % m] (the stdlib's bcast kernels)."""
        base = u.kernel
        if not u.bcast:
            raise JitError(f"hologram.jit: {op}: broadcasting is traced for add, subtract, "
                           "multiply, divide, minimum, maximum (give the operands one shape)")
        rank = max(a.ndim, b.ndim)
        sa = (1,) * (rank - a.ndim) + a._shape
        sb = (1,) * (rank - b.ndim) + b._shape
        full: list[_Dim | int] = []
        for d, e in zip(sa, sb):
            if isinstance(d, int) and d == 1:
                full.append(e)
            elif isinstance(e, int) and e == 1:
                full.append(d)
            else:
                self._unify(op, d, e)
                full.append(d)
        params = []
        for s, name in ((sa, a.name), (sb, b.name)):
            kept = [k for k in range(rank) if not _same(full[k], 1) and _same(s[k], full[k])]
            stretched = [k for k in range(rank) if not _same(full[k], 1) and _same(s[k], 1)]
            if not kept:
                params += [_Size(()), _Size(())]
                continue
            lo, hi = kept[0], kept[-1]
            if any(lo < k < hi for k in stretched):
                raise JitError(f"hologram.jit: {op}: broadcasting '{name}' is not supported: its "
                               "dimensions must form one contiguous block of the result's")
            params += [_Size.of(tuple(full[hi + 1:])), _Size.of(tuple(full[lo:hi + 1]))]
        sfx = self._suffix(op, a.dtype, f"{base}_bcast")
        out = self.fresh(a.dtype, tuple(full), op)
        size = _Size.of(out._shape)
        self.launch(f"{base}_bcast_{sfx}", [_ArrayArg(a), _ArrayArg(b), _ArrayArg(out),
                                          _SizeArg(size)] + [_SizeArg(p) for p in params],
                    size, op)
        return out

    # -- reductions and row-wise ops ------------------------------------------------------------
    def _axis(self, op: str, x: Traced, axis) -> int:
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise JitError(f"hologram.jit: {op}: axis must be an int or None, got {axis!r}")
        ax = int(axis) + x.ndim if axis < 0 else int(axis)
        if not 0 <= ax < x.ndim:
            raise JitError(f"hologram.jit: {op}: axis {axis} is out of range for "
                           f"{x.ndim} dimensions")
        return ax

    def _reduce(self, op: str, x, axis, keepdims) -> Traced:
        x = self._array(op, "x", x)
        if axis is None:
            return self._whole(op, x, keepdims)
        if x.dtype != _F32:
            raise JitError(f"hologram.jit: {op}: axis reductions need float32")
        ax = self._axis(op, x, axis)
        kernel = f"{_AXIS_REDUCTIONS[op]}_f32"
        _require_kernel(op, kernel)
        shape = x._shape
        r, inner = _Size.of(shape[ax:ax + 1]), _Size.of(shape[ax + 1:])
        out_shape = shape[:ax] + ((1,) if keepdims else ()) + shape[ax + 1:]
        out = self.fresh(_F32, out_shape, op)
        m = _Size.of(shape[:ax] + shape[ax + 1:])
        self.launch(kernel, [_ArrayArg(x), _ArrayArg(out), _SizeArg(m), _SizeArg(r),
                             _SizeArg(inner)], m, op)
        return out

    def _whole(self, op: str, x: Traced, keepdims: bool) -> Traced:
        if op not in ("sum", "mean"):
            raise JitError(f"hologram.jit: {op} over the whole array cannot be traced yet; "
                           "give axis=, or call it outside the @hologram.jit function")
        sfx = self._suffix(op, x.dtype, "sum")
        if op == "mean" and x.dtype != _F32:
            raise JitError("hologram.jit: mean needs float32")
        one = _Size(())
        shape = (1,) * x.ndim if keepdims else ()
        total = self.fresh(x.dtype, shape, op)
        _require_kernel(op, f"fill_{sfx}")  # the sum starts from 0
        self.launch(f"fill_{sfx}", [_FloatArg(("const", 0.0), sfx), _ArrayArg(total),
                                    _SizeArg(one)], one, op)
        size = _Size.of(x._shape)
        self.launch(f"sum_{sfx}", [_ArrayArg(x), _ArrayArg(total), _SizeArg(size)], size, op)
        if op == "sum":
            return total
        mean = self.fresh(x.dtype, shape, op)
        self.launch("div_scalar_f32", [_ArrayArg(total), _FloatArg(("count", size), "f32"),
                                       _ArrayArg(mean), _SizeArg(one)], one, op)
        return mean

    def _op_sum(self, x, axis=None, keepdims=False):
        return self._reduce("sum", x, axis, keepdims)

    def _op_mean(self, x, axis=None, keepdims=False):
        return self._reduce("mean", x, axis, keepdims)

    def _op_max(self, x, axis=None, keepdims=False):
        return self._reduce("max", x, axis, keepdims)

    def _op_min(self, x, axis=None, keepdims=False):
        return self._reduce("min", x, axis, keepdims)

    def _row(self, op: str, x, axis) -> Traced:
        x = self._array(op, "x", x)
        if x.dtype != _F32:
            raise JitError(f"hologram.jit: {op} needs float32")
        ax = self._axis(op, x, axis)
        kernel = f"{_ROW_OPS[op]}_f32"
        _require_kernel(op, kernel)
        shape = x._shape
        out = self.fresh(_F32, shape, op)
        m = _Size.of(shape[:ax] + shape[ax + 1:])
        self.launch(kernel, [_ArrayArg(x), _ArrayArg(out), _SizeArg(m),
                             _SizeArg(_Size.of(shape[ax:ax + 1])),
                             _SizeArg(_Size.of(shape[ax + 1:]))], m, op)
        return out

    def _op_softmax(self, x, axis=-1):
        return self._row("softmax", x, axis)

    def _op_log_softmax(self, x, axis=-1):
        return self._row("log_softmax", x, axis)


def _bind(op: str, params, scalars, kwargs) -> list:
    """The values of an op's scalar parameters from positional and keyword arguments."""
    if len(scalars) > len(params):
        raise JitError(f"hologram.jit: {op}: too many arguments")
    values = []
    for i, (name, default) in enumerate(params):
        if i < len(scalars):
            values.append(scalars[i])
        else:
            values.append(kwargs.pop(name, default))
    if kwargs:
        raise JitError(f"hologram.jit: {op}: unexpected argument(s) {', '.join(kwargs)}")
    return values


def _kernel(name: str):
    # The registry caches Kernel objects per value of $HOLOGRAM_KERNEL_PATH.
    from hologram.ops._registry import stdlib_kernel

    return stdlib_kernel(name)


def _require_kernel(op: str, name: str) -> None:
    try:
        _kernel(name)
    except LookupError as err:
        raise JitError(f"hologram.jit: {op}: no stdlib kernel '{name}' ({err})") from None


# ------------------------------------------------------------------------------------------------
# From the trace to a program
# ------------------------------------------------------------------------------------------------
@dataclass
class _Program:
    """One compiled specialization of a jitted function."""

    module_before: str
    module_after: str
    c_source: str
    symbol: str
    fn: Any
    ffi: Any
    # per C argument: ("array", i, ctype) | ("out", j, ctype) | ("dim", i, axis) | ("scalar", i)
    arg_plan: list
    outputs: list  # per output: (dtype, shape: a list of ("dim", i, axis) or 1)
    constraints: list  # (i, axis, j, axis, op): args[i].shape[axis] == args[j].shape[axis]
    u32_sizes: list  # per launch grid: the (i, axis) whose product must fit a u32
    structure: Any  # how to rebuild the return value


def _build_program(tracer: _Tracer, results: list, fn_name: str):
    """The program module for a finished trace; returns (module, func op, plan pieces)."""
    from xdsl.builder import Builder
    from xdsl.dialects import arith, func, memref
    from xdsl.dialects.builtin import (
        DYNAMIC_INDEX, FloatAttr, IndexType, IntegerAttr, MemRefType, ModuleOp, f32, f64, i32,
        i64,
    )
    from xdsl.ir import Block, Region
    from xdsl.rewriter import InsertPoint

    from hologram.dialects.hologram import LaunchOp

    from xdsl.dialects.builtin import i1

    elem = {_F32: f32, _F64: f64, np.dtype(np.int32): i32, np.dtype(np.int64): i64, _BOOL: i1}

    def memref_type(dtype: np.dtype) -> MemRefType:
        return MemRefType(elem[dtype], [DYNAMIC_INDEX])

    # The dimension classes the program takes as index parameters, in order of first use.
    dims: list[_Dim] = []
    for t in tracer.inputs:
        for d in t._shape:
            if isinstance(d, _Dim) and d.root() not in dims:
                dims.append(d.root())

    outputs = [r for r in results if r not in tracer.inputs]
    unique_outputs: list[Traced] = []
    for r in outputs:
        if r not in unique_outputs:
            unique_outputs.append(r)

    arg_types = ([memref_type(t.dtype) for t in tracer.inputs]
                 + [memref_type(t.dtype) for t in unique_outputs]
                 + [IndexType() for _ in dims])
    scalar_args = sorted({n[1] for n in _scalar_arg_nodes(tracer)})
    arg_types += [f64 for _ in scalar_args]
    block = Block(arg_types=arg_types)
    program = func.FuncOp(fn_name, (arg_types, []), Region(block))
    b = Builder(InsertPoint.at_end(block))

    buffers: dict[int, Any] = {}
    k = 0
    for t in tracer.inputs:
        buffers[id(t)] = block.args[k]
        block.args[k].name_hint = _ident(t.name)
        k += 1
    for j, t in enumerate(unique_outputs):
        buffers[id(t)] = block.args[k]
        block.args[k].name_hint = f"out{j}" if len(unique_outputs) > 1 else "out"
        k += 1
    dim_values: dict[_Dim, Any] = {}
    for d in dims:
        dim_values[d] = block.args[k]
        block.args[k].name_hint = _ident(f"{d.origin[0]}_d{d.origin[1]}")
        k += 1
    scalar_values: dict[int, Any] = {}
    for i in scalar_args:
        scalar_values[i] = block.args[k]
        k += 1

    sizes: dict[_Size, Any] = {}
    u32s: dict[_Size, Any] = {}

    def size_value(size: _Size):
        size = _Size.of(size.dims)  # roots may have changed since it was recorded
        if size not in sizes:
            value = None
            const = 1
            for d in size.dims:
                if isinstance(d, int):
                    const *= d
                    continue
                v = dim_values[d.root()]
                value = v if value is None else b.insert(arith.MuliOp(value, v)).result
            if value is None or const != 1:
                c = b.insert(arith.ConstantOp(IntegerAttr(const, IndexType()))).result
                value = c if value is None else b.insert(arith.MuliOp(value, c)).result
            sizes[size] = value
        return sizes[size]

    def u32_value(size: _Size):
        size = _Size.of(size.dims)
        if size not in u32s:
            u32s[size] = b.insert(arith.IndexCastOp(size_value(size), i32)).result
            u32s[size].name_hint = "n"
        return u32s[size]

    def float_value(node: tuple, type_name: str):
        want = f32 if type_name == "f32" else f64
        kind = node[0]
        if kind == "const":
            return b.insert(arith.ConstantOp(FloatAttr(node[1], want))).result
        if kind == "count":
            as_int = b.insert(arith.IndexCastOp(size_value(node[1]), i64)).result
            return b.insert(arith.SIToFPOp(as_int, want)).result
        value = _scalar_f64(node)
        return value if want == f64 else b.insert(arith.TruncFOp(value, f32)).result

    def _scalar_f64(node: tuple):
        kind = node[0]
        if kind == "arg":
            return scalar_values[node[1]]
        if kind == "const":
            return b.insert(arith.ConstantOp(FloatAttr(node[1], f64))).result
        if kind == "neg":
            return b.insert(arith.NegfOp(_scalar_f64(node[1]))).result
        op_class = {"+": arith.AddfOp, "-": arith.SubfOp, "*": arith.MulfOp,
                    "/": arith.DivfOp}[kind]
        return b.insert(op_class(_scalar_f64(node[1]), _scalar_f64(node[2]))).result

    # Sizes of every temporary first, so allocations dominate their launches.
    allocs = []
    for t in tracer.values:
        if id(t) in buffers:
            continue
        n = size_value(_Size.of(t._shape)) if t._shape else size_value(_Size(()))
        alloc = b.insert(memref.AllocOp([n], [], memref_type(t.dtype)))
        alloc.memref.name_hint = _ident(t.name)
        buffers[id(t)] = alloc.memref
        allocs.append(alloc)

    for launch in tracer.launches:
        args = []
        for a in launch.args:
            if isinstance(a, _ArrayArg):
                args.append(buffers[id(a.value)])
            elif isinstance(a, _SizeArg):
                args.append(u32_value(a.size))
            else:
                args.append(float_value(a.node, a.type))
        b.insert(LaunchOp(launch.kernel, size_value(launch.grid), args))
    for alloc in allocs:
        b.insert(memref.DeallocOp.get(alloc.memref))
    b.insert(func.ReturnOp())

    module = ModuleOp([])
    seen: set[str] = set()
    for launch in tracer.launches:
        if launch.kernel not in seen:
            seen.add(launch.kernel)
            module.body.block.add_op(_kernel(launch.kernel).kernel_op())
    module.body.block.add_op(program)
    return module, program, unique_outputs, dims, scalar_args


def _scalar_arg_nodes(tracer: _Tracer):
    found = []

    def walk(node):
        if node[0] == "arg":
            found.append(node)
        elif node[0] == "neg":
            walk(node[1])
        elif node[0] in ("+", "-", "*", "/"):
            walk(node[1])
            walk(node[2])

    for launch in tracer.launches:
        for a in launch.args:
            if isinstance(a, _FloatArg):
                walk(a.node)
    return found


def _ident(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return cleaned if cleaned and not cleaned[0].isdigit() else f"v_{cleaned}"


def _run_pipeline(module) -> None:
    from hologram.dialects import make_context
    from hologram.passes import DEFAULT_PIPELINE, parse_pipeline

    from hologram.dialects.hologram import KernelOp, LaunchOp

    passes = ["fuse"] + [p for p in DEFAULT_PIPELINE]
    parse_pipeline(",".join(passes)).apply(make_context(), module)
    # The module is ours: drop the kernels no launch uses any more (the fused ones' sources).
    used = {op.callee.root_reference.data for op in module.walk() if isinstance(op, LaunchOp)}
    for op in list(module.body.block.ops):
        if isinstance(op, KernelOp) and op.kernel_name not in used:
            module.body.block.erase_op(op)
    module.verify()


# ------------------------------------------------------------------------------------------------
# The decorator
# ------------------------------------------------------------------------------------------------
class JitFunction:
    """A traced, fused, compiled version of a Python function of arrays (see the module doc)."""

    def __init__(self, fn: Callable):
        self.fn = fn
        self.__name__ = getattr(fn, "__name__", "jit_fn")
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn
        try:
            self._params = list(inspect.signature(fn).parameters)
        except (TypeError, ValueError):
            self._params = []
        self._cache: dict[tuple, _Program] = {}
        self._last: _Program | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<hologram.jit {self.__name__}>"

    # -- the call -----------------------------------------------------------------------------
    def _key(self, args: tuple) -> tuple:
        key = []
        for i, a in enumerate(args):
            if isinstance(a, np.ndarray):
                if a.dtype not in _SUFFIX:
                    raise JitError(f"{self.__name__}: argument '{self._name(i)}' has dtype "
                                   f"{a.dtype}; @hologram.jit takes " + ", ".join(str(d) for d in _SUFFIX) + " arrays")
                key.append(("array", a.dtype.str, tuple(d == 1 for d in a.shape)))
            elif _is_number(a):
                key.append(("scalar",))
            else:
                raise JitError(f"{self.__name__}: argument {i} ('{self._name(i)}') must be a "
                               f"numpy array or a number, got {type(a).__name__}")
        return tuple(key)

    def _name(self, i: int) -> str:
        return self._params[i] if i < len(self._params) else f"arg{i}"

    def program(self, *args) -> _Program:
        """The compiled specialization for arguments like `args` (traced on first use)."""
        key = self._key(args)
        prog = self._cache.get(key)
        if prog is None:
            with self._lock:
                prog = self._cache.get(key)
                if prog is None:
                    prog = self._compile(args, key)
                    self._cache[key] = prog
        self._last = prog
        return prog

    def __call__(self, *args, **kwargs):
        if kwargs:
            raise JitError(f"{self.__name__}: keyword arguments are not supported by "
                           "@hologram.jit; pass them positionally")
        prog = self.program(*args)
        return self._run(prog, args)

    def _run(self, prog: _Program, args: tuple):
        for a_i, a_ax, b_i, b_ax, op in prog.constraints:
            if args[a_i].shape[a_ax] != args[b_i].shape[b_ax]:
                raise ValueError(
                    f"{self.__name__}: shapes do not match for '{op}': "
                    f"{self._name(a_i)}.shape[{a_ax}] is {args[a_i].shape[a_ax]} but "
                    f"{self._name(b_i)}.shape[{b_ax}] is {args[b_i].shape[b_ax]} "
                    f"(shapes {args[a_i].shape} and {args[b_i].shape})"
                )
        for i, a in enumerate(args):
            if isinstance(a, np.ndarray) and not a.flags.c_contiguous:
                raise ValueError(f"{self.__name__}: argument '{self._name(i)}' is not "
                                 f"C-contiguous\n  hint: pass np.ascontiguousarray("
                                 f"{self._name(i)})")
        for dims in prog.u32_sizes:
            n = 1
            for i, ax in dims:
                n *= args[i].shape[ax]
            if n > _U32_MAX:
                raise ValueError(f"{self.__name__}: {n} elements is more than the kernels' "
                                 f"u32 sizes allow ({_U32_MAX})")
        outs = []
        for dtype, shape in prog.outputs:
            concrete = tuple(1 if s == 1 else args[s[1]].shape[s[2]] for s in shape)
            outs.append(np.empty(concrete, dtype))
        ffi = prog.ffi
        c_args = []
        for entry in prog.arg_plan:
            kind = entry[0]
            if kind == "array":
                c_args.append(ffi.from_buffer(entry[2], args[entry[1]]))
            elif kind == "out":
                c_args.append(ffi.from_buffer(entry[2], outs[entry[1]]))
            elif kind == "dim":
                c_args.append(args[entry[1]].shape[entry[2]])
            else:
                c_args.append(float(args[entry[1]]))
        prog.fn(*c_args)
        return _rebuild(prog.structure, outs, args)

    # -- tracing and compiling ------------------------------------------------------------------
    def _compile(self, args: tuple, key: tuple) -> _Program:
        from hologram.backends.c.builder import build
        from hologram.backends.c.emitter import c_symbol, emit_c

        tracer = _Tracer(self.__name__)
        traced_args: list[Any] = []
        input_index: dict[int, int] = {}
        for i, (a, k) in enumerate(zip(args, key)):
            if k[0] == "array":
                t = tracer.input(_ident(self._name(i)), a.dtype, k[2])
                input_index[id(t)] = i
                traced_args.append(t)
            else:
                traced_args.append(TracedScalar(tracer, self._name(i), ("arg", i)))
        previous = _active()
        _tls.tracer = tracer
        try:
            result = self.fn(*traced_args)
        finally:
            _tls.tracer = previous
        results, structure = _flatten(self.__name__, result, tracer)

        module, program, outputs, dims, scalar_args = _build_program(
            tracer, results, _ident(f"jit_{self.__name__}"))
        module.verify()
        before = str(module)
        _run_pipeline(module)
        after = str(module)
        source = emit_c(module)
        lib = build(module, f"jit_{self.__name__}")
        symbol = c_symbol(program)

        ctype = {_F32: "float[]", _F64: "double[]", np.dtype(np.int32): "int32_t[]",
                 np.dtype(np.int64): "int64_t[]", _BOOL: "_Bool[]"}
        plan: list = [("array", input_index[id(t)], ctype[t.dtype]) for t in tracer.inputs]
        plan += [("out", j, ctype[t.dtype]) for j, t in enumerate(outputs)]
        plan += [("dim", *_locate(d, tracer, input_index)) for d in dims]
        plan += [("scalar", i) for i in scalar_args]

        out_specs = []
        for t in outputs:
            shape = [1 if isinstance(d, int) else ("dim", *_locate(d, tracer, input_index))
                     for d in t._shape]
            out_specs.append((t.dtype, shape))
        constraints = []
        for c in tracer.constraints:
            constraints.append((_input_index_of(c.first, tracer, input_index), c.first.origin[1],
                                _input_index_of(c.second, tracer, input_index),
                                c.second.origin[1], c.op))
        u32_sizes = []
        for launch in tracer.launches:
            dims_of = [_locate(d, tracer, input_index) for d in launch.grid.dims
                       if not isinstance(d, int)]
            u32_sizes.append(dims_of)
        index_of = {id(t): j for j, t in enumerate(outputs)}
        structure = _map_structure(structure, lambda t: ("input", input_index[id(t)])
                                   if id(t) in input_index else ("out", index_of[id(t)]))
        return _Program(before, after, source, symbol, lib.function(symbol), lib.ffi, plan,
                        out_specs, constraints, u32_sizes, structure)

    # -- introspection -------------------------------------------------------------------------
    def _introspect(self, args: tuple) -> _Program:
        if args:
            return self.program(*args)
        if self._last is None:
            raise JitError(f"{self.__name__}: not traced yet; call it once or pass example "
                           "arguments, e.g. f.mlir(a, b)")
        return self._last

    def mlir(self, *args, stage: str = "both") -> str:
        """The program as traced ("before"), after `fuse` and the default pipeline ("after"),
        or both. Uses the last call's specialization unless example arguments are given."""
        prog = self._introspect(args)
        if stage == "before":
            return prog.module_before
        if stage == "after":
            return prog.module_after
        if stage != "both":
            raise ValueError("stage must be 'before', 'after' or 'both'")
        return (f"// {self.__name__}: traced program\n{prog.module_before}\n"
                f"// {self.__name__}: after fuse and the default pipeline\n{prog.module_after}\n")

    def c_source(self, *args) -> str:
        """The C of the compiled program (last call's specialization unless args are given)."""
        return self._introspect(args).c_source


def _locate(d: _Dim, tracer: _Tracer, input_index: dict) -> tuple[int, int]:
    """(argument index, axis) of an input dimension equal to `d`."""
    root = d.root()
    for t in tracer.inputs:
        for axis, e in enumerate(t._shape):
            if isinstance(e, _Dim) and e.root() is root:
                return input_index[id(t)], axis
    raise AssertionError("a dimension that comes from no input")


def _input_index_of(d: _Dim, tracer: _Tracer, input_index: dict) -> int:
    for t in tracer.inputs:
        if t.name == d.origin[0]:
            return input_index[id(t)]
    raise AssertionError(f"no input named {d.origin[0]}")


def _flatten(fn_name: str, result, tracer: _Tracer):
    """The traced arrays a function returned, and the structure to rebuild (value, tuple, list)."""
    found: list[Traced] = []

    def visit(x):
        if isinstance(x, Traced):
            if x._tracer is not tracer:
                raise JitError(f"{fn_name}: returned a value of another trace")
            found.append(x)
            return ("value", x)
        if isinstance(x, tuple | list):
            return (type(x).__name__, [visit(y) for y in x])
        raise JitError(f"{fn_name}: a @hologram.jit function must return traced arrays (or a "
                       f"tuple or list of them), got {type(x).__name__}")

    return found, visit(result)


def _map_structure(structure, f):
    kind, payload = structure
    if kind == "value":
        return ("value", f(payload))
    return (kind, [_map_structure(s, f) for s in payload])


def _rebuild(structure, outs, args):
    kind, payload = structure
    if kind == "value":
        where, index = payload
        value = args[index] if where == "input" else outs[index]
        # A whole-array reduction returns a numpy scalar, as numpy does.
        return value[()] if isinstance(value, np.ndarray) and value.ndim == 0 else value
    items = [_rebuild(s, outs, args) for s in payload]
    return tuple(items) if kind == "tuple" else items


def jit(fn: Callable | None = None):
    """Decorator: trace `fn`'s `hologram.ops` calls into one fused, compiled program.

    >>> @hologram.jit
    ... def f(a, b, c):
    ...     return hologram.ops.sigmoid(a * b + c)
    """
    if fn is None:
        return jit
    wrapper = JitFunction(fn)
    functools.update_wrapper(wrapper, fn, updated=())
    return wrapper
