"""Upstream MLIR ops that xDSL 0.74 lacks, declared here so Hologram reads and writes them.

They carry MLIR's own names and operand layout, so the IR that `convert-hologram-to-upstream`
prints is read by `mlir-opt` as well as by `hologram-opt`. They print in MLIR's generic form,
which `mlir-opt` parses like any other op.

* `memref.generic_atomic_rmw`: an atomic read-modify-write whose new value is computed by its
  region from the current one (MLIR lowers it to a compare-and-swap loop). Hologram's
  `atomic_min`/`atomic_max` on floats need it: they store when `v < old` as Python's
  `min(old, v)` does, which no fixed `memref.atomic_rmw` kind does on NaN and signed zeros.
* `scf.execute_region` printing: xDSL 0.74 leaves out its terminators when the op has no results,
  which loses the branches of a region with several blocks; `fix_execute_region_printing`
  makes it print them (explicit terminators are valid MLIR and xDSL reads them back).
"""

from __future__ import annotations

from xdsl.dialects import scf
from xdsl.dialects.builtin import AnyFloatConstr, IndexType, MemRefType, SignlessIntegerConstraint
from xdsl.ir import Attribute, Block, Dialect, Region, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    lazy_traits_def,
    operand_def,
    region_def,
    result_def,
    var_operand_def,
)
from xdsl.printer import Printer
from xdsl.traits import HasParent, IsTerminator, Pure, RecursiveMemoryEffect
from xdsl.utils.exceptions import VerifyException


@irdl_op_definition
class AtomicYieldOp(IRDLOperation):
    """The new value of a generic_atomic_rmw. `"memref.atomic_yield"(%new) : (f32) -> ()`"""

    name = "memref.atomic_yield"
    result = operand_def()
    traits = lazy_traits_def(lambda: (IsTerminator(), HasParent(GenericAtomicRMWOp), Pure()))

    def __init__(self, value: SSAValue):
        super().__init__(operands=[value])


@irdl_op_definition
class GenericAtomicRMWOp(IRDLOperation):
    """Atomically `m[i] = region(m[i])`, returning the old value.

    `%old = "memref.generic_atomic_rmw"(%m, %i) ({ ^bb0(%cur: f32): ... "memref.atomic_yield"(%new) : (f32) -> () }) : (memref<?xf32>, index) -> f32`
    """

    name = "memref.generic_atomic_rmw"
    memref = operand_def(MemRefType)
    indices = var_operand_def(IndexType)
    result = result_def(AnyFloatConstr | SignlessIntegerConstraint)
    atomic_body = region_def("single_block")
    traits = lazy_traits_def(lambda: (RecursiveMemoryEffect(),))

    def __init__(self, memref: SSAValue, indices: list[SSAValue], element: Attribute):
        body = Region(Block(arg_types=[element]))
        super().__init__(operands=[memref, indices], result_types=[element], regions=[body])

    @property
    def current(self) -> SSAValue:
        return self.atomic_body.block.args[0]

    def verify_(self) -> None:
        mt = self.memref.type
        assert isinstance(mt, MemRefType)
        elem = mt.get_element_type()
        if self.result.type != elem:
            raise VerifyException(f"{self.name}: result type {self.result.type} is not the "
                                  f"element type of {mt}")
        if len(self.indices) != mt.get_num_dims():
            raise VerifyException(f"{self.name}: {len(self.indices)} indices for {mt}")
        args = self.atomic_body.block.args
        if len(args) != 1 or args[0].type != elem:
            raise VerifyException(f"{self.name}: the region takes one {elem} argument")
        last = self.atomic_body.block.last_op
        if not isinstance(last, AtomicYieldOp) or last.result.type != elem:
            raise VerifyException(f"{self.name}: the region must end with memref.atomic_yield "
                                  f"of a {elem}")


def _print_execute_region(self: scf.ExecuteRegionOp, printer: Printer) -> None:
    if self.outs:
        printer.print_string(" -> (")
        printer.print_list(self.outs.types, printer.print_attribute)
        printer.print_string(")")
    printer.print_string(" ")
    printer.print_region(self.region, print_entry_block_args=False, print_block_terminators=True)
    if self.attributes:
        printer.print_attr_dict(self.attributes)


def fix_execute_region_printing() -> None:
    """Make xDSL print `scf.execute_region`'s terminators (see the module docstring)."""
    scf.ExecuteRegionOp.print = _print_execute_region  # type: ignore[method-assign]


def extended_memref() -> Dialect:
    """xDSL's memref dialect plus the ops above (same dialect name, as in MLIR)."""
    from xdsl.dialects.memref import MemRef

    return Dialect(
        "memref",
        [*MemRef.operations, GenericAtomicRMWOp, AtomicYieldOp],
        [*MemRef.attributes],
    )
