"""Build a lowered module through upstream MLIR into the library the launch API calls.

    lib = build_kernels(module, specs, "saxpy")   # the C backend's Library, same launchers

Steps: `upstream_mlir` (convert-hologram-to-upstream, renaming, outlining; see lower.py) ->
`mlir-opt` -> `mlir-translate --mlir-to-llvmir` -> `opt -O3` -> `llc` -> an object file; a
small C shim gives each function (kernels and their grid functions) the C backend's ABI (MLIR
passes a `memref<?xT>` as five values: allocated and aligned pointer, offset, size, stride),
and the C backend's launchers (`backends/c/launcher.py`) call it; the C compiler links the
shim, the launchers, the object and libomp into one extension module.

The cache is the C backend's (`$HOLOGRAM_CACHE_DIR`, same manifest, same checks); the key covers
the upstream MLIR text, the pass list, the flags, the tools (paths, sizes, mtimes) and the C
compiler.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import sysconfig
from pathlib import Path

from xdsl.dialects import func
from xdsl.dialects.builtin import ArrayAttr, MemRefType, ModuleOp
from xdsl.ir import Attribute

from hologram.backends.c import builder as cbuild
from hologram.backends.c.builder import BuildError, Library
from hologram.backends.c.launcher import KernelSpec
from hologram.backends.mlir.lower import (
    IMPL_SUFFIX,
    _vector_isas,
    LLC_FLAGS,
    MLIR_OPT_PASSES,
    OPT_FLAGS,
    to_llvm_ir,
    to_object,
    upstream_module,
)
from hologram.backends.mlir.toolchain import find_toolchain

SHIM_CFLAGS: tuple[str, ...] = ("-O2", "-fPIC")
OBJECT = "kernels.o"  # the kernels, from llc, in the build directory (the compiler's cwd)
_LANG_CTYPES = {
    "f32": "float", "f64": "double", "i32": "int32_t", "u32": "uint32_t", "i64": "int64_t",
    "u64": "uint64_t", "bool": "_Bool",
}

# The build recipe is this package's code (LLVM IR rewriting, shim, flags): its hash is part of
# the cache key, so a changed recipe never loads a library an older one built.
_RECIPE = hashlib.sha256(b"".join(
    (Path(__file__).parent / name).read_bytes() for name in ("builder.py", "lower.py")
)).hexdigest()



def _ctype(t: Attribute) -> str:
    """The C backend's C type of a scalar (`ctype`), as a BuildError where it has none."""
    from hologram.backends.c.emitter import EmitError, ctype

    try:
        return ctype(t)
    except EmitError:
        raise BuildError(f"the MLIR backend cannot pass a value of type {t} through the C ABI"
                         ) from None


# The compare-and-swap loops `lower._float_atomics_to_calls` calls: store `v` when `v < old`
# (`v > old`), as the C backend's atomic_min/max and Python's min(old, v) do.
FLOAT_ATOMICS_C = """
#define HGM_ATOMIC(KIND, T, CMP) \\
T hgm_atomic_##KIND##_##T##_(int64_t address, T v) { \\
  T *p = (T *)(intptr_t)address; T cur; \\
  __atomic_load(p, &cur, __ATOMIC_RELAXED); \\
  while (v CMP cur && !__atomic_compare_exchange(p, &cur, &v, false, __ATOMIC_RELAXED, \\
                                                 __ATOMIC_RELAXED)) {} \\
  return cur; \\
}
typedef float f32; typedef double f64;
HGM_ATOMIC(min, f32, <) HGM_ATOMIC(max, f32, >) HGM_ATOMIC(min, f64, <) HGM_ATOMIC(max, f64, >)
f32 hgm_atomic_min_f32(int64_t a, f32 v) { return hgm_atomic_min_f32_(a, v); }
f32 hgm_atomic_max_f32(int64_t a, f32 v) { return hgm_atomic_max_f32_(a, v); }
f64 hgm_atomic_min_f64(int64_t a, f64 v) { return hgm_atomic_min_f64_(a, v); }
f64 hgm_atomic_max_f64(int64_t a, f64 v) { return hgm_atomic_max_f64_(a, v); }
"""


