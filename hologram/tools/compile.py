"""hologram-compile: a Python kernel file to IR, C, or a shared library.

    hologram-compile k.py                      # the frontend's IR (no passes) on stdout
    hologram-compile k.py --pipeline parallelize,canonicalize
    hologram-compile k.py --emit c -o k.c      # C, after the default pipeline
    hologram-compile k.py --emit so -o k.so    # a shared library with the kernel C ABI
    hologram-compile k.py --kernel saxpy       # only this kernel (repeatable)
    hologram-compile --list | --stdlib         # the kernels on the search path / build them all

The file is parsed, never run. A bad kernel prints a located message and exits with 1.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

EMITS = ("mlir", "c", "so")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hologram-compile",
        description="Compile a Python kernel file to Hologram IR, C, or a shared library.")
    p.add_argument("file", nargs="?", help="the kernel file (.py); '-' reads stdin")
    p.add_argument("-o", "--output", help="output file (default: stdout; for --emit so, "
                   "<file stem>.so)")
    p.add_argument("--emit", choices=EMITS, default="mlir", help="what to produce (default: mlir)")
    p.add_argument("--pipeline", "-p", default=None,
                   help="passes to run, e.g. 'parallelize,canonicalize' ('' for none). Default: "
                   "none for --emit mlir (the frontend's IR), the default pipeline for c and so")
    p.add_argument("--kernel", action="append", metavar="NAME",
                   help="compile only this kernel (repeatable)")
    p.add_argument("--stdlib", action="store_true", help="build every stdlib kernel ahead of time")
    p.add_argument("--list", action="store_true", help="list the kernels on the search path")
    p.add_argument("--print-debuginfo", "-g", action="store_true",
                   help="print each op's source location (loc(\"k.py\":line:col)) in the IR")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="report kernels, grids and timings on stderr")
    return p


class _Fail(Exception):
    """A one-line error for the user: printed, exit code 1."""


def _read(args) -> tuple[str, str]:
    from hologram.frontend import decode_source

    if args.file == "-":
        raw = getattr(sys.stdin, "buffer", None)  # None: a text stream (already decoded)
        text = sys.stdin.read() if raw is None else decode_source(raw.read(), "<stdin>")
        return text, "<stdin>"
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise _Fail(f"cannot read {args.file}: {err.strerror}") from None
    return decode_source(data, args.file), args.file  # a bad byte is a located CompileError


def _frontend(args):
    from hologram import generic
    from hologram.frontend import kernel_names, parse_source

    source, filename = _read(args)
    if generic.has_templates(source):
        return _generic_frontend(args, source, filename)
    only = None
    if args.kernel:
        _check_wanted(args.kernel, kernel_names(source, filename), filename)
        only = set(args.kernel)
    return parse_source(source, filename, kernels=only)


def _check_wanted(wanted: list[str], found, filename: str) -> None:
    missing = [k for k in wanted if k not in found]
    if missing:
        listed = ", ".join(found) or "none"
        raise _Fail(f"no kernel named {', '.join(missing)} in {filename} (kernels: {listed})")


def _generic_frontend(args, source: str, filename: str):
    """A file with generic kernels (hologram/generic.py): every compile unit (its plain kernels,
    then each suffix's specializations), in one module."""
    from xdsl.dialects.builtin import ModuleOp

    from hologram import generic
    from hologram.frontend import FrontendResult, module_location
    from hologram.frontend.base import Source

    try:
        units = [None, *generic.suffixes(source, filename)]
    except SyntaxError:
        units = [None]  # parse_unit reports it, located
    results = [generic.parse_unit(filename, source, u) for u in units]
    kernels = {name: info for r in results for name, info in r.kernels.items()}
    if args.kernel:
        _check_wanted(args.kernel, list(kernels), filename)
        kernels = {k: kernels[k] for k in args.kernel}
    ops = []
    for r in results:
        for op in list(r.module.ops):
            name = getattr(op, "kernel_name", None)
            if name is not None and name not in kernels:
                continue
            op.detach()
            ops.append(op)
    module = ModuleOp(ops)
    module.location = module_location(Source(filename, source.splitlines(), 1))
    return FrontendResult(module, kernels)


def _run_pipeline(module, spec: str | None, verbose: bool) -> None:
    from hologram.dialects import make_context
    from hologram.passes import parse_pipeline

    try:
        pipeline = parse_pipeline(spec)
    except ValueError as err:
        raise _Fail(str(err)) from None
    if verbose:
        names = ",".join(str(p) for p in pipeline.passes) or "(none)"
        print(f"pipeline: {names}", file=sys.stderr)
    pipeline.apply(make_context(), module)
    module.verify()


def ir_text(module, debuginfo: bool = False) -> str:
    from io import StringIO

    from xdsl.printer import Printer

    out = StringIO()
    Printer(stream=out, print_debuginfo=debuginfo).print_op(module)
    return out.getvalue() + "\n"


def _write(text: str, output: str | None) -> None:
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text)
    except OSError as err:
        raise _Fail(f"cannot write {output}: {err.strerror}") from None


