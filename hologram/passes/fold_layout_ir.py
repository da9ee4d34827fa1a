"""Helpers of `fold-layout`: a tiny op builder and the analysis of integer index expressions.

The analysis answers two questions the pass must prove before it rewrites anything: which
products of kernel parameters an integer value is (the grid guard `m * n`, a divisor `h * w`), and
which affine combination of the folded coordinates and the reduction variable an array index is
(`i * K + k`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import (
    IndexType,
    IntegerAttr,
    IntegerType,
    UnitAttr,
    i32,
    i64,
)
from xdsl.ir import Block, BlockArgument, Operation, SSAValue

from hologram.dialects.hologram import GlobalIdOp, KernelOp, ReturnOp

# A leaf of a product: ("arg", position) for a kernel parameter, ("const", value) for a constant.
Leaf = tuple[str, int]


def leaf_of(value: SSAValue, kernel_block: Block) -> Leaf | None:
    """The leaf a kernel-invariant integer value stands for, or None if it is not one.

    Widening casts keep the value (the frontend widens subscript leaves to i64)."""
    while isinstance(value.owner, arith.ExtUIOp | arith.ExtSIOp):
        value = value.owner.input
    if isinstance(value, BlockArgument) and value.block is kernel_block:
        return ("arg", value.index)
    op = value.owner
    if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
        return ("const", op.value.value.data)
    return None


def product_leaves(value: SSAValue, kernel_block: Block) -> tuple[Leaf, ...] | None:
    """The multiset of leaves whose product `value` is (sorted), through `arith.muli`."""
    op = value.owner
    if isinstance(op, arith.MuliOp):
        lhs = product_leaves(op.lhs, kernel_block)
        rhs = product_leaves(op.rhs, kernel_block)
        if lhs is None or rhs is None:
            return None
        return tuple(sorted(lhs + rhs))
    leaf = leaf_of(value, kernel_block)
    return None if leaf is None else (leaf,)


@dataclass(frozen=True)
class Term:
    """`coef * var` where var is a coordinate ("d0", "d1", ...), "k", or "1" (a constant term)."""

    var: str
    coef: tuple[Leaf, ...]  # product of leaves; () means 1


def affine_terms(
    value: SSAValue, kernel_block: Block, atoms: dict[SSAValue, str]
) -> list[Term] | None:
    """`value` as a sum of terms over the atoms (values known to be a coordinate or `k`).

    Walks `addi`, `muli` by an invariant, and the value-preserving casts the frontend puts on
    subscripts and loop variables (`extui`, `extsi`, `index_cast`, `trunci`); the caller proves elsewhere that no value overflows.
    None when the value is anything else.
    """
    if value in atoms:
        return [Term(atoms[value], ())]
    op = value.owner
    if isinstance(op, arith.ExtUIOp | arith.ExtSIOp | arith.IndexCastOp | arith.TruncIOp):
        return affine_terms(op.input, kernel_block, atoms)
    if isinstance(op, arith.AddiOp):
        lhs = affine_terms(op.lhs, kernel_block, atoms)
        rhs = affine_terms(op.rhs, kernel_block, atoms)
        if lhs is None or rhs is None:
            return None
        return lhs + rhs
    if isinstance(op, arith.MuliOp):
        for var_side, inv_side in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            factor = product_leaves(inv_side, kernel_block)
            if factor is None:
                continue
            terms = affine_terms(var_side, kernel_block, atoms)
            if terms is None:
                return None
            return [Term(t.var, tuple(sorted(t.coef + factor))) for t in terms]
        return None
    leaves = product_leaves(value, kernel_block)
    if leaves is None:
        return None
    if leaves == (("const", 0),):
        return []
    return [Term("1", leaves)]


class Builder:
    """Appends ops to a block and hands back their first result; constants come from a cache."""

    def __init__(self, block: Block, consts: ConstCache, nsw: bool = False):
        self.block = block
        self.consts = consts
        # Mark add/sub/mul `overflow<nsw>`: only where the caller has proved no value wraps
        # (lets the C backend print plain signed arithmetic, which the C compiler vectorizes).
        self.nsw = nsw

    def inner(self, block: Block) -> Builder:
        return Builder(block, self.consts, self.nsw)

    def add(self, op: Operation) -> SSAValue:
        self.block.add_op(op)
        return op.results[0]

    def put(self, op: Operation) -> Operation:
        self.block.add_op(op)
        return op

    def idx(self, value: int) -> SSAValue:
        return self.consts.get(value, IndexType())

    def _flags(self) -> arith.IntegerOverflowAttr:
        if self.nsw:
            return arith.IntegerOverflowAttr([arith.IntegerOverflowFlag.NSW])
        return arith.IntegerOverflowAttr("none")

    def addi(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.AddiOp(a, b, overflow=self._flags()))

    def subi(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.SubiOp(a, b, overflow=self._flags()))

    def muli(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.MuliOp(a, b, overflow=self._flags()))

    def minui(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.MinUIOp(a, b))

    def remui(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.RemUIOp(a, b))

    def ult(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.CmpiOp(a, b, "ult"))

    def ule(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.CmpiOp(a, b, "ule"))

    def andi(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.AndIOp(a, b))

    def to_i32(self, index_value: SSAValue) -> SSAValue:
        return self.add(arith.IndexCastOp(index_value, i32))

    def leaf_i64(self, leaf: Leaf, kernel_block: Block) -> SSAValue:
        """A leaf as a non-negative i64 (parameters are zero-extended: the language's u32)."""
        kind, v = leaf
        if kind == "const":
            return self.consts.get(v & 0xFFFFFFFF, i64)
        arg = kernel_block.args[v]
        assert isinstance(arg.type, IntegerType)
        if arg.type.width.data == 64:
            return arg
        return self.add(arith.ExtUIOp(arg, i64))

    def leaf_index(self, leaf: Leaf, kernel_block: Block) -> SSAValue:
        return self.add(arith.IndexCastOp(self.leaf_i64(leaf, kernel_block), IndexType()))

    def product(self, leaves: Sequence[Leaf], kernel_block: Block, as_index: bool) -> SSAValue:
        """The product of leaves as an i64 or index value (1 for no leaves)."""
        one = self.idx(1) if as_index else self.consts.get(1, i64)
        acc: SSAValue | None = None
        for leaf in leaves:
            v = self.leaf_index(leaf, kernel_block) if as_index else self.leaf_i64(leaf, kernel_block)
            acc = v if acc is None else self.muli(acc, v)
        return one if acc is None else acc


class ConstCache:
    """`arith.constant`s created once, at the start of a block, shared by everything inside.

    `pinned`: the constants are marked `fold_layout.local`, so that `cse` does not merge them
    with equal constants outside the block. Used for the body of a parallel loop: the C
    backend's OpenMP loop would otherwise read them as shared variables, and gcc then cannot
    count the inner loops' iterations or keep the loop steps in registers (measured: 8x slower).
    """

    def __init__(self, kernel_block: Block, pinned: bool = False):
        self.block = kernel_block
        self.pinned = pinned
        self.cache: dict[tuple[int, str], SSAValue] = {}

    def get(self, value: int, type_) -> SSAValue:
        key = (value, str(type_))
        if key not in self.cache:
            op = arith.ConstantOp(IntegerAttr(value, type_))
            if self.pinned:
                op.attributes["fold_layout.local"] = UnitAttr()
            first = self.block.first_op
            if first is None:
                self.block.add_op(op)
            else:
                self.block.insert_op_before(op, first)
            self.cache[key] = op.result
        return self.cache[key]


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
    # layouts of written arrays other than the linear id (`C[i * ldc + j]`), as affine terms;
    # the nest runs only where each is one element per thread (checked at run time)
    layouts: list[frozenset] = field(default_factory=list)

    @property
    def rank(self) -> int:
        return len(self.dims)


def ids_of(gid: GlobalIdOp) -> set[SSAValue]:
    """The id itself and its i32 casts (the language's u32 `idx`)."""
    ids: set[SSAValue] = {gid.result}
    for use in gid.result.uses:
        user = use.operation
        if isinstance(user, arith.IndexCastOp) and user.result.type == IntegerType(32):
            ids.add(user.result)
    return ids


def coordinate_atoms(fold: Fold) -> dict[SSAValue, str]:
    return {op.results[0]: f"d{d}" for op, d in fold.decodes.items()}


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


# Every index the nests compute in i64 stays below this, and so does every partial product of
# its coefficients: then the kernel's u32 arithmetic and the nest's i64 arithmetic agree, and
# the frontend's casts are value-preserving whether they extend signed or unsigned.
MAX_INDEX = 1 << 31


def bounded_product(b: Builder, leaves: Sequence[Leaf], kernel_block: Block,
                    ok: list[SSAValue]) -> SSAValue:
    """The product of leaves as i64, appending to `ok` the run-time tests that every factor and
    every partial product is at most MAX_INDEX (so no product computed here can wrap)."""
    limit = b.consts.get(MAX_INDEX, i64)
    acc: SSAValue | None = None
    for leaf in leaves:
        v = b.leaf_i64(leaf, kernel_block)
        ok.append(b.ule(v, limit))
        acc = v if acc is None else b.muli(acc, v)
        if len(leaves) > 1:
            ok.append(b.ule(acc, limit))
    return b.consts.get(1, i64) if acc is None else acc


def index_bound_ok(b: Builder, terms: Sequence[tuple[tuple[Leaf, ...], Leaf | None]],
                   kernel_block: Block, ok: list[SSAValue]) -> None:
    """Append the test that `sum coef * extent` (extent None: a constant term) is at most
    MAX_INDEX: an upper bound of an index whose variables run below their extents."""
    limit = b.consts.get(MAX_INDEX, i64)
    total: SSAValue | None = None
    for coef, extent in terms:
        leaves = list(coef) + ([extent] if extent is not None else [])
        v = bounded_product(b, leaves, kernel_block, ok)
        # Each summand is at most 2^31, so a sum of fewer than 2^32 of them cannot wrap.
        total = v if total is None else b.addi(total, v)
    if total is not None:
        ok.append(b.ule(total, limit))


def all_of(b: Builder, tests: Sequence[SSAValue]) -> SSAValue | None:
    acc: SSAValue | None = None
    for t in tests:
        acc = t if acc is None else b.andi(acc, t)
    return acc
