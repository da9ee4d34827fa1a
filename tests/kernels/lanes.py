"""One id per column or per element, each running a loop: what `vectorize-lanes` interleaves."""

from hologram.lang import DeviceArray, f32, f64, u32, get_global_id, exp


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
