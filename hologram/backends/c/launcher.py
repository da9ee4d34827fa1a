"""The launch path in C: a CPython extension module whose functions check a kernel's arguments
and call it, so a launch costs one C call.

    text = launcher_source(c_source, kernels, "MODULE")   # the kernels' C + one launcher each
    mod.launch_0(x, y, out, n)            # checks, then hg_vector_add_1234abcd(x, y, out, n, n)
    mod.launch_0(x, y, out, n, grid=64)

Each kernel `i` gets `launch_<i>` (METH_FASTCALL): the arguments are checked in C (numpy
array, exact dtype in native byte order, C-contiguous, writeable if the kernel writes it;
integers in range, floats within f32 range, booleans; the grid, inferred or given; each
`a[idx]`-only array's length against the guard's bound), then the kernel runs, with the GIL
released from `RELEASE_GIL_FROM` ids on. The C accepts exactly what the Python checks of
`hologram.runtime.Kernel` accept. When a check fails, nothing runs and the call is handed, as
it came, to the Python function registered with `set_fallback(i, fn)`, which explains the
failure as a `LaunchError` (or, for a value the C does not take directly, converts it and
calls `raw_<i>`, the same launcher that returns `NotImplemented` instead of falling back).

The grid comes from `grid_c_function` (the inferred grid, from the guard's bound): the one place
that knows how the bound is evaluated. No xDSL here: the warm start generates nothing, and the
build only needs the kernels' signatures (`KernelSpec`).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

# Below this many ids the GIL stays held: releasing it costs more than such a launch.
RELEASE_GIL_FROM = 4096

# numpy type number macro and C type of each language element type.
_ARRAY_TYPES = {
    "f32": ("NPY_FLOAT32", "float"), "f64": ("NPY_FLOAT64", "double"),
    "i32": ("NPY_INT32", "int32_t"), "u32": ("NPY_UINT32", "uint32_t"),
    "i64": ("NPY_INT64", "int64_t"), "u64": ("NPY_UINT64", "uint64_t"),
    "bool": ("NPY_BOOL", "bool"),
}
_INT_RANGES = {
    "i32": ("INT32_MIN", "INT32_MAX", "int32_t"), "u32": ("0", "UINT32_MAX", "uint32_t"),
    "i64": ("INT64_MIN", "INT64_MAX", "int64_t"),
}


@dataclass(frozen=True)
class KernelSpec:
    """What the launcher of one kernel needs: its C symbol, language types, which arrays it
    writes, which arrays need a length check (only accessed at `a[idx]`), and its grid."""

    name: str
    symbol: str
    param_names: tuple[str, ...]
    param_types: tuple[str, ...]
    written: tuple[int, ...]
    length_checked: tuple[int, ...]
    grid: str | None
    lineno: int = 0

    def to_json(self) -> dict:
        return {"name": self.name, "symbol": self.symbol, "param_names": list(self.param_names),
                "param_types": list(self.param_types), "written": list(self.written),
                "length_checked": list(self.length_checked), "grid": self.grid,
                "lineno": self.lineno}

    @classmethod
    def from_json(cls, data: dict) -> KernelSpec:
        return cls(str(data["name"]), str(data["symbol"]),
                   tuple(str(n) for n in data["param_names"]),
                   tuple(str(t) for t in data["param_types"]),
                   tuple(int(i) for i in data["written"]),
                   tuple(int(i) for i in data["length_checked"]),
                   None if data["grid"] is None else str(data["grid"]), int(data["lineno"]))


_HELPERS = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>
#include <numpy/arrayscalars.h>
#include <float.h>

/* 1: the array is usable as T* of `type`; 0: refused (nothing set). */
static inline int hg_arg_array(PyObject *o, int type, int written, void **data, npy_intp *size) {
  if (!PyArray_Check(o)) return 0;
  PyArrayObject *a = (PyArrayObject *)o;
  int t = PyArray_TYPE(a);
  if (t != type && !PyArray_EquivTypenums(t, type)) return 0;
  if (!PyArray_ISNOTSWAPPED(a) || !PyArray_IS_C_CONTIGUOUS(a)) return 0;
  if (written && !PyArray_ISWRITEABLE(a)) return 0;
  *data = PyArray_DATA(a);
  *size = PyArray_SIZE(a);
  return 1;
}

/* A Python int (not bool) or a numpy integer, within [lo, hi]. */
static inline int hg_arg_int(PyObject *o, long long lo, long long hi, long long *out) {
  int overflow = 0;
  long long v;
  if (PyLong_CheckExact(o)) {
    v = PyLong_AsLongLongAndOverflow(o, &overflow);
  } else if ((PyLong_Check(o) && !PyBool_Check(o)) || PyArray_IsScalar(o, Integer)) {
    PyObject *i = PyNumber_Index(o);
    if (i == NULL) { PyErr_Clear(); return 0; }
    v = PyLong_AsLongLongAndOverflow(i, &overflow);
    Py_DECREF(i);
  } else {
    return 0;
  }
  if (overflow || (v == -1 && PyErr_Occurred())) { PyErr_Clear(); return 0; }
  if (v < lo || v > hi) return 0;
  *out = v;
  return 1;
}

static inline int hg_arg_u64(PyObject *o, unsigned long long *out) {
  PyObject *i;
  if (PyLong_CheckExact(o)) { Py_INCREF(o); i = o; }
  else if ((PyLong_Check(o) && !PyBool_Check(o)) || PyArray_IsScalar(o, Integer)) {
    i = PyNumber_Index(o);
    if (i == NULL) { PyErr_Clear(); return 0; }
  } else {
    return 0;
  }
  unsigned long long v = PyLong_AsUnsignedLongLong(i);
  Py_DECREF(i);
  if (v == (unsigned long long)-1 && PyErr_Occurred()) { PyErr_Clear(); return 0; }
  *out = v;
  return 1;
}

/* A float, an int (not bool), or a numpy float or integer; f32 must not overflow float32. */
static inline int hg_arg_double(PyObject *o, int single, double *out) {
  double v;
  if (PyFloat_CheckExact(o)) v = PyFloat_AS_DOUBLE(o);
  else if ((PyLong_Check(o) && !PyBool_Check(o)) || PyFloat_Check(o)
           || PyArray_IsScalar(o, Floating) || PyArray_IsScalar(o, Integer)) {
    v = PyFloat_AsDouble(o);
    if (v == -1.0 && PyErr_Occurred()) { PyErr_Clear(); return 0; }
  } else {
    return 0;
  }
  if (single && isfinite(v) && fabs(v) > FLT_MAX) return 0;
  *out = v;
  return 1;
}

static inline int hg_arg_bool(PyObject *o, bool *out) {
  if (o == Py_True) { *out = 1; return 1; }
  if (o == Py_False) { *out = 0; return 1; }
  if (PyArray_IsScalar(o, Bool)) { *out = PyObject_IsTrue(o) == 1; return 1; }
  return 0;
}

/* grid=: the only keyword; a non-negative int below 2**63. -1: not given. */
static inline int hg_arg_grid(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                              long long *grid) {
  *grid = -1;
  if (kwnames == NULL) return 1;
  if (PyTuple_GET_SIZE(kwnames) != 1) return 0;
  PyObject *key = PyTuple_GET_ITEM(kwnames, 0);
  if (!PyUnicode_Check(key) || PyUnicode_CompareWithASCIIString(key, "grid") != 0) return 0;
  PyObject *g = args[nargs];
  if (g == Py_None) return 1;
  return hg_arg_int(g, 0, INT64_MAX, grid);
}

/* Python's // and % on int64; 0: not computable here (division by zero, overflow). */
static inline int hg_floordiv(int64_t a, int64_t b, int64_t *r) {
  if (b == 0 || (a == INT64_MIN && b == -1)) return 0;
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q -= 1;
  *r = q;
  return 1;
}
static inline int hg_mod(int64_t a, int64_t b, int64_t *r) {
  if (b == 0) return 0;
  if (b == -1) { *r = 0; return 1; }
  int64_t m = a % b;
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  *r = m;
  return 1;
}

static PyObject *hg_fallbacks[HG_KERNEL_COUNT];

static PyObject *hg_set_fallback(PyObject *self, PyObject *args) {
  int i;
  PyObject *fn;
  if (!PyArg_ParseTuple(args, "iO", &i, &fn)) return NULL;
  if (i < 0 || i >= HG_KERNEL_COUNT) { PyErr_SetString(PyExc_IndexError, "no such kernel"); return NULL; }
  Py_INCREF(fn);
  Py_XSETREF(hg_fallbacks[i], fn);
  Py_RETURN_NONE;
}
"""


