"""`fold-layout`: fold a kernel's linear id into a tiled nest over its coordinates."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import IndexType, IntegerType, ModuleOp, StringAttr, i64
from xdsl.ir import Block, BlockArgument, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern
from xdsl.rewriter import InsertPoint

from hologram.dialects.hologram import (
    GlobalIdOp,
    GridSizeOp,
    KernelOp,
    ParallelForOp,
    ReturnOp,
    YieldOp,
)
from hologram.passes.parallelize import grid_threshold
from hologram.passes.fold_layout_gemm import Gemm, NotContraction, emit_gemm, match_gemm
from hologram.passes.fold_layout_ir import (
    Builder,
    ConstCache,
    Fold,
    Leaf,
    affine_terms,
    all_of,
    bounded_product,
    clone_body,
    coordinate_atoms,
    ids_of,
    index_bound_ok,
    product_leaves,
)

# Tile sizes (rows, columns, reduction) of each family. smooth23 sizes are 2^a * 3^b. Measured
# (docs/layout-experiment.md): wider column tiles are faster up to 192-256, and 2^a * 3^b sizes
# are not special; these are the fastest set of each family measured; pow2 is the default.
FAMILIES: dict[str, tuple[int, int, int]] = {
    "pow2": (128, 256, 512),
    "smooth23": (96, 192, 384),
}
MAX_DIMS = 3
# The GEMM nest's per-thread locals (R x C accumulator + K x C panel) live on the thread's stack.
MAX_LOCAL_ELEMENTS = 1 << 18
# The kernel attributes that record the pass's choice and why it refused the other nests.
STRATEGY_ATTR = "fold_layout.strategy"
REFUSED_ATTR = "fold_layout.refused"
# Predicates of arith.cmpi (MLIR's numbering).
_ULT, _UGT = 6, 8
# Ops a foldable kernel may contain: pure scalar code, structured control flow, loads and stores.
_ALLOWED_DIALECTS = ("arith.", "math.")
_ALLOWED_OPS = (
    scf.IfOp, scf.ForOp, scf.WhileOp, scf.YieldOp, scf.ConditionOp,
    memref.LoadOp, memref.StoreOp, memref.AllocaOp,
    GlobalIdOp, ReturnOp,
)


class Refused(Exception):
    """Why a kernel is left as it was."""


# ------------------------------------------------------------------------------------------------
# Analysis
# ------------------------------------------------------------------------------------------------
def _guard_bound(cond: SSAValue, ids: set[SSAValue]) -> SSAValue:
    op = cond.owner
    if not isinstance(op, arith.CmpiOp):
        raise Refused("the guard is not a comparison of the id")
    pred = op.predicate.value.data
    if pred == _ULT and op.lhs in ids:
        return op.rhs
    if pred == _UGT and op.rhs in ids:
        return op.lhs
    raise Refused("the guard is not `idx < bound` (unsigned)")


def _check_ops(kernel: KernelOp) -> None:
    if any(isinstance(op, ParallelForOp | GridSizeOp) for op in kernel.body.walk()):
        raise Refused("the kernel already has an explicit parallel loop")
    for op in kernel.body.walk():
        if op is kernel:
            continue
        if op.name.startswith(_ALLOWED_DIALECTS) and not op.regions:
            continue
        if isinstance(op, _ALLOWED_OPS):
            continue
        raise Refused(f"the kernel contains `{op.name}`, which the pass does not reorder")


def _match_decodes(block: Block, ids: set[SSAValue], dims: tuple[Leaf, ...]) -> dict[Operation, int]:
    """The divui/remui ops on the id that compute coordinates of the nest over `dims`."""
    rank = len(dims)
    suffix = [tuple(sorted(dims[d + 1:])) for d in range(rank)]
    found: dict[Operation, int] = {}
    for v in ids:
        if v.type != IntegerType(32):
            continue
        for use in v.uses:
            op = use.operation
            if use.index != 0:
                continue
            if isinstance(op, arith.RemUIOp):
                if product_leaves(op.rhs, block) == (dims[-1],):
                    found[op] = rank - 1
            elif isinstance(op, arith.DivUIOp):
                div = product_leaves(op.rhs, block)
                if div is None:
                    continue
                for d in range(rank - 1):
                    if div != suffix[d]:
                        continue
                    if d == 0:
                        found[op] = 0
                    for u2 in op.result.uses:
                        rem = u2.operation
                        if (isinstance(rem, arith.RemUIOp) and u2.index == 0
                                and product_leaves(rem.rhs, block) == (dims[d],)):
                            found[rem] = d
    return found


def _linear_id_terms(fold: Fold) -> frozenset[tuple[str, tuple[Leaf, ...]]]:
    """idx = sum_d coord_d * (product of the dims after d), as terms."""
    return frozenset((f"d{d}", tuple(sorted(fold.dims[d + 1:]))) for d in range(fold.rank))


def element_layout(value: SSAValue, fold: Fold,
                   atoms: dict[SSAValue, str]) -> frozenset[tuple[str, tuple[Leaf, ...]]] | None:
    """The terms of an index that names one element per thread, or None.

    Accepted: the linear id itself, or `sum_d coord_d * stride_d + consts` with every
    coordinate once and the last one at stride 1 (`C[i * ldc + j]`, `out[b*sb + i*si + j]`).
    Distinct threads then write distinct elements when each stride is at least the next one
    times its extent (checked at run time, `Fold.layouts`) and the index does not wrap."""
    ids = ids_of(fold.gid)
    v = value
    while v not in ids and isinstance(v.owner, arith.ExtUIOp | arith.IndexCastOp):
        v = v.owner.input
    if v in ids:
        return _linear_id_terms(fold)
    terms = affine_terms(value, fold.kernel.body.block, atoms)
    if terms is None:
        return None
    as_set = frozenset((t.var, t.coef) for t in terms)
    coords = [t for t in terms if t.var != "1"]
    if len(as_set) != len(terms) or sorted(t.var for t in coords) != [
            f"d{d}" for d in range(fold.rank)]:
        return None
    if (f"d{fold.rank - 1}", ()) not in as_set:
        return None
    return as_set


def _check_memory(fold: Fold) -> None:
    """Every write to a parameter array names one element per thread (the same layout for
    every write of that array), and every read of an array the kernel writes is at that same
    element: then no iteration depends on another, in any order or tiling."""
    block = fold.kernel.body.block
    atoms = coordinate_atoms(fold)
    layout: dict[SSAValue, frozenset] = {}
    for op in fold.kernel.body.walk():
        if isinstance(op, memref.StoreOp) and isinstance(op.memref, BlockArgument):
            if op.memref.block is block:
                found = element_layout(op.indices[0], fold, atoms)
                if found is None:
                    raise Refused("a write is not at the folded coordinates of its thread")
                if layout.setdefault(op.memref, found) != found:
                    raise Refused("two writes of one array at different elements")
    for op in fold.kernel.body.walk():
        if isinstance(op, memref.LoadOp) and op.memref in layout:
            if element_layout(op.indices[0], fold, atoms) != layout[op.memref]:
                raise Refused("a read of a written array is not at the thread's own element "
                              "(a dependence across iterations)")
    linear = _linear_id_terms(fold)
    fold.layouts = sorted({terms for terms in layout.values() if terms != linear}, key=sorted)


def analyse(kernel: KernelOp) -> Fold:
    """Prove the kernel foldable, or raise Refused with the reason."""
    block = kernel.body.block
    _check_ops(kernel)
    gids = [op for op in kernel.body.walk() if isinstance(op, GlobalIdOp)]
    if len(gids) != 1 or gids[0].parent_block() is not block:
        raise Refused("the kernel does not read its id exactly once at the top level")
    gid = gids[0]
    ops = [op for op in block.ops if not isinstance(op, ReturnOp)]
    if not ops or not isinstance(ops[-1], scf.IfOp):
        raise Refused("the kernel's body is not one guard `if idx < bound`")
    guard = ops[-1]
    if guard.results or any(
        not isinstance(o, scf.YieldOp) for blk in guard.false_region.blocks for o in blk.ops
    ):
        raise Refused("the guard has an else branch")
    for op in ops[:-1]:
        if op.regions or isinstance(op, memref.StoreOp | memref.LoadOp):
            raise Refused(f"`{op.name}` runs outside the guard")
    ids = ids_of(gid)
    bound = _guard_bound(guard.cond, ids)
    leaves = product_leaves(bound, block)
    if leaves is None:
        raise Refused("the guard's bound is not a product of parameters and constants")
    if len(leaves) < 2:
        raise Refused("the grid is one-dimensional: no decoded index to fold")
    if len(leaves) > MAX_DIMS:
        raise Refused(f"the guard's bound has {len(leaves)} factors (at most {MAX_DIMS})")
    best: list[tuple[int, tuple[Leaf, ...], dict[Operation, int]]] = []
    for perm in sorted(set(itertools.permutations(leaves))):
        decodes = _match_decodes(block, ids, perm)
        best.append((len(decodes), perm, decodes))
    top = max(score for score, _, _ in best)
    if top == 0:
        raise Refused("no `idx // n` or `idx % n` decodes the id into the guard's dimensions")
    # Every order that decodes this many ops is correct (each decode is proved under its own
    # order, and any order of the dimensions enumerates the same ids); take the first.
    _, dims, decodes = next(b for b in best if b[0] == top)
    fold = Fold(kernel, gid, guard, dims, decodes, list(block.ops))
    _check_memory(fold)
    return fold


# ------------------------------------------------------------------------------------------------
# Rewriting
# ------------------------------------------------------------------------------------------------
def exact_condition(b: Builder, fold: Fold) -> SSAValue:
    """True when the nest runs exactly the ids the grid would: grid >= bound, the u32 product
    does not wrap, and no id wraps when cast to u32."""
    block = fold.kernel.body.block
    two32 = b.consts.get(1 << 32, i64)
    # Unsigned 64-bit products of factors below 2^32 cannot wrap; stop trusting once >= 2^32.
    total = b.leaf_i64(fold.dims[0], block)
    ok: SSAValue | None = None
    for leaf in fold.dims[1:]:
        total = b.muli(total, b.leaf_i64(leaf, block))
        small = b.ult(total, two32)
        ok = small if ok is None else b.andi(ok, small)
    assert ok is not None
    grid = b.add(arith.IndexCastOp(b.add(GridSizeOp()), i64))
    ok = b.andi(ok, b.ule(total, grid))
    ok = b.andi(ok, b.ule(grid, two32))
    for terms in fold.layouts:
        ok = b.andi(ok, _layout_condition(b, fold, terms))
    return ok


def _layout_condition(b: Builder, fold: Fold, terms: frozenset) -> SSAValue:
    """Distinct coordinates give distinct elements: stride_d >= stride_{d+1} * extent_{d+1}
    (mixed radix), and no index reaches 2^31 (the kernel's u32 arithmetic does not wrap)."""
    block = fold.kernel.body.block
    strides = {var: coef for var, coef in terms if var != "1"}
    tests: list[SSAValue] = []
    index_bound_ok(b, [(strides[f"d{d}"], fold.dims[d]) for d in range(fold.rank)]
                   + [(coef, None) for var, coef in terms if var == "1"], block, tests)
    for d in range(fold.rank - 1):
        outer = bounded_product(b, strides[f"d{d}"], block, tests)
        inner = bounded_product(b, (*strides[f"d{d + 1}"], fold.dims[d + 1]), block, tests)
        tests.append(b.ule(inner, outer))
    ok = all_of(b, tests)
    assert ok is not None
    return ok


def emit_fallback(b: Builder, fold: Fold) -> None:
    """One parallel iteration per id, exactly as the SIMT kernel (used when the nest is not exact),
    with `parallelize`'s thresholds: a small grid runs serially, in id order, as it would
    without this pass."""
    grid = b.add(GridSizeOp())
    loop = ParallelForOp(b.idx(0), grid, b.idx(1), threshold=grid_threshold(fold.body_ops))
    b.put(loop)
    inner = Builder(loop.body.block, b.consts)
    clone_body(inner, fold, loop.induction_var, None)
    inner.put(YieldOp())


def _for(b: Builder, lb: SSAValue, ub: SSAValue, step: SSAValue) -> tuple[Builder, SSAValue]:
    body = Block(arg_types=[IndexType()])
    b.put(scf.ForOp(lb, ub, step, [], Region(body)))
    return b.inner(body), body.args[0]


def _close(b: Builder) -> None:
    b.put(scf.YieldOp())


def emit_nest(b: Builder, fold: Fold, tiles: tuple[int, ...]) -> None:
    """The folded nest: a parallel loop over row tiles, then column tiles, then the elements.

    2-D: tiled by (tiles[0], tiles[1]) with the column index innermost (contiguous for writes at
    the linear id). 3-D: the outer two dimensions collapsed into the parallel loop, the last
    serial, untiled.
    """
    block = fold.kernel.body.block
    extents = [b.leaf_index(d, block) for d in fold.dims]
    zero, one = b.idx(0), b.idx(1)
    if fold.rank == 2:
        ti, tj = tiles[0], tiles[1]
        # Few, coarse iterations: hand them out one by one, so a thread that is held up (or
        # a short last tile) does not keep the others waiting.
        par = ParallelForOp(zero, extents[0], b.idx(ti), schedule="dynamic", chunk=1)
        b.put(par)
        pb = Builder(par.body.block, ConstCache(par.body.block, pinned=True), nsw=True)
        zero, one = pb.idx(0), pb.idx(1)
        it = par.induction_var
        it.name_hint = "it"
        ie = pb.minui(pb.addi(it, pb.idx(ti)), extents[0])
        jb, jt = _for(pb, zero, extents[1], pb.idx(tj))
        jt.name_hint = "jt"
        je = jb.minui(jb.addi(jt, jb.idx(tj)), extents[1])
        ib, i = _for(jb, it, ie, one)
        eb, j = _for(ib, jt, je, one)
        i.name_hint, j.name_hint = "i", "j"
        ivs = [i, j]
        innermost = eb
        closers = [eb, ib, jb]
    else:
        # 3-D: the two outer coordinates collapsed into the parallel loop (one division per
        # row; a batch of 1 must not leave all the work to one thread), the last one serial.
        rows = b.muli(extents[0], extents[1])
        par = ParallelForOp(zero, rows, one)
        b.put(par)
        pb = Builder(par.body.block, ConstCache(par.body.block, pinned=True), nsw=True)
        zero, one = pb.idx(0), pb.idx(1)
        q = par.induction_var
        i0 = pb.add(arith.DivUIOp(q, extents[1]))
        i1 = pb.remui(q, extents[1])
        cur, i2 = _for(pb, zero, extents[2], one)
        ivs = [i0, i1, i2]
        closers = [cur]
        innermost = cur
    # linear id = ((i0 * e1) + i1) * e2 + i2 ...
    lin = ivs[0]
    for d in range(1, fold.rank):
        lin = innermost.addi(innermost.muli(lin, extents[d]), ivs[d])
    coords = [innermost.to_i32(iv) for iv in ivs]
    clone_body(innermost, fold, lin, coords)
    for c in closers:
        _close(c)
    pb.put(YieldOp())


def choose(fold: Fold, gemm_only: bool) -> tuple[str, Gemm | None, str]:
    """(strategy, the contraction or None, why the contraction was refused or "").

    strategy: "contraction" (the tiled GEMM nest), "fold" (the plain tiled nest), or "" (none:
    `gemm_only` and no contraction)."""
    try:
        gemm = match_gemm(fold)
    except NotContraction as why:
        return ("" if gemm_only else "fold"), None, str(why)
    return "contraction", gemm, ""


def rewrite(rewriter: PatternRewriter, fold: Fold, tiles: tuple[int, ...],
            micro: tuple[int, int], pack: bool, gemm: Gemm | None, fma: bool = False) -> None:
    """Replace the kernel body by `if exact { nest } else { one iteration per id }`: the
    contraction nest for `gemm`, else the plain fold."""
    block = fold.kernel.body.block
    consts = ConstCache(block)
    tmp = Block()
    b = Builder(tmp, consts)
    cond = exact_condition(b, fold)
    if gemm is not None:
        cond = b.andi(cond, gemm.exact_condition(b))
    then_block, else_block = Block(), Block()
    b.put(scf.IfOp(cond, [], Region(then_block), Region(else_block)))
    tb = Builder(then_block, consts)
    if gemm is not None:
        emit_gemm(tb, gemm, tiles, micro, pack, fma)
    else:
        emit_nest(tb, fold, tiles)
    _close(tb)
    eb = Builder(else_block, consts)
    emit_fallback(eb, fold)
    _close(eb)
    old = [op for op in fold.body_ops if not isinstance(op, ReturnOp)]
    ret = block.last_op
    assert isinstance(ret, ReturnOp)
    for op in list(tmp.ops):
        op.detach()
        rewriter.insert(op, InsertPoint.before(ret))
    for op in reversed(old):
        rewriter.erase(op, safe_erase=False)


def record(kernel: KernelOp, strategy: str, refused: list[str]) -> None:
    """The choice as attributes of the kernel (`hologram-opt` shows them; FileCheck tests them)."""
    if STRATEGY_ATTR in kernel.attributes:
        return  # an earlier run decided; this one found the kernel already rewritten
    kernel.attributes[STRATEGY_ATTR] = StringAttr(strategy or "none")
    if refused:
        kernel.attributes[REFUSED_ATTR] = StringAttr("; ".join(refused))


# ------------------------------------------------------------------------------------------------
# The pass
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FoldLayout(ModulePass):
    """Fold a kernel's linear id into a tiled loop nest over its coordinates.

    Recognises kernels of the form `if idx < d0 * d1 [* d2]:` whose body decodes the id with
    `idx // d1`, `idx % d1` (3-D: `idx // (d1 * d2)`, `(idx // d2) % d1`, `idx % d2`), where
    each `d` is a parameter or a constant, and replaces the one-id-per-thread grid by a nest:
    a `hologram.parallel_for` over tiles of rows, then tiles of columns, then the elements
    (3-D: untiled). Kernels that compute one dot product per element (`acc = init; for k in
    range(K): acc += A[i*lda + k] * B[k*ldb + j]`, then any epilogue such as `C[idx] = acc` or
    `out[idx] = alpha * acc + beta * c[i*ldc + j]`) get a GEMM nest instead: the
    reduction is tiled too, B's panel is packed, and a block of `micro[0]` rows is computed
    `micro[1]` k-steps at a time with the column loop innermost; each element's sum keeps its
    order, so results are bit-identical to the unfolded kernel.

    The nest runs only when it provably covers exactly the ids of the launch (grid >= the
    guard's bound, no u32 wrap-around, no index overflow); otherwise the kernel runs one
    iteration per id as before. Kernels it cannot prove (an id it cannot decode, a write that
    is not at the thread's own element, a read of a written array elsewhere, atomics, early
    exits, calls) are left as they were.

    Options:
      family=pow2|smooth23   tile sizes (rows, columns, reduction): pow2 = (128, 256, 512)
                             (default), smooth23 = (96, 192, 384). `auto` (measured) is not
                             implemented.
      tile=R,C[,K]           explicit tile sizes; override the family.
      micro=MR,KU            register block of the GEMM nest: MR rows, KU k-steps (default 4,4).
      pack=true|false        pack B's panel into a contiguous local buffer (default true).
      gemm_only=true|false   fold only kernels that get the GEMM nest (default false).
      fold_3d=true|false     with gemm_only, still fold kernels with a 3-D decode (default
                             false). The default pipeline sets it: a 7-point 3-D stencil at
                             128^3, one thread, took 28-36 ms as a flat loop (a division and
                             two remainders per id) and 2.4-6.6 ms folded (docs/performance.md).
      fma=true|false         contract the nest's `v + x * y` into fused multiply-adds (default
                             false: bit-identical to the kernel). With fma each product is not
                             rounded before it is added, so a K-term sum differs from
                             `simulate`'s by at most 2 * K * eps * sum_k |x_k * y_k| (both are
                             within K * eps of the exact sum). `ops.gemm` and `ops.matmul` turn
                             it on, as BLAS libraries do; a user kernel asks for it through its
                             pipeline (`@hologram.kernel(pipeline=...fold-layout{fma=true}...)`).
    """

    name = "fold-layout"

    family: str = "pow2"
    tile: tuple[int, ...] = ()
    micro: tuple[int, ...] = (4, 4)
    pack: bool = True
    gemm_only: bool = False
    fold_3d: bool = False
    fma: bool = False

    def __post_init__(self) -> None:
        if self.family == "auto":
            raise ValueError("fold-layout: family=auto (measured tile sizes) is not implemented; "
                             "use family=smooth23, family=pow2 or tile=R,C,K")
        if self.family not in FAMILIES:
            raise ValueError(f"fold-layout: unknown family '{self.family}' "
                             f"(expected one of {', '.join(FAMILIES)})")
        if self.tile and not (2 <= len(self.tile) <= 3 and all(t > 0 for t in self.tile)):
            raise ValueError("fold-layout: tile needs 2 or 3 positive sizes (rows,columns[,k])")
        if len(self.micro) != 2 or not all(1 <= m <= 8 for m in self.micro):
            raise ValueError("fold-layout: micro needs two sizes in 1..8 (rows,k-steps)")
        ti, tj, tk = self.tile_sizes()
        if (ti + tk) * tj > MAX_LOCAL_ELEMENTS:
            raise ValueError(
                f"fold-layout: tiles {ti}x{tj}x{tk} need {(ti + tk) * tj} local elements per "
                f"thread (accumulator + panel, on the stack); at most {MAX_LOCAL_ELEMENTS}")

    def tile_sizes(self) -> tuple[int, int, int]:
        base = FAMILIES[self.family]
        if not self.tile:
            return base
        if len(self.tile) == 2:
            return (self.tile[0], self.tile[1], base[2])
        return (self.tile[0], self.tile[1], self.tile[2])

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        # Each kernel once (the rewrite replaces the kernel's whole body).
        pattern = _FoldKernel(self)
        for kernel in [k for k in op.walk() if isinstance(k, KernelOp)]:
            pattern.match_and_rewrite(kernel, PatternRewriter(kernel))


class _FoldKernel(RewritePattern):
    def __init__(self, options: FoldLayout):
        self.o = options

    @op_type_rewrite_pattern
    def match_and_rewrite(self, kernel: KernelOp, rewriter: PatternRewriter, /) -> None:
        o = self.o
        try:
            fold = analyse(kernel)
        except Refused as why:
            record(kernel, "", [f"fold: {why}"])
            return
        strategy, gemm, why_not = choose(fold, o.gemm_only and not (o.fold_3d and fold.rank == 3))
        extra = fold.layouts and ", strided output" or ""
        if gemm is not None:
            strategy = f"{gemm.describe()}{extra}{', fma' if o.fma else ''}"
        elif strategy:
            strategy = f"fold {fold.rank}-D{extra}"
        record(kernel, strategy, [f"contraction: {why_not}"] if why_not else [])
        if strategy:
            rewrite(rewriter, fold, o.tile_sizes(), (o.micro[0], o.micro[1]), o.pack, gemm, o.fma)
        rewriter.notify_op_modified(kernel)


def explain(kernel: KernelOp) -> str:
    """Why `fold-layout` leaves a kernel alone ("" when it folds it); for tests and docs."""
    try:
        analyse(kernel)
    except Refused as why:
        return str(why)
    return ""


__all__ = ["FoldLayout", "FAMILIES", "Refused", "analyse", "explain"]
