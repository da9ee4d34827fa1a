"""Fuzzing: mutated kernel sources, mutated IR and misused launches (bounded for CI time).

* Sources: seed kernels mutated at the AST (a literal of any kind and size, an operator, a cast,
  a ternary, a swapped operand, a deleted, duplicated or wrapped statement, a renamed variable,
  deep nesting). The frontend must accept the kernel or raise a located `CompileError`, quickly:
  never another exception and never a hang.
* Accepted kernels run compiled (bounds-checked) and simulated on the same inputs and must agree
  (a bounds-checked launch may instead stop with the documented `IndexError`).
* IR: the frontend's IR of the corpus, mutated as text (lines deleted, swapped, duplicated;
  types, names and constants changed). Parsing, verifying, the dominance check, the default
  pipeline and the C emitter must succeed or raise one of the documented errors (`ParseError`,
  `VerifyException`, `CompileError`/`EmitError`).
* Launch misuse: each misuse runs in its own subprocess (a crash would show as a signal) and
  must end in the documented exception: `LaunchError`, or `IndexError` from a bounds-checked
  launch.

Examples are few and the deadline is off: the suite is a regression net that runs in CI in well
under a minute, not an exhaustive search (raise `max_examples` locally to search harder).
"""

from __future__ import annotations

import ast
import copy
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xdsl.parser import Parser
from xdsl.utils.exceptions import ParseError, VerifyException

import hologram
from hologram.analysis.dominance import verify_dominance
from hologram.backends.c.emitter import emit_c
from hologram.dialects import make_context
from hologram.frontend import CompileError, parse_source
from hologram.passes import parse_pipeline

HEAD = ("from hologram.lang import (DeviceArray, f32, f64, i32, u32, i64, get_global_id,\n"
        "                           atomic_add, atomic_add_f32, atomic_min, sqrt, exp, floor)\n\n")

SEEDS = [
    '''
def k(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        x = a[idx]
        y = b[idx] * 2.0 + 1.0
        out[idx] = x * y - x / (abs(y) + 1.0)
''',
    '''
def k(a: DeviceArray[u32], b: DeviceArray[i32], out: DeviceArray[i32], n: u32):
    idx = get_global_id()
    if idx < n:
        q = a[idx] // 3 + a[idx] % 7
        s = b[idx] * 5 - i32(q)
        out[idx] = s if s > 0 else -s
''',
    '''
def k(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        acc = 0.0
        for j in range(4):
            if a[idx] > f32(j):
                acc += a[idx] * f32(j)
            else:
                acc -= 1.0
        out[idx] = acc
''',
    '''
def helper(x: f32, y: f32) -> f32:
    return x * y + 1.0

def k(a: DeviceArray[f32], out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx >= n:
        return
    v = helper(a[idx], 0.5)
    out[idx] = f64(v) * 3.0
''',
    '''
def k(a: DeviceArray[f32], bins: DeviceArray[u32], total: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        v = a[idx]
        atomic_add(bins, u32(abs(v)) % 4, 1)
        atomic_add_f32(total, v)
''',
    '''
def k(a: DeviceArray[i32], out: DeviceArray[i64], lo: DeviceArray[i32], n: u32):
    idx = get_global_id()
    if idx < n:
        x = i64(a[idx]) * 3
        if x > 10 and a[idx] != 4:
            x = x - 10
        out[idx] = x
        atomic_min(lo, 0, a[idx])
''',
]
SEED_TREES = [ast.parse(HEAD + textwrap.dedent(s)) for s in SEEDS]

# Literal values of every kind and size the language can meet.
LITERALS = st.one_of(
    st.integers(-10, 10), st.integers(-(2**70), 2**70), st.sampled_from([2**31, 2**32, 2**64]),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([1e39, -1e39, 1e400]),
    st.booleans(), st.sampled_from(["s", None, b"b", 1j]),
)
OPERATORS = [ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.LShift,
             ast.RShift, ast.BitAnd, ast.BitOr, ast.BitXor, ast.MatMult]
