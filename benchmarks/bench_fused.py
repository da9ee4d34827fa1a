"""Fused chains through @hologram.jit against numpy's expression, Hologram op by op, and Numba."""

import pytest

from benchmarks.conftest import params, run_benchmark
from benchmarks.entries import FUSED, _fused_factory

IMPLS = ["hologram jit", "hologram op-by-op", "numpy", "numba"]


@pytest.mark.parametrize("chain", list(FUSED))
@pytest.mark.parametrize("size, impl", params([1_000_000], IMPLS))
def test_chain(benchmark, chain, size, impl):
    run_benchmark(benchmark, _fused_factory(chain), size, impl)
