# RUN: hologram-compile %s | filecheck %s
# Complex values: the upstream `complex` dialect, and `hologram.cmath` for the functions it
# lacks; a real operand joins a complex one (f64 with c64 gives c128); literals adapt.
import cmath
from hologram.lang import DeviceArray, f32, f64, c64, c128, u32


def arith_c64(o: DeviceArray[c64], z: c64, w: c64, x: f32):
    o[0] = z + w * x - 2 / z + 1j
    o[1] = -z.conjugate()

# CHECK-LABEL: hologram.kernel @arith_c64(
# CHECK:         %[[X:.*]] = complex.create %x, %{{.*}} : complex<f32>
# CHECK-NEXT:    %[[M:.*]] = complex.mul %w, %[[X]] : complex<f32>
# CHECK-NEXT:    %[[S:.*]] = complex.add %z, %[[M]] : complex<f32>
# CHECK-NEXT:    %[[TWO:.*]] = complex.constant [2.000000e+00 : f32, 0.000000e+00 : f32] : complex<f32>
# CHECK-NEXT:    %[[D:.*]] = complex.div %[[TWO]], %z : complex<f32>
# CHECK-NEXT:    %{{.*}} = complex.sub %[[S]], %[[D]] : complex<f32>
# CHECK:         complex.constant [0.000000e+00 : f32, 1.000000e+00 : f32] : complex<f32>
# CHECK:         %[[C:.*]] = complex.conj %z : complex<f32>
# CHECK-NEXT:    complex.neg %[[C]] : complex<f32>


def widen(o: DeviceArray[c128], z: c64, d: f64):
    o[0] = z * d

# CHECK-LABEL: hologram.kernel @widen(
# CHECK:         %[[RE:.*]] = complex.re %z : complex<f32>
# CHECK-NEXT:    %[[IM:.*]] = complex.im %z : complex<f32>
# CHECK-NEXT:    %[[RE2:.*]] = arith.extf %[[RE]] : f32 to f64
# CHECK-NEXT:    %[[IM2:.*]] = arith.extf %[[IM]] : f32 to f64
# CHECK-NEXT:    %[[Z:.*]] = complex.create %[[RE2]], %[[IM2]] : complex<f64>
# CHECK:         %[[D:.*]] = complex.create %d, %{{.*}} : complex<f64>
# CHECK-NEXT:    complex.mul %[[Z]], %[[D]] : complex<f64>


def functions(o: DeviceArray[c64], r: DeviceArray[f32], b: DeviceArray[bool], z: c64, x: f32):
    o[0] = exp(z) + cmath.sqrt(z) + expm1(z) + log1p(z)
    o[1] = cmath.asin(z) + cmath.acosh(z) + cmath.log10(z) + cmath.sqrt(x)
    r[0] = abs(z) + z.real - z.imag
    b[0] = cmath.isnan(z) and z != 1j

# CHECK-LABEL: hologram.kernel @functions(
# CHECK:         complex.exp %z : complex<f32>
# CHECK:         complex.sqrt %z : complex<f32>
# CHECK:         complex.expm1 %z : complex<f32>
# CHECK:         complex.log1p %z : complex<f32>
# CHECK:         hologram.cmath "asin" %z : complex<f32>
# CHECK:         hologram.cmath "acosh" %z : complex<f32>
# CHECK:         hologram.cmath "log10" %z : complex<f32>
# CHECK:         %[[XC:.*]] = complex.create %x, %{{.*}} : complex<f32>
# CHECK-NEXT:    complex.sqrt %[[XC]] : complex<f32>
# CHECK:         complex.abs %z : complex<f32>
# CHECK:         complex.re %z : complex<f32>
# CHECK:         complex.im %z : complex<f32>
# CHECK:         %[[RE:.*]] = complex.re %z : complex<f32>
# CHECK:         arith.cmpf uno, %[[RE]], %[[RE]] : f32
# CHECK:         complex.neq %z, %{{.*}} : complex<f32>


def construct(o: DeviceArray[c128], x: f64, y: f32, n: u32):
    o[0] = c128(x, y) + c128(n)

# CHECK-LABEL: hologram.kernel @construct(
# CHECK:         %[[Y:.*]] = arith.extf %y : f32 to f64
# CHECK-NEXT:    complex.create %x, %[[Y]] : complex<f64>
# CHECK:         arith.uitofp %n : i32 to f64