CALLS = ["f32", "f64", "i32", "u32", "i64", "int", "float", "abs", "sqrt", "exp", "floor", "min",
         "max", "get_global_id", "len", "print", "helper", "k"]
NAMES = ["idx", "n", "a", "x", "y", "λ", "acc", "undefined_name", "True", "f32"]


def _expressions(tree: ast.AST) -> list[tuple[ast.AST, str, ast.expr]]:
    """(parent, field, expression) for every expression that may be replaced: not the target
    of an assignment, not an annotation, not inside `range(...)` (no endless loops)."""
    out = []
    for parent in ast.walk(tree):
        if isinstance(parent, ast.For):
            continue  # the iterable (range) and the target stay: bounded loops
        for field, value in ast.iter_fields(parent):
            if field in ("annotation", "returns", "targets", "target", "decorator_list"):
                continue
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                if isinstance(item, ast.expr) and not isinstance(item.ctx if hasattr(
                        item, "ctx") else None, ast.Store):
                    out.append((parent, f"{field}[{i}]" if isinstance(value, list) else field,
                                item))
    return out


def _statement_lists(tree: ast.AST) -> list[list[ast.stmt]]:
    return [body for node in ast.walk(tree) for field in ("body", "orelse")
            if isinstance(body := getattr(node, field, None), list) and body
            and isinstance(body[0], ast.stmt) and not isinstance(node, ast.Module)]


def _set(parent: ast.AST, field: str, new: ast.AST) -> None:
    if field.endswith("]"):
        name, i = field[:-1].split("[")
        getattr(parent, name)[int(i)] = new
    else:
        setattr(parent, field, new)


@st.composite
def mutation(draw, tree: ast.Module, safe: bool) -> None:
    """Apply one random mutation to `tree` in place. `safe` keeps to the mutations whose result,
    when accepted, has the same meaning compiled and simulated (no shifts, no out-of-range
    literals, no deleted statements)."""
    exprs = _expressions(tree.body[-1])
    parent, field, node = exprs[draw(st.integers(0, len(exprs) - 1))]
    kinds = ["literal", "binop", "unary", "compare", "ternary", "call", "swap"]
    if not safe:
        kinds += ["name", "deep", "delete", "duplicate", "wrap", "return"]
    kind = draw(st.sampled_from(kinds))
    small = st.one_of(st.integers(-4, 4), st.sampled_from([0.5, -1.5, 2.0, 0.0]))
    lit = ast.Constant(draw(small if safe else LITERALS))
    if kind == "literal":
        _set(parent, field, lit)
    elif kind == "binop":
        ops = [ast.Add, ast.Sub, ast.Mult] if safe else OPERATORS
        op = draw(st.sampled_from(ops))()
        _set(parent, field, ast.BinOp(node, op, lit) if draw(st.booleans())
             else ast.BinOp(lit, op, node))
    elif kind == "unary":
        ops = [ast.USub] if safe else [ast.USub, ast.UAdd, ast.Not, ast.Invert]
        _set(parent, field, ast.UnaryOp(draw(st.sampled_from(ops))(), node))
    elif kind == "compare":
        op = draw(st.sampled_from([ast.Lt, ast.Gt, ast.Eq, ast.NotEq, ast.LtE, ast.GtE]))()
        _set(parent, field, ast.Compare(node, [op], [lit]))
    elif kind == "ternary":
        test = ast.Compare(copy.deepcopy(node), [ast.Gt()], [ast.Constant(0)])
        _set(parent, field, ast.IfExp(test, node, lit))
    elif kind == "call":
        names = ["abs"] if safe else CALLS
        _set(parent, field, ast.Call(ast.Name(draw(st.sampled_from(names)), ast.Load()),
                                     [node], []))
    elif kind == "swap":
        other = exprs[draw(st.integers(0, len(exprs) - 1))][2]
        if safe and not (isinstance(other, ast.Constant) or isinstance(node, ast.Constant)):
            return
        _set(parent, field, copy.deepcopy(other))
    elif kind == "name":
        _set(parent, field, ast.Name(draw(st.sampled_from(NAMES)), ast.Load()))
    elif kind == "deep":
        depth = draw(st.integers(1, 110))  # past MAX_NESTING; deeper is test_bad_input's
        deep: ast.expr = node
        for _ in range(depth):
            deep = ast.BinOp(deep, ast.Add(), ast.Constant(1))
        _set(parent, field, deep)
    else:
        bodies = _statement_lists(tree.body[-1])
        body = bodies[draw(st.integers(0, len(bodies) - 1))]
        i = draw(st.integers(0, len(body) - 1))
        if kind == "delete" and len(body) > 1:
            del body[i]
        elif kind == "duplicate":
            body.insert(i, copy.deepcopy(body[i]))
        elif kind == "wrap":
            test = ast.Compare(ast.Name("idx", ast.Load()), [ast.Gt()], [ast.Constant(2)])
            body[i] = ast.If(test, [body[i]], [])
        elif kind == "return":
            body.insert(i, ast.Return(None))


