"""Property tests: random well-typed kernels (expressions, branches, loops; f32, i32, u32,
bool) compiled and simulated give the same results.

Compiles are the cost (about a second each on a 2-core machine), so:
* `test_random_kernels`: each hypothesis example is a batch of KERNELS_PER_EXAMPLE kernels in one
  file, one C module; each kernel runs once compiled and once simulated.
* `test_random_inputs`: one batch, generated once from a seeded generator and compiled once;
  hypothesis draws the inputs.
Together they run well over 300 examples.

The generator avoids what the Python reference cannot mirror exactly: operations between two
bare literals and a bare literal as a side of `x if c else y` (Python keeps them untyped Python
numbers, the compiler types them), and non-finite floats (min/max differ on NaN between Python
and arith.minimumf).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hologram

KERNELS_PER_EXAMPLE = 12
N = 13  # ids per run; the grid is inferred from the guard

HEADER = """from hologram.lang import DeviceArray, f32, i32, u32, get_global_id

"""
SIGNATURE = (
    "fa: DeviceArray[f32], fb: DeviceArray[f32], ia: DeviceArray[i32], ua: DeviceArray[u32], "
    "of: DeviceArray[f32], oi: DeviceArray[i32], ou: DeviceArray[u32], s: f32, t: i32, n: u32"
)
OUTPUTS = (4, 5, 6)

Draw = Callable[[int, int], int]


class Gen:
    """Random typed expressions and statements; `pick(lo, hi)` is the source of choices."""

    F_LEAVES = ["x", "y", "s", "vf"]
    I_LEAVES = ["p", "t", "vi"]
    U_LEAVES = ["q", "idx", "n", "vu"]
    F_LITS = ["0.5", "1.5", "2.0", "-0.25", "3.0", "-1.0"]

    def __init__(self, pick: Draw):
        self.pick = pick

    def choice(self, items):
        return items[self.pick(0, len(items) - 1)]

    # Each expression is (text, is_bare_literal).
    def f(self, depth: int) -> tuple[str, bool]:
        if depth <= 0 or self.pick(0, 3) == 0:
            if self.pick(0, 4) == 0:
                return self.choice(self.F_LITS), True
            if self.pick(0, 5) == 0:
                return f"f32({self.i(0)[0]})", False
            return self.choice(self.F_LEAVES), False
        kind = self.pick(0, 8)
        if kind <= 2:
            return self.binop(self.f, depth, ["+", "-", "*"], "f32")
        if kind == 3:
            return f"-({self.f(depth - 1)[0]})", False
        if kind == 4:
            return f"abs({self.f(depth - 1)[0]})", False
        if kind == 5:
            fn = self.choice(["min", "max"])
            a, b = self.typed(self.f, depth, "f32")
            return f"{fn}({a}, {b})", False
        if kind == 6:
            a, b = self.branches(self.f, depth, "f32")
            return f"({a} if {self.b(depth - 1)} else {b})", False
        if kind == 7:
            return f"floor({self.f(depth - 1)[0]})", False
        return f"f32({self.u(depth - 1)[0]})", False

    def i(self, depth: int) -> tuple[str, bool]:
        if depth <= 0 or self.pick(0, 3) == 0:
            if self.pick(0, 4) == 0:
                return str(self.pick(-7, 7)), True
            return self.choice(self.I_LEAVES), False
        kind = self.pick(0, 7)
        if kind <= 2:
            return self.binop(self.i, depth, ["+", "-", "*", "//", "%"], "i32")
        if kind == 3:
            fn = self.choice(["min", "max"])
            a, b = self.typed(self.i, depth, "i32")
            return f"{fn}({a}, {b})", False
        if kind == 4:
            a, b = self.branches(self.i, depth, "i32")
            return f"({a} if {self.b(depth - 1)} else {b})", False
        if kind == 5:
            return f"i32({self.f(depth - 1)[0]})", False
        if kind == 6:
            return f"-({self.i(depth - 1)[0]})", False
        return f"i32({self.u(depth - 1)[0]})", False

    def u(self, depth: int) -> tuple[str, bool]:
        if depth <= 0 or self.pick(0, 3) == 0:
            if self.pick(0, 4) == 0:
                return str(self.pick(0, 9)), True
            return self.choice(self.U_LEAVES), False
        kind = self.pick(0, 5)
        if kind <= 2:
            return self.binop(self.u, depth, ["+", "-", "*", "//", "%"], "u32")
        if kind == 3:
            a, b = self.branches(self.u, depth, "u32")
            return f"({a} if {self.b(depth - 1)} else {b})", False
        if kind == 4:
            return f"u32({self.i(depth - 1)[0]})", False
        fn = self.choice(["min", "max"])
        a, b = self.typed(self.u, depth, "u32")
        return f"{fn}({a}, {b})", False

    def b(self, depth: int) -> str:
        kind = self.pick(0, 5) if depth > 0 else self.pick(0, 2)
        if kind == 0:
            a, b = self.typed(self.f, depth, "f32")
            return f"{a} {self.choice(['<', '<=', '>', '>=', '==', '!='])} {b}"
        if kind == 1:
            a, b = self.typed(self.i, depth, "i32")
            return f"{a} {self.choice(['<', '<=', '>', '>=', '==', '!='])} {b}"
        if kind == 2:
            a, b = self.typed(self.u, depth, "u32")
            return f"{a} {self.choice(['<', '>=', '==', '!='])} {b}"
        if kind == 3:
            return f"not ({self.b(depth - 1)})"
        op = self.choice(["and", "or"])
        return f"({self.b(depth - 1)} {op} {self.b(depth - 1)})"

    def typed(self, make, depth: int, cast: str) -> tuple[str, str]:
        """Two operands, never both bare literals."""
        (a, a_lit), (b, b_lit) = make(depth - 1), make(depth - 1)
        if a_lit and b_lit:
            a = f"{cast}({a})"
        return a, b

    def branches(self, make, depth: int, cast: str) -> tuple[str, str]:
        """Both sides of `x if c else y`: a bare literal side is cast, because in Python the
        chosen literal stays an untyped Python number (the compiler types it)."""
        (a, a_lit), (b, b_lit) = make(depth - 1), make(depth - 1)
        return (f"{cast}({a})" if a_lit else a), (f"{cast}({b})" if b_lit else b)

    def binop(self, make, depth: int, ops: list[str], cast: str) -> tuple[str, bool]:
        a, b = self.typed(make, depth, cast)
        return f"({a} {self.choice(ops)} {b})", False

    # --- statements -----------------------------------------------------------------------------
    def statement(self, indent: str) -> list[str]:
        kind = self.pick(0, 4)
        target, make = self.choice([("vf", self.f), ("vi", self.i), ("vu", self.u)])
        if kind == 0:
            return [f"{indent}{target} = {self.cast_of(target)}({make(2)[0]})"]
        if kind == 1:
            other, make2 = self.choice([("vf", self.f), ("vi", self.i), ("vu", self.u)])
            return [
                f"{indent}if {self.b(2)}:",
                f"{indent}    {target} = {self.cast_of(target)}({make(2)[0]})",
                f"{indent}else:",
                f"{indent}    {other} = {self.cast_of(other)}({make2(2)[0]})",
            ]
        if kind == 2:
            trips = self.pick(0, 4)
            return [
                f"{indent}for j in range({trips}):",
                f"{indent}    vf = vf * 0.5 + f32(j)",
                f"{indent}    {target} = {self.cast_of(target)}({make(1)[0]})",
            ]
        if kind == 3:
            trips = self.pick(0, 4)
            return [
                f"{indent}c = 0",
                f"{indent}while c < {trips}:",
                f"{indent}    c += 1",
                f"{indent}    if {self.b(1)}:",
                f"{indent}        continue",
                f"{indent}    {target} = {self.cast_of(target)}({make(1)[0]})",
                f"{indent}    if vi > 100:",
                f"{indent}        break",
            ]
        return [f"{indent}{target} += {self.cast_of(target)}({make(1)[0]})"]

    @staticmethod
    def cast_of(target: str) -> str:
        return {"vf": "f32", "vi": "i32", "vu": "u32"}[target]

    def kernel(self, name: str) -> str:
        body = [
            f"def {name}({SIGNATURE}):",
            "    idx = get_global_id()",
            "    if idx < n:",
            "        x = fa[idx]",
            "        y = fb[idx]",
            "        p = ia[idx]",
            "        q = ua[idx]",
            "        vf = x",
            "        vi = p",
            "        vu = q",
        ]
        for _ in range(self.pick(1, 4)):
            body += self.statement("        ")
        body += [
            f"        vf = f32({self.f(3)[0]})",
            f"        vi = i32({self.i(3)[0]})",
            f"        vu = u32({self.u(3)[0]})",
            "        of[idx] = vf",
            "        oi[idx] = vi",
            "        ou[idx] = vu",
        ]
        return "\n".join(body) + "\n"


def kernel_file(sources: list[str]) -> str:
    return HEADER + "\n\n".join(sources)


def make_inputs(rng: np.random.Generator, s: float, t: int) -> list:
    return [
        rng.uniform(-4, 4, N).astype(np.float32),
        rng.uniform(-4, 4, N).astype(np.float32),
        rng.integers(-20, 20, N, dtype=np.int32),
        rng.integers(0, 40, N, dtype=np.uint32),
        np.zeros(N, np.float32), np.zeros(N, np.int32), np.zeros(N, np.uint32),
        s, t, N,
    ]


def compare(k, inputs: list, source: str) -> None:
    compiled = [a.copy() if isinstance(a, np.ndarray) else a for a in inputs]
    simulated = [a.copy() if isinstance(a, np.ndarray) else a for a in inputs]
    k(*compiled)
    k.simulate(*simulated)
    for pos in OUTPUTS:
        np.testing.assert_array_equal(
            compiled[pos], simulated[pos],
            err_msg=f"{k.name}: output {k.param_names[pos]} differs\n{source}")


@st.composite
def kernel_sources(draw) -> str:
    gen = Gen(lambda lo, hi: draw(st.integers(lo, hi)))
    return gen.kernel("k")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.data_too_large])
@given(st.lists(kernel_sources(), min_size=KERNELS_PER_EXAMPLE, max_size=KERNELS_PER_EXAMPLE),
       st.integers(0, 2**32 - 1))
def test_random_kernels(tmp_path_factory, sources, seed):
    renamed = [src.replace("def k(", f"def k{i}(", 1) for i, src in enumerate(sources)]
    path = tmp_path_factory.mktemp("random") / "random_kernels.py"
    path.write_text(kernel_file(renamed))
    kernels = hologram.load_kernels(path)
    rng = np.random.default_rng(seed)
    for i, src in enumerate(renamed):
        compare(kernels[f"k{i}"], make_inputs(rng, 1.5, 3), src)


@pytest.fixture(scope="module")
def fixed_batch(tmp_path_factory):
    rng = random.Random(20261125)
    sources = [Gen(rng.randint).kernel(f"k{i}") for i in range(KERNELS_PER_EXAMPLE)]
    path = tmp_path_factory.mktemp("random_fixed") / "fixed_kernels.py"
    path.write_text(kernel_file(sources))
    kernels = hologram.load_kernels(path)
    next(iter(kernels.values())).compile()
    return kernels, sources


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), which=st.integers(0, KERNELS_PER_EXAMPLE - 1),
       s=st.floats(-8, 8, width=32), t=st.integers(-(2**31), 2**31 - 1))
def test_random_inputs(fixed_batch, seed, which, s, t):
    kernels, sources = fixed_batch
    rng = np.random.default_rng(seed)
    compare(kernels[f"k{which}"], make_inputs(rng, s, t), sources[which])
