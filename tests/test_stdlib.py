"""The stdlib as kernel source, the kernel search path, the listing, precompile, and the
tracing hook of `hologram/ops/_dispatch.py`."""

from __future__ import annotations

import ast
import inspect
import io
import sys
import textwrap
import types

import numpy as np
import pytest

import hologram
import hologram.ops as ops
from hologram.ops import _registry

STDLIB_FILES = sorted(ops.STDLIB_DIR.glob("*.py"))


@pytest.fixture(scope="module")
def stdlib_kernels():
    """name -> KernelInfo for every stdlib kernel, with its file (parsed once)."""
    found = {}
    for path in STDLIB_FILES:
        # Every compile unit: the plain kernels and each specialization of the generic ones.
        for name, info in hologram.load_kernels(str(path)).items():
            assert name not in found, f"kernel {name} defined in {path} and {found[name][0]}"
            found[name] = (path, info)
    return found


def test_stdlib_files_parse_and_names_are_unique(stdlib_kernels):
    assert len(STDLIB_FILES) >= 7
    assert len(stdlib_kernels) >= 100
    families = {p.stem for p in STDLIB_FILES}
    assert {"elementwise", "activations", "reductions", "linalg", "nn", "shape",
            "quantum"} <= families


def test_every_stdlib_kernel_has_an_inferable_grid(stdlib_kernels):
    missing = [name for name, (_, info) in stdlib_kernels.items() if not info.grid]
    assert missing == []


def _reads_only_at_idx(fn: ast.FunctionDef, arrays: list[str]) -> bool:
    for node in ast.walk(fn):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
                and node.value.id in arrays:
            if not (isinstance(node.slice, ast.Name) and node.slice.id == "idx"):
                return False
    return True


@pytest.mark.parametrize("family", ["elementwise", "activations"])
def test_elementwise_convention(stdlib_kernels, family):
    """Inputs, then scalars, then `out`, then `n`; grid `n`; arrays only at [idx] (the
    contiguous and scalar forms; the strided forms index through their stride tables)."""
    path = ops.STDLIB_DIR / f"{family}.py"
    checked = 0
    for name, (kpath, info) in stdlib_kernels.items():
        if kpath != path or "_strided_" in name:
            continue
        defs = {n.name: n for n in info._info.py_module.body if isinstance(n, ast.FunctionDef)}
        names, kinds = info.param_names, info.param_types
        assert names[-2:] == ["out", "n"] and kinds[-1] == "u32", name
        assert info.grid == "n", name
        body = kinds[:-2]
        n_arrays = sum(1 for t in body if t.endswith("[]"))
        assert all(t.endswith("[]") for t in body[:n_arrays]), f"{name}: arrays first"
        assert not any(t.endswith("[]") for t in body[n_arrays:]), f"{name}: then scalars"
        assert _reads_only_at_idx(defs[name], [p for p, t in zip(names, kinds) if t.endswith("[]")])
        checked += 1
    assert checked >= 8


def test_elementwise_table_names_existing_kernels(stdlib_kernels):
    for op_name, base in ops.ELEMENTWISE_KERNELS.items():
        assert hasattr(ops, op_name)
        sfx = "f32" if "f32" in ops._ufunc.UFUNCS[op_name].types else "i32"
        assert f"{base}_{sfx}" in stdlib_kernels, op_name
    for base in ops.F64_KERNELS:
        assert f"{base}_f64" in stdlib_kernels
    # Every element type an op lists has its kernels, in every form.
    for op_name, u in ops._ufunc.UFUNCS.items():
        for sfx in u.types:
            assert f"{u.kernel}_{sfx}" in stdlib_kernels, (op_name, sfx)
            assert f"{u.kernel}_strided_{sfx}" in stdlib_kernels, (op_name, sfx)


@pytest.mark.parametrize("name", ["sigmoid_f32", "softplus_f32", "elu_f32", "clip_f32",
                                  "maximum_bcast_f32", "argmax_axis_f32", "pad_f32",
                                  "trmm_left_f32", "conv2d_f32"])
