"""Complex numbers (c64, c128): the kernel language, the C backend, the launch, `Kernel.simulate`
and `hologram.ops`, against numpy.

Tolerances: complex64 results within rtol 2e-6 of numpy's complex128 value, complex128 within
1e-13 (libm's complex functions and numpy's own differ by a few ULP); special values (NaN and
infinite parts) must match exactly, part by part, NaN matching NaN. The kernels of this file
compile once (one C module); the ops tests compile the stdlib's c64 and c128 units once.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import hologram
import hologram.ops as ops
from hologram.frontend import CompileError, parse_source
from hologram.runtime import LaunchError

KERNELS = '''\
import cmath
from hologram.lang import DeviceArray, f32, f64, c64, c128, i32, u32, get_global_id


def rot(z, k):
    # an unannotated helper: specialized per call (c64 here)
    return z * c64(0.0, 1.0) ** k


def magnitude(z: c128) -> f64:
    return abs(z)


def arith(a: DeviceArray[c128], s: c128, t: f64, out: DeviceArray[c128], n: u32):
    i = get_global_id()
    if i < n:
        out[i] = a[i] * s + t - 2 * a[i] / (1 + 0.5j)


def mixed(a: DeviceArray[c64], d: DeviceArray[f64], k: DeviceArray[i32], out: DeviceArray[c128],
          r: DeviceArray[f64], n: u32):
    i = get_global_id()
    if i < n:
        z = a[i] + d[i]          # c64 with f64: c128
        z = z * k[i]             # an integer joins the complex type
        out[i] = -z + rot(a[i], 2)
        r[i] = magnitude(z) + z.real - z.imag


def parts(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[c64], n: u32):
    i = get_global_id()
    if i < n:
        z = c64(a[i], b[i])      # built from its parts
        w = c64(a[i])            # a real value: imaginary part 0
        out[i] = z.conjugate() * w + 1j * b[i]


def funcs(a: DeviceArray[c64], out: DeviceArray[c64], which: u32, n: u32):
    i = get_global_id()
    if i < n:
        z = a[i]
        if which == 0:
            out[i] = exp(z)
        elif which == 1:
            out[i] = log(z)
        elif which == 2:
            out[i] = sqrt(z)
        elif which == 3:
            out[i] = cmath.asin(z)
        elif which == 4:
            out[i] = cmath.acosh(z)
        elif which == 5:
            out[i] = expm1(z)
        elif which == 6:
            out[i] = log1p(z)
        elif which == 7:
            out[i] = cmath.tanh(z)
        elif which == 8:
            out[i] = cmath.log10(z)
        elif which == 9:
            out[i] = cmath.cosh(z)
        elif which == 10:
            out[i] = cmath.atan(z)
        else:
            out[i] = log2(z)


def funcs128(a: DeviceArray[c128], out: DeviceArray[c128], which: u32, n: u32):
    i = get_global_id()
    if i < n:
        z = a[i]
        if which == 0:
            out[i] = expm1(z)
        elif which == 1:
            out[i] = log1p(z)
        else:
            out[i] = cmath.sin(z) * cmath.cos(z) / cmath.tan(z)


def norms(a: DeviceArray[c64], out: DeviceArray[c64], m: u32, n: u32):
    i = get_global_id()
    if i < n:
        acc = 0
        for j in range(m):
            acc += a[i * m + j] * a[i * m + j].conjugate()
        out[i] = acc


def column_sums(a: DeviceArray[c128], out: DeviceArray[c128], rows: u32, n: u32):
    # one thread per column, walking its rows: vectorize-lanes runs consecutive columns together
    i = get_global_id()
    if i < n:
        acc = c128(0)
        for r in range(rows):
            acc = acc + a[r * n + i]
        out[i] = acc


def classify(a: DeviceArray[c128], flags: DeviceArray[i32], n: u32):
    i = get_global_id()
    if i < n:
        z = a[i]
        f = 0
        if cmath.isnan(z):
            f = 1
        if cmath.isinf(z):
            f = f + 2
        if cmath.isfinite(z):
            f = f + 4
        if z == 1j:
            f = f + 8
        if z != z:
            f = f + 16
        flags[i] = f


def select(a: DeviceArray[c64], out: DeviceArray[c64], n: u32):
    i = get_global_id()
    if i < n:
        out[i] = a[i] if a[i].real > 0 else 1j
        z = a[i]
        if z.imag < 0:
            z = -z
        out[i] = out[i] + z
'''

SIZES = [0, 1, 7, 1000]


@pytest.fixture(scope="module")
def ks(tmp_path_factory):
    path = tmp_path_factory.mktemp("complex") / "complex_kernels.py"
    path.write_text(KERNELS)
    kernels = hologram.load_kernels(path)
    next(iter(kernels.values())).compile()  # one C module for the file
    return kernels


def cz(rng, n, dtype, scale=1.0):
    return ((rng.standard_normal(n) + 1j * rng.standard_normal(n)) * scale).astype(dtype)


def close(got, ref, rtol):
    got, ref = np.asarray(got), np.asarray(ref)
    err = np.abs(got - ref) / np.maximum(np.abs(ref), 1e-30)
    assert got.size == 0 or err.max() <= rtol, f"max relative error {err.max()}"


def same_values(got, ref):
    """Equal part by part, NaN matching NaN, the sign of zeros and infinities compared."""
    for g, r in ((got.real, ref.real), (got.imag, ref.imag)):
        both_nan = np.isnan(g) & np.isnan(r)
        equal = (g == r) & (np.signbit(g) == np.signbit(r))
        with np.errstate(invalid="ignore"):
            near = np.isfinite(r) & (np.abs(g - r) <= 4e-6 * np.abs(r))
        ok = both_nan | equal | near
        assert ok.all(), [(got[i], ref[i]) for i in np.nonzero(~ok)[0][:5]]


# --- the language: compiled, simulated, numpy ---------------------------------------------------
@pytest.mark.parametrize("n", SIZES)
def test_arithmetic_with_scalar_parameters(ks, n):
    """A c128 scalar argument (a Python complex), an f64 one, literals `2` and `1 + 0.5j`."""
    rng = np.random.default_rng(n)
    a = cz(rng, n, np.complex128)
    out, sim = np.zeros(n, np.complex128), np.zeros(n, np.complex128)
    ks["arith"](a, 1.5 - 2j, 0.25, out, n)
    ks["arith"].simulate(a, 1.5 - 2j, 0.25, sim, n)
    ref = a * (1.5 - 2j) + 0.25 - 2 * a / (1 + 0.5j)
    close(out, ref, 1e-14)
    close(sim, ref, 1e-14)


@pytest.mark.parametrize("n", SIZES)
def test_mixed_types_join_like_numpy(ks, n):
    """c64 + f64 is c128, an int32 joins the complex type; helpers (annotated or not) inline."""
    rng = np.random.default_rng(n)
    a, d = cz(rng, n, np.complex64), rng.standard_normal(n)
    k = rng.integers(-3, 3, n).astype(np.int32)
    out, sim = np.zeros(n, np.complex128), np.zeros(n, np.complex128)
    r, rsim = np.zeros(n), np.zeros(n)
    ks["mixed"](a, d, k, out, r, n)
    ks["mixed"].simulate(a, d, k, sim, rsim, n)
    z = (a.astype(np.complex128) + d) * k
    ref = -z + a * np.complex64(1j) ** 2
    close(out, ref, 1e-7)
    close(sim, ref, 1e-7)
    close(r, np.abs(z) + z.real - z.imag, 1e-12)
    close(rsim, r, 1e-12)


@pytest.mark.parametrize("n", SIZES)
def test_construction_from_parts(ks, n):
    rng = np.random.default_rng(n)
    a, b = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    out, sim = np.zeros(n, np.complex64), np.zeros(n, np.complex64)
    ks["parts"](a, b, out, n)
    ks["parts"].simulate(a, b, sim, n)
    ref = np.conj(a + 1j * b.astype(np.complex64)) * a + 1j * b
    close(out, ref, 2e-6)
    np.testing.assert_array_equal(out, sim)


NP_FUNCS = [np.exp, np.log, np.sqrt, np.arcsin, np.arccosh, np.expm1, np.log1p, np.tanh,
            np.log10, np.cosh, np.arctan, np.log2]


@pytest.mark.parametrize("which", range(len(NP_FUNCS)), ids=[f.__name__ for f in NP_FUNCS])
def test_functions_c64(ks, which):
    """Each complex function (bare intrinsic or cmath.*) against numpy in complex128."""
    rng = np.random.default_rng(which)
    a = cz(rng, 1000, np.complex64)
    out, sim = np.zeros(1000, np.complex64), np.zeros(1000, np.complex64)
    ks["funcs"](a, out, which, 1000)
    ks["funcs"].simulate(a[:50], sim[:50], which, 50)
    ref = NP_FUNCS[which](a.astype(np.complex128))
    close(out, ref, 2e-6)
    close(sim[:50], ref[:50], 2e-6)


@pytest.mark.parametrize("which", range(len(NP_FUNCS)), ids=[f.__name__ for f in NP_FUNCS])
def test_functions_special_values(ks, which):
    """Infinite, NaN and signed-zero parts: numpy's (C99 Annex G) values, except where numpy's
    expm1/log1p are not Annex G's: there the array API's stated cases."""
    vals = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, np.inf, -np.inf, np.nan]
    z = np.array([complex(x, y) for x in vals for y in vals], np.complex64)
    out = np.zeros(len(z), np.complex64)
    ks["funcs"](z, out, which, len(z))
    fn = NP_FUNCS[which]
    if fn in (np.expm1, np.log1p):
        expected = {np.expm1: EXPM1_CASES, np.log1p: LOG1P_CASES}[fn]
        for (x, y), want in expected.items():
            i = vals.index(x) * len(vals) + vals.index(y) if not (x != x or y != y) else \
                [k for k, v in enumerate(z) if _same_input(v, x, y)][0]
            same_values(out[i:i + 1], np.array([want], np.complex64))
        with np.errstate(all="ignore"):
            ref = fn(z.astype(np.complex128))
        finite = np.isfinite(z) & np.isfinite(ref)
        close(out[finite], ref[finite], 2e-6)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = fn(z)
    same_values(out, ref)


def _same_input(v, x, y):
    def eq(a, b):
        return (a != a and b != b) or (a == b and np.signbit(a) == np.signbit(b))
    return eq(v.real, x) and eq(v.imag, y)


nan, inf = float("nan"), float("inf")
# The array API's special cases (C99 Annex G style) for expm1 and log1p.
EXPM1_CASES = {
    (0.0, 0.0): 0j, (-0.0, 0.0): 0j, (1.0, inf): complex(nan, nan), (1.0, nan): complex(nan, nan),
    (inf, 0.0): complex(inf, 0.0), (-inf, 0.0): complex(-1.0, 0.0), (nan, 0.0): complex(nan, 0.0),
    (nan, 1.0): complex(nan, nan), (nan, nan): complex(nan, nan),
    (inf, inf): complex(inf, nan), (inf, nan): complex(inf, nan),
}
LOG1P_CASES = {
    (-1.0, 0.0): complex(-inf, 0.0), (1.0, inf): complex(inf, np.pi / 2),
    (1.0, nan): complex(nan, nan), (-inf, 1.0): complex(inf, np.pi),
    (inf, 1.0): complex(inf, 0.0), (-inf, inf): complex(inf, 3 * np.pi / 4),
    (inf, inf): complex(inf, np.pi / 4), (inf, nan): complex(inf, nan),
    (-inf, nan): complex(inf, nan), (nan, 1.0): complex(nan, nan), (nan, inf): complex(inf, nan),
    (nan, nan): complex(nan, nan),
}


def test_expm1_log1p_accurate_near_zero(ks):
    """exp(z) - 1 and log(1 + z) cancel near 0; the kernels keep full relative precision."""
    rng = np.random.default_rng(5)
    z64 = cz(rng, 200, np.complex128, 1e-9)
    out = np.zeros(200, np.complex128)
    ks["funcs128"](z64, out, 0, 200)
    series = z64 + z64**2 / 2 + z64**3 / 6
    close(out, series, 1e-14)
    ks["funcs128"](z64, out, 1, 200)
    close(out, z64 - z64**2 / 2 + z64**3 / 3, 1e-14)
    z32 = cz(rng, 200, np.complex64, 1e-6)
    out32 = np.zeros(200, np.complex64)
    ks["funcs"](z32, out32, 5, 200)
    z = z32.astype(np.complex128)
    close(out32, z + z**2 / 2 + z**3 / 6, 2e-6)


def test_c128_functions(ks):
    rng = np.random.default_rng(3)
    a = cz(rng, 500, np.complex128)
    out = np.zeros(500, np.complex128)
    ks["funcs128"](a, out, 2, 500)
    close(out, np.sin(a) * np.cos(a) / np.tan(a), 1e-12)


@pytest.mark.parametrize("n", SIZES)
def test_loop_accumulation(ks, n):
    """A local that starts as the int literal 0 and accumulates c64 values is a c64 slot."""
    m = 7
    rng = np.random.default_rng(n)
    a = cz(rng, n * m, np.complex64)
    out, sim = np.zeros(n, np.complex64), np.zeros(n, np.complex64)
    ks["norms"](a, out, m, n)
    ks["norms"].simulate(a, sim, m, n)
    ref = (np.abs(a.astype(np.complex128)) ** 2).reshape(n, m).sum(1)
    close(out, ref, 2e-6)
    close(sim, ref, 2e-6)


def test_column_sums_through_vectorize_lanes(ks):
    """vectorize-lanes applies to complex values (lane arrays of complex<f64>), same results."""
    assert 'vectorize_lanes.strategy = "lanes 64"' in ks["column_sums"].mlir(
        pipeline="vectorize-lanes")
    rng = np.random.default_rng(0)
    rows, n = 33, 1000
    a = cz(rng, rows * n, np.complex128)
    out = np.zeros(n, np.complex128)
    ks["column_sums"](a, out, rows, n)
    close(out, a.reshape(rows, n).sum(0), 1e-13)


def test_classification_and_equality(ks):
    z = np.array([1j, complex(nan, 0), complex(0, inf), complex(-inf, nan), 2 + 3j, 0],
                 np.complex128)
    flags, sim = np.zeros(len(z), np.int32), np.zeros(len(z), np.int32)
    ks["classify"](z, flags, len(z))
    ks["classify"].simulate(z, sim, len(z))
    np.testing.assert_array_equal(flags, [12, 17, 2, 19, 4, 4])
    np.testing.assert_array_equal(sim, flags)


def test_conditional_expression_and_negation(ks):
    rng = np.random.default_rng(1)
    a = cz(rng, 300, np.complex64)
    out, sim = np.zeros(300, np.complex64), np.zeros(300, np.complex64)
    ks["select"](a, out, 300)
    ks["select"].simulate(a, sim, 300)
    ref = np.where(a.real > 0, a, np.complex64(1j)) + np.where(a.imag < 0, -a, a)
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_array_equal(sim, ref)


def test_launch_checks(ks):
    a = np.zeros(4, np.complex64)
    with pytest.raises(LaunchError, match="needs dtype complex128"):
        ks["arith"](a, 1j, 0.0, np.zeros(4, np.complex128), 4)
    with pytest.raises(LaunchError, match=r"parameter 's' \(c128\) needs a number"):
        ks["arith"](np.zeros(4, np.complex128), "1j", 0.0, np.zeros(4, np.complex128), 4)
    with pytest.raises(LaunchError, match=r"parameter 't' \(f64\) needs a number"):
        ks["arith"](np.zeros(4, np.complex128), 1j, 1j, np.zeros(4, np.complex128), 4)
    out = np.zeros(4, np.complex128)
    ks["arith"](np.ones(4, np.complex128), np.complex64(2), 0, out, 4)  # numpy and int scalars
    np.testing.assert_allclose(out, 2 - 2 / (1 + 0.5j))


# --- errors: located, naming the construct ----------------------------------------------------
HEADER = """\
import cmath
from hologram.lang import DeviceArray, f32, c64, c128, u32, get_global_id

