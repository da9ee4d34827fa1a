"""SSA dominance: every use of a value must be dominated by its definition.

xDSL's verifier checks each op's own invariants, not where its operands come from, so IR that
uses a value before defining it parses and verifies, and the C backend would then print C
that does not compile. `hologram-opt` runs `verify_dominance` on its input before any pass.

A value defined by an op is visible after that op in its block and in every region nested
there; a block argument in its block and the regions nested there. Across the blocks of one
multi-block region the defining block must dominate the using block, among the blocks
reachable from the entry (networkx's immediate dominators; unreachable blocks are ignored).
The walk is iterative and linear in the size of the IR.
"""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, BlockArgument, Operation, OpResult, Region
from xdsl.utils.exceptions import VerifyException


def _describe(op: Operation, i: int, value) -> str:
    name = f"%{value.name_hint}" if value.name_hint else f"operand #{i}"
    if not isinstance(value, OpResult | BlockArgument):
        return f"'{op.name}' uses {name}, which is not defined where it is used"
    return f"'{op.name}' uses {name} where its definition does not dominate the use"


def verify_dominance(module: Operation | ModuleOp) -> None:
    """Raise VerifyException at the first use not dominated by its definition."""
    position: dict[Operation, int] = {}
    dominance: dict[Region, dict[Block, Block]] = {}
    for op in module.walk():
        for region in op.regions:
            for block in region.blocks:
                for i, inner in enumerate(block.ops):
                    position[inner] = i

    def region_dominates(a: Block, b: Block) -> bool:
        region = a.parent
        assert region is not None
        if region not in dominance:
            dominance[region] = _immediate_dominators(region)
        idom = dominance[region]
        if b not in idom:  # unreachable from the entry: no path to it, as in MLIR
            return True
        while b in idom and idom[b] is not b:
            b = idom[b]
            if b is a:
                return True
        return False

    for op in module.walk():
        if not op.operands:
            continue
        # The chain of (op or ancestor, the block holding it), innermost first.
        chain: dict[Block, Operation] = {}
        anc: Operation | None = op
        while anc is not None:
            block = anc.parent_block()
            if block is None:
                break
            chain.setdefault(block, anc)
            anc = block.parent_op()
        for i, value in enumerate(op.operands):
            if isinstance(value, OpResult):
                def_block = value.op.parent_block()
                holder = chain.get(def_block) if def_block is not None else None
                if holder is not None:
                    before = position.get(value.op, -1) < position.get(holder, -1)
                    if holder is not value.op and before:
                        continue
                elif def_block is not None and _dominated(def_block, chain, region_dominates):
                    continue
            elif isinstance(value, BlockArgument):
                block = value.owner
                if isinstance(block, Block) and (block in chain
                                                 or _dominated(block, chain, region_dominates)):
                    continue
            raise VerifyException(_describe(op, i, value))


def _immediate_dominators(region: Region) -> dict[Block, Block]:
    """Each block reachable from the region's entry -> its immediate dominator (the entry maps
    to itself). Unreachable blocks (an exit's dead join block) are left out, as MLIR ignores
    them, so they do not hide the dominance of the blocks they branch to."""
    import networkx as nx

    graph = nx.DiGraph()
    for block in region.blocks:
        graph.add_node(block)
        last = block.last_op
        for succ in last.successors if last is not None else ():
            graph.add_edge(block, succ)
    return nx.immediate_dominators(graph, region.blocks.first)


def _dominated(def_block: Block, chain: dict[Block, Operation], region_dominates) -> bool:
    """Whether `def_block` dominates a block of the use's chain in the same region."""
    region = def_block.parent
    for block in chain:
        if block.parent is region and block is not def_block:
            return region_dominates(def_block, block)
    return False
