"""`split-accumulators`: a thread's float accumulation loop gets a fixed set of partial results."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import (
    FloatAttr,
    IndexType,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
)
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint

from hologram.dialects.hologram import KernelOp

ATTR = "split_accumulators"
# op -> the identity its partial results start from
_IDENTITY = {arith.AddfOp: -0.0, arith.MaximumfOp: float("-inf"), arith.MinimumfOp: float("inf")}


_NSW = arith.IntegerOverflowAttr([arith.IntegerOverflowFlag.NSW])


class _NotSplit(Exception):
    pass


def _int_const(v: SSAValue) -> int | None:
    op = v.owner
    if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
        return op.value.value.data
    return None


def _match(loop: scf.ForOp, with_add: bool) -> tuple[memref.LoadOp, memref.StoreOp, Operation]:
    """The accumulation `acc[] = acc[] op v` of the loop body, or _NotSplit with the reason."""
    if loop.iter_args:
        raise _NotSplit("the loop carries values")
    if not isinstance(loop.lb.type, IndexType):
        raise _NotSplit("the loop variable is not an index")
    if _int_const(loop.step) != 1:
        raise _NotSplit("the step is not 1")
    body = [op for op in loop.body.block.ops if not isinstance(op, scf.YieldOp)]
    if any(op.regions for op in body):
        raise _NotSplit("control flow in the loop body")
    stores = [op for op in body if isinstance(op, memref.StoreOp)]
    if len(stores) != 1:
        raise _NotSplit("not one store in the loop")
    store = stores[0]
    acc = store.memref
    if not isinstance(acc.owner, memref.AllocaOp) or not isinstance(acc.type, MemRefType) \
            or acc.type.get_num_dims() != 0:
        raise _NotSplit("the store is not to a scalar local")
    comb = store.value.owner
    kinds = tuple(k for k in _IDENTITY if with_add or k is not arith.AddfOp)
    if not isinstance(comb, kinds):
        raise _NotSplit("the accumulation is not +, max or min of floats")
    loads = [op for op in body if isinstance(op, memref.LoadOp) and op.memref is acc]
    if len(loads) != 1 or loads[0].res not in comb.operands:
        raise _NotSplit("the accumulator is read other than once, by the accumulation")
    other = comb.rhs if comb.lhs is loads[0].res else comb.lhs
    if other is loads[0].res or len(list(loads[0].res.uses)) != 1 \
            or len(list(comb.results[0].uses)) != 1:
        raise _NotSplit("the partial result is used for more than the accumulation")
    for op in body:
        if op in (store, comb, loads[0]):
            continue
        if isinstance(op, memref.StoreOp | memref.AllocaOp):
            raise _NotSplit("the loop writes memory")
        if not (op.name.startswith(("arith.", "math.")) or isinstance(op, memref.LoadOp)):
            raise _NotSplit(f"`{op.name}` in the loop body")
    return loads[0], store, comb


def _idx(v: int) -> arith.ConstantOp:
    return arith.ConstantOp(IntegerAttr(v, IndexType()))


def _clone_body(loop: scf.ForOp, into: Block, iv: SSAValue, acc_load: memref.LoadOp,
                store: memref.StoreOp, partial: SSAValue, lane: SSAValue) -> None:
    """The loop body for iteration `iv`, the accumulator replaced by partial[lane]."""
    mapping: dict[SSAValue, SSAValue] = {loop.body.block.args[0]: iv}
    for op in loop.body.block.ops:
        if isinstance(op, scf.YieldOp):
            continue
        if op is acc_load:
            new = memref.LoadOp.get(partial, [lane])
            mapping[op.res] = new.res
        elif op is store:
            new = memref.StoreOp.get(mapping[op.value], partial, [lane])
        else:
            new = op.clone(value_mapper=mapping)
        into.add_op(new)


class _Split(RewritePattern):
    def __init__(self, lanes: int, with_add: bool):
        self.lanes = lanes
        self.with_add = with_add

    @op_type_rewrite_pattern
    def match_and_rewrite(self, loop: scf.ForOp, rewriter: PatternRewriter, /) -> None:
        if ATTR in loop.attributes or not _in_kernel(loop):
            return
        try:
            acc_load, store, comb = _match(loop, self.with_add)
        except _NotSplit as why:
            loop.attributes[ATTR] = StringAttr(f"refused: {why}")
            rewriter.notify_op_modified(loop)
            return
        elem = comb.results[0].type
        width = self.lanes
        ops: list[Operation] = []
        c0, c1, cw = _idx(0), _idx(1), _idx(width)
        ident = arith.ConstantOp(FloatAttr(_IDENTITY[type(comb)], elem))  # type: ignore[arg-type]
        partial_op = memref.AllocaOp.get(elem, shape=[width])
        partial = partial_op.memref
        partial.name_hint = "partial"
        ops += [c0, c1, cw, ident, partial_op]
        # partial[l] = identity
        init_body = Block(arg_types=[IndexType()])
        init_body.add_op(memref.StoreOp.get(ident.result, partial, [init_body.args[0]]))
        init_body.add_op(scf.YieldOp())
        ops.append(scf.ForOp(c0.result, cw.result, c1.result, [], Region(init_body)))
        # main_end = lb + (ub - lb) / W * W (ub >= lb), else lb
        span = arith.SubiOp(loop.ub, loop.lb)
        has = arith.CmpiOp(loop.lb, loop.ub, "ult")
        div = arith.DivUIOp(span.result, cw.result)
        mul = arith.MuliOp(div.result, cw.result)
        end0 = arith.AddiOp(loop.lb, mul.result)
        main_end = arith.SelectOp(has.result, end0.result, loop.lb)
        main_end.result.name_hint = "main_end"
        ops += [span, has, div, mul, end0, main_end]
        # for j in lb..main_end step W: for l in 0..W: body(j + l) into partial[l]
        outer = Block(arg_types=[IndexType()])
        inner = Block(arg_types=[IndexType()])
        lane = inner.args[0]
        lane.name_hint = "lane"
        it = arith.AddiOp(outer.args[0], lane, overflow=_NSW)  # <= ub: no wrap
        inner.add_op(it)
        _clone_body(loop, inner, it.result, acc_load, store, partial, lane)
        inner.add_op(scf.YieldOp())
        outer.add_op(scf.ForOp(c0.result, cw.result, c1.result, [], Region(inner)))
        outer.add_op(scf.YieldOp())
        main = scf.ForOp(loop.lb, main_end.result, cw.result, [], Region(outer))
        main.attributes[ATTR] = StringAttr(f"{width} partial results")
        ops.append(main)
        # Combine the partial results pairwise (s = W/2, W/4, ..., 1), then into acc.
        s = width // 2
        while s >= 1:
            cs = _idx(s)
            tree = Block(arg_types=[IndexType()])
            j = tree.args[0]
            far = arith.AddiOp(j, cs.result)
            lhs = memref.LoadOp.get(partial, [j])
            rhs = memref.LoadOp.get(partial, [far.result])
            both = type(comb)(lhs.res, rhs.res)
            tree.add_ops([far, lhs, rhs, both, memref.StoreOp.get(both.results[0], partial, [j]),
                          scf.YieldOp()])
            ops += [cs, scf.ForOp(c0.result, cs.result, c1.result, [], Region(tree))]
            s //= 2
        acc = store.memref
        total = memref.LoadOp.get(partial, [c0.result])
        before = memref.LoadOp.get(acc, [])
        merged = type(comb)(before.res, total.res)
        ops += [total, before, merged, memref.StoreOp.get(merged.results[0], acc, [])]
        for op in ops:
            rewriter.insert(op, InsertPoint.before(loop))
        # The original loop runs the remaining iterations, main_end .. ub, in order.
        loop.operands[0] = main_end.result
        loop.attributes[ATTR] = StringAttr("remainder")
        rewriter.notify_op_modified(loop)


def _in_kernel(op: Operation) -> bool:
    parent = op.parent_op()
    while parent is not None:
        if isinstance(parent, KernelOp):
            return True
        parent = parent.parent_op()
    return False


@dataclass(frozen=True)
class SplitAccumulators(ModulePass):
    """Thread-private float accumulations in loops get `lanes` partial results.

    A loop `for j in range(lb, ub): acc = acc op f(j)` (op float +, max or min; `acc` a
    scalar local; the body pure apart from that one store; no control flow inside) is one long
    dependence chain, which the C compiler must keep in order (float + is not associative).
    It becomes

        partial[W] = identity                  # -0.0 for +, -inf for max, +inf for min
        for j0 in lb .. main_end step W:       # main_end = lb + (ub - lb) // W * W
          for l in 0..W: partial[l] = partial[l] op f(j0 + l)   # independent: vectorized
        for s in W/2, W/4, ..., 1: for l in 0..s: partial[l] = partial[l] op partial[l + s]
        acc = acc op partial[0]
        for j in main_end .. ub: acc = acc op f(j)              # the remainder, in order

    **The summation order** is therefore: W interleaved partial sums (iteration j goes to
    partial (j - lb) mod W), combined pairwise as above, then added to the initial value, then
    the last (ub - lb) mod W terms in order. It depends on the loop's bounds only: the same
    bits for any number of threads and any grid. max and min are exact in any order (MLIR's
    `maximumf`/`minimumf`: NaN wins, -0.0 < +0.0), so for them the result is bit-identical
    to the sequential loop; a + sum differs by rounding (like numpy, which sums pairwise).

    Options:
      lanes=W        partial results per loop (default 64: four AVX-512 vectors of float32,
                     independent chains that hide the latency of + and of max/min's selects;
                     2048 x 2048 row max, one thread: 16 lanes 3.8-8 ms, 64 lanes see
                     docs/performance.md).
      strict=true    keep the sequential order of + (max and min are still split: exact).

    Each loop the pass considers records the outcome in its `split_accumulators` attribute
    ("16 partial results", "remainder", or "refused: <why>").
    """

    name = "split-accumulators"

    lanes: int = 64
    strict: bool = False

    def __post_init__(self) -> None:
        if self.lanes < 2 or self.lanes & (self.lanes - 1):
            raise ValueError(f"split-accumulators: lanes must be a power of two >= 2, "
                             f"not {self.lanes}")

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(_Split(self.lanes, not self.strict), apply_recursively=False
                             ).rewrite_module(op)


__all__ = ["SplitAccumulators"]
