"""Test-session set-up shared by every test file.

The kernel cache lives in a fresh directory for the session, so a run starts with an empty cache
(as CI does) and never touches `~/.cache/hologram`. pytest-xdist workers of one run share the
directory (the cache is safe under concurrent builds, and each kernel compiles once per run).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

# `python -m pytest` (what `make test` runs) puts the repository first on sys.path; do the same
# for a bare `pytest`, so the working tree's `hologram` is imported whatever the editable
# install's state.
REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

_run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
if _run_id:
    _CACHE = Path(tempfile.gettempdir()) / f"hologram-test-cache-{_run_id}"
    _CACHE.mkdir(parents=True, exist_ok=True)
else:
    _CACHE = Path(tempfile.mkdtemp(prefix="hologram-test-cache-"))
os.environ["HOLOGRAM_CACHE_DIR"] = str(_CACHE)
# Compiler flags are the defaults unless a run asks otherwise on purpose.
os.environ.pop("HOLOGRAM_CFLAGS", None)

KERNELS_DIR = Path(__file__).parent / "kernels"


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    return _CACHE


def pytest_unconfigure(config: pytest.Config) -> None:
    # Only the process that created a private directory removes it; xdist runs share one,
    # which the OS's temporary-file cleanup takes.
    if not _run_id and not hasattr(config, "workerinput"):
        shutil.rmtree(_CACHE, ignore_errors=True)
