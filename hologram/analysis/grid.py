"""The launch grid of a SIMT kernel, computed from its IR: the bound of the guard on the id.

A kernel whose body is "pure work, then `scf.if (cond) { ... }`, then `hologram.return`", where
`cond` bounds the id, has no effect for ids past the bound, so the launch needs exactly that many
ids. The bound is followed along its SSA def-use chain back to the kernel's scalar parameters
and constants, and cloned into the kernel's `grid` region, which yields it as an i64:

    cond                                    grid
    idx < E,  E > idx   (ult/slt/ugt/sgt)   E            (0 when E < 0)
    idx <= E, E >= idx                      E + 1
    idx == E, E == idx                      E + 1        (`if idx == 0:` runs one id)
    idx + K < E                             E - K        (0 when negative)
    idx // C < E  (a decoded row)           E * C
    c1 and c2 (andi, or a short-circuit)    min of the bounds found in c1 and c2

The id is `hologram.global_id` seen through casts that keep its value (ids are below 2**32, the
launch refuses larger grids, so the u32 view of the id is exact). `E` may be computed through
SSA locals (`total = rows * cols`) with integer arithmetic; a bound read from a reassigned local
(a slot), an array or a float is not a function of the parameters: no grid, and the reason says so.
Code before the guard may read memory and set locals but must not write arrays or atomics.
A kernel that writes no array and does no atomic anywhere has no effect for any id: its grid
is 0 (`if idx < n: pass`, whose empty `if` the frontend drops).

The bound is the kernel's own integer arithmetic (u32 wraps); where that can differ from Python's
unbounded ints (`+ - *` narrower than 64 bits), the region also computes the bound exactly in
i64 and yields -1 when the two disagree (`n - 1` with n = 0 is 2**32 - 1 in u32, -1 in Python):
the launch then refuses to infer the grid rather than run 2**32 ids, and the length checks do
not trust the bound.

`evaluate_grid` runs a grid region on Python ints with the C semantics of each op (wrapping,
truncating division), for `Kernel.simulate`; the C backend compiles the same region into the
kernel's library for the launch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import IndexType, IntegerAttr, IntegerType, MemRefType, i64
from xdsl.ir import Attribute, Block, BlockArgument, Operation, OpResult, Region, SSAValue
from xdsl.traits import IsTerminator, is_side_effect_free

from hologram.dialects.hologram import (GRID_REGION_OPS, GlobalIdOp, GridYieldOp, KernelOp,
                                        ReturnOp)

# Casts through which a value is still the id itself (ids < 2**32: none of them changes it).
_ID_CASTS = (arith.IndexCastOp, arith.ExtUIOp, arith.ExtSIOp)

# predicate -> (the id is on the left, grid = bound + 1?) for `id PRED E`; mirrored for `E PRED id`
_ID_LEFT = {"ult": 0, "slt": 0, "ule": 1, "sle": 1, "eq": 1}
_ID_RIGHT = {"ugt": 0, "sgt": 0, "uge": 1, "sge": 1, "eq": 1}


class NoGrid(Exception):
    """Why a kernel's grid cannot be inferred."""


def _is_id(value: SSAValue) -> bool:
    while isinstance(value, OpResult):
        op = value.op
        if isinstance(op, GlobalIdOp):
            return True
        if not isinstance(op, _ID_CASTS):
            return False
        value = op.operands[0]
    return False


def _id_quotient(value: SSAValue) -> tuple[SSAValue, bool] | None:
    """(C, signed division?) when `value` is `id // C` (the row of a 2-D decode
    `i = idx // cols`), else None."""
    while isinstance(value, OpResult) and isinstance(value.op, _ID_CASTS):
        value = value.op.operands[0]
    op = value.owner
    if isinstance(op, arith.DivUIOp | arith.FloorDivSIOp | arith.DivSIOp) and _is_id(op.lhs):
        return op.rhs, not isinstance(op, arith.DivUIOp)
    return None


