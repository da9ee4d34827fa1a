"""IR -> C99 with OpenMP: a table from op class to a small C snippet function.

`emit_c(module)` prints a whole translation unit: the prelude (includes, `declare simd`
declarations of the libm functions used, integer helpers with Python/MLIR semantics), then one C
function per `hologram.kernel` and per program `func.func`.

Each entry of `EMITTERS` is registered with `@emits(OpClass)` and writes C lines through the
`CEmitter` it is given; the modules `ops_*.py` next to this file hold the entries and are all
imported at the bottom. Conventions the snippets share:

* Every SSA value is a C local named after its name hint (`x_12`). Integers are stored in the
  signed C type of their width (`int32_t`, `int64_t` for `index`), `i1` in `bool`; operations
  that care about signedness cast explicitly (`(uint32_t)a < (uint32_t)b`), and wrapping
  arithmetic goes through the unsigned type, so nothing depends on `-fwrapv`.
* Kernel ABI: arrays are `T*` with T from the language type (`u32[]` -> `uint32_t*`), scalars
  their language C type, then a trailing `int64_t grid`.
* `#line N "file.py"` directives follow each op's `FileLineColLoc`, so compiler messages and
  debuggers land on the Python line.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ComplexType,
    FileLineColLoc,
    Float32Type,
    Float64Type,
    IndexType,
    IntegerType,
    MemRefType,
    ModuleOp,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue

from hologram.dialects.hologram import KernelOp
from hologram.frontend.errors import CompileError, SourceLocation


class EmitError(CompileError):
    """The C backend met IR it cannot print (an op without a table entry, an unsupported type)."""


# ------------------------------------------------------------------------------------------------
# The table
# ------------------------------------------------------------------------------------------------
Snippet = Callable[["CEmitter", Operation], None]
EMITTERS: dict[type[Operation], Snippet] = {}
_F = TypeVar("_F", bound=Snippet)


def emits(*op_types: type[Operation]) -> Callable[[_F], _F]:
    """Register a snippet function for one or more op classes."""

    def register(fn: _F) -> _F:
        for op_type in op_types:
            EMITTERS[op_type] = fn
        return fn

    return register


# ------------------------------------------------------------------------------------------------
# Types
# ------------------------------------------------------------------------------------------------
# The C type of a language type (param_types), used at the kernel ABI.
LANG_CTYPES = {
    "f32": "float", "f64": "double", "i32": "int32_t", "u32": "uint32_t", "i64": "int64_t",
    "u64": "uint64_t", "bool": "bool", "c64": "float _Complex", "c128": "double _Complex",
}


def ctype(t: Attribute) -> str:
    """The C storage type of an IR type (integers signed, `i1` bool, `index` int64_t)."""
    if isinstance(t, IndexType):
        return "int64_t"
    if isinstance(t, Float32Type):
        return "float"
    if isinstance(t, Float64Type):
        return "double"
    if isinstance(t, ComplexType):
        part = ctype(t.element_type)
        if part not in ("float", "double"):
            raise EmitError(f"the C backend has no C type for {t} (complex parts are f32 or f64)")
        return f"{part} _Complex"
    if isinstance(t, IntegerType):
        width = t.width.data
        if width == 1:
            return "bool"
        if width in (8, 16, 32, 64):
            return f"int{width}_t"
    if isinstance(t, MemRefType):
        return ctype(t.get_element_type()) + "*"
    raise EmitError(f"the C backend has no C type for {t}")


def utype(t: Attribute) -> str:
    """The unsigned C type of the same width (for wrapping arithmetic and unsigned ops)."""
    c = ctype(t)
    if c == "bool":
        return "bool"
    if c.startswith("int"):
        return "u" + c
    raise EmitError(f"{t} is not an integer type")


def int_width(t: Attribute) -> int:
    if isinstance(t, IndexType):
        return 64
    assert isinstance(t, IntegerType), t
    return t.width.data


# ------------------------------------------------------------------------------------------------
# Names
# ------------------------------------------------------------------------------------------------
_C_IDENT = re.compile(r"[^A-Za-z0-9_]")


def _sanitize(name: str) -> str:
    name = _C_IDENT.sub("_", name)
    return name if name and not name[0].isdigit() else f"_{name}"


def c_symbol(op: Operation) -> str:
    """The mangled C name of a kernel or program function: `hg_<name>_<hash8>`.

    The hash covers the source file and the name, so a kernel called `exp` never collides with
    libm and two files' `relu` never collide with each other.
    """
    if isinstance(op, KernelOp):
        name = op.kernel_name
        source = op.source.data if op.source is not None else ""
    elif isinstance(op, func.FuncOp):
        name = op.sym_name.data
        source = "func"
    else:
        raise TypeError(f"c_symbol: {op.name} is neither a kernel nor a func.func")
    digest = hashlib.sha256(f"{source}\0{name}".encode()).hexdigest()[:8]
    return f"hg_{_sanitize(name)}_{digest}"


# ------------------------------------------------------------------------------------------------
# The prelude
# ------------------------------------------------------------------------------------------------
# float functions glibc's libmvec has vector variants of (x86_64, glibc >= 2.35); the double
# names are these without the trailing `f`.
# (gcc 12 can crash, an internal compiler error in cddce, on a simd loop calling the `declare
# simd` powf with constant exponents; builder.py then rebuilds without these declarations.)
LIBMVEC_FLOAT = frozenset(
    "acosf acoshf asinf asinhf atan2f atanf atanhf cbrtf cosf coshf erfcf erff exp10f exp2f "
    "expf expm1f hypotf log10f log1pf log2f logf powf sinf sinhf tanf tanhf".split()
)
LIBMVEC_DOUBLE = frozenset(n[:-1] for n in LIBMVEC_FLOAT)
_ARITY2 = {"atan2", "hypot", "pow"}
# The simd declarations sit between these lines, so a build can drop them (see builder.py).
SIMD_BEGIN = "/* hologram: vector math declarations */"
SIMD_END = "/* hologram: end of vector math declarations */"


def without_simd_declarations(c_source: str) -> str:
    """The same C without the `declare simd` block (scalar libm calls only)."""
    start, end = c_source.find(SIMD_BEGIN), c_source.find(SIMD_END)
    if start < 0 or end < 0:
        return c_source
    return c_source[:start] + c_source[end + len(SIMD_END):]

_INCLUDES = """\
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <math.h>
#include <complex.h>
#ifndef CMPLXF
#define CMPLXF(x, y) __builtin_complex((float)(x), (float)(y))
#define CMPLX(x, y) __builtin_complex((double)(x), (double)(y))
#endif
#ifdef _OPENMP
#include <omp.h>
#endif
"""

# Complex functions C99 lacks, and sign. Each is exact at the special values the array API
# (C99 Annex G) fixes and accurate near 0, where `cexp(z) - 1` and `clog(1 + z)` would cancel.
_COMPLEX_HELPERS = """\
/* expm1(x + iy) = expm1(x) cos(y) - 2 sin^2(y/2) + i e^x sin(y) near 0; cexp(z) - 1 elsewhere
   (and at 0, where this gives +0 + 0i for -0 too, and for infinities and NaN). */
