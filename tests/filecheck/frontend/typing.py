# RUN: hologram-compile %s | filecheck %s
# A local's type is the join of all its assignments; every conversion the typing inserts is an
# explicit arith cast (docs/language.md, "Types").
from hologram.lang import DeviceArray, f32, f64, i32, u32, get_global_id

def join_u32_i32(a: DeviceArray[f32], off: DeviceArray[i32], out: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        j = i + off[i]
        out[i] = a[j]

# u32 + i32 joins to i64: both sides are widened by explicit casts (docs/language.md).
# CHECK-LABEL: hologram.kernel @join_u32_i32(
# CHECK:         %[[OFF:.*]] = memref.load %off[%gid] : memref<?xi32>
# CHECK-NEXT:    %[[WI:.*]] = arith.extui %i : i32 to i64
# CHECK-NEXT:    %[[WO:.*]] = arith.extsi %[[OFF]] : i32 to i64
# CHECK-NEXT:    %j = arith.addi %[[WI]], %[[WO]] : i64

def literal_then_u32(x: DeviceArray[f32], out: DeviceArray[u32], cols: u32):
    best = 0
    for c in range(cols):
        if x[c] > x[best]:
            best = c
    out[0] = best

# `best = 0` then `best = c` (u32): the literal is weak, the slot is a u32 (read back unsigned).
# CHECK-LABEL: hologram.kernel @literal_then_u32(
# CHECK:         %best = memref.alloca() : memref<i32>
# CHECK:         %best_1 = memref.load %best[] : memref<i32>
# CHECK-NEXT:    arith.extui %best_1 : i32 to i64
# CHECK:         memref.store %c_1, %best[] : memref<i32>

def int_then_float(a: DeviceArray[f64], out: DeviceArray[f64], n: u32):
    acc = 0
    for k in range(n):
        acc += a[k]
    out[0] = acc

# `acc = 0` then `acc += a[k]` (f64): an f64 local, its literal made an f64 constant.
# CHECK-LABEL: hologram.kernel @int_then_float(
# CHECK:         %acc = memref.alloca() : memref<f64>
# CHECK-NEXT:    %[[Z:.*]] = arith.constant 0.000000e+00 : f64
# CHECK-NEXT:    memref.store %[[Z]], %acc[] : memref<f64>
# CHECK:         arith.addf %acc_1, %{{.*}} : f64

def store_converts(a: DeviceArray[f32], out: DeviceArray[i32], n: u32):
    i = get_global_id()
    if i < n:
        out[i] = a[i]

# A store converts to the element type: f32 into an i32 array truncates toward zero.
# CHECK-LABEL: hologram.kernel @store_converts(
# CHECK:         %[[X:.*]] = memref.load %a[%gid] : memref<?xf32>
# CHECK-NEXT:    %[[W:.*]] = arith.fptosi %[[X]] : f32 to i64
# CHECK-NEXT:    %[[T:.*]] = arith.trunci %[[W]] : i64 to i32
# CHECK-NEXT:    memref.store %[[T]], %out[%gid] : memref<?xi32>

def sq(x: f32) -> f32:
    return x * x

def annotated_helper(a: DeviceArray[u32], out: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        out[i] = sq(a[i])

# An annotated helper parameter converts its argument: u32 to f32.
# CHECK-LABEL: hologram.kernel @annotated_helper(
# CHECK:         %[[X:.*]] = memref.load %a[%gid] : memref<?xi32>
# CHECK-NEXT:    %[[F:.*]] = arith.uitofp %[[X]] : i32 to f32
# CHECK-NEXT:    arith.mulf %[[F]], %[[F]] : f32

def descending(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    s = 0.0
    for k in range(n - 1, -1, -1):
        s = s * 2.0 + a[k]
    out[0] = s

# range(n - 1, -1, -1) with n: u32 counts down in i64, its start computed in i64 (no wrap at n = 0).
# CHECK-LABEL: hologram.kernel @descending(
# CHECK:         %k_next = memref.alloca() : memref<i64>
# CHECK:         %[[N:.*]] = arith.extui %n : i32 to i64
# CHECK-NEXT:    %[[ONE:.*]] = arith.constant 1 : i64
# CHECK-NEXT:    %[[S:.*]] = arith.subi %[[N]], %[[ONE]] overflow<nsw> : i64
# CHECK-NEXT:    memref.store %[[S]], %k_next[] : memref<i64>
# CHECK:         arith.cmpi sgt, %{{.*}}, %{{.*}} : i64

def runtime_power(y: DeviceArray[i32], n: u32):
    i = get_global_id()
    if i < n:
        y[i] = 2 ** (i % 5)

# Integer ** with a run-time exponent: square and multiply in an scf.while.
# CHECK-LABEL: hologram.kernel @runtime_power(
# CHECK:         %[[E:.*]] = arith.remui %i, %{{.*}} : i32
# CHECK:         scf.while (%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %[[E]]) : (i32, i32, i32) -> (i32, i32, i32)
# CHECK:         arith.shrui
