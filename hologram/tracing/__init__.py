"""`@hologram.jit`: trace calls of `hologram.ops` into one program, fuse it, compile it, call it.

    @hologram.jit
    def f(a, b, c):
        return hologram.ops.sigmoid(a * b + c)

    f(a, b, c)        # the first call per (dtypes, ranks) traces, compiles and caches
    f.mlir()          # the program before and after the pipeline (with `fuse`)
    f.c_source()      # the C of the compiled program

How it works. The first call with a new combination of argument kinds (array dtype and rank, and
which dimensions are 1, so broadcasting is known; or "scalar") runs the Python function on
*traced* values: every `hologram.ops` call (through `hologram/ops/_dispatch.py`) and every
arithmetic operator (`a * b + c`, `-a`, `a / 2.0`, `2.0 * a`) is recorded instead of computed.
The record becomes a program (a `func.func` of `hologram.launch`es of stdlib kernels on buffers,
docs/ir.md "Programs"), which runs through `fuse` and then `hologram.passes.DEFAULT_PIPELINE`, is
compiled by the C backend, and is called with one C call per call of `f`.

Shapes are symbolic while tracing: operands of an elementwise op must have equal dimensions (or
broadcast, numpy's rules, where a dimension that is 1 at the first call stays 1), checked at every
call with an error that names the op. Scalars: Python numbers in the function body are constants
of the program; scalar *arguments* of `f` are parameters of the program (float64, converted to the
kernel's type), so calling with another value does not retrace.

Supported: every elementwise op of `hologram.ops` (the shared registry
`hologram.ops._ufunc.UFUNCS`: arithmetic, comparisons, logic, math, activations) on float32,
float64, int32, int64 and bool arrays, `where`, `fma`, `clip`, the
whole-array and per-axis `sum` and `mean`, per-axis `max`/`min`, and `softmax`/`log_softmax` along
one axis. Reductions and row-wise ops run as their own launches in the same program (the `fuse`
pass refuses what it cannot fuse). Anything else raises `JitError` naming the op.

The package's parts: `shapes` (symbolic dimensions and sizes), `values` (traced arrays and
scalars, the hook `hologram.ops` calls), `rules` (how each op becomes kernel launches), `program`
(the trace as a program, the pipeline) and `function` (`@hologram.jit` and its cache).
"""

from hologram.tracing.errors import JitError
from hologram.tracing.function import JitFunction, jit
from hologram.tracing.values import Traced, TracedScalar, is_tracing, trace_call

__all__ = ["jit", "JitFunction", "JitError", "is_tracing", "trace_call", "Traced", "TracedScalar"]
