"""Benchmark kernels, written the natural way in Hologram's kernel language.

This file is kernel source: `hologram.load_kernels` parses it and never executes it (see
`benchmarks/entries.py`). Each kernel is what a user would write first, with no manual tuning, so
the report measures what the compiler makes of ordinary code.
"""

from hologram.lang import DeviceArray, f32, u32, get_global_id, atomic_add_f32, exp, tanh


def empty(out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        pass


def vector_add(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] + b[idx]


def saxpy(x: DeviceArray[f32], y: DeviceArray[f32], alpha: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = alpha * x[idx] + y[idx]


def mul_add(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32],
            out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] * b[idx] + c[idx]


def sigmoid_mul_add(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32],
                    out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = 1.0 / (1.0 + exp(-(a[idx] * b[idx] + c[idx])))


def tanh_kernel(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = tanh(x[idx])


def sum_atomic(x: DeviceArray[f32], result: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_add_f32(result, x[idx])


def dot_atomic(a: DeviceArray[f32], b: DeviceArray[f32], result: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_add_f32(result, a[idx] * b[idx])


def gemv_rows(a: DeviceArray[f32], x: DeviceArray[f32], y: DeviceArray[f32], m: u32, k: u32):
    idx = get_global_id()
    if idx < m:
        acc = 0.0
        for j in range(k):
            acc += a[idx * k + j] * x[j]
        y[idx] = acc


def gemm_f32(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32],
             m: u32, n: u32, k: u32):
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        acc = 0.0
        for p in range(k):
            acc += a[i * k + p] * b[p * n + j]
        c[idx] = acc
