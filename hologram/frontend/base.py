"""The lowering's shared machinery: values, the insertion point, locations, constants, casts."""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field

from xdsl.dialects import arith, memref
from xdsl.dialects import complex as complex_dialect
from xdsl.dialects.builtin import (
    FileLineColLoc,
    FloatAttr,
    IndexType,
    IntAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
    i64,
)
from xdsl.ir import Block, Operation, SSAValue

from hologram.frontend.errors import CompileError, SourceLocation
from hologram.frontend.limits import show_int, ssa_hint
from hologram.frontend.types import (BOOL, C64, F32, I32, I64, U64, Array, Scalar, TypeClash,
                                     decorator_name)

Literal = bool | int | float | complex
F32_MAX = 3.4028234663852886e38  # the largest finite float32


@dataclass
class Val:
    """An expression's value: a typed SSA value, or an untyped Python literal (`lit`) that takes
    the type of the operand it meets (`x + 1`, `out[i] = 0.0`)."""

    type: Scalar | Array | None
    ssa: SSAValue | None = None
    lit: Literal | None = None

    @property
    def is_lit(self) -> bool:
        return self.ssa is None


def lit(value: Literal) -> Val:
    return Val(None, None, value)


def default_type(value: Literal) -> Scalar:
    """The type a literal gets when nothing else decides: i32 (i64, u64 when too big), f32, bool."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, float):
        return F32
    if isinstance(value, complex):
        return C64  # as a float literal is f32
    for t in (I32, I64, U64):
        lo, hi = t.int_range()
        if lo <= value <= hi:
            return t
    return I32  # out of every range: `materialize` reports it


@dataclass
class Source:
    filename: str
    lines: list[str]
    first_line: int = 1  # line number of lines[0] in the file

    def loc(self, node: ast.AST) -> SourceLocation:
        """The node's place in the file (the AST's line numbers are already the file's)."""
        line = getattr(node, "lineno", self.first_line)
        col = getattr(node, "col_offset", 0) + 1
        i = line - self.first_line
        text = self.lines[i] if 0 <= i < len(self.lines) else None
        return SourceLocation(self.filename, line, col, text)


