"""Finding the upstream MLIR/LLVM tools the MLIR backend runs.

The backend needs `mlir-opt`, `mlir-translate`, `opt` and `llc` of one LLVM release (19 is the
one tested) and LLVM's OpenMP runtime `libomp` (the OpenMP dialect lowers to its `__kmpc_*`
calls). They are looked up, in order:

1. `$HOLOGRAM_MLIR_BIN`: a directory holding the four tools (e.g. `/usr/lib/llvm-19/bin`);
2. the directory of `mlir-opt-19` or `mlir-opt` on `PATH`, resolved through symlinks, so
   `/usr/bin/mlir-opt-19` gives Debian's `/usr/lib/llvm-19/bin` and its own `llc` (the `llc`
   first on `PATH` may be an older release);
3. `/usr/lib/llvm-19/bin`.

`libomp.so` is taken from `<bin>/../lib`. When something is missing, `ToolchainMissing` says
what and how to install it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hologram.backends.c.builder import BuildError

TOOLS = ("mlir-opt", "mlir-translate", "opt", "llc")
DEFAULT_DIRS = ("/usr/lib/llvm-19/bin",)
INSTALL_HINT = (
    "install MLIR and LLVM 19 with OpenMP (Debian/Ubuntu: `apt-get install mlir-19-tools llvm-19 "
    "libomp-19-dev`), or set $HOLOGRAM_MLIR_BIN to the directory that holds mlir-opt, "
    "mlir-translate, opt and llc"
)


class ToolchainMissing(BuildError):
    """The MLIR backend's tools (or libomp) are not installed where Hologram looks."""


@dataclass(frozen=True)
class Toolchain:
    bin_dir: Path
    libomp_dir: Path

    def tool(self, name: str) -> str:
        return str(self.bin_dir / name)

    def host_triple(self) -> str:
        """The target triple `llc` defaults to. `opt` needs it spelled out: mlir-translate's
        module names no target, and without one opt's cost model sees no vector registers and
        vectorizes nothing (saxpy on 100k floats ran 15x slower)."""
        return _default_triple(self.tool("llc"))

    def identity(self) -> str:
        """Paths, sizes and modification times of the tools and libomp, for the cache key."""
        parts = []
        for path in [*(self.bin_dir / t for t in TOOLS), self.libomp_dir / "libomp.so"]:
            real = os.path.realpath(path)
            st = os.stat(real)
            parts.append(f"{real}:{st.st_size}:{st.st_mtime_ns}")
        return "\0".join(parts)


@cache
def _default_triple(llc: str) -> str:
    try:
        out = subprocess.run([llc, "--version"], capture_output=True, text=True, timeout=60).stdout
    except OSError as err:
        raise ToolchainMissing(f"cannot run {llc}: {err}") from None
    match = re.search(r"Default target:\s*(\S+)", out)
    if match is None:
        raise ToolchainMissing(f"{llc} --version names no default target")
    return match.group(1)


def _candidate_dirs() -> list[Path]:
    custom = os.environ.get("HOLOGRAM_MLIR_BIN")
    if custom:
        return [Path(custom)]
    dirs: list[Path] = []
    for name in ("mlir-opt-19", "mlir-opt"):
        found = shutil.which(name)
        if found:
            dirs.append(Path(os.path.realpath(found)).parent)
    dirs.extend(Path(d) for d in DEFAULT_DIRS)
    return dirs


def find_toolchain() -> Toolchain:
    """The tools the MLIR backend runs, or `ToolchainMissing` naming what is absent."""
    tried = []
    for directory in _candidate_dirs():
        missing = [t for t in TOOLS if not os.access(directory / t, os.X_OK)]
        if missing:
            tried.append(f"{directory} (no {', '.join(missing)})")
            continue
        libdir = directory.parent / "lib"
        if not (libdir / "libomp.so").exists():
            tried.append(f"{directory} (no libomp.so in {libdir})")
            continue
        return Toolchain(directory, libdir)
    where = "; ".join(tried) if tried else "nowhere to look"
    raise ToolchainMissing(f"the MLIR backend needs mlir-opt, mlir-translate, opt, llc and "
                           f"libomp; tried {where}. To use it, {INSTALL_HINT}")


def have_toolchain() -> bool:
    try:
        find_toolchain()
    except ToolchainMissing:
        return False
    return True
