"""`hologram-opt -t llvm`: the LLVM IR the MLIR backend compiles, from a lowered module.

The module goes through `upstream_mlir` (convert-hologram-to-upstream, symbols, outlining),
`mlir-opt` (MLIR_OPT_PASSES) and `mlir-translate --mlir-to-llvmir`; `-t 'llvm{stage=upstream}'`
stops after the first step and `-t 'llvm{stage=llvm-dialect}'` after mlir-opt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.target import Target

STAGES = ("upstream", "llvm-dialect", "llvm-ir")


@dataclass(frozen=True)
class LLVMTarget(Target):
    name = "llvm"

    stage: str = "llvm-ir"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        from hologram.backends.mlir.lower import MLIR_OPT_PASSES, _run, upstream_mlir
        from hologram.backends.mlir.toolchain import find_toolchain

        if self.stage not in STAGES:
            raise ValueError(f"llvm target: stage must be one of {', '.join(STAGES)}, "
                             f"not '{self.stage}'")
        text = upstream_mlir(module)
        if self.stage == "upstream":
            output.write(text)
            return
        tools = find_toolchain()
        llvm_dialect = _run([tools.tool("mlir-opt"), *MLIR_OPT_PASSES, "-"], "mlir-opt",
                            "module", text)
        if self.stage == "llvm-dialect":
            output.write(llvm_dialect)
            return
        output.write(_run([tools.tool("mlir-translate"), "--mlir-to-llvmir", "-"],
                          "mlir-translate", "module", llvm_dialect))
