"""The build and its disk cache: warm starts run no compiler, concurrent builds of the same new
kernel all succeed, a corrupt entry is rebuilt (never loaded), and a missing or failing compiler
is a BuildError naming the kernel and the Python line."""

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
    lib = k._unit.library()
    print(json.dumps({"out": out.tolist(), "from_cache": lib.from_cache, "path": str(lib.path)}))
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


def test_concurrent_builds_of_the_same_new_kernel_all_succeed(fresh_kernel, tmp_path):
    path, salt = fresh_kernel
    cache = tmp_path / "cache"
    procs = [run_python(RUNNER, str(path), env={"HOLOGRAM_CACHE_DIR": str(cache)})
             for _ in range(3)]
    results = [finish(p) for p in procs]
    want = (np.arange(10) + salt).tolist()
    assert all(r["out"] == want for r in results)
    assert len({r["path"] for r in results}) == 1  # one entry, whoever won the rename
    entries = [p for p in cache.glob("??/*") if p.is_dir()]
    assert len(entries) == 1
    assert not [p for p in (cache / "tmp").iterdir() if p.name.startswith("_hg_")]


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


@pytest.mark.parametrize("damage", ["truncate", "manifest"])
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
