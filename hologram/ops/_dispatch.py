"""Every public op goes through `op`: the hook that lets `@hologram.jit` trace op calls.

When `hologram.jit` exists and `hologram.jit.is_tracing(args)` is true (some argument is a traced
value), the call is recorded with `hologram.jit.trace_call(op_name, args, kwargs)` instead of
running. `hologram.jit` is imported on the first op call, only if it is installed, so
`hologram.ops` works without it and importing it costs nothing up front.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util

# op name -> the public function (the wrapper), in definition order.
OPS: dict = {}

_UNSET = object()
_jit = _UNSET


def _jit_module():
    global _jit
    if _jit is _UNSET:
        try:
            found = importlib.util.find_spec("hologram.jit") is not None
        except (ImportError, ValueError):
            found = False
        _jit = importlib.import_module("hologram.jit") if found else None
    return _jit


def op(name: str | None = None):
    """Registers a public op under `name` (default: the function's name) and routes its calls
    through the tracing hook."""

    def wrap(impl):
        op_name = name or impl.__name__

        @functools.wraps(impl)
        def call(*args, **kwargs):
            jit = _jit_module()
            if jit is not None and jit.is_tracing(args):
                return jit.trace_call(op_name, args, kwargs)
            return impl(*args, **kwargs)

        call.op_name = op_name
        call.impl = impl
        OPS[op_name] = call
        return call

    return wrap


def alias(name: str, target):
    """A second public name for an op (the seed's names); traced under the alias' target."""
    OPS[name] = target
    return target