def _writes_memory(op: Operation) -> bool:
    """Whether `op` (or an op inside it) writes an array or does an atomic: stores into the
    rank-0 slots of locals and reads are harmless before and after a guard."""
    for inner in op.walk():
        if isinstance(inner, memref.StoreOp):
            if not isinstance(inner.memref.owner, memref.AllocaOp):
                return True
            continue
        if isinstance(inner, memref.LoadOp | memref.AllocaOp) or inner.has_trait(IsTerminator):
            continue
        if inner.regions or is_side_effect_free(inner) or inner.name.startswith(("arith.", "math.")):
            continue  # (some arith ops lack the Pure trait in xDSL 0.74; none touches memory)
        return True
    return False


def _find_guard(kernel: KernelOp) -> scf.IfOp:
    ops = list(kernel.body.block.ops)
    guards = [i for i, op in enumerate(ops) if isinstance(op, scf.IfOp) and not op.results
              and _bounds_of(op.cond)]
    if not guards:
        if any(isinstance(op, scf.IfOp) and _compares_id_with_float(op.cond) for op in ops):
            raise NoGrid("the guard compares the id with a float, and the launch counts ids in "
                         "integers: give the guard an integer bound")
        raise NoGrid("no `if` on the id (`if idx < n:`, `if idx >= n: return`, `if idx == 0:`) "
                     "guards the kernel's body")
    i = guards[-1]
    guard = ops[i]
    assert isinstance(guard, scf.IfOp)
    for op in ops[:i] + ops[i + 1:]:
        if not isinstance(op, ReturnOp) and _writes_memory(op):
            raise NoGrid(f"the kernel writes memory outside its guard (`{op.name}`), so ids past "
                         "the guard's bound are not idle")
    if guard.false_region.blocks and any(_writes_memory(op) for op in guard.false_region.ops):
        raise NoGrid("the guard's `else` branch writes memory, so ids past its bound are not idle")
    return guard


@dataclass
class Bound:
    """`id < value` (`<=` with plus_one), compared signed or not; with `divisor` C it is
    `id // C < value` (ids below value * C), with `offset` K `id + K < value` (ids below
    value - K)."""

    value: SSAValue
    plus_one: int
    signed: bool
    divisor: tuple[SSAValue, bool] | None = None  # (C, signed division?)
    offset: SSAValue | None = None


def _id_plus(value: SSAValue) -> SSAValue | None:
    """`K` when `value` is `id + K` (`if idx + 1 < n:`), else None."""
    while isinstance(value, OpResult) and isinstance(value.op, _ID_CASTS):
        value = value.op.operands[0]
    op = value.owner
    if not isinstance(op, arith.AddiOp):
        return None
    if _is_id(op.lhs):
        return op.rhs
    if _is_id(op.rhs):
        return op.lhs
    return None


def _nested_bounds(guard: scf.IfOp) -> list[Bound]:
    """The bounds of `guard` and of the guards nested right inside it: in `if idx >= n: return`
    then `if idx >= m: return`, ids past either bound are idle (the grid is their minimum)."""
    bounds = _bounds_of(guard.cond)
    while True:
        ops = [op for op in guard.true_region.block.ops if not op.has_trait(IsTerminator)]
        inner = [op for op in ops if isinstance(op, scf.IfOp) and not op.results]
        if len(inner) != 1 or any(_writes_memory(op) for op in ops if op is not inner[0]):
            return bounds
        guard = inner[0]
        if guard.false_region.blocks and any(_writes_memory(op)
                                             for op in guard.false_region.ops):
            return bounds
        found = _bounds_of(guard.cond)
        if not found:
            return bounds
        bounds += found


def _compares_id_with_float(cond: SSAValue) -> bool:
    op = cond.owner
    if not isinstance(op, arith.CmpfOp):
        return False
    for side in (op.lhs, op.rhs):
        conv = side.owner
        if isinstance(conv, arith.UIToFPOp | arith.SIToFPOp) and _is_id(conv.input):
            return True
    return False


