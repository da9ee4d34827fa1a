"""Elementwise kernels in float64: the arithmetic, scalar forms and a few math functions.

Same convention as `elementwise.py` (inputs, scalars, `out`, `n`; inputs read only at `[idx]`).
A separate file, so float32 users never wait for these to compile (a file is one C compile).
"""

from hologram.lang import DeviceArray, f64, u32, get_global_id
from hologram.lang import exp, log, sqrt


def add_f64(a: DeviceArray[f64], b: DeviceArray[f64], out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] + b[idx]


def sub_f64(a: DeviceArray[f64], b: DeviceArray[f64], out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] - b[idx]


def mul_f64(a: DeviceArray[f64], b: DeviceArray[f64], out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] * b[idx]


def div_f64(a: DeviceArray[f64], b: DeviceArray[f64], out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] / b[idx]


def add_scalar_f64(x: DeviceArray[f64], s: f64, out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = x[idx] + s


def sub_scalar_f64(x: DeviceArray[f64], s: f64, out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = x[idx] - s


def rsub_scalar_f64(x: DeviceArray[f64], s: f64, out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = s - x[idx]


def mul_scalar_f64(x: DeviceArray[f64], s: f64, out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = x[idx] * s


def div_scalar_f64(x: DeviceArray[f64], s: f64, out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = x[idx] / s


def rdiv_scalar_f64(x: DeviceArray[f64], s: f64, out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = s / x[idx]


def neg_f64(x: DeviceArray[f64], out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = -x[idx]


def sqrt_f64(x: DeviceArray[f64], out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = sqrt(x[idx])


def exp_f64(x: DeviceArray[f64], out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = exp(x[idx])


def log_f64(x: DeviceArray[f64], out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = log(x[idx])


def fill_f64(s: f64, out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = s