class _GridC(ast.NodeVisitor):
    """C statements computing a grid expression over the scalar parameters in int64, each step
    checked (Python's integers do not overflow: a step that would is 'not computable')."""

    def __init__(self, scalars: dict[str, str]):
        self.scalars = scalars
        self.lines: list[str] = []
        self.count = 0

    def value(self, node: ast.AST) -> str:
        if isinstance(node, ast.Name):
            if node.id not in self.scalars:
                raise ValueError(f"'{node.id}' is not an integer scalar parameter")
            return self.scalars[node.id]
        if isinstance(node, ast.Constant) and type(node.value) is int:
            if not -(2**63) < node.value < 2**63:
                raise ValueError(f"constant {node.value} does not fit int64")
            return f"INT64_C({node.value})"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
            return self.value(node.operand)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.value(node.operand)
            return self.step(f"__builtin_sub_overflow(INT64_C(0), {inner}, &{{r}})")
        if isinstance(node, ast.BinOp):
            lhs, rhs = self.value(node.left), self.value(node.right)
            ops = {ast.Add: "__builtin_add_overflow", ast.Sub: "__builtin_sub_overflow",
                   ast.Mult: "__builtin_mul_overflow"}
            if type(node.op) in ops:
                return self.step(f"{ops[type(node.op)]}({lhs}, {rhs}, &{{r}})")
            if isinstance(node.op, ast.FloorDiv):
                return self.step(f"!hg_floordiv({lhs}, {rhs}, &{{r}})")
            if isinstance(node.op, ast.Mod):
                return self.step(f"!hg_mod({lhs}, {rhs}, &{{r}})")
        raise ValueError(f"unsupported construct in grid expression: {ast.dump(node)}")

    def step(self, failing_call: str) -> str:
        self.count += 1
        r = f"g{self.count}"
        self.lines.append(f"int64_t {r}; if ({failing_call.format(r=r)}) return 0;")
        return r


