// RUN: hologram-opt %s -p fold-layout | filecheck %s
// RUN: hologram-opt %s -p 'fold-layout{family=smooth23}' | filecheck %s --check-prefix=SMOOTH
// RUN: hologram-opt %s -p 'fold-layout{tile=32,64,128 micro=2,3 pack=false}' | filecheck %s --check-prefix=TILE
// RUN: hologram-opt %s -p fold-layout | hologram-opt | filecheck %s
// RUN: hologram-opt %s -p fold-layout,fold-layout | filecheck %s
// RUN: hologram-opt %s -p fold-layout,canonicalize,cse | filecheck %s --check-prefix=CSE
// RUN: hologram-opt %s -p 'fold-layout{gemm_only=true}' | filecheck %s --check-prefix=GEMMONLY
// RUN: hologram-opt %s -p 'fold-layout{fma=true}' | filecheck %s --check-prefix=FMA
// RUN: hologram-opt %s -p 'fold-layout{gemm_only=true fold_3d=true}' | filecheck %s --check-prefix=FOLD3D
// RUN: not hologram-opt %s -p 'fold-layout{family=auto}' 2>&1 | filecheck %s --check-prefix=AUTO
// RUN: not hologram-opt %s -p 'fold-layout{family=pow3}' 2>&1 | filecheck %s --check-prefix=BADFAM
// RUN: not hologram-opt %s -p 'fold-layout{tile=0,4}' 2>&1 | filecheck %s --check-prefix=BADTILE

// AUTO: hologram-opt: error: {{.*}}family=auto (measured tile sizes) is not implemented
// BADFAM: hologram-opt: error: {{.*}}unknown family 'pow3'
// BADTILE: hologram-opt: error: {{.*}}tile needs 2 or 3 positive sizes

