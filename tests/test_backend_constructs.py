"""Every construct of the language, compiled and run, against `Kernel.simulate` and numpy.

Sizes 0, 1, 7, 1000, 3072 run both compiled and simulated (the simulation is pure Python, one
call per id); 100003 runs compiled against numpy only, where numpy has an equivalent.

Tolerances: integer results and plain float arithmetic must be bit-identical (the backend
compiles with -ffp-contract=off); libm functions may differ from numpy's implementations by a
few ULP (rtol 2e-6); float atomic sums depend on the order of the additions (rtol 1e-4).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest

import hologram

SIM_SIZES = [0, 1, 7, 1000, 3072]
BIG = 100003

KERNELS = 'from hologram.lang import (DeviceArray, f32, f64, i32, u32, i64, u64, get_global_id,\n                           atomic_add_f32, atomic_add, atomic_min, atomic_max,\n                           exp, log, sqrt, tanh, erf, rsqrt, floor, ceil, sin, cos)\n\n\ndef vector_add(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):\n    idx = get_global_id()\n    if idx < n:\n        out[idx] = a[idx] + b[idx]\n\n\ndef math_ops(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):\n    idx = get_global_id()\n    if idx < n:\n        x = a[idx]\n        out[idx] = exp(x * 0.1) + tanh(x) + erf(x) + sqrt(abs(x)) + floor(x) + ceil(x) + sin(x) * cos(x)\n\n\ndef rsqrt_k(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):\n    idx = get_global_id()\n    if idx < n:\n        out[idx] = rsqrt(abs(a[idx]) + 1.0) + log(abs(a[idx]) + 1.0)\n\n\ndef int_div(a: DeviceArray[i32], b: DeviceArray[i32], q: DeviceArray[i32], r: DeviceArray[i32], n: u32):\n    idx = get_global_id()\n    if idx < n:\n        q[idx] = a[idx] // b[idx]\n        r[idx] = a[idx] % b[idx]\n\n\ndef uint_wrap(a: DeviceArray[u32], b: DeviceArray[u32], out: DeviceArray[u32], d: DeviceArray[u32], n: u32):\n    idx = get_global_id()\n    if idx < n:\n        out[idx] = a[idx] * b[idx] - b[idx] + 7\n        d[idx] = a[idx] // (b[idx] + 1) + a[idx] % (b[idx] + 1)\n\n\ndef float_floordiv(a: DeviceArray[f32], b: DeviceArray[f32], q: DeviceArray[f32], r: DeviceArray[f32], n: u32):\n    idx = get_global_id()\n    if idx < n:\n        q[idx] = a[idx] // b[idx]\n        r[idx] = a[idx] % b[idx]\n\n\ndef branches(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):\n    idx = get_global_id()\n    if idx < n:\n        x = a[idx]\n        if x > 1.0:\n            y = x * 2.0\n        elif x < -1.0:\n            y = -x\n        else:\n            y = 0.5\n        out[idx] = y if idx % 2 == 0 else y + 1.0\n\n\ndef short_circuit(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):\n    idx = get_global_id()\n    if idx < n:\n        ok = idx > 0 and a[idx - 1] > 0.0\n        alt = idx + 1 >= n or a[idx + 1] < 0.0\n        out[idx] = 1.0 if ok else (2.0 if alt else 3.0)\n\n\ndef loops(a: DeviceArray[f32], out: DeviceArray[f32], m: u32, n: u32):\n    idx = get_global_id()\n    if idx < n:\n        acc = 0.0\n        for j in range(m):\n            acc += a[idx] * f32(j)\n        k = 0\n        while k < 3:\n            acc = acc + 1.0\n            k += 1\n        for t in range(10, 0, -3):\n            acc -= f32(t)\n        out[idx] = acc\n\n\ndef break_continue(a: DeviceArray[i32], out: DeviceArray[i32], n: u32):\n    idx = get_global_id()\n    if idx < n:\n        s = 0\n        for j in range(20):\n            if j % 3 == 0:\n                continue\n            if j > a[idx]:\n                break\n            s += j\n        out[idx] = s\n\n\ndef early_return(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):\n    idx = get_global_id()\n    if idx >= n:\n        return\n    out[idx] = 1.0\n    for j in range(5):\n        if a[idx] < f32(j):\n            return\n        out[idx] = out[idx] + 1.0\n\n\ndef dot(a: DeviceArray[f32], b: DeviceArray[f32], result: DeviceArray[f32], n: u32):\n    idx = get_global_id()\n    if idx < n:\n        atomic_add_f32(result, a[idx] * b[idx])\n\n\ndef histogram(data: DeviceArray[u32], bins: DeviceArray[u32], nbins: u32, n: u32):\n    idx = get_global_id()\n    if idx < n:\n        atomic_add(bins, data[idx] % nbins, 1)\n\n\ndef minmax(a: DeviceArray[f32], lo: DeviceArray[f32], hi: DeviceArray[f32], n: u32):\n    idx = get_global_id()\n    if idx < n:\n        atomic_min(lo, 0, a[idx])\n        atomic_max(hi, 0, a[idx])\n\n\ndef ticket(counter: DeviceArray[i32], order: DeviceArray[i32], n: u32):\n    idx = get_global_id()\n    if idx < n:\n        old = atomic_add(counter, 0, 1)\n        order[idx] = old\n\n\ndef casts(a: DeviceArray[f32], i: DeviceArray[i32], u: DeviceArray[u32], d: DeviceArray[f64], n: u32):\n    idx = get_global_id()\n    if idx < n:\n        x = a[idx]\n        i[idx] = i32(x) + int(x * 2.0)\n        u[idx] = u32(abs(x)) + idx\n        d[idx] = f64(x) * 3.0\n\n\ndef minmax_fn(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):\n    idx = get_global_id()\n    if idx < n:\n        out[idx] = min(a[idx], b[idx]) + max(a[idx], 0.0)\n\n\ndef no_guard(out: DeviceArray[u32]):\n    idx = get_global_id()\n    out[idx] = idx * 2\n\n\ndef grid_product(out: DeviceArray[f32], m: u32, n: u32):\n    idx = get_global_id()\n    if idx < m * n:\n        out[idx] = f32(idx // n) + f32(idx % n) * 0.5\n\n\ndef helper_sq(x: f32) -> f32:\n    return x * x\n\n\ndef calls_helper(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):\n    idx = get_global_id()\n    if idx < n:\n        out[idx] = helper_sq(a[idx]) + 1.0\n\n\ndef i64_math(a: DeviceArray[i64], out: DeviceArray[i64], c: i64, n: u32):\n    idx = get_global_id()\n    if idx < n:\n        out[idx] = a[idx] * c + a[idx] // 3 - a[idx] % 5\n\n\ndef bool_param(a: DeviceArray[f32], out: DeviceArray[f32], flip: bool, n: u32):\n    idx = get_global_id()\n    if idx < n:\n        if flip and not a[idx] > 0.0:\n            out[idx] = -a[idx]\n        else:\n            out[idx] = a[idx]\n\n\ndef pow_k(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):\n    idx = get_global_id()\n    if idx < n:\n        out[idx] = abs(a[idx]) ** 1.5 + a[idx] ** 2\n'


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    path = tmp_path_factory.mktemp("constructs") / "constructs.py"
    path.write_text(KERNELS)
    ks = hologram.load_kernels(path)
    next(iter(ks.values())).compile()  # one C module for the whole file
    return ks


def f32s(rng, n, lo=-4.0, hi=4.0):
    return rng.uniform(lo, hi, n).astype(np.float32)


@dataclass
class Case:
    """Inputs for size n, which arguments are outputs, an optional numpy reference."""

    make: Callable[[np.random.Generator, int], tuple]
    outputs: tuple[int, ...]
    numpy: Callable[..., tuple] | None = None
    rtol: float = 0.0
    grid: Callable[[int], int] | None = None  # explicit grid when not inferable
    compare: Callable[[np.ndarray, np.ndarray], None] | None = None
    sim_sizes: list[int] = field(default_factory=lambda: SIM_SIZES)
    atol: float = 1e-6  # against numpy (libm sums can cancel to near zero)


def _i32(rng, n, lo=-50, hi=50):
    return rng.integers(lo, hi, n, dtype=np.int32)


def _u32(rng, n, lo=0, hi=2**32 - 1):
    return rng.integers(lo, hi, n, dtype=np.uint32)


def _pyfloordiv(a, b):
    with np.errstate(all="ignore"):
        return np.where(b == 0, 0, a // np.where(b == 0, 1, b)).astype(a.dtype)


def _pymod(a, b):
    with np.errstate(all="ignore"):
        return np.where(b == 0, 0, a % np.where(b == 0, 1, b)).astype(a.dtype)


def _same_multiset(got, want):
    np.testing.assert_array_equal(np.sort(got), np.sort(want))


# Independent references (numpy and hand computation), step by step in the kernel's types so
# float32 results are comparable exactly or to a few ULP of libm.
F = np.float32


def _math_ops(a, out, n):
    erf = np.vectorize(math.erf, otypes=[np.float64])
    x = a
    terms = [np.exp(x * F(0.1)), np.tanh(x), erf(x).astype(F), np.sqrt(np.abs(x)), np.floor(x),
             np.ceil(x)]
    acc = terms[0]
    for t in terms[1:]:
        acc = acc + t
    return (acc + np.sin(x) * np.cos(x),)


def _uint_wrap(a, b, out, d, n):
    with np.errstate(all="ignore"):
        b1 = b + np.uint32(1)  # wraps to 0 for b = 2**32 - 1: x // 0 and x % 0 are 0
        return (a * b - b + np.uint32(7), _pyfloordiv(a, b1) + _pymod(a, b1))


def _short_circuit(a, out, n):
    if n == 0:
        return (out.copy(),)
    ok = np.concatenate([[False], a[:-1] > 0])  # idx > 0 and a[idx - 1] > 0
    alt = np.concatenate([a[1:] < 0, [True]])  # idx + 1 >= n or a[idx + 1] < 0
    return (np.where(ok, F(1), np.where(alt, F(2), F(3))).astype(F),)


def _loops(a, out, m, n):
    acc = np.zeros(n, F)
    for j in range(m):
        acc = acc + a * F(j)
    for _ in range(3):
        acc = acc + F(1)
    for t in range(10, 0, -3):
        acc = acc - F(t)
    return (acc,)


def _break_continue(a, out, n):
    s, running = np.zeros(n, np.int32), np.ones(n, bool)
    for j in range(20):
        if j % 3 == 0:
            continue
        running &= ~(j > a)
        s += np.where(running, j, 0).astype(np.int32)
    return (s,)


def _early_return(a, out, n):
    steps = np.zeros(n, F)
    running = np.ones(n, bool)
    for j in range(5):
        running &= ~(a < F(j))
        steps += running
    return (F(1) + steps,)


def _casts(a, i, u, d, n):
    return (np.trunc(a).astype(np.int32) + np.trunc(a * F(2)).astype(np.int32),
            np.trunc(np.abs(a)).astype(np.uint32) + np.arange(n, dtype=np.uint32),
            a.astype(np.float64) * 3.0)


def _grid_product(out, m, n):
    ids = np.arange(m * n)
    ref = out.copy()
    ref[: m * n] = (ids // max(n, 1)).astype(F) + (ids % max(n, 1)).astype(F) * F(0.5)
    return (ref,)


CASES: dict[str, Case] = {
    "vector_add": Case(
        lambda r, n: (f32s(r, n), f32s(r, n), np.zeros(n, np.float32), n), (2,),
        numpy=lambda a, b, out, n: (a + b,)),
    "math_ops": Case(
        lambda r, n: (f32s(r, n), np.zeros(n, np.float32), n), (1,), rtol=2e-6, atol=1e-5,
        numpy=_math_ops),
    "rsqrt_k": Case(
        lambda r, n: (f32s(r, n), np.zeros(n, np.float32), n), (1,), rtol=2e-6,
        numpy=lambda a, out, n: (
            (np.float32(1) / np.sqrt(np.abs(a) + np.float32(1)) + np.log(np.abs(a) + np.float32(1))),)),
    "int_div": Case(
        lambda r, n: (_i32(r, n, -2**31, 2**31 - 1), _i32(r, n, -9, 9), np.zeros(n, np.int32),
                      np.zeros(n, np.int32), n), (2, 3),
        numpy=lambda a, b, q, rr, n: (_pyfloordiv(a, b), _pymod(a, b))),
    "uint_wrap": Case(
        lambda r, n: (_u32(r, n), _u32(r, n), np.zeros(n, np.uint32), np.zeros(n, np.uint32), n),
        (2, 3), numpy=_uint_wrap),
    "float_floordiv": Case(
        lambda r, n: (f32s(r, n), np.where(r.random(n) < 0.5, -1, 1).astype(np.float32)
                      * f32s(r, n, 0.5, 3.0), np.zeros(n, np.float32), np.zeros(n, np.float32), n),
        (2, 3), rtol=1e-6,
        numpy=lambda a, b, q, rr, n: (np.floor_divide(a, b), np.mod(a, b))),
    "branches": Case(
        lambda r, n: (f32s(r, n), np.zeros(n, np.float32), n), (1,),
        numpy=lambda a, out, n: (
            np.where(a > 1, a * 2, np.where(a < -1, -a, np.float32(0.5))).astype(np.float32)
            + (np.arange(n) % 2 == 1).astype(np.float32),)),
    "short_circuit": Case(
        lambda r, n: (f32s(r, n), np.zeros(n, np.float32), n), (1,), numpy=_short_circuit),
    "loops": Case(
        lambda r, n: (f32s(r, n), np.zeros(n, np.float32), 5, n), (1,), numpy=_loops),
    "break_continue": Case(
        lambda r, n: (_i32(r, n, -2, 25), np.zeros(n, np.int32), n), (1,),
        numpy=_break_continue),
    "early_return": Case(
        lambda r, n: (f32s(r, n, -1, 6), np.zeros(n, np.float32), n), (1,),
        numpy=_early_return),
    "dot": Case(
        lambda r, n: (f32s(r, n), f32s(r, n), np.zeros(1, np.float32), n), (2,), rtol=1e-4,
        numpy=lambda a, b, res, n: (np.array([np.dot(a.astype(np.float64), b)], np.float32),)),
    "histogram": Case(
        lambda r, n: (_u32(r, n), np.zeros(13, np.uint32), 13, n), (1,),
        numpy=lambda d, bins, nb, n: (np.bincount(d % 13, minlength=13).astype(np.uint32),)),
    "minmax": Case(
        lambda r, n: (f32s(r, n), np.full(1, np.inf, np.float32), np.full(1, -np.inf, np.float32), n),
        (1, 2),
        numpy=lambda a, lo, hi, n: (np.array([a.min() if n else np.inf], np.float32),
                                    np.array([a.max() if n else -np.inf], np.float32))),
    "ticket": Case(
        lambda r, n: (np.zeros(1, np.int32), np.full(n, -1, np.int32), n), (0, 1),
        compare=_same_multiset),
    "casts": Case(
        lambda r, n: (f32s(r, n, -1000, 1000), np.zeros(n, np.int32), np.zeros(n, np.uint32),
                      np.zeros(n, np.float64), n), (1, 2, 3), numpy=_casts),
    "minmax_fn": Case(
        lambda r, n: (f32s(r, n), f32s(r, n), np.zeros(n, np.float32), n), (2,),
        numpy=lambda a, b, out, n: (np.minimum(a, b) + np.maximum(a, np.float32(0)),)),
    "no_guard": Case(
        lambda r, n: (np.zeros(n, np.uint32),), (0,), grid=lambda n: n,
        numpy=lambda out: (np.arange(len(out), dtype=np.uint32) * 2,)),
    "grid_product": Case(
        lambda r, n: (np.zeros(n, np.float32), 1 if n == 0 else max(n // 8, 1), 8 if n >= 8 else n),
        (0,), numpy=_grid_product),
    "calls_helper": Case(
        lambda r, n: (f32s(r, n), np.zeros(n, np.float32), n), (1,),
        numpy=lambda a, out, n: (a * a + np.float32(1),)),
    "i64_math": Case(
        lambda r, n: (r.integers(-2**40, 2**40, n, dtype=np.int64), np.zeros(n, np.int64), -7, n),
        (1,),
        numpy=lambda a, out, c, n: (a * np.int64(c) + a // 3 - a % 5,)),
    "bool_param": Case(
        lambda r, n: (f32s(r, n), np.zeros(n, np.float32), True, n), (1,),
        numpy=lambda a, out, flip, n: (np.where(a > 0, a, -a),)),
    "pow_k": Case(
        lambda r, n: (f32s(r, n), np.zeros(n, np.float32), n), (1,), rtol=2e-6,
        numpy=lambda a, out, n: (np.abs(a) ** F(1.5) + a * a,)),
}


def _copy(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _check(case: Case, got, want, what: str):
    for i in case.outputs:
        if case.compare is not None:
            case.compare(got[i], want[i])
        elif case.rtol:
            np.testing.assert_allclose(got[i], want[i], rtol=case.rtol, atol=1e-6, err_msg=what)
        else:
            np.testing.assert_array_equal(got[i], want[i], err_msg=what)


def test_every_kernel_has_a_case(kernels):
    assert set(CASES) == set(kernels)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("n", SIM_SIZES)
def test_compiled_matches_simulate(kernels, name, n):
    case = CASES[name]
    k = kernels[name]
    rng = np.random.default_rng(n * 7919 + len(name))
    args = case.make(rng, n)
    grid = case.grid(n) if case.grid else None
    compiled, simulated = _copy(args), _copy(args)
    k(*compiled, grid=grid)
    k.simulate(*simulated, grid=grid)
    _check(case, compiled, simulated, f"{name} n={n}: compiled vs simulate")
    if case.numpy is not None:
        want = case.numpy(*args)
        for i, w in zip(case.outputs, want, strict=True):
            got = compiled[i]
            if case.compare is not None:
                case.compare(got, w)
            elif case.rtol:
                np.testing.assert_allclose(got, w, rtol=case.rtol, atol=case.atol)
            else:
                np.testing.assert_array_equal(got, w)


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.numpy is not None))
def test_big_size_matches_numpy(kernels, name):
    case = CASES[name]
    rng = np.random.default_rng(BIG)
    args = case.make(rng, BIG)
    grid = case.grid(BIG) if case.grid else None
    compiled = _copy(args)
    kernels[name](*compiled, grid=grid)
    want = case.numpy(*args)
    for i, w in zip(case.outputs, want, strict=True):
        if case.rtol:
            np.testing.assert_allclose(compiled[i], w, rtol=case.rtol, atol=case.atol)
        else:
            np.testing.assert_array_equal(compiled[i], w)


@pytest.mark.parametrize("name", ["vector_add", "branches", "loops", "dot", "histogram"])
def test_explicit_grid_equals_inferred(kernels, name):
    """grid=N with N the guard's bound gives what the inferred grid gives."""
    case = CASES[name]
    rng = np.random.default_rng(5)
    args = case.make(rng, 1000)
    inferred, explicit = _copy(args), _copy(args)
    kernels[name](*inferred)
    kernels[name](*explicit, grid=1000)
    _check(case, explicit, inferred, name)


def test_grid_larger_than_guard_is_harmless(kernels):
    """Ids beyond the guard do nothing, so a bigger grid is fine (and passes the length check)."""
    rng = np.random.default_rng(1)
    a, b = f32s(rng, 100), f32s(rng, 100)
    out = np.zeros(100, np.float32)
    kernels["vector_add"](a, b, out, 100, grid=5000)
    np.testing.assert_array_equal(out, a + b)
