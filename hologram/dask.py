"""Hologram as Dask's per-chunk engine: `hologram.ops` and `@hologram.jit` on Dask arrays.

    import dask.array as da, hologram
    x = da.random.random((20_000, 5_000), chunks=(2_000, 5_000)).astype("float32")
    y = hologram.ops.sum(hologram.ops.sigmoid(x), axis=1).compute()

Dask keeps the scheduling, the chunking and the data movement; every chunk is computed by a
Hologram kernel. An op given a `dask.array.Array` returns one (lazy); nothing runs until
`.compute()`. This module is imported by `hologram.ops` (`_dispatch.py`) and `hologram.jit`
only when an argument is a Dask array, so programs without Dask never import it.

* Elementwise ops (`ELEMENTWISE`): `dask.array.blockwise` with numpy's broadcasting (operands
  aligned from the right, as `dask.array.elemwise` does); each output chunk is one op call on the
  matching input chunks. Numpy arrays given beside Dask arrays become one-chunk Dask arrays.
* Reductions (`sum mean max min norm` over the whole array or one axis): `dask.array.reduction`,
  Dask's tree reduction, with the Hologram op as the chunk, combine and aggregate step (partials
  keep their dimensions) and a fan-in that fits the partials' size (`split_every`). The combine
  order depends only on the chunking, so a result is deterministic for a given chunking.
  `argmax`/`argmin`: each chunk gives (value, global index) pairs; the tree keeps the first
  extreme (Hologram's argmax/max on the partial values).
* `dot` (vector . vector): one partial per chunk pair, then the Hologram sum above.
  `matmul`/`dot`/`gemm` on matrices: Dask's blocked product, Hologram's GEMM per (i, k, j) block
  pair, then a Hologram sum over the k partials (skipped when the inner dimension is one chunk).
* `softmax`, `log_softmax` along an axis and `layer_norm` (last axis) need that axis in one chunk.
* `@hologram.jit` on Dask arrays: a function of elementwise ops only runs as one fused Hologram
  program per output chunk (`jit_call`), so a chain of N ops reads each input chunk once.

Rechunking happens only where an op needs it (a row-wise op's axis split over chunks, a
matrix product's inner chunks that differ), and each time a `RechunkWarning` says so. Chunks that
are not C-contiguous (views Dask makes when it slices a chunk) are copied to C order before the
kernel runs; dtypes are never converted. Errors are raised when the op is called (not at
`.compute()`), with the message the numpy op gives: the checks run on zero-size stand-ins of the
operands (their dtypes, ranks, and which dimensions are 1).
"""

from __future__ import annotations

import importlib
import inspect
import math
import sys
import threading
import uuid
import warnings
import weakref
from typing import Any

import dask.array as da
import numpy as np

from hologram.ops import OPS
from hologram.ops.elementwise import ELEMENTWISE_KERNELS

__all__ = ["ELEMENTWISE", "REDUCTIONS", "SUPPORTED", "RechunkWarning", "call", "jit_call",
           "split_every", "takes"]


class RechunkWarning(UserWarning):
    """An op had to rechunk a Dask array (a row-wise op's axis, a matrix product's inner
    chunks); rechunk the input yourself to choose where that happens."""


# Ops applied chunk by chunk, with numpy's broadcasting across operands.
ELEMENTWISE = frozenset(ELEMENTWISE_KERNELS) | {"axpy", "scal"}
REDUCTIONS = frozenset({"sum", "mean", "max", "min", "norm"})
_ARG_REDUCTIONS = frozenset({"argmax", "argmin"})
_ROW_OPS = frozenset({"softmax", "log_softmax", "layer_norm"})
_PRODUCTS = frozenset({"dot", "matmul", "gemm"})
SUPPORTED = ELEMENTWISE | REDUCTIONS | _ARG_REDUCTIONS | _ROW_OPS | _PRODUCTS


def _is_dask(x) -> bool:
    return isinstance(x, da.Array)


def takes(args, kwargs) -> bool:
    """Whether an op call has a Dask array among its arguments (or in a list argument)."""
    for a in (*args, *kwargs.values()):
        if isinstance(a, da.Array):
            return True
        if isinstance(a, list | tuple) and any(isinstance(b, da.Array) for b in a):
            return True
    return False


