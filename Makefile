# The whole set-up on a fresh machine: `make demo` or `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test pytest lit bench bench-quick clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m hologram.demo

test: $(STAMP)
	$(PY) -m pytest -q -n 2 tests
	PATH=$(abspath $(VENV))/bin:$$PATH $(VENV)/bin/lit -sv tests/filecheck

pytest: $(STAMP)
	$(PY) -m pytest -q -n 2 tests

lit: $(STAMP)
	PATH=$(abspath $(VENV))/bin:$$PATH $(VENV)/bin/lit -sv tests/filecheck

BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install -q -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(PY) -m benchmarks.report

bench-quick: $(BENCH_STAMP)
	$(PY) -m benchmarks.report --quick

clean:
	rm -rf $(VENV) build *.egg-info
