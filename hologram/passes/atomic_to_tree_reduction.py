"""The `atomic-to-tree-reduction` pass: reductions through atomics become deterministic trees."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    StringAttr,
    f32,
    f64,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass

from hologram.analysis.guard import find_grid_guard
from hologram.analysis.reductions import Reduction, analyze_reductions, clone_uniform
from hologram.dialects.hologram import GlobalIdOp, GridSizeOp, KernelOp, ParallelForOp, YieldOp
from hologram.passes.parallelize import DEFAULT_THRESHOLD, fill_grid_loop

SUPPORTED_TYPES = (f32, f64, i32, i64)


@dataclass(frozen=True)
class AtomicToTreeReduction(ModulePass):
    """atomic-to-tree-reduction{blocks=256 min-block=1024 lanes=32 fold=32 wide-f32=true threshold=32768 max-private=256}

    Turns atomics that only accumulate into a loop-invariant element (`atomic_add_f32(r, x)`,
    `atomic_max(r, 0, x)`, also under `if` or in an inner loop of the thread) into private
    accumulation plus one update, with a result that does not depend on the number of threads.
    Which atomics qualify is decided by `hologram.analysis.reductions.analyze_reductions` (read
    its module docstring for the rules); the others stay atomic and correct.

    Rewrite of a SIMT kernel with at least one reduction, in numbered steps:

    1. The ids `[0, N)` are split into `nb = max(1, min(blocks, ceil(N / min-block)))` blocks
       of `ceil(N / nb)` consecutive ids. `N` is the grid, or `min(grid, n)` when the body is
       the canonical guard `if idx < n` (`hologram.analysis.guard`): those ids pass it, so the
       blocks run the guarded body without the branch (a 4x faster lane loop), and the ids
       from `min(grid, n)` to the grid run the original body, atomics included, in a
       `remainder` parallel loop (normally empty). `nb` never depends on the thread count.
    2. A `hologram.parallel_for` over the blocks (serial below `ceil(threshold / min-block)`
       blocks; schedule dynamic, so a thread the OS preempts on a busy machine does not hold
       back its share: which thread runs a block never changes its result) runs each block's
       ids in order on one thread. Each
       reduction gets `lanes` private accumulators initialised to the identity (add: -0.0 for
       floats, 0 for ints; min: +inf or the type's largest value; max: -inf or the smallest);
       id `base + l` of each group of `lanes` consecutive ids accumulates into lane `l`, so the
       lane loop has no loop-carried dependence and vectorizes; the block's last `< lanes` ids
       use lanes `0..k`. The kernel body is copied into both loops with the atomic replaced by
       `acc[l] = acc[l] op v`.
       With `wide-f32` (default), float32 sums fold their lanes into float64 lanes every `fold`
       groups of `lanes` ids (and reset them), so no float32 lane adds more than `fold` terms;
       the float32 lanes keep the lane loop vectorizable (float64 lanes fed by float32 data did
       not vectorize with gcc 12).
    3. The lanes are combined pairwise in a fixed tree (`(l0 op l1) op (l2 op l3) ...`) into the
       block's partial, stored in a `memref.alloca` array of `blocks` entries.
    4. After the parallel loop the partials are combined pairwise in a fixed tree
       (`p[i] op= p[i + s]` for `s = 1, 2, 4, ...`), and
    5. the destination gets one update `dest[i] = dest[i] op total`, skipped when the total is
       the identity (no contribution: the index may then be out of bounds, as in the SIMT
       kernel where no thread reached the atomic). For float add the test is `total == 0`, so
       a destination of -0.0 plus contributions summing to +0.0 stays -0.0.

    The order of every operation depends only on `n`, hence the same bits for any
    `OMP_NUM_THREADS`. With `wide-f32`, a float32 sum is within
    `(fold + 2) * 2**-24 * sum(|terms|)` of the exact sum and rounded once at the end: more
    accurate than numpy's pairwise float32 sum at 16M elements. Float min/max follow the
    atomics they replace (`x = v if v < x else x`): NaN contributions are ignored, and of -0.0
    and +0.0 the first in the fixed order wins. Integer min/max take the signedness from the parameter's language
    type (`u32[]` is unsigned).

    Pipeline order: run this pass before `parallelize`. It needs the SIMT form (the global id
    and the kernel's single body) and produces a kernel that already has its
    `hologram.parallel_for`, which `parallelize` leaves alone. Kernels that are already
    parallelized are skipped.

    Histograms (an index that depends on data, `atomic_add(hist, a[idx], 1)`) are privatized:
    each block has a private copy of the destination's first `max-private` elements (default
    256; 0 turns privatization off), initialised to the identity; an update of element
    `i < max-private` goes to the copy, a larger `i` stays an atomic on the destination (the
    IR does not know the destination's length, so this test is made at run time). After the
    loop the copies (a `memref.alloc` of `blocks x max-private`) are combined element by element
    in block order and each element that received something is updated once; elements nobody
    touched are never written, so a destination shorter than `max-private` is safe.

    Not handled (the atomics stay atomic and correct): the old value used (stream compaction),
    an index computed from the id (each thread its own element), kernels with an early return
    (`hologram.exit`), element types other than f32, f64, i32, i64. The refusal reason of each
    atomic is attached to it as the `not_reduced` attribute.
    """

    name = "atomic-to-tree-reduction"

    blocks: int = 256
    min_block: int = 1024
    lanes: int = 32
    fold: int = 32
    wide_f32: bool = True
    threshold: int = DEFAULT_THRESHOLD
    max_private: int = 256

    def __post_init__(self) -> None:
        for option in ("blocks", "min_block", "lanes", "fold"):
            if getattr(self, option) < 1:
                raise ValueError(
                    f"atomic-to-tree-reduction: {option.replace('_', '-')} must be >= 1, "
                    f"not {getattr(self, option)}"
                )
        for option in ("threshold", "max_private"):
            if getattr(self, option) < 0:
                raise ValueError(
                    f"atomic-to-tree-reduction: {option.replace('_', '-')} must be >= 0, "
                    f"not {getattr(self, option)}"
                )

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel in [k for k in op.walk() if isinstance(k, KernelOp)]:
            analysis = analyze_reductions(kernel)
            for refusal in analysis.refusals:
                refusal.op.attributes["not_reduced"] = StringAttr(refusal.reason)
            reductions, privates = [], []
            for red in analysis.reductions:
                if red.element_type not in SUPPORTED_TYPES:
                    red.op.attributes["not_reduced"] = StringAttr(
                        f"element type {red.element_type} is not supported"
                    )
                elif red.private and self.max_private == 0:
                    red.op.attributes["not_reduced"] = StringAttr(
                        "the index depends on data and privatization is off (max-private=0)"
                    )
                else:
                    (privates if red.private else reductions).append(red)
            if reductions or privates:
                _Rewriter(self, kernel, reductions, privates).run()


# ------------------------------------------------------------------------------------------------
# Combining operations and identities
# ------------------------------------------------------------------------------------------------
def _acc_type(red: Reduction, wide_f32: bool) -> Attribute:
    if red.kind == "add" and red.element_type == f32 and wide_f32:
        return f64
    return red.element_type


def _identity(red: Reduction, t: Attribute) -> arith.ConstantOp:
    if not isinstance(t, IntegerType):
        value = {"add": -0.0, "min": float("inf"), "max": float("-inf")}[red.kind]
        return arith.ConstantOp(FloatAttr(value, t))
    width = t.width.data
    if red.kind == "add":
        value = 0
    elif red.signed:
        value = 2 ** (width - 1) - 1 if red.kind == "min" else -(2 ** (width - 1))
    else:
        value = -1 if red.kind == "min" else 0  # all ones is the unsigned maximum
    return arith.ConstantOp(IntegerAttr(value, t))


def _combine(red: Reduction, t: Attribute, a: SSAValue, b: SSAValue) -> list[Operation]:
    """`a op b`; the last op's result is the value. Float min/max keep `a` unless `b < a`
    (`b > a`), the rule of the atomic they replace: a NaN contribution is ignored, and of -0.0
    and +0.0 the one earlier in the fixed order wins."""
    if not isinstance(t, IntegerType):
        if red.kind == "add":
            return [arith.AddfOp(a, b)]
        better = arith.CmpfOp(b, a, "olt" if red.kind == "min" else "ogt")
        return [better, arith.SelectOp(better.result, b, a)]
    if red.kind == "add":
        return [arith.AddiOp(a, b)]
    if red.signed:
        return [arith.MinSIOp(a, b) if red.kind == "min" else arith.MaxSIOp(a, b)]
    return [arith.MinUIOp(a, b) if red.kind == "min" else arith.MaxUIOp(a, b)]


def _index(value: int) -> arith.ConstantOp:
    return arith.ConstantOp.from_int_and_width(value, IndexType())


def _differs(red: Reduction, total: SSAValue) -> tuple[list[Operation], SSAValue]:
    """Ops computing whether `total` changes the destination (it is not the identity; for
    float add: not zero, since a -0.0 destination plus +0.0 is the only difference)."""
    t = total.type
    if isinstance(t, IntegerType):
        skip_value = _identity(red, t)
        differs = arith.CmpiOp(total, skip_value.result, "ne")
    else:
        skip_value = (arith.ConstantOp(FloatAttr(0.0, t)) if red.kind == "add"
                      else _identity(red, t))
        differs = arith.CmpfOp(total, skip_value.result, "une")
    return [skip_value, differs], differs.result


def _fill(ref: SSAValue, value: arith.ConstantOp, c0: SSAValue, count: SSAValue,
          c1: SSAValue) -> scf.ForOp:
    """`for l in [0, count): ref[l] = value`."""
    body = Block(arg_types=[IndexType()])
    body.add_ops([value, memref.StoreOp.get(value.result, ref, [body.args[0]]), scf.YieldOp()])
    return scf.ForOp(c0, count, c1, [], body)


class _Rewriter:
    """Builds the blocked, laned, tree-combined form of one kernel (steps 1-5 of the pass doc)."""

    def __init__(self, options: AtomicToTreeReduction, kernel: KernelOp,
                 reductions: list[Reduction], privates: list[Reduction]):
        self.opt = options
        self.kernel = kernel
        self.reductions = reductions
        self.privates = privates
        self.acc_types = [_acc_type(r, options.wide_f32) for r in reductions]

    def run(self) -> None:
        block = self.kernel.body.block
        terminator = block.last_op
        assert terminator is not None
        body_ops = [o for o in block.ops if o is not terminator]
        ops: list[Operation] = []

        def add(op: Operation, hint: str | None = None) -> SSAValue:
            ops.append(op)
            if hint is not None:
                op.results[0].name_hint = hint
            return op.results[0]

        # Step 1: the blocks. With the canonical guard `if idx < n`, the blocks cover only the
        # ids below min(grid, n), which pass it, and run the guarded body without the branch
        # (4x faster lane loops); the other ids run the original body in a parallel loop.
        grid = add(GridSizeOp(), "grid")
        c0, c1 = add(_index(0), "c0"), add(_index(1), "c1")
        guard = find_grid_guard(self.kernel)
        n, block_ops = grid, body_ops
        if guard is not None:
            bound_ops, bound = clone_uniform(guard.bound, {})
            ops.extend(bound_ops)
            wide = add(arith.ExtUIOp(bound, i64))
            n = add(arith.MinUIOp(grid, add(arith.IndexCastOp(wide, IndexType()))),
                    "guarded_end")
            guarded = guard.guard.true_region.block
            block_ops = guard.prefix + [o for o in guarded.ops if o is not guarded.last_op]
        max_blocks = add(_index(self.opt.blocks), "max_blocks")
        wanted = add(arith.CeilDivUIOp(n, add(_index(self.opt.min_block), "min_block")))
        nb = add(arith.MaxUIOp(add(arith.MinUIOp(wanted, max_blocks)), c1), "nblocks")
        block_size = add(arith.CeilDivUIOp(n, nb), "block_size")
        partials = [
            add(memref.AllocaOp.get(t, shape=[self.opt.blocks]), "partials")
            for t in self.acc_types
        ]
        private_parts = []
        if self.privates:
            size = add(_index(self.opt.max_private), "max_private")
            copies = add(arith.MuliOp(nb, size), "private_copies")
            private_parts = [
                add(memref.AllocOp.get(red.element_type, shape=[DYNAMIC_INDEX],
                                       dynamic_sizes=[copies]), "private_parts")
                for red in self.privates
            ]
        block_threshold = -(-self.opt.threshold // self.opt.min_block)
        loop = ParallelForOp(c0, nb, c1, Region(Block(arg_types=[IndexType()])),
                             schedule="dynamic", threshold=block_threshold)
        loop.attributes["reduction_blocks"] = StringAttr("deterministic")
        ops.append(loop)
        loop.induction_var.name_hint = "blk"
        self._block_body(loop.body.block, loop.induction_var, n, block_size, partials,
                         private_parts, block_ops)
        if guard is not None:
            ops.append(self._remainder(n, grid, c1, body_ops))

        # Steps 4 and 5: combine the partials, update the destinations.
        for red, t, part in zip(self.reductions, self.acc_types, partials, strict=True):
            total = self._tree_over_partials(ops, red, t, part, nb, c0)
            self._update_destination(ops, red, t, total)
        for red, parts in zip(self.privates, private_parts, strict=True):
            self._merge_private(ops, red, parts, nb, c0, c1)

        block.insert_ops_before(ops, terminator)
        if guard is None:
            for op in reversed(body_ops):
                op.detach()
                op.erase()

    def _remainder(self, start: SSAValue, grid: SSAValue, c1: SSAValue,
                   body_ops: list[Operation]) -> ParallelForOp:
        """The original body (guard and atomics included) over the ids [start, grid): the guard
        is false for them unless a grid past 2**32 wraps the 32-bit id."""
        loop = ParallelForOp(start, grid, c1, Region(Block(arg_types=[IndexType()])),
                             schedule="static", threshold=self.opt.threshold)
        loop.attributes["remainder"] = StringAttr("ids from min(grid, n): the original body")
        fill_grid_loop(loop, body_ops, clone=False)
        return loop

    # -- step 2 and 3 ------------------------------------------------------------------------
    def _block_body(self, body: Block, blk: SSAValue, n: SSAValue, block_size: SSAValue,
                    partials: list[SSAValue], private_parts: list[SSAValue],
                    body_ops: list[Operation]) -> None:
        ops: list[Operation] = []

        def add(op: Operation, hint: str | None = None) -> SSAValue:
            ops.append(op)
            if hint is not None:
                op.results[0].name_hint = hint
            return op.results[0]

        def add_all(new: list[Operation]) -> SSAValue:
            ops.extend(new)
            return new[-1].results[0]

        c0, c1 = add(_index(0), "c0"), add(_index(1), "c1")
        lanes = add(_index(self.opt.lanes), "lanes")
        chunk = add(_index(self.opt.lanes * self.opt.fold), "chunk")
        lo = add(arith.MinUIOp(add(arith.MuliOp(blk, block_size)), n), "lo")
        hi = add(arith.MinUIOp(add(arith.AddiOp(lo, block_size)), n), "hi")
        groups = add(arith.DivUIOp(add(arith.SubiOp(hi, lo)), lanes))
        main_end = add(arith.AddiOp(lo, add(arith.MuliOp(groups, lanes))), "main_end")

        # Lane accumulators in the element type (so the lane loop vectorizes), and for widened
        # reductions a second set in the wide type that the lanes are folded into every chunk.
        accs, wides = [], []
        for red, t in zip(self.reductions, self.acc_types, strict=True):
            acc = add(memref.AllocaOp.get(red.element_type, shape=[self.opt.lanes]), "acc")
            accs.append(acc)
            ops.append(_fill(acc, _identity(red, red.element_type), c0, lanes, c1))
            wide = None
            if t != red.element_type:
                wide = add(memref.AllocaOp.get(t, shape=[self.opt.lanes]), "acc_wide")
                ops.append(_fill(wide, _identity(red, t), c0, lanes, c1))
            wides.append(wide)

        # Each histogram gets a private copy of its first `max-private` elements per block.
        privs = []
        size = add(_index(self.opt.max_private), "max_private") if self.privates else c0
        for red in self.privates:
            priv = add(memref.AllocaOp.get(red.element_type, shape=[self.opt.max_private]),
                       "private")
            privs.append(priv)
            ops.append(_fill(priv, _identity(red, red.element_type), c0, size, c1))
        self.privs = privs

        # Chunks of `lanes * fold` ids; in each, id base + l goes into lane l.
        lane_block = Block(arg_types=[IndexType()])
        group_block = Block(arg_types=[IndexType()])
        chunk_block = Block(arg_types=[IndexType()])
        base, lane, start = group_block.args[0], lane_block.args[0], chunk_block.args[0]
        base.name_hint, lane.name_hint, start.name_hint = "base", "lane", "chunk_start"
        ident = arith.AddiOp(base, lane)
        ident.result.name_hint = "gid"
        lane_block.add_op(ident)
        self._copy_body(lane_block, body_ops, ident.result, lane, accs)
        lane_block.add_op(scf.YieldOp())
        group_block.add_ops([scf.ForOp(c0, lanes, c1, [], lane_block), scf.YieldOp()])
        chunk_end = arith.MinUIOp(arith.AddiOp(start, chunk).result, main_end)
        chunk_block.add_ops([chunk_end.operands[0].owner, chunk_end,
                             scf.ForOp(start, chunk_end.result, lanes, [], group_block)])
        chunk_block.add_ops(self._fold(accs, wides, c0, lanes, c1))
        chunk_block.add_op(scf.YieldOp())
        ops.append(scf.ForOp(lo, main_end, chunk, [], chunk_block))

        # The block's remaining ids, id main_end + l into lane l.
        tail_block = Block(arg_types=[IndexType()])
        tail_id = tail_block.args[0]
        tail_id.name_hint = "gid"
        tail_lane = arith.SubiOp(tail_id, main_end)
        tail_lane.result.name_hint = "lane"
        tail_block.add_op(tail_lane)
        self._copy_body(tail_block, body_ops, tail_id, tail_lane.result, accs)
        tail_block.add_op(scf.YieldOp())
        ops.append(scf.ForOp(main_end, hi, c1, [], tail_block))
        ops += self._fold(accs, wides, c0, lanes, c1)

        # The private copies go to the block's row of the shared array.
        for priv, parts in zip(privs, private_parts, strict=True):
            copy = Block(arg_types=[IndexType()])
            j = copy.args[0]
            row = arith.MuliOp(blk, size)
            at = arith.AddiOp(row.result, j)
            value = memref.LoadOp.get(priv, [j])
            copy.add_ops([row, at, value, memref.StoreOp.get(value.res, parts, [at.result]),
                          scf.YieldOp()])
            ops.append(scf.ForOp(c0, size, c1, [], copy))

        # Step 3: lanes pairwise into the block's partial.
        for red, t, acc, wide, part in zip(self.reductions, self.acc_types, accs, wides,
                                           partials, strict=True):
            source = wide if wide is not None else acc
            values = [add(memref.LoadOp.get(source, [add(_index(k))]), f"lane{k}_")
                      for k in range(self.opt.lanes)]
            while len(values) > 1:
                paired = [add_all(_combine(red, t, values[k], values[k + 1]))
                          for k in range(0, len(values) - 1, 2)]
                values = paired + ([values[-1]] if len(values) % 2 else [])
            ops.append(memref.StoreOp.get(values[0], part, [blk]))

        ops.append(YieldOp())
        body.add_ops(ops)

    def _fold(self, accs: list[SSAValue], wides: list[SSAValue | None], c0: SSAValue,
              lanes: SSAValue, c1: SSAValue) -> list[Operation]:
        """`wide[l] op= acc[l]; acc[l] = identity` for each widened reduction."""
        ops: list[Operation] = []
        for red, t, acc, wide in zip(self.reductions, self.acc_types, accs, wides, strict=True):
            if wide is None:
                continue
            body = Block(arg_types=[IndexType()])
            lane = body.args[0]
            narrow = memref.LoadOp.get(acc, [lane])
            widened = arith.ExtFOp(narrow.res, t)
            current = memref.LoadOp.get(wide, [lane])
            combined = _combine(red, t, current.res, widened.result)
            reset = _identity(red, red.element_type)
            body.add_ops([narrow, widened, current, *combined,
                          memref.StoreOp.get(combined[-1].results[0], wide, [lane]),
                          reset, memref.StoreOp.get(reset.result, acc, [lane]), scf.YieldOp()])
            ops.append(scf.ForOp(c0, lanes, c1, [], body))
        return ops

    def _copy_body(self, into: Block, body_ops: list[Operation], gid: SSAValue,
                   lane: SSAValue, accs: list[SSAValue]) -> None:
        mapper: dict[SSAValue, SSAValue] = {}
        for op in body_ops:
            into.add_op(op.clone(mapper))
        for copy in [o for o in into.walk() if isinstance(o, GlobalIdOp)]:
            copy.result.replace_all_uses_with(gid)
            copy.detach()
            copy.erase()
        for red, t, acc in zip(self.reductions, self.acc_types, accs, strict=True):
            atomic = mapper[red.op.results[0]].owner
            assert isinstance(atomic, Operation)
            parent = atomic.parent_block()
            assert parent is not None
            current = memref.LoadOp.get(acc, [lane])
            combined = _combine(red, red.element_type, current.res, atomic.operands[0])
            new = [current, *combined,
                   memref.StoreOp.get(combined[-1].results[0], acc, [lane])]
            parent.insert_ops_before(new, atomic)
            atomic.detach()
            atomic.erase()
        for red, priv in zip(self.privates, self.privs, strict=True):
            atomic = mapper[red.op.results[0]].owner
            assert isinstance(atomic, Operation)
            parent = atomic.parent_block()
            assert parent is not None
            value, _dest, index = atomic.operands
            limit = _index(self.opt.max_private)
            inside = arith.CmpiOp(index, limit.result, "ult")
            current = memref.LoadOp.get(priv, [index])
            combined = _combine(red, red.element_type, current.res, value)
            private_update = Block()
            private_update.add_ops([current, *combined,
                                    memref.StoreOp.get(combined[-1].results[0], priv, [index]),
                                    scf.YieldOp()])
            fallback = Block()
            branch = scf.IfOp(inside.result, [], Region(private_update), Region(fallback))
            parent.insert_ops_before([limit, inside, branch], atomic)
            atomic.detach()
            fallback.add_ops([atomic, scf.YieldOp()])  # past max-private: stays atomic

    # -- steps 4 and 5 -------------------------------------------------------------------------
    def _merge_private(self, ops: list[Operation], red: Reduction, parts: SSAValue,
                       nb: SSAValue, c0: SSAValue, c1: SSAValue) -> None:
        """`dest[j] op= parts[0][j] op parts[1][j] ...` (blocks in order) for each element
        `j < max-private` that received something; then the copies are freed."""
        t = red.element_type
        size = _index(self.opt.max_private)
        total = memref.AllocaOp.get(t, shape=[1])
        element = Block(arg_types=[IndexType()])
        j = element.args[0]
        start = _identity(red, t)
        over_blocks = Block(arg_types=[IndexType()])
        b = over_blocks.args[0]
        row = arith.MuliOp(b, size.result)
        at = arith.AddiOp(row.result, j)
        part = memref.LoadOp.get(parts, [at.result])
        so_far = memref.LoadOp.get(total, [c0])
        both = _combine(red, t, so_far.res, part.res)
        over_blocks.add_ops([row, at, part, so_far, *both,
                             memref.StoreOp.get(both[-1].results[0], total, [c0]), scf.YieldOp()])
        result = memref.LoadOp.get(total, [c0])
        element.add_ops([start, memref.StoreOp.get(start.result, total, [c0]),
                         scf.ForOp(c0, nb, c1, [], over_blocks), result])
        skip_ops, differs = _differs(red, result.res)
        element.add_ops(skip_ops)
        update = Block()
        old = memref.LoadOp.get(red.dest, [j])
        new = _combine(red, t, old.res, result.res)
        update.add_ops([old, *new, memref.StoreOp.get(new[-1].results[0], red.dest, [j]),
                        scf.YieldOp()])
        element.add_ops([scf.IfOp(differs, [], Region(update)), scf.YieldOp()])
        ops += [size, total, scf.ForOp(c0, size.result, c1, [], element),
                memref.DeallocOp.get(parts)]


    def _tree_over_partials(self, ops: list[Operation], red: Reduction, t: Attribute,
                            part: SSAValue, nb: SSAValue, c0: SSAValue) -> SSAValue:
        stride = 1
        while stride < self.opt.blocks:
            s = _index(stride)
            step = _index(2 * stride)
            limit = arith.MaxSIOp(arith.SubiOp(nb, s.result).result, c0)
            body = Block(arg_types=[IndexType()])
            i = body.args[0]
            j = arith.AddiOp(i, s.result)
            a = memref.LoadOp.get(part, [i])
            b = memref.LoadOp.get(part, [j.result])
            both = _combine(red, t, a.res, b.res)
            body.add_ops([j, a, b, *both, memref.StoreOp.get(both[-1].results[0], part, [i]),
                          scf.YieldOp()])
            ops += [s, step, limit.operands[0].owner, limit,
                    scf.ForOp(c0, limit.result, step.result, [], body)]
            stride *= 2
        total = memref.LoadOp.get(part, [c0])
        total.res.name_hint = "total"
        ops.append(total)
        return total.res

    def _update_destination(self, ops: list[Operation], red: Reduction, t: Attribute,
                            total: SSAValue) -> None:
        if t != red.element_type:
            narrow = arith.TruncFOp(total, red.element_type)
            ops.append(narrow)
            total = narrow.result
        t = red.element_type
        skip_ops, differs = _differs(red, total)
        ops += skip_ops
        update = Block()
        index_ops, index = clone_uniform(red.index, {})
        update.add_ops(index_ops)
        old = memref.LoadOp.get(red.dest, [index])
        new = _combine(red, t, old.res, total)
        update.add_ops([old, *new, memref.StoreOp.get(new[-1].results[0], red.dest, [index]),
                        scf.YieldOp()])
        ops.append(scf.IfOp(differs, [], Region(update)))
