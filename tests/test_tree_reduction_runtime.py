"""atomic-to-tree-reduction at run time: hand-written SIMT kernels (IR), compiled by the C
backend with and without the pass, against numpy.

Tolerances (documented in docs/passes.md): integer results and min/max are exact. A float32 sum
through the pass accumulates at most `fold` = 32 terms per float32 lane before folding into
float64, so |result - exact| <= (32 + 2) * 2**-24 * sum(|terms|); float64 sums get
(n_per_lane + log2(n) + 2) * 2**-53 * sum(|terms|), bounded here by 2**-40 * sum(|terms|).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from xdsl.parser import Parser

from hologram.backends.c.builder import build
from hologram.backends.c.emitter import c_symbol
from hologram.dialects import make_context
from hologram.dialects.hologram import ATOMIC_OPS, KernelOp, ParallelForOp
from hologram.passes import default_pipeline_spec, parse_pipeline

SIZES = [0, 1, 7, 1000, 3072, 100003]
F32_TOL = (32 + 2) * 2.0**-24

GUARD = """
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
"""

KERNELS = f"""
builtin.module {{
  hologram.kernel @sum(%a: memref<?xf32>, %r: memref<?xf32>, %n: i32) attributes {{param_names = ["a", "r", "n"], param_types = ["f32[]", "f32[]", "u32"]}} {{
    {GUARD}
    scf.if %ok {{
      %x = memref.load %a[%gid] : memref<?xf32>
      %c0 = arith.constant 0 : index
      %o = hologram.atomic_add %x, %r[%c0] : f32, memref<?xf32>
    }}
    hologram.return
  }}
  hologram.kernel @dot(%a: memref<?xf32>, %b: memref<?xf32>, %r: memref<?xf32>, %n: i32) attributes {{param_names = ["a", "b", "r", "n"], param_types = ["f32[]", "f32[]", "f32[]", "u32"]}} {{
    {GUARD}
    scf.if %ok {{
      %x = memref.load %a[%gid] : memref<?xf32>
      %y = memref.load %b[%gid] : memref<?xf32>
      %p = arith.mulf %x, %y : f32
      %c0 = arith.constant 0 : index
      %o = hologram.atomic_add %p, %r[%c0] : f32, memref<?xf32>
    }}
    hologram.return
  }}
  hologram.kernel @dot64(%a: memref<?xf64>, %b: memref<?xf64>, %r: memref<?xf64>, %n: i32) attributes {{param_names = ["a", "b", "r", "n"], param_types = ["f64[]", "f64[]", "f64[]", "u32"]}} {{
    {GUARD}
    scf.if %ok {{
      %x = memref.load %a[%gid] : memref<?xf64>
      %y = memref.load %b[%gid] : memref<?xf64>
      %p = arith.mulf %x, %y : f64
      %c0 = arith.constant 0 : index
      %o = hologram.atomic_add %p, %r[%c0] : f64, memref<?xf64>
    }}
    hologram.return
  }}
  hologram.kernel @positive_sum(%a: memref<?xf32>, %r: memref<?xf32>, %k: i32, %n: i32) attributes {{param_names = ["a", "r", "k", "n"], param_types = ["f32[]", "f32[]", "i32", "u32"]}} {{
    {GUARD}
    scf.if %ok {{
      %x = memref.load %a[%gid] : memref<?xf32>
      %zero = arith.constant 0.0 : f32
      %pos = arith.cmpf ogt, %x, %zero : f32
      scf.if %pos {{
        %ki = arith.index_cast %k : i32 to index
        %o = hologram.atomic_add %x, %r[%ki] : f32, memref<?xf32>
      }}
    }}
    hologram.return
  }}
  hologram.kernel @minmax(%a: memref<?xf32>, %r: memref<?xf32>, %n: i32) attributes {{param_names = ["a", "r", "n"], param_types = ["f32[]", "f32[]", "u32"]}} {{
    {GUARD}
    scf.if %ok {{
      %x = memref.load %a[%gid] : memref<?xf32>
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %lo = hologram.atomic_min %x, %r[%c0] : f32, memref<?xf32>
      %hi = hologram.atomic_max %x, %r[%c1] : f32, memref<?xf32>
    }}
    hologram.return
  }}
  hologram.kernel @int_stats(%a: memref<?xi32>, %s: memref<?xi32>, %umin: memref<?xi32>, %smax: memref<?xi32>, %n: i32) attributes {{param_names = ["a", "s", "umin", "smax", "n"], param_types = ["i32[]", "i32[]", "u32[]", "i32[]", "u32"]}} {{
    {GUARD}
    scf.if %ok {{
      %x = memref.load %a[%gid] : memref<?xi32>
      %c0 = arith.constant 0 : index
      %o1 = hologram.atomic_add %x, %s[%c0] : i32, memref<?xi32>
      %o2 = hologram.atomic_min %x, %umin[%c0] : i32, memref<?xi32>
      %o3 = hologram.atomic_max %x, %smax[%c0] : i32, memref<?xi32>
    }}
    hologram.return
  }}
  hologram.kernel @row_total(%a: memref<?xi32>, %r: memref<?xi32>, %m: i32, %n: i32) attributes {{param_names = ["a", "r", "m", "n"], param_types = ["i32[]", "i32[]", "i32", "u32"]}} {{
    {GUARD}
    scf.if %ok {{
      %z = arith.constant 0 : i32
      %one = arith.constant 1 : i32
      scf.for %j = %z to %m step %one : i32 {{
        %row = arith.muli %idx, %m : i32
        %at = arith.addi %row, %j : i32
        %ati = arith.index_cast %at : i32 to index
        %x = memref.load %a[%ati] : memref<?xi32>
        %c0 = arith.constant 0 : index
        %o = hologram.atomic_add %x, %r[%c0] : i32, memref<?xi32>
      }}
    }}
    hologram.return
  }}
  hologram.kernel @histogram(%a: memref<?xi32>, %hist: memref<?xi32>, %n: i32) attributes {{param_names = ["a", "hist", "n"], param_types = ["i32[]", "i32[]", "u32"]}} {{
    {GUARD}
    scf.if %ok {{
      %x = memref.load %a[%gid] : memref<?xi32>
      %bin = arith.index_cast %x : i32 to index
      %one = arith.constant 1 : i32
      %o = hologram.atomic_add %one, %hist[%bin] : i32, memref<?xi32>
    }}
    hologram.return
  }}
}}
"""

CTYPES = {np.dtype(np.float32): "float[]", np.dtype(np.float64): "double[]",
          np.dtype(np.int32): "int32_t[]", np.dtype(np.uint32): "uint32_t[]"}


class Compiled:
    """The kernels of KERNELS after a pipeline, built once; call them with numpy arrays."""

    def __init__(self, pipeline: str):
        ctx = make_context()
        self.module = Parser(ctx, KERNELS).parse_module()
        parse_pipeline(pipeline).apply(ctx, self.module)
        self.module.verify()
        self.lib = build(self.module, "tree_reduction_test")
        self.kernels = {k.kernel_name: k for k in self.module.walk() if isinstance(k, KernelOp)}

    def __call__(self, name: str, *args, grid: int) -> None:
        fn = self.lib.function(c_symbol(self.kernels[name]))
        ffi = self.lib.ffi
        conv = [ffi.from_buffer(CTYPES[a.dtype], a, require_writable=True)
                if isinstance(a, np.ndarray) else a for a in args]
        fn(*conv, grid)


@pytest.fixture(scope="module")
def reduced() -> Compiled:
    return Compiled(default_pipeline_spec())


@pytest.fixture(scope="module")
def atomic() -> Compiled:
    return Compiled("parallelize")


def test_the_pass_removed_the_atomics_it_should(reduced):
    """Every atomic but the histogram's became a tree reduction (guards the tests below)."""
    def outside_remainder(op):
        parent = op.parent_op()
        while not isinstance(parent, KernelOp):
            if isinstance(parent, ParallelForOp) and "remainder" in parent.attributes:
                return False
            parent = parent.parent_op()
        return True

    # The remainder loop (ids past min(grid, n), normally none) keeps the original atomics;
    # elsewhere only the histogram keeps one, as the fallback for bins past max-private.
    left = {k: {o.name for o in op.walk() if isinstance(o, ATOMIC_OPS) and outside_remainder(o)}
            for k, op in reduced.kernels.items()}
    assert left == {k: (set() if k != "histogram" else {"hologram.atomic_add"}) for k in left}
    hist = reduced.kernels["histogram"]
    assert any(isinstance(o, ParallelForOp) for o in hist.walk())
    assert not any("not_reduced" in o.attributes for o in hist.walk())
    loops = [o for o in reduced.kernels["sum"].walk() if isinstance(o, ParallelForOp)]
    assert [sorted(o.attributes) for o in loops] == [["reduction_blocks"], ["remainder"]]


