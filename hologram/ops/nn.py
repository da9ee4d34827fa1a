"""Neural-network ops with PyTorch/ONNX names and semantics: softmax, log_softmax, layer_norm,
batch_norm (inference), conv2d, max_pool2d, avg_pool2d, global_avg_pool, attention_scores.
Layout is NCHW; everything is float32.
"""

from __future__ import annotations

import math

import numpy as np

from hologram.ops import _checks as C
from hologram.ops._dispatch import op
from hologram.ops._registry import stdlib_kernel
from hologram.ops.reductions import whole_extreme

# A single row at least this long is reduced with whole-vector kernels (parallel over its
# elements) instead of one thread per row.
_LONG_ROW = 4096


def _rows(name, x, axis):
    ax = C.axis(name, axis, x.ndim)
    outer = int(np.prod(x.shape[:ax], dtype=np.int64))
    inner = int(np.prod(x.shape[ax + 1:], dtype=np.int64))
    return outer * inner, x.shape[ax]


def _row_max(x):
    return whole_extreme("softmax", x, True)


@op()
def softmax(x, axis=-1, out=None):
    """`out = exp(x - max) / sum(exp(x - max))` along `axis` (numerically stable; a row with NaN
    or +inf gives NaN, as in PyTorch).

    >>> hologram.ops.softmax(np.zeros(4, np.float32))
    array([0.25, 0.25, 0.25, 0.25], dtype=float32)
    """
    x = C.array("softmax", "x", x)
    m, r = _rows("softmax", x, axis)
    out = C.output("softmax", out, x.shape, C.F32, x, may_alias=False)
    if x.size == 0:
        return out
    if m == 1 and r >= _LONG_ROW:
        xf, of = C.flat(x), C.flat(out)
        total = np.zeros(1, np.float32)
        stdlib_kernel("softmax_exp_f32")(xf, float(_row_max(xf)), of, total, r, grid=r)
        stdlib_kernel("mul_scalar_f32")(of, float(np.float32(1.0) / total[0]), of, r, grid=r)
        return out
    inner = int(np.prod(x.shape[C.axis("softmax", axis, x.ndim) + 1:], dtype=np.int64))
    stdlib_kernel("softmax_f32")(C.flat(x), C.flat(out), m, r, inner, grid=m)
    return out


@op()
def log_softmax(x, axis=-1, out=None):
    """`out = x - max - log(sum(exp(x - max)))` along `axis` (numerically stable).

    >>> hologram.ops.log_softmax(np.zeros(2, np.float32))
    array([-0.6931472, -0.6931472], dtype=float32)
    """
    x = C.array("log_softmax", "x", x)
    m, r = _rows("log_softmax", x, axis)
    out = C.output("log_softmax", out, x.shape, C.F32, x, may_alias=False)
    if x.size == 0:
        return out
    if m == 1 and r >= _LONG_ROW:
        xf, of = C.flat(x), C.flat(out)
        mx = _row_max(xf)
        total = np.zeros(1, np.float32)
        stdlib_kernel("exp_sum_f32")(xf, float(mx), total, r, grid=r)
        lse = np.log(total[0])
        stdlib_kernel("log_softmax_shift_f32")(xf, float(mx), float(lse), of, r, grid=r)
        return out
    inner = int(np.prod(x.shape[C.axis("log_softmax", axis, x.ndim) + 1:], dtype=np.int64))
    stdlib_kernel("log_softmax_f32")(C.flat(x), C.flat(out), m, r, inner, grid=m)
    return out


@op()
def layer_norm(x, weight=None, bias=None, eps=1e-5, out=None):
    """Over the last axis: `out = (x - mean) / sqrt(var + eps) * weight + bias`, biased
    variance, statistics in float64 (PyTorch's `layer_norm` with `normalized_shape` = the last
    dimension). `weight`/`bias` have the last dimension's length; None means 1 / 0.

    >>> hologram.ops.layer_norm(np.array([[1, 3]], np.float32))
    array([[-0.999995,  0.999995]], dtype=float32)
    """
    x = C.array("layer_norm", "x", x)
    eps = C.scalar("layer_norm", "eps", eps)
    if x.ndim == 0:
        raise ValueError("hologram.ops.layer_norm: argument 'x' must have at least one axis")
    r = x.shape[-1]
    m = x.size // r if r else 0
    params = []
    for arg, v in (("weight", weight), ("bias", bias)):
        if v is not None:
            v = C.array("layer_norm", arg, v, ndim=1)
            if v.shape != (r,):
                raise ValueError(f"hologram.ops.layer_norm: argument '{arg}' has shape "
                                 f"{v.shape}; expected ({r},), the last dimension of x")
        params.append(v)
    out = C.output("layer_norm", out, x.shape, C.F32)
    if x.size == 0:
        return out
    w, b = params
    if w is None and b is None:
        stdlib_kernel("layer_norm_plain_f32")(C.flat(x), eps, C.flat(out), m, r, grid=m)
        return out
    w = np.ones(r, np.float32) if w is None else w
    b = np.zeros(r, np.float32) if b is None else b
    stdlib_kernel("layer_norm_f32")(C.flat(x), w, b, eps, C.flat(out), m, r, grid=m)
    return out


