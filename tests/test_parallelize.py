"""`parallelize` at run time and in the compiler's vectorization report.

Hand-written SIMT kernels (IR) go through `parallelize`, the C backend builds them, and the
results are compared with numpy on sizes around the serial threshold. The C of the grid loop is
compiled again with `-fopt-info-vec-optimized` to check that the compiler really vectorizes it,
not only that the pragma says `simd`.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from xdsl.parser import Parser

from hologram.backends.c.builder import build, cflags, compiler
from hologram.backends.c.emitter import c_symbol, emit_c
from hologram.dialects import make_context
from hologram.dialects.hologram import KernelOp, ParallelForOp
from hologram.passes import parse_pipeline
from hologram.passes.parallelize import Parallelize

SIZES = [0, 1, 7, 1000, 3072, 100003]

KERNELS = """
builtin.module {
  hologram.kernel @fma(%a: memref<?xf32>, %b: memref<?xf32>, %c: memref<?xf32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["a", "b", "c", "out", "n"], param_types = ["f32[]", "f32[]", "f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32>
      %y = memref.load %b[%gid] : memref<?xf32>
      %z = memref.load %c[%gid] : memref<?xf32>
      %p = arith.mulf %x, %y : f32
      %s = arith.addf %p, %z : f32
      memref.store %s, %out[%gid] : memref<?xf32>
    }
    hologram.return
  }
  hologram.kernel @relu_or_skip(%a: memref<?xf32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["a", "out", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32>
      %zero = arith.constant 0.0 : f32
      %neg = arith.cmpf olt, %x, %zero : f32
      scf.if %neg {
        hologram.exit
        scf.yield
      }
      %d = arith.addf %x, %x : f32
      memref.store %d, %out[%gid] : memref<?xf32>
    }
    hologram.return
  }
}
"""


def compile_module(pipeline: str):
    ctx = make_context()
    module = Parser(ctx, KERNELS).parse_module()
    parse_pipeline(pipeline).apply(ctx, module)
    module.verify()
    return module


class Compiled:
    def __init__(self, pipeline: str):
        self.module = compile_module(pipeline)
        self.lib = build(self.module, "parallelize_test")
        self.kernels = {k.kernel_name: k for k in self.module.walk() if isinstance(k, KernelOp)}

    def __call__(self, name, *arrays_and_scalars, grid):
        ffi = self.lib.ffi
        args = [ffi.from_buffer("float[]", a, require_writable=True) if isinstance(a, np.ndarray)
                else a for a in arrays_and_scalars]
        self.lib.function(c_symbol(self.kernels[name]))(*args, grid)


@pytest.fixture(scope="module", params=["parallelize", "parallelize{threshold=0}",
                                        "parallelize{schedule=dynamic chunk=64 simd=false}"])
def compiled(request) -> Compiled:
    return Compiled(request.param)


@pytest.mark.parametrize("n", SIZES)
def test_elementwise_matches_numpy(compiled, n):
    rng = np.random.default_rng(n)
    a, b, c = (rng.standard_normal(n).astype(np.float32) for _ in range(3))
    out = np.full(n, 99.0, np.float32)
    compiled("fma", a, b, c, out, n, grid=n)
    assert np.array_equal(out, a * b + c)  # -ffp-contract=off: no fused multiply-add


@pytest.mark.parametrize("n", SIZES)
def test_early_return_skips_only_that_id(compiled, n):
    a = np.random.default_rng(n + 1).standard_normal(n).astype(np.float32)
    out = np.full(n, 99.0, np.float32)
    compiled("relu_or_skip", a, out, n, grid=n)
    assert np.array_equal(out, np.where(a < 0, np.float32(99.0), a + a))


def test_loops_carry_the_options():
    module = compile_module("parallelize{schedule=guided chunk=16 threshold=77}")
    loops = {o.parent_op().kernel_name: o for o in module.walk() if isinstance(o, ParallelForOp)}
    assert {k: (l.schedule.data, l.chunk.value.data, l.threshold.value.data, l.simd is not None)
            for k, l in loops.items()} == {"fma": ("guided", 16, 77, True),
                                           "relu_or_skip": ("guided", 16, 77, False)}


def test_bad_options_are_one_line_errors():
    with pytest.raises(ValueError, match="schedule must be one of static, dynamic, guided"):
        parse_pipeline("parallelize{schedule=auto}")
    with pytest.raises(ValueError, match="threshold must be >= 0"):
        Parallelize(threshold=-1)


def _loop_regions(c_source: str, marker: str) -> list[tuple[int, int]]:
    """(first, last) line numbers of each loop right after a line containing `marker`."""
    lines = c_source.splitlines()
    regions = []
    for i, line in enumerate(lines):
        if marker not in line:
            continue
        indent = len(lines[i + 1]) - len(lines[i + 1].lstrip())
        end = i + 2
        while not (lines[end].startswith(" " * indent + "}") and
                   len(lines[end]) - len(lines[end].lstrip()) == indent):
            end += 1
        regions.append((i + 2, end + 1))  # 1-based: the `for` line .. its closing brace
    return regions


def _vectorized_lines(c_source: str, tmp_path) -> set[int]:
    path = tmp_path / "k.c"
    path.write_text(c_source)
    flags = [f for f in cflags() if f != "-fopenmp"] + ["-fopenmp", "-fopt-info-vec-optimized"]
    done = subprocess.run([compiler(), *flags, "-c", str(path), "-o", str(tmp_path / "k.o")],
                          capture_output=True, text=True, check=True)
    return {int(m.group(1)) for m in
            re.finditer(rf"{re.escape(path.name)}:(\d+):\d+: optimized: loop vectorized",
                        done.stdout + done.stderr)}


def test_the_simd_grid_loop_is_vectorized(tmp_path):
    """The compiler's own report: the `parallel for simd` grid loop of an elementwise kernel is
    vectorized (requires gcc or clang's -fopt-info; skipped where the compiler has none)."""
    module = compile_module("parallelize")
    source = emit_c(module)
    regions = _loop_regions(source, "#pragma omp parallel for simd")
    assert regions, "no simd grid loop printed"
    try:
        vectorized = _vectorized_lines(source, tmp_path)
    except subprocess.CalledProcessError as err:
        pytest.skip(f"compiler has no -fopt-info-vec-optimized: {err.stderr[:200]}")
    assert any(first <= line <= last for first, last in regions for line in vectorized), (
        regions, sorted(vectorized))


def test_default_threshold_is_the_documented_one():
    """The threshold docs/passes.md documents is the one the pass, run without options,
    writes into the IR (and the C)."""
    docs = (Path(__file__).parent.parent / "docs" / "passes.md").read_text()
    documented = re.search(r"`parallelize\{[^}]*[ {]threshold=(\d+)", docs)
    assert documented is not None, "docs/passes.md no longer shows parallelize's options"
    threshold = int(documented.group(1))
    module = compile_module("parallelize")
    assert f"threshold({threshold})" in str(module)
    assert f"< INT64_C({threshold})" in emit_c(module)
    assert f"threshold={threshold}" in (Parallelize.__doc__ or "")
