# RUN: hologram-compile %s | filecheck %s
# if/elif/else become nested scf.if; `pass` produces nothing.
from hologram.lang import DeviceArray, f32


def branches(o: DeviceArray[f32], x: f32):
    if x > 1.0:
        o[0] = 1.0
    elif x > 0.0:
        o[0] = 2.0
    else:
        pass
    if x < 0.0:
        pass

# CHECK-LABEL: hologram.kernel @branches(
# CHECK:         %[[C1:.*]] = arith.cmpf ogt, %x, %{{.*}} : f32
# CHECK-NEXT:    scf.if %[[C1]] {
# CHECK:         } else {
# CHECK:           %[[C2:.*]] = arith.cmpf ogt, %x, %{{.*}} : f32
# CHECK-NEXT:      scf.if %[[C2]] {
# CHECK:             memref.store
# CHECK-NEXT:      }
# CHECK-NEXT:    }
# The second `if` has nothing to run: only its condition is left.
# CHECK-NEXT:    arith.constant 0.000000e+00 : f32
# CHECK-NEXT:    arith.cmpf olt, %x, %{{.*}} : f32
# CHECK-NEXT:    hologram.return
