// RUN: hologram-opt %s -p infer-grid | filecheck %s
// RUN: hologram-opt %s -p infer-grid | hologram-opt | filecheck %s
// RUN: hologram-opt %s -p 'infer-grid{replace=true}' | filecheck %s --check-prefix=REPLACE

builtin.module {
  // `idx < n` with n: u32: the grid is n, widened without sign.
  // CHECK-LABEL: hologram.kernel @lt
  // CHECK:       } grid {
  // CHECK-NEXT:  ^bb0(%{{.*}}: memref<?xf32>, %[[N:.*]]: i32):
  // CHECK-NEXT:    %[[W:.*]] = arith.extui %[[N]] : i32 to i64
  // CHECK-NEXT:    hologram.grid_yield %[[W]] : i64
  // CHECK-NEXT:  }
  hologram.kernel @lt(%a: memref<?xf32>, %n: i32) attributes {param_names = ["a", "n"], param_types = ["f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %c = arith.cmpi ult, %idx, %n : i32
    scf.if %c {
      %one = arith.constant 1.0 : f32
      memref.store %one, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // The bound through a local (`total = rows * cols`), compared the other way round.
  // CHECK-LABEL: hologram.kernel @reversed_product
  // CHECK:       } grid {
  // CHECK-NEXT:  ^bb0(%{{.*}}: memref<?xf32>, %[[R:.*]]: i32, %[[C:.*]]: i32):
  // CHECK-NEXT:    %[[T:.*]] = arith.muli %[[R]], %[[C]] : i32
  // CHECK-NEXT:    %[[W:.*]] = arith.extui %[[T]] : i32 to i64
  // The u32 product may wrap: the exact product, and -1 (no grid for these arguments) if it differs.
  // CHECK-NEXT:    %[[XR:.*]] = arith.extui %[[R]] : i32 to i64
  // CHECK-NEXT:    %[[XC:.*]] = arith.extui %[[C]] : i32 to i64
  // CHECK-NEXT:    %[[X:.*]] = arith.muli %[[XR]], %[[XC]] : i64
  // CHECK-NEXT:    %[[NE:.*]] = arith.cmpi ne, %[[W]], %[[X]] : i64
  // CHECK-NEXT:    %[[NEG:.*]] = arith.constant -1 : i64
  // CHECK-NEXT:    %[[S:.*]] = arith.select %[[NE]], %[[NEG]], %[[W]] : i64
  // CHECK-NEXT:    hologram.grid_yield %[[S]] : i64
  hologram.kernel @reversed_product(%a: memref<?xf32>, %rows: i32, %cols: i32) attributes {param_names = ["a", "rows", "cols"], param_types = ["f32[]", "u32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %total = arith.muli %rows, %cols : i32
    %c = arith.cmpi ugt, %total, %idx : i32
    scf.if %c {
      %one = arith.constant 1.0 : f32
      memref.store %one, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A signed, inclusive bound (`idx <= last` with last: i32, compared in i64): last + 1, at
  // least 0.
  // CHECK-LABEL: hologram.kernel @inclusive_signed
  // CHECK:       } grid {
  // CHECK:         %[[E:.*]] = arith.extsi %{{.*}} : i32 to i64
  // CHECK-NEXT:    %[[ONE:.*]] = arith.constant 1 : i64
  // CHECK-NEXT:    %[[P:.*]] = arith.addi %[[E]], %[[ONE]] : i64
  // CHECK-NEXT:    %[[Z:.*]] = arith.constant 0 : i64
  // CHECK-NEXT:    %[[M:.*]] = arith.maxsi %[[P]], %[[Z]] : i64
  // CHECK-NEXT:    hologram.grid_yield %[[M]] : i64
  hologram.kernel @inclusive_signed(%a: memref<?xf32>, %last: i32) attributes {param_names = ["a", "last"], param_types = ["f32[]", "i32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %wide = arith.extui %idx : i32 to i64
    %l = arith.extsi %last : i32 to i64
    %c = arith.cmpi sle, %wide, %l : i64
    scf.if %c {
      %one = arith.constant 1.0 : f32
      memref.store %one, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // Thread 0 only: `idx == 0` runs one id.
  // CHECK-LABEL: hologram.kernel @thread_zero
  // CHECK:       } grid {
  // CHECK:         %[[Z:.*]] = arith.constant 0 : i32
  // CHECK-NEXT:    %[[W:.*]] = arith.extui %[[Z]] : i32 to i64
  // CHECK-NEXT:    %[[ONE:.*]] = arith.constant 1 : i64
  // CHECK-NEXT:    %[[G:.*]] = arith.addi %[[W]], %[[ONE]] : i64
  // CHECK-NEXT:    hologram.grid_yield %[[G]] : i64
  hologram.kernel @thread_zero(%a: memref<?xf32>) attributes {param_names = ["a"], param_types = ["f32[]"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %zero = arith.constant 0 : i32
    %c = arith.cmpi eq, %idx, %zero : i32
    scf.if %c {
      %one = arith.constant 1.0 : f32
      %c0 = arith.constant 0 : index
      memref.store %one, %a[%c0] : memref<?xf32>
    }
    hologram.return
  }

  // A guard with an extra condition: the bound comes from the conjunct on the id.
  // CHECK-LABEL: hologram.kernel @and_flag
  // CHECK:       } grid {
  // CHECK-NEXT:  ^bb0(%{{.*}}: memref<?xf32>, %{{.*}}: memref<?xi32>, %[[N:.*]]: i32):
  // CHECK-NEXT:    %[[W:.*]] = arith.extui %[[N]] : i32 to i64
  // CHECK-NEXT:    hologram.grid_yield %[[W]] : i64
  hologram.kernel @and_flag(%a: memref<?xf32>, %flag: memref<?xi32>, %n: i32) attributes {param_names = ["a", "flag", "n"], param_types = ["f32[]", "u32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %c = arith.cmpi ult, %idx, %n : i32
    %f = memref.load %flag[%gid] : memref<?xi32>
    %zero = arith.constant 0 : i32
    %set = arith.cmpi ne, %f, %zero : i32
    %both = arith.andi %c, %set : i1
    scf.if %both {
      %one = arith.constant 1.0 : f32
      memref.store %one, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A kernel that already has a region keeps it (REPLACE recomputes it from the guard).
  // CHECK-LABEL: hologram.kernel @kept
  // CHECK:         %[[S:.*]] = arith.constant 7 : i64
  // CHECK-NEXT:    hologram.grid_yield %[[S]] : i64
  // REPLACE-LABEL: hologram.kernel @kept
  // REPLACE:       } grid {
  // REPLACE-NEXT:  ^bb0(%{{.*}}: memref<?xf32>, %[[N:.*]]: i32):
  // REPLACE-NEXT:    %[[W:.*]] = arith.extui %[[N]] : i32 to i64
  // REPLACE-NEXT:    hologram.grid_yield %[[W]] : i64
  hologram.kernel @kept(%a: memref<?xf32>, %n: i32) attributes {param_names = ["a", "n"], param_types = ["f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %c = arith.cmpi ult, %idx, %n : i32
    scf.if %c {
      %one = arith.constant 1.0 : f32
      memref.store %one, %a[%gid] : memref<?xf32>
    }
    hologram.return
  } grid {
  ^bb0(%ga: memref<?xf32>, %gn: i32):
    %seven = arith.constant 7 : i64
    hologram.grid_yield %seven : i64
  }

  // --- refusals: no region, and the reason as an attribute ---------------------------------
  // A store after the guard runs for every id.
  // A kernel that writes nothing (its guard's body is empty): no id has an effect, grid 0.
  // CHECK-LABEL: hologram.kernel @no_effect
  // CHECK:       } grid {
  // CHECK-NEXT:  ^bb0(%{{.*}}: memref<?xf32>, %{{.*}}: i32):
  // CHECK-NEXT:    %{{.*}} = arith.constant 0 : i64
  // CHECK-NEXT:    hologram.grid_yield %{{.*}} : i64
  hologram.kernel @no_effect(%a: memref<?xf32>, %n: i32) attributes {param_names = ["a", "n"], param_types = ["f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    %x = memref.load %a[%gid] : memref<?xf32>
    hologram.return
  }

  // CHECK-LABEL: hologram.kernel @store_outside
  // CHECK-SAME:    grid_refused = "the kernel writes memory outside its guard (`memref.store`), so ids past the guard's bound are not idle"
  // CHECK-NOT:   grid {
  hologram.kernel @store_outside(%a: memref<?xf32>, %n: i32) attributes {param_names = ["a", "n"], param_types = ["f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %c = arith.cmpi ult, %idx, %n : i32
    scf.if %c {
      %one = arith.constant 1.0 : f32
      memref.store %one, %a[%gid] : memref<?xf32>
    }
    %two = arith.constant 2.0 : f32
    %c0 = arith.constant 0 : index
    memref.store %two, %a[%c0] : memref<?xf32>
    hologram.return
  }

  // The bound is read from an array.
  // CHECK-LABEL: hologram.kernel @bound_in_memory
  // CHECK-SAME:    grid_refused = "the guard's bound is read from memory (an array, or a local assigned more than once)"
  hologram.kernel @bound_in_memory(%a: memref<?xf32>, %len: memref<?xi32>) attributes {param_names = ["a", "len"], param_types = ["f32[]", "u32[]"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %c0 = arith.constant 0 : index
    %n = memref.load %len[%c0] : memref<?xi32>
    %c = arith.cmpi ult, %idx, %n : i32
    scf.if %c {
      %one = arith.constant 1.0 : f32
      memref.store %one, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // A condition that does not bound the id (`idx > n`).
  // CHECK-LABEL: hologram.kernel @lower_bound_only
  // CHECK-SAME:    grid_refused = "no `if` on the id
  hologram.kernel @lower_bound_only(%a: memref<?xf32>, %n: i32) attributes {param_names = ["a", "n"], param_types = ["f32[]", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %c = arith.cmpi ugt, %idx, %n : i32
    scf.if %c {
      %one = arith.constant 1.0 : f32
      memref.store %one, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }

  // The bound depends on a float parameter.
  // CHECK-LABEL: hologram.kernel @float_bound
  // CHECK-SAME:    grid_refused = "the guard's bound is computed with `arith.fptoui`, not integer arithmetic on the parameters"
  hologram.kernel @float_bound(%a: memref<?xf32>, %x: f32) attributes {param_names = ["a", "x"], param_types = ["f32[]", "f32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %n = arith.fptoui %x : f32 to i32
    %c = arith.cmpi ult, %idx, %n : i32
    scf.if %c {
      %one = arith.constant 1.0 : f32
      memref.store %one, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }
}
