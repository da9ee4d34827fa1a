# RUN: hologram-compile %s | filecheck %s
# The guard gives the grid, read off the IR into the kernel's `grid` region; `if idx >= E:
# return` is structured into `scf.if (idx < E) { rest }` with no exit op left.
from hologram.lang import DeviceArray, f32, i32, u32, get_global_id


def wraps(a: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        a[idx] = 1.0

# CHECK-LABEL: hologram.kernel @wraps(%a: memref<?xf32>, %n: i32)
# CHECK-SAME:    param_names = ["a", "n"], param_types = ["f32[]", "u32"]
# CHECK-NEXT:    %gid = hologram.global_id : index
# CHECK-NEXT:    %idx = arith.index_cast %gid : index to i32
# CHECK-NEXT:    %[[C:.*]] = arith.cmpi ult, %idx, %n : i32
# CHECK-NEXT:    scf.if %[[C]] {
# CHECK-NEXT:      %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
# CHECK-NEXT:      memref.store %[[ONE]], %a[%gid] : memref<?xf32>
# CHECK-NEXT:    }
# CHECK-NEXT:    hologram.return
# CHECK-NEXT:  } grid {
# CHECK-NEXT:  ^bb0(%a_1: memref<?xf32>, %n_1: i32):
# CHECK-NEXT:    %[[G:.*]] = arith.extui %n_1 : i32 to i64
# CHECK-NEXT:    hologram.grid_yield %[[G]] : i64
# CHECK-NEXT:  }


def early_return(a: DeviceArray[f32], m: u32, n: u32):
    idx = get_global_id()
    if idx >= m * n:
        return
    a[idx] = 2.0

# CHECK-LABEL: hologram.kernel @early_return(
# CHECK:         %[[MN:.*]] = arith.muli %m, %n : i32
# CHECK-NEXT:    %[[C:.*]] = arith.cmpi ult, %idx, %[[MN]] : i32
# CHECK-NEXT:    scf.if %[[C]] {
# CHECK-NOT:     hologram.exit
# CHECK:         hologram.return
# CHECK-NEXT:  } grid {
# CHECK-NEXT:  ^bb0(%{{.*}}: memref<?xf32>, %[[M:.*]]: i32, %[[N:.*]]: i32):
# CHECK-NEXT:    %[[P:.*]] = arith.muli %[[M]], %[[N]] : i32
# CHECK-NEXT:    %[[G:.*]] = arith.extui %[[P]] : i32 to i64
# The u32 product may wrap where Python's would not: the exact product in i64, and -1 (no grid
# for these arguments) when they differ.
# CHECK-NEXT:    %[[XM:.*]] = arith.extui %[[M]] : i32 to i64
# CHECK-NEXT:    %[[XN:.*]] = arith.extui %[[N]] : i32 to i64
# CHECK-NEXT:    %[[X:.*]] = arith.muli %[[XM]], %[[XN]] : i64
# CHECK-NEXT:    %[[W:.*]] = arith.cmpi ne, %[[G]], %[[X]] : i64
# CHECK-NEXT:    %[[NEG:.*]] = arith.constant -1 : i64
# CHECK-NEXT:    %[[S:.*]] = arith.select %[[W]], %[[NEG]], %[[G]] : i64
# CHECK-NEXT:    hologram.grid_yield %[[S]] : i64


def reversed_compare(a: DeviceArray[f32], start: u32, end: u32):
    i = get_global_id()
    if end - start > i:
        a[i + start] = 3.0

# CHECK-LABEL: hologram.kernel @reversed_compare(
# CHECK:       } grid {
# CHECK-NEXT:  ^bb0(%{{.*}}: memref<?xf32>, %[[S:.*]]: i32, %[[E:.*]]: i32):
# CHECK-NEXT:    %[[D:.*]] = arith.subi %[[E]], %[[S]] : i32
# CHECK-NEXT:    %[[G:.*]] = arith.extui %[[D]] : i32 to i64
# CHECK-NEXT:    %[[XE:.*]] = arith.extui %[[E]] : i32 to i64
# CHECK-NEXT:    %[[XS:.*]] = arith.extui %[[S]] : i32 to i64
# CHECK-NEXT:    %[[X:.*]] = arith.subi %[[XE]], %[[XS]] : i64
# CHECK-NEXT:    %[[W:.*]] = arith.cmpi ne, %[[G]], %[[X]] : i64
# CHECK:         %[[SEL:.*]] = arith.select %[[W]], %{{.*}}, %[[G]] : i64
# CHECK-NEXT:    hologram.grid_yield %[[SEL]] : i64


def no_guard(a: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        a[idx] = 1.0
    a[0] = 0.0

# The `if` does not wrap the rest: no grid region (the caller gives grid=).
# CHECK-LABEL: hologram.kernel @no_guard(
# CHECK:         hologram.return
# CHECK-NEXT:  }
# CHECK-NOT:   grid {
# CHECK-LABEL: hologram.kernel @local_bound(


def local_bound(a: DeviceArray[f32], rows: u32, cols: u32):
    idx = get_global_id()
    total = rows * cols
    if idx >= total:
        return
    a[idx] = 1.0

# The bound through a local and an early return: the same region as `m * n` above.
# CHECK:       } grid {
# CHECK-NEXT:  ^bb0(%{{.*}}: memref<?xf32>, %[[R:.*]]: i32, %[[C:.*]]: i32):
# CHECK-NEXT:    %[[T:.*]] = arith.muli %[[R]], %[[C]] : i32
# CHECK-NEXT:    %[[G:.*]] = arith.extui %[[T]] : i32 to i64
# CHECK:         %[[SEL:.*]] = arith.select %{{.*}}, %{{.*}}, %[[G]] : i64
# CHECK-NEXT:    hologram.grid_yield %[[SEL]] : i64


def flagged(a: DeviceArray[f32], flag: DeviceArray[u32], n: u32):
    idx = get_global_id()
    if idx < n and flag[idx] != 0:
        a[idx] = 1.0

# An extra condition: the short-circuit `and` is an scf.if; the bound comes from its first part.
# CHECK-LABEL: hologram.kernel @flagged(
# CHECK:       } grid {
# CHECK-NEXT:  ^bb0(%{{.*}}: memref<?xf32>, %{{.*}}: memref<?xi32>, %[[N:.*]]: i32):
# CHECK-NEXT:    %[[G:.*]] = arith.extui %[[N]] : i32 to i64
# CHECK-NEXT:    hologram.grid_yield %[[G]] : i64


def signed_count(a: DeviceArray[f32], start: i32, end: i32):
    i = get_global_id()
    if i < end - start:
        a[i] = 1.0

# A signed bound (u32 id with i32: compared in i64): no id runs when it is negative.
# CHECK-LABEL: hologram.kernel @signed_count(
# CHECK:         %[[W:.*]] = arith.extui %i : i32 to i64
# CHECK:         arith.cmpi slt, %[[W]], %{{.*}} : i64
# CHECK:       } grid {
# CHECK:         %[[D:.*]] = arith.subi %{{.*}}, %{{.*}} : i32
# CHECK-NEXT:    %[[E:.*]] = arith.extsi %[[D]] : i32 to i64
# CHECK:         %[[Z:.*]] = arith.constant 0 : i64
# CHECK-NEXT:    %[[G:.*]] = arith.maxsi %[[E]], %[[Z]] : i64
# CHECK:         %[[SEL:.*]] = arith.select %{{.*}}, %{{.*}}, %[[G]] : i64
# CHECK-NEXT:    hologram.grid_yield %[[SEL]] : i64


def only_thread_zero(a: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx == 0:
        a[0] = 1.0

# `idx == 0`: one id.
# CHECK-LABEL: hologram.kernel @only_thread_zero(
# CHECK:       } grid {
# CHECK:         %[[ONE:.*]] = arith.constant 1 : i64
# CHECK-NEXT:    %[[G:.*]] = arith.addi %{{.*}}, %[[ONE]] : i64
# CHECK-NEXT:    hologram.grid_yield %[[G]] : i64


def row_of_decode(a: DeviceArray[f32], rows: u32, cols: u32):
    idx = get_global_id()
    i = idx // cols
    if i >= rows:
        return
    a[idx] = 1.0

# A bound on the decoded row `idx // cols < rows` bounds the id by rows * cols.
# CHECK-LABEL: hologram.kernel @row_of_decode(
# CHECK:       } grid {
# CHECK-NEXT:  ^bb0(%{{.*}}: memref<?xf32>, %[[R:.*]]: i32, %[[C:.*]]: i32):
# CHECK-NEXT:    %[[WR:.*]] = arith.extui %[[R]] : i32 to i64
# CHECK-NEXT:    %[[WC:.*]] = arith.extui %[[C]] : i32 to i64
# CHECK-NEXT:    %[[G:.*]] = arith.muli %[[WR]], %[[WC]] : i64
# CHECK-NEXT:    hologram.grid_yield %[[G]] : i64

def two_returns(a: DeviceArray[f32], n: u32, m: u32):
    idx = get_global_id()
    if idx >= n:
        return
    if idx >= m:
        return
    a[idx] = 1.0

def shifted(a: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx + 1 < n:
        a[idx] = 1.0

def negated(a: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if not idx < n:
        return
    a[idx] = 1.0

# Nested early returns: ids past either bound are idle, the grid is the minimum.
# CHECK-LABEL: hologram.kernel @two_returns(
# CHECK:       } grid {
# CHECK-NEXT:  ^bb0(%{{.*}}: memref<?xf32>, %[[N:.*]]: i32, %[[M:.*]]: i32):
# CHECK-NEXT:    %[[WN:.*]] = arith.extui %[[N]] : i32 to i64
# CHECK-NEXT:    %[[WM:.*]] = arith.extui %[[M]] : i32 to i64
# CHECK-NEXT:    %[[G:.*]] = arith.minsi %[[WN]], %[[WM]] : i64
# CHECK-NEXT:    hologram.grid_yield %[[G]] : i64

# `idx + 1 < n`: ids below n - 1 (at least 0), computed in i64.
# CHECK-LABEL: hologram.kernel @shifted(
# CHECK:       } grid {
# CHECK-NEXT:  ^bb0(%{{.*}}: memref<?xf32>, %[[N:.*]]: i32):
# CHECK-NEXT:    %[[WN:.*]] = arith.extui %[[N]] : i32 to i64
# CHECK-NEXT:    %[[K:.*]] = arith.constant 1 : i32
# CHECK-NEXT:    %[[WK:.*]] = arith.extui %[[K]] : i32 to i64
# CHECK-NEXT:    %[[D:.*]] = arith.subi %[[WN]], %[[WK]] : i64
# CHECK-NEXT:    %[[Z:.*]] = arith.constant 0 : i64
# CHECK-NEXT:    %[[G:.*]] = arith.maxsi %[[D]], %[[Z]] : i64
# CHECK-NEXT:    hologram.grid_yield %[[G]] : i64

# `if not idx < n: return` is `scf.if (idx < n)`: the double negation is gone.
# CHECK-LABEL: hologram.kernel @negated(
# CHECK:         %[[C:.*]] = arith.cmpi ult, %idx, %n : i32
# CHECK-NEXT:    scf.if %[[C]] {
# CHECK:       } grid {
# CHECK-NEXT:  ^bb0(%{{.*}}: memref<?xf32>, %[[N:.*]]: i32):
# CHECK-NEXT:    %[[G:.*]] = arith.extui %[[N]] : i32 to i64
# CHECK-NEXT:    hologram.grid_yield %[[G]] : i64
