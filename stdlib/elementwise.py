"""Elementwise kernels: arithmetic, math functions, clip, where, fma.

Every kernel here follows the elementwise convention the op API and `@hologram.jit` rely on:
input arrays first, then scalar parameters, then `out`, then `n`; the body is
`if idx < n: out[idx] = f(x[idx], ...)` and reads its inputs only at `[idx]`, so `out` may be
one of the inputs (in place). Kernel names carry the element type (`add_f32`; the float64 ones
are in `elementwise_f64.py`) so they
never collide with the intrinsics (`exp`, `abs`, `min`...) they call.
"""

from hologram.lang import DeviceArray, f32, u32, get_global_id
from hologram.lang import exp, log, sin, cos, tanh, erf, sqrt, rsqrt, pow


# --- binary, float32 ---------------------------------------------------------------------------
def add_f32(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] + b[idx]


def sub_f32(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] - b[idx]


def mul_f32(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] * b[idx]


def div_f32(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] / b[idx]


def minimum_f32(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    # NaN in either input gives NaN, as numpy.minimum does.
    idx = get_global_id()
    if idx < n:
        x = a[idx]
        y = b[idx]
        out[idx] = x if (x < y or x != x) else y


def maximum_f32(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        x = a[idx]
        y = b[idx]
        out[idx] = x if (x > y or x != x) else y


def power_f32(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = pow(a[idx], b[idx])


# --- binary with a scalar: x op s and s op x ----------------------------------------------------
def add_scalar_f32(x: DeviceArray[f32], s: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = x[idx] + s


def sub_scalar_f32(x: DeviceArray[f32], s: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = x[idx] - s


def rsub_scalar_f32(x: DeviceArray[f32], s: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = s - x[idx]


def mul_scalar_f32(x: DeviceArray[f32], s: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = x[idx] * s


def div_scalar_f32(x: DeviceArray[f32], s: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = x[idx] / s


def rdiv_scalar_f32(x: DeviceArray[f32], s: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = s / x[idx]


def minimum_scalar_f32(x: DeviceArray[f32], s: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        out[idx] = v if (v < s or v != v) else s


def maximum_scalar_f32(x: DeviceArray[f32], s: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        out[idx] = v if (v > s or v != v) else s


def power_scalar_f32(x: DeviceArray[f32], s: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = pow(x[idx], s)


def rpower_scalar_f32(x: DeviceArray[f32], s: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = pow(s, x[idx])


# --- unary, float32 ----------------------------------------------------------------------------
def neg_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = -x[idx]


def abs_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = abs(x[idx])


def sqrt_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = sqrt(x[idx])


def rsqrt_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = rsqrt(x[idx])


def exp_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = exp(x[idx])


def log_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = log(x[idx])


def sin_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = sin(x[idx])


def cos_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = cos(x[idx])


def tanh_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = tanh(x[idx])


def erf_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = erf(x[idx])


def fill_f32(s: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = s


# --- ternary -----------------------------------------------------------------------------------
def clip_f32(x: DeviceArray[f32], lo: f32, hi: f32, out: DeviceArray[f32], n: u32):
    # min(max(x, lo), hi) as numpy.clip; NaN stays NaN.
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        out[idx] = lo if v < lo else (hi if v > hi else v)


def where_f32(cond: DeviceArray[bool], a: DeviceArray[f32], b: DeviceArray[f32],
              out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] if cond[idx] else b[idx]


def fma_f32(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32],
            out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] * b[idx] + c[idx]
