"""The report's table of benchmarks: one entry per op, each a factory of one case per size.

Adding a benchmark is adding an `Entry` to `ENTRIES`: a group, an op name, the sizes (full run and
`--quick`), and a function that prepares inputs for one size and returns the implementations to
time as zero-argument callables. Missing features raise `Skip` inside the callables (or in the
factory) and show up as notes in the report.

Conventions:
* "numpy" is the expression a user writes (`a + b`, `1 / (1 + np.exp(-(a * b + c)))`), which
  allocates its result, as numpy code does; Hologram kernels write into a preallocated output,
  as kernel code does, and `hologram.ops` calls allocate like numpy.
* Inputs are float32, uniform in [-1, 1) (a fixed seed), unless the op needs otherwise.
* `bytes` is the minimal traffic of one call: every input read once, every output written once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from benchmarks import hg
from benchmarks.corpus import CORPUS, OPS_GEMM
from benchmarks.harness import Case, Impl
from benchmarks.numba_impls import load as numba

F32 = 4
BLAS_PAUSE_S = 0.1  # after numpy's multi-threaded BLAS calls: OpenBLAS's workers spin that long
ELEMENTWISE_SIZES = [100, 1_000, 3_072, 100_000, 1_000_000, 16_000_000]
ELEMENTWISE_QUICK = [1_000, 100_000, 16_000_000]


@dataclass
class Entry:
    group: str
    op: str
    sizes: list
    quick_sizes: list
    factory: Callable[[object], Case]
    description: str = ""


def _rand(shape, seed: int, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def _label(size) -> str:
    if isinstance(size, tuple):
        return "×".join(str(s) for s in size)
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1_000 and size % 1_000 == 0:
        return f"{size // 1_000}k"
    return str(size)


def _lazy(build: Callable[[], Callable[[], object]]) -> Callable[[], object]:
    """An implementation whose set-up (kernel loading, compiling) happens at its first call, i.e.
    in the warm-up, so a missing feature becomes that implementation's Skip, not the case's."""
    state: dict = {}

    def run():
        if "fn" not in state:
            state["fn"] = build()
        return state["fn"]()

    return run


def _numba_impl(make: Callable[[object], Callable[[], object]]) -> Impl:
    return Impl(_lazy(lambda: make(numba())))


# ---------------------------------------------------------------------------------------------
# Launch overhead


def launch_empty(size) -> Case:
    out = np.zeros(1, np.float32)
    x1, y1, z1 = np.ones(1, np.float32), np.ones(1, np.float32), np.zeros(1, np.float32)

    def hologram_impl():
        k = hg.kernel("empty")
        return lambda: k(out, 1)

    def python_impl():
        def nothing(o, n):
            return None
        return lambda: nothing(out, 1)

    return Case("launch", "empty kernel", 1, "1", reference="numpy", impls={
        "hologram": Impl(_lazy(hologram_impl), check=False),
        "numpy": Impl(lambda: np.add(x1, y1, out=z1), check=False),
        "python call": Impl(_lazy(python_impl), check=False, ratio=False),
    }, notes=["numpy column: np.add(x, y, out=z) on 1-element arrays, numpy's cheapest call; "
              "python column: a Python function call with the same arguments"])


def launch_three_arrays(n) -> Case:
    """A kernel launch with 3 arrays and a scalar (vector_add) at small n: the launch path's
    cost, grid inferred and given, against numpy's cheapest comparable call."""
    x, y, z = _rand(n, 1), _rand(n, 2), np.zeros(n, np.float32)

    def inferred():
        k = hg.kernel("vector_add")
        return lambda: k(x, y, z, n)

    def explicit():
        k = hg.kernel("vector_add")
        return lambda: k(x, y, z, n, grid=n)

    return Case("launch", "3 arrays + scalar", n, _label(n), reference="numpy", impls={
        "hologram": Impl(_lazy(inferred), check=False),
        "hologram grid=n": Impl(_lazy(explicit), check=False),
        "numpy": Impl(lambda: np.add(x, y, out=z), check=False),
    }, notes=["3 arrays + scalar: vector_add(x, y, z, n) into a preallocated z; numpy column: "
              "np.add(x, y, out=z)"])


# ---------------------------------------------------------------------------------------------
# Elementwise kernels written the natural way, against numpy's expression and Numba


