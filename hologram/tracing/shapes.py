"""Symbolic shapes while tracing: dimensions known only as equal to others (union-find),
the constraints checked at every call, and sizes (products of dimensions) the program computes."""

from __future__ import annotations

from dataclasses import dataclass


# ------------------------------------------------------------------------------------------------
# Symbolic shapes
# ------------------------------------------------------------------------------------------------
class _Dim:
    """A dimension of an argument, known at trace time only as "the same as" other dimensions.

    Union-find: dimensions that an op requires to be equal share a root. `origin` is the
    (argument name, axis) it was read from, for error messages.
    """

    def __init__(self, origin: tuple[str, int]):
        self.origin = origin
        self.parent: _Dim = self

    def root(self) -> _Dim:
        d = self
        while d.parent is not d:
            d.parent = d.parent.parent
            d = d.parent
        return d

    def __repr__(self) -> str:
        return f"{self.origin[0]}.shape[{self.origin[1]}]"


# A shape entry is a _Dim or the integer 1 (a dimension that was 1 when traced).
Shape = tuple["_Dim | int", ...]


def _same(d: _Dim | int, e: _Dim | int) -> bool:
    if isinstance(d, int) or isinstance(e, int):
        return d == e
    return d.root() is e.root()


@dataclass
class _Constraint:
    """Two dimensions an op requires to be equal; checked at each call."""

    first: _Dim
    second: _Dim
    op: str




# A size: a product of dimensions (a tuple of _Dim roots and ints), evaluated in the program.
@dataclass(frozen=True)
class _Size:
    dims: tuple

    @staticmethod
    def of(shape: Shape) -> _Size:
        return _Size(tuple(d.root() if isinstance(d, _Dim) else d for d in shape))


# Kernel arguments recorded by a launch.