@st.composite
def mutated_source(draw, safe: bool) -> str:
    tree = copy.deepcopy(SEED_TREES[draw(st.integers(0, len(SEED_TREES) - 1))])
    for _ in range(draw(st.integers(1, 3))):
        draw(mutation(tree, safe))
    ast.fix_missing_locations(tree)
    return ast.unparse(tree) + "\n"


def frontend(source: str):
    """The frontend's verdict: the result, or None for a located CompileError. Anything else
    (or a hang) fails the test."""
    start = time.perf_counter()
    try:
        result = parse_source(source, "fuzz.py")
    except CompileError as err:
        assert not err.message.startswith("internal error"), str(err)
        assert err.loc is not None and err.loc.line >= 1, str(err)
        result = None
    assert time.perf_counter() - start < 20, "the frontend took too long"
    return result


def fuzz(max_examples: int) -> settings:
    return settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.function_scoped_fixture])


@fuzz(150)
@given(mutated_source(safe=False))
def test_mutated_sources_compile_or_fail_located(source):
    result = frontend(source)
    if result is not None:
        str(result.module)  # the printer takes whatever the frontend built


# --- accepted kernels: compiled == simulated -----------------------------------------------------
N = 37  # under every parallel threshold: the compiled launch runs ids in order


def _inputs(k, seed: int) -> list:
    rng = np.random.default_rng(seed)
    args = []
    for t in k.param_types:
        if t.endswith("[]"):
            dtype = {"f32": np.float32, "f64": np.float64, "i32": np.int32, "u32": np.uint32,
                     "i64": np.int64}[t[:-2]]
            if np.dtype(dtype).kind == "f":
                args.append(rng.uniform(-3, 3, N).astype(dtype))
            else:
                args.append(rng.integers(0, 6, N).astype(dtype))
        else:
            args.append(N)
    return args


@fuzz(6)
@given(st.lists(mutated_source(safe=True), min_size=4, max_size=4))
def test_accepted_kernels_match_simulate(tmp_path_factory, sources):
    accepted = [s for s in sources if frontend(s) is not None]
    if not accepted:
        return
    # One file (one C build) per example: each kernel renamed apart, helpers too.
    text = HEAD + "".join(s.replace(HEAD.strip(), "").replace("helper", f"helper{i}")
                          .replace("def k(", f"def k{i}(") for i, s in enumerate(accepted))
    path = tmp_path_factory.mktemp("fuzz") / "fuzz_batch.py"
    path.write_text(text)
    kernels = hologram.load_kernels(path, boundscheck=True)
    for name, k in kernels.items():
        args = _inputs(k, seed=len(name))
        compiled = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        simulated = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        grid = None if k.grid is not None else N
        try:
            k(*compiled, grid=grid)
        except IndexError:
            continue  # the documented end of a bad access in a bounds-checked launch
        except hologram.LaunchError:
            # The mutation changed the guard (`idx < n + 1`, `0 - n`): the launch checks refuse
            # these inputs before any C runs, and the simulation refuses them alike.
            with pytest.raises(hologram.LaunchError):
                k.simulate(*simulated, grid=grid)
            continue
        k.simulate(*simulated, grid=grid)
        for pname, got, want in zip(k.param_names, compiled, simulated, strict=True):
            if isinstance(got, np.ndarray):
                np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5, equal_nan=True,
                                           err_msg=f"{name}.{pname}\n{path.read_text()}")


