"""Calls: intrinsics (the global id, atomics, math, casts) and inlined helper functions."""

from __future__ import annotations

import ast

from xdsl.dialects import arith, math
from xdsl.dialects import complex as cplx
from xdsl.dialects.builtin import IntegerType

from hologram.dialects.hologram import (COMPLEX_FUNCTIONS, AtomicAddOp, AtomicMaxOp,
                                        AtomicMinOp, ComplexMathOp, GlobalIdOp)
from hologram.frontend.base import Val, default_type
from hologram.frontend.expr import REJECTED_EXPR
from hologram.frontend.types import BOOL, F32, SCALARS, U32, U64, Array, Scalar, complex_of

# name -> math op class; the `f` spellings are the same functions (the result keeps the
# argument's float width).
UNARY_MATH = {
    "exp": math.ExpOp, "log": math.LogOp, "sin": math.SinOp, "cos": math.CosOp,
    "tan": math.TanOp, "sqrt": math.SqrtOp, "rsqrt": math.RsqrtOp, "tanh": math.TanhOp,
    "erf": math.ErfOp, "fabs": math.AbsFOp, "floor": math.FloorOp, "ceil": math.CeilOp,
    "asin": math.AsinOp, "acos": math.AcosOp, "atan": math.AtanOp, "sinh": math.SinhOp,
    "cosh": math.CoshOp, "asinh": math.AsinhOp, "acosh": math.AcoshOp, "atanh": math.AtanhOp,
    "log1p": math.Log1pOp, "expm1": math.ExpM1Op, "log2": math.Log2Op, "log10": math.Log10Op,
    "exp2": math.Exp2Op, "trunc": math.TruncOp, "rint": math.RoundEvenOp,
}
for _name in list(UNARY_MATH):
    if _name != "rsqrt":
        UNARY_MATH[_name + "f"] = UNARY_MATH[_name]
# Two-argument math (`pow` has its own handler): the second converts to the first's float type.
BINARY_MATH = {"atan2": math.Atan2Op, "copysign": math.CopySignOp}
# Complex functions: the upstream `complex` op, or `hologram.cmath` for those it lacks.
COMPLEX_MATH = {
    "exp": cplx.ExpOp, "expm1": cplx.Expm1Op, "log": cplx.LogOp, "log1p": cplx.Log1pOp,
    "sqrt": cplx.SqrtOp, "rsqrt": cplx.RsqrtOp, "sin": cplx.SinOp, "cos": cplx.CosOp,
    "tan": cplx.TanOp, "tanh": cplx.TanhOp,
    **{fn: fn for fn in COMPLEX_FUNCTIONS},
}
for _name in list(COMPLEX_MATH):
    if _name != "rsqrt":
        COMPLEX_MATH[_name + "f"] = COMPLEX_MATH[_name]
# `cmath.<name>(z)`: Python's cmath functions; a real argument converts to complex first.
CMATH = {name for name in COMPLEX_MATH if not name.endswith("f") and name not in
         ("expm1", "log1p", "log2", "rsqrt")} | {"isnan", "isinf", "isfinite"}
ATOMICS = {"atomic_add": AtomicAddOp, "atomic_min": AtomicMinOp, "atomic_max": AtomicMaxOp}
OTHER_INTRINSICS = {"get_global_id", "atomic_add_f32", "abs", "min", "max", "pow", "powf",
                    "float_bits"}
INTRINSICS = set(UNARY_MATH) | set(BINARY_MATH) | set(ATOMICS) | OTHER_INTRINSICS | set(SCALARS)
# Calls whose value may be dropped: the bare-call statements of the language.
STATEMENT_CALLS = {"atomic_add_f32", *ATOMICS}


