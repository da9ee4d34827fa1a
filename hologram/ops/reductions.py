"""Reductions: sum, prod, mean, var, std, max, min, argmax, argmin, any, all, logsumexp, norm,
cumsum, cumprod, vecdot; over the whole array, one axis or a tuple of axes.

Every reduction views its input as `(outer, r, inner)`, the reduced axes being one block of
length `r`, and runs one id per output element (the generic `*_axis` kernels of
stdlib/reductions.py, every dtype numpy reduces). When the reduced axes are not one block of a
C-contiguous array (`axis=(0, 2)`, a strided view), the input is copied once, reduced axes last,
by the stdlib's strided copy kernel. Whole-array reductions of large arrays run in two launches
(blocks of 4096, then the partial results); float32/float64 sums of contiguous arrays use the
pairwise tree kernel (`atomic-to-tree-reduction`).

Result types are numpy's: integer sums and products in int64/uint64, means and variances of
integers in float64, `dtype=` converts the input once. A 0-d result is a numpy scalar, as in
numpy; `keepdims=True` keeps the reduced axes with length 1; `out=` receives the result.
"""

from __future__ import annotations

import numbers

import numpy as np

from hologram.ops import _checks as C
from hologram.ops._dispatch import alias, op
from hologram.ops._registry import stdlib_kernel
from hologram.ops._ufunc import SUFFIX, UFUNCS, call, copy
_I64, _U64, _F64, _BOOL = (np.dtype(t) for t in (np.int64, np.uint64, np.float64, np.bool_))
_SUM_TYPE = {np.dtype(np.int32): _I64, np.dtype(np.uint32): _U64, _BOOL: _I64,
             np.dtype(np.int8): _I64, np.dtype(np.int16): _I64, np.dtype(np.uint8): _U64,
             np.dtype(np.uint16): _U64}
_NARROW = {np.dtype(t): np.dtype(np.int32) for t in (np.int8, np.int16, np.uint8, np.uint16)}
_CHUNK, _CHUNKED_R = 4096, 65536
_BLOCK, _BLOCKED_INNER, _BLOCKED_R = 16, 8, 64


# The reductions with complex kernels; the others need an order (max, argmin) or are real
# statistics (var, std, norm, logsumexp).
_COMPLEX_KERNELS = {"sum_axis", "prod_axis", "mean_axis", "cumsum_axis", "cumprod_axis",
                    "any_axis", "all_axis"}


def _where(name):
    return f"hologram.ops.{name}"


def _input(name: str, x) -> np.ndarray:
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, np.generic) or isinstance(x, (bool, int, float, complex)):
        return np.asarray(x)
    raise TypeError(f"{_where(name)}: argument 'x' must be a numpy array, got "
                    f"{type(x).__name__}\n  hint: pass np.asarray(x)")


