"""gemv and gemm: hologram.ops, the natural one-output-per-id kernels, numpy (OpenBLAS), Numba."""

import pytest

from benchmarks.conftest import params, run_benchmark
from benchmarks.entries import la_gemm, la_gemv


@pytest.mark.parametrize("size, impl", params([1_024], ["hologram", "hologram kernel", "numpy",
                                                        "numba"]))
def test_gemv(benchmark, size, impl):
    run_benchmark(benchmark, la_gemv, size, impl)


@pytest.mark.parametrize("size, impl", params([256, 512], ["hologram", "hologram seed kernel",
                                                           "numpy", "numba"]))
def test_gemm(benchmark, size, impl):
    run_benchmark(benchmark, la_gemm, size, impl)