@dataclass
class Builder:
    """Appends ops to `block`, each located at the AST node it comes from."""

    src: Source
    block: Block | None = None
    allocas: list[Operation] = field(default_factory=list)
    # u32 values that are an index_cast of an index value (the global id): subscripts reuse it.
    index_of: dict[SSAValue, SSAValue] = field(default_factory=dict)
    # Comparisons made here, with their predicate, so a guard can be inverted in place.
    predicates: dict[Operation, str] = field(default_factory=dict)

    # --- errors and locations -----------------------------------------------------------------
    def error(self, node: ast.AST, message: str, hint: str | None = None) -> CompileError:
        return CompileError(message, self.src.loc(node), hint)

    def location(self, node: ast.AST) -> FileLineColLoc:
        loc = self.src.loc(node)
        return FileLineColLoc(StringAttr(loc.file), IntAttr(loc.line), IntAttr(loc.col))

    def emit(self, op: Operation, node: ast.AST) -> Operation:
        assert self.block is not None
        op.location = self.location(node)
        self.block.add_op(op)
        return op

    def value(self, op: Operation, node: ast.AST) -> SSAValue:
        return self.emit(op, node).results[0]

    def alloca(self, t: Scalar, node: ast.AST, name: str) -> SSAValue:
        """A rank-0 slot for a local; hoisted to the kernel's entry when the kernel is done."""
        op = memref.AllocaOp.get(t.ir(), shape=[])
        op.location = self.location(node)
        op.results[0].name_hint = ssa_hint(name)
        self.allocas.append(op)
        return op.results[0]

    # --- constants ----------------------------------------------------------------------------
    def const(self, value: Literal, t: Scalar, node: ast.AST) -> SSAValue:
        if t.is_complex:
            z = complex(value)
            part = t.part
            for x in (z.real, z.imag):
                if part.width == 32 and math.isfinite(x) and abs(x) > F32_MAX:
                    raise self.error(node, f"literal {value!r} does not fit in {t} (largest "
                                     f"part {F32_MAX:.7g})", "write c128(...) or use a smaller "
                                     "value")
            return self.value(complex_dialect.ConstantOp.from_floats((z.real, z.imag),
                                                                     part.ir()), node)
        if t.is_float:
            try:
                value = float(value)
            except OverflowError:
                raise self.error(node, f"integer literal {show_int(value)} is too large for "
                                 f"{t}") from None  # type: ignore[arg-type]
            if t.width == 32 and math.isfinite(value) and abs(value) > F32_MAX:
                raise self.error(node, f"literal {value!r} does not fit in f32 (largest "
                                 f"{F32_MAX:.7g})", "write f64(...) or use a smaller value")
            return self.value(arith.ConstantOp(FloatAttr(value, t.ir())), node)
        if t.is_bool:
            return self.value(arith.ConstantOp(IntegerAttr(int(bool(value)), IntegerType(1))), node)
        # IR integers are signless: a u32 above 2**31 prints as its negative i32 bit pattern.
        v = int(value)
        if v >= 1 << (t.width - 1):
            v -= 1 << t.width
        return self.value(arith.ConstantOp(IntegerAttr(v, t.ir())), node)

    def index_const(self, value: int, node: ast.AST) -> SSAValue:
        return self.value(arith.ConstantOp(IntegerAttr(value, IndexType())), node)

    def materialize(self, v: Val, t: Scalar, node: ast.AST) -> SSAValue:
        """A literal as a constant of type `t`: int literals adapt to ints and floats, float
        literals only to floats, bool literals only to bool."""
        assert v.lit is not None
        value = v.lit
        if t.is_bool != isinstance(value, bool):
            raise self.error(node, f"cannot use {value!r} as a {t}",
                             "cast explicitly" if t.is_bool else f"write {t}({value!r})")
        if isinstance(value, complex) and not t.is_complex:
            raise self.error(node, f"complex literal {value!r} where a {t} is expected",
                             f"take a part, e.g. ({value!r}).real")
        if t.is_int:
            if isinstance(value, float):
                raise self.error(node, f"float literal {value!r} where a {t} is expected",
                                 f"write {t}({value!r}) to truncate it")
            lo, hi = t.int_range()
            if not lo <= value <= hi:
                raise self.error(node, f"integer literal {show_int(value)} does not fit in {t} "
                                 f"[{lo}, {hi}]", "cast the other operand to a wider type")
        return self.const(value, t, node)

    def typed(self, v: Val, node: ast.AST) -> Val:
        """The value with a type: literals get their default type."""
        if not v.is_lit:
            return v
        t = default_type(v.lit)  # type: ignore[arg-type]
        return Val(t, self.materialize(v, t, node))

    # --- conversions --------------------------------------------------------------------------
    def convert(self, v: Val, to: Scalar, node: ast.AST) -> SSAValue:
        """`v` as a value of type `to` (explicit casts and the widenings of `join`)."""
        if v.is_lit:
            value = v.lit
            if isinstance(value, complex) and not to.is_complex:
                if to.is_bool:
                    return self.const(value != 0, to, node)
                raise self.error(node, f"cannot convert the complex literal {value!r} to {to}",
                                 "take a part, e.g. (z).real")
            if to.is_float or to.is_complex:
                return self.const(value, to, node)  # type: ignore[arg-type]
            if to.is_bool:
                return self.const(bool(value), to, node)
            if isinstance(value, float):
                if not math.isfinite(value):
                    raise self.error(node, f"cannot convert the literal {value!r} to {to}",
                                     "a constant NaN or infinity has no integer value")
                value = int(value)  # casts truncate toward zero, as C and Python's int() do
            lo, hi = to.int_range()
            if not lo <= value <= hi:
                value = int(value) & ((1 << to.width) - 1)  # casts wrap, as the C conversion
                if to.signed and value > hi:
                    value -= 1 << to.width
            return self.const(value, to, node)
        frm = v.type
        assert isinstance(frm, Scalar) and v.ssa is not None
        if frm == to:
            return v.ssa
        x = v.ssa
        if frm.is_complex or to.is_complex:
            return self.convert_complex(x, frm, to, node)
        if to.is_bool:
            if frm.is_float:
                return self.compare("une", x, self.const(0.0, frm, node), node, float_=True)
            return self.compare("ne", x, self.const(0, frm, node), node)
        if frm.is_float and to.is_float:
            op = arith.ExtFOp(x, to.ir()) if to.width > frm.width else arith.TruncFOp(x, to.ir())
            return self.value(op, node)
        if frm.is_float:
            if to.width == 64:
                cls = arith.FPToSIOp if to.signed else arith.FPToUIOp
                return self.value(cls(x, to.ir()), node)
            # to 32 bits through i64: truncates toward zero, then wraps like the C conversion of
            # an integer (a negative float to u32 is defined, as in hologram.lang)
            wide = self.value(arith.FPToSIOp(x, IntegerType(64)), node)
            return self.value(arith.TruncIOp(wide, to.ir()), node)
        if to.is_float:
            cls = arith.SIToFPOp if frm.signed and not frm.is_bool else arith.UIToFPOp
            return self.value(cls(x, to.ir()), node)
        # integer (or bool) to integer
        if to.width == frm.width:
            return x  # the same bits: i32 <-> u32 reinterprets
        if to.width > frm.width:
            cls = arith.ExtSIOp if frm.signed and not frm.is_bool else arith.ExtUIOp
            return self.value(cls(x, IntegerType(to.width)), node)
        return self.value(arith.TruncIOp(x, IntegerType(to.width)), node)

    def convert_complex(self, x: SSAValue, frm: Scalar, to: Scalar, node: ast.AST) -> SSAValue:
        """Conversions to and from complex types: a real value gets a zero imaginary part
        (`complex.create`); a complex value changes width part by part; a complex value
        converts to bool as `z != 0`. Complex to a real type is an error: as in Python,
        `float(z)` drops nothing silently (write `z.real`)."""
        if to.is_complex and not frm.is_complex:
            if frm.is_bool:
                raise self.error(node, f"cannot convert a bool to {to}", "cast to i32 first")
            re = self.convert(Val(frm, x), to.part, node)
            im = self.const(0.0, to.part, node)
            return self.value(complex_dialect.CreateOp(re, im, to.ir()), node)
        if to.is_complex:  # complex to complex: each part
            re = self.value(complex_dialect.ReOp(x), node)
            im = self.value(complex_dialect.ImOp(x), node)
            re = self.convert(Val(frm.part, re), to.part, node)
            im = self.convert(Val(frm.part, im), to.part, node)
            return self.value(complex_dialect.CreateOp(re, im, to.ir()), node)
        if to.is_bool:
            zero = self.const(0, frm, node)
            return self.value(complex_dialect.NotEqualOp(x, zero), node)
        raise self.error(node, f"cannot convert {frm} to {to}: the imaginary part would be lost",
                         "take a part: z.real, z.imag, or abs(z)")

    def compare(self, pred: str, a: SSAValue, b: SSAValue, node: ast.AST, float_: bool = False):
        op = arith.CmpfOp(a, b, pred) if float_ else arith.CmpiOp(a, b, pred)
        self.predicates[op] = pred
        return self.value(op, node)

    def check_index(self, v: Val, node: ast.AST) -> None:
        """Array positions are integers: an int literal or a value of an integer type."""
        if v.is_lit:
            if isinstance(v.lit, bool) or not isinstance(v.lit, int):
                raise self.error(node, f"array index must be an integer, not {v.lit!r}")
            return
        t = v.type
        if not isinstance(t, Scalar) or not t.is_int:
            raise self.error(node, f"array index must be an integer, not {t}",
                             "cast it, e.g. a[u32(x)]" if isinstance(t, Scalar) and t.is_float
                             else None)

    def to_index(self, v: Val, node: ast.AST) -> SSAValue:
        """An integer value as an `index` for memref subscripts."""
        self.check_index(v, node)
        if v.is_lit:
            if v.lit < 0:
                raise self.error(node, f"negative index {v.lit}: arrays are not indexed from "
                                 "the end in kernels", "compute the position, e.g. a[n - 1]")
            return self.index_const(v.lit, node)
        t = v.type
        assert isinstance(t, Scalar) and v.ssa is not None
        if v.ssa in self.index_of:
            return self.index_of[v.ssa]
        x = v.ssa
        if not t.signed and t.width < 64:
            x = self.value(arith.ExtUIOp(x, i64), node)
        return self.value(arith.IndexCastOp(x, IndexType()), node)

    def clash(self, node: ast.AST, err: TypeClash) -> CompileError:
        return self.error(node, str(err), err.hint)


# --- statement lists -------------------------------------------------------------------------
EXITS = (ast.Return, ast.Break, ast.Continue)


def always_exits(stmts: list[ast.stmt]) -> bool:
    """Whether running `stmts` always ends in `return`, `break` or `continue`."""
    for s in stmts:
        if isinstance(s, EXITS):
            return True
        if isinstance(s, ast.If) and always_exits(s.body) and always_exits(s.orelse):
            return True
    return False


def strip_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
            and isinstance(first.value.value, str):
        return body[1:]
    return body


def check_decorators(fn: ast.FunctionDef, src: Source) -> None:
    """Kernels and helpers accept `@kernel` (`@hologram.kernel`) and `@inline`, nothing else."""
    for d in fn.decorator_list:
        if decorator_name(d) not in ("kernel", "inline"):
            raise CompileError(f"unknown decorator `@{ast.unparse(d)}` on `{fn.name}`",
                               src.loc(d), "kernels accept @hologram.kernel and helpers @inline")
