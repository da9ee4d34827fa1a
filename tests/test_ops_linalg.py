"""hologram.ops linear algebra against float64 references (tolerances: docs/ops.md).

Matrix products are checked with the standard float32 error bound:
|got - exact| <= 2 k eps (|A| |B|) elementwise, eps = 2**-24 (plus a beta C term).
"""

from __future__ import annotations

import numpy as np
import pytest

import hologram.ops as ops

EPS = 2.0 ** -24
# (m, k, n): square, non-square, thin, empty, and one odd size beyond a typical tile.
GEMM_SHAPES = [(1, 1, 1), (37, 53, 29), (5, 1, 7), (1, 200, 1), (0, 3, 4), (3, 0, 4), (130, 67, 3)]


def mat(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def assert_product_close(got, exact, bound):
    assert got.shape == exact.shape
    err = np.abs(got.astype(np.float64) - exact)
    assert np.all(err <= bound + 1e-30), float(np.max(err - bound))


@pytest.mark.parametrize("m,k,n", GEMM_SHAPES)
@pytest.mark.parametrize("trans_a", [False, True])
@pytest.mark.parametrize("trans_b", [False, True])
def test_gemm_alpha_beta_transposes(m, k, n, trans_a, trans_b):
    a = mat((k, m) if trans_a else (m, k), 1)
    b = mat((n, k) if trans_b else (k, n), 2)
    c = mat((m, n), 3)
    opa = a.T.astype(np.float64) if trans_a else a.astype(np.float64)
    opb = b.T.astype(np.float64) if trans_b else b.astype(np.float64)
    got = ops.gemm(a, b, c, alpha=1.5, beta=-0.5, trans_a=trans_a, trans_b=trans_b)
    exact = 1.5 * opa @ opb - 0.5 * c
    bound = 2 * (k + 2) * EPS * (1.5 * np.abs(opa) @ np.abs(opb) + 0.5 * np.abs(c))
    assert_product_close(got, exact, bound)
    plain = ops.gemm(a, b, trans_a=trans_a, trans_b=trans_b)
    assert_product_close(plain, opa @ opb, 2 * (k + 1) * EPS * (np.abs(opa) @ np.abs(opb)))


def test_gemm_beta_zero_ignores_nan_in_c():
    a, b = mat((4, 5), 1), mat((5, 6), 2)
    c = np.full((4, 6), np.nan, np.float32)
    got = ops.gemm(a, b, c)
    opa, opb = a.astype(np.float64), b.astype(np.float64)
    assert_product_close(got, opa @ opb, 2 * (5 + 1) * EPS * (np.abs(opa) @ np.abs(opb)))


def test_gemm_float64_and_out():
    a, b = mat((20, 30), 1).astype(np.float64), mat((30, 10), 2).astype(np.float64)
    out = np.empty((20, 10))
    assert ops.gemm(a, b, out=out) is out
    np.testing.assert_allclose(out, a @ b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("trans_a", [False, True])
@pytest.mark.parametrize("trans_b", [False, True])
def test_gemm_float64_transposes(trans_a, trans_b):
    m, k, n = 33, 70, 21
    a = mat((k, m) if trans_a else (m, k), 1).astype(np.float64)
    b = mat((n, k) if trans_b else (k, n), 2).astype(np.float64)
    c = mat((m, n), 3).astype(np.float64)
    got = ops.gemm(a, b, c, alpha=2.0, beta=0.5, trans_a=trans_a, trans_b=trans_b)
    opa, opb = (a.T if trans_a else a), (b.T if trans_b else b)
    np.testing.assert_allclose(got, 2.0 * opa @ opb + 0.5 * c, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shapes", [((37, 53), (53, 29)), ((53,), (53, 29)), ((37, 53), (53,)),
                                    ((53,), (53,)), ((3, 4, 5), (3, 5, 2))])
def test_matmul_and_dot_like_numpy(shapes):
    a, b = mat(shapes[0], 4), mat(shapes[1], 5)
    exact = a.astype(np.float64) @ b.astype(np.float64)
    k = a.shape[-1]
    bound = 2 * (k + 1) * EPS * (np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64)))
    got = ops.matmul(a, b)
    assert_product_close(np.asarray(got), np.asarray(exact), bound)
    if a.ndim <= 2:
        assert_product_close(np.asarray(ops.dot(a, b)), np.asarray(exact), bound)


def test_fortran_ordered_operands_are_transposes_without_copies():
    a, b = mat((30, 20), 6), mat((40, 30), 7)
    exact = a.T.astype(np.float64) @ b.T.astype(np.float64)
    got = ops.matmul(a.T, b.T)
    np.testing.assert_allclose(got, exact, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ops.gemv(a.T, np.ones(30, np.float32)), a.T.sum(1), rtol=1e-4,
                               atol=1e-4)


@pytest.mark.parametrize("m,k", [(1, 1), (37, 53), (0, 5), (5, 0), (1, 3072)])
def test_gemv(m, k):
    a, x, y = mat((m, k), 8), mat(k, 9), mat(m, 10)
    a64 = a.astype(np.float64)
    got = ops.gemv(a, x, y, alpha=2.0, beta=3.0)
    bound = 2 * (k + 2) * EPS * (2 * np.abs(a64) @ np.abs(x) + 3 * np.abs(y))
    assert_product_close(got, 2 * a64 @ x + 3.0 * y, bound)
    xt = mat(m, 11)
    got_t = ops.gemv(a, xt, trans=True)
    assert_product_close(got_t, a64.T @ xt, 2 * (m + 1) * EPS * (np.abs(a64.T) @ np.abs(xt)))
    np.testing.assert_allclose(ops.gemv(a64, x.astype(np.float64)), a64 @ x, rtol=1e-12,
                               atol=1e-12)


