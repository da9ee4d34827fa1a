"""The frontend: Python kernel source -> a verified `builtin.module` of `hologram.kernel` ops.

    result = parse_source(text, "k.py")
    result.module                 # one hologram.kernel per kernel, every op located
    result.kernels["saxpy"]       # KernelInfo: params, language types, grid, the op, py_module

Compiling never runs the file. See docs/language.md for the language and docs/ir.md for the IR.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import textwrap
from dataclasses import dataclass
from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

from hologram.frontend.base import Source
from hologram.frontend.errors import CompileError, SourceLocation
from hologram.frontend.module import FileCompiler, module_location

__all__ = ["CompileError", "FrontendResult", "KernelInfo", "SourceLocation", "decode_source",
           "kernel_names", "parse_file", "parse_function", "parse_source", "read_source"]


@dataclass
class KernelInfo:
    name: str
    param_names: list[str]
    param_types: list[str]  # language types: "f32[]", "u32", ...
    # Why the kernel has no grid region (no `grid=`-free launch), or None when it has one.
    no_grid: str | None
    filename: str
    lineno: int
    op: object  # the hologram.kernel op (KernelOp) inside FrontendResult.module
    # The kernel's def and the defs of the helpers it calls (decorators removed, the file's line
    # numbers kept): exec'd with the names of hologram.lang it is the kernel as plain Python.
    py_module: ast.Module

    @property
    def grid(self) -> str | None:
        """The inferred grid as an expression of the parameters ("m * n"), or None."""
        from hologram.analysis.grid import describe_grid

        region = self.op.grid_region  # type: ignore[attr-defined]
        return describe_grid(region, self.param_names) if region is not None else None


@dataclass
class FrontendResult:
    module: ModuleOp
    kernels: dict[str, KernelInfo]


def _syntax_error(err: SyntaxError, filename: str, lines: list[str], first_line: int):
    line = (err.lineno or first_line)
    text = lines[line - first_line] if 0 <= line - first_line < len(lines) else None
    return CompileError(f"syntax error: {err.msg}",
                        SourceLocation(filename, line, err.offset or 1, text))


def _compile_body(body: list[ast.stmt], src: Source, only: set[str] | None) -> FrontendResult:
    fc = FileCompiler(body, src)
    if only is not None:
        missing = only - set(fc.functions)
        if missing:
            raise CompileError(f"no function named {', '.join(sorted(missing))} in "
                               f"{src.filename}")
    defs = fc.kernel_defs(force=only)
    kernel_names = {f.name for f in defs}
    kernels: dict[str, KernelInfo] = {}
    ops = []
    for fn in defs:
        if only is not None and fn.name not in only:
            continue
        op, params, no_grid = fc.compile(fn, kernel_names)
        ops.append(op)
        kernels[fn.name] = KernelInfo(
            name=fn.name, param_names=[n for n, _ in params],
            param_types=[t.name for _, t in params], no_grid=no_grid, filename=src.filename,
            lineno=fn.lineno, op=op, py_module=fc.py_module(fn))
    module = ModuleOp(ops)
    module.location = module_location(src)
    return FrontendResult(module, kernels)


def _parse(source: str, filename: str, lines: list[str], first_line: int) -> ast.Module:
    """`ast.parse`, with its errors located: a syntax error, and the parser running out of
    stack on code nested too deeply for it (RecursionError or MemoryError from CPython)."""
    try:
        return ast.parse(source, filename=filename)
    except SyntaxError as err:
        raise _syntax_error(err, filename, lines, first_line) from None
    except (RecursionError, MemoryError):
        longest = max(range(len(lines)), key=lambda i: len(lines[i]), default=0)
        text = lines[longest] if lines else None
        raise CompileError("Python's parser ran out of stack on this file: an expression is "
                           "nested too deeply (this is the longest line)",
                           SourceLocation(filename, first_line + longest, 1, text),
                           "split the expression into several statements with local "
                           "variables") from None


def parse_source(source: str, filename: str = "<string>", first_line: int = 1,
                 kernels: set[str] | None = None) -> FrontendResult:
    """Compile every kernel of a file's text (only the functions named in `kernels` when given,
    which are then compiled as kernels whatever they look like)."""
    lines = source.splitlines()
    tree = _parse(source, filename, lines, first_line)
    if first_line != 1:
        ast.increment_lineno(tree, first_line - 1)
    return _compile_body(tree.body, Source(filename, lines, first_line), kernels)


def kernel_names(source: str, filename: str = "<string>") -> list[str]:
    """The names of the file's kernels, in file order, without compiling them."""
    lines = source.splitlines()
    tree = _parse(source, filename, lines, 1)
    return [f.name for f in FileCompiler(tree.body, Source(filename, lines)).kernel_defs()]


def decode_source(data: bytes, filename: str) -> str:
    """A kernel file's bytes as text, as Python reads a source file (UTF-8 unless a coding
    comment says otherwise; universal newlines). Undecodable bytes are a located CompileError."""
    try:
        return importlib.util.decode_source(data)
    except UnicodeDecodeError as err:
        bad, encoding = err, err.encoding
    except (SyntaxError, LookupError) as err:  # a bad byte in the first lines, or a bad cookie
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as utf8_err:
            bad, encoding = utf8_err, "utf-8"
        else:
            raise CompileError(f"{filename}: {err}", SourceLocation(filename, 1, 1)) from None
    line = data[:bad.start].count(b"\n") + 1
    col = bad.start - (data.rfind(b"\n", 0, bad.start) + 1) + 1
    raise CompileError(f"{filename} is not {encoding.upper()} text: byte 0x{data[bad.start]:02x} "
                       "cannot be decoded", SourceLocation(filename, line, col),
                       "save the file as UTF-8 (or declare its encoding in a "
                       "`# -*- coding: ... -*-` comment)")


def read_source(path: str | Path) -> str:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CompileError(f"cannot read {path}: {err.strerror}") from None
    return decode_source(data, str(path))


def parse_file(path: str | Path) -> FrontendResult:
    return parse_source(read_source(path), str(Path(path)))


def _find_def(body: list[ast.stmt], name: str, line: int) -> list[ast.stmt] | None:
    """The statement list holding `def name` that starts at `line` (the def or a decorator)."""
    for s in body:
        if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) and s.name == name:
            first = min([s.lineno] + [d.lineno for d in s.decorator_list])
            if line in (first, s.lineno):
                return body
        for field in ("body", "orelse", "finalbody", "handlers"):
            sub = getattr(s, field, None)
            if isinstance(sub, list) and sub and isinstance(sub[0], ast.AST):
                found = _find_def(sub, name, line)
                if found is not None:
                    return found
    return None


def parse_function(fn) -> FrontendResult:
    """Compile one kernel given as a function object. Its file is read so that helpers beside
    it are found and locations are the file's; without a file, its own source is used."""
    name = fn.__name__
    line = fn.__code__.co_firstlineno
    filename = inspect.getsourcefile(fn) or fn.__code__.co_filename
    try:
        text = Path(filename).read_text()
        tree = ast.parse(text, filename=filename)
        body = _find_def(tree.body, name, line)
    except (OSError, SyntaxError, TypeError, RecursionError, MemoryError, ValueError):
        body = None  # parsed again below from the function's own source, errors located
    if body is not None:
        return _compile_body(body, Source(filename, text.splitlines(), 1), {name})
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError) as err:
        raise CompileError(f"cannot find the source of `{name}`: {err}") from None
    return parse_source(source, filename, first_line=line, kernels={name})