def _bounds_of(cond: SSAValue) -> list[Bound]:
    """(E, +1?, signed?, C) for each bound on the id that `cond` implies: `id < E` (+1: `<=`),
    or with C, `id // C < E`, which bounds the id by `E * C` (`if row < rows:` after
    `row = idx // cols`)."""
    owner = cond.owner
    if isinstance(owner, arith.AndIOp):
        return _bounds_of(owner.lhs) + _bounds_of(owner.rhs)
    if isinstance(owner, scf.IfOp) and len(owner.results) == 1:
        # `c1 and c2` short-circuits as `scf.if c1 { yield c2 } else { yield false }`
        other = owner.false_region.block.last_op if owner.false_region.blocks else None
        if other is not None and _is_false(other.operands[0] if other.operands else None):
            then = owner.true_region.block.last_op
            inner = _bounds_of(then.operands[0]) if then is not None and then.operands else []
            return _bounds_of(owner.cond) + inner  # (`0 <= idx < n` bounds in its second part)
        return []
    negated = False
    if isinstance(owner, arith.XOrIOp) and _is_true(owner.rhs):
        owner, negated = owner.lhs.owner, True  # `not (idx >= n)` bounds like `idx < n`
    if not isinstance(owner, arith.CmpiOp):
        return []
    pred = arith.CMPI_COMPARISON_OPERATIONS[owner.predicate.value.data]
    if negated:
        pred = _INVERSE[pred]
    signed = pred.startswith("s")
    for side, other, table in ((owner.lhs, owner.rhs, _ID_LEFT), (owner.rhs, owner.lhs, _ID_RIGHT)):
        if pred not in table:
            continue
        if _is_id(side):
            return [Bound(other, table[pred], signed)]
        divisor = _id_quotient(side)
        if divisor is not None and pred != "eq":
            return [Bound(other, table[pred], signed, divisor=divisor)]
        offset = _id_plus(side)
        if offset is not None:
            return [Bound(other, table[pred], signed, offset=offset)]
    return []


_INVERSE = {"eq": "ne", "ne": "eq", "slt": "sge", "sge": "slt", "sle": "sgt", "sgt": "sle",
            "ult": "uge", "uge": "ult", "ule": "ugt", "ugt": "ule"}


def _is_true(value: SSAValue) -> bool:
    if not isinstance(value.owner, arith.ConstantOp):
        return False
    attr = value.owner.value
    return isinstance(attr, IntegerAttr) and attr.type == IntegerType(1) and attr.value.data != 0


def _is_false(value: SSAValue | None) -> bool:
    if value is None or not isinstance(value.owner, arith.ConstantOp):
        return False
    attr = value.owner.value
    return isinstance(attr, IntegerAttr) and attr.value.data == 0


# The ops whose meaning on Python's ints is an i64 op on the operands' exact values.
_EXACT_OPS = {
    "arith.addi": arith.AddiOp, "arith.subi": arith.SubiOp, "arith.muli": arith.MuliOp,
    "arith.divui": arith.FloorDivSIOp, "arith.floordivsi": arith.FloorDivSIOp,
    "arith.minui": arith.MinSIOp, "arith.minsi": arith.MinSIOp,
    "arith.maxui": arith.MaxSIOp, "arith.maxsi": arith.MaxSIOp,
}


def _may_wrap(v: SSAValue) -> bool:
    """Whether `v` is computed with `+ - *` on integers narrower than 64 bits, which wrap where
    Python's ints do not."""
    todo, seen = [v], set()
    while todo:
        x = todo.pop()
        if x in seen or not isinstance(x, OpResult):
            continue
        seen.add(x)
        op = x.op
        if op.name in ("arith.addi", "arith.subi", "arith.muli") and \
                isinstance(x.type, IntegerType) and x.type.width.data < 64:
            return True
        todo.extend(op.operands)
    return False