@op()
def batch_norm(x, running_mean, running_var, weight=None, bias=None, eps=1e-5, out=None):
    """Inference batch normalization over channel axis 1 of (N, C, ...):
    `out = (x - mean[c]) / sqrt(var[c] + eps) * weight[c] + bias[c]` (PyTorch's `batch_norm`
    with training=False; ONNX BatchNormalization).

    >>> x = np.ones((1, 2, 1, 1), np.float32)
    >>> hologram.ops.batch_norm(x, np.zeros(2, np.float32), np.ones(2, np.float32), eps=0.0).ravel()
    array([1., 1.], dtype=float32)
    """
    x = C.array("batch_norm", "x", x)
    eps = C.scalar("batch_norm", "eps", eps)
    if x.ndim < 2:
        raise ValueError(f"hologram.ops.batch_norm: argument 'x' must be (N, C, ...), got shape "
                         f"{x.shape}")
    ch = x.shape[1]
    vecs = {}
    for arg, v, default in (("running_mean", running_mean, None),
                            ("running_var", running_var, None),
                            ("weight", weight, 1.0), ("bias", bias, 0.0)):
        if v is None:
            if default is None:
                raise TypeError(f"hologram.ops.batch_norm: argument '{arg}' is required")
            v = np.full(ch, default, np.float32)
        v = C.array("batch_norm", arg, v, ndim=1)
        if v.shape != (ch,):
            raise ValueError(f"hologram.ops.batch_norm: argument '{arg}' has shape {v.shape}; "
                             f"expected ({ch},), the channel count of x")
        vecs[arg] = v
    out = C.output("batch_norm", out, x.shape, C.F32)
    n = x.size
    if n:
        hw = n // (x.shape[0] * ch)
        stdlib_kernel("batch_norm_f32")(C.flat(x), vecs["running_mean"], vecs["running_var"],
                                        vecs["weight"], vecs["bias"], eps, C.flat(out), n, ch,
                                        hw, grid=n)
    return out


def _out_size(name, size, k, stride, pad, dil=1):
    span = dil * (k - 1) + 1
    o = (size + 2 * pad - span) // stride + 1
    if size + 2 * pad < span:
        raise ValueError(f"hologram.ops.{name}: the kernel ({span} with dilation) is larger than "
                         f"the padded input ({size} + 2*{pad})")
    return o


@op()
def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, out=None):
    """2-D convolution (cross-correlation, PyTorch's `conv2d`), NCHW:
    `out[n, o, y, x] = bias[o] + sum_{c, i, j} in[n, g*C/G + c, y*sh + i*dh - ph,
    x*sw + j*dw - pw] * weight[o, c, i, j]` with zero padding; x (N, C, H, W), weight
    (O, C/groups, KH, KW). `stride`, `padding`, `dilation` are ints or pairs.

    >>> x = np.ones((1, 1, 3, 3), np.float32); w = np.ones((1, 1, 2, 2), np.float32)
    >>> hologram.ops.conv2d(x, w).shape
    (1, 1, 2, 2)
    """
    x = C.array("conv2d", "x", x, ndim=4)
    weight = C.array("conv2d", "weight", weight, ndim=4)
    sh, sw = C.pair("conv2d", "stride", stride, 1)
    ph, pw = C.pair("conv2d", "padding", padding, 0)
    dh, dw = C.pair("conv2d", "dilation", dilation, 1)
    groups = C.integer("conv2d", "groups", groups, 1)
    nb, cin, h, w = x.shape
    cout, cpg, kh, kw = weight.shape
    if cin % groups or cout % groups or cpg != cin // groups:
        raise ValueError(f"hologram.ops.conv2d: weight {weight.shape} does not fit input "
                         f"{x.shape} with groups={groups} (need weight.shape[1] == C / groups "
                         "and O divisible by groups)")
    if bias is None:
        bias = np.zeros(cout, np.float32)
    bias = C.array("conv2d", "bias", bias, ndim=1)
    if bias.shape != (cout,):
        raise ValueError(f"hologram.ops.conv2d: argument 'bias' has shape {bias.shape}; "
                         f"expected ({cout},)")
    oh = _out_size("conv2d", h, kh, sh, ph, dh)
    ow = _out_size("conv2d", w, kw, sw, pw, dw)
    out = C.output("conv2d", out, (nb, cout, oh, ow), C.F32, x, weight, bias, may_alias=False)
    total = out.size
    if not total:
        return out
    if groups == 1 and cin * kh * kw >= _IM2COL_MIN_TAPS:
        _conv2d_im2col(x, weight, bias, out, (h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw))
        return out
    stdlib_kernel("conv2d_f32")(C.flat(x), C.flat(weight), bias, C.flat(out), total, cin, h,
                                w, cout, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw, groups,
                                grid=total)
    return out


