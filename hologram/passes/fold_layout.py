"""`fold-layout`: fold a kernel's linear id into a tiled nest over its coordinates."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import IndexType, IntegerType, ModuleOp, i64
from xdsl.ir import Block, BlockArgument, Operation, Region, SSAValue
from xdsl.passes import ModulePass

from hologram.dialects.hologram import (
    GlobalIdOp,
    GridSizeOp,
    KernelOp,
    ParallelForOp,
    ReturnOp,
    YieldOp,
)
from hologram.passes.fold_layout_ir import (
    Builder,
    ConstCache,
    Leaf,
    affine_terms,
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


@dataclass
class Fold:
    """What the analysis proved about a kernel: its guard, its dimensions and its decodes."""

    kernel: KernelOp
    gid: GlobalIdOp
    guard: scf.IfOp
    dims: tuple[Leaf, ...]  # the guard's bound is their product; dims[-1] varies fastest
    # decode op -> the coordinate it computes (e.g. `arith.divui %idx, %n` -> 0)
    decodes: dict[Operation, int] = field(default_factory=dict)
    # the kernel's original top-level ops, before the rewrite adds any
    body_ops: list[Operation] = field(default_factory=list)

    @property
    def rank(self) -> int:
        return len(self.dims)


# ------------------------------------------------------------------------------------------------
# Analysis
# ------------------------------------------------------------------------------------------------
def _ids(gid: GlobalIdOp) -> set[SSAValue]:
    """The id itself and its i32 casts (the language's u32 `idx`)."""
    ids: set[SSAValue] = {gid.result}
    for use in gid.result.uses:
        user = use.operation
        if isinstance(user, arith.IndexCastOp) and user.result.type == IntegerType(32):
            ids.add(user.result)
    return ids


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


def _linear_id_terms(fold: Fold) -> set[tuple[str, tuple[Leaf, ...]]]:
    """idx = sum_d coord_d * (product of the dims after d), as terms."""
    return {(f"d{d}", tuple(sorted(fold.dims[d + 1:]))) for d in range(fold.rank)}


def is_linear_id(value: SSAValue, fold: Fold, atoms: dict[SSAValue, str]) -> bool:
    """Whether an index provably equals the thread's linear id (so writes stay per thread)."""
    ids = _ids(fold.gid)
    v = value
    while v not in ids and isinstance(v.owner, arith.ExtUIOp | arith.IndexCastOp):
        v = v.owner.input
    if v in ids:
        return True
    terms = affine_terms(value, fold.kernel.body.block, atoms)
    if terms is None:
        return False
    as_set = {(t.var, t.coef) for t in terms}
    return len(as_set) == len(terms) == fold.rank and as_set == _linear_id_terms(fold)


def coordinate_atoms(fold: Fold) -> dict[SSAValue, str]:
    return {op.results[0]: f"d{d}" for op, d in fold.decodes.items()}


def _check_memory(fold: Fold) -> None:
    """Every write to a parameter array is at the thread's own element, and so is every read of
    an array the kernel writes: then no iteration depends on another, in any order or tiling."""
    block = fold.kernel.body.block
    atoms = coordinate_atoms(fold)
    written: set[SSAValue] = set()
    for op in fold.kernel.body.walk():
        if isinstance(op, memref.StoreOp) and isinstance(op.memref, BlockArgument):
            if op.memref.block is block:
                written.add(op.memref)
                if not is_linear_id(op.indices[0], fold, atoms):
                    raise Refused("a write is not at the folded coordinates of its thread")
    for op in fold.kernel.body.walk():
        if isinstance(op, memref.LoadOp) and op.memref in written:
            if not is_linear_id(op.indices[0], fold, atoms):
                raise Refused("a read of a written array is not at the thread's own element "
                              "(a dependence across iterations)")


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
    ids = _ids(gid)
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
    return ok


def clone_body(
    b: Builder,
    fold: Fold,
    gid_value: SSAValue,
    coords: list[SSAValue] | None,
    drop: set[Operation] | None = None,
    replace: dict[SSAValue, SSAValue] | None = None,
) -> None:
    """Clone the kernel body (the id replaced by `gid_value`) into b's block.

    With `coords`, the decode ops are replaced by the nest's coordinates; ops in `drop` (at any
    depth) are left out, and results in `replace` are replaced by the given values."""
    mapping: dict[SSAValue, SSAValue] = {fold.gid.result: gid_value}
    twins: dict[Operation, Operation] = {}
    for op in fold.body_ops:
        if isinstance(op, GlobalIdOp | ReturnOp):
            continue
        new = op.clone(value_mapper=mapping)
        b.put(new)
        # The clone has the same structure: pair the ops up to find the ones to change.
        for old_op, new_op in zip(op.walk(), new.walk(), strict=True):
            twins[old_op] = new_op
    changes: dict[SSAValue, SSAValue] = {}
    if coords is not None:
        for op, d in fold.decodes.items():
            changes[op.results[0]] = coords[d]
    changes.update(replace or {})
    for old_value, value in changes.items():
        new_op = twins[old_value.owner]  # type: ignore[index]
        new_op.results[0].replace_all_uses_with(value)
        new_op.detach()
        new_op.erase()
    for op in drop or ():
        new_op = twins[op]
        new_op.detach()
        new_op.erase()


def emit_fallback(b: Builder, fold: Fold) -> None:
    """One parallel iteration per id, exactly as the SIMT kernel (used when the nest is not exact)."""
    grid = b.add(GridSizeOp())
    loop = ParallelForOp(b.idx(0), grid, b.idx(1))
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
    the linear id). 3-D: outer dimension parallel, the other two serial, untiled.
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
        par = ParallelForOp(zero, extents[0], one)
        b.put(par)
        pb = Builder(par.body.block, ConstCache(par.body.block, pinned=True), nsw=True)
        zero, one = pb.idx(0), pb.idx(1)
        ivs = [par.induction_var]
        cur = pb
        closers = []
        for d in range(1, fold.rank):
            cur, iv = _for(cur, zero, extents[d], one)
            ivs.append(iv)
            closers.insert(0, cur)
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