class _Cloner:
    """Clones the def-use chain of bounds into a new grid region."""

    def __init__(self, kernel: KernelOp, guard: scf.IfOp):
        self.kernel = kernel
        self.loc = guard.location  # the ops made here stand for the guard's line
        self.block = Block(arg_types=[a.type for a in kernel.body.block.args])
        self.mapping: dict[SSAValue, SSAValue] = {}
        self.exact_mapping: dict[SSAValue, SSAValue | None] = {}

    def value(self, v: SSAValue) -> SSAValue:
        if v in self.mapping:
            return self.mapping[v]
        if isinstance(v, BlockArgument):
            if v.block is not self.kernel.body.block:
                raise NoGrid("the guard's bound is a loop variable or a block argument")
            if isinstance(v.type, MemRefType):
                raise NoGrid("the guard's bound is an array")
            new = self.block.args[v.index]
        else:
            op = v.owner
            assert isinstance(op, Operation)
            if op.name not in GRID_REGION_OPS or op.parent_block() is not self.kernel.body.block:
                if isinstance(op, memref.LoadOp):
                    raise NoGrid("the guard's bound is read from memory (an array, or a local "
                                 "assigned more than once)")
                if _is_id(v):
                    raise NoGrid("the guard's bound depends on the id")
                raise NoGrid(f"the guard's bound is computed with `{op.name}`, not integer "
                             "arithmetic on the parameters")
            operands = [self.value(o) for o in op.operands]
            clone = op.clone(value_mapper={o: n for o, n in zip(op.operands, operands)})
            self.block.add_op(clone)
            new = clone.results[v.index]
        self.mapping[v] = new
        return new

    def add(self, op: Operation) -> SSAValue:
        op.location = self.loc
        self.block.add_op(op)
        return op.results[0] if op.results else None

    def wide(self, e: SSAValue, signed: bool) -> SSAValue:
        """`e` cloned and widened to i64 by its signedness."""
        x = self.value(e)
        if isinstance(x.type, IndexType):
            return self.add(arith.IndexCastOp(x, i64))
        if isinstance(x.type, IntegerType) and x.type.width.data < 64:
            cast = arith.ExtSIOp if signed else arith.ExtUIOp
            return self.add(cast(x, i64))
        if not (isinstance(x.type, IntegerType) and x.type.width.data == 64):
            raise NoGrid(f"the guard compares the id with a {x.type}")
        return x

    def exact(self, v: SSAValue) -> SSAValue | None:
        """`v` computed with Python's unbounded ints (as an i64), or None when its chain holds
        an op whose Python meaning differs from its C one in ways not followed here (a cast that
        truncates, a select...)."""
        if v in self.exact_mapping:
            return self.exact_mapping[v]
        result: SSAValue | None = None
        if isinstance(v, BlockArgument):
            if v.block is self.kernel.body.block:
                lang = self.kernel.types[v.index]
                x = self.value(v)
                if isinstance(x.type, IndexType):
                    result = self.add(arith.IndexCastOp(x, i64))
                elif isinstance(x.type, IntegerType) and x.type.width.data < 64:
                    cast = arith.ExtSIOp if lang in ("i32", "i64") else arith.ExtUIOp
                    result = self.add(cast(x, i64))
                elif isinstance(x.type, IntegerType):
                    result = x
        else:
            op = v.owner
            if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
                result = self.add(arith.ConstantOp(IntegerAttr(op.value.value.data, i64)))
            elif isinstance(op, arith.ExtUIOp | arith.ExtSIOp | arith.IndexCastOp):
                result = self.exact(op.operands[0])  # the value, not its bits, is what counts
            elif op.name in _EXACT_OPS:
                a, b = self.exact(op.operands[0]), self.exact(op.operands[1])
                if a is not None and b is not None:
                    result = self.add(_EXACT_OPS[op.name](a, b))
        self.exact_mapping[v] = result
        return result

    def bound(self, b: Bound) -> SSAValue:
        """The bound as an i64 count of ids: widened by its signedness, +1, minus an offset,
        times the divisor of a decoded row, at least 0; -1 when, for the arguments at hand, the
        bound's integer arithmetic wraps (`n - 1` with n: u32 and n = 0), where Python's ints
        would not."""
        e, divisor = b.value, b.divisor
        x = self.wide(e, b.signed)
        checks = [(x, self.exact(e))] if _may_wrap(e) else []
        if b.plus_one:
            x = self.add(arith.AddiOp(x, self.add(arith.ConstantOp(IntegerAttr(1, i64)))))
        if b.offset is not None:
            k = self.wide(b.offset, b.signed)
            if _may_wrap(b.offset):
                checks.append((k, self.exact(b.offset)))
            x = self.add(arith.SubiOp(x, k))
        if b.signed or b.offset is not None:
            x = self.add(arith.MaxSIOp(x, self.add(arith.ConstantOp(IntegerAttr(0, i64)))))
        if divisor is not None:
            # ids with id // C < E are those below E * C (C > 0; C == 0 divides by zero anyway)
            c = self.wide(*divisor)
            if _may_wrap(divisor[0]):
                checks.append((c, self.exact(divisor[0])))
            x = self.add(arith.MuliOp(x, c))
        for c_value, exact in checks:
            if exact is None or exact is c_value:
                continue
            wrapped = self.add(arith.CmpiOp(c_value, exact, "ne"))
            x = self.add(arith.SelectOp(wrapped, self.add(arith.ConstantOp(IntegerAttr(-1, i64))),
                                        x))
        return x


