"""The `hologram` dialect: data-parallel kernels, their grid, atomics, parallel loops, launches.

A kernel is SIMT code: its body runs once per global id in ``[0, grid)``. Everything that is not
specific to kernels is expressed with upstream dialects (arith, math, scf, memref, func); see
``docs/ir.md`` for the conventions the frontend follows and the passes rely on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from xdsl.dialects.builtin import (
    AnyFloatConstr,
    ComplexType,
    SignlessIntegerConstraint,
    ArrayAttr,
    FunctionType,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    StringAttr,
    SymbolRefAttr,
    UnitAttr,
    i64,
)
from xdsl.dialects.utils import parse_func_op_like, print_func_op_like
from xdsl.ir import Attribute, Block, Dialect, Operation, Region, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    VarConstraint,
    irdl_op_definition,
    lazy_traits_def,
    operand_def,
    opt_prop_def,
    opt_region_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import (
    HasParent,
    IsolatedFromAbove,
    IsTerminator,
    MemoryReadEffect,
    MemoryWriteEffect,
    NoMemoryEffect,
    Pure,
    RecursiveMemoryEffect,
    SingleBlockImplicitTerminator,
    SymbolOpInterface,
    SymbolTable,
    ensure_terminator,
)
from xdsl.utils.exceptions import VerifyException

# The language's types, as written in `param_types`; arrays carry a `[]` suffix ("f32[]").
SCALAR_IR_TYPES: dict[str, str] = {
    "f32": "f32", "f64": "f64", "i32": "i32", "u32": "i32", "i64": "i64", "u64": "i64",
    "bool": "i1", "c64": "complex<f32>", "c128": "complex<f64>",
}
SCHEDULES = ("static", "dynamic", "guided")


def ir_type_name(lang_type: str) -> str:
    """The printed IR type of a language type: `f32[]` -> `memref<?xf32>`, `u32` -> `i32`."""
    if lang_type.endswith("[]"):
        return f"memref<?x{SCALAR_IR_TYPES[lang_type[:-2]]}>"
    return SCALAR_IR_TYPES[lang_type]


# ------------------------------------------------------------------------------------------------
# Kernels
# ------------------------------------------------------------------------------------------------
@irdl_op_definition
class ReturnOp(IRDLOperation):
    """End of a kernel body. `hologram.return`"""

    name = "hologram.return"
    assembly_format = "attr-dict"
    traits = lazy_traits_def(lambda: (IsTerminator(), HasParent(KernelOp), Pure()))


@irdl_op_definition
class GridYieldOp(IRDLOperation):
    """The value of a kernel's grid region: how many ids the launch runs. `hologram.grid_yield %g : i64`"""

    name = "hologram.grid_yield"
    value = operand_def(i64)
    assembly_format = "$value attr-dict `:` type($value)"
    traits = lazy_traits_def(lambda: (IsTerminator(), HasParent(KernelOp), Pure()))

    def __init__(self, value: SSAValue | Operation):
        super().__init__(operands=[value])


# Ops a grid region may hold: integer arithmetic on the parameters, nothing that touches memory.
GRID_REGION_OPS = (
    "arith.constant", "arith.addi", "arith.subi", "arith.muli", "arith.divui", "arith.divsi",
    "arith.floordivsi", "arith.ceildivsi", "arith.ceildivui", "arith.remui", "arith.remsi",
    "arith.extui", "arith.extsi", "arith.trunci", "arith.index_cast", "arith.minui",
    "arith.minsi", "arith.maxui", "arith.maxsi", "arith.select", "arith.cmpi", "arith.andi",
    "arith.ori", "arith.xori", "arith.shli", "arith.shrui", "arith.shrsi", "hologram.grid_yield",
)


