"""A file's kernels: which module-level functions are kernels, helpers and constants."""

from __future__ import annotations

import ast
import copy

from xdsl.dialects.builtin import FileLineColLoc, IntAttr, ModuleOp, StringAttr
from xdsl.utils.exceptions import VerifyException

from hologram.frontend.base import Literal, Source, check_decorators
from hologram.frontend.errors import CompileError
from hologram.analysis.grid import attach_grid
from hologram.frontend.infer import MAX_ROUNDS, LocalTypes
from hologram.frontend.limits import MAX_NESTING, NestingTooDeep, check_nesting
from hologram.frontend.lower import FunctionLowerer, ModuleScope
from hologram.frontend.types import (Array, Scalar, TypeClash, annotation_type, decorator_name,
                                     is_device_array)

_ELEM_TYPES = "f32 f64 i32 u32 i64 u64 bool (float, int, usize)"


def _returns_value(fn: ast.FunctionDef) -> bool:
    return any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(fn))


def is_kernel(fn: ast.FunctionDef) -> bool:
    """A kernel: no `@inline`, no return annotation, and either a `DeviceArray` parameter or
    all parameters annotated with kernel types and no `return value`. The others are helpers."""
    if any(decorator_name(d) == "inline" for d in fn.decorator_list):
        return False
    if fn.returns is not None and not (isinstance(fn.returns, ast.Constant)
                                       and fn.returns.value is None):
        return False
    params = fn.args.args
    if any(is_device_array(p.annotation) for p in params):
        return True  # (a `return value` in it is then reported as an error)
    if _returns_value(fn):
        return False
    return bool(params) and all(p.annotation is not None and annotation_type(p.annotation)
                                is not None for p in params)


_ARRAY_LIKE = {"list", "tuple", "ndarray", "array", "DeviceArray", "Sequence", "List"}


def _array_like(ann: ast.expr | None) -> bool:
    """An annotation that names some array type the language does not have (`list`,
    `np.ndarray`, `DeviceArray(f32)`): a kernel parameter written the wrong way."""
    if ann is None:
        return False
    return any((isinstance(n, ast.Name) and n.id in _ARRAY_LIKE)
               or (isinstance(n, ast.Attribute) and n.attr in _ARRAY_LIKE) for n in ast.walk(ann))


