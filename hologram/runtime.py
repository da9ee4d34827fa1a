"""The launch API: `@hologram.kernel`, `hologram.load_kernels`, `Kernel`, `LaunchError`.

    @hologram.kernel
    def saxpy(x: DeviceArray[f32], y: DeviceArray[f32], a: f32, n: u32): ...

    saxpy(x, y, 2.0, len(x))              # grid inferred from the guard `if idx < n`
    saxpy(x, y, 2.0, len(x), grid=len(x))
    saxpy.simulate(x, y, 2.0, len(x))     # the same, in pure Python, one call per id

A kernel compiles on its first call: the frontend's IR goes through the pipeline
(`hologram.passes.DEFAULT_PIPELINE` unless given), the C backend, and the disk cache. Every
check happens before any C runs, and each failure is a `LaunchError` naming the kernel and the
parameter: the argument count, each array's type, dtype, contiguity and writeability, each
scalar's type and range, the grid, and (for kernels that only touch `a[idx]` under their guard)
each array's length against the grid. Nothing is converted silently: a float64 array for a
`DeviceArray[f32]` is an error, not a copy.

The launch path (docs/backend.md): once compiled, calling a kernel calls its C launcher
directly (`backends/c/launcher.py`; the instance's class gets the launcher as `__call__`), which
checks every argument in C and runs the kernel. Only a refused call comes back to Python
(`Kernel._refused`), which finds what is wrong and raises the `LaunchError`.

The warm start: `load_kernels` and `@hologram.kernel` first look the file's text up in the
cache's index (`builder.index_lookup`); on a hit, the kernels' signatures come from the entry's
manifest and nothing is parsed and no xDSL imported, unless the IR is asked for (`mlir()`,
`simulate`...). This module imports no xDSL at import time.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hologram.backends.c.launcher import KernelSpec

if TYPE_CHECKING:
    from xdsl.dialects.builtin import ModuleOp

    from hologram.dialects import hologram as hg


# Backends a kernel can be built with: the C emitter, or upstream MLIR (mlir-opt, LLVM).
BACKENDS = ("c", "mlir")


class LaunchError(Exception):
    """A kernel was called with arguments it cannot run on; raised before any C runs."""


# numpy dtype, C element type of each language element type.
_ELEMENTS: dict[str, tuple[np.dtype, str]] = {
    "f32": (np.dtype(np.float32), "float"),
    "f64": (np.dtype(np.float64), "double"),
    "i32": (np.dtype(np.int32), "int32_t"),
    "u32": (np.dtype(np.uint32), "uint32_t"),
    "i64": (np.dtype(np.int64), "int64_t"),
    "u64": (np.dtype(np.uint64), "uint64_t"),
    "bool": (np.dtype(np.bool_), "_Bool"),
    "c64": (np.dtype(np.complex64), "float _Complex"),
    "c128": (np.dtype(np.complex128), "double _Complex"),
}
_INT_RANGES = {
    "i32": (-(2**31), 2**31 - 1), "u32": (0, 2**32 - 1),
    "i64": (-(2**63), 2**63 - 1), "u64": (0, 2**64 - 1),
}
_F32_MAX = 3.4028234663852886e38  # float(np.finfo(np.float32).max), without its import cost
# Ids are u32 (`get_global_id()`), so a launch runs at most 2**32 ids: a larger grid would give
# two threads the same id (the guard sees the id modulo 2**32) while memory is addressed with the
# 64-bit loop counter. docs/language.md states the rule; the C launcher checks the same.
_GRID_MAX = 2**32


# ------------------------------------------------------------------------------------------------
# Compilation units: a module of kernels compiled together (one file, or one decorated function)
# ------------------------------------------------------------------------------------------------
class _Unit:
    """The kernels of one source, compiled together into one C library.

    Built either from the frontend's result (`parse` is called at once) or from an index hit
    (`manifest`), in which case the source is parsed only when the IR is needed. `parse` always
    parses the text that was read when the unit was made, so the IR matches the library."""

    def __init__(self, name_hint: str, pipeline: str | Sequence[str] | None,
                 parse: Callable[[], Any], index_key: str | None = None,
                 manifest: dict | None = None, boundscheck: bool = False, backend: str = "c"):
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend '{backend}' (expected one of {', '.join(BACKENDS)})")
        if backend == "mlir" and boundscheck:
            raise ValueError("boundscheck=True needs the C backend (the MLIR backend does not "
                             "check array accesses)")
        self.name_hint = name_hint
        self.backend = backend
        self.pipeline = pipeline
        self.boundscheck = boundscheck
        self.index_key = index_key
        self._parse = parse
        self._manifest = manifest
        self._result: Any = None
        self._lowered: ModuleOp | None = None
        self._library: Any = None
        self._specs: list[KernelSpec] | None = None
        self._lock = threading.RLock()
        if manifest is not None:
            self._specs = [KernelSpec.from_json(k) for k in manifest["kernels"]]
        else:
            self.result()

    def result(self) -> Any:
        """The frontend's result (parsed now if the unit came from the index)."""
        with self._lock:
            if self._result is None:
                self._result = self._parse()
            return self._result

    @property
    def module(self) -> ModuleOp:
        return self.result().module

    def specs(self) -> list[KernelSpec]:
        """Each kernel's launch signature, in library order."""
        with self._lock:
            if self._specs is None:
                self._specs = [_spec_of(info, self.boundscheck)
                               for info in self.result().kernels.values()]
            return self._specs

    def lowered(self) -> ModuleOp:
        with self._lock:
            if self._lowered is None:
                pipeline = self.pipeline
                if self.boundscheck and pipeline is None:
                    pipeline = _bounds_checked_default()
                lowered = run_pipeline(self.module, pipeline)
                if self.boundscheck:  # the C backend guards every array access (boundscheck.py)
                    from xdsl.dialects.builtin import UnitAttr

                    from hologram.dialects import hologram as hg

                    for op in lowered.ops:
                        if isinstance(op, hg.KernelOp):
                            op.attributes["boundscheck"] = UnitAttr()
                self._lowered = lowered
            return self._lowered

    def library(self) -> Any:
        with self._lock:
            if self._library is None and self._manifest is not None:
                from hologram.backends.c.builder import load_indexed

                self._library = load_indexed(self._manifest)
                self._manifest = None  # loaded, or discarded: then built below
            if self._library is None and self.backend == "mlir":  # docs/mlir.md
                from hologram.backends.mlir.builder import build_kernels as build_mlir

                self._library = build_mlir(self.lowered(), self.specs(), self.name_hint)
            if self._library is None:
                from hologram.backends.c.builder import build_kernels
                from hologram.backends.c.emitter import emit_c

                lowered = self.lowered()
                self._library = build_kernels(emit_c(lowered), self.specs(), self.name_hint,
                                              lowered, self.index_key)
            return self._library


