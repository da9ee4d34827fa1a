"""Generic kernels: type variables in a kernel file, specialized per dtype before the frontend.

Two decorators, read from the source (the file is never run), expand into plain kernels:

    @generic(T=NUMERIC)                       # a kernel written once for several element types
    def fill(s: T, out: DeviceArray[T], n: u32): ...
        -> fill_f32, fill_f64, fill_i32, fill_i64, fill_u32, fill_u64

    @vectorize(T=NUMERIC)                     # a scalar function, numba's @vectorize
    def add(x, y):
        return x + y
        -> add_<T>(x0, x1, out, n)                   contiguous inputs, out[idx] = f(x0[idx], x1[idx])
           add_scalar_<T>(x0, s, out, n)             f(x0[idx], s)       (two inputs only)
           radd_scalar_<T>(x0, s, out, n)            f(s, x0[idx])       (two inputs only)
           add_strided_<T>(x0, x1, out, n, ndim, shape, st0, st1)
                                                     any rank: input k is read at
                                                     st_k[ndim] + sum_d i_d * st_k[d] (numpy
                                                     broadcasting with stride 0, views with
                                                     their strides, negative ones too)

Keyword arguments of the decorators (literals only):
  * a type variable and its types: `T=NUMERIC` (a set name of TYPE_SETS) or `T=(f32, f64)`.
    Several variables give every combination, named `name_<t1>_<t2>`.
  * a derived type: `A={"i32": "i64", "u32": "u64"}` maps the first variable's type (default:
    the same type), so `A` follows `T` without adding to the name (sums accumulate in `A`).
  * `@vectorize` only: `out=bool` (or a variable) is the element type of `out` (default: the
    first variable); `inputs=k` makes the first k parameters the array inputs and the rest
    scalar parameters of every kernel (they must be annotated); an input's annotation is its
    element type (default: the first variable).

A file's kernels compile in units: its plain kernels together, and each suffix (`f32`, `i64`)
of its generic ones together, so a float32 user never waits for the int64 kernels. Locations
stay the file's: the copies keep their original line numbers.
"""

from __future__ import annotations

import ast
import copy
import itertools
from dataclasses import dataclass, field

FLOATS = ("f32", "f64")
SIGNED = ("i32", "i64")
UNSIGNED = ("u32", "u64")
INTS = SIGNED + UNSIGNED
NUMERIC = FLOATS + INTS
COMPLEX = ("c64", "c128")
TYPE_SETS: dict[str, tuple[str, ...]] = {
    "FLOATS": FLOATS, "COMPLEX": COMPLEX, "SIGNED": SIGNED, "UNSIGNED": UNSIGNED, "INTS": INTS,
    "NUMERIC": NUMERIC, "ALL": NUMERIC + ("bool",), "BOOL": ("bool",),
    "INTEGRAL": INTS + ("bool",),
}
_TYPES = {"f32", "f64", "c64", "c128", "i32", "u32", "i64", "u64", "bool"}
DECORATORS = ("generic", "vectorize")


class GenericError(SyntaxError):
    """A malformed `@generic`/`@vectorize`: the message names the file and line."""


@dataclass
class Template:
    """One decorated function of a file and the kernels it expands to."""

    kind: str  # "generic" or "vectorize"
    node: ast.FunctionDef
    variables: list[tuple[str, tuple[str, ...]]]  # free type variables, in order
    derived: dict[str, dict[str, str]] = field(default_factory=dict)
    out: str | None = None
    inputs: int | None = None

    @property
    def name(self) -> str:
        return self.node.name

    def combos(self) -> list[tuple[str, ...]]:
        return list(itertools.product(*(types for _, types in self.variables)))

    def binding(self, combo: tuple[str, ...]) -> dict[str, str]:
        b = {var: t for (var, _), t in zip(self.variables, combo)}
        first = combo[0]
        for var, table in self.derived.items():
            b[var] = table.get(first, first)
        return b

    def kernel_names(self, combo: tuple[str, ...]) -> list[str]:
        sfx = "_".join(combo)
        if self.kind == "generic":
            return [f"{self.name}_{sfx}"]
        names = [f"{self.name}_{sfx}", f"{self.name}_strided_{sfx}"]
        if self.n_inputs() == 2:
            names += [f"{self.name}_scalar_{sfx}", f"r{self.name}_scalar_{sfx}"]
        return names

    def n_inputs(self) -> int:
        n = len(self.node.args.args)
        return n if self.inputs is None else self.inputs


def _fail(node: ast.AST, filename: str, message: str) -> GenericError:
    err = GenericError(f"{filename}:{getattr(node, 'lineno', 0)}: {message}")
    err.lineno = getattr(node, "lineno", None)
    return err


def _type_name(node: ast.expr, filename: str) -> str:
    name = node.id if isinstance(node, ast.Name) else (
        node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None)
    name = {"float": "f32", "int": "i32", "bool_": "bool"}.get(name, name)
    if name not in _TYPES:
        raise _fail(node, filename, f"unknown element type {ast.unparse(node)!r} "
                                    f"(one of {', '.join(sorted(_TYPES))})")
    return name


