"""The launch path in C: a CPython extension module whose functions check a kernel's arguments
and call it, so a launch costs one C call.

    text = launcher_source(c_source, kernels, "MODULE")   # the kernels' C + one launcher each
    mod.launch_0(x, y, out, n)            # checks, then hg_vector_add_1234abcd(x, y, out, n, grid)
    mod.launch_0(x, y, out, n, grid=64)

Each kernel `i` gets `launch_<i>` (METH_FASTCALL): the arguments are checked in C (numpy
array, exact dtype in native byte order, C-contiguous, writeable if the kernel writes it;
integers in range, floats within f32 range, booleans; the grid, inferred or given; each
`a[idx]`-only array's length against the guard's bound), then the kernel runs, with the GIL
released from `RELEASE_GIL_FROM` ids or an array of `RELEASE_GIL_ELEMENTS` elements on. The C accepts exactly what the Python checks of
`hologram.runtime.Kernel` accept. When a check fails, nothing runs and the call is handed, as
it came, to the Python function registered with `set_fallback(i, fn)`, which explains the
failure as a `LaunchError` (or, for a value the C does not take directly, converts it and
calls `raw_<i>`, the same launcher that returns `NotImplemented` instead of falling back).

The inferred grid is the kernel's own C grid function (`<symbol>_grid`, emitted by the C backend
from the kernel's grid region) called on the converted scalars; `grid_<i>(*args)` exposes it to
Python. No xDSL here: the warm start generates nothing, and the build only needs the kernels'
signatures (`KernelSpec`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Below this many ids, and with no array of RELEASE_GIL_ELEMENTS elements, the GIL stays held:
# releasing it costs more than such a launch. A few ids may each loop over a large array (a
# blocked sum runs a few thousand ids over millions of elements): the array's length says so,
# and other Python threads (a Dask worker's communication) must not wait for that kernel.
RELEASE_GIL_FROM = 4096
RELEASE_GIL_ELEMENTS = 1 << 16
# Ids are u32, so a launch runs at most 2**32 ids (docs/language.md; `runtime._GRID_MAX`).
GRID_MAX = "INT64_C(4294967296)"

# numpy type number macro and C type of each language element type.
_ARRAY_TYPES = {
    "f32": ("NPY_FLOAT32", "float"), "f64": ("NPY_FLOAT64", "double"),
    "i32": ("NPY_INT32", "int32_t"), "u32": ("NPY_UINT32", "uint32_t"),
    "i64": ("NPY_INT64", "int64_t"), "u64": ("NPY_UINT64", "uint64_t"),
    "bool": ("NPY_BOOL", "bool"), "c64": ("NPY_COMPLEX64", "float _Complex"),
    "c128": ("NPY_COMPLEX128", "double _Complex"),
}
_INT_RANGES = {
    "i32": ("INT32_MIN", "INT32_MAX", "int32_t"), "u32": ("0", "UINT32_MAX", "uint32_t"),
    "i64": ("INT64_MIN", "INT64_MAX", "int64_t"),
}


@dataclass(frozen=True)
class KernelSpec:
    """What the launcher of one kernel needs: its C symbol, language types, which arrays it
    writes, which arrays need a length check (only accessed at `a[idx]`), and the C function of
    its inferred grid (`grid_symbol`, None when it has none: `no_grid` says why). `grid` is the
    inferred grid as text, for messages; `lineno` the kernel's line."""

    name: str
    symbol: str
    param_names: tuple[str, ...]
    param_types: tuple[str, ...]
    written: tuple[int, ...]
    length_checked: tuple[int, ...]
    grid_symbol: str | None
    grid: str | None
    no_grid: str | None
    lineno: int = 0
    boundscheck: bool = False  # the kernel takes `int64_t *hg_len, int64_t *hg_err` too

    def to_json(self) -> dict:
        return {"name": self.name, "symbol": self.symbol, "param_names": list(self.param_names),
                "param_types": list(self.param_types), "written": list(self.written),
                "length_checked": list(self.length_checked), "grid_symbol": self.grid_symbol,
                "grid": self.grid, "no_grid": self.no_grid, "lineno": self.lineno,
                "boundscheck": self.boundscheck}

    @classmethod
    def from_json(cls, data: dict) -> KernelSpec:
        return cls(str(data["name"]), str(data["symbol"]),
                   tuple(str(n) for n in data["param_names"]),
                   tuple(str(t) for t in data["param_types"]),
                   tuple(int(i) for i in data["written"]),
                   tuple(int(i) for i in data["length_checked"]), _text(data["grid_symbol"]),
                   _text(data["grid"]), _text(data["no_grid"]), int(data["lineno"]),
                   bool(data["boundscheck"]))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


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

/* A complex, float or int (not bool), Python's or numpy's; c64's parts must not overflow
   float32. */