def _bounds_checked_default() -> str:
    """The default pipeline for a bounds-checked kernel: data-dependent atomics stay atomic
    (not privatized), so a bad index is caught at its access, with the id that made it; ids
    are not interleaved (vectorize-lanes), so a serial launch stops at the first bad id."""
    from hologram.passes import DEFAULT_PIPELINE

    return ",".join("atomic-to-tree-reduction{max-private=0}" if p == "atomic-to-tree-reduction"
                    else p for p in DEFAULT_PIPELINE if p != "vectorize-lanes")


def _boundscheck(flag: bool | None) -> bool:
    """boundscheck= as given, else `HOLOGRAM_BOUNDSCHECK` (1, true, yes or on)."""
    if flag is not None:
        return bool(flag)
    return os.environ.get("HOLOGRAM_BOUNDSCHECK", "").strip().lower() in ("1", "true", "yes", "on")


def _spec_of(info: Any, boundscheck: bool) -> KernelSpec:
    from hologram.backends.c.emitter import c_symbol
    from hologram.backends.c.ops_hologram import grid_symbol

    written, at_idx = analyze_arrays(info.op)
    length_checked = tuple(i for i in sorted(at_idx) if info.param_types[i].endswith("[]"))
    has_grid = info.op.grid_region is not None
    return KernelSpec(info.name, c_symbol(info.op), tuple(info.param_names),
                      tuple(info.param_types), tuple(sorted(written)), length_checked,
                      grid_symbol(info.op) if has_grid else None, info.grid, info.no_grid,
                      info.lineno, boundscheck)


def _pipeline_spec(pipeline: str | Sequence[str] | None) -> str | None:
    if pipeline is None or isinstance(pipeline, str):
        return pipeline
    return ",".join(pipeline)


