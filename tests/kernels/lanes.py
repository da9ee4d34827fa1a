"""One id per column or per element, each running a loop: what `vectorize-lanes` interleaves."""

from hologram.lang import DeviceArray, f32, f64, i32, i64, u32, get_global_id, exp


def column_sum(x: DeviceArray[f32], out: DeviceArray[f32], m: u32, n: u32):
    c = get_global_id()
    if c < n:
        acc = 0.0
        for i in range(m):
            acc += x[i * n + c]
        out[c] = acc


def column_max_f64(x: DeviceArray[f64], out: DeviceArray[f64], m: u32, n: u32):
    c = get_global_id()
    if c < n:
        best = x[c]
        for i in range(1, m):
            v = x[i * n + c]
            if v > best:
                best = v
        out[c] = best


def column_stencil(x: DeviceArray[f32], w: DeviceArray[f32], out: DeviceArray[f32], m: u32,
                   n: u32, k: u32):
    """A vertical k-tap filter of column c at m rows (x has m + k rows), summed down the rows;
    the weights are uniform."""
    c = get_global_id()
    if c < n:
        total = 0.0
        for i in range(m):
            s = 0.0
            for t in range(k):
                s += w[t] * x[(i + t) * n + c]
            total += s * s
        out[c] = total


def horner(x: DeviceArray[f32], coef: DeviceArray[f32], out: DeviceArray[f32], k: u32, n: u32):
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        acc = coef[0]
        for p in range(1, k):
            acc = acc * v + coef[p]
        out[idx] = acc


def newton_rsqrt(x: DeviceArray[f32], out: DeviceArray[f32], k: u32, n: u32):
    """k Newton steps for 1/sqrt(a), a value carried from before the loop to after it."""
    idx = get_global_id()
    if idx < n:
        a = abs(x[idx]) + 1.0
        y = 1.0 / a
        for it in range(k):
            y = y * (1.5 - 0.5 * a * y * y)
        out[idx] = y * exp(-a)


def row_sum(x: DeviceArray[f32], out: DeviceArray[f32], m: u32, n: u32):
    """Refused by vectorize-lanes: lanes would gather x[r * n + i] (stride n in the id)."""
    r = get_global_id()
    if r < m:
        acc = 0.0
        for i in range(n):
            acc += x[r * n + i]
        out[r] = acc


# --- 2-D ids decoded from the 1-D id: vectorize-lanes runs rows of lanes --------------------------
def conv2d_u32(x: DeviceArray[f32], wt: DeviceArray[f32], out: DeviceArray[f32], r: u32, w: u32,
               oh: u32, ow: u32):
    """'valid' 2-D correlation: `idx // ow`, `idx % ow` (unsigned), the write at `out[idx]`."""
    idx = get_global_id()
    if idx < oh * ow:
        i = idx // ow
        j = idx % ow
        acc = 0.0
        for a in range(r):
            for b in range(r):
                acc += x[(i + a) * w + j + b] * wt[a * r + b]
        out[idx] = acc


def conv2d_i32(x: DeviceArray[f32], wt: DeviceArray[f32], out: DeviceArray[f32], r: i32, w: i32,
               oh: i32, ow: i32):
    """The same in signed ints: Python's floor `%` (a sign fix-up), the write at `i * ow + j`,
    a helper for the tap."""
    idx = get_global_id()
    if idx < oh * ow:
        i = idx // ow
        j = idx % ow
        acc = 0.0
        for a in range(r):
            for b in range(r):
                acc += tap(x, wt, (i + a) * w + j + b, a * r + b)
        out[i * ow + j] = acc


def tap(x: DeviceArray[f32], wt: DeviceArray[f32], p: i32, q: i32) -> f32:
    return x[p] * wt[q]


def box_sub_form(x: DeviceArray[f64], out: DeviceArray[f64], k: i64, ow_less: i64, n: i64):
    """A k x k box sum in f64; the output width and the image width are computed (any
    positive arguments are in bounds for n <= ow), `j = idx - i * ow`, the guard on a count."""
    ow = ow_less + 1
    w = ow + k - 1
    idx = get_global_id()
    if idx < n:
        i = idx // ow
        j = idx - i * ow
        s = 0.0
        for a in range(k):
            for b in range(k):
                s += x[(i + a) * w + (j + b)]
        out[idx] = s


def blur_u32_sub(src: DeviceArray[f32], dst: DeviceArray[f32], h: u32, w: u32):
    """A 3 x 3 mean in u32 with `col = gid - row * ow` (u32 arithmetic) and computed widths."""
    oh = h - 2
    ow = w - 2
    gid = get_global_id()
    if gid < oh * ow:
        row = gid // ow
        col = gid - row * ow
        s = 0.0
        for a in range(3):
            for b in range(3):
                s += src[(row + a) * w + col + b]
        dst[gid] = s / 9.0


def rows_scaled(x: DeviceArray[f32], out: DeviceArray[f32], m: u32, cols: u32):
    """Each element times the sum of its row's first m elements: a row-uniform loop."""
    idx = get_global_id()
    if idx < m * cols:
        row = idx // cols
        s = 0.0
        for t in range(m):
            s += x[row * cols + t]
        out[idx] = x[idx] * s


def column_written_by_every_row(x: DeviceArray[f32], out: DeviceArray[f32], m: u32, n: u32):
    """Refused: every row writes out[j] (threads share an element)."""
    idx = get_global_id()
    if idx < m * n:
        j = idx % n
        acc = 0.0
        for t in range(m):
            acc += x[t * n + j]
        out[j] = acc
