// RUN: hologram-opt %s --split-input-file --verify-diagnostics | filecheck %s

hologram.kernel @k(%a: memref<?xf32>) attributes {param_names = ["a", "b"], param_types = ["f32[]"]} {
  hologram.return
}
// CHECK: kernel @k has 1 parameters but 2 param_names and 1 param_types

// -----

hologram.kernel @k(%a: memref<?xf32>) attributes {param_names = ["a"], param_types = ["i32[]"]} {
  hologram.return
}
// CHECK: parameter a: language type i32[] needs IR type memref<?xi32>, not memref<?xf32>

// -----

hologram.kernel @k(%a: memref<?xf32>, %v: f64) attributes {param_names = ["a", "v"], param_types = ["f32[]", "f64"]} {
  %c0 = arith.constant 0 : index
  %o = hologram.atomic_add %v, %a[%c0] : f64, memref<?xf32>
  hologram.return
}
// CHECK: hologram.atomic_add: value type f64 does not match the element type of memref<?xf32>

// -----

hologram.kernel @k(%a: memref<?xf32>) attributes {param_names = ["a"], param_types = ["f32[]"]} {
  hologram.break
  hologram.return
}
// CHECK: hologram.break must be inside an scf.for or scf.while

// -----

hologram.kernel @k(%a: memref<?xf32>) attributes {param_names = ["a"], param_types = ["f32[]"]} {
  hologram.exit
  %c0 = arith.constant 0 : index
  hologram.return
}
// CHECK: hologram.exit must be the last op before its block's terminator

// -----

func.func @p(%a: memref<?xf32>, %g: index) {
  hologram.launch @nothere grid(%g) (%a) : (memref<?xf32>)
  func.return
}
// CHECK: hologram.launch: no kernel named @nothere

// -----

hologram.kernel @k(%a: memref<?xf32>) attributes {param_names = ["a"], param_types = ["f32[]"]} {
  hologram.return
}
func.func @p(%a: memref<?xf64>, %g: index) {
  hologram.launch @k grid(%g) (%a) : (memref<?xf64>)
  func.return
}
// CHECK: argument types (memref<?xf64>) do not match the kernel's (memref<?xf32>)

// -----

func.func @p(%g: index) {
  hologram.parallel_for %i = %g to %g step %g schedule(sometimes) {
  }
  func.return
}
// CHECK: unknown schedule 'sometimes', expected one of static, dynamic, guided

// -----

%z = complex.constant [1.0 : f32, 0.0 : f32] : complex<f32>
%w = hologram.cmath "erf" %z : complex<f32>
// CHECK: hologram.cmath: unknown function 'erf'
