"""Hologram: a multi-pass kernel compiler for data-parallel Python kernels.

    import hologram
    from hologram.lang import DeviceArray, f32, u32, get_global_id

    @hologram.kernel
    def saxpy(x: DeviceArray[f32], y: DeviceArray[f32], a: f32, n: u32):
        idx = get_global_id()
        if idx < n:
            y[idx] = a * x[idx] + y[idx]
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# Public names, imported on first use so `import hologram` stays cheap.
_LAZY = {
    "CompileError": ("hologram.frontend.errors", "CompileError"),
    "LaunchError": ("hologram.runtime", "LaunchError"),
    "BuildError": ("hologram.backends.c.builder", "BuildError"),
    "Kernel": ("hologram.runtime", "Kernel"),
    "kernel": ("hologram.runtime", "kernel"),
    "load_kernels": ("hologram.runtime", "load_kernels"),
    "jit": ("hologram.tracing", "jit"),
}

__all__ = ["__version__", "ops", "lang", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in ("ops", "lang"):
        return import_module(f"hologram.{name}")
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'hologram' has no attribute '{name}'")
