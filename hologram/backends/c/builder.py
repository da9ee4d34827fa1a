"""Build C into extension modules, cache them on disk, load each once per process.

    lib = build_kernels(c_source, specs, "saxpy", module)  # kernels + C launchers (launcher.py)
    lib.module.launch_0(x, y, 2.0, n)
    lib = build(module, "program")                         # cffi (API mode), for programs
    fn = lib.function("hg_saxpy_1234abcd")                 # the cffi function

* Compiler: `$CC` (split like a shell, so `CC="ccache gcc"` works), else `cc`. Flags:
  `$HOLOGRAM_CFLAGS` (split like a shell) when set, else `-O3 -march=native -fopenmp
  -fno-math-errno`; `SEMANTIC_CFLAGS` are always added because results depend on them
  (`-ffp-contract=off`: no fused multiply-add, so f32 results match the Python reference).
* We run the compiler ourselves (no setuptools): the flags are exactly ours and its messages
  are captured for `BuildError`.
* Cache: `$HOLOGRAM_CACHE_DIR` (default `~/.cache/hologram`), private to the user (mode 0700;
  see docs/backend.md for the trust model). An entry is one directory per key, built in a
  private temporary directory and renamed into place atomically, so processes building the
  same kernel at once all succeed. `manifest.json` holds the sha256 of the shared object and,
  for kernels, everything the launch needs; an entry that does not match is moved aside and
  rebuilt, never loaded.
* The index (`index/`) maps what determines a result before any compiling (a kernel file's
  text, the pipeline, the settings: `settings_fingerprint()`) to an entry, so a warm start
  reads two small files and loads the `.so`: no xDSL, no parsing, no C emission.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import re
import stat
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xdsl.dialects.builtin import ModuleOp

    from hologram.backends.c.launcher import KernelSpec

# -fno-math-errno changes no result (nothing reads errno) and lets gcc vectorize sqrtf.
DEFAULT_CFLAGS: tuple[str, ...] = ("-O3", "-march=native", "-fopenmp", "-fno-math-errno")
SEMANTIC_CFLAGS: tuple[str, ...] = ("-ffp-contract=off",)
LINK_FLAGS: tuple[str, ...] = ("-shared", "-fPIC")
LIBS: tuple[str, ...] = ("-lm",)
MANIFEST = "manifest.json"
EXT_SUFFIX: str = importlib.machinery.EXTENSION_SUFFIXES[0]
# The module name placeholder in a kernel library's C before its key is known.
_MODULE_PLACEHOLDER = "HG_MODULE_NAME"


class BuildError(Exception):
    """The C compiler is missing or rejected the generated code, or the build settings are
    unusable.

    `kernel` names the kernel, `location` is `file.py:line` when the compiler's message maps back
    to the Python source (through the `#line` directives), `output` is the compiler's full output.
    """

    def __init__(self, message: str, kernel: str | None = None, location: str | None = None,
                 output: str = ""):
        self.kernel = kernel
        self.location = location
        self.output = output
        super().__init__(message)


class CacheWarning(UserWarning):
    """The kernel cache cannot be used as configured; a private temporary one is used."""


@dataclass
class Library:
    """A loaded extension module built from one translation unit."""

    name: str
    path: Path
    module: ModuleType
    c_source: str
    from_cache: bool
    manifest: dict = field(default_factory=dict)
    ffi: Any = field(init=False)
    lib: Any = field(init=False)

    def __post_init__(self) -> None:
        self.ffi = getattr(self.module, "ffi", None)
        self.lib = getattr(self.module, "lib", self.module)

    def function(self, symbol: str) -> Any:
        """The cffi function of a kernel or program (`c_symbol(op)`)."""
        try:
            return getattr(self.lib, symbol)
        except AttributeError:
            raise KeyError(f"{self.name}: no C function '{symbol}'") from None


# ------------------------------------------------------------------------------------------------
# Settings
# ------------------------------------------------------------------------------------------------
def _split(variable: str, value: str) -> list[str]:
    import shlex

    try:
        return shlex.split(value)
    except ValueError as err:
        raise BuildError(f"${variable} cannot be split like a shell command line ({err}): "
                         f"{value!r}; fix its quotes") from None


def compiler_command() -> list[str]:
    """`$CC` split like a shell (a compiler and leading arguments), else `["cc"]`."""
    words = _split("CC", os.environ.get("CC") or "")
    return words or ["cc"]


def compiler() -> str:
    """The compiler executable (the first word of `$CC`)."""
    return compiler_command()[0]


def cflags() -> list[str]:
    custom = os.environ.get("HOLOGRAM_CFLAGS")
    flags = _split("HOLOGRAM_CFLAGS", custom) if custom is not None else list(DEFAULT_CFLAGS)
    return flags + [f for f in SEMANTIC_CFLAGS if f not in flags]


def _no_compiler(cc: str, what: str) -> BuildError:
    return BuildError(f"cannot build {what}: no C compiler '{cc}' (set $CC to a C compiler "
                      f"such as gcc or clang)")


# ------------------------------------------------------------------------------------------------
# The cache directory and its trust model (docs/backend.md)
# ------------------------------------------------------------------------------------------------
def configured_cache_dir() -> Path:
    custom = os.environ.get("HOLOGRAM_CACHE_DIR")
    if custom:
        return Path(custom)
    return Path.home() / ".cache" / "hologram"


def _unsafe(path: Path, st: os.stat_result) -> str | None:
    """Why a cache path must not be trusted (another owner, writable by others), or None."""
    getuid = getattr(os, "getuid", None)
    if getuid is not None and st.st_uid != getuid():
        return f"{path} is owned by uid {st.st_uid}, not by the current user"
    if st.st_mode & 0o022:
        return f"{path} is writable by group or others (mode {stat.S_IMODE(st.st_mode):o})"
    return None


_roots: dict[str, Path] = {}
_root_lock = threading.Lock()
_private_roots: list[Path] = []


def _private_root(reason: str) -> Path:
    import atexit
    import tempfile

    if not _private_roots:
        atexit.register(_remove_private_roots)
    path = Path(tempfile.mkdtemp(prefix="hologram-cache-"))  # mode 0700
    (path / "tmp").mkdir(mode=0o700)
    _private_roots.append(path)
    warnings.warn(f"hologram: {reason}; kernels are built in the private temporary directory "
                  f"{path} for this process instead (set $HOLOGRAM_CACHE_DIR to a directory of "
                  f"your own)", CacheWarning, stacklevel=4)
    return path


def _remove_private_roots() -> None:
    import shutil

    for path in _private_roots:
        shutil.rmtree(path, ignore_errors=True)


def _prepare_root(root: Path) -> str | None:
    """Create the cache (0700) or check the existing one; the problem, or None when usable."""
    try:
        _mkdir_private(root)
        st = os.stat(root)
        if not stat.S_ISDIR(st.st_mode):
            return f"the cache path {root} is not a directory"
        problem = _unsafe(root, st)
        if problem is not None:
            return f"the kernel cache is not private: {problem}"
        if stat.S_IMODE(st.st_mode) != 0o700:
            os.chmod(root, 0o700)
        tmp = root / "tmp"
        tmp.mkdir(mode=0o700, exist_ok=True)
        if not tmp.is_dir() or tmp.is_symlink():
            return f"{tmp} is not a directory"
        problem = _unsafe(tmp, os.lstat(tmp))
        if problem is not None:
            return f"the kernel cache is not private: {problem}"
        probe = tmp / f".probe-{os.getpid()}-{threading.get_ident()}"
        os.close(os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        os.unlink(probe)
    except OSError as err:
        return f"the kernel cache {root} cannot be used ({err.strerror or err})"
    return None


def cache_dir() -> Path:
    """The usable cache root: `configured_cache_dir()` once checked (created 0700, owned by the
    user, not writable by others, a writable `tmp/`), else a private temporary directory for
    this process with a `CacheWarning`. Decided once per process and configured path."""
    configured = configured_cache_dir()
    key = str(configured)
    root = _roots.get(key)
    if root is not None:
        return root
    with _root_lock:
        root = _roots.get(key)
        if root is None:
            problem = _prepare_root(configured)
            root = configured if problem is None else _private_root(problem)
            _roots[key] = root
        return root


def _distrust(path: Path, problem: str) -> None:
    """An untrusted cache entry: stop using the configured cache for the rest of the process."""
    configured = str(configured_cache_dir())
    with _root_lock:
        if _roots.get(configured) not in _private_roots:
            _roots[configured] = _private_root(f"the kernel cache holds an entry that is not "
                                               f"private ({problem})")


def _mkdir_private(path: Path) -> None:
    """mkdir -p with mode 0700 for every directory it creates (`parents=True` would give the
    parents the default mode)."""
    if path.is_dir():
        return
    _mkdir_private(path.parent)
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass


def _which(cc: str) -> str | None:
    """`shutil.which` without importing shutil (the warm start avoids it)."""
    if os.sep in cc:
        return cc if os.path.isfile(cc) and os.access(cc, os.X_OK) else None
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        candidate = os.path.join(folder or ".", cc)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


_identity_lock = threading.Lock()
_identities: dict[str, str] = {}


def compiler_identity(cc: str) -> str | None:
    """A description of the compiler for the cache key, or None when it does not exist.

    `--version` runs once per compiler binary: its output is remembered per process and on disk,
    keyed by the binary's path, size and mtime, so a warm start runs no compiler at all.
    """
    path = _which(cc)
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
            version = note.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            import subprocess

            try:
                run = subprocess.run([cc, "--version"], capture_output=True, text=True,
                                     errors="replace", timeout=60)
            except (OSError, subprocess.SubprocessError):
                return None
            version = run.stdout
            _atomic_write(note, version)
        identity = f"{stamp}\0{version}"
        _identities[stamp] = identity
        return identity


def _atomic_write(path: Path, text: str) -> None:
    import tempfile

    try:
        _mkdir_private(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # notes and index entries are optimizations only


def _package_stamp() -> str:
    """Hologram's version and the size and mtime of each of its modules: an edited checkout
    (editable install) invalidates the index, not only a new version."""
    from hologram import __version__

    package = Path(__file__).resolve().parents[2]
    parts = [__version__]
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                parts.append(f"{os.path.relpath(os.path.join(folder, name), package)}:"
                             f"{st.st_size}:{st.st_mtime_ns}")
    xdsl = importlib.util.find_spec("xdsl")  # located, not imported
    if xdsl is not None and xdsl.origin:
        st = os.stat(xdsl.origin)
        parts.append(f"xdsl:{xdsl.origin}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


_fingerprints: dict[tuple[str, str | None], str] = {}


def settings_fingerprint(name_hint: str | None = None) -> str:
    """Everything besides the source that determines a build: the compiler (path, size,
    mtime, `--version`), the flags, the versions of Hologram (and its modules' stamps), xDSL,
    numpy, cffi and Python. Raises BuildError when the compiler or the flags are unusable."""
    memo = (os.environ.get("CC") or "", os.environ.get("HOLOGRAM_CFLAGS"))
    known = _fingerprints.get(memo)
    if known is not None:
        return known
    import numpy

    command, flags = compiler_command(), cflags()
    identity = compiler_identity(command[0])
    if identity is None:
        err = _no_compiler(command[0], f"kernel '{name_hint}'" if name_hint else "kernels")
        err.kernel = name_hint
        raise err
    text = json.dumps([identity, command[1:], flags, _package_stamp(), numpy.__version__,
                       _cffi_version(), sys.version, EXT_SUFFIX])
    fingerprint = hashlib.sha256(text.encode()).hexdigest()
    _fingerprints[memo] = fingerprint
    return fingerprint


def _cffi_version() -> str:
    spec = importlib.util.find_spec("_cffi_backend")
    return spec.origin or "" if spec is not None else ""


# ------------------------------------------------------------------------------------------------
# Building
# ------------------------------------------------------------------------------------------------
_loaded: dict[str, Library] = {}
_load_lock = threading.Lock()


def build(module: ModuleOp, name_hint: str) -> Library:
    """Emit the module's C, then compile it through cffi (or fetch it from the cache) and load
    it. Used for programs (`hologram.jit`); kernels go through `build_kernels`."""
    from hologram.backends.c.emitter import emit_c, function_signatures

    return build_source(emit_c(module), function_signatures(module), name_hint, module)


def build_source(c_source: str, cdefs: list[str], name_hint: str,
                 module: ModuleOp | None = None) -> Library:
    """Compile C text exporting the functions declared in `cdefs` (cffi syntax)."""
    import cffi

    command, flags = compiler_command(), cflags()
    fingerprint = settings_fingerprint(name_hint)
    key = _sha256(["cffi", c_source, cdefs, fingerprint, cffi.__version__])

    def write_c(work: Path, name: str, text: str) -> Path:
        from cffi.recompiler import make_c_source

        ffi = cffi.FFI()
        ffi.cdef("\n".join(cdefs))
        ffi.set_source(name, text)
        c_path = work / f"{name}.c"
        # What `ffi.emit_c_code` does, without its "generating ..." print.
        make_c_source(ffi, name, text, str(c_path), verbose=False)
        return c_path

    return _cached(key, c_source, write_c, name_hint, command, flags, module, [], {})


def build_kernels(c_source: str, specs: list[KernelSpec], name_hint: str,
                  module: ModuleOp | None = None, index_key: str | None = None) -> Library:
    """Compile the kernels' C with a C launcher per kernel (`launcher.py`) into an extension
    module, or fetch it from the cache, and load it. `index_key` (from `index_key()`) is then
    recorded in the index, so the next process finds the entry without emitting C."""
    import numpy

    from hologram.backends.c.launcher import launcher_source

    command, flags = compiler_command(), cflags()
    fingerprint = settings_fingerprint(name_hint)
    text = c_source + "\n" + launcher_source(specs, _MODULE_PLACEHOLDER)
    key = _sha256(["kernels", text, fingerprint])
    includes = [f"-I{numpy.get_include()}"]

    def write_c(work: Path, name: str, text: str) -> Path:
        c_path = work / f"{name}.c"
        c_path.write_text(text.replace(_MODULE_PLACEHOLDER, name), encoding="utf-8")
        return c_path

    extra = {"kernels": [s.to_json() for s in specs]}
    library = _cached(key, text, write_c, name_hint, command, flags, module, includes, extra)
    if index_key is not None:
        index_store(index_key, key)
    return library


def _sha256(parts: list) -> str:
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _module_name(key: str) -> str:
    return f"_hg_{key[:24]}"


def _entry_path(key: str) -> Path:
    return cache_dir() / key[:2] / key


def _cached(key: str, c_source: str, write_c: Callable[[Path, str, str], Path], name_hint: str,
            command: list[str], flags: list[str], module: ModuleOp | None, includes: list[str],
            extra: dict, libs: Sequence[str] = LIBS) -> Library:
    """The library of entry `key`: loaded, fetched from the cache or built (`write_c` writes
    the sources into the build directory; `libs` follow them on the link line)."""
    with _load_lock:
        if key in _loaded:
            return _loaded[key]
        library = _fetch_or_build(key, c_source, write_c, name_hint, command, flags, module,
                                  includes, extra, libs)
        _loaded[key] = library
        return library


def _fetch_or_build(key: str, c_source: str, write_c: Callable[[Path, str, str], Path],
                    name_hint: str, command: list[str], flags: list[str], module: ModuleOp | None,
                    includes: list[str], extra: dict, libs: Sequence[str] = LIBS) -> Library:
    import shutil
    import tempfile

    entry = _entry_path(key)
    manifest = _valid_manifest(entry, key)
    library = _load(entry, manifest, c_source) if manifest is not None else None
    if library is not None:
        return library
    entry = _entry_path(key)  # the cache may have been replaced by a private one
    root = entry.parent.parent
    try:
        work = Path(tempfile.mkdtemp(dir=root / "tmp", prefix=f"{_module_name(key)}-"))
    except OSError as err:
        raise BuildError(f"cannot build kernel '{name_hint}': no room to build in "
                         f"{root / 'tmp'} ({err.strerror or err}); check $HOLOGRAM_CACHE_DIR",
                         kernel=name_hint) from None
    try:
        _compile_entry(work, key, c_source, write_c, name_hint, command, flags, module,
                       includes, extra, libs)
        _mkdir_private(entry.parent)
        try:
            os.rename(work, entry)
        except OSError:
            # Another process put the entry in place first (or a stale one is there); use it.
            manifest = _valid_manifest(entry, key)
            library = _load(entry, manifest, c_source) if manifest is not None else None
            if library is not None:
                return library
            _discard(entry)
            os.rename(work, entry)
    except OSError as err:
        raise BuildError(f"cannot build kernel '{name_hint}' in {root}: {err}; check "
                         f"$HOLOGRAM_CACHE_DIR", kernel=name_hint) from None
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    manifest = _valid_manifest(entry, key)
    problem: list[str] = []
    library = _load(entry, manifest, c_source, fresh=True, problem=problem) if manifest else None
    if library is None:
        why = problem[0] if problem else "its manifest does not match"
        raise BuildError(
            f"cannot load the library just built for kernel '{name_hint}' ({why}); the "
            f"compiler command was: {' '.join(command + flags)} ... (check $CC and "
            f"$HOLOGRAM_CFLAGS: they must produce a shared library)", kernel=name_hint)
    return library


def _compile_entry(work: Path, key: str, c_source: str,
                   write_c: Callable[[Path, str, str], Path], name_hint: str, command: list[str],
                   flags: list[str], module: ModuleOp | None, includes: list[str],
                   extra: dict, libs: Sequence[str] = LIBS) -> None:
    import sysconfig

    name = _module_name(key)
    c_path = write_c(work, name, c_source)
    so_path = work / f"{name}{EXT_SUFFIX}"
    argv = [*command, *flags, *LINK_FLAGS, f"-I{sysconfig.get_paths()['include']}", *includes,
            str(c_path), "-o", str(so_path), *libs]
    try:
        _run_compiler(argv, name_hint, module, work)
    except BuildError as err:
        if "internal compiler error" not in err.output:
            raise
        # A compiler crash (seen with gcc 12 on `declare simd` libm functions in simd loops):
        # build again with scalar libm calls, which is correct, only slower.
        from hologram.backends.c.emitter import without_simd_declarations

        scalar = without_simd_declarations(c_source)
        if scalar == c_source:
            raise
        write_c(work, name, scalar)
        _run_compiler(argv, name_hint, module, work)
    if not so_path.is_file():
        raise BuildError(
            f"cannot build kernel '{name_hint}': the C compiler '{command[0]}' succeeded but "
            f"wrote no shared library {so_path.name} (is $CC a C compiler such as gcc or clang?)",
            kernel=name_hint)
    manifest = {
        "key": key,
        "module": name,
        "shared_object": so_path.name,
        "sha256": _sha256_file(so_path),
        "size": so_path.stat().st_size,
        "source_sha256": hashlib.sha256(c_source.encode()).hexdigest(),
        "compiler": command,
        "flags": flags,
        "kernel": name_hint,
        **extra,
    }
    (work / MANIFEST).write_text(json.dumps(manifest, indent=1))


def _run_compiler(command: list[str], name_hint: str, module: ModuleOp | None, cwd: Path) -> None:
    import subprocess

    try:
        run = subprocess.run(command, capture_output=True, text=True, errors="replace", cwd=cwd,
                             timeout=600)
    except (FileNotFoundError, PermissionError):
        raise _no_compiler(command[0], f"kernel '{name_hint}'") from None
    except OSError as err:
        raise BuildError(f"cannot build kernel '{name_hint}': running the C compiler "
                         f"'{command[0]}' failed ({err}); set $CC to a C compiler such as gcc or "
                         f"clang", kernel=name_hint) from None
    except subprocess.TimeoutExpired:
        raise BuildError(f"cannot build kernel '{name_hint}': the C compiler ran for more than "
                         f"10 minutes", kernel=name_hint) from None
    if run.returncode != 0:
        output = run.stderr + run.stdout
        if not output.strip():
            raise BuildError(
                f"cannot build kernel '{name_hint}': the C compiler '{command[0]}' failed with "
                f"exit status {run.returncode} and printed nothing (is $CC a C compiler such as "
                f"gcc or clang?)", kernel=name_hint)
        raise _compile_error(output, name_hint, module)


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
    from xdsl.dialects.builtin import FileLineColLoc

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
    except (OSError, UnicodeDecodeError):
        return None
    return None


# ------------------------------------------------------------------------------------------------
# Entries: checked before loading, discarded when wrong
# ------------------------------------------------------------------------------------------------
def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _valid_manifest(entry: Path, key: str) -> dict | None:
    """The entry's manifest when the entry is present, private, and its `.so` matches the
    manifest's size and sha256; None otherwise (a damaged entry is discarded)."""
    try:
        st = os.lstat(entry)
    except OSError:
        return None
    try:
        problem = _unsafe(entry, st) if stat.S_ISDIR(st.st_mode) else f"{entry} is not a directory"
        manifest_path = entry / MANIFEST
        problem = problem or _unsafe(manifest_path, os.lstat(manifest_path))
        manifest = json.loads(manifest_path.read_text())
        so_path = entry / manifest["shared_object"]
        so_st = os.lstat(so_path)
        problem = problem or _unsafe(so_path, so_st)
        if problem is not None:
            _distrust(entry, problem)
            return None
        valid = (
            manifest["key"] == key
            and manifest["module"] == _module_name(key)
            and manifest["shared_object"] == f"{_module_name(key)}{EXT_SUFFIX}"
            and stat.S_ISREG(so_st.st_mode)
            and so_st.st_size == manifest["size"]
            and _sha256_file(so_path) == manifest["sha256"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        _discard(entry)
        return None
    return manifest


def _load(entry: Path, manifest: dict, c_source: str, fresh: bool = False,
          problem: list[str] | None = None) -> Library | None:
    """Import a checked entry's module; None (and the entry discarded) when it cannot be."""
    name = manifest["module"]
    so_path = entry / manifest["shared_object"]
    try:
        loader = importlib.machinery.ExtensionFileLoader(name, str(so_path))
        spec = importlib.util.spec_from_file_location(name, so_path, loader=loader)
        if spec is None:
            raise ImportError(f"no module spec for {so_path}")
        ext = importlib.util.module_from_spec(spec)
        loader.exec_module(ext)
    except (ImportError, OSError) as err:
        # Unloadable despite a matching checksum (built with flags that do not make a shared
        # library, a manifest naming another module, an incompatible interpreter).
        if problem is not None:
            problem.append(str(err))
        _discard(entry)
        return None
    return Library(name=name, path=so_path, module=ext, c_source=c_source, from_cache=not fresh,
                   manifest=manifest)


def _discard(entry: Path) -> None:
    """Move a bad entry out of the way (atomically), then delete it."""
    import shutil
    import tempfile

    if not os.path.lexists(entry):
        return
    try:
        target = Path(tempfile.mkdtemp(dir=entry.parent.parent / "tmp", prefix="corrupt-"))
    except OSError:
        return
    try:
        os.rename(entry, target / "entry")
    except OSError:
        pass  # someone else moved it already
    shutil.rmtree(target, ignore_errors=True)


# ------------------------------------------------------------------------------------------------
# The index: a warm start without the compiler
# ------------------------------------------------------------------------------------------------
def index_key(parts: list) -> str:
    """The index key of a compilation unit: `parts` (its source text, kernel names, pipeline)
    and `settings_fingerprint()`. Never a path: a moved project keeps its entries."""
    return _sha256(["index-v1", parts, settings_fingerprint()])


def _index_path(key: str) -> Path:
    return cache_dir() / "index" / key[:2] / f"{key}.json"


def index_store(key: str, entry_key: str) -> None:
    _atomic_write(_index_path(key), json.dumps({"entry": entry_key}))


def index_lookup(key: str) -> dict | None:
    """The checked manifest of the entry the index holds for `key`, or None (absent, stale,
    damaged or untrusted: the caller then builds, which rewrites the index)."""
    path = _index_path(key)
    try:
        st = os.lstat(path)
        problem = _unsafe(path, st)
        if problem is not None:
            _distrust(path, problem)
            return None
        entry_key = json.loads(path.read_text())["entry"]
        if not isinstance(entry_key, str) or not re.fullmatch(r"[0-9a-f]{64}", entry_key):
            raise ValueError("bad entry key")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        try:
            os.unlink(path)
        except OSError:
            pass
        return None
    manifest = _valid_manifest(_entry_path(entry_key), entry_key)
    if manifest is None or "kernels" not in manifest:
        return None
    return manifest


def load_indexed(manifest: dict) -> Library | None:
    """Load the entry of a manifest from `index_lookup` (once per process); None when it
    cannot be loaded (it is then discarded)."""
    key = manifest["key"]
    with _load_lock:
        if key in _loaded:
            return _loaded[key]
        library = _load(_entry_path(key), manifest, "")
        if library is not None:
            _loaded[key] = library
        return library


# ------------------------------------------------------------------------------------------------
# Plain shared libraries (hologram-compile --emit so)
# ------------------------------------------------------------------------------------------------
def build_shared_library(module: ModuleOp, out_path: str | os.PathLike[str],
                         name_hint: str = "module") -> Path:
    """Compile the module's C into a plain shared library (no Python inside) at `out_path`.

    Its exported functions are the `c_symbol` names with the kernel C ABI (arrays as `T*`,
    scalars, then `int64_t grid`).
    """
    import shutil
    import tempfile

    from hologram.backends.c.emitter import emit_c

    out = Path(out_path)
    command = compiler_command()
    if compiler_identity(command[0]) is None:
        raise _no_compiler(command[0], f"'{name_hint}'")
    with tempfile.TemporaryDirectory(prefix="hologram-so-") as work:
        c_path = Path(work) / f"{out.stem or 'module'}.c"
        c_path.write_text(emit_c(module), encoding="utf-8")
        tmp_out = Path(work) / "out.so"
        _run_compiler([*command, *cflags(), *LINK_FLAGS, str(c_path), "-o", str(tmp_out), *LIBS],
                      name_hint, module, Path(work))
        if not tmp_out.is_file():
            raise BuildError(f"cannot build '{name_hint}': the C compiler '{command[0]}' wrote "
                             f"no shared library (is $CC a C compiler such as gcc or clang?)")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp_out, out)
    return out
