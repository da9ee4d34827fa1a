"""C snippets for the math dialect: f32 through libm's `f` functions (expf, tanhf, erff...).

The libm names used are collected so the prelude declares them `omp declare simd`, which lets
gcc call libmvec's vector variants inside simd loops without -ffast-math.
"""

from __future__ import annotations

from xdsl.dialects import math
from xdsl.dialects.builtin import Float32Type
from xdsl.ir import Operation

from hologram.backends.c.emitter import CEmitter, ctype, emits, int_width

# op class -> libm base name (double spelling; `f` is appended for f32).
_UNARY_LIBM = {
    math.AbsFOp: "fabs", math.CeilOp: "ceil", math.FloorOp: "floor", math.RoundOp: "round",
    math.RoundEvenOp: "rint",  # round-half-even under the default rounding mode
    math.TruncOp: "trunc", math.ExpOp: "exp", math.Exp2Op: "exp2", math.ExpM1Op: "expm1",
    math.LogOp: "log", math.Log2Op: "log2", math.Log10Op: "log10", math.Log1pOp: "log1p",
    math.SinOp: "sin", math.CosOp: "cos", math.TanOp: "tan", math.SinhOp: "sinh",
    math.CoshOp: "cosh", math.TanhOp: "tanh", math.AsinOp: "asin", math.AcosOp: "acos",
    math.AtanOp: "atan", math.AsinhOp: "asinh", math.AcoshOp: "acosh", math.AtanhOp: "atanh",
    math.SqrtOp: "sqrt", math.CbrtOp: "cbrt", math.ErfOp: "erf",
}
_BINARY_LIBM = {math.PowFOp: "pow", math.Atan2Op: "atan2", math.CopySignOp: "copysign"}


def _unary(base: str):
    def snippet(em: CEmitter, op: Operation) -> None:
        r = op.results[0]
        em.declare(r, em.call_libm(base, r.type, em.name(op.operands[0])))

    return snippet


def _binary(base: str):
    def snippet(em: CEmitter, op: Operation) -> None:
        r = op.results[0]
        a, b = op.operands
        em.declare(r, em.call_libm(base, r.type, em.name(a), em.name(b)))

    return snippet


for _op, _base in _UNARY_LIBM.items():
    emits(_op)(_unary(_base))
for _op, _base in _BINARY_LIBM.items():
    emits(_op)(_binary(_base))


@emits(math.RsqrtOp)
def _rsqrt(em: CEmitter, op: math.RsqrtOp) -> None:
    one = "1.0f" if isinstance(op.result.type, Float32Type) else "1.0"
    em.declare(op.result, f"{one} / {em.call_libm('sqrt', op.result.type, em.name(op.operand))}")


@emits(math.FmaOp)
def _fma(em: CEmitter, op: math.FmaOp) -> None:
    r = op.results[0]
    em.declare(r, em.call_libm("fma", r.type, em.name(op.a), em.name(op.b), em.name(op.c)))


@emits(math.FPowIOp)
def _fpowi(em: CEmitter, op: math.FPowIOp) -> None:
    t = op.result.type
    power = f"({ctype(t)}){em.name(op.rhs)}"
    em.declare(op.result, em.call_libm("pow", t, em.name(op.lhs), power))


@emits(math.IPowIOp)
def _ipowi(em: CEmitter, op: math.IPowIOp) -> None:
    r = op.results[0]
    width = 64 if int_width(r.type) == 64 else 32
    lhs, rhs = op.operands
    em.declare(r, f"({ctype(r.type)})hg_ipowi{width}({em.name(lhs)}, {em.name(rhs)})")


@emits(math.AbsIOp)
def _absi(em: CEmitter, op: math.AbsIOp) -> None:
    r = op.results[0]
    x = em.name(op.operands[0])
    em.declare(r, f"{x} < 0 ? ({ctype(r.type)})(0 - {em.u(op.operands[0])}) : {x}")


@emits(math.CtPopOp, math.CountLeadingZerosOp, math.CountTrailingZerosOp)
def _bitcount(em: CEmitter, op: Operation) -> None:
    r = op.results[0]
    width = int_width(r.type)
    x = em.u(op.operands[0])
    suffix = "ll" if width == 64 else ""
    if isinstance(op, math.CtPopOp):
        em.declare(r, f"({ctype(r.type)})__builtin_popcount{suffix}({x})")
        return
    builtin = "clz" if isinstance(op, math.CountLeadingZerosOp) else "ctz"
    if width < 32:
        raise em.error(op, f"{op.name} on i{width} is not supported by the C backend")
    em.declare(r, f"{x} == 0 ? {width} : ({ctype(r.type)})__builtin_{builtin}{suffix}({x})")
