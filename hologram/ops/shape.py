"""Shape ops: transpose, slice, concatenate, stack, split, reshape, squeeze, expand_dims,
broadcast_to, flip, roll, tile, repeat, tril, triu, sort, argsort, take/gather, pad, outer.

Every dtype with kernels (float32/64, int32/64, uint32/64, bool; the narrow integers through
numpy copies). Ops that move data return a new dense array made by a stdlib kernel: views numpy
can describe (a transpose, a slice with steps, a flip, a broadcast, a tile) are gathered by the
strided copy kernel (`copy_strided_*`, see hologram/ops/_ufunc.py), concatenation by
`copy_block_*`, sorting by a stable merge sort per line. `reshape`, `squeeze` and `expand_dims`
of a C-contiguous array return a view, as numpy does (no data moves); of another view, a dense
copy first.
"""

from __future__ import annotations

import numbers

import numpy as np

from hologram.ops import _checks as C
from hologram.ops._dispatch import alias, op
from hologram.ops._registry import stdlib_kernel
from hologram.ops._ufunc import SUFFIX, UFUNCS, WIDEN, call, copy

_BOOL = np.dtype(np.bool_)


def _where(name):
    return f"hologram.ops.{name}"


def _array(name: str, arg: str, x) -> np.ndarray:
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, np.generic):
        return np.asarray(x)
    raise TypeError(f"{_where(name)}: argument '{arg}' must be a numpy array, got "
                    f"{type(x).__name__}\n  hint: pass np.asarray({arg})")


def _axis(name: str, ax, ndim: int) -> int:
    if isinstance(ax, (bool, np.bool_)) or not isinstance(ax, (numbers.Integral, np.integer)):
        raise TypeError(f"{_where(name)}: argument 'axis' must be an int, got "
                        f"{type(ax).__name__}")
    ax = int(ax)
    if not -ndim <= ax < ndim:
        raise np.exceptions.AxisError(f"{_where(name)}: axis {ax} is out of bounds for an "
                                      f"array of dimension {ndim}")
    return ax % ndim


