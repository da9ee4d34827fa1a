"""The jitted function: `@hologram.jit`, its per-signature cache of compiled programs, and the
call that binds arguments, checks the recorded shape constraints and runs the C program."""

from __future__ import annotations

import functools
import inspect
import sys
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from hologram.tracing.errors import JitError
from hologram.tracing.shapes import _Dim
from hologram.tracing.values import Traced, TracedScalar, _active, _is_number, _tls
from hologram.tracing.rules import _BOOL, _F32, _F64, _SUFFIX, _Tracer, _U32_MAX
from hologram.tracing.program import _Program, _build_program, _ident, _run_pipeline


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
        if "dask.array" in sys.modules and _dask_hook().takes(args, {}):
            return _dask_hook().jit_call(self, args)  # one fused program per chunk
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
                        out_specs, constraints, u32_sizes, structure,
                        tuple(launch.op for launch in tracer.launches))

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


def _dask_hook():
    # Only imported when Dask already is and an argument is a Dask array.
    from hologram import dask

    return dask


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
