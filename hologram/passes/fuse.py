"""`fuse`: merge producer/consumer launches of a program into one kernel.

A program is a `func.func` that launches kernels on buffers (docs/ir.md, "Programs"). For every
block of every program, the pass

1. builds the dependence graph of the block's ops (`hologram.analysis.dependences`): RAW, WAR and
   WAW on each buffer, plus def-use edges, with networkx;
2. grows groups of launches greedily, in program order: a producer group is merged into a
   consumer group that reads a buffer it writes (a RAW edge) when
   * every launch of both has the same grid SSA value,
   * every buffer both touch, where one of them writes, is accessed by both only at one and the
     same id signature (`t[idx]` after `t[idx] = ...`; see the analysis for what "the same id"
     means), so each thread only needs what the same thread produced,
   * no kernel but the last of the group (in program order) can end its thread early
     (`hologram.exit` would skip the bodies after it),
   * contracting the two groups in the graph leaves it acyclic (checked with networkx), and
   * the group stays within `max-kernels` launches;
3. re-schedules the block: the groups are contracted into single nodes and the block is rewritten
   in a topological order of that graph (the original order wherever nothing was merged);
4. materializes each group as a new `hologram.kernel @fused_<a>_<b>...` whose body runs the
   members' bodies one after the other for the same id (each keeps its own guard), launched once
   with the union of the members' arguments.

A buffer allocated by `memref.alloc` in the same block, used by nothing but the group's launches
(and `memref.dealloc`), and accessed by the group only at one id signature, is a *temporary*: each
thread keeps its element in a private rank-0 `memref.alloca` (the C compiler keeps it in a
register), so the consumer reads the value the producer computed, and the buffer is no longer
allocated. A buffer that escapes (returned, passed to a launch outside the group, read by the
program) keeps its stores and its allocation; that refuses the removal, not the fusion.

Refused and left unchanged: a consumer that reads a neighbour (`t[idx + 1]`) or the whole buffer
(a reduction), launches over different grid values, a merge that would make a cycle (a launch in
between that reads the producer's output and feeds the consumer), kernels that are no longer SIMT
(already parallelized), launches of kernels not in the module.

Limitations: distinct buffer values are assumed not to alias (two program arguments are two
arrays); the original kernels stay in the module (other programs or callers may use them); a
group's kernel is only merged as a whole, never split.

Options:
* `max-kernels` (default 0 = no limit): the largest number of launches fused into one kernel;
  1 disables fusion.
* `keep-temporaries` (default false): for debugging, keep every temporary's allocation and its
  stores and loads in the fused kernel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
from xdsl.context import Context
from xdsl.dialects import func, memref, scf
from xdsl.dialects.builtin import ArrayAttr, MemRefType, ModuleOp, StringAttr
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.traits import IsTerminator
from xdsl.transforms.common_subexpression_elimination import cse

from hologram.analysis.dependences import (
    Access,
    Signature,
    dependence_graph,
    has_early_exit,
    is_id_signature,
    launch_accesses,
)
from hologram.analysis.grid import remap_grid, same_grid
from hologram.dialects.hologram import ExitOp, KernelOp, LaunchOp, ReturnOp


@dataclass
class _Group:
    """Launches (graph nodes, in program order) that become one kernel."""

    members: list[int]
    accesses: dict[SSAValue, Access] = field(default_factory=dict)


@dataclass(frozen=True)
class Fuse(ModulePass):
    """Merge elementwise producer/consumer launches into one kernel; see the module docstring."""

    name = "fuse"

    max_kernels: int = 0
    keep_temporaries: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.max_kernels < 0:
            raise ValueError("fuse: max-kernels must be >= 0 (0 means no limit)")
        for program in [o for o in op.body.block.ops if isinstance(o, func.FuncOp)]:
            blocks = [b for inner in program.walk() for r in inner.regions for b in r.blocks]
            for block in blocks:
                if sum(isinstance(o, LaunchOp) for o in block.ops) >= 2:
                    _BlockFuser(self, op, program, block).run()


class _BlockFuser:
    def __init__(self, options: Fuse, module: ModuleOp, program: func.FuncOp, block: Block):
        self.options = options
        self.module = module
        self.program = program
        self.block = block
        self.graph = dependence_graph(block)
        self.ops: list[Operation] = [self.graph.nodes[n]["op"] for n in sorted(self.graph.nodes)]

    # -- 2. grouping --------------------------------------------------------------------------
    def run(self) -> None:
        # Groups are keyed by their node in `work`, the graph with each group contracted.
        groups = {
            n: _Group([n], launch_accesses(self.ops[n]))
            for n in self.graph.nodes
            if isinstance(self.ops[n], LaunchOp) and self.ops[n].kernel() is not None
        }
        work = self.graph.copy()
        merged_any = True
        while merged_any:
            merged_any = False
            for consumer, producer in self._candidates(work, groups):
                merged = self._try_merge(work, producer, consumer, groups)
                if merged is None:
                    continue
                work = _contract(work, consumer, producer)
                groups[consumer] = merged
                del groups[producer]
                merged_any = True
                break

        fused = {rep: g for rep, g in groups.items() if len(g.members) > 1}
        if fused:
            self._rewrite(work, fused)

    @staticmethod
    def _candidates(work: nx.DiGraph, groups: dict[int, _Group]) -> list[tuple[int, int]]:
        """(consumer, producer) pairs where the producer writes a buffer the consumer then reads;
        consumers in program order, for each the nearest producer first."""
        pairs = []
        for consumer in sorted(groups):
            for producer in sorted(work.predecessors(consumer), reverse=True):
                if producer not in groups:
                    continue
                written = {b for b, a in groups[producer].accesses.items() if a.writes}
                read = {b for b, a in groups[consumer].accesses.items() if a.reads}
                if written & read:
                    pairs.append((consumer, producer))
        return pairs

    def _try_merge(
        self, work: nx.DiGraph, producer: int, consumer: int, groups: dict[int, _Group]
    ) -> _Group | None:
        first, second = groups[producer], groups[consumer]
        members = sorted(first.members + second.members)
        if self.options.max_kernels and len(members) > self.options.max_kernels:
            return None
        launches = [self.ops[m] for m in members]
        if len({launch.grid for launch in launches}) != 1:
            return None
        if any(has_early_exit(launch.kernel()) for launch in launches[:-1]):
            return None
        if not _same_thread_only(first.accesses, second.accesses):
            return None
        if not nx.is_directed_acyclic_graph(_contract(work, consumer, producer)):
            return None
        accesses = {b: Access(set(a.reads), set(a.writes)) for b, a in first.accesses.items()}
        for buffer, access in second.accesses.items():
            accesses.setdefault(buffer, Access()).merge(access)
        return _Group(members, accesses)

    # -- 3./4. rewriting ------------------------------------------------------------------------
    def _rewrite(self, work: nx.DiGraph, fused: dict[int, _Group]) -> None:
        key = {n: n for n in work.nodes}
        for rep, group in fused.items():
            key[rep] = group.members[-1]
        order = list(nx.lexicographical_topological_sort(work, key=lambda n: key[n]))

        replacement: dict[int, Operation] = {}
        dead: list[Operation] = []
        for rep, group in fused.items():
            launch, erased = self._materialize(group)
            replacement[rep] = launch
            dead.extend(erased)

        terminator = self.block.last_op
        assert terminator is not None and terminator.has_trait(IsTerminator)
        for n in sorted(work.nodes):
            self.ops[n].detach()
        for group in fused.values():
            for m in group.members:
                if self.ops[m].parent is not None:
                    self.ops[m].detach()
        for n in order:
            self.block.insert_op_before(replacement.get(n, self.ops[n]), terminator)
        for group in fused.values():
            for m in group.members:
                self.ops[m].erase()
        for op in dead:
            op.detach()
            op.erase()

    def _temporaries(self, group: _Group) -> dict[SSAValue, Signature]:
        """Buffers of `group` that live only inside it: value -> the one signature they use."""
        if self.options.keep_temporaries:
            return {}
        member_ops = {self.ops[m] for m in group.members}
        temps: dict[SSAValue, Signature] = {}
        for buffer, access in group.accesses.items():
            alloc = buffer.owner
            if not isinstance(alloc, memref.AllocOp) or alloc.parent is not self.block:
                continue
            if len(access.signatures) != 1 or not is_id_signature(next(iter(access.signatures))):
                continue
            if not all(u.operation in member_ops or isinstance(u.operation, memref.DeallocOp)
                       for u in buffer.uses):
                continue
            temps[buffer] = next(iter(access.signatures))
        return temps

    def _materialize(self, group: _Group) -> tuple[LaunchOp, list[Operation]]:
        """The launch of a new fused kernel for `group`, and the program ops it makes dead."""
        launches = [self.ops[m] for m in group.members]
        kernels = [l.kernel() for l in launches]
        temps = self._temporaries(group)

        # The fused kernel's parameters: the members' arguments, each value once.
        args: list[SSAValue] = []
        names: list[str] = []
        types: list[str] = []
        for launch, kernel in zip(launches, kernels, strict=True):
            for value, pname, ptype in zip(launch.args, kernel.names, kernel.types, strict=True):
                if value in temps or value in args:
                    continue
                # The program's name for the value reads best (`%o1`, `%t`); else the kernel's.
                base = value.name_hint if (value.name_hint or "").isidentifier() else pname
                name, suffix = base, 1
                while name in names:
                    name = f"{base}_{suffix}"
                    suffix += 1
                args.append(value)
                names.append(name)
                types.append(ptype)

        fused = KernelOp(
            self._fresh_name(kernels),
            names,
            types,
            [a.type for a in args],
            grid=self._grid(launches, kernels, args),
        )
        fused.attributes["fused_from"] = ArrayAttr([StringAttr(k.kernel_name) for k in kernels])
        body = fused.body.block
        for arg, name in zip(body.args, names, strict=True):
            arg.name_hint = name
        slots: dict[SSAValue, SSAValue] = {}
        for temp in temps:
            assert isinstance(temp.type, MemRefType)
            alloca = memref.AllocaOp.get(temp.type.get_element_type(), shape=[])
            if temp.name_hint:
                alloca.memref.name_hint = f"{temp.name_hint}_elem"
            body.add_op(alloca)
            slots[temp] = alloca.memref

        for launch, kernel in zip(launches, kernels, strict=True):
            clone = kernel.clone()
            block = clone.body.block
            for value, param in zip(launch.args, block.args, strict=True):
                if value in slots:
                    _privatize(param, slots[value])
                else:
                    param.replace_all_uses_with(body.args[args.index(value)])
            for op in list(block.ops):
                if isinstance(op, ReturnOp):
                    continue
                op.detach()
                body.add_op(op)
            clone.erase(safe_erase=False)
        body.add_op(ReturnOp())
        _tidy(fused, list(slots.values()))

        self.module.body.block.insert_op_before(fused, self.program)
        new_launch = LaunchOp(fused.kernel_name, launches[0].grid, args)

        dead: list[Operation] = []
        for temp in temps:
            for use in list(temp.uses):
                if isinstance(use.operation, memref.DeallocOp):
                    dead.append(use.operation)
            dead.append(temp.owner)
        return new_launch, dead

    def _fresh_name(self, kernels: list[KernelOp]) -> str:
        taken = {o.kernel_name for o in self.module.body.block.ops if isinstance(o, KernelOp)}
        taken |= {o.sym_name.data for o in self.module.body.block.ops if isinstance(o, func.FuncOp)}
        base = "fused_" + "_".join(k.kernel_name for k in kernels)
        name, suffix = base, 1
        while name in taken:
            name = f"{base}_{suffix}"
            suffix += 1
        return name

    @staticmethod
    def _grid(launches: list[LaunchOp], kernels: list[KernelOp], args: list[SSAValue]
              ) -> Region | None:
        """The members' common grid region over the fused kernel's parameters, if they agree."""
        found: Region | None = None
        arg_types = [a.type for a in args]
        for launch, kernel in zip(launches, kernels, strict=True):
            region = kernel.grid_region
            if region is None:
                return None
            positions = [args.index(v) if v in args else None for v in launch.args]
            mapped = remap_grid(region, positions, arg_types)
            if mapped is None or found is not None and not same_grid(found, mapped):
                return None
            found = found or mapped
        return found


def _contract(graph: nx.DiGraph, keep: int, gone: int) -> nx.DiGraph:
    """`graph` with node `gone` merged into `keep`; parallel edges' dependences are united."""
    result = graph.copy()
    for u, _, data in graph.in_edges(gone, data=True):
        if u != keep:
            _add_deps(result, u, keep, data["deps"])
    for _, v, data in graph.out_edges(gone, data=True):
        if v != keep:
            _add_deps(result, keep, v, data["deps"])
    result.remove_node(gone)
    return result


