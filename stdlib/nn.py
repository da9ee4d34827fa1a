"""Neural-network operators (ONNX / PyTorch semantics), NCHW layout, float32.

Row-wise operators (softmax, log_softmax, layer_norm) view the array as `(outer, r, inner)` like
the axis reductions and run one id per row `(o, i)`; they are numerically stable (the row max is
subtracted before exp). `softmax_exp_f32`, `exp_sum_f32` and `log_softmax_shift_f32` serve a single long row,
where the op API uses whole-vector reductions instead of one thread per row.
"""

from hologram.lang import DeviceArray, f32, f64, i32, u32, get_global_id
from hologram.lang import atomic_add_f32, exp, log, sqrt, rsqrt


def softmax_f32(x: DeviceArray[f32], out: DeviceArray[f32], m: u32, r: u32, inner: u32):
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        mx = x[base]
        for t in range(1, r):
            mx = max(mx, x[base + t * inner])
        s = 0.0
        for t in range(r):
            e = exp(x[base + t * inner] - mx)
            out[base + t * inner] = e
            s += e
        inv = 1.0 / s
        for t in range(r):
            out[base + t * inner] = out[base + t * inner] * inv


def log_softmax_f32(x: DeviceArray[f32], out: DeviceArray[f32], m: u32, r: u32, inner: u32):
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        mx = x[base]
        for t in range(1, r):
            mx = max(mx, x[base + t * inner])
        s = 0.0
        for t in range(r):
            s += exp(x[base + t * inner] - mx)
        lse = log(s)
        for t in range(r):
            # (x - max) - lse, not x - (max + lse): the latter rounds at the scale of max.
            out[base + t * inner] = (x[base + t * inner] - mx) - lse


def softmax_exp_f32(x: DeviceArray[f32], mx: f32, out: DeviceArray[f32],
                    total: DeviceArray[f32], n: u32):
    # One long row, step 2 of 3: out = exp(x - max) and total[0] += out (step 3 scales by 1/total).
    idx = get_global_id()
    if idx < n:
        e = exp(x[idx] - mx)
        out[idx] = e
        atomic_add_f32(total, e)


def exp_sum_f32(x: DeviceArray[f32], mx: f32, total: DeviceArray[f32], n: u32):
    # One long row of log_softmax: total[0] += exp(x - max).
    idx = get_global_id()
    if idx < n:
        atomic_add_f32(total, exp(x[idx] - mx))


def log_softmax_shift_f32(x: DeviceArray[f32], mx: f32, lse: f32, out: DeviceArray[f32],
                          n: u32):
    # One long row of log_softmax, last step: (x - max) - log(sum exp(x - max)).
    idx = get_global_id()
    if idx < n:
        out[idx] = (x[idx] - mx) - lse


def layer_norm_f32(x: DeviceArray[f32], w: DeviceArray[f32], b: DeviceArray[f32], eps: f32,
                   out: DeviceArray[f32], m: u32, r: u32):
    # Over the last axis (rows of length r): (x - mean) / sqrt(var + eps) * w + b, biased var.
    idx = get_global_id()
    if idx < m:
        base = idx * r
        acc = f64(0.0)
        for t in range(r):
            acc += f64(x[base + t])
        mean = acc / f64(r)
        var = f64(0.0)
        for t in range(r):
            d = f64(x[base + t]) - mean
            var += d * d
        inv = f32(1.0 / sqrt(var / f64(r) + f64(eps)))
        mu = f32(mean)
        for t in range(r):
            out[base + t] = (x[base + t] - mu) * inv * w[t] + b[t]


def layer_norm_plain_f32(x: DeviceArray[f32], eps: f32, out: DeviceArray[f32], m: u32, r: u32):
    # layer_norm without weight and bias.
    idx = get_global_id()
    if idx < m:
        base = idx * r
        acc = f64(0.0)
        for t in range(r):
            acc += f64(x[base + t])
        mean = acc / f64(r)
        var = f64(0.0)
        for t in range(r):
            d = f64(x[base + t]) - mean
            var += d * d
        inv = f32(1.0 / sqrt(var / f64(r) + f64(eps)))
        mu = f32(mean)
        for t in range(r):
            out[base + t] = (x[base + t] - mu) * inv


