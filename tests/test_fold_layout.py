"""`fold-layout`: folded kernels compute bit-identical results to the SIMT kernels they replace.

Every kernel here is compiled twice (with no pass, and with `fold-layout` in one of its option
sets) and run on awkward sizes: 1, primes, sizes no tile divides, K = 0, a grid smaller or larger
than the guard's bound (the nest must then not run, and the per-id fallback must). Refusals are
checked through `explain`, on the kernels of the FileCheck file.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xdsl.dialects import arith
from xdsl.dialects.builtin import IndexType, ModuleOp
from xdsl.parser import Parser

import hologram
from hologram.dialects import make_context
from hologram.dialects.hologram import KernelOp
from hologram.passes import parse_pipeline
from hologram.passes.fold_layout import FoldLayout, explain

KERNELS = '''
from hologram.lang import DeviceArray, f32, f64, u32, get_global_id


def gemm_layouts(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32], m: u32, n: u32,
                 k: u32, lda: u32, ldb: u32, ldc: u32, ta: u32, tb: u32):
    """op(A) op(B) in any of the four layouts, written C[i * ldc + j]: each layout is its own
    kernel below (the layout must be static for the analysis); this one is the SIMT reference."""
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        acc = 0.0
        for p in range(k):
            x = a[i * lda + p] if ta == 0 else a[p * lda + i]
            y = b[p * ldb + j] if tb == 0 else b[j * ldb + p]
            acc += x * y
        c[i * ldc + j] = acc


def gemm_nt(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32], m: u32, n: u32,
            k: u32, lda: u32, ldb: u32, ldc: u32):
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        acc = 0.0
        for p in range(k):
            acc += a[i * lda + p] * b[j * ldb + p]
        c[i * ldc + j] = acc


def gemm_tn(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32], m: u32, n: u32,
            k: u32, lda: u32, ldb: u32, ldc: u32):
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        acc = 0.0
        for p in range(k):
            acc += a[p * lda + i] * b[p * ldb + j]
        c[i * ldc + j] = acc


def gemm_tt(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32], m: u32, n: u32,
            k: u32, lda: u32, ldb: u32, ldc: u32):
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        acc = 0.0
        for p in range(k):
            acc += b[j * ldb + p] * a[p * lda + i]
        c[i * ldc + j] = acc


def gemm_nn_ldc(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32], m: u32, n: u32,
                k: u32, lda: u32, ldb: u32, ldc: u32):
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        acc = 0.0
        for p in range(k):
            acc += a[i * lda + p] * b[p * ldb + j]
        c[i * ldc + j] = acc


def bmm_f64(a: DeviceArray[f64], b: DeviceArray[f64], c: DeviceArray[f64], nb: u32, m: u32,
            n: u32, k: u32):
    idx = get_global_id()
    if idx < nb * m * n:
        bi = idx // (m * n)
        i = (idx // n) % m
        j = idx % n
        acc: f64 = 0.0
        for p in range(k):
            acc += a[bi * m * k + i * k + p] * b[bi * k * n + p * n + j]
        c[idx] = acc


def gemm_f32(A: DeviceArray[f32], B: DeviceArray[f32], C: DeviceArray[f32], M: u32, N: u32, K: u32):
    idx = get_global_id()
    if idx < M * N:
        i = idx // N
        j = idx % N
        acc = 0.0
        for k in range(K):
            acc += A[i * K + k] * B[k * N + j]
        C[idx] = acc


def gemm_strided(A: DeviceArray[f32], B: DeviceArray[f32], C: DeviceArray[f32], M: u32, N: u32,
                 K: u32, lda: u32, ldb: u32, off: u32, init: f32):
    idx = get_global_id()
    if idx < M * N:
        i = idx // N
        j = idx % N
        acc = init
        for k in range(K):
            acc += B[k * ldb + j + off] * A[off + i * lda + k]
        C[i * N + j] = acc


def gemm_alpha_beta(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32], alpha: f32,
                    beta: f32, out: DeviceArray[f32], m: u32, n: u32, k: u32, lda: u32, ldb: u32,
                    ldc: u32):
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        acc = 0.0
        for p in range(k):
            acc += a[i * lda + p] * b[p * ldb + j]
        r = alpha * acc
        if beta != 0.0:
            r += beta * c[i * ldc + j]
        out[idx] = r


def gemm_square(A: DeviceArray[f32], B: DeviceArray[f32], C: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx >= n * n:
        return
    i = idx // n
    j = idx % n
    acc = 0.0
    for k in range(n):
        acc += A[i * n + k] * B[k * n + j]
    C[idx] = acc


def transpose(x: DeviceArray[f32], y: DeviceArray[f32], m: u32, n: u32):
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        y[idx] = x[j * m + i]


def chw_scale(x: DeviceArray[f32], s: DeviceArray[f32], y: DeviceArray[f32], c: u32, h: u32, w: u32):
    idx = get_global_id()
    if idx < c * h * w:
        ch = (idx // (h * w)) % c
        row = (idx // w) % h
        y[idx] = x[idx] * s[ch] + f32(row)


def vadd(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] + b[idx]
'''

# The default options; small packed tiles (several tiles in every dimension on small sizes);
# tiny unpacked tiles with an odd register block. The families differ only in their numbers.
PIPELINES = {
    "default": "fold-layout",
    "packed": "fold-layout{family=smooth23 tile=12,24,9}",
    "small": "fold-layout{tile=5,7,3 micro=2,3 pack=false}",
}
FILECHECK = Path(__file__).parent / "filecheck" / "passes" / "fold-layout.mlir"


@pytest.fixture(scope="module")
def kernel_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fold") / "fold_kernels.py"
    path.write_text(KERNELS)
    return path


@pytest.fixture(scope="module")
def plain(kernel_file):
    return hologram.load_kernels(kernel_file, pipeline="")


@pytest.fixture(scope="module", params=list(PIPELINES))
def folded(request, kernel_file):
    return hologram.load_kernels(kernel_file, pipeline=PIPELINES[request.param])


def rand(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(n).astype(np.float32)


def run_both(plain, folded, name, arrays, scalars, out_index, grid=None, order=None):
    """Run the SIMT kernel and the folded one on copies of the same arrays; return both outputs.

    Arguments are the arrays then the scalars, or `order` (indices into arrays + scalars)."""
    results = []
    for kernels in (plain, folded):
        args = [a.copy() for a in arrays] + list(scalars)
        if order is not None:
            args = [args[i] for i in order]
        kernels[name](*args, grid=grid)
        results.append(args[out_index])
    return results


# ------------------------------------------------------------------------------------------------
# What the pass does to each kernel
# ------------------------------------------------------------------------------------------------
def test_gemm_gets_the_gemm_nest(folded):
    ir = folded["gemm_f32"].mlir(pipeline=folded["gemm_f32"]._unit.pipeline)
    assert "hologram.parallel_for %q" in ir and "%acc = memref.alloca() : memref<" in ir
    for name in ("gemm_strided", "gemm_alpha_beta", "gemm_square"):
        ir2 = folded[name].mlir(pipeline=folded[name]._unit.pipeline)
        assert "%acc = memref.alloca() : memref<" in ir2 and "%sum = memref.load %acc" in ir2


def test_elementwise_2d_and_3d_are_folded_and_1d_is_not(folded):
    pipe = folded["transpose"]._unit.pipeline
    assert "scf.for %j" in folded["transpose"].mlir(pipeline=pipe)
    chw = folded["chw_scale"].mlir(pipeline=pipe)
    assert "hologram.parallel_for" in chw and "arith.divui" in chw.split("} else {")[1]
    assert "hologram.parallel_for" not in folded["vadd"].mlir(pipeline=pipe)


# ------------------------------------------------------------------------------------------------
# Bit-identical results
# ------------------------------------------------------------------------------------------------
GEMM_SIZES = [(1, 1, 1), (1, 7, 5), (7, 1, 3), (5, 7, 0), (13, 17, 19), (49, 97, 193),
              (50, 130, 260), (97, 5, 64)]


@pytest.mark.parametrize("m,n,k", GEMM_SIZES)
def test_gemm_bit_identical(plain, folded, m, n, k):
    a, b = rand(m * k, 1), rand(k * n, 2)
    c = np.full(m * n, 7.0, np.float32)
    want, got = run_both(plain, folded, "gemm_f32", [a, b, c], [m, n, k], 2)
    assert np.array_equal(want, got)
    if m * n:
        np.testing.assert_allclose(got.reshape(m, n), a.reshape(m, k) @ b.reshape(k, n),
                                   rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("n", [1, 2, 17, 130])
def test_square_gemm_one_size_parameter(plain, folded, n):
    a, b = rand(n * n, 13), rand(n * n, 14)
    c = np.zeros(n * n, np.float32)
    want, got = run_both(plain, folded, "gemm_square", [a, b, c], [n], 2)
    assert np.array_equal(want, got)
    np.testing.assert_allclose(got.reshape(n, n), a.reshape(n, n) @ b.reshape(n, n), rtol=1e-4,
                               atol=1e-4)


@pytest.mark.parametrize("grid_delta", [-7, 0, 5])
def test_gemm_grid_other_than_the_bound(plain, folded, grid_delta):
    m, n, k = 9, 11, 6
    a, b = rand(m * k, 3), rand(k * n, 4)
    c = np.full(m * n + 5, -1.0, np.float32)
    want, got = run_both(plain, folded, "gemm_f32", [a, b, c], [m, n, k], 2,
                         grid=m * n + grid_delta)
    assert np.array_equal(want, got)
    if grid_delta < 0:  # the ids past the grid must not have run
        assert np.all(got[m * n + grid_delta:] == -1.0)


@pytest.mark.parametrize("m,n,k,lda,ldb,off", [(3, 4, 5, 5, 4, 0), (6, 9, 7, 11, 13, 3),
                                              (31, 50, 20, 20, 64, 1)])
def test_strided_gemm_bit_identical(plain, folded, m, n, k, lda, ldb, off):
    a = rand(off + m * lda + k, 5)
    b = rand(off + k * ldb + n, 6)
    c = np.zeros(m * n, np.float32)
    want, got = run_both(plain, folded, "gemm_strided", [a, b, c],
                         [m, n, k, lda, ldb, off, 0.25], 2)
    assert np.array_equal(want, got)
    am = np.stack([a[off + i * lda: off + i * lda + k] for i in range(m)])
    bm = np.stack([b[off + kk * ldb: off + kk * ldb + n] for kk in range(k)])
    np.testing.assert_allclose(got.reshape(m, n), am @ bm + 0.25, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("beta", [0.0, -0.5])
@pytest.mark.parametrize("m,n,k", [(1, 1, 1), (7, 9, 0), (33, 65, 70)])
def test_gemm_epilogue_bit_identical(plain, folded, m, n, k, beta):
    lda, ldb, ldc = k + 1, n + 2, n + 3
    a, b, c = rand(m * lda + 1, 10), rand(k * ldb + 1, 11), rand(m * ldc + 1, 12)
    out = np.zeros(m * n, np.float32)
    want, got = run_both(plain, folded, "gemm_alpha_beta", [a, b, c, out],
                         [1.5, beta, m, n, k, lda, ldb, ldc], 5,
                         order=[0, 1, 2, 4, 5, 3, 6, 7, 8, 9, 10, 11])
    assert np.array_equal(want, got)
    am = np.array([a[i * lda: i * lda + k] for i in range(m)], np.float32).reshape(m, k)
    bm = np.array([b[p * ldb: p * ldb + n] for p in range(k)], np.float32).reshape(k, n)
    cm = np.array([c[i * ldc: i * ldc + n] for i in range(m)], np.float32).reshape(m, n)
    np.testing.assert_allclose(got.reshape(m, n), 1.5 * (am @ bm) + beta * cm, rtol=1e-4,
                               atol=1e-4)


LAYOUTS = {"gemm_nn_ldc": (0, 0), "gemm_nt": (0, 1), "gemm_tn": (1, 0), "gemm_tt": (1, 1)}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
@pytest.mark.parametrize("m,n,k,pad", [(1, 1, 1, 0), (7, 9, 0, 2), (33, 65, 70, 3),
                                       (130, 37, 300, 1)])
def test_every_layout_is_a_contraction_and_bit_identical(plain, folded, name, m, n, k, pad):
    """The four BLAS layouts with leading dimensions and a strided output `C[i * ldc + j]`:
    the contraction nest, bit-identical to the SIMT kernel, and the same bits as the
    layout-generic reference kernel."""
    ir = folded[name].mlir(pipeline=folded[name]._unit.pipeline)
    assert "fold_layout.strategy = \"contraction" in ir and "%sum = memref.load %acc" in ir
    ta, tb = LAYOUTS[name]
    lda = (m if ta else k) + pad
    ldb = (k if tb else n) + pad
    ldc = n + pad
    a = rand(((k if ta else m) or 1) * lda, 20)
    b = rand(((n if tb else k) or 1) * ldb, 21)
    c = np.full(m * ldc + pad, 5.0, np.float32)
    want, got = run_both(plain, folded, name, [a, b, c], [m, n, k, lda, ldb, ldc], 2)
    assert np.array_equal(want, got)
    ref, _ = run_both(plain, plain, "gemm_layouts", [a, b, c], [m, n, k, lda, ldb, ldc, ta, tb], 2)
    assert np.array_equal(ref, got)
    am = np.lib.stride_tricks.as_strided(a, (k, m) if ta else (m, k), (lda * 4, 4))
    bm = np.lib.stride_tricks.as_strided(b, (n, k) if tb else (k, n), (ldb * 4, 4))
    opa, opb = (am.T if ta else am), (bm.T if tb else bm)
    cm = np.lib.stride_tricks.as_strided(got, (m, n), (ldc * 4, 4))
    np.testing.assert_allclose(cm, opa.astype(np.float64) @ opb, rtol=1e-4, atol=1e-4)
    # The padding between rows of C (and after the last) is never written.
    written = np.zeros(got.size, bool)
    for i in range(m):
        written[i * ldc: i * ldc + n] = True
    assert np.all(got[~written] == 5.0)


@pytest.mark.parametrize("ldc_delta", [-1, 0])
def test_strided_output_that_overlaps_runs_the_fallback(plain, folded, ldc_delta):
    """ldc < n: two threads write one element, so the nest must not run (the run-time test
    falls back to one iteration per id, as the SIMT kernel). The grid is below the fallback
    loop's parallel threshold, so both run the ids in order and the last writer is the same."""
    m, n, k = 10, 20, 10
    ldc = n + ldc_delta
    a, b = rand(m * k, 22), rand(k * n, 23)
    c = np.zeros(m * ldc + n, np.float32)
    want, got = run_both(plain, folded, "gemm_nn_ldc", [a, b, c], [m, n, k, k, n, ldc], 2)
    assert np.array_equal(want, got)