def _kernel_case(op, size, kernel_name, n_in, numpy_fn, numba_name, scalars=(), flops_per=1,
                 group="elementwise", rtol=1e-5, atol=1e-6, inputs=None):
    n = size
    ins = inputs if inputs is not None else [_rand(n, seed=i) for i in range(n_in)]
    out = np.empty(n, np.float32)

    def hologram_impl(get_kernel=hg.kernel):
        k = get_kernel(kernel_name)

        def run():
            k(*ins, *scalars, out, n)
            return out
        return run

    def numba_impl(nb):
        fn = getattr(nb, numba_name)
        out_nb = np.empty(n, np.float32)
        nb_scalars = tuple(np.float32(s) for s in scalars)

        def run():
            fn(*ins, *nb_scalars, out_nb)
            return out_nb
        return run

    impls = {
        "hologram": Impl(_lazy(hologram_impl)),
        "hologram mlir": Impl(_lazy(lambda: hologram_impl(hg.kernel_mlir))),
        "numpy": Impl(lambda: numpy_fn(*ins)),
    }
    if numba_name:
        impls["numba"] = _numba_impl(numba_impl)
    return Case(group, op, n, _label(n), impls=impls, bytes=(len(ins) + 1) * F32 * n,
                flops=flops_per * n, rtol=rtol, atol=atol)


def ew_vector_add(n):
    return _kernel_case("vector_add", n, "vector_add", 2, lambda a, b: a + b, "vector_add")


def ew_saxpy(n):
    alpha = 2.5
    return _kernel_case("saxpy", n, "saxpy", 2, lambda x, y: np.float32(alpha) * x + y, "saxpy",
                        scalars=(alpha,), flops_per=2)


def ew_mul_add(n):
    return _kernel_case("a*b+c", n, "mul_add", 3, lambda a, b, c: a * b + c, "mul_add",
                        flops_per=2)


def _np_sigmoid_mul_add(a, b, c):
    return 1 / (1 + np.exp(-(a * b + c)))


def ew_sigmoid(n):
    return _kernel_case("sigmoid(a*b+c) one kernel", n, "sigmoid_mul_add", 3, _np_sigmoid_mul_add,
                        "sigmoid_mul_add", flops_per=5)


def ew_tanh(n):
    return _kernel_case("tanh", n, "tanh_kernel", 1, np.tanh, "tanh", flops_per=1)


# ---------------------------------------------------------------------------------------------
# hologram.ops elementwise, against numpy


def _gelu_tanh_np(x):
    return 0.5 * x * (1 + np.tanh(np.float32(0.7978845608) * (x + np.float32(0.044715) * x * x * x)))


OPS_ELEMENTWISE = {
    # op name: (number of inputs, numpy function, extra kwargs for the op, input range)
    "add": (2, np.add, {}, None),
    "multiply": (2, np.multiply, {}, None),
    "exp": (1, np.exp, {}, None),
    "log": (1, np.log, {}, (0.01, 10.0)),
    "sqrt": (1, np.sqrt, {}, (0.0, 10.0)),
    "tanh": (1, np.tanh, {}, None),
    "sigmoid": (1, lambda x: 1 / (1 + np.exp(-x)), {}, None),
    "relu": (1, lambda x: np.maximum(x, np.float32(0)), {}, None),
    "gelu": (1, _gelu_tanh_np, {"approximate": "tanh"}, None),
}


OPS_QUICK = ("add", "exp", "sigmoid", "gelu")


def _ops_elementwise_factory(name):
    n_in, np_fn, kwargs, rng = OPS_ELEMENTWISE[name]

    def factory(n) -> Case:
        lo, hi = rng or (-1.0, 1.0)
        ins = [_rand(n, seed=10 + i, lo=lo, hi=hi) for i in range(n_in)]

        def hologram_impl():
            fn = hg.op(name)
            return lambda: fn(*ins, **kwargs)

        return Case("ops", f"ops.{name}", n, _label(n), impls={
            "hologram": Impl(_lazy(hologram_impl)),
            "numpy": Impl(lambda: np_fn(*ins)),
        }, bytes=(n_in + 1) * F32 * n, rtol=1e-5, atol=1e-6)

    return factory


# ---------------------------------------------------------------------------------------------
# Reductions