@irdl_op_definition
class KernelOp(IRDLOperation):
    """A SIMT kernel: the body runs once per global id in [0, grid).

    `hologram.kernel @vadd(%a: memref<?xf32>, %b: memref<?xf32>, %n: i32) attributes {param_names = ["a", "b", "n"], param_types = ["f32[]", "f32[]", "u32"]} { ... hologram.return } grid { ^bb0(%a: memref<?xf32>, %b: memref<?xf32>, %n: i32): %g = arith.extui %n : i32 to i64  hologram.grid_yield %g : i64 }`

    `param_types` keeps the language types (signedness is not in MLIR's signless integers).
    The optional `grid` region is the launch grid inferred from the kernel's guard: a function
    of the parameters (its block arguments mirror the kernel's; only scalars may be used) that
    yields, as an i64, how many ids can have an effect. The launch runs that many ids when the
    caller gives no `grid=`; a kernel without the region needs `grid=`.
    """

    name = "hologram.kernel"

    sym_name = prop_def(StringAttr)
    function_type = prop_def(FunctionType)
    param_names = prop_def(ArrayAttr[StringAttr])
    param_types = prop_def(ArrayAttr[StringAttr])
    source = opt_prop_def(StringAttr)
    body = region_def("single_block")
    grid = opt_region_def("single_block")

    traits = traits_def(IsolatedFromAbove(), SymbolOpInterface())

    PRINTED_AS_ATTRS: ClassVar[tuple[str, ...]] = ("param_names", "param_types", "source")

    def __init__(
        self,
        name: str,
        param_names: Sequence[str],
        param_types: Sequence[str],
        arg_types: Sequence[Attribute],
        body: Region | None = None,
        grid: Region | None = None,
        source: str | None = None,
    ):
        if body is None:
            body = Region(Block(arg_types=arg_types))
        props: dict[str, Attribute | None] = {
            "sym_name": StringAttr(name),
            "function_type": FunctionType.from_lists(list(arg_types), []),
            "param_names": ArrayAttr([StringAttr(n) for n in param_names]),
            "param_types": ArrayAttr([StringAttr(t) for t in param_types]),
            "source": StringAttr(source) if source is not None else None,
        }
        super().__init__(regions=[body, [grid] if grid is not None else []], properties=props)

    @property
    def grid_region(self) -> Region | None:
        """The grid region, or None when the kernel has none."""
        region = self.grid
        return region if region is not None and region.blocks else None

    @property
    def kernel_name(self) -> str:
        return self.sym_name.data

    @property
    def names(self) -> list[str]:
        return [a.data for a in self.param_names.data]

    @property
    def types(self) -> list[str]:
        return [a.data for a in self.param_types.data]

    def print(self, printer: Printer) -> None:
        shown = {k: v for k in self.PRINTED_AS_ATTRS if (v := self.properties.get(k)) is not None}
        print_func_op_like(
            printer,
            self.sym_name,
            self.function_type,
            self.body,
            shown | dict(self.attributes),
            reserved_attr_names=("sym_name", "function_type"),
        )
        if self.grid_region is not None:
            printer.print_string(" grid ")
            printer.print_region(self.grid_region, print_entry_block_args=True)

    @classmethod
    def parse(cls, parser: Parser) -> KernelOp:
        name, inputs, _outputs, region, extra, _arg_attrs, _res_attrs = parse_func_op_like(
            parser, reserved_attr_names=("sym_name", "function_type")
        )
        attrs = dict(extra.data) if extra is not None else {}
        props: dict[str, Attribute] = {
            "sym_name": StringAttr(name),
            "function_type": FunctionType.from_lists(inputs, []),
        }
        for key in cls.PRINTED_AS_ATTRS:
            if key in attrs:
                props[key] = attrs.pop(key)
        for key in ("param_names", "param_types"):
            if key not in props:
                parser.raise_error(f"hologram.kernel @{name} needs `{key}` in its attributes")
        if "grid" in attrs:
            parser.raise_error(f"hologram.kernel @{name}: the grid is a region after the body "
                               "(`grid { ^bb0(...): ... hologram.grid_yield %g : i64 }`), not an "
                               "attribute")
        grid: list[Region] = []
        if parser.parse_optional_keyword("grid") is not None:
            grid = [parser.parse_region()]
        block = region.blocks.first
        if block is not None and (block.last_op is None
                                  or not block.last_op.has_trait(IsTerminator)):
            block.add_op(ReturnOp())  # the implicit terminator of the body
        return cls.create(properties=props, attributes=attrs, regions=[region, *grid])

    def verify_(self) -> None:
        inputs = self.function_type.inputs.data
        if self.function_type.outputs.data:
            raise VerifyException("a kernel returns nothing")
        names, types = self.names, self.types
        if not (len(names) == len(types) == len(inputs)):
            raise VerifyException(
                f"kernel @{self.kernel_name} has {len(inputs)} parameters but "
                f"{len(names)} param_names and {len(types)} param_types"
            )
        args = self.body.block.args
        if [a.type for a in args] != list(inputs):
            raise VerifyException("kernel block arguments must match the function type")
        if not isinstance(self.body.block.last_op, ReturnOp):
            raise VerifyException(f"kernel @{self.kernel_name}: the body must end with "
                                  "hologram.return")
        self._verify_grid(list(inputs))
        for pname, ptype, ir_t in zip(names, types, inputs, strict=True):
            base = ptype.removesuffix("[]")
            if base not in SCALAR_IR_TYPES:
                raise VerifyException(f"parameter {pname}: unknown language type '{ptype}'")
            if str(ir_t) != ir_type_name(ptype):
                raise VerifyException(
                    f"parameter {pname}: language type {ptype} needs IR type "
                    f"{ir_type_name(ptype)}, not {ir_t}"
                )


    def _verify_grid(self, inputs: list[Attribute]) -> None:
        region = self.grid_region
        if region is None:
            return
        where = f"kernel @{self.kernel_name}: grid region"
        block = region.block
        if [a.type for a in block.args] != inputs:
            raise VerifyException(f"{where}: its block arguments must match the kernel's "
                                  "parameters")
        for arg in block.args:
            if isinstance(arg.type, MemRefType) and arg.uses:
                raise VerifyException(f"{where}: uses an array parameter; the grid is a "
                                      "function of the scalar parameters")
        if not isinstance(block.last_op, GridYieldOp):
            raise VerifyException(f"{where}: must end with hologram.grid_yield")
        for op in block.ops:
            if op.name not in GRID_REGION_OPS:
                raise VerifyException(f"{where}: {op.name} is not allowed there (integer "
                                      "arithmetic on the parameters only)")


