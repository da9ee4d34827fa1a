"""The language's types and their IR types, and the typing rules for mixing them.

Scalars are `f32 f64 c64 c128 i32 u32 i64 u64 bool`; `DeviceArray[T]` is a 1-D buffer of a scalar
type. MLIR integers are signless, so a `Scalar` remembers the signedness the ops must carry.
Complex types are named by their total width, as numpy's (`c64` is two f32, IR `complex<f32>`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from xdsl.dialects.builtin import (DYNAMIC_INDEX, ComplexType, Float32Type, Float64Type,
                                   IntegerType, MemRefType)
from xdsl.ir import Attribute


@dataclass(frozen=True)
class Scalar:
    name: str  # the language's name: "f32", "u32", "bool"
    kind: str  # "float", "complex", "int" or "bool"
    width: int  # bits; a complex type's are both parts' (c64: 64)
    signed: bool

    @property
    def is_float(self) -> bool:
        return self.kind == "float"

    @property
    def is_complex(self) -> bool:
        return self.kind == "complex"

    @property
    def part(self) -> Scalar:
        """The float type of a complex type's real and imaginary parts (c64 -> f32)."""
        assert self.is_complex
        return F32 if self.width == 64 else F64

    @property
    def is_int(self) -> bool:
        return self.kind == "int"

    @property
    def is_bool(self) -> bool:
        return self.kind == "bool"

    def ir(self) -> Attribute:
        if self.kind == "float":
            return Float32Type() if self.width == 32 else Float64Type()
        if self.kind == "complex":
            return ComplexType(self.part.ir())
        return IntegerType(self.width)

    def int_range(self) -> tuple[int, int]:
        if self.signed:
            return -(1 << (self.width - 1)), (1 << (self.width - 1)) - 1
        return 0, (1 << self.width) - 1

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Array:
    elem: Scalar

    @property
    def name(self) -> str:
        return f"{self.elem.name}[]"

    def ir(self) -> Attribute:
        return MemRefType(self.elem.ir(), [DYNAMIC_INDEX])

    def __str__(self) -> str:
        return f"DeviceArray[{self.elem.name}]"


F32 = Scalar("f32", "float", 32, True)
F64 = Scalar("f64", "float", 64, True)
I32 = Scalar("i32", "int", 32, True)
U32 = Scalar("u32", "int", 32, False)
I64 = Scalar("i64", "int", 64, True)
U64 = Scalar("u64", "int", 64, False)
BOOL = Scalar("bool", "bool", 1, False)
C64 = Scalar("c64", "complex", 64, True)
C128 = Scalar("c128", "complex", 128, True)

# Names usable in annotations and as casts; `float`, `int`, `usize` are aliases.
SCALARS: dict[str, Scalar] = {
    "f32": F32, "f64": F64, "i32": I32, "u32": U32, "i64": I64, "u64": U64, "bool": BOOL,
    "float": F32, "int": I32, "usize": U64, "bool_": BOOL,
    # `complex` is c64 as `float` is f32 (DESIGN §1); numpy's names are aliases.
    "c64": C64, "c128": C128, "complex64": C64, "complex128": C128, "complex": C64,
}
INTS_BY_SIGN_WIDTH = {(True, 32): I32, (False, 32): U32, (True, 64): I64, (False, 64): U64}


class TypeClash(Exception):
    """Two types that do not mix; the message says why, `hint` says what to write instead."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


def join_ints(a: Scalar, b: Scalar) -> Scalar:
    """The type two integer operands are brought to before an operation.

    Same signedness: the wider type. Mixed: the narrowest signed type holding both
    (u32 with i32 or i64 -> i64). u64 with a signed type has no such type: an error.
    """
    if a.signed == b.signed:
        return a if a.width >= b.width else b
    unsigned, signed = (a, b) if not a.signed else (b, a)
    if unsigned.width >= 64:
        raise TypeClash(
            f"cannot mix {unsigned} and {signed}: no integer type holds both",
            "cast one operand, e.g. i64(x) or u64(y)",
        )
    return I64 if unsigned.width >= signed.width else signed


def complex_of(t: Scalar) -> Scalar:
    """The complex type a real value joins a complex one as: f64 -> c128, others -> c64."""
    if t.is_complex:
        return t
    return C128 if t.is_float and t.width == 64 else C64


def join(a: Scalar, b: Scalar) -> Scalar:
    """The common type of two arithmetic operands (complex wins, then floats; the wider wins).

    A real type with a complex one gives the complex type whose parts are the wider float, as
    numpy does: f32 with c64 is c64, f64 with c64 is c128, an integer with c64 is c64.
    """
    if a.is_bool or b.is_bool:
        raise TypeClash("bool values cannot be used in arithmetic", "cast with i32(b) first")
    if a.is_complex or b.is_complex:
        ca, cb = complex_of(a), complex_of(b)
        return ca if ca.width >= cb.width else cb
    if a.is_float or b.is_float:
        if a.is_float and b.is_float:
            return a if a.width >= b.width else b
        return a if a.is_float else b
    return join_ints(a, b)


# --- annotations ---------------------------------------------------------------------------
def _name_of(e: ast.expr) -> str | None:
    """`f32` or `hologram.lang.f32` -> "f32"."""
    if isinstance(e, ast.Name):
        return e.id
    if isinstance(e, ast.Attribute):
        return e.attr
    return None


def _string_annotation(ann: ast.expr) -> ast.expr:
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        try:
            return ast.parse(ann.value, mode="eval").body
        except SyntaxError:
            return ann
    return ann


def is_device_array(ann: ast.expr | None) -> bool:
    ann = _string_annotation(ann) if ann is not None else None
    return isinstance(ann, ast.Subscript) and _name_of(ann.value) == "DeviceArray"


def annotation_type(ann: ast.expr) -> Scalar | Array | None:
    """The language type an annotation names, or None."""
    ann = _string_annotation(ann)
    if is_device_array(ann):
        assert isinstance(ann, ast.Subscript)
        elem = SCALARS.get(_name_of(ann.slice) or "")
        return Array(elem) if elem is not None else None
    name = _name_of(ann)
    return SCALARS.get(name) if name is not None else None


def decorator_name(d: ast.expr) -> str | None:
    return _name_of(d.func) if isinstance(d, ast.Call) else _name_of(d)