def rand(n: int, seed: int, dtype=np.float32) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(n).astype(dtype)


@pytest.mark.parametrize("n", SIZES)
def test_sum_and_dot_f32(reduced, atomic, n):
    a, b = rand(n, 1), rand(n, 2)
    for name, args, terms in (("sum", (a,), a.astype(np.float64)),
                              ("dot", (a, b), a.astype(np.float64) * b)):
        exact = terms.sum()
        bound = F32_TOL * np.abs(terms).sum() + 2.0**-24 * abs(exact)
        for compiled in (reduced, atomic):
            r = np.zeros(1, np.float32)
            compiled(name, *args, r, n, grid=n)
            assert abs(float(r[0]) - exact) <= bound, (name, n, r[0], exact)
    r = np.array([5.0], np.float32)  # the destination's old value is kept and added to
    reduced("sum", a, r, n, grid=n)
    assert abs(float(r[0]) - (5.0 + a.astype(np.float64).sum())) <= (
        F32_TOL * (np.abs(a).sum() + 5.0) + 2.0**-24 * abs(5.0 + a.sum()))


@pytest.mark.parametrize("n", SIZES)
def test_dot_f64(reduced, n):
    a, b = rand(n, 3, np.float64), rand(n, 4, np.float64)
    r = np.zeros(1, np.float64)
    reduced("dot64", a, b, r, n, grid=n)
    terms = a * b
    assert abs(r[0] - np.sum(terms)) <= 2.0**-40 * np.abs(terms).sum()


