# RUN: hologram-compile %s | filecheck %s
# Comparisons carry signedness; `and`/`or`, chained comparisons and ternaries are scf.if with a
# result, so the other side runs only when needed.
from hologram.lang import DeviceArray, f32, i32, u32


def compares(o: DeviceArray[f32], x: f32, s: i32, n: u32):
    if x != 0.0 and s < 0 or n >= 4:
        o[0] = 1.0

# CHECK-LABEL: hologram.kernel @compares(
# CHECK:         %[[NE:.*]] = arith.cmpf une, %x, %{{.*}} : f32
# CHECK-NEXT:    %[[AND:.*]] = scf.if %[[NE]] -> (i1) {
# CHECK:           %[[LT:.*]] = arith.cmpi slt, %s, %{{.*}} : i32
# CHECK-NEXT:      scf.yield %[[LT]] : i1
# CHECK-NEXT:    } else {
# CHECK-NEXT:      %[[F:.*]] = arith.constant false
# CHECK-NEXT:      scf.yield %[[F]] : i1
# CHECK-NEXT:    }
# CHECK-NEXT:    %[[OR:.*]] = scf.if %[[AND]] -> (i1) {
# CHECK-NEXT:      %[[T:.*]] = arith.constant true
# CHECK-NEXT:      scf.yield %[[T]] : i1
# CHECK-NEXT:    } else {
# CHECK:           arith.cmpi uge, %n, %{{.*}} : i32
# CHECK:         scf.if %[[OR]] {


def chained(o: DeviceArray[f32], a: DeviceArray[f32], lo: f32, hi: f32):
    o[0] = 1.0 if lo < a[0] <= hi else 0.0

# a[0] is loaded once; the second comparison runs only when the first holds
# CHECK-LABEL: hologram.kernel @chained(
# CHECK:         %[[V:.*]] = memref.load %a[%{{.*}}] : memref<?xf32>
# CHECK-NEXT:    %[[C1:.*]] = arith.cmpf olt, %lo, %[[V]] : f32
# CHECK-NEXT:    %[[C:.*]] = scf.if %[[C1]] -> (i1) {
# CHECK-NEXT:      %[[C2:.*]] = arith.cmpf ole, %[[V]], %hi : f32
# CHECK-NEXT:      scf.yield %[[C2]] : i1
# CHECK:         arith.select %[[C]], %{{.*}}, %{{.*}} : f32
# CHECK-NOT:     memref.load %a


def ternary(o: DeviceArray[f32], a: DeviceArray[f32], i: u32, n: u32):
    o[0] = a[i] if i < n else 0.0

# the load is inside the taken branch: never out of bounds
# CHECK-LABEL: hologram.kernel @ternary(
# CHECK:         %[[C:.*]] = arith.cmpi ult, %i, %n : i32
# CHECK-NEXT:    %{{.*}} = scf.if %[[C]] -> (f32) {
# CHECK:           %[[V:.*]] = memref.load %a[%{{.*}}] : memref<?xf32>
# CHECK-NEXT:      scf.yield %[[V]] : f32
# CHECK-NEXT:    } else {
# CHECK-NEXT:      %[[Z:.*]] = arith.constant 0.000000e+00 : f32
# CHECK-NEXT:      scf.yield %[[Z]] : f32


def negation(o: DeviceArray[f32], flag: bool):
    if not flag:
        o[0] = 1.0

# CHECK-LABEL: hologram.kernel @negation(%o: memref<?xf32>, %flag: i1)
# CHECK:         %[[T:.*]] = arith.constant true
# CHECK-NEXT:    %[[NOT:.*]] = arith.xori %flag, %[[T]] : i1
# CHECK-NEXT:    scf.if %[[NOT]] {
