"""C snippets for the arith dialect.

Integers are stored signed; wrapping ops go through the unsigned type, signed/unsigned ops cast
explicitly, and division-like ops call the `hg_*` helpers of the prelude (no C undefined
behaviour: x / 0 is 0 as in numpy, shifts past the width saturate).
"""

from __future__ import annotations

import math

from xdsl.dialects import arith
from xdsl.dialects.builtin import Float32Type, FloatAttr, IntegerAttr
from xdsl.ir import Attribute, Operation

from hologram.backends.c.emitter import CEmitter, ctype, emits, int_width, utype


# --- constants ----------------------------------------------------------------------------------
def float_literal(value: float, t: Attribute) -> str:
    """An exact C literal: hex floats, so nothing is lost in a decimal round trip."""
    suffix = "f" if isinstance(t, Float32Type) else ""
    cast = "(float)" if isinstance(t, Float32Type) else "(double)"
    if math.isnan(value):
        return f"{cast}NAN"
    if math.isinf(value):
        return f"{cast}INFINITY" if value > 0 else f"-{cast}INFINITY"
    return f"{value.hex()}{suffix}"


def int_literal(value: int, t: Attribute) -> str:
    width = int_width(t)
    if width == 1:
        return "true" if value & 1 else "false"
    value &= (1 << width) - 1
    if value >= 1 << (width - 1):
        value -= 1 << width
    if value == -(1 << (width - 1)):
        return f"INT{width}_MIN"
    return f"INT{width}_C({value})"


@emits(arith.ConstantOp)
def _constant(em: CEmitter, op: arith.ConstantOp) -> None:
    # Constants print inline, as literals at their uses, not as variables: a variable defined
    # outside an OpenMP loop reaches the outlined loop body as a shared variable, and the C
    # compiler then cannot count inner loops or keep their steps in registers.
    attr = op.value
    t = op.result.type
    if isinstance(attr, FloatAttr):
        literal = float_literal(attr.value.data, t)
    elif isinstance(attr, IntegerAttr):
        literal = int_literal(attr.value.data, t)
    else:
        raise em.error(op, f"arith.constant of {attr} is not supported by the C backend")
    em.alias(op.result, f"({literal})" if literal.startswith(("-", "(")) else literal)


# --- integer arithmetic ---------------------------------------------------------------------------
def _has_nsw(op: Operation) -> bool:
    flags = op.properties.get("overflowFlags")
    return isinstance(flags, arith.IntegerOverflowAttr) and (
        arith.IntegerOverflowFlag.NSW in flags.data
    )


def _wrapping(c_op: str):
    """Wrapping arithmetic through unsigned casts: no undefined behaviour, whatever the flags.

    An op marked `overflow<nsw>` promises, as in MLIR, that the signed result does not wrap
    (passes set it only where they proved it, e.g. `fold-layout`'s tiled nests); it prints as
    plain signed C, which lets the C compiler see that an index grows by one per iteration and
    vectorize the loop.
    """

    def snippet(em: CEmitter, op: Operation) -> None:
        r = op.results[0]
        lhs, rhs = op.operands
        if ctype(r.type) == "bool":
            em.declare(r, f"(bool)(((unsigned){em.name(lhs)} {c_op} (unsigned){em.name(rhs)}) & 1u)")
            return
        if _has_nsw(op):
            em.declare(r, f"{em.name(lhs)} {c_op} {em.name(rhs)}")
            return
        em.declare(r, f"({ctype(r.type)})({em.u(lhs)} {c_op} {em.u(rhs)})")

    return snippet


emits(arith.AddiOp)(_wrapping("+"))
emits(arith.SubiOp)(_wrapping("-"))
emits(arith.MuliOp)(_wrapping("*"))


def _bitwise(c_op: str):
    def snippet(em: CEmitter, op: Operation) -> None:
        r = op.results[0]
        lhs, rhs = op.operands
        em.declare(r, f"({ctype(r.type)})({em.name(lhs)} {c_op} {em.name(rhs)})")

    return snippet


emits(arith.AndIOp)(_bitwise("&"))
emits(arith.OrIOp)(_bitwise("|"))
emits(arith.XOrIOp)(_bitwise("^"))


def _helper(helper: str):
    """Ops implemented by a prelude helper `hg_<helper><width>(a, b)`."""

    def snippet(em: CEmitter, op: Operation) -> None:
        r = op.results[0]
        lhs, rhs = op.operands
        width = int_width(r.type)
        if width not in (32, 64):
            # i8/i16 widen to 32 bits; the result is cast back (same value for these ops).
            t = ctype(r.type)
            if t == "bool":
                raise em.error(op, f"{op.name} on i1 is not supported by the C backend")
            em.declare(r, f"({t})hg_{helper}32((int32_t){em.name(lhs)}, (int32_t){em.name(rhs)})")
            return
        em.declare(r, f"hg_{helper}{width}({em.name(lhs)}, {em.name(rhs)})")

    return snippet


