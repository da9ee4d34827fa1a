"""hologram-compile: outputs and exit codes (0 ok, 1 a located error, never a traceback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hologram.tools.compile import main

KERNELS = Path(__file__).parent / "kernels"
GOOD = KERNELS / "vector_ops.py"
BAD_SOURCE = ("from hologram.lang import *\n\n"
              "def k(a: DeviceArray[f32], n: u32):\n"
              "    with a:\n"
              "        pass\n")


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.py"
    path.write_text(BAD_SOURCE)
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_mlir_to_stdout(capsys):
    rc, out, err = run(capsys, GOOD)
    assert rc == 0 and err == ""
    assert out.startswith("builtin.module {") and "hologram.kernel @saxpy(" in out


def test_output_file(capsys, tmp_path):
    target = tmp_path / "out.mlir"
    rc, out, _ = run(capsys, GOOD, "-o", target)
    assert rc == 0 and out == ""
    assert "hologram.kernel @vector_add(" in target.read_text()


def test_select_kernels(capsys):
    rc, out, _ = run(capsys, GOOD, "--kernel", "fill", "--kernel", "relu")
    assert rc == 0
    assert out.count("hologram.kernel") == 2 and "@fill(" in out and "@relu(" in out


def test_unknown_kernel_lists_the_kernels(capsys):
    rc, out, err = run(capsys, GOOD, "--kernel", "nope")
    assert rc == 1 and out == ""
    assert "no kernel named nope" in err and "vector_add" in err


def test_bad_kernel_is_a_located_message(capsys, bad_file):
    rc, out, err = run(capsys, bad_file)
    assert rc == 1 and out == ""
    assert err.startswith(f"{bad_file}:4:5: error: `with` statements are not supported")
    assert "\n        with a:\n        ^\n" in err
    assert "Traceback" not in err


def test_missing_file(capsys, tmp_path):
    rc, _, err = run(capsys, tmp_path / "missing.py")
    assert rc == 1 and "cannot read" in err and "Traceback" not in err


def test_bad_pipeline_is_one_line(capsys):
    rc, out, err = run(capsys, GOOD, "--pipeline", "no-such-pass")
    assert rc == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "no-such-pass" in err


def test_pipeline_runs(capsys):
    """--pipeline changes the output, and into what the API's pipeline makes of the kernel."""
    import hologram

    kernel = hologram.load_kernels(GOOD)["fill"]
    rc, plain, _ = run(capsys, GOOD, "--kernel", "fill")
    rc2, lowered, _ = run(capsys, GOOD, "--kernel", "fill", "--pipeline", "parallelize")
    assert rc == rc2 == 0
    assert plain.strip() == kernel.mlir().strip()
    assert lowered.strip() == kernel.mlir("parallelize").strip()
    assert "hologram.parallel_for" in lowered and "hologram.parallel_for" not in plain


def test_debuginfo(capsys):
    rc, out, _ = run(capsys, GOOD, "--kernel", "fill", "-g")
    assert rc == 0 and f'loc("{GOOD}":' in out


def test_verbose_summary(capsys):
    rc, _, err = run(capsys, GOOD, "-v", "--kernel", "saxpy")
    assert rc == 0
    assert "saxpy(x: f32[], y: f32[], alpha: f32, out: f32[], n: u32)  grid=n" in err


def test_stdin(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(GOOD.read_text()))
    rc, out, _ = run(capsys, "-", "--kernel", "fill")
    assert rc == 0 and "@fill(" in out


def test_no_file_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2


def test_emit_c(capsys):
    from hologram.backends.c import c_symbol
    from hologram.frontend import parse_file

    rc, out, err = run(capsys, GOOD, "--emit", "c", "--kernel", "saxpy")
    assert rc == 0, err
    symbol = c_symbol(parse_file(GOOD).kernels["saxpy"].op)
    assert f"void {symbol}(" in out


def test_emit_shared_library(capsys, tmp_path):
    """The .so loads with a plain dlopen and its kernel runs with the documented C ABI."""
    import cffi
    import numpy as np

    from hologram.backends.c import c_symbol
    from hologram.backends.c.emitter import function_signatures
    from hologram.frontend import parse_file

    target = tmp_path / "k.so"
    rc, _, err = run(capsys, GOOD, "--emit", "so", "--kernel", "fill", "-o", target)
    assert rc == 0, err
    result = parse_file(GOOD)
    ffi = cffi.FFI()
    ffi.cdef("\n".join(function_signatures(result.module)))
    lib = ffi.dlopen(str(target))
    fill = getattr(lib, c_symbol(result.kernels["fill"].op))
    out = np.zeros(7, np.float32)
    fill(2.5, ffi.from_buffer("float[]", out, True), 5, 7)  # value, out, n, grid
    np.testing.assert_array_equal(out, [2.5] * 5 + [0.0, 0.0])


def test_console_script_exit_code(bad_file):
    """The installed entry point: exit code 1 and no traceback on a bad kernel."""
    proc = subprocess.run([sys.executable, "-m", "hologram.tools.compile", str(bad_file)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "error: `with` statements" in proc.stderr and "Traceback" not in proc.stderr


def test_list(capsys):
    rc, out, _ = run(capsys, "--list")
    assert rc == 0 and out.startswith("kernel search path:")


def test_stdlib_calls_precompile(capsys, monkeypatch):
    """--stdlib builds the stdlib through hologram.ops.precompile (stubbed: building is slow)."""
    import hologram.ops

    calls = []
    monkeypatch.setattr(hologram.ops, "precompile", lambda **kw: calls.append(kw) or 0)
    rc, _, _ = run(capsys, "--stdlib")
    assert rc == 0 and len(calls) == 1


GENERIC_SOURCE = ("from hologram.lang import *\n\n"
                  "@generic(T=(f32, i64))\n"
                  "def double(x: DeviceArray[T], out: DeviceArray[T], n: u32):\n"
                  "    i = get_global_id()\n"
                  "    if i < n:\n"
                  "        out[i] = x[i] + x[i]\n\n"
                  "def plain(x: DeviceArray[f32], n: u32):\n"
                  "    i = get_global_id()\n"
                  "    if i < n:\n"
                  "        x[i] = 0.0\n")


def test_generic_file_compiles_every_unit(capsys, tmp_path):
    """A file with @generic kernels: its plain kernels and every specialization, one module;
    --kernel picks specializations by name."""
    path = tmp_path / "gen.py"
    path.write_text(GENERIC_SOURCE)
    rc, out, err = run(capsys, path)
    assert rc == 0 and err == ""
    for name in ("plain", "double_f32", "double_i64"):
        assert f"hologram.kernel @{name}(" in out
    rc, out, _ = run(capsys, path, "--kernel", "double_i64", "--emit", "c")
    assert rc == 0 and out.count("void hg_double_i64_") == 1 and "hg_plain_" not in out
    rc, _, err = run(capsys, path, "--kernel", "double_f16")
    assert rc == 1 and "no kernel named double_f16" in err and "double_f32" in err
