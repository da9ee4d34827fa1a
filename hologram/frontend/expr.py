"""Expressions: arithmetic with Python's semantics, comparisons, `and`/`or`/`not`, ternaries,
subscripts and names. Calls are in `calls.py`."""

from __future__ import annotations

import ast
import operator

from xdsl.dialects import arith, math, memref, scf
from xdsl.dialects import complex as cplx
from xdsl.dialects.builtin import IndexType, IntegerAttr, IntegerType, i64
from xdsl.ir import Block, Region, SSAValue

from hologram.frontend.base import Val, default_type, lit
from hologram.frontend.infer import literal_fits
from hologram.frontend.limits import fold_literals, ssa_hint
from hologram.frontend.types import BOOL, F32, Array, Scalar, TypeClash, complex_of, join

_SYMBOL = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
    ast.Pow: "**", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<",
    ast.RShift: ">>", ast.MatMult: "@",
}
_FOLD = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
    ast.BitXor: operator.xor, ast.LShift: operator.lshift, ast.RShift: operator.rshift,
}
_INT_OPS = {ast.Add: arith.AddiOp, ast.Sub: arith.SubiOp, ast.Mult: arith.MuliOp,
            ast.BitAnd: arith.AndIOp, ast.BitOr: arith.OrIOp, ast.BitXor: arith.XOrIOp,
            ast.LShift: arith.ShLIOp}
# Subscript arithmetic runs on 64-bit signed ints (see `position`).
_POSITION_OPS = {ast.Add: arith.AddiOp, ast.Sub: arith.SubiOp, ast.Mult: arith.MuliOp}
_NSW = arith.IntegerOverflowAttr([arith.IntegerOverflowFlag.NSW])
_FLOAT_OPS = {ast.Add: arith.AddfOp, ast.Sub: arith.SubfOp, ast.Mult: arith.MulfOp,
              ast.Div: arith.DivfOp}
_COMPLEX_OPS = {ast.Add: cplx.AddOp, ast.Sub: cplx.SubOp, ast.Mult: cplx.MulOp,
                ast.Div: cplx.DivOp, ast.Pow: cplx.PowOp}
_BOOL_OPS = (ast.BitAnd, ast.BitOr, ast.BitXor)
_CMP = {ast.Eq: ("eq", "eq", "oeq"), ast.NotEq: ("ne", "ne", "une"),
        ast.Lt: ("slt", "ult", "olt"), ast.LtE: ("sle", "ule", "ole"),
        ast.Gt: ("sgt", "ugt", "ogt"), ast.GtE: ("sge", "uge", "oge")}
_CMP_FOLD = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
             ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}
REJECTED_EXPR = {
    ast.Lambda: ("`lambda` is not supported in kernels", "define a module-level helper function"),
    ast.List: ("list literals are not supported in kernels", "use a DeviceArray parameter"),
    ast.Tuple: ("tuples are not supported in kernels", "use separate variables"),
    ast.Dict: ("dict literals are not supported in kernels", None),
    ast.Set: ("set literals are not supported in kernels", None),
    ast.ListComp: ("list comprehensions are not supported in kernels", "write a for loop"),
    ast.SetComp: ("set comprehensions are not supported in kernels", "write a for loop"),
    ast.DictComp: ("dict comprehensions are not supported in kernels", "write a for loop"),
    ast.GeneratorExp: ("generator expressions are not supported in kernels", "write a for loop"),
    ast.Await: ("`await` is not supported in kernels", None),
    ast.Yield: ("`yield` is not supported in kernels", "write results into an array"),
    ast.YieldFrom: ("`yield from` is not supported in kernels", "write results into an array"),
    ast.JoinedStr: ("f-strings are not supported in kernels", None),
    ast.NamedExpr: ("the walrus operator `:=` is not supported in kernels",
                    "assign in a separate statement"),
    ast.Starred: ("`*` unpacking is not supported in kernels", None),
    ast.Slice: ("slices are not supported in kernels", "index one element at a time in a loop"),
}