def call(op_name: str, args, kwargs):
    """`hologram.ops.<op_name>(*args, **kwargs)` where an argument is a Dask array: a lazy
    Dask array (or a 0-d one for whole-array reductions) computed chunk by chunk by Hologram."""
    if op_name not in SUPPORTED:
        raise TypeError(
            f"hologram.ops.{op_name}: Dask arrays are not supported by this op (supported: "
            f"{', '.join(sorted(SUPPORTED))})\n  hint: x.map_blocks(hologram.ops.{op_name}, ...) "
            "applies it to each chunk on its own, when that is what you mean")
    fn = OPS[op_name]
    try:
        bound = inspect.signature(fn.impl).bind(*args, **kwargs)
    except TypeError as err:
        raise TypeError(f"hologram.ops.{op_name}: {err}") from None
    params = dict(bound.arguments)
    if params.pop("out", None) is not None:
        raise TypeError(f"hologram.ops.{op_name}: out= is not supported with Dask arrays; "
                        "the result is a new (lazy) Dask array")
    if op_name in ELEMENTWISE:
        return _elementwise(op_name, params)
    if op_name in REDUCTIONS:
        return _reduce(op_name, params)
    if op_name in _ARG_REDUCTIONS:
        return _arg_reduce(op_name, params)
    if op_name in _ROW_OPS:
        return _row_op(op_name, params)
    return _PRODUCT_HANDLERS[op_name](op_name, params)


# ------------------------------------------------------------------------------------------------
# Chunk functions: module-level classes holding plain data, so they pickle by reference and
# travel to `dask.distributed` workers, where kernels compile through the shared disk cache.
# ------------------------------------------------------------------------------------------------
def _contiguous(x, fortran_ok: bool = False):
    # Dask hands out views of chunks (slices, transposes, broadcasts); kernels take C order.
    # `fortran_ok`: the GEMM reads a Fortran-ordered matrix as a transpose, without a copy.
    if isinstance(x, np.ndarray) and not x.flags.c_contiguous:
        if fortran_ok and x.ndim == 2 and x.flags.f_contiguous:
            return x
        return np.ascontiguousarray(x)
    return x


class _ChunkFn:
    """Base of the chunk functions: plain data fields, and a Dask token made of them, so the
    graph's keys are the same for the same expression (not an object's address)."""

    def __dask_tokenize__(self):
        return (type(self).__name__, sorted((k, repr(v)) for k, v in vars(self).items()))


class _Apply(_ChunkFn):
    """Calls `hologram.ops.<op>` on the chunks given positionally, with fixed keywords."""

    def __init__(self, op_name: str, kwargs: dict | None = None):
        self.op_name = op_name
        self.kwargs = kwargs or {}

    def __call__(self, *chunks):
        return OPS[self.op_name].impl(*(_contiguous(c) for c in chunks), **self.kwargs)

    def __repr__(self) -> str:
        return f"hologram.ops.{self.op_name}"


# ------------------------------------------------------------------------------------------------
# Validation on zero-size stand-ins: the numpy op's own checks, before any graph is built
# ------------------------------------------------------------------------------------------------
def _standin(x):
    """A zero-size numpy array with `x`'s dtype, rank, and dimensions of 1 where `x` has 1."""
    if _is_dask(x) or isinstance(x, np.ndarray):
        return np.zeros(tuple(1 if d == 1 else 0 for d in x.shape), x.dtype)
    return x


def _as_dask(x):
    return da.asarray(x) if isinstance(x, np.ndarray) else x


def _known_shape(op_name: str, x) -> None:
    if any(isinstance(d, float) and math.isnan(d) for d in x.shape):
        raise ValueError(f"hologram.ops.{op_name}: a Dask array of unknown shape {x.shape}"
                         "\n  hint: call x.compute_chunk_sizes() first")


# ------------------------------------------------------------------------------------------------
# Elementwise ops and row-wise ops: blockwise, operands aligned from the right
# ------------------------------------------------------------------------------------------------
def _blockwise(op_name: str, positional: list, kwargs: dict, dtype: np.dtype):
    arrays = [a for a in positional if _is_dask(a)]
    ndim = max(a.ndim for a in arrays)
    pairs: list = []
    for a in positional:
        if _is_dask(a):
            pairs += [a, tuple(range(ndim - a.ndim, ndim))]
        else:
            pairs += [a, None]
    return da.blockwise(_Apply(op_name, kwargs), tuple(range(ndim)), *pairs, dtype=dtype,
                        token=f"hologram-{op_name}", meta=np.empty((0,) * ndim, dtype))


