"""Kernels written the way Python users write them: locals whose assignments mix integer types,
ints and floats, helpers called with several types, descending ranges and run-time integer
powers. Each local's type is the join of its assignments (docs/language.md); the references are
in tests/test_inferred_types.py."""

from hologram.lang import DeviceArray, f32, f64, i32, i64, u32, get_global_id


# --- integer locals that mix types -------------------------------------------------------------
def argmax_rows(x: DeviceArray[f32], out: DeviceArray[u32], rows: u32, cols: u32):
    r = get_global_id()
    if r < rows:
        best = 0                      # a literal: adapts to the u32 loop variable below
        for i in range(cols):
            if x[r * cols + i] > x[r * cols + best]:
                best = i
        out[r] = best


def count_steps(a: DeviceArray[u32], out: DeviceArray[u32], n: u32):
    i = get_global_id()
    if i < n:
        v = a[i]
        steps = 0
        while v != 1:
            if v % 2 == 0:
                v = v // 2
            else:
                v = 3 * v + 1
            steps += 1
        out[i] = steps                # an int local stored into a u32 array: converted


def signed_offsets(a: DeviceArray[f32], off: DeviceArray[i32], out: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        j = i + off[i]                # u32 + i32: i64, so i - 1 at i = 0 is -1, not 2**32 - 1
        if j < 0:
            j = 0
        if j >= n:
            j = n - 1
        out[i] = a[j]


def last_negative(x: DeviceArray[f32], out: DeviceArray[i32], rows: u32, cols: u32):
    r = get_global_id()
    if r < rows:
        pos = -1                      # -1 and a u32 loop variable: the local is an i64
        for c in range(cols):
            if x[r * cols + c] < 0.0:
                pos = c
        out[r] = pos


def wide_sum(a: DeviceArray[u32], out: DeviceArray[i64], n: u32, reps: u32):
    i = get_global_id()
    if i < n:
        total = i64(0)
        for k in range(reps):
            total += a[i] * 1000000   # u32 wraps; the i64 total does not
        out[i] = total


def mixed_product(a: DeviceArray[u32], b: DeviceArray[i32], out: DeviceArray[i64], n: u32):
    i = get_global_id()
    if i < n:
        out[i] = a[i] * b[i]          # u32 * i32 in i64


def bits_mixed(a: DeviceArray[u32], b: DeviceArray[i32], out: DeviceArray[u32], n: u32):
    i = get_global_id()
    if i < n:
        m = a[i] & 255
        m = m | (b[i] << 8)           # the local widens to i64; the store wraps it to u32
        out[i] = m


def index_from_param(a: DeviceArray[f32], out: DeviceArray[f32], n: u32, shift: i32):
    i = get_global_id()
    if i < n:
        k = i                         # u32 ...
        k = k + shift                 # ... then i64
        if k >= 0 and k < n:
            out[i] = a[k]
        else:
            out[i] = 0.0


# --- ints and floats -------------------------------------------------------------------------
def running_mean(a: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32):
    r = get_global_id()
    if r < rows:
        acc = 0                       # an int literal, then f32 values: an f32 local
        for c in range(cols):
            acc += a[r * cols + c]
        out[r] = acc / cols


def f64_accumulate(a: DeviceArray[f64], out: DeviceArray[f64], rows: u32, cols: u32):
    r = get_global_id()
    if r < rows:
        acc = 0.0                     # f32 by default, joined with f64: an f64 local
        for c in range(cols):
            acc += a[r * cols + c]
        out[r] = acc


def float_after_int(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        x = 1
        if a[i] > 0.0:
            x = a[i] * 2.0
        out[i] = x


def truncate_to_int(a: DeviceArray[f32], out: DeviceArray[i32], n: u32):
    i = get_global_id()
    if i < n:
        out[i] = a[i] * 10.0          # stored into an i32 array: truncated toward zero


def scale_by_f64(a: DeviceArray[f32], s: f64, out: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        out[i] = a[i] * s             # computed in f64, stored as f32


def int_count_to_float(a: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32):
    r = get_global_id()
    if r < rows:
        hits = 0
        for c in range(cols):
            if a[r * cols + c] > 0.5:
                hits += 1
        out[r] = hits                 # an i32 count stored as f32


# --- helpers called with several types ----------------------------------------------------------
def clamp(v, lo, hi):
    return min(max(v, lo), hi)


def gather_clamped(idx: DeviceArray[i32], src: DeviceArray[f32], out: DeviceArray[f32], m: u32,
                   n: u32):
    t = get_global_id()
    if t < n:
        r = clamp(idx[t], 0, m - 1)   # i32, literal and u32 arguments
        out[t] = src[r]


def clamp_both(a: DeviceArray[f32], b: DeviceArray[f64], oa: DeviceArray[f32],
               ob: DeviceArray[f64], n: u32):
    i = get_global_id()
    if i < n:
        oa[i] = clamp(a[i], -0.5, 0.5)   # the same helper, once for f32 ...
        ob[i] = clamp(b[i], -0.5, 0.5)   # ... and once for f64


def square(x: f32) -> f32:
    return x * x


def square_ints(a: DeviceArray[u32], out: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        out[i] = square(a[i])         # a u32 argument converts to the annotated f32


def sign_of(x):
    if x > 0:
        return 1
    if x < 0:
        return -1
    return 0


def signs(a: DeviceArray[f32], ia: DeviceArray[i32], out: DeviceArray[i32], n: u32):
    i = get_global_id()
    if i < n:
        out[i] = sign_of(a[i]) * 10 + sign_of(ia[i])


def half_or_value(x, limit):
    r = x
    if x > limit:
        r = limit / 2                 # the helper's local joins its type with a float
    return r


def halves(a: DeviceArray[u32], out: DeviceArray[f32], limit: u32, n: u32):
    i = get_global_id()
    if i < n:
        out[i] = half_or_value(a[i], limit)


# --- descending ranges ---------------------------------------------------------------------------
def horner(c: DeviceArray[f32], x: DeviceArray[f32], y: DeviceArray[f32], degree: u32, n: u32):
    i = get_global_id()
    if i < n:
        acc = 0.0
        for k in range(degree - 1, -1, -1):   # degree: u32; counts down to 0
            acc = acc * x[i] + c[k]
        y[i] = acc


def reverse_rows(a: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32):
    r = get_global_id()
    if r < rows:
        j = 0
        for c in range(cols - 1, -1, -1):
            out[r * cols + j] = a[r * cols + c]
            j += 1


def suffix_max(a: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32):
    r = get_global_id()
    if r < rows:
        best = a[r * cols + cols - 1]
        for c in range(cols - 1, -1, -1):
            best = max(best, a[r * cols + c])
            out[r * cols + c] = best


def every_other_down(a: DeviceArray[f32], out: DeviceArray[f32], rows: u32, cols: u32):
    r = get_global_id()
    if r < rows:
        s = 0.0
        for c in range(cols - 1, -1, -2):
            s += a[r * cols + c]
        out[r] = s


def countdown_from(start: DeviceArray[i32], out: DeviceArray[i32], n: u32):
    i = get_global_id()
    if i < n:
        total = 0
        for k in range(start[i], 0, -1):      # empty when start <= 0
            total += k
        out[i] = total


# --- integer powers with run-time exponents ------------------------------------------------------
def powers_of_two(y: DeviceArray[i32], n: u32):
    i = get_global_id()
    if i < n:
        y[i] = 2 ** (i % 5)


def int_power(base: DeviceArray[u32], e: DeviceArray[u32], out: DeviceArray[u32], n: u32):
    i = get_global_id()
    if i < n:
        out[i] = base[i] ** e[i]


def alternating(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        out[i] = a[i] * i32(-1) ** i        # i32 ** u32: computed in i64


def signed_power(base: DeviceArray[i32], e: DeviceArray[u32], out: DeviceArray[i64], n: u32):
    i = get_global_id()
    if i < n:
        out[i] = base[i] ** e[i]              # i32 ** u32: computed in i64


# --- bool locals assigned more than one bool value (regression: bool ⊔ bool was an error) --------
def _ascending(a, b):
    return a < b or (b != b and a == a)


def bool_flags(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[i32], n: u32):
    i = get_global_id()
    if i < n:
        up = a[i] > 0.0
        if i % 2 == 0:
            up = b[i] > 0.0                   # a second bool value
        before = False
        if i > 0:
            if up:
                before = not _ascending(a[i], a[i - 1])
            else:
                before = not _ascending(b[i], b[i - 1])   # the helper's second call
        out[i] = i32(up) * 2 + i32(before)
