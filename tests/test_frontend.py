"""What each construct of the language becomes in IR (docs/ir.md), and the frontend's API."""

from __future__ import annotations

import textwrap

from hologram.lang import DeviceArray, f32, u32, get_global_id, inline
from hologram.frontend import kernel_names, parse_function, parse_source
from hologram.tools.compile import ir_text

PARAMS = "a: DeviceArray[f32], o: DeviceArray[f32], ia: DeviceArray[i32], ua: DeviceArray[u32], " \
         "x: f32, d: f64, s: i32, n: u32"


def kernel(body: str, params: str = PARAMS, prelude: str = ""):
    src = prelude + f"def k({params}):\n" + textwrap.indent(textwrap.dedent(body), "    ")
    return parse_source(src, "t.py").kernels["k"]


def ir(body: str, params: str = PARAMS, prelude: str = "") -> str:
    return ir_text(kernel(body, params, prelude).op)


def op_names(body: str, **kw) -> list[str]:
    return [op.name for op in kernel(body, **kw).op.walk()]


# --- the guard and grid inference ----------------------------------------------------------------
def test_early_return_guard_becomes_if_with_rest():
    text = ir("idx = get_global_id()\nif idx >= n:\n    return\no[idx] = a[idx]\n")
    assert "arith.cmpi ult, %idx, %n" in text
    assert "hologram.exit" not in text and "uge" not in text
    assert kernel("idx = get_global_id()\nif idx >= n:\n    return\no[idx] = a[idx]\n").grid == "n"


def test_grid_forms():
    assert kernel("i = get_global_id()\nif i < n:\n    o[i] = 1.0\n").grid == "n"
    assert kernel("i = get_global_id()\nif n > i:\n    o[i] = 1.0\n").grid == "n"
    assert kernel("i = get_global_id()\nif i < n * u32(s):\n    o[i] = 1.0\n").grid == "n * s"
    assert kernel("i = get_global_id()\nif i < n * 2:\n    o[i] = 1.0\n").grid == "n * 2"
    # a statement after the `if` runs for every id: not a guard of the whole kernel
    assert kernel("i = get_global_id()\nif i < n:\n    o[i] = 1.0\na[0] = 2.0\n").grid is None
    # a bound computed through locals is followed back to the parameters
    assert kernel("i = get_global_id()\nm = n\nif i < m:\n    o[i] = 1.0\n").grid == "n"
    # a bound read from an array is not a function of the parameters
    assert kernel("i = get_global_id()\nif i < ua[0]:\n    o[i] = 1.0\n").grid is None


def test_global_id_is_cast_to_u32_and_reused_for_subscripts():
    text = ir("idx = get_global_id()\no[idx] = a[idx]\n")
    assert "%gid = hologram.global_id : index" in text
    assert "%idx = arith.index_cast %gid : index to i32" in text
    assert "memref.load %a[%gid]" in text and "memref.store %0, %o[%gid]" in text


# --- locals ----------------------------------------------------------------------------------------
def test_single_assignment_is_ssa_and_named():
    text = ir("y = a[0] * 2.0\no[0] = y\n")
    assert "memref.alloca" not in text
    assert "%y = arith.mulf" in text


def test_reassigned_local_lives_in_a_slot():
    text = ir("y = 0.0\nfor i in range(n):\n    y += a[i]\no[0] = y\n")
    assert "%y = memref.alloca() : memref<f32>" in text
    assert "memref.store" in text and "memref.load %y[]" in text


def test_local_assigned_in_a_branch_and_used_after_is_a_slot():
    text = ir("if x > 0.0:\n    y = 1.0\nelse:\n    y = 2.0\no[0] = y\n")
    assert "%y = memref.alloca() : memref<f32>" in text


def test_reassigned_scalar_parameter_is_copied_to_a_slot():
    text = ir("n = n - 1\nua[0] = n\n")
    assert "memref.alloca() : memref<i32>" in text
    assert "memref.store %n, " in text


def test_first_assignment_fixes_the_type_and_literals_adapt():
    text = ir("y = d\ny = 1\no[0] = f32(y)\n")
    assert "memref.alloca() : memref<f64>" in text
    assert "arith.constant 1.000000e+00 : f64" in text


