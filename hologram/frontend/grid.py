"""Grid inference (DESIGN §1): the launch grid read off a kernel's guard.

The first statement after `idx = get_global_id()` (at the top of the body) decides:
`if idx < E:` wrapping the rest of the body, or `if idx >= E: return`, where `E` is an
expression of scalar parameters and integer constants (`n`, `m * n`, `end - start`). The grid is
`E` as written (normalized by `ast.unparse`); anything else means no grid.
"""

from __future__ import annotations

import ast

_BOUND_OPS = (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv)


def _is_bound(e: ast.expr, scalars: set[str]) -> bool:
    if isinstance(e, ast.Name):
        return e.id in scalars
    if isinstance(e, ast.Constant):
        return isinstance(e.value, int) and not isinstance(e.value, bool)
    if isinstance(e, ast.BinOp) and isinstance(e.op, _BOUND_OPS):
        return _is_bound(e.left, scalars) and _is_bound(e.right, scalars)
    return False


def _compare(test: ast.expr, var: str) -> tuple[str, ast.expr] | None:
    """`var OP E` or `E OP' var`, as ("<" | ">=", E)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    left, op, right = test.left, test.ops[0], test.comparators[0]
    if isinstance(left, ast.Name) and left.id == var:
        if isinstance(op, ast.Lt):
            return "<", right
        if isinstance(op, ast.GtE):
            return ">=", right
    if isinstance(right, ast.Name) and right.id == var:
        if isinstance(op, ast.Gt):
            return "<", left
        if isinstance(op, ast.LtE):
            return ">=", left
    return None


def _is_gid_def(s: ast.stmt) -> str | None:
    if (isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
            and isinstance(s.value, ast.Call) and isinstance(s.value.func, ast.Name)
            and s.value.func.id == "get_global_id" and not s.value.args):
        return s.targets[0].id
    return None


def infer_grid(body: list[ast.stmt], scalar_params: set[str]) -> str | None:
    for i, s in enumerate(body):
        var = _is_gid_def(s)
        if var is None:
            continue
        if i + 1 >= len(body) or not isinstance(body[i + 1], ast.If):
            return None
        guard = body[i + 1]
        assert isinstance(guard, ast.If)
        found = _compare(guard.test, var)
        if found is None or guard.orelse:
            return None
        op, bound = found
        wraps_rest = op == "<" and i + 2 == len(body)
        returns = (op == ">=" and len(guard.body) == 1 and isinstance(guard.body[0], ast.Return)
                   and guard.body[0].value is None)
        if (wraps_rest or returns) and _is_bound(bound, scalar_params):
            return ast.unparse(bound)
        return None
    return None