def _axes(name: str, axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    items = axis if isinstance(axis, tuple | list) else (axis,)
    out = tuple(_axis(name, a, ndim) for a in items)
    if len(set(out)) != len(out):
        raise ValueError(f"{_where(name)}: repeated axis in {axis!r}")
    return out


def _dense(view: np.ndarray, out=None) -> np.ndarray:
    return copy(view, out)


@op()
def transpose(a, axes=None, out=None):
    """numpy's `transpose` (the array API's `permute_dims`): axes reversed (default) or
    permuted by `axes`; a new dense array (`out[j, i] = a[i, j]` in 2-D).

    >>> hologram.ops.transpose(np.arange(6, dtype=np.float32).reshape(2, 3)).shape
    (3, 2)
    """
    a = _array("transpose", "a", a)
    if a.ndim == 2 and a.dtype == C.F32 and a.flags.c_contiguous and out is None \
            and (axes is None or tuple(axes) == (1, 0)):
        rows, cols = a.shape
        res = np.empty((cols, rows), np.float32)
        if a.size:
            stdlib_kernel("transpose2d_f32")(a.reshape(-1), res.reshape(-1), rows, cols)
        return res
    try:
        view = a.transpose(axes)
    except (ValueError, TypeError) as err:
        raise ValueError(f"hologram.ops.transpose: bad argument 'axes' {axes!r}: {err}") from None
    return _dense(view, out)


@op()
def permute_dims(x, axes, out=None):
    """The array API's `permute_dims(x, axes)`: `transpose(x, axes)`.

    >>> hologram.ops.permute_dims(np.zeros((2, 3, 4), np.float32), (2, 0, 1)).shape
    (4, 2, 3)
    """
    return transpose.impl(x, axes, out)


@op("slice")
def slice_(x, key, out=None):
    """`out = x[key]` as a new dense array, for basic indexing: slices (with steps, negative
    too), integers, `...` and `None` (ONNX Slice; numpy's basic slicing).

    >>> hologram.ops.slice(np.arange(6, dtype=np.float32), np.s_[::2])
    array([0., 2., 4.], dtype=float32)
    """
    x = _array("slice", "x", x)
    parts = key if isinstance(key, tuple) else (key,)
    for p in parts:
        if not (isinstance(p, (slice, int, np.integer)) or p is Ellipsis or p is None) \
                or isinstance(p, bool):
            raise TypeError(f"hologram.ops.slice: argument 'key' may hold slices, integers, ... "
                            f"and None only (basic indexing), got {type(p).__name__}"
                            "\n  hint: use hologram.ops.take for index arrays")
        if isinstance(p, slice) and p.step == 0:
            raise ValueError("hologram.ops.slice: slice step cannot be zero")
    try:
        view = x[key]
    except IndexError as err:
        raise IndexError(f"hologram.ops.slice: {err}") from None
    if not isinstance(view, np.ndarray):  # every axis indexed by an integer: a 0-d result
        view = x[key + (Ellipsis,) if isinstance(key, tuple) else (key, Ellipsis)]
    return _dense(view, out)


def _sequence(name, arrays):
    if isinstance(arrays, np.ndarray) or not isinstance(arrays, (list, tuple)) or not arrays:
        raise TypeError(f"{_where(name)}: argument 'arrays' must be a non-empty list or tuple "
                        "of arrays")
    return [_array(name, f"arrays[{i}]", a) for i, a in enumerate(arrays)]


@op()
def concatenate(arrays, axis=0, out=None, dtype=None):
    """numpy's `concatenate` (the array API's `concat`): join arrays along an existing axis,
    or flattened with axis=None (0-d arrays too); dtypes promote as numpy's (`dtype=` picks
    the result's). One copy launch per input.

    >>> hologram.ops.concatenate([np.ones(2, np.float32), np.zeros(1, np.float32)])
    array([1., 1., 0.], dtype=float32)
    """
    arrays = _sequence("concatenate", arrays)
    result = np.dtype(dtype) if dtype is not None else np.result_type(*arrays)
    if axis is None:
        arrays = [a.reshape(-1) if a.flags.c_contiguous else _dense(a).reshape(-1)
                  for a in arrays]
        ax = 0
    else:
        first = arrays[0]
        if first.ndim == 0:
            raise ValueError("hologram.ops.concatenate: zero-dimensional arrays cannot be "
                             "concatenated along an axis\n  hint: pass axis=None")
        ax = _axis("concatenate", axis, first.ndim)
        for i, a in enumerate(arrays[1:], 1):
            if a.ndim != first.ndim or a.shape[:ax] != first.shape[:ax] \
                    or a.shape[ax + 1:] != first.shape[ax + 1:]:
                raise ValueError(f"hologram.ops.concatenate: argument 'arrays[{i}]' has shape "
                                 f"{a.shape}, which does not match {first.shape} except on "
                                 f"axis {ax}")
    first = arrays[0]
    shape = first.shape[:ax] + (sum(a.shape[ax] for a in arrays),) + first.shape[ax + 1:]
    compute = WIDEN.get(result, result)
    if compute not in SUFFIX:
        raise TypeError(f"hologram.ops.concatenate: has no kernel for {result}")
    res = np.empty(shape, compute)
    inner_out = int(np.prod(shape[ax:], dtype=np.int64))
    offset = 0
    kernel = stdlib_kernel(f"copy_block_{SUFFIX[compute]}")
    for a in arrays:
        inner_in = int(np.prod(a.shape[ax:], dtype=np.int64))
        if a.dtype != compute:
            a = a.astype(compute)  # numpy's promotion: one conversion
        elif not a.flags.c_contiguous:
            a = _dense(a)
        if a.size:
            kernel(a.reshape(-1), res.reshape(-1), a.size, inner_in, inner_out, offset)
        offset += inner_in
    if compute != result:
        res = res.astype(result)
    return _out("concatenate", res, out)


def _out(name, res: np.ndarray, out):
    if out is None:
        return res
    if not isinstance(out, np.ndarray) or out.shape != res.shape or out.dtype != res.dtype:
        raise ValueError(f"{_where(name)}: argument 'out' must be an array of shape "
                         f"{res.shape} and dtype {res.dtype}")
    out[...] = res
    return out


@op()
def stack(arrays, axis=0, out=None):
    """numpy's `stack`: join arrays of one shape along a new axis.

    >>> hologram.ops.stack([np.ones(2, np.float32), np.zeros(2, np.float32)]).shape
    (2, 2)
    """
    arrays = _sequence("stack", arrays)
    shape = arrays[0].shape
    for i, a in enumerate(arrays[1:], 1):
        if a.shape != shape:
            raise ValueError(f"hologram.ops.stack: all input arrays must have the same shape; "
                             f"'arrays[{i}]' has {a.shape}, 'arrays[0]' {shape}")
    ax = _axis("stack", axis, len(shape) + 1)
    return concatenate.impl([expand_dims.impl(a, ax) for a in arrays], ax, out)


@op()
def split(x, indices_or_sections, axis=0, out=None):
    """numpy's `split`: a list of dense pieces of `x` along `axis`, `indices_or_sections`
    equal sections or the split points. (`out` is not supported: a list is returned.)

    >>> [p.tolist() for p in hologram.ops.split(np.arange(4, dtype=np.float32), 2)]
    [[0.0, 1.0], [2.0, 3.0]]
    """
    x = _array("split", "x", x)
    if out is not None:
        raise TypeError("hologram.ops.split: out= is not supported (the result is a list)")
    ax = _axis("split", axis, x.ndim)
    n = x.shape[ax]
    if isinstance(indices_or_sections, (numbers.Integral, np.integer)):
        k = int(indices_or_sections)
        if k <= 0 or n % k:
            raise ValueError(f"hologram.ops.split: array split does not result in an equal "
                             f"division ({n} elements into {k} sections)")
        points = [n // k * i for i in range(1, k)]
    else:
        points = [int(p) for p in indices_or_sections]
    bounds = [0] + points + [n]
    index = [slice(None)] * x.ndim
    pieces = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        index[ax] = slice(lo, hi)
        pieces.append(_dense(x[tuple(index)]))
    return pieces


def _target_shape(x: np.ndarray, shape: tuple) -> tuple[int, ...]:
    """`shape` with its -1 resolved, checked against x's size."""
    dims = [int(d) for d in shape]
    unknown = [i for i, d in enumerate(dims) if d == -1]
    if len(unknown) > 1 or any(d < -1 for d in dims):
        raise ValueError(f"hologram.ops.reshape: bad shape {shape}")
    known = int(np.prod([d for d in dims if d != -1], dtype=np.int64))
    if unknown:
        if known == 0 or x.size % known:
            raise ValueError(f"hologram.ops.reshape: cannot reshape an array of size {x.size} "
                             f"into shape {shape}")
        dims[unknown[0]] = x.size // known
    elif known != x.size:
        raise ValueError(f"hologram.ops.reshape: cannot reshape an array of size {x.size} into "
                         f"shape {shape}")
    return tuple(dims)


@op()
def reshape(x, shape, copy=None, out=None):  # noqa: A002 - numpy's name
    """numpy's `reshape`: a view of a C-contiguous array (as numpy), a dense copy of another
    view; `copy=True` always copies, `copy=False` refuses to copy (the array API).

    >>> hologram.ops.reshape(np.arange(6, dtype=np.float32), (2, -1)).shape
    (2, 3)
    """
    x = _array("reshape", "x", x)
    shape = (shape,) if isinstance(shape, (numbers.Integral, np.integer)) else tuple(shape)
    new_shape = _target_shape(x, shape)
    if x.flags.c_contiguous and not copy:
        res = x.reshape(new_shape)
    elif copy is False:
        raise ValueError("hologram.ops.reshape: copy=False but the array is not C-contiguous")
    else:
        res = _dense(x).reshape(new_shape)
    return _out("reshape", res, out)


@op()
def squeeze(x, axis=None, out=None):
    """numpy's `squeeze`: drop axes of length 1 (all, or `axis`); a view of a contiguous array.

    >>> hologram.ops.squeeze(np.zeros((1, 3, 1), np.float32)).shape
    (3,)
    """
    x = _array("squeeze", "x", x)
    axes = tuple(d for d in range(x.ndim) if x.shape[d] == 1) if axis is None else \
        _axes("squeeze", axis, x.ndim)
    for d in axes:
        if x.shape[d] != 1:
            raise ValueError(f"hologram.ops.squeeze: cannot select an axis to squeeze out "
                             f"which has size not equal to one (axis {d}, size {x.shape[d]})")
    shape = tuple(n for d, n in enumerate(x.shape) if d not in axes)
    return reshape.impl(x, shape, None, out)


@op()
def expand_dims(x, axis=0, out=None):
    """numpy's `expand_dims`: insert axes of length 1 at `axis` (an int or a tuple).

    >>> hologram.ops.expand_dims(np.zeros(3, np.float32), 0).shape
    (1, 3)
    """
    x = _array("expand_dims", "x", x)
    items = axis if isinstance(axis, tuple | list) else (axis,)
    axes = _axes("expand_dims", tuple(items), x.ndim + len(items))
    shape = list(x.shape)
    for d in sorted(axes):
        shape.insert(d, 1)
    return reshape.impl(x, tuple(shape), None, out)


@op()
def broadcast_to(x, shape, out=None):
    """numpy's `broadcast_to`, as a new dense array (numpy returns a read-only view).

    >>> hologram.ops.broadcast_to(np.arange(3, dtype=np.float32), (2, 3)).shape
    (2, 3)
    """
    x = _array("broadcast_to", "x", x)
    shape = (shape,) if isinstance(shape, (numbers.Integral, np.integer)) else tuple(shape)
    try:
        view = np.broadcast_to(x, shape)
    except ValueError as err:
        raise ValueError(f"hologram.ops.broadcast_to: {err}") from None
    return _dense(view, out)


@op()
def flip(x, axis=None, out=None):
    """numpy's `flip`: the order of elements reversed along `axis` (all axes for None), as a
    new dense array.

    >>> hologram.ops.flip(np.arange(3, dtype=np.float32))
    array([2., 1., 0.], dtype=float32)
    """
    x = _array("flip", "x", x)
    axes = _axes("flip", axis, x.ndim)
    index = tuple(slice(None, None, -1) if d in axes else slice(None) for d in range(x.ndim))
    return _dense(x[index], out)


@op()
def roll(x, shift, axis=None, out=None):
    """numpy's `roll`: elements shifted along `axis` (the flattened array for None), wrapping
    around; `shift` and `axis` may be tuples.

    >>> hologram.ops.roll(np.arange(4, dtype=np.float32), 1)
    array([3., 0., 1., 2.], dtype=float32)
    """
    x = _array("roll", "x", x)
    if axis is None:
        flat = x.reshape(-1) if x.flags.c_contiguous else _dense(x).reshape(-1)
        return _out("roll", roll.impl(flat, shift, 0).reshape(x.shape), out)
    shifts = shift if isinstance(shift, tuple | list) else (shift,)
    axes = axis if isinstance(axis, tuple | list) else (axis,)
    if len(shifts) == 1 and len(axes) > 1:
        shifts = shifts * len(axes)
    if len(shifts) != len(axes):
        raise ValueError("hologram.ops.roll: 'shift' and 'axis' must have the same length")
    res = x
    for s, a in zip(shifts, axes):
        ax = _axis("roll", a, x.ndim)
        n = x.shape[ax]
        if n == 0:
            continue
        k = int(s) % n
        lo = [slice(None)] * x.ndim
        hi = [slice(None)] * x.ndim
        lo[ax], hi[ax] = slice(n - k, None), slice(0, n - k)
        res = concatenate.impl([res[tuple(lo)], res[tuple(hi)]], ax)
    if res is x:
        res = _dense(x)
    return _out("roll", res, out)


@op()
def tile(x, reps, out=None):
    """numpy's `tile`: `x` repeated `reps` times along each axis (one strided copy of a
    broadcast view).

    >>> hologram.ops.tile(np.arange(2, dtype=np.float32), 2)
    array([0., 1., 0., 1.], dtype=float32)
    """
    x = _array("tile", "x", x)
    reps = (reps,) if isinstance(reps, (numbers.Integral, np.integer)) else tuple(reps)
    if any(int(r) < 0 for r in reps):
        raise ValueError("hologram.ops.tile: negative repetitions are not allowed")
    nd = max(len(reps), x.ndim)
    reps = (1,) * (nd - len(reps)) + tuple(int(r) for r in reps)
    xs = x.reshape((1,) * (nd - x.ndim) + x.shape)
    inter = []
    for r, n in zip(reps, xs.shape):
        inter += [r, n]
    view = np.broadcast_to(xs.reshape(tuple(v for n in xs.shape for v in (1, n))), inter)
    shape = tuple(r * n for r, n in zip(reps, xs.shape))
    return _out("tile", _dense(view).reshape(shape), out)


@op()
def repeat(x, repeats, axis=None, out=None):
    """numpy's `repeat`: each element repeated `repeats` times (an int, or one count per
    element along `axis`); the flattened array for axis=None.

    >>> hologram.ops.repeat(np.arange(2, dtype=np.float32), 2)
    array([0., 0., 1., 1.], dtype=float32)
    """
    x = _array("repeat", "x", x)
    if axis is None:
        x = x.reshape(-1) if x.flags.c_contiguous else _dense(x).reshape(-1)
        axis = 0
    ax = _axis("repeat", axis, x.ndim)
    n = x.shape[ax]
    if isinstance(repeats, (numbers.Integral, np.integer)):
        r = int(repeats)
        if r < 0:
            raise ValueError("hologram.ops.repeat: negative repeats are not allowed")
        view = np.broadcast_to(np.expand_dims(x, ax + 1), x.shape[:ax + 1] + (r,)
                               + x.shape[ax + 1:])
        shape = x.shape[:ax] + (n * r,) + x.shape[ax + 1:]
        return _out("repeat", _dense(view).reshape(shape), out)
    counts = np.asarray(repeats)
    if counts.shape in ((), (1,)) and counts.dtype.kind in "iu":
        counts = np.broadcast_to(counts.reshape(()), (n,))  # one count for all, as numpy
    if counts.shape != (n,) or counts.dtype.kind not in "iu" or (counts < 0).any():
        raise ValueError(f"hologram.ops.repeat: 'repeats' must be an int or {n} non-negative "
                         "integers")
    # The source index of every output position (index bookkeeping), then one gather launch.
    index = np.repeat(np.arange(n, dtype=np.int64), counts)
    return take.impl(x, index, ax, out)


def _tri(name, x, k, upper, out):
    x = _array(name, "x", x)
    if x.ndim < 2:
        raise ValueError(f"{_where(name)}: argument 'x' must have at least 2 dimensions, got "
                         f"shape {x.shape}")
    src = x if x.flags.c_contiguous else _dense(x)
    kind = src.dtype
    if kind == _BOOL or kind in WIDEN:
        src = src.astype(np.int64)
    res = np.empty(src.shape, src.dtype)
    if src.size:
        rows, cols = src.shape[-2:]
        stdlib_kernel(f"tri_{SUFFIX[src.dtype]}")(src.reshape(-1), res.reshape(-1), src.size,
                                                  rows, cols, int(k), upper)
    if res.dtype != kind:
        res = res.astype(kind)
    return _out(name, res, out)


@op()
def tril(x, k=0, out=None):
    """numpy's `tril`: the lower triangle of the last two axes (`j - i <= k`), zeros above.

    >>> hologram.ops.tril(np.ones((2, 2), np.float32))
    array([[1., 0.],
           [1., 1.]], dtype=float32)
    """
    return _tri("tril", x, k, False, out)


@op()
def triu(x, k=0, out=None):
    """numpy's `triu`: the upper triangle of the last two axes (`j - i >= k`), zeros below.

    >>> hologram.ops.triu(np.ones((2, 2), np.float32))
    array([[1., 1.],
           [0., 1.]], dtype=float32)
    """
    return _tri("triu", x, k, True, out)


def _sort(name, kernel, x, axis, descending, out):
    x = _array(name, "x", x)
    if x.ndim == 0:
        raise np.exceptions.AxisError(f"{_where(name)}: cannot sort a 0-d array")
    ax = _axis(name, axis, x.ndim)
    kind = x.dtype
    src = x
    if kind == _BOOL or kind in WIDEN:
        src = x.astype(np.int64)  # ordered as numbers; the values come back exactly
    if descending:
        # Stable descending: sort the reversed array ascending, then reverse (equal elements
        # keep their order).
        index = [slice(None)] * x.ndim
        index[ax] = slice(None, None, -1)
        src = src[tuple(index)]
    if not src.flags.c_contiguous:
        src = _dense(src)
    if src.dtype not in SUFFIX or SUFFIX[src.dtype] not in ("f32", "f64", "i32", "i64", "u32",
                                                             "u64"):
        raise TypeError(f"{_where(name)}: has no kernel for {kind}")
    outer = int(np.prod(src.shape[:ax], dtype=np.int64))
    r = src.shape[ax]
    inner = int(np.prod(src.shape[ax + 1:], dtype=np.int64))
    dt = np.dtype(np.int64) if kernel == "argsort_axis" else src.dtype
    res = np.empty(src.shape, dt)
    tmp = np.empty(src.shape, dt)
    if outer * inner and r:
        stdlib_kernel(f"{kernel}_{SUFFIX[src.dtype]}")(src.reshape(-1), res.reshape(-1),
                                                       tmp.reshape(-1), outer * inner, r, inner)
    if descending:
        index = [slice(None)] * x.ndim
        index[ax] = slice(None, None, -1)
        res = res[tuple(index)]
        if kernel == "argsort_axis":
            res = (r - 1) - res  # positions in the reversed array -> positions in x
        res = _dense(res)
    if kernel == "sort_axis" and res.dtype != kind:
        res = res.astype(kind)
    return _out(name, res, out)


@op()
def sort(x, axis=-1, descending=False, stable=True, out=None):
    """numpy's `sort` (and the array API's, with `descending=`): a sorted copy along `axis`,
    NaN last, by a stable merge sort per line.

    >>> hologram.ops.sort(np.array([3, 1, 2], np.float32))
    array([1., 2., 3.], dtype=float32)
    """
    return _sort("sort", "sort_axis", x, axis, descending, out)


@op()
def argsort(x, axis=-1, descending=False, stable=True, out=None):
    """numpy's `argsort` (stable; the array API's `descending=`): the int64 indices that sort
    `x` along `axis`.

    >>> hologram.ops.argsort(np.array([3, 1, 2], np.float32))
    array([1, 2, 0])
    """
    return _sort("argsort", "argsort_axis", x, axis, descending, out)


def _gather(name, x, indices, ax, out, out_shape):
    x = _array(name, "x", x)
    indices = _array(name, "indices", indices)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{_where(name)}: argument 'indices' must hold integers, got "
                        f"{indices.dtype}")
    if indices.dtype not in (np.dtype(np.int64), np.dtype(np.int32)):
        indices = indices.astype(np.int64)
    r = x.shape[ax]
    if indices.size:
        lo, hi = int(indices.min()), int(indices.max())
        if lo < -r or hi >= r:
            bad = lo if lo < -r else hi
            raise IndexError(f"{_where(name)}: index {bad} is out of bounds for axis {ax} "
                             f"with size {r}")
    src = x if x.flags.c_contiguous else _dense(x)
    kind = src.dtype
    if kind in WIDEN:
        src = src.astype(WIDEN[kind])
    res = np.empty(out_shape, src.dtype)
    n = res.size
    if n:
        inner = int(np.prod(x.shape[ax + 1:], dtype=np.int64))
        idx = indices if indices.flags.c_contiguous else _dense(indices)
        stdlib_kernel(f"gather_{SUFFIX[src.dtype]}_{SUFFIX[idx.dtype]}")(
            src.reshape(-1), idx.reshape(-1), res.reshape(-1), n, r, idx.size, inner)
    if res.dtype != kind:
        res = res.astype(kind)
    return _out(name, res, out)


@op()
def take(a, indices, axis=None, out=None):
    """numpy's `take`: elements (axis=None: of the flattened array) or slices along `axis` at
    `indices` (an integer array; negative indices count from the end; out of range is an
    IndexError).

    >>> hologram.ops.take(np.array([5, 6, 7], np.float32), np.array([2, 0]))
    array([7., 5.], dtype=float32)
    """
    a = _array("take", "a", a)
    if axis is None:
        flat = a.reshape(-1) if a.flags.c_contiguous else _dense(a).reshape(-1)
        return _gather("take", flat, indices, 0, out, np.shape(indices))
    ax = _axis("take", axis, a.ndim)
    shape = a.shape[:ax] + np.shape(indices) + a.shape[ax + 1:]
    return _gather("take", a, indices, ax, out, shape)


@op()
def gather(data, indices, axis=0, out=None):
    """ONNX `Gather`: `out = take(data, indices, axis)` (axis defaults to 0).

    >>> hologram.ops.gather(np.eye(3, dtype=np.float32), np.array([2]))
    array([[0., 0., 1.]], dtype=float32)
    """
    data = _array("gather", "data", data)
    ax = _axis("gather", axis, data.ndim)
    shape = data.shape[:ax] + np.shape(indices) + data.shape[ax + 1:]
    return _gather("gather", data, indices, ax, out, shape)


@op()
def outer(a, b, out=None):
    """numpy's `outer`: `out[i, j] = a[i] * b[j]` of the flattened inputs (one broadcast
    multiply launch; dtypes promote as numpy).

    >>> hologram.ops.outer(np.arange(2, dtype=np.float32), np.ones(3, np.float32)).shape
    (2, 3)
    """
    a = _array("outer", "a", a)
    b = _array("outer", "b", b)
    return call(UFUNCS["multiply"], (a.reshape(-1, 1), b.reshape(1, -1)), out)


@op()
def pad(array, pad_width, mode="constant", constant_values=0.0, out=None):
    """numpy's `pad` with mode="constant": `pad_width` is an int, a pair `(before, after)`, or a
    pair per axis; new positions hold `constant_values` (float32).

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
                                 x.ndim)
    return out


concat = alias("concat", concatenate)


@op()
def moveaxis(x, source, destination, out=None):
    """numpy's `moveaxis`: axes moved to new positions, as a new dense array.

    >>> hologram.ops.moveaxis(np.zeros((2, 3, 4), np.float32), 0, -1).shape
    (3, 4, 2)
    """
    x = _array("moveaxis", "x", x)
    try:
        view = np.moveaxis(x, source, destination)
    except (ValueError, np.exceptions.AxisError) as err:
        raise type(err)(f"hologram.ops.moveaxis: {err}") from None
    return _dense(view, out)


@op()
def matrix_transpose(x, out=None):
    """The array API's `matrix_transpose`: the last two axes swapped (a dense copy).

    >>> hologram.ops.matrix_transpose(np.zeros((5, 2, 3), np.float32)).shape
    (5, 3, 2)
    """
    x = _array("matrix_transpose", "x", x)
    if x.ndim < 2:
        raise ValueError("hologram.ops.matrix_transpose: argument 'x' must have at least 2 "
                         f"dimensions, got shape {x.shape}")
    return _dense(np.swapaxes(x, -1, -2), out)


@op()
def unstack(x, axis=0, out=None):
    """The array API's `unstack`: a tuple of the dense slices of `x` along `axis`.

    >>> len(hologram.ops.unstack(np.zeros((3, 2), np.float32)))
    3
    """
    x = _array("unstack", "x", x)
    if out is not None:
        raise TypeError("hologram.ops.unstack: out= is not supported (the result is a tuple)")
    if x.ndim == 0:
        raise ValueError("hologram.ops.unstack: a 0-d array cannot be unstacked")
    ax = _axis("unstack", axis, x.ndim)
    return tuple(_dense(x[(slice(None),) * ax + (i,)])
                 for i in range(x.shape[ax]))