# Below this many taps per output (cin * kh * kw) the direct kernel is as fast as a GEMM.
_IM2COL_MIN_TAPS = 16


def _conv2d_im2col(x, weight, bias, out, dims) -> None:
    """Per image: unfold the input into columns (`im2col_f32`), then one GEMM with the weights
    (`gemm_nn_f32`, which `fold-layout` tiles), starting from the bias broadcast along rows."""
    h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw = dims
    nb, cin = x.shape[:2]
    cout = weight.shape[0]
    taps, positions = cin * kh * kw, oh * ow
    cols = np.empty(taps * positions, np.float32)
    rows = np.ascontiguousarray(np.broadcast_to(bias[:, None], (cout, positions)))
    im2col, gemm = stdlib_kernel("im2col_f32"), stdlib_kernel("gemm_nn_f32")
    flat_w = C.flat(weight)
    for n in range(nb):
        im2col(C.flat(x[n]), cols, taps * oh, cin, h, w, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw,
               grid=taps * oh)
        gemm(flat_w, cols, rows.reshape(-1), 1.0, 1.0, C.flat(out[n]), cout, positions, taps,
             taps, positions, positions, grid=cout * positions)


def _pool_args(name, x, kernel_size, stride, padding):
    x = C.array(name, "x", x, ndim=(3, 4))
    kh, kw = C.pair(name, "kernel_size", kernel_size, 1)
    sh, sw = (kh, kw) if stride is None else C.pair(name, "stride", stride, 1)
    ph, pw = C.pair(name, "padding", padding, 0)
    if 2 * ph > kh or 2 * pw > kw:
        raise ValueError(f"hologram.ops.{name}: padding ({ph}, {pw}) must be at most half the "
                         f"kernel size ({kh}, {kw})")
    h, w = x.shape[-2:]
    oh = _out_size(name, h, kh, sh, ph)
    ow = _out_size(name, w, kw, sw, pw)
    return x, (h, w, oh, ow, kh, kw, sh, sw, ph, pw)


@op()
def max_pool2d(x, kernel_size, stride=None, padding=0, out=None):
    """Max over each window (PyTorch's `max_pool2d`, ceil_mode=False): (N, C, H, W) or
    (C, H, W); `stride` defaults to `kernel_size`; padded positions never win; NaN propagates.

    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> hologram.ops.max_pool2d(x, 2).ravel()
    array([ 5.,  7., 13., 15.], dtype=float32)
    """
    x, dims = _pool_args("max_pool2d", x, kernel_size, stride, padding)
    h, w, oh, ow = dims[:4]
    out = C.output("max_pool2d", out, x.shape[:-2] + (oh, ow), C.F32, x, may_alias=False)
    total = out.size
    if total:
        stdlib_kernel("max_pool2d_f32")(C.flat(x), C.flat(out), total, *dims, grid=total)
    return out


@op()
def avg_pool2d(x, kernel_size, stride=None, padding=0, count_include_pad=True, out=None):
    """Mean over each window (PyTorch's `avg_pool2d`, ceil_mode=False): divided by
    `kh * kw` when `count_include_pad` (the default), else by the taps inside the input.

    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> hologram.ops.avg_pool2d(x, 2).ravel()
    array([ 2.5,  4.5, 10.5, 12.5], dtype=float32)
    """
    x, dims = _pool_args("avg_pool2d", x, kernel_size, stride, padding)
    h, w, oh, ow = dims[:4]
    out = C.output("avg_pool2d", out, x.shape[:-2] + (oh, ow), C.F32, x, may_alias=False)
    total = out.size
    if total:
        stdlib_kernel("avg_pool2d_f32")(C.flat(x), C.flat(out), total, *dims,
                                        int(bool(count_include_pad)), grid=total)
    return out


