"""Every kernel of the corpus (`tests/kernels/*.py`) runs compiled and matches `Kernel.simulate`,
with the grid inferred from its guard and with the same grid given explicitly.

Arguments are made from the parameter types alone: every array gets 4096 elements (integers in
[1, 8) so they are safe as indices, divisors and loop counts; floats in [-2, 2)), integer scalars
are small, distinct and increasing at first (3, 5, 7, ...), so `end - start` is positive, float scalars 0.5, 2.5, ... and bools True. A kernel
without a guard runs with grid=35.

Integers must match exactly; floats to rtol 1e-5 (libm's f functions against numpy's, a few
ULP), NaN matching NaN.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import hologram
from hologram.runtime import Kernel

KERNEL_DIR = Path(__file__).parent / "kernels"
FILES = sorted(p for p in KERNEL_DIR.glob("*.py") if not p.name.startswith("_"))
ARRAY_LEN = 4096
NO_GUARD_GRID = 35
INT_SCALARS = [3, 5, 7, 6, 4, 2]
FLOAT_SCALARS = [0.5, 2.5, 1.25, -0.75]

_DTYPES = {
    "f32": np.float32, "f64": np.float64, "i32": np.int32, "u32": np.uint32,
    "i64": np.int64, "u64": np.uint64, "bool": np.bool_,
}

_loaded: dict[Path, dict[str, Kernel]] = {}


def corpus(path: Path) -> dict[str, Kernel]:
    if path not in _loaded:
        _loaded[path] = hologram.load_kernels(path)
    return _loaded[path]


def _cases() -> list:
    out = []
    for path in FILES:
        try:
            names = list(corpus(path))
        except Exception as err:  # a file the frontend rejects is a failure of its own test
            out.append(pytest.param(path, None, id=f"{path.stem}-LOAD", marks=pytest.mark.xfail(
                reason=f"frontend: {err}", strict=False)))
            continue
        out += [pytest.param(path, name, id=f"{path.stem}-{name}") for name in names]
    return out


def make_args(k: Kernel, seed: int) -> list:
    rng = np.random.default_rng(seed)
    ints, floats = iter(INT_SCALARS * 4), iter(FLOAT_SCALARS * 4)
    args = []
    for t in k.param_types:
        if t.endswith("[]"):
            dtype = np.dtype(_DTYPES[t[:-2]])
            if dtype.kind == "f":
                args.append(rng.uniform(-2, 2, ARRAY_LEN).astype(dtype))
            elif dtype.kind == "b":
                args.append(rng.random(ARRAY_LEN) < 0.5)
            else:
                args.append(rng.integers(1, 8, ARRAY_LEN).astype(dtype))
        elif t in ("f32", "f64"):
            args.append(next(floats))
        elif t == "bool":
            args.append(True)
        else:
            args.append(next(ints))
    return args


def _copy(args):
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def _assert_same(k: Kernel, got, want, how: str):
    for name, g, w in zip(k.param_names, got, want, strict=True):
        if not isinstance(g, np.ndarray):
            continue
        what = f"{k.name}: array '{name}' differs ({how})"
        if g.dtype.kind == "f":
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6, equal_nan=True, err_msg=what)
        else:
            np.testing.assert_array_equal(g, w, err_msg=what)


# Independent references (numpy, float64 where the kernel accumulates) for kernels whose result
# numpy computes directly from make_args's inputs: (file stem, kernel) -> fn(args) -> {pos: want}.
def _ids2(m, n):
    ids = np.arange(m * n)
    return ids // n, ids % n


def _matmul(a, b, c, m, n, k, lda, ldb, ldc):
    want = c.astype(np.float64)
    for i, j in zip(*_ids2(m, n), strict=True):  # id order: a later id's write wins
        want[i * ldc + j] = a[i * lda: i * lda + k].astype(np.float64) @ b[j: j + k * ldb: ldb]
    return {2: want}


def _dense(a, b, c, m, n, k):
    want = c.astype(np.float64)
    want[: m * n] = (a[: m * k].reshape(m, k).astype(np.float64)
                     @ b[: k * n].reshape(k, n)).ravel()
    return {2: want}


def _rows(a, m, k, ld=None):
    ld = k if ld is None else ld
    return np.stack([a[r * ld: r * ld + k] for r in range(m)]).astype(np.float64)


def _set_rows(out, m, k, rows):
    want = out.astype(np.float64)
    want[: m * k] = rows.ravel()
    return want


def _softmax(a, out, m, k):
    x = _rows(a, m, k)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return {1: _set_rows(out, m, k, e / e.sum(axis=1, keepdims=True))}


def _head(out, values):
    want = out.astype(np.float64)
    want[: len(values)] = values
    return want


def _histogram_f32(x, bins, lo, hi, nbins, n):
    v = x[:n]
    inside = v[(v >= np.float32(lo)) & (v < np.float32(hi))]
    b = ((inside - np.float32(lo)) / (np.float32(hi) - np.float32(lo)) * np.float32(nbins))
    b = np.minimum(b.astype(np.uint32), nbins - 1)
    return {1: bins + np.bincount(b, minlength=len(bins)).astype(np.uint32)}


def _laplace(a, out, w, h):
    want = out.astype(np.float64)
    g = a[: w * h].astype(np.float64).reshape(h, w)
    lap = g.copy()
    lap[1:-1, 1:-1] = (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:]
                       - 4.0 * g[1:-1, 1:-1])
    want[: w * h] = lap.ravel()
    return {1: want}


def _torus(a, out, dx, dy, w, h):
    g = a[: w * h].reshape(h, w)
    return {1: _head(out, np.roll(g, (dy, dx), axis=(0, 1)).ravel())}


def _transpose(a, out, rows, cols):
    return {1: _head(out, a[: rows * cols].reshape(rows, cols).T.ravel())}


def _pyfloor(a, b):
    return np.floor_divide(a, b), np.mod(a, b)


REFERENCES = {
    ("matmul", "matmul"): _matmul,
    ("matmul", "matmul_f64"): _dense,
    ("matmul", "matmul_tiled_k"): _dense,
    ("matmul", "matvec"): lambda a, x, y, m, k, lda: {
        2: _head(y, _rows(a, m, k, lda) @ x[:k].astype(np.float64))},
    ("matmul", "outer"): lambda x, y, out, m, n: {
        2: _head(out, np.outer(x[:m], y[:n]).ravel())},
    ("rowwise", "row_sum"): lambda a, out, m, k, ld: {1: _head(out, _rows(a, m, k, ld).sum(1))},
    ("rowwise", "row_max"): lambda a, out, m, k: {1: _head(out, _rows(a, m, k).max(1))},
    ("rowwise", "row_softmax"): _softmax,
    ("rowwise", "row_cumsum"): lambda a, out, m, k: {
        1: _set_rows(out, m, k, np.cumsum(_rows(a, m, k), axis=1))},
    ("rowwise", "row_reverse"): lambda a, out, m, k: {
        1: _set_rows(out, m, k, _rows(a, m, k)[:, ::-1])},
    ("histogram", "histogram"): lambda values, bins, nbins, n: {
        1: bins + np.bincount(values[:n] % nbins, minlength=len(bins)).astype(np.uint32)},
    ("histogram", "histogram_f32"): _histogram_f32,
    ("stencils", "blur3"): lambda a, out, n: {
        1: _head(out, (np.roll(a[:n], 1) + a[:n] + np.roll(a[:n], -1)).astype(np.float64) / 3)},
    ("stencils", "laplace5"): _laplace,
    ("stencils", "torus_shift"): _torus,
    ("stencils", "transpose"): _transpose,
    ("stencils", "floor_div_mod"): lambda a, b, q, r, n: {
        2: _head(q, _pyfloor(a[:n], b[:n])[0]), 3: _head(r, _pyfloor(a[:n], b[:n])[1])},
    ("stencils", "float_mod"): lambda a, b, out, n: {
        2: _head(out, np.mod(a[:n], b[:n]) + np.floor_divide(a[:n], b[:n]))},
    ("reductions", "sum_f32"): lambda a, result, n: {
        1: _head(result, [result[0] + a[:n].astype(np.float64).sum()])},
    ("reductions", "dot"): lambda a, b, result, n: {
        2: _head(result, [result[0] + a[:n].astype(np.float64) @ b[:n]])},
    ("reductions", "sumsq"): lambda a, result, n: {
        1: _head(result, [result[0] + (a[:n].astype(np.float64) ** 2).sum()])},
    ("reductions", "max_f32"): lambda a, result, n: {1: _head(result, [max(result[0], a[:n].max())])},
    ("reductions", "min_i32"): lambda a, result, n: {1: _head(result, [min(result[0], a[:n].min())])},
    ("reductions", "count_positive"): lambda a, count, n: {
        1: _head(count, [count[0] + (a[:n] > 0).sum()])},
}


def test_references_name_corpus_kernels():
    for stem, name in REFERENCES:
        assert name in corpus(KERNEL_DIR / f"{stem}.py"), (stem, name)


def test_corpus_is_there():
    assert FILES, f"no kernel files in {KERNEL_DIR}"


@pytest.mark.parametrize(("path", "name"), _cases())
def test_corpus_kernel(path: Path, name: str | None):
    assert name is not None
    k = corpus(path)[name]
    args = make_args(k, seed=len(name))
    grid = None if k.grid is not None else NO_GUARD_GRID

    simulated = _copy(args)
    k.simulate(*simulated, grid=grid)

    compiled = _copy(args)
    k(*compiled, grid=grid)
    _assert_same(k, compiled, simulated, "inferred grid" if grid is None else f"grid={grid}")
    reference = REFERENCES.get((path.stem, name))
    if reference is not None:
        for pos, want in reference(*_copy(args)).items():
            got = compiled[pos]
            np.testing.assert_allclose(got.astype(np.float64), np.asarray(want, np.float64),
                                       rtol=1e-5, atol=1e-5,
                                       err_msg=f"{name}: '{k.param_names[pos]}' against numpy")

    if grid is None:
        explicit = k._resolve_grid(args, None)
        compiled = _copy(args)
        k(*compiled, grid=explicit)
        _assert_same(k, compiled, simulated, f"explicit grid={explicit}")
