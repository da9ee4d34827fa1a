# RUN: hologram-compile %s | filecheck %s
# for-range is scf.for (signed variables over their type, unsigned ones over index); a negative
# or non-constant signed step is scf.while over a counter; while is scf.while.
from hologram.lang import DeviceArray, i32, u32


def signed_range(o: DeviceArray[i32], s: i32):
    for i in range(2, s, 3):
        o[i] = i

# CHECK-LABEL: hologram.kernel @signed_range(
# CHECK:         %[[LB:.*]] = arith.constant 2 : i32
# CHECK-NEXT:    %[[ST:.*]] = arith.constant 3 : i32
# CHECK-NEXT:    scf.for %i = %[[LB]] to %s step %[[ST]] : i32 {
# CHECK-NEXT:      %[[I:.*]] = arith.index_cast %i : i32 to index
# CHECK-NEXT:      memref.store %i, %o[%[[I]]] : memref<?xi32>
# CHECK-NEXT:    }


def unsigned_range(o: DeviceArray[u32], n: u32):
    for i in range(n):
        o[i] = i

# CHECK-LABEL: hologram.kernel @unsigned_range(
# CHECK:         %[[LB:.*]] = arith.constant 0 : index
# CHECK-NEXT:    %[[E:.*]] = arith.extui %n : i32 to i64
# CHECK-NEXT:    %[[UB:.*]] = arith.index_cast %[[E]] : i64 to index
# CHECK-NEXT:    %[[ST:.*]] = arith.constant 1 : index
# CHECK-NEXT:    scf.for %i = %[[LB]] to %[[UB]] step %[[ST]] {
# CHECK-NEXT:      %[[W:.*]] = arith.index_cast %i : index to i64
# CHECK-NEXT:      %[[V:.*]] = arith.trunci %[[W]] : i64 to i32
# CHECK-NEXT:      memref.store %[[V]], %o[%i] : memref<?xi32>


def negative_step(o: DeviceArray[i32], s: i32):
    for i in range(s, -1, -1):
        o[i] = i

# CHECK-LABEL: hologram.kernel @negative_step(
# CHECK-NEXT:    %[[CTR:.*]] = memref.alloca() : memref<i32>
# CHECK-NEXT:    memref.store %s, %[[CTR]][] : memref<i32>
# CHECK-NEXT:    scf.while () : () -> () {
# CHECK-NEXT:      %[[I:.*]] = memref.load %[[CTR]][] : memref<i32>
# CHECK-NEXT:      %[[END:.*]] = arith.constant -1 : i32
# CHECK-NEXT:      %[[C:.*]] = arith.cmpi sgt, %[[I]], %[[END]] : i32
# CHECK-NEXT:      scf.condition(%[[C]])
# CHECK-NEXT:    } do {
# CHECK-NEXT:      %i = memref.load %[[CTR]][] : memref<i32>
# CHECK-NEXT:      %[[STEP:.*]] = arith.constant -1 : i32
# CHECK-NEXT:      %[[NEXT:.*]] = arith.addi %i, %[[STEP]] : i32
# CHECK-NEXT:      memref.store %[[NEXT]], %[[CTR]][] : memref<i32>


def variable_step(o: DeviceArray[i32], s: i32, step: i32):
    for i in range(0, s, step):
        o[i] = i

# the direction is chosen at run time from the sign of the step
# CHECK-LABEL: hologram.kernel @variable_step(
# CHECK:         scf.while
# CHECK:           %[[UP:.*]] = arith.cmpi slt, %{{.*}}, %s : i32
# CHECK-NEXT:      %[[DOWN:.*]] = arith.cmpi sgt, %{{.*}}, %s : i32
# CHECK:           %[[POS:.*]] = arith.cmpi sgt, %step, %{{.*}} : i32
# CHECK-NEXT:      %[[C:.*]] = arith.select %[[POS]], %[[UP]], %[[DOWN]] : i1
# CHECK-NEXT:      scf.condition(%[[C]])


def while_loop(o: DeviceArray[u32], x: u32):
    steps = u32(0)
    while x > 1:
        x = x // 2
        steps += 1
    o[0] = steps

# CHECK-LABEL: hologram.kernel @while_loop(
# CHECK:         scf.while () : () -> () {
# CHECK-NEXT:      %[[X:.*]] = memref.load %{{.*}}[] : memref<i32>
# CHECK-NEXT:      %[[ONE:.*]] = arith.constant 1 : i32
# CHECK-NEXT:      %[[C:.*]] = arith.cmpi ugt, %[[X]], %[[ONE]] : i32
# CHECK-NEXT:      scf.condition(%[[C]])
# CHECK-NEXT:    } do {
# CHECK:           arith.divui
# CHECK:           scf.yield
# CHECK-NEXT:    }
