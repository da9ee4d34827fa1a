"""From a lowered Hologram module to LLVM IR through upstream `mlir-opt` and `mlir-translate`.

    text = upstream_mlir(module)          # convert-hologram-to-upstream, symbols, outlining
    llvm_ir = to_llvm_ir(text, tools)     # mlir-opt MLIR_OPT_PASSES | mlir-translate

`upstream_mlir` runs `convert-hologram-to-upstream` on a clone, renames each function to its C
backend symbol plus `_impl` (the C shim exports the symbol itself), and moves each `scf.parallel`
body into a private function called from the loop. That last step is what makes MLIR 19's
lowering work on every kernel: `--convert-scf-to-openmp` wraps each loop body in a
`memref.alloca_scope`, which must stay one block, and `--convert-scf-to-cf` cannot then lower
the body's `scf.if`/`scf.execute_region` inside it; a call is one op. LLVM inlines the function
back (`opt -O3`), so the generated code is the same.
"""

from __future__ import annotations

import platform
import re
import subprocess
from pathlib import Path

from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import (
    Float32Type,
    Float64Type,
    FunctionType,
    IndexType,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    SymbolRefAttr,
    i64,
)
from xdsl.dialects.llvm import LinkageAttr
from xdsl.ir import Block, Operation, Region, SSAValue

from hologram.backends.c.builder import BuildError
from hologram.backends.mlir.toolchain import Toolchain

# mlir-opt (LLVM 19) from upstream dialects to the LLVM dialect. libm before math-to-llvm, so
# every math function the C backend takes from libm (expm1f, log1pf, tanhf...) is the same call
# here; what remains (rsqrt, absf, integer bit counts) has exact LLVM intrinsics.
MLIR_OPT_PASSES: tuple[str, ...] = (
    "--convert-scf-to-openmp",
    "--convert-math-to-libm",
    "--convert-math-to-llvm",
    "--convert-math-to-funcs",
    "--convert-scf-to-cf",
    "--arith-expand",
    "--expand-strided-metadata",
    "--finalize-memref-to-llvm",
    "--convert-arith-to-llvm",
    "--convert-index-to-llvm",
    "--convert-cf-to-llvm",
    "--convert-func-to-llvm",
    "--convert-openmp-to-llvm",
    "--reconcile-unrealized-casts",
)
# opt and llc: the C backend's -O3 -march=native. No flag allows fused multiply-add (MLIR's
# arith ops carry no `contract` flag), so float results match the C backend's -ffp-contract=off.
OPT_FLAGS: tuple[str, ...] = ("-O3", "-mcpu=native")
LLC_FLAGS: tuple[str, ...] = ("-O3", "-mcpu=native", "-relocation-model=pic", "-filetype=obj")
IMPL_SUFFIX = "_impl"


def symbols(module: ModuleOp) -> dict[str, str]:
    """Function name in the IR -> its C backend symbol (`hg_<name>_<hash8>`)."""
    from hologram.backends.c.emitter import c_symbol
    from hologram.dialects.hologram import KernelOp

    from hologram.backends.c.ops_hologram import grid_symbol

    out = {}
    for op in module.ops:
        if isinstance(op, KernelOp):
            out[op.kernel_name] = c_symbol(op)
            if op.grid_region is not None:  # its grid function (convert-hologram-to-upstream)
                out[f"{op.kernel_name}_grid"] = grid_symbol(op)
        elif isinstance(op, func.FuncOp) and not op.is_declaration:
            out[op.sym_name.data] = c_symbol(op)
    return out


def upstream_module(module: ModuleOp) -> tuple[ModuleOp, dict[str, str]]:
    """The converted clone, and name in the IR -> the C symbol its shim exports."""
    from hologram.dialects import make_context
    from hologram.passes.convert_hologram_to_upstream import GRID_ATTR, ConvertHologramToUpstream

    _refuse_complex(module)
    names = symbols(module)
    clone = module.clone()
    ConvertHologramToUpstream().apply(make_context(), clone)
    for op in clone.walk():
        if isinstance(op, func.FuncOp) and op.sym_name.data in names:
            op.sym_name = StringAttr(names[op.sym_name.data] + IMPL_SUFFIX)
            grid = op.attributes.get(GRID_ATTR)
            if isinstance(grid, StringAttr) and grid.data in names:
                op.attributes[GRID_ATTR] = StringAttr(names[grid.data] + IMPL_SUFFIX)
        elif isinstance(op, func.CallOp) and op.callee.root_reference.data in names:
            op.callee = SymbolRefAttr(names[op.callee.root_reference.data] + IMPL_SUFFIX)
    _float_atomics_to_calls(clone)
    for fn in [o for o in clone.ops if isinstance(o, func.FuncOp)]:
        _outline_parallel_bodies(fn)
    clone.verify()
    return clone, names