class ExprMixin:
    """Lowers expressions to `Val`s. Mixed into the function lowerer."""

    # --- entry points -------------------------------------------------------------------------
    def expr(self, node: ast.expr) -> Val:
        method = getattr(self, f"expr_{type(node).__name__}", None)
        if method is not None:
            return method(node)
        message, hint = REJECTED_EXPR.get(
            type(node), (f"{type(node).__name__} expressions are not supported in kernels", None))
        raise self.error(node, message, hint)

    def scalar(self, node: ast.expr) -> Val:
        v = self.expr(node)
        if isinstance(v.type, Array):
            raise self.error(node, f"array `{ast.unparse(node)}` used as a scalar",
                             f"index it, e.g. {ast.unparse(node)}[i]")
        return v

    def typed_scalar(self, node: ast.expr) -> Val:
        return self.typed(self.scalar(node), node)

    def cond(self, node: ast.expr, what: str = "condition") -> SSAValue:
        """A bool-typed expression as an i1; other types need an explicit comparison."""
        v = self.scalar(node)
        if v.is_lit:
            if not isinstance(v.lit, bool):
                raise self.error(node, f"{what} must be a bool, not {v.lit!r}",
                                 "write a comparison, e.g. x != 0")
            return self.const(v.lit, BOOL, node)
        if v.type != BOOL:
            zero = "0.0" if v.type.is_float else "0"
            raise self.error(node, f"{what} must be a bool, not {v.type}",
                             f"write a comparison, e.g. `{ast.unparse(node)} != {zero}`")
        return v.ssa

    # --- leaves -------------------------------------------------------------------------------
    def expr_Constant(self, node: ast.Constant) -> Val:
        if isinstance(node.value, bool | int | float | complex):
            return lit(node.value)
        if isinstance(node.value, str):
            raise self.error(node, "strings are not supported in kernels")
        if node.value is None:
            raise self.error(node, "`None` is not a value in kernels")
        raise self.error(node, f"constant {node.value!r} is not supported in kernels")

    def expr_Name(self, node: ast.Name) -> Val:
        b = self.scope.lookup(node.id)
        if b is not None:
            if b.is_slot:
                if node.id not in self.frame.defined:
                    raise self.error(node, f"`{node.id}` may be used before it is assigned: it is "
                                     "assigned only in some branches or inside a loop",
                                     f"assign it before, e.g. `{node.id} = "
                                     f"{'0.0' if b.type.is_float else '0'}`")
                load = memref.LoadOp.get(b.value, [])
                load.results[0].name_hint = ssa_hint(node.id)
                return Val(b.type, self.value(load, node))
            return Val(b.type, b.value)
        if node.id in self.module.constants:
            return lit(self.module.constants[node.id])
        if node.id in self.module.functions or self.is_intrinsic(node.id):
            raise self.error(node, f"`{node.id}` is a function; call it, e.g. {node.id}(...)")
        if node.id in self.scope.ssa_names or self.assigned_later(node.id):
            raise self.error(node, f"`{node.id}` is used before it is assigned")
        raise self.error(node, f"unknown name `{node.id}`",
                         "kernels see their parameters, their locals and module-level "
                         "constants and functions")

    def expr_Subscript(self, node: ast.Subscript) -> Val:
        arr, index = self.subscript(node)
        return Val(arr.type.elem, self.value(memref.LoadOp.get(arr.ssa, [index]), node))

    def subscript(self, node: ast.Subscript) -> tuple[Val, SSAValue]:
        """The array and the `index` of `a[i]`."""
        arr = self.expr(node.value)
        if not isinstance(arr.type, Array):
            shown = arr.type if arr.type is not None else repr(arr.lit)
            raise self.error(node, f"cannot subscript `{ast.unparse(node.value)}`: it is a "
                             f"scalar ({shown}), not a DeviceArray")
        if isinstance(node.slice, ast.Tuple):
            raise self.error(node.slice, "arrays are 1-D: multi-dimensional subscripts are not "
                             "supported", "index the flat array, e.g. a[i * ld + j]")
        if isinstance(node.slice, ast.Slice):
            raise self.error(node.slice, *REJECTED_EXPR[ast.Slice])
        return arr, self.position(node.slice)

    def position(self, node: ast.expr) -> SSAValue:
        """The `index` of `a[node]`.

        A position built with `+ - *` (`a[i * ld + j]`, `a[base + t]`) is computed on 64-bit
        signed ints from its integer leaves, as Python's unbounded ints would: for any position
        inside an array it equals the typed (u32, wrapping) arithmetic, and it does not wrap.
        The ops carry `overflow<nsw>`, so the C compiler sees an index that grows by one per
        iteration and vectorizes the loop (wrapping u32 arithmetic hides that). Loop variables
        enter through their `index` induction variable, not their 32-bit copy.
        """
        if not (isinstance(node, ast.BinOp) and type(node.op) in _POSITION_OPS):
            return self.to_index(self.scalar(node), node)
        return self.value(arith.IndexCastOp(self.position_i64(node), IndexType()), node)

    def position_i64(self, node: ast.expr) -> SSAValue:
        if isinstance(node, ast.BinOp) and type(node.op) in _POSITION_OPS:
            a, b = self.position_i64(node.left), self.position_i64(node.right)
            return self.value(_POSITION_OPS[type(node.op)](a, b, overflow=_NSW), node)
        v = self.scalar(node)
        self.check_index(v, node)
        if v.is_lit:
            return self.value(arith.ConstantOp(IntegerAttr(v.lit, i64)), node)
        t = v.type
        assert isinstance(t, Scalar) and v.ssa is not None
        if v.ssa in self.index_of:
            return self.value(arith.IndexCastOp(self.index_of[v.ssa], i64), node)
        if t.width == 64:
            return v.ssa
        ext = arith.ExtSIOp if t.signed else arith.ExtUIOp
        return self.value(ext(v.ssa, i64), node)

    def expr_Attribute(self, node: ast.Attribute) -> Val:
        if node.attr in ("real", "imag") and not (isinstance(node.value, ast.Name)
                                                  and node.value.id in ("cmath", "math")):
            return self.part(node.attr, self.scalar(node.value), node)
        raise self.error(node, f"attribute access `{ast.unparse(node)}` is not supported in "
                         "kernels", "call intrinsics by their bare name, e.g. sqrt(x)")

    def part(self, which: str, v: Val, node: ast.AST) -> Val:
        """`z.real`, `z.imag` (`complex.re`/`complex.im`); a real number's are itself and 0, as
        in Python."""
        if v.is_lit:
            if isinstance(v.lit, bool):
                raise self.error(node, f"`.{which}` of a bool", "cast with i32(b) first")
            return lit(getattr(v.lit, which))
        t = v.type
        if t.is_bool:
            raise self.error(node, f"`.{which}` of a bool", "cast with i32(b) first")
        if not t.is_complex:
            return v if which == "real" else Val(t, self.const(0, t, node))
        op = cplx.ReOp(v.ssa) if which == "real" else cplx.ImOp(v.ssa)
        return Val(t.part, self.value(op, node))

    # --- arithmetic ---------------------------------------------------------------------------
    def expr_BinOp(self, node: ast.BinOp) -> Val:
        a, b = self.scalar(node.left), self.scalar(node.right)
        return self.binop(type(node.op), a, b, node)

    def operand_type(self, a: Val, b: Val, node: ast.AST) -> Scalar:
        """The type both operands are brought to: literals adapt to the other side."""
        if a.is_lit and b.is_lit:
            return join(self.typed(a, node).type, self.typed(b, node).type)
        if a.is_lit or b.is_lit:
            value, t = (a.lit, b.type) if a.is_lit else (b.lit, a.type)
            if isinstance(value, complex) or t.is_complex:
                if t.is_bool or isinstance(value, bool):
                    raise self.error(node, "bool values cannot be used in arithmetic",
                                     "cast with i32(b) first")
                return complex_of(t)  # a real literal adapts to a complex operand, and back
            if isinstance(value, float) and not t.is_float:
                if t.is_bool:  # join raises: bool in arithmetic
                    try:
                        join(F32, t)
                    except TypeClash as err:
                        raise self.clash(node, err) from None
                return F32
            if t.is_int and not isinstance(value, bool) and not literal_fits(value, t):
                # A literal the other side cannot hold (`-1` with a u32) joins as its own type:
                # u32 with -1 is computed in i64, as Python's unbounded ints would give.
                try:
                    return join(t, default_type(value))
                except TypeClash as err:
                    raise self.clash(node, err) from None
            return t
        try:
            return join(a.type, b.type)
        except TypeClash as err:
            raise self.clash(node, err) from None

    def coerce(self, v: Val, t: Scalar, node: ast.AST) -> SSAValue:
        return self.materialize(v, t, node) if v.is_lit else self.convert(v, t, node)

    def binop(self, op: type, a: Val, b: Val, node: ast.AST) -> Val:
        sym = _SYMBOL.get(op, op.__name__)
        if op not in _FOLD:
            raise self.error(node, f"operator `{sym}` is not supported in kernels")
        if a.is_lit and b.is_lit:
            try:
                return lit(fold_literals(op, a.lit, b.lit))
            except (ZeroDivisionError, OverflowError, TypeError, ValueError) as err:
                raise self.error(node, f"cannot evaluate `{ast.unparse(node)}`: {err}") from None
        if op in _BOOL_OPS and self.is_bool(a) and self.is_bool(b):
            x, y = self.as_bool(a, node), self.as_bool(b, node)
            return Val(BOOL, self.value(_INT_OPS[op](x, y), node))  # non-short-circuit logic
        t = self.operand_type(a, b, node)
        if t.is_bool:
            raise self.error(node, f"operator `{sym}` is not defined on bool",
                             "cast with i32(b) first")
        if t.is_complex:
            return self.complex_binop(op, sym, a, b, t, node)
        if op is ast.Div and not t.is_float:
            t = F32  # `/` is true division: integers convert to f32 first (docs/language.md)
        if op is ast.Pow:
            return self.power(a, b, t, node)
        x, y = self.coerce(a, t, node), self.coerce(b, t, node)
        if t.is_float:
            if op in _FLOAT_OPS:
                return Val(t, self.value(_FLOAT_OPS[op](x, y), node))
            if op is ast.FloorDiv:
                q = self.value(arith.DivfOp(x, y), node)
                return Val(t, self.value(math.FloorOp(q), node))
            if op is ast.Mod:
                return Val(t, self.float_mod(x, y, t, node))
            raise self.error(node, f"operator `{sym}` needs integers, not {t}")
        if op in _INT_OPS:
            return Val(t, self.value(_INT_OPS[op](x, y), node))
        if op is ast.RShift:
            cls = arith.ShRSIOp if t.signed else arith.ShRUIOp
            return Val(t, self.value(cls(x, y), node))
        if op is ast.FloorDiv:
            cls = arith.FloorDivSIOp if t.signed else arith.DivUIOp
            return Val(t, self.value(cls(x, y), node))
        assert op is ast.Mod
        if not t.signed:
            return Val(t, self.value(arith.RemUIOp(x, y), node))
        return Val(t, self.signed_mod(x, y, t, node))

    def complex_binop(self, op: type, sym: str, a: Val, b: Val, t: Scalar, node: ast.AST) -> Val:
        """`+ - * / **` on complex values (`complex.add`...); `//` and `%` are not defined on
        complex numbers, as in Python."""
        if op not in _COMPLEX_OPS:
            raise self.error(node, f"operator `{sym}` is not defined on complex numbers ({t})",
                             "compute on the parts, z.real and z.imag")
        x, y = self.coerce(a, t, node), self.coerce(b, t, node)
        return Val(t, self.value(_COMPLEX_OPS[op](x, y), node))

    def signed_mod(self, x: SSAValue, y: SSAValue, t: Scalar, node: ast.AST) -> SSAValue:
        """Python's `%`: the remainder takes the sign of the divisor."""
        r = self.value(arith.RemSIOp(x, y), node)
        zero = self.const(0, t, node)
        nonzero = self.compare("ne", r, zero, node)
        r_neg = self.compare("slt", r, zero, node)
        y_neg = self.compare("slt", y, zero, node)
        signs_differ = self.value(arith.XOrIOp(r_neg, y_neg), node)
        fix = self.value(arith.AndIOp(nonzero, signs_differ), node)
        fixed = self.value(arith.AddiOp(r, y), node)
        return self.value(arith.SelectOp(fix, fixed, r), node)

    def float_mod(self, x: SSAValue, y: SSAValue, t: Scalar, node: ast.AST) -> SSAValue:
        """Python's float `%`, `x - floor(x / y) * y`: the sign of the divisor."""
        q = self.value(math.FloorOp(self.value(arith.DivfOp(x, y), node)), node)
        return self.value(arith.SubfOp(x, self.value(arith.MulfOp(q, y), node)), node)

    def power(self, a: Val, b: Val, t: Scalar, node: ast.AST) -> Val:
        if t.is_float:
            x, y = self.coerce(a, t, node), self.coerce(b, t, node)
            return Val(t, self.value(math.PowFOp(x, y), node))
        if b.is_lit and isinstance(b.lit, int) and b.lit < 0:
            raise self.error(node, f"integer `**` with the negative exponent {b.lit} is a float "
                             "in Python", f"make the base a float, e.g. f32(x) ** {b.lit}")
        x = self.coerce(a, t, node)
        if not (b.is_lit and 0 <= b.lit <= 64):
            return Val(t, self.int_power_loop(x, self.coerce(b, t, node), t, node))
        result: SSAValue | None = None
        square, e = x, b.lit
        while e:  # square and multiply: wraps like repeated `*`
            if e & 1:
                result = square if result is None else self.value(arith.MuliOp(result, square), node)
            e >>= 1
            if e:
                square = self.value(arith.MuliOp(square, square), node)
        return Val(t, result if result is not None else self.const(1, t, node))

    def int_power_loop(self, x: SSAValue, e: SSAValue, t: Scalar, node: ast.AST) -> SSAValue:
        """`x ** e` for a run-time integer exponent: square and multiply in an `scf.while`
        (wraps like repeated `*`). A negative exponent gives the integer part of Python's float
        result: 1 for x == 1, +-1 for x == -1, 0 otherwise (docs/language.md)."""
        ty = t.ir()
        one, zero = self.const(1, t, node), self.const(0, t, node)
        exponent = e
        negative = self.compare("slt", e, zero, node) if t.signed else None
        if negative is not None:
            e = self.value(arith.SelectOp(negative, zero, e), node)
        before, after = Block(arg_types=[ty, ty, ty]), Block(arg_types=[ty, ty, ty])
        with self.at(before):
            r, base, k = before.args
            more = self.compare("ne", k, zero, node)
            self.emit(scf.ConditionOp(more, r, base, k), node)
        with self.at(after):
            r, base, k = after.args
            odd = self.compare("ne", self.value(arith.AndIOp(k, one), node), zero, node)
            r2 = self.value(arith.SelectOp(odd, self.value(arith.MuliOp(r, base), node), r), node)
            base2 = self.value(arith.MuliOp(base, base), node)
            k2 = self.value(arith.ShRUIOp(k, one), node)
            self.emit(scf.YieldOp(r2, base2, k2), node)
        loop = self.emit(scf.WhileOp([one, x, e], [ty, ty, ty], Region(before), Region(after)),
                         node)
        result = loop.results[0]
        if negative is None:
            return result
        # x ** -k: 1 when x == 1, (-1) ** k when x == -1, else 0 (|x ** -k| < 1 truncates to 0)
        minus_one = self.const(-1, t, node)
        odd_exp = self.compare("ne", self.value(arith.AndIOp(exponent, one), node), zero, node)
        sign = self.value(arith.SelectOp(odd_exp, minus_one, one), node)
        is_one = self.compare("eq", x, one, node)
        is_minus_one = self.compare("eq", x, minus_one, node)
        small = self.value(arith.SelectOp(is_minus_one, sign, zero), node)
        small = self.value(arith.SelectOp(is_one, one, small), node)
        return self.value(arith.SelectOp(negative, small, result), node)

    def expr_UnaryOp(self, node: ast.UnaryOp) -> Val:
        if isinstance(node.op, ast.Not):
            c = self.cond(node.operand, "operand of `not`")
            return Val(BOOL, self.not_(c, node))
        v = self.scalar(node.operand)
        if v.is_lit:
            if isinstance(v.lit, bool):
                raise self.error(node, "unary operators other than `not` are not defined on bool")
            ops = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert}
            try:
                return lit(ops[type(node.op)](v.lit))
            except TypeError as err:
                raise self.error(node, f"cannot evaluate `{ast.unparse(node)}`: {err}") from None
        t = v.type
        if t.is_bool:
            raise self.error(node, "unary operators other than `not` are not defined on bool",
                             "cast with i32(b) first")
        if isinstance(node.op, ast.UAdd):
            return v
        if isinstance(node.op, ast.USub):
            if t.is_complex:
                return Val(t, self.value(cplx.NegOp(v.ssa), node))
            if t.is_float:
                return Val(t, self.value(arith.NegfOp(v.ssa), node))
            return Val(t, self.value(arith.SubiOp(self.const(0, t, node), v.ssa), node))
        if t.is_float or t.is_complex:
            raise self.error(node, f"operator `~` needs an integer, not {t}")
        return Val(t, self.value(arith.XOrIOp(v.ssa, self.const(-1 if t.signed else
                                                                 (1 << t.width) - 1, t, node)), node))

    def not_(self, c: SSAValue, node: ast.AST) -> SSAValue:
        true = self.value(arith.ConstantOp(IntegerAttr(1, IntegerType(1))), node)
        return self.value(arith.XOrIOp(c, true), node)

    # --- comparisons --------------------------------------------------------------------------
    def expr_Compare(self, node: ast.Compare) -> Val:
        for op in node.ops:
            if type(op) not in _CMP:
                name = {ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}
                raise self.error(node, f"comparison `{name.get(type(op), op)}` is not supported "
                                 "in kernels", "compare numbers with == != < <= > >=")
        left = self.scalar(node.left)
        right = self.scalar(node.comparators[0])
        first = self.compare_vals(node.ops[0], left, right, node)
        if len(node.ops) == 1:
            return first
        # a < b < c: b is evaluated once; c only when a < b (short-circuit, via scf.if)
        rest = ast.Compare(left=node.comparators[0], ops=node.ops[1:],
                           comparators=node.comparators[1:])
        ast.copy_location(rest, node)
        return Val(BOOL, self.short_circuit(self.as_bool(first, node), rest, node, is_and=True,
                                           left_val=right))

    def compare_vals(self, op: ast.cmpop, a: Val, b: Val, node: ast.AST) -> Val:
        if a.is_lit and b.is_lit:
            try:
                return lit(_CMP_FOLD[type(op)](a.lit, b.lit))
            except TypeError as err:
                raise self.error(node, f"cannot evaluate `{ast.unparse(node)}`: {err}") from None
        t = self.operand_type(a, b, node) if not (a.type == BOOL or b.type == BOOL) else BOOL
        if t.is_bool and type(op) not in (ast.Eq, ast.NotEq):
            raise self.error(node, "bool values can only be compared with == and !=")
        x, y = self.coerce(a, t, node), self.coerce(b, t, node)
        signed, unsigned, fp = _CMP[type(op)]
        if t.is_complex:
            if type(op) not in (ast.Eq, ast.NotEq):
                raise self.error(node, f"complex numbers ({t}) have no order: only == and != "
                                 "compare them", "compare parts (z.real < w.real) or "
                                 "magnitudes (abs(z) < abs(w))")
            cls = cplx.EqualOp if type(op) is ast.Eq else cplx.NotEqualOp
            return Val(BOOL, self.value(cls(x, y), node))
        if t.is_float:
            return Val(BOOL, self.compare(fp, x, y, node, float_=True))
        return Val(BOOL, self.compare(signed if t.signed and not t.is_bool else unsigned, x, y, node))

    @staticmethod
    def is_bool(v: Val) -> bool:
        return isinstance(v.lit, bool) if v.is_lit else v.type == BOOL

    def as_bool(self, v: Val, node: ast.AST) -> SSAValue:
        return self.const(v.lit, BOOL, node) if v.is_lit else v.ssa

    # --- and / or / ternary: scf.if with a result, so the other side runs only when needed ----
    def expr_BoolOp(self, node: ast.BoolOp) -> Val:
        is_and = isinstance(node.op, ast.And)
        word = "and" if is_and else "or"
        acc = self.cond(node.values[0], f"operand of `{word}`")
        for operand in node.values[1:]:
            acc = self.short_circuit(acc, operand, node, is_and)
        return Val(BOOL, acc)

    def short_circuit(self, acc: SSAValue, operand: ast.expr, node: ast.AST, is_and: bool,
                      left_val: Val | None = None) -> SSAValue:
        """`acc and operand` / `acc or operand`; `left_val` continues a chained comparison."""
        word = "and" if is_and else "or"
        run, skip = Block(), Block()
        with self.at(run):
            if left_val is not None:
                rest = operand
                assert isinstance(rest, ast.Compare)
                right = self.scalar(rest.comparators[0])
                v = self.compare_vals(rest.ops[0], left_val, right, rest)
                if len(rest.ops) > 1:
                    tail = ast.Compare(left=rest.comparators[0], ops=rest.ops[1:],
                                       comparators=rest.comparators[1:])
                    ast.copy_location(tail, rest)
                    c = self.short_circuit(self.as_bool(v, rest), tail, rest, True, right)
                else:
                    c = self.as_bool(v, rest)
            else:
                c = self.cond(operand, f"operand of `{word}`")
            if run.first_op is None:
                # the other side is a name or a literal: nothing to guard, plain logic is enough
                return self.value((arith.AndIOp if is_and else arith.OrIOp)(acc, c), node)
            self.emit(scf.YieldOp(c), node)
        with self.at(skip):
            self.emit(scf.YieldOp(self.const(not is_and, BOOL, node)), node)
        then, other = (run, skip) if is_and else (skip, run)
        return self.value(scf.IfOp(acc, [IntegerType(1)], Region(then), Region(other)), node)

    def expr_IfExp(self, node: ast.IfExp) -> Val:
        c = self.cond(node.test, "condition of the conditional expression")
        then, other = Block(), Block()
        with self.at(then):
            a = self.scalar(node.body)
        with self.at(other):
            b = self.scalar(node.orelse)
        t = self.operand_type(a, b, node)
        if not then.ops and not other.ops:
            # both sides are names or literals: nothing to guard, a select is enough
            x, y = self.coerce(a, t, node), self.coerce(b, t, node)
            return Val(t, self.value(arith.SelectOp(c, x, y), node))
        with self.at(then):
            self.emit(scf.YieldOp(self.coerce(a, t, node.body)), node.body)
        with self.at(other):
            self.emit(scf.YieldOp(self.coerce(b, t, node.orelse)), node.orelse)
        return Val(t, self.value(scf.IfOp(c, [t.ir()], Region(then), Region(other)), node))

