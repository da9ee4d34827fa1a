"""The pass registry: name -> lazily imported pass class, and the default pipeline.

One pass per file; the file name is the pass name with `-` as `_`
(`atomic-to-tree-reduction` lives in `atomic_to_tree_reduction.py`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from xdsl.passes import ModulePass, PassPipeline

# Our passes: command-line name -> (module, class). Imported only when used, so CLIs start fast.
OUR_PASSES: dict[str, tuple[str, str]] = {
    "parallelize": ("hologram.passes.parallelize", "Parallelize"),
    "atomic-to-tree-reduction": ("hologram.passes.atomic_to_tree_reduction", "AtomicToTreeReduction"),
    "fuse": ("hologram.passes.fuse", "Fuse"),
    "fold-layout": ("hologram.passes.fold_layout", "FoldLayout"),
    "infer-grid": ("hologram.passes.infer_grid", "InferGrid"),
    "convert-hologram-to-upstream": (
        "hologram.passes.convert_hologram_to_upstream", "ConvertHologramToUpstream"),
    "vectorize-lanes": ("hologram.passes.vectorize_lanes", "VectorizeLanes"),
    "split-accumulators": ("hologram.passes.split_accumulators", "SplitAccumulators"),
}

# Upstream xDSL passes that are useful on our IR.
UPSTREAM_PASSES = ("canonicalize", "cse", "dce", "licm")

# The pipeline `hologram.kernel`, `hologram-compile` and the op API run by default. Order:
# atomic-to-tree-reduction needs the SIMT form to prove its reductions; fold-layout tiles the
# GEMM-shaped kernels it recognises (only those: its plain fold was slower on stencils); both
# produce their own parallel loops; vectorize-lanes runs the kernels whose threads run loops
# several consecutive ids at a time; split-accumulators gives a thread's float +/max/min loop
# a fixed set of partial results (documented order); parallelize turns every other kernel into
# a parallel loop.
DEFAULT_PIPELINE: tuple[str, ...] = (
    "canonicalize",
    "atomic-to-tree-reduction",
    "fold-layout{gemm_only=true fold_3d=true}",
    "vectorize-lanes",
    "split-accumulators",
    "parallelize",
)


def _our_factory(module: str, cls: str) -> Callable[[], type[ModulePass]]:
    return lambda: getattr(importlib.import_module(module), cls)


def get_all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Every pass usable in a pipeline, as name -> factory of the pass class."""
    from xdsl.transforms import get_all_passes as upstream

    available = {name: factory for name, factory in upstream().items() if name in UPSTREAM_PASSES}
    for name, (module, cls) in OUR_PASSES.items():
        available[name] = _our_factory(module, cls)
    return available


def default_pipeline_spec() -> str:
    return ",".join(DEFAULT_PIPELINE)


def parse_pipeline(spec: str | None) -> PassPipeline:
    """Parse `a,b{opt=v}`; `None` means the default pipeline, `""` means no passes.

    Raises ValueError with a one-line message on an unknown pass or a bad option.
    """
    if spec is None:
        spec = default_pipeline_spec()
    if not spec.strip():
        return PassPipeline(())
    available = get_all_passes()
    try:
        return PassPipeline.parse_spec(available, spec)
    except ValueError as err:
        raise ValueError(f"bad pipeline '{spec}': {err}") from None
    except ModuleNotFoundError as err:
        raise ValueError(f"bad pipeline '{spec}': pass not available ({err.name})") from None