def shim_source(module: ModuleOp, names: dict[str, str]) -> str:
    """C wrappers with the C backend's ABI around the `<symbol>_impl` functions MLIR builds."""
    lines = ["#include <stdint.h>", "#include <stdbool.h>", FLOAT_ATOMICS_C]
    by_impl = {symbol + IMPL_SUFFIX: symbol for symbol in names.values()}
    for fn in module.ops:
        if not isinstance(fn, func.FuncOp) or fn.sym_name.data not in by_impl:
            continue
        symbol = by_impl[fn.sym_name.data]
        inputs = list(fn.function_type.inputs.data)
        outputs = list(fn.function_type.outputs.data)
        if len(outputs) > 1:
            raise BuildError(f"func.func @{fn.sym_name.data}: at most one result is supported")
        ret = _ctype(outputs[0]) if outputs else "void"
        lang = fn.attributes.get("hologram.param_types")
        lang_types = [a.data for a in lang.data] if isinstance(lang, ArrayAttr) else []
        params, impl_params, passed = [], [], []
        for pos, t in enumerate(inputs):
            name = f"p{pos}"
            lang_type = lang_types[pos] if pos < len(lang_types) else None
            if isinstance(t, MemRefType):
                shape = t.get_shape()
                elem = (_LANG_CTYPES[lang_type[:-2]] if lang_type and lang_type.endswith("[]")
                        else _ctype(t.get_element_type()))
                params.append(f"{elem}* {name}")
                if len(shape) == 1:
                    # aligned == allocated, offset 0, stride 1; the length is not part of the
                    # ABI (kernels never read a memref's size) and is passed as 0.
                    impl_params += ["void*", "void*", "int64_t", "int64_t", "int64_t"]
                    passed += [name, name, "0", "0", "1"]
                elif not shape:
                    impl_params += ["void*", "void*", "int64_t"]
                    passed += [name, name, "0"]
                else:
                    raise BuildError(f"func.func @{fn.sym_name.data}: the MLIR backend passes "
                                     f"only rank-0 and 1-D memrefs, not {t}")
                continue
            c = _ctype(t)
            abi = _LANG_CTYPES.get(lang_type, c) if lang_type else c
            params.append(f"{abi} {name}")
            impl_params.append(c)
            passed.append(f"({c}){name}")
        impl = fn.sym_name.data
        lines.append(f"extern {ret} {impl}({', '.join(impl_params) or 'void'});")
        call = f"{impl}({', '.join(passed)})"
        body = f"return {call};" if outputs else f"{call};"
        lines.append(f"{ret} {symbol}({', '.join(params) or 'void'}) {{ {body} }}")
        lines.append("")
    return "\n".join(lines)


def build_kernels(module: ModuleOp, specs: list[KernelSpec], name_hint: str) -> Library:
    """Compile a lowered module through MLIR with the C backend's launchers (`specs`, in the
    module's kernel order), or fetch it from the cache, and load it."""
    import cffi
    import numpy

    from hologram import __version__
    from hologram.backends.c.launcher import launcher_source

    tools = find_toolchain()
    # libomp's idle workers spin for 200 ms after each parallel loop by default; in a process
    # that also runs C-backend kernels (on libgomp) they steal the cores those kernels need
    # (vector_add at 100k went from 0.1 ms to 17 ms). Unless the user chose a policy, they sleep.
    if "KMP_BLOCKTIME" not in os.environ and "OMP_WAIT_POLICY" not in os.environ:
        os.environ["KMP_BLOCKTIME"] = "0"
    upstream, names = upstream_module(module)
    mlir_text = str(upstream)
    c_text = (shim_source(upstream, names) + "\n"
              + launcher_source(specs, cbuild._MODULE_PLACEHOLDER))
    command = cbuild.compiler_command()
    identity = cbuild.compiler_identity(command[0])
    if identity is None:
        raise BuildError(f"cannot build kernel '{name_hint}': no C compiler '{command[0]}' (set "
                         f"$CC)", kernel=name_hint)
    key = hashlib.sha256(json.dumps([
        "mlir", mlir_text, c_text, MLIR_OPT_PASSES, OPT_FLAGS, LLC_FLAGS, SHIM_CFLAGS,
        tools.identity(), tools.host_triple(), _vector_isas(), _RECIPE, command, identity,
        __version__, cffi.__version__, numpy.__version__, sys.version,
        sysconfig.get_config_var("EXT_SUFFIX")]).encode()).hexdigest()

    def write_sources(work: Path, name: str, text: str) -> Path:
        # The kernels' object file first (mlir-opt ... llc), then the shim and launchers' C.
        (work / "kernels.mlir").write_text(mlir_text, encoding="utf-8")
        llvm_ir = to_llvm_ir(mlir_text, tools, name_hint)
        (work / "kernels.ll").write_text(llvm_ir, encoding="utf-8")
        to_object(llvm_ir, tools, work / OBJECT, name_hint)
        c_path = work / f"{name}.c"
        c_path.write_text(text.replace(cbuild._MODULE_PLACEHOLDER, name), encoding="utf-8")
        return c_path

    libomp = str(tools.libomp_dir)
    libs = [OBJECT, f"-L{libomp}", f"-Wl,-rpath,{libomp}", "-lomp", *cbuild.LIBS]
    extra = {"kernels": [s.to_json() for s in specs], "backend": "mlir"}
    return cbuild._cached(key, c_text, write_sources, name_hint, command, list(SHIM_CFLAGS),
                          None, [f"-I{numpy.get_include()}"], extra, libs)
