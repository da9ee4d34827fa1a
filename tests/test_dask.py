"""`hologram.ops` and `@hologram.jit` on Dask arrays (hologram/dask.py, docs/dask.md).

Results are compared with `dask.array`'s own expression on the same chunks (tolerances of
docs/ops.md) and, for elementwise ops, with the numpy op on the whole array (bit for bit for the
exact ops; math functions within the ops' tolerances). Each test runs under the synchronous and
the threaded scheduler; tests/test_dask_cluster.py runs a `LocalCluster` of two processes.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import warnings

import dask
import dask.array as da
import numpy as np
import pytest

import hologram
import hologram.ops as ops
from hologram.dask import ELEMENTWISE, RechunkWarning
from hologram.ops._ufunc import UFUNCS
from hologram.tracing import JitError

EPS = 2.0**-24


@pytest.fixture(params=["sync", "threads"], autouse=True)
def scheduler(request):
    with dask.config.set(scheduler=request.param):
        yield request.param


def rand(*shape, seed=0, lo=-2.0, hi=2.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape).astype(np.float32)


# Uneven chunks on purpose: the last chunk of each axis is shorter.
X = rand(103, 57)
DX = da.from_array(X, chunks=(25, 20))


# ------------------------------------------------------------------------------------------------
# Elementwise
# ------------------------------------------------------------------------------------------------
# The one-input ops with a float32 kernel and no required parameter (clip needs its bounds).
UNARY = sorted(name for name, u in UFUNCS.items()
               if name in ELEMENTWISE and u.nin == 1 and "f32" in u.types and name != "clip")


# Exact ops give the same bits however the array is chunked; the math functions' vector body
# and scalar remainder may round differently, and chunk boundaries move the remainder, so they
# are held to docs/ops.md's tolerances.
EXACT = {"negative", "abs", "relu", "leaky_relu", "sqrt"}


@pytest.mark.parametrize("name", UNARY)
def test_unary_matches_the_numpy_op(name):
    x = np.abs(X) + 0.1 if name in ("log", "sqrt", "rsqrt") else X
    dx = da.from_array(x, chunks=(25, 20))
    got = getattr(ops, name)(dx)
    assert isinstance(got, da.Array) and got.chunks == dx.chunks
    want = getattr(ops, name)(x)
    if name in EXACT or want.dtype.kind != "f":  # bool results (isnan...) are exact
        np.testing.assert_array_equal(got.compute(), want)
    else:
        np.testing.assert_allclose(got.compute(), want, rtol=2e-6, atol=1e-6)


DASK_OWN = {
    "negative": lambda d: -d, "abs": abs, "sqrt": da.sqrt, "exp": da.exp, "log": da.log,
    "sin": da.sin, "cos": da.cos, "tanh": da.tanh, "relu": lambda d: da.maximum(d, 0),
    "sigmoid": lambda d: 1 / (1 + da.exp(-d)),
}


@pytest.mark.parametrize("name", sorted(DASK_OWN))
def test_unary_matches_dask_arrays_own(name):
    x = np.abs(X) + 0.1 if name in ("log", "sqrt") else X
    dx = da.from_array(x, chunks=(25, 20))
    np.testing.assert_allclose(getattr(ops, name)(dx).compute(), DASK_OWN[name](dx).compute(),
                               rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("name, dask_op", [
    ("add", lambda a, b: a + b), ("subtract", lambda a, b: a - b),
    ("multiply", lambda a, b: a * b), ("divide", lambda a, b: a / b),
    ("minimum", da.minimum), ("maximum", da.maximum),
])
def test_binary_broadcasts_like_dask(name, dask_op):
    fn = getattr(ops, name)
    row = rand(57, seed=1)
    col = rand(103, 1, seed=2) + 3.0
    other = rand(103, 57, seed=3) + 3.0
    drow = da.from_array(row, chunks=30)
    dcol = da.from_array(col, chunks=(40, 1))
    dother = da.from_array(other, chunks=(50, 57))  # other chunks than DX: aligned by Dask
    cases = [(DX, dother), (DX, drow), (DX, dcol), (dcol, DX), (DX, 2.5), (2.5, DX),
             (DX, row), (row, DX)]
    for a, b in cases:
        got = fn(a, b)
        assert isinstance(got, da.Array)
        want = dask_op(a, b).compute()
        np.testing.assert_array_equal(got.compute(), want)


def test_ternary_and_parameterized_ops():
    cond = da.from_array(X > 0, chunks=(25, 20))
    np.testing.assert_array_equal(ops.where(cond, DX, 0.0).compute(),
                                  da.where(cond, DX, 0.0).compute())
    np.testing.assert_array_equal(ops.clip(DX, -0.5, None).compute(), np.clip(X, -0.5, None))
    np.testing.assert_array_equal(ops.leaky_relu(DX, 0.2).compute(), ops.leaky_relu(X, 0.2))
    np.testing.assert_allclose(ops.gelu(DX, approximate="tanh").compute(),
                               ops.gelu(X, approximate="tanh"), rtol=2e-6, atol=1e-6)
    np.testing.assert_array_equal(ops.fma(DX, DX, DX).compute(), ops.fma(X, X, X))
    np.testing.assert_array_equal(ops.axpy(2.0, DX, DX).compute(), ops.axpy(2.0, X, X))


def test_non_contiguous_chunks_are_computed_from_c_order_copies():
    dt = DX.T  # every chunk is a transposed view
    np.testing.assert_array_equal(ops.negative(dt).compute(), -X.T)
    rows_t = da.from_array(X, chunks=(25, 57)).T  # every chunk Fortran-ordered
    np.testing.assert_array_equal(ops.negative(rows_t).compute(), -X.T)
    np.testing.assert_array_equal(ops.add(rows_t, rows_t).compute(), X.T + X.T)
    np.testing.assert_allclose(ops.exp(dt).compute(), ops.exp(np.ascontiguousarray(X.T)),
                               rtol=2e-6)


def test_float64_where_the_op_has_a_kernel():
    x = X.astype(np.float64)
    dx = da.from_array(x, chunks=(25, 20))
    got = ops.exp(dx)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got.compute(), ops.exp(x), rtol=1e-14)


# ------------------------------------------------------------------------------------------------
# Reductions
# ------------------------------------------------------------------------------------------------
def _sum_bound(x, axis):
    return 1e-5 * np.sum(np.abs(x.astype(np.float64)), axis=axis) + 1e-6


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_sum_and_mean_match_dask(axis, keepdims):
    for name in ("sum", "mean"):
        got = getattr(ops, name)(DX, axis=axis, keepdims=keepdims)
        want = getattr(DX, name)(axis=axis, keepdims=keepdims).compute()
        assert isinstance(got, da.Array)
        got = got.compute()
        assert got.shape == want.shape and got.dtype == np.float32
        bound = _sum_bound(X, axis) / (X.size if axis is None else X.shape[axis]) \
            if name == "mean" else _sum_bound(X, axis)
        assert np.all(np.abs(got.astype(np.float64) - want)
                      <= np.reshape(bound, np.shape(want)) + 1e-6)


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_max_min_norm_match_dask(axis):
    for name, want in (("max", DX.max(axis=axis)), ("min", DX.min(axis=axis)),
                       ("norm", da.linalg.norm(DX, axis=axis))):
        got = getattr(ops, name)(DX, axis=axis).compute()
        if name == "norm":
            np.testing.assert_allclose(got, want.compute(), rtol=1e-5)
        else:
            np.testing.assert_array_equal(got, want.compute())


X3 = rand(11, 13, 9, seed=3)
DX3 = da.from_array(X3, chunks=(4, 5, 3))


@pytest.mark.parametrize("axis", [(0, 2), (2, 0), (1,), (0, 1, 2), (-1, 0)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_over_an_axis_tuple_match_numpy(axis, keepdims):
    for name in ("sum", "mean", "max", "min", "norm"):
        got = getattr(ops, name)(DX3, axis=axis, keepdims=keepdims)
        assert isinstance(got, da.Array)
        got = got.compute()
        if name == "norm":
            want = np.sqrt(np.sum(X3.astype(np.float64) ** 2, axis=axis, keepdims=keepdims))
        else:
            want = getattr(np, name)(X3.astype(np.float64), axis=axis, keepdims=keepdims)
        assert got.shape == want.shape and got.dtype == np.float32, name
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-5, err_msg=name)


def test_an_axis_tuple_with_a_repeat_or_out_of_range_is_refused():
    with pytest.raises(ValueError, match="duplicate"):
        ops.sum(DX3, axis=(0, -3))
    with pytest.raises(np.exceptions.AxisError, match="out of bounds"):
        ops.max(DX3, axis=(0, 3))


def test_max_propagates_nan_from_any_chunk():
    x = X.copy()
    x[90, 50] = np.nan
    dx = da.from_array(x, chunks=(25, 20))
    assert np.isnan(ops.max(dx).compute())
    np.testing.assert_array_equal(ops.max(dx, axis=0).compute(), np.max(x, axis=0))


def test_sum_is_deterministic_for_a_chunking():
    x = rand(200_001, seed=5, lo=-1e4, hi=1e4)
    dx = da.from_array(x, chunks=30_000)
    a, b = ops.sum(dx).compute(), ops.sum(dx).compute()
    assert a.tobytes() == b.tobytes()
    assert abs(float(a) - np.sum(x, dtype=np.float64)) <= _sum_bound(x, None)


def _levels(arr) -> int:
    """How many combine levels Dask's tree has before the aggregate."""
    return sum(1 for name in arr.dask.layers if "-partial-" in name)