def _add_deps(graph: nx.DiGraph, u: int, v: int, deps: set) -> None:
    if graph.has_edge(u, v):
        graph.edges[u, v]["deps"] = graph.edges[u, v]["deps"] | deps
    else:
        graph.add_edge(u, v, deps=set(deps))


def _same_thread_only(first: dict[SSAValue, Access], second: dict[SSAValue, Access]) -> bool:
    """Every buffer both groups touch, where one writes, is accessed by both at one id signature."""
    for buffer, a in first.items():
        b = second.get(buffer)
        if b is None or not (a.writes or b.writes):
            continue
        signatures = a.signatures | b.signatures
        if len(signatures) != 1 or not is_id_signature(next(iter(signatures))):
            return False
    return True


def _tidy(kernel: KernelOp, slots: list[SSAValue]) -> None:
    """Make the fused body read like one kernel, so the C compiler can vectorize it.

    The members' identical guards become one `scf.if` (CSE makes them the same value, then
    adjacent ifs on one condition merge), each load of a temporary's slot that follows a store to
    it in the same thread is replaced by the stored value, and slots nobody loads disappear.
    """
    cse(kernel.body)
    _merge_ifs(kernel.body.block)
    cse(kernel.body)
    for slot in slots:
        _forward(kernel.body.block, slot, None)
        if not any(isinstance(u.operation, memref.LoadOp) for u in slot.uses):
            for use in list(slot.uses):
                use.operation.detach()
                use.operation.erase()
            slot.owner.detach()
            slot.owner.erase()


