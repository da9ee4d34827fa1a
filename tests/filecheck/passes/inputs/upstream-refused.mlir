// A kernel with an explicit parallel loop that still reads hologram.global_id outside it: there
// is no thread id there, so convert-hologram-to-upstream refuses it.
builtin.module {
  hologram.kernel @stray(%a: memref<?xf32>) attributes {param_names = ["a"], param_types = ["f32[]"]} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %grid = hologram.grid_size : index
    %gid = hologram.global_id : index
    hologram.parallel_for %i = %c0 to %grid step %c1 schedule(static) chunk(0) threshold(0) {
      %z = arith.constant 1.0 : f32
      memref.store %z, %a[%gid] : memref<?xf32>
    }
    hologram.return
  }
}
