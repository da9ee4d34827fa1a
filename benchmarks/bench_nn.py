"""Softmax, layer norm and conv2d through hologram.ops, against numpy and Numba."""

import pytest

from benchmarks.conftest import params, run_benchmark
from benchmarks.entries import nn_conv2d, nn_layer_norm, nn_softmax

IMPLS = ["hologram", "numpy", "numba"]


@pytest.mark.parametrize("size, impl", params([(1_000, 1_000)], IMPLS))
def test_softmax(benchmark, size, impl):
    run_benchmark(benchmark, nn_softmax, size, impl)


@pytest.mark.parametrize("size, impl", params([(1_000, 1_000)], IMPLS))
def test_layer_norm(benchmark, size, impl):
    run_benchmark(benchmark, nn_layer_norm, size, impl)


@pytest.mark.parametrize("size, impl", params([(1, 64, 56, 56, 64)], IMPLS))
def test_conv2d(benchmark, size, impl):
    run_benchmark(benchmark, nn_conv2d, size, impl)