def _pipeline_key(pipeline: str | Sequence[str] | None) -> list:
    """The pipeline as the index sees it. The default one is read from `hologram.passes` when
    that is loaded (it may have been changed at run time); otherwise it is the one in the
    package, whose source is part of `settings_fingerprint`."""
    spec = _pipeline_spec(pipeline)
    if spec is not None:
        return ["spec", spec]
    passes = sys.modules.get("hologram.passes")
    return ["default", list(passes.DEFAULT_PIPELINE) if passes is not None else None]


def run_pipeline(module: ModuleOp, pipeline: str | Sequence[str] | None) -> ModuleOp:
    """A clone of `module` after the pipeline (None: `hologram.passes.DEFAULT_PIPELINE`, read
    now so passes registered later are included; "" or (): no passes)."""
    from hologram.dialects import make_context
    from hologram.passes import parse_pipeline

    clone = module.clone()
    parse_pipeline(_pipeline_spec(pipeline)).apply(make_context(), clone)
    clone.verify()
    return clone


# ------------------------------------------------------------------------------------------------
# IR analysis for the launch checks
# ------------------------------------------------------------------------------------------------
def analyze_arrays(op: hg.KernelOp) -> tuple[set[int], set[int]]:
    """(params written, params only ever accessed at the thread's own id `a[idx]`).

    Built on the access analysis `fuse` uses; an untouched array is in the second set (it needs
    no length)."""
    from hologram.analysis.dependences import is_id_signature, kernel_accesses

    written: set[int] = set()
    at_idx: set[int] = set()
    for pos, access in enumerate(kernel_accesses(op)):
        if access is None:
            continue
        if access.writes:
            written.add(pos)
        if all(is_id_signature(sig) for sig in access.signatures):
            at_idx.add(pos)
    return written, at_idx


# ------------------------------------------------------------------------------------------------
# Kernels
# ------------------------------------------------------------------------------------------------
def _type_name(value: Any) -> str:
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


_launching_classes: dict[Any, type] = {}


def _launching_class(launch: Any) -> type:
    """A subclass of Kernel whose `__call__` is the C launcher itself: a builtin function is
    not a descriptor, so `k(x, y, n)` calls `launch(x, y, n)` with no Python frame between."""
    cls = _launching_classes.get(launch)
    if cls is None:
        cls = type("Kernel", (Kernel,), {"__call__": launch, "__slots__": (),
                                         "__module__": __name__, "__qualname__": "Kernel"})
        _launching_classes[launch] = cls
    return cls


