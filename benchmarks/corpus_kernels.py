"""The benchmark corpus: kernels written the way a user writes them first, one per computation.

Kernel source only: `hologram.load_kernels` parses this file and never executes it (see
`benchmarks/corpus.py`, which compares each kernel with the numpy a user would otherwise write).
No kernel here is tuned for Hologram: leading dimensions, transposed operands, batch decodes,
one id per column or per row, atomics for histograms and global extrema are all as written.
"""

from hologram.lang import (DeviceArray, f32, f64, i32, u32, get_global_id, atomic_add,
                           atomic_max, atomic_min, exp)


# --- contractions ------------------------------------------------------------------------------
def gemm_nn(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32], m: u32, n: u32,
            k: u32, lda: u32, ldb: u32, ldc: u32):
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        acc = 0.0
        for p in range(k):
            acc += a[i * lda + p] * b[p * ldb + j]
        c[i * ldc + j] = acc


def gemm_nt(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32], m: u32, n: u32,
            k: u32, lda: u32, ldb: u32, ldc: u32):
    """A @ B.T with B stored n x k, row-major."""
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        acc = 0.0
        for p in range(k):
            acc += a[i * lda + p] * b[j * ldb + p]
        c[i * ldc + j] = acc


def gemm_tn(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32], m: u32, n: u32,
            k: u32, lda: u32, ldb: u32, ldc: u32):
    """A.T @ B with A stored k x m."""
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        acc = 0.0
        for p in range(k):
            acc += a[p * lda + i] * b[p * ldb + j]
        c[i * ldc + j] = acc


def gemm_tt(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32], m: u32, n: u32,
            k: u32, lda: u32, ldb: u32, ldc: u32):
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        acc = 0.0
        for p in range(k):
            acc += a[p * lda + i] * b[j * ldb + p]
        c[i * ldc + j] = acc


def gemm_f64(a: DeviceArray[f64], b: DeviceArray[f64], c: DeviceArray[f64], m: u32, n: u32,
             k: u32):
    idx = get_global_id()
    if idx < m * n:
        i = idx // n
        j = idx % n
        acc: f64 = 0.0
        for p in range(k):
            acc += a[i * k + p] * b[p * n + j]
        c[idx] = acc


