"""The `infer-grid` pass: give each SIMT kernel the grid its guard implies, as a `grid` region.

    hologram-opt -p infer-grid k.mlir

The frontend runs the same analysis (`hologram.analysis.grid`) on every kernel it builds; this
pass is for IR written or transformed by hand. A kernel whose body is "pure work, then
`scf.if (cond)`, then `hologram.return`", where `cond` bounds the id (`idx < E`, `E > idx`,
`idx <= E`, `idx == E`, or a conjunction with one of them), gets a region that computes `E`
(`E + 1` for the inclusive forms) from the parameters as an i64, clamped at 0 for signed
bounds. A kernel it cannot give a grid keeps none and is marked `grid_refused = "<reason>"`
(a bound read from memory or a loop, writes outside the guard, no guard at all...).

Options:
  replace: recompute the region of kernels that already have one (default false: keep it).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.passes import ModulePass

from hologram.analysis.grid import attach_grid
from hologram.dialects.hologram import KernelOp, ParallelForOp


@dataclass(frozen=True)
class InferGrid(ModulePass):
    name = "infer-grid"

    replace: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel in op.walk():
            if not isinstance(kernel, KernelOp):
                continue
            if kernel.grid_region is not None and not self.replace:
                continue
            if any(isinstance(o, ParallelForOp) for o in kernel.walk()):
                kernel.attributes["grid_refused"] = StringAttr(
                    "the kernel is already lowered to explicit loops")
                continue
            reason = attach_grid(kernel)
            if reason is None:
                kernel.attributes.pop("grid_refused", None)
            else:
                kernel.attributes["grid_refused"] = StringAttr(reason)
