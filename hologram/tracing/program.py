"""Program building: a finished trace as a `func.func` of `hologram.launch`es on buffers, and
the pipeline (`fuse`, then the default passes) it runs through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from hologram.tracing.shapes import _Dim, _Size
from hologram.tracing.values import Traced
from hologram.tracing.rules import _ArrayArg, _BOOL, _F32, _F64, _FloatArg, _SizeArg, _Tracer, _kernel


# ------------------------------------------------------------------------------------------------
# From the trace to a program
# ------------------------------------------------------------------------------------------------
@dataclass
class _Program:
    """One compiled specialization of a jitted function."""

    module_before: str
    module_after: str
    c_source: str
    symbol: str
    fn: Any
    ffi: Any
    # per C argument: ("array", i, ctype) | ("out", j, ctype) | ("dim", i, axis) | ("scalar", i)
    arg_plan: list
    outputs: list  # per output: (dtype, shape: a list of ("dim", i, axis) or 1)
    constraints: list  # (i, axis, j, axis, op): args[i].shape[axis] == args[j].shape[axis]
    u32_sizes: list  # per launch grid: the (i, axis) whose product must fit a u32
    structure: Any  # how to rebuild the return value
    ops: tuple = ()  # the traced ops' names, in order (hologram.dask runs elementwise ones)


def _build_program(tracer: _Tracer, results: list, fn_name: str):
    """The program module for a finished trace; returns (module, func op, plan pieces)."""
    from xdsl.builder import Builder
    from xdsl.dialects import arith, func, memref
    from xdsl.dialects.builtin import (
        DYNAMIC_INDEX, FloatAttr, IndexType, IntegerAttr, MemRefType, ModuleOp, f32, f64, i32,
        i64,
    )
    from xdsl.ir import Block, Region
    from xdsl.rewriter import InsertPoint

    from hologram.dialects.hologram import LaunchOp

    from xdsl.dialects.builtin import i1

    elem = {_F32: f32, _F64: f64, np.dtype(np.int32): i32, np.dtype(np.int64): i64, _BOOL: i1}

    def memref_type(dtype: np.dtype) -> MemRefType:
        return MemRefType(elem[dtype], [DYNAMIC_INDEX])

    # The dimension classes the program takes as index parameters, in order of first use.
    dims: list[_Dim] = []
    for t in tracer.inputs:
        for d in t._shape:
            if isinstance(d, _Dim) and d.root() not in dims:
                dims.append(d.root())

    outputs = [r for r in results if r not in tracer.inputs]
    unique_outputs: list[Traced] = []
    for r in outputs:
        if r not in unique_outputs:
            unique_outputs.append(r)

    arg_types = ([memref_type(t.dtype) for t in tracer.inputs]
                 + [memref_type(t.dtype) for t in unique_outputs]
                 + [IndexType() for _ in dims])
    scalar_args = sorted({n[1] for n in _scalar_arg_nodes(tracer)})
    arg_types += [f64 for _ in scalar_args]
    block = Block(arg_types=arg_types)
    program = func.FuncOp(fn_name, (arg_types, []), Region(block))
    b = Builder(InsertPoint.at_end(block))

    buffers: dict[int, Any] = {}
    k = 0
    for t in tracer.inputs:
        buffers[id(t)] = block.args[k]
        block.args[k].name_hint = _ident(t.name)
        k += 1
    for j, t in enumerate(unique_outputs):
        buffers[id(t)] = block.args[k]
        block.args[k].name_hint = f"out{j}" if len(unique_outputs) > 1 else "out"
        k += 1
    dim_values: dict[_Dim, Any] = {}
    for d in dims:
        dim_values[d] = block.args[k]
        block.args[k].name_hint = _ident(f"{d.origin[0]}_d{d.origin[1]}")
        k += 1
    scalar_values: dict[int, Any] = {}
    for i in scalar_args:
        scalar_values[i] = block.args[k]
        k += 1

    sizes: dict[_Size, Any] = {}
    u32s: dict[_Size, Any] = {}

    def size_value(size: _Size):
        size = _Size.of(size.dims)  # roots may have changed since it was recorded
        if size not in sizes:
            value = None
            const = 1
            for d in size.dims:
                if isinstance(d, int):
                    const *= d
                    continue
                v = dim_values[d.root()]
                value = v if value is None else b.insert(arith.MuliOp(value, v)).result
            if value is None or const != 1:
                c = b.insert(arith.ConstantOp(IntegerAttr(const, IndexType()))).result
                value = c if value is None else b.insert(arith.MuliOp(value, c)).result
            sizes[size] = value
        return sizes[size]

    def u32_value(size: _Size):
        size = _Size.of(size.dims)
        if size not in u32s:
            u32s[size] = b.insert(arith.IndexCastOp(size_value(size), i32)).result
            u32s[size].name_hint = "n"
        return u32s[size]

    def float_value(node: tuple, type_name: str):
        want = f32 if type_name == "f32" else f64
        kind = node[0]
        if kind == "const":
            return b.insert(arith.ConstantOp(FloatAttr(node[1], want))).result
        if kind == "count":
            as_int = b.insert(arith.IndexCastOp(size_value(node[1]), i64)).result
            return b.insert(arith.SIToFPOp(as_int, want)).result
        value = _scalar_f64(node)
        return value if want == f64 else b.insert(arith.TruncFOp(value, f32)).result

    def _scalar_f64(node: tuple):
        kind = node[0]
        if kind == "arg":
            return scalar_values[node[1]]
        if kind == "const":
            return b.insert(arith.ConstantOp(FloatAttr(node[1], f64))).result
        if kind == "neg":
            return b.insert(arith.NegfOp(_scalar_f64(node[1]))).result
        op_class = {"+": arith.AddfOp, "-": arith.SubfOp, "*": arith.MulfOp,
                    "/": arith.DivfOp}[kind]
        return b.insert(op_class(_scalar_f64(node[1]), _scalar_f64(node[2]))).result

    # Sizes of every temporary first, so allocations dominate their launches.
    allocs = []
    for t in tracer.values:
        if id(t) in buffers:
            continue
        n = size_value(_Size.of(t._shape)) if t._shape else size_value(_Size(()))
        alloc = b.insert(memref.AllocOp([n], [], memref_type(t.dtype)))
        alloc.memref.name_hint = _ident(t.name)
        buffers[id(t)] = alloc.memref
        allocs.append(alloc)

    for launch in tracer.launches:
        args = []
        for a in launch.args:
            if isinstance(a, _ArrayArg):
                args.append(buffers[id(a.value)])
            elif isinstance(a, _SizeArg):
                args.append(u32_value(a.size))
            else:
                args.append(float_value(a.node, a.type))
        b.insert(LaunchOp(launch.kernel, size_value(launch.grid), args))
    for alloc in allocs:
        b.insert(memref.DeallocOp.get(alloc.memref))
    b.insert(func.ReturnOp())

    module = ModuleOp([])
    seen: set[str] = set()
    for launch in tracer.launches:
        if launch.kernel not in seen:
            seen.add(launch.kernel)
            module.body.block.add_op(_kernel(launch.kernel).kernel_op())
    module.body.block.add_op(program)
    return module, program, unique_outputs, dims, scalar_args


def _scalar_arg_nodes(tracer: _Tracer):
    found = []

    def walk(node):
        if node[0] == "arg":
            found.append(node)
        elif node[0] == "neg":
            walk(node[1])
        elif node[0] in ("+", "-", "*", "/"):
            walk(node[1])
            walk(node[2])

    for launch in tracer.launches:
        for a in launch.args:
            if isinstance(a, _FloatArg):
                walk(a.node)
    return found


def _ident(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return cleaned if cleaned and not cleaned[0].isdigit() else f"v_{cleaned}"


def _run_pipeline(module) -> None:
    from hologram.dialects import make_context
    from hologram.passes import DEFAULT_PIPELINE, parse_pipeline

    from hologram.dialects.hologram import KernelOp, LaunchOp

    passes = ["fuse"] + [p for p in DEFAULT_PIPELINE]
    parse_pipeline(",".join(passes)).apply(make_context(), module)
    # The module is ours: drop the kernels no launch uses any more (the fused ones' sources).
    used = {op.callee.root_reference.data for op in module.walk() if isinstance(op, LaunchOp)}
    for op in list(module.body.block.ops):
        if isinstance(op, KernelOp) and op.kernel_name not in used:
            module.body.block.erase_op(op)
    module.verify()
