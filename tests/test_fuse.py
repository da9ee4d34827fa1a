"""The `fuse` pass: its analysis, and fused programs computing what the unfused ones compute.

Rule: fusing never changes a program's results (up to a few ulp of vectorized math functions).
Every program of
`tests/filecheck/passes/fuse.mlir` (chains, a diamond, a fan-out, and the refused cases: a
stencil consumer, a whole-buffer consumer, different grids, a cycle, an escaping temporary, an
early exit) and a batch of random programs are compiled twice, without and with `fuse`, run on the
same inputs, and compared; the hand-written ones are also checked against numpy.
"""

from __future__ import annotations

import random
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from xdsl.dialects import func
from xdsl.parser import Parser

from hologram.analysis.dependences import (
    ID,
    OTHER,
    dependence_graph,
    has_early_exit,
    index_signature,
    kernel_accesses,
)
from hologram.backends.c.builder import build
from hologram.backends.c.emitter import c_symbol
from hologram.dialects import make_context
from hologram.dialects.hologram import KernelOp, LaunchOp
from hologram.passes import DEFAULT_PIPELINE, parse_pipeline
from hologram.passes.fuse import Fuse

FILECHECK = Path(__file__).parent / "filecheck" / "passes" / "fuse.mlir"


def parse(text: str):
    module = Parser(make_context(), text).parse_module()
    module.verify()
    return module


def run_passes(module, spec: str):
    parse_pipeline(spec).apply(make_context(), module)
    module.verify()
    return module


def kernels_of(module) -> dict[str, KernelOp]:
    return {op.kernel_name: op for op in module.body.block.ops if isinstance(op, KernelOp)}


def programs_of(module) -> dict[str, func.FuncOp]:
    return {op.sym_name.data: op for op in module.body.block.ops if isinstance(op, func.FuncOp)}


# ------------------------------------------------------------------------------------------------
# The analysis
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def filecheck_module():
    return parse(FILECHECK.read_text())


def test_index_signatures_name_the_id_through_casts_only(filecheck_module):
    """`a[gid]` is the id; the frontend's u32 round trip is a different, exact signature;
    `x[gid + 1]` and a loop variable are OTHER."""
    k = kernels_of(filecheck_module)
    acc = kernel_accesses(k["mul"])
    assert acc[0].reads == {ID} and acc[2].writes == {ID} and acc[3] is None
    u32 = kernel_accesses(k["mul_u32"])
    (sig,) = u32[0].reads
    assert sig[0] == "id" and sig != ID
    assert sig == (*ID, "arith.index_cast:i32", "arith.extui:i64", "arith.index_cast:index")
    assert kernel_accesses(k["shift"])[0].reads == {OTHER}
    assert kernel_accesses(k["normalize"])[0].reads == {ID, OTHER}


def test_index_signature_of_a_block_argument_is_other(filecheck_module):
    kernel = kernels_of(filecheck_module)["mul"]
    assert index_signature(kernel.body.block.args[0]) == OTHER


def test_early_exit_is_seen(filecheck_module):
    k = kernels_of(filecheck_module)
    assert has_early_exit(k["clip_exit"]) and not has_early_exit(k["mul"])


def test_dependence_graph_of_the_cycle_program(filecheck_module):
    """mul -> shift (RAW t), shift -> add (RAW u), mul -> add (RAW t); contracting mul and add
    makes a cycle through shift."""
    block = programs_of(filecheck_module)["cycle"].body.block
    graph = dependence_graph(block)
    launches = {graph.nodes[n]["op"].callee.root_reference.data: n
                for n in graph.nodes if graph.nodes[n]["launch"]}
    mul, shift, add = launches["mul"], launches["shift"], launches["add"]
    kinds = lambda u, v: {kind for kind, _ in graph.edges[u, v]["deps"]}  # noqa: E731
    assert "RAW" in kinds(mul, shift) and "RAW" in kinds(shift, add) and "RAW" in kinds(mul, add)
    assert nx.is_directed_acyclic_graph(graph)
    contracted = nx.contracted_nodes(graph, add, mul, self_loops=False)
    assert not nx.is_directed_acyclic_graph(contracted)


