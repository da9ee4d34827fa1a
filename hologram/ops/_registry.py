"""Finding stdlib kernels: the search path, the Kernel cache, the listing and precompilation.

Kernel files are Python kernel source, parsed and never imported. The search path is the
directories of `$HOLOGRAM_KERNEL_PATH` (separated by `os.pathsep`, searched in order), then the
bundled `stdlib/` directory at the root of the repository. Inside a directory, `*.py` files are
searched in name order. The first file that defines a kernel of a given name wins, so a user
directory overrides a bundled kernel of the same name (DESIGN §2).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# hologram/ops/_registry.py -> the repository root (the package is installed editable).
STDLIB_DIR = Path(__file__).resolve().parents[2] / "stdlib"
ENV_VAR = "HOLOGRAM_KERNEL_PATH"


@dataclass(frozen=True)
class KernelSource:
    """Where a kernel is defined: its file, line, whether the file is a user file, and its
    compile unit (None: the file's plain kernels; "f32": a generic kernel's specialization)."""

    name: str
    path: Path
    lineno: int
    user: bool
    unit: str | None = None


def search_dirs(env_value: str | None = None) -> list[tuple[Path, bool]]:
    """The directories searched, in order, each with `True` for a user directory."""
    if env_value is None:
        env_value = os.environ.get(ENV_VAR, "")
    dirs = [(Path(p).expanduser(), True) for p in env_value.split(os.pathsep) if p.strip()]
    return dirs + [(STDLIB_DIR, False)]


def _kernel_files(directory: Path) -> list[Path]:
    # os.scandir, not Path.glob: glob compiles a pattern, a cost on every fresh process.
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    return sorted(Path(e.path) for e in entries
                  if e.name.endswith(".py") and e.name != "__init__.py" and e.is_file())


# --- the index: function names per file, from a scan of `def` lines (cheap, no compilation) ----
_defs_cache: dict[tuple[Path, float], dict[str, tuple[int, str | None]]] = {}
# A module-level `def` starts a line (a kernel file's functions are all at module level). A
# match inside a string is harmless: only a name the frontend compiles as a kernel counts.
_DEF_LINE = re.compile(r"^def[ \t]+(\w+)[ \t]*\(", re.M)


def _defined_functions(path: Path) -> dict[str, tuple[int, str | None]]:
    """Module-level function names of a kernel file -> (line, unit). Kernels and helpers alike;
    the specializations of generic kernels (hologram/generic.py) are listed by their
    names with the suffix of their compile unit, the plain functions with `None`. A file
    without generic decorators is scanned by a regular expression (`ast.parse` of the bundled
    files costs ~30 ms per process); one with them is parsed, to name the specializations."""
    key = (path, path.stat().st_mtime)
    found = _defs_cache.get(key)
    if found is None:
        from hologram import generic

        text = path.read_text()
        if not generic.has_templates(text):
            found = {}
            for m in _DEF_LINE.finditer(text):
                found.setdefault(m.group(1), (text.count("\n", 0, m.start()) + 1, None))
        else:
            import ast

            try:
                tree = ast.parse(text, filename=str(path))
                plain, _ = generic.scan(tree, str(path))
                found = {n.name: (n.lineno, None) for n in plain
                         if isinstance(n, ast.FunctionDef)}
                for name, (suffix, line) in generic.names(tree, str(path)).items():
                    found[name] = (line, suffix)
            except SyntaxError as err:
                raise KernelPathError(f"kernel file {path}:{err.lineno}: syntax error: {err.msg}",
                                      f"fix the file or remove its directory from ${ENV_VAR}"
                                      ) from None
        _defs_cache[key] = found
    return found


def _syntax_error(path: Path, err: Exception) -> KernelPathError | None:
    """A file on the path that does not parse, as a KernelPathError (None for other errors)."""
    message = getattr(err, "message", "")
    loc = getattr(err, "loc", None)
    if not message.startswith("syntax error") or loc is None:
        return None
    return KernelPathError(f"kernel file {path}:{loc.line}: {message}",
                           f"fix the file or remove its directory from ${ENV_VAR}")


class KernelPathError(LookupError):
    """A kernel is not on the search path, or a file on it cannot be read."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message + (f"\n  hint: {hint}" if hint else ""))


# --- loading: one compile unit per file (and per suffix of its generic kernels) ----------------
_file_kernels: dict[tuple[Path, float, str | None], dict] = {}
_kernel_cache: dict[object, dict[str, object]] = {}  # variable's raw value -> name -> Kernel


def _load_file(path: Path, unit: str | None = None) -> dict:
    """The kernels of one compile unit of a file: its plain kernels (`unit=None`), or its
    generic kernels specialized with suffix `unit` ("f32", "i64")."""
    key = (path, path.stat().st_mtime, unit)
    kernels = _file_kernels.get(key)
    if kernels is None:
        from hologram.runtime import load_kernels  # the runtime imports xDSL: only when needed

        kernels = load_kernels(str(path), unit=unit)
        _file_kernels[key] = kernels
    return kernels


