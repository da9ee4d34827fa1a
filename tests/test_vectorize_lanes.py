"""`vectorize-lanes`: kernels whose threads run loops, run several consecutive ids at a time,
bit-identical to one id at a time (every lane runs its thread's operations in order)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import hologram
from hologram.passes.vectorize_lanes import explain

ROOT = Path(__file__).resolve().parent.parent
LANES = ROOT / "tests" / "kernels" / "lanes.py"
WITH = "canonicalize,vectorize-lanes{lanes=%d},parallelize"
WITHOUT = "canonicalize,parallelize{threshold=1000000000 loop-threshold=1000000000}"
_CACHE: dict = {}


def _load(path: Path, pipeline: str):
    key = (path, pipeline)
    if key not in _CACHE:
        _CACHE[key] = hologram.load_kernels(path, pipeline=pipeline)
    return _CACHE[key]


def _pair(name: str, lanes: int = 64, row_min: int | None = None):
    pipeline = WITH % lanes
    if row_min is not None:  # rows as short as row_min take the groups (default: 16)
        pipeline = pipeline.replace("}", f" row_min={row_min}}}")
    return _load(LANES, WITHOUT)[name], _load(LANES, pipeline)[name]


def _run(kernel, args, grid=None):
    args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    kernel(*args, grid=grid)
    return [a for a in args if isinstance(a, np.ndarray)]


def _same(plain, lanes, args, grid=None):
    """Bit-identical, except that a kernel calling math functions may get the C library's
    vector variants (libmvec) in the lane loop: those are within a few ULP
    (docs/vector-math.md)."""
    want, got = _run(plain, args, grid), _run(lanes, args, grid)
    exact = "math." not in plain.mlir(pipeline="")
    for w, g in zip(want, got, strict=True):
        if exact or w.dtype.kind != "f":
            assert np.array_equal(w, g, equal_nan=True)
        else:
            np.testing.assert_allclose(g, w, rtol=4 * np.finfo(w.dtype).eps, atol=0,
                                       equal_nan=True)
    return got


def rand(n, seed, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(n).astype(dtype)


@pytest.mark.parametrize("lanes", [2, 16, 64])
@pytest.mark.parametrize("m,n", [(1, 1), (5, 63), (7, 64), (3, 65), (33, 1000), (200, 130)])
def test_column_sum(lanes, m, n):
    plain, vec = _pair("column_sum", lanes)
    x = rand(m * n, 1)
    out = np.zeros(n, np.float32)
    _, got = _same(plain, vec, [x, out, m, n])
    np.testing.assert_allclose(got, x.reshape(m, n).sum(axis=0), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("grid_delta", [-5, 0, 7])
def test_grid_other_than_the_bound(grid_delta):
    """Ids below min(grid, n) run in lane groups; ids past n (a larger grid) keep the guard."""
    plain, vec = _pair("column_sum")
    m, n = 9, 100
    x = rand(m * n, 2)
    out = np.full(n + 10, -1.0, np.float32)
    _same(plain, vec, [x, out, m, n], grid=n + grid_delta)


@pytest.mark.parametrize("m,n", [(1, 3), (17, 129), (64, 64)])
def test_column_max_f64_and_column_stencil(m, n):
    plain, vec = _pair("column_max_f64")
    x = rand(m * n, 3, np.float64)
    _, got = _same(plain, vec, [x, np.zeros(n), m, n])
    assert np.array_equal(got, x.reshape(m, n).max(axis=0))
    plain, vec = _pair("column_stencil")
    k = 3
    x32, w = rand((m + k) * n, 4), rand(k, 5)
    _same(plain, vec, [x32, w, np.zeros(n, np.float32), m, n, k])


@pytest.mark.parametrize("n", [1, 100, 1000, 4099])
def test_per_element_loops(n):
    plain, vec = _pair("horner")
    x, coef = rand(n, 6), rand(7, 7)
    _, _, got = _same(plain, vec, [x, coef, np.zeros(n, np.float32), 7, n])
    np.testing.assert_allclose(got, np.polyval(coef.astype(np.float64), x), rtol=1e-4, atol=1e-4)
    plain, vec = _pair("newton_rsqrt")
    _same(plain, vec, [x, np.zeros(n, np.float32), 5, n])


def test_strategy_is_recorded_and_row_sums_are_refused():
    ks = _load(LANES, WITH % 64)
    ir = ks["column_sum"].mlir(pipeline="vectorize-lanes")
    assert 'vectorize_lanes.strategy = "lanes 64"' in ir
    row = ks["row_sum"]
    assert "strides by a multiple of the id" in explain(row.kernel_op())
    assert 'vectorize_lanes.strategy = "none"' in row.mlir(pipeline="vectorize-lanes")


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "kernels").glob("*.py"))
                         + [ROOT / "stdlib" / "reductions.py", ROOT / "stdlib" / "linalg.py",
                            ROOT / "stdlib" / "nn.py"], ids=lambda p: p.stem)
def test_every_kernel_it_applies_to_is_bit_identical(path):
    """Differential: each kernel of the corpus and the stdlib the pass rewrites gives the same
    bits as one id at a time (serially, in id order), on small sizes."""
    plain = _load(path, WITHOUT)
    vec = _load(path, WITH % 16)
    names = [n for n, k in plain.items() if not explain(k.kernel_op())]
    for name in names:
        for seed, ints in enumerate([(1, 1, 1), (7, 5, 3), (19, 33, 4)]):
            rng = np.random.default_rng(seed)
            it = iter(ints * 10)
            args = []
            for t in plain[name].param_types:
                if t.endswith("[]"):
                    base = t[:-2]
                    if base in ("f32", "f64"):
                        args.append(rng.uniform(-2, 2, 4096).astype(base.replace("f", "float")))
                    elif base in ("c64", "c128"):
                        z = rng.uniform(-2, 2, 4096) + 1j * rng.uniform(-2, 2, 4096)
                        args.append(z.astype(np.complex64 if base == "c64" else np.complex128))
                    else:
                        args.append(rng.integers(1, 4, 4096).astype(
                            {"i32": np.int32, "u32": np.uint32, "i64": np.int64,
                             "u64": np.uint64, "bool": np.bool_}[base]))
                elif t in ("f32", "f64"):
                    args.append(0.75)
                elif t in ("c64", "c128"):
                    args.append(0.75 - 0.5j)
                elif t == "bool":
                    args.append(True)
                else:
                    args.append(next(it))
            _same(plain[name], vec[name], args)


# --- 2-D ids decoded from the 1-D id -------------------------------------------------------------
ROW_GROUPS = "consecutive columns of one row per iteration"


def _conv_ref(x, wt, oh, ow):
    r = wt.shape[0]
    ref = np.zeros((oh, ow), np.float64)
    for a in range(r):
        for b in range(r):
            ref += wt[a, b] * x[a:a + oh, b:b + ow].astype(np.float64)
    return ref


@pytest.mark.parametrize("name", ["conv2d_u32", "conv2d_i32"])
@pytest.mark.parametrize("oh,ow", [(1, 1), (3, 5), (7, 16), (5, 17), (4, 100), (2, 130)])
@pytest.mark.parametrize("lanes,row_min", [(4, 1), (16, 1), (16, None)])
def test_decoded_conv_runs_rows_of_lanes(name, oh, ow, lanes, row_min):
    plain, vec = _pair(name, lanes, row_min)
    assert ROW_GROUPS in vec.mlir(pipeline="vectorize-lanes{lanes=%d}" % lanes)
    r = 3
    w = ow + r - 1
    x = rand((oh + r - 1) * w, 11)
    wt = rand(r * r, 12)
    _, _, got = _same(plain, vec, [x, wt, np.zeros(oh * ow, np.float32), r, w, oh, ow])
    np.testing.assert_allclose(got.reshape(oh, ow),
                               _conv_ref(x.reshape(-1, w), wt.reshape(r, r), oh, ow),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("grid_delta", [-7, 0, 5])
def test_decoded_rows_with_a_grid_other_than_the_bound(grid_delta):
    """A smaller grid ends inside a row; a larger one runs the extra ids through the guard."""
    plain, vec = _pair("conv2d_u32", 16, row_min=1)
    oh, ow, r = 6, 21, 2
    w = ow + r - 1
    x, wt = rand((oh + r - 1) * w, 13), rand(r * r, 14)
    out = np.full(oh * ow + 8, -1.0, np.float32)
    _same(plain, vec, [x, wt, out, r, w, oh, ow], grid=oh * ow + grid_delta)


@pytest.mark.parametrize("k,w,rows", [(1, 1, 1), (2, 9, 4), (3, 40, 5), (4, 70, 3)])
def test_decode_by_subtraction_and_a_computed_width(k, w, rows):
    """`j = idx - i * ow` with computed widths (i64, f64), guarded by a separate count."""
    plain, vec = _pair("box_sub_form", 16, row_min=1)
    assert ROW_GROUPS in vec.mlir(pipeline="vectorize-lanes{lanes=16}")
    ow = w - k + 1
    x = rand((rows + k - 1) * w, 15, np.float64)
    n = rows * ow
    _, got = _same(plain, vec, [x, np.zeros(n), k, ow - 1, n])
    img = x.reshape(-1, w)
    ref = sum(img[a:a + rows, b:b + ow] for a in range(k) for b in range(k))
    np.testing.assert_allclose(got.reshape(rows, ow), ref, rtol=1e-12)


@pytest.mark.parametrize("h,w", [(3, 3), (5, 19), (4, 66), (7, 130)])
def test_a_column_by_subtraction_in_u32_is_a_column(h, w):
    """`col = gid - row * ow` in u32 becomes `col0 + lane`, not a 32-bit subtraction."""
    plain, vec = _pair("blur_u32_sub", 16, row_min=1)
    ir = vec.mlir(pipeline="vectorize-lanes{lanes=16 row_min=1}")
    assert ROW_GROUPS in ir and "arith.subi %gid" not in ir.split("grid {")[0].split(
        "hologram.parallel_for")[1]
    x = rand(h * w, 17)
    _, got = _same(plain, vec, [x, np.zeros((h - 2) * (w - 2), np.float32), h, w])
    img = x.reshape(h, w).astype(np.float64)
    ref = sum(img[a:a + h - 2, b:b + w - 2] for a in range(3) for b in range(3)) / 9
    np.testing.assert_allclose(got.reshape(h - 2, w - 2), ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("m,cols", [(1, 1), (3, 7), (5, 70)])
def test_a_loop_uniform_along_the_row(m, cols):
    plain, vec = _pair("rows_scaled", 16, row_min=1)
    x = rand(m * cols, 16)
    _, got = _same(plain, vec, [x, np.zeros(m * cols, np.float32), m, cols])
    xm = x.reshape(m, cols).astype(np.float64)
    np.testing.assert_allclose(got.reshape(m, cols), xm * xm[:, :m].sum(axis=1, keepdims=True),
                               rtol=1e-5, atol=1e-5)


def test_a_column_written_by_every_row_is_refused():
    ks = _load(LANES, WITH % 64)
    k = ks["column_written_by_every_row"]
    assert "threads could share an element" in explain(k.kernel_op())
