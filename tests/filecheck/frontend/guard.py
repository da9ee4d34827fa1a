# RUN: hologram-compile %s | filecheck %s
# The guard after `idx = get_global_id()` gives the grid; `if idx >= E: return` is structured
# into `scf.if (idx < E) { rest }` with no exit op left.
from hologram.lang import DeviceArray, f32, u32, get_global_id


def wraps(a: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        a[idx] = 1.0

# CHECK-LABEL: hologram.kernel @wraps(%a: memref<?xf32>, %n: i32)
# CHECK-SAME:    param_names = ["a", "n"], param_types = ["f32[]", "u32"], grid = "n"
# CHECK-NEXT:    %gid = hologram.global_id : index
# CHECK-NEXT:    %idx = arith.index_cast %gid : index to i32
# CHECK-NEXT:    %[[C:.*]] = arith.cmpi ult, %idx, %n : i32
# CHECK-NEXT:    scf.if %[[C]] {
# CHECK-NEXT:      %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
# CHECK-NEXT:      memref.store %[[ONE]], %a[%gid] : memref<?xf32>
# CHECK-NEXT:    }
# CHECK-NEXT:    hologram.return


def early_return(a: DeviceArray[f32], m: u32, n: u32):
    idx = get_global_id()
    if idx >= m * n:
        return
    a[idx] = 2.0

# CHECK-LABEL: hologram.kernel @early_return(
# CHECK-SAME:    grid = "m * n"
# CHECK:         %[[MN:.*]] = arith.muli %m, %n : i32
# CHECK-NEXT:    %[[C:.*]] = arith.cmpi ult, %idx, %[[MN]] : i32
# CHECK-NEXT:    scf.if %[[C]] {
# CHECK-NOT:     hologram.exit
# CHECK:         hologram.return


def reversed_compare(a: DeviceArray[f32], start: u32, end: u32):
    i = get_global_id()
    if end - start > i:
        a[i + start] = 3.0

# CHECK-LABEL: hologram.kernel @reversed_compare(
# CHECK-SAME:    grid = "end - start"


def no_guard(a: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        a[idx] = 1.0
    a[0] = 0.0

# The `if` does not wrap the rest: no grid (the caller gives grid=).
# CHECK-LABEL: hologram.kernel @no_guard(
# CHECK-NOT:     grid =
# CHECK-SAME:    source =
