"""Type inference for locals: a local's type is the join of every value assigned to it.

The lowering runs over a kernel once with what it knows; every assignment (loops, branches and
helpers included) adds its value's type to the local's entry here. When an entry's join is wider
than the type the lowering gave the local, the kernel is lowered again with the wider types, until
nothing changes (a fixed point: types only widen, so this ends after a few rounds). Literals are
weak: `best = 0` then `best = i` (u32) gives a u32, because 0 fits; `x = -1` then `x = i` (u32)
gives an i64, the narrowest signed type that holds both.

    types = LocalTypes()
    entry = types.entry(key)        # key: (the inlining path, the local's name)
    entry.add_value(U32); entry.add_literal(0)
    entry.resolve()                 # U32
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hologram.frontend.base import Literal, default_type
from hologram.frontend.types import Scalar, TypeClash, join

# Rounds of re-lowering before giving up: each round widens at least one local, and the lattice
# (bool; i32 < i64; u32 < u64; u32 < i64; ints < f32 < f64) is at most four steps deep per local.
MAX_ROUNDS = 32


def literal_fits(value: Literal, t: Scalar) -> bool:
    """Whether a literal takes type `t` without changing meaning (`0` fits u32, `-1` does not,
    `0.5` fits no integer type, any int fits a float)."""
    if isinstance(value, bool) or t.is_bool:
        return isinstance(value, bool) and t.is_bool
    if isinstance(value, complex) or t.is_complex:
        return t.is_complex  # any number fits a complex type; a complex literal only those
    if isinstance(value, float):
        return t.is_float
    if t.is_float:
        return True
    lo, hi = t.int_range()
    return lo <= value <= hi


def join_literal(t: Scalar | None, value: Literal) -> Scalar:
    """`t` widened so it also holds the literal `value` (TypeClash for bool with numbers)."""
    if t is None:
        return default_type(value)
    if literal_fits(value, t):
        return t
    return join(t, default_type(value))


@dataclass
class LocalEntry:
    """What has been assigned to one local: typed values and weak literals."""

    declared: Scalar | None = None  # from an annotation `x: f64 = 0`: fixed
    typed: Scalar | None = None  # the join of the typed values
    literals: list[Literal] = field(default_factory=list)

    def add_value(self, t: Scalar) -> None:
        # Equal types need no join (join refuses bools: two bool values are still one kind).
        self.typed = t if self.typed is None or self.typed == t else join(self.typed, t)

    def add_literal(self, value: Literal) -> None:
        if not any(type(v) is type(value) and v == value for v in self.literals):
            self.literals.append(value)

    def resolve(self) -> Scalar | None:
        """The local's type: the declared one, or the join of everything assigned."""
        if self.declared is not None:
            return self.declared
        t = self.typed
        # Literals join after the typed values, so `0` adapts to a u32 that comes later.
        for value in self.literals:
            t = join_literal(t, value)
        return t


class LocalTypes:
    """The entries of every local of one kernel (helper locals per inlining), kept across the
    rounds of lowering."""

    def __init__(self) -> None:
        self.entries: dict[tuple, LocalEntry] = {}
        self.widened = False  # some local needs a wider type than this round gave it

    def entry(self, key: tuple) -> LocalEntry:
        return self.entries.setdefault(key, LocalEntry())

    def record(self, key: tuple, value_type: Scalar | None, literal: Literal | None,
               current: Scalar | None) -> Scalar:
        """Add an assignment to the local `key`; return its type as known now, and note when that
        is wider than `current`, the type this round lowers the local with."""
        e = self.entry(key)
        if literal is not None and value_type is None:
            e.add_literal(literal)
        else:
            assert value_type is not None
            e.add_value(value_type)
        t = e.resolve()
        assert t is not None
        if current is not None and t != current:
            self.widened = True
        return t


__all__ = ["LocalEntry", "LocalTypes", "MAX_ROUNDS", "TypeClash", "join_literal", "literal_fits"]