builtin.module {
  // The seed's one-thread-per-element GEMM: the GEMM nest. Exactness test first, then the
  // tiled nest (row tiles parallel, 128 x 256 accumulator tile, B's 512 x 256 panel packed), and
  // the unchanged SIMT body as the fallback.
  // CHECK-LABEL: hologram.kernel @gemm_f32
  // CHECK:         %[[GRID:.*]] = hologram.grid_size : index
  // CHECK:         scf.if %{{.*}} {
  // CHECK:           hologram.parallel_for %q = %{{.*}} to %{{.*}} step %{{.*}} schedule(dynamic) chunk(1)
  // CHECK:             %acc = memref.alloca() : memref<32768xf32>
  // CHECK-NEXT:        %panel = memref.alloca() : memref<131072xf32>
  // CHECK-NEXT:        scf.for %jt =
  // CHECK:               scf.for %kt =
  // CHECK:                   memref.load %B[
  // CHECK-NEXT:              arith.muli %{{.*}}, %{{.*}} overflow<nsw> : index
  // CHECK-NEXT:              arith.addi %{{.*}}, %{{.*}} overflow<nsw> : index
  // CHECK-NEXT:              memref.store %{{.*}}, %panel[
  // The register block: 4 rows x 4 k-steps, the column loop innermost.
  // CHECK-COUNT-16:          memref.load %A[
  // CHECK:                   scf.for
  // CHECK-COUNT-4:             memref.load %panel[
  // CHECK:                     memref.load %acc[
  // CHECK-NEXT:                arith.mulf
  // CHECK-NEXT:                arith.addf
  // CHECK-NEXT:                arith.mulf
  // CHECK-NEXT:                arith.addf
  // CHECK-NEXT:                arith.mulf
  // CHECK-NEXT:                arith.addf
  // CHECK-NEXT:                arith.mulf
  // CHECK-NEXT:                arith.addf
  // CHECK-NEXT:                memref.store %{{.*}}, %acc[
  // The epilogue runs per element of the tile, with the sum read from the accumulator tile.
  // CHECK:                 %sum = memref.load %acc[%{{.*}}] : memref<32768xf32>
  // CHECK-NOT:             scf.for
  // CHECK:                 memref.store %sum, %C[%{{.*}}] : memref<?xf32>
  // CHECK:         } else {
  // CHECK-NEXT:      %[[G2:.*]] = hologram.grid_size : index
  // CHECK-NEXT:      hologram.parallel_for %[[ID:.*]] = %{{.*}} to %[[G2]] step
  // CHECK-NEXT:        %[[IDX:.*]] = arith.index_cast %[[ID]] : index to i32
  // CHECK:             arith.divui %[[IDX]], %N : i32
  // CHECK:             scf.for %{{.*}} = %{{.*}} to %K step %{{.*}} : i32 {
  // CHECK:             memref.store %{{.*}}, %C[%[[ID]]] : memref<?xf32>
  // CHECK:         hologram.return

  // SMOOTH-LABEL: hologram.kernel @gemm_f32
  // SMOOTH:         hologram.parallel_for %q = %{{.*}} to %{{.*}} step %{{.*}} schedule(dynamic) chunk(1)
  // SMOOTH:           %acc = memref.alloca() : memref<18432xf32>
  // SMOOTH-NEXT:      %panel = memref.alloca() : memref<73728xf32>

  // The loop body's constants are its own (`cse` does not merge them with the ones outside):
  // the C compiler must see them as constants inside the OpenMP loop.
  // CSE-LABEL: hologram.kernel @gemm_f32
  // CSE:         hologram.parallel_for %q
  // CSE-NEXT:      arith.constant {fold_layout.local}
  // CSE:           %acc = memref.alloca() : memref<32768xf32>

  // GEMMONLY-LABEL: hologram.kernel @gemm_f32
  // GEMMONLY:         %acc = memref.alloca() : memref<32768xf32>
  // GEMMONLY-LABEL: hologram.kernel @transpose
  // GEMMONLY-NEXT:    %gid = hologram.global_id : index
  // GEMMONLY-NOT:     hologram.parallel_for
  // GEMMONLY-LABEL: hologram.kernel @rows100
  // GEMMONLY-NEXT:    %gid = hologram.global_id : index
  // GEMMONLY-NOT:     hologram.parallel_for
  // GEMMONLY:         hologram.return

  // With fma=true the register block is fused multiply-adds (v = fma(a, b, v)).
  // FMA-LABEL: hologram.kernel @gemm_f32
  // FMA-SAME:    fold_layout.strategy = "contraction, f32 X[k] Y[j], fma"
  // FMA:                     memref.load %acc[
  // FMA-NEXT:                math.fma %{{.*}}, %{{.*}}, %{{.*}} : f32
  // FMA-NEXT:                math.fma
  // FMA-NEXT:                math.fma
  // FMA-NEXT:                math.fma
  // FMA-NEXT:                memref.store %{{.*}}, %acc[
  // FMA:           } else {
  // FMA-NOT:         math.fma
  // FMA:           hologram.return
  // TILE-LABEL: hologram.kernel @gemm_f32
  // TILE:         %acc = memref.alloca() : memref<2048xf32>
  // TILE-NOT:     %panel
  // TILE:         scf.for %kt =
  // TILE-COUNT-6:   memref.load %A[
  // TILE:           scf.for
  // TILE-COUNT-3:     memref.load %B[
  hologram.kernel @gemm_f32(%A: memref<?xf32>, %B: memref<?xf32>, %C: memref<?xf32>, %M: i32, %N: i32, %K: i32) attributes {param_names = ["A", "B", "C", "M", "N", "K"], param_types = ["f32[]", "f32[]", "f32[]", "u32", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %mn = arith.muli %M, %N : i32
    %ok = arith.cmpi ult, %idx, %mn : i32
    scf.if %ok {
      %i = arith.divui %idx, %N : i32
      %j = arith.remui %idx, %N : i32
      %acc = memref.alloca() : memref<f32>
      %z = arith.constant 0.000000e+00 : f32
      memref.store %z, %acc[] : memref<f32>
      %c0 = arith.constant 0 : i32
      %c1 = arith.constant 1 : i32
      scf.for %k = %c0 to %K step %c1 : i32 {
        %t0 = arith.muli %i, %K : i32
        %t1 = arith.addi %t0, %k : i32
        %t2 = arith.extui %t1 : i32 to i64
        %ia = arith.index_cast %t2 : i64 to index
        %a = memref.load %A[%ia] : memref<?xf32>
        %t3 = arith.muli %k, %N : i32
        %t4 = arith.addi %t3, %j : i32
        %t5 = arith.extui %t4 : i32 to i64
        %ib = arith.index_cast %t5 : i64 to index
        %b = memref.load %B[%ib] : memref<?xf32>
        %p = arith.mulf %a, %b : f32
        %old = memref.load %acc[] : memref<f32>
        %s = arith.addf %old, %p : f32
        memref.store %s, %acc[] : memref<f32>
      }
      %v = memref.load %acc[] : memref<f32>
      memref.store %v, %C[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A 2-D elementwise kernel (a transpose): a tiled nest whose coordinates replace the decodes;
  // the rest of the body (guard included, now always true) is kept.
  // CHECK-LABEL: hologram.kernel @transpose
  // CHECK:         scf.if %{{.*}} {
  // CHECK:           hologram.parallel_for %it = %{{.*}} to %[[M:.*]] step %{{.*}} schedule(dynamic) chunk(1)
  // CHECK-DAG:         %[[TC:.*]] = arith.constant {fold_layout.local} 256 : index
  // CHECK-DAG:         %[[TR:.*]] = arith.constant {fold_layout.local} 128 : index
  // CHECK:             %[[IE0:.*]] = arith.addi %it, %[[TR]] overflow<nsw> : index
  // CHECK-NEXT:        %[[IE:.*]] = arith.minui %[[IE0]], %[[M]] : index
  // CHECK-NEXT:        scf.for %jt = %{{.*}} to %[[N:.*]] step %[[TC]] {
  // CHECK-NEXT:          %[[JE0:.*]] = arith.addi %jt, %[[TC]] overflow<nsw> : index
  // CHECK-NEXT:          %[[JE:.*]] = arith.minui %[[JE0]], %[[N]] : index
  // CHECK-NEXT:          scf.for %i = %it to %[[IE]] step
  // CHECK-NEXT:            scf.for %j = %jt to %[[JE]] step
  // CHECK-NEXT:              %[[R:.*]] = arith.muli %i, %[[N]] overflow<nsw> : index
  // CHECK-NEXT:              %[[LIN:.*]] = arith.addi %[[R]], %j overflow<nsw> : index
  // CHECK-NEXT:              %[[I32:.*]] = arith.index_cast %i : index to i32
  // CHECK-NEXT:              %[[J32:.*]] = arith.index_cast %j : index to i32
  // CHECK-NEXT:              %idx = arith.index_cast %[[LIN]] : index to i32
  // CHECK-NOT:               arith.divui
  // CHECK:                   %t = arith.muli %[[J32]], %m : i32
  // CHECK-NEXT:              %s = arith.addi %t, %[[I32]] : i32
  // CHECK:                   memref.store %v, %y[%[[LIN]]] : memref<?xf32>
  // CHECK:         } else {
  // CHECK:           arith.divui
  // CHECK:         hologram.return

  // SMOOTH-LABEL: hologram.kernel @transpose
  // SMOOTH-DAG:       arith.constant {fold_layout.local} 192 : index
  // SMOOTH-DAG:       arith.constant {fold_layout.local} 96 : index
  // TILE-LABEL: hologram.kernel @transpose
  // TILE-DAG:       arith.constant {fold_layout.local} 64 : index
  // TILE-DAG:       arith.constant {fold_layout.local} 32 : index
  hologram.kernel @transpose(%x: memref<?xf32>, %y: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["x", "y", "m", "n"], param_types = ["f32[]", "f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %mn = arith.muli %m, %n : i32
    %ok = arith.cmpi ult, %idx, %mn : i32
    scf.if %ok {
      %i = arith.divui %idx, %n : i32
      %j = arith.remui %idx, %n : i32
      %t = arith.muli %j, %m : i32
      %s = arith.addi %t, %i : i32
      %e = arith.extui %s : i32 to i64
      %si = arith.index_cast %e : i64 to index
      %v = memref.load %x[%si] : memref<?xf32>
      memref.store %v, %y[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A bound no tile divides (100 rows of n), written `bound > idx`: the row tiles end at
  // min(it + 128, 100).
  // CHECK-LABEL: hologram.kernel @rows100
  // CHECK:         %[[C100:.*]] = arith.constant 100 : i64
  // CHECK:         %[[M:.*]] = arith.index_cast %[[C100]] : i64 to index
  // CHECK:         hologram.parallel_for %it = %{{.*}} to %[[M]] step
  // CHECK:           %[[E:.*]] = arith.addi %it, %{{.*}} overflow<nsw> : index
  // CHECK-NEXT:      arith.minui %[[E]], %[[M]] : index
  // CHECK:               %[[I32:.*]] = arith.index_cast %i : index to i32
  // CHECK:                 %f = arith.uitofp %[[I32]] : i32 to f32
  hologram.kernel @rows100(%x: memref<?xf32>, %n: i32) attributes {param_names = ["x", "n"], param_types = ["f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %c100 = arith.constant 100 : i32
    %b = arith.muli %c100, %n : i32
    %ok = arith.cmpi ugt, %b, %idx : i32
    scf.if %ok {
      %i = arith.divui %idx, %n : i32
      %f = arith.uitofp %i : i32 to f32
      memref.store %f, %x[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A 3-D decode (channel of an NCHW-like layout): the nest runs over (c, h, w), untiled.
  // With gemm_only, fold_3d still folds it (no division per id); 2-D kernels stay flat.
  // FOLD3D-LABEL: hologram.kernel @transpose
  // FOLD3D-SAME:    fold_layout.strategy = "none"
  // FOLD3D-LABEL: hologram.kernel @chw
  // FOLD3D-SAME:    fold_layout.strategy = "fold 3-D"
  // FOLD3D:         hologram.parallel_for
  // The parallel loop runs over (c, h) pairs (one division per row: c may be 1), w serial.
  // CHECK-LABEL: hologram.kernel @chw
  // CHECK:         %[[CH2:.*]] = arith.muli %{{.*}}, %[[H:.*]] : index
  // CHECK-NEXT:    hologram.parallel_for %[[Q:.*]] = %{{.*}} to %[[CH2]] step
  // CHECK:           %[[C:.*]] = arith.divui %[[Q]], %[[H]] : index
  // CHECK-NEXT:      arith.remui %[[Q]], %[[H]] : index
  // CHECK-NEXT:      scf.for %[[W:.*]] = %{{.*}} to %{{.*}} step
  // CHECK:               %[[CH:.*]] = arith.index_cast %[[C]] : index to i32
  // CHECK-NOT:           arith.remui
  // CHECK:               arith.extui %[[CH]] : i32 to i64
  // CHECK:         } else {
  hologram.kernel @chw(%x: memref<?xf32>, %s: memref<?xf32>, %y: memref<?xf32>, %c: i32, %h: i32, %w: i32) attributes {param_names = ["x", "s", "y", "c", "h", "w"], param_types = ["f32[]", "f32[]", "f32[]", "u32", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ch = arith.muli %c, %h : i32
    %n = arith.muli %ch, %w : i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %hw = arith.muli %h, %w : i32
      %q = arith.divui %idx, %hw : i32
      %ch_ = arith.remui %q, %c : i32
      %e = arith.extui %ch_ : i32 to i64
      %ei = arith.index_cast %e : i64 to index
      %sc = memref.load %s[%ei] : memref<?xf32>
      %v = memref.load %x[%gid] : memref<?xf32>
      %r = arith.mulf %v, %sc : f32
      memref.store %r, %y[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // ---- Contractions from the affine access analysis: any layout, any store, batches. ----

  // A @ B.T written with leading dimensions and stored at C[i * ldc + j]: the contraction nest.
  // B is stored with k contiguous, so its panel is packed by a blocked transpose (16 columns
  // at a time); the strided output adds a run-time test that ldc >= n (one element per thread).
  // CHECK-LABEL: hologram.kernel @gemm_nt_ldc
  // CHECK-SAME:    fold_layout.strategy = "contraction, f32 X[k] Y[k], strided output"
  // CHECK-NOT:     fold_layout.refused
  // CHECK:         scf.if %{{.*}} {
  // CHECK:           hologram.parallel_for %q = %{{.*}} to %{{.*}} step %{{.*}} schedule(dynamic) chunk(1)
  // CHECK:             %panel = memref.alloca() : memref<131072xf32>
  // CHECK:               scf.for %kt =
  // CHECK:                 scf.for %cb = %{{.*}} to %{{.*}} step %[[C16:.*]] {
  // CHECK-NEXT:              arith.addi %cb, %[[C16]] overflow<nsw> : index
  // CHECK-NEXT:              %[[CE:.*]] = arith.minui
  // CHECK-NEXT:              scf.for %kk =
  // CHECK-NEXT:                scf.for %pc = %cb to %[[CE]] step
  // CHECK:                       memref.load %b[
  // CHECK:                       memref.store %{{.*}}, %panel[
  // CHECK:                 %sum = memref.load %acc
  // CHECK:                 memref.store %sum, %c[
  // CHECK:         } else {
  // CHECK:         hologram.return
  // TILE-LABEL: hologram.kernel @gemm_nt_ldc
  // TILE:         %panel = memref.alloca()
  hologram.kernel @gemm_nt_ldc(%a: memref<?xf32>, %b: memref<?xf32>, %c: memref<?xf32>, %m: i32, %n: i32, %k: i32, %lda: i32, %ldb: i32, %ldc: i32) attributes {param_names = ["a", "b", "c", "m", "n", "k", "lda", "ldb", "ldc"], param_types = ["f32[]", "f32[]", "f32[]", "u32", "u32", "u32", "u32", "u32", "u32"]} {
    %acc = memref.alloca() : memref<f32>
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %0 = arith.muli %m, %n : i32
    %1 = arith.cmpi ult, %idx, %0 : i32
    scf.if %1 {
      %i = arith.divui %idx, %n : i32
      %j = arith.remui %idx, %n : i32
      %2 = arith.constant 0.000000e+00 : f32
      memref.store %2, %acc[] : memref<f32>
      %3 = arith.constant 0 : index
      %4 = arith.extui %k : i32 to i64
      %5 = arith.index_cast %4 : i64 to index
      %6 = arith.constant 1 : index
      scf.for %p = %3 to %5 step %6 {
        %7 = arith.index_cast %p : index to i64
        %p_1 = arith.trunci %7 : i64 to i32
        %acc_1 = memref.load %acc[] : memref<f32>
        %8 = arith.extui %i : i32 to i64
        %9 = arith.extui %lda : i32 to i64
        %10 = arith.muli %8, %9 overflow<nsw> : i64
        %11 = arith.index_cast %p : index to i64
        %12 = arith.addi %10, %11 overflow<nsw> : i64
        %13 = arith.index_cast %12 : i64 to index
        %14 = memref.load %a[%13] : memref<?xf32>
        %15 = arith.extui %j : i32 to i64
        %16 = arith.extui %ldb : i32 to i64
        %17 = arith.muli %15, %16 overflow<nsw> : i64
        %18 = arith.index_cast %p : index to i64
        %19 = arith.addi %17, %18 overflow<nsw> : i64
        %20 = arith.index_cast %19 : i64 to index
        %21 = memref.load %b[%20] : memref<?xf32>
        %22 = arith.mulf %14, %21 : f32
        %23 = arith.addf %acc_1, %22 : f32
        memref.store %23, %acc[] : memref<f32>
      }
      %acc_2 = memref.load %acc[] : memref<f32>
      %24 = arith.extui %i : i32 to i64
      %25 = arith.extui %ldc : i32 to i64
      %26 = arith.muli %24, %25 overflow<nsw> : i64
      %27 = arith.extui %j : i32 to i64
      %28 = arith.addi %26, %27 overflow<nsw> : i64
      %29 = arith.index_cast %28 : i64 to index
      memref.store %acc_2, %c[%29] : memref<?xf32>
    }
    hologram.return
  }

  // The loop carries the sum (`iter_args`), A is read transposed (`A[k * M + i]`), the
  // operands are multiplied the other way round and the epilogue scales the sum: the same nest.
  // CHECK-LABEL: hologram.kernel @gemm_iter_args
  // CHECK-SAME:    fold_layout.strategy = "contraction, f32 X[i] Y[j]"
  // CHECK:           hologram.parallel_for %q
  // CHECK:               scf.for %kt =
  // CHECK:                   memref.load %A[
  // CHECK:                 %sum = memref.load %acc
  // CHECK-NOT:             scf.for
  // CHECK:                 %[[R:.*]] = arith.mulf %sum, %{{.*}} : f32
  // CHECK-NEXT:            memref.store %[[R]], %C[
  // CHECK:         } else {
  // CHECK:           scf.for %{{.*}} iter_args
  hologram.kernel @gemm_iter_args(%A: memref<?xf32>, %B: memref<?xf32>, %C: memref<?xf32>, %M: i32, %N: i32, %K: i32) attributes {param_names = ["A", "B", "C", "M", "N", "K"], param_types = ["f32[]", "f32[]", "f32[]", "u32", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %mn = arith.muli %M, %N : i32
    %ok = arith.cmpi ult, %idx, %mn : i32
    scf.if %ok {
      %i = arith.divui %idx, %N : i32
      %j = arith.remui %idx, %N : i32
      %z = arith.constant 0.000000e+00 : f32
      %c0 = arith.constant 0 : i32
      %c1 = arith.constant 1 : i32
      %total = scf.for %k = %c0 to %K step %c1 iter_args(%acc = %z) -> (f32) : i32 {
        %t0 = arith.muli %k, %M : i32
        %t1 = arith.addi %t0, %i : i32
        %t2 = arith.extui %t1 : i32 to i64
        %ia = arith.index_cast %t2 : i64 to index
        %a = memref.load %A[%ia] : memref<?xf32>
        %t3 = arith.muli %k, %N : i32
        %t4 = arith.addi %t3, %j : i32
        %t5 = arith.extui %t4 : i32 to i64
        %ib = arith.index_cast %t5 : i64 to index
        %b = memref.load %B[%ib] : memref<?xf32>
        %p = arith.mulf %b, %a : f32
        %s = arith.addf %p, %acc : f32
        scf.yield %s : f32
      }
      %two = arith.constant 2.000000e+00 : f32
      %r = arith.mulf %total, %two : f32
      memref.store %r, %C[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A batched f64 product (3-D decode): one parallel loop over (batch, row tile) pairs.
  // CHECK-LABEL: hologram.kernel @bmm_f64
  // CHECK-SAME:    fold_layout.strategy = "batched contraction, f64 X[i] Y[j]"
  // CHECK:           hologram.parallel_for %q
  // CHECK:             %batch = arith.divui %q, %{{.*}} : index
  // CHECK:             %acc = memref.alloca() : memref<32768xf64>
  // CHECK:             %panel = memref.alloca() : memref<131072xf64>
  // CHECK:                 %sum = memref.load %acc
  // CHECK:         } else {
  hologram.kernel @bmm_f64(%a: memref<?xf64>, %b: memref<?xf64>, %c: memref<?xf64>, %nb: i32, %m: i32, %n: i32, %k: i32) attributes {param_names = ["a", "b", "c", "nb", "m", "n", "k"], param_types = ["f64[]", "f64[]", "f64[]", "u32", "u32", "u32", "u32"]} {
    %acc = memref.alloca() : memref<f64>
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %0 = arith.muli %nb, %m : i32
    %1 = arith.muli %0, %n : i32
    %2 = arith.cmpi ult, %idx, %1 : i32
    scf.if %2 {
      %3 = arith.muli %m, %n : i32
      %bi = arith.divui %idx, %3 : i32
      %4 = arith.divui %idx, %n : i32
      %i = arith.remui %4, %m : i32
      %j = arith.remui %idx, %n : i32
      %5 = arith.constant 0.000000e+00 : f64
      memref.store %5, %acc[] : memref<f64>
      %6 = arith.constant 0 : index
      %7 = arith.extui %k : i32 to i64
      %8 = arith.index_cast %7 : i64 to index
      %9 = arith.constant 1 : index
      scf.for %p = %6 to %8 step %9 {
        %10 = arith.index_cast %p : index to i64
        %p_1 = arith.trunci %10 : i64 to i32
        %acc_1 = memref.load %acc[] : memref<f64>
        %11 = arith.extui %bi : i32 to i64
        %12 = arith.extui %m : i32 to i64
        %13 = arith.muli %11, %12 overflow<nsw> : i64
        %14 = arith.extui %k : i32 to i64
        %15 = arith.muli %13, %14 overflow<nsw> : i64
        %16 = arith.index_cast %p : index to i64
        %17 = arith.extui %m : i32 to i64
        %18 = arith.muli %16, %17 overflow<nsw> : i64
        %19 = arith.addi %15, %18 overflow<nsw> : i64
        %20 = arith.extui %i : i32 to i64
        %21 = arith.addi %19, %20 overflow<nsw> : i64
        %22 = arith.index_cast %21 : i64 to index
        %23 = memref.load %a[%22] : memref<?xf64>
        %24 = arith.extui %bi : i32 to i64
        %25 = arith.extui %k : i32 to i64
        %26 = arith.muli %24, %25 overflow<nsw> : i64
        %27 = arith.extui %n : i32 to i64
        %28 = arith.muli %26, %27 overflow<nsw> : i64
        %29 = arith.index_cast %p : index to i64
        %30 = arith.extui %n : i32 to i64
        %31 = arith.muli %29, %30 overflow<nsw> : i64
        %32 = arith.addi %28, %31 overflow<nsw> : i64
        %33 = arith.extui %j : i32 to i64
        %34 = arith.addi %32, %33 overflow<nsw> : i64
        %35 = arith.index_cast %34 : i64 to index
        %36 = memref.load %b[%35] : memref<?xf64>
        %37 = arith.mulf %23, %36 : f64
        %38 = arith.addf %acc_1, %37 : f64
        memref.store %38, %acc[] : memref<f64>
      }
      %acc_2 = memref.load %acc[] : memref<f64>
      memref.store %acc_2, %c[%gid] : memref<?xf64>
    }
    hologram.return
  }

  // A loop that is not `acc += x * y` (a max): the plain fold, and the reason it is not a
  // contraction.
  // CHECK-LABEL: hologram.kernel @rowmax2d
  // CHECK-SAME:    fold_layout.strategy = "fold 2-D"
  // CHECK-SAME:    fold_layout.refused = "contraction: the loop does not store exactly one accumulator"
  // CHECK:           hologram.parallel_for %it
  // GEMMONLY-LABEL: hologram.kernel @rowmax2d
  // GEMMONLY-SAME:    fold_layout.strategy = "none"
  // GEMMONLY-SAME:    fold_layout.refused = "contraction: the loop does not store exactly one accumulator"
  // GEMMONLY-NOT:     hologram.parallel_for
  hologram.kernel @rowmax2d(%x: memref<?xf32>, %y: memref<?xf32>, %m: i32, %n: i32, %k: i32) attributes {param_names = ["x", "y", "m", "n", "k"], param_types = ["f32[]", "f32[]", "u32", "u32", "u32"]} {
    %best = memref.alloca() : memref<f32>
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %0 = arith.muli %m, %n : i32
    %1 = arith.cmpi ult, %idx, %0 : i32
    scf.if %1 {
      %i = arith.divui %idx, %n : i32
      %j = arith.remui %idx, %n : i32
      %2 = arith.extui %i : i32 to i64
      %3 = arith.extui %k : i32 to i64
      %4 = arith.muli %2, %3 overflow<nsw> : i64
      %5 = arith.index_cast %4 : i64 to index
      %6 = memref.load %x[%5] : memref<?xf32>
      memref.store %6, %best[] : memref<f32>
      %7 = arith.constant 0 : index
      %8 = arith.extui %k : i32 to i64
      %9 = arith.index_cast %8 : i64 to index
      %10 = arith.constant 1 : index
      scf.for %p = %7 to %9 step %10 {
        %11 = arith.index_cast %p : index to i64
        %p_1 = arith.trunci %11 : i64 to i32
        %12 = arith.extui %i : i32 to i64
        %13 = arith.extui %k : i32 to i64
        %14 = arith.muli %12, %13 overflow<nsw> : i64
        %15 = arith.index_cast %p : index to i64
        %16 = arith.addi %14, %15 overflow<nsw> : i64
        %17 = arith.index_cast %16 : i64 to index
        %18 = memref.load %x[%17] : memref<?xf32>
        %19 = arith.index_cast %p : index to i64
        %20 = arith.extui %n : i32 to i64
        %21 = arith.muli %19, %20 overflow<nsw> : i64
        %22 = arith.extui %j : i32 to i64
        %23 = arith.addi %21, %22 overflow<nsw> : i64
        %24 = arith.index_cast %23 : i64 to index
        %25 = memref.load %x[%24] : memref<?xf32>
        %v = arith.addf %18, %25 : f32
        %best_1 = memref.load %best[] : memref<f32>
        %26 = arith.cmpf ogt, %v, %best_1 : f32
        scf.if %26 {
          memref.store %v, %best[] : memref<f32>
        }
      }
      %best_2 = memref.load %best[] : memref<f32>
      memref.store %best_2, %y[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // ---- Refused: each kernel below is left exactly as it was. ----

  // One-dimensional: nothing to fold.
  // CHECK-LABEL: hologram.kernel @vadd
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @vadd(%a: memref<?xf32>, %b: memref<?xf32>, %n: i32) attributes {param_names = ["a", "b", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %v = memref.load %a[%gid] : memref<?xf32>
      memref.store %v, %b[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // An index it cannot decode (idx // 3 is not a coordinate of m x n).
  // CHECK-LABEL: hologram.kernel @undecodable
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @undecodable(%a: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["a", "m", "n"], param_types = ["f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %mn = arith.muli %m, %n : i32
    %ok = arith.cmpi ult, %idx, %mn : i32
    scf.if %ok {
      %c3 = arith.constant 3 : i32
      %q = arith.divui %idx, %c3 : i32
      %f = arith.uitofp %q : i32 to f32
      memref.store %f, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A write that is not at the thread's folded coordinates (row sums into a[j]).
  // CHECK-LABEL: hologram.kernel @scatter
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @scatter(%a: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["a", "m", "n"], param_types = ["f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %mn = arith.muli %m, %n : i32
    %ok = arith.cmpi ult, %idx, %mn : i32
    scf.if %ok {
      %j = arith.remui %idx, %n : i32
      %e = arith.extui %j : i32 to i64
      %ji = arith.index_cast %e : i64 to index
      %one = arith.constant 1.000000e+00 : f32
      memref.store %one, %a[%ji] : memref<?xf32>
    }
    hologram.return
  }

  // A read of the written array at another element: a dependence across iterations.
  // CHECK-LABEL: hologram.kernel @shift
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @shift(%a: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["a", "m", "n"], param_types = ["f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %mn = arith.muli %m, %n : i32
    %ok = arith.cmpi ult, %idx, %mn : i32
    scf.if %ok {
      %j = arith.remui %idx, %n : i32
      %c1 = arith.constant 1 : index
      %next = arith.addi %gid, %c1 : index
      %v = memref.load %a[%next] : memref<?xf32>
      memref.store %v, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // Atomics and early exits are not reordered.
  // CHECK-LABEL: hologram.kernel @atomic
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @atomic(%a: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["a", "m", "n"], param_types = ["f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %mn = arith.muli %m, %n : i32
    %ok = arith.cmpi ult, %idx, %mn : i32
    scf.if %ok {
      %j = arith.remui %idx, %n : i32
      %f = arith.uitofp %j : i32 to f32
      %c0 = arith.constant 0 : index
      %old = hologram.atomic_add %f, %a[%c0] : f32, memref<?xf32>
    }
    hologram.return
  }

  // CHECK-LABEL: hologram.kernel @early_exit
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @early_exit(%a: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["a", "m", "n"], param_types = ["f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %mn = arith.muli %m, %n : i32
    %ok = arith.cmpi ult, %idx, %mn : i32
    scf.if %ok {
      %j = arith.remui %idx, %n : i32
      %c0 = arith.constant 0 : i32
      %z = arith.cmpi eq, %j, %c0 : i32
      scf.if %z {
        hologram.exit
      }
      %f = arith.uitofp %j : i32 to f32
      memref.store %f, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A guard with an else branch.
  // CHECK-LABEL: hologram.kernel @with_else
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @with_else(%a: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["a", "m", "n"], param_types = ["f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %mn = arith.muli %m, %n : i32
    %ok = arith.cmpi ult, %idx, %mn : i32
    scf.if %ok {
      %j = arith.remui %idx, %n : i32
      %f = arith.uitofp %j : i32 to f32
      memref.store %f, %a[%gid] : memref<?xf32>
    } else {
      %zero = arith.constant 0.000000e+00 : f32
      memref.store %zero, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A guard that is not an integer comparison of the id.
  // CHECK-LABEL: hologram.kernel @float_guard
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @float_guard(%a: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["a", "m", "n"], param_types = ["f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %mn = arith.muli %m, %n : i32
    %fi = arith.uitofp %idx : i32 to f32
    %fb = arith.uitofp %mn : i32 to f32
    %ok = arith.cmpf olt, %fi, %fb : f32
    scf.if %ok {
      %j = arith.remui %idx, %n : i32
      %f = arith.uitofp %j : i32 to f32
      memref.store %f, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A signed guard (`slt`): negative ids would pass it.
  // CHECK-LABEL: hologram.kernel @signed_guard
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @signed_guard(%a: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["a", "m", "n"], param_types = ["f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %mn = arith.muli %m, %n : i32
    %ok = arith.cmpi slt, %idx, %mn : i32
    scf.if %ok {
      %j = arith.remui %idx, %n : i32
      %f = arith.uitofp %j : i32 to f32
      memref.store %f, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A kernel that reads the grid size (as one already given an explicit loop does).
  // CHECK-LABEL: hologram.kernel @has_grid_size
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @has_grid_size(%a: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["a", "m", "n"], param_types = ["f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %grid = hologram.grid_size : index
    %idx = arith.index_cast %gid : index to i32
    %mn = arith.muli %m, %n : i32
    %ok = arith.cmpi ult, %idx, %mn : i32
    scf.if %ok {
      %j = arith.remui %idx, %n : i32
      %f = arith.uitofp %j : i32 to f32
      memref.store %f, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // The id read twice.
  // CHECK-LABEL: hologram.kernel @two_ids
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @two_ids(%a: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["a", "m", "n"], param_types = ["f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %gid2 = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %mn = arith.muli %m, %n : i32
    %ok = arith.cmpi ult, %idx, %mn : i32
    scf.if %ok {
      %j = arith.remui %idx, %n : i32
      %f = arith.uitofp %j : i32 to f32
      memref.store %f, %a[%gid2] : memref<?xf32>
    }
    hologram.return
  }

  // No guard: the body does not end in `if idx < bound`.
  // CHECK-LABEL: hologram.kernel @unguarded
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @unguarded(%a: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["a", "m", "n"], param_types = ["f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %j = arith.remui %idx, %n : i32
    %f = arith.uitofp %j : i32 to f32
    memref.store %f, %a[%gid] : memref<?xf32>
    hologram.return
  }

  // A store before the guard runs for every id of the grid.
  // CHECK-LABEL: hologram.kernel @store_outside
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @store_outside(%a: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["a", "m", "n"], param_types = ["f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.000000e+00 : f32
    memref.store %zero, %a[%c0] : memref<?xf32>
    %mn = arith.muli %m, %n : i32
    %ok = arith.cmpi ult, %idx, %mn : i32
    scf.if %ok {
      %j = arith.remui %idx, %n : i32
      %f = arith.uitofp %j : i32 to f32
      memref.store %f, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A bound that is not a product (m + n).
  // CHECK-LABEL: hologram.kernel @sum_bound
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @sum_bound(%a: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["a", "m", "n"], param_types = ["f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %mn = arith.addi %m, %n : i32
    %ok = arith.cmpi ult, %idx, %mn : i32
    scf.if %ok {
      %j = arith.remui %idx, %n : i32
      %f = arith.uitofp %j : i32 to f32
      memref.store %f, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // Four factors: more dimensions than the nest supports.
  // CHECK-LABEL: hologram.kernel @four_dims
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @four_dims(%a: memref<?xf32>, %p: i32, %q: i32, %m: i32, %n: i32) attributes {param_names = ["a", "p", "q", "m", "n"], param_types = ["f32[]", "u32", "u32", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ab = arith.muli %p, %q : i32
    %abc = arith.muli %ab, %m : i32
    %abcd = arith.muli %abc, %n : i32
    %ok = arith.cmpi ult, %idx, %abcd : i32
    scf.if %ok {
      %j = arith.remui %idx, %n : i32
      %f = arith.uitofp %j : i32 to f32
      memref.store %f, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }


  // A write whose last coordinate is not the unit stride (`y[j * m + i]`): refused.
  // CHECK-LABEL: hologram.kernel @store_transposed
  // CHECK-SAME:    fold_layout.strategy = "none"
  // CHECK-SAME:    fold_layout.refused = "fold: a write is not at the folded coordinates of its thread"
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.return
  hologram.kernel @store_transposed(%x: memref<?xf32>, %y: memref<?xf32>, %m: i32, %n: i32) attributes {param_names = ["x", "y", "m", "n"], param_types = ["f32[]", "f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %0 = arith.muli %m, %n : i32
    %1 = arith.cmpi ult, %idx, %0 : i32
    scf.if %1 {
      %i = arith.divui %idx, %n : i32
      %j = arith.remui %idx, %n : i32
      %2 = memref.load %x[%gid] : memref<?xf32>
      %3 = arith.extui %j : i32 to i64
      %4 = arith.extui %m : i32 to i64
      %5 = arith.muli %3, %4 overflow<nsw> : i64
      %6 = arith.extui %i : i32 to i64
      %7 = arith.addi %5, %6 overflow<nsw> : i64
      %8 = arith.index_cast %7 : i64 to index
      memref.store %2, %y[%8] : memref<?xf32>
    }
    hologram.return
  }
}
