"""Shape operators: transpose, strided copy (slice, permute), concat, gather, pad.

Multi-dimensional index math uses small `u32`/`i64` arrays of shapes and strides (in elements),
innermost dimension last, so one kernel serves every rank.
"""

from hologram.lang import DeviceArray, f32, i32, i64, u32, get_global_id


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


def copy_block_f32(x: DeviceArray[f32], out: DeviceArray[f32], n: u32, inner_in: u32,
                   inner_out: u32, offset: u32):
    # One input of a concatenation: x viewed (outer, inner_in) goes to columns
    # [offset, offset + inner_in) of out viewed (outer, inner_out).
    idx = get_global_id()
    if idx < n:
        o = idx // inner_in
        t = idx % inner_in
        out[o * inner_out + offset + t] = x[idx]


def gather_i64_f32(x: DeviceArray[f32], indices: DeviceArray[i64], out: DeviceArray[f32],
                   n: u32, r: u32, k: u32, inner: u32):
    # x viewed (outer, r, inner), indices (k,) -> out (outer, k, inner); a negative index counts
    # from the end (ONNX Gather). The op API checks the range before the launch.
    idx = get_global_id()
    if idx < n:
        t = idx % inner
        q = idx // inner
        j = q % k
        o = q // k
        ix = indices[j]
        if ix < 0:
            ix += i64(r)
        out[idx] = x[(i64(o) * i64(r) + ix) * i64(inner) + i64(t)]


def gather_i32_f32(x: DeviceArray[f32], indices: DeviceArray[i32], out: DeviceArray[f32],
                   n: u32, r: u32, k: u32, inner: u32):
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
