"""Input limits the frontend checks before lowering, so that no input reaches a Python limit.

* Nesting: the lowering, the IR printer and the C emitter recurse once per level of nesting
  (an expression inside an expression, a block inside a block, a helper call inlined inside
  another). A kernel nested deeper than `MAX_NESTING` levels, helpers included, is a located
  `CompileError` instead of a `RecursionError`. The depth is measured without recursion.
* Literal arithmetic: constant folding (`10**100000`, `1 << 100000`) is refused once an integer
  would exceed `MAX_LITERAL_BITS` bits, long before it could hang or exhaust memory.
* Names: parameter and local names become SSA name hints and C identifiers, which are ASCII;
  `ssa_hint` spells any other character as `u<hex>` (`λ` -> `u3bb`).
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable

# Levels of nesting (statements, expressions and inlined helper bodies together). A 100-term
# sum, 100 nested subscripts or 100 chained ternaries still compile, print and emit C with the
# interpreter's default recursion limit and a few hundred frames of caller above.
MAX_NESTING = 100
# Integers folded from literals; the language's widest type has 64 bits.
MAX_LITERAL_BITS = 4096


class NestingTooDeep(Exception):
    """Raised by `check_nesting` with the node where the limit is crossed (for locating)."""

    def __init__(self, node: ast.AST, depth: int, through: list[str]):
        self.node = node
        self.depth = depth
        self.through = through
        super().__init__(f"nested {depth} levels deep")


def _called_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id
    return None


def _depths(fn: ast.FunctionDef) -> list[tuple[ast.AST, int]]:
    """Every node of `fn` with its nesting depth (the def's body is depth 1), iteratively."""
    out: list[tuple[ast.AST, int]] = []
    todo: list[tuple[ast.AST, int]] = [(s, 1) for s in fn.body]
    while todo:
        node, depth = todo.pop()
        out.append((node, depth))
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr_context | ast.operator | ast.unaryop | ast.cmpop
                          | ast.boolop):
                continue
            todo.append((child, depth + 1))
    return out


def check_nesting(kernel: ast.FunctionDef, functions: dict[str, ast.FunctionDef],
                  limit: int = MAX_NESTING) -> None:
    """Raise NestingTooDeep when `kernel`, with the helpers it calls inlined, nests deeper
    than `limit`. Recursive helper calls are left to the inliner's own error."""
    # depth(f): the deepest nesting of f with its callees inlined; computed callees first, by an
    # explicit stack (a chain of 10,000 helpers must not recurse either).
    depth: dict[str, int] = {}
    worst: dict[str, tuple[ast.AST, list[str]]] = {}  # where f's depth is reached
    nodes: dict[str, list[tuple[ast.AST, int]]] = {}
    on_stack: set[str] = set()
    stack: list[str] = [kernel.name]
    while stack:
        name = stack[-1]
        fn = kernel if name == kernel.name else functions[name]
        if name not in nodes:
            nodes[name] = _depths(fn)
            on_stack.add(name)
        pending = [c for n, _ in nodes[name] if (c := _called_name(n)) in functions
                   and c != kernel.name and c not in depth and c not in on_stack]
        if pending:
            stack.append(pending[0])
            continue
        stack.pop()
        on_stack.discard(name)
        best, where, through = 0, fn, []
        for node, d in nodes[name]:
            callee = _called_name(node)
            total = d + depth.get(callee, 0) if callee is not None else d
            if total > best:
                best, where = total, node
                through = [callee, *worst[callee][1]] if callee in depth else []
        depth[name], worst[name] = best, (where, through)
        if name == kernel.name and best > limit:
            # Point at the first node (in the kernel itself) past the limit, or at the call
            # that leads there.
            for node, d in nodes[name]:
                if d > limit:
                    raise NestingTooDeep(node, best, [])
            raise NestingTooDeep(where, best, through)


# --- literal arithmetic -------------------------------------------------------------------------
_FOLDS: dict[type[ast.operator], Callable] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
    ast.BitXor: operator.xor, ast.LShift: operator.lshift, ast.RShift: operator.rshift,
}


class LiteralTooLarge(ValueError):
    """Folding two literals would make an integer of more than MAX_LITERAL_BITS bits."""


def _bits(x: object) -> int:
    return abs(x).bit_length() if isinstance(x, int) else 0


def fold_literals(op: type[ast.operator], a, b):
    """`a OP b` for two Python literals, as Python computes it, refusing (LiteralTooLarge) an
    integer result wider than MAX_LITERAL_BITS before computing it."""
    ints = isinstance(a, int) and isinstance(b, int)
    if ints and op is ast.Pow and b > 0 and abs(a) > 1 \
            and (_bits(a) - 1) * b > MAX_LITERAL_BITS:
        raise LiteralTooLarge(f"the result has more than {MAX_LITERAL_BITS} bits")
    if ints and op is ast.LShift and a != 0 and b > 0 and _bits(a) + b > MAX_LITERAL_BITS:
        raise LiteralTooLarge(f"the result has more than {MAX_LITERAL_BITS} bits")
    result = _FOLDS[op](a, b)
    if _bits(result) > MAX_LITERAL_BITS:
        raise LiteralTooLarge(f"the result has more than {MAX_LITERAL_BITS} bits")
    return result


def show_int(value: int) -> str:
    """An integer for a message: in full when short, else its magnitude (str() of a huge int
    raises ValueError)."""
    if _bits(value) <= 128:
        return str(value)
    return f"{'-' if value < 0 else ''}a {_bits(value)}-bit integer"


# --- names ----------------------------------------------------------------------------------------
_NOT_ASCII_NAME = re.compile(r"[^A-Za-z0-9_]")


def ssa_hint(name: str) -> str:
    """`name` as a valid ASCII SSA name hint: other characters become `u<hex>`."""
    out = _NOT_ASCII_NAME.sub(lambda m: f"u{ord(m.group()):x}", name)
    return out if out and not out[0].isdigit() else f"_{out}"
