"""`hologram-opt -t c`: print a module as the C translation unit the backend compiles.

`-t 'c{line_directives=false}'` leaves out the `#line` directives (easier to read by eye).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.target import Target


@dataclass(frozen=True)
class CTarget(Target):
    name = "c"

    line_directives: bool = True

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        from hologram.backends.c.emitter import emit_c

        output.write(emit_c(module, line_directives=self.line_directives))
