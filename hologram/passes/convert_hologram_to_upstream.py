"""The `convert-hologram-to-upstream` pass: a lowered module in upstream MLIR dialects only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, cf, func, math, memref, scf
from xdsl.dialects import complex as cplx
from xdsl.dialects.builtin import (
    ArrayAttr,
    ComplexType,
    Float32Type,
    FileLineColLoc,
    FloatAttr,
    FunctionType,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    StringAttr,
    UnitAttr,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass

from hologram.dialects import hologram as hg
from hologram.dialects.upstream import (
    AtomicYieldOp,
    GenericAtomicRMWOp,
    fix_execute_region_printing,
)
from hologram.frontend.errors import CompileError, SourceLocation
from hologram.passes.parallelize import fill_grid_loop, grid_threshold

# memref.atomic_rmw kinds (MLIR's AtomicRMWKind enum, stored as its i64 value).
ADDF, ADDI, MAXS, MAXU, MINS, MINU = 0, 1, 4, 5, 7, 8

# The attributes a converted kernel's func.func carries (its launch metadata).
KERNEL_ATTR = "hologram.kernel"
PARAM_NAMES_ATTR = "hologram.param_names"
PARAM_TYPES_ATTR = "hologram.param_types"
GRID_ATTR = "hologram.grid"
SOURCE_ATTR = "hologram.source"


class ConversionError(CompileError):
    """IR that has no upstream equivalent (an op left over, an exit the pass cannot place)."""


def _error(op: Operation, message: str) -> ConversionError:
    loc = op.location
    if isinstance(loc, FileLineColLoc):
        return ConversionError(message, SourceLocation(loc.filename.data, loc.line.data,
                                                       loc.column.data))
    return ConversionError(message)


@dataclass(frozen=True)
class ConvertHologramToUpstream(ModulePass):
    """convert-hologram-to-upstream

    Rewrites a lowered module (after `parallelize` and the other passes) into upstream MLIR
    dialects only (builtin, func, arith, math, scf, cf, memref), so that `mlir-opt` parses and
    verifies it, with the same meaning as the C backend gives the hologram IR:

    * Each `hologram.kernel @k` becomes `func.func @k(<params>..., %grid: index)` with the
      attributes `hologram.kernel`, `hologram.param_names`, `hologram.param_types` and, where
      known, `hologram.source`: what a launcher needs. The grid argument carries the launch
      grid; `hologram.grid_size` becomes `%grid`.
    * A kernel's grid region becomes `func.func @k_grid(<scalar params>) -> i64` (its array
      parameters dropped, `hologram.grid_yield` a `func.return`), named by the kernel's
      `hologram.grid` attribute: the function a launcher calls when no grid= is given.
    * A SIMT kernel (no parallel loop) first gets its grid loop, as the C backend wraps it:
      ids `[0, grid)`, serial below `parallelize.grid_threshold` ids (32768; 256 for a body
      with a loop).
    * `hologram.parallel_for` becomes `scf.parallel` with `hologram.schedule`,
      `hologram.chunk` and `hologram.simd` attributes (ignored by upstream tools); with a
      `threshold`, `scf.if (trip count < threshold)` picks a serial `scf.for` copy, as in the C
      backend; `serial` loops are `scf.for`.
    * Early exits (`hologram.exit`, `hologram.break`, `hologram.continue`): the iteration body
      that holds them becomes one `scf.execute_region`, in which every `scf.if`/`for`/`while`
      enclosing an exit is lowered to blocks and `cf` branches; the exits become branches to
      the end of the iteration, the loop's exit or its latch. Other control flow stays
      structured.
    * Atomics: add is `memref.atomic_rmw addf|addi`; integer min/max are `mins|minu|maxs|maxu`
      (unsigned for `u32[]`/`u64[]` parameters); float min/max are `memref.generic_atomic_rmw`
      storing `v` when `v < old` (`v > old`), exactly Python's `min(old, v)`.
    * Tree-reduction partials already are ordinary memrefs (`memref.alloca`); they stay.
    * `hologram.launch @k grid(%n) (args)` is `func.call @k(args..., %n)`.
    * Integer ops whose upstream semantics are undefined somewhere get the C backend's defined
      results spelled out with `arith.select`: division and remainder by 0 give 0 and `MIN / -1`
      wraps (`divsi divui remsi remui floordivsi ceildivsi ceildivui`, skipped for a constant
      divisor other than 0 and -1); shifts by at least the width give 0 (or the sign);
      `fptosi`/`fptoui` truncate in range and otherwise wrap through i64, giving the minimum on
      NaN and beyond i64 (upstream, such a conversion is poison); `math.fpowi` is `math.powf`
      of the converted exponent (what the C backend calls); `math.rsqrt` is `1 / math.sqrt`
      (the C backend's `1.0f / sqrtf(x)`, not an approximation); `math.ipowi` of 0 to a
      negative power is 0. An `scf.for` over an integer narrower than 64 bits counts in i64,
      so a bound near the type's maximum cannot wrap.
    * `hologram.cmath` (complex functions upstream `complex` lacks): `log2`/`log10` are
      `complex.log` with both parts divided by log(base) (the C backend's `hg_clog10f`); the
      others call C99's function (`func.call @casinf`, declared `func.func private`), the
      function the C backend calls. Complex values are otherwise upstream already.
    * Static `memref.alloca`s (the language's reassigned locals) get a zero store where they
      are made, as the C backend's `T x = 0;`, and move to the top of their loop iteration
      (or of the kernel, or before a serial loop), so no alloca is left inside a loop.

    An op that has no upstream form is a located error; so is a module still in SIMT form
    that holds `hologram.global_id` outside a grid loop.
    """

    name = "convert-hologram-to-upstream"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        fix_execute_region_printing()  # the exits' scf.execute_region must print its branches
        for inner in list(op.walk()):
            _make_total(inner)
        for cm in [o for o in op.walk() if isinstance(o, hg.ComplexMathOp)]:
            _convert_cmath(cm, op)
        for kernel in [o for o in op.ops if isinstance(o, hg.KernelOp)]:
            _convert_kernel(kernel)
        for launch in [o for o in op.walk() if isinstance(o, hg.LaunchOp)]:
            call = func.CallOp(launch.callee, [*launch.args, launch.grid], [])
            _replace(launch, call)
        for left in op.walk():
            if left.dialect_name() == "hologram":
                raise _error(left, f"convert-hologram-to-upstream: `{left.name}` has no "
                                   f"upstream form here")


# ------------------------------------------------------------------------------------------------
# Small builders
# ------------------------------------------------------------------------------------------------
class _At:
    """Inserts ops before `anchor` and returns their results."""

    def __init__(self, anchor: Operation):
        self.anchor = anchor

    def __call__(self, op: Operation) -> SSAValue:
        block = self.anchor.parent
        assert block is not None
        block.insert_op_before(op, self.anchor)
        return op.results[0] if op.results else None  # type: ignore[return-value]

    def const(self, value: int | float, t: Attribute) -> SSAValue:
        if isinstance(value, float):
            return self(arith.ConstantOp(FloatAttr(value, t)))  # type: ignore[arg-type]
        return self(arith.ConstantOp(IntegerAttr(value, t)))  # type: ignore[arg-type]

    def cmpi(self, pred: str, a: SSAValue, b: SSAValue) -> SSAValue:
        return self(arith.CmpiOp(a, b, pred))

    def select(self, c: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
        return self(arith.SelectOp(c, a, b))


def _replace(old: Operation, new: Operation) -> None:
    block = old.parent
    assert block is not None
    block.insert_op_before(new, old)
    for a, b in zip(old.results, new.results, strict=True):
        a.replace_all_uses_with(b)
    new.location = old.location
    old.detach()
    old.erase()


def _replace_value(old: Operation, value: SSAValue) -> None:
    old.results[0].replace_all_uses_with(value)
    old.detach()
    old.erase()


def _width(t: Attribute) -> int:
    if isinstance(t, IndexType):
        return 64
    assert isinstance(t, IntegerType)
    return t.width.data


def _constant_int(value: SSAValue) -> int | None:
    owner = value.owner
    if isinstance(owner, arith.ConstantOp) and isinstance(owner.value, IntegerAttr):
        return owner.value.value.data
    return None


# ------------------------------------------------------------------------------------------------
# Integer and cast ops with defined results everywhere
# ------------------------------------------------------------------------------------------------
_SIGNED_DIV = (arith.DivSIOp, arith.FloorDivSIOp, arith.CeilDivSIOp)
_UNSIGNED_DIV = (arith.DivUIOp, arith.RemUIOp, arith.CeilDivUIOp)


_LN = {"log2": 0.69314718055994530942, "log10": 2.30258509299404568402}


def _convert_cmath(op: hg.ComplexMathOp, module: ModuleOp) -> None:
    """`hologram.cmath "f" %z`: log2/log10 as scaled `complex.log`, the others a call of C99's
    `cf` (`casinf`), declared once in the module."""
    t = op.result.type
    assert isinstance(t, ComplexType)
    part = t.element_type
    fn = op.fn.data
    at = _At(op)
    if fn in _LN:
        w = at(cplx.LogOp(op.operand))
        ln = at.const(_LN[fn], part)
        re = at(arith.DivfOp(at(cplx.ReOp(w)), ln))
        im = at(arith.DivfOp(at(cplx.ImOp(w)), ln))
        _replace(op, cplx.CreateOp(re, im, t))
        return
    name = f"c{fn}{'f' if isinstance(part, Float32Type) else ''}"
    table = {o.sym_name.data for o in module.ops if isinstance(o, func.FuncOp)}
    if name not in table:
        module.body.block.add_op(func.FuncOp.external(name, [t], [t]))
    _replace(op, func.CallOp(name, [op.operand], [t]))


def _make_total(op: Operation) -> None:
    if isinstance(op, (*_SIGNED_DIV, arith.RemSIOp)):
        _guard_signed_division(op)
    elif isinstance(op, _UNSIGNED_DIV):
        _guard_unsigned_division(op)
    elif isinstance(op, arith.ShLIOp | arith.ShRUIOp | arith.ShRSIOp):
        _guard_shift(op)
    elif isinstance(op, arith.FPToSIOp | arith.FPToUIOp):
        _guard_fp_to_int(op)
    elif isinstance(op, math.FPowIOp):
        at = _At(op)
        power = at(arith.SIToFPOp(op.rhs, op.result.type))
        _replace(op, math.PowFOp(op.lhs, power))
    elif isinstance(op, math.IPowIOp):
        _guard_ipowi(op)
    elif isinstance(op, math.RsqrtOp):
        at = _At(op)
        root = at(math.SqrtOp(op.operand))
        _replace(op, arith.DivfOp(at.const(1.0, op.result.type), root))
    elif isinstance(op, math.CopySignOp):
        _expand_copysign(op)
    elif isinstance(op, scf.ForOp):
        _widen_for(op)


def _expand_copysign(op: math.CopySignOp) -> None:
    # |lhs| with rhs's sign bit, on the bits (exact). MLIR 19's convert-math-to-libm marks
    # math.copysign illegal without lowering it, so the op cannot reach the MLIR pipeline.
    width = op.result.type.bitwidth
    bits = IntegerType(width)
    at = _At(op)
    magnitude = at(arith.AndIOp(at(arith.BitcastOp(op.lhs, bits)),
                                at.const((1 << (width - 1)) - 1, bits)))
    sign = at(arith.AndIOp(at(arith.BitcastOp(op.rhs, bits)), at.const(-(1 << (width - 1)), bits)))
    _replace(op, arith.BitcastOp(at(arith.OrIOp(magnitude, sign)), op.result.type))


def _guard_signed_division(op: Operation) -> None:
    a, b = op.operands
    known = _constant_int(b)
    if known is not None and known not in (0, -1):
        return
    t = op.results[0].type
    at = _At(op)
    zero, one, minus1 = at.const(0, t), at.const(1, t), at.const(-1, t)
    is0, ism1 = at.cmpi("eq", b, zero), at.cmpi("eq", b, minus1)
    bad = at(arith.OrIOp(is0, ism1))
    safe = at.select(bad, one, b)
    q = at(type(op)(a, safe))
    if isinstance(op, arith.RemSIOp):
        result = at.select(bad, zero, q)  # x % -1 == 0, x % 0 == 0
    else:
        neg = at(arith.SubiOp(zero, a))  # MIN / -1 wraps to MIN
        result = at.select(is0, zero, at.select(ism1, neg, q))
    _replace_value(op, result)


def _guard_unsigned_division(op: Operation) -> None:
    a, b = op.operands
    known = _constant_int(b)
    if known is not None and known != 0:
        return
    t = op.results[0].type
    at = _At(op)
    zero, one = at.const(0, t), at.const(1, t)
    is0 = at.cmpi("eq", b, zero)
    q = at(type(op)(a, at.select(is0, one, b)))
    _replace_value(op, at.select(is0, zero, q))


def _guard_shift(op: Operation) -> None:
    a, b = op.operands
    t = op.results[0].type
    width = _width(t)
    known = _constant_int(b)
    if known is not None and 0 <= known < width:
        return
    at = _At(op)
    zero, limit = at.const(0, t), at.const(width, t)
    big = at.cmpi("uge", b, limit)
    if isinstance(op, arith.ShRSIOp):  # by >= width: all sign bits
        safe = at.select(big, at.const(width - 1, t), b)
        _replace_value(op, at(arith.ShRSIOp(a, safe)))
        return
    shifted = at(type(op)(a, at.select(big, zero, b)))
    _replace_value(op, at.select(big, zero, shifted))


def _guard_fp_to_int(op: arith.FPToSIOp | arith.FPToUIOp) -> None:
    """In range: truncate (through i64); NaN or beyond: the C backend's `hg_fpto*` results."""
    x = op.input
    ft = x.type
    t = op.result.type
    width = _width(t)
    at = _At(op)
    two63 = at.const(9223372036854775808.0, ft)
    lo = at.const(-9223372036854775808.0, ft)
    fzero = at.const(0.0, ft)
    in64 = at(arith.AndIOp(at(arith.CmpfOp(x, lo, "ogt")), at(arith.CmpfOp(x, two63, "olt"))))
    wide = at(arith.FPToSIOp(at.select(in64, x, fzero), i64))
    if isinstance(op, arith.FPToSIOp):
        fallback = at.const(-(1 << 63), i64)
    else:  # [2^63, 2^64) converts as unsigned; everything else outside is 0
        two64 = at.const(18446744073709551616.0, ft)
        upper = at(arith.AndIOp(at(arith.CmpfOp(x, two63, "oge")),
                                at(arith.CmpfOp(x, two64, "olt"))))
        high = at(arith.FPToUIOp(at.select(upper, x, fzero), i64))
        fallback = at.select(upper, high, at.const(0, i64))
    value = at.select(in64, wide, fallback)
    if width == 1:  # bool: the low bit, as `(bool)(x & 1)`
        value = at(arith.TruncIOp(value, t))
    elif width < 64:
        if isinstance(op, arith.FPToSIOp):
            # beyond i64 the C helper returns the minimum of the narrow type
            narrow_min = at.const(-(1 << (width - 1)), t)
            value = at.select(in64, at(arith.TruncIOp(value, t)), narrow_min)
        else:
            value = at(arith.TruncIOp(value, t))
    _replace_value(op, value)


def _guard_ipowi(op: math.IPowIOp) -> None:
    a, b = op.operands
    t = op.results[0].type
    at = _At(op)
    zero = at.const(0, t)
    bad = at(arith.AndIOp(at.cmpi("eq", a, zero), at.cmpi("slt", b, zero)))
    base = at.select(bad, at.const(2, t), a)  # 2 ** negative is 0, as 0 ** negative is here
    _replace(op, math.IPowIOp(base, b))


def _widen_for(op: scf.ForOp) -> None:
    """`scf.for` over iN (N < 64) counts in i64, as the C backend does."""
    iv_type = op.lb.type
    if isinstance(iv_type, IndexType) or _width(iv_type) >= 64:
        return
    at = _At(op)
    lb, ub, step = (at(arith.ExtSIOp(v, i64)) for v in (op.lb, op.ub, op.step))
    body = op.body.detach_block(0)
    old_iv = body.args[0]
    new_iv = body.insert_arg(i64, 0)
    first = body.first_op
    narrow = arith.TruncIOp(new_iv, iv_type)
    if first is None:
        body.add_op(narrow)
    else:
        body.insert_op_before(narrow, first)
    old_iv.replace_all_uses_with(narrow.result)
    body.erase_arg(old_iv)
    _replace(op, scf.ForOp(lb, ub, step, list(op.iter_args), Region(body)))


# ------------------------------------------------------------------------------------------------
# Kernels
# ------------------------------------------------------------------------------------------------
def _convert_kernel(kernel: hg.KernelOp) -> None:
    grid_fn = _grid_function(kernel) if kernel.grid_region is not None else None
    block = kernel.body.block
    lang_types = dict(zip(block.args, kernel.types, strict=True))
    grid = block.insert_arg(IndexType(), len(block.args))
    grid.name_hint = "grid"
    for size in [o for o in block.walk() if isinstance(o, hg.GridSizeOp)]:
        _replace_value(size, grid)
    if not any(isinstance(o, hg.ParallelForOp) for o in block.walk()):
        _wrap_in_grid_loop(block, grid)
    for stray in block.walk():
        if isinstance(stray, hg.GlobalIdOp):
            raise _error(stray, "hologram.global_id outside a grid loop: a kernel with an "
                                "explicit hologram.parallel_for must use its induction variable")
    _zero_initialize_allocas(block)
    _hoist_allocas(block)  # the kernel's own serial code, outside its parallel loops
    for loop in reversed([o for o in block.walk() if isinstance(o, hg.ParallelForOp)]):
        _hoist_allocas(loop.body.block)
        _convert_parallel_for(loop)
    _structure_exits(block)
    for atomic in [o for o in block.walk() if isinstance(o, hg.ATOMIC_OPS)]:
        _convert_atomic(atomic, lang_types)

    terminator = block.last_op
    assert isinstance(terminator, hg.ReturnOp)
    _replace(terminator, func.ReturnOp())
    inputs = [a.type for a in block.args]
    new = func.FuncOp(kernel.kernel_name, FunctionType.from_lists(inputs, []),
                      kernel.detach_region(kernel.body))
    new.attributes[KERNEL_ATTR] = UnitAttr()
    new.attributes[PARAM_NAMES_ATTR] = ArrayAttr([StringAttr(n) for n in kernel.names])
    new.attributes[PARAM_TYPES_ATTR] = ArrayAttr([StringAttr(t) for t in kernel.types])
    source = kernel.properties.get("source")
    if isinstance(source, StringAttr):
        new.attributes[SOURCE_ATTR] = source
    new.location = kernel.location
    parent = kernel.parent
    assert parent is not None
    parent.insert_op_before(new, kernel)
    if grid_fn is not None:
        new.attributes[GRID_ATTR] = StringAttr(grid_fn.sym_name.data)
        parent.insert_op_after(grid_fn, new)
    kernel.detach()
    kernel.erase()


def _grid_function(kernel: hg.KernelOp) -> func.FuncOp:
    """The kernel's grid region as `func.func @<kernel>_grid(<scalar parameters>) -> i64`
    (the function a launcher calls when no grid= is given, as the C backend's)."""
    region = kernel.grid_region
    assert region is not None
    region = kernel.detach_region(region)
    block = region.block
    scalar_types = []
    for arg, lang_type in reversed(list(zip(block.args, kernel.types, strict=True))):
        if not lang_type.endswith("[]"):
            scalar_types.insert(0, lang_type)
            continue
        if arg.uses:  # the verifier allows parameters only through integer arithmetic
            raise _error(kernel, f"the grid region of @{kernel.kernel_name} uses array "
                                 f"parameter #{arg.index}")
        block.erase_arg(arg)
    terminator = block.last_op
    assert isinstance(terminator, hg.GridYieldOp)
    _replace(terminator, func.ReturnOp(*terminator.operands))
    fn = func.FuncOp(f"{kernel.kernel_name}_grid",
                     FunctionType.from_lists([a.type for a in block.args], [i64]), region)
    fn.attributes[PARAM_TYPES_ATTR] = ArrayAttr([StringAttr(t) for t in scalar_types])
    fn.location = kernel.location
    return fn


def _static_alloca(op: Operation) -> bool:
    return isinstance(op, memref.AllocaOp) and not op.operands


def _zero_initialize_allocas(block: Block) -> None:
    """Store zeros into each static `memref.alloca` where it is made: the C backend's locals are
    `T x = 0;` and `T a[N] = {0};`, so a read before any write sees 0 in both backends."""
    for alloca in [o for o in block.walk() if _static_alloca(o)]:
        t = alloca.results[0].type
        assert isinstance(t, MemRefType)
        elem = t.get_element_type()
        nxt = alloca.next_op
        assert nxt is not None
        at = _At(nxt)
        if isinstance(elem, ComplexType):
            zero = at(cplx.ConstantOp.from_floats((0.0, 0.0), elem.element_type))
        else:
            zero = at.const(0.0 if not isinstance(elem, IntegerType) else 0, elem)
        shape = t.get_shape()
        if not shape:
            at(memref.StoreOp.get(zero, alloca.results[0], []))
            continue
        index = IndexType()
        c0, c1 = at.const(0, index), at.const(1, index)
        indices: list[SSAValue] = []
        anchor = at
        for extent in shape:
            body = Block(arg_types=[index])
            loop = scf.ForOp(c0, anchor.const(extent, index), c1, [], Region(body))
            anchor(loop)
            body.add_op(scf.YieldOp())
            indices.append(body.args[0])
            anchor = _At(body.last_op)  # type: ignore[arg-type]
        anchor(memref.StoreOp.get(zero, alloca.results[0], indices))


def _hoist_allocas(body: Block) -> None:
    """Static allocas of a loop iteration (or of a kernel body) move to the top of its block
    (their zero stores stay): the loop's OpenMP lowering can then give each thread one copy, and
    no alloca is left inside a loop or under control flow that `mlir-opt` turns into blocks."""
    first = body.first_op
    assert first is not None
    for alloca in [o for o in body.walk() if _static_alloca(o)]:
        if alloca.parent is body:
            continue
        inner = alloca.parent_op()
        while inner is not None and inner.parent is not body:
            if isinstance(inner, hg.ParallelForOp):
                break
            inner = inner.parent_op()
        if isinstance(inner, hg.ParallelForOp):
            continue  # it belongs to a nested parallel loop
        alloca.detach()
        body.insert_op_before(alloca, first)


def _hoist_out_of_loop(loop: scf.ForOp) -> None:
    """A serial copy's allocas go before the loop (their zero stores stay in it): an alloca
    inside a loop takes new stack on every iteration once lowered to LLVM."""
    for alloca in [o for o in loop.body.block.ops if _static_alloca(o)]:
        alloca.detach()
        parent = loop.parent
        assert parent is not None
        parent.insert_op_before(alloca, loop)


def _wrap_in_grid_loop(block: Block, grid: SSAValue) -> None:
    terminator = block.last_op
    assert terminator is not None
    ops = [o for o in block.ops if o is not terminator]
    at = _At(terminator)
    c0, c1 = at.const(0, IndexType()), at.const(1, IndexType())
    # Serial below parallelize's threshold for this body, as the C backend prints the loop.
    loop = hg.ParallelForOp(c0, grid, c1, threshold=grid_threshold(ops))
    at(loop)
    fill_grid_loop(loop, ops, clone=False)


def _convert_parallel_for(loop: hg.ParallelForOp) -> None:
    body = loop.body.block
    _structure_exits(body)
    lb, ub, step = loop.lb, loop.ub, loop.step
    region = loop.detach_region(loop.body)

    def as_for(r: Region) -> scf.ForOp:
        end = r.block.last_op
        assert end is not None
        _replace(end, scf.YieldOp())
        return scf.ForOp(lb, ub, step, [], r)

    if loop.serial is not None:
        serial = as_for(region)
        _replace(loop, serial)
        _hoist_out_of_loop(serial)
        return
    serial_copy = region.clone() if loop.threshold.value.data > 0 else None
    end = region.block.last_op
    assert end is not None
    _replace(end, scf.ReduceOp())
    par = scf.ParallelOp([lb], [ub], [step], region)
    par.attributes["hologram.schedule"] = loop.schedule
    par.attributes["hologram.chunk"] = IntegerAttr(loop.chunk.value.data, i64)
    if loop.simd is not None:
        par.attributes["hologram.simd"] = UnitAttr()
    if serial_copy is None:
        _replace(loop, par)
        return
    # Below the threshold the loop runs serially (no parallel region), as in the C backend.
    at = _At(loop)
    index = IndexType()
    trips = _trip_count(at, lb, ub, step)
    small = at.cmpi("ult", trips, at.const(loop.threshold.value.data, index))
    then_block, else_block = Block(), Block()
    serial = as_for(serial_copy)
    then_block.add_ops([serial, scf.YieldOp()])
    _hoist_out_of_loop(serial)
    else_block.add_ops([par, scf.YieldOp()])
    _replace(loop, scf.IfOp(small, [], Region(then_block), Region(else_block)))


def _trip_count(at: _At, lb: SSAValue, ub: SSAValue, step: SSAValue) -> SSAValue:
    """`ub > lb ? ceil((ub - lb) / step) : 0`, shorter for the usual `0 to n step 1`."""
    index = IndexType()
    if _constant_int(step) == 1:
        if _constant_int(lb) == 0:
            return ub
        return at.select(at.cmpi("ugt", ub, lb), at(arith.SubiOp(ub, lb)), at.const(0, index))
    span = at(arith.SubiOp(ub, lb))
    minus1 = at(arith.SubiOp(step, at.const(1, index)))
    trips = at(arith.DivUIOp(at(arith.AddiOp(span, minus1)), step))
    return at.select(at.cmpi("ugt", ub, lb), trips, at.const(0, index))


# ------------------------------------------------------------------------------------------------
# Atomics
# ------------------------------------------------------------------------------------------------
def _is_unsigned(ref: SSAValue, lang_types: dict[SSAValue, str]) -> bool:
    return lang_types.get(ref, "").removesuffix("[]") in ("u32", "u64")


def _convert_atomic(op: hg.AtomicRMWBase, lang_types: dict[SSAValue, str]) -> None:
    t = op.value.type
    is_float = not isinstance(t, IntegerType)
    if isinstance(t, IntegerType) and t.width.data == 1:
        raise _error(op, f"{op.name} on a bool array is not supported")
    if isinstance(op, hg.AtomicAddOp) or not is_float:
        if isinstance(op, hg.AtomicAddOp):
            kind = ADDF if is_float else ADDI
        else:
            unsigned = _is_unsigned(op.memref, lang_types)
            if isinstance(op, hg.AtomicMinOp):
                kind = MINU if unsigned else MINS
            else:
                kind = MAXU if unsigned else MAXS
        new = memref.AtomicRMWOp.create(
            operands=[op.value, op.memref, op.index], result_types=[t],
            properties={"kind": IntegerAttr(kind, i64)},
        )
        _replace(op, new)
        return
    # Float min/max: store v when v < old (v > old), as Python's min(old, v) does.
    rmw = GenericAtomicRMWOp(op.memref, [op.index], t)
    cur = rmw.current
    pred = "olt" if isinstance(op, hg.AtomicMinOp) else "ogt"
    better = arith.CmpfOp(op.value, cur, pred)
    pick = arith.SelectOp(better, op.value, cur)
    rmw.atomic_body.block.add_ops([better, pick, AtomicYieldOp(pick.result)])
    _replace(op, rmw)


# ------------------------------------------------------------------------------------------------
# Early exits: the iteration body becomes an scf.execute_region with blocks and branches
# ------------------------------------------------------------------------------------------------
_EXITS = (hg.ExitOp, hg.BreakOp, hg.ContinueOp)


@dataclass
class _LoopTargets:
    break_block: Block
    break_args: Callable[[], list[SSAValue]]
    continue_block: Block
    continue_args: Callable[[], list[SSAValue]]


def _structure_exits(block: Block) -> None:
    """Make every exit in `block` (a grid-loop iteration or a kernel body, ending with its
    terminator) a branch inside one `scf.execute_region`."""
    exits = [o for o in block.walk() if isinstance(o, _EXITS)]
    if not exits:
        return
    lower: set[Operation] = set()
    loop_of: dict[Operation, Operation] = {}
    in_before: set[Operation] = set()
    for ex in exits:
        parent = ex.parent_op()
        while parent is not None and parent.parent is not block:
            lower.add(parent)
            parent = parent.parent_op()
        if parent is not None:
            lower.add(parent)
        if isinstance(ex, hg.BreakOp | hg.ContinueOp):
            target = hg._enclosing_loop(ex)
            if target is None:
                raise _error(ex, f"{ex.name} outside a loop")
            loop_of[ex] = target
            if isinstance(target, scf.WhileOp) and target.before_region.is_ancestor(ex):
                in_before.add(ex)
    for op in lower:
        if not isinstance(op, scf.IfOp | scf.ForOp | scf.WhileOp):
            raise _error(op, f"convert-hologram-to-upstream: an exit inside `{op.name}` "
                             f"cannot be turned into branches")

    terminator = block.last_op
    assert terminator is not None
    entry, end = Block(), Block()
    for o in [o for o in block.ops if o is not terminator]:
        if _static_alloca(o):
            continue  # allocas stay at the top of the iteration, outside the blocks
        o.detach()
        entry.add_op(o)
    entry.add_op(cf.BranchOp(end))
    end.add_op(scf.YieldOp())
    region = Region([entry, end])
    block.insert_op_before(scf.ExecuteRegionOp([], region), terminator)

    targets: dict[Operation, _LoopTargets] = {}
    work = [entry]
    while work:
        current = work.pop()
        op = current.first_op
        while op is not None:
            nxt = op.next_op
            if op in lower:
                work.extend(_lower_structured(op, targets))
                break
            if isinstance(op, _EXITS):
                _branch_out(op, end, loop_of, in_before, targets)
                break
            op = nxt


def _branch_out(op: Operation, end: Block, loop_of: dict[Operation, Operation],
                in_before: set[Operation], targets: dict[Operation, _LoopTargets]) -> None:
    following = op.next_op
    assert following is not None  # the verifier puts exits last before the terminator
    if isinstance(op, hg.ExitOp):
        branch = cf.BranchOp(end)
    else:
        loop = targets[loop_of[op]]
        if isinstance(op, hg.BreakOp):
            if op in in_before and loop_of[op].results:
                raise _error(op, "hologram.break in the condition region of a loop with results")
            args = [] if op in in_before else loop.break_args()
            branch = cf.BranchOp(loop.break_block, *args)
        else:
            branch = cf.BranchOp(loop.continue_block, *loop.continue_args())
    following.detach()
    following.erase()
    _replace(op, branch)


def _split_after(op: Operation) -> Block:
    """Move the ops after `op` into a new block (after op's block) taking op's results."""
    block = op.parent
    assert block is not None and op.next_op is not None
    cont = block.split_before(op.next_op, arg_types=[r.type for r in op.results])
    for res, arg in zip(op.results, cont.args, strict=True):
        res.replace_all_uses_with(arg)
    return cont


def _lower_structured(op: Operation, targets: dict[Operation, _LoopTargets]) -> list[Block]:
    cont = _split_after(op)
    block = op.parent
    assert block is not None
    if isinstance(op, scf.IfOp):
        then_entry = op.true_region.block
        then_args = list(then_entry.last_op.operands)  # type: ignore[union-attr]
        _replace(then_entry.last_op, cf.BranchOp(cont, *then_args))  # type: ignore[arg-type]
        op.true_region.move_blocks_before(cont)
        new_blocks = [then_entry, cont]
        else_entry = cont
        if op.false_region.blocks:
            else_entry = op.false_region.block
            else_args = list(else_entry.last_op.operands)  # type: ignore[union-attr]
            _replace(else_entry.last_op, cf.BranchOp(cont, *else_args))  # type: ignore[arg-type]
            op.false_region.move_blocks_before(cont)
            new_blocks.insert(1, else_entry)
        _replace_terminal(op, cf.ConditionalBranchOp(op.cond, then_entry, [], else_entry, []))
        return new_blocks
    if isinstance(op, scf.ForOp):
        body = op.body.block
        carried_types = [a.type for a in body.args[1:]]
        header = Block(arg_types=[body.args[0].type, *carried_types])
        latch = Block(arg_types=carried_types)
        region = cont.parent
        assert region is not None
        region.insert_block_before(header, cont)
        for old, new in zip(body.args, header.args, strict=True):
            old.replace_all_uses_with(new)
        for arg in reversed(body.args):
            body.erase_arg(arg)
        op.body.move_blocks_before(cont)
        region.insert_block_before(latch, cont)
        iv, carried = header.args[0], list(header.args[1:])
        at = _At(_add(header, cf.BranchOp(cont)))  # placeholder, replaced below
        more = at.cmpi("slt", iv, op.ub)
        _replace(header.last_op, cf.ConditionalBranchOp(  # type: ignore[arg-type]
            more, body, [], cont, carried))
        yielded = list(body.last_op.operands)  # type: ignore[union-attr]
        _replace(body.last_op, cf.BranchOp(latch, *yielded))  # type: ignore[arg-type]
        nxt = arith.AddiOp(iv, op.step)
        latch.add_ops([nxt, cf.BranchOp(header, nxt.result, *latch.args)])
        targets[op] = _LoopTargets(cont, lambda: list(carried), latch, lambda: list(carried))
        _replace_terminal(op, cf.BranchOp(header, op.lb, *op.iter_args))
        return [body, cont]
    assert isinstance(op, scf.WhileOp)
    before, after = op.before_region.block, op.after_region.block
    op.before_region.move_blocks_before(cont)
    op.after_region.move_blocks_before(cont)
    cond = before.last_op
    assert isinstance(cond, scf.ConditionOp)
    passed = list(cond.args)
    _replace(cond, cf.ConditionalBranchOp(cond.condition, after, passed, cont, passed))
    back = list(after.last_op.operands)  # type: ignore[union-attr]
    _replace(after.last_op, cf.BranchOp(before, *back))  # type: ignore[arg-type]
    targets[op] = _LoopTargets(cont, lambda: list(after.args), before, lambda: list(before.args))
    _replace_terminal(op, cf.BranchOp(before, *op.arguments))
    return [before, after, cont]


def _add(block: Block, op: Operation) -> Operation:
    block.add_op(op)
    return op


def _replace_terminal(op: Operation, branch: Operation) -> None:
    """Replace a structured op (whose results now flow through block arguments) by the branch
    that ends its block."""
    block = op.parent
    assert block is not None
    block.insert_op_before(branch, op)
    branch.location = op.location
    op.detach()
    op.erase()