def _elementwise(op_name: str, params: dict):
    positional = [_as_dask(v) for v in params.values()]
    arrays = [a for a in positional if _is_dask(a)]
    for a in arrays:
        _known_shape(op_name, a)
    try:
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = " ".join(str(a.shape) for a in arrays)
        raise ValueError(f"hologram.ops.{op_name}: operands could not be broadcast together "
                         f"with shapes {shapes}") from None
    probe = OPS[op_name].impl(*(_standin(v) for v in positional))
    return _blockwise(op_name, positional, {}, np.asarray(probe).dtype)


def _row_op(op_name: str, params: dict):
    x = _as_dask(params["x"])
    _known_shape(op_name, x)
    probe_kwargs = {k: _standin(v) for k, v in params.items()}
    OPS[op_name].impl(**probe_kwargs)
    if op_name == "layer_norm":
        ax = x.ndim - 1
    else:
        from hologram.ops import _checks as C

        ax = C.axis(op_name, params.get("axis", -1), x.ndim)
    if len(x.chunks[ax]) > 1:
        warnings.warn(f"hologram.ops.{op_name}: axis {ax} is split over {len(x.chunks[ax])} "
                      f"chunks; rechunking it into one (each row must be in one chunk)",
                      RechunkWarning, stacklevel=4)
        x = x.rechunk({ax: -1})
    if op_name == "layer_norm":
        vecs = [_as_dask(params.get(k)) for k in ("weight", "bias")]
        kwargs = {"eps": params.get("eps", 1e-5)}
        return _blockwise(op_name, [x, *vecs], kwargs, np.dtype(np.float32))
    return _blockwise(op_name, [x], {"axis": ax}, np.dtype(np.float32))


# ------------------------------------------------------------------------------------------------
# Reductions: Dask's tree reduction with Hologram's op at every level
# ------------------------------------------------------------------------------------------------
def _reduce_chunk(op_name: str, x: np.ndarray, axis: tuple, keepdims: bool):
    """The Hologram reduction of one chunk (or of concatenated partials) over `axis` (a tuple of
    axes)."""
    x = _contiguous(x)
    impl = OPS[op_name].impl
    if len(axis) == x.ndim:
        value = impl(x, axis=None, keepdims=keepdims)
        return value if keepdims else np.asarray(value)
    return impl(x, axis=axis, keepdims=keepdims)


class _Reduce(_ChunkFn):
    """A chunk, combine or aggregate step: `op` over the reduced axes; `then_divide` makes the
    aggregate of a mean (the sum divided by the element count, in float32 as the op does)."""

    def __init__(self, op_name: str, then_divide: int | None = None):
        self.op_name = op_name
        self.then_divide = then_divide

    def __call__(self, x, axis, keepdims, **_):
        res = _reduce_chunk(self.op_name, x, tuple(axis), keepdims)
        if self.then_divide is None:
            return res
        return OPS["divide"].impl(np.asarray(res), float(self.then_divide))


def _axes(op_name: str, x, axis, tuples: bool = False) -> tuple[int, ...]:
    """The reduced axes, sorted; an axis tuple where the op takes one (`tuples`)."""
    from hologram.ops import _checks as C
    from hologram.ops.reductions import _axes as reduced_axes

    if axis is None:
        return tuple(range(x.ndim))
    if tuples:
        return reduced_axes(op_name, axis, x.ndim)
    return (C.axis(op_name, axis, x.ndim),)


# Fan-in bounds of a tree level. Dask's default fan-in (4 in Dask 2026.8) is spread over the
# reduced axes, 2 per axis for a whole 2-D array, so a whole-array sum of 64 chunks takes 6
# levels: 63 more tasks, and a transfer between worker processes at each level. Partials of a few
# bytes can be combined many at a time; 256 bounds the keys one task gathers, and a level holds
# at most one input chunk's bytes or LEVEL_BYTES, whichever is more.
MIN_FAN_IN = 4
MAX_FAN_IN = 256
LEVEL_BYTES = 1 << 20


def _largest_chunk_bytes(x) -> int:
    return math.prod(max(c, default=0) for c in x.chunks) * x.dtype.itemsize


