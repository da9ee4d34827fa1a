"""`vectorize-lanes`: cross-thread vectorization of SIMT kernels whose threads run loops."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import IndexType, IntegerAttr, ModuleOp, StringAttr, i64
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint

from hologram.dialects.hologram import GridSizeOp, KernelOp, ParallelForOp, ReturnOp, YieldOp
from hologram.passes.parallelize import DEFAULT_LOOP_THRESHOLD, fill_grid_loop
from hologram.passes.vectorize_lanes_plan import Item, Plan, Refused, analyse

STRATEGY_ATTR = "vectorize_lanes.strategy"
REFUSED_ATTR = "vectorize_lanes.refused"

_NSW = arith.IntegerOverflowAttr([arith.IntegerOverflowFlag.NSW])


# ------------------------------------------------------------------------------------------------
# Rewriting
# ------------------------------------------------------------------------------------------------
class _Lanes:
    """Emits the lane loops of one group of threads: ids base .. base + count - 1."""

    def __init__(self, plan: Plan, block: Block, base: SSAValue, count: SSAValue,
                 col0: SSAValue | None, width: int, anchor: Operation):
        self.plan = plan
        self.block = block
        self.base = base
        self.count = count
        self.col0 = col0  # a decode's column of the group's first id
        self.width = width
        self.anchor = anchor  # lane arrays go after it, before any lane loop
        self.lane_arrays: dict[SSAValue, SSAValue] = {}  # per-lane value -> its W-array
        self.private: dict[SSAValue, SSAValue] = {}  # rank-0 alloca -> its W-array
        self.zero = self._const(0)
        self.one = self._const(1)
        self.seg_of: dict[Operation, int] = {}
        self.segments = 0
        # The id's integer casts and a decode's rows and columns, as the index values they come
        # from: their zero-extensions (and, of a signed decode's, sign-extensions) are casts
        # of those (exact: 0 <= value < 2**32), so the C compiler sees `col0 + lane` and not
        # a 32-bit wrap it cannot rule out.
        self.index_of: dict[SSAValue, SSAValue] = {}
        self.signed_ok: set[SSAValue] = set()
        if plan.decode is not None and plan.decode.signed:
            self.signed_ok = set(plan.decode.rows) | set(plan.decode.cols)
        self.id_casts = [u.operation.result for u in plan.gid.result.uses
                         if isinstance(u.operation, arith.IndexCastOp)]

    def _const(self, v: int) -> SSAValue:
        op = arith.ConstantOp.from_int_and_width(v, IndexType())
        self.block.insert_op_after(op, self.anchor)
        self.anchor = op
        return op.result

    def array(self, elem) -> SSAValue:
        """A W-element local at the top of the group (it must dominate every lane loop)."""
        op = memref.AllocaOp.get(elem, shape=[self.width])
        self.block.insert_op_after(op, self.anchor)
        self.anchor = op
        return op.memref

    def lane_loop(self, into: Block, outer: dict[SSAValue, SSAValue],
                  ) -> tuple[Block, SSAValue, dict[SSAValue, SSAValue]]:
        """`scf.for l = 0 to count` in `into`; returns its body, l and the per-lane mapping."""
        body = Block(arg_types=[IndexType()])
        into.add_op(scf.ForOp(self.zero, self.count, self.one, [], Region(body)))
        lane = body.args[0]
        lane.name_hint = "lane"
        gid = arith.AddiOp(self.base, lane, overflow=_NSW)  # < the grid: no wrap
        body.add_op(gid)
        gid.result.name_hint = "gid"
        mapping = dict(outer)
        mapping[self.plan.gid.result] = gid.result
        self.index_of.update({c: gid.result for c in self.id_casts})
        if self.plan.decode is not None:
            assert self.col0 is not None
            col = arith.AddiOp(self.col0, lane, overflow=_NSW)
            body.add_op(col)
            col.result.name_hint = "col"
            self.index_of.update({c: col.result for c in self.plan.decode.cols})
            for c in self.plan.decode.cols:
                cast = arith.IndexCastOp(col.result, c.type)
                body.add_op(cast)
                mapping[c] = cast.result
        return body, lane, mapping

    def _exact_widening(self, op: Operation) -> bool:
        if isinstance(op, arith.ExtUIOp):
            return op.input in self.index_of
        return isinstance(op, arith.ExtSIOp) and op.input in self.index_of \
            and op.input in self.signed_ok

    def clone(self, op: Operation, into: Block, mapping: dict[SSAValue, SSAValue]) -> None:
        """Clone `op` into `into`; a widening of the id's cast or of a decode's row or column
        is a cast of its index value."""
        if self._exact_widening(op):
            new: Operation = arith.IndexCastOp(self.index_of[op.input], op.result.type)
        else:
            new = op.clone(value_mapper=mapping)
        into.add_op(new)
        for o, n in zip(op.results, new.results, strict=True):
            mapping[o] = n

    def _value(self, v: SSAValue, body: Block, mapping: dict[SSAValue, SSAValue],
               lane: SSAValue) -> None:
        """Make `v` available in this lane loop: recompute it, or load it from its lane array."""
        if v in mapping:
            return
        owner = v.owner
        if isinstance(owner, Operation) and self._exact_widening(owner):
            self.clone(owner, body, mapping)
        elif isinstance(owner, Operation) and owner in self.plan.remat:
            for o in owner.operands:
                self._value(o, body, mapping, lane)
            new = owner.clone(value_mapper=mapping)
            body.add_op(new)
            mapping[v] = new.results[0]
        elif v in self.lane_arrays:
            load = memref.LoadOp.get(self.lane_arrays[v], [lane])
            body.add_op(load)
            mapping[v] = load.res

    def clone_into(self, ops: list[Operation], body: Block, lane: SSAValue,
                   mapping: dict[SSAValue, SSAValue], seg: int) -> None:
        """Clone `ops` (segment `seg`) for one lane: values of other segments come from their
        lane arrays; values used by other segments go to theirs; private scalars to lanes."""
        for op in ops:
            for inner in op.walk():
                for v in inner.operands:
                    self._value(v, body, mapping, lane)
            if isinstance(op, memref.LoadOp | memref.StoreOp) and op.memref in self.private:
                arr = self.private[op.memref]
                if isinstance(op, memref.LoadOp):
                    new = memref.LoadOp.get(arr, [lane])
                    new.res.name_hint = op.res.name_hint
                    mapping[op.res] = new.res
                else:
                    new = memref.StoreOp.get(mapping.get(op.value, op.value), arr, [lane])
                body.add_op(new)
            else:
                new = op.clone(value_mapper=mapping)
                body.add_op(new)
                self._lane_privates(new, lane)
            for old_r, new_r in zip(op.results, new.results, strict=True):
                mapping[old_r] = new_r
                users = {self.seg_of.get(u.operation, seg) for u in old_r.uses}
                if users - {seg}:
                    arr = self.lane_arrays.get(old_r)
                    if arr is None:
                        arr = self.array(old_r.type)
                        self.lane_arrays[old_r] = arr
                    body.add_op(memref.StoreOp.get(new_r, arr, [lane]))

    def _lane_privates(self, new: Operation, lane: SSAValue) -> None:
        """Loads and stores of a private scalar become accesses of the lane's element."""
        for inner in list(new.walk()):
            if isinstance(inner, memref.LoadOp) and inner.memref in self.private.values() \
                    and not inner.indices:
                rep = memref.LoadOp.get(inner.memref, [lane])
                inner.parent_block().insert_op_before(rep, inner)
                inner.res.replace_all_uses_with(rep.res)
                rep.res.name_hint = inner.res.name_hint
                inner.detach()
                inner.erase()
            elif isinstance(inner, memref.StoreOp) and inner.memref in self.private.values() \
                    and not inner.indices:
                rep = memref.StoreOp.get(inner.value, inner.memref, [lane])
                inner.parent_block().insert_op_before(rep, inner)
                inner.detach()
                inner.erase()

    def number(self, items: list[Item]) -> None:
        """Give every op of every lane segment its segment's number."""
        for item in items:
            if item[0] == "lanes":
                self.segments += 1
                n = self.segments
                for op in item[1]:
                    for inner in op.walk():
                        self.seg_of[inner] = n
            elif item[0] == "loop":
                self.number(item[2])

    def emit(self, items: list[Item], into: Block, mapping: dict[SSAValue, SSAValue]) -> None:
        for item in items:
            if item[0] == "uniform":
                self.clone(item[1], into, mapping)
            elif item[0] == "lanes":
                ops = item[1]
                body, lane, lmap = self.lane_loop(into, mapping)
                self.clone_into(ops, body, lane, lmap, self.seg_of[ops[0]])
                body.add_op(scf.YieldOp())
            else:
                # The loop runs once for the group; its body is planned the same way.
                _, loop, inner = item
                iv = loop.body.block.args[0]
                outer_body = Block(arg_types=[iv.type])  # index or an integer
                outer_body.args[0].name_hint = iv.name_hint
                into.add_op(scf.ForOp(mapping.get(loop.lb, loop.lb),
                                      mapping.get(loop.ub, loop.ub),
                                      mapping.get(loop.step, loop.step), [],
                                      Region(outer_body)))
                mapping[iv] = outer_body.args[0]
                self.emit(inner, outer_body, mapping)
                outer_body.add_op(scf.YieldOp())