# ------------------------------------------------------------------------------------------------
# The grid
# ------------------------------------------------------------------------------------------------
@irdl_op_definition
class GlobalIdOp(IRDLOperation):
    """The id of the running thread, in [0, grid). `%idx = hologram.global_id : index`"""

    name = "hologram.global_id"
    result = result_def(IndexType)
    assembly_format = "attr-dict `:` type($result)"
    traits = traits_def(NoMemoryEffect())

    def __init__(self):
        super().__init__(result_types=[IndexType()])


@irdl_op_definition
class GridSizeOp(IRDLOperation):
    """The number of ids the kernel was launched with. `%n = hologram.grid_size : index`"""

    name = "hologram.grid_size"
    result = result_def(IndexType)
    assembly_format = "attr-dict `:` type($result)"
    traits = traits_def(Pure())

    def __init__(self):
        super().__init__(result_types=[IndexType()])


# ------------------------------------------------------------------------------------------------
# Atomics: each returns the old value; when it is unused the update needs no capture.
# ------------------------------------------------------------------------------------------------
class AtomicRMWBase(IRDLOperation):
    T: ClassVar = VarConstraint("T", AnyFloatConstr | SignlessIntegerConstraint)

    value = operand_def(T)
    memref = operand_def(MemRefType)
    index = operand_def(IndexType)
    old = result_def(T)

    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = "$value `,` $memref `[` $index `]` attr-dict `:` type($value) `,` type($memref)"

    def __init__(self, value: SSAValue | Operation, memref: SSAValue, index: SSAValue):
        value = SSAValue.get(value)
        super().__init__(operands=[value, memref, index], result_types=[value.type])

    def verify_(self) -> None:
        mt = self.memref.type
        assert isinstance(mt, MemRefType)
        if mt.get_num_dims() != 1:
            raise VerifyException(f"{self.name} needs a 1-D memref, got {mt}")
        if mt.get_element_type() != self.value.type:
            raise VerifyException(
                f"{self.name}: value type {self.value.type} does not match the element "
                f"type of {mt}"
            )