def split_every(x, axes: tuple[int, ...], partial_itemsize: int,
                chunk_bytes: int | None = None) -> dict[int, int] | None:
    """The fan-in of each level of Dask's tree reducing `x` over `axes`, as the
    `split_every` of `dask.array.reduction` (None: Dask's own, when the user configured
    `dask.config.set(split_every=...)`).

    A level concatenates the partials it combines, so it takes as many as fit in the bytes of one
    input chunk (`chunk_bytes`, by default `x`'s largest) or in LEVEL_BYTES, whichever is more,
    between MIN_FAN_IN and MAX_FAN_IN, and spreads them only over the reduced axes that are
    split into several chunks. A one-element partial per chunk lets one level combine up to 256
    chunks; partials as big as a chunk (a matrix product's k partials) keep a fan-in of 4."""
    import dask

    if dask.config.get("split_every", None) is not None:
        return None
    split = [a for a in axes if x.numblocks[a] > 1]
    fan = {a: 2 for a in axes}
    if not split:
        return fan
    if chunk_bytes is None:
        chunk_bytes = _largest_chunk_bytes(x)
    partial = partial_itemsize * math.prod(
        max(c, default=0) for k, c in enumerate(x.chunks) if k not in axes)
    budget = max(chunk_bytes, LEVEL_BYTES)
    total = min(MAX_FAN_IN, max(MIN_FAN_IN, budget // max(partial, 1)))
    if math.prod(x.numblocks[a] for a in split) <= total:
        fan.update({a: x.numblocks[a] for a in split})  # one level
        return fan
    per_axis = max(2, int(total ** (1 / len(split)) + 1e-9))
    fan.update({a: per_axis for a in split})
    return fan


def _reduce(op_name: str, params: dict):
    x = _as_dask(params["x"])
    _known_shape(op_name, x)
    axis, keepdims = params.get("axis"), bool(params.get("keepdims", False))
    # The numpy op's checks (dtype, axis) on a stand-in with one element per dimension.
    probe = OPS[op_name].impl(np.zeros((1,) * x.ndim, x.dtype), axis=axis, keepdims=keepdims)
    dtype = np.asarray(probe).dtype
    axes = _axes(op_name, x, axis, tuples=True)
    if any(x.shape[a] == 0 for a in axes) and op_name in ("max", "min"):
        OPS[op_name].impl(np.zeros(x.shape, x.dtype), axis=axis)  # numpy's "no identity" error
    chunk = combine = aggregate = _Reduce(op_name)
    if op_name == "mean":
        chunk = combine = _Reduce("sum")
        aggregate = _Reduce("sum", then_divide=math.prod(x.shape[a] for a in axes))
    return da.reduction(x, chunk, aggregate, combine=combine, axis=axes, keepdims=keepdims,
                        dtype=dtype, concatenate=True, name=f"hologram-{op_name}",
                        split_every=split_every(x, axes, dtype.itemsize),
                        meta=np.empty((0,) * x.ndim, dtype))


# argmax/argmin: partials are (value, global index) records, one per chunk and kept position.
_ARG_RECORD = np.dtype([("v", np.float32), ("i", np.int64)])


class _ArgChunk(_ChunkFn):
    """(extreme value, its global index) of one chunk: over the whole chunk (a flat index into
    the whole array) or along one axis (indices along it)."""

    def __init__(self, op_name: str, axis: int | None, shape: tuple[int, ...]):
        self.op_name = op_name
        self.axis = axis
        self.shape = shape

    def __call__(self, x, block_info=None):
        x = _contiguous(x)
        starts = [lo for lo, _ in block_info[0]["array-location"]]
        extreme = "max" if self.op_name == "argmax" else "min"
        if self.axis is None:
            out = np.empty((1,) * x.ndim, _ARG_RECORD)
            local = int(OPS[self.op_name].impl(x))
            pos = np.unravel_index(local, x.shape)
            out["v"] = x[pos]
            out["i"] = np.ravel_multi_index(tuple(p + s for p, s in zip(pos, starts)),
                                            self.shape)
            return out
        ax = self.axis
        index = OPS[self.op_name].impl(x, axis=ax, keepdims=True)
        value = OPS[extreme].impl(x, axis=ax, keepdims=True)
        out = np.empty(index.shape, _ARG_RECORD)
        out["v"] = value
        out["i"] = index + starts[ax]
        return out


class _ArgCombine(_ChunkFn):
    """Combines partial records: the first (smallest index) extreme; NaN wins, as in numpy."""

    def __init__(self, op_name: str, whole: bool):
        self.op_name = op_name
        self.whole = whole

    def __call__(self, x, axis, keepdims, **_):
        values = np.ascontiguousarray(x["v"])
        if self.whole:
            extreme = "max" if self.op_name == "argmax" else "min"
            best = OPS[extreme].impl(values)
            hit = np.isnan(values) if np.isnan(best) else values == best
            res = np.empty((1,) * x.ndim, _ARG_RECORD)
            res["v"] = best
            res["i"] = x["i"][hit].min()
        else:
            # Partials along the axis are in index order: the first extreme partial holds the
            # first extreme element.
            (ax,) = axis
            pos = OPS[self.op_name].impl(values, axis=ax, keepdims=True)
            res = np.take_along_axis(x, pos, axis=ax)
        if keepdims:
            return res
        return res.reshape(tuple(d for k, d in enumerate(res.shape) if k not in tuple(axis)))


def _identity(x, axis=None, keepdims=True, **_):
    return x


def _arg_reduce(op_name: str, params: dict):
    x = _as_dask(params["x"])
    _known_shape(op_name, x)
    axis, keepdims = params.get("axis"), bool(params.get("keepdims", False))
    OPS[op_name].impl(np.zeros((1,) * x.ndim, x.dtype), axis=axis, keepdims=keepdims)
    axes = _axes(op_name, x, axis, tuples=True)
    if any(x.shape[a] == 0 for a in axes):
        raise ValueError(f"hologram.ops.{op_name}: attempt to get {op_name} of an empty "
                         "sequence")
    whole = axis is None
    chunks = tuple((1,) * len(c) if k in axes else c for k, c in enumerate(x.chunks))
    partial = da.map_blocks(_ArgChunk(op_name, None if whole else axes[0], x.shape), x,
                            token=f"hologram-{op_name}-chunk",
                            chunks=chunks, dtype=_ARG_RECORD,
                            meta=np.empty((0,) * x.ndim, _ARG_RECORD))
    step = _ArgCombine(op_name, whole)
    records = da.reduction(partial, _identity, step, combine=step, axis=axes, keepdims=keepdims,
                           name=f"hologram-{op_name}",
                           split_every=split_every(partial, axes, _ARG_RECORD.itemsize,
                                                   _largest_chunk_bytes(x)),
                           dtype=_ARG_RECORD, concatenate=True,
                           meta=np.empty((0,) * x.ndim, _ARG_RECORD))
    return records["i"]


# ------------------------------------------------------------------------------------------------
# Products: dot, matmul, gemm
# ------------------------------------------------------------------------------------------------
class _Gemm(_ChunkFn):
    """`alpha * a @ b` of one block pair, with a unit axis for the k partial: (m, 1, n)."""

    def __init__(self, alpha: float, partial_axis: bool):
        self.alpha = alpha
        self.partial_axis = partial_axis

    def __call__(self, a, b):
        res = OPS["gemm"].impl(_contiguous(a, True), _contiguous(b, True), alpha=self.alpha)
        return res[:, None, :] if self.partial_axis else res


def _matrix_product(op_name: str, a, b, alpha: float = 1.0):
    """`alpha * a @ b` for two 2-D Dask arrays: GEMM per block pair, Hologram sum over k."""
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"hologram.ops.{op_name}: inner dimensions differ: {a.shape} @ "
                         f"{b.shape}")
    OPS["gemm"].impl(_standin(a), _standin(b), alpha=alpha)  # dtype checks
    if a.chunks[1] != b.chunks[0]:
        warnings.warn(f"hologram.ops.{op_name}: the inner dimension is chunked {a.chunks[1]} "
                      f"on the left and {b.chunks[0]} on the right; rechunking the right "
                      "operand to match", RechunkWarning, stacklevel=4)
        b = b.rechunk({0: a.chunks[1]})
    dtype = np.dtype(a.dtype)
    if len(a.chunks[1]) == 1:
        return da.blockwise(_Gemm(alpha, False), (0, 2), a, (0, 1), b, (1, 2), dtype=dtype,
                            token="hologram-gemm",
                            concatenate=True, meta=np.empty((0, 0), dtype))
    if dtype != np.float32:
        raise TypeError(f"hologram.ops.{op_name}: {dtype} Dask matrices need the inner "
                        f"dimension in one chunk (it has {len(a.chunks[1])}): the k partials are "
                        "added by the float32 axis sum\n  hint: a.rechunk({1: -1}) and "
                        "b.rechunk({0: -1}), or float32")
    partials = da.blockwise(_Gemm(alpha, True), (0, 1, 2), a, (0, 1), b, (1, 2),
                            token="hologram-gemm",
                            adjust_chunks={1: 1}, dtype=dtype, meta=np.empty((0, 0, 0), dtype))
    return _reduce("sum", {"x": partials, "axis": 1})


class _Dot(_ChunkFn):
    """The dot product of one pair of vector chunks, as a length-1 partial."""

    def __call__(self, a, b):
        return np.asarray([OPS["dot"].impl(_contiguous(a), _contiguous(b))])


def _vector_dot(op_name: str, a, b):
    if a.shape != b.shape:
        raise ValueError(f"hologram.ops.{op_name}: shapes {a.shape} and {b.shape} not aligned")
    probe = OPS["dot"].impl(_standin(a), _standin(b))
    dtype = np.asarray(probe).dtype
    if a.chunks != b.chunks:
        warnings.warn(f"hologram.ops.{op_name}: the operands are chunked {a.chunks[0]} and "
                      f"{b.chunks[0]}; rechunking the second to match", RechunkWarning,
                      stacklevel=4)
        b = b.rechunk(a.chunks)
    partials = da.blockwise(_Dot(), (0,), a, (0,), b, (0,), adjust_chunks={0: 1}, dtype=dtype,
                            token="hologram-dot",
                            meta=np.empty((0,), dtype))
    return _reduce("sum", {"x": partials, "axis": None})


def _operands(op_name: str, names: tuple[str, str], params: dict):
    out = []
    for name in names:
        v = _as_dask(params[name])
        if not _is_dask(v):
            raise TypeError(f"hologram.ops.{op_name}: argument '{name}' must be an array, got "
                            f"{type(v).__name__}")
        _known_shape(op_name, v)
        out.append(v)
    return out


def _product(op_name: str, params: dict):
    names = ("x1", "x2") if op_name == "matmul" else ("a", "b")
    a, b = _operands(op_name, names, params)
    if a.ndim == 1 and b.ndim == 1:
        return _vector_dot(op_name, a, b)
    if a.ndim == 2 and b.ndim == 2:
        return _matrix_product(op_name, a, b)
    if a.ndim == 2 and b.ndim == 1:
        return _matrix_product(op_name, a, b[:, None])[:, 0]
    if a.ndim == 1 and b.ndim == 2:
        return _matrix_product(op_name, a[None, :], b)[0]
    raise ValueError(f"hologram.ops.{op_name}: shapes {a.shape} and {b.shape}: Dask arrays "
                     "support 1-D and 2-D operands")


def _gemm(op_name: str, params: dict):
    a, b = _operands(op_name, ("A", "B"), params)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"hologram.ops.gemm: arguments 'A' {a.shape} and 'B' {b.shape} must be "
                         "2-D")
    alpha, beta = float(params.get("alpha", 1.0)), float(params.get("beta", 0.0))
    if params.get("trans_a"):
        a = a.T  # lazy: each block is read as a transpose by the GEMM, without a copy
    if params.get("trans_b"):
        b = b.T
    res = _matrix_product(op_name, a, b, alpha)
    c = params.get("C")
    if beta == 0.0:
        return res  # BLAS: C is not read
    if c is None:
        raise ValueError("hologram.ops.gemm: beta != 0 needs 'C'")
    c = _as_dask(c)
    if c.shape != res.shape:
        raise ValueError(f"hologram.ops.gemm: argument 'C' has shape {c.shape}; expected "
                         f"{res.shape}")
    return _elementwise("axpy", {"alpha": beta, "x": c, "y": res})