REDUCTION_SIZES = [100, 1_000, 3_072, 100_000, 1_000_000, 16_000_000]
REDUCTION_QUICK = [1_000, 100_000, 16_000_000]
NO_TREE_MAX_N = 1_000_000  # one atomic per element is slow: measure it on small sizes only


def _reduction_case(op, n, kernel_name, n_in, np_fn, numba_name, ops_name):
    ins = [_rand(n, seed=20 + i, lo=0.0, hi=1.0) for i in range(n_in)]

    def kernel_runner(get_kernel):
        def build():
            k = get_kernel()
            res = np.zeros(1, np.float32)

            def run():
                res[0] = 0.0
                k(*ins, res, n)
                return res[0]
            return run
        return build

    def ops_impl():
        fn = hg.op(ops_name)
        return lambda: fn(*ins)

    impls = {
        "hologram": Impl(_lazy(kernel_runner(lambda: hg.kernel(kernel_name)))),
        "hologram mlir": Impl(_lazy(kernel_runner(lambda: hg.kernel_mlir(kernel_name)))),
        "hologram ops": Impl(_lazy(ops_impl)),
        # np.dot of two vectors is OpenBLAS's multi-threaded sdot.
        "numpy": Impl(lambda: np_fn(*ins), pause_s=BLAS_PAUSE_S if np_fn is np.dot else 0.005),
        "numba": _numba_impl(lambda nb: (lambda: getattr(nb, numba_name)(*ins))),
    }
    if n <= NO_TREE_MAX_N:
        def no_tree():
            return hg.kernel_with_pipeline(
                kernel_name, hg.pipeline_without("atomic-to-tree-reduction"))
        # One float32 atomic per element accumulates in arrival order: looser tolerance.
        impls["hologram no-tree"] = Impl(_lazy(kernel_runner(no_tree)), rtol=1e-2)
    return Case("reductions", op, n, _label(n), impls=impls, bytes=n_in * F32 * n,
                flops=n_in * n, rtol=1e-4, atol=1e-3)


def red_sum(n):
    return _reduction_case("sum (atomic_add_f32)", n, "sum_atomic", 1, np.sum, "total", "sum")


def red_dot(n):
    return _reduction_case("dot (atomic_add_f32)", n, "dot_atomic", 2, np.dot, "dot", "dot")


# ---------------------------------------------------------------------------------------------
# Row-wise neural-network ops


ROW_SHAPES = [(64, 128), (1_000, 1_000), (4_096, 1_024)]
ROW_QUICK = [(1_000, 1_000)]


def _np_softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def nn_softmax(shape) -> Case:
    x = _rand(shape, seed=30, lo=-5.0, hi=5.0)
    out_nb = np.empty(shape, np.float32)

    def hologram_impl():
        fn = hg.op("softmax")
        return lambda: fn(x)

    def numba_impl(nb):
        def run():
            nb.softmax(x, out_nb)
            return out_nb
        return run

    size = shape[0] * shape[1]
    return Case("nn", "softmax", size, _label(shape), impls={
        "hologram": Impl(_lazy(hologram_impl)),
        "numpy": Impl(lambda: _np_softmax(x)),
        "numba": _numba_impl(numba_impl),
    }, bytes=2 * F32 * size, rtol=1e-4, atol=1e-6)


def _np_layer_norm(x, w, b, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + np.float32(eps)) * w + b


def nn_layer_norm(shape) -> Case:
    x = _rand(shape, seed=31)
    w = _rand(shape[1], seed=32)
    b = _rand(shape[1], seed=33)
    out_nb = np.empty(shape, np.float32)

    def hologram_impl():
        fn = hg.op("layer_norm")
        return lambda: fn(x, w, b, eps=1e-5)

    def numba_impl(nb):
        def run():
            nb.layer_norm(x, w, b, np.float32(1e-5), out_nb)
            return out_nb
        return run

    size = shape[0] * shape[1]
    return Case("nn", "layer_norm", size, _label(shape), impls={
        "hologram": Impl(_lazy(hologram_impl)),
        "numpy": Impl(lambda: _np_layer_norm(x, w, b)),
        "numba": _numba_impl(numba_impl),
    }, bytes=2 * F32 * size, rtol=1e-3, atol=1e-4)


