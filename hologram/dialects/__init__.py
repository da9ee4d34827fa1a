"""Dialects: ours, and the upstream ones Hologram's IR uses."""

from __future__ import annotations

from xdsl.context import Context

UPSTREAM = ("builtin", "func", "arith", "math", "complex", "scf", "memref", "cf", "affine", "omp", "llvm",
            "printf")


def register_dialects(ctx: Context) -> None:
    """Register (lazily) every dialect Hologram reads and writes."""
    from xdsl.dialects import get_all_dialects

    upstream = get_all_dialects()
    # memref with the upstream op xDSL lacks; scf.execute_region printed whole (upstream.py).
    from hologram.dialects.upstream import extended_memref, fix_execute_region_printing

    upstream["memref"] = extended_memref
    fix_execute_region_printing()
    for name in UPSTREAM:
        if name not in ctx.registered_dialect_names:
            ctx.register_dialect(name, upstream[name])
    if "hologram" not in ctx.registered_dialect_names:
        from hologram.dialects.hologram import Hologram

        ctx.register_dialect("hologram", lambda: Hologram)


def make_context() -> Context:
    ctx = Context()
    register_dialects(ctx)
    return ctx
