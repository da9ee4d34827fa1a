// RUN: hologram-opt %s -p 'split-accumulators{lanes=8}' | filecheck %s
// RUN: hologram-opt %s -p 'split-accumulators{lanes=8},split-accumulators' | filecheck %s
// RUN: hologram-opt %s -p 'split-accumulators{strict=true}' | filecheck %s --check-prefix=STRICT
// RUN: not hologram-opt %s -p 'split-accumulators{lanes=6}' 2>&1 | filecheck %s --check-prefix=BAD

// BAD: hologram-opt: error: {{.*}}lanes must be a power of two >= 2, not 6

builtin.module {
  // A row sum: 8 partial sums (iteration j into partial (j - lb) mod 8), combined pairwise
  // (s = 4, 2, 1), then added to the initial value; the last (ub - lb) mod 8 iterations run
  // in order in the original loop.
  // CHECK-LABEL: hologram.kernel @row_sum
  // CHECK:         %[[W:.*]] = arith.constant 8 : index
  // CHECK-NEXT:    %[[ID:.*]] = arith.constant -0.000000e+00 : f32
  // CHECK-NEXT:    %partial = memref.alloca() : memref<8xf32>
  // CHECK-NEXT:    scf.for %{{.*}} = %{{.*}} to %[[W]] step %{{.*}} {
  // CHECK-NEXT:      memref.store %[[ID]], %partial[%{{.*}}] : memref<8xf32>
  // CHECK:         %main_end = arith.select
  // CHECK-NEXT:    scf.for %[[J0:.*]] = %{{.*}} to %main_end step %[[W]] {
  // CHECK-NEXT:      scf.for %lane = %{{.*}} to %[[W]] step %{{.*}} {
  // CHECK-NEXT:        %[[J:.*]] = arith.addi %[[J0]], %lane overflow<nsw> : index
  // CHECK:             memref.load %partial[%lane] : memref<8xf32>
  // CHECK:             arith.addf
  // CHECK-NEXT:        memref.store %{{.*}}, %partial[%lane] : memref<8xf32>
  // CHECK:         } {split_accumulators = "8 partial results"}
  // CHECK:         arith.constant 4 : index
  // CHECK:         arith.constant 2 : index
  // CHECK:         arith.constant 1 : index
  // CHECK:         } 
  // CHECK-NEXT:    %[[T:.*]] = memref.load %partial[%{{.*}}] : memref<8xf32>
  // CHECK-NEXT:    %[[A:.*]] = memref.load %acc[] : memref<f32>
  // CHECK-NEXT:    %[[S:.*]] = arith.addf %[[A]], %[[T]] : f32
  // CHECK-NEXT:    memref.store %[[S]], %acc[] : memref<f32>
  // CHECK-NEXT:    scf.for %{{.*}} = %main_end to %{{.*}} step %{{.*}} {
  // CHECK:         } {split_accumulators = "remainder"}
  // STRICT-LABEL: hologram.kernel @row_sum
  // STRICT-NOT:     %partial
  // STRICT:         split_accumulators = "refused: the accumulation is not +, max or min of floats"
  hologram.kernel @row_sum(%x: memref<?xf32>, %out: memref<?xf32>, %rows: i32, %cols: i32) attributes {param_names = ["x", "out", "rows", "cols"], param_types = ["f32[]", "f32[]", "u32", "u32"]} {
    %acc = memref.alloca() : memref<f32>
    %gid = hologram.global_id : index
    %r = arith.index_cast %gid : index to i32
    %0 = arith.cmpi ult, %r, %rows : i32
    scf.if %0 {
      %1 = arith.constant 0.000000e+00 : f32
      memref.store %1, %acc[] : memref<f32>
      %2 = arith.constant 0 : index
      %3 = arith.extui %cols : i32 to i64
      %4 = arith.index_cast %3 : i64 to index
      %5 = arith.constant 1 : index
      scf.for %j = %2 to %4 step %5 {
        %6 = arith.index_cast %j : index to i64
        %j_1 = arith.trunci %6 : i64 to i32
        %acc_1 = memref.load %acc[] : memref<f32>
        %7 = arith.index_cast %gid : index to i64
        %8 = arith.extui %cols : i32 to i64
        %9 = arith.muli %7, %8 overflow<nsw> : i64
        %10 = arith.index_cast %j : index to i64
        %11 = arith.addi %9, %10 overflow<nsw> : i64
        %12 = arith.index_cast %11 : i64 to index
        %13 = memref.load %x[%12] : memref<?xf32>
        %14 = arith.addf %acc_1, %13 : f32
        memref.store %14, %acc[] : memref<f32>
      }
      %acc_2 = memref.load %acc[] : memref<f32>
      memref.store %acc_2, %out[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // max: identity -inf; exact in any order (maximumf), so split even with strict=true.
  // CHECK-LABEL: hologram.kernel @row_max
  // CHECK:         arith.constant 0xff800000 : f32
  // CHECK:           arith.maximumf
  // CHECK:         } {split_accumulators = "8 partial results"}
  // STRICT-LABEL: hologram.kernel @row_max
  // STRICT:         } {split_accumulators = "64 partial results"}
  hologram.kernel @row_max(%x: memref<?xf32>, %out: memref<?xf32>, %rows: i32, %cols: i32) attributes {param_names = ["x", "out", "rows", "cols"], param_types = ["f32[]", "f32[]", "u32", "u32"]} {
    %best = memref.alloca() : memref<f32>
    %gid = hologram.global_id : index
    %r = arith.index_cast %gid : index to i32
    %0 = arith.cmpi ult, %r, %rows : i32
    scf.if %0 {
      %1 = arith.index_cast %gid : index to i64
      %2 = arith.extui %cols : i32 to i64
      %3 = arith.muli %1, %2 overflow<nsw> : i64
      %4 = arith.index_cast %3 : i64 to index
      %5 = memref.load %x[%4] : memref<?xf32>
      memref.store %5, %best[] : memref<f32>
      %6 = arith.constant 1 : index
      %7 = arith.extui %cols : i32 to i64
      %8 = arith.index_cast %7 : i64 to index
      %9 = arith.constant 1 : index
      scf.for %j = %6 to %8 step %9 {
        %10 = arith.index_cast %j : index to i64
        %j_1 = arith.trunci %10 : i64 to i32
        %best_1 = memref.load %best[] : memref<f32>
        %11 = arith.index_cast %gid : index to i64
        %12 = arith.extui %cols : i32 to i64
        %13 = arith.muli %11, %12 overflow<nsw> : i64
        %14 = arith.index_cast %j : index to i64
        %15 = arith.addi %13, %14 overflow<nsw> : i64
        %16 = arith.index_cast %15 : i64 to index
        %17 = memref.load %x[%16] : memref<?xf32>
        %18 = arith.maximumf %best_1, %17 : f32
        memref.store %18, %best[] : memref<f32>
      }
      %best_2 = memref.load %best[] : memref<f32>
      memref.store %best_2, %out[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // Control flow in the body (a skipped element): refused, the loop unchanged.
  // CHECK-LABEL: hologram.kernel @sum_skip_negative
  // CHECK-NOT:     %partial
  // CHECK:         } {split_accumulators = "refused: control flow in the loop body"}
  hologram.kernel @sum_skip_negative(%a: memref<?xf32>, %out: memref<?xf32>, %m: i32, %k: i32) attributes {param_names = ["a", "out", "m", "k"], param_types = ["f32[]", "f32[]", "u32", "u32"]} {
    %acc = memref.alloca() : memref<f32>
    %gid = hologram.global_id : index
    %row = arith.index_cast %gid : index to i32
    %0 = arith.cmpi ult, %row, %m : i32
    scf.if %0 {
      %1 = arith.constant 0.000000e+00 : f32
      memref.store %1, %acc[] : memref<f32>
      %2 = arith.constant 0 : index
      %3 = arith.extui %k : i32 to i64
      %4 = arith.index_cast %3 : i64 to index
      %5 = arith.constant 1 : index
      scf.for %j = %2 to %4 step %5 {
        %6 = arith.index_cast %j : index to i64
        %j_1 = arith.trunci %6 : i64 to i32
        %7 = arith.index_cast %gid : index to i64
        %8 = arith.extui %k : i32 to i64
        %9 = arith.muli %7, %8 overflow<nsw> : i64
        %10 = arith.index_cast %j : index to i64
        %11 = arith.addi %9, %10 overflow<nsw> : i64
        %12 = arith.index_cast %11 : i64 to index
        %v = memref.load %a[%12] : memref<?xf32>
        %13 = arith.constant 0.000000e+00 : f32
        %14 = arith.cmpf uge, %v, %13 : f32
        scf.if %14 {
          %acc_1 = memref.load %acc[] : memref<f32>
          %15 = arith.addf %acc_1, %v : f32
          memref.store %15, %acc[] : memref<f32>
        }
      }
      %acc_2 = memref.load %acc[] : memref<f32>
      memref.store %acc_2, %out[%gid] : memref<?xf32>
    }
    hologram.return
  }
}