# ---------------------------------------------------------------------------------------------
# Linear algebra


GEMV_SIZES = [256, 1_024, 4_096]
GEMV_QUICK = [1_024]


def la_gemv(n) -> Case:
    a = _rand((n, n), seed=40)
    x = _rand(n, seed=41)
    y = np.empty(n, np.float32)
    y_nb = np.empty(n, np.float32)
    a_flat = a.reshape(-1)

    def kernel_impl():
        k = hg.kernel("gemv_rows")

        def run():
            k(a_flat, x, y, n, n)
            return y
        return run

    def ops_impl():
        fn = hg.op("gemv")
        return lambda: fn(a, x)

    def numba_impl(nb):
        def run():
            nb.gemv(a, x, y_nb)
            return y_nb
        return run

    return Case("linalg", "gemv", n, f"{n}×{n}", impls={
        "hologram": Impl(_lazy(ops_impl)),
        "hologram kernel": Impl(_lazy(kernel_impl)),
        "numpy": Impl(lambda: a @ x, pause_s=BLAS_PAUSE_S),
        "numba": _numba_impl(numba_impl),
    }, bytes=F32 * (n * n + 2 * n), flops=2.0 * n * n, rtol=1e-3, atol=1e-3,
        notes=["hologram = ops.gemv; hologram kernel = one output row per id (benchmarks/kernels.py)"])


GEMM_SIZES = [256, 512, 1_024]
GEMM_QUICK = [256, 512]


def la_gemm(n) -> Case:
    a = _rand((n, n), seed=50)
    b = _rand((n, n), seed=51)
    c = np.empty(n * n, np.float32)
    c_nb = np.empty((n, n), np.float32)
    a_flat, b_flat = a.reshape(-1), b.reshape(-1)

    def kernel_impl(get_kernel=hg.kernel):
        k = get_kernel("gemm_f32")

        def run():
            k(a_flat, b_flat, c, n, n, n)
            return c
        return run

    def ops_impl():
        fn = hg.op("gemm")
        return lambda: fn(a, b)

    def numba_impl(nb):
        def run():
            nb.gemm(a, b, c_nb)
            return c_nb
        return run

    return Case("linalg", "gemm", n, f"{n}×{n}×{n}", impls={
        "hologram": Impl(_lazy(ops_impl)),
        "hologram seed kernel": Impl(_lazy(kernel_impl)),
        "hologram seed kernel mlir": Impl(_lazy(lambda: kernel_impl(hg.kernel_mlir))),
        "numpy": Impl(lambda: a @ b, pause_s=BLAS_PAUSE_S),
        "numba": _numba_impl(numba_impl),
    }, bytes=F32 * 3 * n * n, flops=2.0 * n ** 3, rtol=1e-3, atol=1e-3,
        notes=["hologram = ops.gemm; hologram seed kernel = one output element per id "
               "(gemm_f32 in benchmarks/kernels.py), built by the C backend or (mlir) through "
               "upstream MLIR; numpy = OpenBLAS sgemm"])


CONV_SHAPES = [(1, 3, 224, 224, 32), (1, 64, 56, 56, 64)]  # N, C, H, W, K; 3x3, padding 1
CONV_QUICK = [(1, 64, 56, 56, 64)]


def _np_conv2d(x, w, pad):
    from numpy.lib.stride_tricks import sliding_window_view

    r, s = w.shape[2], w.shape[3]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    win = sliding_window_view(xp, (r, s), axis=(2, 3))  # N C OH OW R S
    return np.einsum("ncijrs,kcrs->nkij", win, w, optimize=True)


def nn_conv2d(shape) -> Case:
    nb_, ch, h, wd, ko = shape
    x = _rand((nb_, ch, h, wd), seed=60)
    w = _rand((ko, ch, 3, 3), seed=61)
    out_nb = np.empty((nb_, ko, h, wd), np.float32)

    def ops_impl():
        fn = hg.op("conv2d")
        return lambda: fn(x, w, stride=1, padding=1)

    def numba_impl(nbm):
        def run():
            nbm.conv2d(x, w, out_nb, 1)
            return out_nb
        return run

    flops = 2.0 * nb_ * ko * ch * 9 * h * wd
    return Case("nn", "conv2d 3×3 pad 1", int(flops), f"{nb_}×{ch}×{h}×{wd} → {ko}", impls={
        "hologram": Impl(_lazy(ops_impl)),
        "numpy": Impl(lambda: _np_conv2d(x, w, 1), pause_s=BLAS_PAUSE_S),
        "numba": _numba_impl(numba_impl),
    }, bytes=F32 * (x.size + w.size + out_nb.size), flops=flops, rtol=1e-3, atol=1e-3,
        notes=["numpy = sliding_window_view + einsum(optimize=True) (im2col through BLAS)"])


