"""Shape operators: transpose, strided copy (slice, permute), concat, gather, pad.

Multi-dimensional index math uses small `u32`/`i64` arrays of shapes and strides (in elements),
innermost dimension last, so one kernel serves every rank.
"""

from hologram.lang import DeviceArray, f32, i32, i64, u32, get_global_id, generic
from hologram.lang import ALL, COMPLEX, NUMERIC, I, T


def transpose2d_f32(x: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32):
    # x: rows x cols -> out: cols x rows; one id per output element.
    idx = get_global_id()
    if idx < rows * cols:
        j = idx // rows
        i = idx % rows
        out[idx] = x[i * cols + j]


def strided_copy_f32(x: DeviceArray[f32], shape: DeviceArray[u32], strides: DeviceArray[i64],
                     offset: i64, out: DeviceArray[f32], n: u32, ndim: u32):
    # out (dense, `shape`) [..., c_d, ...] = x[offset + sum_d c_d * strides[d]]: any view numpy can
    # describe (slices with steps, negative steps, permuted axes) copied into a dense array.
    idx = get_global_id()
    if idx < n:
        rem = idx
        src = offset
        d = ndim
        while d > 0:
            d -= 1
            extent = shape[d]
            src += i64(rem % extent) * strides[d]
            rem = rem // extent
        out[idx] = x[src]


@generic(T=ALL + COMPLEX)
def copy_block(x: DeviceArray[T], out: DeviceArray[T], n: u32, inner_in: u32, inner_out: u32,
               offset: u32):
    # One input of a concatenation: x viewed (outer, inner_in) goes to columns
    # [offset, offset + inner_in) of out viewed (outer, inner_out).
    idx = get_global_id()
    if idx < n:
        o = idx // inner_in
        t = idx % inner_in
        out[o * inner_out + offset + t] = x[idx]


@generic(T=ALL + COMPLEX, I=(i64, i32))
def gather(x: DeviceArray[T], indices: DeviceArray[I], out: DeviceArray[T], n: u32, r: u32,
           k: u32, inner: u32):
    # x viewed (outer, r, inner), indices (k,) -> out (outer, k, inner); a negative index counts
    # from the end (ONNX Gather). The op API checks the range before the launch.
    idx = get_global_id()
    if idx < n:
        t = idx % inner
        q = idx // inner
        j = q % k
        o = q // k
        ix = i64(indices[j])
        if ix < 0:
            ix += i64(r)
        out[idx] = x[(i64(o) * i64(r) + ix) * i64(inner) + i64(t)]


@generic(T=NUMERIC + COMPLEX)
def tri(x: DeviceArray[T], out: DeviceArray[T], n: u32, rows: u32, cols: u32, k: i64,
        upper: bool):
    # tril (upper False): keep x[..., i, j] where j - i <= k; triu: where j - i >= k; else 0.
    idx = get_global_id()
    if idx < n:
        j = i64(idx % cols)
        i = i64((idx // cols) % rows)
        keep = (upper & (j - i >= k)) | ((upper ^ True) & (j - i <= k))
        out[idx] = x[idx] if keep else T(0)


def _before(a, b):
    # The sort order: ascending, NaN last (numpy), equal elements keep their order (stable).
    return a < b or (b != b and a == a)


@generic(T=NUMERIC)
def sort_axis(x: DeviceArray[T], out: DeviceArray[T], tmp: DeviceArray[T], m: u32, r: u32,
              inner: u32):
    # One id per line (outer, inner): a bottom-up merge sort between out and tmp (stable).
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        for t in range(r):
            out[base + t * inner] = x[base + t * inner]
        width = u32(1)
        in_out = True
        while width < r:
            lo = u32(0)
            while lo < r:
                mid = min(lo + width, r)
                hi = min(lo + 2 * width, r)
                i = lo
                j = mid
                for t in range(lo, hi):
                    take_left = False
                    if i < mid:
                        if j >= hi:
                            take_left = True
                        elif in_out:
                            take_left = not _before(out[base + j * inner], out[base + i * inner])
                        else:
                            take_left = not _before(tmp[base + j * inner], tmp[base + i * inner])
                    if in_out:
                        if take_left:
                            tmp[base + t * inner] = out[base + i * inner]
                            i += 1
                        else:
                            tmp[base + t * inner] = out[base + j * inner]
                            j += 1
                    else:
                        if take_left:
                            out[base + t * inner] = tmp[base + i * inner]
                            i += 1
                        else:
                            out[base + t * inner] = tmp[base + j * inner]
                            j += 1
                lo = hi
            in_out = not in_out
            width = width * 2
        if not in_out:
            for t in range(r):
                out[base + t * inner] = tmp[base + t * inner]


@generic(T=NUMERIC)
def argsort_axis(x: DeviceArray[T], out: DeviceArray[i64], tmp: DeviceArray[i64], m: u32,
                 r: u32, inner: u32):
    # The indices a stable sort of each line would take (the same merge sort, on indices).
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        for t in range(r):
            out[base + t * inner] = i64(t)
        width = u32(1)
        in_out = True
        while width < r:
            lo = u32(0)
            while lo < r:
                mid = min(lo + width, r)
                hi = min(lo + 2 * width, r)
                i = lo
                j = mid
                for t in range(lo, hi):
                    take_left = False
                    if i < mid:
                        if j >= hi:
                            take_left = True
                        elif in_out:
                            take_left = not _before(x[base + out[base + j * inner] * inner],
                                                    x[base + out[base + i * inner] * inner])
                        else:
                            take_left = not _before(x[base + tmp[base + j * inner] * inner],
                                                    x[base + tmp[base + i * inner] * inner])
                    if in_out:
                        if take_left:
                            tmp[base + t * inner] = out[base + i * inner]
                            i += 1
                        else:
                            tmp[base + t * inner] = out[base + j * inner]
                            j += 1
                    else:
                        if take_left:
                            out[base + t * inner] = tmp[base + i * inner]
                            i += 1
                        else:
                            out[base + t * inner] = tmp[base + j * inner]
                            j += 1
                lo = hi
            in_out = not in_out
            width = width * 2
        if not in_out:
            for t in range(r):
                out[base + t * inner] = tmp[base + t * inner]


def pad_f32(x: DeviceArray[f32], out_shape: DeviceArray[u32], in_shape: DeviceArray[u32],
            before: DeviceArray[u32], value: f32, out: DeviceArray[f32], n: u32, ndim: u32):
    # Constant padding: out[c] = x[c - before] inside the input, value outside.
    idx = get_global_id()
    if idx < n:
        rem = idx
        src = u32(0)
        scale = u32(1)
        inside = u32(1)
        d = ndim
        while d > 0:
            d -= 1
            c = rem % out_shape[d]
            rem = rem // out_shape[d]
            if c < before[d] or c - before[d] >= in_shape[d]:
                inside = u32(0)
            else:
                src += (c - before[d]) * scale
            scale = scale * in_shape[d]
        out[idx] = x[src] if inside != 0 else value
