"""The C emitter and the decorator API: hand-written IR (parallel_for, exits, programs) built and
run, name mangling, the libmvec vector calls, `@hologram.kernel`, `.mlir()` and `.c_source()`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from xdsl.parser import Parser

import hologram
from hologram.backends.c.builder import build, compiler
from hologram.backends.c.emitter import c_prelude, c_symbol, emit_c
from hologram.dialects import make_context
from hologram.lang import DeviceArray, f32, get_global_id, u32

FILECHECK_IR = Path(__file__).parent / "filecheck" / "backend" / "c-emit.mlir"


@pytest.fixture(scope="module")
def handwritten():
    module = Parser(make_context(), FILECHECK_IR.read_text()).parse_module()
    module.verify()
    ops = {getattr(op, "sym_name").data: op for op in module.ops}
    return build(module, "c_emit"), ops


def test_parallel_for_with_exit_both_copies(handwritten):
    """Below the threshold (serial copy) and above it (parallel simd copy), `hologram.exit`
    skips the rest of the id: negatives stay, others are squared."""
    lib, ops = handwritten
    fn = lib.function(c_symbol(ops["pf"]))
    for n in (100, 10000):
        a = np.linspace(-3, 3, n).astype(np.float32)
        want = np.where(a < 0, a, a * a)
        fn(lib.ffi.from_buffer("float[]", a), n)
        np.testing.assert_array_equal(a, want)


def test_program_allocates_and_launches(handwritten):
    lib, ops = handwritten
    fn = lib.function(c_symbol(ops["prog"]))
    a = np.linspace(-1, 1, 3000).astype(np.float32)
    b = np.zeros_like(a)
    fn(lib.ffi.from_buffer("float[]", a), lib.ffi.from_buffer("float[]", b), a.size)
    np.testing.assert_allclose(b, np.exp(np.exp(a)), rtol=2e-6)


def test_atomics_kernel(handwritten):
    lib, ops = handwritten
    fn = lib.function(c_symbol(ops["atomics"]))
    ffi = lib.ffi
    for n in (500, 5000):  # serial, then parallel
        r, c, o = np.zeros(1, np.float32), np.zeros(1, np.int32), np.full(n, -1, np.int32)
        fn(ffi.from_buffer("float[]", r), ffi.from_buffer("int32_t[]", c),
           ffi.from_buffer("int32_t[]", o), 0.5, n)
        assert c[0] == n
        assert sorted(o) == list(range(n))  # each old value handed out exactly once
        # Each id adds 0.5 then takes min(r, 0.5): r never drops below 0.5 once added to, and
        # the last operation of any interleaving is some id's min, so r ends at exactly 0.5
        # on the parallel path too.
        assert r[0] == 0.5


def test_symbols_are_mangled_per_file():
    from hologram.frontend import parse_source

    src = ("from hologram.lang import DeviceArray, f32, u32, get_global_id\n"
           "def relu(a: DeviceArray[f32], n: u32):\n    idx = get_global_id()\n"
           "    if idx < n:\n        a[idx] = max(a[idx], 0.0)\n")
    one = parse_source(src, "one.py").kernels["relu"].op
    two = parse_source(src, "two.py").kernels["relu"].op
    assert c_symbol(one) != c_symbol(two)
    assert c_symbol(one).startswith("hg_relu_")


def test_prelude_declares_vector_math():
    prelude = c_prelude(["expf", "tanhf", "sqrtf"])
    assert "#pragma omp declare simd notinbranch\nextern float expf(float);" in prelude
    assert "tanhf(float)" in prelude
    assert "sqrtf" not in prelude  # a builtin gcc vectorizes itself


SIMD_IR = """
builtin.module {
  hologram.kernel @vexp(%a: memref<?xf32>, %out: memref<?xf32>) attributes {param_names = ["a", "out"], param_types = ["f32[]", "f32[]"]} {
    %n = hologram.grid_size : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    hologram.parallel_for %i = %c0 to %n step %c1 schedule(static) chunk(0) simd threshold(0) {
      %x = memref.load %a[%i] : memref<?xf32>
      %e = math.exp %x : f32
      memref.store %e, %out[%i] : memref<?xf32>
    }
    hologram.return
  }
}
"""


def test_simd_loop_calls_libmvec(tmp_path):
    """With the prelude's `declare simd`, gcc vectorizes expf to a libmvec call without
    -ffast-math (the vectorizer report and the object's undefined symbols say so)."""
    module = Parser(make_context(), SIMD_IR).parse_module()
    c_file = tmp_path / "vexp.c"
    c_file.write_text(emit_c(module))
    obj = tmp_path / "vexp.o"
    run = subprocess.run([compiler(), "-O3", "-march=native", "-fopenmp", "-ffp-contract=off",
                          "-fopt-info-vec-optimized", "-c", str(c_file), "-o", str(obj)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "loop vectorized" in run.stderr
    nm = subprocess.run(["nm", str(obj)], capture_output=True, text=True).stdout
    assert "_ZGV" in nm and "expf" in nm, nm


@hologram.kernel
def decorated_scale(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = x[idx] * 3.0


@hologram.kernel(pipeline="")
def decorated_noopt(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = x[idx] + 1.0


def test_decorator_runs_and_shows_its_code():
    x = np.arange(7, dtype=np.float32)
    out = np.zeros(7, np.float32)
    decorated_scale(x, out, 7)
    np.testing.assert_array_equal(out, x * 3)
    assert decorated_scale.name == "decorated_scale"
    assert decorated_scale.param_types == ["f32[]", "f32[]", "u32"]
    assert decorated_scale.grid == "n"
    assert "hologram.kernel @decorated_scale" in decorated_scale.mlir()
    assert "hologram.kernel @decorated_scale" in decorated_scale.mlir(pipeline="canonicalize,cse")
    assert c_symbol(decorated_scale.kernel_op()) in decorated_scale.c_source()
    decorated_noopt(x, out, 7)
    np.testing.assert_array_equal(out, x + 1)
    sim = np.zeros(7, np.float32)
    decorated_noopt.simulate(x, sim, 7)
    np.testing.assert_array_equal(sim, out)