_PRODUCT_HANDLERS = {"dot": _product, "matmul": _product, "gemm": _gemm}


# ------------------------------------------------------------------------------------------------
# @hologram.jit on Dask arrays: one fused program per output chunk
# ------------------------------------------------------------------------------------------------
# Processes that received a jitted function keep one JitFunction per client-side function, so a
# worker traces and compiles it once, not once per task.
_jit_lock = threading.Lock()
_jit_by_token: dict[str, Any] = {}
_token_of: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _jit_token(jitfn) -> str:
    with _jit_lock:
        token = _token_of.get(jitfn)
        if token is None:
            token = uuid.uuid4().hex
            _token_of[jitfn] = token
            _jit_by_token[token] = jitfn
        return token


def _jit_from(fn, token: str, module: str | None = None):
    """The chunk function in this process: the client's own object, or one JitFunction per
    token, found as `module.<name>` (plain pickle) or rebuilt from the function (cloudpickle)."""
    from hologram.tracing import JitFunction, jit

    with _jit_lock:
        jitfn = _jit_by_token.get(token)
        if jitfn is None:
            found = getattr(importlib.import_module(module), fn, None) if module else None
            jitfn = found if isinstance(found, JitFunction) else jit(fn)
            _jit_by_token[token] = jitfn
            _token_of[jitfn] = token
    return _JitChunk(jitfn, token)