def _axes(name: str, axis, ndim: int) -> tuple[int, ...]:
    """`axis` (None, an int or a tuple of ints) as sorted non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    items = axis if isinstance(axis, tuple | list) else (axis,)
    out = []
    for a in items:
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (numbers.Integral, np.integer)):
            raise TypeError(f"{_where(name)}: argument 'axis' must be an int, a tuple of ints "
                            f"or None, got {type(a).__name__}")
        a = int(a)
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(f"{_where(name)}: axis {a} is out of bounds for an "
                                          f"array of dimension {ndim}")
        a %= ndim
        if a in out:
            raise ValueError(f"{_where(name)}: duplicate value in 'axis'")
        out.append(a)
    return tuple(sorted(out))


def rows(x: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, int, int, int]:
    """`x` as (outer, r, inner) with the reduced axes as the middle block: a view when they
    are one block of a C-contiguous array, else one copy with the reduced axes last."""
    shape = x.shape
    block = not axes or axes == tuple(range(axes[0], axes[-1] + 1))
    if not (block and x.flags.c_contiguous):
        kept = [d for d in range(x.ndim) if d not in axes]
        x = copy(np.transpose(x, kept + list(axes)))
        shape = x.shape
        axes = tuple(range(len(kept), x.ndim))
    if not axes:
        return x, int(np.prod(shape, dtype=np.int64)), 1, 1
    lo, hi = axes[0], axes[-1]
    outer = int(np.prod(shape[:lo], dtype=np.int64))
    r = int(np.prod(shape[lo:hi + 1], dtype=np.int64))
    inner = int(np.prod(shape[hi + 1:], dtype=np.int64))
    return x, outer, r, inner


def _reduced_shape(shape, axes, keepdims):
    if keepdims:
        return tuple(1 if d in axes else n for d, n in enumerate(shape))
    return tuple(n for d, n in enumerate(shape) if d not in axes)


def _finish(name, res: np.ndarray, shape, out):
    res = res.reshape(shape)
    if out is not None:
        if not isinstance(out, np.ndarray):
            raise TypeError(f"{_where(name)}: argument 'out' must be a numpy array, got "
                            f"{type(out).__name__}")
        if out.shape != shape:
            raise ValueError(f"{_where(name)}: argument 'out' has shape {out.shape}; expected "
                             f"{shape}")
        if out.dtype != res.dtype:
            raise TypeError(f"{_where(name)}: argument 'out' has dtype {out.dtype}; the result "
                            f"is {res.dtype}")
        out[...] = res
        return out
    return res if res.ndim else res[()]


def _launch(kernel: str, x: np.ndarray, outer: int, r: int, inner: int, out_dtype,
            extra=(), combine: bool = False) -> np.ndarray:
    """Run `<kernel>_<sfx>` over (outer, r, inner) into a new array of `out_dtype`. With
    `combine` (the op reduces its own partial results: sum, prod, max, min, any, all, norm), a
    whole-array reduction of a long array runs on blocks first, then on the partials."""
    sfx = SUFFIX[x.dtype]
    if x.dtype.kind == "c" and kernel not in _COMPLEX_KERNELS:
        op_name = kernel.removesuffix("_axis")
        raise TypeError(f"{_where(op_name)}: is not defined for complex numbers ({x.dtype}): "
                        "they have no order" if op_name in ("max", "min", "argmax", "argmin")
                        else f"{_where(op_name)}: has no kernel for complex numbers ({x.dtype})")
    m = outer * inner
    res = np.empty(m, out_dtype)
    if m == 0:
        return res
    flat = x.reshape(-1)
    if combine and m == 1 and r >= _CHUNKED_R:
        nb = r // _CHUNK
        part = np.empty(nb + 1, out_dtype)
        k = stdlib_kernel(f"{kernel}_{sfx}")
        k(flat[:nb * _CHUNK], part[:nb], nb, _CHUNK, 1, *extra)
        tail = r - nb * _CHUNK
        if tail:
            k(flat[nb * _CHUNK:], part[nb:], 1, tail, 1, *extra)
        else:
            part = part[:nb]
        stdlib_kernel(f"{kernel}_{SUFFIX[part.dtype]}")(part, res, 1, part.size, 1, *extra)
        return res
    if kernel in ("sum_axis", "mean_axis") and sfx == "f32" and inner >= _BLOCKED_INNER \
            and r >= _BLOCKED_R:
        # Along a strided axis: sums of blocks of rows first (`sum_blocks_f32`), then of the
        # partials; one id walking a whole column was measured 6x slower (a page per element).
        nb = -(-r // _BLOCK)
        partial = np.empty(outer * nb * inner, np.float32)
        stdlib_kernel("sum_blocks_f32")(flat, partial, partial.size, r, inner, _BLOCK, nb)
        stdlib_kernel("sum_axis_f32")(partial, res, m, nb, inner)
        if kernel == "mean_axis":
            stdlib_kernel("div_scalar_f32")(res, float(r), res, m)
        return res
    stdlib_kernel(f"{kernel}_{sfx}")(flat, res, m, r, inner, *extra)
    return res


def _no_identity(name, what):
    return ValueError(f"{_where(name)}: zero-size array to reduction operation {what} which "
                      "has no identity")


def _reduce(name, kernel, x, axis, keepdims, out, out_dtype, *, convert=None, extra=(),
            combine=False, empty=None):
    """The common path: axes, the (outer, r, inner) view, one launch, the result's shape."""
    x = _input(name, x)
    axes = _axes(name, axis, x.ndim)
    if convert is not None and x.dtype != convert:
        x = x.astype(convert)
    if x.dtype not in SUFFIX:
        raise TypeError(f"{_where(name)}: has no kernel for {x.dtype}\n  hint: convert "
                        "explicitly with .astype(...)")
    shape = _reduced_shape(x.shape, axes, keepdims)
    xr, outer, r, inner = rows(x, axes)
    if r == 0 and empty is not None:
        raise _no_identity(name, empty)
    res = _launch(kernel, xr, outer, r, inner, out_dtype(xr.dtype), extra, combine)
    return _finish(name, res, shape, out)


def _sum_dtype(dt: np.dtype) -> np.dtype:
    return _SUM_TYPE.get(dt, dt)


def _wide(dt: np.dtype) -> np.dtype:
    """The type a sum or product with `dtype=dt` computes in: `dt`, or for int8..uint16 (no
    kernels) int64/uint64, narrowed back at the end (the same wraparound as numpy's)."""
    return dt if dt in SUFFIX else _SUM_TYPE.get(dt, dt)