def rewrite(fold: Fold, tiles: tuple[int, ...], micro: tuple[int, int], pack: bool,
            gemm_only: bool = False) -> str:
    """Replace the kernel body by `if exact { nest } else { one iteration per id }`.

    Returns which nest was built ("gemm" or "fold"), or "" when `gemm_only` and not a GEMM."""
    from hologram.passes.fold_layout_gemm import emit_gemm, match_gemm

    block = fold.kernel.body.block
    gemm = match_gemm(fold)
    if gemm is None and gemm_only:
        return ""
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
        emit_gemm(tb, gemm, tiles, micro, pack)
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
        block.insert_op_before(op, ret)
    for op in reversed(old):
        op.detach()
        op.erase(safe_erase=False)
    return "gemm" if gemm is not None else "fold"


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
    """

    name = "fold-layout"

    family: str = "pow2"
    tile: tuple[int, ...] = ()
    micro: tuple[int, ...] = (4, 4)
    pack: bool = True
    gemm_only: bool = False

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
        for kernel in [k for k in op.walk() if isinstance(k, KernelOp)]:
            try:
                fold = analyse(kernel)
            except Refused:
                continue
            rewrite(fold, self.tile_sizes(), (self.micro[0], self.micro[1]), self.pack,
                    self.gemm_only)


def explain(kernel: KernelOp) -> str:
    """Why `fold-layout` leaves a kernel alone ("" when it folds it); for tests and docs."""
    try:
        analyse(kernel)
    except Refused as why:
        return str(why)
    return ""


__all__ = ["FoldLayout", "FAMILIES", "Refused", "analyse", "explain"]
