"""The MLIR backend: lowered IR -> upstream MLIR -> mlir-opt / mlir-translate / opt / llc ->
the same shared-library ABI as the C backend, so the launch API calls either.

    from hologram.backends.mlir import build, upstream_mlir, find_toolchain
    lib = build(module, "saxpy")   # needs MLIR/LLVM 19 and libomp (see toolchain.py)
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "build": "hologram.backends.mlir.builder",
    "shim_source": "hologram.backends.mlir.builder",
    "upstream_mlir": "hologram.backends.mlir.lower",
    "upstream_module": "hologram.backends.mlir.lower",
    "to_llvm_ir": "hologram.backends.mlir.lower",
    "MLIR_OPT_PASSES": "hologram.backends.mlir.lower",
    "find_toolchain": "hologram.backends.mlir.toolchain",
    "have_toolchain": "hologram.backends.mlir.toolchain",
    "ToolchainMissing": "hologram.backends.mlir.toolchain",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'hologram.backends.mlir' has no attribute '{name}'")