def _float_dtype(dt: np.dtype) -> np.dtype:
    return dt if dt.kind in "fc" else _F64


def _dtype_arg(name, dtype):
    if dtype is None:
        return None
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{_where(name)}: argument 'dtype' is not a dtype: {dtype!r}") from None


def _pairwise_sum(x: np.ndarray) -> np.ndarray:
    """The whole-array sum of a C-contiguous float array, as a 1-element array."""
    res = np.zeros(1, dtype=x.dtype)
    if x.size:
        stdlib_kernel(f"sum_{SUFFIX[x.dtype]}")(x if x.ndim == 1 else x.reshape(-1), res, x.size)
    return res


@op("sum")
def sum_(x, axis=None, dtype=None, out=None, keepdims=False):
    """`sum_i x[i]` over the whole array, an axis or a tuple of axes (numpy's `sum`; also its
    result types: integers in int64/uint64). float32 sums accumulate in float64 along axes and
    pairwise in float32 over a whole contiguous array. The sum of an empty array is 0.

    >>> hologram.ops.sum(np.arange(4, dtype=np.float32))
    np.float32(6.0)
    """
    dt = _dtype_arg("sum", dtype)
    if axis is None and dt is None and out is None and not keepdims \
            and x.__class__ is np.ndarray and x.dtype.kind == "f" and x.dtype in SUFFIX \
            and x.flags.c_contiguous:
        return _pairwise_sum(x)[0]
    x = _input("sum", x)
    if dt is None and x.dtype.kind == "f" and x.dtype in SUFFIX and x.flags.c_contiguous \
            and len(_axes("sum", axis, x.ndim)) == x.ndim:
        # Every axis of a contiguous float array, however spelled (axis=None or a tuple of all
        # axes, keepdims=, out=): the same pairwise kernel, so the same bits, as sum(x).
        return _finish("sum", _pairwise_sum(x), _reduced_shape(x.shape, range(x.ndim), keepdims),
                       out)
    result = dt if dt is not None else _sum_dtype(x.dtype)
    flat = _whole_flat("sum", x, axis, "iub") if dt is None or dt == result else None
    if flat is not None:
        # Every axis of an integer or bool array: one tree-reduction launch (`sum_<t>`, exact in
        # any order).
        res = np.zeros(1, _sum_dtype(flat.dtype))
        stdlib_kernel(f"sum_{SUFFIX[flat.dtype]}")(flat, res, flat.size)
        return _finish("sum", res.astype(result, copy=False),
                       _reduced_shape(x.shape, range(x.ndim), keepdims), out)
    convert = _wide(result) if dt is not None else (None if x.dtype in SUFFIX else result)
    res = _reduce("sum", "sum_axis", x, axis, keepdims, None, lambda d: _sum_dtype(d),
                  convert=convert, combine=True)
    return _finish("sum", np.asarray(res).astype(result, copy=False), np.shape(res), out)


@op()
def prod(x, axis=None, dtype=None, out=None, keepdims=False):
    """`prod_i x[i]` (numpy's `prod`; integers in int64/uint64, wrapping). The product of an
    empty array is 1.

    >>> hologram.ops.prod(np.array([1, 2, 3, 4], np.int32))
    np.int64(24)
    """
    x = _input("prod", x)
    dt = _dtype_arg("prod", dtype)
    result = dt if dt is not None else _sum_dtype(x.dtype)
    convert = _wide(result) if dt is not None else (None if x.dtype in SUFFIX else result)
    res = _reduce("prod", "prod_axis", x, axis, keepdims, None, lambda d: _sum_dtype(d),
                  convert=convert, combine=True)
    return _finish("prod", np.asarray(res).astype(result, copy=False), np.shape(res), out)


@op()
def mean(x, axis=None, dtype=None, out=None, keepdims=False):
    """`sum(x) / count` (numpy's `mean`: integers in float64); NaN for an empty reduction.

    >>> hologram.ops.mean(np.arange(4, dtype=np.float32))
    np.float32(1.5)
    """
    x = _input("mean", x)
    dt = _dtype_arg("mean", dtype)
    flat = _whole_flat("mean", x, axis, "iuf") if dt is None else None
    if flat is not None:
        total = _wide_sum(flat)
        return _finish("mean", np.array([total / flat.size]).astype(_float_dtype(x.dtype)),
                       _reduced_shape(x.shape, range(x.ndim), keepdims), out)
    convert = dt if dt is not None else _float_dtype(x.dtype)
    return _reduce("mean", "mean_axis", x, axis, keepdims, out, lambda d: d, convert=convert)


