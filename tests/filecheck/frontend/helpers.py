# RUN: hologram-compile %s | filecheck %s
# Helpers are inlined at each call (no calls remain); module-level constants are literals.
from hologram.lang import DeviceArray, f32, u32, get_global_id, inline

LEAK = 0.01


@inline
def leaky(x: f32) -> f32:
    return x if x > 0.0 else x * LEAK


def sign(x):
    if x > 0.0:
        return 1.0
    return -1.0


def never_called(x):
    return undefined_name + x


def apply(a: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        a[idx] = leaky(a[idx]) * sign(a[idx])

# CHECK-LABEL: hologram.kernel @apply(
# CHECK-NEXT:    %sign_result = memref.alloca() : memref<f32>
# CHECK:         %[[X:.*]] = memref.load %a[%gid] : memref<?xf32>
# CHECK:         %[[L:.*]] = scf.if %{{.*}} -> (f32) {
# CHECK-NEXT:      scf.yield %[[X]] : f32
# CHECK-NEXT:    } else {
# CHECK-NEXT:      %[[LEAK:.*]] = arith.constant 1.000000e-02 : f32
# CHECK-NEXT:      %[[Y:.*]] = arith.mulf %[[X]], %[[LEAK]] : f32
# CHECK-NEXT:      scf.yield %[[Y]] : f32
# CHECK:         scf.if %{{.*}} {
# CHECK:           memref.store %{{.*}}, %sign_result[] : memref<f32>
# CHECK-NEXT:    } else {
# CHECK:           memref.store %{{.*}}, %sign_result[] : memref<f32>
# CHECK:         %[[S:.*]] = memref.load %sign_result[] : memref<f32>
# CHECK-NEXT:    arith.mulf %[[L]], %[[S]] : f32
# CHECK-NOT:     func.call
# CHECK:         hologram.return
