// REQUIRES: mlir-opt
// `hologram-opt -t llvm`: through upstream mlir-opt and mlir-translate to LLVM IR; the kernel
// keeps the C backend's symbol (plus `_impl`, wrapped by the backend's C shim) and its grid loop
// runs through LLVM's OpenMP runtime.
// RUN: hologram-opt %s -p parallelize -t llvm | filecheck %s
// RUN: hologram-opt %s -p parallelize -t 'llvm{stage=upstream}' | filecheck %s --check-prefix=UP
// RUN: hologram-opt %s -p parallelize -t 'llvm{stage=llvm-dialect}' | filecheck %s --check-prefix=LLD

// CHECK: define void @hg_scale_{{[0-9a-f]+}}_impl(ptr %0, ptr %1, i64 %2, i64 %3, i64 %4, float %5, i32 %6, i64 %7)
// CHECK: call void (ptr, i32, ptr, ...) @__kmpc_fork_call(
// UP: func.func @hg_scale_{{[0-9a-f]+}}_impl(%x: memref<?xf32>, %a: f32, %n: i32, %grid: index)
// UP: func.call @hg_scale_{{[0-9a-f]+}}_impl_loop0(
// UP: func.func private @hg_scale_{{[0-9a-f]+}}_impl_loop0({{.*}}) attributes {llvm.linkage = #llvm.linkage<"internal">}
// LLD: llvm.func @hg_scale_{{[0-9a-f]+}}_impl(
// LLD: omp.wsloop

builtin.module {
  hologram.kernel @scale(%x: memref<?xf32>, %a: f32, %n: i32) attributes {param_names = ["x", "a", "n"], param_types = ["f32[]", "f32", "u32"]} {
    %gid = hologram.global_id : index
    %idx = arith.index_cast %gid : index to i32
    %ok = arith.cmpi ult, %idx, %n : i32
    scf.if %ok {
      %v = memref.load %x[%gid] : memref<?xf32>
      %y = arith.mulf %v, %a : f32
      memref.store %y, %x[%gid] : memref<?xf32>
    }
    hologram.return
  }
}
