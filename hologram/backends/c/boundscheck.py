"""Bounds-checked kernels (`boundscheck=True`, `HOLOGRAM_BOUNDSCHECK=1`): the C side.

A `hologram.kernel` carrying the unit attribute `boundscheck` is printed with two more
parameters after the grid, `int64_t *hg_len` (each parameter's element count, by position) and
`int64_t *hg_err` (the error record, zeroed by the caller). Every load, store and atomic on one
of the kernel's arrays is guarded:

    float x = (uint64_t)i < (uint64_t)hg_len[0] ? a[i] : hg_bounds_fail(hg_err, i, gid, ...);
    if ((uint64_t)i < (uint64_t)hg_len[2]) { out[i] = v; } else { hg_bounds_fail(...); }

An access out of bounds (negative indices included: they compare as huge unsigned values) is
skipped, a load gives 0, and the first failure is recorded (an atomic compare-and-swap on
`hg_err[0]`): `hg_err = {1, index, id, length, parameter position, Python line}`. Every grid
loop iteration then starts with a test of `hg_err[0]`, so the launch stops early. The runtime
reads the record after the call and raises `IndexError` (hologram/runtime.py).

The id reported is the global id of the failing thread: the nearest value the frontend and the
passes name `gid` (the grid loop's id) in scope at the access, or -1 for an access outside any
grid loop (the final write of a tree reduction).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from xdsl.dialects.builtin import FileLineColLoc
from xdsl.ir import Block, BlockArgument, Operation, SSAValue

from hologram.dialects.hologram import KernelOp

ATTR = "boundscheck"

HELPER = """\
/* hologram: bounds-checked kernels record their first out-of-bounds access here. */
static int64_t hg_bounds_fail(int64_t *err, int64_t index, int64_t id, int64_t length,
                              int64_t param, int64_t line) {
  int64_t expected = 0;
  if (__atomic_compare_exchange_n(&err[0], &expected, 1, false, __ATOMIC_ACQ_REL,
                                  __ATOMIC_ACQUIRE)) {
    err[1] = index; err[2] = id; err[3] = length; err[4] = param; err[5] = line;
  }
  return 0;
}
"""

STOP = "if (__atomic_load_n(&hg_err[0], __ATOMIC_RELAXED)) continue;"


def is_bounds_checked(op: Operation) -> bool:
    return isinstance(op, KernelOp) and ATTR in op.attributes


def extra_params(with_names: bool) -> list[str]:
    return ["int64_t* hg_len", "int64_t* hg_err"] if with_names else ["int64_t*", "int64_t*"]


def _param_position(ref: SSAValue) -> int | None:
    """The kernel parameter position of `ref`, when it is one of the kernel's arrays."""
    if not isinstance(ref, BlockArgument):
        return None
    block = ref.owner
    if not isinstance(block, Block) or not isinstance(block.parent_op(), KernelOp):
        return None
    return ref.index


def _gids_before(em, block: Block) -> dict[Operation, SSAValue | None]:
    """For each op of `block`: the last value named `gid` defined before it in the block (or
    the block's own `gid` argument). One pass per block, remembered for the translation unit."""
    cache: dict[Block, dict[Operation, SSAValue | None]] = em.__dict__.setdefault("_gids", {})
    if block not in cache:
        current = next((a for a in block.args if a.name_hint == "gid"), None)
        table: dict[Operation, SSAValue | None] = {}
        for other in block.ops:
            table[other] = current
            for r in other.results:
                if r.name_hint == "gid":
                    current = r
        cache[block] = table
    return cache[block]


def _gid(em, op: Operation) -> str:
    """The C name of the innermost value named `gid` defined before `op` in an enclosing
    block, or -1."""
    anchor: Operation | None = op
    while anchor is not None and not isinstance(anchor, KernelOp):
        block = anchor.parent_block()
        if block is None:
            break
        found = _gids_before(em, block).get(anchor)
        if found is not None:
            return f"(int64_t){em.name(found)}"
        anchor = block.parent_op()
    return "INT64_C(-1)"


def _candidates(op: Operation) -> Iterator[Operation]:
    yield op
    frontier = [op]
    for _ in range(3):
        frontier = [use.operation for o in frontier for r in o.results for use in r.uses]
        yield from frontier
    block = op.parent_block()
    if block is not None:
        yield from block.ops
    parent = op.parent_op()
    while parent is not None:
        yield parent
        parent = parent.parent_op()


def _line(op: Operation) -> int:
    """The Python line of the access: its own location, else the nearest located op among
    the users of its value (passes build some accesses without a location), its block's ops,
    then the enclosing ops. Lazy: the first located candidate ends the search."""
    for o in _candidates(op):
        if isinstance(o.location, FileLineColLoc):
            return o.location.line.data
    return 0


def guard(em, op: Operation, ref: SSAValue, indices) -> tuple[str, str] | None:
    """(in-bounds condition, failure call) for an access of `ref[indices]` in a bounds-checked
    kernel, or None when the access needs no check."""
    if not em.bounds_checked or len(indices) != 1:
        return None
    pos = _param_position(ref)
    if pos is None:
        return None  # compiler-made buffers (partials, locals) have static shapes
    index = em.name(indices[0])
    length = f"hg_len[{pos}]"
    fail = (f"hg_bounds_fail(hg_err, (int64_t){index}, {_gid(em, op)}, {length}, {pos}, "
            f"{_line(op)})")
    return f"(uint64_t){index} < (uint64_t){length}", fail


@contextmanager
def checked(em, op: Operation, ref: SSAValue, indices) -> Iterator[None]:
    """Lines emitted inside run only when the access is in bounds."""
    g = guard(em, op, ref, indices)
    if g is None:
        yield
        return
    cond, fail = g
    em.line(f"if ({cond}) {{")
    with em.indented():
        yield
    em.line(f"}} else {{ {fail}; }}")
