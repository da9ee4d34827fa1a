"""Every public op goes through `op`: the hook that lets `@hologram.jit` trace op calls.

When `hologram.tracing.is_tracing(args)` is true (some argument is a traced value, inside a
`@hologram.jit` function), the call is recorded with `hologram.tracing.trace_call(op_name, args,
kwargs)` instead of running. `hologram.tracing` is imported on the first op call, so importing
`hologram.ops` costs nothing up front.
"""

from __future__ import annotations

import functools
import importlib

import numpy as np

# Argument types that are never traced values: the wrapper's fast check.
_PLAIN = frozenset({np.ndarray, float, int, bool, str, type(None)})

# op name -> the public function (the wrapper), in definition order.
OPS: dict = {}

_tracing = None


def _tracing_module():
    # Imported on the first op call, not with hologram.ops: most programs never trace.
    global _tracing
    if _tracing is None:
        _tracing = importlib.import_module("hologram.tracing")
    return _tracing


def op(name: str | None = None):
    """Registers a public op under `name` (default: the function's name) and routes its calls
    through the tracing hook."""

    def wrap(impl):
        op_name = name or impl.__name__

        @functools.wraps(impl)
        def call(*args, **kwargs):
            # The common case (arrays and Python numbers) decides in one set lookup per
            # argument; anything else asks the tracer (and later hooks) whether it is theirs.
            for a in args:
                if a.__class__ not in _PLAIN:
                    tracing = _tracing_module()
                    if tracing.is_tracing(args):
                        return tracing.trace_call(op_name, args, kwargs)
                    break
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
