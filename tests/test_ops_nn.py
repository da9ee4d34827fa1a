"""hologram.ops neural-network ops against float64 numpy references (docs/ops.md)."""

from __future__ import annotations

import numpy as np
import pytest

import hologram.ops as ops


def data(shape, seed=0, scale=1.0):
    return (scale * np.random.default_rng(seed).standard_normal(shape)).astype(np.float32)


def softmax_ref(x, axis=-1):
    x = x.astype(np.float64)
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


SOFTMAX_SHAPES = [(1,), (7,), (3072,), (100003,), (37, 53), (5, 1), (2, 3, 4), (0, 4), (4, 0)]


@pytest.mark.parametrize("shape", SOFTMAX_SHAPES)
def test_softmax_and_log_softmax(shape):
    x = data(shape, 1, scale=10.0)
    for axis in range(-len(shape), len(shape)):
        if 0 in shape:
            assert ops.softmax(x, axis=axis).shape == shape
            continue
        want = softmax_ref(x, axis)
        np.testing.assert_allclose(ops.softmax(x, axis=axis), want, rtol=1e-5, atol=1e-7)
        with np.errstate(divide="ignore"):
            want_log = np.log(want)
        np.testing.assert_allclose(ops.log_softmax(x, axis=axis), want_log, rtol=1e-5,
                                   atol=1e-5)


def test_softmax_is_stable_for_large_values_and_propagates_nan():
    x = np.array([[1000, 1001, 1002], [-1000, -1000, -1000]], np.float32)
    np.testing.assert_allclose(ops.softmax(x), softmax_ref(x), rtol=1e-6)
    np.testing.assert_allclose(ops.log_softmax(x), np.log(softmax_ref(x)), rtol=1e-6)
    bad = np.array([[1, np.nan, 2], [0, np.inf, 1], [0, 1, 2]], np.float32)
    got = ops.softmax(bad)
    assert np.isnan(got[0]).all() and np.isnan(got[1]).all()
    np.testing.assert_allclose(got[2], softmax_ref(bad[2]), rtol=1e-6)
    long_row = data(8192, 2)
    long_row[77] = np.nan
    assert np.isnan(ops.softmax(long_row)).all()


def layer_norm_ref(x, w=None, b=None, eps=1e-5):
    x = x.astype(np.float64)
    y = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps)
    return y * (1 if w is None else w) + (0 if b is None else b)


@pytest.mark.parametrize("shape", [(1, 1), (37, 53), (4, 3072), (2, 3, 5), (8,), (0, 6)])
def test_layer_norm(shape):
    x = data(shape, 3, scale=3.0) + 5.0
    r = shape[-1]
    w, b = data(r, 4), data(r, 5)
    np.testing.assert_allclose(ops.layer_norm(x), layer_norm_ref(x), rtol=1e-5, atol=2e-5)
    np.testing.assert_allclose(ops.layer_norm(x, w, b, eps=1e-3), layer_norm_ref(x, w, b, 1e-3),
                               rtol=1e-5, atol=2e-5)
    np.testing.assert_allclose(ops.layer_norm(x, weight=w), layer_norm_ref(x, w), rtol=1e-5,
                               atol=2e-5)
    np.testing.assert_allclose(ops.layer_norm(x, bias=b), layer_norm_ref(x, None, b), rtol=1e-5,
                               atol=2e-5)


@pytest.mark.parametrize("shape", [(2, 3, 9, 7), (4, 5), (2, 3, 11), (1, 1, 1, 1)])
def test_batch_norm(shape):
    x = data(shape, 6)
    ch = shape[1]
    mean, var = data(ch, 7), np.abs(data(ch, 8)) + 0.1
    w, b = data(ch, 9), data(ch, 10)
    bshape = (1, ch) + (1,) * (len(shape) - 2)
    want = ((x - mean.reshape(bshape)) / np.sqrt(var.reshape(bshape).astype(np.float64) + 1e-5)
            * w.reshape(bshape) + b.reshape(bshape))
    np.testing.assert_allclose(ops.batch_norm(x, mean, var, w, b), want, rtol=1e-5, atol=1e-5)


def conv2d_ref(x, w, bias, stride, padding, dilation, groups):
    x, w = x.astype(np.float64), w.astype(np.float64)
    n, cin, h, wd = x.shape
    cout, cpg, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, cout, oh, ow))
    opg = cout // groups
    for o in range(cout):
        g = o // opg
        xs = xp[:, g * cpg:(g + 1) * cpg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i * dh: i * dh + sh * (oh - 1) + 1: sh,
                           j * dw: j * dw + sw * (ow - 1) + 1: sw]
                out[:, o] += np.einsum("nchw,c->nhw", patch, w[o, :, i, j])
        out[:, o] += bias[o]
    return out


CONVS = [
    # x shape, weight shape, stride, padding, dilation, groups
    ((2, 3, 9, 7), (4, 3, 3, 2), (2, 1), (1, 2), (1, 1), 1),
    ((1, 1, 5, 5), (1, 1, 1, 1), (1, 1), (0, 0), (1, 1), 1),
    ((1, 4, 8, 8), (6, 2, 3, 3), (1, 1), (1, 1), (1, 1), 2),
    ((1, 2, 10, 11), (3, 2, 3, 3), (3, 2), (2, 0), (2, 2), 1),
    ((3, 8, 6, 6), (8, 1, 3, 3), (1, 1), (1, 1), (1, 1), 8),  # depthwise
    # groups=1 with >= 16 taps runs as im2col + GEMM, one image at a time: several images,
    # stride, padding and a row count that is not a multiple of any tile.
    ((3, 16, 12, 10), (5, 16, 3, 3), (1, 2), (1, 0), (1, 1), 1),
]