def _refuse_complex(module: ModuleOp) -> None:
    """Complex values are C-backend only: LLVM passes `complex<f32>` as two floats where the C
    ABI of `float _Complex` (cexpf, the launchers) packs them in one register."""
    from xdsl.dialects.builtin import ComplexType, FileLineColLoc, MemRefType

    from hologram.frontend.errors import CompileError, SourceLocation

    for op in module.walk():
        for v in (*op.operands, *op.results):
            t = v.type.get_element_type() if isinstance(v.type, MemRefType) else v.type
            if not isinstance(t, ComplexType):
                continue
            loc = op.location
            where = SourceLocation(loc.filename.data, loc.line.data, loc.column.data) \
                if isinstance(loc, FileLineColLoc) else None
            raise CompileError(f"the MLIR backend does not support complex numbers ({t}, in "
                               f"`{op.name}`)", where, "use the C backend (backend='c', the "
                               "default)")


def upstream_mlir(module: ModuleOp) -> str:
    return str(upstream_module(module)[0])


# MLIR 19 lowers `memref.generic_atomic_rmw` on floats to an `llvm.cmpxchg` of f32, which its
# own verifier rejects. The float min/max that convert-hologram-to-upstream writes become calls
# of these compare-and-swap loops, defined in C in the shim (FLOAT_ATOMICS_C, builder.py).
FLOAT_ATOMIC_HELPER = "hgm_atomic_{kind}_{type}"


def _float_atomics_to_calls(module: ModuleOp) -> None:
    from hologram.dialects.upstream import AtomicYieldOp, GenericAtomicRMWOp

    declared: set[str] = set()
    for rmw in [o for o in module.walk() if isinstance(o, GenericAtomicRMWOp)]:
        t = rmw.result.type
        if not isinstance(t, Float32Type | Float64Type):
            continue
        ops = list(rmw.atomic_body.block.ops)
        cur = rmw.current
        match = (
            len(ops) == 3 and isinstance(ops[0], arith.CmpfOp)
            and isinstance(ops[1], arith.SelectOp) and isinstance(ops[2], AtomicYieldOp)
            and ops[0].rhs is cur and ops[1].lhs is ops[0].lhs and ops[1].rhs is cur
            and ops[1].cond is ops[0].result and ops[2].result is ops[1].result
            and not _defined_inside(ops[0].lhs, rmw)
        )
        pred = arith.CMPF_COMPARISON_OPERATIONS[ops[0].predicate.value.data] if match else ""
        if pred not in ("olt", "ogt"):
            raise BuildError("the MLIR backend lowers a float memref.generic_atomic_rmw only "
                             "in the min/max form convert-hologram-to-upstream writes")
        kind = "min" if pred == "olt" else "max"
        width = 4 if isinstance(t, Float32Type) else 8
        name = FLOAT_ATOMIC_HELPER.format(kind=kind, type=f"f{width * 8}")
        value = ops[0].lhs
        (index,) = rmw.indices
        base = memref.ExtractAlignedPointerAsIndexOp.get(rmw.memref)
        size = arith.ConstantOp(IntegerAttr(width, IndexType()))
        offset = arith.MuliOp(index, size)
        address = arith.AddiOp(base, offset)
        address64 = arith.IndexCastOp(address, i64)
        call = func.CallOp(name, [address64, value], [t])
        block = rmw.parent
        assert block is not None
        block.insert_ops_before([base, size, offset, address, address64, call], rmw)
        rmw.result.replace_all_uses_with(call.res[0])
        rmw.detach()
        rmw.erase()
        if name not in declared:
            declared.add(name)
            module.body.block.add_op(func.FuncOp.external(name, [i64, t], [t]))


