"""Kernels named like C/libm functions: their C symbols must not clash with libm."""

from hologram.lang import DeviceArray, f32, u32, get_global_id


def exp(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = expf(a[idx])


def log(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = logf(a[idx])


def div(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] / b[idx]


def tanh(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    """Inside this file `tanh` names this kernel, so the math function is spelled `tanhf`."""
    idx = get_global_id()
    if idx < n:
        out[idx] = tanhf(a[idx])


def relu(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    """The same name as vector_ops.relu: the two must not collide."""
    idx = get_global_id()
    if idx < n:
        out[idx] = max(a[idx], 0.0)


def math_mix(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        x = a[idx]
        y = sqrt(fabs(x)) + sin(x) * cos(x) + tan(x * 0.1) + erf(x) + floor(x) + ceil(x)
        z = rsqrt(1.0 + x * x) + pow(fabs(x), 1.5) + abs(x) + expf(x * 0.01) + logf(1.0 + x * x)
        out[idx] = y + z + sqrtf(2.0) + sinf(x) + cosf(x)