def test_axpy_scal_ger():
    x, y = mat(100003, 1), mat(100003, 2)
    np.testing.assert_allclose(ops.axpy(2.0, x, y), 2 * x.astype(np.float64) + y, rtol=1e-6,
                               atol=1e-6)
    y2 = y.copy()
    assert ops.axpy(-1.0, x, y2, out=y2) is y2
    np.testing.assert_allclose(y2, y.astype(np.float64) - x, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ops.axpy(2.0, x.astype(np.float64), y.astype(np.float64)),
                               2 * x.astype(np.float64) + y, rtol=1e-15)
    np.testing.assert_array_equal(ops.scal(3.0, x), np.float32(3.0) * x)
    a = mat((7, 13), 3)
    u, v = mat(7, 4), mat(13, 5)
    np.testing.assert_allclose(ops.ger(0.5, u, v, a), a + 0.5 * np.outer(u, v), rtol=1e-6,
                               atol=1e-6)
    np.testing.assert_allclose(ops.ger(1.0, u, v), np.outer(u, v), rtol=1e-6, atol=1e-7)


def _sym(a, lower):
    t = np.tril(a) if lower else np.triu(a)
    return t + (np.tril(a, -1).T if lower else np.triu(a, 1).T)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("lower", [True, False])
def test_symm_reads_one_triangle(side, lower):
    m, n = 11, 6
    k = m if side == "left" else n
    a = mat((k, k), 1)
    # Poison the unread triangle: it must not be read.
    a[np.triu_indices(k, 1) if lower else np.tril_indices(k, -1)] = np.nan
    b, c = mat((m, n), 2), mat((m, n), 3)
    s = _sym(np.nan_to_num(a, nan=0.0).astype(np.float64), lower)
    exact = (2 * (s @ b) if side == "left" else 2 * (b @ s)) + c
    got = ops.symm(a, b, c, alpha=2.0, beta=1.0, side=side, lower=lower)
    np.testing.assert_allclose(got, exact, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("trans_a", [False, True])
@pytest.mark.parametrize("unit", [False, True])
def test_trmm(side, lower, trans_a, unit):
    m, n = 9, 5
    k = m if side == "left" else n
    a = mat((k, k), 4)
    a[np.triu_indices(k, 1) if lower else np.tril_indices(k, -1)] = np.nan
    if unit:
        a[np.diag_indices(k)] = np.nan
    t = np.nan_to_num(a, nan=0.0).astype(np.float64)
    if unit:
        t[np.diag_indices(k)] = 1.0
    opa = t.T if trans_a else t
    b = mat((m, n), 5)
    exact = 0.5 * (opa @ b if side == "left" else b @ opa)
    got = ops.trmm(a, b, alpha=0.5, lower=lower, trans_a=trans_a, unit_diagonal=unit, side=side)
    np.testing.assert_allclose(got, exact, rtol=1e-5, atol=1e-5)


def test_linalg_errors():
    a, b = mat((3, 4), 1), mat((5, 6), 2)
    with pytest.raises(ValueError, match=r"hologram.ops.gemm: inner dimensions differ: op\(A\) "
                                         r"is \(3, 4\), op\(B\) is \(5, 6\)"):
        ops.gemm(a, b)
    with pytest.raises(ValueError, match="hologram.ops.gemm: beta != 0 needs 'C'"):
        ops.gemm(a, a.T.copy(), beta=1.0)
    with pytest.raises(ValueError, match=r"hologram.ops.gemm: argument 'C' has shape \(2, 2\)"):
        ops.gemm(a, a.T.copy(), np.zeros((2, 2), np.float32), beta=1.0)
    with pytest.raises(TypeError, match="hologram.ops.gemm: arguments 'A' \\(float32\\) and 'B' "
                                        "\\(float64\\)"):
        ops.gemm(a, a.T.astype(np.float64))
    with pytest.raises(ValueError, match="hologram.ops.gemv: argument 'A' must be 2-D"):
        ops.gemv(np.zeros(3, np.float32), np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="argument 'out' overlaps an input"):
        sq = mat((4, 4), 3)
        ops.gemm(sq, sq, out=sq)
    with pytest.raises(ValueError, match="hologram.ops.symm: argument 'A' has shape"):
        ops.symm(mat((3, 3), 1), mat((4, 2), 2))
    with pytest.raises(ValueError, match="hologram.ops.trmm: argument 'side'"):
        ops.trmm(mat((3, 3), 1), mat((3, 2), 2), side="top")
    with pytest.raises(ValueError, match="argument 'A' is not C-contiguous"):
        ops.gemm(mat((6, 6), 1)[::2], mat((6, 6), 1))


def test_gemm_fma_tolerance_and_bitwise_without_fma():
    """fma=False: the same bits as the stdlib kernel run one id at a time (no pass); the default
    (fma=True) within the documented 2 * K * eps * sum |a_ik b_kj| of it."""
    import hologram
    from hologram.ops._registry import find_kernel

    m, k, n = 45, 300, 37
    a, b = mat((m, k), 31), mat((k, n), 32)
    exact_kernel = hologram.load_kernels(find_kernel("gemm_nn_f32").path, pipeline="")
    want = np.zeros((m, n), np.float32)
    exact_kernel["gemm_nn_f32"](a.reshape(-1), b.reshape(-1), want.reshape(-1), 1.0, 0.0,
                                want.reshape(-1), m, n, k, k, n, n, grid=m * n)
    assert np.array_equal(ops.gemm(a, b, fma=False), want)
    got = ops.gemm(a, b)
    bound = 2 * k * EPS * (np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64)))
    assert np.all(np.abs(got.astype(np.float64) - want) <= bound)