@pytest.mark.parametrize("n", SIZES)
def test_conditional_sum_into_a_parameter_index(reduced, n):
    a = rand(n, 5)
    r = np.array([7.0, 0.0, 7.0], np.float32)
    reduced("positive_sum", a, r, 1, n, grid=n)
    pos = a[a > 0].astype(np.float64)
    assert r[0] == 7.0 and r[2] == 7.0
    assert abs(r[1] - pos.sum()) <= F32_TOL * pos.sum() + 2.0**-24 * pos.sum()
    if n and not len(pos):
        assert np.signbit(r[1]) == np.signbit(np.float32(0.0))


@pytest.mark.parametrize("n", SIZES)
def test_min_max_f32_exact(reduced, atomic, n):
    a = rand(n, 6)
    for compiled in (reduced, atomic):
        r = np.array([np.inf, -np.inf], np.float32)
        compiled("minmax", a, r, n, grid=n)
        want = [a.min(), a.max()] if n else [np.inf, -np.inf]
        assert r.tolist() == [float(w) for w in want]


@pytest.mark.parametrize("n", SIZES)
def test_integer_sum_min_max_exact(reduced, n):
    a = np.random.default_rng(7).integers(-2**31, 2**31, n, dtype=np.int64).astype(np.int32)
    s = np.zeros(1, np.int32)
    umin = np.array([0xFFFFFFFF], np.uint32)
    smax = np.array([-2**31], np.int32)
    reduced("int_stats", a, s, umin, smax, n, grid=n)
    # i32 addition wraps modulo 2**32, as the atomic does
    assert int(s[0]) == ((int(a.astype(np.int64).sum()) + 2**31) % 2**32) - 2**31
    assert int(umin[0]) == (int(a.view(np.uint32).min()) if n else 0xFFFFFFFF)
    assert int(smax[0]) == (int(a.max()) if n else -2**31)


@pytest.mark.parametrize("n", [0, 1, 7, 1000, 3072])
def test_reduction_in_an_inner_loop(reduced, n):
    m = 5
    a = np.random.default_rng(8).integers(-1000, 1000, n * m).astype(np.int32)
    r = np.array([3], np.int32)
    reduced("row_total", a, r, m, n, grid=n)
    assert int(r[0]) == 3 + int(a.sum())


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("bins", [16, 1000])
def test_histogram_privatized_and_correct(reduced, atomic, n, bins):
    """Bins below max-private (256) are counted per block and merged; the others stay atomic.
    Bins nobody hits are never written (a shorter destination would be fine)."""
    a = np.random.default_rng(9).integers(0, bins, n).astype(np.int32)
    for compiled in (reduced, atomic):
        hist = np.full(bins, 5, np.int32)
        compiled("histogram", a, hist, n, grid=n)
        assert (hist - 5).tolist() == np.bincount(a, minlength=bins).tolist()


