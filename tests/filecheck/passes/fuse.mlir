// RUN: hologram-opt -p fuse %s | filecheck %s
// RUN: hologram-opt -p fuse %s | hologram-opt | filecheck %s
// RUN: hologram-opt -p "fuse{keep-temporaries=true}" %s | filecheck %s --check-prefix=KEEP
// RUN: hologram-opt -p "fuse{max-kernels=2}" %s | filecheck %s --check-prefix=MAX2
// RUN: hologram-opt -p "fuse{max-kernels=1}" %s | filecheck %s --check-prefix=MAX1
// RUN: hologram-opt -p fuse,fuse %s | filecheck %s --check-prefix=TWICE
// RUN: not hologram-opt -p "fuse{max-kernels=-1}" %s 2>&1 | filecheck %s --check-prefix=BAD

// Elementwise kernels in the stdlib's convention: inputs, out, n; guard `idx < n`.
builtin.module {
  hologram.kernel @mul(%a: memref<?xf32>, %b: memref<?xf32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["a", "b", "out", "n"], param_types = ["f32[]", "f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %i = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %i, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32>
      %y = memref.load %b[%gid] : memref<?xf32>
      %z = arith.mulf %x, %y : f32
      memref.store %z, %out[%gid] : memref<?xf32>
    }
    hologram.return
  }
  hologram.kernel @add(%a: memref<?xf32>, %b: memref<?xf32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["a", "b", "out", "n"], param_types = ["f32[]", "f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %i = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %i, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32>
      %y = memref.load %b[%gid] : memref<?xf32>
      %z = arith.addf %x, %y : f32
      memref.store %z, %out[%gid] : memref<?xf32>
    }
    hologram.return
  }
  hologram.kernel @neg(%x: memref<?xf32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["x", "out", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %i = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %i, %n : i32
    scf.if %ok {
      %v = memref.load %x[%gid] : memref<?xf32>
      %r = arith.negf %v : f32
      memref.store %r, %out[%gid] : memref<?xf32>
    }
    hologram.return
  }
  hologram.kernel @exp(%x: memref<?xf32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["x", "out", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %i = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %i, %n : i32
    scf.if %ok {
      %v = memref.load %x[%gid] : memref<?xf32>
      %r = math.exp %v : f32
      memref.store %r, %out[%gid] : memref<?xf32>
    }
    hologram.return
  }
  // Reads a neighbour: out[i] = x[i + 1].
  hologram.kernel @shift(%x: memref<?xf32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["x", "out", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %c1 = arith.constant 1 : index
    %next = arith.addi %gid, %c1 : index
    %j = arith.index_cast %next : index to i32
    %ok = arith.cmpi ult, %j, %n : i32
    scf.if %ok {
      %v = memref.load %x[%next] : memref<?xf32>
      memref.store %v, %out[%gid] : memref<?xf32>
    }
    hologram.return
  }
  // Reads the whole buffer: out[i] = x[i] / sum(x).
  hologram.kernel @normalize(%x: memref<?xf32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["x", "out", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %i = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %i, %n : i32
    scf.if %ok {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %m = arith.index_cast %n : i32 to index
      %zero = arith.constant 0.0 : f32
      %s = scf.for %k = %c0 to %m step %c1 iter_args(%acc = %zero) -> (f32) {
        %v = memref.load %x[%k] : memref<?xf32>
        %acc2 = arith.addf %acc, %v : f32
        scf.yield %acc2 : f32
      }
      %v = memref.load %x[%gid] : memref<?xf32>
      %r = arith.divf %v, %s : f32
      memref.store %r, %out[%gid] : memref<?xf32>
    }
    hologram.return
  }
  // Ends its thread early when x[i] < 0 (the language's `return`).
  hologram.kernel @clip_exit(%x: memref<?xf32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["x", "out", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %v = memref.load %x[%gid] : memref<?xf32>
    %zero = arith.constant 0.0 : f32
    %neg = arith.cmpf olt, %v, %zero : f32
    scf.if %neg {
      hologram.exit
      scf.yield
    }
    memref.store %v, %out[%gid] : memref<?xf32>
    hologram.return
  }
  // Indexes the way the frontend does for `c[idx]` (u32 id, zero-extended back to index).
  hologram.kernel @mul_u32(%a: memref<?xf32>, %b: memref<?xf32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["a", "b", "out", "n"], param_types = ["f32[]", "f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %i = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %i, %n : i32
    scf.if %ok {
      %w = arith.extui %i : i32 to i64
      %j = arith.index_cast %w : i64 to index
      %x = memref.load %a[%j] : memref<?xf32>
      %y = memref.load %b[%j] : memref<?xf32>
      %z = arith.mulf %x, %y : f32
      memref.store %z, %out[%j] : memref<?xf32>
    }
    hologram.return
  }
  hologram.kernel @exp_u32(%x: memref<?xf32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["x", "out", "n"], param_types = ["f32[]", "f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %i = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %i, %n : i32
    scf.if %ok {
      %w = arith.extui %i : i32 to i64
      %j = arith.index_cast %w : i64 to index
      %v = memref.load %x[%j] : memref<?xf32>
      %r = math.exp %v : f32
      memref.store %r, %out[%j] : memref<?xf32>
    }
    hologram.return
  }

  // A chain: exp(-(a * b)). Both temporaries die; one launch, no alloc. The members' guards
  // merge into one `scf.if` and each value goes straight from producer to consumer.
  // CHECK-LABEL: hologram.kernel @fused_mul_neg_exp(%a: memref<?xf32>, %b: memref<?xf32>, %n32: i32, %out: memref<?xf32>)
  // CHECK-SAME:    fused_from = ["mul", "neg", "exp"]
  // CHECK-NEXT:    %gid = hologram.global_id : index
  // CHECK-NEXT:    %i = arith.index_cast %gid : index to i32
  // CHECK-NEXT:    %ok = arith.cmpi ult, %i, %n32 : i32
  // CHECK-NEXT:    scf.if %ok {
  // CHECK-NEXT:      %x = memref.load %a[%gid] : memref<?xf32>
  // CHECK-NEXT:      %y = memref.load %b[%gid] : memref<?xf32>
  // CHECK-NEXT:      %z = arith.mulf %x, %y : f32
  // CHECK-NEXT:      %r = arith.negf %z : f32
  // CHECK-NEXT:      %r_1 = math.exp %r : f32
  // CHECK-NEXT:      memref.store %r_1, %out[%gid] : memref<?xf32>
  // CHECK-NEXT:    }
  // CHECK-NEXT:    hologram.return
  // CHECK-LABEL: func.func @chain
  // CHECK-NOT:     memref.alloc
  // CHECK:         hologram.launch @fused_mul_neg_exp grid(%n) (%a, %b, %n32, %out)
  // CHECK-NOT:     hologram.launch
  // CHECK-NOT:     memref.dealloc
  // CHECK:         func.return
  //
  // KEEP-LABEL: hologram.kernel @fused_mul_neg_exp(%a: memref<?xf32>, %b: memref<?xf32>, %t: memref<?xf32>, %n32: i32, %u: memref<?xf32>, %out: memref<?xf32>)
  // KEEP-NOT:    memref.alloca
  // KEEP:        memref.store %z, %t[%gid] : memref<?xf32>
  // KEEP-NEXT:   %v = memref.load %t[%gid] : memref<?xf32>
  // KEEP:        memref.store %r, %u[%gid] : memref<?xf32>
  // KEEP-NEXT:   %v_1 = memref.load %u[%gid] : memref<?xf32>
  // KEEP-LABEL: func.func @chain
  // KEEP:        %t = memref.alloc(%n)
  // KEEP:        %u = memref.alloc(%n)
  // KEEP:        hologram.launch @fused_mul_neg_exp grid(%n) (%a, %b, %t, %n32, %u, %out)
  // KEEP-NOT:    hologram.launch
  // KEEP:        memref.dealloc %t
  //
  // MAX2-LABEL: hologram.kernel @fused_mul_neg(
  // MAX2-LABEL: func.func @chain
  // MAX2:        %u = memref.alloc(%n)
  // MAX2:        hologram.launch @fused_mul_neg grid(%n) (%a, %b, %n32, %u)
  // MAX2-NEXT:   hologram.launch @exp grid(%n) (%u, %out, %n32)
  //
  // MAX1-NOT:   hologram.kernel @fused
  // MAX1-LABEL: func.func @chain
  // MAX1:        hologram.launch @mul
  // MAX1-NEXT:   hologram.launch @neg
  // MAX1-NEXT:   hologram.launch @exp
  //
  // A second run finds nothing left to fuse.
  // TWICE-NOT:   @fused_fused
  // TWICE-LABEL: func.func @chain
  // TWICE:        hologram.launch @fused_mul_neg_exp
  // TWICE-NOT:    hologram.launch
  // TWICE:        func.return
  func.func @chain(%a: memref<?xf32>, %b: memref<?xf32>, %out: memref<?xf32>, %n: index) {
    %t = memref.alloc(%n) : memref<?xf32>
    %u = memref.alloc(%n) : memref<?xf32>
    %n32 = arith.index_cast %n : index to i32
    hologram.launch @mul grid(%n) (%a, %b, %t, %n32) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @neg grid(%n) (%t, %u, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @exp grid(%n) (%u, %out, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    memref.dealloc %t : memref<?xf32>
    memref.dealloc %u : memref<?xf32>
    func.return
  }

  // A diamond: t = a * b; out = exp(t) + (-t). One kernel; t, e, m die.
  // CHECK-LABEL: hologram.kernel @fused_mul_exp_neg_add(%a: memref<?xf32>, %b: memref<?xf32>, %n32: i32, %out: memref<?xf32>)
  // CHECK-NOT:     memref.alloca
  // CHECK:         %z = arith.mulf %x, %y : f32
  // CHECK-NEXT:    %r = math.exp %z : f32
  // CHECK-NEXT:    %r_1 = arith.negf %z : f32
  // CHECK-NEXT:    %z_1 = arith.addf %r, %r_1 : f32
  // CHECK-NEXT:    memref.store %z_1, %out[%gid] : memref<?xf32>
  // CHECK-LABEL: func.func @diamond
  // CHECK-NOT:     memref.alloc
  // CHECK:         hologram.launch @fused_mul_exp_neg_add grid(%n) (%a, %b, %n32, %out)
  // CHECK-NOT:     hologram.launch
  // CHECK:         func.return
  func.func @diamond(%a: memref<?xf32>, %b: memref<?xf32>, %out: memref<?xf32>, %n: index) {
    %t = memref.alloc(%n) : memref<?xf32>
    %e = memref.alloc(%n) : memref<?xf32>
    %m = memref.alloc(%n) : memref<?xf32>
    %n32 = arith.index_cast %n : index to i32
    hologram.launch @mul grid(%n) (%a, %b, %t, %n32) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @exp grid(%n) (%t, %e, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @neg grid(%n) (%t, %m, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @add grid(%n) (%e, %m, %out, %n32) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, i32)
    func.return
  }

  // A fan-out: t = a * b feeds two outputs. One kernel writes both; t dies.
  // CHECK-LABEL: hologram.kernel @fused_mul_exp_neg(%a: memref<?xf32>, %b: memref<?xf32>, %n32: i32, %o1: memref<?xf32>, %o2: memref<?xf32>)
  // CHECK:         %z = arith.mulf %x, %y : f32
  // CHECK-NEXT:    %r = math.exp %z : f32
  // CHECK-NEXT:    memref.store %r, %o1[%gid] : memref<?xf32>
  // CHECK-NEXT:    %r_1 = arith.negf %z : f32
  // CHECK-NEXT:    memref.store %r_1, %o2[%gid] : memref<?xf32>
  // CHECK-LABEL: func.func @fanout
  // CHECK-NOT:     memref.alloc
  // CHECK:         hologram.launch @fused_mul_exp_neg grid(%n) (%a, %b, %n32, %o1, %o2)
  // CHECK-NOT:     hologram.launch
  func.func @fanout(%a: memref<?xf32>, %b: memref<?xf32>, %o1: memref<?xf32>, %o2: memref<?xf32>, %n: index) {
    %t = memref.alloc(%n) : memref<?xf32>
    %n32 = arith.index_cast %n : index to i32
    hologram.launch @mul grid(%n) (%a, %b, %t, %n32) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @exp grid(%n) (%t, %o1, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @neg grid(%n) (%t, %o2, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    func.return
  }

  // Refused: the consumer reads a neighbour, t[i + 1].
  // CHECK-LABEL: func.func @stencil
  // CHECK:         %t = memref.alloc(%n)
  // CHECK:         hologram.launch @mul grid(%n) (%a, %b, %t, %n32)
  // CHECK-NEXT:    hologram.launch @shift grid(%n) (%t, %out, %n32)
  func.func @stencil(%a: memref<?xf32>, %b: memref<?xf32>, %out: memref<?xf32>, %n: index) {
    %t = memref.alloc(%n) : memref<?xf32>
    %n32 = arith.index_cast %n : index to i32
    hologram.launch @mul grid(%n) (%a, %b, %t, %n32) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @shift grid(%n) (%t, %out, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    func.return
  }

  // Refused: the consumer reads the whole buffer (a reduction inside it).
  // CHECK-LABEL: func.func @whole_buffer
  // CHECK:         hologram.launch @exp grid(%n) (%a, %t, %n32)
  // CHECK-NEXT:    hologram.launch @normalize grid(%n) (%t, %out, %n32)
  func.func @whole_buffer(%a: memref<?xf32>, %out: memref<?xf32>, %n: index) {
    %t = memref.alloc(%n) : memref<?xf32>
    %n32 = arith.index_cast %n : index to i32
    hologram.launch @exp grid(%n) (%a, %t, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @normalize grid(%n) (%t, %out, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    func.return
  }

  // Refused: different grid values, even when equal at run time.
  // CHECK-LABEL: func.func @grids
  // CHECK:         hologram.launch @exp grid(%n) (%a, %t, %n32)
  // CHECK-NEXT:    hologram.launch @neg grid(%m) (%t, %out, %n32)
  func.func @grids(%a: memref<?xf32>, %out: memref<?xf32>, %n: index, %m: index) {
    %t = memref.alloc(%n) : memref<?xf32>
    %n32 = arith.index_cast %n : index to i32
    hologram.launch @exp grid(%n) (%a, %t, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @neg grid(%m) (%t, %out, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    func.return
  }

  // Refused cycle: @mul -> @shift (other grid) -> @add and @mul -> @add. Merging @mul into @add
  // would need the merged launch both before and after @shift.
  // CHECK-LABEL: func.func @cycle
  // CHECK:         hologram.launch @mul grid(%n) (%a, %b, %t, %n32)
  // CHECK-NEXT:    hologram.launch @shift grid(%m) (%t, %u, %n32)
  // CHECK-NEXT:    hologram.launch @add grid(%n) (%t, %u, %out, %n32)
  func.func @cycle(%a: memref<?xf32>, %b: memref<?xf32>, %out: memref<?xf32>, %n: index, %m: index) {
    %t = memref.alloc(%n) : memref<?xf32>
    %u = memref.alloc(%n) : memref<?xf32>
    %n32 = arith.index_cast %n : index to i32
    hologram.launch @mul grid(%n) (%a, %b, %t, %n32) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @shift grid(%m) (%t, %u, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @add grid(%n) (%t, %u, %out, %n32) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, i32)
    func.return
  }

  // An escaping temporary (returned): fused, but t keeps its allocation and its store.
  // CHECK-LABEL: hologram.kernel @fused_mul_exp(%a: memref<?xf32>, %b: memref<?xf32>, %t: memref<?xf32>, %n32: i32, %out: memref<?xf32>)
  // CHECK-NOT:     memref.alloca
  // CHECK:         memref.store %z, %t[%gid] : memref<?xf32>
  // CHECK-NEXT:    %v = memref.load %t[%gid] : memref<?xf32>
  // CHECK-LABEL: func.func @escape_returned
  // CHECK:         %t = memref.alloc(%n)
  // CHECK:         hologram.launch @fused_mul_exp grid(%n) (%a, %b, %t, %n32, %out)
  // CHECK-NEXT:    func.return %t
  func.func @escape_returned(%a: memref<?xf32>, %b: memref<?xf32>, %out: memref<?xf32>, %n: index) -> memref<?xf32> {
    %t = memref.alloc(%n) : memref<?xf32>
    %n32 = arith.index_cast %n : index to i32
    hologram.launch @mul grid(%n) (%a, %b, %t, %n32) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @exp grid(%n) (%t, %out, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    func.return %t : memref<?xf32>
  }

  // An escaping temporary (read by a launch that cannot fuse): t stays for @shift.
  // CHECK-LABEL: hologram.kernel @fused_mul_exp_1(
  // CHECK-LABEL: func.func @escape_launch
  // CHECK:         %t = memref.alloc(%n)
  // CHECK:         hologram.launch @fused_mul_exp_1 grid(%n) (%a, %b, %t, %n32, %o1)
  // CHECK-NEXT:    hologram.launch @shift grid(%n) (%t, %o2, %n32)
  func.func @escape_launch(%a: memref<?xf32>, %b: memref<?xf32>, %o1: memref<?xf32>, %o2: memref<?xf32>, %n: index) {
    %t = memref.alloc(%n) : memref<?xf32>
    %n32 = arith.index_cast %n : index to i32
    hologram.launch @mul grid(%n) (%a, %b, %t, %n32) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @exp grid(%n) (%t, %o1, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @shift grid(%n) (%t, %o2, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    memref.dealloc %t : memref<?xf32>
    func.return
  }

  // Refused: a producer that can end its thread early would skip the consumer's body.
  // CHECK-LABEL: func.func @early_exit
  // CHECK:         hologram.launch @clip_exit grid(%n) (%a, %t, %n32)
  // CHECK-NEXT:    hologram.launch @exp grid(%n) (%t, %out, %n32)
  func.func @early_exit(%a: memref<?xf32>, %out: memref<?xf32>, %n: index) {
    %t = memref.alloc(%n) : memref<?xf32>
    %n32 = arith.index_cast %n : index to i32
    hologram.launch @clip_exit grid(%n) (%a, %t, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @exp grid(%n) (%t, %out, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    func.return
  }

  // The frontend's index form fuses with itself, not with a bare global_id (a different
  // function of the id past 2^32).
  // CHECK-LABEL: hologram.kernel @fused_mul_u32_exp_u32(
  // CHECK-LABEL: func.func @frontend_index
  // CHECK:         hologram.launch @fused_mul_u32_exp_u32 grid(%n) (%a, %b, %n32, %o1)
  // CHECK-NEXT:    hologram.launch @mul_u32 grid(%n) (%a, %b, %u, %n32)
  // CHECK-NEXT:    hologram.launch @exp grid(%n) (%u, %o2, %n32)
  func.func @frontend_index(%a: memref<?xf32>, %b: memref<?xf32>, %o1: memref<?xf32>, %o2: memref<?xf32>, %n: index) {
    %t = memref.alloc(%n) : memref<?xf32>
    %u = memref.alloc(%n) : memref<?xf32>
    %n32 = arith.index_cast %n : index to i32
    hologram.launch @mul_u32 grid(%n) (%a, %b, %t, %n32) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @exp_u32 grid(%n) (%t, %o1, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @mul_u32 grid(%n) (%a, %b, %u, %n32) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @exp grid(%n) (%u, %o2, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    func.return
  }
  // Same grid, guards on different bounds: each body keeps its own guard (the kernel gets no
  // `grid` expression, the two disagree), so the value travels
  // through a per-thread slot (a register in C) instead of the buffer.
  // CHECK-LABEL: hologram.kernel @fused_mul_exp_2(%a: memref<?xf32>, %b: memref<?xf32>, %n32: i32, %out: memref<?xf32>, %m32: i32)
  // CHECK-NOT:     grid =
  // CHECK-NEXT:    %t_elem = memref.alloca() : memref<f32>
  // CHECK:         %ok = arith.cmpi ult, %i, %n32 : i32
  // CHECK-NEXT:    scf.if %ok {
  // CHECK:           memref.store %z, %t_elem[] : memref<f32>
  // CHECK:         %ok_1 = arith.cmpi ult, %i, %m32 : i32
  // CHECK-NEXT:    scf.if %ok_1 {
  // CHECK-NEXT:      %v = memref.load %t_elem[] : memref<f32>
  // CHECK-LABEL: func.func @two_guards
  // CHECK-NOT:     memref.alloc
  // CHECK:         hologram.launch @fused_mul_exp_2 grid(%n) (%a, %b, %n32, %out, %m32)
  func.func @two_guards(%a: memref<?xf32>, %b: memref<?xf32>, %out: memref<?xf32>, %n: index, %m32: i32) {
    %t = memref.alloc(%n) : memref<?xf32>
    %n32 = arith.index_cast %n : index to i32
    hologram.launch @mul grid(%n) (%a, %b, %t, %n32) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @exp grid(%n) (%t, %out, %m32) : (memref<?xf32>, memref<?xf32>, i32)
    func.return
  }
  // Launches in a loop body fuse within that block. The temporary is allocated outside the loop,
  // so it is not the group's alone across iterations: it stays, and so do its stores.
  // CHECK-LABEL: func.func @in_loop
  // CHECK:         %t = memref.alloc(%n)
  // CHECK:         scf.for
  // CHECK-NEXT:      hologram.launch @fused_mul_neg grid(%n) (%a, %b, %t, %n32, %out)
  // CHECK-NEXT:    }
  func.func @in_loop(%a: memref<?xf32>, %b: memref<?xf32>, %out: memref<?xf32>, %n: index) {
    %t = memref.alloc(%n) : memref<?xf32>
    %n32 = arith.index_cast %n : index to i32
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    scf.for %k = %c0 to %c3 step %c1 {
      hologram.launch @mul grid(%n) (%a, %b, %t, %n32) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, i32)
      hologram.launch @neg grid(%n) (%t, %out, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    }
    func.return
  }
}

// BAD: max-kernels must be >= 0
