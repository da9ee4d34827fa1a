"""Locals: which can be SSA values, and the bindings of names while lowering a function.

A local assigned exactly once, whose assignment dominates every use, is an SSA value; any other
(reassigned, augmented, used where its assignment may not have run) lives in a rank-0
`memref.alloca` slot (docs/ir.md).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from xdsl.ir import SSAValue

from hologram.frontend.types import Array, Scalar

# A position in the AST: (id of a statement list, index in it). A definition at (L, i)
# dominates every statement of L after i and everything nested in them.
Pos = tuple[int, int]


@dataclass
class _Uses:
    defs: list[Pos] = field(default_factory=list)
    uses: list[list[Pos]] = field(default_factory=list)  # the enclosing positions of each use
    augmented: bool = False


class _Collector:
    def __init__(self) -> None:
        self.names: dict[str, _Uses] = {}

    def info(self, name: str) -> _Uses:
        return self.names.setdefault(name, _Uses())

    def uses_in(self, node: ast.AST | None, chain: list[Pos]) -> None:
        if node is None:
            return
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                self.info(sub.id).uses.append(chain)

    def target(self, t: ast.expr, pos: Pos, chain: list[Pos]) -> None:
        if isinstance(t, ast.Name):
            self.info(t.id).defs.append(pos)
        elif isinstance(t, ast.Subscript):
            self.uses_in(t, chain)
        elif isinstance(t, ast.Tuple | ast.List):
            for elt in t.elts:
                self.target(elt, pos, chain)

    def block(self, stmts: list[ast.stmt], chain: list[Pos]) -> None:
        for i, s in enumerate(stmts):
            here = chain + [(id(stmts), i)]
            pos = (id(stmts), i)
            if isinstance(s, ast.Assign):
                self.uses_in(s.value, here)
                for t in s.targets:
                    self.target(t, pos, here)
            elif isinstance(s, ast.AnnAssign):
                self.uses_in(s.value, here)
                self.target(s.target, pos, here)
            elif isinstance(s, ast.AugAssign):
                self.uses_in(s.value, here)
                if isinstance(s.target, ast.Name):
                    info = self.info(s.target.id)
                    info.defs.append(pos)
                    info.augmented = True
                    info.uses.append(here)
                else:
                    self.uses_in(s.target, here)
            elif isinstance(s, ast.For):
                self.uses_in(s.iter, here)
                self.target(s.target, (id(s.body), -1), here)
                self.block(s.body, here)
                self.block(s.orelse, here)
            elif isinstance(s, ast.While):
                self.uses_in(s.test, here)
                self.block(s.body, here)
                self.block(s.orelse, here)
            elif isinstance(s, ast.If):
                self.uses_in(s.test, here)
                self.block(s.body, here)
                self.block(s.orelse, here)
            else:
                self.uses_in(s, here)


def ssa_locals(body: list[ast.stmt], params: list[str]) -> set[str]:
    """Names (parameters included) that can be bound to one SSA value for the whole body."""
    c = _Collector()
    for p in params:
        c.info(p).defs.append((id(body), -1))
    c.block(body, [])
    ssa = set()
    for name, info in c.names.items():
        if len(info.defs) != 1 or info.augmented:
            continue
        lst, idx = info.defs[0]
        if all(any(l == lst and i > idx for l, i in chain) for chain in info.uses):
            ssa.add(name)
    return ssa


@dataclass
class Binding:
    """What a name means in a function body: an array parameter, an SSA value, or a slot."""

    type: Scalar | Array
    value: SSAValue  # the SSA value, the memref of an array, or the rank-0 slot
    is_slot: bool = False
    line: int = 0  # where its type was fixed, for messages


@dataclass
class Scope:
    ssa_names: set[str]
    names: dict[str, Binding] = field(default_factory=dict)

    def lookup(self, name: str) -> Binding | None:
        return self.names.get(name)