static inline int hg_arg_complex(PyObject *o, int single, double *re, double *im) {
  if ((PyLong_Check(o) && !PyBool_Check(o)) || PyFloat_Check(o) || PyComplex_Check(o)
      || PyArray_IsScalar(o, Floating) || PyArray_IsScalar(o, Integer)
      || PyArray_IsScalar(o, ComplexFloating)) {
    Py_complex c = PyComplex_AsCComplex(o);
    if (c.real == -1.0 && PyErr_Occurred()) { PyErr_Clear(); return 0; }
    if (single && ((isfinite(c.real) && fabs(c.real) > FLT_MAX)
                   || (isfinite(c.imag) && fabs(c.imag) > FLT_MAX))) return 0;
    *re = c.real;
    *im = c.imag;
    return 1;
  }
  return 0;
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

static PyObject *hg_fallbacks[HG_KERNEL_COUNT];
static PyObject *hg_bounds_errors[HG_KERNEL_COUNT];

/* set_fallback(i, refused, bounds_error): refused(*args, **kw) explains a refused call;
   bounds_error(record) makes the exception of a bounds-checked launch that stopped. */
static PyObject *hg_set_fallback(PyObject *self, PyObject *args) {
  int i;
  PyObject *fn, *bounds = Py_None;
  if (!PyArg_ParseTuple(args, "iO|O", &i, &fn, &bounds)) return NULL;
  if (i < 0 || i >= HG_KERNEL_COUNT) { PyErr_SetString(PyExc_IndexError, "no such kernel"); return NULL; }
  Py_INCREF(fn);
  Py_XSETREF(hg_fallbacks[i], fn);
  Py_INCREF(bounds);
  Py_XSETREF(hg_bounds_errors[i], bounds);
  Py_RETURN_NONE;
}

/* A bounds-checked launch recorded an access out of bounds: raise what bounds_error makes. */
static int hg_raise_bounds(int i, const int64_t *err) {
  PyObject *record = Py_BuildValue("(LLLLLL)", (long long)err[0], (long long)err[1],
                                   (long long)err[2], (long long)err[3], (long long)err[4],
                                   (long long)err[5]);
  if (record == NULL) return -1;
  if (hg_bounds_errors[i] == NULL || hg_bounds_errors[i] == Py_None) {
    PyErr_SetString(PyExc_IndexError, "kernel array index out of bounds");
    Py_DECREF(record);
    return -1;
  }
  PyObject *exc = PyObject_CallOneArg(hg_bounds_errors[i], record);
  Py_DECREF(record);
  if (exc == NULL) return -1;
  PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
  Py_DECREF(exc);
  return -1;
}
"""


def _convert(spec: KernelSpec, out: Callable[[str], None]) -> tuple[list[str], list[str]]:
    """C statements that convert each argument (`return 0` when one is refused); the kernel's
    call arguments and the grid function's (its scalars, in order)."""
    call_args: list[str] = []
    scalar_args: list[str] = []
    for i, t in enumerate(spec.param_types):
        if t.endswith("[]"):
            npy, c = _ARRAY_TYPES[t[:-2]]
            written = int(i in spec.written)
            out(f"  void *p{i}; npy_intp n{i};")
            out(f"  if (!hg_arg_array(args[{i}], {npy}, {written}, &p{i}, &n{i})) return 0;")
            call_args.append(f"({c} *)p{i}")
            continue
        if t in _INT_RANGES:
            lo, hi, c = _INT_RANGES[t]
            out(f"  long long s{i};")
            out(f"  if (!hg_arg_int(args[{i}], {lo}, {hi}, &s{i})) return 0;")
            value = f"({c})s{i}"
        elif t == "u64":
            out(f"  unsigned long long s{i};")
            out(f"  if (!hg_arg_u64(args[{i}], &s{i})) return 0;")
            value = f"(uint64_t)s{i}"
        elif t in ("f32", "f64"):
            out(f"  double s{i};")
            out(f"  if (!hg_arg_double(args[{i}], {int(t == 'f32')}, &s{i})) return 0;")
            value = f"({'float' if t == 'f32' else 'double'})s{i}"
        elif t in ("c64", "c128"):
            single = t == "c64"
            out(f"  double s{i}r, s{i}i;")
            out(f"  if (!hg_arg_complex(args[{i}], {int(single)}, &s{i}r, &s{i}i)) return 0;")
            value = f"{'CMPLXF' if single else 'CMPLX'}(s{i}r, s{i}i)"
        elif t == "bool":
            out(f"  bool s{i};")
            out(f"  if (!hg_arg_bool(args[{i}], &s{i})) return 0;")
            value = f"s{i}"
        else:
            raise ValueError(f"kernel '{spec.name}': unknown parameter type {t}")
        call_args.append(value)
        scalar_args.append(value)
    return call_args, scalar_args


def _launcher(spec: KernelSpec, index: int) -> str:
    lines: list[str] = []
    out = lines.append
    n = len(spec.param_types)
    grid_call = None
    # 1: ran; 0: refused (nothing ran); -1: a bounds-checked launch stopped (exception set).
    out(f"static int hg_run_{index}(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {{")
    out(f"  if (nargs != {n}) return 0;")
    out("  long long grid_arg;")
    out("  if (!hg_arg_grid(args, nargs, kwnames, &grid_arg)) return 0;")
    call_args, scalar_args = _convert(spec, out)
    out("  int64_t grid, bound;")
    if spec.grid_symbol is None:
        out("  if (grid_arg < 0) return 0;  /* no inferred grid: grid= is needed */")
        out("  grid = bound = grid_arg;")
    else:
        grid_call = f"{spec.grid_symbol}({', '.join(scalar_args)})"
        out(f"  int64_t inferred = {grid_call};")
        out("  if (grid_arg < 0) {")
        out(f"    if (inferred < 0 || inferred > {GRID_MAX}) return 0;")
        out("    grid = bound = inferred;")
        out("  } else {")
        out("    grid = bound = grid_arg;")
        if spec.length_checked:
            # Under the guard `idx < E`, ids at or beyond E touch no memory.
            # (-1: the bound wrapped for these arguments, so it says nothing: keep the grid)
            out("    if (inferred >= 0 && inferred < bound) bound = inferred;")
        out("  }")
    out(f"  if (grid > {GRID_MAX}) return 0;")
    for i in spec.length_checked:
        out(f"  if (n{i} < bound) return 0;")
    extra = []
    if spec.boundscheck:
        # Each parameter's element count by position, and the error record (boundscheck.py).
        lengths = ", ".join(f"(int64_t)n{i}" if t.endswith("[]") else "0"
                            for i, t in enumerate(spec.param_types))
        out(f"  int64_t hg_len[{max(n, 1)}] = {{{lengths or '0'}}};")
        out("  int64_t hg_err[6] = {0, 0, 0, 0, 0, 0};")
        extra = ["hg_len", "hg_err"]
    call = f"{spec.symbol}({', '.join([*call_args, 'grid', *extra])});"
    big = " || ".join(f"n{i} >= {RELEASE_GIL_ELEMENTS}" for i, t in enumerate(spec.param_types)
                      if t.endswith("[]"))
    out(f"  if (grid >= {RELEASE_GIL_FROM}{' || ' + big if big else ''}) {{")
    out(f"    Py_BEGIN_ALLOW_THREADS {call} Py_END_ALLOW_THREADS")
    out(f"  }} else {{\n    {call}\n  }}")
    if spec.boundscheck:
        out(f"  if (hg_err[0]) return hg_raise_bounds({index}, hg_err);")
    out("  return 1;")
    out("}")
    out(f"static PyObject *hg_launch_{index}(PyObject *self, PyObject *const *args, "
        "size_t nargsf, PyObject *kwnames) {")
    out("  Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);")
    out(f"  int ran = hg_run_{index}(args, nargs, kwnames);")
    out("  if (ran < 0) return NULL;")
    out("  if (ran) Py_RETURN_NONE;")
    out(f"  if (hg_fallbacks[{index}] == NULL) {{")
    out(f"    PyErr_SetString(PyExc_RuntimeError, \"kernel '{spec.name}': no fallback set\");")
    out("    return NULL;")
    out("  }")
    out(f"  return PyObject_Vectorcall(hg_fallbacks[{index}], args, nargs, kwnames);")
    out("}")
    out(f"static PyObject *hg_raw_{index}(PyObject *self, PyObject *const *args, "
        "size_t nargsf, PyObject *kwnames) {")
    out(f"  int ran = hg_run_{index}(args, PyVectorcall_NARGS(nargsf), kwnames);")
    out("  if (ran < 0) return NULL;")
    out("  if (ran) Py_RETURN_NONE;")
    out("  Py_RETURN_NOTIMPLEMENTED;")
    out("}")
    # grid_<i>(*args): the inferred grid for these arguments (None: no grid, or an argument the
    # launcher would refuse), for the Python side's messages.
    out(f"static int hg_grid_of_{index}(PyObject *const *args, Py_ssize_t nargs, int64_t *g) {{")
    out(f"  if (nargs != {n}) return 0;")
    if grid_call is None:
        out("  return 0;")
    else:
        _convert(spec, out)
        out(f"  *g = {grid_call};")
        out("  return 1;")
    out("}")
    out(f"static PyObject *hg_grid_{index}(PyObject *self, PyObject *const *args, "
        "Py_ssize_t nargs) {")
    out("  int64_t g;")
    out(f"  if (!hg_grid_of_{index}(args, nargs, &g)) Py_RETURN_NONE;")
    out("  return PyLong_FromLongLong(g);")
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
        methods.append(f'  {{"grid_{i}", (PyCFunction)(void (*)(void))hg_grid_{i}, '
                       "METH_FASTCALL, NULL},")
    methods.append('  {"set_fallback", hg_set_fallback, METH_VARARGS, NULL},')
    parts.append("static PyMethodDef hg_methods[] = {\n" + "\n".join(methods)
                 + "\n  {NULL, NULL, 0, NULL}\n};")
    parts.append(f"static struct PyModuleDef hg_module = {{PyModuleDef_HEAD_INIT, "
                 f'"{module_name}", NULL, -1, hg_methods}};')
    parts.append(f"PyMODINIT_FUNC PyInit_{module_name}(void) {{\n"
                 "  import_array();\n  return PyModule_Create(&hg_module);\n}\n")
    return "\n".join(parts)
