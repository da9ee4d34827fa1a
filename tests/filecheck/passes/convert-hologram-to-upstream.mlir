// RUN: hologram-opt %s -p convert-hologram-to-upstream | filecheck %s
// RUN: hologram-opt %s -p convert-hologram-to-upstream | hologram-opt | filecheck %s
// RUN: hologram-opt %s -p convert-hologram-to-upstream | filecheck %s --check-prefix=NOHG
// RUN: not hologram-opt %S/inputs/upstream-refused.mlir -p convert-hologram-to-upstream 2>&1 | filecheck %s --check-prefix=GID
// RUN: not hologram-opt %S/inputs/upstream-refused-bool.mlir -p convert-hologram-to-upstream 2>&1 | filecheck %s --check-prefix=BOOL

// Nothing of the hologram dialect is left (the launch metadata are plain attributes).
// NOHG-NOT: = hologram.
// NOHG-NOT: {{^ *"?hologram\.}}

// GID: hologram-opt: error: {{.*}}hologram.global_id outside a grid loop
// BOOL: hologram-opt: error: {{.*}}hologram.atomic_add on a bool array is not supported

builtin.module {
  // A SIMT kernel: a func.func whose attributes carry the launch metadata and whose last
  // argument is the grid; the grid loop is scf.parallel, with a serial scf.for copy below 32768 ids.
  // The grid region is a function of the scalar parameters, named by the hologram.grid attribute.
  // CHECK-LABEL: func.func @vadd(%a: memref<?xf32>, %b: memref<?xf32>, %n: i32, %grid: index) attributes {hologram.kernel, hologram.param_names = ["a", "b", "n"], hologram.param_types = ["f32[]", "f32[]", "u32"], hologram.grid = "vadd_grid"} {
  // CHECK:         %[[SMALL:.*]] = arith.cmpi ult, %grid, %{{.*}} : index
  // CHECK-NEXT:    scf.if %[[SMALL]] {
  // CHECK-NEXT:      scf.for %gid = %{{.*}} to %grid step %{{.*}} {
  // CHECK:             arith.addf
  // CHECK:         } else {
  // CHECK-NEXT:      "scf.parallel"(%{{.*}}, %grid, %{{.*}}) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({
  // CHECK-NEXT:      ^bb0(%gid_1: index):
  // CHECK:             scf.reduce
  // CHECK-NEXT:      }) {hologram.schedule = "static", hologram.chunk = 0 : i64} : (index, index, index) -> ()
  // CHECK:         func.return
  // CHECK:       func.func @vadd_grid(%{{.*}}: i32) -> i64 attributes {hologram.param_types = ["u32"]} {
  // CHECK-NEXT:    %{{.*}} = arith.extui %{{.*}} : i32 to i64
  // CHECK-NEXT:    func.return %{{.*}} : i64
  // CHECK-NEXT:  }
  hologram.kernel @vadd(%a: memref<?xf32>, %b: memref<?xf32>, %n: i32) attributes {param_names = ["a", "b", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32>
      %y = arith.addf %x, %x : f32
      memref.store %y, %b[%gid] : memref<?xf32>
    }
    hologram.return
  } grid {
  ^bb0(%ga: memref<?xf32>, %gb: memref<?xf32>, %gn: i32):
    %g = arith.extui %gn : i32 to i64
    hologram.grid_yield %g : i64
  }

  // Explicit parallel loops keep their schedule as attributes; threshold(0) needs no serial
  // copy; `serial` is an scf.for; hologram.grid_size is the grid argument.
  // CHECK-LABEL: func.func @loops(%a: memref<?xf32>, %grid: index)
  // CHECK-NOT:     scf.if
  // CHECK:         "scf.parallel"(%c0, %grid, %c1)
  // CHECK:         }) {hologram.schedule = "dynamic", hologram.chunk = 8 : i64, hologram.simd} : (index, index, index) -> ()
  // CHECK-NEXT:    scf.for %j = %c0 to %grid step %c1 {
  // CHECK-NEXT:      %t = arith.constant 2.000000e+00 : f32
  // CHECK-NEXT:      memref.store %t, %a[%j] : memref<?xf32>
  // CHECK-NEXT:    }
  // CHECK-NEXT:    func.return
  hologram.kernel @loops(%a: memref<?xf32>) attributes {param_names = ["a"], param_types = ["f32[]"]} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %grid = hologram.grid_size : index
    hologram.parallel_for %i = %c0 to %grid step %c1 schedule(dynamic) chunk(8) simd threshold(0) {
      %z = arith.constant 1.0 : f32
      memref.store %z, %a[%i] : memref<?xf32>
    }
    hologram.parallel_for %j = %c0 to %grid step %c1 schedule(static) chunk(0) serial threshold(0) {
      %t = arith.constant 2.0 : f32
      memref.store %t, %a[%j] : memref<?xf32>
    }
    hologram.return
  }

  // Early exits: the iteration body becomes one scf.execute_region; the loop and the ifs around
  // the exits become blocks: `return` jumps to the end of the iteration, `break` to the loop's
  // exit, `continue` to its latch. The local's alloca stays at the top of the iteration (before
  // the serial copy's loop: no stack taken per iteration), and is zeroed where it was made
  // (the C backend's `int32_t found = 0;`).
  // CHECK-LABEL: func.func @first_neg(
  // CHECK:         scf.if %{{.*}} {
  // CHECK-NEXT:      %found = memref.alloca() : memref<i32>
  // CHECK-NEXT:      scf.for %gid = %{{.*}} to %grid step %{{.*}} {
  // CHECK-NEXT:        scf.execute_region {
  // CHECK:         "scf.parallel"
  // CHECK-NEXT:    ^bb0(%gid_1: index):
  // CHECK-NEXT:      %found_2 = memref.alloca() : memref<i32>
  // CHECK-NEXT:      scf.execute_region {
  // CHECK-NEXT:        %[[Z:.*]] = arith.constant 0 : i32
  // CHECK-NEXT:        memref.store %[[Z]], %found_2[] : memref<i32>
  // CHECK:             cf.cond_br %{{.*}}, ^bb1, ^[[END_IF:bb[0-9]+]]
  // CHECK:             cf.br ^bb2(%{{.*}} : index)
  // CHECK-NEXT:      ^bb2(%j_2: index):
  // CHECK-NEXT:        %[[MORE:.*]] = arith.cmpi slt, %j_2, %{{.*}} : index
  // CHECK-NEXT:        cf.cond_br %[[MORE]], ^bb3, ^[[AFTER:bb[0-9]+]]
  // CHECK:             %[[NAN:.*]] = arith.cmpf une, %v_1, %v_1 : f32
  // CHECK-NEXT:        cf.cond_br %[[NAN]], ^bb4, ^bb5
  // CHECK-NEXT:      ^bb4:
  // CHECK-NEXT:        cf.br ^[[ITER_END:bb[0-9]+]]
  // CHECK:           ^bb6:
  // CHECK-NEXT:        memref.store %j_3, %found_2[] : memref<i32>
  // CHECK-NEXT:        cf.br ^[[AFTER]]
  // CHECK:           ^bb7:
  // CHECK-NEXT:        cf.br ^[[LATCH:bb[0-9]+]]
  // CHECK:           ^[[LATCH]]:
  // CHECK-NEXT:        %[[NEXT:.*]] = arith.addi %j_2, %{{.*}} : index
  // CHECK-NEXT:        cf.br ^bb2(%[[NEXT]] : index)
  // CHECK-NEXT:      ^[[AFTER]]:
  // CHECK-NEXT:        %found_3 = memref.load %found_2[] : memref<i32>
  // CHECK:           ^[[ITER_END]]:
  // CHECK-NEXT:        scf.yield
  // CHECK-NEXT:      }
  // CHECK-NEXT:      scf.reduce
  hologram.kernel @first_neg(%x: memref<?xf32>, %out: memref<?xi32>, %n: i32, %w: i32) attributes {param_names = ["x", "out", "n", "w"], param_types = ["f32[]", "i32[]", "u32", "u32"]} {
    %found = memref.alloca() : memref<i32>
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %0 = arith.cmpi ult, %idx, %n : i32
    scf.if %0 {
      %1 = arith.constant -1 : i32
      memref.store %1, %found[] : memref<i32>
      %2 = arith.constant 0 : index
      %3 = arith.extui %w : i32 to i64
      %4 = arith.index_cast %3 : i64 to index
      %5 = arith.constant 1 : index
      scf.for %j = %2 to %4 step %5 {
        %6 = arith.index_cast %j : index to i64
        %j_1 = arith.trunci %6 : i64 to i32
        %7 = arith.index_cast %gid : index to i64
        %8 = arith.extui %w : i32 to i64
        %9 = arith.muli %7, %8 overflow<nsw> : i64
        %10 = arith.addi %9, %6 overflow<nsw> : i64
        %12 = arith.index_cast %10 : i64 to index
        %v = memref.load %x[%12] : memref<?xf32>
        %13 = arith.cmpf une, %v, %v : f32
        scf.if %13 {
          hologram.exit
        } else {
          %14 = arith.constant 0.000000e+00 : f32
          %15 = arith.cmpf ule, %v, %14 : f32
          scf.if %15 {
            memref.store %j_1, %found[] : memref<i32>
            hologram.break
          } else {
            hologram.continue
          }
        }
      }
      %found_1 = memref.load %found[] : memref<i32>
      memref.store %found_1, %out[%gid] : memref<?xi32>
    }
    hologram.return
  }

  // Atomics: add is atomic_rmw addi (kind 1) / addf (0); integer min/max follow the array's
  // language type (u32[]: minu = 8; i32[]: maxs = 4); float min stores v when v < old.
  // CHECK-LABEL: func.func @atomics(
  // CHECK:         "scf.parallel"
  // CHECK:           %{{.*}} = "memref.atomic_rmw"(%{{.*}}, %hist, %{{.*}}) <{kind = 1 : i64}> : (i32, memref<?xi32>, index) -> i32
  // CHECK-NEXT:      %{{.*}} = "memref.atomic_rmw"(%v_1, %sum, %{{.*}}) <{kind = 0 : i64}> : (f32, memref<?xf32>, index) -> f32
  // CHECK-NEXT:      %{{.*}} = "memref.generic_atomic_rmw"(%lo, %{{.*}}) ({
  // CHECK-NEXT:      ^bb0(%[[CUR:.*]]: f32):
  // CHECK-NEXT:        %[[LT:.*]] = arith.cmpf olt, %v_1, %[[CUR]] : f32
  // CHECK-NEXT:        %[[PICK:.*]] = arith.select %[[LT]], %v_1, %[[CUR]] : f32
  // CHECK-NEXT:        "memref.atomic_yield"(%[[PICK]]) : (f32) -> ()
  // CHECK-NEXT:      }) : (memref<?xf32>, index) -> f32
  // CHECK-NEXT:      %{{.*}} = "memref.atomic_rmw"(%idx_1, %m, %{{.*}}) <{kind = 4 : i64}> : (i32, memref<?xi32>, index) -> i32
  // CHECK-NEXT:      %{{.*}} = "memref.atomic_rmw"(%idx_1, %hist, %{{.*}}) <{kind = 8 : i64}> : (i32, memref<?xi32>, index) -> i32
  hologram.kernel @atomics(%x: memref<?xf32>, %hist: memref<?xi32>, %lo: memref<?xf32>, %m: memref<?xi32>, %sum: memref<?xf32>, %n: i32) attributes {param_names = ["x", "hist", "lo", "m", "sum", "n"], param_types = ["f32[]", "u32[]", "f32[]", "i32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %0 = arith.cmpi ult, %idx, %n : i32
    scf.if %0 {
      %v = memref.load %x[%gid] : memref<?xf32>
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : i32
      %a = hologram.atomic_add %c1, %hist[%gid] : i32, memref<?xi32>
      %s = hologram.atomic_add %v, %sum[%c0] : f32, memref<?xf32>
      %b = hologram.atomic_min %v, %lo[%gid] : f32, memref<?xf32>
      %c = hologram.atomic_max %idx, %m[%c0] : i32, memref<?xi32>
      %d = hologram.atomic_min %idx, %hist[%c0] : i32, memref<?xi32>
    }
    hologram.return
  }

  // Division by a value that may be 0 or -1 gets the C backend's results (0; MIN / -1 wraps);
  // a constant divisor is left alone. A shift by a value gets 0 past the width. fptosi is
  // computed in range only, the minimum outside.
  // CHECK-LABEL: func.func @arith(
  // CHECK:         %[[Q:.*]] = arith.floordivsi %{{.*}}, %[[SAFE:.*]] : i32
  // CHECK-NEXT:    %[[NEG:.*]] = arith.subi %[[ZERO:.*]], %p : i32
  // CHECK-NEXT:    %[[R1:.*]] = arith.select %[[ISM1:.*]], %[[NEG]], %[[Q]] : i32
  // CHECK-NEXT:    %[[R:.*]] = arith.select %[[IS0:.*]], %[[ZERO]], %[[R1]] : i32
  // CHECK-NEXT:    %c4 = arith.constant 4 : i32
  // CHECK-NEXT:    %{{.*}} = arith.floordivsi %p, %c4 : i32
  // CHECK:         %[[BIG:.*]] = arith.cmpi uge, %q, %{{.*}} : i32
  // CHECK:         %[[SH:.*]] = arith.shli %p, %{{.*}} : i32
  // CHECK-NEXT:    %{{.*}} = arith.select %[[BIG]], %{{.*}}, %[[SH]] : i32
  // CHECK:         %[[IN:.*]] = arith.andi %{{.*}}, %{{.*}} : i1
  // CHECK-NEXT:    %[[X:.*]] = arith.select %[[IN]], %f, %{{.*}} : f32
  // CHECK-NEXT:    %[[I:.*]] = arith.fptosi %[[X]] : f32 to i64
  // CHECK:         arith.select %[[IN]], %[[I]], %{{.*}} : i64
  hologram.kernel @arith(%a: memref<?xi32>, %b: memref<?xi32>, %f: f32, %q: i32, %n: i32) attributes {param_names = ["a", "b", "f", "q", "n"], param_types = ["i32[]", "i32[]", "f32", "i32", "u32"]} {
    %gid = hologram.global_id : index
    %p = memref.load %a[%gid] : memref<?xi32>
    %d = memref.load %b[%gid] : memref<?xi32>
    %0 = arith.floordivsi %p, %d : i32
    %c4 = arith.constant 4 : i32
    %1 = arith.floordivsi %p, %c4 : i32
    %2 = arith.addi %0, %1 : i32
    %3 = arith.shli %p, %q : i32
    %4 = arith.addi %2, %3 : i32
    memref.store %4, %a[%gid] : memref<?xi32>
    %5 = arith.fptosi %f : f32 to i64
    %6 = arith.trunci %5 : i64 to i32
    memref.store %6, %b[%gid] : memref<?xi32>
    hologram.return
  }

  // math.copysign (which MLIR 19's convert-math-to-libm refuses) on the bits: |x| | sign(y).
  // CHECK-LABEL: func.func @copysign
  // CHECK:         %[[XB:.*]] = arith.bitcast %x : f32 to i32
  // CHECK-NEXT:    %[[MAG:.*]] = arith.constant 2147483647 : i32
  // CHECK-NEXT:    %[[M:.*]] = arith.andi %[[XB]], %[[MAG]] : i32
  // CHECK-NEXT:    %[[YB:.*]] = arith.bitcast %y : f32 to i32
  // CHECK-NEXT:    %[[SB:.*]] = arith.constant -2147483648 : i32
  // CHECK-NEXT:    %[[S:.*]] = arith.andi %[[YB]], %[[SB]] : i32
  // CHECK-NEXT:    %[[R:.*]] = arith.ori %[[M]], %[[S]] : i32
  // CHECK-NEXT:    %{{.*}} = arith.bitcast %[[R]] : i32 to f32
  // CHECK-NOT:     math.copysign
  hologram.kernel @copysign(%a: memref<?xf32>, %b: memref<?xf32>) attributes {param_names = ["a", "b"], param_types = ["f32[]", "f32[]"]} {
    %gid = hologram.global_id : index
    %x = memref.load %a[%gid] : memref<?xf32>
    %y = memref.load %b[%gid] : memref<?xf32>
    %r = math.copysign %x, %y : f32
    memref.store %r, %a[%gid] : memref<?xf32>
    hologram.return
  }

  // Complex functions upstream lacks: log10 is complex.log with both parts scaled; asin a
  // call of C99's casinf, declared once; a complex local's slot starts at 0 + 0i.
  // CHECK-LABEL: func.func @cmath(
  // CHECK:         %[[SLOT:.*]] = memref.alloca() : memref<complex<f32>>
  // CHECK-NEXT:    scf.for
  // CHECK-NEXT:    %[[Z0:.*]] = complex.constant [0.000000e+00 : f32, 0.000000e+00 : f32] : complex<f32>
  // CHECK-NEXT:    memref.store %[[Z0]], %[[SLOT]][] : memref<complex<f32>>
  // CHECK:         %[[L:.*]] = complex.log %{{.*}} : complex<f32>
  // CHECK-NEXT:    %[[LN:.*]] = arith.constant 2.302585{{.*}} : f32
  // CHECK-NEXT:    %[[RE:.*]] = complex.re %[[L]] : complex<f32>
  // CHECK-NEXT:    %[[RE2:.*]] = arith.divf %[[RE]], %[[LN]] : f32
  // CHECK-NEXT:    %[[IM:.*]] = complex.im %[[L]] : complex<f32>
  // CHECK-NEXT:    %[[IM2:.*]] = arith.divf %[[IM]], %[[LN]] : f32
  // CHECK-NEXT:    %[[W:.*]] = complex.create %[[RE2]], %[[IM2]] : complex<f32>
  // CHECK-NEXT:    %{{.*}} = func.call @casinf(%[[W]]) : (complex<f32>) -> complex<f32>
  // NOHG-NOT:    hologram.cmath
  hologram.kernel @cmath(%a: memref<?xcomplex<f32>>) attributes {param_names = ["a"], param_types = ["c64[]"]} {
    %slot = memref.alloca() : memref<complex<f32>>
    %gid = hologram.global_id : index
    %z = memref.load %a[%gid] : memref<?xcomplex<f32>>
    %l = hologram.cmath "log10" %z : complex<f32>
    %s = hologram.cmath "asin" %l : complex<f32>
    memref.store %s, %slot[] : memref<complex<f32>>
    %t = memref.load %slot[] : memref<complex<f32>>
    memref.store %t, %a[%gid] : memref<?xcomplex<f32>>
    hologram.return
  }

  // A program: each launch is a call of the kernel's function with the grid last.
  // CHECK-LABEL: func.func @program(%a: memref<?xf32>, %b: memref<?xf32>, %n: index, %n32: i32) {
  // CHECK-NEXT:    func.call @vadd(%a, %b, %n32, %n) : (memref<?xf32>, memref<?xf32>, i32, index) -> ()
  // CHECK-NEXT:    func.return
  func.func @program(%a: memref<?xf32>, %b: memref<?xf32>, %n: index, %n32: i32) {
    hologram.launch @vadd grid(%n) (%a, %b, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    func.return
  }
}
// The C99 functions hologram.cmath calls are declared once, at the end of the module.
// CHECK:       func.func private @casinf(complex<f32>) -> complex<f32>