static inline {T} _Complex hg_cexpm1{F}({T} _Complex z) {{
  {T} x = creal{F}(z), y = cimag{F}(z);
  if (fabs{F}(x) < ({T})1 && fabs{F}(y) < ({T})1 && (x != 0 || y != 0)) {{
    {T} s = sin{F}(y * ({T})0.5);
    return {C}(expm1{F}(x) * cos{F}(y) - ({T})2 * s * s, exp{F}(x) * sin{F}(y));
  }}
  {T} _Complex w = cexp{F}(z);
  return {C}(creal{F}(w) - ({T})1, cimag{F}(w));
}}
/* log1p(z) = log|1 + z| + i arg(1 + z), with log|1 + z| = log1p(x (2 + x) + y^2) / 2 near 0;
   clog(1 + z) elsewhere (its special values are log1p's). */
static inline {T} _Complex hg_clog1p{F}({T} _Complex z) {{
  {T} x = creal{F}(z), y = cimag{F}(z);
  if (fabs{F}(x) < ({T})0.5 && fabs{F}(y) < ({T})0.5)
    return {C}(({T})0.5 * log1p{F}(x * (({T})2 + x) + y * y), atan2{F}(y, ({T})1 + x));
  return clog{F}(({T})1 + z);
}}
/* log2, log10: clog's parts divided by log(base), so the special values are clog's. */
static inline {T} _Complex hg_clog2{F}({T} _Complex z) {{
  {T} _Complex w = clog{F}(z);
  return {C}(creal{F}(w) / ({T})0.69314718055994530942, cimag{F}(w) / ({T})0.69314718055994530942);
}}
static inline {T} _Complex hg_clog10{F}({T} _Complex z) {{
  {T} _Complex w = clog{F}(z);
  return {C}(creal{F}(w) / ({T})2.30258509299404568402, cimag{F}(w) / ({T})2.30258509299404568402);
}}
/* sign(z) = z / |z|: 0 for 0, NaN for a NaN part; an infinite part gives its direction. */
static inline {T} _Complex hg_csign{F}({T} _Complex z) {{
  {T} x = creal{F}(z), y = cimag{F}(z);
  if (x == 0 && y == 0) return {C}(0, 0);
  if (isnan(x) || isnan(y)) return {C}(NAN, NAN);
  if (isinf(x) || isinf(y)) {{
    x = isinf(x) ? copysign{F}(1, x) : copysign{F}(0, x);
    y = isinf(y) ? copysign{F}(1, y) : copysign{F}(0, y);
  }}
  {T} r = hypot{F}(x, y);
  return {C}(x / r, y / r);
}}
"""

_INT_HELPERS = """\
/* Integer ops with Python/numpy semantics and no undefined behaviour: x / 0 and x % 0 are 0
   (as numpy gives), MIN / -1 wraps, shifts by >= width give 0 (or the sign). */
