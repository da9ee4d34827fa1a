// An atomic add on a bool array has no meaning in either backend; the pass refuses it.
builtin.module {
  hologram.kernel @flags(%a: memref<?xi1>, %n: i32) attributes {param_names = ["a", "n"], param_types = ["bool[]", "u32"]} {
    %gid = hologram.global_id : index
    %t = arith.constant true
    %old = hologram.atomic_add %t, %a[%gid] : i1, memref<?xi1>
    hologram.return
  }
}
