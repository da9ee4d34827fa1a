"""Reductions: sum, mean, max, min, argmax, argmin, dot, norm, over the whole array or one axis.

`axis=None` reduces the whole array with one launch of a whole-vector kernel (atomics that the
`atomic-to-tree-reduction` pass turns into a pairwise reduction) and returns a numpy scalar, as
numpy does. `axis=k` (one axis, negative counts from the end) views the array as
`(outer, r, inner)` and runs one id per output element; `keepdims=True` keeps the reduced axis
with length 1.
"""

from __future__ import annotations

import numpy as np

from hologram.ops import _checks as C
from hologram.ops._dispatch import alias, op
from hologram.ops._registry import stdlib_kernel


def _split(shape: tuple[int, ...], ax: int) -> tuple[int, int, int]:
    outer = int(np.prod(shape[:ax], dtype=np.int64))
    inner = int(np.prod(shape[ax + 1:], dtype=np.int64))
    return outer, shape[ax], inner


def _reduced_shape(shape, ax, keepdims):
    return shape[:ax] + ((1,) if keepdims else ()) + shape[ax + 1:]


def _scalar_out(name, out, value, dtype):
    """Return a whole-array result as numpy does: a scalar, or written into a 0-d `out`."""
    value = dtype.type(value)
    if out is None:
        return value
    out = C.output(name, out, (), dtype)
    out[()] = value
    return out


def _no_identity(name, what):
    return ValueError(f"hologram.ops.{name}: zero-size array to reduction operation {what} "
                      "which has no identity")


# Sums along a strided axis (inner >= _BLOCKED_INNER, r >= _BLOCKED_R) first add blocks of
# _BLOCK rows (`sum_blocks_f32`, partials rounded to float32), then the partials: measured 6x
# faster than one id walking a whole column for (4000, 1000) along axis 0.
_BLOCK, _BLOCKED_INNER, _BLOCKED_R = 16, 8, 64