def meant_as_kernel(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A function that is not a kernel by `is_kernel` but was surely written as one: no
    `@inline`, no return value or annotation, and a parameter annotated as some array type.
    It is compiled as a kernel, so its bad annotation is reported, not silently skipped."""
    if any(decorator_name(d) == "inline" for d in fn.decorator_list):
        return False
    if fn.returns is not None and not (isinstance(fn.returns, ast.Constant)
                                       and fn.returns.value is None):
        return False
    return not _returns_value(fn) and any(_array_like(p.annotation) for p in fn.args.args)


class FileCompiler:
    def __init__(self, body: list[ast.stmt], src: Source):
        self.src = src
        self.body = body
        self.functions: dict[str, ast.FunctionDef] = {}
        self.constants: dict[str, Literal] = {}
        self.constant_stmts: list[ast.stmt] = []
        self.async_functions: dict[str, ast.AsyncFunctionDef] = {}
        for s in body:
            if isinstance(s, ast.AsyncFunctionDef):
                self.async_functions[s.name] = s
            if isinstance(s, ast.FunctionDef):
                if s.name in self.functions:
                    first = self.functions[s.name].lineno
                    raise CompileError(f"function `{s.name}` is defined twice in this file "
                                       f"(first at line {first})", src.loc(s),
                                       "rename one of them")
                self.functions[s.name] = s
            elif isinstance(s, ast.Assign | ast.AnnAssign):
                self._constant(s)

    def _constant(self, s: ast.Assign | ast.AnnAssign) -> None:
        targets = s.targets if isinstance(s, ast.Assign) else [s.target]
        if len(targets) != 1 or not isinstance(targets[0], ast.Name) or s.value is None:
            return
        try:
            value = ast.literal_eval(s.value)
        except (ValueError, SyntaxError, TypeError):
            return  # not a constant: kernels cannot see it (an unknown name if they try)
        if isinstance(value, bool | int | float):
            self.constants[targets[0].id] = value
            self.constant_stmts.append(s)

    def kernel_defs(self, force: set[str] | None = None) -> list[ast.FunctionDef]:
        force = force or set()
        for f in self.async_functions.values():
            if f.name in force or (not force and (is_kernel(f) or meant_as_kernel(f))):
                raise CompileError(f"`async def {f.name}` cannot be a kernel", self.src.loc(f),
                                   "write it as a plain `def`")
        return [f for f in self.functions.values()
                if f.name in force or (not force and meant_as_kernel(f)) or is_kernel(f)]

    def params(self, fn: ast.FunctionDef) -> list[tuple[str, Scalar | Array]]:
        a = fn.args
        extra = a.vararg or a.kwarg
        if extra is not None:
            raise CompileError(f"kernel `{fn.name}`: `*{extra.arg}` parameters are not "
                               "supported", self.src.loc(extra), "list each parameter")
        if a.kwonlyargs or a.posonlyargs or a.defaults:
            raise CompileError(f"kernel `{fn.name}`: parameters must be plain positional "
                               "(no defaults, keyword-only or positional-only markers)",
                               self.src.loc(fn))
        out = []
        seen: set[str] = set()
        for p in a.args:
            if p.arg in seen:
                raise CompileError(f"kernel `{fn.name}`: duplicate parameter name `{p.arg}`",
                                   self.src.loc(p), "give each parameter its own name")
            seen.add(p.arg)
            if p.annotation is None:
                raise CompileError(f"kernel parameter `{p.arg}` has no type annotation",
                                   self.src.loc(p), f"annotate it, e.g. `{p.arg}: u32` or "
                                   f"`{p.arg}: DeviceArray[f32]`")
            t = annotation_type(p.annotation)
            if t is None:
                shown = ast.unparse(p.annotation)
                if is_device_array(p.annotation):
                    message = f"`{shown}`: unknown element type"
                else:
                    message = f"unknown kernel parameter type `{shown}` for `{p.arg}`"
                raise CompileError(message, self.src.loc(p.annotation),
                                   f"use DeviceArray[T] or a scalar type, T one of {_ELEM_TYPES}")
            out.append((p.arg, t))
        return out

    def compile(self, fn: ast.FunctionDef, kernel_names: set[str]):
        check_decorators(fn, self.src)
        params = self.params(fn)
        try:
            check_nesting(fn, self.functions)
        except NestingTooDeep as err:
            chain = err.through if len(err.through) <= 4 else [*err.through[:3], "..."]
            through = f" (through helpers {' -> '.join(chain)})" if err.through else ""
            raise CompileError(f"kernel `{fn.name}` is nested {err.depth} levels deep{through}; "
                               f"the limit is {MAX_NESTING}", self.src.loc(err.node),
                               "split the expression into several statements with local "
                               "variables") from None
        scope = ModuleScope(self.functions, self.constants, kernel_names)
        try:
            op = self.lower(fn, params, scope)
        except CompileError:
            raise
        except TypeClash as err:  # a type rule's refusal that no construct located
            raise CompileError(str(err), self.src.loc(fn), err.hint) from err
        except Exception as err:  # never a raw traceback from inside the lowering
            raise CompileError(f"internal error: the frontend failed on kernel `{fn.name}` "
                               f"({type(err).__name__}: {err}); please report this with the "
                               "kernel", self.src.loc(fn)) from err
        # The grid is read off the IR: the guard's bound as a function of the parameters.
        no_grid = attach_grid(op)
        try:
            op.verify()
        except VerifyException as err:
            raise CompileError(f"internal error: the frontend built invalid IR for kernel "
                               f"`{fn.name}` ({err}); please report this with the kernel",
                               self.src.loc(fn)) from err
        return op, params, no_grid

    def lower(self, fn: ast.FunctionDef, params, scope: ModuleScope):
        """Lower the kernel until its locals' types are a fixed point (infer.py)."""
        types = LocalTypes()
        for _ in range(MAX_ROUNDS):
            types.widened = False
            try:
                op = FunctionLowerer(self.src, scope, types).lower_kernel(fn, params)
            except CompileError:
                if types.widened:
                    continue  # the error may come from a type this round had too narrow
                raise
            if not types.widened:
                return op
        raise CompileError(f"internal error: the types of the locals of `{fn.name}` did not "
                           f"settle after {MAX_ROUNDS} rounds; please report this kernel",
                           self.src.loc(fn))

    def py_module(self, fn: ast.FunctionDef) -> ast.Module:
        """The kernel's def and the defs of the helpers it calls, undecorated, lines kept."""
        needed, todo = {fn.name}, [fn]
        while todo:
            for n in ast.walk(todo.pop()):
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
                    callee = self.functions.get(n.func.id)
                    if callee is not None and callee.name not in needed:
                        needed.add(callee.name)
                        todo.append(callee)
        # Shallow copies: the bodies are shared with the file's AST, which nothing mutates.
        body: list[ast.stmt] = list(self.constant_stmts)
        for f in self.functions.values():
            if f.name in needed:
                clone = copy.copy(f)
                clone.decorator_list = []
                body.append(clone)
        body.sort(key=lambda s: s.lineno)
        return ast.Module(body=body, type_ignores=[])


def module_location(src: Source) -> FileLineColLoc:
    return FileLineColLoc(StringAttr(src.filename), IntAttr(src.first_line), IntAttr(1))


def new_module(ops) -> ModuleOp:
    return ModuleOp(list(ops))
