# A bad kernel: a located message on stderr, exit code 1, no traceback.
# RUN: not hologram-compile %S/inputs/bad_kernel.py 2>&1 | filecheck %s
# RUN: not hologram-compile %S/inputs/bad_kernel.py --kernel nope 2>&1 | filecheck %s --check-prefix=NOPE
# RUN: not hologram-compile %S/inputs/two_kernels.py --pipeline no-such-pass 2>&1 | filecheck %s --check-prefix=PASS
# RUN: not hologram-compile %S/inputs/missing.py 2>&1 | filecheck %s --check-prefix=MISSING
# Only the good kernel: the bad one is never compiled.
# RUN: hologram-compile %S/inputs/bad_kernel.py --kernel good | filecheck %s --check-prefix=GOOD

# CHECK:      bad_kernel.py:12:14: error: for loops must iterate over range(...), not `a`; write `for i in range(n): x = arr[i]`
# CHECK-NEXT:     for x in a:
# CHECK-NEXT:              ^
# CHECK-NOT:  Traceback

# NOPE: hologram-compile: error: no kernel named nope in {{.*}}bad_kernel.py (kernels: good, bad)

# PASS: hologram-compile: error: bad pipeline 'no-such-pass'
# PASS-NOT: Traceback

# MISSING: hologram-compile: error: cannot read {{.*}}missing.py

# GOOD:     hologram.kernel @good(
# GOOD-NOT: @bad