@irdl_op_definition
class AtomicAddOp(AtomicRMWBase):
    """`arr[i] += v` atomically. `%old = hologram.atomic_add %v, %arr[%i] : f32, memref<?xf32>`"""

    name = "hologram.atomic_add"


@irdl_op_definition
class AtomicMinOp(AtomicRMWBase):
    """`arr[i] = min(arr[i], v)` atomically. `%old = hologram.atomic_min %v, %arr[%i] : f32, memref<?xf32>`"""

    name = "hologram.atomic_min"


@irdl_op_definition
class AtomicMaxOp(AtomicRMWBase):
    """`arr[i] = max(arr[i], v)` atomically. `%old = hologram.atomic_max %v, %arr[%i] : f32, memref<?xf32>`"""

    name = "hologram.atomic_max"


ATOMIC_OPS = (AtomicAddOp, AtomicMinOp, AtomicMaxOp)


# ------------------------------------------------------------------------------------------------
# Complex functions the upstream `complex` dialect lacks
# ------------------------------------------------------------------------------------------------
# C99 <complex.h> has each of them (csinh, casin...); log2 and log10 are log's parts scaled.
COMPLEX_FUNCTIONS = ("sinh", "cosh", "asin", "acos", "atan", "asinh", "acosh", "atanh",
                     "log2", "log10")


@irdl_op_definition
class ComplexMathOp(IRDLOperation):
    """A complex function of one complex value, with C99 Annex G special values; `fn` names it
    (one of `COMPLEX_FUNCTIONS`, those upstream `complex` lacks).
    `%w = hologram.cmath "asin" %z : complex<f32>`"""

    name = "hologram.cmath"
    T: ClassVar = VarConstraint("T", ComplexType.constr(AnyFloatConstr))
    fn = prop_def(StringAttr)
    operand = operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())
    assembly_format = "$fn $operand attr-dict `:` type($operand)"

    def __init__(self, fn: str, operand: SSAValue | Operation):
        operand = SSAValue.get(operand)
        super().__init__(operands=[operand], result_types=[operand.type],
                         properties={"fn": StringAttr(fn)})

    def verify_(self) -> None:
        if self.fn.data not in COMPLEX_FUNCTIONS:
            raise VerifyException(f"hologram.cmath: unknown function '{self.fn.data}' (one of "
                                  f"{', '.join(COMPLEX_FUNCTIONS)})")


# ------------------------------------------------------------------------------------------------
# Early exits inside structured control flow. Each is the last op before its block's terminator.
# ------------------------------------------------------------------------------------------------
def _enclosing_loop(op: Operation) -> Operation | None:
    from xdsl.dialects import scf

    parent = op.parent_op()
    while parent is not None and not isinstance(parent, KernelOp | ParallelForOp):
        if isinstance(parent, scf.ForOp | scf.WhileOp):
            return parent
        parent = parent.parent_op()
    return None


class ExitBase(IRDLOperation):
    assembly_format = "attr-dict"
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())

    def __init__(self):
        super().__init__()

    def verify_(self) -> None:
        nxt = self.next_op
        if nxt is None or not nxt.has_trait(IsTerminator) or nxt.next_op is not None:
            raise VerifyException(f"{self.name} must be the last op before its block's terminator")


