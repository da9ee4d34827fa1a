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


LOOP_WITH_SCOPE = """\
define void @f(ptr %p, float %x) {
  %1 = call ptr @llvm.stacksave.p0()
  %2 = call float @tanhf(float %x)
  %3 = call float @powf(float %x, float %2)
  %4 = call float @myf(float %3)
  call void @llvm.stackrestore.p0(ptr %1)
  %5 = call ptr @llvm.stacksave.p0()
  %6 = alloca float, i64 1, align 4
  call void @llvm.stackrestore.p0(ptr %5)
  ret void
}
attributes #0 = { memory(none) }
"""


def test_empty_stack_scopes_are_dropped_and_others_kept():
    from hologram.backends.mlir.lower import drop_empty_stack_scopes

    out = drop_empty_stack_scopes(LOOP_WITH_SCOPE)
    assert "%1 = call ptr @llvm.stacksave" not in out
    assert "stackrestore.p0(ptr %1)" not in out
    # a scope that holds an alloca still frees it every iteration
    assert "%5 = call ptr @llvm.stacksave.p0()" in out
    assert "stackrestore.p0(ptr %5)" in out


def test_libm_calls_get_their_libmvec_variants():
    from hologram.backends.mlir.lower import add_vector_math_variants

    out = add_vector_math_variants(LOOP_WITH_SCOPE, isas=[("b", 4), ("e", 16)])
    assert "%2 = call float @tanhf(float %x) #1" in out
    assert "%3 = call float @powf(float %x, float %2) #2" in out
    assert "%4 = call float @myf(float %3)\n" in out  # not a libmvec function
    assert ('attributes #1 = { "vector-function-abi-variant"="_ZGV_LLVM_N4v_tanhf(_ZGVbN4v_tanhf),'
            '_ZGV_LLVM_N16v_tanhf(_ZGVeN16v_tanhf)" }') in out
    assert "declare <16 x float> @_ZGVeN16vv_powf(<16 x float>, <16 x float>)" in out
    assert "@llvm.compiler.used = appending global [4 x ptr]" in out
