# RUN: hologram-compile %s | filecheck %s
# Locals assigned once (dominating their uses) are SSA values named after the variable; the
# others live in a rank-0 memref.alloca, hoisted to the kernel's entry.
from hologram.lang import DeviceArray, f32, u32, get_global_id


def ssa_local(a: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        v = a[idx]
        w = v * v
        a[idx] = w

# CHECK-LABEL: hologram.kernel @ssa_local(
# CHECK-NOT:     memref.alloca
# CHECK:         %v = memref.load %a[%gid] : memref<?xf32>
# CHECK-NEXT:    %w = arith.mulf %v, %v : f32
# CHECK-NEXT:    memref.store %w, %a[%gid] : memref<?xf32>


def slot_local(a: DeviceArray[f32], n: u32):
    acc = 0.0
    for i in range(n):
        acc += a[i]
    a[0] = acc

# CHECK-LABEL: hologram.kernel @slot_local(
# CHECK-NEXT:    %acc = memref.alloca() : memref<f32>
# CHECK-NEXT:    %[[Z:.*]] = arith.constant 0.000000e+00 : f32
# CHECK-NEXT:    memref.store %[[Z]], %acc[] : memref<f32>
# CHECK:         scf.for
# CHECK:           %[[OLD:.*]] = memref.load %acc[] : memref<f32>
# CHECK:           %[[NEW:.*]] = arith.addf %[[OLD]], %{{.*}} : f32
# CHECK-NEXT:      memref.store %[[NEW]], %acc[] : memref<f32>


def branch_local(a: DeviceArray[f32], x: f32):
    if x > 0.0:
        y = x
    else:
        y = -x
    a[0] = y

# CHECK-LABEL: hologram.kernel @branch_local(
# CHECK-NEXT:    %y = memref.alloca() : memref<f32>
# CHECK:         memref.store %x, %y[] : memref<f32>
# CHECK:         } else {
# CHECK:           memref.store %{{.*}}, %y[] : memref<f32>


def subscript_update(a: DeviceArray[f32], i: u32, v: f32):
    a[i] += v
    a[i + 1] = a[i] * 2.0

# `a[i] += v` loads and stores the same element (not atomically)
# CHECK-LABEL: hologram.kernel @subscript_update(
# CHECK:         %[[E:.*]] = arith.extui %i : i32 to i64
# CHECK-NEXT:    %[[I:.*]] = arith.index_cast %[[E]] : i64 to index
# CHECK-NEXT:    %[[OLD:.*]] = memref.load %a[%[[I]]] : memref<?xf32>
# CHECK-NEXT:    %[[NEW:.*]] = arith.addf %[[OLD]], %v : f32
# CHECK-NEXT:    memref.store %[[NEW]], %a[%[[I]]] : memref<?xf32>


def declared(a: DeviceArray[f64], n: u32):
    total: f64 = 0
    for i in range(n):
        total += a[i]
    a[0] = total

# CHECK-LABEL: hologram.kernel @declared(
# CHECK-NEXT:    %total = memref.alloca() : memref<f64>
# CHECK-NEXT:    arith.constant 0.000000e+00 : f64
