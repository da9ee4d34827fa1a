"""The kernels of tests/kernels/inferred_types.py and guards.py, compiled, against numpy or a
hand computation: with the grid inferred from the IR, with the same grid given, and (for guarded
kernels) with a grid rounded up past the guard, which the length checks must accept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import hologram

KERNELS = Path(__file__).parent / "kernels"
ROWS, COLS, N = 37, 11, 300
rng = np.random.default_rng(7)


@dataclass
class Case:
    file: str
    args: Callable[[], list]           # fresh arguments
    reference: Callable[[list], dict]  # argument position -> expected array
    grid: Callable[[list], int]        # the grid the kernel must infer
    rounds_up: bool = True             # a larger grid= is fine (ids past the guard are idle)


def f32(*shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, shape).astype(np.float32)


def zeros(n, dtype=np.float32):
    return np.zeros(n, dtype)


def horner_ref(a):
    c, x, _, degree, n = a
    acc = np.zeros(n, np.float32)
    for k in range(degree - 1, -1, -1):
        acc = acc * x + c[k]
    return {2: acc}


def collatz(v):
    steps = 0
    while v != 1:
        v = v // 2 if v % 2 == 0 else 3 * v + 1
        steps += 1
    return steps


def last_negative_ref(a):
    x = a[0].reshape(ROWS, COLS)
    out = np.full(ROWS, -1, np.int32)
    for r in range(ROWS):
        neg = np.nonzero(x[r] < 0)[0]
        if len(neg):
            out[r] = neg[-1]
    return {1: out}


def bool_flags_ref(a):
    x, y = a[0], a[1]
    i = np.arange(N)
    up = np.where(i % 2 == 0, y > 0, x > 0)
    v, w = np.where(up, x, y), np.where(up, np.roll(x, 1), np.roll(y, 1))  # w: the previous one
    before = (i > 0) & ~(v < w)  # no NaNs in the inputs: _ascending is `<`
    return {2: up.astype(np.int32) * 2 + before.astype(np.int32)}


def sign(v):
    return np.sign(v).astype(np.int32)


def rows(x):
    return x.reshape(ROWS, COLS)


CASES: dict[str, Case] = {
    # --- inferred_types.py ---------------------------------------------------------------------
    "argmax_rows": Case("inferred_types", lambda: [f32(ROWS * COLS), zeros(ROWS, np.uint32), ROWS, COLS],
                        lambda a: {1: rows(a[0]).argmax(1).astype(np.uint32)}, lambda a: ROWS),
    "count_steps": Case("inferred_types", lambda: [np.arange(1, N + 1, dtype=np.uint32),
                                                   zeros(N, np.uint32), N],
                        lambda a: {1: np.array([collatz(int(v)) for v in a[0]], np.uint32)},
                        lambda a: N),
    "signed_offsets": Case(
        "inferred_types", lambda: [f32(N), rng.integers(-3, 4, N).astype(np.int32), zeros(N), N],
        lambda a: {2: a[0][np.clip(np.arange(N) + a[1], 0, N - 1)]}, lambda a: N),
    "last_negative": Case("inferred_types", lambda: [f32(ROWS * COLS), zeros(ROWS, np.int32),
                                                     ROWS, COLS], last_negative_ref, lambda a: ROWS),
    "wide_sum": Case("inferred_types", lambda: [rng.integers(0, 5000, N).astype(np.uint32),
                                                zeros(N, np.int64), N, 3],
                     lambda a: {1: 3 * ((a[0].astype(np.int64) * 1000000) % 2**32)},
                     lambda a: N),
    "mixed_product": Case("inferred_types", lambda: [rng.integers(0, 2**32, N, dtype=np.uint32),
                                                     rng.integers(-2**31, 2**31, N).astype(np.int32),
                                                     zeros(N, np.int64), N],
                          lambda a: {2: a[0].astype(np.int64) * a[1].astype(np.int64)},
                          lambda a: N),
    "bits_mixed": Case("inferred_types", lambda: [rng.integers(0, 2**32, N, dtype=np.uint32),
                                                  rng.integers(-2**20, 2**20, N).astype(np.int32),
                                                  zeros(N, np.uint32), N],
                       lambda a: {2: ((a[0].astype(np.int64) & 255) | (a[1].astype(np.int64) << 8))
                                  .astype(np.uint32)}, lambda a: N),
    "index_from_param": Case("inferred_types", lambda: [f32(N), zeros(N), N, -5],
                             lambda a: {1: np.concatenate([np.zeros(5, np.float32), a[0][:-5]])},
                             lambda a: N),
    "running_mean": Case("inferred_types", lambda: [f32(ROWS * COLS), zeros(ROWS), ROWS, COLS],
                         lambda a: {1: rows(a[0]).mean(1)}, lambda a: ROWS),
    "f64_accumulate": Case("inferred_types", lambda: [rng.uniform(-1, 1, ROWS * COLS), zeros(ROWS, np.float64),
                                                      ROWS, COLS],
                           lambda a: {1: rows(a[0]).sum(1)}, lambda a: ROWS),
    "float_after_int": Case("inferred_types", lambda: [f32(N), zeros(N), N],
                            lambda a: {1: np.where(a[0] > 0, a[0] * 2, 1).astype(np.float32)},
                            lambda a: N),
    "truncate_to_int": Case("inferred_types", lambda: [f32(N), zeros(N, np.int32), N],
                            lambda a: {1: (a[0] * np.float32(10)).astype(np.int32)}, lambda a: N),
    "scale_by_f64": Case("inferred_types", lambda: [f32(N), 1.0 / 3.0, zeros(N), N],
                         lambda a: {2: (a[0].astype(np.float64) / 3.0).astype(np.float32)},
                         lambda a: N),
    "int_count_to_float": Case("inferred_types", lambda: [f32(ROWS * COLS), zeros(ROWS), ROWS, COLS],
                               lambda a: {1: (rows(a[0]) > 0.5).sum(1).astype(np.float32)},
                               lambda a: ROWS),
    "gather_clamped": Case("inferred_types", lambda: [rng.integers(-20, 80, N).astype(np.int32),
                                                      f32(50), zeros(N), 50, N],
                           lambda a: {2: a[1][np.clip(a[0], 0, 49)]}, lambda a: N),
    "clamp_both": Case("inferred_types", lambda: [f32(N), rng.uniform(-1, 1, N), zeros(N),
                                                  zeros(N, np.float64), N],
                       lambda a: {2: np.clip(a[0], -0.5, 0.5), 3: np.clip(a[1], -0.5, 0.5)},
                       lambda a: N),
    "square_ints": Case("inferred_types", lambda: [rng.integers(0, 1000, N).astype(np.uint32),
                                                   zeros(N), N],
                        lambda a: {1: a[0].astype(np.float32) ** 2}, lambda a: N),
    "signs": Case("inferred_types", lambda: [f32(N), rng.integers(-2, 3, N).astype(np.int32),
                                             zeros(N, np.int32), N],
                  lambda a: {2: sign(a[0]) * 10 + sign(a[1])}, lambda a: N),
    "halves": Case("inferred_types", lambda: [rng.integers(0, 20, N).astype(np.uint32), zeros(N), 9, N],
                   lambda a: {1: np.where(a[0] > 9, np.float32(4.5), a[0]).astype(np.float32)},
                   lambda a: N),
    "horner": Case("inferred_types", lambda: [f32(6), f32(N, lo=-1, hi=1), zeros(N), 6, N],
                   horner_ref, lambda a: N),
    "horner_degree_zero": Case("inferred_types", lambda: [f32(6), f32(N), np.ones(N, np.float32), 0, N],
                               lambda a: {2: np.zeros(N, np.float32)}, lambda a: N),
    "reverse_rows": Case("inferred_types", lambda: [f32(ROWS * COLS), zeros(ROWS * COLS), ROWS, COLS],
                         lambda a: {1: rows(a[0])[:, ::-1].reshape(-1)}, lambda a: ROWS),
    "suffix_max": Case("inferred_types", lambda: [f32(ROWS * COLS), zeros(ROWS * COLS), ROWS, COLS],
                       lambda a: {1: np.maximum.accumulate(rows(a[0])[:, ::-1], axis=1)[:, ::-1]
                                  .reshape(-1)}, lambda a: ROWS),
    "every_other_down": Case("inferred_types", lambda: [f32(ROWS * COLS), zeros(ROWS), ROWS, COLS],
                             lambda a: {1: rows(a[0])[:, COLS - 1::-2].sum(1)}, lambda a: ROWS),
    "countdown_from": Case("inferred_types", lambda: [rng.integers(-5, 30, N).astype(np.int32),
                                                      zeros(N, np.int32), N],
                           lambda a: {1: np.where(a[0] > 0, a[0] * (a[0] + 1) // 2, 0)
                                      .astype(np.int32)}, lambda a: N),
    "powers_of_two": Case("inferred_types", lambda: [zeros(N, np.int32), N],
                          lambda a: {0: (2 ** (np.arange(N) % 5)).astype(np.int32)}, lambda a: N),
    "int_power": Case("inferred_types", lambda: [rng.integers(0, 50, N).astype(np.uint32),
                                                 rng.integers(0, 40, N).astype(np.uint32),
                                                 zeros(N, np.uint32), N],
                      lambda a: {2: np.array([pow(int(b), int(e), 2**32) for b, e in zip(a[0], a[1])],
                                             np.uint32)}, lambda a: N),
    "alternating": Case("inferred_types", lambda: [f32(N), zeros(N), N],
                        lambda a: {1: a[0] * np.where(np.arange(N) % 2 == 0, 1, -1).astype(np.float32)},
                        lambda a: N),
    "signed_power": Case("inferred_types", lambda: [rng.integers(-9, 10, N).astype(np.int32),
                                                    rng.integers(0, 12, N).astype(np.uint32),
                                                    zeros(N, np.int64), N],
                         lambda a: {2: a[0].astype(np.int64) ** a[1].astype(np.int64)},
                         lambda a: N),
    "bool_flags": Case("inferred_types", lambda: [f32(N), f32(N), zeros(N, np.int32), N],
                       bool_flags_ref, lambda a: N),
    # --- guards.py -----------------------------------------------------------------------------
    "local_total": Case("guards", lambda: [f32(ROWS * COLS), zeros(ROWS * COLS), ROWS, COLS],
                        lambda a: {1: a[0] * 2}, lambda a: ROWS * COLS),
    "early_return_local": Case("guards", lambda: [f32(ROWS * COLS), zeros(ROWS * COLS), ROWS, COLS],
                               lambda a: {1: a[0] + 1}, lambda a: ROWS * COLS),
    "reversed_local": Case("guards", lambda: [f32(ROWS * COLS), zeros(ROWS * COLS), ROWS, COLS],
                           lambda a: {1: -a[0]}, lambda a: ROWS * COLS),
    "guard_and_flag": Case("guards", lambda: [f32(N), rng.integers(0, 2, N).astype(np.uint32),
                                              zeros(N), N],
                           lambda a: {2: np.where(a[1] != 0, a[0], 0).astype(np.float32)},
                           lambda a: N),
    "guard_inclusive": Case("guards", lambda: [f32(N), zeros(N), N - 1],
                            lambda a: {1: a[0] + 3}, lambda a: N),
    "guard_inclusive_negative": Case("guards", lambda: [f32(N), zeros(N), -4],
                                     lambda a: {1: np.zeros(N, np.float32)}, lambda a: 0),
    "half_grid": Case("guards", lambda: [f32(N), zeros(N // 2), N],
                      lambda a: {1: a[0][0::2] + a[0][1::2]}, lambda a: N // 2),
    "signed_bound": Case("guards", lambda: [f32(N), zeros(N), 10, 50],
                         lambda a: {1: np.concatenate([a[0][10:50], np.zeros(N - 40, np.float32)])},
                         lambda a: 40),
    "signed_bound_empty": Case("guards", lambda: [f32(N), np.ones(N, np.float32), 50, 10],
                               lambda a: {1: np.ones(N, np.float32)}, lambda a: 0),
    "work_before_guard": Case("guards", lambda: [f32(N), zeros(N), 1.5, N],
                              lambda a: {1: a[0] * np.float32(3.0)}, lambda a: N),
    "thread_zero_sum": Case("guards", lambda: [f32(N), zeros(1), N],
                            lambda a: {1: np.cumsum(a[0], dtype=np.float32)[-1:]},  # in order
                            lambda a: 1),
    "thread_zero_lt": Case("guards", lambda: [f32(N), zeros(1), N],
                           lambda a: {1: np.array([a[0].max()], np.float32)}, lambda a: 1),
    "thread_zero_reversed": Case("guards", lambda: [rng.integers(0, 8, N).astype(np.int32),
                                                    zeros(1, np.int32), N],
                                 lambda a: {1: np.array([(a[0] > 3).sum()], np.int32)},
                                 lambda a: 1),
    "thread_zero_return": Case("guards", lambda: [f32(N), zeros(1), N],
                               lambda a: {1: a[0][-1:]}, lambda a: 1),
    "row_guard": Case("guards", lambda: [f32(ROWS * COLS), zeros(ROWS * COLS), ROWS, COLS],
                      lambda a: {1: a[0].reshape(COLS, ROWS).T.reshape(-1)},
                      lambda a: ROWS * COLS),
    "row_and_col_guard": Case("guards", lambda: [f32(ROWS * COLS), zeros(ROWS * COLS), ROWS, COLS,
                                                 COLS + 5],
                              lambda a: {1: a[0] * 2}, lambda a: ROWS * (COLS + 5)),
    "interior": Case("guards", lambda: [f32(N), zeros(N), N],
                     lambda a: {1: np.concatenate([[0], (a[0][:-2] + a[0][1:-1] + a[0][2:])
                                                   / np.float32(3), [0]]).astype(np.float32)},
                     lambda a: N - 1),
    "not_guard": Case("guards", lambda: [f32(N), zeros(N), N], lambda a: {1: a[0] - 1},
                      lambda a: N),
    "two_early_returns": Case("guards", lambda: [f32(N), zeros(N), N, 100],
                              lambda a: {1: np.concatenate([a[0][:100] * 4,
                                                            np.zeros(N - 100, np.float32)])},
                              lambda a: 100),
    "shifted_guard": Case("guards", lambda: [f32(N), zeros(N), N],
                          lambda a: {1: np.concatenate([np.diff(a[0]), [0]]).astype(np.float32)},
                          lambda a: N - 1),
    "chained_guard": Case("guards", lambda: [f32(N), zeros(N), N], lambda a: {1: a[0] * a[0]},
                          lambda a: N),
}
# Cases that run a kernel of another name (the same kernel on other arguments).
KERNEL_OF = {"horner_degree_zero": "horner", "guard_inclusive_negative": "guard_inclusive",
             "signed_bound_empty": "signed_bound"}
_loaded: dict[str, dict] = {}


def kernel(case_name: str):
    case = CASES[case_name]
    if case.file not in _loaded:
        _loaded[case.file] = hologram.load_kernels(KERNELS / f"{case.file}.py")
    return _loaded[case.file][KERNEL_OF.get(case_name, case_name)]


def check(case: Case, args: list) -> None:
    for pos, want in case.reference(args).items():
        got = args[pos]
        if np.issubdtype(got.dtype, np.floating):
            np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6)
        else:
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", CASES)
def test_inferred_grid(name):
    case, k = CASES[name], kernel(name)
    args = case.args()
    assert k.grid is not None, k.no_grid
    k(*args)
    check(case, args)


@pytest.mark.parametrize("name", CASES)
def test_explicit_grid(name):
    case, k = CASES[name], kernel(name)
    args = case.args()
    k(*args, grid=case.grid(args))
    check(case, args)


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c.rounds_up])
def test_grid_rounded_up_past_the_guard(name):
    """Ids past the guard's bound do nothing, so a grid rounded up to a multiple of 64 runs
    and the length checks (which use the same bound) accept it."""
    case, k = CASES[name], kernel(name)
    args = case.args()
    k(*args, grid=-(-max(case.grid(args), 1) // 64) * 64 + 64)
    check(case, args)


@pytest.mark.parametrize("name", ["argmax_rows", "signed_offsets", "horner", "int_power",
                                  "gather_clamped", "local_total", "thread_zero_sum"])
def test_simulate_agrees(name):
    """The pure-Python run of the same kernel gives the same result."""
    case, k = CASES[name], kernel(name)
    args = case.args()
    k.simulate(*args)
    check(case, args)


def test_the_corpus_is_large_enough():
    assert len(CASES) - len(KERNEL_OF) >= 40


def test_a_wrapped_bound_is_not_a_grid():
    """`i < n - 1` with n: u32 and n = 0: the u32 bound is 2**32 - 1, Python's is -1. The
    inferred launch refuses (it would run 2**32 ids past every array) and says why; with grid=
    it runs, and the length check does not trust the wrapped bound."""
    k = kernel("interior")
    a, out = f32(4), zeros(4)
    with pytest.raises(hologram.LaunchError, match=r"bound \(n - 1\) wraps around"):
        k(a, out, 0)
    k(a, out, 0, grid=0)
    assert (out == 0).all()
    k(a, out, 3)                      # no wrap: ids 0 and 1, only id 1 passes `i > 0`
    assert out[1] == np.float32((a[0] + a[1] + a[2]) / np.float32(3))


def test_a_product_past_u32_is_not_a_grid():
    k = kernel("local_total")
    with pytest.raises(hologram.LaunchError, match="wraps around"):
        k(f32(4), zeros(4), 2**16, 2**16)


def test_a_kernel_without_effects_needs_no_ids(tmp_path):
    """`if idx < n: pass` (or reads only): no id writes anything, so the grid is 0 and the call
    needs no grid= (it was a LaunchError: the frontend drops the empty `if`)."""
    path = tmp_path / "noop.py"
    path.write_text("from hologram.lang import *\n\n"
                    "def noop(out: DeviceArray[f32], n: u32):\n"
                    "    idx = get_global_id()\n"
                    "    if idx < n:\n"
                    "        pass\n\n"
                    "def reads(a: DeviceArray[f32], n: u32):\n"
                    "    idx = get_global_id()\n"
                    "    if idx < n:\n"
                    "        x = a[idx] * 2.0\n")
    ks = hologram.load_kernels(path)
    out = np.ones(4, np.float32)
    for k in ks.values():
        assert k.grid == "0" and k.no_grid is None
        k(out, 4)
        k(out, 4, grid=4)  # an explicit grid still runs (and changes nothing)
    np.testing.assert_array_equal(out, np.ones(4, np.float32))
