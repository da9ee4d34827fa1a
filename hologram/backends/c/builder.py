"""Build C through cffi (API mode), cache the result on disk, load it once per process.

    lib = build(module, "saxpy")              # emit C, compile or fetch from the cache, load
    fn = lib.function("hg_saxpy_1234abcd")    # the cffi function

* Compiler: `$CC`, else `cc`. Flags: `$HOLOGRAM_CFLAGS` (split like a shell) when set, else
  `-O3 -march=native -fopenmp -fno-math-errno`; `SEMANTIC_CFLAGS` are always added because results depend on
  them (`-ffp-contract=off`: no fused multiply-add, so f32 results match the Python reference
  bit for bit).
* cffi writes the extension module's C (`FFI.set_source` + `emit_c_code`); we run the compiler
  ourselves rather than through setuptools, so the flags are exactly ours, the compiler's
  messages are captured for `BuildError`, and a compile costs no setuptools import.
* Cache: `$HOLOGRAM_CACHE_DIR` (default `~/.cache/hologram`), one directory per key; the key is
  the sha256 of the C source, the cffi declarations, the compiler (resolved path, and its
  `--version`), the flags, and the versions of hologram, cffi and Python. An entry is built in a
  private temporary directory and renamed into place atomically, so several processes compiling
  the same kernel all succeed (the first rename wins, the others use it). `manifest.json` holds
  the sha256 of the shared object; an entry that does not match is moved aside and rebuilt, never
  loaded.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from xdsl.dialects.builtin import FileLineColLoc, ModuleOp

# -fno-math-errno changes no result (nothing reads errno) and lets gcc vectorize sqrtf.
DEFAULT_CFLAGS: tuple[str, ...] = ("-O3", "-march=native", "-fopenmp", "-fno-math-errno")
SEMANTIC_CFLAGS: tuple[str, ...] = ("-ffp-contract=off",)
LINK_FLAGS: tuple[str, ...] = ("-shared", "-fPIC")
LIBS: tuple[str, ...] = ("-lm",)
MANIFEST = "manifest.json"


class BuildError(Exception):
    """The C compiler is missing or rejected the generated code.

    `kernel` names the kernel, `location` is `file.py:line` when the compiler's message maps back
    to the Python source (through the `#line` directives), `output` is the compiler's full output.
    """

    def __init__(self, message: str, kernel: str | None = None, location: str | None = None,
                 output: str = ""):
        self.kernel = kernel
        self.location = location
        self.output = output
        super().__init__(message)


@dataclass
class Library:
    """A loaded cffi extension module built from one translation unit."""

    name: str
    path: Path
    module: ModuleType
    c_source: str
    from_cache: bool
    ffi: Any = field(init=False)
    lib: Any = field(init=False)

    def __post_init__(self) -> None:
        self.ffi = self.module.ffi
        self.lib = self.module.lib

    def function(self, symbol: str) -> Any:
        """The cffi function of a kernel or program (`c_symbol(op)`)."""
        try:
            return getattr(self.lib, symbol)
        except AttributeError:
            raise KeyError(f"{self.name}: no C function '{symbol}'") from None


# ------------------------------------------------------------------------------------------------
# Settings
# ------------------------------------------------------------------------------------------------
def compiler() -> str:
    return os.environ.get("CC") or "cc"


def cflags() -> list[str]:
    custom = os.environ.get("HOLOGRAM_CFLAGS")
    flags = shlex.split(custom) if custom is not None else list(DEFAULT_CFLAGS)
    return flags + [f for f in SEMANTIC_CFLAGS if f not in flags]


def cache_dir() -> Path:
    custom = os.environ.get("HOLOGRAM_CACHE_DIR")
    if custom:
        return Path(custom)
    return Path.home() / ".cache" / "hologram"


_identity_lock = threading.Lock()
_identities: dict[str, str] = {}


def compiler_identity(cc: str) -> str | None:
    """A description of the compiler for the cache key, or None when it does not exist.

    `--version` runs once per compiler binary: its output is remembered per process and on disk,
    keyed by the binary's path, size and mtime, so a warm start runs no compiler at all.
    """
    path = shutil.which(cc)
    if path is None:
        return None
    real = os.path.realpath(path)
    st = os.stat(real)
    stamp = f"{real}\0{st.st_size}\0{st.st_mtime_ns}"
    with _identity_lock:
        if stamp in _identities:
            return _identities[stamp]
        note = cache_dir() / "compilers" / hashlib.sha256(stamp.encode()).hexdigest()[:32]
        try:
            version = note.read_text()
        except OSError:
            try:
                run = subprocess.run([cc, "--version"], capture_output=True, text=True, timeout=60)
            except OSError:
                return None
            version = run.stdout
            _atomic_write(note, version)
        identity = f"{stamp}\0{version}"
        _identities[stamp] = identity
        return identity


def _atomic_write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # the note is an optimization only


# ------------------------------------------------------------------------------------------------
# Building
# ------------------------------------------------------------------------------------------------
_loaded: dict[str, Library] = {}
_load_lock = threading.Lock()


def build(module: ModuleOp, name_hint: str) -> Library:
    """Emit the module's C, then compile it (or fetch it from the cache) and load it."""
    from hologram.backends.c.emitter import emit_c, function_signatures

    return build_source(emit_c(module), function_signatures(module), name_hint, module)


