"""Launch overhead: an empty kernel, vector_add at n=100, and a launch with 3 arrays and a scalar
at n = 1, 100, 1000 (grid inferred and given), against numpy's smallest calls."""

import pytest

from benchmarks.conftest import params, run_benchmark
from benchmarks.entries import ew_vector_add, launch_empty, launch_three_arrays


@pytest.mark.parametrize("size, impl", params([1], ["hologram", "numpy", "python call"]))
def test_empty_kernel(benchmark, size, impl):
    run_benchmark(benchmark, launch_empty, size, impl)


@pytest.mark.parametrize("size, impl", params([100], ["hologram", "numpy", "numba"]))
def test_vector_add_small(benchmark, size, impl):
    run_benchmark(benchmark, ew_vector_add, size, impl)


@pytest.mark.parametrize("size, impl", params([1, 100, 1_000],
                                              ["hologram", "hologram grid=n", "numpy"]))
def test_three_arrays_and_a_scalar(benchmark, size, impl):
    run_benchmark(benchmark, launch_three_arrays, size, impl)