def _compile(args) -> None:
    from hologram.analysis.grid import describe_grid

    t0 = time.perf_counter()
    result = _frontend(args)
    if args.verbose:
        ms = (time.perf_counter() - t0) * 1e3
        print(f"{args.file}: {len(result.kernels)} kernel(s) in {ms:.1f} ms", file=sys.stderr)
        for info in result.kernels.values():
            params = ", ".join(f"{n}: {t}" for n, t in zip(info.param_names, info.param_types))
            region = info.op.grid_region
            grid = (describe_grid(region, info.param_names) if region is not None
                    else f"(none: needs grid=; {info.no_grid})")
            print(f"  {info.name}({params})  grid={grid}", file=sys.stderr)
    if not result.kernels:
        print(f"hologram-compile: warning: no kernels in {args.file} (a kernel's parameters are "
              "annotated DeviceArray[T] or scalar types)", file=sys.stderr)
    module = result.module
    spec = args.pipeline
    if spec is None and args.emit == "mlir":
        spec = ""  # the frontend's IR unless passes are asked for
    _run_pipeline(module, spec, args.verbose)
    if args.emit == "mlir":
        _write(ir_text(module, args.print_debuginfo), args.output)
    elif args.emit == "c":
        from hologram.backends.c import emit_c

        _write(emit_c(module), args.output)
    else:
        from hologram.backends.c import build_shared_library

        out = args.output or f"{Path(args.file if args.file != '-' else 'kernels').stem}.so"
        path = build_shared_library(module, out, name_hint=Path(out).stem)
        if args.verbose:
            print(f"wrote {path}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not (args.file or args.stdlib or args.list):
        _parser().error("a kernel file is needed (or --list / --stdlib)")
    from hologram.frontend.errors import CompileError

    try:
        if args.list:
            from hologram.ops import kernel_listing

            print(kernel_listing())
        if args.stdlib:
            from hologram.ops import precompile

            precompile(progress=args.verbose or sys.stderr.isatty())
        if args.file:
            _compile(args)
    except CompileError as err:
        print(err, file=sys.stderr)
        return 1
    except _Fail as err:
        print(f"hologram-compile: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # a one-line message, not a traceback (the CLI contract)
        if args.verbose:
            traceback.print_exc()
        kind = type(err).__name__
        first = (str(err).strip().splitlines() or [kind])[0]
        build_errors = ("BuildError", "EmitError")
        label = "error" if kind in build_errors else f"internal error ({kind})"
        print(f"hologram-compile: {label}: {first}", file=sys.stderr)
        if kind in build_errors and len(str(err).splitlines()) > 1:
            print("\n".join(str(err).splitlines()[1:]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
