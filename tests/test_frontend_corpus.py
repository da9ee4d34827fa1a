"""The kernel corpus (tests/kernels/*.py): every file compiles to IR that verifies, has a source
location on every op, and reads back through hologram-opt's parser unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from xdsl.dialects.builtin import FileLineColLoc
from xdsl.parser import Parser

from hologram.dialects import make_context
from hologram.frontend import parse_file
from hologram.tools.compile import ir_text

KERNEL_DIR = Path(__file__).parent / "kernels"
FILES = sorted(KERNEL_DIR.glob("*.py"))


@pytest.fixture(scope="module")
def results():
    return {path.name: parse_file(path) for path in FILES}


def test_corpus_has_at_least_40_kernels(results):
    assert sum(len(r.kernels) for r in results.values()) >= 40


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_file_compiles_verifies_and_round_trips(results, path):
    result = results[path.name]
    assert result.kernels, f"{path.name} has no kernels"
    result.module.verify()
    text = ir_text(result.module)
    reparsed = Parser(make_context(), text, path.name).parse_module()
    reparsed.verify()
    assert ir_text(reparsed) == text


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_op_is_located_in_the_file(results, path):
    lines = path.read_text().count("\n") + 1
    for op in results[path.name].module.walk():
        loc = op.location
        assert isinstance(loc, FileLineColLoc), f"{op.name} has no source location"
        assert loc.filename.data == str(path)
        assert 1 <= loc.line.data <= lines


def test_kernel_infos(results):
    infos = results["vector_ops.py"].kernels
    saxpy = infos["saxpy"]
    assert saxpy.param_names == ["x", "y", "alpha", "out", "n"]
    assert saxpy.param_types == ["f32[]", "f32[]", "f32", "f32[]", "u32"]
    assert saxpy.grid == "n"
    assert saxpy.op.kernel_name == "saxpy"
    assert list(infos)[:3] == ["vector_add", "vector_sub", "vector_mul"]  # file order
    assert infos["axpby_offset"].grid == "end - start"


@pytest.mark.parametrize("name, grid", [
    ("laplace5", "w * h"), ("transpose", "rows * cols"), ("blur3", "n"),
])
def test_grids_of_stencils(results, name, grid):
    assert results["stencils.py"].kernels[name].grid == grid


def test_kernels_without_guard_have_no_grid(results):
    assert results["control.py"].kernels["no_grid"].grid is None
    assert results["reductions.py"].kernels["partial_sums"].grid is None
    assert results["control.py"].kernels["no_grid"].op.grid is None


def test_kernels_named_like_libm_functions_keep_their_names(results):
    names = [op.kernel_name for op in results["math_names.py"].module.body.block.ops]
    assert names[:4] == ["exp", "log", "div", "tanh"]


def test_relu_in_two_files(results):
    """Both files define a kernel `relu`; each module has its own, with its own source."""
    a = results["vector_ops.py"].kernels["relu"].op
    b = results["math_names.py"].kernels["relu"].op
    assert a.source.data.endswith("vector_ops.py") and b.source.data.endswith("math_names.py")


def test_py_module_runs_as_plain_python(results):
    """`py_module` + hologram.lang's names = the kernel as Python (what Kernel.simulate runs)."""
    import numpy as np

    import hologram.lang as lang

    info = results["helpers.py"].kernels["apply_smoothstep"]
    assert [f.name for f in info.py_module.body if hasattr(f, "name")] == [
        "clamp01", "smoothstep", "apply_smoothstep"]
    assert all(not f.decorator_list for f in info.py_module.body if hasattr(f, "decorator_list"))
    namespace = {name: getattr(lang, name) for name in lang.__all__}
    exec(compile(info.py_module, info.filename, "exec"), namespace)
    a = np.array([-1.0, 0.25, 0.5, 2.0], dtype=np.float32)
    out = np.zeros(4, dtype=np.float32)
    for i in range(4):
        lang.set_global_id(i)
        namespace["apply_smoothstep"](a, out, np.uint32(4))
    t = np.clip(a, 0, 1)
    np.testing.assert_allclose(out, t * t * (3 - 2 * t))


def test_py_module_keeps_the_file_line_numbers(results):
    info = results["control.py"].kernels["collatz_steps"]
    fn = [s for s in info.py_module.body if getattr(s, "name", "") == "collatz_steps"][0]
    assert fn.lineno == info.lineno
    source_line = (KERNEL_DIR / "control.py").read_text().splitlines()[fn.lineno - 1]
    assert source_line.startswith("def collatz_steps(")