def test_compiled_kernels_match_their_python_simulation(name):
    """Differential check: the compiled kernel against `Kernel.simulate` (one call per id)."""
    k = ops.stdlib_kernel(name)
    rng = np.random.default_rng(1)

    def make_args():
        x = rng.uniform(-3, 3, 24).astype(np.float32)
        table = {
            "sigmoid_f32": [x, np.zeros(24, np.float32), 24],
            "softplus_f32": [x, np.zeros(24, np.float32), 24],
            "elu_f32": [x, 0.7, np.zeros(24, np.float32), 24],
            "clip_f32": [x, -1.0, 1.5, np.zeros(24, np.float32), 24],
            "maximum_bcast_f32": [x, x[:4].copy(), np.zeros(24, np.float32), 24, 1, 24, 6, 4],
            "argmax_axis_f32": [x, np.zeros(6, np.int64), 6, 4, 1],
            "pad_f32": [x[:6].copy(), np.array([4, 5], np.uint32), np.array([2, 3], np.uint32),
                        np.array([1, 1], np.uint32), 9.0, np.zeros(20, np.float32), 20, 2],
            "trmm_left_f32": [x[:16].copy(), x[:8].copy(), 2.0, np.zeros(8, np.float32), 4, 2,
                              1, 1, 0],
            "conv2d_f32": [x[:18].copy(), x[:8].copy(), x[:2].copy(), np.zeros(8, np.float32),
                           8, 2, 3, 3, 2, 1, 2, 2, 2, 1, 1, 0, 1, 1, 1, 1],
        }
        return table[name]

    args = make_args()
    x = args[0].copy()
    sim = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    k(*args)
    k.simulate(*sim)
    for got, want in zip(args, sim):
        if isinstance(got, np.ndarray):
            np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6)
    # An independent reference where numpy has one (pad, trmm and conv2d are checked against
    # numpy through their ops in test_ops_shape.py, test_ops_linalg.py and test_ops_nn.py).
    x64 = x.astype(np.float64)
    references = {
        "sigmoid_f32": (1, lambda: 1 / (1 + np.exp(-x64))),
        "softplus_f32": (1, lambda: np.logaddexp(0, x64)),
        "elu_f32": (2, lambda: np.where(x64 > 0, x64, 0.7 * np.expm1(x64))),
        "clip_f32": (3, lambda: np.clip(x64, -1.0, 1.5)),
        "maximum_bcast_f32": (2, lambda: np.maximum(x64, np.repeat(x64[:4], 6))),
        "argmax_axis_f32": (1, lambda: x[:24].reshape(6, 4).argmax(axis=1)),
    }
    if name in references:
        pos, reference = references[name]
        want = reference()
        np.testing.assert_allclose(args[pos], want, rtol=2e-6, atol=1e-6, err_msg=name)


# --- the search path --------------------------------------------------------------------------
USER_SIGMOID = textwrap.dedent("""
    from hologram.lang import DeviceArray, f32, u32, get_global_id

    def sigmoid_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
        idx = get_global_id()
        if idx < n:
            out[idx] = 42.0

    def only_here_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
        idx = get_global_id()
        if idx < n:
            out[idx] = x[idx] + 1.0
""")


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    (tmp_path / "mine.py").write_text(USER_SIGMOID)
    monkeypatch.setenv("HOLOGRAM_KERNEL_PATH", str(tmp_path))
    return tmp_path


def test_user_kernel_directory_takes_precedence(user_dir, monkeypatch):
    x = np.zeros(5, np.float32)
    np.testing.assert_array_equal(ops.sigmoid(x), np.full(5, 42.0, np.float32))
    k = ops.stdlib_kernel("only_here_f32")
    out = np.empty(5, np.float32)
    k(x, out, 5)
    np.testing.assert_array_equal(out, np.ones(5, np.float32))
    # Kernels the user directory does not define still come from the stdlib.
    np.testing.assert_array_equal(ops.add(x, x), x)
    src = _registry.find_kernel("sigmoid_f32")
    assert src.user and src.path == user_dir / "mine.py"
    # Without the variable, the bundled kernel is back.
    monkeypatch.delenv("HOLOGRAM_KERNEL_PATH")
    np.testing.assert_array_equal(ops.sigmoid(x), np.full(5, 0.5, np.float32))
    assert not _registry.find_kernel("sigmoid_f32").user


def test_earlier_directories_win(tmp_path, monkeypatch):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "k.py").write_text(USER_SIGMOID)
    (second / "k.py").write_text(USER_SIGMOID.replace("42.0", "7.0"))
    monkeypatch.setenv("HOLOGRAM_KERNEL_PATH", f"{second}:{first}")
    assert ops.sigmoid(np.zeros(2, np.float32))[0] == 7.0
    assert _registry.find_kernel("sigmoid_f32").path == second / "k.py"


