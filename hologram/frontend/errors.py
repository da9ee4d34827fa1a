"""The one error type of the compiler: `file:line:col: message`, the source line and a caret."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SourceLocation:
    file: str
    line: int  # 1-based
    col: int  # 1-based
    source_line: str | None = None


class CompileError(Exception):
    """A located error in a kernel: names the construct and, where there is one, the fix.

    `str(err)` is::

        kernels.py:12:9: error: `with` statements are not supported in kernels
            with open(p) as f:
            ^
    """

    def __init__(self, message: str, loc: SourceLocation | None = None, hint: str | None = None):
        self.message = message
        self.loc = loc
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        text = self.message if self.hint is None else f"{self.message}; {self.hint}"
        if self.loc is None:
            return f"error: {text}"
        head = f"{self.loc.file}:{self.loc.line}:{self.loc.col}: error: {text}"
        if not self.loc.source_line:
            return head
        line = self.loc.source_line.rstrip("\n")
        caret = " " * (self.loc.col - 1) + "^"
        return f"{head}\n    {line}\n    {caret}"