class CallMixin:
    def is_intrinsic(self, name: str) -> bool:
        return name in INTRINSICS

    def expr_Call(self, node: ast.Call) -> Val:
        v = self.call(node)
        if v is None:
            name = ast.unparse(node.func)
            raise self.error(node, f"`{name}(...)` returns no value")
        return v

    def call(self, node: ast.Call, statement: bool = False) -> Val | None:
        if isinstance(node.func, ast.Attribute):
            return self.attribute_call(node)
        if not isinstance(node.func, ast.Name):
            raise self.error(node.func, f"call of `{ast.unparse(node.func)}` is not supported "
                             "in kernels", "call intrinsics and helpers by their bare name, "
                             "e.g. sqrt(x)")
        name = node.func.id
        if node.keywords:
            raise self.error(node.keywords[0].value if node.keywords[0].arg else node,
                             f"keyword arguments are not supported (in the call of `{name}`)",
                             "pass arguments by position")
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise self.error(a, f"`*args` is not supported (in the call of `{name}`)",
                                 "pass arguments one by one")
            if type(a) in REJECTED_EXPR:
                self.expr(a)  # reports it by name before any arity message
        if self.scope.lookup(name) is not None:
            raise self.error(node.func, f"`{name}` is a local variable, not a function")
        if name in self.module.functions:
            if name in self.module.kernel_names:
                line = self.module.functions[name].lineno
                if name in UNARY_MATH and name + "f" in UNARY_MATH:
                    raise self.error(node.func, f"`{name}` here is the kernel defined at line "
                                     f"{line}, which shadows the intrinsic",
                                     f"call `{name}f(...)` for the math function")
                raise self.error(node.func, f"`{name}` is a kernel (line {line}); kernels cannot "
                                 "call kernels", f"mark `{name}` @inline to make it a helper")
            return self.inline_call(name, node)
        handler = self.intrinsic_handler(name)
        if handler is None:
            raise self.unknown_function(name, node)
        return handler(name, node, statement)

    def attribute_call(self, node: ast.Call) -> Val:
        """`cmath.exp(z)`... (Python's cmath functions) and `z.conjugate()`."""
        func = node.func
        assert isinstance(func, ast.Attribute)
        if node.keywords:
            raise self.error(node, f"keyword arguments are not supported (in the call of "
                             f"`{ast.unparse(func)}`)", "pass arguments by position")
        if isinstance(func.value, ast.Name) and func.value.id == "cmath" \
                and self.scope.lookup("cmath") is None:
            if func.attr not in CMATH:
                raise self.error(func, f"`cmath.{func.attr}` is not supported in kernels",
                                 f"supported: {', '.join(sorted(CMATH))}")
            self.arity(node, f"cmath.{func.attr}", 1)
            z = self.complex_arg(node.args[0], f"cmath.{func.attr}")
            if func.attr in ("isnan", "isinf", "isfinite"):
                return Val(BOOL, self.complex_class(func.attr, z, node))
            return Val(z.type, self.complex_math(func.attr, z.ssa, node))
        if func.attr == "conjugate":
            self.arity(node, "conjugate", 0)
            z = self.scalar(func.value)
            if z.is_lit:
                if isinstance(z.lit, bool):
                    raise self.error(node, "`.conjugate()` of a bool", "cast with i32(b) first")
                return Val(None, None, z.lit.conjugate())
            if z.type.is_bool:
                raise self.error(node, "`.conjugate()` of a bool", "cast with i32(b) first")
            if not z.type.is_complex:
                return z  # a real number is its own conjugate, as in Python
            return Val(z.type, self.value(cplx.ConjOp(z.ssa), node))
        raise self.error(func, f"call of `{ast.unparse(func)}` is not supported in kernels",
                         "call intrinsics and helpers by their bare name, e.g. sqrt(x); "
                         "complex functions as cmath.exp(z)")

    def complex_arg(self, arg: ast.expr, name: str) -> Val:
        """An argument of a complex function: a real one converts to complex (f64 -> c128,
        others -> c64), as Python's cmath takes floats."""
        v = self.scalar(arg)
        self.no_bool(v, arg, name)
        if v.is_lit:
            t = complex_of(default_type(v.lit))
            return Val(t, self.materialize(v, t, arg))
        t = complex_of(v.type)
        return Val(t, self.convert(v, t, arg))

    def complex_math(self, name: str, z, node: ast.AST):
        cls = COMPLEX_MATH.get(name)
        if cls is None:
            raise self.error(node, f"`{name}` is not defined for complex numbers",
                             "apply it to the parts, z.real and z.imag")
        op = ComplexMathOp(cls, z) if isinstance(cls, str) else cls(z)
        return self.value(op, node)

    def complex_class(self, what: str, z: Val, node: ast.AST):
        """isnan (either part NaN), isinf (either part infinite), isfinite (both finite)."""
        part = z.type.part
        re = self.value(cplx.ReOp(z.ssa), node)
        im = self.value(cplx.ImOp(z.ssa), node)
        if what == "isnan":
            a = self.compare("uno", re, re, node, float_=True)
            b = self.compare("uno", im, im, node, float_=True)
            return self.value(arith.OrIOp(a, b), node)
        inf = self.const(float("inf"), part, node)
        abs_re = self.value(math.AbsFOp(re), node)
        abs_im = self.value(math.AbsFOp(im), node)
        if what == "isinf":
            a = self.compare("oeq", abs_re, inf, node, float_=True)
            b = self.compare("oeq", abs_im, inf, node, float_=True)
            return self.value(arith.OrIOp(a, b), node)
        a = self.compare("olt", abs_re, inf, node, float_=True)
        b = self.compare("olt", abs_im, inf, node, float_=True)
        return self.value(arith.AndIOp(a, b), node)

    def intrinsic_handler(self, name: str):
        if name in SCALARS:
            return self.cast
        if name in UNARY_MATH:
            return self.unary_math
        if name in ATOMICS:
            return self.atomic
        if name in BINARY_MATH:
            return self.binary_math
        return {
            "get_global_id": self.global_id, "atomic_add_f32": self.atomic_add_f32,
            "abs": self.abs_, "min": self.min_max, "max": self.min_max, "pow": self.power_call,
            "powf": self.power_call, "float_bits": self.float_bits,
        }.get(name)

    # --- intrinsics: each takes (name, call node, whether the call is a statement) -------------
    def global_id(self, name: str, node: ast.Call, statement: bool) -> Val:
        self.arity(node, name, 0)
        gid = self.value(GlobalIdOp(), node)
        gid.name_hint = "gid"
        idx = self.value(arith.IndexCastOp(gid, IntegerType(32)), node)
        self.index_of[idx] = gid  # subscripts with the id use the index directly
        return Val(U32, idx)

    def unary_math(self, name: str, node: ast.Call, statement: bool) -> Val:
        self.arity(node, name, 1)
        z = self.scalar(node.args[0])
        if isinstance(z.lit, complex) or z.type is not None and z.type.is_complex:
            z = self.complex_arg(node.args[0], name)
            return Val(z.type, self.complex_math(name, z.ssa, node))
        x = self.float_arg(node, name, 1)
        return Val(x.type, self.value(UNARY_MATH[name](x.ssa), node))

    def float_bits(self, name: str, node: ast.Call, statement: bool) -> Val:
        """The IEEE-754 bits of a float (`arith.bitcast`): u32 of an f32, u64 of an f64; a float
        literal is an f32."""
        self.arity(node, name, 1)
        z = self.scalar(node.args[0])
        if z.is_lit and type(z.lit) is float:
            x = Val(F32, self.convert(z, F32, node.args[0]))
        elif not z.is_lit and z.type.is_float:
            x = z
        else:
            what = type(z.lit).__name__ if z.is_lit else z.type.name
            raise self.error(node.args[0], f"`float_bits` takes an f32 or f64, got {what}",
                             "cast first, e.g. float_bits(f32(x))")
        bits = U64 if x.type.width == 64 else U32
        return Val(bits, self.value(arith.BitcastOp(x.ssa, IntegerType(x.type.width)), node))

    def atomic_add_f32(self, name: str, node: ast.Call, statement: bool) -> None:
        self.arity(node, name, 2)
        arr = self.array_arg(node.args[0], name)
        v = self.element_value(self.scalar(node.args[1]), arr.type.elem, node.args[1],
                               f"`{ast.unparse(node.args[0])}`")
        self.emit(AtomicAddOp(v, arr.ssa, self.index_const(0, node)), node)
        if not statement:
            raise self.error(node, "`atomic_add_f32` returns no value",
                             "use atomic_add(arr, 0, v) for the old value")
        return None

    def atomic(self, name: str, node: ast.Call, statement: bool) -> Val:
        self.arity(node, name, 3)
        arr = self.array_arg(node.args[0], name)
        if name != "atomic_add" and arr.type.elem.is_complex:
            raise self.error(node.args[0], f"`{name}` on a complex array: complex numbers have "
                             "no order")
        index = self.to_index(self.scalar(node.args[1]), node.args[1])
        v = self.element_value(self.scalar(node.args[2]), arr.type.elem, node.args[2],
                               f"`{ast.unparse(node.args[0])}`")
        return Val(arr.type.elem, self.value(ATOMICS[name](v, arr.ssa, index), node))

    def abs_(self, name: str, node: ast.Call, statement: bool) -> Val:
        self.arity(node, name, 1)
        x = self.typed_scalar(node.args[0])
        if x.type.is_bool:
            raise self.error(node, "abs() of a bool", "cast with i32(b) first")
        if x.type.is_int and not x.type.signed:
            return x  # unsigned values are their own magnitude
        if x.type.is_complex:
            return Val(x.type.part, self.value(cplx.AbsOp(x.ssa), node))
        cls = math.AbsFOp if x.type.is_float else math.AbsIOp
        return Val(x.type, self.value(cls(x.ssa), node))

    def power_call(self, name: str, node: ast.Call, statement: bool) -> Val:
        self.arity(node, name, 2)
        a, b = self.scalar(node.args[0]), self.scalar(node.args[1])
        if any(isinstance(v.lit, complex) or v.type is not None and v.type.is_complex
               for v in (a, b)):
            return self.binop(ast.Pow, a, b, node)
        x = self.float_arg(node, name, 2)
        y = self.coerce_to_float(self.scalar(node.args[1]), x.type, node.args[1])
        return Val(x.type, self.value(math.PowFOp(x.ssa, y), node))

    def binary_math(self, name: str, node: ast.Call, statement: bool) -> Val:
        x = self.float_arg(node, name, 2)
        y = self.coerce_to_float(self.scalar(node.args[1]), x.type, node.args[1])
        return Val(x.type, self.value(BINARY_MATH[name](x.ssa, y), node))

    def unknown_function(self, name: str, node: ast.Call):
        if name == "range":
            return self.error(node, "range() is only allowed as the iterable of a for loop")
        if name == "print":
            return self.error(node, "print() is not supported in kernels",
                              "write values into an output array")
        if name == "len":
            return self.error(node, "len() is not supported in kernels: arrays carry no length",
                              "pass the length as a scalar parameter, e.g. n: u32")
        return self.error(node.func, f"call of unknown function `{name}`",
                          "kernels may call intrinsics and module-level helper functions")

    # --- argument helpers ---------------------------------------------------------------------
    def arity(self, node: ast.Call, name: str, n: int) -> None:
        if len(node.args) != n:
            plural = "argument" if n == 1 else "arguments"
            raise self.error(node, f"`{name}` takes {n} {plural}, got {len(node.args)}")

    def array_arg(self, arg: ast.expr, name: str) -> Val:
        arr = self.expr(arg)
        if not isinstance(arr.type, Array):
            raise self.error(arg, f"the first argument of `{name}` must be a DeviceArray")
        if arr.type.elem.is_bool:
            raise self.error(arg, f"`{name}` on a bool array is not supported")
        if arr.type.elem.is_complex and name.startswith("atomic"):
            raise self.error(arg, f"`{name}` on a complex array ({arr.type}) is not supported: "
                             "C has no atomic complex update", "accumulate the real and "
                             "imaginary parts in two float arrays")
        return arr

    def float_arg(self, node: ast.Call, name: str, n: int) -> Val:
        """The first argument of a math intrinsic, as a float (integers convert to f32)."""
        self.arity(node, name, n)
        x = self.scalar(node.args[0])
        self.no_bool(x, node, name)
        for a in node.args:
            v = x if a is node.args[0] else self.scalar(a)
            if isinstance(v.lit, complex) or v.type is not None and v.type.is_complex:
                raise self.error(a, f"`{name}` is not defined for complex numbers",
                                 "apply it to the parts, z.real and z.imag")
        if x.is_lit:
            return Val(F32, self.convert(x, F32, node.args[0]))
        return x if x.type.is_float else Val(F32, self.convert(x, F32, node.args[0]))

    def coerce_to_float(self, v: Val, t: Scalar, node: ast.AST):
        """The exponent of `pow`: converted to the base's float type."""
        self.no_bool(v, node, "pow")
        return self.materialize(v, t, node) if v.is_lit else self.convert(v, t, node)

    def no_bool(self, v: Val, node: ast.AST, name: str) -> None:
        if isinstance(v.lit, bool) or v.type is not None and v.type.is_bool:
            raise self.error(node, f"`{name}` of a bool is not defined", "cast with f32(b) first")

    def min_max(self, name: str, node: ast.Call, statement: bool = False) -> Val:
        if len(node.args) < 2:
            raise self.error(node, f"`{name}` takes at least 2 arguments, got {len(node.args)}")
        acc = self.scalar(node.args[0])
        for arg in node.args[1:]:
            b = self.scalar(arg)
            if acc.is_lit and b.is_lit:
                try:
                    acc = Val(None, None, (min if name == "min" else max)(acc.lit, b.lit))
                except TypeError:
                    raise self.error(node, f"`{name}` of complex values: complex numbers have "
                                     "no order", "compare magnitudes, e.g. abs(z)") from None
                continue
            t = self.operand_type(acc, b, node)
            if t.is_bool:
                raise self.error(node, f"`{name}` of bool values", "cast with i32(b) first")
            if t.is_complex:
                raise self.error(node, f"`{name}` of complex values ({t}): complex numbers "
                                 "have no order", "compare magnitudes, e.g. abs(z)")
            x, y = self.coerce(acc, t, node), self.coerce(b, t, node)
            if t.is_float:
                cls = arith.MinimumfOp if name == "min" else arith.MaximumfOp
            elif t.signed:
                cls = arith.MinSIOp if name == "min" else arith.MaxSIOp
            else:
                cls = arith.MinUIOp if name == "min" else arith.MaxUIOp
            acc = Val(t, self.value(cls(x, y), node))
        return acc

    def cast(self, name: str, node: ast.Call, statement: bool = False) -> Val:
        t = SCALARS[name]
        if t.is_complex and len(node.args) == 2:
            # c64(re, im): the parts, each converted to the part type
            parts = []
            for a in node.args:
                v = self.scalar(a)
                if isinstance(v.lit, complex) or v.type is not None and v.type.is_complex:
                    raise self.error(a, f"the parts of `{name}(re, im)` must be real numbers")
                self.no_bool(v, a, name)
                parts.append(self.convert(v, t.part, a))
            return Val(t, self.value(cplx.CreateOp(parts[0], parts[1], t.ir()), node))
        self.arity(node, name, 1)
        v = self.scalar(node.args[0])
        return Val(t, self.convert(v, t, node))