@pytest.mark.parametrize("nb,m,n,k", [(1, 1, 1, 1), (3, 5, 7, 9), (2, 130, 33, 40), (4, 3, 2, 0)])
def test_batched_f64_contraction_bit_identical(plain, folded, nb, m, n, k):
    ir = folded["bmm_f64"].mlir(pipeline=folded["bmm_f64"]._unit.pipeline)
    assert "batched contraction, f64" in ir
    a = rand(nb * m * k, 24).astype(np.float64)
    b = rand(nb * k * n, 25).astype(np.float64)
    c = np.zeros(nb * m * n)
    want, got = run_both(plain, folded, "bmm_f64", [a, b, c], [nb, m, n, k], 2)
    assert np.array_equal(want, got)
    np.testing.assert_allclose(got.reshape(nb, m, n),
                               a.reshape(nb, m, k) @ b.reshape(nb, k, n), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("m,n", [(1, 1), (1, 100), (100, 1), (49, 97), (130, 70)])
def test_transpose_bit_identical(plain, folded, m, n):
    x = rand(m * n, 7)
    y = np.zeros(m * n, np.float32)
    want, got = run_both(plain, folded, "transpose", [x, y], [m, n], 1)
    assert np.array_equal(want, got)
    assert np.array_equal(got.reshape(m, n), x.reshape(n, m).T)


@pytest.mark.parametrize("c,h,w", [(1, 1, 1), (3, 5, 7), (4, 1, 9), (2, 33, 17)])
def test_chw_bit_identical(plain, folded, c, h, w):
    x, s = rand(c * h * w, 8), rand(c, 9)
    y = np.zeros(c * h * w, np.float32)
    want, got = run_both(plain, folded, "chw_scale", [x, s, y], [c, h, w], 2)
    assert np.array_equal(want, got)
    rows = np.arange(h, dtype=np.float32)[None, :, None]
    expect = x.reshape(c, h, w) * s[:, None, None] + rows
    np.testing.assert_allclose(got.reshape(c, h, w), expect, rtol=1e-6)


@settings(max_examples=20, deadline=None)
@given(m=st.integers(0, 40), n=st.integers(0, 40), k=st.integers(0, 40), extra=st.integers(-3, 3))
def test_gemm_random_sizes(kernel_file, m, n, k, extra):
    plain_k = _cached(kernel_file, "")
    folded_k = _cached(kernel_file, PIPELINES["small"])
    grid = max(0, m * n + extra)
    a, b = rand(m * k, m), rand(k * n, n)
    c = np.full(m * n + 3, 3.0, np.float32)
    want, got = run_both(plain_k, folded_k, "gemm_f32", [a, b, c], [m, n, k], 2, grid=grid)
    assert np.array_equal(want, got)


_CACHE: dict[tuple[Path, str], dict] = {}


def _cached(path: Path, pipeline: str):
    key = (path, pipeline)
    if key not in _CACHE:
        _CACHE[key] = hologram.load_kernels(path, pipeline=pipeline)
    return _CACHE[key]


# ------------------------------------------------------------------------------------------------
# Refusals and options
# ------------------------------------------------------------------------------------------------
REFUSED = {
    "vadd": "one-dimensional",
    "undecodable": "no `idx // n` or `idx % n`",
    "scatter": "not at the folded coordinates",
    "shift": "dependence across iterations",
    "atomic": "hologram.atomic_add",
    "early_exit": "hologram.exit",
    "with_else": "else branch",
    "float_guard": "not a comparison of the id",
    "signed_guard": "not `idx < bound` (unsigned)",
    "has_grid_size": "already has an explicit parallel loop",
    "two_ids": "does not read its id exactly once",
    "unguarded": "not one guard",
    "store_outside": "`memref.store` runs outside the guard",
    "sum_bound": "not a product of parameters and constants",
    "four_dims": "has 4 factors (at most 3)",
}


def _filecheck_kernels() -> dict[str, KernelOp]:
    module = Parser(make_context(), FILECHECK.read_text()).parse_module()
    return {op.kernel_name: op for op in module.walk() if isinstance(op, KernelOp)}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refusals_say_why(name):
    assert REFUSED[name] in explain(_filecheck_kernels()[name])


def test_refused_kernels_are_unchanged():
    module = Parser(make_context(), FILECHECK.read_text()).parse_module()
    before = {op.kernel_name: str(op) for op in module.walk() if isinstance(op, KernelOp)}
    FoldLayout().apply(make_context(), module)
    kernels = {op.kernel_name: op for op in module.walk() if isinstance(op, KernelOp)}
    for name in REFUSED:
        # The only change: the choice and its reason, recorded on the kernel.
        op = kernels[name]
        assert op.attributes.pop("fold_layout.strategy").data == "none"
        assert REFUSED[name] in op.attributes.pop("fold_layout.refused").data
        assert str(op) == before[name]
    after = {name: str(op) for name, op in kernels.items()}
    for name in ("gemm_f32", "transpose", "rows100", "chw"):
        assert after[name] != before[name]
        assert explain(_filecheck_kernels()[name]) == ""


@pytest.mark.parametrize("spec,message", [
    ("fold-layout{family=auto}", "family=auto (measured tile sizes) is not implemented"),
    ("fold-layout{family=pow3}", "unknown family 'pow3'"),
    ("fold-layout{tile=1}", "tile needs 2 or 3 positive sizes"),
    ("fold-layout{micro=9,1}", "micro needs two sizes in 1..8"),
    ("fold-layout{tile=1024,1024,1024}", "at most 262144"),
])
def test_bad_options_are_one_line_errors(spec, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_pipeline(spec)


def test_tile_sizes():
    assert FoldLayout().tile_sizes() == (128, 256, 512)
    assert FoldLayout(family="smooth23").tile_sizes() == (96, 192, 384)
    assert FoldLayout(tile=(24, 48)).tile_sizes() == (24, 48, 512)
    assert FoldLayout(family="pow2", tile=(8, 16, 32)).tile_sizes() == (8, 16, 32)


# ------------------------------------------------------------------------------------------------
# The C snippet for `overflow<nsw>` index arithmetic (hologram/backends/c/ops_arith.py)
# ------------------------------------------------------------------------------------------------
def test_nsw_arithmetic_prints_plain_signed_c():
    from hologram.backends.c.emitter import CEmitter

    a = arith.ConstantOp.from_int_and_width(3, IndexType())
    b = arith.ConstantOp.from_int_and_width(4, IndexType())
    nsw = arith.AddiOp(a, b, overflow=arith.IntegerOverflowAttr([arith.IntegerOverflowFlag.NSW]))
    wrap = arith.AddiOp(a, b)
    ModuleOp([a, b, nsw, wrap])
    em = CEmitter(line_directives=False)
    for op in (a, b, nsw, wrap):
        em.emit_op(op)
    text = "\n".join(em.lines)
    assert re.search(r"int64_t \w+ = INT64_C\(3\) \+ INT64_C\(4\);", text)
    assert "(uint64_t)" in text.splitlines()[-1]
