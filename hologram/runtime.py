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

The per-call path is a precomputed plan: one small closure per parameter that checks the value
and turns it into what the cffi function takes (an array through `ffi.from_buffer`, measured
about 5x cheaper than `ffi.cast` of `arr.ctypes.data`; a scalar as is).
"""

from __future__ import annotations

import ast
import math
import operator
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp


from hologram.analysis.dependences import is_id_signature, kernel_accesses
from hologram.dialects import hologram as hg


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
}
_INT_RANGES = {
    "i32": (-(2**31), 2**31 - 1), "u32": (0, 2**32 - 1),
    "i64": (-(2**63), 2**63 - 1), "u64": (0, 2**64 - 1),
}
_F32_MAX = float(np.finfo(np.float32).max)
_GRID_MAX = 2**63 - 1


# ------------------------------------------------------------------------------------------------
# Compilation units: a module of kernels compiled together (one file, or one decorated function)
# ------------------------------------------------------------------------------------------------
class _Unit:
    """The frontend's module and, once built, its C library. Kernels of one file share a unit,
    so a file is one C compile however many kernels it holds."""

    def __init__(self, module: ModuleOp, name_hint: str, pipeline: str | Sequence[str] | None):
        self.module = module
        self.name_hint = name_hint
        self.pipeline = pipeline
        self._lowered: ModuleOp | None = None
        self._library: Any = None
        self._lock = threading.Lock()

    def lowered(self) -> ModuleOp:
        if self._lowered is None:
            self._lowered = run_pipeline(self.module, self.pipeline)
        return self._lowered

    def library(self) -> Any:
        with self._lock:
            if self._library is None:
                from hologram.backends.c.builder import build

                self._library = build(self.lowered(), self.name_hint)
            return self._library


def _pipeline_spec(pipeline: str | Sequence[str] | None) -> str | None:
    if pipeline is None or isinstance(pipeline, str):
        return pipeline
    return ",".join(pipeline)


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
# Grid expressions: a tiny evaluator over the scalar arguments (never `eval`)
# ------------------------------------------------------------------------------------------------
_BINOPS: dict[type[ast.operator], Callable[[int, int], int]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
}


def compile_grid_expr(text: str, params: dict[str, int]) -> Callable[[Sequence[Any]], int]:
    """Turn `"m * n"` into a function of the argument tuple. `params`: scalar name -> position.

    Only names of integer scalar parameters, integer constants, `+ - * // %`, unary `-`/`+` and
    parentheses are accepted; anything else raises ValueError.
    """
    tree = ast.parse(text.strip(), mode="eval")

    def build(node: ast.AST) -> Callable[[Sequence[Any]], int]:
        if isinstance(node, ast.Name):
            if node.id not in params:
                raise ValueError(f"'{node.id}' is not an integer scalar parameter")
            pos = params[node.id]
            return lambda args: int(args[pos])
        if isinstance(node, ast.Constant) and type(node.value) is int:
            value = node.value
            return lambda args: value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            fn, lhs, rhs = _BINOPS[type(node.op)], build(node.left), build(node.right)

            def binop(args: Sequence[Any]) -> int:
                b = rhs(args)
                if b == 0 and fn in (operator.floordiv, operator.mod):
                    raise ZeroDivisionError("division by zero in the grid expression")
                return fn(lhs(args), b)

            return binop
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            inner = build(node.operand)
            if isinstance(node.op, ast.USub):
                return lambda args: -inner(args)
            return inner
        raise ValueError(f"unsupported construct in grid expression: {ast.dump(node)}")

    return build(tree.body)


# ------------------------------------------------------------------------------------------------
# IR analysis for the launch checks
# ------------------------------------------------------------------------------------------------
def analyze_arrays(op: hg.KernelOp) -> tuple[set[int], set[int]]:
    """(params written, params only ever accessed at the thread's own id `a[idx]`).

    Built on the access analysis `fuse` uses; an untouched array is in the second set (it needs
    no length)."""
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
# Argument plans
# ------------------------------------------------------------------------------------------------
def _type_name(value: Any) -> str:
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


class Kernel:
    """A compiled-on-demand kernel: call it like the Python function, on numpy arrays."""

    def __init__(self, info: Any, unit: _Unit):
        self._info = info
        self._unit = unit
        self.name: str = info.name
        self.param_names: list[str] = list(info.param_names)
        self.param_types: list[str] = list(info.param_types)
        self.grid: str | None = info.grid
        self.filename: str = info.filename
        self.lineno: int = info.lineno
        self.__doc__ = f"hologram kernel {self.name}({', '.join(self._signature())})"
        op = info.op
        self._written, self._at_idx = analyze_arrays(op)
        int_scalars = {
            n: i for i, (n, t) in enumerate(zip(self.param_names, self.param_types, strict=True))
            if t in _INT_RANGES
        }
        self._grid_fn: Callable[[Sequence[Any]], int] | None = None
        self._grid_problem: str | None = None
        if self.grid is None:
            self._grid_problem = "it has no `if idx < n:` guard to infer the grid from"
        else:
            try:
                self._grid_fn = compile_grid_expr(self.grid, int_scalars)
            except (SyntaxError, ValueError) as err:
                self._grid_problem = f"its grid expression '{self.grid}' cannot be evaluated ({err})"
        self._length_checked = [
            (i, self.param_names[i]) for i in sorted(self._at_idx)
            if self.param_types[i].endswith("[]")
        ]
        self._fn: Any = None
        self._plan: list[Callable[[Any], Any]] | None = None
        self._sim_plan = [self._checker(i, None) for i in range(len(self.param_types))]
        self._py_fn: Callable[..., Any] | None = None
        self._fast_grid: int | None = None
        if self.grid is not None and self.grid.strip() in int_scalars:
            pos = int_scalars[self.grid.strip()]
            if self.param_types[pos] in ("u32", "u64"):  # never negative: no check needed
                self._fast_grid = pos

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
        if self._fn is not None:
            return
        from hologram.backends.c.emitter import c_symbol

        library = self._unit.library()
        ffi = library.ffi
        self._plan = [self._checker(i, ffi) for i in range(len(self.param_types))]
        self._fn = library.function(c_symbol(self._info.op))

    # --- checks -----------------------------------------------------------------------------------
    def _fail(self, message: str) -> LaunchError:
        return LaunchError(f"kernel '{self.name}': {message}")

    def _checker(self, pos: int, ffi: Any) -> Callable[[Any], Any]:
        """A function that checks argument `pos` and returns what the C function takes (or, with
        no ffi, what the Python simulation takes)."""
        name, lang_type = self.param_names[pos], self.param_types[pos]
        fail = self._fail
        if lang_type.endswith("[]"):
            elem = lang_type[:-2]
            dtype, c_elem = _ELEMENTS[elem]
            written = pos in self._written
            from_buffer = ffi.from_buffer if ffi is not None else None
            c_array = f"{c_elem}[]"
            ndarray = np.ndarray

            def explain(value: Any) -> Any:
                """The slow path: find what is wrong with the value, or convert a subclass."""
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
                if from_buffer is None:
                    return value.reshape(-1)
                return from_buffer(c_array, value, written)

            if from_buffer is None:
                return explain

            def array(value: Any) -> Any:
                # Fast path: a plain ndarray of the exact dtype; from_buffer itself refuses a
                # non-contiguous buffer, and a read-only one when the kernel writes it.
                if value.__class__ is ndarray and value.dtype is dtype:
                    try:
                        return from_buffer(c_array, value, written)
                    except (ValueError, TypeError, BufferError):
                        pass
                return explain(value)

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
                return value if ffi is not None else np_type(value)

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
                    value = float(value)
                if single and math.isfinite(value) and abs(value) > _F32_MAX:
                    raise fail(f"parameter '{name}' (f32) is out of range: {value!r} overflows "
                               f"float32")
                return value if ffi is not None else np_type(value)

            return floating

        if lang_type == "bool":

            def boolean(value: Any) -> Any:
                if not isinstance(value, bool | np.bool_):
                    raise fail(f"parameter '{name}' (bool) needs True or False, got "
                               f"{_type_name(value)} {value!r}")
                return bool(value) if ffi is not None else np.bool_(value)

            return boolean

        raise LaunchError(f"kernel '{self.name}': parameter '{name}' has unknown type {lang_type}")

    def _resolve_grid(self, args: Sequence[Any], grid: Any) -> int:
        if grid is None:
            if self._grid_fn is None:
                raise self._fail(f"no grid= given, and {self._grid_problem}; pass grid=N")
            try:
                grid = self._grid_fn(args)
            except ZeroDivisionError as err:
                raise self._fail(f"cannot infer the grid from '{self.grid}': {err}") from None
            if grid < 0:
                raise self._fail(f"the inferred grid '{self.grid}' = {grid} is negative")
            return grid
        if isinstance(grid, bool | np.bool_) or not isinstance(grid, int | np.integer):
            raise self._fail(f"grid= needs a non-negative integer, got {_type_name(grid)} {grid!r}")
        grid = int(grid)
        if not 0 <= grid <= _GRID_MAX:
            raise self._fail(f"grid={grid} is out of range [0, 2**63)")
        return grid

    def _guard_bound(self, args: Sequence[Any], grid: int) -> int:
        """How many ids touch memory: under the guard `idx < E`, ids at or beyond E do not."""
        if self._grid_fn is None or not self._length_checked:
            return grid
        try:
            return min(grid, max(self._grid_fn(args), 0))
        except ZeroDivisionError:
            return grid

    def _length_error(self, args: Sequence[Any], name: str, pos: int, bound: int) -> LaunchError:
        return self._fail(
            f"array '{name}' has {args[pos].size} elements but the kernel reads or writes "
            f"'{name}[idx]' for idx up to {bound - 1}")

    def _check_lengths(self, args: Sequence[Any], grid: int) -> None:
        bound = self._guard_bound(args, grid)
        for pos, name in self._length_checked:
            if args[pos].size < bound:
                raise self._length_error(args, name, pos, bound)

    # --- running ----------------------------------------------------------------------------------
    def __call__(self, *args: Any, grid: int | None = None) -> None:
        plan = self._plan
        if plan is None:
            if len(args) != len(self.param_types):
                raise self._arity(args)
            self._ensure_compiled()
            plan = self._plan
            assert plan is not None
        if len(args) != len(plan):
            raise self._arity(args)
        c_args = [check(value) for check, value in zip(plan, args)]
        if grid is None:
            fast = self._fast_grid
            grid = c_args[fast] if fast is not None else self._resolve_grid(args, None)
            bound = grid
        else:
            if type(grid) is not int or not 0 <= grid <= _GRID_MAX:
                grid = self._resolve_grid(args, grid)
            bound = self._guard_bound(args, grid) if self._length_checked else grid
        for pos, name in self._length_checked:
            if args[pos].size < bound:
                raise self._length_error(args, name, pos, bound)
        self._fn(*c_args, grid)

    def _arity(self, args: Sequence[Any]) -> LaunchError:
        return self._fail(
            f"takes {len(self.param_types)} arguments ({', '.join(self._signature())}), got "
            f"{len(args)}")

    def simulate(self, *args: Any, grid: int | None = None) -> None:
        """Run the kernel's Python body once per id in [0, grid), in order, in pure Python.

        Arrays are mutated in place, as by the compiled kernel; scalars are passed as numpy
        scalars of their type, so f32 and u32 arithmetic behaves as compiled.
        """
        from hologram import lang

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
def _kernels_of(result: Any, name_hint: str, pipeline: str | Sequence[str] | None) -> dict[str, Kernel]:
    unit = _Unit(result.module, name_hint, pipeline)
    return {name: Kernel(info, unit) for name, info in result.kernels.items()}


def kernel(fn: Callable[..., Any] | None = None, *,
           pipeline: str | Sequence[str] | None = None) -> Any:
    """`@hologram.kernel` or `@hologram.kernel(pipeline="canonicalize,cse")`.

    The function is parsed now (a bad kernel raises CompileError at the decorator) and compiled
    on its first call.
    """

    def wrap(f: Callable[..., Any]) -> Kernel:
        from hologram.frontend import parse_function

        result = parse_function(f)
        kernels = _kernels_of(result, f.__name__, pipeline)
        if f.__name__ not in kernels:
            raise LaunchError(f"{f.__name__} did not compile to a kernel")
        return kernels[f.__name__]

    if fn is None:
        return wrap
    return wrap(fn)


def load_kernels(path: str | Path, pipeline: str | Sequence[str] | None = None, *,
                 unit: str | None | bool = False) -> dict[str, Kernel]:
    """Every kernel of a Python kernel file, by name. The file is parsed, never executed; its
    kernels compile together, on the first call of any of them. A file with generic kernels
    (`@generic`, `@vectorize`: hologram/frontend/generic.py) gives every specialization too,
    each suffix compiling as its own unit; `unit=` picks one unit (None: the plain kernels)."""
    from hologram.frontend import generic, parse_file

    text = _read(path)
    if not generic.has_templates(text):
        if unit not in (False, None):
            return {}
        result = parse_file(path)
        return _kernels_of(result, Path(path).stem, pipeline)
    units = [unit] if unit is not False else [None] + generic.suffixes(text, str(path))
    kernels: dict[str, Kernel] = {}
    for u in units:
        result = generic.parse_unit(str(path), text, u)
        kernels.update(_kernels_of(result, Path(path).stem + (f"_{u}" if u else ""), pipeline))
    return kernels


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""  # parse_file reports it