def test_histogram_writes_only_bins_that_were_hit(reduced):
    """A histogram array shorter than max-private: untouched bins are not written, so the
    merge stays inside the array (checked with a guard element after a view's end)."""
    buffer = np.full(12, -7, np.int32)
    hist = buffer[:8]
    a = np.array([0, 3, 3, 7, 7, 7], np.int32)
    reduced("histogram", a, hist, len(a), grid=len(a))
    assert buffer.tolist() == [-6, -7, -7, -5, -7, -7, -7, -4, -7, -7, -7, -7]


def test_grid_larger_than_n_is_guarded(reduced):
    """Ids past n are skipped by the kernel's own guard, inside the blocks as well."""
    a = np.ones(5000, np.float32)
    r = np.zeros(1, np.float32)
    reduced("sum", a, r, 3000, grid=5000)
    assert r[0] == 3000.0


def test_sum_16m_f32_at_least_as_accurate_as_numpy(reduced):
    """16,000,000 float32 terms: the error against a float64 sum is not larger than numpy's."""
    n = 16_000_000
    a = np.random.default_rng(10).random(n, dtype=np.float32)
    exact = a.sum(dtype=np.float64)
    r = np.zeros(1, np.float32)
    reduced("sum", a, r, n, grid=n)
    ours, numpys = abs(float(r[0]) - exact), abs(float(a.sum()) - exact)
    assert ours <= numpys, (ours, numpys)
    assert ours <= 2.0**-24 * exact  # in fact the float32 number nearest to the exact sum


SCRIPT = """
import importlib.util
import numpy as np
spec = importlib.util.spec_from_file_location({name!r}, {lib!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
ffi, lib = module.ffi, module.lib
a = np.load({path!r})
b = a[::-1].copy()
n = len(a)
r = np.zeros(1, np.float32)
d = np.zeros(1, np.float32)
m = np.array([np.inf, -np.inf], np.float32)
f = lambda x: ffi.from_buffer("float[]", x, require_writable=True)
getattr(lib, {sum!r})(f(a), f(r), n, n)
getattr(lib, {dot!r})(f(a), f(b), f(d), n, n)
getattr(lib, {minmax!r})(f(a), f(m), n, n)
print(r.view(np.uint32)[0], d.view(np.uint32)[0], *m.view(np.uint32))
"""


def test_same_bits_for_any_thread_count(reduced, tmp_path):
    """The blocks do not depend on the team size: OMP_NUM_THREADS 1, 2, 3, 8 give equal bits.
    Each thread count runs in its own process, loading the library built by the fixture."""
    n = 1_000_003
    path = tmp_path / "a.npy"
    np.save(path, np.random.default_rng(11).standard_normal(n).astype(np.float32) * 1e3)
    code = SCRIPT.format(name=reduced.lib.name, lib=str(reduced.lib.path), path=str(path),
                         **{k: c_symbol(reduced.kernels[k]) for k in ("sum", "dot", "minmax")})
    outputs = {}
    for threads in (1, 2, 3, 8):
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        outputs[threads] = done.stdout.split()
    assert len(outputs[1]) == 4
    assert all(out == outputs[1] for out in outputs.values()), outputs


def test_the_lane_loop_is_vectorized(tmp_path):
    """The compiler's report: the lane loop (`for lane ...`) of the f32 dot product vectorizes."""
    import re

    from hologram.backends.c.builder import cflags, compiler
    from hologram.backends.c.emitter import emit_c

    ctx = make_context()
    module = Parser(ctx, KERNELS).parse_module()
    parse_pipeline(default_pipeline_spec()).apply(ctx, module)
    source = emit_c(module)
    path = tmp_path / "k.c"
    path.write_text(source)
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines)
                 if "hg_dot_" in line and line.startswith("void "))
    lane_loops = [i + 1 for i, line in enumerate(lines[start:], start)
                  if re.match(r"\s*for \(int64_t lane_\d+ = ", line)][:2]
    assert lane_loops
    done = subprocess.run([compiler(), *cflags(), "-fopt-info-vec-optimized", "-c", str(path),
                           "-o", str(tmp_path / "k.o")], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        pytest.skip(f"compiler has no -fopt-info-vec-optimized: {done.stderr[:200]}")
    report = done.stdout + done.stderr
    vectorized = {int(m.group(1)) for m in re.finditer(r"k\.c:(\d+):\d+: optimized: loop "
                                                       r"vectorized", report)}
    assert vectorized & set(lane_loops), (lane_loops, sorted(vectorized))