def infer_grid(kernel: KernelOp) -> Region:
    """The grid region of a SIMT kernel (raises NoGrid with the reason when there is none)."""
    if not any(_writes_memory(op) for op in kernel.body.block.ops):
        return _constant_grid(kernel, 0)  # no id has an effect: none needs to run
    guard = _find_guard(kernel)
    cloner = _Cloner(kernel, guard)
    counts: list[SSAValue] = []
    problems: list[str] = []
    for bound in _nested_bounds(guard):
        saved = list(cloner.block.ops)
        try:
            counts.append(cloner.bound(bound))
        except NoGrid as err:
            problems.append(str(err))
            for op in list(cloner.block.ops):  # drop what the failed bound added
                if op not in saved:
                    op.detach()
                    op.erase(safe_erase=False)
            cloner.mapping = {k: v for k, v in cloner.mapping.items()
                              if isinstance(v, BlockArgument) or v.owner in saved}
            cloner.exact_mapping = {k: v for k, v in cloner.exact_mapping.items()
                                    if v is None or isinstance(v, BlockArgument)
                                    or v.owner in saved}
    if not counts:
        raise NoGrid(problems[0] if problems else "the guard does not bound the id")
    grid = counts[0]
    for c in counts[1:]:
        grid = cloner.add(arith.MinSIOp(grid, c))  # (a wrapped bound's -1 stays -1)
    cloner.add(GridYieldOp(grid))
    for arg, param in zip(cloner.block.args, kernel.body.block.args, strict=True):
        arg.name_hint = param.name_hint  # (already valid SSA names: the frontend made them)
    return Region(cloner.block)


def _constant_grid(kernel: KernelOp, count: int) -> Region:
    block = Block(arg_types=[a.type for a in kernel.body.block.args])
    for arg, param in zip(block.args, kernel.body.block.args, strict=True):
        arg.name_hint = param.name_hint
    value = arith.ConstantOp(IntegerAttr(count, i64))
    value.location = kernel.location
    block.add_ops([value, GridYieldOp(value.result)])
    return Region(block)


def attach_grid(kernel: KernelOp) -> str | None:
    """Give `kernel` its grid region (replacing any it had); the reason when it can have none."""
    try:
        region = infer_grid(kernel)
    except NoGrid as err:
        return str(err)
    set_grid(kernel, region)
    return None


def set_grid(kernel: KernelOp, region: Region | None) -> None:
    """Replace the kernel's grid region (None: remove it)."""
    if len(kernel.regions) > 1:
        old = kernel.regions[1]
        while old.blocks:
            block = old.detach_block(old.blocks.first)
            block.erase(safe_erase=False)
        if region is not None:
            old.add_block(region.detach_block(region.block))
        return
    if region is not None:
        kernel.add_region(region)


def remap_grid(region: Region, positions: Sequence[int | None],
               arg_types: Sequence[Attribute]) -> Region | None:
    """The grid region of a kernel whose parameter i became parameter `positions[i]` of a new
    kernel with `arg_types` (as `fuse` makes); None when it uses a parameter that has none."""
    block = Block(arg_types=list(arg_types))
    mapping: dict[SSAValue, SSAValue] = {}
    for arg, pos in zip(region.block.args, positions, strict=True):
        if pos is not None:
            mapping[arg] = block.args[pos]
        elif arg.uses:
            return None
    for op in region.block.ops:
        block.add_op(op.clone(value_mapper=mapping))
    return Region(block)