class Kernel:
    """A compiled-on-demand kernel: call it like the Python function, on numpy arrays."""

    def __init__(self, spec: KernelSpec, unit: _Unit, filename: str):
        self._spec = spec
        self._unit = unit
        self.name: str = spec.name
        self.param_names: list[str] = list(spec.param_names)
        self.param_types: list[str] = list(spec.param_types)
        # The inferred grid as text ("m * n"), or None; then `no_grid` says why every launch
        # needs grid=.
        self.grid: str | None = spec.grid
        self.no_grid: str | None = spec.no_grid
        self.filename: str = filename
        self.lineno: int = spec.lineno
        self.__doc__ = f"hologram kernel {self.name}({', '.join(self._signature())})"
        self._written = set(spec.written)
        self._length_checked = [(i, self.param_names[i]) for i in spec.length_checked]
        # The inferred grid for an argument list: the kernel's C grid function once compiled
        # (`grid_<i>` of its library), the grid region evaluated in Python before.
        self._grid_c: Any = None
        self._plan = [self._checker(i, simulate=False) for i in range(len(self.param_types))]
        self._sim_plan = [self._checker(i, simulate=True) for i in range(len(self.param_types))]
        self._raw: Any = None
        self._py_fn: Callable[..., Any] | None = None

    @property
    def _info(self) -> Any:
        """The frontend's KernelInfo (parses the source if the kernel came from the index)."""
        return self._unit.result().kernels[self.name]

    def _signature(self) -> list[str]:
        return [f"{n}: {t}" for n, t in zip(self.param_names, self.param_types, strict=True)]

    def __repr__(self) -> str:
        return f"<hologram.Kernel {self.name}({', '.join(self._signature())}) from {self.filename}:{self.lineno}>"

    # --- IR and C ---------------------------------------------------------------------------------
    def kernel_op(self) -> hg.KernelOp:
        """A fresh clone of the frontend's SIMT kernel op."""
        return self._info.op.clone()

    def mlir(self, pipeline: str | Sequence[str] | None = None) -> str:
        """The kernel's IR: as the frontend made it (pipeline None), or after `pipeline`
        (a spec such as "canonicalize,cse", or "default" for the default pipeline)."""
        from xdsl.dialects.builtin import ModuleOp

        module = ModuleOp([self.kernel_op()])
        if pipeline is not None:
            module = run_pipeline(module, None if pipeline == "default" else pipeline)
        return str(module)

    def c_source(self) -> str:
        """The C translation unit that runs (the kernel's file, after the pipeline)."""
        from hologram.backends.c.emitter import emit_c

        return emit_c(self._unit.lowered())

    def compile(self) -> Kernel:
        """Compile now rather than on the first call."""
        self._ensure_compiled()
        return self

    def _ensure_compiled(self) -> None:
        if self._raw is not None:
            return
        library = self._unit.library()
        index = [k["name"] for k in library.manifest["kernels"]].index(self.name)
        module = library.module
        module.set_fallback(index, self._refused, self._bounds_error)
        self._grid_c = getattr(module, f"grid_{index}")
        self._raw = getattr(module, f"raw_{index}")
        self.__class__ = _launching_class(getattr(module, f"launch_{index}"))

    # --- running ----------------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> None:
        # Only the first call comes here: compiling swaps in the C launcher as `__call__`.
        if len(args) != len(self.param_types):
            raise self._arity(args)
        self._ensure_compiled()
        return type(self).__call__(*args, **kwargs)

    def _refused(self, *args: Any, **kwargs: Any) -> None:
        """The C launcher refused the call: find what is wrong and raise it as a LaunchError.
        A value the checks accept but the C does not take directly is converted and run."""
        grid = kwargs.pop("grid", None)
        if kwargs:
            raise self._keywords(kwargs)
        if len(args) != len(self._plan):
            raise self._arity(args)
        values = [check(value) for check, value in zip(self._plan, args)]
        grid = self._resolve_grid(args, grid)
        self._check_lengths(args, grid)
        if self._raw(*values, grid=grid) is NotImplemented:
            raise self._fail(f"the launcher refused arguments the checks accept "
                             f"({', '.join(_type_name(v) for v in args)}, grid={grid}); please "
                             f"report this")

    # --- checks -----------------------------------------------------------------------------------
    def _fail(self, message: str) -> LaunchError:
        return LaunchError(f"kernel '{self.name}': {message}")

    def _checker(self, pos: int, simulate: bool) -> Callable[[Any], Any]:
        """A function that checks argument `pos` and returns the value in the form the C
        launcher takes directly (or, with `simulate`, what the Python simulation takes)."""
        name, lang_type = self.param_names[pos], self.param_types[pos]
        fail = self._fail
        if lang_type.endswith("[]"):
            elem = lang_type[:-2]
            dtype, _ = _ELEMENTS[elem]
            written = pos in self._written
            ndarray = np.ndarray

            def array(value: Any) -> Any:
                if not isinstance(value, ndarray):
                    raise fail(f"parameter '{name}' ({lang_type}) needs a numpy array, got "
                               f"{_type_name(value)}")
                if value.dtype != dtype:
                    raise fail(f"parameter '{name}' ({lang_type}) needs dtype {dtype}, got "
                               f"{value.dtype} (convert it yourself, e.g. .astype(np.{dtype}))")
                flags = value.flags
                if not flags.c_contiguous:
                    raise fail(f"parameter '{name}' ({lang_type}) needs a C-contiguous array "
                               f"(use np.ascontiguousarray)")
                if written and not flags.writeable:
                    raise fail(f"parameter '{name}' ({lang_type}) is written by the kernel but "
                               f"the array is read-only")
                return value.reshape(-1) if simulate else value

            return array

        if lang_type in _INT_RANGES:
            lo, hi = _INT_RANGES[lang_type]
            np_type = _ELEMENTS[lang_type][0].type

            def integer(value: Any) -> Any:
                if type(value) is not int:
                    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
                        raise fail(f"parameter '{name}' ({lang_type}) needs an integer, got "
                                   f"{_type_name(value)} {value!r}")
                    value = int(value)
                if not lo <= value <= hi:
                    raise fail(f"parameter '{name}' ({lang_type}) is out of range: {value} is "
                               f"not in [{lo}, {hi}]")
                return np_type(value) if simulate else value

            return integer

        if lang_type in ("f32", "f64"):
            np_type = _ELEMENTS[lang_type][0].type
            single = lang_type == "f32"

            def floating(value: Any) -> Any:
                if type(value) is not float:
                    if isinstance(value, bool | np.bool_) or not isinstance(
                        value, float | int | np.floating | np.integer
                    ):
                        raise fail(f"parameter '{name}' ({lang_type}) needs a number, got "
                                   f"{_type_name(value)} {value!r}")
                    try:
                        value = float(value)
                    except OverflowError:
                        raise fail(f"parameter '{name}' ({lang_type}) is out of range: {value} "
                                   f"does not fit a float") from None
                if single and math.isfinite(value) and abs(value) > _F32_MAX:
                    raise fail(f"parameter '{name}' (f32) is out of range: {value!r} overflows "
                               f"float32")
                return np_type(value) if simulate else value

            return floating

        if lang_type in ("c64", "c128"):
            np_type = _ELEMENTS[lang_type][0].type
            single = lang_type == "c64"

            def complex_number(value: Any) -> Any:
                if isinstance(value, bool | np.bool_) or not isinstance(
                    value, complex | float | int | np.number
                ):
                    raise fail(f"parameter '{name}' ({lang_type}) needs a number, got "
                               f"{_type_name(value)} {value!r}")
                try:
                    value = complex(value)
                except OverflowError:
                    raise fail(f"parameter '{name}' ({lang_type}) is out of range: {value} "
                               f"does not fit a complex") from None
                if single and any(math.isfinite(p) and abs(p) > _F32_MAX
                                  for p in (value.real, value.imag)):
                    raise fail(f"parameter '{name}' (c64) is out of range: {value!r} overflows "
                               f"complex64")
                return np_type(value) if simulate else value

            return complex_number

        if lang_type == "bool":

            def boolean(value: Any) -> Any:
                if not isinstance(value, bool | np.bool_):
                    raise fail(f"parameter '{name}' (bool) needs True or False, got "
                               f"{_type_name(value)} {value!r}")
                return np.bool_(value) if simulate else bool(value)

            return boolean

        raise LaunchError(f"kernel '{self.name}': parameter '{name}' has unknown type {lang_type}")

    def _inferred_grid(self, args: Sequence[Any]) -> int | None:
        """The grid the kernel's grid region gives for `args` (None: it has none). May raise
        ZeroDivisionError (evaluated in Python before the kernel is compiled)."""
        if self._spec.grid_symbol is None:
            return None
        if self._grid_c is not None:
            return self._grid_c(*args)
        from hologram.analysis.grid import evaluate_grid

        return evaluate_grid(self._info.op.grid_region, args)

    def _resolve_grid(self, args: Sequence[Any], grid: Any) -> int:
        if grid is None:
            if self._spec.grid_symbol is None:
                raise self._fail(f"no grid= given, and the grid cannot be inferred: "
                                 f"{self.no_grid}; pass grid=N")
            try:
                grid = self._inferred_grid(args)
            except ZeroDivisionError as err:
                raise self._fail(f"cannot infer the grid: {err}") from None
            if grid == -1:  # the grid region's mark for a bound whose arithmetic wrapped
                raise self._fail(f"the guard's bound ({self.grid}) wraps around in the kernel's "
                                 "integer arithmetic for these arguments, where Python's ints "
                                 "would not (e.g. `n - 1` with n: u32 and n = 0); pass grid=, or "
                                 "compute the bound in a wider or signed type")
            if grid is None or not 0 <= grid <= _GRID_MAX:
                raise self._fail(f"the inferred grid {grid} is out of range [0, 2**32]: ids are "
                                 "u32 (docs/language.md)")
            return grid
        if isinstance(grid, bool | np.bool_) or not isinstance(grid, int | np.integer):
            raise self._fail(f"grid= needs a non-negative integer, got {_type_name(grid)} {grid!r}")
        grid = int(grid)
        if not 0 <= grid <= _GRID_MAX:
            raise self._fail(f"grid={grid} is out of range [0, 2**32]: ids are u32, so a launch "
                             "runs at most 2**32 ids (docs/language.md)")
        return grid

    def _guard_bound(self, args: Sequence[Any], grid: int) -> int:
        """How many ids touch memory: under the guard `idx < E`, ids at or beyond E do not."""
        if self._spec.grid_symbol is None or not self._length_checked:
            return grid
        try:
            inferred = self._inferred_grid(args)
        except ZeroDivisionError:
            return grid
        # (-1: the bound wrapped for these arguments; the guard then bounds nothing known)
        return grid if inferred is None or inferred < 0 else min(grid, inferred)

    def _check_lengths(self, args: Sequence[Any], grid: int) -> None:
        bound = self._guard_bound(args, grid)
        for pos, name in self._length_checked:
            if args[pos].size < bound:
                raise self._fail(
                    f"array '{name}' has {args[pos].size} elements but the kernel reads or "
                    f"writes '{name}[idx]' for idx up to {bound - 1}")

    def _keywords(self, kwargs: dict[str, Any]) -> LaunchError:
        name = next(iter(kwargs))
        what = (f"parameter '{name}' is passed by keyword" if name in self.param_names
                else f"'{name}' is not a parameter")
        return self._fail(f"{what}; kernels take their arguments by position "
                          f"({', '.join(self._signature())}) and grid= only")

    def _bounds_error(self, record: Sequence[int]) -> IndexError:
        """The IndexError of a bounds-checked launch that stopped (the C launcher passes the
        kernel's error record: flag, index, id, length, parameter position, Python line)."""
        _, index, gid, length, pos, line = record
        array = self.param_names[pos] if 0 <= pos < len(self.param_names) else f"#{pos}"
        where = f"at id {gid}" if gid >= 0 else "after the grid loop"
        return IndexError(
            f"kernel '{self.name}': index {index} is out of bounds for array '{array}' of "
            f"{length} elements, {where}, {self.filename}:{line}; the launch was stopped "
            f"(arrays may be partly written)")

    def _arity(self, args: Sequence[Any]) -> LaunchError:
        return self._fail(
            f"takes {len(self.param_types)} arguments ({', '.join(self._signature())}), got "
            f"{len(args)}")

    def simulate(self, *args: Any, grid: int | None = None, **kwargs: Any) -> None:
        """Run the kernel's Python body once per id in [0, grid), in order, in pure Python.

        Arrays are mutated in place, as by the compiled kernel; scalars are passed as numpy
        scalars of their type, so f32 and u32 arithmetic behaves as compiled.
        """
        from hologram import lang

        if kwargs:
            raise self._keywords(kwargs)
        if len(args) != len(self._sim_plan):
            raise self._arity(args)
        sim_args = [check(value) for check, value in zip(self._sim_plan, args)]
        grid = self._resolve_grid(args, grid)
        self._check_lengths(args, grid)
        fn = self._python_function()
        with np.errstate(all="ignore"):
            for gid in range(grid):
                lang.set_global_id(gid)
                fn(*sim_args)

    def _python_function(self) -> Callable[..., Any]:
        if self._py_fn is None:
            namespace = simulation_namespace()
            code = compile(self._info.py_module, self._info.filename, "exec")
            exec(code, namespace)  # the kernel's own def (and its helpers), never the file
            self._py_fn = namespace[self.name]
        return self._py_fn


