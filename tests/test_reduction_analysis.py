"""The reduction analysis alone (hologram.analysis.reductions), on hand-written SIMT kernels."""

from __future__ import annotations

import pytest
from xdsl.parser import Parser

from hologram.analysis.reductions import analyze_reductions, is_uniform
from hologram.dialects import make_context
from hologram.dialects.hologram import KernelOp

HEADER = (
    'hologram.kernel @k(%a: memref<?xf32>, %r: memref<?xf32>, %h: memref<?xi32>, %q: memref<?xi32>, '
    '%k: i32, %n: i32) attributes {param_names = ["a", "r", "h", "q", "k", "n"], '
    'param_types = ["f32[]", "f32[]", "i32[]", "u32[]", "i32", "u32"]} {\n'
    "  %gid = hologram.global_id : index\n"
    "  %c0 = arith.constant 0 : index\n"
    "  %c1 = arith.constant 1 : index\n"
    "  %x = memref.load %a[%gid] : memref<?xf32>\n"
)


def kernel(body: str) -> KernelOp:
    module = Parser(make_context(), HEADER + body + "\n  hologram.return\n}").parse_module()
    module.verify()
    (op,) = [o for o in module.walk() if isinstance(o, KernelOp)]
    return op


def summary(body: str) -> tuple[list[tuple[str, str, str, bool]], list[tuple[str, str]]]:
    analysis = analyze_reductions(kernel(body))
    reds = [(r.op.results[0].name_hint, r.kind, r.dest.name_hint, r.signed)
            for r in analysis.reductions]
    refused = [(r.op.results[0].name_hint, r.reason) for r in analysis.refusals]
    return reds, refused


def test_sum_into_element_zero_is_a_reduction():
    """An unused atomic_add to r[0] is a reduction; the destination is the parameter."""
    assert summary("%s = hologram.atomic_add %x, %r[%c0] : f32, memref<?xf32>") == (
        [("s", "add", "r", True)], [])


def test_under_if_and_inside_inner_loop():
    """Atomics under scf.if and inside an inner scf.for are found as reductions."""
    body = """
  %z = arith.constant 0.0 : f32
  %pos = arith.cmpf ogt, %x, %z : f32
  scf.if %pos {
    %s = hologram.atomic_add %x, %r[%c0] : f32, memref<?xf32>
  }
  %i0 = arith.constant 0 : i32
  %i1 = arith.constant 1 : i32
  scf.for %j = %i0 to %k step %i1 : i32 {
    %m = hologram.atomic_max %j, %h[%c1] : i32, memref<?xi32>
  }"""
    assert summary(body) == ([("s", "add", "r", True), ("m", "max", "h", True)], [])


def test_signedness_comes_from_the_language_type():
    """u32[] destinations are unsigned for min/max, i32[] signed."""
    body = """
  %v = arith.constant 3 : i32
  %u = hologram.atomic_min %v, %q[%c0] : i32, memref<?xi32>
  %s = hologram.atomic_min %v, %h[%c0] : i32, memref<?xi32>"""
    assert summary(body) == ([("u", "min", "q", False), ("s", "min", "h", True)], [])


def test_index_from_scalar_parameters_is_uniform():
    """An index computed from scalar parameters and constants is the same for every thread."""
    body = """
  %kk = arith.addi %k, %k : i32
  %ki = arith.index_cast %kk : i32 to index
  %s = hologram.atomic_add %x, %r[%ki] : f32, memref<?xf32>"""
    k = kernel(body)
    atomic = next(o for o in k.walk() if o.name == "hologram.atomic_add")
    assert is_uniform(atomic.operands[2], k)
    assert [r.kind for r in analyze_reductions(k).reductions] == ["add"]


@pytest.mark.parametrize("body, reason", [
    ("%s = hologram.atomic_add %x, %r[%gid] : f32, memref<?xf32>",
     "the index depends on the global id"),
    ("%b = memref.load %q[%gid] : memref<?xi32>\n  %bi = arith.index_cast %b : i32 to index\n"
     "  %bg = arith.addi %bi, %gid : index\n"
     "  %s = hologram.atomic_add %x, %r[%bg] : f32, memref<?xf32>",
     "the index depends on the global id"),
    ("%b = memref.load %h[%gid] : memref<?xi32>\n"
     "  %s = hologram.atomic_add %b, %h[%c0] : i32, memref<?xi32>",
     "the destination 'h' is also used by memref.load"),
    ("%s = hologram.atomic_add %x, %r[%c0] : f32, memref<?xf32>\n"
     "  %y = arith.addf %s, %x : f32\n  memref.store %y, %a[%gid] : memref<?xf32>",
     "the atomic's old value is used"),
    ("%s = hologram.atomic_add %x, %r[%c0] : f32, memref<?xf32>\n"
     "  memref.store %x, %r[%gid] : memref<?xf32>",
     "the destination 'r' is also used by memref.store"),
    ("%loc = memref.alloca() : memref<4xf32>\n"
     "  %s = hologram.atomic_add %x, %loc[%c0] : f32, memref<4xf32>",
     "the destination is not an array parameter of the kernel"),
    ("%s = hologram.atomic_add %x, %r[%c0] : f32, memref<?xf32>\n"
     "  %t = hologram.atomic_min %x, %r[%c0] : f32, memref<?xf32>",
     "atomic_add and atomic_min may update the same element of 'r'"),
])
def test_refusals(body, reason):
    """What cannot be proven a reduction is refused, with the reason, never dropped."""
    reds, refused = summary(body)
    assert reds == []
    assert refused and refused[0] == ("s", reason)


def test_histogram_is_a_private_reduction():
    """An index loaded from data (a bin) is privatizable: a reduction marked `private`."""
    body = """
  %b = memref.load %q[%gid] : memref<?xi32>
  %bi = arith.index_cast %b : i32 to index
  %one = arith.constant 1 : i32
  %s = hologram.atomic_add %one, %h[%bi] : i32, memref<?xi32>"""
    analysis = analyze_reductions(kernel(body))
    assert [(r.kind, r.dest.name_hint, r.private) for r in analysis.reductions] == [
        ("add", "h", True)]
    assert analysis.refusals == []


def test_reduction_on_a_uniform_index_is_not_private():
    analysis = analyze_reductions(kernel("%s = hologram.atomic_max %x, %r[%c1] : f32, memref<?xf32>"))
    assert [r.private for r in analysis.reductions] == [False]


def test_different_kinds_on_distinct_constant_elements_are_fine():
    """add into r[0] and max into r[1] do not interfere: both are reductions."""
    body = """
  %s = hologram.atomic_add %x, %r[%c0] : f32, memref<?xf32>
  %t = hologram.atomic_max %x, %r[%c1] : f32, memref<?xf32>"""
    assert summary(body) == ([("s", "add", "r", True), ("t", "max", "r", True)], [])


def test_early_exit_refuses_every_atomic():
    body = """
  %z = arith.constant 0.0 : f32
  %neg = arith.cmpf olt, %x, %z : f32
  scf.if %neg {
    hologram.exit
    scf.yield
  }
  %s = hologram.atomic_add %x, %r[%c0] : f32, memref<?xf32>"""
    assert summary(body) == ([], [("s", "the kernel has an early return (hologram.exit)")])


def test_no_atomics_no_findings():
    assert summary("memref.store %x, %a[%gid] : memref<?xf32>") == ([], [])
