// RUN: hologram-opt %s -p atomic-to-tree-reduction | filecheck %s
// RUN: hologram-opt %s -p 'atomic-to-tree-reduction{blocks=8 lanes=4 fold=2 min-block=64 threshold=1024}' | filecheck %s --check-prefix=SMALL
// RUN: hologram-opt %s -p 'atomic-to-tree-reduction{wide-f32=false}' | filecheck %s --check-prefix=NARROW
// RUN: hologram-opt %s -p atomic-to-tree-reduction,parallelize | filecheck %s --check-prefix=PIPE
// RUN: hologram-opt %s -p 'atomic-to-tree-reduction{max-private=0}' | filecheck %s --check-prefix=OFF
// RUN: hologram-opt %s -p atomic-to-tree-reduction | hologram-opt | filecheck %s
// RUN: hologram-opt %s --pipeline=atomic-to-tree-reduction,parallelize --print-between-passes | filecheck %s --check-prefix=BETWEEN
// RUN: not hologram-opt %s -p 'atomic-to-tree-reduction{lanes=0}' 2>&1 | filecheck %s --check-prefix=BADOPT

// BADOPT: hologram-opt: error: {{.*}}lanes must be >= 1, not 0

// The stage after the first pass, then the final IR: @plain is still SIMT in between.
// BETWEEN:      IR after atomic-to-tree-reduction:
// BETWEEN:      hologram.kernel @plain
// BETWEEN-NEXT:   %gid = hologram.global_id : index
// BETWEEN:      hologram.kernel @plain
// BETWEEN-NEXT:   %c0 = arith.constant 0 : index
// BETWEEN-NEXT:   %c1 = arith.constant 1 : index
// BETWEEN-NEXT:   %grid = hologram.grid_size : index
// BETWEEN-NEXT:   hologram.parallel_for %gid = %c0 to %grid step %c1 schedule(static) chunk(0) simd threshold(32768) {