static inline {T} hg_divsi{W}({T} a, {T} b) {{
  if (b == 0) return 0;
  if (b == -1) return ({T})(0 - ({U})a);
  return a / b;
}}
static inline {T} hg_remsi{W}({T} a, {T} b) {{
  if (b == 0 || b == -1) return 0;
  return a % b;
}}
static inline {T} hg_floordivsi{W}({T} a, {T} b) {{
  if (b == 0) return 0;
  if (b == -1) return ({T})(0 - ({U})a);
  {T} q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q -= 1;
  return q;
}}
static inline {T} hg_ceildivsi{W}({T} a, {T} b) {{
  if (b == 0) return 0;
  if (b == -1) return ({T})(0 - ({U})a);
  {T} q = a / b;
  if ((a % b != 0) && ((a < 0) == (b < 0))) q += 1;
  return q;
}}
static inline {T} hg_divui{W}({T} a, {T} b) {{ return b == 0 ? 0 : ({T})(({U})a / ({U})b); }}
static inline {T} hg_remui{W}({T} a, {T} b) {{ return b == 0 ? 0 : ({T})(({U})a % ({U})b); }}
static inline {T} hg_ceildivui{W}({T} a, {T} b) {{
  if (b == 0) return 0;
  {U} q = ({U})a / ({U})b;
  return ({T})((({U})a % ({U})b != 0) ? q + 1 : q);
}}
static inline {T} hg_shli{W}({T} a, {T} b) {{ return ({U})b >= {W} ? 0 : ({T})(({U})a << ({U})b); }}
static inline {T} hg_shrui{W}({T} a, {T} b) {{ return ({U})b >= {W} ? 0 : ({T})(({U})a >> ({U})b); }}
static inline {T} hg_shrsi{W}({T} a, {T} b) {{
  if (({U})b >= {W}) return a < 0 ? -1 : 0;
  return a >> b;  /* arithmetic shift: what gcc and clang do for signed values */
}}
static inline {T} hg_ipowi{W}({T} a, {T} b) {{
  if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b & 1) ? -1 : 1) : 0);
  {U} r = 1, x = ({U})a, e = ({U})b;
  while (e) {{ if (e & 1) r *= x; x *= x; e >>= 1; }}
  return ({T})r;
}}
static inline {T} hg_fptosi{W}_f64(double x) {{
  /* In range: truncate like C. Outside: wrap like Python's int() then the cast (through
     int64); NaN and beyond int64 give the minimum, as x86 does. */
  if (x > -9223372036854775808.0 && x < 9223372036854775808.0) return ({T})({U})(int64_t)x;
  return ({T})(({U})1 << ({W} - 1));
}}
static inline {T} hg_fptoui{W}_f64(double x) {{
  if (x > -9223372036854775808.0 && x < 9223372036854775808.0) return ({T})({U})(int64_t)x;
  if (x >= 9223372036854775808.0 && x < 18446744073709551616.0) return ({T})({U})(uint64_t)x;
  return 0;
}}
"""

_FLOAT_HELPERS = """\
/* arith.minimumf / maximumf: NaN in, NaN out; -0 is below +0. */
/* Branch-free (selects only), so that loops calling them vectorize. */
static inline {T} hg_minimumf_{S}({T} a, {T} b) {{
  {T} m = a < b ? a : b;
  m = a == b ? (signbit(a) ? a : b) : m;
  return (a != a || b != b) ? a + b : m;
}}
static inline {T} hg_maximumf_{S}({T} a, {T} b) {{
  {T} m = a > b ? a : b;
  m = a == b ? (signbit(a) ? b : a) : m;
  return (a != a || b != b) ? a + b : m;
}}
"""

_ALLOC_HELPERS = """\
/* Program buffers: 64-byte aligned (a cache line, an AVX-512 vector). */
static inline void *hg_alloc(int64_t bytes) {
  void *p = NULL;
  size_t n = bytes > 0 ? (size_t)bytes : 1;
  if (posix_memalign(&p, 64, n) != 0) {
    fprintf(stderr, "hologram: out of memory allocating %lld bytes\\n", (long long)bytes);
    abort();
  }
  return p;
}
"""


def simd_declarations(functions: Iterable[str]) -> str:
    """`#pragma omp declare simd notinbranch` declarations for the libm functions given.

    glibc declares its vector variants only under -ffast-math; repeating the declaration with
    the pragma lets gcc call libmvec (`_ZGVeN16v_expf`...) from simd loops without it.
    """
    out = [SIMD_BEGIN]
    for name in sorted(set(functions)):
        if name in LIBMVEC_FLOAT:
            base, t = name[:-1], "float"
        elif name in LIBMVEC_DOUBLE:
            base, t = name, "double"
        else:
            continue
        params = ", ".join([t] * (2 if base in _ARITY2 else 1))
        out.append(f"#pragma omp declare simd notinbranch\nextern {t} {name}({params});")
    out.append(SIMD_END)
    return "\n".join(out) + "\n"


def c_prelude(libm_functions: Iterable[str] | None = None) -> str:
    """The text every generated translation unit starts with.

    `libm_functions`: the libm names the code calls (`expf`, `tanhf`...); None declares every
    function libmvec has, which is what a hand-written C test of the vector math wants.
    """
    if libm_functions is None:
        libm_functions = sorted(LIBMVEC_FLOAT | LIBMVEC_DOUBLE)
    parts = [_INCLUDES, simd_declarations(libm_functions)]
    for width in (32, 64):
        parts.append(_INT_HELPERS.format(T=f"int{width}_t", U=f"uint{width}_t", W=width))
    parts.append(_FLOAT_HELPERS.format(T="float", S="f32"))
    parts.append(_FLOAT_HELPERS.format(T="double", S="f64"))
    parts.append(_COMPLEX_HELPERS.format(T="float", F="f", C="CMPLXF"))
    parts.append(_COMPLEX_HELPERS.format(T="double", F="", C="CMPLX"))
    parts.append(_ALLOC_HELPERS)
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------------
# The emitter
# ------------------------------------------------------------------------------------------------
class CEmitter:
    """State of one translation unit: value names, indentation, #line position, libm calls."""

    def __init__(self, line_directives: bool = True):
        self.lines: list[str] = []
        self.names: dict[SSAValue, str] = {}
        self.counter = 0
        self.depth = 0
        self.line_directives = line_directives
        self.position: tuple[str, int] | None = None  # what the next C line maps to
        self.libm: set[str] = set()
        # C element type of each memref value (u32[] params are uint32_t*, not int32_t*).
        self.elem_ctype: dict[SSAValue, str] = {}
        # Where yields of the region being printed assign: a stack of lists of C lvalues.
        self.yield_targets: list[list[str]] = []
        self.exit_label: str | None = None
        self.exit_used = False
        self.labels = 0
        self.grid_name = "hg_grid"
        self.global_id_name: str | None = None
        self.current_kernel: str = ""
        # Bounds-checked kernels (boundscheck.py): inside one, and whether its helper is out.
        self.bounds_checked = False
        self.bounds_helper = False

    # --- output -------------------------------------------------------------------------------
    def line(self, text: str) -> None:
        """Write one C line at the current indentation (a `#` directive goes unindented)."""
        for piece in text.split("\n"):
            if piece.startswith("#") and not piece.startswith("#pragma"):
                self.lines.append(piece)
                continue
            self.lines.append("  " * self.depth + piece)
            if self.position is not None:
                self.position = (self.position[0], self.position[1] + 1)

    def locate(self, op: Operation) -> None:
        """Point the following C lines at the op's Python line (a `#line` when it changes)."""
        loc = op.location
        if not self.line_directives or not isinstance(loc, FileLineColLoc):
            return
        where = (loc.filename.data, loc.line.data)
        if self.position == where:
            return
        escaped = where[0].replace("\\", "\\\\").replace('"', '\\"')
        self.lines.append(f'#line {where[1]} "{escaped}"')
        self.position = where

    def indented(self) -> _Indent:
        return _Indent(self)

    # --- values -------------------------------------------------------------------------------
    def name(self, value: SSAValue) -> str:
        known = self.names.get(value)
        if known is not None:
            return known
        name = self.new_name(value.name_hint or "v")
        self.names[value] = name
        return name

    def new_name(self, hint: str) -> str:
        self.counter += 1
        return f"{_sanitize(hint)}_{self.counter}"

    def alias(self, value: SSAValue, c_expr: str) -> None:
        """Make `value` print as an existing C name (block arguments, loop variables)."""
        self.names[value] = c_expr

    def fresh(self, hint: str) -> str:
        self.counter += 1
        return f"hg_{hint}_{self.counter}"

    def declare(self, value: SSAValue, expr: str) -> None:
        """`T name = expr;` for an op result."""
        self.line(f"{ctype(value.type)} {self.name(value)} = {expr};")

    def u(self, value: SSAValue) -> str:
        """The value cast to the unsigned type of its width."""
        return f"({utype(value.type)}){self.name(value)}"

    def call_libm(self, base: str, t: Attribute, *args: str) -> str:
        """`expf(x)` for f32, `exp(x)` for f64; remembers the name for the simd declarations."""
        if isinstance(t, Float32Type):
            fname = base + "f"
        elif isinstance(t, Float64Type):
            fname = base
        else:
            raise EmitError(f"math function {base} on non-float type {t}")
        self.libm.add(fname)
        return f"{fname}({', '.join(args)})"

    # --- ops ----------------------------------------------------------------------------------
    def error(self, op: Operation, message: str) -> EmitError:
        loc = op.location
        if isinstance(loc, FileLineColLoc):
            where = SourceLocation(loc.filename.data, loc.line.data, loc.column.data)
            return EmitError(message, where)
        return EmitError(message)

    def emit_op(self, op: Operation) -> None:
        for cls in type(op).__mro__:
            snippet = EMITTERS.get(cls)  # type: ignore[arg-type]
            if snippet is not None:
                self.locate(op)
                snippet(self, op)
                return
        raise self.error(op, f"the C backend cannot emit '{op.name}'")

    def emit_block(self, block: Block) -> None:
        for op in block.ops:
            self.emit_op(op)

    def emit_region(self, region: Region, yield_to: Sequence[str] = ()) -> None:
        """Print a single-block region whose terminator assigns its operands to `yield_to`."""
        self.yield_targets.append(list(yield_to))
        try:
            self.emit_block(region.block)
        finally:
            self.yield_targets.pop()

    def assign_yield(self, op: Operation, values: Sequence[SSAValue]) -> None:
        """A terminator's operands go to the C variables of the enclosing construct."""
        targets = self.yield_targets[-1] if self.yield_targets else []
        if len(targets) != len(values):
            raise self.error(op, f"{op.name} yields {len(values)} values, expected {len(targets)}")
        if len(values) == 1:
            self.line(f"{targets[0]} = {self.name(values[0])};")
            return
        # Several loop-carried values may swap: read all before writing any.
        temps = []
        for value in values:
            temp = self.fresh("y")
            self.line(f"{ctype(value.type)} {temp} = {self.name(value)};")
            temps.append(temp)
        for target, temp in zip(targets, temps, strict=True):
            self.line(f"{target} = {temp};")