@op()
def global_avg_pool(x, out=None):
    """The mean of each H x W plane: (N, C, H, W) -> (N, C, 1, 1) (ONNX GlobalAveragePool).

    >>> hologram.ops.global_avg_pool(np.ones((2, 3, 4, 4), np.float32)).shape
    (2, 3, 1, 1)
    """
    x = C.array("global_avg_pool", "x", x, ndim=4)
    nb, ch, h, w = x.shape
    out = C.output("global_avg_pool", out, (nb, ch, 1, 1), C.F32, x, may_alias=False)
    planes = nb * ch
    if planes:
        stdlib_kernel("global_avg_pool_f32")(C.flat(x), C.flat(out), planes, h * w, grid=planes)
    return out


@op()
def attention_scores(q, k, scale=None, out=None):
    """`out = scale * q @ k^T` over the last two axes, `scale` default `1 / sqrt(d)`:
    q (..., Sq, d), k (..., Sk, d) with equal leading shapes -> (..., Sq, Sk).

    >>> q = np.ones((2, 4), np.float32); k = np.ones((3, 4), np.float32)
    >>> hologram.ops.attention_scores(q, k)
    array([[2., 2., 2.],
           [2., 2., 2.]], dtype=float32)
    """
    q = C.array("attention_scores", "q", q)
    k = C.array("attention_scores", "k", k)
    if q.ndim < 2 or k.ndim != q.ndim or q.shape[:-2] != k.shape[:-2] or q.shape[-1] != k.shape[-1]:
        raise ValueError(f"hologram.ops.attention_scores: q {q.shape} and k {k.shape} must be "
                         "(..., Sq, d) and (..., Sk, d) with equal leading shapes")
    sq, d = q.shape[-2:]
    sk = k.shape[-2]
    scale = 1.0 / math.sqrt(max(d, 1)) if scale is None else C.scalar("attention_scores", "scale", scale)
    out = C.output("attention_scores", out, q.shape[:-1] + (sk,), C.F32, q, k, may_alias=False)
    total = out.size
    if total:
        stdlib_kernel("attention_scores_f32")(C.flat(q), C.flat(k), scale, C.flat(out), total,
                                              sq, sk, d, grid=total)
    return out


# --- ops composed from other ops (each step a stdlib launch) -------------------------------------
def _ops():
    import hologram.ops as ops

    return ops


def _affine(name, y, weight, bias, shape_of, out):
    """`y * weight + bias` with weight/bias broadcast as `shape_of` (None: skipped)."""
    ops = _ops()
    if weight is not None:
        w = C.array(name, "weight", weight, (C.F32, C.F64))
        y = ops.multiply(y, shape_of(w))
    if bias is not None:
        b = C.array(name, "bias", bias, (C.F32, C.F64))
        y = ops.add(y, shape_of(b))
    if out is not None:
        out = C.output(name, out, y.shape, y.dtype)
        out[...] = y
        return out
    return y


@op()
def rms_norm(x, weight=None, eps=1e-6, axis=-1, out=None):
    """`out = x / sqrt(mean(x^2, axis) + eps) * weight` (PyTorch's `rms_norm` over the last
    axis by default; `weight` has that axis' length, None means 1). float32 and float64.

    >>> hologram.ops.rms_norm(np.array([[3, 4]], np.float32), eps=0.0)
    array([[0.84852815, 1.1313709 ]], dtype=float32)
    """
    ops = _ops()
    x = C.array("rms_norm", "x", x, (C.F32, C.F64))
    eps = C.scalar("rms_norm", "eps", eps)
    ax = C.axis("rms_norm", axis, x.ndim)
    ms = ops.mean(ops.square(x), axis=ax, keepdims=True)
    y = ops.multiply(x, ops.rsqrt(ops.add(ms, eps)))
    return _affine("rms_norm", y, weight, None,
                   lambda v: v.reshape(v.shape + (1,) * (x.ndim - 1 - ax)), out)


