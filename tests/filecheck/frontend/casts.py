# RUN: hologram-compile %s | filecheck %s
# Casts and the implicit widenings of mixed operands (docs/language.md, "Typing rules").
from hologram.lang import DeviceArray, f32, f64, i32, i64, u32, u64, float_bits


def casts(f: DeviceArray[f32], d: DeviceArray[f64], i: DeviceArray[i32], u: DeviceArray[u32],
          x: f32, s: i32, n: u32):
    f[0] = f32(n)
    f[1] = float(s)
    d[0] = f64(x)
    i[0] = int(x)
    u[0] = u32(x)
    u[1] = u32(s)
    i[1] = i32(f32(d[1]))
    i[2] = i32(u64(n) * 3)

# CHECK-LABEL: hologram.kernel @casts(
# CHECK:         arith.uitofp %n : i32 to f32
# CHECK:         arith.sitofp %s : i32 to f32
# CHECK:         arith.extf %x : f32 to f64
# float to a 32-bit integer goes through i64, so out-of-range values wrap as in hologram.lang
# CHECK:         %[[W:.*]] = arith.fptosi %x : f32 to i64
# CHECK-NEXT:    arith.trunci %[[W]] : i64 to i32
# CHECK:         %[[W2:.*]] = arith.fptosi %x : f32 to i64
# CHECK-NEXT:    arith.trunci %[[W2]] : i64 to i32
# u32(s) keeps the bits: %s is stored as it is
# CHECK:         memref.store %s, %u[%{{.*}}] : memref<?xi32>
# CHECK:         arith.truncf %{{.*}} : f64 to f32
# CHECK:         arith.extui %n : i32 to i64
# CHECK:         arith.trunci %{{.*}} : i64 to i32


def mixed(o: DeviceArray[i64], u: u32, s: i32, w: i64):
    o[0] = u + s
    o[1] = s + w

# u32 with i32 computes in i64, zero- and sign-extended
# CHECK-LABEL: hologram.kernel @mixed(
# CHECK:         %[[U:.*]] = arith.extui %u : i32 to i64
# CHECK-NEXT:    %[[S:.*]] = arith.extsi %s : i32 to i64
# CHECK-NEXT:    arith.addi %[[U]], %[[S]] : i64
# CHECK:         %[[S2:.*]] = arith.extsi %s : i32 to i64
# CHECK-NEXT:    arith.addi %[[S2]], %w : i64


def bits(o: DeviceArray[u32], w: DeviceArray[u64], x: f32, d: f64):
    o[0] = float_bits(x)
    w[0] = float_bits(d)
    o[1] = float_bits(-0.5)

# float_bits reinterprets: u32 of an f32, u64 of an f64; a float literal is an f32
# CHECK-LABEL: hologram.kernel @bits(
# CHECK:         arith.bitcast %x : f32 to i32
# CHECK:         arith.bitcast %d : f64 to i64
# CHECK:         %[[H:.*]] = arith.constant -5.000000e-01 : f32
# CHECK-NEXT:    arith.bitcast %[[H]] : f32 to i32
