"""Differential test of `fold-layout` on the project's own kernels: every kernel of these files
that the pass folds gives bit-identical arrays with and without it (stdlib GEMMs, transposes,
outer products, stencils), on small dimensions including 1 and 0."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import hologram
from hologram.passes.fold_layout import explain

ROOT = Path(__file__).resolve().parent.parent
FILES = ["stdlib/linalg.py", "stdlib/shape.py", "tests/kernels/matmul.py",
         "tests/kernels/stencils.py"]
DTYPES = {"f32": np.float32, "f64": np.float64, "i32": np.int32, "u32": np.uint32,
          "i64": np.int64, "u64": np.uint64, "bool": np.bool_}
# Every integer parameter (sizes, leading dimensions) takes its value from the tuple in turn;
# arrays are large enough for any index of up to three of them multiplied.
DIMS = [(1, 1, 1), (7, 5, 9), (13, 11, 3), (4, 13, 0)]
ARRAY_LEN = 6000


@pytest.fixture(scope="module", params=FILES)
def compiled(request):
    path = ROOT / request.param
    assert path.exists(), request.param
    plain = hologram.load_kernels(path, pipeline="")
    folded = hologram.load_kernels(path, pipeline="fold-layout")
    names = [n for n, k in plain.items() if not explain(k.kernel_op())]
    return plain, folded, names


def _args(kernel, dims, seed):
    rng = np.random.default_rng(seed)
    ints = iter(dims * 20)
    args = []
    for t in kernel.param_types:
        if t.endswith("[]"):
            args.append((rng.standard_normal(ARRAY_LEN) * 3).astype(DTYPES[t[:-2]]))
        elif t in ("u32", "i32", "u64", "i64"):
            args.append(next(ints))
        elif t in ("f32", "f64"):
            args.append(0.75 if seed % 2 else 0.0)
        else:
            args.append(True)
    return args


def test_folded_kernels_are_bit_identical(compiled):
    plain, folded, names = compiled
    assert names, "the pass folds none of this file's kernels"
    for name in names:
        for seed, dims in enumerate(DIMS):
            outs = []
            for kernels in (plain, folded):
                args = _args(plain[name], dims, seed)
                kernels[name](*args)
                outs.append([a for a in args if isinstance(a, np.ndarray)])
            for want, got in zip(*outs, strict=True):
                assert np.array_equal(want, got, equal_nan=True), (name, dims)


def test_the_gemm_kernels_get_the_gemm_nest():
    kernels = hologram.load_kernels(ROOT / "stdlib/linalg.py", pipeline="")
    for name in ("gemm_nn_f32", "gemm_nn_f64"):
        assert name in kernels, f"{name} not in stdlib/linalg.py"
        ir = kernels[name].mlir(pipeline="fold-layout")
        assert "%sum = memref.load %acc" in ir, name