def test_war_and_waw_edges():
    """A later write to a buffer an earlier launch read (WAR) or wrote (WAW) orders them."""
    module = parse(_module("""
    func.func @p(%a: memref<?xf32>, %b: memref<?xf32>, %n: index) {
      %n32 = arith.index_cast %n : index to i32
      hologram.launch @neg grid(%n) (%a, %b, %n32) : (memref<?xf32>, memref<?xf32>, i32)
      hologram.launch @neg grid(%n) (%b, %a, %n32) : (memref<?xf32>, memref<?xf32>, i32)
      hologram.launch @neg grid(%n) (%a, %b, %n32) : (memref<?xf32>, memref<?xf32>, i32)
      func.return
    }"""))
    graph = dependence_graph(programs_of(module)["p"].body.block)
    first, second, third = sorted(n for n in graph.nodes if graph.nodes[n]["launch"])
    deps = lambda u, v: {kind for kind, _ in graph.edges[u, v]["deps"]}  # noqa: E731
    assert {"RAW", "WAR"} <= deps(first, second)
    assert "WAW" in deps(first, third)


def test_negative_max_kernels_is_an_error():
    with pytest.raises(ValueError, match="max-kernels"):
        Fuse(max_kernels=-1).apply(make_context(), parse(_module("")))


def test_options_parse_from_a_pipeline():
    (p,) = parse_pipeline("fuse{max-kernels=3 keep-temporaries=true}").passes
    assert p == Fuse(max_kernels=3, keep_temporaries=True)


def test_fused_kernel_keeps_the_originals_and_verifies(filecheck_module):
    module = run_passes(filecheck_module.clone(), "fuse")
    names = set(kernels_of(module))
    assert {"mul", "neg", "exp"} <= names
    assert "fused_mul_neg_exp" in names
    launches = [op for op in programs_of(module)["chain"].walk() if isinstance(op, LaunchOp)]
    assert [l.callee.root_reference.data for l in launches] == ["fused_mul_neg_exp"]


# ------------------------------------------------------------------------------------------------
# Fused and unfused programs give the same results
# ------------------------------------------------------------------------------------------------
def _compile(text: str, fuse_spec: str | None, name: str):
    module = parse(text)
    passes = ([fuse_spec] if fuse_spec else []) + list(DEFAULT_PIPELINE)
    run_passes(module, ",".join(passes))
    # `@escape_returned` returns a buffer, which the program ABI does not carry.
    for prog in programs_of(module).values():
        if prog.function_type.outputs.data:
            module.body.block.erase_op(prog)
    lib = build(module, name)
    return {n: lib.function(c_symbol(p)) for n, p in programs_of(module).items()}, lib.ffi


# Fused and unfused C may differ by the last bits: the compiler vectorizes them differently, and
# libmvec's vector expf/tanhf round differently from the scalar ones (a few ulp).
ULPS = 1e-6

N = 1003  # odd, above and below nothing in particular; normalize is O(n^2)


@pytest.fixture(scope="module")
def filecheck_builds():
    text = FILECHECK.read_text()
    return {
        "plain": _compile(text, None, "fuse_test_plain"),
        "fused": _compile(text, "fuse", "fuse_test_fused"),
        "keep": _compile(text, "fuse{keep-temporaries=true}", "fuse_test_keep"),
        "max2": _compile(text, "fuse{max-kernels=2}", "fuse_test_max2"),
    }


def _inputs(seed: int, count: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(-2, 2, N).astype(np.float32) for _ in range(count)]


def _call(build_, name: str, arrays: list[np.ndarray], scalars: list) -> list[np.ndarray]:
    fns, ffi = build_
    arrays = [a.copy() for a in arrays]
    fns[name](*[ffi.from_buffer("float[]", a) for a in arrays], *scalars)
    return arrays


# (program, number of arrays, the trailing scalars, numpy of the outputs from the inputs)
def _shift(x):
    return np.append(x[1:], np.float32(0))


