"""Every construct outside the language is a located CompileError naming it (and the fix)."""

from __future__ import annotations

import textwrap

import pytest

from hologram.frontend import CompileError, parse_source

HEADER = """\
from hologram.lang import DeviceArray, f32, i32, u32, get_global_id

def k(a: DeviceArray[f32], b: DeviceArray[i32], n: u32):
    idx = get_global_id()
"""
FIRST_BODY_LINE = 5  # the line of the first statement of BODY cases


def compile_error(source: str) -> CompileError:
    with pytest.raises(CompileError) as info:
        parse_source(source, "k.py")
    return info.value


def body_error(body: str) -> CompileError:
    return compile_error(HEADER + textwrap.indent(textwrap.dedent(body), "    "))


# (body of the kernel after `idx = get_global_id()`, part of the message, line offset, column)
BODY_CASES = {
    "with": ("with idx:\n    pass\n", "`with` statements are not supported", 0, 5),
    "try": ("try:\n    pass\nexcept Exception:\n    pass\n", "`try` statements", 0, 5),
    "raise": ("raise ValueError\n", "`raise` is not supported", 0, 5),
    "assert": ("assert idx < n\n", "`assert` is not supported", 0, 5),
    "del": ("del idx\n", "`del` is not supported", 0, 5),
    "global": ("global g\n", "`global` is not supported", 0, 5),
    "nonlocal": ("nonlocal g\n", "`nonlocal` is not supported", 0, 5),
    "import": ("import math\n", "`import` inside a kernel", 0, 5),
    "nested def": ("def f():\n    pass\n", "nested function definitions", 0, 5),
    "class": ("class C:\n    pass\n", "class definitions", 0, 5),
    "match": ("match idx:\n    case 0:\n        pass\n", "`match` statements", 0, 5),
    "lambda": ("f = lambda x: x\n", "`lambda` is not supported", 0, 9),
    "list literal": ("x = [1, 2]\n", "list literals are not supported", 0, 9),
    "dict literal": ("x = {1: 2}\n", "dict literals are not supported", 0, 9),
    "set literal": ("x = {1, 2}\n", "set literals are not supported", 0, 9),
    "tuple value": ("x = (1, 2)\n", "tuples are not supported", 0, 9),
    "list comprehension": ("x = [i for i in range(3)]\n", "list comprehensions", 0, 9),
    "generator": ("x = max(i for i in range(3))\n", "generator expressions", 0, 12),
    "tuple assignment": ("x, y = 1, 2\n", "tuple assignment is not supported", 0, 5),
    "starred assignment": ("*x, = 1,\n", "tuple assignment", 0, 5),
    "attribute store": ("idx.x = 1\n", "assignment to attribute", 0, 5),
    "for over array": ("for x in a:\n    pass\n", "must iterate over range(...)", 0, 14),
    "for else": ("for i in range(3):\n    pass\nelse:\n    pass\n", "`for ... else`", 3, 9),
    "while else": ("while False:\n    pass\nelse:\n    pass\n", "`while ... else`", 3, 9),
    "range keywords": ("for i in range(stop=3):\n    pass\n", "range() takes 1 to 3", 0, 14),
    "range float": ("for i in range(2.5):\n    pass\n", "range() needs integers", 0, 14),
    "range zero step": ("for i in range(0, 4, 0):\n    pass\n", "step must not be zero", 0, 26),
    "keyword argument": ("x = pow(2.0, y=3.0)\n", "keyword arguments are not supported", 0, 20),
    "float_bits of an integer": ("x = float_bits(n)\n", "`float_bits` takes an f32 or f64, got u32",
                                 0, 20),
    "float_bits of a bool": ("x = float_bits(True)\n", "`float_bits` takes an f32 or f64, got bool",
                             0, 20),
    "star args": ("x = max(*a)\n", "`*args` is not supported", 0, 13),
    "yield": ("yield idx\n", "`yield` is not supported", 0, 5),
    "await": ("x = await idx\n", "not supported", 0, 9),
    "string": ('x = "hello"\n', "strings are not supported", 0, 9),
    "f-string": ('x = f"{idx}"\n', "f-strings are not supported", 0, 9),
    "None": ("x = None\n", "`None` is not a value", 0, 9),
    "walrus": ("if (x := idx) < n:\n    pass\n", "walrus operator", 0, 9),
    "unknown name": ("x = foo + 1\n", "unknown name `foo`", 0, 9),
    "used before assignment": ("x = y\ny = 1\n", "`y` is used before it is assigned", 0, 9),
    "unknown function": ("x = foo(1)\n", "call of unknown function `foo`", 0, 9),
    "print": ("print(idx)\n", "print() is not supported", 0, 5),
    "len": ("x = len(a)\n", "len() is not supported", 0, 9),
    "range as value": ("x = range(3)\n", "range() is only allowed", 0, 9),
    "method call": ("x = a.sum()\n", "call of `a.sum` is not supported", 0, 9),
    "attribute": ("x = idx.numerator\n", "attribute access", 0, 9),
    "assign to array param": ("a = 1.0\n", "cannot assign to `a`: it is a DeviceArray", 0, 5),
    "array as scalar": ("x = a + 1.0\n", "array `a` used as a scalar", 0, 9),
    "intrinsic arity": ("x = expf(1.0, 2.0)\n", "`expf` takes 1 argument, got 2", 0, 9),
    "atomic arity": ("atomic_add(a, 1.0)\n", "`atomic_add` takes 3 arguments, got 2", 0, 5),
    "atomic on scalar": ("atomic_add(n, 0, 1)\n", "must be a DeviceArray", 0, 16),
    "atomic_add_f32 value": ("x = atomic_add_f32(a, 1.0)\n", "returns no value", 0, 9),
    "subscript on scalar": ("x = n[0]\n", "cannot subscript `n`: it is a scalar (u32)", 0, 9),
    "float index": ("x = a[1.5]\n", "array index must be an integer", 0, 11),
    "float-typed index": ("x = a[a[0]]\n", "array index must be an integer, not f32", 0, 11),
    "negative index": ("x = a[-1]\n", "negative index -1", 0, 11),
    "slice": ("x = a[1:3]\n", "slices are not supported", 0, 11),
    "2-D subscript": ("x = a[1, 2]\n", "arrays are 1-D", 0, 11),
    # A local's type is the join of its assignments (docs/language.md); bool and numbers do not join.
    "bool local gets a float": ("x = idx < n\nx = 1.5\n", "`x` mixes bool and number values", 1, 5),
    "number local gets a bool": ("x = a[idx]\nx = idx < n\n", "`x` mixes bool and number", 1, 5),
    "augmented bool local": ("x = 0\nx += idx < n\n", "bool values cannot be used in arithmetic", 1, 5),
    "declared twice": ("x: i32 = 0\nx: f32 = 1.0\n", "declared i32 elsewhere and f32 here", 1, 5),
    "store a bool": ("a[idx] = idx < n\n", "cannot store a bool into `a`, an array of f32", 0, 14),
    "store a bool literal": ("b[idx] = True\n", "cannot store True into `b`, an array of i32", 0, 14),
    "u64 joins no signed type": ("x = u64(idx)\nx = i32(1)\n", "cannot mix u64 and i32", 1, 5),
    "literal joins no type": ("x = u64(idx) + (-1)\n", "cannot mix u64 and i32", 0, 9),
    "literal out of every range": ("x = idx + 2 ** 64\n", "does not fit", 0, 9),
    "u64 with signed": ("x = u64(idx) + i32(1)\n", "cannot mix u64 and i32", 0, 9),
    "negative integer power": ("x = n ** -2\n", "negative exponent -2 is a float", 0, 9),
    "bool arithmetic": ("x = (idx < n) + 1\n", "operator `+` is not defined on bool", 0, 9),
    "non-bool condition": ("if n:\n    pass\n", "condition of `if` must be a bool, not u32", 0, 8),
    "non-bool while": ("while n:\n    pass\n", "condition of `while` must be a bool", 0, 11),
    "non-bool not": ("x = not n\n", "operand of `not` must be a bool", 0, 13),
    "non-bool and": ("x = idx < n and n\n", "operand of `and` must be a bool", 0, 21),
    "is comparison": ("x = idx is n\n", "comparison `is` is not supported", 0, 9),
    "in comparison": ("x = idx in a\n", "comparison `in` is not supported", 0, 9),
    "matmul operator": ("x = idx @ n\n", "operator `@` is not supported", 0, 9),
    "unused value": ("expf(1.0)\n", "the value of `expf(1.0)` is unused", 0, 5),
    "no effect": ("idx + 1\n", "`idx + 1` has no effect", 0, 5),
    "kernel returns value": ("return 1\n", "a kernel returns nothing", 0, 5),
    "break outside loop": ("break\n", "`break` outside a loop", 0, 5),
    "continue outside loop": ("continue\n", "`continue` outside a loop", 0, 5),
    "unreachable": ("return\nx = 1\n", "unreachable statement", 1, 5),
    "unreachable after if": ("if idx < n:\n    return\nelse:\n    return\nx = 1\n",
                             "unreachable statement: both branches", 4, 5),
    "bare annotation": ("x: f32\n", "a declaration without a value", 0, 5),
    "bad local type": ("x: str = 1\n", "unknown local type `str`", 0, 8),
    "local called": ("x = 1.0\ny = x(2)\n", "`x` is a local variable, not a function", 1, 9),
    "function as value": ("x = expf\n", "`expf` is a function; call it", 0, 9),
    "assigned in one branch": ("if idx < n:\n    y = 1.0\na[0] = y\n",
                               "`y` may be used before it is assigned", 2, 12),
    "assigned in a loop": ("for i in range(n):\n    y = 1.0\ny += 1.0\n",
                           "`y` may be used before it is assigned", 2, 5),
}