@irdl_op_definition
class ExitOp(ExitBase):
    """Ends this thread (the language's `return`). `hologram.exit`"""

    name = "hologram.exit"

    def verify_(self) -> None:
        super().verify_()
        parent = self.parent_op()
        while parent is not None and not isinstance(parent, KernelOp):
            parent = parent.parent_op()
        if parent is None:
            raise VerifyException("hologram.exit must be inside a hologram.kernel")


@irdl_op_definition
class BreakOp(ExitBase):
    """Leaves the innermost enclosing scf.for / scf.while. `hologram.break`"""

    name = "hologram.break"

    def verify_(self) -> None:
        super().verify_()
        if _enclosing_loop(self) is None:
            raise VerifyException("hologram.break must be inside an scf.for or scf.while")


@irdl_op_definition
class ContinueOp(ExitBase):
    """Starts the next iteration of the innermost enclosing scf.for / scf.while. `hologram.continue`"""

    name = "hologram.continue"

    def verify_(self) -> None:
        super().verify_()
        if _enclosing_loop(self) is None:
            raise VerifyException("hologram.continue must be inside an scf.for or scf.while")


# ------------------------------------------------------------------------------------------------
# Explicit parallel loops (made by `parallelize` and later passes)
# ------------------------------------------------------------------------------------------------
@irdl_op_definition
class YieldOp(IRDLOperation):
    """Terminator of a parallel_for body (implicit in the custom syntax). `hologram.yield`"""

    name = "hologram.yield"
    assembly_format = "attr-dict"
    traits = lazy_traits_def(lambda: (IsTerminator(), HasParent(ParallelForOp), Pure()))


@irdl_op_definition
class ParallelForOp(IRDLOperation):
    """A loop whose iterations are independent, run by OpenMP threads.

    `hologram.parallel_for %i = %lb to %ub step %s schedule(static) chunk(0) simd threshold(4096) { ... }`

    `schedule` and `chunk` become OpenMP's schedule clause (chunk 0: the default chunk); `simd`
    asks for `#pragma omp ... simd`; below `threshold` iterations the loop runs serially on the
    calling thread (0: always parallel); `serial` forces one thread.
    """

    name = "hologram.parallel_for"

    lb = operand_def(IndexType)
    ub = operand_def(IndexType)
    step = operand_def(IndexType)
    schedule = prop_def(StringAttr, default_value=StringAttr("static"))
    chunk = prop_def(IntegerAttr[IndexType], default_value=IntegerAttr(0, IndexType()))
    threshold = prop_def(IntegerAttr[IndexType], default_value=IntegerAttr(0, IndexType()))
    simd = opt_prop_def(UnitAttr)
    serial = opt_prop_def(UnitAttr)
    body = region_def("single_block")

    traits = traits_def(SingleBlockImplicitTerminator(YieldOp), RecursiveMemoryEffect())

    def __init__(
        self,
        lb: SSAValue | Operation,
        ub: SSAValue | Operation,
        step: SSAValue | Operation,
        body: Region | None = None,
        *,
        schedule: str = "static",
        chunk: int = 0,
        threshold: int = 0,
        simd: bool = False,
        serial: bool = False,
    ):
        if body is None:
            body = Region(Block(arg_types=[IndexType()]))
        super().__init__(
            operands=[lb, ub, step],
            regions=[body],
            properties={
                "schedule": StringAttr(schedule),
                "chunk": IntegerAttr(chunk, IndexType()),
                "threshold": IntegerAttr(threshold, IndexType()),
                "simd": UnitAttr() if simd else None,
                "serial": UnitAttr() if serial else None,
            },
        )

    @property
    def induction_var(self) -> SSAValue:
        return self.body.block.args[0]

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_ssa_value(self.induction_var)
        printer.print_string(" = ")
        printer.print_ssa_value(self.lb)
        printer.print_string(" to ")
        printer.print_ssa_value(self.ub)
        printer.print_string(" step ")
        printer.print_ssa_value(self.step)
        printer.print_string(f" schedule({self.schedule.data}) chunk({self.chunk.value.data})")
        if self.simd is not None:
            printer.print_string(" simd")
        if self.serial is not None:
            printer.print_string(" serial")
        printer.print_string(f" threshold({self.threshold.value.data}) ")
        printer.print_region(self.body, print_entry_block_args=False, print_block_terminators=False)
        printer.print_op_attributes(self.attributes)

    @classmethod
    def parse(cls, parser: Parser) -> ParallelForOp:
        iv = parser.parse_argument(expect_type=False)
        parser.parse_punctuation("=")
        lb = parser.parse_operand(IndexType())
        parser.parse_keyword("to")
        ub = parser.parse_operand(IndexType())
        parser.parse_keyword("step")
        step = parser.parse_operand(IndexType())

        def paren_int(keyword: str) -> int:
            if not parser.parse_optional_keyword(keyword):
                return 0
            with parser.in_parens():
                return parser.parse_integer(allow_negative=False, allow_boolean=False)

        schedule = "static"
        if parser.parse_optional_keyword("schedule"):
            with parser.in_parens():
                schedule = parser.parse_identifier()
        chunk = paren_int("chunk")
        simd = parser.parse_optional_keyword("simd") is not None
        serial = parser.parse_optional_keyword("serial") is not None
        threshold = paren_int("threshold")
        body = parser.parse_region((iv.resolve(IndexType()),))
        attrs = parser.parse_optional_attr_dict()
        op = cls(lb, ub, step, body, schedule=schedule, chunk=chunk, threshold=threshold,
                 simd=simd, serial=serial)
        op.attributes |= attrs
        for trait in op.get_traits_of_type(SingleBlockImplicitTerminator):
            ensure_terminator(op, trait)
        return op

    def verify_(self) -> None:
        block = self.body.block
        if len(block.args) != 1 or not isinstance(block.args[0].type, IndexType):
            raise VerifyException("hologram.parallel_for needs one index block argument")
        if self.schedule.data not in SCHEDULES:
            raise VerifyException(
                f"unknown schedule '{self.schedule.data}', expected one of {', '.join(SCHEDULES)}"
            )