def _merge_ifs(block: Block) -> None:
    """`scf.if %c {A} else {B}; scf.if %c {C} else {D}` -> `scf.if %c {A; C} else {B; D}`.

    Sound because the condition is one SSA value, fixed before both; only for ifs without results
    and a first if that cannot end the thread early.
    """
    op = block.first_op
    while op is not None:
        nxt = op.next_op
        if (
            isinstance(op, scf.IfOp) and isinstance(nxt, scf.IfOp) and op.cond is nxt.cond
            and not op.results and not nxt.results
            and not any(isinstance(o, ExitOp) for o in op.walk())
        ):
            for mine, theirs in ((op.true_region, nxt.true_region),
                                 (op.false_region, nxt.false_region)):
                if not theirs.blocks:
                    continue
                if not mine.blocks:
                    mine.add_block(Block())
                    mine.block.add_op(scf.YieldOp())
                target = mine.block
                terminator = target.last_op
                for moved in list(theirs.block.ops):
                    if moved is theirs.block.last_op:
                        break
                    moved.detach()
                    target.insert_op_before(moved, terminator)
            nxt.detach()
            nxt.erase()
            continue  # the merged if may merge with the next one too
        op = nxt


def _forward(block: Block, slot: SSAValue, known: SSAValue | None) -> SSAValue | None:
    """Replace loads of `slot` by the value last stored to it on the way there; returns what is
    known at the end of `block` (None: unknown)."""
    for op in list(block.ops):
        if isinstance(op, memref.LoadOp) and op.memref is slot:
            if known is not None:
                op.res.replace_all_uses_with(known)
                op.detach()
                op.erase()
            continue
        if isinstance(op, memref.StoreOp) and op.memref is slot:
            known = op.value
            continue
        if not op.regions:
            continue
        stores_inside = any(
            isinstance(o, memref.StoreOp) and o.memref is slot for o in op.walk()
        )
        # Inside a loop a load may see a store of the previous iteration; inside an if it sees
        # what was known before the if.
        inherited = known if isinstance(op, scf.IfOp) or not stores_inside else None
        for region in op.regions:
            for inner in region.blocks:
                _forward(inner, slot, inherited)
        if stores_inside:
            known = None
    return known


def _privatize(param: SSAValue, slot: SSAValue) -> None:
    """Every `load/store param[id]` of a temporary becomes a load/store of the thread's slot."""
    for use in list(param.uses):
        op = use.operation
        if isinstance(op, memref.LoadOp):
            new = memref.LoadOp.get(slot, [])
            op.parent_block().insert_op_before(new, op)
            op.res.replace_all_uses_with(new.res)
        elif isinstance(op, memref.StoreOp):
            new = memref.StoreOp.get(op.value, slot, [])
            op.parent_block().insert_op_before(new, op)
        else:  # the analysis only lets loads and stores through
            raise AssertionError(f"fuse: cannot privatize a use by {op.name}")
        op.detach()
        op.erase()
