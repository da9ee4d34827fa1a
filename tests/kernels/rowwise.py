"""One id per row of a row-major matrix (m rows of k columns, leading dimension ld)."""

from hologram.lang import DeviceArray, f32, u32, get_global_id


def row_sum(a: DeviceArray[f32], out: DeviceArray[f32], m: u32, k: u32, ld: u32):
    row = get_global_id()
    if row < m:
        acc = 0.0
        for j in range(k):
            acc += a[row * ld + j]
        out[row] = acc


def row_max(a: DeviceArray[f32], out: DeviceArray[f32], m: u32, k: u32):
    row = get_global_id()
    if row >= m:
        return
    best = a[row * k]
    for j in range(1, k):
        v = a[row * k + j]
        if v > best:
            best = v
    out[row] = best


def row_softmax(a: DeviceArray[f32], out: DeviceArray[f32], m: u32, k: u32):
    row = get_global_id()
    if row < m:
        base = row * k
        mx = a[base]
        for j in range(1, k):
            mx = max(mx, a[base + j])
        total = 0.0
        for j in range(k):
            e = expf(a[base + j] - mx)
            out[base + j] = e
            total += e
        for j in range(k):
            out[base + j] /= total


def row_cumsum(a: DeviceArray[f32], out: DeviceArray[f32], m: u32, k: u32):
    row = get_global_id()
    if row < m:
        running = 0.0
        for j in range(k):
            running += a[row * k + j]
            out[row * k + j] = running


def row_reverse(a: DeviceArray[f32], out: DeviceArray[f32], m: u32, k: u32):
    """A negative constant step: range(k - 1, -1, -1) with a signed counter."""
    row = get_global_id()
    if row < m:
        base = i32(row * k)
        kk = i32(k)
        for j in range(kk - 1, -1, -1):
            out[base + (kk - 1 - j)] = a[base + j]
