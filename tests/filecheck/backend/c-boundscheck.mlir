// RUN: hologram-opt -t 'c{line_directives=false}' %s | filecheck %s

// A kernel with the `boundscheck` unit attribute (set by the runtime for boundscheck=True):
// two more parameters, the helper once, a stop test per grid-loop iteration, and a guard on
// every load, store and atomic of the kernel's arrays (unsigned compare: negatives fail too).
// CHECK:      static int64_t hg_bounds_fail(int64_t *err, int64_t index, int64_t id, int64_t length,
// CHECK:      __atomic_compare_exchange_n(&err[0], &expected, 1,
// CHECK:      void hg_scatter_{{[0-9a-f]+}}(float* [[A:a_[0-9]+]], int32_t* [[IX:ix_[0-9]+]], float* [[OUT:out_[0-9]+]], uint32_t p_n_{{[0-9]+}}, int64_t hg_grid, int64_t* hg_len, int64_t* hg_err) {
// CHECK:        for (int64_t hg_gid = INT64_C(0); hg_gid < hg_grid; hg_gid += INT64_C(1)) {
// CHECK-NEXT:     if (__atomic_load_n(&hg_err[0], __ATOMIC_RELAXED)) continue;
// CHECK:          float [[X:x_[0-9]+]] = (uint64_t)hg_gid < (uint64_t)hg_len[0] ? [[A]][hg_gid] : hg_bounds_fail(hg_err, (int64_t)hg_gid, (int64_t)hg_gid, hg_len[0], 0, 7);
// CHECK-NEXT:     int32_t [[J:j_[0-9]+]] = (uint64_t)hg_gid < (uint64_t)hg_len[1] ? [[IX]][hg_gid] : hg_bounds_fail(hg_err, (int64_t)hg_gid, (int64_t)hg_gid, hg_len[1], 1, 8);
// CHECK-NEXT:     int64_t [[JI:ji_[0-9]+]] = (int64_t)[[J]];
// CHECK-NEXT:     if ((uint64_t)[[JI]] < (uint64_t)hg_len[2]) {
// CHECK-NEXT:       [[OUT]][[[JI]]] = [[X]];
// CHECK-NEXT:     } else { hg_bounds_fail(hg_err, (int64_t)[[JI]], (int64_t)hg_gid, hg_len[2], 2, 9); }
// CHECK-NEXT:     if ((uint64_t)[[JI]] < (uint64_t)hg_len[2]) {
// CHECK-NEXT:       #pragma omp atomic
// CHECK-NEXT:       [[OUT]][[[JI]]] += [[X]];
// CHECK-NEXT:     } else { hg_bounds_fail(hg_err, (int64_t)[[JI]], (int64_t)hg_gid, hg_len[2], 2, 10); }
// CHECK-NEXT:     float [[LO:lo_[0-9]+]] = 0;
// CHECK-NEXT:     if ((uint64_t)[[JI]] < (uint64_t)hg_len[2]) {
// CHECK:            __atomic_compare_exchange(&[[OUT]][[[JI]]],
// CHECK:          } else { hg_bounds_fail(hg_err, (int64_t)[[JI]], (int64_t)hg_gid, hg_len[2], 2, 11); }
// An unchecked kernel of the same module is printed as always.
// CHECK-LABEL: void hg_plain_{{[0-9a-f]+}}(float* a_{{[0-9]+}}, int64_t hg_grid) {
// CHECK-NOT:    hg_len
// CHECK-NOT:    hg_bounds_fail
// CHECK:        }
builtin.module {
  hologram.kernel @scatter(%a: memref<?xf32>, %ix: memref<?xi32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["a", "ix", "out", "n"], param_types = ["f32[]", "i32[]", "f32[]", "u32"], boundscheck} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32> loc("k.py":7:5)
      %j = memref.load %ix[%gid] : memref<?xi32> loc("k.py":8:5)
      %ji = arith.index_cast %j : i32 to index
      memref.store %x, %out[%ji] : memref<?xf32> loc("k.py":9:5)
      %old = hologram.atomic_add %x, %out[%ji] : f32, memref<?xf32> loc("k.py":10:5)
      %lo = hologram.atomic_min %x, %out[%ji] : f32, memref<?xf32> loc("k.py":11:5)
    }
    hologram.return
  }
  hologram.kernel @plain(%a: memref<?xf32>) attributes {param_names = ["a"], param_types = ["f32[]"]} {
    %gid = hologram.global_id : index
    %x = memref.load %a[%gid] : memref<?xf32>
    memref.store %x, %a[%gid] : memref<?xf32>
    hologram.return
  }
}
