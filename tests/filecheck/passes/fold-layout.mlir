// RUN: hologram-opt %s -p fold-layout | filecheck %s
// RUN: hologram-opt %s -p 'fold-layout{family=smooth23}' | filecheck %s --check-prefix=SMOOTH
// RUN: hologram-opt %s -p 'fold-layout{tile=32,64,128 micro=2,3 pack=false}' | filecheck %s --check-prefix=TILE
// RUN: hologram-opt %s -p fold-layout | hologram-opt | filecheck %s
// RUN: hologram-opt %s -p fold-layout,fold-layout | filecheck %s
// RUN: hologram-opt %s -p fold-layout,canonicalize,cse | filecheck %s --check-prefix=CSE
// RUN: hologram-opt %s -p 'fold-layout{gemm_only=true}' | filecheck %s --check-prefix=GEMMONLY
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
  // CHECK:           hologram.parallel_for %it = %{{.*}} to %{{.*}} step %{{.*}} schedule(dynamic) chunk(1)
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
  // SMOOTH:         hologram.parallel_for %it = %{{.*}} to %{{.*}} step %{{.*}} schedule(dynamic) chunk(1)
  // SMOOTH:           %acc = memref.alloca() : memref<18432xf32>
  // SMOOTH-NEXT:      %panel = memref.alloca() : memref<73728xf32>

  // The loop body's constants are its own (`cse` does not merge them with the ones outside):
  // the C compiler must see them as constants inside the OpenMP loop.
  // CSE-LABEL: hologram.kernel @gemm_f32
  // CSE:         hologram.parallel_for %it
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
  // CHECK-LABEL: hologram.kernel @chw
  // CHECK:         hologram.parallel_for %[[C:.*]] = %{{.*}} to %{{.*}} step
  // CHECK:           scf.for %[[H:.*]] = %{{.*}} to %{{.*}} step
  // CHECK-NEXT:        scf.for %[[W:.*]] = %{{.*}} to %{{.*}} step
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
}