def _by_reference(jitfn) -> tuple[str, str] | None:
    """(module, name) when the jitted function is a module attribute, so plain pickle can
    name it instead of serializing the Python function."""
    fn = jitfn.fn
    module = sys.modules.get(getattr(fn, "__module__", None) or "")
    name = getattr(fn, "__qualname__", "")
    if module is None or module.__name__ == "__main__" or getattr(module, name, None) is not jitfn:
        return None
    return module.__name__, name


class _JitChunk(_ChunkFn):
    """Runs the jitted function's fused program on one chunk of each array argument. Pickles as
    the Python function and a token (the compiled program stays in its process)."""

    def __init__(self, jitfn, token: str):
        self.jitfn = jitfn
        self.token = token

    def __dask_tokenize__(self):
        return ("_JitChunk", self.token)

    def __reduce__(self):
        ref = _by_reference(self.jitfn)
        if ref is not None:
            return (_jit_from, (ref[1], self.token, ref[0]))
        return (_jit_from, (self.jitfn.fn, self.token))

    def __call__(self, *chunks):
        return self.jitfn(*(_contiguous(c) for c in chunks))

    def __repr__(self) -> str:
        return f"hologram.jit({self.jitfn.__name__})"


def jit_call(jitfn, args: tuple):
    """`jitfn(*args)` where an argument is a Dask array: the function must be elementwise (every
    traced op in `ELEMENTWISE`, one array returned); it runs as one fused program per chunk."""
    from hologram.tracing import JitError

    name = jitfn.__name__
    positional = [_as_dask(a) for a in args]
    arrays = [a for a in positional if _is_dask(a)]
    for a in arrays:
        _known_shape(name, a)
    try:
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = " ".join(str(a.shape) for a in arrays)
        raise ValueError(f"{name}: Dask array arguments of shapes {shapes} do not broadcast "
                         "together") from None
    # Traced (and compiled) here on stand-ins: errors surface now, workers find the C cached.
    prog = jitfn.program(*(_standin(a) for a in positional))
    not_elementwise = sorted(set(prog.ops) - ELEMENTWISE)
    if not_elementwise:
        raise JitError(
            f"{name}: on Dask arrays a @hologram.jit function must be elementwise (it runs once "
            f"per chunk), but it calls {', '.join(not_elementwise)}\n  hint: jit the elementwise "
            "part and call the reduction or row-wise op on its result")
    kind, payload = prog.structure
    if kind != "value":
        raise JitError(f"{name}: on Dask arrays a @hologram.jit function must return one array "
                       "(not a tuple or list)")
    where, index = payload
    if where == "input":
        return positional[index]
    dtype = np.dtype(prog.outputs[index][0])
    ndim = max(a.ndim for a in arrays)
    pairs: list = []
    for a in positional:
        pairs += [a, tuple(range(ndim - a.ndim, ndim)) if _is_dask(a) else None]
    return da.blockwise(_JitChunk(jitfn, _jit_token(jitfn)), tuple(range(ndim)), *pairs,
                        token=f"hologram-jit-{name}",
                        dtype=dtype, meta=np.empty((0,) * ndim, dtype))
