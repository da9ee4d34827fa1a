"""Module-level helpers with scalar parameters, inlined at every call."""

from hologram.lang import DeviceArray, f32, u32, get_global_id, inline


def clamp01(x):
    return min(max(x, 0.0), 1.0)


@inline
def smoothstep(x: f32) -> f32:
    t = clamp01(x)
    return t * t * (3.0 - 2.0 * t)


def sign(x: f32) -> f32:
    if x > 0.0:
        return 1.0
    elif x < 0.0:
        return -1.0
    return 0.0


def poly(x: f32, n: u32) -> f32:
    """A helper with a loop and a local."""
    acc = 0.0
    for i in range(n):
        acc = acc * x + 1.0
    return acc


def store_twice(out, i: u32, v: f32):
    """A helper called as a statement; it stores through an array argument."""
    out[i] = v
    out[i] = out[i] + v


def apply_smoothstep(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = smoothstep(a[idx])


def apply_sign(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = sign(a[idx]) * clamp01(a[idx])


def apply_poly(a: DeviceArray[f32], out: DeviceArray[f32], degree: u32, n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = poly(a[idx], degree)


def apply_store_twice(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        store_twice(out, idx, a[idx])