for _op, _helper_name in [
    (arith.DivSIOp, "divsi"), (arith.DivUIOp, "divui"), (arith.RemSIOp, "remsi"),
    (arith.RemUIOp, "remui"), (arith.FloorDivSIOp, "floordivsi"), (arith.CeilDivSIOp, "ceildivsi"),
    (arith.CeilDivUIOp, "ceildivui"), (arith.ShLIOp, "shli"), (arith.ShRUIOp, "shrui"),
    (arith.ShRSIOp, "shrsi"),
]:
    emits(_op)(_helper(_helper_name))


def _minmax(c_cmp: str, unsigned: bool):
    def snippet(em: CEmitter, op: Operation) -> None:
        r = op.results[0]
        lhs, rhs = op.operands
        a, b = (em.u(lhs), em.u(rhs)) if unsigned else (em.name(lhs), em.name(rhs))
        em.declare(r, f"{a} {c_cmp} {b} ? {em.name(lhs)} : {em.name(rhs)}")

    return snippet


emits(arith.MinSIOp)(_minmax("<", False))
emits(arith.MaxSIOp)(_minmax(">", False))
emits(arith.MinUIOp)(_minmax("<", True))
emits(arith.MaxUIOp)(_minmax(">", True))

_CMPI = {
    "eq": ("==", False), "ne": ("!=", False), "slt": ("<", False), "sle": ("<=", False),
    "sgt": (">", False), "sge": (">=", False), "ult": ("<", True), "ule": ("<=", True),
    "ugt": (">", True), "uge": (">=", True),
}


@emits(arith.CmpiOp)
def _cmpi(em: CEmitter, op: arith.CmpiOp) -> None:
    pred = arith.CMPI_COMPARISON_OPERATIONS[op.predicate.value.data]
    c_op, unsigned = _CMPI[pred]
    if unsigned:
        a, b = em.u(op.lhs), em.u(op.rhs)
    else:
        a, b = em.name(op.lhs), em.name(op.rhs)
    em.declare(op.result, f"{a} {c_op} {b}")


@emits(arith.SelectOp)
def _select(em: CEmitter, op: arith.SelectOp) -> None:
    em.declare(op.result, f"{em.name(op.cond)} ? {em.name(op.lhs)} : {em.name(op.rhs)}")


# --- integer casts ------------------------------------------------------------------------------
@emits(arith.IndexCastOp)
def _index_cast(em: CEmitter, op: arith.IndexCastOp) -> None:
    # index -> iN truncates; iN -> index sign-extends (index_cast is the signed cast).
    src, dst = op.input.type, op.result.type
    if ctype(src) == "bool":
        em.declare(op.result, f"{em.name(op.input)} ? -1 : 0")
    elif ctype(dst) == "bool":
        em.declare(op.result, f"(bool)({em.name(op.input)} & 1)")
    elif int_width(dst) < int_width(src):
        em.declare(op.result, f"({ctype(dst)})({utype(dst)}){em.name(op.input)}")
    else:
        em.declare(op.result, f"({ctype(dst)}){em.name(op.input)}")


@emits(arith.ExtSIOp)
def _extsi(em: CEmitter, op: arith.ExtSIOp) -> None:
    if ctype(op.input.type) == "bool":
        em.declare(op.result, f"{em.name(op.input)} ? -1 : 0")
    else:
        em.declare(op.result, f"({ctype(op.result.type)}){em.name(op.input)}")


@emits(arith.ExtUIOp)
def _extui(em: CEmitter, op: arith.ExtUIOp) -> None:
    em.declare(op.result, f"({ctype(op.result.type)}){em.u(op.input)}")


@emits(arith.TruncIOp)
def _trunci(em: CEmitter, op: arith.TruncIOp) -> None:
    dst = op.result.type
    if ctype(dst) == "bool":
        em.declare(op.result, f"(bool)({em.name(op.input)} & 1)")
    else:
        em.declare(op.result, f"({ctype(dst)})({utype(dst)}){em.name(op.input)}")


# --- int <-> float ------------------------------------------------------------------------------
@emits(arith.SIToFPOp)
def _sitofp(em: CEmitter, op: arith.SIToFPOp) -> None:
    src = em.name(op.input)
    if ctype(op.input.type) == "bool":
        src = f"({src} ? -1 : 0)"
    em.declare(op.result, f"({ctype(op.result.type)}){src}")


