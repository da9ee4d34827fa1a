"""C snippets for what loop nests need to vectorize: `overflow<nsw>` integer arithmetic.

`arith.addi/subi/muli` normally print as wrapping unsigned arithmetic (`ops_arith.py`), which
has no undefined behaviour but hides from the C compiler that an index grows by one per
iteration: a loop over `a[base + c]` then does not vectorize. An op marked `overflow<nsw>`
promises, as in MLIR, that the signed result does not wrap (passes set it only where they proved
it, e.g. `fold-layout`'s tiled nests), so it prints as plain signed C arithmetic. Ops without the
flag keep the snippet registered before this module (imported after `ops_arith`).
"""

from __future__ import annotations

from xdsl.dialects import arith
from xdsl.ir import Operation

from hologram.backends.c.emitter import EMITTERS, CEmitter, ctype, emits


def _has_nsw(op: Operation) -> bool:
    flags = op.properties.get("overflowFlags")
    return isinstance(flags, arith.IntegerOverflowAttr) and (
        arith.IntegerOverflowFlag.NSW in flags.data
    )


def _signed_unless_wrapping(c_op: str, op_type: type[Operation]):
    wrapping = EMITTERS[op_type]

    def snippet(em: CEmitter, op: Operation) -> None:
        r = op.results[0]
        if not _has_nsw(op) or ctype(r.type) == "bool":
            wrapping(em, op)
            return
        lhs, rhs = op.operands
        em.declare(r, f"{em.name(lhs)} {c_op} {em.name(rhs)}")

    return snippet


emits(arith.AddiOp)(_signed_unless_wrapping("+", arith.AddiOp))
emits(arith.SubiOp)(_signed_unless_wrapping("-", arith.SubiOp))
emits(arith.MuliOp)(_signed_unless_wrapping("*", arith.MuliOp))