@op()
def group_norm(x, num_groups, weight=None, bias=None, eps=1e-5, out=None):
    """PyTorch's `group_norm` on (N, C, ...): the channels split into `num_groups` groups, each
    normalized by its own mean and biased variance, then `* weight[c] + bias[c]`.

    >>> hologram.ops.group_norm(np.array([[[1.0], [3.0]]], np.float32), 1, eps=0.0).ravel()
    array([-1.,  1.], dtype=float32)
    """
    ops = _ops()
    x = C.array("group_norm", "x", x, (C.F32, C.F64))
    g = C.integer("group_norm", "num_groups", num_groups, 1)
    eps = C.scalar("group_norm", "eps", eps)
    if x.ndim < 2 or x.shape[1] % g:
        raise ValueError(f"hologram.ops.group_norm: x of shape {x.shape} needs (N, C, ...) "
                         f"with C divisible by num_groups={g}")
    n, c = x.shape[:2]
    grouped = x.reshape(n, g, -1)
    mu = ops.mean(grouped, axis=-1, keepdims=True)
    var = ops.var(grouped, axis=-1, keepdims=True)
    y = ops.multiply(ops.subtract(grouped, mu), ops.rsqrt(ops.add(var, eps))).reshape(x.shape)
    return _affine("group_norm", y, weight, bias,
                   lambda v: v.reshape((c,) + (1,) * (x.ndim - 2)), out)


@op()
def cross_entropy(logits, target, reduction="mean", out=None):
    """PyTorch's `cross_entropy` for class indices: `loss[n] = -log_softmax(logits[n])[target[n]]`
    on logits (N, C) and int targets (N,); `reduction` "mean", "sum" or "none".

    >>> hologram.ops.cross_entropy(np.zeros((2, 4), np.float32), np.array([0, 3]))
    np.float32(1.3862944)
    """
    ops = _ops()
    x = C.array("cross_entropy", "logits", logits, ndim=2)
    t = np.asarray(target)
    if t.dtype.kind not in "iu" or t.shape != (x.shape[0],):
        raise ValueError(f"hologram.ops.cross_entropy: argument 'target' must hold "
                         f"{x.shape[0]} integer class indices, got {t.dtype} {t.shape}")
    n, c = x.shape
    if t.size and (t.min() < 0 or t.max() >= c):
        raise IndexError(f"hologram.ops.cross_entropy: a target is out of range [0, {c})")
    logp = ops.log_softmax(x, axis=-1)
    picked = ops.take(logp.reshape(-1), t.astype(np.int64) + np.arange(n, dtype=np.int64) * c)
    loss = ops.negative(picked)
    if reduction == "none":
        res = loss
    elif reduction == "mean":
        res = ops.mean(loss)
    elif reduction == "sum":
        res = ops.sum(loss)
    else:
        raise ValueError(f"hologram.ops.cross_entropy: reduction must be 'mean', 'sum' or "
                         f"'none', got {reduction!r}")
    if out is not None:
        out = C.output("cross_entropy", out, np.shape(res), C.F32)
        out[...] = res
        return out
    return res


@op()
def embedding(indices, weight, out=None):
    """PyTorch's `embedding`: rows of `weight` (V, D) at `indices` (any shape of integers), so
    the result has shape indices.shape + (D,).

    >>> hologram.ops.embedding(np.array([2, 0]), np.eye(3, dtype=np.float32))
    array([[0., 0., 1.],
           [1., 0., 0.]], dtype=float32)
    """
    w = C.array("embedding", "weight", weight, (C.F32, C.F64), ndim=2)
    idx = np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"hologram.ops.embedding: argument 'indices' must hold integers, got "
                        f"{idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= w.shape[0]):
        raise IndexError(f"hologram.ops.embedding: an index is out of range [0, {w.shape[0]})")
    return _ops().take(w, idx, axis=0, out=out)


@op()
def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, out=None):
    """1-D convolution (PyTorch's `conv1d`), x (N, C, L), weight (O, C/groups, K): `conv2d`
    with a height of 1.

    >>> hologram.ops.conv1d(np.ones((1, 1, 4), np.float32), np.ones((1, 1, 2), np.float32))
    array([[[2., 2., 2.]]], dtype=float32)
    """
    x = C.array("conv1d", "x", x, ndim=3)
    weight = C.array("conv1d", "weight", weight, ndim=3)
    for arg, v in (("stride", stride), ("padding", padding), ("dilation", dilation)):
        C.integer("conv1d", arg, v, 0 if arg == "padding" else 1)
    res = conv2d.impl(x[:, :, None, :], weight[:, :, None, :], bias, (1, stride), (0, padding),
                      (1, dilation), groups)
    res = res.reshape(res.shape[0], res.shape[1], res.shape[3])
    if out is not None:
        out = C.output("conv1d", out, res.shape, C.F32)
        out[...] = res
        return out
    return res
