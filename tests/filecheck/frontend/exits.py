# RUN: hologram-compile %s | filecheck %s
# Early exits are structured first (a branch that always exits takes the rest of the block into
# the other branch); an exit that ends its construct is dropped; the others become
# hologram.break / hologram.continue / hologram.exit, each the last op of its block.
from hologram.lang import DeviceArray, i32, u32


def find_first(a: DeviceArray[i32], o: DeviceArray[i32], k: i32):
    found = -1
    for j in range(k):
        if a[j] == 0:
            found = j
            break
    o[0] = found

# CHECK-LABEL: hologram.kernel @find_first(
# CHECK:         scf.for %j =
# CHECK:           scf.if %{{.*}} {
# CHECK-NEXT:        memref.store %j, %found[] : memref<i32>
# CHECK-NEXT:        hologram.break
# CHECK-NEXT:      }
# CHECK-NEXT:    }


def skip_zeros(a: DeviceArray[i32], o: DeviceArray[i32], k: i32):
    total = 0
    for j in range(k):
        if a[j] == 0:
            continue
        total += a[j]
    o[0] = total

# `if c: continue` + rest: the rest runs under `not c`, no continue op is needed
# CHECK-LABEL: hologram.kernel @skip_zeros(
# CHECK:         scf.for %j =
# CHECK:           %[[C:.*]] = arith.cmpi ne, %{{.*}}, %{{.*}} : i32
# CHECK-NEXT:      scf.if %[[C]] {
# CHECK-NOT:     hologram.continue
# CHECK:         hologram.return


def continue_in_nested_if(a: DeviceArray[i32], k: i32):
    j = 0
    while j < k:
        j += 1
        if a[j] > 0:
            if a[j] > 10:
                continue
            a[j] = 10
        a[j] += 1

# the inner `if` is not at the end of the loop body: a real continue
# CHECK-LABEL: hologram.kernel @continue_in_nested_if(
# CHECK:         %[[TEN:.*]] = arith.constant 10 : i32
# CHECK-NEXT:    %[[C:.*]] = arith.cmpi sgt, %{{.*}}, %[[TEN]] : i32
# CHECK-NEXT:    scf.if %[[C]] {
# CHECK-NEXT:      hologram.continue
# CHECK-NEXT:    } else {


def return_in_loop(a: DeviceArray[i32], o: DeviceArray[u32], k: i32):
    for j in range(k):
        if a[j] < 0:
            o[0] = u32(j)
            return
    o[0] = u32(k)

# return inside a loop ends the thread
# CHECK-LABEL: hologram.kernel @return_in_loop(
# CHECK:         scf.if %{{.*}} {
# CHECK:           memref.store
# CHECK-NEXT:      hologram.exit
# CHECK-NEXT:    }


def return_in_branch(a: DeviceArray[i32], x: i32):
    if x > 0:
        a[0] = 1
        return
    elif x < 0:
        return
    a[0] = 2

# the elif's return ends the kernel's code: dropped; the rest moves into the last else
# CHECK-LABEL: hologram.kernel @return_in_branch(
# CHECK:         scf.if %{{.*}} {
# CHECK:           %[[ONE:.*]] = arith.constant 1 : i32
# CHECK-NEXT:      memref.store %[[ONE]]
# CHECK-NEXT:    } else {
# CHECK:           %[[C:.*]] = arith.cmpi sge, %x, %{{.*}} : i32
# CHECK-NEXT:      scf.if %[[C]] {
# CHECK:             %[[TWO:.*]] = arith.constant 2 : i32
# CHECK-NOT:     hologram.exit
# CHECK:         hologram.return
