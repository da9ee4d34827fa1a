"""The MLIR backend's choice and its missing-tools error; these run with or without the tools."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import hologram
from hologram.backends.mlir.toolchain import ToolchainMissing

STDLIB = Path(__file__).resolve().parent.parent / "stdlib"


def test_missing_toolchain_says_how_to_install(monkeypatch):
    monkeypatch.setenv("HOLOGRAM_MLIR_BIN", "/nonexistent/llvm/bin")
    k = hologram.load_kernels(STDLIB / "elementwise.py", backend="mlir")["add_f32"]
    a = np.ones(3, np.float32)
    with pytest.raises(ToolchainMissing, match=r"/nonexistent/llvm/bin \(no mlir-opt.*"
                                               r"apt-get install mlir-19-tools"):
        k(a, a, a.copy(), 3)


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown backend 'gpu'"):
        hologram.load_kernels(STDLIB / "elementwise.py", backend="gpu")