class _Indent:
    def __init__(self, emitter: CEmitter):
        self.emitter = emitter

    def __enter__(self) -> None:
        self.emitter.depth += 1

    def __exit__(self, *exc: object) -> None:
        self.emitter.depth -= 1


# ------------------------------------------------------------------------------------------------
# Translation units
# ------------------------------------------------------------------------------------------------
def emit_functions(module: ModuleOp, line_directives: bool = True) -> tuple[str, set[str]]:
    """The C functions of a module (no prelude) and the libm functions they call."""
    emitter = CEmitter(line_directives)
    for op in module.ops:
        emitter.emit_op(op)
    return "\n".join(emitter.lines), emitter.libm


def emit_c(module: ModuleOp, line_directives: bool = True) -> str:
    """The whole C translation unit for a module of kernels and program functions."""
    body, libm = emit_functions(module, line_directives)
    # A #line at the top of the functions would otherwise leave the prelude mis-attributed.
    return c_prelude(libm) + "\n" + body


def function_signatures(module: ModuleOp) -> list[str]:
    """cffi `cdef` declarations of every kernel and program function of the module."""
    from hologram.backends.c.ops_hologram import func_signature, grid_signature, kernel_signature

    out = []
    for op in module.ops:
        if isinstance(op, KernelOp):
            out.append(kernel_signature(op, with_names=False) + ";")
            if op.grid_region is not None:
                out.append(grid_signature(op) + ";")
        elif isinstance(op, func.FuncOp) and not op.is_declaration:
            out.append(func_signature(op, with_names=False) + ";")
    return out


def _import_op_modules() -> None:
    package = __name__.rsplit(".", 1)[0]
    path = importlib.import_module(package).__path__
    for info in sorted(pkgutil.iter_modules(path), key=lambda m: m.name):
        if info.name.startswith("ops_"):
            importlib.import_module(f"{package}.{info.name}")


_import_op_modules()
