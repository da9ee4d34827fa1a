"""Which atomics of a SIMT kernel are reductions: the analysis behind `atomic-to-tree-reduction`.

An atomic `hologram.atomic_add/min/max %v, %dest[%i]` in a SIMT kernel is a *reduction* when

1. its result (the old value) is unused: no thread observes the intermediate states;
2. `%dest` is an array parameter of the kernel and every use of that parameter in the kernel is
   such a reduction atomic: nobody else reads or writes the destination while the grid runs, so
   the updates may all be deferred to one update after the grid;
3. `%i` is *uniform*: computed only from constants and scalar parameters by pure arith ops, so it
   is the same address for every thread (it does not depend on the global id, on loads, on loop
   variables or on any other data) and can be recomputed after the grid. An index that depends
   on data (a loaded value, a loop variable) but not directly on the id makes a *private*
   reduction (`Reduction.private`, a histogram): privatizable per block, not reducible to one
   element. An index computed from the id (other than through a load) is refused;
4. no two reductions on the same parameter use different operations on possibly equal indices
   (`add` then `max` on `r[0]` do not commute);
5. the kernel has no `hologram.exit` (an early `return` inside the body would also have to leave
   the per-block loops the rewrite creates) and no `hologram.parallel_for` yet (the pass works on
   SIMT kernels only).

The atomic may sit under `scf.if` or inside inner `scf.for`/`scf.while` loops of the thread: its
contribution is accumulated wherever it executes, once per execution.

Everything else is a *refusal* with a reason; a refused atomic stays atomic (and correct).

Array parameters are assumed not to alias each other (the same buffer passed twice as the
destination and as an input would be read while its updates are deferred).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.dialects import arith, memref
from xdsl.dialects.builtin import FloatAttr, IntegerAttr, MemRefType
from xdsl.ir import Attribute, BlockArgument, Operation, SSAValue

from hologram.dialects.hologram import (
    AtomicAddOp,
    AtomicMaxOp,
    AtomicMinOp,
    ATOMIC_OPS,
    ExitOp,
    GlobalIdOp,
    KernelOp,
    ParallelForOp,
)

KIND_OF = {AtomicAddOp: "add", AtomicMinOp: "min", AtomicMaxOp: "max"}

# Pure ops through which a uniform index may be computed.
_UNIFORM_OPS = (
    arith.ConstantOp, arith.AddiOp, arith.SubiOp, arith.MuliOp, arith.DivUIOp, arith.DivSIOp,
    arith.RemUIOp, arith.RemSIOp, arith.FloorDivSIOp, arith.CeilDivSIOp, arith.CeilDivUIOp,
    arith.MinUIOp, arith.MaxUIOp, arith.MinSIOp, arith.MaxSIOp, arith.AndIOp, arith.OrIOp,
    arith.XOrIOp, arith.ShLIOp, arith.ShRUIOp, arith.ShRSIOp, arith.IndexCastOp, arith.ExtSIOp,
    arith.ExtUIOp, arith.TruncIOp, arith.CmpiOp, arith.SelectOp,
)


@dataclass
class Reduction:
    """One atomic that `atomic-to-tree-reduction` may turn into a private accumulation."""

    op: Operation
    kind: str  # "add", "min" or "max"
    dest: BlockArgument  # the kernel's array parameter
    param_index: int
    element_type: Attribute
    signed: bool  # integer min/max: signedness from the parameter's language type
    private: bool = False  # data-dependent index (a histogram): privatized, not reduced

    @property
    def index(self) -> SSAValue:
        return self.op.operands[2]

    @property
    def value(self) -> SSAValue:
        return self.op.operands[0]


@dataclass
class Refusal:
    op: Operation
    reason: str


@dataclass
class ReductionAnalysis:
    kernel: KernelOp
    reductions: list[Reduction] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


def is_uniform(value: SSAValue, kernel: KernelOp) -> bool:
    """True when `value` is the same for every thread: built from constants and scalar params."""
    if isinstance(value, BlockArgument):
        block = value.block
        return block is kernel.body.block and not isinstance(value.type, MemRefType)
    op = value.owner
    assert isinstance(op, Operation)
    if not isinstance(op, _UNIFORM_OPS) or op.regions:
        return False
    return all(is_uniform(operand, kernel) for operand in op.operands)


def _constant_of(value: SSAValue) -> int | float | None:
    op = value.owner
    if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr | FloatAttr):
        return op.value.value.data
    if isinstance(op, arith.IndexCastOp | arith.ExtUIOp | arith.ExtSIOp):
        return _constant_of(op.operands[0])
    return None


def _maybe_equal(a: SSAValue, b: SSAValue) -> bool:
    if a is b:
        return True
    ca, cb = _constant_of(a), _constant_of(b)
    return ca is None or cb is None or ca == cb


def analyze_reductions(kernel: KernelOp) -> ReductionAnalysis:
    """Classify every atomic of a SIMT kernel as a reduction or a refusal (see the module doc)."""
    result = ReductionAnalysis(kernel)
    atomics = [op for op in kernel.walk() if isinstance(op, ATOMIC_OPS)]
    if not atomics:
        return result
    if any(isinstance(op, ParallelForOp) for op in kernel.walk()):
        result.refusals = [Refusal(op, "the kernel is already parallelized") for op in atomics]
        return result
    if any(isinstance(op, ExitOp) for op in kernel.walk()):
        result.refusals = [Refusal(op, "the kernel has an early return (hologram.exit)")
                           for op in atomics]
        return result

    candidates: list[Reduction] = []
    for op in atomics:
        reason = _refusal_reason(op, kernel)
        if reason is not None:
            result.refusals.append(Refusal(op, reason))
            continue
        dest = op.operands[1]
        assert isinstance(dest, BlockArgument)
        lang = kernel.types[dest.index].removesuffix("[]")
        candidates.append(Reduction(
            op=op, kind=KIND_OF[type(op)], dest=dest, param_index=dest.index,
            element_type=op.operands[0].type, signed=not lang.startswith("u"),
            private=not is_uniform(op.operands[2], kernel),
        ))

    # Rule 2: every use of the destination must be a candidate; rule 4: kinds must not mix.
    by_dest: dict[BlockArgument, list[Reduction]] = {}
    for red in candidates:
        by_dest.setdefault(red.dest, []).append(red)
    for dest, reds in by_dest.items():
        ops = {red.op for red in reds}
        stray = [use.operation for use in dest.uses if use.operation not in ops]
        reason = None
        if stray:
            reason = (f"the destination '{kernel.names[dest.index]}' is also used by "
                      f"{stray[0].name}")
        else:
            for i, a in enumerate(reds):
                for b in reds[i + 1:]:
                    if a.kind != b.kind and _maybe_equal(a.index, b.index):
                        reason = (f"atomic_{a.kind} and atomic_{b.kind} may update the same "
                                  f"element of '{kernel.names[dest.index]}'")
        if reason is None:
            result.reductions.extend(reds)
        else:
            result.refusals.extend(Refusal(red.op, reason) for red in reds)
    order = {op: i for i, op in enumerate(atomics)}
    result.reductions.sort(key=lambda r: order[r.op])
    result.refusals.sort(key=lambda r: order[r.op])
    return result


def _refusal_reason(op: Operation, kernel: KernelOp) -> str | None:
    _value, dest, index = op.operands  # the value may be anything, it is per thread
    if op.results[0].uses:
        return "the atomic's old value is used"
    if not (isinstance(dest, BlockArgument) and dest.block is kernel.body.block):
        return "the destination is not an array parameter of the kernel"
    if not is_uniform(index, kernel) and depends_on_id(index, kernel):
        return "the index depends on the global id"
    return None


def depends_on_id(value: SSAValue, kernel: KernelOp) -> bool:
    """True when `value` is computed from the global id other than through a load: each thread
    then has its own address (not a reduction, and nothing to privatize). Values that go
    through a load are data (a histogram's bin); loop variables of the thread count as data."""
    if isinstance(value, BlockArgument):
        return False
    op = value.owner
    assert isinstance(op, Operation)
    if isinstance(op, GlobalIdOp):
        return True
    if isinstance(op, memref.LoadOp):
        return False
    return any(depends_on_id(operand, kernel) for operand in op.operands)


def clone_uniform(value: SSAValue, mapper: dict[SSAValue, SSAValue]
                  ) -> tuple[list[Operation], SSAValue]:
    """Copies of the ops computing a uniform `value` (see `is_uniform`), in order, and the copy
    of `value`; kernel parameters are used as they are. `mapper` collects old -> new values."""
    ops: list[Operation] = []

    def visit(v: SSAValue) -> None:
        if isinstance(v, BlockArgument) or v in mapper:
            return
        op = v.owner
        assert isinstance(op, Operation)
        for operand in op.operands:
            visit(operand)
        ops.append(op.clone(mapper))

    visit(value)
    return ops, mapper.get(value, value)
