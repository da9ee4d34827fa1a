"""Elementwise vector kernels: inputs first, then scalars, then outputs, then n."""

from hologram.lang import DeviceArray, f32, u32, get_global_id


def vector_add(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] + b[idx]


def vector_sub(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx >= n:
        return
    out[idx] = a[idx] - b[idx]


def vector_mul(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] * b[idx]


def saxpy(x: DeviceArray[f32], y: DeviceArray[f32], alpha: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = alpha * x[idx] + y[idx]


def scale_inplace(x: DeviceArray[f32], alpha: f32, n: u32):
    idx = get_global_id()
    if idx < n:
        x[idx] *= alpha


def relu(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        v = a[idx]
        out[idx] = v if v > 0.0 else 0.0


def sigmoid(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = 1.0 / (1.0 + expf(-a[idx]))


def clamp(a: DeviceArray[f32], lo: f32, hi: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = min(max(a[idx], lo), hi)


def fill(value: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = value


def iota_u32(out: DeviceArray[u32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = idx


def axpby_offset(x: DeviceArray[f32], y: DeviceArray[f32], alpha: f32, beta: f32,
                 out: DeviceArray[f32], start: u32, end: u32):
    """Works on [start, end): the grid is end - start."""
    idx = get_global_id()
    if idx < end - start:
        i = idx + start
        out[i] = alpha * x[i] + beta * y[i]