def simulation_namespace() -> dict[str, Any]:
    """The globals a kernel's Python body runs with in `Kernel.simulate`."""
    from hologram import lang

    namespace: dict[str, Any] = {name: getattr(lang, name) for name in dir(lang)
                                 if not name.startswith("_")}
    # The language's `float` is f32 and `int` is i32 (DESIGN §1).
    namespace["float"] = lang.f32
    namespace["int"] = lang.i32
    namespace["bool"] = lang.bool_
    namespace["min"] = _typed_min
    namespace["max"] = _typed_max
    namespace["__name__"] = "hologram_simulation"
    return namespace


def _typed(chosen: Any, values: Sequence[Any]) -> Any:
    """A literal picked by min/max takes the type of the typed operands, as in compiled code
    (`min(q, 5)` with q: u32 is a u32, so `min(q, 5) - 6` wraps)."""
    if isinstance(chosen, np.generic):
        return chosen
    for value in values:
        if isinstance(value, np.generic):
            return value.dtype.type(chosen)
    return chosen


def _typed_min(*values: Any) -> Any:
    return _typed(min(values), values)


def _typed_max(*values: Any) -> Any:
    return _typed(max(values), values)


# ------------------------------------------------------------------------------------------------
# Public constructors
# ------------------------------------------------------------------------------------------------
def _lookup(parts: list) -> tuple[str | None, dict | None]:
    """(index key, manifest of a usable entry or None). Settings that cannot build (no
    compiler) give no key: the error then comes from the first call, where it belongs."""
    from hologram.backends.c.builder import BuildError, index_key, index_lookup

    try:
        key = index_key(parts)
    except BuildError:
        return None, None
    return key, index_lookup(key)


