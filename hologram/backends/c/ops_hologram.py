"""C snippets for the hologram dialect (kernels, the grid, atomics, exits, parallel loops,
launches) and for the func dialect of programs.

* A kernel is `void hg_<name>_<hash>(T* arrays..., scalars..., int64_t grid)`. A SIMT kernel
  (no `hologram.parallel_for` inside) is wrapped in `#pragma omp parallel for` over
  `[0, grid)`, with an `if` clause so a small grid runs on the calling thread.
* `hologram.parallel_for` prints its schedule, chunk and `simd`; with a threshold it also gets
  a serial copy of the loop, taken below that trip count, so small launches pay no
  parallel-region cost.
* `hologram.exit` (the language's `return`) is a `goto` to a label at the end of the grid-loop
  body, so it works from inside nested loops.
* Atomic add whose old value is unused is `#pragma omp atomic`; one whose old value is used is
  `#pragma omp atomic capture`; min/max are compare-and-swap loops (`__atomic_compare_exchange`)
  that store when `v < old` (`v > old`), as Python's `min(old, v)` does.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.dialects import func
from xdsl.dialects.builtin import MemRefType
from xdsl.ir import Attribute, Operation, SSAValue

from hologram.backends.c import boundscheck
from hologram.backends.c.emitter import (
    LANG_CTYPES,
    CEmitter,
    c_symbol,
    ctype,
    emits,
    utype,
)
from hologram.dialects import hologram as hg



# --- signatures ---------------------------------------------------------------------------------
def kernel_abi_types(op: hg.KernelOp) -> list[str]:
    """C types of a kernel's parameters (without the trailing grid)."""
    out = []
    for lang_type in op.types:
        if lang_type.endswith("[]"):
            out.append(LANG_CTYPES[lang_type[:-2]] + "*")
        else:
            out.append(LANG_CTYPES[lang_type])
    return out


def _cdef_type(c: str) -> str:
    return c.replace("bool", "_Bool")


def kernel_signature(op: hg.KernelOp, with_names: bool = True, names: list[str] | None = None) -> str:
    types = kernel_abi_types(op)
    if with_names:
        assert names is not None
        params = [f"{t} {n}" for t, n in zip(types, names, strict=True)] + ["int64_t hg_grid"]
    else:
        params = [_cdef_type(t) for t in types] + ["int64_t"]
    if boundscheck.is_bounds_checked(op):
        params += boundscheck.extra_params(with_names)
    return f"void {c_symbol(op)}({', '.join(params)})"


def grid_symbol(op: hg.KernelOp) -> str:
    """The C function computing a kernel's inferred grid from its scalar parameters."""
    return f"{c_symbol(op)}_grid"


def grid_signature(op: hg.KernelOp, names: list[str] | None = None) -> str:
    """`int64_t <kernel>_grid(<the kernel's scalar parameters, in order>)`."""
    scalars = [(t, n) for t, n, lang in zip(kernel_abi_types(op), names or op.names, op.types,
                                              strict=True) if not lang.endswith("[]")]
    if names is None:
        params = [_cdef_type(t) for t, _ in scalars]
    else:
        params = [f"{t} {n}" for t, n in scalars]
    return f"int64_t {grid_symbol(op)}({', '.join(params) or 'void'})"


def func_abi_type(t: Attribute) -> str:
    return ctype(t)


def func_signature(op: func.FuncOp, with_names: bool = True, names: list[str] | None = None) -> str:
    inputs = [func_abi_type(t) for t in op.function_type.inputs.data]
    outputs = op.function_type.outputs.data
    if len(outputs) > 1:
        raise ValueError(f"func.func @{op.sym_name.data}: the C backend returns at most one value")
    ret = ctype(outputs[0]) if outputs else "void"
    if with_names:
        assert names is not None
        params = [f"{t} {n}" for t, n in zip(inputs, names, strict=True)]
    else:
        params = [_cdef_type(t) for t in inputs]
        ret = _cdef_type(ret)
    return f"{ret} {c_symbol(op)}({', '.join(params) or 'void'})"