# program -> (number of arrays, numpy of the outputs from the inputs, or None). Where a refused
# program reads memory nobody wrote (a stencil's last element, an early exit's skipped ones), only
# the written part is compared.
CASES = {
    "chain": (3, lambda a, b: [np.exp(-(a * b))]),
    "diamond": (3, lambda a, b: [np.exp(a * b) + -(a * b)]),
    "fanout": (4, lambda a, b: [np.exp(a * b), -(a * b)]),
    "whole_buffer": (2, lambda a: [np.exp(a) / np.exp(a).sum()]),
    "cycle": (3, None),
    "escape_launch": (4, None),
    "frontend_index": (4, lambda a, b: [np.exp(a * b), np.exp(a * b)]),
    "two_guards": (3, lambda a, b: [np.exp(a * b)]),
    "in_loop": (3, lambda a, b: [-(a * b)]),
    "grids": (2, lambda a: [-np.exp(a)]),
}
INPUTS = {"fanout": 2, "escape_launch": 2, "frontend_index": 2}
SCALARS = {"cycle": [N, N], "two_guards": [N, N], "grids": [N, N]}
WRITTEN = {"cycle": slice(0, N - 1)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_filecheck_programs_same_results_fused_or_not(filecheck_builds, name):
    count, numpy_fn = CASES[name]
    inputs = _inputs(sorted(CASES).index(name), count)
    n_inputs = INPUTS.get(name, count - 1)
    part = WRITTEN.get(name, slice(None))
    results = {k: _call(b, name, inputs, SCALARS.get(name, [N]))
               for k, b in filecheck_builds.items()}
    for kind in ("fused", "keep", "max2"):
        for got, want in zip(results[kind][n_inputs:], results["plain"][n_inputs:]):
            np.testing.assert_allclose(got[part], want[part], rtol=ULPS, atol=0,
                                       err_msg=f"{name}: {kind}")
    if numpy_fn is not None:
        for got, want in zip(results["fused"][n_inputs:], numpy_fn(*inputs[:n_inputs])):
            np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6)


def test_refused_stencil_consumer_reads_the_produced_neighbours(filecheck_builds):
    """The stencil consumer needs t[i + 1] from another thread: left unfused and right."""
    a, b, out = _inputs(7, 3)
    got = _call(filecheck_builds["fused"], "stencil", [a, b, out], [N])[2]
    want = a * b
    np.testing.assert_allclose(got[:-1], want[1:], rtol=1e-6)


def test_refused_cycle_and_escape_match_numpy(filecheck_builds):
    a, b, out = _inputs(11, 3)
    got = _call(filecheck_builds["fused"], "cycle", [a, b, out], [N, N])[2]
    t = a * b
    u = np.append(t[1:], t[-1:])  # shift leaves u[n-1] unwritten; compare the rest
    np.testing.assert_allclose(got[:-1], (t + u)[:-1], rtol=1e-6)
    a, b, o1, o2 = _inputs(12, 4)
    r = _call(filecheck_builds["fused"], "escape_launch", [a, b, o1, o2], [N])
    np.testing.assert_allclose(r[2], np.exp(a * b), rtol=2e-6)
    np.testing.assert_allclose(r[3][:-1], (a * b)[1:], rtol=1e-6)


def test_early_exit_producer_left_alone(filecheck_builds):
    a, out = _inputs(13, 2)
    a[::3] = -1.0  # these threads end early and leave t unwritten; use a's sign pattern
    got = _call(filecheck_builds["fused"], "early_exit", [a, out], [N])[1]
    kept = a >= 0
    np.testing.assert_allclose(got[kept], np.exp(a[kept]), rtol=2e-6)


# ------------------------------------------------------------------------------------------------
# Random programs of elementwise, stencil and whole-buffer launches
# ------------------------------------------------------------------------------------------------
RANDOM_KERNELS = """
  hologram.kernel @shift0(%x: memref<?xf32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["x", "out", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %i = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %i, %n : i32
    scf.if %ok {
      %c1 = arith.constant 1 : index
      %next = arith.addi %gid, %c1 : index
      %j = arith.index_cast %next : index to i32
      %in = arith.cmpi ult, %j, %n : i32
      %v = scf.if %in -> (f32) {
        %l = memref.load %x[%next] : memref<?xf32>
        scf.yield %l : f32
      } else {
        %z = arith.constant 0.0 : f32
        scf.yield %z : f32
      }
      memref.store %v, %out[%gid] : memref<?xf32>
    }
    hologram.return
  }
  hologram.kernel @tanh(%x: memref<?xf32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["x", "out", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %i = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %i, %n : i32
    scf.if %ok {
      %v = memref.load %x[%gid] : memref<?xf32>
      %r = math.tanh %v : f32
      memref.store %r, %out[%gid] : memref<?xf32>
    }
    hologram.return
  }
"""

# kernel -> number of array inputs
RANDOM_OPS = {"mul": 2, "add": 2, "neg": 1, "tanh": 1, "shift0": 1, "normalize": 1}


