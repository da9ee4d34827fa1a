// RUN: hologram-opt %s | hologram-opt | filecheck %s
// RUN: hologram-opt %s --print-op-generic | hologram-opt | filecheck %s

builtin.module {
  // CHECK: hologram.kernel @vadd(%a: memref<?xf32>, %b: memref<?xf32>, %n: i32) attributes {param_names = ["a", "b", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
  hologram.kernel @vadd(%a: memref<?xf32>, %b: memref<?xf32>, %n: i32) attributes {param_names = ["a", "b", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    // CHECK-NEXT: %idx = hologram.global_id : index
    %idx = hologram.global_id : index
    %i = arith.index_cast %idx : index to i32
    %ok = arith.cmpi ult, %i, %n : i32
    scf.if %ok {
      %x = memref.load %a[%idx] : memref<?xf32>
      // CHECK: %old = hologram.atomic_add %x, %b[%idx] : f32, memref<?xf32>
      %old = hologram.atomic_add %x, %b[%idx] : f32, memref<?xf32>
      // CHECK: hologram.atomic_min %x, %b[%idx] : f32, memref<?xf32>
      %m = hologram.atomic_min %x, %b[%idx] : f32, memref<?xf32>
      // CHECK: hologram.atomic_max %x, %b[%idx] : f32, memref<?xf32>
      %M = hologram.atomic_max %x, %b[%idx] : f32, memref<?xf32>
      scf.while () : () -> () {
        %t = arith.constant true
        scf.condition(%t)
      } do {
        // CHECK: hologram.break
        hologram.break
        scf.yield
      }
      %c0 = arith.constant 0 : i32
      %c1 = arith.constant 1 : i32
      scf.for %k = %c0 to %n step %c1 : i32 {
        // CHECK: hologram.continue
        hologram.continue
        scf.yield
      }
      // CHECK: hologram.exit
      hologram.exit
      scf.yield
    }
    // CHECK: hologram.return
    hologram.return
  }

  // CHECK: func.func @prog
  func.func @prog(%a: memref<?xf32>, %b: memref<?xf32>, %n: i32, %g: index) {
    // CHECK-NEXT: hologram.launch @vadd grid(%g) (%a, %b, %n) : (memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @vadd grid(%g) (%a, %b, %n) : (memref<?xf32>, memref<?xf32>, i32)
    %lb = arith.constant 0 : index
    %st = arith.constant 1 : index
    // CHECK: hologram.parallel_for %i = %lb to %g step %st schedule(dynamic) chunk(64) simd threshold(100) {
    hologram.parallel_for %i = %lb to %g step %st schedule(dynamic) chunk(64) simd threshold(100) {
      %x = memref.load %a[%i] : memref<?xf32>
    }
    // CHECK: schedule(static) chunk(0) threshold(0) {
    hologram.parallel_for %j = %lb to %g step %st {
      %gs = hologram.grid_size : index
    }
    func.return
  }

  // A complex function the upstream complex dialect lacks; c64 parameters.
  // CHECK: hologram.kernel @casin(%a: memref<?xcomplex<f32>>, %z: complex<f32>) attributes {param_names = ["a", "z"], param_types = ["c64[]", "c64"]} {
  hologram.kernel @casin(%a: memref<?xcomplex<f32>>, %z: complex<f32>) attributes {param_names = ["a", "z"], param_types = ["c64[]", "c64"]} {
    // CHECK-NEXT: %w = hologram.cmath "asin" %z : complex<f32>
    %w = hologram.cmath "asin" %z : complex<f32>
    %c0 = arith.constant 0 : index
    memref.store %w, %a[%c0] : memref<?xcomplex<f32>>
    hologram.return
  }
}
