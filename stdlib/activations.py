"""Activation functions, elementwise (same convention as `elementwise.py`; `tanh_f32` is there).

Formulas follow PyTorch: gelu is the exact erf form, gelu_tanh the tanh approximation, softplus
has beta = 1 and is computed in the overflow-free form max(x, 0) + log1p(exp(-|x|)).
"""

from hologram.lang import DeviceArray, f32, u32, get_global_id
from hologram.lang import exp, log, tanh, erf


def _log1p(e: f32) -> f32:
    # log(1 + e) accurate for tiny e without a log1p intrinsic (Goldberg's trick).
    u = 1.0 + e
    if u == 1.0:
        return e
    return log(u) * e / (u - 1.0)


def _expm1(x: f32) -> f32:
    # exp(x) - 1 accurate near 0 (Kahan's trick).
    u = exp(x)
    if u == 1.0:
        return x
    if u - 1.0 == -1.0:
        return -1.0
    return (u - 1.0) * x / log(u)


def relu_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    # max(x, 0); NaN stays NaN, as torch.relu.
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        out[idx] = 0.0 if v < 0.0 else v


def leaky_relu_f32(x: DeviceArray[f32], alpha: f32, out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        out[idx] = alpha * v if v < 0.0 else v


def sigmoid_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    # 1 / (1 + exp(-x)): exp overflows to inf for x < -88 and the result is then exactly 0.
    idx = get_global_id()
    if idx < n:
        out[idx] = 1.0 / (1.0 + exp(-x[idx]))


def gelu_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    # x * Phi(x) = 0.5 x (1 + erf(x / sqrt(2))).
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        out[idx] = 0.5 * v * (1.0 + erf(v * 0.70710678118654752))


def gelu_tanh_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        out[idx] = 0.5 * v * (1.0 + tanh(0.79788456080286536 * (v + 0.044715 * v * v * v)))


def silu_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    # x * sigmoid(x).
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        out[idx] = v / (1.0 + exp(-v))


def softplus_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    # log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), which never overflows.
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        pos = v if v > 0.0 else 0.0
        out[idx] = pos + _log1p(exp(-abs(v)))


def elu_f32(x: DeviceArray[f32], alpha: f32, out: DeviceArray[f32], n: u32):
    # x for x > 0, alpha (exp(x) - 1) otherwise.
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        out[idx] = v if v > 0.0 else alpha * _expm1(v)