# --- IR -----------------------------------------------------------------------------------------
def _corpus_ir() -> list[str]:
    out = []
    for path in sorted((Path(__file__).parent / "kernels").glob("*.py"))[:6]:
        for k in hologram.load_kernels(path).values():
            text = k.mlir()
            if len(text) < 6000:
                out.append(text)
    return out


IR_SEEDS = _corpus_ir()
TYPES = ["f32", "f64", "i32", "i64", "i1", "index", "memref<?xf32>", "memref<f32>"]
SAME_SIGNATURE = [
    ["arith.addf", "arith.subf", "arith.mulf", "arith.divf", "arith.remf", "arith.maximumf",
     "arith.minimumf"],
    ["arith.addi", "arith.subi", "arith.muli", "arith.divui", "arith.divsi", "arith.remui",
     "arith.remsi", "arith.floordivsi", "arith.andi", "arith.ori", "arith.xori", "arith.shli",
     "arith.shrui", "arith.shrsi", "arith.minui", "arith.maxsi"],
    ["arith.extui", "arith.extsi"], ["arith.sitofp", "arith.uitofp"],
    ["arith.fptosi", "arith.fptoui"],
]
PREDICATES = [["eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge"],
              ["oeq", "one", "olt", "ole", "ogt", "oge", "ueq", "une", "ult", "ugt", "ord", "uno"]]


@st.composite
def mutated_ir(draw) -> str:
    lines = IR_SEEDS[draw(st.integers(0, len(IR_SEEDS) - 1))].splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(1, len(lines) - 2))
        kind = draw(st.sampled_from(["delete", "swap", "duplicate", "type", "name", "const",
                                     "truncate", "op", "op", "op", "pred", "pred"]))
        if kind == "delete":
            del lines[i]
        elif kind == "swap":
            j = draw(st.integers(1, len(lines) - 2))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "type":
            old, new = draw(st.sampled_from(TYPES)), draw(st.sampled_from(TYPES))
            lines[i] = lines[i].replace(old, new)
        elif kind == "name":
            names = [w for w in lines[i].replace(",", " ").split() if w.startswith("%")]
            if names:
                lines[i] = lines[i].replace(draw(st.sampled_from(names)), "%0", 1)
        elif kind == "const":
            value = draw(st.sampled_from(["-1", "0", "4294967296", "1.0e+39", "0x7FC00000"]))
            lines[i] = lines[i].replace(" 1 ", f" {value} ").replace(" 0 ", f" {value} ")
        elif kind == "op":  # an op of the same signature: the IR stays well-formed
            for family in SAME_SIGNATURE:
                here = [o for o in family if f" {o} " in lines[i]]
                if here:
                    new = draw(st.sampled_from(family))
                    lines[i] = lines[i].replace(f" {here[0]} ", f" {new} ")
                    break
        elif kind == "pred":
            for family in PREDICATES:
                here = [p for p in family if f", {p}, " in lines[i] or f" {p}, " in lines[i]]
                if here:
                    new = draw(st.sampled_from(family))
                    lines[i] = lines[i].replace(f" {here[0]}, ", f" {new}, ", 1)
                    break
        elif kind == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
    return "\n".join(lines)


DOCUMENTED_IR_ERRORS = (ParseError, VerifyException, CompileError)


@fuzz(120)
@given(mutated_ir())
def test_mutated_ir_passes_or_fails_documented(text):
    ctx = make_context()
    try:
        module = Parser(ctx, text).parse_module()
    except (ParseError, VerifyException, ValueError):
        return  # xDSL's parser refuses it (its forward-reference check raises ValueError)
    try:
        verify_dominance(module)  # first, as hologram-opt does: verify() assumes it
        module.verify()
        parse_pipeline(None).apply(ctx, module)
        module.verify()
        emit_c(module)
    except DOCUMENTED_IR_ERRORS:
        pass


