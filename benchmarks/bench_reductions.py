"""Reductions through atomic_add_f32 kernels (with and without atomic-to-tree-reduction) and
hologram.ops.sum/dot, against numpy."""

import pytest

from benchmarks.conftest import params, run_benchmark
from benchmarks.entries import red_dot, red_sum

IMPLS = ["hologram", "hologram ops", "numpy", "numba"]


@pytest.mark.parametrize("size, impl", params([100_000, 1_000_000], IMPLS))
def test_sum(benchmark, size, impl):
    run_benchmark(benchmark, red_sum, size, impl)


@pytest.mark.parametrize("size, impl", params([100_000, 1_000_000], IMPLS))
def test_dot(benchmark, size, impl):
    run_benchmark(benchmark, red_dot, size, impl)


@pytest.mark.parametrize("size, impl", params([100_000], ["hologram", "hologram no-tree"]))
def test_sum_without_tree_reduction(benchmark, size, impl):
    run_benchmark(benchmark, red_sum, size, impl)
