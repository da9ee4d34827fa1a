"""Seed-style kernels: atlas_kernel imports, math names never imported, int/float/usize."""

from atlas_kernel import DeviceArray, f32, u32, get_global_id, atomic_add_f32


def vector_add(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        c[idx] = a[idx] + b[idx]


def softplus(a: DeviceArray[float], out: DeviceArray[float], n: int):
    idx = get_global_id()
    if idx < n:
        out[idx] = logf(1.0 + expf(a[idx]))


def norm_sq(a: DeviceArray[f32], result: DeviceArray[f32], n: usize):
    idx = get_global_id()
    if idx < n:
        atomic_add_f32(result, a[idx] * a[idx])


def gelu(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        x = a[idx]
        out[idx] = 0.5 * x * (1.0 + tanhf(0.7978845608 * (x + 0.044715 * x * x * x)))
