# RUN: hologram-compile %s | filecheck %s
# Subscripts: `a[idx]` is the thread id itself; a position built with + - * is computed on
# 64-bit signed ints with `overflow<nsw>` (no wrapping, as Python's ints), loop variables
# entering through their index induction variable, so the C compiler can vectorize the loop.
from hologram.lang import DeviceArray, f32, i32, u32, get_global_id


def rows(x: DeviceArray[f32], out: DeviceArray[f32], m: u32, r: u32):
    idx = get_global_id()
    if idx < m:
        base = idx * r
        for t in range(r):
            out[base + t] = x[base + t] * 2.0
        out[idx] = x[idx]

# CHECK-LABEL: hologram.kernel @rows(
# CHECK:         %[[GID:.*]] = hologram.global_id : index
# CHECK:         %base = arith.muli %idx, %r : i32
# CHECK:         scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
# CHECK:           %[[B:.*]] = arith.extui %base : i32 to i64
# CHECK-NEXT:      %[[TI:.*]] = arith.index_cast %[[T]] : index to i64
# CHECK-NEXT:      %[[P:.*]] = arith.addi %[[B]], %[[TI]] overflow<nsw> : i64
# CHECK-NEXT:      %[[PI:.*]] = arith.index_cast %[[P]] : i64 to index
# CHECK-NEXT:      %{{.*}} = memref.load %x[%[[PI]]] : memref<?xf32>
# CHECK:         memref.load %x[%[[GID]]] : memref<?xf32>


def signed_offset(a: DeviceArray[f32], i: i32, n: i32):
    a[i - 1] = a[n * 2 + i]

# CHECK-LABEL: hologram.kernel @signed_offset(
# CHECK:         %[[N:.*]] = arith.extsi %n : i32 to i64
# CHECK-NEXT:    %[[TWO:.*]] = arith.constant 2 : i64
# CHECK-NEXT:    %[[M:.*]] = arith.muli %[[N]], %[[TWO]] overflow<nsw> : i64
# CHECK-NEXT:    %[[I:.*]] = arith.extsi %i : i32 to i64
# CHECK-NEXT:    %{{.*}} = arith.addi %[[M]], %[[I]] overflow<nsw> : i64
# CHECK:         %[[I2:.*]] = arith.extsi %i : i32 to i64
# CHECK-NEXT:    %[[ONE:.*]] = arith.constant 1 : i64
# CHECK-NEXT:    %{{.*}} = arith.subi %[[I2]], %[[ONE]] overflow<nsw> : i64
