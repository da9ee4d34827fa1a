"""Build a lowered module through upstream MLIR into the library the launch API calls.

    lib = build(module, "saxpy")             # same Library as the C backend's build()
    fn = lib.function(c_symbol(kernel_op))   # same C ABI: T* arrays..., scalars..., int64_t grid

Steps: `upstream_mlir` (convert-hologram-to-upstream, renaming, outlining; see lower.py) ->
`mlir-opt` -> `mlir-translate --mlir-to-llvmir` -> `opt -O3` -> `llc` -> an object file; a
small C shim gives each function the C backend's ABI (MLIR passes a `memref<?xT>` as five
values: allocated and aligned pointer, offset, size, stride) and cffi's module around it; the
C compiler links the shim, the object and libomp into one extension module.

The cache is the C backend's (`$HOLOGRAM_CACHE_DIR`, same manifest, same checks); the key covers
the upstream MLIR text, the pass list, the flags, the tools (paths, sizes, mtimes) and the C
compiler.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import sysconfig
import tempfile
import threading
from pathlib import Path

from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    Float32Type,
    Float64Type,
    IndexType,
    IntegerType,
    MemRefType,
    ModuleOp,
)
from xdsl.ir import Attribute

from hologram.backends.c import builder as cbuild
from hologram.backends.c.builder import BuildError, Library
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
_LANG_CTYPES = {
    "f32": "float", "f64": "double", "i32": "int32_t", "u32": "uint32_t", "i64": "int64_t",
    "u64": "uint64_t", "bool": "_Bool",
}

# The build recipe is this package's code (LLVM IR rewriting, shim, flags): its hash is part of
# the cache key, so a changed recipe never loads a library an older one built.
_RECIPE = hashlib.sha256(b"".join(
    (Path(__file__).parent / name).read_bytes() for name in ("builder.py", "lower.py")
)).hexdigest()

_loaded: dict[str, Library] = {}
_lock = threading.Lock()


def _ctype(t: Attribute) -> str:
    if isinstance(t, IndexType):
        return "int64_t"
    if isinstance(t, Float32Type):
        return "float"
    if isinstance(t, Float64Type):
        return "double"
    if isinstance(t, IntegerType):
        return "_Bool" if t.width.data == 1 else f"int{t.width.data}_t"
    raise BuildError(f"the MLIR backend cannot pass a value of type {t} through the C ABI")


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


def build(module: ModuleOp, name_hint: str) -> Library:
    """Compile a lowered module through MLIR (or fetch it from the cache) and load it."""
    import cffi

    from hologram import __version__
    from hologram.backends.c.emitter import function_signatures

    tools = find_toolchain()
    # libomp's idle workers spin for 200 ms after each parallel loop by default; in a process
    # that also runs C-backend kernels (on libgomp) they steal the cores those kernels need
    # (vector_add at 100k went from 0.1 ms to 17 ms). Unless the user chose a policy, they sleep.
    if "KMP_BLOCKTIME" not in os.environ and "OMP_WAIT_POLICY" not in os.environ:
        os.environ["KMP_BLOCKTIME"] = "0"
    cdefs = function_signatures(module)
    upstream, names = upstream_module(module)
    text = str(upstream)
    shim = shim_source(upstream, names)
    cc = cbuild.compiler()
    identity = cbuild.compiler_identity(cc)
    if identity is None:
        raise BuildError(f"cannot build kernel '{name_hint}': no C compiler '{cc}' (set $CC)",
                         kernel=name_hint)
    key_text = json.dumps(["mlir", text, shim, cdefs, MLIR_OPT_PASSES, OPT_FLAGS, LLC_FLAGS,
                           SHIM_CFLAGS, tools.identity(), tools.host_triple(), _vector_isas(),
                           _RECIPE, identity, __version__, cffi.__version__, sys.version,
                           sysconfig.get_config_var("EXT_SUFFIX")])
    key = hashlib.sha256(key_text.encode()).hexdigest()
    with _lock:
        if key in _loaded:
            return _loaded[key]
        library = _fetch_or_build(key, text, shim, cdefs, name_hint, cc, tools)
        _loaded[key] = library
        return library


def _fetch_or_build(key: str, text: str, shim: str, cdefs: list[str], name_hint: str, cc: str,
                    tools) -> Library:
    root = cbuild.cache_dir()
    entry = root / key[:2] / key
    library = cbuild._load_entry(entry, key, shim)
    if library is not None:
        return library
    tmp_root = root / "tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=tmp_root, prefix="mlir-"))
    try:
        _compile_entry(work, key, text, shim, cdefs, name_hint, cc, tools)
        entry.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(work, entry)
        except OSError:
            library = cbuild._load_entry(entry, key, shim)
            if library is not None:
                return library
            cbuild._discard(entry, root)
            os.rename(work, entry)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    library = cbuild._load_entry(entry, key, shim, fresh=True)
    if library is None:
        raise BuildError(f"cannot load the freshly built kernel '{name_hint}' from {entry}",
                         kernel=name_hint)
    return library


def _compile_entry(work: Path, key: str, text: str, shim: str, cdefs: list[str],
                   name_hint: str, cc: str, tools) -> None:
    import cffi
    from cffi.recompiler import make_c_source

    (work / "kernels.mlir").write_text(text)
    llvm_ir = to_llvm_ir(text, tools, name_hint)
    (work / "kernels.ll").write_text(llvm_ir)
    obj = work / "kernels.o"
    to_object(llvm_ir, tools, obj, name_hint)

    name = f"_hgm_{key[:24]}"
    ffi = cffi.FFI()
    ffi.cdef("\n".join(cdefs))
    ffi.set_source(name, shim)
    c_path = work / f"{name}.c"
    make_c_source(ffi, name, shim, str(c_path), verbose=False)
    so_path = work / f"{name}{sysconfig.get_config_var('EXT_SUFFIX')}"
    libomp = str(tools.libomp_dir)
    command = [cc, *SHIM_CFLAGS, *cbuild.LINK_FLAGS, f"-I{sysconfig.get_paths()['include']}",
               str(c_path), str(obj), "-o", str(so_path), f"-L{libomp}", f"-Wl,-rpath,{libomp}",
               "-lomp", "-lm"]
    cbuild._run_compiler(command, name_hint, None, work)
    manifest = {
        "key": key,
        "module": name,
        "shared_object": so_path.name,
        "sha256": cbuild._sha256_file(so_path),
        "size": so_path.stat().st_size,
        "source_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "compiler": cc,
        "backend": "mlir",
        "kernel": name_hint,
    }
    (work / cbuild.MANIFEST).write_text(json.dumps(manifest, indent=1))
