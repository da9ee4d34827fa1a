"""Hostile and unusual kernel sources and IR: a located CompileError (or a working kernel),
never a RecursionError, OverflowError, ValueError or UnicodeDecodeError from inside.

Regressions for issue 12's "Bad input" list; docs/language.md states each rule.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from xdsl.utils.exceptions import VerifyException

import hologram
from hologram.frontend import CompileError, parse_source
from hologram.frontend.limits import MAX_NESTING

HEAD = "from hologram.lang import *\n"
GUARDED = ("def k(a: DeviceArray[f32], b: DeviceArray[i32], n: u32):\n"
           "    idx = get_global_id()\n"
           "    if idx < n:\n"
           "        {}\n")


def compile_error(source: str) -> CompileError:
    with pytest.raises(CompileError) as info:
        parse_source(source, "t.py")
    err = info.value
    assert err.loc is not None and err.loc.file == "t.py" and err.loc.line >= 1
    return err


def _helpers(depth: int) -> str:
    src = HEAD
    for i in range(depth):
        inner = f"h{i - 1}(x)" if i else "x"
        src += f"def h{i}(x: f32) -> f32:\n    return {inner} + 1.0\n"
    return src + GUARDED.format(f"a[idx] = h{depth - 1}(a[idx])")


# --- nesting -------------------------------------------------------------------------------------
DEEP = {
    "200 nested helpers": _helpers(200),
    "200 nested subscripts": HEAD + GUARDED.replace("DeviceArray[f32]", "DeviceArray[u32]")
    .format("a[idx] = " + "a[" * 190 + "idx" + "]" * 190),
    "1000-term sum": HEAD + GUARDED.format("a[idx] = " + " + ".join(["a[idx]"] * 1000)),
    "500 chained ternaries": HEAD + GUARDED.format(
        "a[idx] = " + " if idx < 3 else ".join(["1.0"] * 500)),
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_nesting_is_a_located_error(name):
    err = compile_error(DEEP[name])
    assert "nested" in err.message and f"limit is {MAX_NESTING}" in err.message
    assert err.loc.line == (5 if name != "200 nested helpers" else 405)


@pytest.mark.parametrize("expr", [" + ".join(["a[idx]"] * 20000), "-" * 20000 + "a[idx]"],
                         ids=["20000-term sum", "20000 unary minuses"])
def test_too_deep_for_pythons_parser(expr):
    """Deeper still, CPython's own parser gives up (RecursionError or MemoryError): located."""
    err = compile_error(HEAD + GUARDED.format(f"a[idx] = {expr}"))
    assert "nested too deeply" in err.message and err.loc.line == 5


def test_helper_chain_error_names_the_helpers():
    err = compile_error(DEEP["200 nested helpers"])
    assert "through helpers h199 -> h198 -> h197 -> ..." in err.message


@pytest.mark.parametrize("make", [
    lambda m: " + ".join(["a[idx]"] * m),
    lambda m: " if idx < 3 else ".join(["1.0"] * m),
], ids=["sum", "ternaries"])
def test_nesting_just_under_the_limit_compiles_and_runs(make, tmp_path):
    """Below the limit everything works end to end: frontend, printer, pipeline, C, launch."""
    terms = MAX_NESTING - 10
    path = tmp_path / "deep.py"
    path.write_text(HEAD + GUARDED.format(f"a[idx] = {make(terms)}"))
    k = hologram.load_kernels(path)["k"]
    assert "hologram.kernel @k" in k.mlir("default")
    a, b = np.full(4, 0.5, np.float32), np.zeros(4, np.int32)
    want = a.copy()
    k.simulate(want, b, 4)
    k(a, b, 4)
    np.testing.assert_array_equal(a, want)


