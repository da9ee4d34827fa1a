"""Elementwise kernels written the natural way, and hologram.ops elementwise, against numpy."""

import pytest

from benchmarks.conftest import params, run_benchmark
from benchmarks.entries import (
    OPS_ELEMENTWISE, _ops_elementwise_factory, ew_mul_add, ew_saxpy, ew_sigmoid, ew_tanh,
    ew_vector_add,
)

SIZES = [3_072, 1_000_000]
IMPLS = ["hologram", "numpy", "numba"]
KERNELS = {"vector_add": ew_vector_add, "saxpy": ew_saxpy, "mul_add": ew_mul_add,
           "sigmoid_mul_add": ew_sigmoid, "tanh": ew_tanh}


@pytest.mark.parametrize("kernel", list(KERNELS))
@pytest.mark.parametrize("size, impl", params(SIZES, IMPLS))
def test_kernel(benchmark, kernel, size, impl):
    run_benchmark(benchmark, KERNELS[kernel], size, impl)


@pytest.mark.parametrize("op", list(OPS_ELEMENTWISE))
@pytest.mark.parametrize("size, impl", params([100_000], ["hologram", "numpy"]))
def test_ops(benchmark, op, size, impl):
    run_benchmark(benchmark, _ops_elementwise_factory(op), size, impl)
