// RUN: hologram-opt %s -p 'vectorize-lanes{lanes=16}' | filecheck %s
// RUN: hologram-opt %s -p 'vectorize-lanes{lanes=16},vectorize-lanes' | filecheck %s
// RUN: hologram-opt %s -p vectorize-lanes | filecheck %s --check-prefix=DEFAULT
// RUN: not hologram-opt %s -p 'vectorize-lanes{lanes=1}' 2>&1 | filecheck %s --check-prefix=BADLANES

// BADLANES: hologram-opt: error: {{.*}}lanes must be in 2..256, not 1

builtin.module {
  // One id per column summing down the rows: 16 consecutive ids per parallel iteration, the
  // accumulator one element per lane, the row loop outside the lane loop (x[i * n + id] is
  // contiguous in the lane). Ids past min(grid, n) run the original body.
  // CHECK-LABEL: hologram.kernel @column_sum
  // CHECK-SAME:    vectorize_lanes.strategy = "lanes 16"
  // CHECK:         %guarded_end = arith.minui %grid, %{{.*}} : index
  // CHECK:         hologram.parallel_for %g0 = %{{.*}} to %guarded_end step %[[W:.*]] schedule(static) chunk(0) threshold(16) {
  // CHECK:           %lanes = arith.minui %{{.*}}, %{{.*}} : index
  // CHECK:           %acc = memref.alloca() : memref<16xf32>
  // CHECK-NEXT:      scf.for %lane = %{{.*}} to %lanes step
  // CHECK-NEXT:        %gid = arith.addi %g0, %lane overflow<nsw> : index
  // CHECK:             memref.store %{{.*}}, %acc[%lane] : memref<16xf32>
  // The row offset i * n is the same in every lane: computed once per row, outside the lanes.
  // CHECK:           scf.for %i = %{{.*}} to %{{.*}} step %{{.*}} {
  // CHECK:             %[[ROW:.*]] = arith.muli %{{.*}}, %{{.*}} overflow<nsw> : i64
  // CHECK-NEXT:        scf.for %lane_1 = %{{.*}} to %lanes step
  // CHECK-NEXT:          %gid_1 = arith.addi %g0, %lane_1 overflow<nsw> : index
  // CHECK:               memref.load %acc[%lane_1] : memref<16xf32>
  // CHECK:               memref.load %x[
  // CHECK:               memref.store %{{.*}}, %acc[%lane_1] : memref<16xf32>
  // CHECK:           scf.for %lane_2 = %{{.*}} to %lanes step
  // CHECK:             %[[S:.*]] = memref.load %acc[%lane_2] : memref<16xf32>
  // CHECK-NEXT:        memref.store %[[S]], %out[%gid_2] : memref<?xf32>
  // CHECK:         } {lanes = "16 consecutive ids per iteration"}
  // CHECK-NEXT:    hologram.parallel_for %{{.*}} = %guarded_end to %grid step
  // CHECK:           memref.alloca() : memref<f32>
  // CHECK:           scf.if
  // CHECK:         hologram.return
  // DEFAULT-LABEL: hologram.kernel @column_sum
  // DEFAULT-SAME:    vectorize_lanes.strategy = "lanes 64"
  // DEFAULT:         %acc = memref.alloca() : memref<64xf32>
  hologram.kernel @column_sum(%x: memref<?xf32>, %out: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["x", "out", "m", "n"], param_types = ["f32[]", "f32[]", "u32", "u32"]} {
    %acc = memref.alloca() : memref<f32>
    %gid = hologram.global_id : index
    %c = arith.index_cast %gid : index to i32
    %0 = arith.cmpi ult, %c, %n : i32
    scf.if %0 {
      %1 = arith.constant 0.000000e+00 : f32
      memref.store %1, %acc[] : memref<f32>
      %2 = arith.constant 0 : index
      %3 = arith.extui %m : i32 to i64
      %4 = arith.index_cast %3 : i64 to index
      %5 = arith.constant 1 : index
      scf.for %i = %2 to %4 step %5 {
        %6 = arith.index_cast %i : index to i64
        %i_1 = arith.trunci %6 : i64 to i32
        %acc_1 = memref.load %acc[] : memref<f32>
        %7 = arith.index_cast %i : index to i64
        %8 = arith.extui %n : i32 to i64
        %9 = arith.muli %7, %8 overflow<nsw> : i64
        %10 = arith.index_cast %gid : index to i64
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

  // A value computed before the loop and used in it and after it (`a`) goes through a lane
  // array; the loop carries `y` in its lane array.
  // CHECK-LABEL: hologram.kernel @newton_rsqrt
  // CHECK-SAME:    vectorize_lanes.strategy = "lanes 16"
  // CHECK:           %y = memref.alloca() : memref<16xf32>
  // CHECK-NEXT:      %[[A:.*]] = memref.alloca() : memref<16xf32>
  // CHECK:             memref.store %a, %[[A]][%lane] : memref<16xf32>
  // CHECK:           scf.for %it = 
  // CHECK:             scf.for %lane_1 =
  // CHECK:               memref.load %[[A]][%lane_1] : memref<16xf32>
  // CHECK:             memref.load %[[A]][%lane_2] : memref<16xf32>
  // CHECK:             math.exp
  hologram.kernel @newton_rsqrt(%x: memref<?xf32>, %out: memref<?xf32>, %k: i32, %n: i32) attributes {param_names = ["x", "out", "k", "n"], param_types = ["f32[]", "f32[]", "u32", "u32"]} {
    %y = memref.alloca() : memref<f32>
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %0 = arith.cmpi ult, %idx, %n : i32
    scf.if %0 {
      %1 = memref.load %x[%gid] : memref<?xf32>
      %2 = math.absf %1 : f32
      %3 = arith.constant 1.000000e+00 : f32
      %a = arith.addf %2, %3 : f32
      %4 = arith.constant 1.000000e+00 : f32
      %5 = arith.divf %4, %a : f32
      memref.store %5, %y[] : memref<f32>
      %6 = arith.constant 0 : index
      %7 = arith.extui %k : i32 to i64
      %8 = arith.index_cast %7 : i64 to index
      %9 = arith.constant 1 : index
      scf.for %it = %6 to %8 step %9 {
        %10 = arith.index_cast %it : index to i64
        %it_1 = arith.trunci %10 : i64 to i32
        %y_1 = memref.load %y[] : memref<f32>
        %11 = arith.constant 5.000000e-01 : f32
        %12 = arith.mulf %11, %a : f32
        %y_2 = memref.load %y[] : memref<f32>
        %13 = arith.mulf %12, %y_2 : f32
        %y_3 = memref.load %y[] : memref<f32>
        %14 = arith.mulf %13, %y_3 : f32
        %15 = arith.constant 1.500000e+00 : f32
        %16 = arith.subf %15, %14 : f32
        %17 = arith.mulf %y_1, %16 : f32
        memref.store %17, %y[] : memref<f32>
      }
      %y_4 = memref.load %y[] : memref<f32>
      %18 = arith.negf %a : f32
      %19 = math.exp %18 : f32
      %20 = arith.mulf %y_4, %19 : f32
      memref.store %20, %out[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A loop over i32 (IR written by hand or by another pass): the interleaved loop keeps the
  // variable's type (regression: it was made an index, and `sitofp` of it failed to verify).
  // CHECK-LABEL: hologram.kernel @i32_loop
  // CHECK-SAME:    vectorize_lanes.strategy = "lanes 16"
  // Its conversion is the same in every lane: once per iteration, before the lane loop.
  // CHECK:         scf.for %[[K:.*]] = %{{.*}} to %n step %{{.*}} : i32 {
  // CHECK-NEXT:      arith.sitofp %[[K]] : i32 to f32
  // CHECK-NEXT:      scf.for %lane_1 =
  hologram.kernel @i32_loop(%x: memref<?xf32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["x", "out", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    %acc = memref.alloca() : memref<f32>
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %z = arith.constant 0.000000e+00 : f32
      memref.store %z, %acc[] : memref<f32>
      %c0 = arith.constant 0 : i32
      %c1 = arith.constant 1 : i32
      scf.for %k = %c0 to %n step %c1 : i32 {
        %kf = arith.sitofp %k : i32 to f32
        %v = memref.load %x[%gid] : memref<?xf32>
        %p = arith.mulf %kf, %v : f32
        %a = memref.load %acc[] : memref<f32>
        %s = arith.addf %a, %p : f32
        memref.store %s, %acc[] : memref<f32>
      }
      %r = memref.load %acc[] : memref<f32>
      memref.store %r, %out[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // ---- Refused: the kernel is unchanged but for the reason, recorded on it. ----

  // One id per row summing along it: lanes would gather (x[r * n + i], stride n in the id);
  // the thread's own loop is contiguous.
  // CHECK-LABEL: hologram.kernel @row_sum
  // CHECK-SAME:    vectorize_lanes.strategy = "none"
  // CHECK-SAME:    vectorize_lanes.refused = "an access in the loop strides by a multiple of the id (lanes would gather)"
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @row_sum(%x: memref<?xf32>, %out: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["x", "out", "m", "n"], param_types = ["f32[]", "f32[]", "u32", "u32"]} {
    %acc = memref.alloca() : memref<f32>
    %gid = hologram.global_id : index
    %r = arith.index_cast %gid : index to i32
    %0 = arith.cmpi ult, %r, %m : i32
    scf.if %0 {
      %1 = arith.constant 0.000000e+00 : f32
      memref.store %1, %acc[] : memref<f32>
      %2 = arith.constant 0 : index
      %3 = arith.extui %n : i32 to i64
      %4 = arith.index_cast %3 : i64 to index
      %5 = arith.constant 1 : index
      scf.for %i = %2 to %4 step %5 {
        %6 = arith.index_cast %i : index to i64
        %i_1 = arith.trunci %6 : i64 to i32
        %acc_1 = memref.load %acc[] : memref<f32>
        %7 = arith.index_cast %gid : index to i64
        %8 = arith.extui %n : i32 to i64
        %9 = arith.muli %7, %8 overflow<nsw> : i64
        %10 = arith.index_cast %i : index to i64
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

  // A write inside the loop at i * n + id: two threads may write one element in another order.
  // CHECK-LABEL: hologram.kernel @scatter_in_loop
  // CHECK-SAME:    vectorize_lanes.refused = "a write is not at `id + uniform offset` (threads could share an element)"
  // CHECK-NOT:     hologram.parallel_for
  hologram.kernel @scatter_in_loop(%x: memref<?xf32>, %out: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["x", "out", "m", "n"], param_types = ["f32[]", "f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %c = arith.index_cast %gid : index to i32
    %0 = arith.cmpi ult, %c, %n : i32
    scf.if %0 {
      %1 = arith.constant 0 : index
      %2 = arith.extui %m : i32 to i64
      %3 = arith.index_cast %2 : i64 to index
      %4 = arith.constant 1 : index
      scf.for %i = %1 to %3 step %4 {
        %5 = arith.index_cast %i : index to i64
        %i_1 = arith.trunci %5 : i64 to i32
        %6 = arith.index_cast %i : index to i64
        %7 = arith.extui %n : i32 to i64
        %8 = arith.muli %6, %7 overflow<nsw> : i64
        %9 = arith.index_cast %gid : index to i64
        %10 = arith.addi %8, %9 overflow<nsw> : i64
        %11 = arith.index_cast %10 : i64 to index
        %12 = memref.load %x[%11] : memref<?xf32>
        %13 = arith.constant 2.000000e+00 : f32
        %14 = arith.mulf %12, %13 : f32
        %15 = arith.index_cast %i : index to i64
        %16 = arith.extui %n : i32 to i64
        %17 = arith.muli %15, %16 overflow<nsw> : i64
        %18 = arith.index_cast %gid : index to i64
        %19 = arith.addi %17, %18 overflow<nsw> : i64
        %20 = arith.index_cast %19 : i64 to index
        memref.store %14, %out[%20] : memref<?xf32>
      }
    }
    hologram.return
  }

  // No loop: nothing to interleave (parallelize's `simd` loop vectorizes it).
  // CHECK-LABEL: hologram.kernel @no_loop
  // CHECK-SAME:    vectorize_lanes.strategy = "none"
  // CHECK-SAME:    vectorize_lanes.refused = "no loop with uniform bounds in the thread body (nothing to interleave)"
  // CHECK-NOT:     hologram.parallel_for
  hologram.kernel @no_loop(%x: memref<?xf32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["x", "out", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %c = arith.index_cast %gid : index to i32
    %0 = arith.cmpi ult, %c, %n : i32
    scf.if %0 {
      %1 = memref.load %x[%gid] : memref<?xf32>
      %2 = arith.constant 2.000000e+00 : f32
      %3 = arith.mulf %1, %2 : f32
      memref.store %3, %out[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A 2-D id decoded from the 1-D id (`i = idx // ow`, `j = idx % ow`, Python's floor `%` on
  // i32, the write at `i * ow + j`): groups run W consecutive columns of one row, so the row
  // is the same in every lane and the column is `col0 + lane`. A row shorter than 16 leaves every id
  // to the original body (the tail loop starts at 0). The tap loops run once per group, the
  // lane loop innermost; the row offset is computed outside it.
  // CHECK-LABEL: hologram.kernel @conv2d_i32
  // CHECK-SAME:    vectorize_lanes.strategy = "lanes 16"
  // CHECK:         %[[MIN:.*]] = arith.constant 16 : i64
  // CHECK-NEXT:    %[[OK:.*]] = arith.cmpi sge, %{{.*}}, %[[MIN]] : i64
  // CHECK:         %row_len = arith.select %[[OK]], %{{.*}}, %{{.*}} : index
  // CHECK-NEXT:    %[[END:.*]] = arith.select %[[OK]], %guarded_end, %{{.*}} : index
  // CHECK:         %groups_per_row = arith.divui
  // CHECK:         hologram.parallel_for %g = %{{.*}} to %{{.*}} step %{{.*}} schedule(static) chunk(0) threshold(16) {
  // CHECK:           %row = arith.divui %g, %groups_per_row : index
  // CHECK:           %col0 = arith.muli
  // CHECK:           %base = arith.addi
  // CHECK:           %lanes = arith.select
  // CHECK-NEXT:      %[[ROW:.*]] = arith.index_cast %row : index to i64
  // CHECK:           %acc = memref.alloca() : memref<16xf32>
  // CHECK:           scf.for %a = %{{.*}} to %r step %{{.*}} : i32 {
  // CHECK:             scf.for %b = %{{.*}} to %r step %{{.*}} : i32 {
  // CHECK:               arith.muli %{{.*}}, %{{.*}} : i64
  // CHECK:               scf.for %lane_1 = %{{.*}} to %lanes step
  // CHECK-NEXT:            %gid_1 = arith.addi %base, %lane_1 overflow<nsw> : index
  // CHECK-NEXT:            %col_1 = arith.addi %col0, %lane_1 overflow<nsw> : index
  // CHECK:                 memref.load %acc[%lane_1] : memref<16xf32>
  // CHECK:                 memref.load %x[
  // CHECK:                 memref.store %{{.*}}, %acc[%lane_1] : memref<16xf32>
  // CHECK:         } {lanes = "16 consecutive columns of one row per iteration"}
  // CHECK-NEXT:    hologram.parallel_for %{{.*}} = %[[END]] to %grid step
  // CHECK:           arith.floordivsi
  // CHECK:         hologram.return
  hologram.kernel @conv2d_i32(%x: memref<?xf32>, %wt: memref<?xf32>, %out: memref<?xf32>, %r: i32, %w: i32, %oh: i32, %ow: i32) attributes {param_names = ["x", "wt", "out", "r", "w", "oh", "ow"], param_types = ["f32[]", "f32[]", "f32[]", "i32", "i32", "i32", "i32"], source = "tests/kernels/lanes.py"} {
    %acc = memref.alloca() : memref<f32>
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %0 = arith.muli %oh, %ow : i32
    %1 = arith.extui %idx : i32 to i64
    %2 = arith.extsi %0 : i32 to i64
    %3 = arith.cmpi slt, %1, %2 : i64
    scf.if %3 {
      %4 = arith.extui %idx : i32 to i64
      %5 = arith.extsi %ow : i32 to i64
      %i = arith.floordivsi %4, %5 : i64
      %6 = arith.extui %idx : i32 to i64
      %7 = arith.extsi %ow : i32 to i64
      %8 = arith.remsi %6, %7 : i64
      %9 = arith.constant 0 : i64
      %10 = arith.cmpi ne, %8, %9 : i64
      %11 = arith.cmpi slt, %8, %9 : i64
      %12 = arith.cmpi slt, %7, %9 : i64
      %13 = arith.xori %11, %12 : i1
      %14 = arith.andi %10, %13 : i1
      %15 = arith.addi %8, %7 : i64
      %j = arith.select %14, %15, %8 : i64
      %16 = arith.constant 0.000000e+00 : f32
      memref.store %16, %acc[] : memref<f32>
      %17 = arith.constant 0 : i32
      %18 = arith.constant 1 : i32
      %19 = arith.constant 0 : i32
      %20 = arith.constant 1 : i32
      scf.for %a = %17 to %r step %18 : i32 {
        scf.for %b = %19 to %r step %20 : i32 {
          %acc_1 = memref.load %acc[] : memref<f32>
          %21 = arith.extsi %a : i32 to i64
          %22 = arith.addi %i, %21 : i64
          %23 = arith.extsi %w : i32 to i64
          %24 = arith.muli %22, %23 : i64
          %25 = arith.addi %24, %j : i64
          %26 = arith.extsi %b : i32 to i64
          %27 = arith.addi %25, %26 : i64
          %28 = arith.muli %a, %r : i32
          %29 = arith.addi %28, %b : i32
          %30 = arith.trunci %27 : i64 to i32
          %31 = arith.index_cast %30 : i32 to index
          %32 = memref.load %x[%31] : memref<?xf32>
          %33 = arith.index_cast %29 : i32 to index
          %34 = memref.load %wt[%33] : memref<?xf32>
          %35 = arith.mulf %32, %34 : f32
          %36 = arith.addf %acc_1, %35 : f32
          memref.store %36, %acc[] : memref<f32>
        }
      }
      %acc_2 = memref.load %acc[] : memref<f32>
      %37 = arith.extsi %ow : i32 to i64
      %38 = arith.muli %i, %37 overflow<nsw> : i64
      %39 = arith.addi %38, %j overflow<nsw> : i64
      %40 = arith.index_cast %39 : i64 to index
      memref.store %acc_2, %out[%40] : memref<?xf32>
    }
    hologram.return
  } grid {
  ^bb0(%x_1: memref<?xf32>, %wt_1: memref<?xf32>, %out_1: memref<?xf32>, %r_1: i32, %w_1: i32, %oh_1: i32, %ow_1: i32):
    %41 = arith.muli %oh_1, %ow_1 : i32
    %42 = arith.extsi %41 : i32 to i64
    %43 = arith.extsi %oh_1 : i32 to i64
    %44 = arith.extsi %ow_1 : i32 to i64
    %45 = arith.muli %43, %44 : i64
    %46 = arith.constant 0 : i64
    %47 = arith.maxsi %42, %46 : i64
    %48 = arith.cmpi ne, %42, %45 : i64
    %49 = arith.constant -1 : i64
    %50 = arith.select %48, %49, %47 : i64
    hologram.grid_yield %50 : i64
  }

  // Every row writes out[j]: threads share an element, whose last value the lanes' order
  // could change.
  // CHECK-LABEL: hologram.kernel @column_written_by_every_row
  // CHECK-SAME:    vectorize_lanes.strategy = "none"
  // CHECK-SAME:    vectorize_lanes.refused = "a write is not at `id + uniform offset` (threads could share an element)"
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @column_written_by_every_row(%x: memref<?xf32>, %out: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["x", "out", "m", "n"], param_types = ["f32[]", "f32[]", "u32", "u32"], source = "tests/kernels/lanes.py"} {
    %acc = memref.alloca() : memref<f32>
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %0 = arith.muli %m, %n : i32
    %1 = arith.cmpi ult, %idx, %0 : i32
    scf.if %1 {
      %j = arith.remui %idx, %n : i32
      %2 = arith.constant 0.000000e+00 : f32
      memref.store %2, %acc[] : memref<f32>
      %3 = arith.constant 0 : index
      %4 = arith.extui %m : i32 to i64
      %5 = arith.index_cast %4 : i64 to index
      %6 = arith.constant 1 : index
      scf.for %t = %3 to %5 step %6 {
        %acc_1 = memref.load %acc[] : memref<f32>
        %7 = arith.index_cast %t : index to i64
        %8 = arith.extui %n : i32 to i64
        %9 = arith.muli %7, %8 overflow<nsw> : i64
        %10 = arith.extui %j : i32 to i64
        %11 = arith.addi %9, %10 overflow<nsw> : i64
        %12 = arith.index_cast %11 : i64 to index
        %13 = memref.load %x[%12] : memref<?xf32>
        %14 = arith.addf %acc_1, %13 : f32
        memref.store %14, %acc[] : memref<f32>
      }
      %acc_2 = memref.load %acc[] : memref<f32>
      %15 = arith.extui %j : i32 to i64
      %16 = arith.index_cast %15 : i64 to index
      memref.store %acc_2, %out[%16] : memref<?xf32>
    }
    hologram.return
  } grid {
  ^bb0(%x_1: memref<?xf32>, %out_1: memref<?xf32>, %m_1: i32, %n_1: i32):
    %17 = arith.muli %m_1, %n_1 : i32
    %18 = arith.extui %17 : i32 to i64
    %19 = arith.extui %m_1 : i32 to i64
    %20 = arith.extui %n_1 : i32 to i64
    %21 = arith.muli %19, %20 : i64
    %22 = arith.cmpi ne, %18, %21 : i64
    %23 = arith.constant -1 : i64
    %24 = arith.select %22, %23, %18 : i64
    hologram.grid_yield %24 : i64
  }
}