def build_source(c_source: str, cdefs: list[str], name_hint: str,
                 module: ModuleOp | None = None) -> Library:
    """Compile C text exporting the functions declared in `cdefs` (cffi syntax)."""
    import cffi

    from hologram import __version__

    cc, flags = compiler(), cflags()
    identity = compiler_identity(cc)
    if identity is None:
        raise BuildError(
            f"cannot build kernel '{name_hint}': no C compiler '{cc}' (set $CC to a C compiler "
            f"such as gcc or clang)", kernel=name_hint)
    key_text = json.dumps([c_source, cdefs, identity, flags, __version__, cffi.__version__,
                           sys.version, sysconfig.get_config_var("EXT_SUFFIX")])
    key = hashlib.sha256(key_text.encode()).hexdigest()
    with _load_lock:
        if key in _loaded:
            return _loaded[key]
        library = _fetch_or_build(key, c_source, cdefs, name_hint, cc, flags, module)
        _loaded[key] = library
        return library


def _module_name(key: str) -> str:
    return f"_hg_{key[:24]}"


def _fetch_or_build(key: str, c_source: str, cdefs: list[str], name_hint: str, cc: str,
                    flags: list[str], module: ModuleOp | None) -> Library:
    root = cache_dir()
    entry = root / key[:2] / key
    library = _load_entry(entry, key, c_source)
    if library is not None:
        return library
    tmp_root = root / "tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=tmp_root, prefix=f"{_module_name(key)}-"))
    try:
        _compile_entry(work, key, c_source, cdefs, name_hint, cc, flags, module)
        entry.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(work, entry)
        except OSError:
            # Another process put the entry in place first (or a stale one is there); use it.
            library = _load_entry(entry, key, c_source)
            if library is not None:
                return library
            _discard(entry, root)
            os.rename(work, entry)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    library = _load_entry(entry, key, c_source, fresh=True)
    if library is None:
        raise BuildError(f"cannot load the freshly built kernel '{name_hint}' from {entry}",
                         kernel=name_hint)
    return library


def _compile_entry(work: Path, key: str, c_source: str, cdefs: list[str], name_hint: str,
                   cc: str, flags: list[str], module: ModuleOp | None) -> None:
    import cffi
    from cffi.recompiler import make_c_source

    name = _module_name(key)
    ffi = cffi.FFI()
    ffi.cdef("\n".join(cdefs))
    ffi.set_source(name, c_source)
    c_path = work / f"{name}.c"
    # What `ffi.emit_c_code` does, without its "generating ..." print.
    make_c_source(ffi, name, c_source, str(c_path), verbose=False)
    so_path = work / f"{name}{sysconfig.get_config_var('EXT_SUFFIX')}"
    command = [cc, *flags, *LINK_FLAGS, f"-I{sysconfig.get_paths()['include']}",
               str(c_path), "-o", str(so_path), *LIBS]
    try:
        _run_compiler(command, name_hint, module, work)
    except BuildError as err:
        if "internal compiler error" not in err.output:
            raise
        # A compiler crash (seen with gcc 12 on `declare simd` libm functions in simd loops):
        # build again with scalar libm calls, which is correct, only slower.
        from hologram.backends.c.emitter import without_simd_declarations

        scalar = without_simd_declarations(c_source)
        if scalar == c_source:
            raise
        ffi = cffi.FFI()
        ffi.cdef("\n".join(cdefs))
        ffi.set_source(name, scalar)
        make_c_source(ffi, name, scalar, str(c_path), verbose=False)
        _run_compiler(command, name_hint, module, work)
    manifest = {
        "key": key,
        "module": name,
        "shared_object": so_path.name,
        "sha256": _sha256_file(so_path),
        "size": so_path.stat().st_size,
        "source_sha256": hashlib.sha256(c_source.encode()).hexdigest(),
        "compiler": cc,
        "flags": flags,
        "kernel": name_hint,
    }
    (work / MANIFEST).write_text(json.dumps(manifest, indent=1))


def _run_compiler(command: list[str], name_hint: str, module: ModuleOp | None, cwd: Path) -> None:
    try:
        run = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=600)
    except FileNotFoundError:
        raise BuildError(
            f"cannot build kernel '{name_hint}': no C compiler '{command[0]}' (set $CC to a C "
            f"compiler such as gcc or clang)", kernel=name_hint) from None
    if run.returncode != 0:
        raise _compile_error(run.stderr + run.stdout, name_hint, module)