def _make_unit(text: str | None, key_parts: list, name_hint: str,
               pipeline: str | Sequence[str] | None, parse: Callable[[], Any],
               boundscheck: bool, backend: str = "c") -> _Unit:
    parts = [*key_parts, ["boundscheck", boundscheck]]
    # The index serves the C backend; an MLIR build is found by its own key once lowered.
    indexed = text is not None and backend == "c"
    key, manifest = _lookup(parts) if indexed else (None, None)
    return _Unit(name_hint, pipeline, parse, key, manifest, boundscheck, backend)


def _kernels(unit: _Unit, filename: str) -> dict[str, Kernel]:
    return {spec.name: Kernel(spec, unit, filename) for spec in unit.specs()}


def kernel(fn: Callable[..., Any] | None = None, *,
           pipeline: str | Sequence[str] | None = None, boundscheck: bool | None = None,
           backend: str = "c") -> Any:
    """`@hologram.kernel` or `@hologram.kernel(pipeline="canonicalize,cse", backend="mlir")`.

    `backend="mlir"` builds through upstream MLIR and LLVM instead of the C emitter
    (docs/mlir.md); the launch API is the same.

    The function is parsed now (a bad kernel raises CompileError at the decorator) and compiled
    on its first call; when the cache's index already holds it (same file text, pipeline and
    settings), nothing is parsed. `boundscheck=True` (default: `HOLOGRAM_BOUNDSCHECK=1`) checks
    every array access at run time: an access out of bounds stops the launch with IndexError.
    """

    def wrap(f: Callable[..., Any]) -> Kernel:
        from hologram.frontend import parse_function

        name = f.__name__
        filename = f.__code__.co_filename
        try:
            from importlib.util import decode_source

            text: str | None = decode_source(Path(filename).read_bytes())
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
            text = None
        parts = ["function", text, name, f.__code__.co_firstlineno, _pipeline_key(pipeline)]
        unit = _make_unit(text, parts, name, pipeline, lambda: parse_function(f),
                          _boundscheck(boundscheck), backend)
        kernels = _kernels(unit, filename)
        if name not in kernels:
            raise LaunchError(f"{name} did not compile to a kernel")
        return kernels[name]

    if fn is None:
        return wrap
    return wrap(fn)