@pytest.mark.parametrize("body, message, line, col", BODY_CASES.values(), ids=BODY_CASES.keys())
def test_rejected_construct(body: str, message: str, line: int, col: int):
    err = body_error(body)
    assert message in err.message
    assert err.loc is not None
    assert (err.loc.file, err.loc.line, err.loc.col) == ("k.py", FIRST_BODY_LINE + line, col)


def test_rendered_error_has_location_source_line_and_caret():
    err = body_error("with idx:\n    pass\n")
    lines = str(err).splitlines()
    assert lines[0].startswith("k.py:5:5: error: `with` statements are not supported in kernels")
    assert lines[1] == "        with idx:"
    assert lines[2] == "        ^"


def test_hint_names_the_fix():
    err = body_error("x = a[idx]\nx = idx < n\n")
    assert err.hint is not None and "!= 0" in err.hint  # how to get a bool, or a number
    assert "i32(" in str(err)


# Errors about a kernel's signature and the file, not its body.
FILE_CASES = {
    "param without annotation": (
        "def k(a: DeviceArray[f32], n):\n    pass\n",
        "kernel parameter `n` has no type annotation", 1, 28),
    "unknown DeviceArray type": (
        "def k(a: DeviceArray[str], n: u32):\n    pass\n",
        "`DeviceArray[str]`: unknown element type", 1, 10),
    "unknown scalar type": (
        "def k(a: DeviceArray[f32], n: size_t):\n    pass\n",
        "unknown kernel parameter type `size_t`", 1, 31),
    "varargs kernel": (
        "def k(a: DeviceArray[f32], *rest):\n    pass\n",
        "`*rest` parameters are not supported", 1, 29),
    "default value": (
        "def k(a: DeviceArray[f32], n: u32 = 4):\n    pass\n",
        "parameters must be plain positional", 1, 1),
    "unknown decorator": (
        "@jit\ndef k(a: DeviceArray[f32]):\n    pass\n", "unknown decorator `@jit`", 1, 2),
    "unknown decorator on helper": (
        "import functools\n\n@functools.cache\ndef f(x):\n    return x\n\n"
        "def k(a: DeviceArray[f32]):\n    a[0] = f(1.0)\n",
        "unknown decorator `@functools.cache` on `f`", 3, 2),
    "defined twice": (
        "def k(a: DeviceArray[f32]):\n    pass\n\ndef k(a: DeviceArray[f32]):\n    pass\n",
        "function `k` is defined twice in this file (first at line 1)", 4, 1),
    "recursion": (
        "def f(x):\n    return f(x)\n\ndef k(a: DeviceArray[f32]):\n    a[0] = f(1.0)\n",
        "recursive call of helper `f` (k -> f -> f)", 2, 12),
    "helper arity": (
        "def f(x):\n    return x\n\ndef k(a: DeviceArray[f32]):\n    a[0] = f(1.0, 2.0)\n",
        "helper `f` takes 1 arguments, got 2", 5, 12),
    "helper default": (
        "def f(x, y=1.0):\n    return x\n\ndef k(a: DeviceArray[f32]):\n    a[0] = f(1.0)\n",
        "only plain positional parameters", 1, 1),
    "helper return in loop": (
        "def f(x: f32) -> f32:\n    for i in range(3):\n        return x\n    return 0.0\n\n"
        "def k(a: DeviceArray[f32]):\n    a[0] = f(1.0)\n",
        "`return` inside a loop in helper `f`", 3, 9),
    "helper missing return": (
        "def f(x: f32) -> f32:\n    if x > 0.0:\n        return x\n\n"
        "def k(a: DeviceArray[f32]):\n    a[0] = f(1.0)\n",
        "helper `f` does not return a value on every path", 1, 1),
    "helper param bool": (
        "def f(x: f32) -> f32:\n    return x\n\n"
        "def k(a: DeviceArray[f64], n: u32):\n    a[0] = f64(f(n < 3))\n",
        "cannot assign a bool to a local of type f32", 5, 18),
    "helper array type": (
        "def first(v: DeviceArray[f32]) -> f32:\n    return v[0]\n\n"
        "def k(a: DeviceArray[f64], o: DeviceArray[f32]):\n    o[0] = first(a)\n",
        "helper `first` expects a DeviceArray[f32] for `v`, got a DeviceArray[f64]", 5, 18),
    "kernel calls kernel": (
        "def j(a: DeviceArray[f32]):\n    pass\n\ndef k(a: DeviceArray[f32]):\n    j(a)\n",
        "`j` is a kernel (line 1); kernels cannot call kernels", 5, 5),
    "kernel shadows intrinsic": (
        "def exp(a: DeviceArray[f32]):\n    a[0] = exp(a[0])\n",
        "`exp` here is the kernel defined at line 1", 2, 12),
    "syntax error": ("def k(a: DeviceArray[f32]):\n    x = = 1\n", "syntax error", 2, 9),
}


@pytest.mark.parametrize("source, message, line, col", FILE_CASES.values(), ids=FILE_CASES.keys())
def test_rejected_file(source: str, message: str, line: int, col: int):
    err = compile_error(source)
    assert message in err.message
    assert err.loc is not None
    assert (err.loc.line, err.loc.col) == (line, col)


def test_internal_error_names_the_kernel(monkeypatch):
    """A verifier failure is a frontend bug: reported as an internal error naming the kernel."""
    from hologram.dialects.hologram import KernelOp
    from xdsl.utils.exceptions import VerifyException

    def broken(self):
        raise VerifyException("broken on purpose")

    monkeypatch.setattr(KernelOp, "verify_", broken)
    err = compile_error("def k(a: DeviceArray[f32]):\n    pass\n")
    assert "internal error" in err.message and "`k`" in err.message
    assert "broken on purpose" in err.message
