# hologram-opt reads hologram-compile's IR back and prints it unchanged.
# RUN: hologram-compile %S/inputs/two_kernels.py > %t.mlir
# RUN: hologram-opt %t.mlir | hologram-opt | filecheck %s
# RUN: hologram-compile %S/inputs/two_kernels.py -g | hologram-opt --print-debuginfo | filecheck %s --check-prefix=LOC
# RUN: hologram-compile %S/inputs/two_kernels.py -v 2>&1 >/dev/null | filecheck %s --check-prefix=VERBOSE
# RUN: hologram-compile %S/inputs/two_kernels.py --kernel shift -o %t.shift.mlir
# RUN: filecheck %s --check-prefix=ONE < %t.shift.mlir

# CHECK:      builtin.module {
# CHECK-NEXT:   hologram.kernel @scale(%a: memref<?xf32>, %alpha: f32, %n: i32) attributes {param_names = ["a", "alpha", "n"], param_types = ["f32[]", "f32", "u32"], source = "{{.*}}two_kernels.py"} {
# CHECK:          arith.mulf
# CHECK:        hologram.kernel @shift(
# CHECK:          arith.addf

# LOC:      hologram.kernel @scale(%a: memref<?xf32> loc("{{.*}}two_kernels.py":4:11)
# LOC:        %gid = hologram.global_id : index loc("{{.*}}two_kernels.py":5:11)
# LOC:        memref.store %{{.*}}, %a[%gid] : memref<?xf32> loc("{{.*}}two_kernels.py":7:9)

# VERBOSE:      two_kernels.py: 2 kernel(s) in
# VERBOSE-NEXT:   scale(a: f32[], alpha: f32, n: u32)  grid=n
# VERBOSE-NEXT:   shift(a: f32[], beta: f32, n: u32)  grid=n
# VERBOSE-NEXT: pipeline: (none)

# ONE-NOT: @scale
# ONE:     hologram.kernel @shift(