def test_one_element_partials_are_combined_in_one_level():
    # 64 chunks, a one-element partial each: one aggregate over all of them, where Dask's
    # default fan-in (2 per axis of a 2-D array) makes 5 levels before its aggregate.
    x = rand(640, 8, seed=7)
    dx = da.from_array(x, chunks=(10, 8))
    for name in ("sum", "mean", "max", "norm", "argmax"):
        assert _levels(getattr(ops, name)(dx)) == 0, name
    assert _levels(dx.sum()) >= 2
    assert abs(float(ops.sum(dx).compute()) - np.sum(x, dtype=np.float64)) \
        <= _sum_bound(x, None)
    assert int(ops.argmax(dx).compute()) == int(np.argmax(x))


def test_more_chunks_than_one_level_takes_take_more_levels():
    x = rand(3_000, seed=8, lo=-1e3, hi=1e3)
    dx = da.from_array(x, chunks=10)  # 300 chunks: more than MAX_FAN_IN
    got = ops.sum(dx)
    assert _levels(got) == 1
    assert abs(float(got.compute()) - np.sum(x, dtype=np.float64)) <= _sum_bound(x, None)
    assert int(ops.argmin(dx).compute()) == int(np.argmin(x))
    np.testing.assert_array_equal(ops.max(dx).compute(), np.max(x))


