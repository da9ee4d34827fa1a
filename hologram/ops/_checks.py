"""Argument checks shared by the ops: every error names the op and the argument.

Nothing is converted silently: a float64 array given to a float32-only op is an error with a
hint, not a cast; a non-contiguous array is an error, not a copy.
"""

from __future__ import annotations

import numbers

import numpy as np

F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)
SUFFIX = {F32: "f32", F64: "f64"}


def _where(op: str) -> str:
    return f"hologram.ops.{op}"


def array(op: str, arg: str, x, dtypes=(F32,), ndim: int | tuple[int, ...] | None = None
          ) -> np.ndarray:
    """`x` checked: a numpy array of one of `dtypes`, C-contiguous, of the given rank(s)."""
    if not isinstance(x, np.ndarray):
        kind = type(x).__name__
        raise TypeError(f"{_where(op)}: argument '{arg}' must be a numpy array, got {kind}"
                        f"\n  hint: pass np.asarray({arg}, dtype=np.float32)")
    if x.dtype not in dtypes:
        names = " or ".join(str(d) for d in dtypes)
        hint = (f"convert explicitly with {arg}.astype(np.{dtypes[0]})"
                if x.dtype.kind in "fiub" else "")
        only = " (this op has no kernel for it)" if x.dtype.kind == "f" else ""
        raise TypeError(f"{_where(op)}: argument '{arg}' has dtype {x.dtype}{only}; "
                        f"expected {names}" + (f"\n  hint: {hint}" if hint else ""))
    if ndim is not None:
        ranks = (ndim,) if isinstance(ndim, int) else ndim
        if x.ndim not in ranks:
            want = " or ".join(f"{r}-D" for r in ranks)
            raise ValueError(f"{_where(op)}: argument '{arg}' must be {want}, "
                             f"got shape {x.shape}")
    if not x.flags.c_contiguous:
        raise ValueError(f"{_where(op)}: argument '{arg}' is not C-contiguous"
                         f"\n  hint: pass np.ascontiguousarray({arg})")
    return x


def same_dtype(op: str, **arrays: np.ndarray) -> np.dtype:
    items = list(arrays.items())
    first_name, first = items[0]
    for name, a in items[1:]:
        if a.dtype != first.dtype:
            raise TypeError(f"{_where(op)}: arguments '{first_name}' ({first.dtype}) and "
                            f"'{name}' ({a.dtype}) have different dtypes"
                            f"\n  hint: convert one explicitly with .astype(...)")
    return first.dtype


def is_scalar(v) -> bool:
    return (isinstance(v, (numbers.Real, np.floating, np.integer))
            and not isinstance(v, (bool, np.bool_)))


def scalar(op: str, arg: str, v) -> float:
    if not is_scalar(v):
        raise TypeError(f"{_where(op)}: argument '{arg}' must be a real number, "
                        f"got {type(v).__name__}")
    return float(v)


def integer(op: str, arg: str, v, minimum: int = 0) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Integral, np.integer)):
        raise TypeError(f"{_where(op)}: argument '{arg}' must be an integer, "
                        f"got {type(v).__name__}")
    v = int(v)
    if v < minimum:
        raise ValueError(f"{_where(op)}: argument '{arg}' must be >= {minimum}, got {v}")
    return v


def pair(op: str, arg: str, v, minimum: int = 0) -> tuple[int, int]:
    """An int or a pair of ints (PyTorch's `stride=2` or `stride=(2, 1)`)."""
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise ValueError(f"{_where(op)}: argument '{arg}' must be an int or a pair, got {v}")
        return integer(op, arg, v[0], minimum), integer(op, arg, v[1], minimum)
    v = integer(op, arg, v, minimum)
    return v, v


def axis(op: str, ax, ndim: int) -> int:
    if isinstance(ax, (bool, np.bool_)) or not isinstance(ax, (numbers.Integral, np.integer)):
        raise TypeError(f"{_where(op)}: argument 'axis' must be an int or None, got "
                        f"{type(ax).__name__}"
                        + ("\n  hint: reduce one axis at a time" if isinstance(ax, tuple) else ""))
    ax = int(ax)
    if not -ndim <= ax < ndim:
        raise np.exceptions.AxisError(f"{_where(op)}: axis {ax} is out of bounds for an array "
                                      f"of dimension {ndim}")
    return ax % ndim


def output(op: str, out, shape: tuple[int, ...], dtype: np.dtype, *inputs: np.ndarray,
           may_alias: bool = True) -> np.ndarray:
    """The result array: a new one, or `out` checked (dtype, shape, contiguity). When the
    kernel reads inputs at other positions than it writes, `may_alias=False` refuses an `out`
    that overlaps an input."""
    if out is None:
        return np.empty(shape, dtype=dtype)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{_where(op)}: argument 'out' must be a numpy array, "
                        f"got {type(out).__name__}")
    if out.dtype != dtype:
        raise TypeError(f"{_where(op)}: argument 'out' has dtype {out.dtype}; expected {dtype}")
    if out.shape != tuple(shape):
        raise ValueError(f"{_where(op)}: argument 'out' has shape {out.shape}; "
                         f"expected {tuple(shape)}")
    if not out.flags.c_contiguous or not out.flags.writeable:
        raise ValueError(f"{_where(op)}: argument 'out' must be a writeable C-contiguous array")
    if not may_alias:
        for x in inputs:
            if x is not None and np.may_share_memory(out, x):
                raise ValueError(f"{_where(op)}: argument 'out' overlaps an input; this op "
                                 "reads inputs at other positions than it writes"
                                 "\n  hint: pass a separate out array")
    return out


def flat(x: np.ndarray) -> np.ndarray:
    """The 1-D view a kernel's `DeviceArray` takes (no copy: arrays are C-contiguous)."""
    return x if x.ndim == 1 else x.reshape(-1)


def kernel_dtype(op: str, arg: str, x: np.ndarray, f64_ok: bool) -> str:
    """The kernel suffix for `x`'s dtype, or an error if this op has no kernel for it."""
    if x.dtype == F32:
        return "f32"
    if x.dtype == F64 and f64_ok:
        return "f64"
    array(op, arg, x, (F32,))  # raises the standard dtype error
    raise AssertionError("unreachable")