def grid_c_function(spec: KernelSpec, index: int) -> tuple[str, str] | None:
    """`static int hg_grid_<i>(int64_t p..., int64_t *out)` (1: computed, 0: not computable)
    and the call's argument list, or None when the kernel has no usable inferred grid."""
    if spec.grid is None:
        return None
    scalars = {n: f"s{i}" for i, (n, t) in enumerate(zip(spec.param_names, spec.param_types))
               if t in ("i32", "u32", "i64", "u64")}
    used = [n for n in scalars if n in {x.id for x in ast.walk(ast.parse(spec.grid.strip(),
                                                                          mode="eval"))
                                        if isinstance(x, ast.Name)}]
    gen = _GridC({n: f"v_{scalars[n]}" for n in used})
    try:
        result = gen.value(ast.parse(spec.grid.strip(), mode="eval").body)
    except (SyntaxError, ValueError):
        return None
    params = ", ".join([f"int64_t v_{scalars[n]}" for n in used] + ["int64_t *out"])
    body = "\n  ".join(gen.lines + [f"*out = {result};", "return 1;"])
    fn = f"static inline int hg_grid_{index}({params}) {{\n  {body}\n}}\n"
    return fn, ", ".join(scalars[n] for n in used)


def _launcher(spec: KernelSpec, index: int) -> str:
    lines: list[str] = []
    out = lines.append
    call_args: list[str] = []
    int64_ok: dict[str, str] = {}  # scalar local -> condition under which it fits int64
    n = len(spec.param_types)
    grid_fn = grid_c_function(spec, index)
    if grid_fn is not None:
        lines.append(grid_fn[0])
    out(f"static int hg_run_{index}(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {{")
    out(f"  if (nargs != {n}) return 0;")
    out("  long long grid_arg;")
    out("  if (!hg_arg_grid(args, nargs, kwnames, &grid_arg)) return 0;")
    for i, t in enumerate(spec.param_types):
        if t.endswith("[]"):
            npy, c = _ARRAY_TYPES[t[:-2]]
            written = int(i in spec.written)
            out(f"  void *p{i}; npy_intp n{i};")
            out(f"  if (!hg_arg_array(args[{i}], {npy}, {written}, &p{i}, &n{i})) return 0;")
            call_args.append(f"({c} *)p{i}")
        elif t in _INT_RANGES:
            lo, hi, c = _INT_RANGES[t]
            out(f"  long long s{i};")
            out(f"  if (!hg_arg_int(args[{i}], {lo}, {hi}, &s{i})) return 0;")
            call_args.append(f"({c})s{i}")
            int64_ok[f"s{i}"] = "1"
        elif t == "u64":
            out(f"  unsigned long long s{i};")
            out(f"  if (!hg_arg_u64(args[{i}], &s{i})) return 0;")
            call_args.append(f"(uint64_t)s{i}")
            int64_ok[f"s{i}"] = f"s{i} <= (unsigned long long)INT64_MAX"
        elif t in ("f32", "f64"):
            out(f"  double s{i};")
            out(f"  if (!hg_arg_double(args[{i}], {int(t == 'f32')}, &s{i})) return 0;")
            call_args.append(f"({'float' if t == 'f32' else 'double'})s{i}")
        elif t == "bool":
            out(f"  bool s{i};")
            out(f"  if (!hg_arg_bool(args[{i}], &s{i})) return 0;")
            call_args.append(f"s{i}")
        else:
            raise ValueError(f"kernel '{spec.name}': unknown parameter type {t}")
    out("  int64_t grid, bound;")
    if grid_fn is None:
        out("  if (grid_arg < 0) return 0;  /* no inferred grid: grid= is needed */")
        out("  grid = bound = grid_arg;")
    else:
        used = [a for a in grid_fn[1].split(", ") if a]
        fits = " && ".join(int64_ok[a] for a in used if int64_ok[a] != "1") or "1"
        values = ", ".join([f"(int64_t){a}" for a in used] + ["&inferred"])
        out("  int64_t inferred;")
        out(f"  int have = ({fits}) && hg_grid_{index}({values});")
        out("  if (grid_arg < 0) {")
        out("    if (!have || inferred < 0) return 0;")
        out("    grid = bound = inferred;")
        out("  } else {")
        out("    grid = bound = grid_arg;")
        if spec.length_checked:
            # Under the guard `idx < E`, ids at or beyond E touch no memory.
            out("    if (have && inferred < bound) bound = inferred < 0 ? 0 : inferred;")
        out("  }")
    for i in spec.length_checked:
        out(f"  if (n{i} < bound) return 0;")
    call = f"{spec.symbol}({', '.join([*call_args, 'grid'])});"
    out(f"  if (grid >= {RELEASE_GIL_FROM}) {{")
    out(f"    Py_BEGIN_ALLOW_THREADS {call} Py_END_ALLOW_THREADS")
    out(f"  }} else {{\n    {call}\n  }}")
    out("  return 1;")
    out("}")
    out(f"static PyObject *hg_launch_{index}(PyObject *self, PyObject *const *args, "
        "size_t nargsf, PyObject *kwnames) {")
    out("  Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);")
    out(f"  if (hg_run_{index}(args, nargs, kwnames)) Py_RETURN_NONE;")
    out(f"  if (hg_fallbacks[{index}] == NULL) {{")
    out(f"    PyErr_SetString(PyExc_RuntimeError, \"kernel '{spec.name}': no fallback set\");")
    out("    return NULL;")
    out("  }")
    out(f"  return PyObject_Vectorcall(hg_fallbacks[{index}], args, nargs, kwnames);")
    out("}")
    out(f"static PyObject *hg_raw_{index}(PyObject *self, PyObject *const *args, "
        "size_t nargsf, PyObject *kwnames) {")
    out(f"  if (hg_run_{index}(args, PyVectorcall_NARGS(nargsf), kwnames)) Py_RETURN_NONE;")
    out("  Py_RETURN_NOTIMPLEMENTED;")
    out("}")
    return "\n".join(lines) + "\n"


