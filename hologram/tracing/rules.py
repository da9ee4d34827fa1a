"""Op rules: how each traced `hologram.ops` call becomes launches of stdlib kernels. Elementwise
ops come from the op registry shared with hologram.ops (`hologram.ops._ufunc.UFUNCS`)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hologram.tracing.errors import JitError
from hologram.tracing.shapes import Shape, _Constraint, _Dim, _Size, _same
from hologram.tracing.values import Traced, TracedScalar, _is_number, _scalar_node


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
