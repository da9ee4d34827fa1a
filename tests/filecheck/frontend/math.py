# RUN: hologram-compile %s | filecheck %s
# Math intrinsics (the `f` spellings are the same functions); ints convert to f32 first.
from hologram.lang import DeviceArray, f32, f64, i32, u32


def math_f32(o: DeviceArray[f32], x: f32, y: f32):
    o[0] = expf(x) + exp(x) + logf(x) + sinf(x) + cos(x) + tan(x)
    o[1] = sqrtf(x) + rsqrt(x) + tanh(x) + erf(x) + fabs(x) + abs(x)
    o[2] = floor(x) + ceil(x) + pow(x, y) + min(x, y) + max(x, y, 0.0)

# CHECK-LABEL: hologram.kernel @math_f32(
# CHECK:         math.exp %x : f32
# CHECK-NEXT:    math.exp %x : f32
# CHECK:         math.log %x : f32
# CHECK:         math.sin %x : f32
# CHECK:         math.cos %x : f32
# CHECK:         math.tan %x : f32
# CHECK:         math.sqrt %x : f32
# CHECK:         math.rsqrt %x : f32
# CHECK:         math.tanh %x : f32
# CHECK:         math.erf %x : f32
# CHECK:         math.absf %x : f32
# CHECK:         math.absf %x : f32
# CHECK:         math.floor %x : f32
# CHECK:         math.ceil %x : f32
# CHECK:         math.powf %x, %y : f32
# CHECK:         arith.minimumf %x, %y : f32
# CHECK:         %[[M:.*]] = arith.maximumf %x, %y : f32
# CHECK:         arith.maximumf %[[M]], %{{.*}} : f32


def math_f64_and_ints(o: DeviceArray[f64], i: DeviceArray[i32], d: f64, s: i32, n: u32):
    o[0] = exp(d)
    o[1] = f64(sqrt(s))
    i[0] = abs(s) + min(s, 3)
    i[1] = i32(max(n, 3))

# CHECK-LABEL: hologram.kernel @math_f64_and_ints(
# CHECK:         math.exp %d : f64
# CHECK:         %[[F:.*]] = arith.sitofp %s : i32 to f32
# CHECK-NEXT:    math.sqrt %[[F]] : f32
# CHECK:         math.absi %s : i32
# CHECK:         arith.minsi %s, %{{.*}} : i32
# CHECK:         arith.maxui %n, %{{.*}} : i32