def launcher_source(kernels: Sequence[KernelSpec], module_name: str) -> str:
    """The C of an extension module `module_name` with `launch_<i>`, `raw_<i>` for each kernel
    (in order) and `set_fallback`. It is appended to the kernels' own C translation unit."""
    parts = [_HELPERS.replace("HG_KERNEL_COUNT", str(max(len(kernels), 1)))]
    methods = []
    for i, spec in enumerate(kernels):
        parts.append(_launcher(spec, i))
        for kind in ("launch", "raw"):
            methods.append(f'  {{"{kind}_{i}", (PyCFunction)(void (*)(void))hg_{kind}_{i}, '
                           "METH_FASTCALL | METH_KEYWORDS, NULL},")
    methods.append('  {"set_fallback", hg_set_fallback, METH_VARARGS, NULL},')
    parts.append("static PyMethodDef hg_methods[] = {\n" + "\n".join(methods)
                 + "\n  {NULL, NULL, 0, NULL}\n};")
    parts.append(f"static struct PyModuleDef hg_module = {{PyModuleDef_HEAD_INIT, "
                 f'"{module_name}", NULL, -1, hg_methods}};')
    parts.append(f"PyMODINIT_FUNC PyInit_{module_name}(void) {{\n"
                 "  import_array();\n  return PyModule_Create(&hg_module);\n}\n")
    return "\n".join(parts)