def same_grid(a: Region, b: Region) -> bool:
    """Whether two grid regions over the same parameters compute the same thing."""
    return a.is_structurally_equivalent(b)


_INFIX = {"arith.addi": "+", "arith.subi": "-", "arith.muli": "*", "arith.divui": "//",
          "arith.floordivsi": "//", "arith.divsi": "/", "arith.remui": "%", "arith.remsi": "%",
          "arith.andi": "&", "arith.ori": "|", "arith.xori": "^", "arith.shli": "<<",
          "arith.shrui": ">>", "arith.shrsi": ">>"}


_FOLDABLE = {"arith.addi": lambda a, b: a + b, "arith.subi": lambda a, b: a - b,
             "arith.muli": lambda a, b: a * b}


def describe_grid(region: Region, names: Sequence[str]) -> str:
    """The grid as a Python-like expression of the parameter names, for messages."""

    def show(v: SSAValue) -> str:
        if isinstance(v, BlockArgument):
            return names[v.index]
        op = v.owner
        if isinstance(op, arith.ConstantOp):
            return str(op.value.value.data)
        if op.name in ("arith.extui", "arith.extsi", "arith.index_cast", "arith.trunci"):
            return show(op.operands[0])
        if op.name in _INFIX:
            a, b = show(op.operands[0]), show(op.operands[1])
            if a.lstrip("-").isdigit() and b.lstrip("-").isdigit() and op.name in _FOLDABLE:
                return str(_FOLDABLE[op.name](int(a), int(b)))
            return f"({a} {_INFIX[op.name]} {b})"
        if isinstance(op, arith.SelectOp):  # the wrap-around check: the count is the other side
            return show(op.rhs)
        if op.name in ("arith.maxsi", "arith.maxui", "arith.minsi", "arith.minui"):
            return f"{op.name[6:9]}({show(op.operands[0])}, {show(op.operands[1])})"
        return f"<{op.name}>"

    text = show(region.block.last_op.operands[0])
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text


def grid_parameter(region: Region) -> int | None:
    """The position of the parameter the grid is, when it is one 32-bit parameter widened
    without sign (`if idx < n:` with n: u32), so the launch reads it straight off the args."""
    ops = list(region.block.ops)
    if len(ops) != 2 or not isinstance(ops[0], arith.ExtUIOp):
        return None
    src = ops[0].input
    if not isinstance(src, BlockArgument) or ops[1].operands[0] is not ops[0].result:
        return None
    if not (isinstance(src.type, IntegerType) and src.type.width.data == 32):
        return None
    return src.index


# ------------------------------------------------------------------------------------------------
# Evaluation on Python ints, for `Kernel.simulate` and the launch checks without a library
# ------------------------------------------------------------------------------------------------
def _width(t) -> int:
    return 64 if isinstance(t, IndexType) else t.width.data


def _signed(v: int, w: int) -> int:
    v &= (1 << w) - 1
    return v - (1 << w) if v >> (w - 1) else v


def _unsigned(v: int, w: int) -> int:
    return v & ((1 << w) - 1)


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