def _whole_flat(name, x, axis, kinds: str):
    """`x` as a flat C-contiguous array (a view, or a copy of a view; int8/int16/uint8/uint16 as
    int32) when `axis` names every axis of a non-empty array of one of the dtype `kinds` with
    kernels and fewer than 2^32 elements: the whole-array kernels apply. Else None."""
    if x.dtype.kind not in kinds or not 0 < x.size < 2**32 \
            or len(_axes(name, axis, x.ndim)) != x.ndim:
        return None
    if x.dtype in _NARROW:
        x = x.astype(_NARROW[x.dtype])
    if x.dtype not in SUFFIX:
        return None
    return (x if x.flags.c_contiguous else copy(x)).reshape(-1)


def _wide_sum(flat, center=None):
    """sum(flat) in float64, or with `center` the sum of (flat - center)^2, on the tree kernels."""
    res = np.zeros(1, np.float64)
    sfx = SUFFIX[flat.dtype]
    if center is None:
        stdlib_kernel(f"sum_wide_{sfx}")(flat, res, flat.size)
    else:
        stdlib_kernel(f"sumsq_dev_wide_{sfx}")(flat, float(center), res, flat.size)
    return res[0]


def _var(name, x, axis, dtype, out, ddof, correction, keepdims, root):
    x = _input(name, x)
    if x.dtype.kind == "c":
        raise TypeError(f"{_where(name)}: has no kernel for complex numbers ({x.dtype})")
    if correction is not None:
        ddof = correction
    dt = _dtype_arg(name, dtype)
    flat = _whole_flat(name, x, axis, "iuf") if dt is None else None
    if flat is not None and flat.size - float(ddof) > 0:
        # Two passes in float64 over the whole array, as the axis kernel does.
        q = _wide_sum(flat, _wide_sum(flat) / flat.size) / (flat.size - float(ddof))
        value = np.sqrt(q) if root else q
        return _finish(name, np.array([value]).astype(_float_dtype(x.dtype)),
                       _reduced_shape(x.shape, range(x.ndim), keepdims), out)
    convert = dt if dt is not None else _float_dtype(x.dtype)
    return _reduce(name, "var_axis", x, axis, keepdims, out, lambda d: d, convert=convert,
                   extra=(float(ddof), root))


@op()
def var(x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, correction=None):
    """The variance `mean((x - mean(x))^2)` with divisor `n - ddof` (numpy's `var`;
    `correction=` is the array API's name for `ddof`), two passes in float64.

    >>> hologram.ops.var(np.array([1, 2, 3, 4], np.float32))
    np.float32(1.25)
    """
    return _var("var", x, axis, dtype, out, ddof, correction, keepdims, False)


@op()
def std(x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, correction=None):
    """The standard deviation `sqrt(var(x))` (numpy's `std`).

    >>> hologram.ops.std(np.array([1, 2, 3, 4], np.float32))
    np.float32(1.118034)
    """
    return _var("std", x, axis, dtype, out, ddof, correction, keepdims, True)


@op()
def logsumexp(x, axis=None, out=None, keepdims=False):
    """`log(sum(exp(x)))` computed as `max + log(sum(exp(x - max)))` (no overflow; scipy's
    `logsumexp`): -inf for all -inf, +inf if any is +inf, NaN if any is NaN.

    >>> hologram.ops.logsumexp(np.array([1000, 1000], np.float32))
    np.float32(1000.6932)
    """
    x = _input("logsumexp", x)
    flat = _whole_flat("logsumexp", x, axis, "iuf")
    if flat is not None:
        # The whole array: the max, then sum(exp(x - max)) on the tree kernels, as the axis
        # kernel computes it (a NaN or infinite max is the result).
        flat = flat.astype(_float_dtype(x.dtype), copy=False)
        mx = whole_extreme("logsumexp", flat, True)
        if np.isfinite(mx):
            res = np.zeros(1, np.float64)
            stdlib_kernel(f"sum_exp_shifted_{SUFFIX[flat.dtype]}")(flat, mx, res, flat.size)
            mx = mx + flat.dtype.type(np.log(res[0]))
        return _finish("logsumexp", np.array([mx], flat.dtype),
                       _reduced_shape(x.shape, range(x.ndim), keepdims), out)
    return _reduce("logsumexp", "logsumexp_axis", x, axis, keepdims, out, lambda d: d,
                   convert=_float_dtype(x.dtype), empty="logsumexp")


# argmax/argmin of these types run in one pass (64-bit keys); the others by segments.
_ARG_KEY = frozenset(np.dtype(t) for t in (np.float32, np.int32, np.uint32))


