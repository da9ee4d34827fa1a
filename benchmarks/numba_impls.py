"""The same computations in Numba, `@njit(parallel=True)`, written the natural Numba way
(a `prange` loop over the output), for the report's Numba column. Numba is optional: `load()`
raises `Skip` when it is not installed.
"""

from __future__ import annotations

import math
from functools import cache
from types import SimpleNamespace

from benchmarks.harness import Skip


@cache
def load() -> SimpleNamespace:
    try:
        import numba
        from numba import njit, prange
    except ImportError:
        raise Skip("numba not installed (pip install numba)") from None

    jit = njit(parallel=True, cache=True, fastmath=False)

    @jit
    def vector_add(a, b, out):
        for i in prange(a.shape[0]):
            out[i] = a[i] + b[i]

    @jit
    def saxpy(x, y, alpha, out):
        for i in prange(x.shape[0]):
            out[i] = alpha * x[i] + y[i]

    @jit
    def mul_add(a, b, c, out):
        for i in prange(a.shape[0]):
            out[i] = a[i] * b[i] + c[i]

    @jit
    def sigmoid_mul_add(a, b, c, out):
        for i in prange(a.shape[0]):
            out[i] = 1.0 / (1.0 + math.exp(-(a[i] * b[i] + c[i])))

    @jit
    def tanh(x, out):
        for i in prange(x.shape[0]):
            out[i] = math.tanh(x[i])

    @jit
    def gelu_bias(x, bias, out):
        for i in prange(x.shape[0]):
            v = x[i] + bias[i]
            out[i] = 0.5 * v * (1.0 + math.tanh(0.7978845608 * (v + 0.044715 * v * v * v)))

    @jit
    def chain5(a, b, c, out):
        for i in prange(a.shape[0]):
            out[i] = math.exp(math.tanh(a[i] * b[i] + c[i]) * 0.5)

    @jit
    def total(x):
        s = 0.0
        for i in prange(x.shape[0]):
            s += x[i]
        return s

    @jit
    def dot(a, b):
        s = 0.0
        for i in prange(a.shape[0]):
            s += a[i] * b[i]
        return s

    @jit
    def softmax(x, out):
        rows, cols = x.shape
        for r in prange(rows):
            m = x[r, 0]
            for j in range(1, cols):
                m = max(m, x[r, j])
            s = 0.0
            for j in range(cols):
                e = math.exp(x[r, j] - m)
                out[r, j] = e
                s += e
            for j in range(cols):
                out[r, j] /= s

    @jit
    def layer_norm(x, w, b, eps, out):
        rows, cols = x.shape
        for r in prange(rows):
            mean = 0.0
            for j in range(cols):
                mean += x[r, j]
            mean /= cols
            var = 0.0
            for j in range(cols):
                d = x[r, j] - mean
                var += d * d
            var /= cols
            inv = 1.0 / math.sqrt(var + eps)
            for j in range(cols):
                out[r, j] = (x[r, j] - mean) * inv * w[j] + b[j]

    @jit
    def gemv(a, x, y):
        m, k = a.shape
        for i in prange(m):
            acc = 0.0
            for j in range(k):
                acc += a[i, j] * x[j]
            y[i] = acc

    @jit
    def gemm(a, b, c):
        m, k = a.shape
        n = b.shape[1]
        for i in prange(m):
            for j in range(n):
                c[i, j] = 0.0
            for p in range(k):
                aip = a[i, p]
                for j in range(n):
                    c[i, j] += aip * b[p, j]

    @jit
    def conv2d(x, w, out, pad):
        # NCHW input, KCRS weights, stride 1; out is N K OH OW.
        nb, ch, h, wd = x.shape
        ko, _, r, s = w.shape
        oh, ow = out.shape[2], out.shape[3]
        for t in prange(nb * ko):
            bi = t // ko
            k = t % ko
            for i in range(oh):
                for j in range(ow):
                    acc = 0.0
                    for c in range(ch):
                        for u in range(r):
                            y = i + u - pad
                            if y < 0 or y >= h:
                                continue
                            for v in range(s):
                                xx = j + v - pad
                                if xx >= 0 and xx < wd:
                                    acc += x[bi, c, y, xx] * w[k, c, u, v]
                    out[bi, k, i, j] = acc

    return SimpleNamespace(
        version=numba.__version__, vector_add=vector_add, saxpy=saxpy, mul_add=mul_add,
        sigmoid_mul_add=sigmoid_mul_add, tanh=tanh, gelu_bias=gelu_bias, chain5=chain5,
        total=total, dot=dot, softmax=softmax, layer_norm=layer_norm, gemv=gemv, gemm=gemm,
        conv2d=conv2d,
    )