def k(a: DeviceArray[c64], r: DeviceArray[f32], n: u32):
    idx = get_global_id()
"""


@pytest.mark.parametrize("body, message", [
    ("if a[idx] < 1j:\n    r[idx] = 1.0", "complex numbers (c64) have no order"),
    ("r[idx] = max(a[idx], 1.0).real", "`max` of complex values"),
    ("atomic_add(a, 0, a[idx])", "`atomic_add` on a complex array"),
    ("atomic_min(a, 0, a[idx])", "`atomic_min` on a complex array"),
    ("r[idx] = a[idx]", "cannot convert c64 to f32: the imaginary part would be lost"),
    ("r[idx] = f32(a[idx])", "cannot convert c64 to f32"),
    ("a[idx] = a[idx] // 2", "operator `//` is not defined on complex numbers"),
    ("r[idx] = floor(a[idx]).real", "`floor` is not defined for complex numbers"),
    ("a[idx] = cmath.phase(a[idx])", "`cmath.phase` is not supported"),
    ("r[idx] = 1j", "cannot convert the complex literal 1j to f32"),
])
def test_rejected(body, message):
    with pytest.raises(CompileError) as info:
        parse_source(HEADER + "    " + body.replace("\n", "\n    ") + "\n", "k.py")
    err = info.value
    assert message in err.message
    assert err.loc is not None and err.loc.line == 6


# --- hologram.ops -------------------------------------------------------------------------------
RTOL = {np.complex64: 2e-6, np.complex128: 1e-13}
UNARY = ["exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "sin", "cos", "tan", "sinh",
         "cosh", "tanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
         "negative", "positive", "square", "reciprocal", "sign", "conj", "real", "imag", "abs",
         "isnan", "isinf", "isfinite"]
BINARY = ["add", "subtract", "multiply", "divide", "equal", "not_equal", "power"]


def _check(got, ref, rtol):
    got, ref = np.asarray(got), np.asarray(ref)
    assert got.dtype == ref.dtype and got.shape == ref.shape, (got.dtype, ref.dtype)
    if ref.dtype == np.bool_:
        np.testing.assert_array_equal(got, ref)
        return
    err = np.abs(got - ref) / np.maximum(np.abs(ref), 1.0)
    assert got.size == 0 or err.max() <= rtol, f"max error {err.max()}"


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("name", UNARY)
def test_ops_unary(name, dtype):
    rng = np.random.default_rng(0)
    x = cz(rng, 1003, dtype)
    _check(getattr(ops, name)(x), getattr(np, name)(x), RTOL[dtype] * 4)
    _check(getattr(ops, name)(x.reshape(17, 59)[:, ::3]), getattr(np, name)(
        x.reshape(17, 59)[:, ::3]), RTOL[dtype] * 4)  # a strided view


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("name", BINARY)
def test_ops_binary(name, dtype):
    rng = np.random.default_rng(1)
    x, y = cz(rng, 1003, dtype), cz(rng, 1003, dtype)
    y[::7] = x[::7]  # some equal elements
    _check(getattr(ops, name)(x, y), getattr(np, name)(x, y), RTOL[dtype] * 4)
    row = y[:17]
    _check(getattr(ops, name)(x[:17 * 59].reshape(59, 17), row),
           getattr(np, name)(x[:17 * 59].reshape(59, 17), row), RTOL[dtype] * 4)  # broadcast


@pytest.mark.parametrize("args, dtype", [
    ((np.ones(5, np.float32), 1j), np.complex64),                       # Python complex: weak
    ((np.ones(5, np.float64), np.ones(5, np.complex64)), np.complex128),
    ((np.ones(5, np.float32), np.ones(5, np.complex64)), np.complex64),
    ((np.ones(5, np.int32), np.complex64(1j)), np.complex128),
    ((np.ones(5, np.complex64), 2.5), np.complex64),
])
def test_ops_promotion(args, dtype):
    got = ops.add(*args)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, np.add(*args))


def test_ops_special_values_of_sign_and_functions():
    z = np.array([0j, complex(-0.0, 0.0), complex(nan, 1), complex(1, nan), complex(inf, 1),
                  complex(inf, inf), 3 + 4j], np.complex64)
    same_values(ops.sign(z), np.array([0j, 0j, complex(nan, nan), complex(nan, nan), 1 + 0j,
                                       complex(nan, nan), 0.6 + 0.8j], np.complex64))
    vals = [0.0, -0.0, 1.0, -2.0, inf, -inf, nan]
    grid = np.array([complex(a, b) for a in vals for b in vals], np.complex128)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ["exp", "log", "sqrt", "sinh", "cosh", "tanh", "arcsinh", "arccosh",
                     "arctanh", "arcsin", "arccos", "arctan", "sin", "cos", "tan"]:
            same_values(getattr(ops, name)(grid), getattr(np, name)(grid))


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_ops_reductions(dtype):
    rng = np.random.default_rng(2)
    x = cz(rng, 4 * 5 * 3, dtype).reshape(4, 5, 3)
    rtol = RTOL[dtype] * 10
    for name in ["sum", "prod", "mean"]:
        _check(getattr(ops, name)(x), getattr(np, name)(x), rtol)
        _check(getattr(ops, name)(x, axis=1), getattr(np, name)(x, axis=1), rtol)
        _check(getattr(ops, name)(x, axis=(0, 2), keepdims=True),
               getattr(np, name)(x, axis=(0, 2), keepdims=True), rtol)
    big = cz(rng, 100003, dtype)
    _check(ops.sum(big), np.sum(big.astype(np.complex128)).astype(dtype), rtol)
    _check(ops.cumsum(x, axis=1), np.cumsum(x, axis=1), rtol)
    _check(ops.cumulative_prod(x, axis=2), np.cumprod(x, axis=2), rtol)
    _check(ops.any(x, axis=0), np.any(x, axis=0), 0)
    _check(ops.vecdot(x, x), np.vecdot(x, x), rtol)
    _check(ops.matmul(x[0], x[1].T), x[0] @ x[1].T, rtol)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_ops_shape_and_copy(dtype):
    rng = np.random.default_rng(3)
    x = cz(rng, 60, dtype).reshape(4, 5, 3)
    cases = [
        (ops.reshape(x, (20, 3)), np.reshape(x, (20, 3))),
        (ops.concat([x, x[:, :2]], axis=1), np.concatenate([x, x[:, :2]], axis=1)),
        (ops.concat([x, x.real.astype(np.float32)]), np.concatenate([x, x.real.astype(
            np.float32)])),
        (ops.stack([x, x], axis=1), np.stack([x, x], axis=1)),
        (ops.flip(x, axis=1), np.flip(x, axis=1)),
        (ops.roll(x, 2, axis=1), np.roll(x, 2, axis=1)),
        (ops.moveaxis(x, 0, 2), np.moveaxis(x, 0, 2)),
        (ops.squeeze(x[:, :1], axis=1), np.squeeze(x[:, :1], axis=1)),
        (ops.expand_dims(x, 1), np.expand_dims(x, 1)),
        (ops.broadcast_to(x[:, :1], (4, 5, 3)), np.broadcast_to(x[:, :1], (4, 5, 3))),
        (ops.tile(x, (2, 1, 1)), np.tile(x, (2, 1, 1))),
        (ops.repeat(x, 2, axis=1), np.repeat(x, 2, axis=1)),
        (ops.where(x.real > 0, x, 0), np.where(x.real > 0, x, 0)),
        (ops.tril(x), np.tril(x)),
        (ops.take(x, np.array([2, 0]), axis=1), np.take(x, np.array([2, 0]), axis=1)),
        (ops.transpose(x), np.transpose(x)),
    ]
    for got, ref in cases:
        _check(got, ref, 0)
    for got, ref in zip(ops.unstack(x, axis=1), [x[:, i] for i in range(5)]):
        _check(got, ref, 0)


@pytest.mark.parametrize("call, message", [
    (lambda z: ops.maximum(z, z), "hologram.ops.maximum: is not defined for complex numbers"),
    (lambda z: ops.less(z, 1), "hologram.ops.less: is not defined for complex numbers"),
    (lambda z: ops.floor(z), "hologram.ops.floor: no loop for inputs of type complex64"),
    (lambda z: ops.clip(z, 0, 1), "hologram.ops.clip"),
    (lambda z: ops.max(z), "hologram.ops.max: is not defined for complex numbers"),
    (lambda z: ops.argmin(z), "hologram.ops.argmin: is not defined for complex numbers"),
    (lambda z: ops.std(z), "hologram.ops.std: has no kernel for complex numbers"),
    (lambda z: ops.sort(z), "hologram.ops.sort: has no kernel for complex64"),
])
def test_ops_real_only_refuse_complex(call, message):
    with pytest.raises(TypeError, match=message.replace(".", r"\.")):
        call(np.ones(3, np.complex64))


def test_array_api_namespace_has_complex_parts():
    from hologram.ops import array_api

    for name in ("real", "imag", "conj"):
        assert name in array_api.IMPLEMENTED
        assert getattr(array_api, name) is ops.OPS[name]
    np.testing.assert_array_equal(array_api.real(np.array([3.0])), [3.0])  # real input
    np.testing.assert_array_equal(array_api.imag(np.array([3.0])), [0.0])


def test_mlir_backend_refuses_complex(tmp_path):
    from hologram.backends.mlir.lower import upstream_module

    result = parse_source(HEADER + "    a[idx] = a[idx] * 2\n", "k.py")
    with pytest.raises(CompileError, match="the MLIR backend does not support complex") as info:
        upstream_module(result.module)
    assert info.value.loc is not None and info.value.loc.line == 6