def test_listing_shows_origin_and_winner(user_dir):
    text = ops.kernel_listing()
    lines = {ln.split()[0]: ln for ln in text.splitlines()[1:-1]}
    assert "user" in lines["only_here_f32"] and "wins" in lines["only_here_f32"]
    sig = [ln for ln in text.splitlines() if ln.startswith("sigmoid_f32 ")]
    assert len(sig) == 2
    assert "user" in sig[0] and sig[0].endswith("wins")
    assert "stdlib" in sig[1] and f"shadowed by {user_dir / 'mine.py'}" in sig[1]
    assert text.splitlines()[-1].endswith("1 shadowed")


def test_listing_marks_a_missing_user_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("HOLOGRAM_KERNEL_PATH", str(tmp_path / "typo"))
    header = ops.kernel_listing().splitlines()[0]
    assert f"{tmp_path / 'typo'} (user, missing)" in header
    assert f"{ops.STDLIB_DIR} (stdlib)" in header


def test_unknown_kernel_and_broken_user_file(tmp_path, monkeypatch):
    with pytest.raises(ops.KernelPathError, match="no kernel named 'nope_f32'"):
        ops.stdlib_kernel("nope_f32")
    (tmp_path / "bad.py").write_text("def sigmoid_f32(:\n")
    monkeypatch.setenv("HOLOGRAM_KERNEL_PATH", str(tmp_path))
    with pytest.raises(ops.KernelPathError, match=r"bad.py:1: syntax error"):
        ops.stdlib_kernel("sigmoid_f32")


def test_precompile_counts_and_reports_progress():
    buf = io.StringIO()
    names = ["add_f32", "sum_f32", "gemm_nn_f32"]
    assert ops.precompile(progress=True, names=names, file=buf) == 3
    text = buf.getvalue()
    assert "[1/3] add_f32" in text and "[3/3]" in text and "done" in text
    quiet = io.StringIO()
    ops.precompile(progress=False, names=names[:1], file=quiet)
    assert quiet.getvalue() == ""


def test_kernel_objects_are_cached():
    assert ops.stdlib_kernel("add_f32") is ops.stdlib_kernel("add_f32")
    assert isinstance(ops.stdlib_kernel("add_f32"), hologram.Kernel)


# --- the tracing hook ---------------------------------------------------------------------------
class _Traced:
    pass


def test_ops_are_traced_when_tracing_says_so(monkeypatch):
    calls = []
    fake = types.SimpleNamespace(
        is_tracing=lambda args: any(isinstance(a, _Traced) for a in args),
        trace_call=lambda name, args, kwargs: calls.append((name, args, kwargs)) or "traced",
    )
    # The dispatcher consults hologram.tracing only once it is imported (sys.modules).
    monkeypatch.setitem(sys.modules, "hologram.tracing", fake)
    t = _Traced()
    assert ops.sigmoid(t) == "traced"
    assert ops.add(t, 2.0, out=None) == "traced"
    assert ops.vector_add(t, t) == "traced"  # an alias traces under its op's name
    assert [c[0] for c in calls] == ["sigmoid", "add", "add"]
    assert calls[1][2] == {"out": None}
    # Plain arrays still run.
    np.testing.assert_array_equal(ops.relu(np.array([-1, 1], np.float32)), [0, 1])


def test_every_public_op_goes_through_dispatch_and_has_a_docstring():
    assert len(ops.OPS) >= 60
    for name, fn in ops.OPS.items():
        assert getattr(ops, name) is fn, name
        assert hasattr(fn, "op_name"), name
        doc = fn.__doc__ or ""
        assert ">>>" in doc, f"{name}: docstring needs an example"
        assert "out" in inspect.signature(fn.impl).parameters, f"{name}: no out= parameter"


def test_docstring_examples_run():
    """Every op's example (doctest) gives the output its docstring shows."""
    import doctest

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tried = 0
    for name, fn in ops.OPS.items():
        if getattr(fn, "op_name", name) != name:
            continue  # aliases share their op's docstring
        for test in finder.find(fn, name, globs={"np": np, "hologram": hologram}):
            result = runner.run(test, out=lambda s: None)
            tried += result.attempted
            assert result.failed == 0, f"hologram.ops.{name}: docstring example fails"
    own = [n for n, fn in ops.OPS.items() if getattr(fn, "op_name", n) == n]
    assert tried >= len(own)  # at least one example per op (aliases share theirs)