def _whole_input(name, x):
    """`_whole_flat` for max/min/argmax/argmin over the whole array: bools as uint32 (the
    extreme is one of the values, so converting back is exact)."""
    return _whole_flat(name, x.astype(np.uint32) if x.dtype == _BOOL else x, None, "iuf")


def _extreme(name, kernel, x, axis, out, keepdims):
    x = _input(name, x)
    what = "maximum" if name == "max" else "minimum"
    whole = _whole_input(name, x) if axis is None else None
    if whole is not None:
        # One fast parallel launch; the sequential kernel only to give a zero numpy's sign.
        value = whole_extreme(name, whole, name == "max")
        if whole.dtype.kind != "f" or value != 0:
            shape = (1,) * x.ndim if keepdims else ()
            return _finish(name, np.array([value]).astype(x.dtype), shape, out)
    if x.dtype == _BOOL:
        x = x.astype(np.uint32)  # max/min of bools: any/all, as numbers
        res = _reduce(name, kernel, x, axis, keepdims, None, lambda d: d, empty=what,
                      combine=True)
        return _finish(name, np.asarray(res).astype(_BOOL), np.shape(res), out)
    if x.dtype in _NARROW:  # on the int32 kernels; the extreme is one of the values
        res = _reduce(name, kernel, x, axis, keepdims, None, lambda d: d,
                      convert=_NARROW[x.dtype], empty=what, combine=True)
        return _finish(name, np.asarray(res).astype(x.dtype), np.shape(res), out)
    return _reduce(name, kernel, x, axis, keepdims, out, lambda d: d, empty=what, combine=True)


def whole_extreme(name, x, largest: bool):
    """max (`largest`) or min of a contiguous float32/64 or (u)int32/64 array: one fast launch,
    and for floats a NaN-checking one only when the array holds NaN or inf (`max` in
    stdlib/reductions.py)."""
    op_name = "max" if largest else "min"
    if x.size == 0:
        raise _no_identity(name, "maximum" if largest else "minimum")
    flat = x.reshape(-1)
    sfx = SUFFIX[x.dtype]
    if x.dtype.kind == "f":
        start = -np.inf if largest else np.inf
    else:
        info = np.iinfo(x.dtype)
        start = info.min if largest else info.max
    res = np.array([start, 0], dtype=x.dtype)
    stdlib_kernel(f"{op_name}_{sfx}")(flat, res, x.size)
    if res[1] == 0:
        return res[0]
    res[:] = (start, 0)
    stdlib_kernel(f"{op_name}_checked_{sfx}")(flat, res, x.size)
    return x.dtype.type(np.nan) if res[1] != 0 else res[0]


@op("max")
def max_(x, axis=None, out=None, keepdims=False):
    """The largest element (numpy's `max`/`amax`, every numeric dtype); NaN if any element is
    NaN; among equal elements (0.0 and -0.0) the last, as numpy; an error for an empty
    reduction.

    >>> hologram.ops.max(np.array([1, 3, 2], np.float32))
    np.float32(3.0)
    """
    return _extreme("max", "max_axis", x, axis, out, keepdims)


@op("min")
def min_(x, axis=None, out=None, keepdims=False):
    """The smallest element (numpy's `min`/`amin`); NaN if any element is NaN.

    >>> hologram.ops.min(np.array([1, 3, 2], np.float32))
    np.float32(1.0)
    """
    return _extreme("min", "min_axis", x, axis, out, keepdims)


def _logical(name, kernel, x, axis, out, keepdims):
    x = _input(name, x)
    return _reduce(name, kernel, x, axis, keepdims, out, lambda d: _BOOL,
                   convert=_NARROW.get(x.dtype), combine=True)


@op("any")
def any_(x, axis=None, out=None, keepdims=False):
    """Whether any element is true (nonzero; NaN counts as true), numpy's `any`.

    >>> hologram.ops.any(np.array([0, 0, 2], np.int32))
    np.True_
    """
    return _logical("any", "any_axis", x, axis, out, keepdims)


@op("all")
def all_(x, axis=None, out=None, keepdims=False):
    """Whether every element is true (nonzero), numpy's `all`; true for an empty array.

    >>> hologram.ops.all(np.array([1, 0, 2], np.int32))
    np.False_
    """
    return _logical("all", "all_axis", x, axis, out, keepdims)


