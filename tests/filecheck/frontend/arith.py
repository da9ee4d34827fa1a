# RUN: hologram-compile %s | filecheck %s
# Arithmetic with Python's semantics: `/` is true division, `//` floors, `%` takes the sign of
# the divisor; literals adapt to the other operand; u32 uses the unsigned ops.
from hologram.lang import DeviceArray, f32, i32, u32


def signed_ops(a: DeviceArray[i32], x: i32, y: i32):
    a[0] = x + y * 3 - 1
    a[1] = x // y
    a[2] = x % y
    a[3] = x ** 3

# CHECK-LABEL: hologram.kernel @signed_ops(
# CHECK:         %[[T3:.*]] = arith.constant 3 : i32
# CHECK-NEXT:    %[[M:.*]] = arith.muli %y, %[[T3]] : i32
# CHECK-NEXT:    %[[S:.*]] = arith.addi %x, %[[M]] : i32
# CHECK-NEXT:    %[[ONE:.*]] = arith.constant 1 : i32
# CHECK-NEXT:    %{{.*}} = arith.subi %[[S]], %[[ONE]] : i32
# CHECK:         %{{.*}} = arith.floordivsi %x, %y : i32
# CHECK:         %[[R:.*]] = arith.remsi %x, %y : i32
# CHECK-NEXT:    %[[Z:.*]] = arith.constant 0 : i32
# CHECK-NEXT:    %[[NZ:.*]] = arith.cmpi ne, %[[R]], %[[Z]] : i32
# CHECK-NEXT:    %[[RN:.*]] = arith.cmpi slt, %[[R]], %[[Z]] : i32
# CHECK-NEXT:    %[[YN:.*]] = arith.cmpi slt, %y, %[[Z]] : i32
# CHECK-NEXT:    %[[DIFF:.*]] = arith.xori %[[RN]], %[[YN]] : i1
# CHECK-NEXT:    %[[FIX:.*]] = arith.andi %[[NZ]], %[[DIFF]] : i1
# CHECK-NEXT:    %[[ADJ:.*]] = arith.addi %[[R]], %y : i32
# CHECK-NEXT:    %{{.*}} = arith.select %[[FIX]], %[[ADJ]], %[[R]] : i32
# CHECK:         %[[SQ:.*]] = arith.muli %x, %x : i32
# CHECK-NEXT:    %{{.*}} = arith.muli %x, %[[SQ]] : i32


def unsigned_ops(a: DeviceArray[u32], x: u32, y: u32):
    a[0] = x // y
    a[1] = x % y
    a[2] = x * 2654435761
    a[3] = x >> 2

# CHECK-LABEL: hologram.kernel @unsigned_ops(
# CHECK:         arith.divui %x, %y : i32
# CHECK:         arith.remui %x, %y : i32
# CHECK:         %[[K:.*]] = arith.constant -1640531535 : i32
# CHECK-NEXT:    arith.muli %x, %[[K]] : i32
# CHECK:         arith.shrui %x, %{{.*}} : i32


def float_ops(a: DeviceArray[f32], x: f32, y: f32, i: i32):
    a[0] = x / y
    a[1] = x // y
    a[2] = x % y
    a[3] = x ** y
    a[4] = i / 2
    a[5] = -x

# CHECK-LABEL: hologram.kernel @float_ops(
# CHECK:         arith.divf %x, %y : f32
# CHECK:         %[[Q:.*]] = arith.divf %x, %y : f32
# CHECK-NEXT:    math.floor %[[Q]] : f32
# CHECK:         %[[Q2:.*]] = arith.divf %x, %y : f32
# CHECK-NEXT:    %[[F:.*]] = math.floor %[[Q2]] : f32
# CHECK-NEXT:    %[[P:.*]] = arith.mulf %[[F]], %y : f32
# CHECK-NEXT:    arith.subf %x, %[[P]] : f32
# CHECK:         math.powf %x, %y : f32
# CHECK:         %[[IF:.*]] = arith.sitofp %i : i32 to f32
# CHECK-NEXT:    %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
# CHECK-NEXT:    arith.divf %[[IF]], %[[TWO]] : f32
# CHECK:         arith.negf %x : f32


def literals(a: DeviceArray[f32], d: DeviceArray[f64], x: f32, y: f64):
    a[0] = x * 2
    d[0] = y * 0.5
    a[1] = 1.0 + 2 * 3

# CHECK-LABEL: hologram.kernel @literals(
# CHECK:         arith.constant 2.000000e+00 : f32
# CHECK:         arith.constant 5.000000e-01 : f64
# CHECK:         arith.constant 7.000000e+00 : f32