def load_kernels(path: str | Path, pipeline: str | Sequence[str] | None = None,
                 boundscheck: bool | None = None, backend: str = "c", *,
                 unit: str | None | bool = False) -> dict[str, Kernel]:
    """Every kernel of a Python kernel file, by name. The file is parsed, never executed; its
    kernels compile together, on the first call of any of them. When the cache's index holds
    the file's text (with this pipeline and these settings), nothing is parsed. `boundscheck`
    and `backend` ("c" or "mlir") as for `kernel`.

    A file with generic kernels (`@generic`, `@vectorize`: hologram/generic.py) gives every
    specialization too, each suffix compiling as its own unit; `unit=` picks one unit (None:
    the plain kernels)."""
    from hologram import generic

    checked = _boundscheck(boundscheck)
    try:  # decoded as the frontend (and Python) read a source file
        from importlib.util import decode_source

        text = decode_source(Path(path).read_bytes())
    except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
        from hologram.frontend import parse_file  # raises the located CompileError

        unit_ = _Unit(Path(path).stem, pipeline, lambda: parse_file(path),
                      boundscheck=checked, backend=backend)
        return _kernels(unit_, str(path))

    key = ["file", text, _pipeline_key(pipeline)]
    if not generic.has_templates(text):
        if unit not in (False, None):
            return {}

        def parse() -> Any:
            from hologram.frontend import parse_source

            return parse_source(text, str(path))

        made = _make_unit(text, key, Path(path).stem, pipeline, parse, checked, backend)
        return _kernels(made, str(path))
    units = [unit] if unit is not False else [None] + generic.suffixes(text, str(path))
    kernels: dict[str, Kernel] = {}
    for u in units:
        made = _make_unit(text, [*key, ["unit", u]], Path(path).stem + (f"_{u}" if u else ""),
                          pipeline, lambda u=u: generic.parse_unit(str(path), text, u), checked,
                          backend)
        kernels.update(_kernels(made, str(path)))
    return kernels
