"""The build, its disk cache and its index: warm starts run no compiler and import no xDSL, a
moved project keeps its entries, a changed source, compiler or flag rebuilds, processes building
the same new kernel at once all succeed, a corrupt or unloadable entry is rebuilt (never loaded),
a cache that is not private is never trusted, and every unusable setting is a BuildError (or a
CacheWarning and a private cache) that says what to do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import numpy as np
import pytest

import hologram
from hologram import BuildError
import hologram.backends.c.builder as build_mod

REPO = Path(__file__).resolve().parent.parent


def kernel_source(tag: str) -> str:
    """A kernel no cache has seen: `tag` ends up in its C source (a constant)."""
    salt = int(uuid.UUID(tag)) % 1000 + 1
    return textwrap.dedent(f'''
        from hologram.lang import DeviceArray, f32, u32, get_global_id

        def salted(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
            idx = get_global_id()
            if idx < n:
                out[idx] = a[idx] + {salt}.0
    '''), salt


RUNNER = textwrap.dedent('''
    import json, sys
    import numpy as np
    import hologram
    k = hologram.load_kernels(sys.argv[1])["salted"]
    a = np.arange(10, dtype=np.float32)
    out = np.zeros(10, np.float32)
    k(a, out, 10)
    xdsl = any(m == "xdsl" or m.startswith("xdsl.") for m in sys.modules)
    lib = k._unit.library()
    print(json.dumps({"out": out.tolist(), "from_cache": lib.from_cache, "path": str(lib.path),
                      "xdsl": xdsl, "filename": k.filename}))
''')


def run_python(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(REPO)
    if env:
        full_env.update(env)
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=REPO, env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture
def fresh_kernel(tmp_path):
    source, salt = kernel_source(str(uuid.uuid4()))
    path = tmp_path / "salted.py"
    path.write_text(source)
    return path, salt


def test_eight_processes_starting_cold_at_once_all_succeed(fresh_kernel, tmp_path):
    path, salt = fresh_kernel
    cache = tmp_path / "cache"
    procs = [run_python(RUNNER, str(path), env={"HOLOGRAM_CACHE_DIR": str(cache)})
             for _ in range(8)]
    results = [finish(p) for p in procs]
    want = (np.arange(10) + salt).tolist()
    assert all(r["out"] == want for r in results)
    assert len({r["path"] for r in results}) == 1  # one entry, whoever won the rename
    entries = [p for p in cache.glob("??/*") if p.is_dir()]
    assert len(entries) == 1
    assert not [p for p in (cache / "tmp").iterdir() if p.name.startswith("_hg_")]
    assert len(list((cache / "index").glob("*/*.json"))) == 1
    warm = finish(run_python(RUNNER, str(path), env={"HOLOGRAM_CACHE_DIR": str(cache)}))
    assert warm["from_cache"] is True and warm["xdsl"] is False and warm["out"] == want


def test_warm_start_runs_no_compiler(fresh_kernel, tmp_path):
    path, salt = fresh_kernel
    cache = tmp_path / "cache"
    log = tmp_path / "cc.log"
    wrapper = tmp_path / "cc-wrapper"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec cc "$@"\n')
    wrapper.chmod(0o755)
    env = {"HOLOGRAM_CACHE_DIR": str(cache), "CC": str(wrapper)}
    first = finish(run_python(RUNNER, str(path), env=env))
    assert first["from_cache"] is False
    calls = log.read_text().splitlines()
    assert any("--version" in c for c in calls) and any("-shared" in c for c in calls)
    second = finish(run_python(RUNNER, str(path), env=env))
    assert second["from_cache"] is True
    assert second["out"] == first["out"] == (np.arange(10) + salt).tolist()
    assert log.read_text().splitlines() == calls  # not run again, not even --version
    assert first["xdsl"] is True and second["xdsl"] is False  # the index: nothing parsed


@pytest.mark.parametrize("damage", ["truncate", "flip", "manifest", "delete"])
def test_corrupt_entry_is_rebuilt(fresh_kernel, tmp_path, damage):
    path, salt = fresh_kernel
    cache = tmp_path / "cache"
    env = {"HOLOGRAM_CACHE_DIR": str(cache)}
    first = finish(run_python(RUNNER, str(path), env=env))
    so = Path(first["path"])
    manifest = so.parent / "manifest.json"
    if damage == "truncate":
        so.write_bytes(so.read_bytes()[: so.stat().st_size // 2])
    elif damage == "flip":
        data = bytearray(so.read_bytes())
        data[len(data) // 2] ^= 0xFF
        so.write_bytes(bytes(data))
    elif damage == "manifest":
        manifest.write_text("{not json")
    else:
        so.unlink()
    second = finish(run_python(RUNNER, str(path), env=env))
    assert second["from_cache"] is False  # rebuilt, not loaded
    assert second["out"] == (np.arange(10) + salt).tolist()
    info = json.loads(manifest.read_text())
    assert info["sha256"] == build_mod._sha256_file(Path(second["path"]))
    third = finish(run_python(RUNNER, str(path), env=env))
    assert third["from_cache"] is True


def test_loaded_once_per_process(tmp_path):
    path = tmp_path / "once.py"
    path.write_text(kernel_source(str(uuid.uuid4()))[0])
    a = hologram.load_kernels(path)["salted"]
    b = hologram.load_kernels(path)["salted"]
    assert a._unit.library() is b._unit.library()


def test_flags_are_part_of_the_key(tmp_path, monkeypatch):
    path = tmp_path / "flags.py"
    path.write_text(kernel_source(str(uuid.uuid4()))[0])
    lib_default = hologram.load_kernels(path)["salted"]._unit.library()
    monkeypatch.setenv("HOLOGRAM_CFLAGS", "-O1 -fopenmp")
    assert build_mod.cflags() == ["-O1", "-fopenmp", *build_mod.SEMANTIC_CFLAGS]
    lib_o1 = hologram.load_kernels(path)["salted"]._unit.library()
    assert lib_o1.path != lib_default.path


def test_missing_compiler(tmp_path, monkeypatch):
    path = tmp_path / "nocc.py"
    path.write_text(kernel_source(str(uuid.uuid4()))[0])
    monkeypatch.setenv("CC", "/nonexistent/cc")
    k = hologram.load_kernels(path)["salted"]
    with pytest.raises(BuildError, match=r"cannot build kernel 'nocc': no C compiler '/nonexistent/cc'") as info:
        k(np.zeros(2, np.float32), np.zeros(2, np.float32), 2)
    assert info.value.kernel == "nocc"


BAD = '''
from hologram.lang import DeviceArray, f32, u32, get_global_id

def fine(a: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        a[idx] = 1.0

def dead(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        unused = a[idx] * 2.0
        out[idx] = a[idx]
'''


def test_compiler_error_names_kernel_and_python_line(tmp_path, monkeypatch):
    """A C error lands on the Python line, through the #line directives (here an unused
    variable turned into an error, with no passes to remove it)."""
    path = tmp_path / "bad_kernels.py"
    path.write_text(BAD + f"# {uuid.uuid4()}\n")
    monkeypatch.setenv("HOLOGRAM_CFLAGS", "-O0 -Werror=unused-variable")
    k = hologram.load_kernels(path, pipeline="")["dead"]
    with pytest.raises(BuildError) as info:
        k(np.zeros(2, np.float32), np.zeros(2, np.float32), 2)
    err = info.value
    assert err.kernel == "dead"
    assert err.location == f"{path}:12"
    assert f"{path}:12: the C compiler rejected kernel 'dead'" in str(err)
    assert "unused = a[idx] * 2.0" in str(err)
    assert "error" in err.output


def test_shared_library(tmp_path):
    """`build_shared_library` (hologram-compile --emit so): a plain .so with the kernel ABI."""
    import ctypes

    from hologram.backends.c.emitter import c_symbol
    from hologram.frontend import parse_source

    result = parse_source(BAD, str(tmp_path / "k.py"))
    out = build_mod.build_shared_library(result.module, tmp_path / "libk.so")
    lib = ctypes.CDLL(str(out))
    fn = getattr(lib, c_symbol(result.kernels["fine"].op))
    a = np.zeros(5, np.float32)
    fn(a.ctypes.data_as(ctypes.c_void_p), ctypes.c_uint32(5), ctypes.c_int64(5))
    assert (a == 1).all()


def test_compiler_crash_falls_back_to_scalar_math(tmp_path, monkeypatch):
    """An internal compiler error (gcc 12 has one on some `declare simd` libm calls) makes the
    build retry without the vector math declarations; the kernel still runs."""
    wrapper = tmp_path / "crashy-cc"
    wrapper.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do case "$a" in *.c) if grep -q "declare simd" "$a"; then\n'
        '  echo "$a:1:1: internal compiler error: Segmentation fault" >&2; exit 1; fi;; esac; done\n'
        'exec cc "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("CC", str(wrapper))
    path = tmp_path / "crash.py"
    path.write_text(textwrap.dedent(f'''
        from hologram.lang import DeviceArray, f32, u32, get_global_id, exp
        # {uuid.uuid4()}
        def e(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
            idx = get_global_id()
            if idx < n:
                out[idx] = exp(a[idx])
    '''))
    k = hologram.load_kernels(path)["e"]
    a = np.linspace(-2, 2, 5000).astype(np.float32)
    out = np.zeros_like(a)
    k(a, out, a.size)
    np.testing.assert_allclose(out, np.exp(a), rtol=2e-6)
    lib = k._unit.library()
    built_c = (lib.path.parent / f"{lib.name}.c").read_text()
    assert "declare simd" not in built_c and "expf(" in built_c


# ------------------------------------------------------------------------------------------------
# The index: what determines the result, never where the file is
# ------------------------------------------------------------------------------------------------
def logging_compiler(tmp_path: Path, name: str = "cc-wrapper") -> tuple[Path, Path]:
    """A compiler wrapper that logs its arguments, so a test sees whether the compiler ran."""
    log = tmp_path / f"{name}.log"
    wrapper = tmp_path / name
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec cc "$@"\n')
    wrapper.chmod(0o755)
    return wrapper, log


def compiles(log: Path) -> int:
    return sum("-shared" in line for line in log.read_text().splitlines()) if log.exists() else 0


def test_index_survives_a_moved_project(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    source, salt = kernel_source(str(uuid.uuid4()))
    (project / "salted.py").write_text(source)
    wrapper, log = logging_compiler(tmp_path)
    env = {"HOLOGRAM_CACHE_DIR": str(tmp_path / "cache"), "CC": str(wrapper)}
    first = finish(run_python(RUNNER, str(project / "salted.py"), env=env))
    assert first["from_cache"] is False and compiles(log) == 1
    moved = tmp_path / "elsewhere" / "renamed"
    moved.parent.mkdir()
    project.rename(moved)
    second = finish(run_python(RUNNER, str(moved / "salted.py"), env=env))
    assert second["out"] == (np.arange(10) + salt).tolist()
    assert second["from_cache"] is True and second["xdsl"] is False
    assert second["filename"] == str(moved / "salted.py")
    assert compiles(log) == 1  # no compile after the move


def test_changed_kernel_source_is_rebuilt(tmp_path):
    path = tmp_path / "salted.py"
    env = {"HOLOGRAM_CACHE_DIR": str(tmp_path / "cache")}
    source, salt = kernel_source(str(uuid.uuid4()))
    path.write_text(source)
    assert finish(run_python(RUNNER, str(path), env=env))["out"] == (np.arange(10) + salt).tolist()
    changed = source.replace(f"{salt}.0", f"{salt + 1000}.0")
    path.write_text(changed)
    again = finish(run_python(RUNNER, str(path), env=env))
    assert again["from_cache"] is False
    assert again["out"] == (np.arange(10) + salt + 1000).tolist()


def test_a_comment_changes_the_index_key_but_not_the_library(tmp_path):
    """The index keys on the file's text; the entry on the C: a new comment re-runs the
    compiler pipeline once (no parse is skipped) but finds the same library (no C compile)."""
    path = tmp_path / "salted.py"
    source, salt = kernel_source(str(uuid.uuid4()))
    path.write_text(source)
    wrapper, log = logging_compiler(tmp_path)
    env = {"HOLOGRAM_CACHE_DIR": str(tmp_path / "cache"), "CC": str(wrapper)}
    finish(run_python(RUNNER, str(path), env=env))
    path.write_text(source + "\n# a comment\n")
    again = finish(run_python(RUNNER, str(path), env=env))
    assert again["xdsl"] is True and again["from_cache"] is True and compiles(log) == 1
    third = finish(run_python(RUNNER, str(path), env=env))
    assert third["xdsl"] is False and third["from_cache"] is True


@pytest.mark.parametrize("change", ["compiler", "flags"])
def test_changed_compiler_or_flags_is_rebuilt(tmp_path, change):
    path = tmp_path / "salted.py"
    source, salt = kernel_source(str(uuid.uuid4()))
    path.write_text(source)
    first_cc, first_log = logging_compiler(tmp_path, "cc-one")
    env = {"HOLOGRAM_CACHE_DIR": str(tmp_path / "cache"), "CC": str(first_cc)}
    finish(run_python(RUNNER, str(path), env=env))
    assert compiles(first_log) == 1
    if change == "compiler":
        second_cc, second_log = logging_compiler(tmp_path, "cc-two")
        env["CC"] = str(second_cc)
    else:
        second_log = first_log
        env["HOLOGRAM_CFLAGS"] = "-O2 -fopenmp"
    again = finish(run_python(RUNNER, str(path), env=env))
    assert again["from_cache"] is False
    assert compiles(second_log) == (1 if change == "compiler" else 2)
    assert again["out"] == (np.arange(10) + salt).tolist()


def test_corrupt_index_entry_is_rebuilt(fresh_kernel, tmp_path):
    path, salt = fresh_kernel
    cache = tmp_path / "cache"
    env = {"HOLOGRAM_CACHE_DIR": str(cache)}
    finish(run_python(RUNNER, str(path), env=env))
    (index,) = cache.glob("index/*/*.json")
    index.write_text('{"entry": "../../../etc"}')
    again = finish(run_python(RUNNER, str(path), env=env))
    assert again["out"] == (np.arange(10) + salt).tolist()
    assert json.loads(index.read_text())["entry"] != "../../../etc"  # rewritten


def test_manifest_naming_another_module_is_rebuilt(fresh_kernel, tmp_path):
    path, salt = fresh_kernel
    cache = tmp_path / "cache"
    env = {"HOLOGRAM_CACHE_DIR": str(cache)}
    first = finish(run_python(RUNNER, str(path), env=env))
    manifest = Path(first["path"]).parent / "manifest.json"
    info = json.loads(manifest.read_text())
    info["module"] = "_hg_somethingelse"
    manifest.write_text(json.dumps(info))
    again = finish(run_python(RUNNER, str(path), env=env))
    assert again["from_cache"] is False and again["out"] == (np.arange(10) + salt).tolist()


def test_flags_that_make_no_shared_library_are_a_build_error_and_leave_nothing(fresh_kernel,
                                                                              tmp_path):
    """`HOLOGRAM_CFLAGS=-c` makes an object file, which cannot be loaded: a BuildError that
    names the variable, and no entry left behind, so the next run (with or without the flag)
    does not fail on a broken entry."""
    path, salt = fresh_kernel
    cache = tmp_path / "cache"
    script = textwrap.dedent('''
        import sys, numpy as np, hologram
        k = hologram.load_kernels(sys.argv[1])["salted"]
        try:
            k(np.zeros(4, np.float32), np.zeros(4, np.float32), 4)
        except hologram.BuildError as err:
            print("BuildError:", err)
    ''')
    for _ in range(2):
        proc = run_python(script, str(path), env={"HOLOGRAM_CACHE_DIR": str(cache),
                                                  "HOLOGRAM_CFLAGS": "-c"})
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "BuildError: cannot load the library just built" in out and "HOLOGRAM_CFLAGS" in out
    assert not [p for p in cache.glob("??/*") if p.is_dir()]
    fine = finish(run_python(RUNNER, str(path), env={"HOLOGRAM_CACHE_DIR": str(cache)}))
    assert fine["out"] == (np.arange(10) + salt).tolist()


# ------------------------------------------------------------------------------------------------
# Trust: the cache holds code that runs; only the user's own, private files are loaded
# ------------------------------------------------------------------------------------------------
def _fresh_kernel_here(tmp_path: Path) -> tuple[hologram.Kernel, int]:
    path = tmp_path / f"k{uuid.uuid4().hex[:8]}.py"
    source, salt = kernel_source(str(uuid.uuid4()))
    path.write_text(source)
    return hologram.load_kernels(path)["salted"], salt


def _runs(k, salt) -> None:
    a = np.arange(10, dtype=np.float32)
    out = np.zeros(10, np.float32)
    k(a, out, 10)
    assert out.tolist() == (a + salt).tolist()


def test_cache_is_created_private(tmp_path, monkeypatch):
    cache = tmp_path / "new" / "cache"
    monkeypatch.setenv("HOLOGRAM_CACHE_DIR", str(cache))
    _runs(*_fresh_kernel_here(tmp_path))
    assert (cache.stat().st_mode & 0o777) == 0o700
    for sub in ("tmp", "index"):
        assert ((cache / sub).stat().st_mode & 0o077) == 0


def test_group_writable_cache_is_not_trusted(tmp_path, monkeypatch):
    cache = tmp_path / "shared"
    cache.mkdir()
    cache.chmod(0o777)
    monkeypatch.setenv("HOLOGRAM_CACHE_DIR", str(cache))
    with pytest.warns(build_mod.CacheWarning, match="writable by group or others"):
        k, salt = _fresh_kernel_here(tmp_path)
        _runs(k, salt)
    assert not list(cache.glob("??/*"))  # nothing built or loaded there
    assert str(k._unit.library().path).startswith(tempfile_dir())


def tempfile_dir() -> str:
    import tempfile

    return tempfile.gettempdir()


def test_entry_writable_by_others_is_not_loaded(fresh_kernel, tmp_path, monkeypatch):
    path, salt = fresh_kernel
    cache = tmp_path / "cache"
    first = finish(run_python(RUNNER, str(path), env={"HOLOGRAM_CACHE_DIR": str(cache)}))
    so = Path(first["path"])
    so.chmod(0o666)  # anyone could have replaced it
    monkeypatch.setenv("HOLOGRAM_CACHE_DIR", str(cache))
    k = hologram.load_kernels(path)["salted"]
    with pytest.warns(build_mod.CacheWarning, match="not private"):
        _runs(k, salt)
    assert k._unit.library().path != so


def test_cache_of_another_user_is_not_trusted(tmp_path, monkeypatch):
    if os.getuid() == 0:
        cache = tmp_path / "theirs"
        cache.mkdir(mode=0o700)
        os.chown(cache, 65534, 65534)  # nobody's
    else:
        cache = Path("/usr")  # root's
    monkeypatch.setenv("HOLOGRAM_CACHE_DIR", str(cache))
    with pytest.warns(build_mod.CacheWarning, match="not by the current user"):
        _runs(*_fresh_kernel_here(tmp_path))
    assert not list(cache.glob("??/*"))


@pytest.mark.parametrize("where", ["under a file", "proc", "dev null", "tmp is a file"])
def test_unusable_cache_dir_falls_back_to_a_private_one(tmp_path, monkeypatch, where):
    if where == "under a file":
        (tmp_path / "plain").write_text("")
        cache = tmp_path / "plain" / "cache"
    elif where == "proc":
        cache = Path("/proc") / f"hologram-{uuid.uuid4().hex[:8]}"
    elif where == "dev null":
        cache = Path("/dev/null")
    else:
        cache = tmp_path / "cache"
        cache.mkdir(mode=0o700)
        (cache / "tmp").write_text("")
    monkeypatch.setenv("HOLOGRAM_CACHE_DIR", str(cache))
    with pytest.warns(build_mod.CacheWarning, match="private temporary directory"):
        _runs(*_fresh_kernel_here(tmp_path))


# ------------------------------------------------------------------------------------------------
# Unusable compilers and flags: a BuildError that says what to do
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cc, flags, message", [
    (None, "-O2 '-fopenmp", r"\$HOLOGRAM_CFLAGS cannot be split .*fix its quotes"),
    ("'gcc", None, r"\$CC cannot be split .*fix its quotes"),
    ("true", None, r"succeeded but wrote no shared library .*\$CC a C compiler"),
    ("false", None, r"failed with exit status 1 and printed nothing .*\$CC a C compiler"),
])
def test_unusable_compiler_settings_are_build_errors(tmp_path, monkeypatch, cc, flags, message):
    monkeypatch.setenv("HOLOGRAM_CACHE_DIR", str(tmp_path / "cache"))
    if cc is not None:
        monkeypatch.setenv("CC", cc)
    if flags is not None:
        monkeypatch.setenv("HOLOGRAM_CFLAGS", flags)
    k, salt = _fresh_kernel_here(tmp_path)
    with pytest.raises(BuildError, match=message):
        _runs(k, salt)


def test_compiler_with_arguments_in_cc(tmp_path, monkeypatch):
    """`CC="cc -O0"` (a compiler and its arguments, as make and setuptools take it) builds."""
    wrapper, log = logging_compiler(tmp_path)
    monkeypatch.setenv("HOLOGRAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CC", f"{wrapper} -O0")
    _runs(*_fresh_kernel_here(tmp_path))
    assert any(line.startswith("-O0 ") and "-shared" in line
               for line in log.read_text().splitlines())


def test_importing_hologram_and_ops_imports_no_xdsl():
    script = ("import sys, hologram, hologram.ops\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('xdsl', 'cffi')))")
    proc = run_python(script)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out.strip() == "[]"
