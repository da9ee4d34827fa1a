"""The error `@hologram.jit` raises for what it cannot trace or a bad call."""

from __future__ import annotations


class JitError(TypeError):
    """An op or construct `@hologram.jit` cannot trace, or a bad call of a jitted function."""
