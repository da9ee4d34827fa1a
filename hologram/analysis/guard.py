"""The grid guard of a SIMT kernel: `if idx < n: <body>` around the whole body.

Kernels are written `idx = get_global_id(); if idx < n: ...`, which the frontend turns into

    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok { <body> }
    hologram.return

For ids below `min(grid, n)` the guard is always true (they are below 2**32, so the cast to
i32 is exact), so a pass may run those ids without the `scf.if`: the guarded body then has no
branch, which is what lets the C compiler vectorize calls of `declare simd ... notinbranch`
math functions and conditional loads. Ids from `min(grid, n)` to `grid` keep the guard (it is
false for them unless the grid is larger than 2**32 and the 32-bit id wraps).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import IntegerType, MemRefType
from xdsl.ir import Operation, SSAValue
from xdsl.traits import is_side_effect_free

from hologram.analysis.reductions import is_uniform
from hologram.dialects.hologram import GlobalIdOp, KernelOp


@dataclass
class GridGuard:
    prefix: list[Operation]  # the ops before the scf.if: pure (global_id, cast, compare...)
    # or the slots of locals assigned in branches, which each id gets afresh
    guard: scf.IfOp
    bound: SSAValue  # %n, an i32 computed from scalar parameters only


def is_local_slot(op: Operation) -> bool:
    """A local's slot (`memref.alloca() : memref<T>`): the frontend gives one to each local
    assigned in a branch or a loop, at the top of the kernel. Locals belong to one id, so a pass
    that copies the body into a loop over ids copies the slot too."""
    return isinstance(op, memref.AllocaOp) and isinstance(op.memref.type, MemRefType) \
        and not op.memref.type.get_shape() and not op.dynamic_sizes


def find_grid_guard(kernel: KernelOp) -> GridGuard | None:
    """The guard of `kernel` when its body is exactly pure ops (and local slots) then
    `scf.if (idx <u n)`."""
    ops = list(kernel.body.block.ops)
    if len(ops) < 2:
        return None
    guard, prefix = ops[-2], ops[:-2]
    if not isinstance(guard, scf.IfOp) or guard.results or guard.false_region.blocks:
        return None
    if any(op.regions or not (is_side_effect_free(op) or is_local_slot(op)) for op in prefix):
        return None
    cmp = guard.cond.owner
    if not (isinstance(cmp, arith.CmpiOp) and cmp in prefix and cmp.predicate.value.data == 6):
        return None  # 6 is `ult`
    idx, bound = cmp.lhs, cmp.rhs
    if not (isinstance(idx.type, IntegerType) and idx.type.width.data == 32):
        return None
    cast = idx.owner
    if not (isinstance(cast, arith.IndexCastOp) and isinstance(cast.input.owner, GlobalIdOp)):
        return None
    if not is_uniform(bound, kernel):
        return None
    return GridGuard(prefix, guard, bound)