# --- launch misuse, each in a subprocess -----------------------------------------------------------
LAUNCH_KERNELS = '''
from hologram.lang import *

def saxpy(x: DeviceArray[f32], y: DeviceArray[f32], a: f32, n: u32):
    idx = get_global_id()
    if idx < n:
        y[idx] = a * x[idx] + y[idx]

def scatter(ix: DeviceArray[i32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[ix[idx]] = 1.0

def unguarded(out: DeviceArray[u32]):
    idx = get_global_id()
    out[idx] = idx
'''

MISUSES = {
    "too few arguments": ("LaunchError", "K['saxpy'](x, y, 2.0)"),
    "too many arguments": ("LaunchError", "K['saxpy'](x, y, 2.0, 8, 9)"),
    "keyword argument": ("LaunchError", "K['saxpy'](x, y, a=2.0, n=8)"),
    "unknown keyword": ("LaunchError", "K['saxpy'](x, y, 2.0, 8, block=4)"),
    "keyword to simulate": ("LaunchError", "K['saxpy'].simulate(x, y, 2.0, n=8)"),
    "float64 array": ("LaunchError", "K['saxpy'](x.astype(np.float64), y, 2.0, 8)"),
    "list for an array": ("LaunchError", "K['saxpy'](list(x), y, 2.0, 8)"),
    "strided view": ("LaunchError", "K['saxpy'](np.zeros(16, np.float32)[::2], y, 2.0, 8)"),
    "read-only output": ("LaunchError", "y.flags.writeable = False; K['saxpy'](x, y, 2.0, 8)"),
    "negative u32": ("LaunchError", "K['saxpy'](x, y, 2.0, -1)"),
    "u32 too big": ("LaunchError", "K['saxpy'](x, y, 2.0, 2**32)"),
    "f32 overflow": ("LaunchError", "K['saxpy'](x, y, 1e39, 8)"),
    "string scalar": ("LaunchError", "K['saxpy'](x, y, '2', 8)"),
    "array too short": ("LaunchError", "K['saxpy'](x[:4].copy(), y, 2.0, 8)"),
    "missing grid": ("LaunchError", "K['unguarded'](np.zeros(4, np.uint32))"),
    "negative grid": ("LaunchError", "K['unguarded'](np.zeros(4, np.uint32), grid=-1)"),
    "float grid": ("LaunchError", "K['unguarded'](np.zeros(4, np.uint32), grid=4.0)"),
    "scatter past the end": ("IndexError",
                             "K['scatter'](np.array([0, 9], np.int32), np.zeros(2, np.float32), 2)"),
    "scatter before the start": ("IndexError",
                                 "K['scatter'](np.array([-5], np.int32), np.zeros(2, np.float32), 1)"),
}

RUNNER = '''
import json, sys
import numpy as np
import hologram
K = hologram.load_kernels(sys.argv[1], boundscheck=True)
x, y = np.ones(8, np.float32), np.ones(8, np.float32)
try:
    exec(sys.argv[2])
    print(json.dumps(["no exception", ""]))
except Exception as err:
    print(json.dumps([type(err).__name__, str(err)]))
'''


@pytest.fixture(scope="module")
def launch_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("misuse") / "misuse_kernels.py"
    path.write_text(LAUNCH_KERNELS)
    hologram.load_kernels(path, boundscheck=True)["saxpy"].compile()  # one build, then cached
    return path


def test_each_launch_misuse_ends_in_its_documented_exception(launch_file):
    procs = {name: subprocess.Popen([sys.executable, "-c", RUNNER, str(launch_file), code],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name, (_, code) in MISUSES.items()}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"{name}: the process died ({proc.returncode})\n{err}"
        kind, message = json.loads(out.strip().splitlines()[-1])
        assert kind == MISUSES[name][0], f"{name}: {kind}: {message}"
        assert "kernel '" in message, f"{name}: the message does not name the kernel: {message}"


def test_seeds_compile_unmutated():
    """The fuzz seeds themselves are valid kernels (else the fuzz would only test errors)."""
    for tree in SEED_TREES:
        assert frontend(ast.unparse(tree)) is not None
    assert IR_SEEDS
