"""Shape ops: transpose, concatenate, slice, take/gather, pad. Each returns a new dense array.

Views that numpy can describe (transposes, slices with steps, negative steps) are copied by one
strided-copy kernel: numpy computes the view's shape, strides and offset (no data is touched),
and the kernel gathers it into a dense array.
"""

from __future__ import annotations

import numpy as np

from hologram.ops import _checks as C
from hologram.ops._dispatch import op
from hologram.ops._registry import stdlib_kernel

_ITEM = 4  # float32


def _strided_copy(name, base: np.ndarray, view: np.ndarray, out):
    """Copy `view` (a view into the C-contiguous float32 `base`) into a dense array."""
    out = C.output(name, out, view.shape, C.F32, base, may_alias=False)
    n = view.size
    if n == 0:
        return out
    offset = (view.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // _ITEM
    shape = np.array(view.shape or (1,), dtype=np.uint32)
    strides = np.array([s // _ITEM for s in view.strides] or [0], dtype=np.int64)
    stdlib_kernel("strided_copy_f32")(C.flat(base), shape, strides, int(offset), C.flat(out), n,
                                      view.ndim, grid=n)
    return out


@op()
def transpose(a, axes=None, out=None):
    """numpy's `transpose`: axes reversed (default) or permuted by `axes`; a new dense array
    (`out[j, i] = a[i, j]` in 2-D).

    >>> hologram.ops.transpose(np.arange(6, dtype=np.float32).reshape(2, 3)).shape
    (3, 2)
    """
    a = C.array("transpose", "a", a)
    if a.ndim == 2 and (axes is None or tuple(axes) == (1, 0)):
        rows, cols = a.shape
        out = C.output("transpose", out, (cols, rows), C.F32, a, may_alias=False)
        if a.size:
            stdlib_kernel("transpose2d_f32")(C.flat(a), C.flat(out), rows, cols, grid=a.size)
        return out
    try:
        view = a.transpose(axes)
    except (ValueError, TypeError) as err:
        raise ValueError(f"hologram.ops.transpose: bad argument 'axes' {axes!r}: {err}") from None
    return _strided_copy("transpose", a, view, out)


@op("slice")
def slice_(x, key, out=None):
    """`out = x[key]` as a new dense array, for basic indexing: slices (with steps, negative
    too), integers, `...` and `None` (ONNX Slice; numpy's basic slicing).

    >>> hologram.ops.slice(np.arange(6, dtype=np.float32), np.s_[::2])
    array([0., 2., 4.], dtype=float32)
    """
    x = C.array("slice", "x", x)
    parts = key if isinstance(key, tuple) else (key,)
    for p in parts:
        if not (isinstance(p, (slice, int, np.integer)) or p is Ellipsis or p is None) \
                or isinstance(p, bool):
            raise TypeError(f"hologram.ops.slice: argument 'key' may hold slices, integers, ... "
                            f"and None only (basic indexing), got {type(p).__name__}"
                            "\n  hint: use hologram.ops.take for index arrays")
    try:
        view = x[key]
    except IndexError as err:
        raise IndexError(f"hologram.ops.slice: {err}") from None
    if not isinstance(view, np.ndarray):  # every axis indexed by an integer: a 0-d result
        view = x[key + (Ellipsis,) if isinstance(key, tuple) else (key, Ellipsis)]
    return _strided_copy("slice", x, view, out)


@op()
def concatenate(arrays, axis=0, out=None):
    """numpy's `concatenate`: join float32 arrays along an existing axis (one launch per
    input).

    >>> hologram.ops.concatenate([np.ones(2, np.float32), np.zeros(1, np.float32)])
    array([1., 1., 0.], dtype=float32)
    """
    if not isinstance(arrays, (list, tuple)) or not arrays:
        raise TypeError("hologram.ops.concatenate: argument 'arrays' must be a non-empty list "
                        "or tuple of arrays")
    arrays = [C.array("concatenate", f"arrays[{i}]", a) for i, a in enumerate(arrays)]
    first = arrays[0]
    if first.ndim == 0:
        raise ValueError("hologram.ops.concatenate: zero-dimensional arrays cannot be "
                         "concatenated")
    ax = C.axis("concatenate", axis, first.ndim)
    for i, a in enumerate(arrays[1:], 1):
        if a.ndim != first.ndim or a.shape[:ax] != first.shape[:ax] \
                or a.shape[ax + 1:] != first.shape[ax + 1:]:
            raise ValueError(f"hologram.ops.concatenate: argument 'arrays[{i}]' has shape "
                             f"{a.shape}, which does not match {first.shape} except on axis "
                             f"{ax}")
    shape = first.shape[:ax] + (sum(a.shape[ax] for a in arrays),) + first.shape[ax + 1:]
    out = C.output("concatenate", out, shape, C.F32, *arrays, may_alias=False)
    inner_out = int(np.prod(shape[ax:], dtype=np.int64))
    offset = 0
    kernel = stdlib_kernel("copy_block_f32")
    for a in arrays:
        inner_in = int(np.prod(a.shape[ax:], dtype=np.int64))
        if a.size:
            kernel(C.flat(a), C.flat(out), a.size, inner_in, inner_out, offset, grid=a.size)
        offset += inner_in
    return out


def _gather(name, x, indices, ax, out, out_shape):
    x = C.array(name, "x", x)
    indices = C.array(name, "indices", indices, (np.dtype(np.int64), np.dtype(np.int32)))
    r = x.shape[ax]
    if indices.size:
        lo, hi = int(indices.min()), int(indices.max())
        if lo < -r or hi >= r:
            bad = lo if lo < -r else hi
            raise IndexError(f"hologram.ops.{name}: index {bad} is out of bounds for axis {ax} "
                             f"with size {r}")
    out = C.output(name, out, out_shape, C.F32, x, may_alias=False)
    n = out.size
    if n:
        outer = int(np.prod(x.shape[:ax], dtype=np.int64))
        inner = int(np.prod(x.shape[ax + 1:], dtype=np.int64))
        kname = "gather_i64_f32" if indices.dtype == np.int64 else "gather_i32_f32"
        stdlib_kernel(kname)(C.flat(x), C.flat(indices), C.flat(out), n, r, indices.size, inner,
                             grid=n)
    return out


@op()
def take(a, indices, axis=None, out=None):
    """numpy's `take`: elements (axis=None: of the flattened array) or slices along `axis` at
    `indices` (an int64 or int32 array; negative indices count from the end; out of range is an
    IndexError).

    >>> hologram.ops.take(np.array([5, 6, 7], np.float32), np.array([2, 0]))
    array([7., 5.], dtype=float32)
    """
    a = C.array("take", "a", a)
    if axis is None:
        flat = C.flat(a)
        return _gather("take", flat, indices, 0, out, np.shape(indices))
    ax = C.axis("take", axis, a.ndim)
    shape = a.shape[:ax] + np.shape(indices) + a.shape[ax + 1:]
    return _gather("take", a, indices, ax, out, shape)


@op()
def gather(data, indices, axis=0, out=None):
    """ONNX `Gather`: `out = take(data, indices, axis)` (axis defaults to 0).

    >>> hologram.ops.gather(np.eye(3, dtype=np.float32), np.array([2]))
    array([[0., 0., 1.]], dtype=float32)
    """
    data = C.array("gather", "data", data)
    ax = C.axis("gather", axis, data.ndim)
    shape = data.shape[:ax] + np.shape(indices) + data.shape[ax + 1:]
    return _gather("gather", data, indices, ax, out, shape)


@op()
def pad(array, pad_width, mode="constant", constant_values=0.0, out=None):
    """numpy's `pad` with mode="constant": `pad_width` is an int, a pair `(before, after)`, or a
    pair per axis; new positions hold `constant_values`.

    >>> hologram.ops.pad(np.ones(2, np.float32), 1)
    array([0., 1., 1., 0.], dtype=float32)
    """
    x = C.array("pad", "array", array)
    if mode != "constant":
        raise ValueError(f"hologram.ops.pad: mode {mode!r} is not supported (only 'constant')")
    value = C.scalar("pad", "constant_values", constant_values)
    try:
        widths = np.broadcast_to(np.asarray(pad_width), (x.ndim, 2))
    except ValueError:
        raise ValueError(f"hologram.ops.pad: argument 'pad_width' {pad_width!r} does not fit an "
                         f"array of {x.ndim} dimensions") from None
    if widths.dtype.kind not in "iu" or (widths < 0).any():
        raise ValueError(f"hologram.ops.pad: argument 'pad_width' must hold non-negative "
                         f"integers, got {pad_width!r}")
    shape = tuple(int(s + b + e) for s, (b, e) in zip(x.shape, widths))
    out = C.output("pad", out, shape, C.F32, x, may_alias=False)
    n = out.size
    if n:
        out_shape = np.array(shape, np.uint32)
        in_shape = np.array(x.shape, np.uint32)
        before = np.ascontiguousarray(widths[:, 0], dtype=np.uint32)
        src = C.flat(x) if x.size else np.zeros(1, np.float32)  # never read when x is empty
        stdlib_kernel("pad_f32")(src, out_shape, in_shape, before, value, C.flat(out), n,
                                 x.ndim, grid=n)
    return out
