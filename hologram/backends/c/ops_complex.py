"""C snippets for complex values: the `complex` dialect and `hologram.cmath`.

`complex<f32>` is C99's `float _Complex`, `complex<f64>` `double _Complex`. Arithmetic is C's
own `+ - * /` (Annex G: `*` and `/` go through libgcc's __mulsc3/__divsc3, which recover
infinities that the textbook formulas turn into NaN; no -fcx-limited-range), the functions are
<complex.h>'s (`cexpf`, `casinf`...; glibc follows Annex G's special values), and those C99
lacks (expm1, log1p, log2, log10, sign) are the `hg_c*` helpers of the prelude.
"""

from __future__ import annotations

from xdsl.dialects import complex as cplx
from xdsl.dialects.builtin import ComplexType, Float32Type, FloatAttr
from xdsl.ir import Operation

from hologram.backends.c.emitter import CEmitter, emits
from hologram.backends.c.ops_arith import _fbinary, float_literal
from hologram.dialects.hologram import ComplexMathOp


def _suffix(t) -> str:
    """`f` for complex<f32> (cexpf), nothing for complex<f64> (cexp)."""
    if isinstance(t, ComplexType):
        t = t.element_type
    return "f" if isinstance(t, Float32Type) else ""


def _create(t) -> str:
    return "CMPLXF" if _suffix(t) else "CMPLX"


# C's own operators on _Complex values (Annex G's * and / through __mulsc3/__divsc3), printed
# as the float ones are.
emits(cplx.AddOp)(_fbinary("+"))
emits(cplx.SubOp)(_fbinary("-"))
emits(cplx.MulOp)(_fbinary("*"))
emits(cplx.DivOp)(_fbinary("/"))
emits(cplx.EqualOp)(_fbinary("=="))
emits(cplx.NotEqualOp)(_fbinary("!="))


# op -> C function, `f` appended for complex<f32>.
_UNARY = {
    cplx.ExpOp: "cexp", cplx.LogOp: "clog", cplx.SqrtOp: "csqrt", cplx.SinOp: "csin",
    cplx.CosOp: "ccos", cplx.TanOp: "ctan", cplx.TanhOp: "ctanh", cplx.ConjOp: "conj",
    cplx.AbsOp: "cabs", cplx.AngleOp: "carg", cplx.ReOp: "creal", cplx.ImOp: "cimag",
    cplx.Expm1Op: "hg_cexpm1", cplx.Log1pOp: "hg_clog1p", cplx.SignOp: "hg_csign",
}
_HOLOGRAM_CMATH = {
    "sinh": "csinh", "cosh": "ccosh", "asin": "casin", "acos": "cacos", "atan": "catan",
    "asinh": "casinh", "acosh": "cacosh", "atanh": "catanh", "log2": "hg_clog2",
    "log10": "hg_clog10",
}


def _unary(fn: str):
    def snippet(em: CEmitter, op: Operation) -> None:
        x = op.operands[0]
        em.declare(op.results[0], f"{fn}{_suffix(x.type)}({em.name(x)})")

    return snippet


for _op, _fn in _UNARY.items():
    emits(_op)(_unary(_fn))


@emits(ComplexMathOp)
def _cmath(em: CEmitter, op: ComplexMathOp) -> None:
    fn = _HOLOGRAM_CMATH[op.fn.data]
    em.declare(op.result, f"{fn}{_suffix(op.operand.type)}({em.name(op.operand)})")


@emits(cplx.NegOp)
def _neg(em: CEmitter, op: cplx.NegOp) -> None:
    em.declare(op.result, f"-{em.name(op.complex)}")


@emits(cplx.RsqrtOp)
def _rsqrt(em: CEmitter, op: cplx.RsqrtOp) -> None:
    f = _suffix(op.complex.type)
    em.declare(op.result, f"1 / csqrt{f}({em.name(op.complex)})")


@emits(cplx.PowOp)
def _pow(em: CEmitter, op: cplx.PowOp) -> None:
    f = _suffix(op.lhs.type)
    em.declare(op.result, f"cpow{f}({em.name(op.lhs)}, {em.name(op.rhs)})")


@emits(cplx.CreateOp)
def _create_op(em: CEmitter, op: cplx.CreateOp) -> None:
    t = op.complex.type
    em.declare(op.complex, f"{_create(t)}({em.name(op.real)}, {em.name(op.imaginary)})")


@emits(cplx.ConstantOp)
def _constant(em: CEmitter, op: cplx.ConstantOp) -> None:
    t = op.complex.type
    assert isinstance(t, ComplexType)
    parts = op.value.data
    if not all(isinstance(p, FloatAttr) for p in parts):
        raise em.error(op, f"complex.constant of {t} is not supported by the C backend")
    re, im = (float_literal(p.value.data, t.element_type) for p in parts)
    em.alias(op.complex, f"{_create(t)}({re}, {im})")
