"""hologram.ops shape ops (exact copies) and the Grover simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

import hologram.ops as ops


def data(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("shape", [(1, 1), (37, 53), (1, 3072), (3072, 1), (0, 4), (317, 316)])
def test_transpose_2d(shape):
    x = data(shape, 1)
    got = ops.transpose(x)
    assert got.flags.c_contiguous
    np.testing.assert_array_equal(got, x.T)


@pytest.mark.parametrize("shape,axes", [((2, 3, 4), None), ((2, 3, 4), (1, 0, 2)),
                                        ((2, 3, 4, 5), (3, 1, 0, 2)), ((5,), None),
                                        ((2, 0, 3), (2, 1, 0)), ((4, 6), (0, 1))])
def test_transpose_axes(shape, axes):
    x = data(shape, 2)
    np.testing.assert_array_equal(ops.transpose(x, axes), np.transpose(x, axes))


@pytest.mark.parametrize("key", [np.s_[::2], np.s_[1:-1], np.s_[::-1], np.s_[5:2:-2],
                                 np.s_[:, 3], np.s_[2, :, ::-3], np.s_[..., 1:], np.s_[None, 1],
                                 np.s_[1, 2, 3], np.s_[7:7]])
def test_slice(key):
    x = data((9, 8, 7), 3)
    try:
        want = x[key]
    except IndexError:
        pytest.skip("not a valid key for this shape")
    got = ops.slice(x, key)
    assert got.flags.c_contiguous and not np.shares_memory(got, x)
    np.testing.assert_array_equal(got, want)


def test_concatenate():
    a, b, c = data((3, 4, 5), 1), data((3, 2, 5), 2), data((3, 0, 5), 3)
    np.testing.assert_array_equal(ops.concatenate([a, b, c], axis=1),
                                  np.concatenate([a, b, c], axis=1))
    np.testing.assert_array_equal(ops.concatenate((a, a), axis=0), np.concatenate((a, a)))
    np.testing.assert_array_equal(ops.concatenate([a, a], axis=-1), np.concatenate([a, a], -1))
    v = [data(n, n) for n in (1, 7, 3072, 100003)]
    np.testing.assert_array_equal(ops.concatenate(v), np.concatenate(v))


def test_take_and_gather():
    x = data((6, 7, 8), 4)
    idx = np.array([0, 5, -1, 2, 2])
    for axis in (0, 1, 2, -1):
        np.testing.assert_array_equal(ops.take(x, idx, axis=axis), np.take(x, idx, axis=axis))
        np.testing.assert_array_equal(ops.gather(x, idx.astype(np.int32), axis=axis),
                                      np.take(x, idx, axis=axis))
    np.testing.assert_array_equal(ops.take(x, np.array([[0, 335], [-336, 9]])),
                                  np.take(x, np.array([[0, 335], [-336, 9]])))
    emb = data((100003, 4), 5)
    rows = np.array([100002, 0, 77777])
    np.testing.assert_array_equal(ops.gather(emb, rows), emb[rows])
    assert ops.take(x, np.zeros(0, np.int64), axis=1).shape == (6, 0, 8)


@pytest.mark.parametrize("shape,width", [((5,), 2), ((5,), (1, 3)), ((3, 4), ((1, 2), (0, 3))),
                                         ((2, 3, 4), ((0, 0), (2, 1), (1, 1))), ((0, 3), 1),
                                         ((3, 3), 0)])
def test_pad(shape, width):
    x = data(shape, 6)
    np.testing.assert_array_equal(ops.pad(x, width), np.pad(x, width))
    np.testing.assert_array_equal(ops.pad(x, width, constant_values=-2.5),
                                  np.pad(x, width, constant_values=-2.5))


def test_shape_errors():
    x = data((3, 4), 7)
    with pytest.raises(IndexError, match="hologram.ops.take: index 12 is out of bounds"):
        ops.take(x, np.array([12]))
    with pytest.raises(IndexError, match="hologram.ops.gather: index -5 is out of bounds for "
                                         "axis 1 with size 4"):
        ops.gather(x, np.array([-5]), axis=1)
    with pytest.raises(TypeError, match="hologram.ops.take: argument 'indices' must hold "
                                        "integers, got float32"):
        ops.take(x, np.array([1.0], np.float32))
    with pytest.raises(ValueError, match=r"argument 'arrays\[1\]' has shape \(3, 5\)"):
        ops.concatenate([x, data((3, 5), 8)], axis=0)
    with pytest.raises(TypeError, match="hologram.ops.slice: argument 'key' may hold slices"):
        ops.slice(x, np.array([0, 1]))
    with pytest.raises(ValueError, match="hologram.ops.pad: mode 'reflect' is not supported"):
        ops.pad(x, 1, mode="reflect")
    with pytest.raises(ValueError, match="hologram.ops.transpose: bad argument 'axes'"):
        ops.transpose(data((2, 3, 4), 9), (0, 0, 1))


@pytest.mark.parametrize("qubits,marked", [(1, 0), (6, 42), (10, [3, 700, 1000]), (16, 12345)])
def test_grover_search_amplifies_the_marked_states(qubits, marked):
    n = 1 << qubits
    m = np.atleast_1d(marked)
    state = ops.grover_search(qubits, marked)
    assert state.shape == (n,) and state.dtype == np.float32
    # Reference: the same iteration in float64 numpy.
    ref = np.full(n, 1 / math.sqrt(n))
    for _ in range(int(math.floor(math.pi / 4 * math.sqrt(n / len(m))))):
        ref[m] *= -1
        ref = 2 * ref.mean() - ref
    np.testing.assert_allclose(state, ref, atol=1e-5)
    np.testing.assert_allclose(np.sum(state.astype(np.float64) ** 2), 1.0, atol=1e-4)
    if qubits >= 6:
        assert set(np.argsort(state ** 2)[-len(m):]) == set(m.tolist())
        assert np.sum(state[m].astype(np.float64) ** 2) > 0.9


def test_grover_errors():
    with pytest.raises(ValueError, match="marked index out of range"):
        ops.grover_search(3, 8)
    with pytest.raises(ValueError, match="num_qubits' must be >= 1"):
        ops.grover_search(0, 0)
