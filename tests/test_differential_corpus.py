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

    if grid is None:
        explicit = k._resolve_grid(args, None)
        compiled = _copy(args)
        k(*compiled, grid=explicit)
        _assert_same(k, compiled, simulated, f"explicit grid={explicit}")