def _module(programs: str) -> str:
    """The kernels of the FileCheck file, the random ones, and `programs`."""
    text = FILECHECK.read_text()
    start = text.index("builtin.module {")
    first_func = text.index("  // A chain:")
    return text[start:first_func] + RANDOM_KERNELS + programs + "\n}\n"


def _random_program(rng: random.Random, index: int) -> tuple[str, list[tuple[str, list[int]]]]:
    """A random DAG of launches on 3 inputs; 2 outputs (func arguments), the rest temporaries.

    Some temporaries are read twice (fan-out), some launches read inputs again (diamonds), and
    the two outputs are written by the last two launches.
    """
    steps: list[tuple[str, list[int]]] = []
    values = [0, 1, 2]  # buffer numbers: 0-2 inputs, 3-4 outputs, 5.. temporaries
    count = rng.randint(2, 7)
    for k in range(count):
        kernel = rng.choice(list(RANDOM_OPS))
        args = [rng.choice(values[-3:] if rng.random() < 0.7 else values)
                for _ in range(RANDOM_OPS[kernel])]
        target = 3 + (k - (count - 2)) if k >= count - 2 else 5 + k
        steps.append((kernel, args + [target]))
        values.append(target)
    lines = [f"  func.func @r{index}(%b0: memref<?xf32>, %b1: memref<?xf32>, %b2: memref<?xf32>, "
             "%b3: memref<?xf32>, %b4: memref<?xf32>, %n: index) {",
             "    %n32 = arith.index_cast %n : index to i32"]
    for k in range(count - 2):
        lines.append(f"    %b{5 + k} = memref.alloc(%n) : memref<?xf32>")
    for kernel, bufs in steps:
        operands = ", ".join(f"%b{b}" for b in bufs)
        types = ", ".join("memref<?xf32>" for _ in bufs)
        lines.append(f"    hologram.launch @{kernel} grid(%n) ({operands}, %n32) : ({types}, i32)")
    lines += ["    func.return", "  }"]
    return "\n".join(lines), steps


def _numpy_program(steps, inputs):
    bufs = {i: v.astype(np.float64) for i, v in enumerate(inputs)}
    for kernel, args in steps:
        xs = [bufs[a] for a in args[:-1]]
        if kernel == "mul":
            r = xs[0] * xs[1]
        elif kernel == "add":
            r = xs[0] + xs[1]
        elif kernel == "neg":
            r = -xs[0]
        elif kernel == "tanh":
            r = np.tanh(xs[0])
        elif kernel == "shift0":
            r = np.append(xs[0][1:], 0.0)
        else:
            r = xs[0] / xs[0].sum()
        bufs[args[-1]] = r
    return bufs[3], bufs[4]


RANDOM_COUNT = 16


@pytest.fixture(scope="module")
def random_programs():
    rng = random.Random(20261125)
    texts, all_steps = [], []
    for i in range(RANDOM_COUNT):
        text, steps = _random_program(rng, i)
        texts.append(text)
        all_steps.append(steps)
    source = _module("\n".join(texts))
    fused_module = run_passes(parse(source), "fuse")
    return {
        "steps": all_steps,
        "plain": _compile(source, None, "fuse_random_plain"),
        "fused": _compile(source, "fuse", "fuse_random_fused"),
        "launches": [sum(isinstance(o, LaunchOp) for o in programs_of(fused_module)[f"r{i}"].walk())
                     for i in range(RANDOM_COUNT)],
    }


def test_random_programs_fused_equal_unfused_and_numpy(random_programs):
    fused_somewhere = False
    for i, steps in enumerate(random_programs["steps"]):
        inputs = [np.random.default_rng(i).uniform(0.5, 1.5, N).astype(np.float32)
                  for _ in range(3)]
        outs = [np.zeros(N, np.float32) for _ in range(2)]
        plain = _call(random_programs["plain"], f"r{i}", inputs + outs, [N])
        fused = _call(random_programs["fused"], f"r{i}", inputs + outs, [N])
        for k in (3, 4):
            np.testing.assert_allclose(fused[k], plain[k], rtol=ULPS, atol=0,
                                       err_msg=f"r{i}: {steps}")
        want = _numpy_program(steps, inputs)
        for got, w in zip(fused[3:], want):
            np.testing.assert_allclose(got, w, rtol=1e-4, atol=1e-5, err_msg=f"r{i}: {steps}")
        fused_somewhere |= random_programs["launches"][i] < len(steps)
    assert fused_somewhere, "no random program was fused at all: the test lost its point"
