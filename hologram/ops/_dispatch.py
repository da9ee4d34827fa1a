"""Every public op goes through `op`: the hook that lets `@hologram.jit` trace op calls.

When `hologram.tracing.is_tracing(args)` is true (some argument is a traced value, inside a
`@hologram.jit` function), the call is recorded with `hologram.tracing.trace_call(op_name, args,
kwargs)` instead of running. A plain op call does not import `hologram.tracing` (no traced
value exists before it is imported), so importing `hologram.ops` and calling an op cost nothing
for tracing.
"""

from __future__ import annotations

import functools
import importlib
import sys

import numpy as np

# Argument types that are never traced values: the wrapper's fast check.
_PLAIN = frozenset({np.ndarray, float, int, bool, str, type(None)})

# op name -> the public function (the wrapper), in definition order.
OPS: dict = {}

_dask = None


def _dask_module():
    # hologram.dask imports Dask: only asked for once Dask is imported (an argument may be one).
    global _dask
    if _dask is None:
        _dask = importlib.import_module("hologram.dask")
    return _dask


def op(name: str | None = None):
    """Registers a public op under `name` (default: the function's name) and routes its calls
    through the tracing hook."""

    def wrap(impl):
        op_name = name or impl.__name__

        def hooked(args, kwargs):
            # An argument that is not an array or a Python number: the tracer's or Dask's? No
            # traced value exists before hologram.tracing is imported (it makes them), so a
            # plain call does not import it (about 10 ms of a fresh process's first op).
            tracing = sys.modules.get("hologram.tracing")
            if tracing is not None and tracing.is_tracing(args):
                return tracing.trace_call(op_name, args, kwargs)
            if "dask.array" in sys.modules and _dask_module().takes(args, kwargs):
                return _dask_module().call(op_name, args, kwargs)  # docs/dask.md
            return impl(*args, **kwargs)

        @functools.wraps(impl)
        def call(*args, **kwargs):
            # The common case (arrays and Python numbers) decides in one set lookup per
            # argument; this is every op call's path, so it builds nothing.
            for a in args:
                if a.__class__ not in _PLAIN:
                    return hooked(args, kwargs)
            if kwargs:
                for a in kwargs.values():
                    if a.__class__ not in _PLAIN:
                        return hooked(args, kwargs)
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