builtin.module {
  // sum: atomic_add_f32(r, a[idx]) under the guard.
  // The blocks cover the ids below min(grid, n), which pass the guard: the copies of the body
  // have no `scf.if %ok`. The ids past it run the original body in a remainder loop.
  // CHECK-LABEL: hologram.kernel @sum
  // CHECK-NEXT:    %grid = hologram.grid_size : index
  // CHECK-NEXT:    %c0 = arith.constant 0 : index
  // CHECK-NEXT:    %c1 = arith.constant 1 : index
  // CHECK-NEXT:    %[[NW:.*]] = arith.extui %n : i32 to i64
  // CHECK-NEXT:    %[[NI:.*]] = arith.index_cast %[[NW]] : i64 to index
  // CHECK-NEXT:    %guarded_end = arith.minui %grid, %[[NI]] : index
  // CHECK-NEXT:    %max_blocks = arith.constant 256 : index
  // CHECK-NEXT:    %min_block = arith.constant 1024 : index
  // CHECK-NEXT:    %[[W:.*]] = arith.ceildivui %guarded_end, %min_block : index
  // CHECK-NEXT:    %[[M:.*]] = arith.minui %[[W]], %max_blocks : index
  // CHECK-NEXT:    %nblocks = arith.maxui %[[M]], %c1 : index
  // CHECK-NEXT:    %block_size = arith.ceildivui %guarded_end, %nblocks : index
  // CHECK-NEXT:    %partials = memref.alloca() : memref<256xf64>
  // CHECK-NEXT:    hologram.parallel_for %blk = %c0 to %nblocks step %c1 schedule(dynamic) chunk(0) threshold(32) {
  // CHECK:           %lanes = arith.constant 32 : index
  // CHECK-NEXT:      %chunk = arith.constant 1024 : index
  // CHECK:           %acc = memref.alloca() : memref<32xf32>
  // CHECK:             arith.constant -0.000000e+00 : f32
  // CHECK:           %acc_wide = memref.alloca() : memref<32xf64>
  // CHECK:             arith.constant -0.000000e+00 : f64
  // CHECK:           scf.for %chunk_start = %lo to %main_end step %chunk {
  // CHECK:             scf.for %base = %chunk_start to %{{.*}} step %lanes {
  // CHECK-NEXT:          scf.for %lane = %c0{{.*}} to %lanes step %c1{{.*}} {
  // CHECK-NEXT:            %gid = arith.addi %base, %lane : index
  // CHECK-NOT:             scf.if
  // CHECK:                 %x = memref.load %a[%gid] : memref<?xf32>
  // CHECK:                 %[[OLD:.*]] = memref.load %acc[%lane] : memref<32xf32>
  // CHECK-NEXT:            %[[NEW:.*]] = arith.addf %[[OLD]], %x : f32
  // CHECK-NEXT:            memref.store %[[NEW]], %acc[%lane] : memref<32xf32>
  // CHECK-NEXT:          }
  // Every chunk the f32 lanes are folded into the f64 lanes and reset.
  // CHECK:             scf.for %[[L:.*]] = %c0{{.*}} to %lanes step %c1{{.*}} {
  // CHECK-NEXT:          %[[N:.*]] = memref.load %acc[%[[L]]] : memref<32xf32>
  // CHECK-NEXT:          %[[WN:.*]] = arith.extf %[[N]] : f32 to f64
  // CHECK-NEXT:          %[[WO:.*]] = memref.load %acc_wide[%[[L]]] : memref<32xf64>
  // CHECK-NEXT:          %[[WS:.*]] = arith.addf %[[WO]], %[[WN]] : f64
  // CHECK-NEXT:          memref.store %[[WS]], %acc_wide[%[[L]]] : memref<32xf64>
  // CHECK:           scf.for %gid{{.*}} = %main_end to %hi step %c1{{.*}} {
  // CHECK-NEXT:        %lane{{.*}} = arith.subi %gid{{.*}}, %main_end : index
  // CHECK-NOT:       hologram.atomic
  // CHECK-COUNT-32:  memref.load %acc_wide[%{{[0-9]+}}] : memref<32xf64>
  // CHECK:           memref.store %{{.*}}, %partials[%blk] : memref<256xf64>
  // CHECK-NEXT:    } {reduction_blocks = "deterministic"}
  // CHECK-NEXT:    hologram.parallel_for %gid{{.*}} = %guarded_end to %grid step %c1 schedule(static) chunk(0) threshold(32768) {
  // CHECK:             %old = hologram.atomic_add
  // CHECK:         } {remainder = "ids from min(grid, n): the original body"}
  // CHECK-COUNT-8:  scf.for
  // CHECK-NOT:     scf.for
  // CHECK:         %total = memref.load %partials[%c0] : memref<256xf64>
  // CHECK-NEXT:    %[[T:.*]] = arith.truncf %total : f64 to f32
  // CHECK-NEXT:    %[[Z:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT:    %[[D:.*]] = arith.cmpf une, %[[T]], %[[Z]] : f32
  // CHECK-NEXT:    scf.if %[[D]] {
  // CHECK-NEXT:      %[[I:.*]] = arith.constant 0 : index
  // CHECK-NEXT:      %[[R:.*]] = memref.load %r[%[[I]]] : memref<?xf32>
  // CHECK-NEXT:      %[[S:.*]] = arith.addf %[[R]], %[[T]] : f32
  // CHECK-NEXT:      memref.store %[[S]], %r[%[[I]]] : memref<?xf32>
  // CHECK-NEXT:    }
  // CHECK-NEXT:    hologram.return
  // SMALL-LABEL: hologram.kernel @sum
  // SMALL:         %max_blocks = arith.constant 8 : index
  // SMALL-NEXT:    %min_block = arith.constant 64 : index
  // SMALL:           %chunk = arith.constant 8 : index
  // SMALL:         %partials = memref.alloca() : memref<8xf64>
  // SMALL-NEXT:    hologram.parallel_for %blk = %c0 to %nblocks step %c1 schedule(dynamic) chunk(0) threshold(16) {
  // SMALL:           %acc = memref.alloca() : memref<4xf32>
  // SMALL:           %acc_wide = memref.alloca() : memref<4xf64>
  // Lanes combined pairwise: (l0 + l1) + (l2 + l3).
  // SMALL:           %lane0_ = memref.load %acc_wide[%{{[0-9]+}}] : memref<4xf64>
  // SMALL:           %lane1_ = memref.load %acc_wide[%{{[0-9]+}}] : memref<4xf64>
  // SMALL:           %lane2_ = memref.load %acc_wide[%{{[0-9]+}}] : memref<4xf64>
  // SMALL:           %lane3_ = memref.load %acc_wide[%{{[0-9]+}}] : memref<4xf64>
  // SMALL-NEXT:      %[[P01:.*]] = arith.addf %lane0_, %lane1_ : f64
  // SMALL-NEXT:      %[[P23:.*]] = arith.addf %lane2_, %lane3_ : f64
  // SMALL-NEXT:      %[[P:.*]] = arith.addf %[[P01]], %[[P23]] : f64
  // SMALL-NEXT:      memref.store %[[P]], %partials[%blk] : memref<8xf64>
  // Partials combined pairwise: strides 1, 2, 4.
  // SMALL:         %[[S1:.*]] = arith.constant 1 : index
  // SMALL-NEXT:    %[[S1x2:.*]] = arith.constant 2 : index
  // SMALL-NEXT:    %[[E1:.*]] = arith.subi %nblocks, %[[S1]] : index
  // SMALL-NEXT:    %[[L1:.*]] = arith.maxsi %[[E1]], %c0 : index
  // SMALL-NEXT:    scf.for %[[I1:.*]] = %c0 to %[[L1]] step %[[S1x2]] {
  // SMALL-NEXT:      %[[J1:.*]] = arith.addi %[[I1]], %[[S1]] : index
  // SMALL-NEXT:      %[[A1:.*]] = memref.load %partials[%[[I1]]] : memref<8xf64>
  // SMALL-NEXT:      %[[B1:.*]] = memref.load %partials[%[[J1]]] : memref<8xf64>
  // SMALL-NEXT:      %[[C1:.*]] = arith.addf %[[A1]], %[[B1]] : f64
  // SMALL-NEXT:      memref.store %[[C1]], %partials[%[[I1]]] : memref<8xf64>
  // SMALL:         arith.constant 2 : index
  // SMALL-NEXT:    arith.constant 4 : index
  // SMALL:         arith.constant 4 : index
  // SMALL-NEXT:    arith.constant 8 : index
  // SMALL-NOT:     arith.constant 16 : index
  // SMALL:         %total = memref.load %partials[%c0] : memref<8xf64>
  // NARROW-LABEL: hologram.kernel @sum
  // NARROW:        %partials = memref.alloca() : memref<256xf32>
  // NARROW:        %acc = memref.alloca() : memref<32xf32>
  // NARROW-NOT:    arith.extf
  // NARROW:        %total = memref.load %partials[%c0] : memref<256xf32>
  // NARROW-NOT:    arith.truncf
  // parallelize leaves the kernel alone: the two loops made here, nothing more.
  // PIPE-LABEL: hologram.kernel @sum
  // PIPE:         hologram.parallel_for %blk = %c0 to %nblocks step %c1 schedule(dynamic) chunk(0) threshold(32) {
  // PIPE:         hologram.parallel_for %gid{{.*}} = %guarded_end to %grid
  // PIPE-NOT:     hologram.parallel_for
  // PIPE:         hologram.return
  hologram.kernel @sum(%a: memref<?xf32>, %r: memref<?xf32>, %n: i32) attributes {param_names = ["a", "r", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32>
      %c0_1 = arith.constant 0 : index
      %old = hologram.atomic_add %x, %r[%c0_1] : f32, memref<?xf32>
    }
    hologram.return
  }

  // dot: the contribution is a product; f64 data is accumulated in f64.
  // CHECK-LABEL: hologram.kernel @dot
  // CHECK:         %partials = memref.alloca() : memref<256xf64>
  // CHECK-NOT:       acc_wide
  // CHECK:           %p = arith.mulf %x, %y : f64
  // CHECK:           %[[OLD:.*]] = memref.load %acc[%lane] : memref<32xf64>
  // CHECK-NEXT:      %[[NEW:.*]] = arith.addf %[[OLD]], %p : f64
  // The original atomics are left only in the remainder loop: none in the blocks, the
  // remainder runs the original body, none after it.
  // CHECK-NOT:     hologram.atomic
  // CHECK:         } {reduction_blocks = "deterministic"}
  // CHECK-NEXT:    hologram.parallel_for %gid{{.*}} = %guarded_end to %grid
  // CHECK:           hologram.atomic_add %{{.*}}, %r[%{{.*}}] : f64
  // CHECK:         } {remainder =
  // CHECK-NOT:     hologram.atomic
  // CHECK:         %total = memref.load %partials[%c0] : memref<256xf64>
  // CHECK-NEXT:    %[[Z:.*]] = arith.constant 0.000000e+00 : f64
  // CHECK-NEXT:    arith.cmpf une, %total, %[[Z]] : f64
  // CHECK-NOT:     hologram.atomic
  // CHECK:         hologram.return
  hologram.kernel @dot(%a: memref<?xf64>, %b: memref<?xf64>, %r: memref<?xf64>, %n: i32) attributes {param_names = ["a", "b", "r", "n"], param_types = ["f64[]", "f64[]", "f64[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf64>
      %y = memref.load %b[%gid] : memref<?xf64>
      %p = arith.mulf %x, %y : f64
      %c0_1 = arith.constant 0 : index
      %old = hologram.atomic_add %p, %r[%c0_1] : f64, memref<?xf64>
    }
    hologram.return
  }

  // Conditional sum into r[k], k a scalar parameter: the index is recomputed for the update.
  // CHECK-LABEL: hologram.kernel @positive_sum
  // CHECK:             scf.if %pos {
  // CHECK-NEXT:          %ki = arith.index_cast %k : i32 to index
  // CHECK-NEXT:          %[[OLD:.*]] = memref.load %acc[%lane] : memref<32xf32>
  // CHECK-NEXT:          arith.addf %[[OLD]], %x : f32
  // The original atomics are left only in the remainder loop: none in the blocks, the
  // remainder runs the original body, none after it.
  // CHECK-NOT:     hologram.atomic
  // CHECK:         } {reduction_blocks = "deterministic"}
  // CHECK-NEXT:    hologram.parallel_for %gid{{.*}} = %guarded_end to %grid
  // CHECK:           hologram.atomic_add %{{.*}}, %r[%{{.*}}] : f32
  // CHECK:         } {remainder =
  // CHECK-NOT:     hologram.atomic
  // CHECK:         %total = memref.load
  // CHECK:         scf.if
  // CHECK-NEXT:      %[[K:.*]] = arith.index_cast %k : i32 to index
  // CHECK-NEXT:      memref.load %r[%[[K]]] : memref<?xf32>
  // CHECK-NOT:     hologram.atomic
  // CHECK:         hologram.return
  hologram.kernel @positive_sum(%a: memref<?xf32>, %r: memref<?xf32>, %k: i32, %n: i32) attributes {param_names = ["a", "r", "k", "n"], param_types = ["f32[]", "f32[]", "i32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32>
      %zero = arith.constant 0.0 : f32
      %pos = arith.cmpf ogt, %x, %zero : f32
      scf.if %pos {
        %ki = arith.index_cast %k : i32 to index
        %old = hologram.atomic_add %x, %r[%ki] : f32, memref<?xf32>
      }
    }
    hologram.return
  }

  // min and max into two elements of one array: identities +inf and -inf, no widening; the
  // combine is the atomic's rule `x = v < x ? v : x`.
  // CHECK-LABEL: hologram.kernel @minmax
  // CHECK:         memref.alloca() : memref<256xf32>
  // CHECK-NEXT:    memref.alloca() : memref<256xf32>
  // CHECK:           arith.constant 0x7f800000 : f32
  // CHECK:           arith.constant 0xff800000 : f32
  // CHECK:             %[[A:.*]] = memref.load %acc[%lane] : memref<32xf32>
  // CHECK-NEXT:        %[[LT:.*]] = arith.cmpf olt, %x, %[[A]] : f32
  // CHECK-NEXT:        %[[MIN:.*]] = arith.select %[[LT]], %x, %[[A]] : f32
  // CHECK-NEXT:        memref.store %[[MIN]], %acc[%lane] : memref<32xf32>
  // CHECK:             %[[B:.*]] = memref.load %acc{{.*}}[%lane] : memref<32xf32>
  // CHECK-NEXT:        %[[GT:.*]] = arith.cmpf ogt, %x, %[[B]] : f32
  // CHECK-NEXT:        arith.select %[[GT]], %x, %[[B]] : f32
  // The original atomics are left only in the remainder loop: none in the blocks, the
  // remainder runs the original body, none after it.
  // CHECK-NOT:     hologram.atomic
  // CHECK:         } {reduction_blocks = "deterministic"}
  // CHECK-NEXT:    hologram.parallel_for %gid{{.*}} = %guarded_end to %grid
  // CHECK:           hologram.atomic_min %{{.*}}, %r[%{{.*}}] : f32
  // CHECK-NEXT:      hologram.atomic_max %{{.*}}, %r[%{{.*}}] : f32
  // CHECK:         } {remainder =
  // CHECK-NOT:     hologram.atomic
  // CHECK:         arith.cmpf une, %{{.*}}, %{{.*}} : f32
  // CHECK:         arith.cmpf olt
  // CHECK:         arith.cmpf une, %{{.*}}, %{{.*}} : f32
  // CHECK:         arith.cmpf ogt
  // CHECK-NOT:     hologram.atomic
  // CHECK:         hologram.return
  hologram.kernel @minmax(%a: memref<?xf32>, %r: memref<?xf32>, %n: i32) attributes {param_names = ["a", "r", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32>
      %c0_1 = arith.constant 0 : index
      %c1_1 = arith.constant 1 : index
      %lo = hologram.atomic_min %x, %r[%c0_1] : f32, memref<?xf32>
      %hi = hologram.atomic_max %x, %r[%c1_1] : f32, memref<?xf32>
    }
    hologram.return
  }

  // Integer min/max take the signedness from the language type: u32 is unsigned, i32 signed.
  // CHECK-LABEL: hologram.kernel @int_minmax
  // CHECK:           arith.constant -1 : i32
  // CHECK:           arith.constant -2147483648 : i32
  // CHECK:             arith.minui
  // CHECK:             arith.maxsi
  // The original atomics are left only in the remainder loop: none in the blocks, the
  // remainder runs the original body, none after it.
  // CHECK-NOT:     hologram.atomic
  // CHECK:         } {reduction_blocks = "deterministic"}
  // CHECK-NEXT:    hologram.parallel_for %gid{{.*}} = %guarded_end to %grid
  // CHECK:           hologram.atomic_min %{{.*}}, %umin[%{{.*}}] : i32
  // CHECK-NEXT:      hologram.atomic_max %{{.*}}, %smax[%{{.*}}] : i32
  // CHECK:         } {remainder =
  // CHECK-NOT:     hologram.atomic
  // CHECK:         arith.cmpi ne
  // CHECK:         arith.minui
  // CHECK:         arith.cmpi ne
  // CHECK:         arith.maxsi
  // CHECK-NOT:     hologram.atomic
  // CHECK:         hologram.return
  hologram.kernel @int_minmax(%a: memref<?xi32>, %umin: memref<?xi32>, %smax: memref<?xi32>, %n: i32) attributes {param_names = ["a", "umin", "smax", "n"], param_types = ["i32[]", "u32[]", "i32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xi32>
      %c0_1 = arith.constant 0 : index
      %u = hologram.atomic_min %x, %umin[%c0_1] : i32, memref<?xi32>
      %s = hologram.atomic_max %x, %smax[%c0_1] : i32, memref<?xi32>
    }
    hologram.return
  }

  // A reduction inside an inner loop of the thread (row sums of a matrix into one total).
  // CHECK-LABEL: hologram.kernel @inner_loop
  // CHECK:             scf.for %j = %z to %m step %o : i32 {
  // CHECK:               memref.load %acc[%lane] : memref<32xi32>
  // CHECK-NEXT:          arith.addi
  // CHECK-NEXT:          memref.store %{{.*}}, %acc[%lane] : memref<32xi32>
  // The original atomics are left only in the remainder loop: none in the blocks, the
  // remainder runs the original body, none after it.
  // CHECK-NOT:     hologram.atomic
  // CHECK:         } {reduction_blocks = "deterministic"}
  // CHECK-NEXT:    hologram.parallel_for %gid{{.*}} = %guarded_end to %grid
  // CHECK:           hologram.atomic_add %{{.*}}, %r[%{{.*}}] : i32
  // CHECK:         } {remainder =
  // CHECK-NOT:     hologram.atomic
  // CHECK:         hologram.return
  hologram.kernel @inner_loop(%a: memref<?xi32>, %r: memref<?xi32>, %m: i32, %n: i32) attributes {param_names = ["a", "r", "m", "n"], param_types = ["i32[]", "i32[]", "i32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %z = arith.constant 0 : i32
      %o = arith.constant 1 : i32
      scf.for %j = %z to %m step %o : i32 {
        %row = arith.muli %idx, %m : i32
        %at = arith.addi %row, %j : i32
        %ati = arith.index_cast %at : i32 to index
        %x = memref.load %a[%ati] : memref<?xi32>
        %c0_1 = arith.constant 0 : index
        %old = hologram.atomic_add %x, %r[%c0_1] : i32, memref<?xi32>
      }
    }
    hologram.return
  }

  // A histogram: the index depends on data. Each block counts bins below max-private in a
  // private copy (larger bins stay atomic), the copies are merged in block order after the loop.
  // CHECK-LABEL: hologram.kernel @histogram
  // CHECK:         %private_copies = arith.muli %nblocks, %max_private : index
  // CHECK-NEXT:    %private_parts = memref.alloc(%private_copies) : memref<?xi32>
  // CHECK:           %private = memref.alloca() : memref<256xi32>
  // CHECK:                 %[[IN:.*]] = arith.cmpi ult, %bin, %{{.*}} : index
  // CHECK-NEXT:            scf.if %[[IN]] {
  // CHECK-NEXT:              %[[P:.*]] = memref.load %private[%bin] : memref<256xi32>
  // CHECK-NEXT:              %[[Q:.*]] = arith.addi %[[P]], %one : i32
  // CHECK-NEXT:              memref.store %[[Q]], %private[%bin] : memref<256xi32>
  // CHECK-NEXT:            } else {
  // CHECK-NEXT:              %old = hologram.atomic_add %one, %hist[%bin] : i32, memref<?xi32>
  // CHECK-NEXT:            }
  // CHECK:           memref.store %{{.*}}, %private_parts[%{{.*}}] : memref<?xi32>
  // CHECK:         } {reduction_blocks = "deterministic"}
  // CHECK:         scf.for %[[J:.*]] = %c0 to %{{.*}} step %c1 {
  // CHECK:           scf.for %{{.*}} = %c0 to %nblocks step %c1 {
  // CHECK:           arith.cmpi ne
  // CHECK:             memref.load %hist[%[[J]]] : memref<?xi32>
  // CHECK:         memref.dealloc %private_parts : memref<?xi32>
  // OFF-LABEL: hologram.kernel @histogram
  // OFF-NOT:     hologram.parallel_for
  // OFF:         hologram.atomic_add %one, %hist[%bin] {not_reduced = "the index depends on data and privatization is off (max-private=0)"} : i32, memref<?xi32>
  hologram.kernel @histogram(%a: memref<?xi32>, %hist: memref<?xi32>, %n: i32) attributes {param_names = ["a", "hist", "n"], param_types = ["i32[]", "i32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xi32>
      %bin = arith.index_cast %x : i32 to index
      %one = arith.constant 1 : i32
      %old = hologram.atomic_add %one, %hist[%bin] : i32, memref<?xi32>
    }
    hologram.return
  }

  // Refused: the old value is used (stream compaction).
  // CHECK-LABEL: hologram.kernel @compact
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         %slot = hologram.atomic_add %one, %count[%c0{{.*}}] {not_reduced = "the atomic's old value is used"} : i32, memref<?xi32>
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

  // Refused: the index is the id (every thread its own element).
  // CHECK-LABEL: hologram.kernel @per_id
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.atomic_add %x, %r[%gid] {not_reduced = "the index depends on the global id"} : f32, memref<?xf32>
  hologram.kernel @per_id(%a: memref<?xf32>, %r: memref<?xf32>) attributes {param_names = ["a", "r"], param_types = ["f32[]", "f32[]"]} {
    %gid = hologram.global_id : index
    %x = memref.load %a[%gid] : memref<?xf32>
    %old = hologram.atomic_add %x, %r[%gid] : f32, memref<?xf32>
    hologram.return
  }

  // Refused: the destination is also read by the threads.
  // CHECK-LABEL: hologram.kernel @read_back
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.atomic_add %x, %r[%c0{{.*}}] {not_reduced = "the destination 'r' is also used by memref.load"} : f32, memref<?xf32>
  hologram.kernel @read_back(%a: memref<?xf32>, %r: memref<?xf32>) attributes {param_names = ["a", "r"], param_types = ["f32[]", "f32[]"]} {
    %gid = hologram.global_id : index
    %c0_1 = arith.constant 0 : index
    %x = memref.load %a[%gid] : memref<?xf32>
    %old = hologram.atomic_add %x, %r[%c0_1] : f32, memref<?xf32>
    %seen = memref.load %r[%c0_1] : memref<?xf32>
    memref.store %seen, %a[%gid] : memref<?xf32>
    hologram.return
  }

  // Refused: add and max on possibly the same element do not commute.
  // CHECK-LABEL: hologram.kernel @mixed
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.atomic_add %x, %r[%k0] {not_reduced = "atomic_add and atomic_max may update the same element of 'r'"}
  // CHECK:         hologram.atomic_max %x, %r[%k1] {not_reduced = "atomic_add and atomic_max may update the same element of 'r'"}
  hologram.kernel @mixed(%a: memref<?xf32>, %r: memref<?xf32>, %i: i32, %j: i32) attributes {param_names = ["a", "r", "i", "j"], param_types = ["f32[]", "f32[]", "i32", "i32"]} {
    %gid = hologram.global_id : index
    %x = memref.load %a[%gid] : memref<?xf32>
    %k0 = arith.index_cast %i : i32 to index
    %k1 = arith.index_cast %j : i32 to index
    %o1 = hologram.atomic_add %x, %r[%k0] : f32, memref<?xf32>
    %o2 = hologram.atomic_max %x, %r[%k1] : f32, memref<?xf32>
    hologram.return
  }

  // Refused: an early return in the body.
  // CHECK-LABEL: hologram.kernel @early
  // CHECK-NOT:     hologram.parallel_for
  // CHECK:         hologram.atomic_add %x, %r[%c0{{.*}}] {not_reduced = "the kernel has an early return (hologram.exit)"}
  hologram.kernel @early(%a: memref<?xf32>, %r: memref<?xf32>) attributes {param_names = ["a", "r"], param_types = ["f32[]", "f32[]"]} {
    %gid = hologram.global_id : index
    %x = memref.load %a[%gid] : memref<?xf32>
    %zero = arith.constant 0.0 : f32
    %neg = arith.cmpf olt, %x, %zero : f32
    scf.if %neg {
      hologram.exit
      scf.yield
    }
    %c0_1 = arith.constant 0 : index
    %old = hologram.atomic_add %x, %r[%c0_1] : f32, memref<?xf32>
    hologram.return
  }

  // No atomics at all: untouched.
  // CHECK-LABEL: hologram.kernel @plain
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NEXT:    memref.load
  // CHECK-NEXT:    hologram.return
  hologram.kernel @plain(%a: memref<?xf32>) attributes {param_names = ["a"], param_types = ["f32[]"]} {
    %gid = hologram.global_id : index
    %x = memref.load %a[%gid] : memref<?xf32>
    hologram.return
  }

  // A local assigned in a branch has its slot (a rank-0 alloca) above the guard: the blocks
  // still run the guarded body without the `if`, each lane loop iteration with its own slot.
  // CHECK-LABEL: hologram.kernel @slot_sum
  // CHECK:         %guarded_end = arith.minui %grid
  // CHECK:             %t = memref.alloca() : memref<f32>
  // CHECK-NOT:         scf.if %ok
  // CHECK:         } {reduction_blocks = "deterministic"}
  // CHECK-NEXT:    hologram.parallel_for %gid{{.*}} = %guarded_end to %grid
  hologram.kernel @slot_sum(%a: memref<?xf32>, %r: memref<?xf32>, %n: i32) attributes {param_names = ["a", "r", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    %t = memref.alloca() : memref<f32>
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32>
      memref.store %x, %t[] : memref<f32>
      %zero = arith.constant 0.0 : f32
      %neg = arith.cmpf olt, %x, %zero : f32
      scf.if %neg {
        memref.store %zero, %t[] : memref<f32>
      }
      %y = memref.load %t[] : memref<f32>
      %c0 = arith.constant 0 : index
      %old = hologram.atomic_add %y, %r[%c0] : f32, memref<?xf32>
    }
    hologram.return
  }
}