@emits(arith.UIToFPOp)
def _uitofp(em: CEmitter, op: arith.UIToFPOp) -> None:
    em.declare(op.result, f"({ctype(op.result.type)}){em.u(op.input)}")


def _fp_to_int(kind: str):
    def snippet(em: CEmitter, op: Operation) -> None:
        r = op.results[0]
        (src,) = op.operands
        width = int_width(r.type)
        t = ctype(r.type)
        if t == "bool":
            em.declare(r, f"(bool)((int64_t){em.name(src)} & 1)")
            return
        helper_width = 64 if width == 64 else 32
        em.declare(r, f"({t})hg_{kind}{helper_width}_f64((double){em.name(src)})")

    return snippet


emits(arith.FPToSIOp)(_fp_to_int("fptosi"))
emits(arith.FPToUIOp)(_fp_to_int("fptoui"))


@emits(arith.ExtFOp, arith.TruncFOp)
def _fcast(em: CEmitter, op: Operation) -> None:
    r = op.results[0]
    em.declare(r, f"({ctype(r.type)}){em.name(op.operands[0])}")


@emits(arith.BitcastOp)
def _bitcast(em: CEmitter, op: arith.BitcastOp) -> None:
    # memcpy, not a union: gcc turns it into a register move that vectorizes (a union member
    # access keeps a lane loop scalar).
    src, dst = op.input.type, op.result.type
    tmp = em.fresh("bits")
    em.line(f"{ctype(src)} {tmp}_in = {em.name(op.input)};")
    em.line(f"{ctype(dst)} {tmp};")
    em.line(f"memcpy(&{tmp}, &{tmp}_in, sizeof {tmp});")
    em.declare(op.result, tmp)


# --- floats ---------------------------------------------------------------------------------------
def _fbinary(c_op: str):
    def snippet(em: CEmitter, op: Operation) -> None:
        r = op.results[0]
        lhs, rhs = op.operands
        em.declare(r, f"{em.name(lhs)} {c_op} {em.name(rhs)}")

    return snippet


emits(arith.AddfOp)(_fbinary("+"))
emits(arith.SubfOp)(_fbinary("-"))
emits(arith.MulfOp)(_fbinary("*"))
emits(arith.DivfOp)(_fbinary("/"))


@emits(arith.NegfOp)
def _negf(em: CEmitter, op: arith.NegfOp) -> None:
    em.declare(op.result, f"-{em.name(op.operand)}")


def _suffix(t: Attribute) -> str:
    return "f32" if isinstance(t, Float32Type) else "f64"


@emits(arith.MinimumfOp, arith.MaximumfOp)
def _minmaximumf(em: CEmitter, op: Operation) -> None:
    r = op.results[0]
    which = "minimumf" if isinstance(op, arith.MinimumfOp) else "maximumf"
    lhs, rhs = op.operands
    em.declare(r, f"hg_{which}_{_suffix(r.type)}({em.name(lhs)}, {em.name(rhs)})")


@emits(arith.MinnumfOp, arith.MaxnumfOp)
def _minmaxnumf(em: CEmitter, op: Operation) -> None:
    r = op.results[0]
    base = "fmin" if isinstance(op, arith.MinnumfOp) else "fmax"
    lhs, rhs = op.operands
    em.declare(r, em.call_libm(base, r.type, em.name(lhs), em.name(rhs)))


def _cmpf_expr(pred: str, a: str, b: str) -> str:
    # Ordered predicates are false on NaN, unordered ones true: C's <, <=, ==... are ordered,
    # `!=` is unordered; the others are negations.
    return {
        "false": "false",
        "oeq": f"{a} == {b}",
        "ogt": f"{a} > {b}",
        "oge": f"{a} >= {b}",
        "olt": f"{a} < {b}",
        "ole": f"{a} <= {b}",
        "one": f"({a} < {b} || {a} > {b})",
        "ord": f"({a} == {a} && {b} == {b})",
        "ueq": f"!({a} < {b} || {a} > {b})",
        "ugt": f"!({a} <= {b})",
        "uge": f"!({a} < {b})",
        "ult": f"!({a} >= {b})",
        "ule": f"!({a} > {b})",
        "une": f"{a} != {b}",
        "uno": f"({a} != {a} || {b} != {b})",
        "true": "true",
    }[pred]


@emits(arith.CmpfOp)
def _cmpf(em: CEmitter, op: arith.CmpfOp) -> None:
    pred = arith.CMPF_COMPARISON_OPERATIONS[op.predicate.value.data]
    em.declare(op.result, _cmpf_expr(pred, em.name(op.lhs), em.name(op.rhs)))