def _defined_inside(value: SSAValue, root: Operation) -> bool:
    owner = value.owner
    op = owner if isinstance(owner, Operation) else owner.parent_op()
    return op is not None and (op is root or root.is_ancestor(op))


def _outline_parallel_bodies(fn: func.FuncOp) -> None:
    loops = [o for o in fn.walk() if isinstance(o, scf.ParallelOp)]
    for number, loop in enumerate(loops):
        body = loop.body.block
        captured: list[SSAValue] = []
        for inner in loop.walk():
            if inner is loop:
                continue
            for operand in inner.operands:
                if not _defined_inside(operand, loop) and operand not in captured:
                    captured.append(operand)
        ivs = list(body.args)
        types = [v.type for v in captured] + [v.type for v in ivs]
        new_block = Block(arg_types=types)
        reduce = body.last_op
        assert isinstance(reduce, scf.ReduceOp) and not reduce.args
        for op in [o for o in body.ops if o is not reduce]:
            op.detach()
            new_block.add_op(op)
        new_block.add_op(func.ReturnOp())
        for old, new in zip([*captured, *ivs], new_block.args, strict=True):
            old.replace_uses_with_if(new, lambda use: new_block.is_ancestor(use.operation))
        name = f"{fn.sym_name.data}_loop{number}"
        outlined = func.FuncOp(name, FunctionType.from_lists(types, []), Region(new_block),
                               visibility="private")
        # Internal linkage: LLVM inlines the only call and drops the function.
        outlined.attributes["llvm.linkage"] = LinkageAttr("internal")
        body.insert_op_before(func.CallOp(name, [*captured, *ivs], []), reduce)
        module_block = fn.parent
        assert module_block is not None
        module_block.insert_op_after(outlined, fn)


def _run(command: list[str], what: str, name_hint: str, stdin: str | None = None) -> str:
    try:
        run = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=600)
    except FileNotFoundError:
        raise BuildError(f"cannot build kernel '{name_hint}' with the MLIR backend: "
                         f"{command[0]} not found", kernel=name_hint) from None
    if run.returncode != 0:
        tail = "\n".join((run.stderr or run.stdout).strip().splitlines()[:12])
        raise BuildError(f"{what} failed on kernel '{name_hint}' (MLIR backend):\n{tail}",
                         kernel=name_hint, output=run.stderr + run.stdout)
    return run.stdout


def to_llvm_ir(text: str, tools: Toolchain, name_hint: str) -> str:
    """Upstream MLIR text -> LLVM IR text (mlir-opt, then mlir-translate)."""
    llvm_dialect = _run([tools.tool("mlir-opt"), *MLIR_OPT_PASSES, "-"], "mlir-opt", name_hint,
                        text)
    return _run([tools.tool("mlir-translate"), "--mlir-to-llvmir", "-"], "mlir-translate",
                name_hint, llvm_dialect)


# glibc's libmvec vector math, offered to LLVM's loop vectorizer the way the C backend's
# `#pragma omp declare simd` offers it to gcc: each call of a libm function libmvec has gets the
# `vector-function-abi-variant` attribute naming its vector versions (x86-64 vector ABI: `b` SSE
# 4 floats, `d` AVX2 8, `e` AVX-512 16; doubles half as many), for the ISAs this machine has.
# (LLVM 19's own -vector-library=LIBMVEC-X86 knows only exp, log, sin, cos, tan, up to AVX2.)
_LIBM_CALL = re.compile(r"^(\s*%\S+ = call (float|double) @([a-z0-9]+)\(([^)]*)\))$", re.M)


def _vector_isas() -> list[tuple[str, int]]:
    """(ISA letter, f32 lanes) of the libmvec variants this CPU can run."""
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        flags = set()
    isas = [("b", 4)]  # SSE2: every x86-64
    if "avx2" in flags:
        isas.append(("d", 8))
    if "avx512f" in flags:
        isas.append(("e", 16))
    return isas


