"""What kernels read and write, and the dependence graph of the launches in a program.

Two levels:

* Kernel level (`kernel_accesses`): for each memref parameter of a SIMT `hologram.kernel`, the
  set of index *signatures* it is loaded and stored at. A signature names the index as a function
  of the thread id: `("id",)` is `hologram.global_id` itself, `("id", "arith.index_cast:i32",
  "arith.extui:i64", "arith.index_cast:index")` is the round trip the frontend writes for
  `c[idx]`. Two accesses with the same id signature touch the same element in the same thread.
  Anything else (`t[idx + 1]`, `t[k]` in a loop, `r[0]`, an atomic, a use we do not know) is
  `OTHER`.
* Program level (`dependence_graph`): a networkx `DiGraph` over the ops of one block of a program
  `func.func`. Edges are read-after-write, write-after-read and write-after-write on each buffer
  (an SSA memref value; distinct values are assumed not to alias), plus SSA def-use edges, plus
  ordering edges around ops whose effects are unknown. Any topological order of the graph is a
  valid schedule of the block, which is what the `fuse` pass relies on when it contracts nodes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from xdsl.dialects import arith, memref
from xdsl.dialects.builtin import MemRefType
from xdsl.ir import Block, BlockArgument, Operation, OpResult, SSAValue
from xdsl.traits import IsTerminator, is_side_effect_free

from hologram.dialects.hologram import ExitOp, GlobalIdOp, KernelOp, LaunchOp, ParallelForOp

if TYPE_CHECKING:  # the per-kernel analyses serve the launch path: keep networkx off its imports
    import networkx as nx

Signature = tuple[str, ...]
OTHER: Signature = ("other",)
ID: Signature = ("id",)

# Casts that keep an index a pure function of the id; a chain of them is still "the id's element".
_ID_CASTS = (arith.IndexCastOp, arith.ExtUIOp, arith.ExtSIOp, arith.TruncIOp)


def index_signature(value: SSAValue) -> Signature:
    """The signature of an index: a chain of casts from `hologram.global_id`, or OTHER."""
    chain: list[str] = []
    while True:
        if not isinstance(value, OpResult):
            return OTHER
        op = value.op
        if isinstance(op, GlobalIdOp):
            return ID + tuple(reversed(chain))
        if not isinstance(op, _ID_CASTS):
            return OTHER
        chain.append(f"{op.name}:{value.type}")
        value = op.operands[0]


def is_id_signature(sig: Signature) -> bool:
    return sig[:1] == ID


@dataclass
class Access:
    """The index signatures one buffer is read and written at."""

    reads: set[Signature] = field(default_factory=set)
    writes: set[Signature] = field(default_factory=set)

    def merge(self, other: Access) -> None:
        self.reads |= other.reads
        self.writes |= other.writes

    @property
    def signatures(self) -> set[Signature]:
        return self.reads | self.writes

    @staticmethod
    def unknown() -> Access:
        return Access({OTHER}, {OTHER})


def _param_access(arg: BlockArgument) -> Access:
    access = Access()
    for use in arg.uses:
        op = use.operation
        if isinstance(op, memref.LoadOp) and use.index == 0 and len(op.indices) == 1:
            access.reads.add(index_signature(op.indices[0]))
        elif isinstance(op, memref.StoreOp) and use.index == 1 and len(op.indices) == 1:
            access.writes.add(index_signature(op.indices[0]))
        else:
            # Atomics, a stored pointer, anything we do not model: the whole buffer, both ways.
            access.merge(Access.unknown())
    return access


def kernel_accesses(kernel: KernelOp) -> list[Access | None]:
    """Per parameter of `kernel`: its Access for memref parameters, None for scalars.

    A kernel that is no longer SIMT (it holds a `hologram.parallel_for`: `global_id` was
    replaced by a loop variable) gets unknown accesses on every buffer.
    """
    simt = not any(isinstance(op, ParallelForOp) for op in kernel.walk())
    result: list[Access | None] = []
    for arg in kernel.body.block.args:
        if not isinstance(arg.type, MemRefType):
            result.append(None)
        elif not simt:
            result.append(Access.unknown())
        else:
            result.append(_param_access(arg))
    return result


def has_early_exit(kernel: KernelOp) -> bool:
    """Whether the body can end a thread early (`hologram.exit`), skipping what follows it."""
    return any(isinstance(op, ExitOp) for op in kernel.walk())


def launch_accesses(launch: LaunchOp) -> dict[SSAValue, Access]:
    """Per buffer passed to `launch`: the union of the accesses of the parameters it binds."""
    kernel = launch.kernel()
    per_param = kernel_accesses(kernel) if kernel is not None else None
    buffers: dict[SSAValue, Access] = {}
    for i, arg in enumerate(launch.args):
        if not isinstance(arg.type, MemRefType):
            continue
        access = per_param[i] if per_param is not None else Access.unknown()
        assert access is not None
        buffers.setdefault(arg, Access()).merge(access)
    return buffers


def _values_used(op: Operation) -> Iterable[SSAValue]:
    """Operands of `op` and of every op nested in it."""
    for inner in op.walk():
        yield from inner.operands


def _op_accesses(op: Operation) -> dict[SSAValue, Access]:
    """Buffers a non-launch program op touches; unknown accesses, since we do not look inside."""
    if isinstance(op, LaunchOp):
        return launch_accesses(op)
    if isinstance(op, memref.AllocOp | memref.AllocaOp):
        return {}
    buffers: dict[SSAValue, Access] = {}
    for value in _values_used(op):
        if isinstance(value.type, MemRefType):
            buffers[value] = Access.unknown()
    return buffers


def _has_unknown_effects(op: Operation) -> bool:
    """Effects not on a buffer we can name: such an op keeps its place among all effectful ops."""
    if isinstance(op, LaunchOp | memref.AllocOp | memref.AllocaOp | memref.DeallocOp):
        return False
    if all(is_side_effect_free(inner) for inner in op.walk()):
        return False
    if isinstance(op, memref.LoadOp | memref.StoreOp):
        return False
    return True


def dependence_graph(block: Block) -> nx.DiGraph:
    """The dependence graph of the ops of `block` (its terminator excluded).

    Nodes are positions in the block, with attributes `op`, `launch` (bool) and `accesses`
    (buffer -> Access). Each edge carries `deps`: a set of `(kind, buffer)` with kind one of
    `"RAW"`, `"WAR"`, `"WAW"` (memory), `"SSA"` (def-use) or `"ORDER"` (unknown effects).
    """
    ops = [op for op in block.ops if not op.has_trait(IsTerminator)]
    import networkx as nx

    graph = nx.DiGraph()
    position = {op: i for i, op in enumerate(ops)}
    for i, op in enumerate(ops):
        graph.add_node(i, op=op, launch=isinstance(op, LaunchOp), accesses=_op_accesses(op),
                       unknown=_has_unknown_effects(op))

    def add(u: int, v: int, kind: str, value: SSAValue | None) -> None:
        if not graph.has_edge(u, v):
            graph.add_edge(u, v, deps=set())
        graph.edges[u, v]["deps"].add((kind, value))

    for j, op in enumerate(ops):
        for value in _values_used(op):
            if isinstance(value, OpResult) and value.op in position and position[value.op] != j:
                add(position[value.op], j, "SSA", value)

    for j in range(len(ops)):
        later = graph.nodes[j]
        for i in range(j):
            earlier = graph.nodes[i]
            if (earlier["unknown"] or later["unknown"]) and (
                earlier["accesses"] or later["accesses"] or earlier["unknown"] and later["unknown"]
            ):
                add(i, j, "ORDER", None)
            for buffer, second in later["accesses"].items():
                first = earlier["accesses"].get(buffer)
                if first is None:
                    continue
                if first.writes and second.reads:
                    add(i, j, "RAW", buffer)
                if first.reads and second.writes:
                    add(i, j, "WAR", buffer)
                if first.writes and second.writes:
                    add(i, j, "WAW", buffer)
    return graph


def memory_deps(graph: nx.DiGraph, u: int, v: int) -> set[tuple[str, SSAValue | None]]:
    """The RAW/WAR/WAW dependences from node u to node v (empty when there is no edge)."""
    if not graph.has_edge(u, v):
        return set()
    return {d for d in graph.edges[u, v]["deps"] if d[0] in ("RAW", "WAR", "WAW")}
