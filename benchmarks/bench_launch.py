"""Launch overhead: an empty kernel and vector_add at n=100, against numpy's smallest calls."""

import pytest

from benchmarks.conftest import params, run_benchmark
from benchmarks.entries import ew_vector_add, launch_empty


@pytest.mark.parametrize("size, impl", params([1], ["hologram", "numpy", "python call"]))
def test_empty_kernel(benchmark, size, impl):
    run_benchmark(benchmark, launch_empty, size, impl)


@pytest.mark.parametrize("size, impl", params([100], ["hologram", "numpy", "numba"]))
def test_vector_add_small(benchmark, size, impl):
    run_benchmark(benchmark, ew_vector_add, size, impl)