_DIAGNOSTIC = re.compile(
    r"^(?P<file>[^\n:]+):(?P<line>\d+):(?:(?P<col>\d+):)?\s*"
    r"(?:fatal error|internal compiler error|error):\s*(?P<msg>.*)$",
    re.M,
)


def _compile_error(output: str, name_hint: str, module: ModuleOp | None) -> BuildError:
    """Turn the compiler's output into a BuildError naming the kernel and the Python line."""
    match = _DIAGNOSTIC.search(output)
    if match is None:
        tail = "\n".join(output.strip().splitlines()[-10:])
        return BuildError(f"the C compiler failed on kernel '{name_hint}':\n{tail}",
                          kernel=name_hint, output=output)
    file, line, msg = match["file"], int(match["line"]), match["msg"]
    kernel = _kernel_at(module, file, line) or name_hint
    location = f"{file}:{line}"
    text = f"{location}: the C compiler rejected kernel '{kernel}': {msg}"
    source_line = _source_line(file, line)
    if source_line:
        text += f"\n    {source_line.strip()}"
    return BuildError(text, kernel=kernel, location=location, output=output)


def _kernel_at(module: ModuleOp | None, file: str, line: int) -> str | None:
    """The kernel whose definition is the last one at or above `file:line`."""
    if module is None:
        return None
    from hologram.dialects.hologram import KernelOp

    best: tuple[int, str] | None = None
    for op in module.ops:
        loc = op.location
        if isinstance(op, KernelOp) and isinstance(loc, FileLineColLoc):
            if loc.filename.data == file and loc.line.data <= line:
                if best is None or loc.line.data > best[0]:
                    best = (loc.line.data, op.kernel_name)
    return best[1] if best else None


def _source_line(file: str, line: int) -> str | None:
    try:
        with open(file, encoding="utf-8") as f:
            for number, text in enumerate(f, 1):
                if number == line:
                    return text
    except OSError:
        return None
    return None


# ------------------------------------------------------------------------------------------------
# The cache
# ------------------------------------------------------------------------------------------------
def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _load_entry(entry: Path, key: str, c_source: str, fresh: bool = False) -> Library | None:
    """Load a cache entry after checking it against its manifest; None when absent or corrupt."""
    try:
        manifest = json.loads((entry / MANIFEST).read_text())
        so_path = entry / manifest["shared_object"]
        valid = (
            manifest["key"] == key
            and so_path.stat().st_size == manifest["size"]
            and _sha256_file(so_path) == manifest["sha256"]
        )
    except FileNotFoundError:
        if not entry.exists():
            return None
        valid = False
    except (OSError, ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        _discard(entry, cache_dir())
        return None
    name = manifest["module"]
    loader = importlib.machinery.ExtensionFileLoader(name, str(so_path))
    spec = importlib.util.spec_from_file_location(name, so_path, loader=loader)
    assert spec is not None
    ext = importlib.util.module_from_spec(spec)
    try:
        loader.exec_module(ext)
    except ImportError:
        # Unloadable despite a matching checksum (e.g. written by an incompatible build).
        _discard(entry, cache_dir())
        return None
    return Library(name=name, path=so_path, module=ext, c_source=c_source, from_cache=not fresh)


def _discard(entry: Path, root: Path) -> None:
    """Move a bad entry out of the way (atomically), then delete it."""
    if not entry.exists():
        return
    graveyard = root / "tmp"
    graveyard.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(dir=graveyard, prefix="corrupt-"))
    try:
        os.rename(entry, target / "entry")
    except OSError:
        pass  # someone else moved it already
    shutil.rmtree(target, ignore_errors=True)


# ------------------------------------------------------------------------------------------------
# Plain shared libraries (hologram-compile --emit so)
# ------------------------------------------------------------------------------------------------
def build_shared_library(module: ModuleOp, out_path: str | os.PathLike[str],
                         name_hint: str = "module") -> Path:
    """Compile the module's C into a plain shared library (no Python inside) at `out_path`.

    Its exported functions are the `c_symbol` names with the kernel C ABI (arrays as `T*`,
    scalars, then `int64_t grid`).
    """
    from hologram.backends.c.emitter import emit_c

    out = Path(out_path)
    cc = compiler()
    if compiler_identity(cc) is None:
        raise BuildError(
            f"cannot build '{name_hint}': no C compiler '{cc}' (set $CC to a C compiler such as "
            f"gcc or clang)", kernel=name_hint)
    with tempfile.TemporaryDirectory(prefix="hologram-so-") as work:
        c_path = Path(work) / f"{out.stem or 'module'}.c"
        c_path.write_text(emit_c(module))
        tmp_out = Path(work) / "out.so"
        _run_compiler([cc, *cflags(), *LINK_FLAGS, str(c_path), "-o", str(tmp_out), *LIBS],
                      name_hint, module, Path(work))
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp_out, out)
    return out
