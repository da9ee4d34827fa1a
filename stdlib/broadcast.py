"""Binary kernels with broadcasting.

`out[idx] = a[(idx // da) % ma] op b[(idx // db) % mb]`: an operand whose own (non-1) dimensions
form one contiguous block of the result's dimensions is indexed by dividing away the dimensions
after the block (`d*`) and wrapping over the block's size (`m*`). Same-shape operands use
`d = 1, m = n`; a row vector against a matrix uses `d = 1, m = cols`; a column `(m, 1)` uses
`d = cols, m = rows`; a scalar uses `d = 1, m = 1`. `hologram.ops` computes these numbers.
"""

from hologram.lang import DeviceArray, f32, u32, get_global_id, pow


def add_bcast_f32(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32,
                  da: u32, ma: u32, db: u32, mb: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[(idx // da) % ma] + b[(idx // db) % mb]


def sub_bcast_f32(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32,
                  da: u32, ma: u32, db: u32, mb: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[(idx // da) % ma] - b[(idx // db) % mb]


def mul_bcast_f32(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32,
                  da: u32, ma: u32, db: u32, mb: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[(idx // da) % ma] * b[(idx // db) % mb]


def div_bcast_f32(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32,
                  da: u32, ma: u32, db: u32, mb: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[(idx // da) % ma] / b[(idx // db) % mb]


def minimum_bcast_f32(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32,
                      da: u32, ma: u32, db: u32, mb: u32):
    idx = get_global_id()
    if idx < n:
        x = a[(idx // da) % ma]
        y = b[(idx // db) % mb]
        out[idx] = x if (x < y or x != x) else y


def maximum_bcast_f32(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32,
                      da: u32, ma: u32, db: u32, mb: u32):
    idx = get_global_id()
    if idx < n:
        x = a[(idx // da) % ma]
        y = b[(idx // db) % mb]
        out[idx] = x if (x > y or x != x) else y


def power_bcast_f32(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], n: u32,
                    da: u32, ma: u32, db: u32, mb: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = pow(a[(idx // da) % ma], b[(idx // db) % mb])
