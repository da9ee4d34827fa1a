"""Access to Hologram for the benchmarks. A missing kernel or op raises `Skip` with a reason, so
the report notes it and goes on; a Hologram that does not import fails the run loudly.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from benchmarks.harness import Skip

KERNELS_FILE = Path(__file__).with_name("kernels.py")


@cache
def kernels() -> dict:
    """The benchmark kernels of `benchmarks/kernels.py`, loaded with `hologram.load_kernels`."""
    from hologram.runtime import load_kernels

    return load_kernels(str(KERNELS_FILE))


def kernel(name: str):
    ks = kernels()
    if name not in ks:
        raise Skip(f"kernel {name!r} not found in {KERNELS_FILE.name}")
    return ks[name]


def ops():
    import hologram.ops as ops_module

    return ops_module


def op(name: str):
    module = ops()
    fn = getattr(module, name, None)
    if fn is None:
        raise Skip(f"hologram.ops.{name} not available")
    return fn


def jit():
    from hologram import jit as jit_fn

    return jit_fn


def default_pipeline() -> tuple[str, ...]:
    from hologram.passes import DEFAULT_PIPELINE

    return tuple(DEFAULT_PIPELINE)


def pipeline_without(pass_name: str) -> str:
    """The default pipeline's spec with one pass removed (Skip when it is not in the pipeline)."""
    names = default_pipeline()
    if pass_name not in names:
        raise Skip(f"{pass_name} is not in the default pipeline {','.join(names)}")
    return ",".join(n for n in names if n != pass_name)


@cache
def _mlir_kernels() -> dict:
    from hologram.backends.mlir.toolchain import ToolchainMissing, find_toolchain
    from hologram.runtime import load_kernels

    try:
        find_toolchain()
    except ToolchainMissing as err:
        raise Skip(f"MLIR backend: {str(err).split(';')[0]}") from None
    return load_kernels(str(KERNELS_FILE), backend="mlir")


def kernel_mlir(name: str):
    """Kernel `name` of the benchmark file built by the MLIR backend (docs/mlir.md)."""
    ks = _mlir_kernels()
    if name not in ks:
        raise Skip(f"kernel {name!r} not found in {KERNELS_FILE.name}")
    return ks[name]


def kernel_with_pipeline(name: str, pipeline: str):
    """Kernel `name` of the benchmark file compiled with another pipeline than the default."""
    from hologram.runtime import load_kernels

    ks = load_kernels(str(KERNELS_FILE), pipeline=pipeline)
    if name not in ks:
        raise Skip(f"kernel {name!r} not found in {KERNELS_FILE.name}")
    return ks[name]


def kernel_boundscheck(name: str):
    """Kernel `name` of the benchmark file compiled bounds-checked (`boundscheck=True`)."""
    from hologram.runtime import load_kernels

    ks = load_kernels(str(KERNELS_FILE), boundscheck=True)
    if name not in ks:
        raise Skip(f"kernel {name!r} not found in {KERNELS_FILE.name}")
    return ks[name]


def cache_dir() -> str:
    return os.environ.get("HOLOGRAM_CACHE_DIR", str(Path.home() / ".cache" / "hologram"))