def add_vector_math_variants(llvm_ir: str, isas: list[tuple[str, int]] | None = None) -> str:
    """Mark libm calls in LLVM IR text with their libmvec variants (see above)."""
    from hologram.backends.c.emitter import _ARITY2, LIBMVEC_DOUBLE, LIBMVEC_FLOAT

    if platform.machine() not in ("x86_64", "AMD64"):
        return llvm_ir
    isas = _vector_isas() if isas is None else isas
    groups: dict[str, int] = {}
    declarations: list[str] = []
    next_group = 1 + max((int(n) for n in re.findall(r"^attributes #(\d+)", llvm_ir, re.M)),
                         default=0)

    def mark(match: re.Match[str]) -> str:
        nonlocal next_group
        line, ctype, name = match.group(1), match.group(2), match.group(3)
        base = name[:-1] if ctype == "float" else name
        if (name not in LIBMVEC_FLOAT if ctype == "float" else name not in LIBMVEC_DOUBLE):
            return line
        if name not in groups:
            arity = 2 if base in _ARITY2 else 1
            variants = []
            for isa, lanes32 in isas:
                lanes = lanes32 if ctype == "float" else lanes32 // 2
                vector = f"_ZGV{isa}N{lanes}{'v' * arity}_{name}"
                variants.append(f"_ZGV_LLVM_N{lanes}{'v' * arity}_{name}({vector})")
                vtype = f"<{lanes} x {ctype}>"
                declarations.append(f"declare {vtype} @{vector}({', '.join([vtype] * arity)})")
            groups[name] = next_group
            declarations.append(f'attributes #{next_group} = {{ "vector-function-abi-variant"='
                                f'"{",".join(variants)}" }}')
            next_group += 1
        return f"{line} #{groups[name]}"

    marked = _LIBM_CALL.sub(mark, llvm_ir)
    if not declarations or "@llvm.compiler.used" in llvm_ir:
        return llvm_ir
    # Declarations nothing calls yet would be dropped before the vectorizer runs.
    vectors = [d.split("@")[1].split("(")[0] for d in declarations if d.startswith("declare")]
    used = ", ".join(f"ptr @{v}" for v in vectors)
    declarations.append(f"@llvm.compiler.used = appending global [{len(vectors)} x ptr] "
                        f'[{used}], section "llvm.metadata"')
    return marked + "\n" + "\n".join(declarations) + "\n"


_STACKSAVE = re.compile(r"^\s*(%\S+) = call ptr @llvm\.stacksave(?:\.p0)?\(\)\s*$")


def drop_empty_stack_scopes(llvm_ir: str) -> str:
    """Remove `llvm.stacksave`/`llvm.stackrestore` pairs with no `alloca` between them.

    `--convert-scf-to-openmp` wraps each parallel-loop body in a `memref.alloca_scope`, lowered
    to this pair around every iteration; here the body is one call (its allocas are in the
    outlined function's entry block, which LLVM moves to the thread's frame when it inlines the
    call), so the pair frees nothing, and the calls in the loop stop LLVM vectorizing it
    (tanh on 1M floats: 22 ms, against 0.2 ms for the C backend)."""
    lines = llvm_ir.split("\n")
    dead: set[int] = set()
    for start, line in enumerate(lines):
        match = _STACKSAVE.match(line)
        if match is None:
            continue
        token = match.group(1)
        restore = f"@llvm.stackrestore.p0(ptr {token})"
        for end in range(start + 1, len(lines)):
            text = lines[end]
            if " = alloca " in text or text.startswith("}"):
                break
            if restore in text:
                uses = sum(token + ")" in t or token + "," in t for t in lines[start + 1:end])
                if uses == 0:  # the saved pointer is used by nothing but its restore
                    dead.update((start, end))
                break
    return "\n".join(t for i, t in enumerate(lines) if i not in dead)


def to_object(llvm_ir: str, tools: Toolchain, out: Path, name_hint: str) -> None:
    """LLVM IR text -> an optimized, position-independent object file (opt -O3, llc)."""
    llvm_ir = add_vector_math_variants(drop_empty_stack_scopes(llvm_ir))
    bitcode = out.with_suffix(".bc")
    triple = f"-mtriple={tools.host_triple()}"
    _run([tools.tool("opt"), triple, *OPT_FLAGS, "-", "-o", str(bitcode)], "opt", name_hint,
         llvm_ir)
    _run([tools.tool("llc"), triple, *LLC_FLAGS, str(bitcode), "-o", str(out)], "llc", name_hint)