def _arg_extreme(name, x, axis, out, keepdims, axis_kernel):
    x = _input(name, x)
    if axis is None:
        if x.size == 0:
            raise ValueError(f"{_where(name)}: attempt to get {name} of an empty sequence")
        whole = _whole_input(name, x)
        if whole is not None and whole.dtype in _ARG_KEY:
            # One pass: the largest (value order, 2^32 - 1 - index) key (stdlib/reductions.py).
            res = np.array([np.iinfo(np.int64).min], dtype=np.int64)
            stdlib_kernel(f"arg_extreme_key_{SUFFIX[whole.dtype]}")(
                whole.reshape(-1), res, whole.size, int(name == "argmin"))
            value = np.array([0xFFFFFFFF - (int(res[0]) & 0xFFFFFFFF)], np.int64)
        elif whole is not None:
            value = np.array([_arg_by_segments(name, whole.reshape(-1))], np.int64)
        else:
            flat = copy(x).reshape(-1) if not x.flags.c_contiguous else x.reshape(-1)
            flat = flat.astype(_NARROW.get(flat.dtype, flat.dtype), copy=False)
            value = _launch(axis_kernel, flat, 1, flat.size, 1, _I64)
        shape = (1,) * x.ndim if keepdims else ()
        return _finish(name, value, shape, out)
    if isinstance(axis, tuple | list):
        raise TypeError(f"{_where(name)}: argument 'axis' must be an int or None (numpy's "
                        f"{name} takes one axis)")
    axes = _axes(name, axis, x.ndim)
    if x.shape[axes[0]] == 0:
        raise ValueError(f"{_where(name)}: attempt to get {name} of an empty sequence")
    return _reduce(name, axis_kernel, x, axis, keepdims, out, lambda d: _I64,
                   convert=_NARROW.get(x.dtype))


# argmax/argmin of 64-bit types take segments of this many bytes: the segment's extreme, then the
# first index holding it while the segment is still in cache (4 MiB stays in the last-level
# cache of current server CPUs). One pass over memory instead of two: an int64 argmin of 16M
# elements took 5.4 ms in two whole-array passes and 3.4 ms in segments (numpy 3.6 ms).
ARG_SEGMENT_BYTES = 4 << 20


