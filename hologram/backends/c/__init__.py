"""The C backend: IR -> C99 with OpenMP (`emitter`), cffi build and disk cache (`builder`).

    from hologram.backends.c import emit_c, build
    source = emit_c(module)                  # whole translation unit
    lib = build(module, "saxpy")             # cached, loaded once per process
    fn = lib.function(c_symbol(kernel_op))   # the cffi function
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "emit_c": "hologram.backends.c.emitter",
    "c_symbol": "hologram.backends.c.emitter",
    "c_prelude": "hologram.backends.c.emitter",
    "EmitError": "hologram.backends.c.emitter",
    "build": "hologram.backends.c.builder",
    "build_shared_library": "hologram.backends.c.builder",
    "Library": "hologram.backends.c.builder",
    "BuildError": "hologram.backends.c.builder",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'hologram.backends.c' has no attribute '{name}'")
