"""Stencils on flat 2-D grids: `//` and `%` split the id into row and column."""

from hologram.lang import DeviceArray, f32, i32, u32, get_global_id


def blur3(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    """Periodic 3-point average (Python's % keeps i - 1 in range)."""
    idx = get_global_id()
    if idx < n:
        i = i32(idx)
        m = i32(n)
        left = a[(i - 1) % m]
        right = a[(i + 1) % m]
        out[idx] = (left + a[idx] + right) / 3.0


def laplace5(a: DeviceArray[f32], out: DeviceArray[f32], w: u32, h: u32):
    idx = get_global_id()
    if idx < w * h:
        row = idx // w
        col = idx % w
        if row == 0 or row == h - 1 or col == 0 or col == w - 1:
            out[idx] = a[idx]
        else:
            out[idx] = a[idx - w] + a[idx + w] + a[idx - 1] + a[idx + 1] - 4.0 * a[idx]


def torus_shift(a: DeviceArray[f32], out: DeviceArray[f32], dx: i32, dy: i32, w: i32, h: i32):
    """out[r][c] = a[(r - dy) mod h][(c - dx) mod w] with negative shifts allowed."""
    idx = get_global_id()
    if idx < w * h:
        r = i32(idx) // w
        c = i32(idx) % w
        src = ((r - dy) % h) * w + (c - dx) % w
        out[idx] = a[src]


def transpose(a: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32):
    idx = get_global_id()
    if idx < rows * cols:
        r = idx // cols
        c = idx % cols
        out[c * rows + r] = a[idx]


def floor_div_mod(a: DeviceArray[i32], b: DeviceArray[i32], q: DeviceArray[i32],
                  r: DeviceArray[i32], n: u32):
    """Python semantics: q = a // b floors, r = a % b takes the sign of b."""
    idx = get_global_id()
    if idx < n:
        q[idx] = a[idx] // b[idx]
        r[idx] = a[idx] % b[idx]


def float_mod(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[idx] % b[idx] + a[idx] // b[idx]
