"""The `parallelize` pass: a SIMT kernel becomes an explicit parallel loop over its grid."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, scf
from xdsl.dialects.builtin import IndexType, ModuleOp, StringAttr, i64
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern
from xdsl.rewriter import InsertPoint

from hologram.analysis.guard import find_grid_guard
from hologram.analysis.reductions import clone_uniform
from hologram.dialects.hologram import (
    ATOMIC_OPS,
    SCHEDULES,
    BreakOp,
    ContinueOp,
    ExitOp,
    GlobalIdOp,
    GridSizeOp,
    KernelOp,
    ParallelForOp,
    YieldOp,
)

# Grids with fewer ids than this run serially on the calling thread. Measured on the project's
# 2-core machine, see the `threshold` option in the pass docstring.
DEFAULT_THRESHOLD = 32768
# The same for kernels whose ids each run an inner loop: every id does many times more work, so
# far fewer ids pay for the parallel region (a 128-row softmax or a 128x128 gemm must not run
# serially).
DEFAULT_LOOP_THRESHOLD = 256


def grid_threshold(ops: list[Operation], threshold: int = DEFAULT_THRESHOLD,
                   loop_threshold: int = DEFAULT_LOOP_THRESHOLD) -> int:
    """Ids below which a grid loop over `ops` runs serially: `loop_threshold` when the body
    has an inner loop (each id does a loop's worth of work), else `threshold`. The C backend
    uses it too, for a kernel no pass parallelized (one policy, one lowering)."""
    has_loop = any(isinstance(o, scf.ForOp | scf.WhileOp) for top in ops for o in top.walk())
    return loop_threshold if has_loop else threshold


def simd_blocker(ops: list[Operation]) -> str | None:
    """Why a grid loop over `ops` must not be marked `simd`, or None when it may be.

    `#pragma omp simd` promises that lanes may run in lock step. That excludes a jump out of the
    grid iteration (`hologram.exit`, printed as a jump), atomics (not allowed in a simd region),
    inner `scf.while` loops and `hologram.break`/`continue` (data-dependent control flow the
    vectorizer gives up on), and calls (`func.call` of a function that is not `declare simd`).
    Counted `scf.for` loops and `scf.if` are fine: the compiler if-converts them.
    """
    for top in ops:
        for op in top.walk():
            if isinstance(op, ExitOp):
                return "early return (hologram.exit)"
            if isinstance(op, ATOMIC_OPS):
                return f"atomic ({op.name})"
            if isinstance(op, BreakOp | ContinueOp):
                return f"{op.name} in an inner loop"
            if isinstance(op, scf.WhileOp):
                return "inner scf.while loop"
            if isinstance(op, func.CallOp):
                return "call of a function"
            if isinstance(op, scf.ForOp) and "partial results" in str(
                    op.attributes.get("split_accumulators", "")):
                # The inner loop is the one to vectorize (its partial results are independent);
                # `simd` on the grid loop would make gcc vectorize across ids instead: gathers.
                return "inner loop vectorized by split-accumulators"
    return None


def fill_grid_loop(loop: ParallelForOp, ops: list[Operation], clone: bool) -> None:
    """Put a kernel's SIMT `ops` (moved, or copied with `clone`) into the empty body of a grid
    loop, the thread id (`hologram.global_id`) becoming the loop's induction variable."""
    gid = loop.induction_var
    gid.name_hint = "gid"
    inner = loop.body.block
    mapper: dict[SSAValue, SSAValue] = {}
    for o in ops:
        if clone:
            inner.add_op(o.clone(mapper))
        else:
            o.detach()
            inner.add_op(o)
    inner.add_op(YieldOp())
    for ident in [o for o in inner.walk() if isinstance(o, GlobalIdOp)]:
        ident.result.replace_all_uses_with(gid)
        ident.detach()
        ident.erase()


@dataclass(frozen=True)
class Parallelize(ModulePass):
    """parallelize{schedule=static chunk=0 threshold=32768 loop-threshold=256 simd=true}

    Turns each SIMT `hologram.kernel` into an explicit loop over its grid:

        %n = hologram.grid_size : index
        hologram.parallel_for %gid = %c0 to %n step %c1 schedule(static) chunk(0) simd
            threshold(32768) { <the kernel body, hologram.global_id replaced by %gid> }

    which the C backend prints as `#pragma omp parallel for schedule(..) [simd]`, with a serial
    copy of the loop used when the grid has fewer than `threshold` ids.

    Guard split: when the body is exactly the canonical guard `scf.if (idx <u n) { B }`
    (`hologram.analysis.guard`; pure ops and locals' slots may precede it), the ids below
    `min(grid, n)` pass it, so a first loop runs `B` for them without the `if`, and a second
    loop runs the whole guarded body for the ids from `min(grid, n)` to the grid (normally
    none). A branch-free body is what lets gcc use the `declare simd notinbranch` vector math in
    the `simd` loop (with the branch, a `tanh` kernel's `parallel for simd` loop was not
    vectorized at all).

    Options:
    - `schedule`: OpenMP schedule, `static` (default), `dynamic` or `guided`.
    - `chunk`: the schedule's chunk size; 0 (default) leaves it to OpenMP.
    - `threshold`: grids with fewer ids run serially on the calling thread (0: always parallel).
      The default, 32768, was measured on this project's 2-core machine: the same kernels
      built with `threshold=0` (always parallel) and `threshold=1000000000` (always serial),
      `out = a*b + c` and `out = tanh(a)` on float32, timed (best of 300-2000 calls) at grids of
      1k to 262k ids. An empty parallel region cost 1.5-3 µs depending on the other work on
      the machine; the serial and parallel times crossed at 16k-64k ids (two runs under
      different load), and 32768 sits in that range. Numbers in docs/passes.md.
    - `loop-threshold`: the threshold used instead when the body has an inner loop (`scf.for`
      or `scf.while`): each id then does a loop's worth of work, so a row-wise kernel over 128
      rows is worth running in parallel. Default 256 ids.
    - `simd`: mark the loop `simd` where the body allows it (default true); false never does.
      The body allows it when it has no early return, no atomics, no inner `scf.while`, no
      `break`/`continue` and no calls (see `simd_blocker`). A refused loop carries the reason
      in its `no_simd` attribute.

    Leaves alone: operations that are not kernels (programs' `func.func`), and kernels that
    already contain a `hologram.parallel_for` (made by `atomic-to-tree-reduction`, which must
    therefore run before this pass: it needs the SIMT form to see which atomics are reductions).

    A kernel whose body returns early (`hologram.exit`) is still parallelized: the exit now ends
    the current grid iteration (the backend prints it as a jump to the loop's next iteration);
    such a loop is never `simd`.
    """

    name = "parallelize"

    schedule: str = "static"
    chunk: int = 0
    threshold: int = DEFAULT_THRESHOLD
    loop_threshold: int = DEFAULT_LOOP_THRESHOLD
    simd: bool = True

    def __post_init__(self) -> None:
        if self.schedule not in SCHEDULES:
            raise ValueError(
                f"parallelize: schedule must be one of {', '.join(SCHEDULES)}, "
                f"not '{self.schedule}'"
            )
        if self.chunk < 0:
            raise ValueError(f"parallelize: chunk must be >= 0, not {self.chunk}")
        if self.threshold < 0:
            raise ValueError(f"parallelize: threshold must be >= 0, not {self.threshold}")
        if self.loop_threshold < 0:
            raise ValueError(
                f"parallelize: loop-threshold must be >= 0, not {self.loop_threshold}"
            )

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        # Each kernel once (the rewrite moves the kernel's whole body into its grid loops).
        pattern = _ParallelizeKernel(self)
        for kernel in [k for k in op.walk() if isinstance(k, KernelOp)]:
            pattern.match_and_rewrite(kernel, PatternRewriter(kernel))

    def parallelize_kernel(self, kernel: KernelOp,
                           rewriter: PatternRewriter | None = None) -> None:
        rewriter = rewriter or PatternRewriter(kernel)
        block = kernel.body.block
        if any(isinstance(o, ParallelForOp) for o in kernel.walk()):
            return  # already explicit
        terminator = block.last_op
        assert terminator is not None
        body_ops = [o for o in block.ops if o is not terminator]
        guard = find_grid_guard(kernel)

        c0 = arith.ConstantOp.from_int_and_width(0, IndexType())
        c1 = arith.ConstantOp.from_int_and_width(1, IndexType())
        grid = GridSizeOp()
        c0.result.name_hint, c1.result.name_hint, grid.result.name_hint = "c0", "c1", "grid"
        head: list[Operation] = [c0, c1, grid]
        start: SSAValue = c0.result
        if guard is not None:
            # Ids below min(grid, n) pass the guard: run them without it (see analysis.guard).
            bound_ops, bound_value = clone_uniform(guard.bound, {})
            head += bound_ops
            wide = arith.ExtUIOp(bound_value, i64)
            bound = arith.IndexCastOp(wide.result, IndexType())
            end = arith.MinUIOp(grid.result, bound.result)
            end.result.name_hint = "guarded_end"
            head += [wide, bound, end]
            guarded = guard.guard.true_region.block
            unguarded = [o for o in guarded.ops if o is not guarded.last_op]
            fast = self._loop(c0.result, end.result, c1.result, guard.prefix + unguarded,
                              clone=True)
            fast.attributes["guard"] = StringAttr("removed: ids below min(grid, n)")
            head.append(fast)
            start = end.result
        head.append(self._loop(start, grid.result, c1.result, body_ops, clone=False))
        for new_op in head:
            rewriter.insert(new_op, InsertPoint.before(terminator))

    def _loop(self, lb: SSAValue, ub: SSAValue, step: SSAValue, ops: list[Operation],
              clone: bool) -> ParallelForOp:
        """A grid loop over [lb, ub) running `ops` (moved, or copied with `clone`)."""
        blocker = simd_blocker(ops) if self.simd else "simd=false"
        loop = ParallelForOp(
            lb, ub, step, Region(Block(arg_types=[IndexType()])),
            schedule=self.schedule, chunk=self.chunk,
            threshold=grid_threshold(ops, self.threshold, self.loop_threshold),
            simd=blocker is None,
        )
        if blocker is not None and self.simd:
            loop.attributes["no_simd"] = StringAttr(blocker)
        fill_grid_loop(loop, ops, clone)
        if clone:  # the guard's own compare is no longer used
            inner = loop.body.block
            for o in [o for o in inner.ops if isinstance(o, arith.CmpiOp) and not o.result.uses]:
                o.detach()
                o.erase()
        return loop


class _ParallelizeKernel(RewritePattern):
    def __init__(self, options: Parallelize):
        self.o = options

    @op_type_rewrite_pattern
    def match_and_rewrite(self, kernel: KernelOp, rewriter: PatternRewriter, /) -> None:
        self.o.parallelize_kernel(kernel, rewriter)