@pytest.mark.parametrize("xs,ws,stride,padding,dilation,groups", CONVS)
def test_conv2d(xs, ws, stride, padding, dilation, groups):
    x, w, bias = data(xs, 11), data(ws, 12), data(ws[0], 13)
    got = ops.conv2d(x, w, bias, stride=stride, padding=padding, dilation=dilation,
                     groups=groups)
    want = conv2d_ref(x, w, bias, stride, padding, dilation, groups)
    k = ws[1] * ws[2] * ws[3]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=4 * k * 2**-24 * 10)
    np.testing.assert_allclose(ops.conv2d(x, w, stride=stride, padding=padding,
                                          dilation=dilation, groups=groups),
                               want - bias.reshape(1, -1, 1, 1), rtol=1e-5, atol=1e-5)


def pool_ref(x, k, s, p, reduce, include_pad=True):
    kh, kw = k
    sh, sw = s
    ph, pw = p
    fill = -np.inf if reduce == "max" else 0.0
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    ones = np.pad(np.ones(x.shape[-2:]), ((ph, ph), (pw, pw)))
    h, w = x.shape[-2:]
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    out = np.empty(x.shape[:2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            if reduce == "max":
                out[:, :, i, j] = win.max((2, 3))
            else:
                cnt = kh * kw if include_pad else ones[i * sh:i * sh + kh, j * sw:j * sw + kw].sum()
                out[:, :, i, j] = win.sum((2, 3)) / cnt
    return out


POOLS = [((2, 3, 9, 7), (3, 3), (2, 2), (1, 1)), ((1, 2, 8, 8), (2, 2), (2, 2), (0, 0)),
         ((1, 1, 5, 6), (3, 2), (1, 2), (1, 0)), ((2, 2, 1, 1), (1, 1), (1, 1), (0, 0))]


@pytest.mark.parametrize("xs,k,s,p", POOLS)
def test_pooling(xs, k, s, p):
    x = data(xs, 14)
    np.testing.assert_array_equal(ops.max_pool2d(x, k, s, p), pool_ref(x, k, s, p, "max"))
    np.testing.assert_allclose(ops.avg_pool2d(x, k, s, p), pool_ref(x, k, s, p, "avg"),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ops.avg_pool2d(x, k, s, p, count_include_pad=False),
                               pool_ref(x, k, s, p, "avg", include_pad=False), rtol=1e-6,
                               atol=1e-6)
    np.testing.assert_array_equal(ops.max_pool2d(x[0], k, s, p), pool_ref(x[:1], k, s, p,
                                                                          "max")[0])


def test_max_pool_propagates_nan_and_default_stride():
    x = data((1, 1, 4, 4), 15)
    x[0, 0, 1, 1] = np.nan
    got = ops.max_pool2d(x, 2)
    assert got.shape == (1, 1, 2, 2)
    assert np.isnan(got[0, 0, 0, 0]) and not np.isnan(got[0, 0, 1, 1])


def test_global_avg_pool_and_attention_scores():
    x = data((2, 3, 5, 7), 16)
    np.testing.assert_allclose(ops.global_avg_pool(x), x.astype(np.float64).mean((2, 3),
                                                                                  keepdims=True),
                               rtol=1e-6, atol=1e-7)
    q, k = data((2, 4, 7, 16), 17), data((2, 4, 5, 16), 18)
    want = np.einsum("bhid,bhjd->bhij", q.astype(np.float64), k) / 4.0
    np.testing.assert_allclose(ops.attention_scores(q, k), want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ops.attention_scores(q[0, 0], k[0, 0], scale=1.0),
                               q[0, 0].astype(np.float64) @ k[0, 0].T, rtol=1e-5, atol=1e-5)


def test_nn_errors():
    with pytest.raises(ValueError, match=r"hologram.ops.conv2d: argument 'x' must be 4-D, got "
                                         r"shape \(3, 4\)"):
        ops.conv2d(np.zeros((3, 4), np.float32), np.zeros((1, 1, 1, 1), np.float32))
    with pytest.raises(ValueError, match="hologram.ops.conv2d: weight"):
        ops.conv2d(np.zeros((1, 3, 4, 4), np.float32), np.zeros((2, 2, 1, 1), np.float32))
    with pytest.raises(ValueError, match="larger than the padded input"):
        ops.conv2d(np.zeros((1, 1, 2, 2), np.float32), np.zeros((1, 1, 3, 3), np.float32))
    with pytest.raises(ValueError, match="hologram.ops.max_pool2d: padding"):
        ops.max_pool2d(np.zeros((1, 1, 4, 4), np.float32), 2, padding=2)
    with pytest.raises(ValueError, match=r"hologram.ops.layer_norm: argument 'weight' has shape "
                                         r"\(3,\); expected \(4,\)"):
        ops.layer_norm(np.zeros((2, 4), np.float32), np.ones(3, np.float32))
    with pytest.raises(ValueError, match="argument 'running_var' has shape"):
        ops.batch_norm(np.zeros((2, 3), np.float32), np.zeros(3, np.float32),
                       np.zeros(2, np.float32))
    with pytest.raises(TypeError, match="hologram.ops.softmax: argument 'x' has dtype float64"):
        ops.softmax(np.zeros(3))
    with pytest.raises(ValueError, match="hologram.ops.attention_scores: q"):
        ops.attention_scores(np.zeros((2, 3), np.float32), np.zeros((2, 4), np.float32))
