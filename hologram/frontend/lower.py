"""Statements and functions: kernels, inlined helpers, locals, structured control flow.

Early exits are structured first: when a branch of an `if` always exits (`return`, `break`,
`continue`), the statements after the `if` move into the other branch, so the guard
`if idx >= n: return` becomes `scf.if (idx < n) { rest }`. An exit that ends the code of its
construct (a `return` at the end of the kernel, a `continue` at the end of a loop body) is
dropped as a no-op; the others become `hologram.exit/break/continue`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import IntegerAttr, IntegerType
from xdsl.ir import Block, Region, SSAValue

from hologram.dialects.hologram import BreakOp, ContinueOp, ExitOp, KernelOp, ReturnOp
from hologram.frontend.base import (EXITS, Builder, Literal, Source, Val, always_exits,
                                    default_type, lit, strip_docstring)
from hologram.frontend.calls import STATEMENT_CALLS, CallMixin
from hologram.frontend.expr import ExprMixin
from hologram.frontend.infer import LocalTypes, literal_fits
from hologram.frontend.inline import Helper, InlineMixin
from hologram.frontend.limits import ssa_hint
from hologram.frontend.scope import Binding, Scope, ssa_locals
from hologram.frontend.types import I64, SCALARS, Array, Scalar, TypeClash, join

_FLOAT_INVERSE = {"oeq": "une", "une": "oeq", "olt": "uge", "ole": "ugt", "ogt": "ule",
                  "oge": "ult", "uge": "olt", "ugt": "ole", "ule": "ogt", "ult": "oge",
                  "one": "ueq", "ueq": "one"}
_INT_INVERSE = {"eq": "ne", "ne": "eq", "slt": "sge", "sge": "slt", "sle": "sgt", "sgt": "sle",
                "ult": "uge", "uge": "ult", "ule": "ugt", "ugt": "ule"}

_REJECTED_STMT = {
    ast.With: ("`with` statements are not supported in kernels", None),
    ast.AsyncWith: ("`async with` is not supported in kernels", None),
    ast.Try: ("`try` statements are not supported in kernels", "kernels cannot raise"),
    ast.Raise: ("`raise` is not supported in kernels", "kernels cannot raise exceptions"),
    ast.Assert: ("`assert` is not supported in kernels", None),
    ast.Delete: ("`del` is not supported in kernels", None),
    ast.Global: ("`global` is not supported in kernels",
                 "pass the value as a kernel parameter"),
    ast.Nonlocal: ("`nonlocal` is not supported in kernels", None),
    ast.Import: ("`import` inside a kernel is not supported", "import at module level"),
    ast.ImportFrom: ("`import` inside a kernel is not supported", "import at module level"),
    ast.FunctionDef: ("nested function definitions are not supported in kernels",
                      "define the helper at module level"),
    ast.AsyncFunctionDef: ("nested function definitions are not supported in kernels",
                           "define the helper at module level"),
    ast.ClassDef: ("class definitions are not supported in kernels", None),
    ast.AsyncFor: ("`async for` is not supported in kernels", None),
    ast.Match: ("`match` statements are not supported in kernels", "use if/elif/else"),
}
if hasattr(ast, "TryStar"):
    _REJECTED_STMT[ast.TryStar] = _REJECTED_STMT[ast.Try]

_EXIT_WORD = {ast.Return: "return", ast.Break: "break", ast.Continue: "continue"}


@dataclass
class ModuleScope:
    """What a kernel sees at module level."""

    functions: dict[str, ast.FunctionDef]
    constants: dict[str, Literal]
    kernel_names: set[str]


@dataclass
class _Frame:
    scope: Scope
    assigned: set[str]
    loops: int = 0
    helper: Helper | None = None
    calls: list[str] = field(default_factory=list)
    # The inlining path (ids of the call nodes from the kernel): keys this frame's local types.
    key: tuple = ()
    # Slot locals assigned on every path to here (reading another one is an error, as Python's
    # UnboundLocalError would be).
    defined: set[str] = field(default_factory=set)


class FunctionLowerer(InlineMixin, CallMixin, ExprMixin, Builder):
    """Lowers one kernel (and the helpers it calls, inlined). `types` holds the local types
    inferred by earlier rounds (infer.py); a round that finds a local needing a wider type sets
    `types.widened`, and the caller lowers the kernel again."""

    def __init__(self, src: Source, module: ModuleScope, types: LocalTypes | None = None):
        Builder.__init__(self, src)
        self.module = module
        self.frame: _Frame | None = None
        self.types = types if types is not None else LocalTypes()

    @property
    def scope(self) -> Scope:
        assert self.frame is not None
        return self.frame.scope

    def assigned_later(self, name: str) -> bool:
        return self.frame is not None and name in self.frame.assigned

    @contextmanager
    def at(self, block: Block) -> Iterator[None]:
        saved, self.block = self.block, block
        try:
            yield
        finally:
            self.block = saved

    def new_frame(self, body: list[ast.stmt], params: list[str], helper: Helper | None,
                  calls: list[str], key: tuple = ()) -> _Frame:
        assigned = {n.id for s in body for n in ast.walk(s)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        return _Frame(Scope(ssa_locals(body, params)), assigned, helper=helper, calls=calls,
                      key=key)

    # --- kernels ------------------------------------------------------------------------------
    def lower_kernel(self, fn: ast.FunctionDef, params: list[tuple[str, Scalar | Array]]
                     ) -> KernelOp:
        names = [p for p, _ in params]
        op = KernelOp(fn.name, names, [t.name for _, t in params], [t.ir() for _, t in params],
                      source=self.src.filename)
        op.location = self.location(fn)
        block = op.body.block
        body = strip_docstring(fn.body)
        self.frame = self.new_frame(body, names, None, [fn.name])
        self.allocas = []
        with self.at(block):
            for arg, (name, t), p in zip(block.args, params, fn.args.args, strict=True):
                arg.name_hint = ssa_hint(name)
                arg.location = self.location(p)
                self.bind_param(name, t, arg, fn)
            self.block_stmts(body, {"return"})
            self.emit(ReturnOp(), fn)
        for alloca in reversed(self.allocas):
            block.insert_op_before(alloca, block.first_op)
        return op

    def bind_param(self, name: str, t: Scalar | Array, value: SSAValue, node: ast.AST) -> None:
        if isinstance(t, Array) or name in self.scope.ssa_names:
            self.scope.names[name] = Binding(t, value, line=node.lineno)
            return
        # A reassigned parameter is a local like any other: its type joins its assignments.
        slot_type = self.record_assignment(name, Val(t, value), node, None)
        slot = self.alloca(slot_type, node, name)
        self.emit(memref.StoreOp.get(self.convert(Val(t, value), slot_type, node), slot, []), node)
        t = slot_type
        self.scope.names[name] = Binding(t, slot, is_slot=True, line=node.lineno)
        self.frame.defined.add(name)

    # --- statement lists with structured exits ------------------------------------------------
    def block_stmts(self, stmts: list[ast.stmt], tail: set[str]) -> None:
        """Lower `stmts`; `tail` names the exits that are no-ops at the end of this list."""
        for i, s in enumerate(stmts):
            rest = stmts[i + 1:]
            if isinstance(s, ast.If):
                then_exits, else_exits = always_exits(s.body), always_exits(s.orelse)
                if rest and then_exits and else_exits:
                    raise self.unreachable(rest[0], "both branches of the `if` above exit")
                if rest and (then_exits or else_exits):
                    body = s.body if then_exits else s.body + rest
                    orelse = s.orelse + rest if then_exits else s.orelse
                    self.stmt_if(s, body, orelse, tail)
                    return
                self.stmt_if(s, s.body, s.orelse, tail if not rest else set())
                continue
            if isinstance(s, EXITS):
                if rest:
                    raise self.unreachable(rest[0], f"`{_EXIT_WORD[type(s)]}` above exits")
                self.stmt_exit(s, tail)
                return
            self.stmt(s)

    def unreachable(self, node: ast.stmt, why: str):
        return self.error(node, f"unreachable statement: {why}", "remove it")

    def stmt_exit(self, s: ast.stmt, tail: set[str]) -> None:
        frame = self.frame
        assert frame is not None
        if isinstance(s, ast.Return):
            if frame.helper is not None:
                self.helper_return(s, "return" in tail)
                return
            if s.value is not None:
                raise self.error(s, "a kernel returns nothing",
                                 "write results into a DeviceArray parameter (a helper that "
                                 "takes arrays needs @inline or a return annotation)")
            if "return" not in tail:
                self.emit(ExitOp(), s)
            return
        word = _EXIT_WORD[type(s)]
        if frame.loops == 0:
            raise self.error(s, f"`{word}` outside a loop")
        if word not in tail:
            self.emit(BreakOp() if word == "break" else ContinueOp(), s)

    # --- statements ---------------------------------------------------------------------------
    def stmt(self, s: ast.stmt) -> None:
        method = getattr(self, f"stmt_{type(s).__name__}", None)
        if method is None:
            message, hint = _REJECTED_STMT.get(
                type(s), (f"`{type(s).__name__}` statements are not supported in kernels", None))
            raise self.error(s, message, hint)
        method(s)

    def stmt_Pass(self, s: ast.Pass) -> None:
        pass

    def stmt_Expr(self, s: ast.Expr) -> None:
        e = s.value
        if isinstance(e, ast.Constant) and isinstance(e.value, str):
            return  # a string statement is a comment, as in Python
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Name):
            name = e.func.id
            if name in STATEMENT_CALLS or (name in self.module.functions
                                           and self.scope.lookup(name) is None):
                self.call(e, statement=True)
                return
            if self.is_intrinsic(name):
                raise self.error(s, f"the value of `{ast.unparse(e)}` is unused",
                                 "assign it to a variable or remove the call")
        if isinstance(e, ast.Call):
            self.call(e, statement=True)  # reports the unsupported call
        else:
            self.expr(e)  # reports an unsupported expression (`yield`, ...) by its name
        raise self.error(s, f"expression statement `{ast.unparse(e)}` has no effect",
                         "assign its value or remove it")

    def stmt_Assign(self, s: ast.Assign) -> None:
        for t in s.targets:
            self.check_target(t)
        v = self.scalar(s.value)  # once, however many targets (`a = b = 0`)
        for t in s.targets:
            if isinstance(t, ast.Name):
                self.assign_name(t.id, v, t, value_node=s.value)
            else:
                assert isinstance(t, ast.Subscript)
                self.store(t, v, s.value)

    def stmt_AnnAssign(self, s: ast.AnnAssign) -> None:
        self.check_target(s.target)
        if s.value is None:
            raise self.error(s, "a declaration without a value is not supported",
                             f"assign an initial value, e.g. {ast.unparse(s.target)}: "
                             f"{ast.unparse(s.annotation)} = 0")
        t = self.scalar_annotation(s.annotation)
        v = self.scalar(s.value)
        if isinstance(s.target, ast.Subscript):
            self.store(s.target, v, s.value)
            return
        assert isinstance(s.target, ast.Name)
        self.assign_name(s.target.id, v, s.target, declared=t, value_node=s.value)

    def scalar_annotation(self, ann: ast.expr) -> Scalar:
        if isinstance(ann, ast.Name) and ann.id in SCALARS:
            return SCALARS[ann.id]
        raise self.error(ann, f"unknown local type `{ast.unparse(ann)}`",
                         "locals are scalars: f32 f64 i32 u32 i64 u64 bool")

    def check_target(self, t: ast.expr) -> None:
        if isinstance(t, ast.Tuple | ast.List):
            raise self.error(t, "tuple assignment is not supported in kernels",
                             "assign each variable in its own statement")
        if isinstance(t, ast.Starred):
            raise self.error(t, "starred assignment is not supported in kernels")
        if isinstance(t, ast.Attribute):
            raise self.error(t, f"assignment to attribute `{ast.unparse(t)}` is not supported")
        if isinstance(t, ast.Name):
            b = self.scope.lookup(t.id)
            if b is not None and isinstance(b.type, Array):
                raise self.error(t, f"cannot assign to `{t.id}`: it is a DeviceArray parameter",
                                 f"store into an element instead, e.g. {t.id}[i] = ...")

    def assign_name(self, name: str, v: Val, node: ast.AST, declared: Scalar | None = None,
                    value_node: ast.AST | None = None) -> None:
        """`name = v`; `node` is the target, `value_node` the value (for messages).

        A single-assignment local is the value itself (an annotation converts it). Any other
        local lives in a slot whose type is the join of all its assignments (infer.py): each
        assignment converts its value to that type with an explicit cast."""
        b = self.scope.lookup(name)
        value_node = value_node or node
        if declared is not None:
            entry = self.types.entry(self.frame.key + (name,))
            if entry.declared is not None and entry.declared != declared:
                raise self.error(node, f"`{name}` is declared {entry.declared} elsewhere and "
                                 f"{declared} here", "declare a local's type once")
            entry.declared = declared
        if b is None and name in self.scope.ssa_names:
            t = declared or (v.type if not v.is_lit else default_type(v.lit))
            value = self.value_for(v, t, value_node)
            if value.name_hint is None:
                value.name_hint = ssa_hint(name)
            self.scope.names[name] = Binding(t, value, line=node.lineno)
            return
        t = self.record_assignment(name, v, node, b.type if b is not None else None)
        if b is None:
            slot = self.alloca(t, node, name)
            b = self.scope.names[name] = Binding(t, slot, is_slot=True, line=node.lineno)
        assert b.is_slot, f"SSA local {name} assigned twice"
        value = self.value_for(v, b.type, value_node)
        self.emit(memref.StoreOp.get(value, b.value, []), node)
        self.frame.defined.add(name)

    def record_assignment(self, name: str, v: Val, node: ast.AST,
                          current: Scalar | None) -> Scalar:
        """Add `name = v` to the local's inferred type; the type it has as far as known."""
        try:
            return self.types.record(self.frame.key + (name,), v.type, v.lit, current)
        except TypeClash as err:
            entry = self.types.entry(self.frame.key + (name,))
            kinds = {t.is_bool for t in (v.type, entry.typed) if t is not None}
            kinds |= {isinstance(x, bool) for x in [*entry.literals, v.lit] if x is not None}
            if len(kinds) == 2:
                raise self.error(node, f"`{name}` mixes bool and number values: a local holds "
                                 "one kind", "compare to get a bool (`x != 0`) or cast the bool "
                                 "to a number (`i32(b)`)") from None
            raise self.clash(node, err) from None

    def value_for(self, v: Val, t: Scalar, node: ast.AST) -> SSAValue:
        """`v` converted to the type `t` of the local it is assigned to (an explicit cast)."""
        if v.is_lit and literal_fits(v.lit, t):
            return self.materialize(v, t, node)
        if not v.is_lit and (v.type.is_bool != t.is_bool):
            raise self.error(node, f"cannot assign a {v.type} to a local of type {t}",
                             f"cast it: {t}(...)")
        return self.convert(v, t, node)  # a narrowing here is redone wider in the next round

    def element_value(self, v: Val, elem: Scalar, node: ast.AST, what: str) -> SSAValue:
        """A value stored into an array of `elem` (a store, an atomic): converted to the element
        type, as numpy's `a[i] = v` does; an integer literal must fit."""
        if v.is_lit:
            if isinstance(v.lit, int) and not isinstance(v.lit, bool) and elem.is_int:
                return self.materialize(v, elem, node)
            if isinstance(v.lit, bool) != elem.is_bool:
                raise self.error(node, f"cannot store {v.lit!r} into {what}, an array of {elem}",
                                 f"write {elem}({v.lit!r})")
            return self.convert(v, elem, node)
        if v.type.is_bool != elem.is_bool:
            raise self.error(node, f"cannot store a {v.type} into {what}, an array of {elem}",
                             f"cast the value: {elem}(...)")
        return self.convert(v, elem, node)

    def store(self, target: ast.Subscript, v: Val, node: ast.AST) -> None:
        arr, index = self.subscript(target)
        value = self.element_value(v, arr.type.elem, node, f"`{ast.unparse(target.value)}`")
        self.emit(memref.StoreOp.get(value, arr.ssa, [index]), target)

    def stmt_AugAssign(self, s: ast.AugAssign) -> None:
        t = s.target
        self.check_target(t)
        if isinstance(t, ast.Subscript):
            arr, index = self.subscript(t)
            elem = arr.type.elem
            cur = Val(elem, self.value(memref.LoadOp.get(arr.ssa, [index]), t))
            v = self.binop(type(s.op), cur, self.scalar(s.value), s)
            value = self.element_value(v, elem, s, f"`{ast.unparse(t.value)}`")
            self.emit(memref.StoreOp.get(value, arr.ssa, [index]), t)
            return
        assert isinstance(t, ast.Name)
        b = self.scope.lookup(t.id)
        if b is None:
            raise self.error(t, f"`{t.id}` is used before it is assigned")
        cur = self.expr_Name(t)
        v = self.binop(type(s.op), cur, self.scalar(s.value), s)
        self.assign_name(t.id, v, t, value_node=s)

    # --- control flow -------------------------------------------------------------------------
    def stmt_if(self, s: ast.If, body: list[ast.stmt], orelse: list[ast.stmt],
                tail: set[str]) -> None:
        c = self.cond(s.test, "condition of `if`")
        then_b, else_b = Block(), Block()
        frame = self.frame
        before = frame.defined
        frame.defined = set(before)
        with self.at(then_b):
            self.block_stmts(body, tail)
        after_then, frame.defined = frame.defined, set(before)
        with self.at(else_b):
            self.block_stmts(orelse, tail)
        # a branch that exits does not reach the code after the `if`
        reaching = [d for d, stmts in ((after_then, body), (frame.defined, orelse))
                    if not always_exits(stmts)]
        frame.defined = set.intersection(*reaching) if reaching else before
        if then_b.first_op is None and else_b.first_op is None:
            return  # nothing to run either way (the condition ran, for its effects)
        if then_b.first_op is None:
            c = self.negate(c, s)
            then_b, else_b = else_b, then_b
        with self.at(then_b):
            self.emit(scf.YieldOp(), s)
        other = Region()
        if else_b.first_op is not None:
            with self.at(else_b):
                self.emit(scf.YieldOp(), s)
            other = Region(else_b)
        self.emit(scf.IfOp(c, [], Region(then_b), other), s)

    def negate(self, c: SSAValue, node: ast.AST) -> SSAValue:
        """`not c`: a comparison just made is inverted in place (`idx >= n` -> `idx < n`)."""
        op = c.owner
        pred = self.predicates.get(op)  # type: ignore[arg-type]
        if pred is not None and not c.uses and op is self.block.last_op:
            is_float = isinstance(op, arith.CmpfOp)
            new_pred = (_FLOAT_INVERSE if is_float else _INT_INVERSE)[pred]
            lhs, rhs = op.operands
            op.detach()
            op.erase()
            return self.compare(new_pred, lhs, rhs, node, float_=is_float)
        inner = self.negated(c)
        if inner is not None and not c.uses and op is self.block.last_op:
            # `not not x` is x: `if not idx < n: return` guards with `idx < n` itself
            true = op.rhs if op.lhs is inner else op.lhs
            op.detach()
            op.erase()
            if not true.uses and isinstance(true.owner, arith.ConstantOp):
                true.owner.detach()
                true.owner.erase()
            return inner
        return self.not_(c, node)

    @staticmethod
    def negated(c: SSAValue) -> SSAValue | None:
        """`x` when `c` is `not x` (`arith.xori x, true`), else None."""
        op = c.owner
        if not isinstance(op, arith.XOrIOp):
            return None
        for x, y in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            const = y.owner
            if isinstance(const, arith.ConstantOp) and isinstance(const.value, IntegerAttr) \
                    and const.value.type == IntegerType(1) and const.value.value.data != 0:
                return x
        return None

    def stmt_While(self, s: ast.While) -> None:
        if s.orelse:
            raise self.error(s.orelse[0], "`while ... else` is not supported in kernels",
                             "use a flag variable")
        before, after = Block(), Block()
        with self.at(before):
            c = self.cond(s.test, "condition of `while`")
            self.emit(scf.ConditionOp(c), s)
        with self.at(after):
            self.loop_body(s.body)
            self.emit(scf.YieldOp(), s)
        self.emit(scf.WhileOp([], [], Region(before), Region(after)), s)

    def loop_body(self, body: list[ast.stmt]) -> None:
        """A loop body; what it assigns is not known to be assigned after the loop (the loop
        may run zero times)."""
        frame = self.frame
        assert frame is not None
        before = set(frame.defined)
        frame.loops += 1
        self.block_stmts(body, {"continue"})
        frame.loops -= 1
        frame.defined = before

    def stmt_For(self, s: ast.For) -> None:
        it = s.iter
        if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name)
                and it.func.id == "range"):
            raise self.error(it, f"for loops must iterate over range(...), not "
                             f"`{ast.unparse(it)}`", "write `for i in range(n): x = arr[i]`")
        if s.orelse:
            raise self.error(s.orelse[0], "`for ... else` is not supported in kernels",
                             "use a flag variable")
        if not isinstance(s.target, ast.Name):
            raise self.error(s.target, "the loop variable must be a single name",
                             "tuple unpacking is not supported")
        if it.keywords or not 1 <= len(it.args) <= 3:
            raise self.error(it, f"range() takes 1 to 3 positional arguments, got "
                             f"{len(it.args)}{' and keywords' if it.keywords else ''}")
        with self.at(Block()):  # the arguments' types only: these ops are dropped
            probe = [self.scalar(a) for a in it.args]
        t = self.range_type(probe, it)
        if not t.signed and self.range_may_go_negative(it.args, probe):
            # Python's range has no unsigned wrap-around: `range(n - 1, -1, -1)` with n: u32
            # counts down to 0. Such a loop runs over i64, its bounds computed in i64 as Python's
            # unbounded ints would be (docs/language.md).
            t = I64
            args = [v if v.is_lit else Val(I64, self.position_i64(a))
                    for a, v in zip(it.args, probe, strict=True)]
        else:
            args = [self.scalar(a) for a in it.args]
        if len(args) == 1:
            args = [lit(0), args[0], lit(1)]
        elif len(args) == 2:
            args.append(lit(1))
        start, stop, step = args
        var = s.target.id
        if step.is_lit and step.lit == 0:
            raise self.error(it.args[2], "range() step must not be zero")
        if step.is_lit and step.lit > 0 or not t.signed:
            self.for_loop(s, t, var, start, stop, step)
        else:
            self.while_range(s, t, var, start, stop, step)

    def range_type(self, args: list[Val], node: ast.AST) -> Scalar:
        t: Scalar | None = None
        for a in args:
            at = a.type if not a.is_lit else None
            if a.is_lit and not isinstance(a.lit, int) or at is not None and not at.is_int:
                shown = a.lit if a.is_lit else at
                raise self.error(node, f"range() needs integers, got {shown!r}",
                                 "cast it, e.g. range(i32(x))")
            if at is not None:
                try:
                    t = at if t is None else join(t, at)
                except TypeClash as err:
                    raise self.clash(node, err) from None
        if t is None:
            return max((default_type(a.lit) for a in args), key=lambda x: x.width)
        return t

    @staticmethod
    def range_may_go_negative(nodes: list[ast.expr], probe: list[Val]) -> bool:
        """A range with a negative literal bound or step, or a bound computed with a
        subtraction or negation (`n - 1`), may reach below zero."""
        for node, v in zip(nodes, probe, strict=True):
            if v.is_lit:
                if v.lit < 0:
                    return True
                continue
            if any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub)
                   or isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub)
                   for n in ast.walk(node)):
                return True
        return False

    def bind_loop_var(self, var: str, t: Scalar, value: SSAValue, node: ast.AST) -> None:
        if var in self.scope.ssa_names:
            value.name_hint = value.name_hint or ssa_hint(var)
            self.scope.names[var] = Binding(t, value, line=node.lineno)
        else:
            self.assign_name(var, Val(t, value), node)

    def for_loop(self, s: ast.For, t: Scalar, var: str, start: Val, stop: Val, step: Val):
        """`scf.for` over the loop variable's type; unsigned variables loop over `index`
        (scf.for compares signed) and are cast back at the top of the body."""
        if t.signed:
            bounds = [self.coerce(v, t, s.iter) for v in (start, stop, step)]
        else:
            bounds = [self.to_index(v if v.is_lit else Val(t, self.coerce(v, t, s.iter)), s.iter)
                      for v in (start, stop, step)]
        body = Block(arg_types=[bounds[0].type])
        iv = body.args[0]
        iv.name_hint = ssa_hint(var)
        with self.at(body):
            value = iv
            if not t.signed:
                value = self.index_cast_back(iv, t, s)
            self.bind_loop_var(var, t, value, s.target)
            self.loop_body(s.body)
            self.emit(scf.YieldOp(), s)
        self.emit(scf.ForOp(bounds[0], bounds[1], bounds[2], [], body), s)

    def index_cast_back(self, iv: SSAValue, t: Scalar, node: ast.AST) -> SSAValue:
        if t.width == 64:
            value = self.value(arith.IndexCastOp(iv, IntegerType(64)), node)
        else:
            wide = self.value(arith.IndexCastOp(iv, IntegerType(64)), node)
            value = self.value(arith.TruncIOp(wide, IntegerType(t.width)), node)
        self.index_of[value] = iv
        return value

    def while_range(self, s: ast.For, t: Scalar, var: str, start: Val, stop: Val, step: Val):
        """A negative or non-constant step: `scf.while` over a counter slot."""
        counter = self.alloca(t, s, f"{var}_next")
        self.emit(memref.StoreOp.get(self.coerce(start, t, s.iter), counter, []), s)
        before, after = Block(), Block()
        with self.at(before):
            i = self.value(memref.LoadOp.get(counter, []), s)
            end = self.coerce(stop, t, s.iter)
            if step.is_lit:
                c = self.compare("sgt", i, end, s)
            else:
                st = self.coerce(step, t, s.iter)
                up = self.compare("slt", i, end, s)
                down = self.compare("sgt", i, end, s)
                positive = self.compare("sgt", st, self.const(0, t, s), s)
                c = self.value(arith.SelectOp(positive, up, down), s)
            self.emit(scf.ConditionOp(c), s)
        with self.at(after):
            i = self.value(memref.LoadOp.get(counter, []), s)
            st = self.coerce(step, t, s.iter)
            self.emit(memref.StoreOp.get(self.value(arith.AddiOp(i, st), s), counter, []), s)
            self.bind_loop_var(var, t, i, s.target)
            self.loop_body(s.body)
            self.emit(scf.YieldOp(), s)
        self.emit(scf.WhileOp([], [], Region(before), Region(after)), s)