def batch_norm_f32(x: DeviceArray[f32], mean: DeviceArray[f32], var: DeviceArray[f32],
                   w: DeviceArray[f32], b: DeviceArray[f32], eps: f32, out: DeviceArray[f32],
                   n: u32, c: u32, hw: u32):
    # Inference: (x - mean[ch]) / sqrt(var[ch] + eps) * w[ch] + b[ch], ch = (idx // hw) % c.
    idx = get_global_id()
    if idx < n:
        ch = (idx // hw) % c
        out[idx] = (x[idx] - mean[ch]) * rsqrt(var[ch] + eps) * w[ch] + b[ch]


def conv2d_f32(x: DeviceArray[f32], w: DeviceArray[f32], bias: DeviceArray[f32],
               out: DeviceArray[f32], total: u32, cin: u32, h: u32, wd: u32, cout: u32,
               kh: u32, kw: u32, oh: u32, ow: u32, sh: u32, sw: u32, ph: u32, pw: u32,
               dh: u32, dw: u32, groups: u32):
    # x: (N, cin, h, wd), w: (cout, cin / groups, kh, kw), out: (N, cout, oh, ow); one id per
    # output element. Zero padding: taps outside the image are skipped.
    idx = get_global_id()
    if idx < total:
        ox = idx % ow
        t = idx // ow
        oy = t % oh
        t = t // oh
        o = t % cout
        nb = t // cout
        cpg = cin // groups
        g = o // (cout // groups)
        acc = bias[o]
        for ci in range(cpg):
            ch = g * cpg + ci
            for ky in range(kh):
                iy = i32(oy * sh + ky * dh) - i32(ph)
                if iy >= 0 and iy < i32(h):
                    for kx in range(kw):
                        ix = i32(ox * sw + kx * dw) - i32(pw)
                        if ix >= 0 and ix < i32(wd):
                            xv = x[((nb * cin + ch) * h + u32(iy)) * wd + u32(ix)]
                            acc += xv * w[((o * cpg + ci) * kh + ky) * kw + kx]
        out[idx] = acc


def im2col_f32(x: DeviceArray[f32], cols: DeviceArray[f32], rows: u32, cin: u32, h: u32,
               wd: u32, kh: u32, kw: u32, oh: u32, ow: u32, sh: u32, sw: u32, ph: u32, pw: u32,
               dh: u32, dw: u32):
    # One image x: (cin, h, wd) -> cols: (cin * kh * kw, oh * ow), the tap (c, ky, kx) of output
    # position (oy, ox) at row (c * kh + ky) * kw + kx, column oy * ow + ox; padding reads 0.
    # conv2d is then a GEMM: out (cout, oh * ow) = weight (cout, cin * kh * kw) @ cols.
    # One id per (tap, output row): rows = cin * kh * kw * oh; the loop over ox is contiguous.
    idx = get_global_id()
    if idx < rows:
        oy = idx % oh
        r = idx // oh
        kx = r % kw
        ky = (r // kw) % kh
        c = r // (kw * kh)
        base = r * oh * ow + oy * ow
        iy = i32(oy * sh + ky * dh) - i32(ph)
        if iy < 0 or iy >= i32(h):
            for ox in range(ow):
                cols[base + ox] = 0.0
        else:
            src = (c * h + u32(iy)) * wd
            for ox in range(ow):
                ix = i32(ox * sw + kx * dw) - i32(pw)
                v = 0.0
                if ix >= 0 and ix < i32(wd):
                    v = x[src + u32(ix)]
                cols[base + ox] = v


def max_pool2d_f32(x: DeviceArray[f32], out: DeviceArray[f32], total: u32, h: u32, wd: u32,
                   oh: u32, ow: u32, kh: u32, kw: u32, sh: u32, sw: u32, ph: u32, pw: u32):
    # x: (N*C, h, wd) -> out (N*C, oh, ow); padded taps are ignored; NaN propagates.
    idx = get_global_id()
    if idx < total:
        ox = idx % ow
        t = idx // ow
        oy = t % oh
        plane = t // oh
        best = 0.0
        found = u32(0)
        for ky in range(kh):
            iy = i32(oy * sh + ky) - i32(ph)
            if iy >= 0 and iy < i32(h):
                for kx in range(kw):
                    ix = i32(ox * sw + kx) - i32(pw)
                    if ix >= 0 and ix < i32(wd):
                        v = x[(plane * h + u32(iy)) * wd + u32(ix)]
                        # once best is NaN nothing replaces it (v > NaN is false)
                        if found == 0 or v > best or v != v:
                            best = v
                        found = u32(1)
        out[idx] = best


def avg_pool2d_f32(x: DeviceArray[f32], out: DeviceArray[f32], total: u32, h: u32, wd: u32,
                   oh: u32, ow: u32, kh: u32, kw: u32, sh: u32, sw: u32, ph: u32, pw: u32,
                   include_pad: u32):
    # Mean over the window; with include_pad != 0 the divisor is kh * kw (PyTorch's default),
    # otherwise the number of taps inside the image.
    idx = get_global_id()
    if idx < total:
        ox = idx % ow
        t = idx // ow
        oy = t % oh
        plane = t // oh
        acc = 0.0
        count = u32(0)
        for ky in range(kh):
            iy = i32(oy * sh + ky) - i32(ph)
            if iy >= 0 and iy < i32(h):
                for kx in range(kw):
                    ix = i32(ox * sw + kx) - i32(pw)
                    if ix >= 0 and ix < i32(wd):
                        acc += x[(plane * h + u32(iy)) * wd + u32(ix)]
                        count += 1
        if include_pad != 0:
            count = kh * kw
        out[idx] = acc / f32(count)


def global_avg_pool_f32(x: DeviceArray[f32], out: DeviceArray[f32], planes: u32, hw: u32):
    # (N, C, H, W) -> (N, C): the mean of each H x W plane.
    idx = get_global_id()
    if idx < planes:
        acc = f64(0.0)
        for t in range(hw):
            acc += f64(x[idx * hw + t])
        out[idx] = f32(acc / f64(hw))


def attention_scores_f32(q: DeviceArray[f32], k: DeviceArray[f32], scale: f32,
                         out: DeviceArray[f32], total: u32, sq: u32, sk: u32, d: u32):
    # q: (B, sq, d), k: (B, sk, d) -> out (B, sq, sk) = scale * q k^T.
    idx = get_global_id()
    if idx < total:
        j = idx % sk
        t = idx // sk
        i = t % sq
        bt = t // sq
        qb = (bt * sq + i) * d
        kb = (bt * sk + j) * d
        acc = 0.0
        for p in range(d):
            acc += q[qb + p] * k[kb + p]
        out[idx] = acc * scale
