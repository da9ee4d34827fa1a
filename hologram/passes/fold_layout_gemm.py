"""The contraction nest of `fold-layout`: one dot product per output element, tiled.

Recognised from the affine access analysis (`fold_layout_ir.affine_terms`), after the fold has
proved the decode of the id into (batch,) row and column coordinates `i`, `j`:

    acc = init                         # rank-0 alloca, or the loop's iter_arg; init a constant
    for p in range(K):                 #   or a parameter; the loop from 0, step 1
        acc += X[sxi * i + sxk * p (+ sxb * b) + offX] * Y[syk * p + syj * j (+ syb * b) + offY]
    <epilogue>                         # anything using the sum: `C[i * ldc + j] = alpha * acc`

Every stride is a product of parameters and constants, so each operand may be stored either
way round (`A[i*lda + p]` or `A[p*lda + i]`, `B[p*ldb + j]` or `B[j*ldb + p]`: the four BLAS
layouts are one case), and a 3-D decode adds a batch coordinate `b` to both.

Generated (each element's sum is still accumulated in p order with the same operations, so the
result is bit-identical to the SIMT kernel):

    parallel_for q in 0..batches * ceil(M / TI):           # b = q / tiles, it = q % tiles * TI
      acc[TI*TJ], panel[TK*TJ] (locals)
      for jt in 0..N step TJ:
        acc[r, c] = init
        for kt in 0..K step TK:
          panel[kk, c] = Y[syk*(kt+kk) + syj*(jt+c) + ...]    # packed: contiguous whatever Y's layout
          for r0 in rows step MR:                              # register block of MR rows
            for k in kt..kt+TK step KU:                        # KU k-steps per pass
              x[r][u] = X[sxi*(it+r0+r) + sxk*(k+u) + ...]
              for c in 0..TJ:                                  # contiguous, vectorizable
                v = acc[r0+r, c]; v = v + x[r][0]*panel[k, c]; ...; acc[r0+r, c] = v
        for r, c: <the kernel body without the loop, the sum = acc[r, c]>   # the epilogue
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects import arith, math, memref, scf
from xdsl.dialects.builtin import (
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
)
from xdsl.ir import Attribute, Block, BlockArgument, Operation, Region, SSAValue

from hologram.dialects.hologram import ParallelForOp, YieldOp
from hologram.passes.fold_layout_ir import (
    Builder,
    ConstCache,
    Fold,
    Leaf,
    Term,
    affine_terms,
    clone_body,
    coordinate_atoms,
    index_bound_ok,
    leaf_of,
)


# Columns of a k-contiguous operand transposed into the panel at a time (one cache line of
# float32 each step of kk).
PACK_COLS = 16


class NotContraction(Exception):
    """Why a folded kernel does not get the contraction nest."""


@dataclass
class Operand:
    """An array read at `outer * o + k * p + batch * b + sum(consts)` (o: i for X, j for Y)."""

    array: BlockArgument
    outer: tuple[Leaf, ...]
    k: tuple[Leaf, ...]
    batch: tuple[Leaf, ...] | None  # None: the operand is the same for every batch
    consts: list[tuple[Leaf, ...]]

    def layout(self, outer_name: str) -> str:
        """`k` when unit stride along the reduction, else the coordinate that has it."""
        if self.k == ():
            return "k"
        return outer_name if self.outer == () else "strided"


@dataclass
class Gemm:
    fold: Fold
    x: Operand  # varies with the row coordinate i
    y: Operand  # varies with the column coordinate j
    k_extent: Leaf
    init: SSAValue  # a kernel parameter, or the result of an arith.constant (cloned on use)
    elem: Attribute
    loop: scf.ForOp
    drop: set[Operation]  # ops the epilogue leaves out (the loop, the initial store)
    total: SSAValue  # the sum as the epilogue reads it (the final load, or the loop's result)

    @property
    def batched(self) -> bool:
        return self.fold.rank == 3

    def describe(self) -> str:
        kind = "batched " if self.batched else ""
        return (f"{kind}contraction, {self.elem} X[{self.x.layout('i')}] "
                f"Y[{self.y.layout('j')}]")

    def exact_condition(self, b: Builder) -> SSAValue:
        """Every index the nest computes is below 2^31 (so i64 arithmetic equals the kernel's)."""
        kb = self.fold.kernel.body.block
        dims = self.fold.dims
        tests: list[SSAValue] = []
        for op_, outer_dim in ((self.x, dims[-2]), (self.y, dims[-1])):
            terms: list[tuple[tuple[Leaf, ...], Leaf | None]] = [
                (op_.outer, outer_dim), (op_.k, self.k_extent)]
            if op_.batch is not None:
                terms.append((op_.batch, dims[0]))
            terms += [(c, None) for c in op_.consts]
            index_bound_ok(b, terms, kb, tests)
        # The epilogue's linear id and coordinates.
        index_bound_ok(b, [(tuple(dims), None)], kb, tests)
        ok = tests[0]
        for t in tests[1:]:
            ok = b.andi(ok, t)
        return ok


def _strip_casts(v: SSAValue) -> SSAValue:
    while isinstance(v.owner, arith.ExtUIOp | arith.IndexCastOp):
        v = v.owner.input
    return v


def _int_const(v: SSAValue) -> int | None:
    op = _strip_casts(v).owner
    if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
        return op.value.value.data
    return None


def _operand(load: memref.LoadOp, terms: list[Term], outer: str, other: str,
             batch: str | None) -> Operand | None:
    """The load as an Operand varying with `outer` (not with `other`), or None."""
    by_var: dict[str, tuple[Leaf, ...]] = {}
    consts: list[tuple[Leaf, ...]] = []
    for t in terms:
        if t.var == "1":
            consts.append(t.coef)
        elif t.var in by_var:
            return None  # the same coordinate twice: not one stride
        else:
            by_var[t.var] = t.coef
    if outer not in by_var or "k" not in by_var or other in by_var:
        return None
    if set(by_var) - {outer, "k", batch}:
        return None
    if not isinstance(load.memref, BlockArgument):
        return None
    return Operand(load.memref, by_var[outer], by_var["k"],
                   by_var.get(batch) if batch is not None else None, consts)


def _is_invariant_init(init: SSAValue, kb: Block) -> bool:
    if isinstance(init, BlockArgument):
        return init.block is kb
    op = init.owner
    return isinstance(op, arith.ConstantOp) and isinstance(op.value, FloatAttr)


def _only_index_arith(ops: list[Operation], allowed: set[Operation]) -> bool:
    for op in ops:
        if op in allowed:
            continue
        if not op.name.startswith("arith.") or any(
            not isinstance(r.type, IndexType | IntegerType) for r in op.results
        ):
            return False
    return True


def _product_loads(mul: arith.MulfOp) -> tuple[memref.LoadOp, memref.LoadOp] | None:
    lhs, rhs = mul.lhs.owner, mul.rhs.owner
    if isinstance(lhs, memref.LoadOp) and isinstance(rhs, memref.LoadOp) and lhs is not rhs:
        return lhs, rhs
    return None


def _match_accumulation(then_ops: list[Operation], loop: scf.ForOp, kb: Block):
    """(init, the two loads, ops to drop, the sum after the loop, element type) or a reason."""
    body = [op for op in loop.body.block.ops if not isinstance(op, scf.YieldOp)]
    pos = {op: n for n, op in enumerate(then_ops)}
    if loop.iter_args:
        # acc carried by the loop: `scf.for ... iter_args(%acc = init) { yield acc + x * y }`
        if len(loop.iter_args) != 1:
            raise NotContraction("the loop carries more than one value")
        acc = loop.body.block.args[1]
        yielded = loop.body.block.last_op.operands[0]  # type: ignore[union-attr]
        add = yielded.owner
        if not isinstance(add, arith.AddfOp) or acc not in add.operands:
            raise NotContraction("the loop's carried value is not `acc + x * y`")
        mul = (add.rhs if add.lhs is acc else add.lhs).owner
        if not isinstance(mul, arith.MulfOp) or (pair := _product_loads(mul)) is None:
            raise NotContraction("the loop does not add a product of two loads")
        if len(list(acc.uses)) != 1 or len(list(mul.result.uses)) != 1:
            raise NotContraction("the partial sum is used for more than the accumulation")
        if not _only_index_arith(body, {add, mul, *pair}):
            raise NotContraction("the loop does more than `acc += x * y` and index arithmetic")
        init = loop.iter_args[0]
        if not _is_invariant_init(init, kb):
            raise NotContraction("the initial value is not a constant or a parameter")
        return init, pair, {loop}, loop.results[0], add.result.type
    # acc in a rank-0 alloca: `acc[] = init; for: acc[] = acc[] + x * y; ... acc[]`
    stores = [op for op in body if isinstance(op, memref.StoreOp)]
    if len(stores) != 1:
        raise NotContraction("the loop does not store exactly one accumulator")
    store = stores[0]
    acc = store.memref
    if not isinstance(acc.owner, memref.AllocaOp) or not isinstance(acc.type, MemRefType) \
            or acc.type.get_num_dims() != 0:
        raise NotContraction("the loop's store is not to a scalar accumulator")
    add = store.value.owner
    if not isinstance(add, arith.AddfOp):
        raise NotContraction("the accumulator is not updated by `acc + x * y`")
    acc_load = next((o.owner for o in add.operands
                     if isinstance(o.owner, memref.LoadOp) and o.owner.memref is acc), None)
    if acc_load is None:
        raise NotContraction("the accumulator is not updated by `acc + x * y`")
    mul = (add.rhs if add.lhs is acc_load.res else add.lhs).owner
    if not isinstance(mul, arith.MulfOp) or (pair := _product_loads(mul)) is None:
        raise NotContraction("the loop does not add a product of two loads")
    if any(p.memref is acc for p in pair):
        raise NotContraction("the product reads the accumulator")
    if len(list(mul.result.uses)) != 1 or len(list(add.result.uses)) != 1:
        raise NotContraction("the partial sum is used for more than the accumulation")
    if not _only_index_arith(body, {store, add, mul, acc_load, *pair}):
        raise NotContraction("the loop does more than `acc += x * y` and index arithmetic")
    others = [u.operation for u in acc.uses
              if u.operation not in (store, acc_load)]
    init_stores = [o for o in others if isinstance(o, memref.StoreOp)]
    final_loads = [o for o in others if isinstance(o, memref.LoadOp)]
    if len(init_stores) != 1 or len(final_loads) != 1 or len(others) != 2:
        raise NotContraction("the accumulator is not set once before the loop and read once "
                             "after it")
    init_store, final_load = init_stores[0], final_loads[0]
    if init_store not in pos or final_load not in pos \
            or not pos[init_store] < pos[loop] < pos[final_load]:
        raise NotContraction("the accumulator is not set before the loop and read after it")
    if not _is_invariant_init(init_store.value, kb):
        raise NotContraction("the initial value is not a constant or a parameter")
    return init_store.value, pair, {loop, init_store}, final_load.res, add.result.type


def match_gemm(fold: Fold) -> Gemm:
    """The contraction shape of the guarded body; raises NotContraction with the reason."""
    if fold.rank not in (2, 3):
        raise NotContraction(f"a {fold.rank}-D decode (contractions are 2-D or batched 3-D)")
    kb = fold.kernel.body.block
    then_ops = [op for op in fold.guard.true_region.block.ops if not isinstance(op, scf.YieldOp)]
    loops = [op for op in then_ops if isinstance(op, scf.ForOp)]
    if len(loops) != 1:
        raise NotContraction(f"{len(loops)} loops in the guarded body (a contraction has one)")
    loop = loops[0]
    if _int_const(loop.lb) != 0 or _int_const(loop.step) != 1:
        raise NotContraction("the reduction loop does not run from 0 in steps of 1")
    k_extent = leaf_of(_strip_casts(loop.ub), kb)
    if k_extent is None:
        raise NotContraction("the reduction loop's bound is not a parameter or a constant")
    init, pair, drop, total, elem = _match_accumulation(then_ops, loop, kb)
    # Before the loop only pure code (and the initial store); after it, anything (the
    # epilogue), which the nest runs per element once the sum is complete.
    for op in then_ops[: then_ops.index(loop)]:
        if op in drop:
            continue
        if op.regions or isinstance(op, memref.StoreOp | memref.LoadOp):
            raise NotContraction(f"`{op.name}` with effects before the reduction loop")
    atoms = dict(coordinate_atoms(fold))
    rank = fold.rank
    row, col = f"d{rank - 2}", f"d{rank - 1}"
    batch = "d0" if rank == 3 else None
    if not {row, col} <= set(atoms.values()):
        raise NotContraction("the row or the column coordinate is never decoded")
    atoms[loop.body.block.args[0]] = "k"
    for first, second in (pair, pair[::-1]):
        tx = affine_terms(first.indices[0], kb, atoms)
        ty = affine_terms(second.indices[0], kb, atoms)
        if tx is None or ty is None:
            raise NotContraction("an operand's index is not affine in the coordinates and k")
        x = _operand(first, tx, row, col, batch)
        y = _operand(second, ty, col, row, batch)
        if x is not None and y is not None:
            return Gemm(fold, x, y, k_extent, init, elem, loop, drop, total)
    raise NotContraction("the operands are not one indexed by (row, k) and one by (k, column)")


# ------------------------------------------------------------------------------------------------
# Code generation
# ------------------------------------------------------------------------------------------------
def _for(b: Builder, lb: SSAValue, ub: SSAValue, step: SSAValue) -> tuple[Builder, SSAValue]:
    body = Block(arg_types=[IndexType()])
    b.put(scf.ForOp(lb, ub, step, [], Region(body)))
    return b.inner(body), body.args[0]


def _done(b: Builder) -> None:
    b.put(scf.YieldOp())


def _load(b: Builder, ref: SSAValue, index: SSAValue) -> SSAValue:
    return b.add(memref.LoadOp.get(ref, [index]))


def _store(b: Builder, value: SSAValue, ref: SSAValue, index: SSAValue) -> None:
    b.put(memref.StoreOp.get(value, ref, [index]))


def _scaled(b: Builder, coef: tuple[Leaf, ...], v: SSAValue, kb: Block) -> SSAValue:
    """coef * v, without the multiplication when coef is 1."""
    if coef == ():
        return v
    return b.muli(b.product(coef, kb, as_index=True), v)


def _base(b: Builder, op_: Operand, bidx: SSAValue | None, kb: Block) -> SSAValue:
    """The operand's offset for this batch: sum(consts) + batch_stride * b."""
    total = b.idx(0)
    for coef in op_.consts:
        total = b.addi(total, b.product(coef, kb, as_index=True))
    if op_.batch is not None and bidx is not None:
        total = b.addi(total, _scaled(b, op_.batch, bidx, kb))
    return total


def emit_gemm(b: Builder, g: Gemm, tiles: tuple[int, ...], micro: tuple[int, int], pack: bool,
              fma: bool = False) -> None:
    """The contraction nest; with `fma`, each `v + x * y` of the register block is one fused
    multiply-add (`math.fma`, rounded once: not bit-identical to the kernel, see the pass)."""
    kb = g.fold.kernel.body.block
    ti, tj, tk = tiles
    mr, ku = micro
    zero, one = b.idx(0), b.idx(1)
    dims = g.fold.dims
    m = b.leaf_index(dims[-2], kb)
    n = b.leaf_index(dims[-1], kb)
    k_ext = b.leaf_index(g.k_extent, kb)
    init = g.init
    if isinstance(init.owner, arith.ConstantOp):
        init = b.add(init.owner.clone())
    # Without packing, Y is read in place, which the column loop wants contiguous.
    pack = pack or g.y.outer != ()

    # Few, coarse iterations (row tiles of every batch): handed out one by one, so a thread
    # that is held up (or a short last tile) does not keep the others waiting.
    tiles_m = b.add(arith.DivUIOp(b.addi(m, b.idx(ti - 1)), b.idx(ti)))
    count = tiles_m
    if g.batched:
        count = b.muli(tiles_m, b.leaf_index(dims[0], kb))
    par = ParallelForOp(zero, count, one, schedule="dynamic", chunk=1)
    b.put(par)
    # Constants local to the loop body: OpenMP would otherwise pass them in as shared
    # variables, and the C compiler could not count the inner loops' iterations.
    pb = Builder(par.body.block, ConstCache(par.body.block, pinned=True), nsw=True)
    zero, one = pb.idx(0), pb.idx(1)
    q = par.induction_var
    q.name_hint = "q"
    bidx: SSAValue | None = None
    if g.batched:
        bidx = pb.add(arith.DivUIOp(q, tiles_m))
        bidx.name_hint = "batch"
        it = pb.muli(pb.remui(q, tiles_m), pb.idx(ti))
    else:
        it = pb.muli(q, pb.idx(ti))
    it.name_hint = "it"
    rows = pb.minui(pb.idx(ti), pb.subi(m, it))
    x_base = _base(pb, g.x, bidx, kb)
    y_base = _base(pb, g.y, bidx, kb)
    acc = pb.add(memref.AllocaOp.get(g.elem, shape=[ti * tj]))
    acc.name_hint = "acc"
    panel = pb.add(memref.AllocaOp.get(g.elem, shape=[tk * tj])) if pack else None
    if panel is not None:
        panel.name_hint = "panel"

    tjv = pb.idx(tj)

    jb, jt = _for(pb, zero, n, tjv)
    jt.name_hint = "jt"
    cols = jb.minui(tjv, jb.subi(n, jt))
    # acc[r, c] = init
    rb, r = _for(jb, zero, rows, one)
    cb, c = _for(rb, zero, cols, one)
    _store(cb, init, acc, cb.addi(cb.muli(r, tjv), c))
    _done(cb)
    _done(rb)

    kbld, kt = _for(jb, zero, k_ext, jb.idx(tk))
    kt.name_hint = "kt"
    depth = kbld.minui(kbld.idx(tk), kbld.subi(k_ext, kt))
    # Y[syk * k + syj * (jt + c) + base]
    y_cols = kbld.addi(y_base, _scaled(kbld, g.y.outer, jt, kb))
    if panel is not None:
        # panel[kk*TJ + c] = Y(kt + kk, jt + c); the inner loop runs along Y's unit stride.
        def pack_one(bb: Builder, kk: SSAValue, c: SSAValue) -> None:
            src = bb.addi(bb.addi(y_cols, _scaled(bb, g.y.k, bb.addi(kt, kk), kb)),
                          _scaled(bb, g.y.outer, c, kb))
            _store(bb, _load(bb, g.y.array, src), panel, bb.addi(bb.muli(kk, tjv), c))

        if g.y.k == () and g.y.outer != ():
            # Y is stored with k contiguous (`B[j*ldb + p]`): a blocked transpose, PACK_COLS
            # columns at a time, so the reads of those columns stay in cache across kk and
            # the panel is written contiguously.
            bcb, c0 = _for(kbld, zero, cols, kbld.idx(PACK_COLS))
            c_end = bcb.minui(bcb.addi(c0, bcb.idx(PACK_COLS)), cols)
            pkb, kk = _for(bcb, zero, depth, one)
            pcb, c = _for(pkb, c0, c_end, one)
            c0.name_hint, kk.name_hint, c.name_hint = "cb", "kk", "pc"
            pack_one(pcb, kk, c)
            _done(pcb)
            _done(pkb)
            _done(bcb)
        else:
            pkb, kk = _for(kbld, zero, depth, one)
            pcb, c = _for(pkb, zero, cols, one)
            kk.name_hint, c.name_hint = "kk", "pc"
            pack_one(pcb, kk, c)
            _done(pcb)
            _done(pkb)

    def y_row(bb: Builder, k: SSAValue) -> tuple[SSAValue, SSAValue, SSAValue]:
        """(array, start, step to the next k) of row k of Y's tile: the panel or Y itself."""
        if panel is not None:
            return panel, bb.muli(bb.subi(k, kt), tjv), tjv
        step = bb.product(g.y.k, kb, as_index=True)
        return g.y.array, bb.addi(_scaled(bb, g.y.k, k, kb), y_cols), step

    def micro_kernel(bb: Builder, r0: SSAValue, nrows: int, k_lo: SSAValue, k_hi: SSAValue,
                     steps: int) -> None:
        """Rows r0..r0+nrows of the tile, k from k_lo to k_hi, `steps` k-values per pass."""
        lk, k = _for(bb, k_lo, k_hi, bb.idx(steps))
        x_vals: list[list[SSAValue]] = []
        for rr in range(nrows):
            row = lk.addi(it, lk.addi(r0, lk.idx(rr)))
            x_row = lk.addi(_scaled(lk, g.x.outer, row, kb), x_base)
            x_vals.append([
                _load(lk, g.x.array, lk.addi(x_row, _scaled(lk, g.x.k, lk.addi(k, lk.idx(u)), kb)))
                for u in range(steps)])
        # Rows of Y and of the tile as one start plus constant (panel) or invariant offsets, so
        # the C compiler addresses them all from one base register.
        y_arr, y_start, y_step = y_row(lk, k)
        starts = [y_start] + [lk.addi(y_start, lk.muli(y_step, lk.idx(u)))
                              for u in range(1, steps)]
        acc_base = lk.muli(r0, tjv)
        acc_rows = [lk.addi(acc_base, lk.idx(rr * tj)) for rr in range(nrows)]
        lc, c = _for(lk, zero, cols, one)
        y_vals = [_load(lc, y_arr, lc.addi(start, c)) for start in starts]
        for rr in range(nrows):
            where = lc.addi(acc_rows[rr], c)
            v = _load(lc, acc, where)
            for u in range(steps):
                if fma:
                    v = lc.add(math.FmaOp(x_vals[rr][u], y_vals[u], v))
                else:
                    v = lc.add(arith.AddfOp(v, lc.add(arith.MulfOp(x_vals[rr][u], y_vals[u]))))
            _store(lc, v, acc, where)
        _done(lc)
        _done(lk)

    k_end = kbld.addi(kt, depth)
    k_split = kbld.subi(k_end, kbld.remui(depth, kbld.idx(ku)))
    r_split = kbld.subi(rows, kbld.remui(rows, kbld.idx(mr)))
    for lo, hi, nrows, step in ((zero, r_split, mr, mr), (r_split, rows, 1, 1)):
        blk, r0 = _for(kbld, lo, hi, kbld.idx(step))
        micro_kernel(blk, r0, nrows, kt, k_split, ku)
        micro_kernel(blk, r0, nrows, k_split, k_end, 1)
        _done(blk)
    _done(kbld)

    # The epilogue, per element: the kernel's body without the loop, the sum from the tile.
    wb, r = _for(jb, zero, rows, one)
    i = wb.addi(it, r)
    acc_row = wb.muli(r, tjv)
    wcb, c = _for(wb, zero, cols, one)
    j = wcb.addi(jt, c)
    coords = [wcb.to_i32(i), wcb.to_i32(j)]
    lin_row = i
    if bidx is not None:
        coords.insert(0, wcb.to_i32(bidx))
        lin_row = wcb.addi(wcb.muli(bidx, m), i)
    lin = wcb.addi(wcb.muli(lin_row, n), j)
    total = _load(wcb, acc, wcb.addi(acc_row, c))
    total.name_hint = "sum"
    drop = {op for op in g.drop if op is not g.total.owner}
    clone_body(wcb, g.fold, lin, coords, drop=drop, replace={g.total: total})
    _done(wcb)
    _done(wb)
    _done(jb)
    pb.put(YieldOp())


__all__ = ["Gemm", "NotContraction", "Operand", "match_gemm", "emit_gemm"]
