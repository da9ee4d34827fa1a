// RUN: hologram-opt -t 'c{line_directives=false}' %s | filecheck %s

// complex<f32> is C99's float _Complex, complex<f64> double _Complex; arithmetic is C's own
// operators (Annex G), functions are <complex.h>'s or the prelude's hg_c* helpers.
// CHECK: #include <complex.h>
// CHECK: static inline float _Complex hg_cexpm1f(float _Complex z)
// CHECK: static inline double _Complex hg_clog1p(double _Complex z)

builtin.module {
  // CHECK-LABEL: void hg_k_{{.*}}(float _Complex* a_{{[0-9]+}}, double _Complex* b_{{[0-9]+}}, float _Complex z_{{[0-9]+}}, int64_t hg_grid)
  hologram.kernel @k(%a: memref<?xcomplex<f32>>, %b: memref<?xcomplex<f64>>, %z: complex<f32>) attributes {param_names = ["a", "b", "z"], param_types = ["c64[]", "c128[]", "c64"]} {
    %c0 = arith.constant 0 : index
    %x = memref.load %a[%c0] : memref<?xcomplex<f32>>
    // CHECK: float _Complex [[M:.*]] = {{.*}} * z_{{[0-9]+}};
    %m = complex.mul %x, %z : complex<f32>
    // CHECK-NEXT: float _Complex [[D:.*]] = [[M]] / CMPLXF(0x1.0000000000000p+1f, -(float)INFINITY);
    %two = complex.constant [2.0 : f32, 0xFF800000 : f32] : complex<f32>
    %d = complex.div %m, %two : complex<f32>
    // CHECK-NEXT: float _Complex [[S:.*]] = casinf([[D]]);
    %s = hologram.cmath "asin" %d : complex<f32>
    // CHECK-NEXT: float _Complex [[L:.*]] = hg_clog10f([[S]]);
    %l = hologram.cmath "log10" %s : complex<f32>
    // CHECK-NEXT: float _Complex [[E:.*]] = hg_cexpm1f([[L]]);
    %e = complex.expm1 %l : complex<f32>
    // CHECK-NEXT: float [[R:.*]] = crealf([[E]]);
    %r = complex.re %e : complex<f32>
    // CHECK-NEXT: double [[R64:.*]] = (double)[[R]];
    %r64 = arith.extf %r : f32 to f64
    // CHECK-NEXT: double _Complex [[C:.*]] = CMPLX([[R64]], [[R64]]);
    %c = complex.create %r64, %r64 : complex<f64>
    // CHECK-NEXT: double _Complex [[Q:.*]] = csqrt([[C]]);
    %q = complex.sqrt %c : complex<f64>
    // CHECK-NEXT: b_{{[0-9]+}}[{{.*}}] = [[Q]];
    memref.store %q, %b[%c0] : memref<?xcomplex<f64>>
    hologram.return
  }
}