# --- literals ------------------------------------------------------------------------------------
@pytest.mark.parametrize("stmt,message", [
    ("a[idx] = 1e39", "does not fit in f32"),
    ("a[idx] = f32(2**200)", "does not fit in f32"),
    ("b[idx] = int(1e400)", "cannot convert the literal inf to i32"),
    ("b[idx] = 10**100000", "more than 4096 bits"),
    ("b[idx] = 1 << 100000", "more than 4096 bits"),
    ("b[idx] = 10**10**10", "more than 4096 bits"),
    ("b[idx] = 2**70", "does not fit in i32"),
    ("a[idx] = f32(2**2000)", "too large for f32"),
])
def test_literals_that_do_not_fit(stmt, message):
    err = compile_error(HEAD + GUARDED.format(stmt))
    assert message in err.message and err.loc.line == 5


def test_large_literal_intermediates_fold():
    """Python's big integers are fine in between: (1 << 100) >> 98 is 4."""
    result = parse_source(HEAD + GUARDED.format("b[idx] = (1 << 100) >> 98"), "t.py")
    assert "arith.constant 4 : i32" in str(result.module)


# --- names, files, kernels dropped ----------------------------------------------------------------
def test_unicode_names_compile_and_run(tmp_path):
    path = tmp_path / "uni.py"
    path.write_text(HEAD + "def k(a: DeviceArray[f32], λ: u32):\n"
                    "    idx = get_global_id()\n"
                    "    if idx < λ:\n"
                    "        μ = a[idx]\n"
                    "        a[idx] = μ * 2.0\n", encoding="utf-8")
    k = hologram.load_kernels(path)["k"]
    assert k.param_names == ["a", "λ"] and k.grid == "λ"
    assert "%u3bb" in k.mlir() and "hologram.kernel @k" in k.mlir("default")
    a = np.arange(5, dtype=np.float32)
    k(a, 5)
    np.testing.assert_array_equal(a, np.arange(5) * 2.0)


def test_non_utf8_file_is_a_located_error(tmp_path):
    path = tmp_path / "latin.py"
    path.write_bytes(b"from hologram.lang import *\n# caf\xe9\n")
    with pytest.raises(CompileError) as info:
        hologram.load_kernels(path)
    assert "not UTF-8 text" in str(info.value) and info.value.loc.line == 2


def test_coding_cookie_is_honoured(tmp_path):
    path = tmp_path / "latin.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\nfrom hologram.lang import *\n# caf\xe9\n"
                     + GUARDED.format("a[idx] = 1.0").encode())
    assert list(hologram.load_kernels(path)) == ["k"]


