"""C snippets for memref: rank-0 allocas are C locals, buffers are pointers.

* `memref.alloca() : memref<T>` (a reassigned local of the language) is `T x = 0;`, and its
  loads and stores read and write `x`; the C compiler keeps it in a register.
* 1-D memrefs are `T*`; a static N-D shape is indexed row-major.
* `memref.alloc` / `dealloc` (program buffers) are 64-byte aligned `posix_memalign` / `free`.
"""

from __future__ import annotations

from xdsl.dialects import memref
from xdsl.dialects.builtin import MemRefType
from xdsl.ir import Operation, SSAValue

from hologram.backends.c import boundscheck
from hologram.backends.c.emitter import CEmitter, ctype, emits


def _is_scalar_slot(value: SSAValue) -> bool:
    t = value.type
    return isinstance(t, MemRefType) and t.get_num_dims() == 0


def element_ref(em: CEmitter, op: Operation, ref: SSAValue, indices) -> str:
    """The C lvalue of `ref[indices]`."""
    if _is_scalar_slot(ref) and isinstance(ref.owner, memref.AllocaOp):
        return em.name(ref)
    t = ref.type
    assert isinstance(t, MemRefType)
    if _is_scalar_slot(ref):
        return f"{em.name(ref)}[0]"
    if len(indices) == 1:
        return f"{em.name(ref)}[{em.name(indices[0])}]"
    shape = t.get_shape()
    if any(d < 0 for d in shape[1:]):
        raise em.error(op, f"the C backend indexes only 1-D or static-shape memrefs, not {t}")
    linear = em.name(indices[0])
    for dim, index in zip(shape[1:], indices[1:], strict=True):
        linear = f"({linear}) * {dim} + {em.name(index)}"
    return f"{em.name(ref)}[{linear}]"


@emits(memref.LoadOp)
def _load(em: CEmitter, op: memref.LoadOp) -> None:
    ref = element_ref(em, op, op.memref, list(op.indices))
    g = boundscheck.guard(em, op, op.memref, list(op.indices))
    em.declare(op.res, ref if g is None else f"{g[0]} ? {ref} : {g[1]}")


@emits(memref.StoreOp)
def _store(em: CEmitter, op: memref.StoreOp) -> None:
    target = element_ref(em, op, op.memref, list(op.indices))
    with boundscheck.checked(em, op, op.memref, list(op.indices)):
        em.line(f"{target} = {em.name(op.value)};")


@emits(memref.AllocaOp)
def _alloca(em: CEmitter, op: memref.AllocaOp) -> None:
    t = op.memref.type
    assert isinstance(t, MemRefType)
    elem = ctype(t.get_element_type())
    if t.get_num_dims() == 0:
        em.line(f"{elem} {em.name(op.memref)} = 0;")
        return
    shape = t.get_shape()
    if any(d < 0 for d in shape) or op.dynamic_sizes:
        raise em.error(op, f"the C backend supports only static-shape memref.alloca, not {t}")
    size = 1
    for d in shape:
        size *= d
    name = em.name(op.memref)
    em.line(f"{elem} {name}[{size}] = {{0}};")
    em.elem_ctype[op.memref] = elem


@emits(memref.AllocOp)
def _alloc(em: CEmitter, op: memref.AllocOp) -> None:
    t = op.memref.type
    assert isinstance(t, MemRefType)
    elem = ctype(t.get_element_type())
    count = []
    dynamic = iter(op.dynamic_sizes)
    for d in t.get_shape():
        count.append(em.name(next(dynamic)) if d < 0 else f"INT64_C({d})")
    size = " * ".join(count) if count else "1"
    em.line(
        f"{elem}* {em.name(op.memref)} = ({elem}*)hg_alloc(({size}) * (int64_t)sizeof({elem}));"
    )
    em.elem_ctype[op.memref] = elem


@emits(memref.DeallocOp)
def _dealloc(em: CEmitter, op: memref.DeallocOp) -> None:
    em.line(f"free({em.name(op.memref)});")
