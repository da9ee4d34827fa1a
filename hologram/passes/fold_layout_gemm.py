"""The GEMM nest of `fold-layout`: recognise one dot product per element and tile it.

Recognised (after the fold has proved the 2-D decode `i = idx // n`, `j = idx % n`):

    acc = init                         # rank-0 alloca; init a constant or a parameter
    for k in range(K):                 # from 0, step 1, K a parameter or a constant
        acc += A[i * lda + k + offA] * B[k * ldb + j + offB]
    C[idx] = acc                       # any epilogue using acc (alpha * acc + beta * c[...])

Generated (each element's sum is still accumulated in k order, so the result is bit-identical):

    parallel_for it in 0..M step TI:
      acc[TI*TJ], panel[TK*TJ] (locals)
      for jt in 0..N step TJ:
        acc[r, c] = init
        for kt in 0..K step TK:
          panel[kk, c] = B[(kt+kk)*ldb + jt + c + offB]           # packed, contiguous
          for r0 in rows step MR:                                   # register block of MR rows
            for k in kt..kt+TK step KU:                             # KU k-steps per pass
              a[r][u] = A[(it+r0+r)*lda + k+u + offA]
              for c in 0..TJ:                                       # contiguous, vectorizable
                x = acc[r0+r, c]; x = x + a[r][0]*panel[k, c]; ...; acc[r0+r, c] = x
        for r, c: <the kernel body without the k loop, the sum = acc[r, c]>   # the epilogue
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import (
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    i64,
)
from xdsl.ir import Attribute, Block, BlockArgument, Region, SSAValue

from hologram.dialects.hologram import ParallelForOp, YieldOp
from hologram.passes.fold_layout import Fold, clone_body, coordinate_atoms
from hologram.passes.fold_layout_ir import Builder, ConstCache, Leaf, Term, affine_terms, leaf_of

# Every parameter the nest's index arithmetic uses stays at or below this, so that no i64
# product or sum can wrap; the largest index must stay below 2^31 (the frontend's casts are
# then value-preserving whether they extend signed or unsigned).
_MAX_FACTOR = 1 << 30
_MAX_INDEX = 1 << 31


@dataclass
class Affine:
    """An index `coef_outer * outer + coef_k * k + sum(consts)` (outer: i for A, j for B)."""

    outer: tuple[Leaf, ...]
    k: tuple[Leaf, ...]
    consts: list[tuple[Leaf, ...]]


@dataclass
class Gemm:
    fold: Fold
    a: BlockArgument
    b: BlockArgument
    a_index: Affine  # outer = i (lda), k coefficient 1
    b_index: Affine  # outer = j (coefficient 1), k coefficient = ldb
    k_extent: Leaf
    init: SSAValue  # a kernel parameter, or the result of an arith.constant (cloned on use)
    elem: Attribute
    loop: scf.ForOp
    init_store: memref.StoreOp
    final_load: memref.LoadOp  # the sum; the epilogue after it runs per element

    def exact_condition(self, b: Builder) -> SSAValue:
        """Every index fits in 31 bits and every factor in 30, so i64 arithmetic is exact."""
        kb = self.fold.kernel.body.block
        leaves = {*self.fold.dims, self.k_extent, *self.a_index.outer, *self.b_index.k}
        for terms in (self.a_index.consts, self.b_index.consts):
            for coef in terms:
                leaves.update(coef)
        limit = b.consts.get(_MAX_FACTOR, i64)
        ok: SSAValue | None = None
        for leaf in sorted(leaves):
            small = b.ule(b.leaf_i64(leaf, kb), limit)
            ok = small if ok is None else b.andi(ok, small)
        assert ok is not None
        m = b.leaf_i64(self.fold.dims[0], kb)
        n = b.leaf_i64(self.fold.dims[1], kb)
        k = b.leaf_i64(self.k_extent, kb)

        def bound(outer_extent: SSAValue, outer_coef, k_coef, consts) -> SSAValue:
            # an upper bound of the largest index: coef_outer * extent + coef_k * K + consts
            total = b.muli(b.product(outer_coef, kb, as_index=False), outer_extent)
            total = b.addi(total, b.muli(b.product(k_coef, kb, as_index=False), k))
            for coef in consts:
                total = b.addi(total, b.product(coef, kb, as_index=False))
            return total

        lim = b.consts.get(_MAX_INDEX, i64)
        ok = b.andi(ok, b.ule(bound(m, self.a_index.outer, self.a_index.k, self.a_index.consts), lim))
        ok = b.andi(ok, b.ule(bound(n, (), self.b_index.k, self.b_index.consts), lim))
        ok = b.andi(ok, b.ule(b.muli(m, n), lim))
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


def _split(terms: list[Term], outer: str) -> Affine | None:
    """Terms as `c_outer * outer + c_k * k + consts`, each coefficient at most one leaf."""
    outer_t = [t for t in terms if t.var == outer]
    k_t = [t for t in terms if t.var == "k"]
    consts = [t.coef for t in terms if t.var == "1"]
    if len(outer_t) != 1 or len(k_t) != 1 or len(outer_t) + len(k_t) + len(consts) != len(terms):
        return None
    if any(len(t.coef) > 1 for t in terms):
        return None
    return Affine(outer_t[0].coef, k_t[0].coef, consts)


def match_gemm(fold: Fold) -> Gemm | None:
    """The GEMM shape of the guarded body, or None (then the plain fold is used)."""
    if fold.rank != 2:
        return None
    kb = fold.kernel.body.block
    then_ops = [op for op in fold.guard.true_region.block.ops if not isinstance(op, scf.YieldOp)]
    loops = [op for op in then_ops if isinstance(op, scf.ForOp)]
    if len(loops) != 1:
        return None
    loop = loops[0]
    if loop.iter_args or _int_const(loop.lb) != 0 or _int_const(loop.step) != 1:
        return None
    k_extent = leaf_of(_strip_casts(loop.ub), kb)
    if k_extent is None:
        return None
    # The loop body: exactly acc = acc + X[ix] * Y[iy], plus integer index arithmetic.
    body = [op for op in loop.body.block.ops if not isinstance(op, scf.YieldOp)]
    loads = [op for op in body if isinstance(op, memref.LoadOp)]
    stores = [op for op in body if isinstance(op, memref.StoreOp)]
    mulfs = [op for op in body if isinstance(op, arith.MulfOp)]
    addfs = [op for op in body if isinstance(op, arith.AddfOp)]
    if len(loads) != 3 or len(stores) != 1 or len(mulfs) != 1 or len(addfs) != 1:
        return None
    for op in body:
        if op in loads or op in stores or op in mulfs or op in addfs:
            continue
        if not op.name.startswith("arith.") or any(
            not isinstance(r.type, IndexType | IntegerType)
            for r in op.results
        ):
            return None
    store, mul, add = stores[0], mulfs[0], addfs[0]
    acc = store.memref
    if not isinstance(acc.owner, memref.AllocaOp) or not isinstance(acc.type, MemRefType):
        return None
    if acc.type.get_num_dims() != 0:
        return None
    acc_loads = [op for op in loads if op.memref is acc]
    arr_loads = [op for op in loads if op.memref is not acc]
    if len(acc_loads) != 1 or len(arr_loads) != 2:
        return None
    if store.value is not add.result or set(add.operands) != {acc_loads[0].res, mul.result}:
        return None
    if {o for o in mul.operands} != {arr_loads[0].res, arr_loads[1].res} or len(set(mul.operands)) != 2:
        return None
    # acc: initialised once before the loop, read once after it, nothing else.
    pos = {op: n for n, op in enumerate(then_ops)}
    init_stores = [u.operation for u in acc.uses
                   if isinstance(u.operation, memref.StoreOp) and u.operation is not store]
    final_loads = [u.operation for u in acc.uses
                   if isinstance(u.operation, memref.LoadOp) and u.operation is not acc_loads[0]]
    if len(init_stores) != 1 or len(final_loads) != 1 or len(list(acc.uses)) != 4:
        return None
    init_store, final_load = init_stores[0], final_loads[0]
    if init_store not in pos or final_load not in pos:
        return None
    if not pos[init_store] < pos[loop] < pos[final_load]:
        return None
    init = init_store.value
    init_op = init.owner
    if not ((isinstance(init, BlockArgument) and init.block is kb)
            or (isinstance(init_op, arith.ConstantOp) and isinstance(init_op.value, FloatAttr))):
        return None
    # Before the loop only pure code and the initial store; after it, anything (the epilogue:
    # `C[idx] = alpha * acc + ...`), which the nest runs per element once the sum is complete.
    for op in then_ops[: pos[loop]]:
        if op is init_store:
            continue
        if op.regions or isinstance(op, memref.StoreOp | memref.LoadOp):
            return None
    atoms = coordinate_atoms(fold)
    if not all(d in atoms.values() for d in ("d0", "d1")):
        return None
    atoms = dict(atoms)
    atoms[loop.body.block.args[0]] = "k"
    for first, second in ((arr_loads[0], arr_loads[1]), (arr_loads[1], arr_loads[0])):
        ta = affine_terms(first.indices[0], kb, atoms)
        tb = affine_terms(second.indices[0], kb, atoms)
        if ta is None or tb is None:
            continue
        a_aff, b_aff = _split(ta, "d0"), _split(tb, "d1")
        if a_aff is None or b_aff is None or a_aff.k != () or b_aff.outer != ():
            continue
        a, b_arr = first.memref, second.memref
        if not (isinstance(a, BlockArgument) and isinstance(b_arr, BlockArgument)):
            return None
        return Gemm(fold, a, b_arr, a_aff, b_aff, k_extent, init, add.result.type,
                    loop, init_store, final_load)
    return None


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


def _offset(b: Builder, consts: list[tuple[Leaf, ...]], kb: Block) -> SSAValue:
    total = b.idx(0)
    for coef in consts:
        total = b.addi(total, b.product(coef, kb, as_index=True))
    return total


def emit_gemm(b: Builder, g: Gemm, tiles: tuple[int, ...], micro: tuple[int, int], pack: bool) -> None:
    kb = g.fold.kernel.body.block
    ti, tj, tk = tiles
    mr, ku = micro
    zero, one = b.idx(0), b.idx(1)
    m = b.leaf_index(g.fold.dims[0], kb)
    n = b.leaf_index(g.fold.dims[1], kb)
    k_ext = b.leaf_index(g.k_extent, kb)
    lda = b.product(g.a_index.outer, kb, as_index=True)
    ldb = b.product(g.b_index.k, kb, as_index=True)
    off_a = _offset(b, g.a_index.consts, kb)
    off_b = _offset(b, g.b_index.consts, kb)
    init = g.init
    if isinstance(init.owner, arith.ConstantOp):
        init = b.add(init.owner.clone())

    # Few, coarse iterations (row tiles): handed out one by one, so a thread that is held up
    # (or a short last tile) does not keep the others waiting.
    par = ParallelForOp(zero, m, b.idx(ti), schedule="dynamic", chunk=1)
    b.put(par)
    # Constants local to the loop body: OpenMP would otherwise pass them in as shared
    # variables, and the C compiler could not count the inner loops' iterations.
    pb = Builder(par.body.block, ConstCache(par.body.block, pinned=True), nsw=True)
    zero, one = pb.idx(0), pb.idx(1)
    it = par.induction_var
    it.name_hint = "it"
    rows = pb.minui(pb.idx(ti), pb.subi(m, it))
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
    b_base = kbld.addi(jt, off_b)  # B[(k)*ldb + jt + offB + c]
    if panel is not None:
        # panel[kk*TJ + c] = B[(kt+kk)*ldb + jt + offB + c]
        pkb, kk = _for(kbld, zero, depth, one)
        row = pkb.addi(pkb.muli(pkb.addi(kt, kk), ldb), b_base)
        pcb, c = _for(pkb, zero, cols, one)
        v = _load(pcb, g.b, pcb.addi(row, c))
        _store(pcb, v, panel, pcb.addi(pcb.muli(kk, tjv), c))
        _done(pcb)
        _done(pkb)

    def b_row(bb: Builder, k: SSAValue) -> tuple[SSAValue, SSAValue]:
        """(array, start) of row k of B's tile: the packed panel or B itself."""
        if panel is not None:
            return panel, bb.muli(bb.subi(k, kt), tjv)
        return g.b, bb.addi(bb.muli(k, ldb), b_base)

    def micro_kernel(bb: Builder, r0: SSAValue, nrows: int, k_lo: SSAValue, k_hi: SSAValue,
                     steps: int) -> None:
        """Rows r0..r0+nrows of the tile, k from k_lo to k_hi, `steps` k-values per pass."""
        lk, k = _for(bb, k_lo, k_hi, bb.idx(steps))
        a_vals: list[list[SSAValue]] = []
        for rr in range(nrows):
            row = lk.addi(it, lk.addi(r0, lk.idx(rr)))
            a_row = lk.addi(lk.muli(row, lda), off_a)
            a_vals.append([_load(lk, g.a, lk.addi(a_row, lk.addi(k, lk.idx(u))))
                           for u in range(steps)])
        # Rows of B and of the tile as one start plus constant (panel) or invariant offsets, so
        # the C compiler addresses them all from one base register.
        b_arr, b_start = b_row(lk, k)
        b_step = tjv if panel is not None else ldb
        starts = [(b_arr, b_start)] + [
            (b_arr, lk.addi(b_start, lk.muli(b_step, lk.idx(u)))) for u in range(1, steps)
        ]
        acc_base = lk.muli(r0, tjv)
        acc_rows = [lk.addi(acc_base, lk.idx(rr * tj)) for rr in range(nrows)]
        lc, c = _for(lk, zero, cols, one)
        b_vals = [_load(lc, arr, lc.addi(start, c)) for arr, start in starts]
        for rr in range(nrows):
            where = lc.addi(acc_rows[rr], c)
            x = _load(lc, acc, where)
            for u in range(steps):
                x = lc.add(arith.AddfOp(x, lc.add(arith.MulfOp(a_vals[rr][u], b_vals[u]))))
            _store(lc, x, acc, where)
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
    lin = wcb.addi(wcb.muli(i, n), j)
    total = _load(wcb, acc, wcb.addi(acc_row, c))
    total.name_hint = "sum"
    clone_body(wcb, g.fold, lin, [wcb.to_i32(i), wcb.to_i32(j)],
               drop={g.loop, g.init_store}, replace={g.final_load.res: total})
    _done(wcb)
    _done(wb)
    _done(jb)
    pb.put(YieldOp())


__all__ = ["Gemm", "match_gemm", "emit_gemm"]