@pytest.mark.parametrize("cli,suffix", [
    ("hologram.tools.compile", ".py"), ("hologram.tools.opt", ".mlir"),
])
def test_non_utf8_input_in_the_clis(tmp_path, cli, suffix):
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(b"// caf\xe9\n")
    proc = subprocess.run([sys.executable, "-m", cli, str(path)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1
    assert "not UTF-8 text" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("source,message", [
    (HEAD + "async def k(a: DeviceArray[f32], n: u32):\n    pass\n", "`async def k` cannot be"),
    (HEAD + "def k(a: list, n: u32):\n    a[0] = 1.0\n", "unknown kernel parameter type `list`"),
    (HEAD + "import numpy as np\ndef k(a: np.ndarray, n: u32):\n    a[0] = 1.0\n",
     "unknown kernel parameter type `np.ndarray`"),
    (HEAD + "def k(a: DeviceArray(f32), n: u32):\n    a[0] = 1.0\n",
     "unknown kernel parameter type `DeviceArray(f32)`"),
    (HEAD + "def k(a: DeviceArray[f32], a: u32):\n    pass\n", "duplicate parameter name `a`"),
])
def test_kernels_are_not_dropped_silently(source, message):
    assert message in compile_error(source).message


def test_compile_cli_warns_on_a_file_without_kernels(tmp_path):
    path = tmp_path / "none.py"
    path.write_text("X = 1\n")
    proc = subprocess.run([sys.executable, "-m", "hologram.tools.compile", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "warning: no kernels in" in proc.stderr


def test_float_guard_bound_compiles_and_needs_grid(tmp_path):
    """`if idx < x:` with x: f32 is a valid guard, but no grid is inferred from a float: the
    launch says so, and runs with grid=."""
    path = tmp_path / "fg.py"
    path.write_text(HEAD + "def k(a: DeviceArray[f32], x: f32):\n"
                    "    idx = get_global_id()\n"
                    "    if idx < x:\n"
                    "        a[idx] = 1.0\n")
    k = hologram.load_kernels(path)["k"]
    assert k.grid is None
    a = np.zeros(6, np.float32)
    with pytest.raises(hologram.LaunchError, match="compares the id with a float"):
        k(a, 2.5)
    k(a, 2.5, grid=6)
    np.testing.assert_array_equal(a, [1, 1, 1, 0, 0, 0])


# --- IR ---------------------------------------------------------------------------------------------
USE_BEFORE_DEF = """\
builtin.module {
  hologram.kernel @k(%a: memref<?xf32>, %n: i32) attributes {param_names = ["a", "n"], param_types = ["f32[]", "u32"]} {
    %g = hologram.global_id : index
    %y = arith.addf %x, %x : f32
    %x = memref.load %a[%g] : memref<?xf32>
    memref.store %y, %a[%g] : memref<?xf32>
    hologram.return
  }
}
"""

INNER_USE_OUTSIDE = """\
builtin.module {
  hologram.kernel @k(%a: memref<?xf32>, %n: i32) attributes {param_names = ["a", "n"], param_types = ["f32[]", "u32"]} {
    %g = hologram.global_id : index
    %t = arith.constant true
    scf.if %t {
      memref.store %x, %a[%g] : memref<?xf32>
      scf.yield
    }
    %x = memref.load %a[%g] : memref<?xf32>
    hologram.return
  }
}
"""


@pytest.mark.parametrize("ir", [USE_BEFORE_DEF, INNER_USE_OUTSIDE], ids=["before", "region"])
@pytest.mark.parametrize("args", [["-t", "c"], ["-p", "parallelize"], []])
def test_opt_verifies_dominance_before_passes(tmp_path, ir, args):
    path = tmp_path / "k.mlir"
    path.write_text(ir)
    proc = subprocess.run([sys.executable, "-m", "hologram.tools.opt", str(path), *args],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "does not dominate" in proc.stderr or "not defined where it is used" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_dominance_accepts_every_corpus_kernel():
    """No false alarm: the frontend's IR and the default pipeline's IR of the whole corpus."""
    from hologram.analysis.dominance import verify_dominance

    for path in sorted((Path(__file__).parent / "kernels").glob("*.py")):
        kernels = hologram.load_kernels(path)
        for k in kernels.values():
            verify_dominance(k.kernel_op())
        verify_dominance(next(iter(kernels.values()))._unit.lowered())


CFG = """\
builtin.module {
  func.func @f(%c: i1, %p: memref<i32>) {
    scf.execute_region {
      %one = arith.constant 1 : i32
      cf.br ^loop
    ^loop:
      %v = arith.addi %one, %one : i32
      cf.cond_br %c, ^loop, ^done
    ^dead:
      cf.br ^loop
    ^done:
      memref.store %v, %p[] : memref<i32>
      scf.yield
    }
    func.return
  }
}
"""


def test_dominance_ignores_unreachable_blocks():
    """A block no path reaches (an exit's dead join, as convert-hologram-to-upstream leaves)
    does not hide that the entry dominates the loop it branches to; MLIR ignores it too."""
    from xdsl.parser import Parser

    from hologram.analysis.dominance import verify_dominance
    from hologram.dialects import make_context

    verify_dominance(Parser(make_context(), CFG).parse_module())
    # The same CFG with the definition moved into the dead block is a violation.
    moved = CFG.replace("      %one = arith.constant 1 : i32\n      cf.br ^loop\n",
                        "      cf.br ^loop\n").replace(
        "    ^dead:\n", "    ^dead:\n      %one = arith.constant 1 : i32\n")
    with pytest.raises(VerifyException, match="does not dominate"):
        verify_dominance(Parser(make_context(), moved).parse_module())