def bmm(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32], batch: u32, m: u32,
        n: u32, k: u32):
    idx = get_global_id()
    if idx < batch * m * n:
        q = idx // (m * n)
        i = (idx // n) % m
        j = idx % n
        acc = 0.0
        for p in range(k):
            acc += a[q * m * k + i * k + p] * b[q * k * n + p * n + j]
        c[idx] = acc


# --- row and column reductions -----------------------------------------------------------------
def column_sum(x: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32):
    c = get_global_id()
    if c < cols:
        acc = 0.0
        for i in range(rows):
            acc += x[i * cols + c]
        out[c] = acc


def column_max(x: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32):
    c = get_global_id()
    if c < cols:
        best = x[c]
        for i in range(1, rows):
            best = max(best, x[i * cols + c])
        out[c] = best


def row_sum(x: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32):
    r = get_global_id()
    if r < rows:
        acc = 0.0
        for j in range(cols):
            acc += x[r * cols + j]
        out[r] = acc


def row_max(x: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32):
    r = get_global_id()
    if r < rows:
        best = x[r * cols]
        for j in range(1, cols):
            best = max(best, x[r * cols + j])
        out[r] = best


# --- stencils ----------------------------------------------------------------------------------
def stencil_1d(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        if i > 0 and i < n - 1:
            out[i] = 0.25 * x[i - 1] + 0.5 * x[i] + 0.25 * x[i + 1]


def stencil_2d(x: DeviceArray[f32], out: DeviceArray[f32], h: u32, w: u32):
    idx = get_global_id()
    if idx < h * w:
        i = idx // w
        j = idx % w
        if i > 0 and i < h - 1 and j > 0 and j < w - 1:
            out[idx] = (x[idx - w] + x[idx + w] + x[idx - 1] + x[idx + 1]) - 4.0 * x[idx]


def stencil_3d(x: DeviceArray[f32], out: DeviceArray[f32], d: u32, h: u32, w: u32):
    idx = get_global_id()
    if idx < d * h * w:
        z = idx // (h * w)
        y = (idx // w) % h
        xx = idx % w
        if z > 0 and z < d - 1 and y > 0 and y < h - 1 and xx > 0 and xx < w - 1:
            out[idx] = (x[idx - h * w] + x[idx + h * w] + x[idx - w] + x[idx + w]
                        + x[idx - 1] + x[idx + 1]) - 6.0 * x[idx]


# --- direct convolutions -----------------------------------------------------------------------
def conv_1d(x: DeviceArray[f32], wt: DeviceArray[f32], out: DeviceArray[f32], k: u32, n: u32):
    """'valid' correlation: out[i] = sum_t x[i + t] * w[t], n = len(x) - k + 1 outputs."""
    i = get_global_id()
    if i < n:
        acc = 0.0
        for t in range(k):
            acc += x[i + t] * wt[t]
        out[i] = acc


def conv_2d(x: DeviceArray[f32], wt: DeviceArray[f32], out: DeviceArray[f32], r: u32, w: u32,
            oh: u32, ow: u32):
    """'valid' 2-D correlation of an image of width w with an r x r filter."""
    idx = get_global_id()
    if idx < oh * ow:
        i = idx // ow
        j = idx % ow
        acc = 0.0
        for a in range(r):
            for b in range(r):
                acc += x[(i + a) * w + j + b] * wt[a * r + b]
        out[idx] = acc


# --- transposes --------------------------------------------------------------------------------
def transpose(x: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32):
    """out (cols x rows) = x.T, one id per element of out."""
    idx = get_global_id()
    if idx < rows * cols:
        i = idx // rows
        j = idx % rows
        out[idx] = x[j * cols + i]


# --- histograms and global extrema -------------------------------------------------------------
def histogram(values: DeviceArray[u32], bins: DeviceArray[u32], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_add(bins, values[idx] % 256, 1)


def global_max(x: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_max(out, 0, x[idx])


def global_min(x: DeviceArray[i32], out: DeviceArray[i32], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_min(out, 0, x[idx])


# --- per-element loops -------------------------------------------------------------------------
def horner(x: DeviceArray[f32], coef: DeviceArray[f32], out: DeviceArray[f32], deg: u32, n: u32):
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        acc = coef[0]
        for p in range(1, deg + 1):
            acc = acc * v + coef[p]
        out[idx] = acc


def clamp_branches(x: DeviceArray[f32], out: DeviceArray[f32], lo: f32, hi: f32, n: u32):
    """A clamp written with a local assigned in if/elif/else branches."""
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        if v < lo:
            r = lo
        elif v > hi:
            r = hi
        else:
            r = v
        out[idx] = r * 2.0


def newton_cbrt(x: DeviceArray[f32], out: DeviceArray[f32], steps: u32, n: u32):
    """Cube roots of positive values by Newton steps from y = x."""
    idx = get_global_id()
    if idx < n:
        a = x[idx]
        y = a
        for s in range(steps):
            y = y - (y * y * y - a) / (3.0 * y * y)
        out[idx] = y


def exp_series(x: DeviceArray[f32], out: DeviceArray[f32], terms: u32, n: u32):
    """sum_k exp(-k x): a transcendental call in every iteration."""
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        acc = 0.0
        for t in range(terms):
            acc += exp(-f32(t) * v)
        out[idx] = acc


# --- gather and scatter ------------------------------------------------------------------------
def gather(x: DeviceArray[f32], index: DeviceArray[i32], out: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        out[i] = x[index[i]]


def scatter(x: DeviceArray[f32], index: DeviceArray[i32], out: DeviceArray[f32], n: u32):
    """out[index[i]] = x[i], index a permutation."""
    i = get_global_id()
    if i < n:
        out[index[i]] = x[i]
