"""`split-accumulators`: the documented summation order, computed here step by step in float32,
gives the kernel's bits exactly; max and min (exact in any order) match the sequential loop
bit for bit, NaN and signed zeros included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import hologram

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "benchmarks" / "corpus_kernels.py"
_CACHE: dict = {}


def _kernels(pipeline: str):
    if pipeline not in _CACHE:
        _CACHE[pipeline] = hologram.load_kernels(CORPUS, pipeline=pipeline)
    return _CACHE[pipeline]


SPLIT = "canonicalize,split-accumulators{lanes=%d},parallelize"
SEQUENTIAL = "canonicalize,parallelize"


def documented_order(row: np.ndarray, lanes: int, init=np.float32(0.0)) -> np.float32:
    """The order docs/passes.md gives, in float32 one operation at a time."""
    n = len(row)
    main = n // lanes * lanes
    partial = [np.float32(-0.0)] * lanes
    for j in range(main):
        partial[j % lanes] = np.float32(partial[j % lanes] + row[j])
    s = lanes // 2
    while s >= 1:
        for l in range(s):
            partial[l] = np.float32(partial[l] + partial[l + s])
        s //= 2
    acc = np.float32(init + partial[0])
    for j in range(main, n):
        acc = np.float32(acc + row[j])
    return acc


@pytest.mark.parametrize("lanes", [2, 8, 64])
@pytest.mark.parametrize("rows,cols", [(1, 1), (3, 7), (5, 64), (4, 129), (2, 1000)])
def test_row_sum_follows_the_documented_order(lanes, rows, cols):
    k = _kernels(SPLIT % lanes)["row_sum"]
    x = (np.random.default_rng(cols).standard_normal((rows, cols)) * 1e3).astype(np.float32)
    out = np.zeros(rows, np.float32)
    k(x.reshape(-1), out, rows, cols)
    want = np.array([documented_order(r, lanes) for r in x], np.float32)
    assert np.array_equal(out, want)


@pytest.mark.parametrize("name", ["row_max", "column_max"])
@pytest.mark.parametrize("lanes", [2, 16, 64])
def test_max_is_bit_identical_to_the_sequential_loop(name, lanes):
    rows, cols = 37, 203
    x = np.random.default_rng(1).standard_normal((rows, cols)).astype(np.float32)
    x[3, 5] = np.nan
    x[7, :] = -0.0
    x[7, 100] = 0.0
    x[9, :] = -np.inf
    outs = []
    for pipe in (SPLIT % lanes, SEQUENTIAL):
        out = np.zeros(max(rows, cols), np.float32)
        _kernels(pipe)[name](x.reshape(-1), out, rows, cols)
        outs.append(out)
    assert np.array_equal(outs[0], outs[1], equal_nan=True)
    assert np.array_equal(outs[0].view(np.uint32), outs[1].view(np.uint32))


def test_strict_keeps_the_sequential_sum():
    strict = hologram.load_kernels(CORPUS, pipeline="canonicalize,split-accumulators{strict=true},"
                                                    "parallelize")["row_sum"]
    rows, cols = 3, 300
    x = np.random.default_rng(2).standard_normal((rows, cols)).astype(np.float32)
    out = np.zeros(rows, np.float32)
    strict(x.reshape(-1), out, rows, cols)
    want = []
    for r in x:
        acc = np.float32(0.0)
        for v in r:
            acc = np.float32(acc + v)
        want.append(acc)
    assert np.array_equal(out, np.array(want, np.float32))