# --- arithmetic ------------------------------------------------------------------------------------
def test_python_modulo_on_signed_ints():
    names = op_names("ia[0] = ia[1] % s\n")
    assert "arith.remsi" in names and "arith.select" in names
    names = op_names("ua[0] = ua[1] % n\n")
    assert "arith.remui" in names and "arith.select" not in names


def test_floor_division():
    assert "arith.floordivsi" in op_names("ia[0] = ia[1] // s\n")
    assert "arith.divui" in op_names("ua[0] = ua[1] // n\n")
    names = op_names("o[0] = a[0] // x\n")
    assert "arith.divf" in names and "math.floor" in names


def test_float_modulo_takes_the_sign_of_the_divisor():
    names = op_names("o[0] = a[0] % x\n")
    assert {"arith.divf", "math.floor", "arith.mulf", "arith.subf"} <= set(names)


def test_true_division_of_ints_is_f32():
    text = ir("o[0] = ia[0] / s\n")
    assert "arith.sitofp" in text and "arith.divf" in text and ": f32" in text
    assert "arith.uitofp" in ir("o[0] = ua[0] / n\n")


def test_mixed_signedness_computes_in_i64():
    text = ir("ia[0] = i32(ua[0] + ia[1])\n")
    assert "arith.extui" in text and "arith.extsi" in text
    assert "arith.addi" in text and ": i64" in text and "arith.trunci" in text


def test_literals_adapt_to_the_other_operand():
    assert "arith.constant 2.000000e+00 : f32" in ir("o[0] = a[0] * 2\n")
    assert "arith.constant 5.000000e-01 : f64" in ir("o[0] = f32(d * 0.5)\n")
    text = ir("o[0] = s * 0.5\n")  # an int with a float literal: f32
    assert "arith.sitofp %s : i32 to f32" in text


def test_u32_constants_wrap_to_the_signless_bit_pattern():
    assert "arith.constant -1640531535 : i32" in ir("ua[0] = ua[1] * 2654435761\n")


def test_constant_folding_of_literals():
    text = ir("o[0] = 2.0 ** 3 + 10 // 4\n")
    assert "arith.constant 1.000000e+01 : f32" in text


def test_integer_power_by_constant_is_multiplication():
    names = op_names("ia[0] = ia[1] ** 5\n")
    assert names.count("arith.muli") == 3 and "math.powf" not in names  # x * (x*x)*(x*x)
    assert "math.powf" in op_names("o[0] = a[0] ** x\n")


def test_unary_ops():
    assert "arith.negf" in op_names("o[0] = -a[0]\n")
    assert "arith.subi" in op_names("ia[0] = -ia[1]\n")
    assert "arith.xori" in op_names("ua[0] = u32(not (n > 1))\n")


def test_casts():
    assert "arith.uitofp" in op_names("o[0] = f32(n)\n")
    assert "arith.fptosi" in op_names("ia[0] = int(x)\n")
    names = op_names("ua[0] = u32(x)\n")  # through i64: a negative float wraps, no UB
    assert "arith.fptosi" in names and "arith.trunci" in names and "arith.fptoui" not in names
    assert "arith.fptoui" in op_names("ua[0] = u32(u64(x))\n")
    assert "arith.extf" in op_names("o[0] = f32(f64(x) * d)\n")
    names = op_names("ua[0] = u32(s)\n")  # same width: the same bits
    assert "arith.extsi" not in names and "arith.trunci" not in names


def test_math_intrinsics():
    text = ir("o[0] = expf(x) + sqrt(x) + rsqrt(x) + tanh(x) + erf(x) + fabs(x) + pow(x, 2)\n")
    for op in ("math.exp", "math.sqrt", "math.rsqrt", "math.tanh", "math.erf", "math.absf",
               "math.powf"):
        assert op in text
    assert "math.absi" in op_names("ia[0] = abs(s)\n")
    assert "arith.minsi" in op_names("ia[0] = min(s, ia[0])\n")
    assert "arith.maxui" in op_names("ua[0] = max(n, ua[0], 3)\n")
    assert "arith.minimumf" in op_names("o[0] = min(x, a[0])\n")
    assert "arith.sitofp" in op_names("o[0] = sqrt(s)\n")  # ints go through f32


