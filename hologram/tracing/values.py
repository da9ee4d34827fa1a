"""Traced values: arrays and scalars inside a `@hologram.jit` function, with numpy-like
operators that record op calls; `is_tracing` and `trace_call`, the hook `hologram.ops` calls."""

from __future__ import annotations

import numbers
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from hologram.tracing.errors import JitError
from hologram.tracing.shapes import Shape

if TYPE_CHECKING:
    from hologram.tracing.rules import _Tracer


# ------------------------------------------------------------------------------------------------
# Traced values
# ------------------------------------------------------------------------------------------------
_tls = threading.local()


def _active() -> _Tracer | None:
    return getattr(_tls, "tracer", None)


class Traced:
    """An array inside a traced function: its dtype and symbolic shape, no data."""

    __array_ufunc__ = None  # numpy scalars and arrays defer to our operators

    def __init__(self, tracer: _Tracer, dtype: np.dtype, shape: Shape, name: str):
        self._tracer = tracer
        self.dtype = dtype
        self._shape = shape
        self.name = name

    @property
    def ndim(self) -> int:
        return len(self._shape)

    @property
    def shape(self):
        raise JitError(
            f"hologram.jit: the shape of '{self.name}' is not known while tracing (the program "
            "is compiled once for every shape); use ndim, or pass sizes as arguments"
        )

    def _refuse(self, what: str):
        raise JitError(
            f"hologram.jit: '{self.name}' is a traced array; {what} is not possible while "
            "tracing (only hologram.ops calls and arithmetic operators are recorded)"
        )

    def __bool__(self):
        self._refuse("using it as a condition")

    def __len__(self):
        self._refuse("len()")

    def __iter__(self):
        self._refuse("iterating over it")

    def __float__(self):
        self._refuse("converting it to a number")

    def __array__(self, *args, **kwargs):
        self._refuse("converting it to a numpy array")

    def __getitem__(self, item):
        self._refuse("indexing")

    def __repr__(self) -> str:
        return f"Traced({self.name}, dtype={self.dtype}, ndim={self.ndim})"

    # numpy's operators, as the op API's ops
    def __add__(self, other): return self._tracer.call("add", (self, other), {})
    def __radd__(self, other): return self._tracer.call("add", (other, self), {})
    def __sub__(self, other): return self._tracer.call("subtract", (self, other), {})
    def __rsub__(self, other): return self._tracer.call("subtract", (other, self), {})
    def __mul__(self, other): return self._tracer.call("multiply", (self, other), {})
    def __rmul__(self, other): return self._tracer.call("multiply", (other, self), {})
    def __truediv__(self, other): return self._tracer.call("divide", (self, other), {})
    def __rtruediv__(self, other): return self._tracer.call("divide", (other, self), {})
    def __pow__(self, other): return self._tracer.call("power", (self, other), {})
    def __rpow__(self, other): return self._tracer.call("power", (other, self), {})
    def __neg__(self): return self._tracer.call("negative", (self,), {})
    def __pos__(self): return self._tracer.call("multiply", (self, 1.0), {})  # a copy, as numpy
    def __abs__(self): return self._tracer.call("abs", (self,), {})


class TracedScalar:
    """A scalar argument of the traced function: a float64 parameter of the program.

    Arithmetic between traced scalars and numbers is computed in the program (float64).
    """

    __array_ufunc__ = None

    def __init__(self, tracer: _Tracer, name: str, node: tuple):
        self._tracer = tracer
        self.name = name
        self.node = node  # ("arg", index) | ("const", float) | (op, lhs, rhs) | ("neg", x)

    def __bool__(self):
        raise JitError(f"hologram.jit: scalar argument '{self.name}' is traced; it cannot be "
                       "used as a condition (its value is only known when the program runs)")

    def __float__(self):
        self.__bool__()

    def _bin(self, op: str, other, reverse: bool = False):
        if isinstance(other, Traced):
            return NotImplemented
        node = _scalar_node(other, self._tracer)
        if node is None:
            return NotImplemented
        lhs, rhs = (node, self.node) if reverse else (self.node, node)
        return TracedScalar(self._tracer, f"({self.name} {op} ...)", (op, lhs, rhs))

    def __add__(self, o): return self._bin("+", o)
    def __radd__(self, o): return self._bin("+", o, True)
    def __sub__(self, o): return self._bin("-", o)
    def __rsub__(self, o): return self._bin("-", o, True)
    def __mul__(self, o): return self._bin("*", o)
    def __rmul__(self, o): return self._bin("*", o, True)
    def __truediv__(self, o): return self._bin("/", o)
    def __rtruediv__(self, o): return self._bin("/", o, True)
    def __neg__(self): return TracedScalar(self._tracer, f"-{self.name}", ("neg", self.node))
    def __pos__(self): return self


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool | np.bool_)


def _scalar_node(x, tracer: _Tracer) -> tuple | None:
    if isinstance(x, TracedScalar):
        if x._tracer is not tracer:
            raise JitError("hologram.jit: a traced scalar from another trace was used")
        return x.node
    if _is_number(x):
        return ("const", float(x))
    return None


def is_tracing(args: Sequence[Any]) -> bool:
    """Whether an op called with `args` must be recorded (an argument is a traced value)."""
    for a in args:
        if isinstance(a, Traced | TracedScalar):
            return True
        if isinstance(a, list | tuple) and any(isinstance(b, Traced | TracedScalar) for b in a):
            return True
    return False


def trace_call(op_name: str, args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    """Record `hologram.ops.<op_name>(*args, **kwargs)` in the active trace; returns its result."""
    tracer = _active()
    if tracer is None:
        raise JitError(
            f"hologram.ops.{op_name}: called with a traced value outside of its "
            "@hologram.jit function (a traced value escaped, e.g. stored in a global)"
        )
    return tracer.call(op_name, args, kwargs)
