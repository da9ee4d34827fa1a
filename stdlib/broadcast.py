"""Binary kernels with block broadcasting (the fast form for rows, columns and channels).

`out[idx] = a[(idx // da) % ma] op b[(idx // db) % mb]`: an operand whose own (non-1) dimensions
form one contiguous block of the result's dimensions is indexed by dividing away the dimensions
after the block (`d*`) and wrapping over the block's size (`m*`). Same-shape operands use
`d = 1, m = n`; a row vector against a matrix uses `d = 1, m = cols`; a column `(m, 1)` uses
`d = cols, m = rows`; a scalar uses `d = 1, m = 1`. `hologram.ops` computes these numbers; any
other broadcast runs the `*_strided_*` forms of `elementwise.py`.
"""

from hologram.lang import DeviceArray, u32, get_global_id, generic, pow, NUMERIC, FLOATS, T
from hologram.lang import COMPLEX


@generic(T=NUMERIC + COMPLEX)
def add_bcast(a: DeviceArray[T], b: DeviceArray[T], out: DeviceArray[T], n: u32,
              da: u32, ma: u32, db: u32, mb: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[(idx // da) % ma] + b[(idx // db) % mb]


@generic(T=NUMERIC + COMPLEX)
def sub_bcast(a: DeviceArray[T], b: DeviceArray[T], out: DeviceArray[T], n: u32,
              da: u32, ma: u32, db: u32, mb: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[(idx // da) % ma] - b[(idx // db) % mb]


@generic(T=NUMERIC + COMPLEX)
def mul_bcast(a: DeviceArray[T], b: DeviceArray[T], out: DeviceArray[T], n: u32,
              da: u32, ma: u32, db: u32, mb: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[(idx // da) % ma] * b[(idx // db) % mb]


@generic(T=FLOATS + COMPLEX)
def div_bcast(a: DeviceArray[T], b: DeviceArray[T], out: DeviceArray[T], n: u32,
              da: u32, ma: u32, db: u32, mb: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = a[(idx // da) % ma] / b[(idx // db) % mb]


@generic(T=NUMERIC)
def minimum_bcast(a: DeviceArray[T], b: DeviceArray[T], out: DeviceArray[T], n: u32,
                  da: u32, ma: u32, db: u32, mb: u32):
    idx = get_global_id()
    if idx < n:
        x = a[(idx // da) % ma]
        y = b[(idx // db) % mb]
        out[idx] = x if (x < y or x != x) else y


@generic(T=NUMERIC)
def maximum_bcast(a: DeviceArray[T], b: DeviceArray[T], out: DeviceArray[T], n: u32,
                  da: u32, ma: u32, db: u32, mb: u32):
    idx = get_global_id()
    if idx < n:
        x = a[(idx // da) % ma]
        y = b[(idx // db) % mb]
        out[idx] = x if (x > y or x != x) else y


@generic(T=FLOATS)
def power_bcast(a: DeviceArray[T], b: DeviceArray[T], out: DeviceArray[T], n: u32,
                da: u32, ma: u32, db: u32, mb: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = pow(a[(idx // da) % ma], b[(idx // db) % mb])
