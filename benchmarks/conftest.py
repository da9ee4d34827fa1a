"""pytest set-up for the benchmark suites: `pytest benchmarks/ --benchmark-only`.

The suites live in `bench_*.py` files, which pytest does not collect by default, and this
conftest collects them only when `benchmarks/` (or a file in it) is named on the command line,
so `pytest tests` and `make test` never run them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.harness import Case, Skip, compare

HERE = Path(__file__).resolve().parent


def _named_on_command_line(config: pytest.Config) -> bool:
    for arg in config.args:
        path = Path(str(arg).split("::")[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_collect_file(file_path: Path, parent):
    if (file_path.suffix == ".py" and file_path.name.startswith("bench_")
            and _named_on_command_line(parent.config)):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


# One case (its inputs) alive at a time: tests are parametrized with the implementation varying
# fastest, so consecutive tests share the case and memory stays bounded at large sizes.
_current: dict = {}


def _case(factory, size) -> tuple[Case, dict]:
    key = (factory, size)
    if _current.get("key") != key:
        _current.clear()
        _current.update(key=key, case=factory(size), results={})
    return _current["case"], _current["results"]


def run_benchmark(benchmark, factory, size, impl_name: str) -> None:
    """Benchmark one implementation of one case: warm-up (compiles) and a check against the
    reference first, so neither compilation nor a wrong answer is ever timed."""
    try:
        case, results = _case(factory, size)
    except Skip as err:
        pytest.skip(str(err))
    impl = case.impls.get(impl_name)
    if impl is None:
        pytest.skip(f"{case.op}: no implementation {impl_name!r}")
    try:
        results[impl_name] = impl.fn()
        if impl.check and impl_name != case.reference:
            if case.reference not in results:
                results[case.reference] = case.impls[case.reference].fn()
            problem = compare(impl_name, results[impl_name], results[case.reference],
                              case.rtol if impl.rtol is None else impl.rtol,
                              case.atol if impl.atol is None else impl.atol)
            assert problem is None, problem
    except Skip as err:
        pytest.skip(str(err))
    benchmark.group = f"{case.group}: {case.op} {case.size_label}"
    benchmark.extra_info.update(op=case.op, size=case.size, impl=impl_name,
                                bytes=case.bytes, flops=case.flops)
    benchmark(impl.fn)


def params(sizes, impls) -> list:
    """(size, impl) pairs with the implementation varying fastest, with readable ids."""
    return [pytest.param(size, impl, id=f"{size}-{impl.replace(' ', '_')}")
            for size in sizes for impl in impls]