# ------------------------------------------------------------------------------------------------
# Programs: launches of kernels on buffers
# ------------------------------------------------------------------------------------------------
@irdl_op_definition
class LaunchOp(IRDLOperation):
    """Runs kernel @k over `grid` ids. `hologram.launch @vadd grid(%n) (%a, %b, %c, %n32) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, i32)`"""

    name = "hologram.launch"

    callee = prop_def(SymbolRefAttr)
    grid = operand_def(IndexType)
    args = var_operand_def()

    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = "$callee `grid` `(` $grid `)` `(` $args `)` attr-dict `:` `(` type($args) `)`"

    def __init__(self, callee: str, grid: SSAValue | Operation, args: Sequence[SSAValue | Operation]):
        super().__init__(
            operands=[grid, args], properties={"callee": SymbolRefAttr(callee)}
        )

    def kernel(self) -> KernelOp | None:
        target = SymbolTable.lookup_symbol(self, self.callee)
        return target if isinstance(target, KernelOp) else None

    def verify_(self) -> None:
        kernel = self.kernel()
        if kernel is None:
            raise VerifyException(f"hologram.launch: no kernel named {self.callee}")
        want = list(kernel.function_type.inputs.data)
        got = [a.type for a in self.args]
        if want != got:
            raise VerifyException(
                f"hologram.launch {self.callee}: argument types ({', '.join(map(str, got))}) do "
                f"not match the kernel's ({', '.join(map(str, want))})"
            )


Hologram = Dialect(
    "hologram",
    [
        KernelOp, ReturnOp, GridYieldOp, GlobalIdOp, GridSizeOp,
        AtomicAddOp, AtomicMinOp, AtomicMaxOp, ComplexMathOp,
        ExitOp, BreakOp, ContinueOp,
        ParallelForOp, YieldOp, LaunchOp,
    ],
    [],
)
