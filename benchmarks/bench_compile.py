"""Compile times, each in a fresh process: cold compile of one kernel (empty cache), warm load of
the same kernel from the cache, and hologram-opt with the default pipeline on a generated module
of at least 10,000 ops. The times include the child interpreter's start."""

import itertools
import tempfile
from pathlib import Path

import pytest

from benchmarks import compile_times, hg
from benchmarks.harness import Skip


@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory(prefix="hb-bench-compile-") as tmp:
        path = Path(tmp)
        (path / "one_kernel.py").write_text(compile_times.ONE_KERNEL)
        yield path


def test_cold_compile(benchmark, workdir):
    counter = itertools.count()

    def fresh_cache():
        return (workdir / "one_kernel.py", workdir / f"cold{next(counter)}"), {}

    result = benchmark.pedantic(compile_times._child, setup=fresh_cache, rounds=3)
    assert result["first_call"] > 0


def test_warm_load(benchmark, workdir):
    cache = workdir / "warm"
    compile_times._child(workdir / "one_kernel.py", cache)  # fills the cache
    result = benchmark.pedantic(compile_times._child, args=(workdir / "one_kernel.py", cache),
                                rounds=3)
    assert result["first_call"] > 0


def test_opt_10k_ops(benchmark, tmp_path):
    try:
        text, count, _ = compile_times.big_module()
    except Skip as err:
        pytest.skip(str(err))
    path = tmp_path / "big.mlir"
    path.write_text(text)
    cmd = [compile_times._opt_exe(), f"--pipeline={','.join(hg.default_pipeline())}", str(path)]
    benchmark.extra_info["ops"] = count
    benchmark.pedantic(compile_times._wall, args=(cmd,), rounds=1)
