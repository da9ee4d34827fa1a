"""Elementwise dispatch: one table of ops and one function that runs any of them like numpy.

`UFUNCS` (op name -> `Ufunc`) is the op registry that `hologram.ops` and `@hologram.jit` share:
the stdlib kernel base (`sub` for `subtract`), the number of array inputs, the numpy ufunc whose
type resolution is ours, the element types the stdlib has kernels for, and the op's scalar
parameters.

`call(u, inputs, out, params)` runs an op:

1. **Fast path** (a few attribute checks): plain C-contiguous arrays of one dtype and one shape
   (or an array and a Python number), no `out`, a kernel for that dtype: allocate the result,
   launch the contiguous (or scalar) form. The launch itself checks dtypes and lengths.
2. **Types**: numpy's own rules (`ufunc.resolve_dtypes`, NEP 50: Python numbers are weak, numpy
   scalars and 0-d arrays are not), cached per dtype combination. Inputs of another dtype than
   the loop's are converted once (`astype`). int8/int16/uint8/uint16 run on the int32 kernels
   (exact for every op here: the result is narrowed back with numpy's wraparound). A Python
   int that does not fit the dtype is an OverflowError (numpy's); a Python float that overflows
   float32 becomes inf (numpy's).
3. **Shapes**: numpy broadcasting of any rank. Same-shape contiguous inputs use the contiguous
   form; an array and a scalar the scalar form; block broadcasts of the arithmetic ops (a row
   against a matrix) the `*_bcast_*` kernels; everything else the strided form, which reads each
   input through its own strides (stride 0 where broadcast): views run without a copy, except
   negative-stride views whose memory span is then given from its lowest address.
4. **out=**: checked (shape, dtype, writeable); written in place when it is exactly an input or
   shares no memory with the inputs; when it partly overlaps an input, or is not C-contiguous,
   the result goes through a temporary (numpy does the same).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from hologram.ops._registry import stdlib_kernel

ndarray = np.ndarray
SUFFIX = {np.dtype(t): s for t, s in (
    (np.float32, "f32"), (np.float64, "f64"), (np.int32, "i32"), (np.int64, "i64"),
    (np.uint32, "u32"), (np.uint64, "u64"), (np.bool_, "bool"), (np.complex64, "c64"),
    (np.complex128, "c128"))}
# Narrow integers compute on int32 kernels (exact for + - * // % min max abs comparisons).
WIDEN = {np.dtype(t): np.dtype(np.int32) for t in (np.int8, np.int16, np.uint8, np.uint16)}
_I64 = np.dtype(np.int64)
_BOOL = np.dtype(np.bool_)
FLOATS = frozenset({"f32", "f64"})
INTS = frozenset({"i32", "i64", "u32", "u64"})
NUMERIC = FLOATS | INTS
ALL = NUMERIC | {"bool"}
COMPLEX = frozenset({"c64", "c128"})


@dataclass
class Ufunc:
    """An elementwise op: `name` in hologram.ops, `kernel` its stdlib base name."""

    name: str
    kernel: str
    nin: int
    np_ufunc: np.ufunc | None  # type resolution; None: numpy's result_type, float-only
    # unless `any_type` (where, fma)
    types: frozenset[str]  # suffixes the stdlib has kernels for
    params: tuple[tuple[str, object], ...] = ()  # scalar parameters after the inputs
    bcast: bool = False  # has `<kernel>_bcast_<sfx>` kernels (block broadcasting)
    exact_narrow: bool = True  # int8/16 may run on int32 kernels
    any_type: bool = False  # np_ufunc None: every dtype with a kernel (where)
    fast: dict = field(default_factory=dict)  # dtype -> (kernel name, result dtype)
    resolved: dict = field(default_factory=dict)  # type key -> (loop dtype, result dtype)

    def __post_init__(self):
        if self.name == "where":
            return  # the condition's dtype differs from the values'
        for dt, sfx in SUFFIX.items():
            if sfx not in self.types:
                continue
            try:
                loop, res = self.resolve((dt,) * self.nin)
            except TypeError:
                continue
            if loop == dt:
                # (contiguous kernel, result dtype, scalar kernel when a float scalar keeps
                # the loop dtype)
                scalar = f"{self.kernel}_scalar_{sfx}" if self.nin == 2 and dt.kind == "f" \
                    else None
                self.fast[dt] = (f"{self.kernel}_{sfx}", res, scalar)

    def resolve(self, key: tuple) -> tuple[np.dtype, np.dtype]:
        """(loop dtype, result dtype) for inputs of these dtypes (Python types: weak)."""
        found = self.resolved.get(key)
        if found is not None:
            return found
        if self.np_ufunc is None:
            # where's condition is not promoted with the values
            vals = key[1:] if self.name == "where" else key
            arrays = [k for k in vals if isinstance(k, np.dtype)]
            loop = np.result_type(*arrays, *(k(0) for k in vals if not isinstance(k, np.dtype)))
            if loop.kind != "f" and not self.any_type:
                raise TypeError(f"hologram.ops.{self.name}: has no kernel for {loop} inputs "
                                "(float32 and float64 only)\n  hint: convert explicitly with "
                                ".astype(np.float32)")
            found = (loop, loop)
        else:
            try:
                dts = self.np_ufunc.resolve_dtypes(tuple(key) + (None,))
            except (TypeError, np.exceptions.DTypePromotionError) as err:
                names = ", ".join(getattr(k, "__name__", str(k)) for k in key)
                raise TypeError(f"hologram.ops.{self.name}: no loop for inputs of type {names}"
                                f" ({err})") from None
            # where's condition is bool, the rest share the loop dtype
            found = (dts[-2], dts[-1])
        self.resolved[key] = found
        return found


UFUNCS: dict[str, Ufunc] = {}


def ufunc(name, kernel, nin, np_ufunc, types, params=(), bcast=False, any_type=False):
    u = Ufunc(name, kernel, nin, np_ufunc, frozenset(types), tuple(params), bcast,
              any_type=any_type)
    UFUNCS[name] = u
    return u


# The strided copy every view goes through when an op needs it dense (not a public op).
COPY = Ufunc("copy", "copy", 1, None, frozenset(ALL | COMPLEX), any_type=True)


def copy(x: ndarray, out=None) -> ndarray:
    """A dense C-contiguous copy of any view (or into `out`), by the stdlib's copy kernels;
    the narrow integers (no kernels) are copied by numpy."""
    if x.dtype in WIDEN:
        if out is None:
            return np.ascontiguousarray(x) if x.ndim else x.copy()
        out[...] = x
        return out
    res = call(COPY, (x,), out)
    return res if isinstance(res, ndarray) else np.asarray(res)


def _err(u: Ufunc, message: str, hint: str | None = None, cls=TypeError):
    return cls(f"hologram.ops.{u.name}: {message}" + (f"\n  hint: {hint}" if hint else ""))


def _is_weak(v) -> bool:
    return isinstance(v, (int, float, complex)) and not isinstance(v, np.generic)


def _python_value(u: Ufunc, v, dtype: np.dtype, arg: str):
    """A weak Python number as a value of `dtype` (numpy's NEP 50 rules)."""
    if isinstance(v, bool) and dtype.kind != "b":
        v = int(v)
    if dtype.kind in "iu":
        if isinstance(v, float):
            raise _err(u, f"argument '{arg}' is a float for an integer loop")
        info = np.iinfo(dtype)
        if not info.min <= v <= info.max:
            raise OverflowError(f"hologram.ops.{u.name}: Python integer {v} out of bounds for "
                                f"{dtype} (argument '{arg}')")
        return int(v)
    if dtype.kind == "b":
        return bool(v)
    if dtype.kind == "c":
        with np.errstate(over="ignore"):
            return complex(dtype.type(v))  # each part rounded to the loop's precision
    if isinstance(v, complex):
        raise _err(u, f"argument '{arg}' is complex for a {dtype} loop")
    with np.errstate(over="ignore"):
        return float(dtype.type(v))  # 1e40 in a float32 loop is inf, as numpy


def _contiguous_out(out: ndarray, inputs) -> bool:
    """`out` can be written directly: C-contiguous, and each input either is exactly `out`
    or shares no memory with it."""
    if not out.flags.c_contiguous:
        return False
    ptr = out.__array_interface__["data"][0]
    for x in inputs:
        if isinstance(x, ndarray) and np.may_share_memory(out, x):
            if not (x.__array_interface__["data"][0] == ptr and x.shape == out.shape
                    and x.strides == out.strides):
                return False
    return True


def _check_out(u: Ufunc, out, shape, dtype) -> ndarray:
    if not isinstance(out, ndarray):
        raise _err(u, f"argument 'out' must be a numpy array, got {type(out).__name__}")
    if out.shape != tuple(shape):
        raise _err(u, f"argument 'out' has shape {out.shape}; expected {tuple(shape)}",
                   cls=ValueError)
    if out.dtype != dtype:
        raise _err(u, f"argument 'out' has dtype {out.dtype}; the result is {dtype}",
                   f"pass an out of dtype {dtype} (nothing is cast silently)")
    if not out.flags.writeable:
        raise _err(u, "argument 'out' is read-only", cls=ValueError)
    return out


def _flat(x: ndarray) -> ndarray:
    return x if x.ndim == 1 else x.reshape(-1)


def call(u: Ufunc, inputs: tuple, out=None, params: tuple = ()):
    """Run elementwise op `u` on `inputs` (arrays or numbers) like numpy (module docstring)."""
    # The fast path, on every small call: 1-D C-contiguous arrays of one dtype, or such an
    # array and a Python float; no out=. A few attribute reads, no copies; the launch checks
    # dtypes and lengths itself. Everything else (and any doubt) takes the general path.
    a = inputs[0]
    if out is None and a.__class__ is ndarray and a.ndim == 1 and a.flags.c_contiguous:
        entry = u.fast.get(a.dtype)
        if entry is not None:
            n = a.size
            if u.nin == 1:
                res = np.empty(n, entry[1])
                if n:
                    stdlib_kernel(entry[0])(a, *params, res, n)
                return res
            b = inputs[1] if u.nin == 2 else None
            if b.__class__ is ndarray:
                if b.dtype is a.dtype and b.ndim == 1 and b.size == n and b.flags.c_contiguous:
                    res = np.empty(n, entry[1])
                    if n:
                        stdlib_kernel(entry[0])(a, b, *params, res, n)
                    return res
            elif b.__class__ is float and entry[2] is not None and -3e38 < b < 3e38:
                res = np.empty(n, entry[1])
                if n:
                    stdlib_kernel(entry[2])(a, b, *params, res, n)
                return res
    return _general(u, inputs, out, params)


def _general(u: Ufunc, inputs: tuple, out, params: tuple):
    # --- classify the inputs and resolve the types -----------------------------------------
    if len(inputs) != u.nin:
        raise _err(u, f"takes {u.nin} array arguments, got {len(inputs)}")
    arrays: list = []
    key = []
    for i, x in enumerate(inputs):
        arg = f"x{i + 1}" if u.nin > 1 else "x"
        if isinstance(x, ndarray):
            arrays.append(x)
            key.append(x.dtype)
        elif isinstance(x, np.generic):
            x = np.asarray(x)
            arrays.append(x)
            key.append(x.dtype)
        elif isinstance(x, bool):
            arrays.append(None)
            key.append(_BOOL)  # numpy types a Python bool as bool (not weak)
        elif isinstance(x, (int, float, complex)):
            arrays.append(None)
            key.append(type(x))
        elif isinstance(x, numbers.Number):
            raise _err(u, f"argument '{arg}' is a {type(x).__name__}, not a Python or numpy "
                          "number")
        else:
            raise _err(u, f"argument '{arg}' must be a numpy array or a number, got "
                          f"{type(x).__name__}", f"pass np.asarray({arg})")
    if all(a is None for a in arrays):
        # Only Python numbers: numpy makes them 0-d arrays of their default dtype.
        arrays = [np.asarray(x) for x in inputs]
        key = [a.dtype for a in arrays]
    loop, res_dt = u.resolve(tuple(key))
    compute = WIDEN.get(loop, loop) if u.exact_narrow else loop
    if res_dt == loop:
        res_compute = compute
    else:
        res_compute = res_dt
    sfx = SUFFIX.get(compute)
    if sfx is None or sfx not in u.types:
        have = ", ".join(str(d) for d, s in SUFFIX.items() if s in u.types)
        given = ", ".join(str(k) if isinstance(k, np.dtype) else k.__name__ for k in key)
        if loop.kind == "c":
            raise _err(u, f"is not defined for complex numbers ({loop}, the loop numpy picks "
                          f"for {given}); kernels: {have}",
                       "apply it to the parts (hologram.ops.real, hologram.ops.imag) or the "
                       "magnitude (hologram.ops.abs)")
        raise _err(u, f"has no kernel for {loop} (the loop numpy picks for {given}); kernels: "
                      f"{have}", "convert the inputs explicitly with .astype(...)")
    cond_first = u.name == "where"
    values = []  # per input: an ndarray of the compute dtype, or a Python scalar
    for i, (x, a) in enumerate(zip(inputs, arrays)):
        want = _BOOL if cond_first and i == 0 else compute
        if a is None:
            check = loop if not (cond_first and i == 0) else _BOOL
            values.append(_python_value(u, x, check, f"x{i + 1}"))
        elif a.dtype != want:
            values.append(a.astype(want))
        else:
            values.append(a)
    params = tuple(_python_value(u, p, compute, name) if not isinstance(p, np.generic)
                   else _python_value(u, p.item(), compute, name)
                   for p, (name, _) in zip(params, u.params))
    # --- shapes -------------------------------------------------------------------------------
    shapes = [v.shape for v in values if isinstance(v, ndarray)]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise _err(u, "operands could not be broadcast together with shapes "
                      + " ".join(str(s) for s in shapes), cls=ValueError) from None
    if out is not None:
        target = _check_out(u, out, shape, res_dt)
        direct = res_compute == res_dt and _contiguous_out(target, values)
        res = target if direct else np.empty(shape, res_compute)
    else:
        target = None
        res = np.empty(shape, res_compute)
    if res.size:
        _launch(u, sfx, values, params, res, shape,
                [_BOOL if cond_first and i == 0 else compute for i in range(len(values))])
    if res_compute != res_dt:
        res = res.astype(res_dt)  # narrow ints: numpy's wraparound
    if target is not None:
        if res is not target:
            target[...] = res
        return target
    return res if res.ndim else res[()]


def _launch(u: Ufunc, sfx: str, values: list, params: tuple, res: ndarray, shape,
            dtypes: list) -> None:
    n = res.size
    flat_res = _flat(res)
    arrays = [v for v in values if isinstance(v, ndarray)]
    full = [v for v in arrays if v.shape == shape and v.flags.c_contiguous]
    if len(full) == len(values):
        stdlib_kernel(f"{u.kernel}_{sfx}")(*[_flat(v) for v in values], *params, flat_res, n)
        return
    if u.nin == 2 and len(full) == 1 and len(arrays) <= 2:
        # An array and a scalar (a Python number, or a size-1 array).
        other = values[1] if values[0] is full[0] else values[0]
        if not isinstance(other, ndarray) or other.size == 1:
            s = other.reshape(-1)[0].item() if isinstance(other, ndarray) else other
            kname = f"{u.kernel}_scalar_{sfx}" if values[0] is full[0] else \
                f"r{u.kernel}_scalar_{sfx}"
            stdlib_kernel(kname)(_flat(full[0]), s, *params, flat_res, n)
            return
    if u.bcast and len(arrays) == 2 and all(v.flags.c_contiguous for v in arrays):
        pa, pb = _bcast_params(arrays[0].shape, shape), _bcast_params(arrays[1].shape, shape)
        if pa is not None and pb is not None:
            stdlib_kernel(f"{u.kernel}_bcast_{sfx}")(_flat(arrays[0]), _flat(arrays[1]),
                                                     flat_res, n, *pa, *pb)
            return
    _strided(u, sfx, values, params, flat_res, shape, dtypes)


def _bcast_params(shape: tuple[int, ...], full: tuple[int, ...]) -> tuple[int, int] | None:
    """(d, m) such that element idx of the result reads operand[(idx // d) % m], or None when
    the operand's own dimensions are not one contiguous block of the result's."""
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


def strided_operand(x: ndarray, shape: tuple[int, ...]) -> tuple[ndarray, list[int], int]:
    """A view of `x` broadcast to `shape` as the strided kernels take it: a 1-D contiguous
    view of its memory span from its lowest address, element strides per dimension (0 where
    broadcast, negative where reversed) and the offset of element (0, ..., 0)."""
    v = np.broadcast_to(x, shape)
    item = v.itemsize
    if any(s % item for s in v.strides):
        v = np.ascontiguousarray(v)  # strides that are not whole elements: one copy
    strides = [s // item for s in v.strides]
    offset = sum((n - 1) * -s for n, s in zip(v.shape, strides) if s < 0 and n > 0)
    flips = tuple(slice(None, None, -1) if s < 0 else slice(None) for s in strides)
    low = v[flips] if offset else v
    span = 1 + sum((n - 1) * abs(s) for n, s in zip(v.shape, strides) if n > 0)
    buf = np.lib.stride_tricks.as_strided(low, shape=(span,), strides=(item,))
    return buf, strides, offset


def _coalesce(shape, stride_lists):
    """Merge neighbouring dimensions that every operand walks as one (fewer loop steps)."""
    dims = [(n, [st[d] for st in stride_lists]) for d, n in enumerate(shape) if n != 1]
    if not dims:
        return [1], [[0] for _ in stride_lists]
    merged = [dims[0]]
    for n, sts in dims[1:]:
        pn, psts = merged[-1]
        if all(ps == s * n for ps, s in zip(psts, sts)):
            merged[-1] = (pn * n, sts)
        else:
            merged.append((n, sts))
    return [n for n, _ in merged], [[sts[k] for _, sts in merged]
                                    for k in range(len(stride_lists))]


def _strided(u: Ufunc, sfx: str, values: list, params: tuple, flat_res: ndarray, shape,
             dtypes: list) -> None:
    bufs, stride_lists, offsets = [], [], []
    for v, dt in zip(values, dtypes):
        if not isinstance(v, ndarray):
            v = np.asarray(v, dtype=dt)
        buf, st, off = strided_operand(v, shape)
        bufs.append(buf)
        stride_lists.append(st)
        offsets.append(off)
    dims, stride_lists = _coalesce(shape, stride_lists)
    tables = [np.array(st + [off], dtype=np.int64) for st, off in zip(stride_lists, offsets)]
    stdlib_kernel(f"{u.kernel}_strided_{sfx}")(*bufs, *params, flat_res, flat_res.size,
                                              len(dims), np.array(dims, dtype=np.int64),
                                              *tables)