def _axis_launch(name, kernel, x, ax, keepdims, out, out_dtype, empty_ok=True):
    outer, r, inner = _split(x.shape, ax)
    if r == 0 and not empty_ok:
        raise _no_identity(name, {"max": "maximum", "min": "minimum"}.get(name, name))
    out = C.output(name, out, _reduced_shape(x.shape, ax, keepdims), out_dtype, x,
                   may_alias=False)
    m = outer * inner
    if not m:
        return out
    if kernel in ("sum_axis_f32", "mean_axis_f32") and inner >= _BLOCKED_INNER \
            and r >= _BLOCKED_R:
        nb = -(-r // _BLOCK)
        partial = np.empty(outer * nb * inner, np.float32)
        stdlib_kernel("sum_blocks_f32")(C.flat(x), partial, partial.size, r, inner, _BLOCK, nb,
                                        grid=partial.size)
        stdlib_kernel("sum_axis_f32")(partial, C.flat(out), m, nb, inner, grid=m)
        if kernel == "mean_axis_f32":
            stdlib_kernel("div_scalar_f32")(C.flat(out), float(r), C.flat(out), m, grid=m)
        return out
    stdlib_kernel(kernel)(C.flat(x), C.flat(out), m, r, inner, grid=m)
    return out


def _whole_sum(name, kernel, x, sfx):
    res = np.zeros(1, dtype=x.dtype)
    n = x.size
    if n:
        stdlib_kernel(f"{kernel}_{sfx}")(C.flat(x), res, n, grid=n)
    return res[0]


@op("sum")
def sum_(x, axis=None, out=None, keepdims=False):
    """`sum_i x[i]` over the whole array (axis=None) or along one axis (numpy's `sum`).
    Whole-array sums of float32 accumulate in float32 pairwise (after the tree-reduction pass),
    axis sums in float64. The sum of an empty array is 0. float32; float64 for axis=None.

    >>> hologram.ops.sum(np.arange(4, dtype=np.float32))
    np.float32(6.0)
    """
    x = C.array("sum", "x", x, (C.F32, C.F64))
    if axis is None:
        sfx = C.kernel_dtype("sum", "x", x, True)
        total = _whole_sum("sum", "sum", x, sfx)
        if keepdims:
            return _keep(out, "sum", total, x)
        return _scalar_out("sum", out, total, x.dtype)
    C.kernel_dtype("sum", "x", x, False)
    ax = C.axis("sum", axis, x.ndim)
    return _axis_launch("sum", "sum_axis_f32", x, ax, keepdims, out, C.F32)


def _keep(out, name, value, x):
    shape = (1,) * x.ndim
    out = C.output(name, out, shape, x.dtype)
    out.reshape(-1)[0] = value
    return out


@op()
def mean(x, axis=None, out=None, keepdims=False):
    """`sum(x) / count` over the whole array or one axis (numpy's `mean`); NaN for an empty
    reduction (numpy also warns).

    >>> hologram.ops.mean(np.arange(4, dtype=np.float32))
    np.float32(1.5)
    """
    x = C.array("mean", "x", x)
    if axis is None:
        total = _whole_sum("mean", "sum", x, "f32")
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.float32(total) / np.float32(x.size)
        if keepdims:
            return _keep(out, "mean", value, x)
        return _scalar_out("mean", out, value, x.dtype)
    ax = C.axis("mean", axis, x.ndim)
    return _axis_launch("mean", "mean_axis_f32", x, ax, keepdims, out, C.F32)


def whole_extreme(name, x, kernel, start):
    """max or min of the whole array: one fast launch, and a NaN-checking one only when the
    array holds NaN or inf (see `max_f32` in stdlib/reductions.py)."""
    if x.size == 0:
        raise _no_identity(name, "maximum" if start < 0 else "minimum")
    flat = C.flat(x)
    res = np.array([start, 0.0], dtype=np.float32)
    stdlib_kernel(kernel)(flat, res, x.size, grid=x.size)
    if res[1] == 0:
        return res[0]
    res[:] = (start, 0.0)
    stdlib_kernel(kernel.replace("_f32", "_checked_f32"))(flat, res, x.size, grid=x.size)
    return np.float32(np.nan) if res[1] != 0 else res[0]


@op("max")
def max_(x, axis=None, out=None, keepdims=False):
    """The largest element (numpy's `max`/`amax`); NaN if any element is NaN; an error for an
    empty reduction.

    >>> hologram.ops.max(np.array([1, 3, 2], np.float32))
    np.float32(3.0)
    """
    x = C.array("max", "x", x)
    if axis is None:
        value = whole_extreme("max", x, "max_f32", -np.inf)
        return _keep(out, "max", value, x) if keepdims else _scalar_out("max", out, value, x.dtype)
    ax = C.axis("max", axis, x.ndim)
    return _axis_launch("max", "max_axis_f32", x, ax, keepdims, out, C.F32, empty_ok=False)


@op("min")
def min_(x, axis=None, out=None, keepdims=False):
    """The smallest element (numpy's `min`/`amin`); NaN if any element is NaN.

    >>> hologram.ops.min(np.array([1, 3, 2], np.float32))
    np.float32(1.0)
    """
    x = C.array("min", "x", x)
    if axis is None:
        value = whole_extreme("min", x, "min_f32", np.inf)
        return _keep(out, "min", value, x) if keepdims else _scalar_out("min", out, value, x.dtype)
    ax = C.axis("min", axis, x.ndim)
    return _axis_launch("min", "min_axis_f32", x, ax, keepdims, out, C.F32, empty_ok=False)


def _arg_extreme(name, x, axis, out, keepdims, whole_kernel, start, axis_kernel):
    x = C.array(name, "x", x)
    if axis is None:
        if x.size == 0:
            raise ValueError(f"hologram.ops.{name}: attempt to get {name} of an empty sequence")
        if x.size >= 2**31:
            raise ValueError(f"hologram.ops.{name}: arrays of 2**31 elements or more are not "
                             "supported (indices are u32)")
        target = whole_extreme(name, x, whole_kernel, start)
        # Starts at n, above every index, so the minimum is the same signed or unsigned.
        res = np.array([x.size], dtype=np.uint32)
        stdlib_kernel("find_first_f32")(C.flat(x), float(target), res, x.size, grid=x.size)
        value = np.int64(res[0])
        if keepdims:
            out = C.output(name, out, (1,) * x.ndim, np.dtype(np.int64))
            out.reshape(-1)[0] = value
            return out
        return _scalar_out(name, out, value, np.dtype(np.int64))
    ax = C.axis(name, axis, x.ndim)
    if x.shape[ax] == 0:
        raise ValueError(f"hologram.ops.{name}: attempt to get {name} of an empty sequence")
    return _axis_launch(name, axis_kernel, x, ax, keepdims, out, np.dtype(np.int64))


@op()
def argmax(x, axis=None, out=None, keepdims=False):
    """The index of the first largest element (numpy's `argmax`, int64; over the flattened
    array for axis=None); the first NaN wins, as in numpy.

    >>> hologram.ops.argmax(np.array([1, 3, 3], np.float32))
    np.int64(1)
    """
    return _arg_extreme("argmax", x, axis, out, keepdims, "max_f32", -np.inf, "argmax_axis_f32")


@op()
def argmin(x, axis=None, out=None, keepdims=False):
    """The index of the first smallest element (numpy's `argmin`, int64).

    >>> hologram.ops.argmin(np.array([2, 1, 1], np.float32))
    np.int64(1)
    """
    return _arg_extreme("argmin", x, axis, out, keepdims, "min_f32", np.inf, "argmin_axis_f32")


@op()
def norm(x, axis=None, out=None, keepdims=False):
    """The Euclidean (L2) norm `sqrt(sum x^2)` of the whole array or along one axis (numpy's
    `linalg.norm` with the default `ord`). Whole-array norms are computed in float32 and can
    overflow for |x| above ~1e19, as numpy's float32 norm does.

    >>> hologram.ops.norm(np.array([3, 4], np.float32))
    np.float32(5.0)
    """
    x = C.array("norm", "x", x)
    if axis is None:
        value = np.sqrt(_whole_sum("norm", "sumsq", x, "f32"))
        return _keep(out, "norm", value, x) if keepdims else _scalar_out("norm", out, value,
                                                                          x.dtype)
    ax = C.axis("norm", axis, x.ndim)
    return _axis_launch("norm", "norm_axis_f32", x, ax, keepdims, out, C.F32)


@op()
def vecdot(x1, x2, axis=-1, out=None):
    """`sum_i x1[..., i] * x2[..., i]` along `axis` (numpy 2's `vecdot` for real arrays of the
    same shape): row-wise dot products, one id per output element, accumulated in float64.

    >>> hologram.ops.vecdot(np.ones((2, 3), np.float32), np.ones((2, 3), np.float32))
    array([3., 3.], dtype=float32)
    """
    a = C.array("vecdot", "x1", x1)
    b = C.array("vecdot", "x2", x2)
    if a.shape != b.shape:
        raise ValueError(f"hologram.ops.vecdot: arguments 'x1' {a.shape} and 'x2' {b.shape} "
                         "must have the same shape (no broadcasting)")
    if a.ndim == 0:
        raise ValueError("hologram.ops.vecdot: arguments must have at least one axis")
    ax = C.axis("vecdot", axis, a.ndim)
    outer, r, inner = _split(a.shape, ax)
    out = C.output("vecdot", out, a.shape[:ax] + a.shape[ax + 1:], C.F32, a, b, may_alias=False)
    m = outer * inner
    if m:
        stdlib_kernel("dot_axis_f32")(C.flat(a), C.flat(b), C.flat(out), m, r, inner, grid=m)
    return out


vector_sum = alias("vector_sum", sum_)
