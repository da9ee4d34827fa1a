"""C snippets for structured control flow: scf.if / for / while and their terminators.

* `scf.if` with results declares the result variables first; each branch's `scf.yield`
  assigns them.
* `scf.for` keeps loop-carried values in variables updated by the body's `scf.yield`; the loop
  variable of an integer loop narrower than 64 bits is counted in 64 bits, so a bound near the
  type's maximum cannot wrap into an endless loop.
* `scf.while` is `for (;;) { before; if (!cond) break; after; }`: the condition's operands are
  the results and the `after` block's arguments.
"""

from __future__ import annotations

from xdsl.dialects import scf

from hologram.backends.c.emitter import CEmitter, ctype, emits, int_width


@emits(scf.IfOp)
def _if(em: CEmitter, op: scf.IfOp) -> None:
    targets = []
    for r in op.output:
        em.line(f"{ctype(r.type)} {em.name(r)};")
        targets.append(em.name(r))
    em.line(f"if ({em.name(op.cond)}) {{")
    with em.indented():
        em.emit_region(op.true_region, targets)
    if op.false_region.blocks and (targets or _has_effects(op.false_region)):
        em.line("} else {")
        with em.indented():
            em.emit_region(op.false_region, targets)
    em.line("}")


def _has_effects(region) -> bool:
    """An else branch holding only its `scf.yield` prints nothing worth a block."""
    block = region.block
    return not (len(block.ops) == 1 and isinstance(block.first_op, scf.YieldOp))


@emits(scf.YieldOp)
def _yield(em: CEmitter, op: scf.YieldOp) -> None:
    if not op.arguments and not (em.yield_targets and em.yield_targets[-1]):
        return
    em.assign_yield(op, list(op.arguments))


@emits(scf.ForOp)
def _for(em: CEmitter, op: scf.ForOp) -> None:
    block = op.body.block
    iv, carried = block.args[0], block.args[1:]
    targets = []
    for arg, init, res in zip(carried, op.iter_args, op.res, strict=True):
        var = em.name(res)
        em.line(f"{ctype(arg.type)} {var} = {em.name(init)};")
        em.alias(arg, var)
        targets.append(var)
    t = ctype(iv.type)
    lb, ub, step = em.name(op.lb), em.name(op.ub), em.name(op.step)
    if int_width(iv.type) == 64:
        i = em.name(iv)
        em.line(f"for ({t} {i} = {lb}; {i} < {ub}; {i} += {step}) {{")
        with em.indented():
            em.emit_region(op.body, targets)
    else:
        counter = em.fresh("k")
        em.line(
            f"for (int64_t {counter} = {lb}; {counter} < (int64_t){ub}; {counter} += {step}) {{"
        )
        with em.indented():
            em.line(f"{t} {em.name(iv)} = ({t}){counter};")
            em.emit_region(op.body, targets)
    em.line("}")


@emits(scf.WhileOp)
def _while(em: CEmitter, op: scf.WhileOp) -> None:
    before, after = op.before_region.block, op.after_region.block
    before_vars = []
    for arg, init in zip(before.args, op.arguments, strict=True):
        var = em.name(arg)
        em.line(f"{ctype(arg.type)} {var} = {em.name(init)};")
        before_vars.append(var)
    result_vars = []
    for res, arg in zip(op.res, after.args, strict=True):
        var = em.name(res)
        em.line(f"{ctype(res.type)} {var};")
        em.alias(arg, var)
        result_vars.append(var)
    em.line("for (;;) {")
    with em.indented():
        em.emit_region(op.before_region, result_vars)
        em.emit_region(op.after_region, before_vars)
    em.line("}")


@emits(scf.ConditionOp)
def _condition(em: CEmitter, op: scf.ConditionOp) -> None:
    if op.args:
        em.assign_yield(op, list(op.args))
    em.line(f"if (!{em.name(op.condition)}) break;")