# --- kernels --------------------------------------------------------------------------------------
def _is_simt(op: hg.KernelOp) -> bool:
    return not any(isinstance(o, hg.ParallelForOp) for o in op.walk())


@emits(hg.KernelOp)
def _kernel(em: CEmitter, op: hg.KernelOp) -> None:
    args = op.body.block.args
    names, prologue = [], []
    for arg, pname, lang_type, abi in zip(args, op.names, op.types, kernel_abi_types(op), strict=True):
        if arg not in em.names:
            em.alias(arg, em.new_name(pname))
        local = em.name(arg)
        if lang_type.endswith("[]"):
            em.elem_ctype[arg] = abi[:-1]
            names.append(local)
        elif abi != ctype(arg.type):
            # u32/u64 arrive unsigned and are stored in the signed type of their width.
            names.append(f"p_{local}")
            prologue.append(f"{ctype(arg.type)} {local} = ({ctype(arg.type)})p_{local};")
        else:
            names.append(local)
    em.current_kernel = op.kernel_name
    em.bounds_checked = boundscheck.is_bounds_checked(op)
    if em.bounds_checked and not em.bounds_helper:
        em.bounds_helper = True
        em.line(boundscheck.HELPER)
    em.line(f"{kernel_signature(op, names=names)} {{")
    with em.indented():
        for text in prologue:
            em.line(text)
        if _is_simt(op):
            # A kernel no pass parallelized: the same grid loop `parallelize` makes (its
            # threshold policy, no `simd`), printed by the same function as parallel_for.
            from hologram.passes.parallelize import grid_threshold

            em.global_id_name = "hg_gid"

            def body() -> None:
                em.emit_region(op.body)

            _print_grid_loop(em, "hg_gid", "INT64_C(0)", em.grid_name, "INT64_C(1)", body,
                             "schedule(static)", False,
                             grid_threshold(list(op.body.block.ops)))
        else:
            em.global_id_name = None
            em.emit_region(op.body)
    em.line("}")
    em.position = None  # the closing brace and what follows are not on a Python line
    em.lines.append("")
    if op.grid_region is not None:
        _grid_function(em, op)


def _grid_function(em: CEmitter, op: hg.KernelOp) -> None:
    """The kernel's grid region as a C function the launch calls when no grid= is given."""
    region = op.grid_region
    assert region is not None
    names, prologue = [], []
    for arg, pname, lang_type, abi in zip(region.block.args, op.names, op.types,
                                          kernel_abi_types(op), strict=True):
        local = em.new_name(f"g_{pname}")
        em.alias(arg, local)
        if lang_type.endswith("[]") or abi == ctype(arg.type):
            names.append(local)
            continue
        names.append(f"p_{local}")
        prologue.append(f"{ctype(arg.type)} {local} = ({ctype(arg.type)})p_{local};")
    em.line(f"{grid_signature(op, names)} {{")
    with em.indented():
        for text in prologue:
            em.line(text)
        em.emit_region(region)
    em.line("}")
    em.position = None
    em.lines.append("")


@emits(hg.GridYieldOp)
def _grid_yield(em: CEmitter, op: hg.GridYieldOp) -> None:
    em.line(f"return {em.name(op.value)};")


def _grid_loop(em: CEmitter, iv: str, lb: str, ub: str, step: str, body: Callable[[], None]) -> None:
    """`for (iv...) { body; exit_label: ; }` with a fresh label for `hologram.exit`."""
    saved = em.exit_label, em.exit_used
    em.labels += 1
    em.exit_label, em.exit_used = f"hg_exit_{em.labels}", False
    em.line(f"for (int64_t {iv} = {lb}; {iv} < {ub}; {iv} += {step}) {{")
    with em.indented():
        if em.bounds_checked:
            em.line(boundscheck.STOP)  # a bounds error stops the launch
        body()
        if em.exit_used:
            em.line(f"{em.exit_label}: ;")
    em.line("}")
    em.exit_label, em.exit_used = saved