# --- conditionals ----------------------------------------------------------------------------------
def test_and_or_short_circuit_through_scf_if():
    k = kernel("if n > 0 and a[n - 1] > 0.0:\n    o[0] = 1.0\n")
    ifs = [op for op in k.op.walk() if op.name == "scf.if"]
    assert len(ifs[0].results) == 1 and str(ifs[0].results[0].type) == "i1"
    # the load of the right side happens only inside the region
    assert any(op.name == "memref.load" for op in ifs[0].true_region.walk())


def test_ternary_with_loads_is_an_if_with_result_and_with_names_a_select():
    text = ir("o[0] = a[0] if x > 0.0 else a[1]\n")
    assert "scf.if" in text and "-> (f32)" in text
    assert "arith.select" in ir("o[0] = x if x > 0.0 else 0.0\n")


def test_chained_comparison_evaluates_the_middle_once():
    k = kernel("ua[0] = u32(0 < ua[1] < n)\n")
    loads = [op for op in k.op.walk() if op.name == "memref.load"]
    assert len(loads) == 1
    assert any(op.name == "scf.if" for op in k.op.walk())


def test_elif_chain_is_nested_scf_if():
    text = ir("if x > 1.0:\n    o[0] = 1.0\nelif x > 0.0:\n    o[0] = 2.0\nelse:\n    pass\n")
    assert text.count("scf.if") == 2


# --- loops and exits -------------------------------------------------------------------------------
def test_for_loops():
    assert "scf.for %i = %" in ir("for i in range(s):\n    ia[i] = i\n")
    text = ir("for i in range(s):\n    ia[i] = i\n")
    assert ": i32" in text.split("scf.for")[1].splitlines()[0]  # signed: over i32
    text = ir("for i in range(n):\n    ua[i] = i\n")
    assert "arith.index_cast" in text and "scf.for %i = " in text  # unsigned: over index
    names = op_names("for i in range(s, -1, -1):\n    ia[i] = i\n")
    assert "scf.while" in names and "scf.for" not in names
    names = op_names("for i in range(0, s, s):\n    ia[i] = i\n")  # non-constant step
    assert "scf.while" in names and "arith.select" in names


def test_break_continue_exit_ops():
    text = ir("for i in range(s):\n    if ia[i] == 0:\n        break\n    if ia[i] == 1:\n"
              "        return\n    ia[i] = 2\n")
    assert "hologram.break" in text and "hologram.exit" in text
    # a continue that ends the body is a no-op; one in the middle moves the rest to its else
    text = ir("for i in range(s):\n    if ia[i] == 0:\n        continue\n    ia[i] = 2\n")
    assert "hologram.continue" not in text and "arith.cmpi ne" in text
    text = ir("for i in range(s):\n    if ia[i] == 0:\n        ia[i] = 1\n        continue\n"
              "    ia[i] = 2\n")
    assert "hologram.continue" not in text and "} else {" in text
    text = ir("for i in range(s):\n    for j in range(s):\n        if ia[j] == 0:\n"
              "            continue\n        ia[j] = 2\n    ia[i] = 3\n")
    assert "hologram.continue" not in text
    text = ir("while s > 0:\n    if ia[0] == 0:\n        if ia[1] == 0:\n            continue\n"
              "        ia[2] = 1\n    ia[3] = 1\n")
    assert "hologram.continue" in text


def test_while_loop():
    text = ir("i = 0\nwhile i < s:\n    i += 1\nia[0] = i\n")
    assert "scf.while" in text and "scf.condition" in text


def test_atomics_return_the_old_value():
    text = ir("slot = atomic_add(ua, 0, 1)\nua[slot] = n\n")
    assert "%slot = hologram.atomic_add" in text and ": i32, memref<?xi32>" in text
    text = ir("atomic_add_f32(o, x)\n")
    assert "hologram.atomic_add %x, %o[" in text
    assert "hologram.atomic_max" in ir("atomic_max(o, 0, x)\n")
    assert "hologram.atomic_min" in ir("atomic_min(ia, 0, s)\n")


# --- helpers and module level ----------------------------------------------------------------------
def test_helpers_are_inlined():
    prelude = "@inline\ndef sq(v):\n    return v * v\n\ndef twice(v: f32) -> f32:\n" \
              "    return sq(v) + sq(v)\n\n"
    k = kernel("o[0] = twice(x)\n", prelude=prelude)
    names = [op.name for op in k.op.walk()]
    assert "func.call" not in names and names.count("arith.mulf") == 2
    assert [f.name for f in k.py_module.body] == ["sq", "twice", "k"]


