"""Helper functions: inlined at each call, in a frame of their own (their own locals)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from xdsl.dialects import memref
from xdsl.ir import SSAValue

from hologram.frontend.base import Val, always_exits, check_decorators, strip_docstring
from hologram.frontend.types import Array, Scalar, annotation_type


RESULT = "<result>"  # the key of a helper's result among its locals' inferred types


@dataclass
class Helper:
    """An inlining in progress: where a `return v` leaves its value."""

    name: str
    slot: SSAValue | None = None
    type: Scalar | None = None
    returns_value: bool = False


class InlineMixin:
    def inline_call(self, name: str, node: ast.Call) -> Val | None:
        fn = self.module.functions[name]
        caller = self.frame
        assert caller is not None
        if name in caller.calls:
            chain = " -> ".join([*caller.calls, name])
            raise self.error(node, f"recursive call of helper `{name}` ({chain}): recursion is "
                             "not supported", "rewrite it as a loop")
        check_decorators(fn, self.src)
        params = self.helper_params(fn)
        if len(node.args) != len(params):
            raise self.error(node, f"helper `{name}` takes {len(params)} arguments, got "
                             f"{len(node.args)}")
        args = [self.expr(a) for a in node.args]
        body = strip_docstring(fn.body)
        helper = Helper(name)
        frame = self.new_frame(body, [p for p, _ in params], helper, [*caller.calls, name],
                               key=caller.key + (id(node),))
        bound = []
        for (pname, ann), v, a in zip(params, args, node.args, strict=True):
            if isinstance(v.type, Array):
                if ann is not None and ann != v.type:
                    raise self.error(a, f"helper `{name}` expects a {ann} for `{pname}`, got a "
                                     f"{v.type}")
                bound.append((pname, v.type, v.ssa, a))
                continue
            if ann is None:
                v = self.typed(v, a)
                bound.append((pname, v.type, v.ssa, a))
            elif isinstance(ann, Array):
                raise self.error(a, f"helper `{name}` expects a DeviceArray for `{pname}`")
            else:
                # An annotation is the parameter's type: the argument converts to it, as an
                # assignment to an annotated local does.
                bound.append((pname, ann, self.value_for(v, ann, a), a))
        self.frame = frame
        try:
            for pname, t, value, a in bound:
                self.bind_param(pname, t, value, a)
            returns = [n for s in body for n in ast.walk(s) if isinstance(n, ast.Return)]
            if len(returns) == 1 and body[-1] is returns[0]:
                # one return, at the end: its value is the call's value, no slot needed
                self.block_stmts(body[:-1], set())
                ret = returns[0]
                return self.scalar(ret.value) if ret.value is not None else None
            self.block_stmts(body, {"return"})
            if helper.returns_value and not always_exits(body):
                raise self.error(fn, f"helper `{name}` does not return a value on every path")
            if helper.slot is None:
                return None
            load = memref.LoadOp.get(helper.slot, [])
            return Val(helper.type, self.value(load, node))
        finally:
            self.frame = caller

    def helper_params(self, fn: ast.FunctionDef) -> list[tuple[str, Scalar | Array | None]]:
        a = fn.args
        if a.vararg or a.kwarg:
            bad = a.vararg or a.kwarg
            raise self.error(bad, f"helper `{fn.name}`: `*args`/`**kwargs` parameters are not "
                             "supported")
        if a.kwonlyargs or a.posonlyargs or a.defaults:
            raise self.error(fn, f"helper `{fn.name}`: only plain positional parameters are "
                             "supported (no defaults, keyword-only or positional-only markers)")
        out = []
        for p in a.args:
            t = annotation_type(p.annotation) if p.annotation is not None else None
            if p.annotation is not None and t is None:
                raise self.error(p.annotation, f"unknown type `{ast.unparse(p.annotation)}` for "
                                 f"parameter `{p.arg}` of helper `{fn.name}`")
            out.append((p.arg, t))
        return out

    def helper_return(self, s: ast.Return, in_tail: bool) -> None:
        helper = self.frame.helper
        assert helper is not None
        if not in_tail:
            where = "inside a loop" if self.frame.loops else "here"
            raise self.error(s, f"`return` {where} in helper `{helper.name}` is not supported: "
                             "a helper's returns must end its body or a branch at its end",
                             "store the result in a variable and return it at the end")
        if s.value is None:
            if helper.returns_value:
                raise self.error(s, f"helper `{helper.name}` returns a value elsewhere")
            return
        v = self.scalar(s.value)
        # The result's type is the join of every returned value (a local named by the return).
        t = self.record_assignment(RESULT, v, s.value, helper.type)
        if helper.slot is None:
            helper.type = t
            helper.slot = self.alloca(t, s, f"{helper.name}_result")
        helper.returns_value = True
        assert helper.type is not None
        self.emit(memref.StoreOp.get(self.value_for(v, helper.type, s.value), helper.slot, []), s)