def test_partials_as_big_as_a_chunk_keep_a_small_fan_in():
    from hologram.dask import MIN_FAN_IN, split_every

    # Summing along axis 1 leaves a (400_000, 1) partial per chunk, as big as the level budget
    # allows only MIN_FAN_IN of: 16 chunks along the axis take two levels.
    dx = da.zeros((400_000, 16), chunks=(400_000, 1), dtype=np.float32)
    assert split_every(dx, (1,), 4) == {1: MIN_FAN_IN}
    assert _levels(ops.sum(dx, axis=1)) == 1
    # An unsplit reduced axis gets no fan-in of its own.
    assert split_every(dx, (0, 1), 4) == {0: 2, 1: 16}


def test_a_configured_split_every_is_honoured():
    x = rand(640, 8, seed=9)
    dx = da.from_array(x, chunks=(10, 8))
    with dask.config.set(split_every=16):
        got = ops.sum(dx)
        assert _levels(got) == _levels(dx.sum()) >= 1
    assert abs(float(got.compute()) - np.sum(x, dtype=np.float64)) <= _sum_bound(x, None)


def test_sum_of_float64_over_the_whole_array():
    x = X.astype(np.float64)
    got = ops.sum(da.from_array(x, chunks=(25, 20))).compute()
    assert got.dtype == np.float64
    assert abs(got - x.sum()) <= 1e-12 * np.abs(x).sum()


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_arg_reductions_match_dask_with_ties_across_chunks(name, axis):
    x = np.round(X * 2) / 2  # many ties, in several chunks
    # Whole array: a tie in chunk (0, 1) at flat index 30 beats chunk (1, 0), which is later
    # in flat order although its block comes first along axis 1.
    x[0, 30] = x[30, 0] = 10.0 if name == "argmax" else -10.0
    dx = da.from_array(x, chunks=(25, 20))
    got = getattr(ops, name)(dx, axis=axis)
    want = getattr(da, name)(dx, axis=axis).compute()
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got.compute(), want)
    kept = getattr(ops, name)(dx, axis=axis, keepdims=True).compute()
    np.testing.assert_array_equal(kept, getattr(np, name)(x, axis=axis, keepdims=True))