_BIN: dict[str, Callable[[int, int, int], int]] = {
    "arith.addi": lambda a, b, w: a + b,
    "arith.subi": lambda a, b, w: a - b,
    "arith.muli": lambda a, b, w: a * b,
    "arith.divui": lambda a, b, w: _unsigned(a, w) // _unsigned(b, w),
    "arith.divsi": lambda a, b, w: _trunc_div(_signed(a, w), _signed(b, w)),
    "arith.floordivsi": lambda a, b, w: _signed(a, w) // _signed(b, w),
    "arith.ceildivsi": lambda a, b, w: -(-_signed(a, w) // _signed(b, w)),
    "arith.ceildivui": lambda a, b, w: -(-_unsigned(a, w) // _unsigned(b, w)),
    "arith.remui": lambda a, b, w: _unsigned(a, w) % _unsigned(b, w),
    "arith.remsi": lambda a, b, w: _signed(a, w) - _trunc_div(_signed(a, w), _signed(b, w))
    * _signed(b, w),
    "arith.minui": lambda a, b, w: min(_unsigned(a, w), _unsigned(b, w)),
    "arith.maxui": lambda a, b, w: max(_unsigned(a, w), _unsigned(b, w)),
    "arith.minsi": lambda a, b, w: min(_signed(a, w), _signed(b, w)),
    "arith.maxsi": lambda a, b, w: max(_signed(a, w), _signed(b, w)),
    "arith.andi": lambda a, b, w: a & b,
    "arith.ori": lambda a, b, w: a | b,
    "arith.xori": lambda a, b, w: a ^ b,
    "arith.shli": lambda a, b, w: a << _unsigned(b, w) if _unsigned(b, w) < w else 0,
    "arith.shrui": lambda a, b, w: _unsigned(a, w) >> _unsigned(b, w),
    "arith.shrsi": lambda a, b, w: _signed(a, w) >> min(_unsigned(b, w), w - 1),
}
_CMP: dict[str, Callable[[int, int, int], bool]] = {
    "eq": lambda a, b, w: _unsigned(a, w) == _unsigned(b, w),
    "ne": lambda a, b, w: _unsigned(a, w) != _unsigned(b, w),
    "slt": lambda a, b, w: _signed(a, w) < _signed(b, w),
    "sle": lambda a, b, w: _signed(a, w) <= _signed(b, w),
    "sgt": lambda a, b, w: _signed(a, w) > _signed(b, w),
    "sge": lambda a, b, w: _signed(a, w) >= _signed(b, w),
    "ult": lambda a, b, w: _unsigned(a, w) < _unsigned(b, w),
    "ule": lambda a, b, w: _unsigned(a, w) <= _unsigned(b, w),
    "ugt": lambda a, b, w: _unsigned(a, w) > _unsigned(b, w),
    "uge": lambda a, b, w: _unsigned(a, w) >= _unsigned(b, w),
}


class GridDivisionByZero(ZeroDivisionError):
    """The grid region divided by zero for these arguments."""


def evaluate_grid(region: Region, args: Sequence[int]) -> int:
    """The grid a region yields for the kernel's arguments (arrays may be anything: unused).
    Values are kept as unsigned bit patterns of their width, as in the C code."""
    env: dict[SSAValue, int] = {}
    for arg, value in zip(region.block.args, args, strict=True):
        if isinstance(arg.type, IntegerType | IndexType):  # only integers can enter the grid
            env[arg] = _unsigned(int(value), _width(arg.type))
    for op in region.block.ops:
        if isinstance(op, GridYieldOp):
            return _signed(env[op.value], 64)
        name = op.name
        if isinstance(op, arith.ConstantOp):
            w = _width(op.result.type)
            env[op.result] = _unsigned(op.value.value.data, w)
            continue
        if name in ("arith.extui", "arith.extsi", "arith.index_cast"):
            src_w, w = _width(op.operands[0].type), _width(op.results[0].type)
            value = env[op.operands[0]]
            if name == "arith.extsi" or name == "arith.index_cast" and w > src_w:
                value = _signed(value, src_w)  # index_cast sign-extends when it widens
            env[op.results[0]] = _unsigned(value, w)
            continue
        if name == "arith.trunci":
            env[op.results[0]] = _unsigned(env[op.operands[0]], _width(op.results[0].type))
            continue
        if isinstance(op, arith.SelectOp):
            env[op.result] = env[op.lhs] if env[op.cond] & 1 else env[op.rhs]
            continue
        if isinstance(op, arith.CmpiOp):
            pred = arith.CMPI_COMPARISON_OPERATIONS[op.predicate.value.data]
            w = _width(op.lhs.type)
            env[op.result] = int(_CMP[pred](env[op.lhs], env[op.rhs], w))
            continue
        fn = _BIN[name]
        w = _width(op.results[0].type)
        a, b = env[op.operands[0]], env[op.operands[1]]
        if name in ("arith.divui", "arith.divsi", "arith.floordivsi", "arith.ceildivsi",
                    "arith.ceildivui", "arith.remui", "arith.remsi") and _unsigned(b, w) == 0:
            raise GridDivisionByZero("division by zero in the grid")
        env[op.results[0]] = _unsigned(fn(a, b, w), w)
    raise ValueError("grid region without hologram.grid_yield")