def test_helper_parameters_take_the_argument_types():
    prelude = "def add1(v):\n    return v + 1\n\n"
    assert "arith.addi" in ir("ia[0] = add1(s)\n", prelude=prelude)
    assert "arith.addf" in ir("o[0] = add1(x)\n", prelude=prelude)


def test_module_constants():
    prelude = "SCALE = 0.5\nN = 4\n\n"
    text = ir("o[0] = x * SCALE\nia[0] = N\n", prelude=prelude)
    assert "arith.constant 5.000000e-01 : f32" in text and "arith.constant 4 : i32" in text


def test_several_kernels_and_helpers_per_file():
    src = ("from atlas_kernel import *\n\ndef helper(v):\n    return v\n\n"
           "def k1(a: DeviceArray[f32]):\n    a[0] = helper(1.0)\n\n"
           "def k2(a: DeviceArray[f32], n: int):\n    pass\n\n"
           "@inline\ndef scaled(a: f32, b: f32):\n    pass\n")
    result = parse_source(src, "many.py")
    assert list(result.kernels) == ["k1", "k2"]
    assert result.kernels["k2"].param_types == ["f32[]", "i32"]
    assert kernel_names(src, "many.py") == ["k1", "k2"]


def test_first_line_offsets_locations():
    src = "def k(a: DeviceArray[f32]):\n    a[0] = 1.0\n"
    result = parse_source(src, "x.py", first_line=10)
    assert result.kernels["k"].lineno == 10
    store = [op for op in result.module.walk() if op.name == "memref.store"][0]
    assert store.location.line.data == 11


# --- parse_function ----------------------------------------------------------------------------
def clamp_helper(v: f32) -> f32:
    return min(max(v, 0.0), 1.0)


def module_level_kernel(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = clamp_helper(a[idx])


def test_parse_function_reads_the_real_file():
    result = parse_function(module_level_kernel)
    info = result.kernels["module_level_kernel"]
    assert info.grid == "n" and info.filename == __file__
    assert info.lineno == module_level_kernel.__code__.co_firstlineno
    assert list(result.kernels) == ["module_level_kernel"]  # only the function asked for
    loads = [op for op in info.op.walk() if op.name == "memref.load"]
    assert loads[0].location.filename.data == __file__


def test_parse_function_of_a_nested_definition_finds_sibling_helpers():
    @inline
    def half(v):
        return v * 0.5

    def nested(a: DeviceArray[f32], n: u32):
        idx = get_global_id()
        if idx < n:
            a[idx] = half(a[idx])

    info = parse_function(nested).kernels["nested"]
    assert info.lineno == nested.__code__.co_firstlineno
    assert "arith.mulf" in ir_text(info.op)


def test_parse_function_without_a_file():
    namespace: dict = {}
    exec("def made(a: DeviceArray[f32]):\n    a[0] = 1.0\n", namespace)
    import pytest

    from hologram.frontend import CompileError

    with pytest.raises(CompileError, match="cannot find the source of `made`"):
        parse_function(namespace["made"])


def test_definite_assignment_follows_branches_that_exit():
    """Assigned on every path that reaches the use (a branch that returns does not reach it)."""
    body = ("if x > 0.0:\n    y = 1.0\nelif x < 0.0:\n    y = 2.0\nelse:\n    return\n"
            "o[0] = y\n")
    assert "memref.load %y[]" in ir(body)
    assert "memref.load %y[]" in ir("y = 0.0\nfor i in range(n):\n    y = a[i]\no[0] = y\n")


def test_bitwise_logic_on_bools():
    text = ir("ua[0] = u32((x > 0.0) & (s < 0) | True)\n")
    assert "arith.andi" in text and "arith.ori" in text and "scf.if" not in text


def plain_kernel(a: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        a[idx] = 0.0


def test_parse_function_falls_back_to_its_own_source(monkeypatch):
    """When the def is not found in its file, inspect.getsource gives it (without the helpers
    beside it), with the file's line numbers."""
    import hologram.frontend as frontend

    monkeypatch.setattr(frontend, "_find_def", lambda body, name, line: None)
    info = parse_function(plain_kernel).kernels["plain_kernel"]
    assert info.lineno == plain_kernel.__code__.co_firstlineno
    store = [op for op in info.op.walk() if op.name == "memref.store"][0]
    assert store.location.line.data == info.lineno + 3