def test_argmax_first_nan_wins():
    x = X.copy()
    x[60, 3] = x[70, 1] = np.nan
    dx = da.from_array(x, chunks=(25, 20))
    assert ops.argmax(dx).compute() == np.argmax(x)
    np.testing.assert_array_equal(ops.argmax(dx, axis=0).compute(), np.argmax(x, axis=0))


# ------------------------------------------------------------------------------------------------
# Products
# ------------------------------------------------------------------------------------------------
def _gemm_bound(a, b, k, alpha=1.0):
    return 2 * (k + 2) * EPS * abs(alpha) * (np.abs(a.astype(np.float64))
                                             @ np.abs(b.astype(np.float64))) + 1e-30


def test_vector_dot():
    a, b = rand(10_001, seed=1), rand(10_001, seed=2)
    got = ops.dot(da.from_array(a, chunks=3000), da.from_array(b, chunks=3000)).compute()
    exact = np.dot(a.astype(np.float64), b)
    assert abs(got - exact) <= 1e-5 * np.sum(np.abs(a.astype(np.float64) * b))


@pytest.mark.parametrize("k_chunks", [47, 20])  # one inner chunk (no partial sum), several
def test_matmul_blocked(k_chunks):
    a, b = rand(61, 47, seed=1), rand(47, 33, seed=2)
    da_, db = da.from_array(a, chunks=(30, k_chunks)), da.from_array(b, chunks=(k_chunks, 16))
    got = ops.matmul(da_, db).compute()
    want = (da_ @ db).compute()
    assert np.all(np.abs(got - want) <= 2 * _gemm_bound(a, b, 47))
    got_v = ops.matmul(da_, da.from_array(b[:, 0], chunks=k_chunks)).compute()
    assert np.allclose(got_v, a @ b[:, 0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ops.dot(da_, db).compute(), got, rtol=0, atol=0)


def test_gemm_transposes_alpha_beta():
    a, b, c = rand(40, 61, seed=1), rand(33, 40, seed=2), rand(61, 33, seed=3)
    da_ = da.from_array(a, chunks=(20, 30))
    db = da.from_array(b, chunks=(11, 20))
    got = ops.gemm(da_, db, C=c, alpha=0.5, beta=2.0, trans_a=True, trans_b=True).compute()
    want = 0.5 * a.T.astype(np.float64) @ b.T + 2.0 * c
    assert np.all(np.abs(got - want) <= _gemm_bound(a.T, b.T, 40, 0.5) + 4 * EPS * np.abs(c)
                  * 2 + 1e-6)


def test_mismatched_inner_chunks_rechunk_with_a_warning():
    a, b = rand(20, 30, seed=1), rand(30, 10, seed=2)
    with pytest.warns(RechunkWarning, match="inner dimension"):
        got = ops.matmul(da.from_array(a, chunks=(10, 15)), da.from_array(b, chunks=(10, 10)))
    np.testing.assert_allclose(got.compute(), a @ b, rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------------------------------------------
# Row-wise ops
# ------------------------------------------------------------------------------------------------
def test_softmax_along_an_unchunked_axis_does_not_rechunk():
    dx = da.from_array(X, chunks=(25, 57))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RechunkWarning)
        got = ops.softmax(dx, axis=1)
    assert got.chunks == dx.chunks
    e = da.exp(dx - dx.max(axis=1, keepdims=True))
    np.testing.assert_allclose(got.compute(), (e / e.sum(axis=1, keepdims=True)).compute(),
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ops.log_softmax(dx).compute(), ops.log_softmax(X), rtol=1e-6,
                               atol=1e-6)


def test_softmax_along_a_chunked_axis_rechunks_and_says_so():
    with pytest.warns(RechunkWarning, match="axis 0 is split over 5 chunks"):
        got = ops.softmax(DX, axis=0)
    np.testing.assert_array_equal(got.compute(), ops.softmax(X, axis=0))


def test_layer_norm_with_weight_and_bias():
    w, b = rand(57, seed=4), rand(57, seed=5)
    dx = da.from_array(X, chunks=(25, 57))
    for weight, bias in ((w, b), (da.from_array(w, chunks=57), None), (None, None)):
        got = ops.layer_norm(dx, weight, bias, eps=1e-3).compute()
        np.testing.assert_array_equal(got, ops.layer_norm(X, weight if not isinstance(
            weight, da.Array) else w, bias, eps=1e-3))


# ------------------------------------------------------------------------------------------------
# Errors: raised when the op is called, with the numpy op's message
# ------------------------------------------------------------------------------------------------
def test_errors_at_call_time():
    with pytest.raises(TypeError, match="conv2d: Dask arrays are not supported"):
        ops.conv2d(DX, DX)
    with pytest.raises(TypeError, match="out= is not supported with Dask"):
        ops.add(DX, DX, out=np.empty(X.shape, np.float32))
    with pytest.raises(ValueError, match="could not be broadcast"):
        ops.add(DX, da.ones(5, chunks=5, dtype=np.float32))
    with pytest.raises(np.exceptions.AxisError, match="sum: axis 2 is out of bounds"):
        ops.sum(DX, axis=2)
    with pytest.raises(TypeError, match="sum: argument 'axis' must be an int, a tuple"):
        ops.sum(DX, axis=1.5)
    with pytest.raises(TypeError, match="argmax: argument 'axis' must be an int or None"):
        ops.argmax(DX, axis=(0, 1))
    with pytest.raises(ValueError, match="inner dimensions differ"):
        ops.matmul(DX, DX)
    d64 = DX.astype(np.float64)
    with pytest.raises(TypeError, match="float64 Dask matrices need the inner dimension"):
        ops.matmul(d64, d64.T)
    np.testing.assert_allclose(ops.matmul(d64.rechunk({1: -1}), d64.T.rechunk({0: -1}))
                               .compute(), X.astype(np.float64) @ X.T, rtol=1e-12, atol=1e-12)



def test_dtypes_and_broadcasting_follow_hologram_ops():
    """What hologram.ops takes on numpy arrays (float64, any-rank broadcasting), it takes on
    Dask arrays, with the same result."""
    d64 = DX.astype(np.float64)
    np.testing.assert_allclose(ops.sigmoid(d64).compute(), ops.sigmoid(X.astype(np.float64)),
                               rtol=1e-15)
    assert ops.max(d64).compute() == X.astype(np.float64).max()
    a, b = np.ones((4, 1, 3), np.float32), np.arange(60, dtype=np.float32).reshape(4, 5, 3)
    got = ops.add(da.from_array(a, chunks=(2, 1, 3)), da.from_array(b, chunks=(2, 5, 3)))
    np.testing.assert_array_equal(got.compute(), a + b)


# ------------------------------------------------------------------------------------------------
# @hologram.jit on Dask arrays
# ------------------------------------------------------------------------------------------------
@hologram.jit
def chain(a, b, s):
    return ops.sigmoid(a * s + b) * 2.0 - 1.0


@hologram.jit
def row_chain(a, row):
    return ops.tanh(a + row) * 0.5


@hologram.jit
def with_sum(a):
    return ops.sum(ops.exp(a), axis=0)


@hologram.jit
def pair(a):
    return ops.exp(a), ops.sin(a)


def test_jit_fuses_the_chain_into_one_kernel_per_chunk():
    y = rand(103, 57, seed=9)
    dy = da.from_array(y, chunks=(25, 20))
    got = chain(DX, dy, 1.5)
    assert isinstance(got, da.Array) and got.chunks == DX.chunks
    # One task per chunk on top of the inputs': the chain reads each chunk once, and the
    # program that runs on a chunk is one fused kernel.
    assert len(got.__dask_graph__().layers[got.name]) == DX.npartitions
    assert chain.mlir(stage="after").count("hologram.launch") == 1
    result = got.compute()
    assert chain.mlir(stage="after").count("hologram.launch") == 1
    np.testing.assert_allclose(result, chain(X, y, 1.5), rtol=2e-6, atol=1e-6)
    want = (2.0 / (1 + da.exp(-(DX * 1.5 + dy))) - 1.0).compute()
    np.testing.assert_allclose(result, want, rtol=1e-5, atol=1e-6)


def test_jit_broadcasts_a_row_across_chunks():
    row = rand(57, seed=10)
    got = row_chain(DX, da.from_array(row, chunks=20)).compute()
    np.testing.assert_allclose(got, (da.tanh(DX + row) * 0.5).compute(), rtol=2e-6, atol=1e-6)
    np.testing.assert_allclose(row_chain(DX, row).compute(), got, rtol=0, atol=0)


def test_jit_refuses_what_is_not_elementwise():
    with pytest.raises(JitError, match="must be elementwise .* calls sum"):
        with_sum(DX)
    with pytest.raises(JitError, match="must return one array"):
        pair(DX)


def test_graph_keys_name_the_op_and_repeat_for_the_same_expression():
    a, b = ops.sigmoid(DX), ops.sigmoid(DX)
    assert a.name == b.name and a.name.startswith("hologram-sigmoid-")
    assert ops.sum(DX, axis=0).name.startswith("hologram-sum-")
    assert ops.sum(DX, axis=0).name == ops.sum(DX, axis=0).name
    assert ops.sum(DX, axis=0).name != ops.sum(DX, axis=1).name
    assert chain(DX, DX, 1.0).name.startswith("hologram-jit-chain-")


def test_objects_that_travel_pickle():
    from hologram.dask import _Apply, _JitChunk, _jit_token

    chunk = _JitChunk(chain, _jit_token(chain))
    again = pickle.loads(pickle.dumps(chunk))  # by reference: the module's attribute
    assert again.jitfn is chain  # the same process keeps its compiled function
    block = np.ascontiguousarray(X[:10])
    np.testing.assert_array_equal(again(block, 0.5, 2.0), chain(block, 0.5, 2.0))
    apply = pickle.loads(pickle.dumps(_Apply("clip", {"a_min": 0.0, "a_max": 1.0})))
    np.testing.assert_array_equal(apply(block), np.clip(block, 0.0, 1.0))


def test_hologram_without_dask_never_imports_it():
    code = ("import sys, numpy as np, hologram, hologram.ops as ops\n"
            "x = np.ones(8, np.float32); ops.sigmoid(x); ops.sum(x)\n"
            "f = hologram.jit(lambda a: ops.exp(a) * 2.0); f(x)\n"
            "assert not [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')"
            " or m == 'hologram.dask'], 'imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)