def _put(ops: list[Operation], op: Operation) -> SSAValue:
    ops.append(op)
    return op.results[0]


def _to_index(value: SSAValue, signed: bool, ops: list[Operation]) -> SSAValue:
    """An i32/i64 value as an index (sign- or zero-extended)."""
    if isinstance(value.type, IndexType):
        return value
    if value.type != i64:
        value = _put(ops, arith.ExtSIOp(value, i64) if signed else arith.ExtUIOp(value, i64))
    return _put(ops, arith.IndexCastOp(value, IndexType()))


def _emit(plan: Plan, width: int, row_min: int, rewriter: PatternRewriter) -> None:
    kernel = plan.kernel
    block = kernel.body.block
    ret = block.last_op
    assert isinstance(ret, ReturnOp)
    head: list[Operation] = []
    c0 = _put(head, arith.ConstantOp.from_int_and_width(0, IndexType()))
    c1 = _put(head, arith.ConstantOp.from_int_and_width(1, IndexType()))
    cw = _put(head, arith.ConstantOp.from_int_and_width(width, IndexType()))
    grid = _put(head, GridSizeOp())
    grid.name_hint = "grid"
    # Ids below min(grid, n) pass the guard: they run in groups of lanes.
    bound_map: dict[SSAValue, SSAValue] = {}
    for op in plan.hoisted:
        new = op.clone(value_mapper=bound_map)
        head.append(new)
        for o, n in zip(op.results, new.results, strict=True):
            bound_map[o] = n
    bound = bound_map.get(plan.bound, plan.bound)
    if plan.bound_signed:  # a negative n: no id passes
        zero = _put(head, arith.ConstantOp(IntegerAttr(0, bound.type)))
        neg = _put(head, arith.CmpiOp(bound, zero, "slt"))
        bound = _put(head, arith.SelectOp(neg, zero, bound))
    end = _put(head, arith.MinUIOp(grid, _to_index(bound, plan.bound_signed, head)))
    end.name_hint = "guarded_end"
    threshold = max(1, DEFAULT_LOOP_THRESHOLD // width)
    decode = plan.decode
    if decode is None:
        group = ParallelForOp(c0, end, cw, Region(Block(arg_types=[IndexType()])),
                              schedule="static", chunk=0, threshold=threshold)
        group.attributes["lanes"] = StringAttr(f"{width} consecutive ids per iteration")
        tail_start = end
    else:
        # Groups along the rows of the decoded id space: row i, columns j0 .. j0 + W - 1.
        # Rows shorter than `row_min` (and a divisor <= 0) leave every id to the original body
        # (the tail loop): a group of a few lanes costs more than it gains.
        d = bound_map.get(decode.divisor, decode.divisor)
        dmin = _put(head, arith.ConstantOp(IntegerAttr(row_min, d.type)))
        ok = _put(head, arith.CmpiOp(d, dmin, "sge" if decode.signed else "uge"))
        dsafe = _put(head, arith.SelectOp(ok, _to_index(d, decode.signed, head), c1))
        dsafe.name_hint = "row_len"
        tail_start = _put(head, arith.SelectOp(ok, end, c0))
        last = _put(head, arith.SubiOp(dsafe, c1))
        rows = _put(head, arith.DivUIOp(_put(head, arith.AddiOp(tail_start, last)), dsafe))
        wm1 = _put(head, arith.ConstantOp.from_int_and_width(width - 1, IndexType()))
        per_row = _put(head, arith.DivUIOp(_put(head, arith.AddiOp(dsafe, wm1)), cw))
        per_row.name_hint = "groups_per_row"
        total = _put(head, arith.MuliOp(rows, per_row))
        group = ParallelForOp(c0, total, c1, Region(Block(arg_types=[IndexType()])),
                              schedule="static", chunk=0, threshold=threshold)
        group.attributes["lanes"] = StringAttr(
            f"{width} consecutive columns of one row per iteration")
    head.append(group)
    gb = group.body.block
    g = group.induction_var
    g.name_hint = "g0" if decode is None else "g"
    # The uniform values the body uses are recomputed inside the loop (cheap, and the C
    # compiler sees them as loop-local constants).
    mapping: dict[SSAValue, SSAValue] = {}
    for op in plan.hoisted:
        new = op.clone(value_mapper=mapping)
        gb.add_op(new)
        for o, n in zip(op.results, new.results, strict=True):
            mapping[o] = n
    col0 = None
    if decode is None:
        base = g
        count = _put_in(gb, arith.MinUIOp(_put_in(gb, arith.ConstantOp.from_int_and_width(
            width, IndexType())), _put_in(gb, arith.SubiOp(end, g))))
    else:
        row = _put_in(gb, arith.DivUIOp(g, per_row))
        row.name_hint = "row"
        col0 = _put_in(gb, arith.MuliOp(_put_in(gb, arith.SubiOp(
            g, _put_in(gb, arith.MuliOp(row, per_row)))), cw))
        col0.name_hint = "col0"
        base = _put_in(gb, arith.AddiOp(_put_in(gb, arith.MuliOp(row, dsafe)), col0))
        in_row = _put_in(gb, arith.MinUIOp(cw, _put_in(gb, arith.SubiOp(dsafe, col0))))
        left = _put_in(gb, arith.MinUIOp(in_row, _put_in(gb, arith.SubiOp(tail_start, base))))
        inside = _put_in(gb, arith.CmpiOp(base, tail_start, "ult"))
        count = _put_in(gb, arith.SelectOp(inside, left, c0))
        for r in decode.rows:
            mapping[r] = _put_in(gb, arith.IndexCastOp(row, r.type))
        base.name_hint = "base"
    count.name_hint = "lanes"
    lanes = _Lanes(plan, gb, base, count, col0, width, gb.last_op)
    if decode is not None:
        lanes.index_of.update({r: row for r in decode.rows})
    for alloca in plan.privates:
        elem = alloca.memref.type.element_type  # type: ignore[union-attr]
        arr = lanes.array(elem)
        arr.name_hint = alloca.memref.name_hint
        lanes.private[alloca.memref] = arr
        mapping[alloca.memref] = arr
    lanes.number(plan.items)
    lanes.emit(plan.items, gb, mapping)
    gb.add_op(YieldOp())
    # Ids from there to the grid: the original body, guard included (normally none).
    tail = ParallelForOp(tail_start, grid, c1, Region(Block(arg_types=[IndexType()])),
                         threshold=DEFAULT_LOOP_THRESHOLD)
    head.append(tail)
    originals = [o for o in block.ops if o is not ret]
    for op in head:
        rewriter.insert(op, InsertPoint.before(ret))
    fill_grid_loop(tail, originals, clone=False)


def _put_in(block: Block, op: Operation) -> SSAValue:
    block.add_op(op)
    return op.results[0]


class _Lanify(RewritePattern):
    def __init__(self, width: int, row_min: int):
        self.width = width
        self.row_min = row_min

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: KernelOp, rewriter: PatternRewriter, /) -> None:
        if STRATEGY_ATTR in op.attributes:
            return
        try:
            plan = analyse(op)
        except Refused as why:
            op.attributes[STRATEGY_ATTR] = StringAttr("none")
            op.attributes[REFUSED_ATTR] = StringAttr(str(why))
            rewriter.notify_op_modified(op)
            return
        op.attributes[STRATEGY_ATTR] = StringAttr(f"lanes {self.width}")
        _emit(plan, self.width, self.row_min, rewriter)
        rewriter.notify_op_modified(op)


