"""What `vectorize-lanes` proves before it rewrites a kernel, and its plan of the thread body.

`analyse(kernel)` returns a `Plan` or raises `Refused` with the reason the pass records. The
pass itself (`vectorize_lanes.py`) only emits what the plan says.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import MemRefType
from xdsl.ir import BlockArgument, Operation, SSAValue

from hologram.analysis.lanes import ONE, Decode, Form, Forms, find_decode, strip, varying
from hologram.analysis.reductions import is_uniform
from hologram.dialects.hologram import (
    ATOMIC_OPS,
    BreakOp,
    ContinueOp,
    ExitOp,
    GlobalIdOp,
    GridSizeOp,
    KernelOp,
    ParallelForOp,
    ReturnOp,
)

_SLT, _ULT = 2, 6

class Refused(Exception):
    """Why a kernel keeps one thread per grid iteration."""


@dataclass
class Plan:
    kernel: KernelOp
    gid: GlobalIdOp
    bound: SSAValue  # the guard's `n` (uniform)
    bound_signed: bool  # `idx < n` compared signed: a negative n lets no id through
    guard: scf.IfOp
    privates: list[memref.AllocaOp]  # rank-0 per-thread locals
    hoisted: list[Operation]  # uniform ops, computed once before the lanes
    items: list[Item]  # the thread body, as uniform ops, lane segments and loops
    decode: Decode | None  # rows of the 2-D id space run as groups (`idx // d`, `idx % d`)
    remat: set[Operation]  # cheap ops of the id, recomputed in each lane loop that uses them


# The thread body, planned: ("uniform", op) runs once per group (or per loop iteration);
# ("lanes", ops) runs ops once per lane in a lane loop; ("loop", for, items) runs the loop once
# for the group, with its body planned the same way (so lane loops end up innermost).
Item = tuple


def _check_ops(kernel: KernelOp) -> None:
    for op in kernel.body.walk():
        if isinstance(op, ParallelForOp | GridSizeOp):
            raise Refused("the kernel already has an explicit parallel loop")
        if isinstance(op, ExitOp):
            raise Refused("early return (hologram.exit)")
        if isinstance(op, ATOMIC_OPS):
            raise Refused(f"atomic ({op.name}): lanes would reorder it")
        if isinstance(op, BreakOp | ContinueOp | scf.WhileOp):
            raise Refused(f"data-dependent control flow ({op.name})")
        if isinstance(op, func.CallOp):
            raise Refused("call of a function")


def _guard(kernel: KernelOp) -> tuple[GlobalIdOp, SSAValue, bool, scf.IfOp,
                                      list[memref.AllocaOp], list[Operation]]:
    """The kernel as `allocas, pure ops, if (idx < n) { body }` (the frontend's shape)."""
    ops = [op for op in kernel.body.block.ops if not isinstance(op, ReturnOp)]
    if not ops or not isinstance(ops[-1], scf.IfOp):
        raise Refused("the body is not one guard `if idx < n`")
    guard = ops[-1]
    if guard.results or guard.false_region.blocks and any(
            not isinstance(o, scf.YieldOp) for o in guard.false_region.block.ops):
        raise Refused("the guard has an else branch")
    gids = [op for op in kernel.body.walk() if isinstance(op, GlobalIdOp)]
    if len(gids) != 1 or gids[0].parent_block() is not kernel.body.block:
        raise Refused("the kernel does not read its id exactly once at the top level")
    allocas, pure = [], []
    for op in ops[:-1]:
        if isinstance(op, memref.AllocaOp):
            if not isinstance(op.memref.type, MemRefType) or op.memref.type.get_num_dims() != 0:
                raise Refused("a per-thread local array (only scalars get lanes)")
            allocas.append(op)
        elif op.regions or isinstance(op, memref.LoadOp | memref.StoreOp):
            raise Refused(f"`{op.name}` runs outside the guard")
        else:
            pure.append(op)
    cmp = guard.cond.owner
    if not (isinstance(cmp, arith.CmpiOp) and cmp.predicate.value.data in (_ULT, _SLT)):
        raise Refused("the guard is not `idx < n`")
    if strip(cmp.lhs) is not gids[0].result or not _is_zero_extension(cmp.lhs):
        raise Refused("the guard does not compare the id")
    if not is_uniform(cmp.rhs, kernel):
        raise Refused("the guard's bound depends on the thread")
    return gids[0], cmp.rhs, cmp.predicate.value.data == _SLT, guard, allocas, pure


def _is_zero_extension(value: SSAValue) -> bool:
    """The id reaches the compare unchanged: index casts and zero extensions only."""
    while isinstance(value.owner, arith.ExtUIOp | arith.IndexCastOp):
        value = value.owner.input
    return isinstance(value.owner, GlobalIdOp)


def _is_arith(op: Operation) -> bool:
    return not op.regions and op.name.startswith("arith.") and bool(op.results)


_CHEAP = (arith.ExtUIOp, arith.ExtSIOp, arith.IndexCastOp, arith.TruncIOp, arith.AddiOp,
          arith.SubiOp, arith.MuliOp)


class _Planner:
    """Splits the thread body into items; knows which values are the same in every lane."""

    def __init__(self, uniform: set[SSAValue], lane_atoms: set[SSAValue], skip: set[Operation]):
        self.uniform = uniform
        self.lane_atoms = lane_atoms  # the id and a decode's columns: known in every lane loop
        self.skip = skip
        self.remat: set[Operation] = set()
        self.loops: list[scf.ForOp] = []

    def _lane_known(self, v: SSAValue) -> bool:
        return v in self.uniform or v in self.lane_atoms or (
            isinstance(v.owner, Operation) and v.owner in self.remat)

    def items(self, ops: list[Operation]) -> list[Item]:
        out: list[Item] = []
        pending: list[Operation] = []
        for op in ops:
            if op in self.skip:
                continue
            if _is_arith(op) and all(o in self.uniform for o in op.operands):
                self.uniform.update(op.results)
                out.append(("uniform", op))
                continue
            if isinstance(op, _CHEAP) and all(self._lane_known(o) for o in op.operands):
                self.remat.add(op)
                continue
            if isinstance(op, scf.ForOp) and not op.iter_args and all(
                    v in self.uniform for v in (op.lb, op.ub, op.step)):
                if pending:
                    out.append(("lanes", pending))
                    pending = []
                self.loops.append(op)
                self.uniform.add(op.body.block.args[0])
                body = [o for o in op.body.block.ops if not isinstance(o, scf.YieldOp)]
                out.append(("loop", op, self.items(body)))
                continue
            pending.append(op)
        if pending:
            out.append(("lanes", pending))
        return out


def analyse(kernel: KernelOp) -> Plan:
    _check_ops(kernel)
    gid, bound, bound_signed, guard, allocas, pure = _guard(kernel)
    block = kernel.body.block
    body = [op for op in guard.true_region.block.ops if not isinstance(op, scf.YieldOp)]
    # Uniform ops (same value in every thread) are computed once; the rest runs per lane.
    uniform: set[SSAValue] = {a for a in block.args}
    hoisted: list[Operation] = []
    rest: list[Operation] = []
    cmp = guard.cond.owner
    only_guard = [o for o in pure if o is cmp and len(list(o.results[0].uses)) == 1]
    for op in [o for o in pure if not isinstance(o, GlobalIdOp) and o not in only_guard] + body:
        if _is_arith(op) and all(o in uniform for o in op.operands):
            hoisted.append(op)
            uniform.update(op.results)
        else:
            rest.append(op)
    hoisted_values = set(uniform)
    decode = find_decode(rest, lambda v: strip(v) is gid.result, lambda v: v in uniform)
    if decode is not None and decode.divisor not in hoisted_values:
        decode = None
    if decode is not None:
        _columns_by_subtraction(kernel, gid, decode, rest, uniform)
    lane_atoms = {gid.result} | set(decode.cols if decode else ())
    if decode is not None:
        uniform.update(decode.rows)  # one row per group: the same in all its lanes
    planner = _Planner(uniform, lane_atoms, set(decode.ops) if decode else set())
    items = planner.items(rest)
    if not planner.loops:
        raise Refused("no loop with uniform bounds in the thread body (nothing to interleave)")
    forms = _forms(kernel, gid, decode, uniform)
    _check_accesses(kernel, planner.loops, forms, decode)
    return Plan(kernel, gid, bound, bound_signed, guard, allocas, hoisted, items, decode,
                planner.remat)


def _columns_by_subtraction(kernel: KernelOp, gid: GlobalIdOp, decode: Decode,
                            ops: list[Operation], uniform: set[SSAValue]) -> None:
    """`j = idx - i * d` (i a row): a column too. Exact in any width that holds the id, since
    0 <= i * d <= idx; as a column its widening is `col0 + lane`, not a subtraction that might
    wrap for all the C compiler knows."""
    forms = _forms(kernel, gid, decode, uniform)
    own = forms.subst["id"]
    for op in ops:
        if not isinstance(op, arith.SubiOp):
            continue
        lhs, rhs = forms.of(op.lhs), forms.of(op.rhs)
        if lhs == own and rhs == {"row": own["row"]} and strip(op.lhs) is gid.result:
            decode.cols.append(op.result)
            decode.ops.append(op)


def _forms(kernel: KernelOp, gid: GlobalIdOp, decode: Decode | None,
           uniform: set[SSAValue]) -> Forms:
    atoms: dict[SSAValue, object] = {gid.result: "id"}
    for op in kernel.body.walk():
        if isinstance(op, scf.ForOp):
            atoms[op.body.block.args[0]] = op.body.block.args[0]
    subst: dict[object, Form] = {}
    if decode is not None:
        atoms.update({r: "row" for r in decode.rows})
        atoms.update({c: "col" for c in decode.cols})
        d = Forms({}, lambda v: v in uniform).of(decode.divisor) or {}
        subst["id"] = {"row": d.get("1", {}), "col": ONE}
    # Rows are uniform within a group, not across the kernel: a leaf only through its atom.
    rows = set(decode.rows) if decode else set()
    return Forms(atoms, lambda v: v in uniform and v not in rows, subst)


def _check_accesses(kernel: KernelOp, loops: list[scf.ForOp], forms: Forms,
                    decode: Decode | None) -> None:
    block = kernel.body.block
    lane = "col" if decode else "id"
    mine = [op for op in kernel.body.walk() if isinstance(op, memref.LoadOp | memref.StoreOp)
            and isinstance(op.memref, BlockArgument) and op.memref.block is block]
    # Every access in the loops: unit stride along the lanes (a vector load), or the same
    # element for every lane; a strided one (`x[id * cols + i]`) would become a gather,
    # which the thread's own loop does better.
    in_loops = {op for loop in loops for op in loop.walk()}
    for op in mine:
        if op not in in_loops:
            continue
        form = forms.of(op.indices[0])
        if form is None:
            raise Refused("an access in the loop is not affine in the id")
        if form.get(lane, {}) not in ({}, ONE):
            raise Refused("an access in the loop strides by a multiple of the id "
                          "(lanes would gather)")
    # Lanes interleave the threads' steps. Only writes at `id + uniform` (distinct for
    # distinct threads) and reads of written arrays at the same element keep every result
    # equal to the kernel's sequential id order.
    own = forms.subst.get("id", {"id": ONE})
    written: dict[SSAValue, list[Form]] = {}
    for op in mine:
        if isinstance(op, memref.StoreOp):
            form = forms.of(op.indices[0])
            if form is None or varying(form) != own:
                raise Refused("a write is not at `id + uniform offset` (threads could "
                              "share an element)")
            written.setdefault(op.memref, []).append(form)
    for op in mine:
        if isinstance(op, memref.LoadOp) and op.memref in written:
            form = forms.of(op.indices[0])
            if form is None or any(w != form for w in written[op.memref]):
                raise Refused("a read of a written array at another element")
