// RUN: hologram-opt -t c %s | filecheck %s
// RUN: hologram-opt -t 'c{line_directives=false}' %s | filecheck %s --check-prefix=NOLINE

// The prelude: includes, simd declarations of the libm functions used, helpers.
// CHECK:      #include <stdint.h>
// CHECK:      #include <math.h>
// CHECK:      #pragma omp declare simd notinbranch
// CHECK-NEXT: extern float expf(float);
// CHECK:      static inline int32_t hg_floordivsi32(int32_t a, int32_t b)

builtin.module {
  // A SIMT kernel is wrapped in the grid loop `parallelize` makes (its threshold policy:
  // 32768 ids for a body without loops; no simd), printed as a serial copy below the
  // threshold and an OpenMP loop above; its name is mangled.
  // CHECK:      #line 3 "k.py"
  // CHECK-NEXT: void hg_exp_{{[0-9a-f]+}}(float* a_{{[0-9]+}}, float* out_{{[0-9]+}}, uint32_t p_n_[[N:[0-9]+]], int64_t hg_grid) {
  // CHECK-NEXT:   int32_t n_[[N]] = (int32_t)p_n_[[N]];
  // CHECK-NEXT:   if ((hg_grid > INT64_C(0) ? (hg_grid - INT64_C(0) + INT64_C(1) - 1) / INT64_C(1) : 0) < INT64_C(32768)) {
  // CHECK-NEXT:   for (int64_t hg_gid = INT64_C(0); hg_gid < hg_grid; hg_gid += INT64_C(1)) {
  // CHECK-NEXT: #line 5 "k.py"
  // CHECK-NEXT:     int32_t {{.*}} = (int32_t)(uint32_t)hg_gid;
  // The next C line maps to k.py:6 by itself; a directive comes only where the count drifts.
  // CHECK-NEXT:     bool [[OK:.*]] = (uint32_t){{.*}} < (uint32_t)n_[[N]];
  // CHECK-NEXT: #line 6 "k.py"
  // CHECK-NEXT:     if ([[OK]]) {
  // CHECK-NEXT:       float [[X:.*]] = a_{{[0-9]+}}[hg_gid];
  // CHECK-NEXT: #line 7 "k.py"
  // CHECK-NEXT:       float [[E:.*]] = expf([[X]]);
  // CHECK-NEXT: #line 7 "k.py"
  // CHECK-NEXT:       out_{{[0-9]+}}[hg_gid] = [[E]];
  // CHECK:        } else {
  // CHECK-NEXT:     #pragma omp parallel for schedule(static)
  // CHECK-NEXT:     for (int64_t hg_gid = INT64_C(0); hg_gid < hg_grid; hg_gid += INT64_C(1)) {
  // CHECK:            out_{{[0-9]+}}[hg_gid] = [[E2:.*]];
  // NOLINE-NOT: #line
  hologram.kernel @exp(%a: memref<?xf32>, %out: memref<?xf32>, %n: i32) attributes {param_names = ["a", "out", "n"], param_types = ["f32[]", "f32[]", "u32"], source = "k.py"} {
    %gid = hologram.global_id : index loc("k.py":5:5)
    %idx = arith.index_cast %gid : index to i32 loc("k.py":5:5)
    %ok = arith.cmpi ult, %idx, %n : i32 loc("k.py":6:5)
    scf.if %ok {
      %x = memref.load %a[%gid] : memref<?xf32> loc("k.py":7:9)
      %e = math.exp %x : f32 loc("k.py":7:9)
      memref.store %e, %out[%gid] : memref<?xf32> loc("k.py":7:9)
    } loc("k.py":6:5)
    hologram.return
  } loc("k.py":3:1)

  // Atomics: unused add is `omp atomic`, used add is `omp atomic capture`, min is a CAS loop.
  // CHECK:      void hg_atomics_{{[0-9a-f]+}}(float* r_{{[0-9]+}}, int32_t* c_{{[0-9]+}}, int32_t* o_{{[0-9]+}}, float v_{{[0-9]+}}, int64_t hg_grid) {
  // CHECK:        #pragma omp atomic
  // CHECK-NEXT:   r_{{[0-9]+}}[{{.*}}] += v_{{[0-9]+}};
  // CHECK:        #pragma omp atomic capture
  // CHECK-NEXT:   { [[OLD:.*]] = ((uint32_t*)c_{{[0-9]+}})[{{.*}}]; ((uint32_t*)c_{{[0-9]+}})[{{.*}}] += (uint32_t){{.*}}; }
  // CHECK:        __atomic_load(&r_{{[0-9]+}}[{{.*}}], &[[CUR:hg_cur_[0-9]+]], __ATOMIC_RELAXED);
  // CHECK-NEXT:   while ([[WANT:hg_want_[0-9]+]] < [[CUR]] && !__atomic_compare_exchange(&r_{{[0-9]+}}[{{.*}}], &[[CUR]], &[[WANT]], false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
  hologram.kernel @atomics(%r: memref<?xf32>, %c: memref<?xi32>, %o: memref<?xi32>, %v: f32) attributes {param_names = ["r", "c", "o", "v"], param_types = ["f32[]", "i32[]", "i32[]", "f32"]} {
    %gid = hologram.global_id : index
    %c0 = arith.constant 0 : index
    %one = arith.constant 1 : i32
    %0 = hologram.atomic_add %v, %r[%c0] : f32, memref<?xf32>
    %old = hologram.atomic_add %one, %c[%c0] : i32, memref<?xi32>
    memref.store %old, %o[%gid] : memref<?xi32>
    %1 = hologram.atomic_min %v, %r[%c0] : f32, memref<?xf32>
    hologram.return
  }

  // parallel_for: schedule, chunk and simd in the pragma; a serial copy below the threshold;
  // `hologram.exit` jumps to a label at the end of the loop body (one per copy).
  // CHECK:      void hg_pf_{{[0-9a-f]+}}(float* a_{{[0-9]+}}, int64_t hg_grid) {
  // CHECK:        if ((hg_grid > [[LB:.*]] ? (hg_grid - [[LB]] + [[ST:.*]] - 1) / [[ST]] : 0) < INT64_C(4096)) {
  // CHECK-NEXT:     for (int64_t [[I:.*]] = [[LB]]; [[I]] < hg_grid; [[I]] += [[ST]]) {
  // CHECK:            goto [[L1:hg_exit_[0-9]+]];
  // CHECK:            [[L1]]: ;
  // CHECK:        } else {
  // CHECK-NEXT:     #pragma omp parallel for simd schedule(dynamic, 64)
  // CHECK-NEXT:     for (int64_t [[I]] = [[LB]]; [[I]] < hg_grid; [[I]] += [[ST]]) {
  // CHECK:            goto [[L2:hg_exit_[0-9]+]];
  // CHECK:            [[L2]]: ;
  hologram.kernel @pf(%a: memref<?xf32>) attributes {param_names = ["a"], param_types = ["f32[]"]} {
    %n = hologram.grid_size : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    hologram.parallel_for %i = %c0 to %n step %c1 schedule(dynamic) chunk(64) simd threshold(4096) {
      %x = memref.load %a[%i] : memref<?xf32>
      %zero = arith.constant 0.0 : f32
      %neg = arith.cmpf olt, %x, %zero : f32
      scf.if %neg {
        hologram.exit
        scf.yield
      }
      %y = arith.mulf %x, %x : f32
      memref.store %y, %a[%i] : memref<?xf32>
    }
    hologram.return
  }

  // A serial parallel_for is a plain loop.
  // CHECK:      void hg_ser_{{[0-9a-f]+}}
  // CHECK-NOT:  #pragma omp parallel
  // CHECK:      for (int64_t
  hologram.kernel @ser(%a: memref<?xf32>) attributes {param_names = ["a"], param_types = ["f32[]"]} {
    %n = hologram.grid_size : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    hologram.parallel_for %i = %c0 to %n step %c1 schedule(static) chunk(0) serial threshold(0) {
      %x = memref.load %a[%i] : memref<?xf32>
      memref.store %x, %a[%i] : memref<?xf32>
    }
    hologram.return
  }

  // Programs: buffers are 64-byte aligned allocations; launches call the mangled kernels.
  // CHECK:      void hg_prog_{{[0-9a-f]+}}(float* a_{{[0-9]+}}, float* b_{{[0-9]+}}, int64_t n_{{[0-9]+}}) {
  // CHECK-NEXT:   float* [[T:.*]] = (float*)hg_alloc((n_{{[0-9]+}}) * (int64_t)sizeof(float));
  // CHECK-NEXT:   int32_t [[N32:.*]] = (int32_t)(uint32_t)n_{{[0-9]+}};
  // CHECK-NEXT:   hg_exp_{{[0-9a-f]+}}((float*)a_{{[0-9]+}}, (float*)[[T]], (uint32_t)[[N32]], n_{{[0-9]+}});
  // CHECK-NEXT:   hg_exp_{{[0-9a-f]+}}((float*)[[T]], (float*)b_{{[0-9]+}}, (uint32_t)[[N32]], n_{{[0-9]+}});
  // CHECK-NEXT:   free([[T]]);
  func.func @prog(%a: memref<?xf32>, %b: memref<?xf32>, %n: index) {
    %t = memref.alloc(%n) : memref<?xf32>
    %n32 = arith.index_cast %n : index to i32
    hologram.launch @exp grid(%n) (%a, %t, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    hologram.launch @exp grid(%n) (%t, %b, %n32) : (memref<?xf32>, memref<?xf32>, i32)
    memref.dealloc %t : memref<?xf32>
    func.return
  }
}