@emits(hg.ReturnOp, hg.YieldOp)
def _end_of_body(em: CEmitter, op: Operation) -> None:
    """The end of a kernel or parallel_for body prints nothing."""


@emits(hg.GlobalIdOp)
def _global_id(em: CEmitter, op: hg.GlobalIdOp) -> None:
    if em.global_id_name is None:
        raise em.error(op, "hologram.global_id outside a grid loop (a kernel with an explicit "
                           "hologram.parallel_for must use its induction variable)")
    em.alias(op.result, em.global_id_name)


@emits(hg.GridSizeOp)
def _grid_size(em: CEmitter, op: hg.GridSizeOp) -> None:
    em.alias(op.result, em.grid_name)


@emits(hg.ParallelForOp)
def _parallel_for(em: CEmitter, op: hg.ParallelForOp) -> None:
    iv = em.name(op.induction_var)
    lb, ub, step = em.name(op.lb), em.name(op.ub), em.name(op.step)
    saved_gid = em.global_id_name
    em.global_id_name = None

    def body() -> None:
        em.emit_region(op.body)

    if op.serial is not None:
        _grid_loop(em, iv, lb, ub, step, body)
        em.global_id_name = saved_gid
        return
    schedule = op.schedule.data
    chunk = op.chunk.value.data
    clause = f"schedule({schedule}{f', {chunk}' if chunk else ''})"
    _print_grid_loop(em, iv, lb, ub, step, body, clause, op.simd is not None,
                     op.threshold.value.data)
    em.global_id_name = saved_gid


def _print_grid_loop(em: CEmitter, iv: str, lb: str, ub: str, step: str,
                     body: Callable[[], None], clause: str, simd: bool, threshold: int) -> None:
    """The one lowering of a grid loop: `#pragma omp parallel for [simd] <clause>`, with a
    serial copy taken below `threshold` iterations (0: always parallel)."""
    pragma = f"#pragma omp parallel for{' simd' if simd else ''} {clause}"
    if threshold > 0:
        trip = f"({ub} > {lb} ? ({ub} - {lb} + {step} - 1) / {step} : 0)"
        em.line(f"if ({trip} < INT64_C({threshold})) {{")
        with em.indented():
            _grid_loop(em, iv, lb, ub, step, body)
        em.line("} else {")
        with em.indented():
            em.line(pragma)
            _grid_loop(em, iv, lb, ub, step, body)
        em.line("}")
    else:
        em.line(pragma)
        _grid_loop(em, iv, lb, ub, step, body)


# --- exits ----------------------------------------------------------------------------------------
@emits(hg.ExitOp)
def _exit(em: CEmitter, op: hg.ExitOp) -> None:
    if em.exit_label is None:
        em.line("return;")
        return
    em.exit_used = True
    em.line(f"goto {em.exit_label};")


@emits(hg.BreakOp)
def _break(em: CEmitter, op: hg.BreakOp) -> None:
    em.line("break;")


@emits(hg.ContinueOp)
def _continue(em: CEmitter, op: hg.ContinueOp) -> None:
    em.line("continue;")


# --- atomics --------------------------------------------------------------------------------------
def _elem_ctype(em: CEmitter, op: Operation, ref: SSAValue) -> str:
    known = em.elem_ctype.get(ref)
    if known is not None:
        return known
    t = ref.type
    assert isinstance(t, MemRefType)
    return ctype(t.get_element_type())


@emits(hg.AtomicAddOp)
def _atomic_add(em: CEmitter, op: hg.AtomicAddOp) -> None:
    elem = _elem_ctype(em, op, op.memref)
    t = op.value.type
    if elem == "bool":
        raise em.error(op, "atomic add on a bool array is not supported")
    if elem in ("float", "double"):
        target, value = f"{em.name(op.memref)}[{em.name(op.index)}]", em.name(op.value)
    else:
        # Wrapping add through the unsigned type, whatever the signedness of the array.
        u = utype(t)
        target = f"(({u}*){em.name(op.memref)})[{em.name(op.index)}]"
        value = f"({u}){em.name(op.value)}"
    if not op.old.uses:
        with boundscheck.checked(em, op, op.memref, [op.index]):
            em.line("#pragma omp atomic")
            em.line(f"{target} += {value};")
        return
    old = em.name(op.old)
    checked = boundscheck.guard(em, op, op.memref, [op.index]) is not None
    em.line(f"{ctype(t)} {old}{' = 0' if checked else ''};")
    with boundscheck.checked(em, op, op.memref, [op.index]):
        em.line("#pragma omp atomic capture")
        em.line(f"{{ {old} = {target}; {target} += {value}; }}")