def _arg_by_segments(name, flat):
    """The first index of the max (argmax) or min of a contiguous 64-bit array; the first NaN
    wins, as in numpy."""
    largest = name == "argmax"
    step = max(1, ARG_SEGMENT_BYTES // flat.itemsize)
    find = stdlib_kernel(f"find_first_{SUFFIX[flat.dtype]}")
    best, best_index = None, 0
    for start in range(0, flat.size, step):
        part = flat[start:start + step]
        extreme = whole_extreme(name, part, largest)
        nan = flat.dtype.kind == "f" and np.isnan(extreme)
        if best is not None and not nan and not (extreme > best if largest else extreme < best):
            continue  # no better than an earlier segment: the earlier index wins a tie
        res = np.array([part.size], dtype=np.uint32)
        find(part, extreme, res, part.size)
        best, best_index = extreme, start + int(res[0])
        if nan:
            break  # the first NaN
    return best_index


@op()
def argmax(x, axis=None, out=None, keepdims=False):
    """The index of the first largest element (numpy's `argmax`, int64; over the flattened
    array for axis=None); the first NaN wins, as in numpy.

    >>> hologram.ops.argmax(np.array([1, 3, 3], np.float32))
    np.int64(1)
    """
    return _arg_extreme("argmax", x, axis, out, keepdims, "argmax_axis")


@op()
def argmin(x, axis=None, out=None, keepdims=False):
    """The index of the first smallest element (numpy's `argmin`, int64).

    >>> hologram.ops.argmin(np.array([2, 1, 1], np.float32))
    np.int64(1)
    """
    return _arg_extreme("argmin", x, axis, out, keepdims, "argmin_axis")


@op()
def norm(x, axis=None, out=None, keepdims=False):
    """The Euclidean (L2) norm `sqrt(sum x^2)` of the whole array, an axis or a tuple of axes
    (numpy's `linalg.norm` with the default `ord` on the flattened axes). Scaled by the largest
    |x| as BLAS nrm2 does, so 1e20 or 3e-30 elements neither overflow nor underflow.

    >>> hologram.ops.norm(np.array([3, 4], np.float32))
    np.float32(5.0)
    """
    x = _input("norm", x)
    flat = _whole_flat("norm", x, axis, "iubf")
    if flat is not None:
        value = _whole_norm(flat.astype(_float_dtype(x.dtype), copy=False))
        if value is not None:
            return _finish("norm", np.array([value]), _reduced_shape(x.shape, range(x.ndim),
                                                                     keepdims), out)
    return _reduce("norm", "norm_axis", x, axis, keepdims, out, lambda d: d,
                   convert=_float_dtype(x.dtype), combine=True)


def _whole_norm(flat):
    """The L2 norm of a flat contiguous float32/float64 array on tree-reduction kernels, or None
    where the per-block kernel must do it (a float64 array whose largest |x| is subnormal)."""
    res = np.zeros(1, np.float64)
    if flat.dtype == np.float32:
        stdlib_kernel("sumsq_wide_f32")(flat, res, flat.size)
        return np.float32(np.sqrt(res[0]))
    # One pass unscaled. Its sum is exact to rounding unless it overflows (or an element is inf
    # or NaN) or is so small that squares may have underflowed: a square below the smallest
    # normal double adds less than 2^32 * 2^-1022 in all, nothing next to a sum above 2^-900.
    kernel = stdlib_kernel("sumsq_scaled_f64")
    kernel(flat, 1.0, res, flat.size)
    if np.isfinite(res[0]) and (res[0] > 2.0**-900 or res[0] == 0 and not flat.any()):
        return np.float64(np.sqrt(res[0]))
    # BLAS nrm2's scaling: squares of x / max|x|.
    scale = max(abs(whole_extreme("norm", flat, True)), abs(whole_extreme("norm", flat, False)))
    if np.isnan(scale) or scale == 0 or np.isinf(scale):
        return np.float64(scale)
    with np.errstate(over="ignore"):
        inv = 1.0 / scale
    if not np.isfinite(inv):
        return None
    res[0] = 0.0
    kernel(flat, inv, res, flat.size)
    return np.float64(scale * np.sqrt(res[0]))


def _cumulative(name, kernel, x, axis, dtype, out):
    x = _input(name, x)
    dt = _dtype_arg(name, dtype)
    if axis is None:
        x = (copy(x) if not x.flags.c_contiguous else x).reshape(-1)
        axis = 0
    if isinstance(axis, tuple | list):
        raise TypeError(f"{_where(name)}: argument 'axis' must be an int or None")
    (ax,) = _axes(name, axis, x.ndim)
    result = dt if dt is not None else _sum_dtype(x.dtype)
    if dt is not None and x.dtype != _wide(dt):
        x = x.astype(_wide(dt))
    elif x.dtype not in SUFFIX:
        x = x.astype(result)
    if not x.flags.c_contiguous:
        x = copy(x)
    outer, r, inner = (int(np.prod(x.shape[:ax], dtype=np.int64)), x.shape[ax],
                       int(np.prod(x.shape[ax + 1:], dtype=np.int64)))
    res = np.empty(x.shape, _sum_dtype(x.dtype))
    m = outer * inner
    if m and r:
        stdlib_kernel(f"{kernel}_{SUFFIX[x.dtype]}")(x.reshape(-1), res.reshape(-1), m, r,
                                                     inner)
    res = res.astype(result, copy=False)
    return _finish(name, res, res.shape, out)


@op()
def cumsum(x, axis=None, dtype=None, out=None):
    """Running sums along an axis (numpy's `cumsum`: the flattened array for axis=None,
    integers in int64/uint64), in order.

    >>> hologram.ops.cumsum(np.array([1, 2, 3], np.int32))
    array([1, 3, 6])
    """
    return _cumulative("cumsum", "cumsum_axis", x, axis, dtype, out)


@op()
def cumprod(x, axis=None, dtype=None, out=None):
    """Running products along an axis (numpy's `cumprod`).

    >>> hologram.ops.cumprod(np.array([1, 2, 3], np.float32))
    array([1., 2., 6.], dtype=float32)
    """
    return _cumulative("cumprod", "cumprod_axis", x, axis, dtype, out)


@op()
def vecdot(x1, x2, axis=-1, out=None):
    """`sum_i x1[..., i] * x2[..., i]` along `axis` (numpy 2's `vecdot` for real arrays):
    row-wise dot products; the operands broadcast, the input is promoted as numpy does.

    >>> hologram.ops.vecdot(np.ones((2, 3), np.float32), np.ones((2, 3), np.float32))
    array([3., 3.], dtype=float32)
    """
    a1, a2 = np.asarray(x1), np.asarray(x2)
    if a1.ndim == 0 or a2.ndim == 0:
        raise ValueError("hologram.ops.vecdot: arguments must have at least one axis")
    try:
        np.broadcast_shapes(a1.shape, a2.shape)
    except ValueError:
        raise ValueError(f"hologram.ops.vecdot: arguments 'x1' {a1.shape} and 'x2' {a2.shape} "
                         "do not broadcast") from None
    if np.result_type(a1, a2).kind == "c":
        from hologram.ops.elementwise import conj

        x1 = conj(np.asarray(x1, np.result_type(a1, a2)))  # conj(x1) . x2
    prod_ = np.asarray(call(UFUNCS["multiply"], (x1, x2)))
    if isinstance(axis, (numbers.Integral, np.integer)) and not isinstance(axis, bool):
        for v, arg in ((a1, "x1"), (a2, "x2")):
            if v.ndim and not -v.ndim <= axis < v.ndim:
                raise np.exceptions.AxisError(f"hologram.ops.vecdot: axis {axis} is out of "
                                              f"bounds for '{arg}' of dimension {v.ndim}")
            if v.ndim and v.shape[axis] != prod_.shape[axis]:
                raise ValueError(f"hologram.ops.vecdot: '{arg}' has {v.shape[axis]} elements "
                                 f"along axis {axis}; the contracted axis must not broadcast")
    # numpy's vecdot keeps the integer type (sum alone would widen to int64/uint64).
    dtype = prod_.dtype if prod_.dtype.kind in "iu" else None
    return sum_(prod_, axis=axis, dtype=dtype, out=out)


vector_sum = alias("vector_sum", sum_)


@op()
def count_nonzero(x, axis=None, keepdims=False, out=None):
    """numpy's `count_nonzero`: the number of nonzero (true) elements, int64.

    >>> hologram.ops.count_nonzero(np.array([0, 1, 2], np.int32))
    np.int64(2)
    """
    x = _input("count_nonzero", x)
    nz = call(UFUNCS["not_equal"], (x, False if x.dtype == _BOOL else 0))
    return sum_(np.asarray(nz), axis=axis, keepdims=keepdims, out=out)


def _cumulative_std(name, kernel, x, axis, dtype, include_initial, out):
    x = _input(name, x)
    if axis is None:
        if x.ndim > 1:
            raise ValueError(f"{_where(name)}: axis must be given for arrays of more than one "
                             "dimension")
        axis = 0
    if x.ndim == 0:
        raise ValueError(f"{_where(name)}: a 0-d array has no axis")
    res = _cumulative(name, kernel, x, axis, dtype, None)
    if include_initial:
        ax = axis % x.ndim
        first = np.full(res.shape[:ax] + (1,) + res.shape[ax + 1:],
                        0 if kernel == "cumsum_axis" else 1, res.dtype)
        from hologram.ops.shape import concatenate

        res = concatenate.impl([first, res], ax)
    return _finish(name, res, res.shape, out)


@op()
def cumulative_sum(x, axis=None, dtype=None, include_initial=False, out=None):
    """The array API's `cumulative_sum`: `cumsum` along `axis` (may be omitted for 1-D), with
    a leading 0 when `include_initial`.

    >>> hologram.ops.cumulative_sum(np.array([1, 2, 3], np.int32), include_initial=True)
    array([0, 1, 3, 6])
    """
    return _cumulative_std("cumulative_sum", "cumsum_axis", x, axis, dtype, include_initial,
                           out)


@op()
def cumulative_prod(x, axis=None, dtype=None, include_initial=False, out=None):
    """The array API's `cumulative_prod`: `cumprod` along `axis`, with a leading 1 when
    `include_initial`.

    >>> hologram.ops.cumulative_prod(np.array([1, 2, 3], np.int32))
    array([1, 2, 6])
    """
    return _cumulative_std("cumulative_prod", "cumprod_axis", x, axis, dtype, include_initial,
                           out)


@op()
def diff(x, axis=-1, n=1, prepend=None, append=None, out=None):
    """numpy's `diff`: the `n`-th difference `x[i + 1] - x[i]` along `axis` (one subtract
    launch per order).

    >>> hologram.ops.diff(np.array([1, 4, 9], np.int32))
    array([3, 5], dtype=int32)
    """
    x = _input("diff", x)
    if x.ndim == 0:
        raise ValueError("hologram.ops.diff: diff requires input that is at least one "
                         "dimensional")
    (ax,) = _axes("diff", axis, x.ndim)
    from hologram.ops.shape import concatenate

    parts = [v for v in (prepend, x, append) if v is not None]
    if len(parts) > 1:
        parts = [np.broadcast_to(v, x.shape[:ax] + (1,) + x.shape[ax + 1:])
                 if np.ndim(v) == 0 else np.asarray(v) for v in parts]
        x = concatenate.impl(parts, ax)
    if int(n) < 0:
        raise ValueError(f"hologram.ops.diff: order must be non-negative but got {n}")
    sub = UFUNCS["logical_xor"] if x.dtype == _BOOL else UFUNCS["subtract"]
    for _ in range(int(n)):
        hi = [slice(None)] * x.ndim
        lo = [slice(None)] * x.ndim
        hi[ax], lo[ax] = slice(1, None), slice(None, -1)
        x = np.asarray(call(sub, (x[tuple(hi)], x[tuple(lo)])))
    return _finish("diff", x, x.shape, out)
