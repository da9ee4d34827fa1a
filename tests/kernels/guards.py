"""Guards written the ways kernels write them: the bound in a local, early returns, reversed
comparisons, extra conditions, signed bounds, and kernels where only thread 0 works. Each
infers its grid from the IR (docs/language.md); references in tests/test_inferred_types.py."""

from hologram.lang import DeviceArray, f32, i32, u32, get_global_id


def local_total(a: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32):
    idx = get_global_id()
    total = rows * cols
    if idx < total:
        out[idx] = a[idx] * 2.0


def early_return_local(a: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32):
    t = get_global_id()
    total = rows * cols
    if t >= total:
        return
    out[t] = a[t] + 1.0


def reversed_local(a: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32):
    idx = get_global_id()
    total = rows * cols
    if total > idx:
        out[idx] = -a[idx]


def guard_and_flag(a: DeviceArray[f32], flag: DeviceArray[u32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n and flag[idx] != 0:
        out[idx] = a[idx]


def guard_inclusive(a: DeviceArray[f32], out: DeviceArray[f32], last: i32):
    idx = get_global_id()
    if idx <= last:                   # ids 0..last: grid last + 1 (0 when last < 0)
        out[idx] = a[idx] + 3.0


def half_grid(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    i = get_global_id()
    half = n // 2
    if i >= half:
        return
    out[i] = a[2 * i] + a[2 * i + 1]


def signed_bound(a: DeviceArray[f32], out: DeviceArray[f32], start: i32, end: i32):
    i = get_global_id()
    count = end - start               # negative when end < start: no id runs
    if i < count:
        out[i] = a[i + start]


def work_before_guard(a: DeviceArray[f32], out: DeviceArray[f32], scale: f32, n: u32):
    i = get_global_id()
    s = scale * 2.0                   # pure work before the guard is fine
    if i >= n:
        return
    out[i] = a[i] * s


def thread_zero_sum(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx == 0:
        s = 0.0
        for i in range(n):
            s += a[i]
        out[0] = s


def thread_zero_lt(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < 1:
        m = a[0]
        for i in range(1, n):
            m = max(m, a[i])
        out[0] = m


def thread_zero_reversed(a: DeviceArray[i32], out: DeviceArray[i32], n: u32):
    idx = get_global_id()
    if 0 == idx:
        count = 0
        for i in range(n):
            if a[i] > 3:
                count += 1
        out[0] = count


def thread_zero_return(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx != 0:
        return
    out[0] = a[n - 1]


def row_guard(a: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32):
    idx = get_global_id()
    i = idx // cols                   # a 2-D decode: ids with i < rows are those below rows * cols
    j = idx % cols
    if i >= rows:
        return
    out[i * cols + j] = a[j * rows + i]


def row_and_col_guard(a: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32,
                      width: u32):
    idx = get_global_id()
    r = idx // width
    c = idx % width
    if r < rows and c < cols:         # a padded row of `width`: the row bound gives the grid
        out[r * cols + c] = a[r * cols + c] * 2.0


def interior(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n - 1:                     # n - 1 wraps in u32 at n = 0: the grid is refused then
        if i > 0:
            out[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0


def not_guard(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if not idx < n:
        return
    out[idx] = a[idx] - 1.0


def two_early_returns(a: DeviceArray[f32], out: DeviceArray[f32], n: u32, m: u32):
    idx = get_global_id()
    if idx >= n:
        return
    if idx >= m:                      # the grid is min(n, m)
        return
    out[idx] = a[idx] * 4.0


def shifted_guard(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx + 1 < n:                   # ids below n - 1
        out[idx] = a[idx + 1] - a[idx]


def chained_guard(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if 0 <= idx < n:
        out[idx] = a[idx] * a[idx]