# ---------------------------------------------------------------------------------------------
# Fused chains through @hologram.jit


FUSED_SIZES = [1_000, 100_000, 1_000_000, 16_000_000]
FUSED_QUICK = [1_000, 16_000_000]


def _chain_sigmoid(a, b, c):
    from hologram import ops

    return ops.sigmoid(ops.add(ops.multiply(a, b), c))


def _chain_gelu(x, bias):
    from hologram import ops

    return ops.gelu(ops.add(x, bias), approximate="tanh")


def _chain_five(a, b, c):
    from hologram import ops

    return ops.exp(ops.multiply(ops.tanh(ops.add(ops.multiply(a, b), c)), 0.5))


def _np_gelu_bias(x, bias):
    return _gelu_tanh_np(x + bias)


def _np_chain_five(a, b, c):
    return np.exp(np.tanh(a * b + c) * np.float32(0.5))


FUSED = {
    # name: (chain, number of inputs, numpy expression, numba function, ops in the chain)
    "sigmoid(a*b+c)": (_chain_sigmoid, 3, _np_sigmoid_mul_add, "sigmoid_mul_add", 3),
    "gelu(x+bias)": (_chain_gelu, 2, _np_gelu_bias, "gelu_bias", 2),
    "exp(tanh(a*b+c)*0.5)": (_chain_five, 3, _np_chain_five, "chain5", 5),
}


def _fused_factory(name):
    chain, n_in, np_fn, numba_name, n_ops = FUSED[name]

    def factory(n) -> Case:
        ins = [_rand(n, seed=70 + i) for i in range(n_in)]
        out_nb = np.empty(n, np.float32)

        def jit_impl():
            fused = hg.jit()(chain)
            return lambda: fused(*ins)

        def op_by_op_impl():
            hg.ops()
            return lambda: chain(*ins)

        def numba_impl(nb):
            fn = getattr(nb, numba_name)

            def run():
                fn(*ins, out_nb)
                return out_nb
            return run

        return Case("fused", name, n, _label(n), impls={
            "hologram jit": Impl(_lazy(jit_impl)),
            "hologram op-by-op": Impl(_lazy(op_by_op_impl)),
            "numpy": Impl(lambda: np_fn(*ins)),
            "numba": _numba_impl(numba_impl),
        }, bytes=(n_in + 1) * F32 * n, rtol=1e-4, atol=1e-5,
            notes=[f"{n_ops} ops; jit = one traced, fused program; op-by-op = the same "
                   "hologram.ops calls without @hologram.jit"])

    return factory


# ---------------------------------------------------------------------------------------------
# Bounds-checked launches (`boundscheck=True`): the same kernels with every access checked


BOUNDSCHECK_SIZES = [1_000, 100_000, 16_000_000]
BOUNDSCHECK_QUICK = [100_000]


def _checked_case(op, size, kernel_name, args, numpy_fn, out, bytes_, rtol=1e-5, atol=1e-6):
    def impl(load):
        def build():
            k = load(kernel_name)

            def run():
                if out.shape == (1,):
                    out[0] = 0.0
                k(*args)
                return out
            return run
        return build

    return Case("boundscheck", op, size, _label(size), impls={
        "hologram": Impl(_lazy(impl(hg.kernel))),
        "hologram boundscheck": Impl(_lazy(impl(hg.kernel_boundscheck))),
        "numpy": Impl(numpy_fn),
    }, bytes=bytes_, rtol=rtol, atol=atol,
        notes=["hologram boundscheck: the same kernel with every array access checked "
               "(IndexError on a bad index); its ratio against the unchecked column is the "
               "cost of the checks"])


def bc_vector_add(n):
    a, b, out = _rand(n, seed=1), _rand(n, seed=2), np.empty(n, np.float32)
    return _checked_case("vector_add", n, "vector_add", (a, b, out, n), lambda: a + b, out,
                         3 * F32 * n)


