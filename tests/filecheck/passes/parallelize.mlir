// RUN: hologram-opt %s -p parallelize | filecheck %s
// RUN: hologram-opt %s -p 'parallelize{schedule=dynamic chunk=64}' | filecheck %s --check-prefix=DYN
// RUN: hologram-opt %s -p 'parallelize{schedule=guided}' | filecheck %s --check-prefix=GUIDED
// RUN: hologram-opt %s -p 'parallelize{threshold=0}' | filecheck %s --check-prefix=THR0
// RUN: hologram-opt %s -p 'parallelize{threshold=100}' | filecheck %s --check-prefix=THR100
// RUN: hologram-opt %s -p 'parallelize{loop-threshold=7}' | filecheck %s --check-prefix=LOOPTHR
// RUN: hologram-opt %s -p 'parallelize{simd=false}' | filecheck %s --check-prefix=NOSIMD
// RUN: hologram-opt %s -p parallelize | hologram-opt | filecheck %s
// RUN: hologram-opt %s -p parallelize,parallelize | filecheck %s
// RUN: not hologram-opt %s -p 'parallelize{schedule=auto}' 2>&1 | filecheck %s --check-prefix=BADOPT

// BADOPT: hologram-opt: error: {{.*}}schedule must be one of static, dynamic, guided, not 'auto'

