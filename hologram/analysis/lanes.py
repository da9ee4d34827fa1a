"""Index expressions as linear forms, and 2-D id decodes, for `vectorize-lanes`.

A *form* maps each variable to its coefficient: the thread id (`"id"`), a decode's row and
column (`"row"`, `"col"`), a loop's induction variable (the value itself), or `"1"` for the part
that is the same in every thread. A coefficient is a polynomial with integer coefficients over
*uniform leaves* (kernel parameters and values computed from them alone), so
`(i + a) * w + j + b` and `j + w * i + b + a * w` are the same form. As with the frontend's
subscripts (computed in i64, marked `nsw`), the forms look through widening casts and assume no
sum or product wraps.

A *decode* is how a kernel turns its 1-D id into 2-D coordinates: `i = idx // d` with
`j = idx % d` (Python's floor `%` on signed types is `remsi` plus a sign fix-up, which for a
non-negative id and `d > 0` is the remainder itself) or `j = idx - i * d`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from xdsl.dialects import arith
from xdsl.dialects.builtin import IndexType, IntegerAttr, i64
from xdsl.ir import Operation, SSAValue

Poly = dict[tuple[SSAValue, ...], int]
Form = dict[object, Poly]
ONE: Poly = {(): 1}

_CASTS = (arith.ExtUIOp, arith.ExtSIOp, arith.IndexCastOp, arith.TruncIOp)
_NE, _SLT = 1, 2  # arith.cmpi predicates


def strip(value: SSAValue) -> SSAValue:
    """`value` without the casts around it (the frontend widens subscript leaves)."""
    while isinstance(value.owner, _CASTS):
        value = value.owner.input
    return value


def _padd(p: Poly, q: Poly, k: int = 1) -> Poly:
    r = dict(p)
    for m, c in q.items():
        r[m] = r.get(m, 0) + k * c
        if r[m] == 0:
            del r[m]
    return r


def _pmul(p: Poly, q: Poly) -> Poly:
    r: Poly = {}
    for m1, c1 in p.items():
        for m2, c2 in q.items():
            m = tuple(sorted(m1 + m2, key=id))
            r[m] = r.get(m, 0) + c1 * c2
    return {m: c for m, c in r.items() if c}


def _fadd(a: Form, b: Form, k: int = 1) -> Form:
    r = dict(a)
    for var, p in b.items():
        s = _padd(r.get(var, {}), p, k)
        if s:
            r[var] = s
        else:
            r.pop(var, None)
    return r


def _fscale(a: Form, p: Poly) -> Form:
    r = {var: _pmul(q, p) for var, q in a.items()}
    return {var: q for var, q in r.items() if q}


@dataclass
class Forms:
    """Linear forms of integer values over `atoms` (value -> variable); `subst` rewrites a
    variable as a form (a decode's id: `row * d + col`); `uniform` says which values are the
    same in every thread."""

    atoms: dict[SSAValue, object]
    uniform: Callable[[SSAValue], bool]
    subst: dict[object, Form] = field(default_factory=dict)
    _memo: dict[SSAValue, Form | None] = field(default_factory=dict)

    def of(self, value: SSAValue) -> Form | None:
        if value not in self._memo:
            self._memo[value] = self._form(value)
        return self._memo[value]

    def _form(self, value: SSAValue) -> Form | None:
        if value in self.atoms:
            var = self.atoms[value]
            return self.subst.get(var, {var: ONE})
        op = value.owner
        if isinstance(op, _CASTS):
            return self.of(op.input)
        if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
            c = op.value.value.data
            return {"1": {(): c}} if c else {}
        if isinstance(op, arith.AddiOp | arith.SubiOp):
            a, b = self.of(op.lhs), self.of(op.rhs)
            if a is None or b is None:
                return None
            return _fadd(a, b, 1 if isinstance(op, arith.AddiOp) else -1)
        if isinstance(op, arith.MuliOp):
            a, b = self.of(op.lhs), self.of(op.rhs)
            if a is None or b is None:
                return None
            if set(a) <= {"1"}:
                return _fscale(b, a.get("1", {}))
            if set(b) <= {"1"}:
                return _fscale(a, b.get("1", {}))
            return None
        if self.uniform(value):
            return {"1": {(strip(value),): 1}}
        return None


def varying(form: Form) -> Form:
    """The form without its uniform part."""
    return {var: p for var, p in form.items() if var != "1"}


@dataclass
class Decode:
    """`rows` hold `id // divisor`, `cols` hold `id % divisor` (for divisor > 0)."""

    divisor: SSAValue  # as the first decode op saw it (a parameter or a cast of one)
    signed: bool
    rows: list[SSAValue]
    cols: list[SSAValue]
    ops: list[Operation]  # the ops whose results are rows or cols


def _is_floor_mod(sel: arith.SelectOp, rem: SSAValue, divisor: SSAValue) -> bool:
    """`select((r != 0) & ((r < 0) ^ (d < 0)), r + d, r)`: the frontend's floor `%`."""
    if sel.rhs is not rem:
        return False
    add = sel.lhs.owner
    if not isinstance(add, arith.AddiOp) or {strip(add.lhs), strip(add.rhs)} != {
            strip(rem), strip(divisor)}:
        return False
    cond = sel.cond.owner
    if not isinstance(cond, arith.AndIOp):
        return False

    def cmp(v: SSAValue, pred: int, lhs: SSAValue) -> bool:
        o = v.owner
        if not (isinstance(o, arith.CmpiOp) and o.predicate.value.data == pred
                and strip(o.lhs) is strip(lhs)):
            return False
        c = o.rhs.owner
        return isinstance(c, arith.ConstantOp) and isinstance(c.value, IntegerAttr) \
            and c.value.value.data == 0

    for ne, xor in ((cond.lhs, cond.rhs), (cond.rhs, cond.lhs)):
        x = xor.owner
        if cmp(ne, _NE, rem) and isinstance(x, arith.XOrIOp) and any(
                cmp(a, _SLT, rem) and cmp(b, _SLT, divisor)
                for a, b in ((x.lhs, x.rhs), (x.rhs, x.lhs))):
            return True
    return False


def _non_negative_id(value: SSAValue) -> bool:
    """The id reaches `value` through index casts and zero-extensions into 64 bits (so it is
    its non-negative value, as the frontend makes it for signed arithmetic)."""
    if not (isinstance(value.type, IndexType) or value.type == i64):
        return False
    while isinstance(value.owner, arith.ExtUIOp | arith.IndexCastOp):
        value = value.owner.input
    return not isinstance(value.owner, _CASTS)


def find_decode(ops: Iterable[Operation], is_id: Callable[[SSAValue], bool],
                uniform: Callable[[SSAValue], bool]) -> Decode | None:
    """The 2-D decode of the id among `ops` (one divisor; the one a `%` uses if any)."""
    groups: dict[tuple[SSAValue, bool], Decode] = {}
    order: list[tuple[SSAValue, bool]] = []
    ops = list(ops)
    for op in ops:
        kind = {arith.DivUIOp: ("row", False), arith.DivSIOp: ("row", True),
                arith.FloorDivSIOp: ("row", True), arith.RemUIOp: ("col", False),
                arith.RemSIOp: ("col", True)}.get(type(op))
        if kind is None or not is_id(op.lhs) or not uniform(op.rhs):
            continue
        if kind[1] and not _non_negative_id(op.lhs):
            continue  # a signed op of the id as i32: ids from 2**31 on would be negative
        key = (strip(op.rhs), kind[1])
        if key not in groups:
            groups[key] = Decode(op.rhs, kind[1], [], [], [])
            order.append(key)
        d = groups[key]
        (d.rows if kind[0] == "row" else d.cols).append(op.results[0])
        d.ops.append(op)
    for d in groups.values():
        for op in ops:
            if isinstance(op, arith.SelectOp) and d.signed and any(
                    _is_floor_mod(op, c, d.divisor) for c in d.cols):
                d.cols.append(op.result)
                d.ops.append(op)
    with_cols = [groups[k] for k in order if groups[k].cols]
    if with_cols:
        return with_cols[0]
    return groups[order[0]] if order else None


__all__ = ["Decode", "Form", "Forms", "ONE", "find_decode", "strip", "varying"]
