"""The MLIR backend (`backend="mlir"`, docs/mlir.md): kernels built through upstream mlir-opt,
mlir-translate and LLVM, called through the same launch API as the C backend.

* The differential corpus (`tests/kernels/*.py`, every kernel) runs through both backends on
  the same inputs and against `Kernel.simulate`. The two backends must agree bit for bit, except
  in kernels whose float results depend on an order the C backend does not fix either (a float
  atomic add left atomic) or on libmvec's vector math (the C backend's `simd` loops call it, the
  MLIR backend calls scalar libm; docs/vector-math.md): there, rtol 1e-5.
* Stdlib kernels (elementwise, reductions, gemm) through the MLIR backend against numpy on
  awkward sizes.
* Without the tools, this file is skipped in one line ("mlir-opt not found");
  tests/test_mlir_toolchain.py checks the error a user gets then.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_differential_corpus import FILES, NO_GUARD_GRID, _assert_same, _copy, make_args
from xdsl.dialects.builtin import Float32Type, Float64Type

import hologram
from hologram.backends.c.emitter import LIBMVEC_DOUBLE
from hologram.backends.mlir.toolchain import have_toolchain
from hologram.dialects import hologram as hg

STDLIB = Path(__file__).resolve().parent.parent / "stdlib"
SKIP_REASON = ("mlir-opt not found (apt-get install mlir-19-tools llvm-19 libomp-19-dev, or set "
               "$HOLOGRAM_MLIR_BIN)")
if not have_toolchain():
    pytest.skip(SKIP_REASON, allow_module_level=True)

_loaded: dict[tuple[Path, str], dict] = {}


def kernels(path: Path, backend: str) -> dict:
    if (path, backend) not in _loaded:
        _loaded[(path, backend)] = hologram.load_kernels(path, backend=backend)
    return _loaded[(path, backend)]


def _corpus_cases() -> list:
    out = []
    for path in FILES:
        for name in kernels(path, "c"):
            out.append(pytest.param(path, name, id=f"{path.stem}-{name}"))
    return out


def order_or_libm_dependent(k) -> bool:
    """Whether the C backend's result may legitimately differ in the last bits: a float atomic
    add still atomic after the pipeline, or a libm function libmvec vectorizes."""
    lowered = k._unit.lowered()
    op = next(o for o in lowered.ops if isinstance(o, hg.KernelOp) and o.kernel_name == k.name)
    for inner in op.walk():
        if isinstance(inner, hg.AtomicAddOp) and isinstance(inner.value.type,
                                                             Float32Type | Float64Type):
            return True
        if inner.name.startswith("math.") and inner.name[5:].removesuffix("f") in LIBMVEC_DOUBLE:
            return True
    return False


@pytest.mark.parametrize(("path", "name"), _corpus_cases())
def test_corpus_both_backends(path: Path, name: str):
    c_kernel = kernels(path, "c")[name]
    mlir_kernel = kernels(path, "mlir")[name]
    args = make_args(c_kernel, seed=len(name))
    grid = None if c_kernel.grid is not None else NO_GUARD_GRID

    simulated = _copy(args)
    c_kernel.simulate(*simulated, grid=grid)
    by_c, by_mlir = _copy(args), _copy(args)
    c_kernel(*by_c, grid=grid)
    mlir_kernel(*by_mlir, grid=grid)

    _assert_same(mlir_kernel, by_mlir, simulated, "MLIR backend against simulate")
    if order_or_libm_dependent(c_kernel):
        _assert_same(mlir_kernel, by_mlir, by_c, "MLIR backend against the C backend")
        return
    for pname, got, want in zip(c_kernel.param_names, by_mlir, by_c, strict=True):
        if isinstance(got, np.ndarray):
            assert np.array_equal(got, want, equal_nan=got.dtype.kind == "f"), (
                f"{name}: array '{pname}' is not bit-identical between the backends")


SIZES = [0, 1, 7, 1000, 3072, 100003]


@pytest.mark.parametrize("n", SIZES)
def test_stdlib_elementwise_against_numpy(n: int):
    ks = kernels(STDLIB / "elementwise.py", "mlir")
    rng = np.random.default_rng(n)
    a = rng.uniform(-3, 3, n).astype(np.float32)
    b = rng.uniform(-3, 3, n).astype(np.float32)
    out = np.empty(n, np.float32)
    ks["add_f32"](a, b, out, n)
    np.testing.assert_array_equal(out, a + b)
    ks["exp_f32"](a, out, n)
    np.testing.assert_allclose(out, np.exp(a), rtol=1e-6)
    ks["tanh_f32"](a, out, n)
    np.testing.assert_allclose(out, np.tanh(a), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("n", SIZES)
def test_stdlib_reductions_against_numpy(n: int):
    ks = kernels(STDLIB / "reductions.py", "mlir")
    rng = np.random.default_rng(n + 1)
    x = rng.uniform(0, 1, n).astype(np.float32)
    y = rng.uniform(0, 1, n).astype(np.float32)
    result = np.zeros(1, np.float32)
    ks["sum_f32"](x, result, n)
    np.testing.assert_allclose(result[0], np.sum(x, dtype=np.float64), rtol=1e-5)
    result[:] = 0
    ks["dot_f32"](x, y, result, n)
    np.testing.assert_allclose(result[0], np.dot(x.astype(np.float64), y), rtol=1e-5)
    if n:
        result[:] = -np.inf
        ks["max_f32"](x, result, n)
        assert result[0] == x.max()


@pytest.mark.parametrize(("m", "n", "k"), [(1, 1, 1), (7, 5, 3), (64, 48, 96)])
def test_stdlib_gemm_against_numpy(m: int, n: int, k: int):
    gemm = kernels(STDLIB / "linalg.py", "mlir")["gemm_nn_f32"]
    rng = np.random.default_rng(m * n * k)
    a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
    c = rng.uniform(-1, 1, (m, n)).astype(np.float32)
    out = np.empty((m, n), np.float32)
    gemm(a, b, c, 1.5, 0.5, out, m, n, k, k, n, n)
    want = 1.5 * (a.astype(np.float64) @ b) + 0.5 * c
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)


def test_launcher_checks_and_inferred_grid():
    """The MLIR library carries the C backend's launchers: the grid comes from the kernel's
    grid function (its region, converted to a func.func), the length check and grid= work as
    with the C backend."""
    k = kernels(STDLIB / "elementwise.py", "mlir")["add_f32"]
    a = np.arange(1000, dtype=np.float32)
    b = np.full(1000, 0.5, np.float32)
    out = np.zeros(1000, np.float32)
    k(a, b, out, 1000)
    np.testing.assert_array_equal(out, a + b)
    with pytest.raises(hologram.LaunchError, match="'out' has 10 elements"):
        k(a, b, out[:10], 1000)
    out[:] = 0
    k(a, b, out, 1000, grid=500)
    assert out[499] == a[499] + b[499] and not out[500:].any()


def test_boundscheck_needs_the_c_backend():
    with pytest.raises(ValueError, match="boundscheck=True needs the C backend"):
        hologram.load_kernels(STDLIB / "elementwise.py", backend="mlir", boundscheck=True)