def find_kernel(name: str, env_value: str | None = None) -> KernelSource:
    """The winning definition of kernel `name` on the search path."""
    for directory, user in search_dirs(env_value):
        for path in _kernel_files(directory):
            entry = _defined_functions(path).get(name)
            if entry is None:
                continue
            line, unit = entry
            # The scan also sees helpers; only a kernel (all-array-or-scalar params, parsed as
            # a kernel by the frontend) counts. Specializations are kernels by construction.
            if unit is not None:
                return KernelSource(name, path, line, user, unit)
            try:
                kernels = _load_file(path)
            except Exception as err:
                problem = _syntax_error(path, err)
                if problem is None:
                    raise
                raise problem from None
            if name in kernels:
                return KernelSource(name, path, line, user)
    where = ", ".join(str(d) for d, _ in search_dirs(env_value))
    raise KernelPathError(f"no kernel named '{name}' on the kernel search path ({where})",
                          f"kernel files are *.py files in ${ENV_VAR} directories or in stdlib/")


# The variable is read on every call, so the precedence rule holds when it changes at run time.
# On CPython its raw value is read from environ's dict: `os.environ.get` costs about 1 us.
_ENV_DATA = getattr(os.environ, "_data", None)
_ENV_KEY = os.environ.encodekey(ENV_VAR) if _ENV_DATA is not None else ENV_VAR


def stdlib_kernel(name: str):
    """The `Kernel` called `name`: a user kernel from `$HOLOGRAM_KERNEL_PATH` if one has that
    name, else the bundled stdlib kernel. Kernel objects are cached (per value of the variable),
    so repeated calls cost a dictionary lookup.

    >>> add = stdlib_kernel("add_f32")
    >>> add(a, b, out, len(a))
    """
    raw = _ENV_DATA.get(_ENV_KEY) if _ENV_DATA is not None else os.environ.get(ENV_VAR)
    known = _kernel_cache.get(raw)  # the hot path of every op call: two lookups, nothing built
    k = known.get(name) if known is not None else None
    if k is None:
        src = find_kernel(name, os.environ.get(ENV_VAR, ""))
        k = _load_file(src.path, src.unit)[name]
        _kernel_cache.setdefault(raw, {})[name] = k
    return k


def all_kernels(env_value: str | None = None) -> list[tuple[KernelSource, bool]]:
    """Every kernel definition on the search path, in search order, with whether it wins."""
    seen: set[str] = set()
    rows = []
    for directory, user in search_dirs(env_value):
        for path in _kernel_files(directory):
            defs = _defined_functions(path)
            names = list(_load_file(path)) + [n for n, (_, u) in defs.items() if u is not None]
            for name in names:
                line, unit = defs.get(name, (0, None))
                rows.append((KernelSource(name, path, line, user, unit), name not in seen))
                seen.add(name)
    return rows


def kernel_listing() -> str:
    """A table of every kernel found: name, where it is defined, and which definition wins."""
    rows = all_kernels()
    winners = {src.name: src for src, wins in rows if wins}
    # A user directory that does not exist is shown, so a typo in the variable is visible.
    out = ["kernel search path: " + " ".join(
        f"{d} ({'user' if user else 'stdlib'}{'' if d.is_dir() else ', missing'})"
        for d, user in search_dirs())]
    width = max((len(src.name) for src, _ in rows), default=10)
    for src, wins in rows:
        origin = "user" if src.user else "stdlib"
        status = "wins" if wins else f"shadowed by {winners[src.name].path}"
        out.append(f"{src.name:<{width}}  {origin:<6}  {src.path}:{src.lineno}  {status}")
    n_shadowed = sum(1 for _, wins in rows if not wins)
    out.append(f"{len(winners)} kernels, {n_shadowed} shadowed")
    return "\n".join(out)


def precompile(progress: bool = True, names: list[str] | None = None, file=None) -> int:
    """Build every winning kernel on the search path (or `names`) ahead of time, so first calls
    do not wait for the C compiler. Shows progress on `file` (stderr) unless `progress` is
    false: a bar rewritten in place on a terminal, a line `[i/n] name` per kernel otherwise,
    then the total time. Returns the number of kernels built.
    """
    import time

    file = file or sys.stderr
    start = time.perf_counter()
    if names is None:
        names = [src.name for src, wins in all_kernels() if wins]
    total = len(names)
    tty = progress and hasattr(file, "isatty") and file.isatty()
    width = 30
    for i, name in enumerate(names, 1):
        if tty:
            done = width * (i - 1) // max(total, 1)
            bar = "#" * done + "." * (width - done)
            print(f"\r[{bar}] [{i}/{total}] {name:<32} {time.perf_counter() - start:5.1f} s",
                  end="", file=file, flush=True)
        elif progress:
            print(f"[{i}/{total}] {name}", file=file, flush=True)
        stdlib_kernel(name).compile()
    if progress:
        elapsed = time.perf_counter() - start
        line = f"[{total}/{total}] done: {total} kernels ready in {elapsed:.1f} s"
        print(f"\r[{'#' * width}] {line}{' ' * 20}" if tty else line, file=file, flush=True)
    return total