builtin.module {
  // An elementwise kernel: the body moves into the grid loop, the id becomes the induction
  // variable. Ids below min(grid, n) pass the guard `idx < n`, so they run in a first loop
  // without it (no branch: vectorizable math calls); the others keep it.
  // CHECK-LABEL: hologram.kernel @vadd
  // CHECK-NEXT:    %c0 = arith.constant 0 : index
  // CHECK-NEXT:    %c1 = arith.constant 1 : index
  // CHECK-NEXT:    %grid = hologram.grid_size : index
  // CHECK-NEXT:    %[[W:.*]] = arith.extui %n : i32 to i64
  // CHECK-NEXT:    %[[B:.*]] = arith.index_cast %[[W]] : i64 to index
  // CHECK-NEXT:    %guarded_end = arith.minui %grid, %[[B]] : index
  // CHECK-NEXT:    hologram.parallel_for %gid = %c0 to %guarded_end step %c1 schedule(static) chunk(0) simd threshold(32768) {
  // CHECK-NEXT:      %idx = arith.index_cast %gid : index to i32
  // CHECK-NEXT:      %x = memref.load %a[%gid] : memref<?xf32>
  // CHECK-NEXT:      %y = memref.load %b[%gid] : memref<?xf32>
  // CHECK-NEXT:      %e = math.exp %x : f32
  // CHECK-NEXT:      %s = arith.addf %e, %y : f32
  // CHECK-NEXT:      memref.store %s, %c[%gid] : memref<?xf32>
  // CHECK-NEXT:    } {guard = "removed: ids below min(grid, n)"}
  // CHECK-NEXT:    hologram.parallel_for %gid_1 = %guarded_end to %grid step %c1 schedule(static) chunk(0) simd threshold(32768) {
  // CHECK-NEXT:      %idx_1 = arith.index_cast %gid_1 : index to i32
  // CHECK-NEXT:      %ok = arith.cmpi ult, %idx_1, %n : i32
  // CHECK-NEXT:      scf.if %ok {
  // CHECK-NEXT:        %x_1 = memref.load %a[%gid_1] : memref<?xf32>
  // CHECK:             memref.store %s_1, %c[%gid_1] : memref<?xf32>
  // CHECK-NEXT:      }
  // CHECK-NEXT:    }
  // CHECK-NEXT:    hologram.return
  // CHECK-NOT:     hologram.global_id
  // DYN-LABEL: hologram.kernel @vadd
  // DYN: hologram.parallel_for %gid = %c0 to %guarded_end step %c1 schedule(dynamic) chunk(64) simd threshold(32768) {
  // DYN: hologram.parallel_for %gid_1 = %guarded_end to %grid step %c1 schedule(dynamic) chunk(64) simd threshold(32768) {
  // GUIDED-LABEL: hologram.kernel @vadd
  // GUIDED: hologram.parallel_for %gid = %c0 to %guarded_end step %c1 schedule(guided) chunk(0) simd threshold(32768) {
  // THR0-LABEL: hologram.kernel @vadd
  // THR0: schedule(static) chunk(0) simd threshold(0) {
  // THR100-LABEL: hologram.kernel @vadd
  // THR100: schedule(static) chunk(0) simd threshold(100) {
  // NOSIMD-LABEL: hologram.kernel @vadd
  // NOSIMD: hologram.parallel_for %gid = %c0 to %guarded_end step %c1 schedule(static) chunk(0) threshold(32768) {
  // NOSIMD-NOT: no_simd
  hologram.kernel @vadd(%a: memref<?xf32>, %b: memref<?xf32>, %c: memref<?xf32>, %n: i32) attributes {param_names = ["a", "b", "c", "n"], param_types = ["f32[]", "f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32>
      %y = memref.load %b[%gid] : memref<?xf32>
      %e = math.exp %x : f32
      %s = arith.addf %e, %y : f32
      memref.store %s, %c[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // An early return inside the body: parallel, but never simd; the exit stays where it was.
  // CHECK-LABEL: hologram.kernel @early
  // CHECK:         hologram.parallel_for %gid = %c0 to %guarded_end step %c1 schedule(static) chunk(0) threshold(32768) {
  // CHECK:             hologram.exit
  // CHECK:         } {no_simd = "early return (hologram.exit)", guard = "removed: ids below min(grid, n)"}
  // CHECK:         hologram.parallel_for %gid_1 = %guarded_end to %grid step %c1 schedule(static) chunk(0) threshold(32768) {
  // CHECK:               hologram.exit
  // CHECK:         } {no_simd = "early return (hologram.exit)"}
  // NOSIMD-LABEL: hologram.kernel @early
  // NOSIMD: hologram.parallel_for %gid = %c0 to %guarded_end step %c1 schedule(static) chunk(0) threshold(32768) {
  hologram.kernel @early(%a: memref<?xf32>, %n: i32) attributes {param_names = ["a", "n"], param_types = ["f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32>
      %zero = arith.constant 0.0 : f32
      %neg = arith.cmpf olt, %x, %zero : f32
      scf.if %neg {
        hologram.exit
        scf.yield
      }
      %d = arith.addf %x, %x : f32
      memref.store %d, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // An atomic left in the body (its old value is used): parallel, not simd.
  // CHECK-LABEL: hologram.kernel @compact
  // CHECK:         hologram.parallel_for %gid = %c0 to %guarded_end step %c1 schedule(static) chunk(0) threshold(32768) {
  // CHECK:           %slot = hologram.atomic_add %one, %count[%c0_1] : i32, memref<?xi32>
  // CHECK:         } {no_simd = "atomic (hologram.atomic_add)", guard = "removed: ids below min(grid, n)"}
  hologram.kernel @compact(%a: memref<?xf32>, %out: memref<?xf32>, %count: memref<?xi32>, %n: i32) attributes {param_names = ["a", "out", "count", "n"], param_types = ["f32[]", "f32[]", "i32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32>
      %one = arith.constant 1 : i32
      %c0_1 = arith.constant 0 : index
      %slot = hologram.atomic_add %one, %count[%c0_1] : i32, memref<?xi32>
      %at = arith.index_cast %slot : i32 to index
      memref.store %x, %out[%at] : memref<?xf32>
    }
    hologram.return
  }

  // An inner while loop with a break: parallel, not simd.
  // CHECK-LABEL: hologram.kernel @search
  // CHECK:         hologram.parallel_for %gid = %c0 to %grid step %c1 schedule(static) chunk(0) threshold(256) {
  // CHECK:         } {no_simd = "inner scf.while loop"}
  hologram.kernel @search(%a: memref<?xi32>, %n: i32) attributes {param_names = ["a", "n"], param_types = ["i32[]", "u32"]} {
    %gid = hologram.global_id : index
    scf.while () : () -> () {
      %t = arith.constant true
      scf.condition(%t)
    } do {
      hologram.break
      scf.yield
    }
    hologram.return
  }

  // No guard, no id: still one body per id, simd (an inner counted loop is fine).
  // CHECK-LABEL: hologram.kernel @fill
  // CHECK:         hologram.parallel_for %gid = %c0 to %grid step %c1 schedule(static) chunk(0) simd threshold(256) {
  // CHECK-NEXT:      %v = arith.constant 1.000000e+00 : f32
  // CHECK:           scf.for %k = %z to %m step %o : i32 {
  // Each id runs a loop: the lower loop threshold applies.
  // LOOPTHR-LABEL: hologram.kernel @fill
  // LOOPTHR: hologram.parallel_for %gid = %c0 to %grid step %c1 schedule(static) chunk(0) simd threshold(7) {
  hologram.kernel @fill(%a: memref<?xf32>, %m: i32) attributes {param_names = ["a", "m"], param_types = ["f32[]", "i32"]} {
    %v = arith.constant 1.0 : f32
    %z = arith.constant 0 : i32
    %o = arith.constant 1 : i32
    scf.for %k = %z to %m step %o : i32 {
      %c0_2 = arith.constant 0 : index
      memref.store %v, %a[%c0_2] : memref<?xf32>
    }
    hologram.return
  }

  // The bound of the guard is computed from parameters: computed again before the loops.
  // CHECK-LABEL: hologram.kernel @matrix
  // CHECK:         %mn = arith.muli %m, %n : i32
  // CHECK-NEXT:    %[[W:.*]] = arith.extui %mn : i32 to i64
  // CHECK-NEXT:    %[[B:.*]] = arith.index_cast %[[W]] : i64 to index
  // CHECK-NEXT:    %guarded_end = arith.minui %grid, %[[B]] : index
  // CHECK-NEXT:    hologram.parallel_for %gid = %c0 to %guarded_end step %c1 schedule(static) chunk(0) simd threshold(32768) {
  hologram.kernel @matrix(%a: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["a", "m", "n"], param_types = ["f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %mn = arith.muli %m, %n : i32
    %ok = arith.cmpi ult, %idx, %mn : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32>
      %t = math.tanh %x : f32
      memref.store %t, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A guard on data, not on the id: no split, one loop with the guard inside.
  // CHECK-LABEL: hologram.kernel @data_guard
  // CHECK-NOT:     guarded_end
  // CHECK:         hologram.parallel_for %gid = %c0 to %grid step %c1 schedule(static) chunk(0) simd threshold(32768) {
  // CHECK-NEXT:      %x = memref.load %a[%gid] : memref<?xf32>
  // CHECK-NEXT:      %z = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT:      %pos = arith.cmpf ogt, %x, %z : f32
  // CHECK-NEXT:      scf.if %pos {
  // CHECK-NOT:     hologram.parallel_for
  hologram.kernel @data_guard(%a: memref<?xf32>) attributes {param_names = ["a"], param_types = ["f32[]"]} {
    %gid = hologram.global_id : index
    %x = memref.load %a[%gid] : memref<?xf32>
    %z = arith.constant 0.0 : f32
    %pos = arith.cmpf ogt, %x, %z : f32
    scf.if %pos {
      memref.store %z, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // Already parallel: left as it is (the same loop, not wrapped again).
  // CHECK-LABEL: hologram.kernel @done
  // CHECK-NEXT:    %c0 = arith.constant 0 : index
  // CHECK-NEXT:    %c1 = arith.constant 1 : index
  // CHECK-NEXT:    %g = hologram.grid_size : index
  // CHECK-NEXT:    hologram.parallel_for %i = %c0 to %g step %c1 schedule(dynamic) chunk(8) threshold(0) {
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @done(%a: memref<?xf32>) attributes {param_names = ["a"], param_types = ["f32[]"]} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %g = hologram.grid_size : index
    hologram.parallel_for %i = %c0 to %g step %c1 schedule(dynamic) chunk(8) threshold(0) {
      %x = memref.load %a[%i] : memref<?xf32>
    }
    hologram.return
  }

  // A local assigned in a branch has a slot (a rank-0 alloca) above the guard: each id gets its
  // own, so the fast loop copies it and the guard still goes.
  // CHECK-LABEL: hologram.kernel @slot
  // CHECK:         hologram.parallel_for %gid = %c0 to %guarded_end step %c1 schedule(static) chunk(0) simd threshold(32768) {
  // CHECK-NEXT:      %r = memref.alloca() : memref<f32>
  // CHECK-NEXT:      %idx = arith.index_cast %gid : index to i32
  // CHECK-NOT:       scf.if %ok
  // CHECK:         } {guard = "removed: ids below min(grid, n)"}
  hologram.kernel @slot(%a: memref<?xf32>, %n: i32) attributes {param_names = ["a", "n"], param_types = ["f32[]", "u32"]} {
    %r = memref.alloca() : memref<f32>
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32>
      memref.store %x, %r[] : memref<f32>
      %zero = arith.constant 0.0 : f32
      %neg = arith.cmpf olt, %x, %zero : f32
      scf.if %neg {
        memref.store %zero, %r[] : memref<f32>
      }
      %y = memref.load %r[] : memref<f32>
      memref.store %y, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A buffer (an alloca of 4 elements) above the guard is not a local's slot: one loop, the
  // guard kept inside.
  // CHECK-LABEL: hologram.kernel @buffer
  // CHECK-NOT:     guarded_end
  // CHECK:         hologram.parallel_for %gid = %c0 to %grid step %c1
  // CHECK:           scf.if %ok {
  hologram.kernel @buffer(%a: memref<?xf32>, %n: i32) attributes {param_names = ["a", "n"], param_types = ["f32[]", "u32"]} {
    %buf = memref.alloca() : memref<4xf32>
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32>
      %c0 = arith.constant 0 : index
      memref.store %x, %buf[%c0] : memref<4xf32>
    }
    hologram.return
  }

  // Not a kernel: a program is left alone.
  // CHECK-LABEL: func.func @prog
  // CHECK-NEXT:    hologram.launch @vadd grid(%g) (%a, %a, %a, %n) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, i32)
  // CHECK-NEXT:    func.return
  func.func @prog(%a: memref<?xf32>, %n: i32, %g: index) {
    hologram.launch @vadd grid(%g) (%a, %a, %a, %n) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, i32)
    func.return
  }
}
