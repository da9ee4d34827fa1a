"""Types: f64, i64, u64, bool, casts, mixed signedness, true and floor division, powers,
float_bits."""

from hologram.lang import DeviceArray, f32, f64, i32, i64, u32, u64, float_bits, get_global_id

SCALE = 0.5
SHIFT = 3


def f64_axpy(x: DeviceArray[f64], y: DeviceArray[f64], alpha: f64, out: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = alpha * x[idx] + y[idx] * 2.0


def mixed_sign(a: DeviceArray[u32], b: DeviceArray[i32], out: DeviceArray[i64], n: u32):
    """u32 + i32 computes in i64 (the narrowest signed type holding both)."""
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] + b[idx]


def casts(x: DeviceArray[f32], ints: DeviceArray[i32], wide: DeviceArray[f64],
          big: DeviceArray[u64], n: u32):
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        ints[idx] = int(v) + i32(idx)
        wide[idx] = f64(v) * f64(idx)
        big[idx] = u64(idx) * u64(4000000000)


def divisions(a: DeviceArray[i32], b: DeviceArray[i32], fq: DeviceArray[f32],
              iq: DeviceArray[i32], n: u32):
    """`/` is true division (f32 for ints), `//` floors."""
    idx = get_global_id()
    if idx < n:
        fq[idx] = a[idx] / b[idx]
        iq[idx] = a[idx] // b[idx]


def powers(x: DeviceArray[f32], ix: DeviceArray[i32], out: DeviceArray[f32],
           iout: DeviceArray[i32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = x[idx] ** 2 + x[idx] ** 0.5 * SCALE
        iout[idx] = ix[idx] ** 3 + (ix[idx] << SHIFT)


def u32_wrap(a: DeviceArray[u32], out: DeviceArray[u32], n: u32):
    """u32 arithmetic wraps modulo 2**32."""
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] * 2654435761 + 1


def i64_index(a: DeviceArray[f32], out: DeviceArray[f32], offset: i64, n: i64):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx + offset]


def float_order(x: DeviceArray[f32], d: DeviceArray[f64], key: DeviceArray[i32],
                hi: DeviceArray[u32], n: u32):
    """`float_bits`: an i32 key that orders like the floats (negatives' magnitude bits flipped,
    in a local assigned in a branch), and the high word of an f64's bits."""
    idx = get_global_id()
    if idx < n:
        b = float_bits(x[idx])
        k = i32(b)
        if b >= 0x80000000:
            k = i32(b ^ 0x7FFFFFFF)
        key[idx] = k
        hi[idx] = u32(float_bits(d[idx]) >> 32)