def bc_dot(n):
    a, b, r = _rand(n, seed=3), _rand(n, seed=4), np.zeros(1, np.float32)
    return _checked_case("dot (atomic_add_f32)", n, "dot_atomic", (a, b, r, n),
                         lambda: np.array([np.dot(a, b)], np.float32), r, 2 * F32 * n,
                         rtol=1e-3, atol=1e-3)


def bc_gemv(n):
    a, x, y = _rand((n, n), seed=40), _rand(n, seed=41), np.empty(n, np.float32)
    return _checked_case("gemv kernel", n, "gemv_rows", (a.reshape(-1), x, y, n, n),
                         lambda: a @ x, y, F32 * (n * n + 2 * n), rtol=1e-3, atol=1e-3)


# ---------------------------------------------------------------------------------------------


ENTRIES: list[Entry] = [
    Entry("launch", "empty kernel", [1], [1], launch_empty),
    Entry("launch", "vector_add n=100", [100], [100], ew_vector_add),
    Entry("launch", "3 arrays + scalar", [1, 100, 1_000], [100], launch_three_arrays),
    Entry("elementwise", "vector_add", ELEMENTWISE_SIZES, ELEMENTWISE_QUICK, ew_vector_add),
    Entry("elementwise", "saxpy", ELEMENTWISE_SIZES, ELEMENTWISE_QUICK, ew_saxpy),
    Entry("elementwise", "a*b+c", ELEMENTWISE_SIZES, ELEMENTWISE_QUICK, ew_mul_add),
    Entry("elementwise", "sigmoid(a*b+c) one kernel", ELEMENTWISE_SIZES, ELEMENTWISE_QUICK,
          ew_sigmoid),
    Entry("elementwise", "tanh", ELEMENTWISE_SIZES, ELEMENTWISE_QUICK, ew_tanh),
    *[Entry("ops", f"ops.{name}", [1_000, 100_000, 16_000_000],
            [100_000] if name in OPS_QUICK else [], _ops_elementwise_factory(name))
      for name in OPS_ELEMENTWISE],
    Entry("reductions", "sum", REDUCTION_SIZES, REDUCTION_QUICK, red_sum),
    Entry("reductions", "dot", REDUCTION_SIZES, REDUCTION_QUICK, red_dot),
    Entry("nn", "softmax", ROW_SHAPES, ROW_QUICK, nn_softmax),
    Entry("nn", "layer_norm", ROW_SHAPES, ROW_QUICK, nn_layer_norm),
    Entry("nn", "conv2d", CONV_SHAPES, CONV_QUICK, nn_conv2d),
    Entry("linalg", "gemv", GEMV_SIZES, GEMV_QUICK, la_gemv),
    Entry("linalg", "gemm", GEMM_SIZES, GEMM_QUICK, la_gemm),
    *[Entry("fused", name, FUSED_SIZES, FUSED_QUICK, _fused_factory(name)) for name in FUSED],
    Entry("boundscheck", "vector_add", BOUNDSCHECK_SIZES, BOUNDSCHECK_QUICK, bc_vector_add),
    Entry("boundscheck", "dot (atomic_add_f32)", BOUNDSCHECK_SIZES, BOUNDSCHECK_QUICK, bc_dot),
    Entry("boundscheck", "gemv kernel", [256, 2_048], [2_048], bc_gemv),
    *[Entry("corpus", name, sizes, quick, factory)
      for name, factory, sizes, quick in CORPUS + OPS_GEMM],
]

GROUP_TITLES = {
    "launch": "Launch overhead",
    "elementwise": "Elementwise kernels written the natural way",
    "ops": "hologram.ops elementwise",
    "reductions": "Reductions with atomic_add_f32",
    "nn": "Neural-network ops",
    "linalg": "Linear algebra",
    "fused": "Fused chains through @hologram.jit",
    "boundscheck": "Bounds-checked launches (boundscheck=True)",
    "corpus": "Kernel corpus, written the way users write them (benchmarks/corpus_kernels.py)",
    "compile": "Compile latency (cold, warm, import)",
}

# The implementation whose rate (GB/s, GFLOP/s) the table shows, per group.
PRIMARY = {"fused": "hologram jit"}
