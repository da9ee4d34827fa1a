# --emit c runs the default pipeline and prints C; --emit so writes a shared library.
# RUN: hologram-compile %S/inputs/two_kernels.py --emit c | filecheck %s
# RUN: hologram-compile %S/inputs/two_kernels.py --emit so -o %t.so -v 2>&1 | filecheck %s --check-prefix=SO
# RUN: hologram-compile %S/inputs/two_kernels.py --emit mlir --pipeline parallelize | filecheck %s --check-prefix=PAR

# CHECK: #include <stdint.h>
# CHECK: void hg_scale_{{[0-9a-f]+}}(float*
# CHECK: void hg_shift_{{[0-9a-f]+}}(float*

# SO: pipeline: canonicalize,{{.*}}parallelize
# SO: wrote {{.*}}.so

# PAR: hologram.parallel_for
