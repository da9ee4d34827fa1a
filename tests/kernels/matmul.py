"""Dense linear algebra with leading dimensions (row-major)."""

from hologram.lang import DeviceArray, f32, f64, u32, get_global_id


def matmul(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32], m: u32, n: u32, k: u32,
           lda: u32, ldb: u32, ldc: u32):
    """c[i, j] = sum_p a[i, p] * b[p, j], one id per element of c."""
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        acc = 0.0
        for p in range(k):
            acc += a[i * lda + p] * b[p * ldb + j]
        c[i * ldc + j] = acc


def matmul_f64(a: DeviceArray[f64], b: DeviceArray[f64], c: DeviceArray[f64], m: u32, n: u32,
               k: u32):
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        acc: f64 = 0.0
        for p in range(k):
            acc += a[i * k + p] * b[p * n + j]
        c[idx] = acc


def matvec(a: DeviceArray[f32], x: DeviceArray[f32], y: DeviceArray[f32], m: u32, k: u32,
           lda: u32):
    i = get_global_id()
    if i < m:
        acc = 0.0
        for p in range(k):
            acc += a[i * lda + p] * x[p]
        y[i] = acc


def outer(x: DeviceArray[f32], y: DeviceArray[f32], out: DeviceArray[f32], m: u32, n: u32):
    idx = get_global_id()
    if idx < m * n:
        out[idx] = x[idx // n] * y[idx % n]


def matmul_tiled_k(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32], m: u32,
                   n: u32, k: u32):
    """A K loop in steps of 4 with a remainder loop (range with three arguments)."""
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        acc = 0.0
        k4 = k - k % 4
        for p in range(0, k4, 4):
            acc += a[i * k + p] * b[p * n + j] + a[i * k + p + 1] * b[(p + 1) * n + j]
            acc += a[i * k + p + 2] * b[(p + 2) * n + j] + a[i * k + p + 3] * b[(p + 3) * n + j]
        for p in range(k4, k):
            acc += a[i * k + p] * b[p * n + j]
        c[idx] = acc