def _type_set(v: ast.expr, kind: str, var: str, filename: str) -> tuple[str, ...]:
    """`NUMERIC`, `(f32, f64)`, `FLOATS + SIGNED`."""
    if isinstance(v, ast.Name) and v.id in TYPE_SETS:
        return TYPE_SETS[v.id]
    if isinstance(v, ast.Tuple | ast.List):
        return tuple(_type_name(e, filename) for e in v.elts)
    if isinstance(v, ast.BinOp) and isinstance(v.op, ast.Add):
        return _type_set(v.left, kind, var, filename) + _type_set(v.right, kind, var, filename)
    raise _fail(v, filename, f"@{kind}: {var}= must be a type set ({', '.join(TYPE_SETS)}), "
                             "a tuple of types, a sum of those, or a dict")


def _template(fn: ast.FunctionDef, dec: ast.Call, kind: str, filename: str) -> Template:
    t = Template(kind, fn, [])
    for kw in dec.keywords:
        if kw.arg is None:
            raise _fail(dec, filename, f"@{kind}: **kwargs are not supported")
        v = kw.value
        if kind == "vectorize" and kw.arg == "inputs":
            if not (isinstance(v, ast.Constant) and isinstance(v.value, int)):
                raise _fail(v, filename, "@vectorize: inputs= must be an integer literal")
            t.inputs = v.value
        elif kind == "vectorize" and kw.arg == "out":
            t.out = v.id if isinstance(v, ast.Name) else _type_name(v, filename)
        elif isinstance(v, ast.Name | ast.Tuple | ast.List | ast.BinOp):
            t.variables.append((kw.arg, _type_set(v, kind, kw.arg, filename)))
        elif isinstance(v, ast.Dict):
            t.derived[kw.arg] = {_type_name(k, filename): _type_name(x, filename)
                                 for k, x in zip(v.keys, v.values, strict=True)}
        else:
            raise _fail(v, filename, f"@{kind}: {kw.arg}= must be a type set "
                                     f"({', '.join(TYPE_SETS)}), a tuple of types or a dict")
    if dec.args:
        raise _fail(dec, filename, f"@{kind}: give type variables by keyword, e.g. T=FLOATS")
    if not t.variables:
        raise _fail(dec, filename, f"@{kind}: no type variable (write e.g. T=FLOATS)")
    return t


def scan(tree: ast.Module, filename: str) -> tuple[list[ast.stmt], list[Template]]:
    """The file's statements without the decorated functions, and the templates."""
    plain: list[ast.stmt] = []
    templates: list[Template] = []
    for s in tree.body:
        dec = None
        if isinstance(s, ast.FunctionDef):
            for d in s.decorator_list:
                name = d.func if isinstance(d, ast.Call) else d
                name = name.id if isinstance(name, ast.Name) else getattr(name, "attr", None)
                if name in DECORATORS:
                    if not isinstance(d, ast.Call):
                        raise _fail(d, filename, f"@{name} needs its type variables, "
                                                 f"e.g. @{name}(T=FLOATS)")
                    dec = (d, name)
        if dec is None:
            plain.append(s)
            continue
        if len(s.decorator_list) != 1:
            raise _fail(s, filename, f"@{dec[1]} cannot be combined with other decorators")
        templates.append(_template(s, dec[0], dec[1], filename))
    return plain, templates


def names(tree: ast.Module, filename: str) -> dict[str, tuple[str, int]]:
    """Every specialized kernel name -> (its unit's suffix, the template's line)."""
    _, templates = scan(tree, filename)
    found = {}
    for t in templates:
        for combo in t.combos():
            for n in t.kernel_names(combo):
                found[n] = ("_".join(combo), t.node.lineno)
    return found


class _Substitute(ast.NodeTransformer):
    def __init__(self, binding: dict[str, str]):
        self.binding = binding

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id in self.binding:
            return ast.copy_location(ast.Name(self.binding[node.id], node.ctx), node)
        return node


def _specialize(node: ast.FunctionDef, binding: dict[str, str], name: str) -> ast.FunctionDef:
    fn = _Substitute(binding).visit(copy.deepcopy(node))
    fn.name = name
    fn.decorator_list = []
    return fn


def _located(code: str, at: ast.AST) -> ast.FunctionDef:
    fn = ast.parse(code).body[0]
    for n in ast.walk(fn):
        if "lineno" in n._attributes:
            n.lineno = n.end_lineno = at.lineno
            n.col_offset = at.col_offset
            n.end_col_offset = at.col_offset + 1
    return fn


