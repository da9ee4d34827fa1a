# RUN: hologram-compile %s | filecheck %s
# Atomics return the old value; atomic_add_f32(r, v) adds to r[0].
from hologram.lang import (DeviceArray, f32, u32, get_global_id, atomic_add, atomic_add_f32,
                           atomic_max, atomic_min)


def reduce(a: DeviceArray[f32], r: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_add_f32(r, a[idx])
        atomic_max(r, 1, a[idx])
        atomic_min(r, 2, a[idx])

# CHECK-LABEL: hologram.kernel @reduce(
# CHECK:         %[[V:.*]] = memref.load %a[%gid] : memref<?xf32>
# CHECK-NEXT:    %[[Z:.*]] = arith.constant 0 : index
# CHECK-NEXT:    %{{.*}} = hologram.atomic_add %[[V]], %r[%[[Z]]] : f32, memref<?xf32>
# CHECK:         hologram.atomic_max %{{.*}}, %r[%{{.*}}] : f32, memref<?xf32>
# CHECK:         hologram.atomic_min %{{.*}}, %r[%{{.*}}] : f32, memref<?xf32>


def compact(x: DeviceArray[f32], out: DeviceArray[f32], count: DeviceArray[u32], n: u32):
    idx = get_global_id()
    if idx < n:
        if x[idx] > 0.0:
            slot = atomic_add(count, 0, 1)
            out[slot] = x[idx]

# the old value is this element's slot
# CHECK-LABEL: hologram.kernel @compact(
# CHECK:         %[[ONE:.*]] = arith.constant 1 : i32
# CHECK-NEXT:    %slot = hologram.atomic_add %[[ONE]], %count[%{{.*}}] : i32, memref<?xi32>
# CHECK:         %[[W:.*]] = arith.extui %slot : i32 to i64
# CHECK-NEXT:    %[[I:.*]] = arith.index_cast %[[W]] : i64 to index
# CHECK-NEXT:    memref.store %{{.*}}, %out[%[[I]]] : memref<?xf32>