def _atomic_cas(c_cmp: str):
    def snippet(em: CEmitter, op: hg.AtomicRMWBase) -> None:
        elem = _elem_ctype(em, op, op.memref)
        if elem == "bool":
            raise em.error(op, f"{op.name} on a bool array is not supported")
        old = em.name(op.old)
        ptr = f"&{em.name(op.memref)}[{em.name(op.index)}]"
        want, cur = em.fresh("want"), em.fresh("cur")
        g = boundscheck.guard(em, op, op.memref, [op.index])
        em.line(f"{ctype(op.value.type)} {old}{'' if g is None else ' = 0'};")
        em.line("{" if g is None else f"if ({g[0]}) {{")
        with em.indented():
            em.line(f"{elem} {want} = ({elem}){em.name(op.value)};")
            em.line(f"{elem} {cur};")
            em.line(f"__atomic_load({ptr}, &{cur}, __ATOMIC_RELAXED);")
            em.line(
                f"while ({want} {c_cmp} {cur} && !__atomic_compare_exchange({ptr}, &{cur}, "
                f"&{want}, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {{}}"
            )
            em.line(f"{old} = {cur};")
        em.line("}" if g is None else f"}} else {{ {g[1]}; }}")

    return snippet


emits(hg.AtomicMinOp)(_atomic_cas("<"))
emits(hg.AtomicMaxOp)(_atomic_cas(">"))


# --- programs -------------------------------------------------------------------------------------
@emits(hg.LaunchOp)
def _launch(em: CEmitter, op: hg.LaunchOp) -> None:
    kernel = op.kernel()
    if kernel is None:
        raise em.error(op, f"hologram.launch: no kernel named {op.callee}")
    if boundscheck.is_bounds_checked(kernel):
        raise em.error(op, f"hologram.launch: kernel {op.callee} is bounds-checked; programs "
                           "launch only unchecked kernels")
    args = [
        f"({abi}){em.name(arg)}" for arg, abi in zip(op.args, kernel_abi_types(kernel), strict=True)
    ]
    em.line(f"{c_symbol(kernel)}({', '.join([*args, em.name(op.grid)])});")


@emits(func.FuncOp)
def _func(em: CEmitter, op: func.FuncOp) -> None:
    if op.is_declaration:
        raise em.error(op, f"func.func @{op.sym_name.data} has no body")
    args = op.body.block.args
    names = []
    for arg in args:
        names.append(em.name(arg))
        if isinstance(arg.type, MemRefType):
            em.elem_ctype[arg] = ctype(arg.type.get_element_type())
    em.global_id_name = None
    em.line(f"{func_signature(op, names=names)} {{")
    with em.indented():
        em.emit_block(op.body.block)
    em.line("}")
    em.position = None
    em.lines.append("")


@emits(func.ReturnOp)
def _func_return(em: CEmitter, op: func.ReturnOp) -> None:
    if op.arguments:
        em.line(f"return {em.name(op.arguments[0])};")


@emits(func.CallOp)
def _call(em: CEmitter, op: func.CallOp) -> None:
    from xdsl.traits import SymbolTable

    callee = SymbolTable.lookup_symbol(op, op.callee)
    if not isinstance(callee, func.FuncOp):
        raise em.error(op, f"func.call: no func.func named {op.callee}")
    call = f"{c_symbol(callee)}({', '.join(em.name(a) for a in op.arguments)})"
    if op.res:
        em.declare(op.res[0], call)
    else:
        em.line(f"{call};")