def _vectorized(t: Template, combo: tuple[str, ...]) -> list[ast.FunctionDef]:
    binding = t.binding(combo)
    first = binding[t.variables[0][0]]
    sfx = "_".join(combo)
    helper = f"_vectorized_{t.name}_{sfx}"
    body = _specialize(t.node, binding, helper)
    params = body.args.args
    k = t.n_inputs()
    if not 1 <= k <= len(params):
        raise _fail(t.node, "", f"@vectorize: inputs={k} but `{t.name}` has {len(params)} "
                                "parameters")
    elems = [ast.unparse(p.annotation) if p.annotation is not None else first for p in params[:k]]
    extra = params[k:]
    for p in extra:
        if p.annotation is None:
            raise _fail(p, "", f"@vectorize: scalar parameter `{p.arg}` of `{t.name}` needs a "
                               "type annotation")
    out = binding.get(t.out, t.out) if t.out is not None else first
    sc = "".join(f", {p.arg}: {ast.unparse(p.annotation)}" for p in extra)
    sargs = "".join(f", {p.arg}" for p in extra)
    xs = [f"x{i}" for i in range(k)]
    arrays = ", ".join(f"{x}: DeviceArray[{e}]" for x, e in zip(xs, elems))
    tail = f"out: DeviceArray[{out}], n: u32"
    guard = "    idx = get_global_id()\n    if idx < n:\n"
    kernels = [f"def {t.name}_{sfx}({arrays}{sc}, {tail}):\n{guard}"
               f"        out[idx] = {helper}({', '.join(x + '[idx]' for x in xs)}{sargs})\n"]
    strides = "".join(f", st{i}: DeviceArray[i64]" for i in range(k))
    offsets = "".join(f"        o{i}: i64 = st{i}[ndim]\n" for i in range(k))
    steps = "".join(f"            o{i} += c * st{i}[d]\n" for i in range(k))
    kernels.append(
        f"def {t.name}_strided_{sfx}({arrays}{sc}, {tail}, ndim: u32, shape: DeviceArray[i64]"
        f"{strides}):\n{guard}        r = i64(idx)\n{offsets}        d = ndim\n"
        f"        while d > 0:\n            d -= 1\n            c = r % shape[d]\n"
        f"            r = r // shape[d]\n{steps}"
        f"        out[idx] = {helper}({', '.join(f'{x}[o{i}]' for i, x in enumerate(xs))}"
        f"{sargs})\n")
    if k == 2:
        a, b = elems
        kernels.append(f"def {t.name}_scalar_{sfx}(x0: DeviceArray[{a}], s: {b}{sc}, {tail}):\n"
                       f"{guard}        out[idx] = {helper}(x0[idx], s{sargs})\n")
        kernels.append(f"def r{t.name}_scalar_{sfx}(x0: DeviceArray[{b}], s: {a}{sc}, {tail}):\n"
                       f"{guard}        out[idx] = {helper}(s, x0[idx]{sargs})\n")
    return [body] + [_located(code, t.node) for code in kernels]


def expand(tree: ast.Module, filename: str, suffix: str | None) -> tuple[list[ast.stmt],
                                                                         set[str]]:
    """The statements of one compile unit and the kernels it defines: `suffix=None` is the
    file's plain kernels (templates left out), a suffix is every template's specialization
    with that suffix, beside the file's helpers and constants."""
    plain, templates = scan(tree, filename)
    if suffix is None:
        return plain, set()
    helpers = [s for s in plain if not isinstance(s, ast.FunctionDef) or not _is_kernel(s)]
    out: list[ast.stmt] = list(helpers)
    kernels: set[str] = set()
    for t in templates:
        for combo in t.combos():
            if "_".join(combo) != suffix:
                continue
            if t.kind == "generic":
                fn = _specialize(t.node, t.binding(combo), f"{t.name}_{suffix}")
                out.append(fn)
                kernels.add(fn.name)
            else:
                try:
                    defs = _vectorized(t, combo)
                except GenericError as err:
                    raise GenericError(f"{filename}{err.msg}") from None
                out += defs
                kernels.update(d.name for d in defs[1:])
    return out, kernels


def _is_kernel(fn: ast.FunctionDef) -> bool:
    from hologram.frontend.module import is_kernel

    return is_kernel(fn)


def parse_unit(path: str, text: str, suffix: str | None):
    """The frontend's result for one compile unit of a kernel file (see `expand`)."""
    from hologram.frontend import _compile_body, _syntax_error
    from hologram.frontend.base import Source

    lines = text.splitlines()
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as err:
        raise _syntax_error(err, path, lines, 1) from None
    body, kernels = expand(tree, path, suffix)
    return _compile_body(body, Source(path, lines, 1), kernels or None)


def has_templates(text: str) -> bool:
    """A cheap test before parsing: does the text use a generic decorator at all?"""
    return any(f"@{d}(" in text for d in DECORATORS)


def suffixes(text: str, filename: str) -> list[str]:
    """The compile units of a file's generic kernels, in first-appearance order."""
    tree = ast.parse(text, filename=filename)
    seen: dict[str, None] = {}
    for suffix, _ in names(tree, filename).values():
        seen.setdefault(suffix)
    return list(seen)