@dataclass(frozen=True)
class VectorizeLanes(ModulePass):
    """Cross-thread vectorization: threads whose body runs a loop run `lanes` at a time.

    A SIMT kernel `if idx < n: { pre; for p in range(P): body(p); post }` runs each thread's
    loop on its own, so an access `x[p * cols + idx]` (a column sum, a column stencil) walks
    memory with a stride, and a per-element loop (Horner, Newton) is one long dependence chain.
    This pass runs consecutive ids together, the way OpenCL and ISPC compilers for CPUs do:

        parallel_for g0 = 0 to min(grid, n) step W:        # W = `lanes`
          acc[W]                                           # each private scalar: one per lane
          for l in 0..count: pre(id = g0 + l)              # values used later: lane arrays
          for p in range(P):
            <ops of p and uniform values alone>            # once per iteration, not per lane
            for l in 0..count: body(p, id = g0 + l)        # contiguous in l: vectorized
          for l in 0..count: post(id = g0 + l)
        parallel_for id = min(grid, n) to grid: <the original body>   # normally empty

    Loops nest: a loop inside a lane-free loop is planned the same way, so the lane loop is
    the innermost one (`for a: for b: for l: acc[l] += x[...] * w[a, b]`).

    **2-D ids.** A kernel that decodes its id, `i = idx // d` with `j = idx % d` (or
    `j = idx - i * d`; unsigned or Python's floor division on signed types), runs groups of W
    consecutive columns of one row instead: the row `i` is the same in every lane and `j` is
    `col0 + lane`, so `x[(i + a) * w + j + b]` is contiguous along the lanes (a direct
    convolution, a 2-D stencil). The groups are the pairs (row, column block), in parallel;
    when `d < row_min` at run time every id runs the original body.

    Every lane runs exactly its thread's operations in order, so results are bit-identical to
    one thread at a time. The kernel records its choice (`vectorize_lanes.strategy`) or the
    reason it was refused (`vectorize_lanes.refused`).

    Applies when: the body is one guard `if idx < n` (n uniform; unsigned or signed compare)
    after scalar locals and pure ops; some loop has bounds the same for every thread and no
    carried values; every access inside such a loop is unit-stride along the lanes or the same
    for all of them (a strided one, `x[idx * cols + p]`, is left to the thread's own loop);
    every write to an array is at `id + uniform offset` and every read of a written array is at
    the same element (so the interleaving cannot change a result); no atomics, early returns,
    while loops, break/continue, calls or per-thread arrays. Indices are compared as linear
    forms over the id, the decoded row and column and the loop variables, with polynomial
    coefficients in uniform values (`hologram.analysis.lanes`); as the frontend's subscripts,
    they are assumed not to wrap.

    Options:
      lanes=N   consecutive ids per group (default 64: four AVX-512 vectors of float32, and
                256 contiguous bytes per row of a column sum; measured on a 4096 x 4096
                column sum, 16 lanes took 49 ms and 64 lanes 28 ms, numpy 13 ms, on a
                loaded 2-core machine).
      row_min=N a decoded row (the divisor `d`) shorter than N runs the original body, one
                id per iteration, at run time (default 16: one AVX-512 vector of float32;
                measured on a product along the last axis, rows of 1 and 3 lanes were 1.7x
                and 30x slower than the original body, rows of 16 were 2x faster).
    """

    name = "vectorize-lanes"

    lanes: int = 64
    row_min: int = 16

    def __post_init__(self) -> None:
        if not 2 <= self.lanes <= 256:
            raise ValueError(f"vectorize-lanes: lanes must be in 2..256, not {self.lanes}")
        if self.row_min < 1:
            raise ValueError(f"vectorize-lanes: row_min must be at least 1, not {self.row_min}")

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        # Each kernel once (the rewrite moves the kernel's whole body, which a walker's
        # worklist would then visit again).
        pattern = _Lanify(self.lanes, self.row_min)
        for kernel in [k for k in op.walk() if isinstance(k, KernelOp)]:
            pattern.match_and_rewrite(kernel, PatternRewriter(kernel))


def explain(kernel: KernelOp) -> str:
    """Why `vectorize-lanes` leaves a kernel alone ("" when it applies)."""
    try:
        analyse(kernel)
    except Refused as why:
        return str(why)
    return ""


__all__ = ["VectorizeLanes", "Refused", "analyse", "explain"]
