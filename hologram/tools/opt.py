"""hologram-opt: read IR, run passes in order, print IR (or C with `-t c`, LLVM IR with `-t llvm`).

Built on xDSL's opt main: `-p/--passes` (alias `--pipeline=`), `--split-input-file`,
`--verify-diagnostics`, `--print-op-generic`, `--print-between-passes` keep working.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from xdsl.xdsl_opt_main import xDSLOptMain


class HologramOptMain(xDSLOptMain):
    version_format = "hologram-opt (xdsl {xdsl_version})"

    def __init__(self, args: Sequence[str] | None = None):
        super().__init__(description="Hologram's modular optimizer driver", args=args)

    def register_all_dialects(self):
        # Only the dialects our IR uses; super() would add all of xDSL's.
        from hologram.dialects import register_dialects

        register_dialects(self.ctx)

    def register_all_passes(self):
        from hologram.passes import get_all_passes

        for name, factory in get_all_passes().items():
            self.register_pass(name, factory)

    def register_all_targets(self):
        # `mlir` must stay: it is the default -t, and --print-op-generic applies only to it.
        from xdsl.targets.mlir import MLIRTarget

        self.available_targets["mlir"] = lambda: MLIRTarget

        def c_target():
            from hologram.backends.c.target import CTarget

            return CTarget

        self.available_targets["c"] = c_target

        def llvm_target():  # through upstream mlir-opt and mlir-translate (docs/mlir.md)
            from hologram.backends.mlir.target import LLVMTarget

            return LLVMTarget

        self.available_targets["llvm"] = llvm_target

    def apply_passes(self, prog):
        # Passes and the C backend assume every use is dominated by its definition; xDSL's
        # verifier does not check it, so the input is checked before any pass runs.
        from hologram.analysis.dominance import verify_dominance

        verify_dominance(prog)
        super().apply_passes(prog)

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser):
        super().register_all_arguments(arg_parser)
        arg_parser.add_argument(
            "--pipeline", dest="passes", type=str, help="alias of -p/--passes: a,b{opt=v}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    try:
        HologramOptMain(argv).run()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        return 130
    except UnicodeDecodeError as err:
        byte = err.object[err.start]
        print(f"hologram-opt: error: the input is not UTF-8 text (byte 0x{byte:02x} at offset "
              f"{err.start})", file=sys.stderr)
        return 1
    except RecursionError:
        print("hologram-opt: error: the IR is nested too deeply to process", file=sys.stderr)
        return 1
    except Exception as err:  # one line, not a traceback: the CLI contract
        message = str(err).strip().splitlines() or [type(err).__name__]
        detail = "\n".join(message)
        print(f"hologram-opt: error: {detail}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
