"""Reductions over a whole vector and along one axis.

Whole-vector reductions are written the natural way, one atomic per id into `result[0]`;
the `atomic-to-tree-reduction` pass turns them into deterministic pairwise reductions. The caller
initialises `result` to the identity (0 for sums, -inf/+inf for max/min).

Axis reductions view the array as `(outer, r, inner)` (the reduced axis has length `r`) and run
one id per output element `(o, i)`, looping over the axis with stride `inner`; `m = outer * inner`.
They are generic (`@generic`, one per op for every dtype numpy reduces): float sums accumulate
in float64, integer sums and products in 64 bits (numpy's result types). For a row-major 2-D array, axis 1 is
`inner = 1`, axis 0 is `outer = 1`. NaN propagates as in numpy: max/min return NaN, argmax/argmin
the index of the first NaN.
"""

from hologram.lang import DeviceArray, f32, f64, i32, i64, u32, get_global_id, generic
from hologram.lang import ALL, COMPLEX, FLOATS, INTEGRAL, NUMERIC, A, T, W
from hologram.lang import atomic_add_f32, atomic_add, atomic_min, atomic_max, sqrt, exp, log
from hologram.lang import float_bits, inline


# --- whole vector --------------------------------------------------------------------------------
def sum_f32(x: DeviceArray[f32], result: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_add_f32(result, x[idx])


def sum_f64(x: DeviceArray[f64], result: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_add(result, 0, x[idx])


@generic(T=INTEGRAL, A={"i32": "i64", "u32": "u64", "bool": "i64"})
def sum(x: DeviceArray[T], result: DeviceArray[A], n: u32):
    # Integer sums in int64/uint64 (numpy's result types), wrapping as numpy's: exact in any
    # order, so the tree's blocks give numpy's value.
    idx = get_global_id()
    if idx < n:
        atomic_add(result, 0, A(x[idx]))


def sumsq_wide_f32(x: DeviceArray[f32], result: DeviceArray[f64], n: u32):
    # The whole-array L2 norm of float32: squares in float64 neither overflow nor underflow.
    idx = get_global_id()
    if idx < n:
        v = f64(x[idx])
        atomic_add(result, 0, v * v)


def sumsq_scaled_f64(x: DeviceArray[f64], inv_scale: f64, result: DeviceArray[f64], n: u32):
    # The whole-array L2 norm of float64: squares of x / max|x| (BLAS nrm2's scaling), with the
    # op passing 1 / max|x| when that is finite.
    idx = get_global_id()
    if idx < n:
        v = x[idx] * inv_scale
        atomic_add(result, 0, v * v)


@generic(T=NUMERIC)
def sum_wide(x: DeviceArray[T], result: DeviceArray[f64], n: u32):
    # The whole-array sum in float64 (numpy's mean: integers and floats accumulate in float64).
    idx = get_global_id()
    if idx < n:
        atomic_add(result, 0, f64(x[idx]))


@generic(T=NUMERIC)
def sumsq_dev_wide(x: DeviceArray[T], center: f64, result: DeviceArray[f64], n: u32):
    # The whole-array sum of squared deviations from `center` in float64 (var's second pass).
    idx = get_global_id()
    if idx < n:
        d = f64(x[idx]) - center
        atomic_add(result, 0, d * d)


@generic(T=FLOATS)
def sum_exp_shifted(x: DeviceArray[T], shift: T, result: DeviceArray[f64], n: u32):
    # The whole-array sum of exp(x - shift) in float64: logsumexp's second pass (shift = max).
    idx = get_global_id()
    if idx < n:
        atomic_add(result, 0, f64(exp(x[idx] - shift)))


def dot_f32(a: DeviceArray[f32], b: DeviceArray[f32], result: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_add_f32(result, a[idx] * b[idx])


def dot_f64(a: DeviceArray[f64], b: DeviceArray[f64], result: DeviceArray[f64], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_add(result, 0, a[idx] * b[idx])


def sumsq_f32(x: DeviceArray[f32], result: DeviceArray[f32], n: u32):
    # sum of squares; the L2 norm is its square root.
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        atomic_add_f32(result, v * v)


@generic(T=NUMERIC)
def max(x: DeviceArray[T], result: DeviceArray[T], n: u32):
    # The fast path: result[0] = max (starts at the type's lowest), result[1] += x - x, which
    # stays 0 unless some element is NaN or +-inf. Only then does the op run max_checked, so the
    # max of an array without NaN never depends on how NaN compares. (Integers: always 0.)
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        atomic_max(result, 0, v)
        atomic_add(result, 1, v - v)


@generic(T=NUMERIC)
def min(x: DeviceArray[T], result: DeviceArray[T], n: u32):
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        atomic_min(result, 0, v)
        atomic_add(result, 1, v - v)


@generic(T=FLOATS)
def max_checked(x: DeviceArray[T], result: DeviceArray[T], n: u32):
    # result[0]: max of the non-NaN values (starts at -inf); result[1] becomes 1 if a NaN is seen.
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        if v != v:
            atomic_max(result, 1, T(1.0))
        else:
            atomic_max(result, 0, v)


@generic(T=FLOATS)
def min_checked(x: DeviceArray[T], result: DeviceArray[T], n: u32):
    # result[0]: min of the non-NaN values (starts at +inf); result[1] becomes 1 if a NaN is seen.
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        if v != v:
            atomic_max(result, 1, T(1.0))
        else:
            atomic_min(result, 0, v)


@generic(T=("f64", "i64", "u64"))
def find_first(x: DeviceArray[T], target: T, result: DeviceArray[u32], n: u32):
    # The smallest id whose value equals target (NaN matches NaN); result starts at n. The
    # argmax/argmin of 64-bit types: max or min first, then this. `|` and `&`, not `or` and
    # `and`: no branch, so the lane loop vectorizes.
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        hit = (v == target) | ((v != v) & (target != target))
        atomic_min(result, 0, idx if hit else n)


# argmax/argmin of 32-bit types in one pass: the max of a 64-bit key, the value's order (an i64
# in [-2^31, 2^31)) in the high half and 2^32 - 1 - idx in the low half, so among equal values
# the first index wins; argmin flips the order's bits. `top` (a NaN) wins for both. result[0]
# starts at the smallest i64; the op reads the index from the low half.
@inline
def arg_key(order: i64, top: bool, idx: u32, smallest: u32) -> i64:
    # smallest is 0 or 1: xor with 0 or all ones, the same code for both (a branch on it had
    # gcc version the loop, and the argmin copy of the i32 kernel ran 2.4x slower).
    ranked = order ^ (i64(0) - i64(smallest))
    high = i64(0x7FFFFFFF) if top else ranked
    return (high << 32) + i64(4294967295 - idx)


def arg_extreme_key_f32(x: DeviceArray[f32], result: DeviceArray[i64], n: u32, smallest: u32):
    # A float's order is its bits read as an i32 with the magnitude bits flipped for negatives.
    # NaN is above every value (numpy: the first NaN wins); -0.0 counts as 0.0 (numpy compares
    # them equal).
    idx = get_global_id()
    if idx < n:
        v = x[idx] + 0.0
        word = i32(float_bits(v))
        signed = word ^ ((word >> 31) & 0x7FFFFFFF)
        atomic_max(result, 0, arg_key(i64(signed), v != v, idx, smallest))


def arg_extreme_key_i32(x: DeviceArray[i32], result: DeviceArray[i64], n: u32, smallest: u32):
    idx = get_global_id()
    if idx < n:
        atomic_max(result, 0, arg_key(i64(x[idx]), False, idx, smallest))


def arg_extreme_key_u32(x: DeviceArray[u32], result: DeviceArray[i64], n: u32, smallest: u32):
    idx = get_global_id()
    if idx < n:
        atomic_max(result, 0, arg_key(i64(x[idx]) - 2147483648, False, idx, smallest))


# --- along an axis ------------------------------------------------------------------------------
# Accumulators, numpy's: integer sums and products in 64 bits (A), float32 sums in float64 (W).
@generic(T=ALL + COMPLEX, A={"i32": "i64", "u32": "u64", "bool": "i64"},
         W={"i32": "i64", "u32": "u64", "bool": "i64", "f32": "f64", "c64": "c128"})
def sum_axis(x: DeviceArray[T], out: DeviceArray[A], m: u32, r: u32, inner: u32):
    # Four independent chains: one chain waits on every add's latency (3x slower).
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        a0 = W(0)
        a1 = W(0)
        a2 = W(0)
        a3 = W(0)
        r4 = r - r % 4
        for t in range(0, r4, 4):
            p = base + t * inner
            a0 += W(x[p])
            a1 += W(x[p + inner])
            a2 += W(x[p + 2 * inner])
            a3 += W(x[p + 3 * inner])
        for t in range(r4, r):
            a0 += W(x[base + t * inner])
        out[idx] = A((a0 + a1) + (a2 + a3))


@generic(T=ALL + COMPLEX, A={"i32": "i64", "u32": "u64", "bool": "i64"},
         W={"i32": "i64", "u32": "u64", "bool": "i64", "f32": "f64", "c64": "c128"})
def prod_axis(x: DeviceArray[T], out: DeviceArray[A], m: u32, r: u32, inner: u32):
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        acc = W(1)
        for t in range(r):
            acc = acc * W(x[base + t * inner])
        out[idx] = A(acc)


@generic(T=FLOATS + COMPLEX, W={"f32": "f64", "c64": "c128"})
def mean_axis(x: DeviceArray[T], out: DeviceArray[T], m: u32, r: u32, inner: u32):
    # Accumulates in double precision (W: f64, c128).
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        a0 = W(0)
        a1 = W(0)
        a2 = W(0)
        a3 = W(0)
        r4 = r - r % 4
        for t in range(0, r4, 4):
            p = base + t * inner
            a0 += W(x[p])
            a1 += W(x[p + inner])
            a2 += W(x[p + 2 * inner])
            a3 += W(x[p + 3 * inner])
        for t in range(r4, r):
            a0 += W(x[base + t * inner])
        out[idx] = T(((a0 + a1) + (a2 + a3)) / f64(r))


@generic(T=FLOATS)
def var_axis(x: DeviceArray[T], out: DeviceArray[T], m: u32, r: u32, inner: u32,
             correction: f64, root: bool):
    # Two passes in float64 (the mean, then the squared deviations): numpy's var/std; the
    # divisor is r - correction (NaN when it is <= 0, as numpy); root: the square root (std).
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        s = f64(0.0)
        for t in range(r):
            s += f64(x[base + t * inner])
        mu = s / f64(r)
        q = f64(0.0)
        for t in range(r):
            d = f64(x[base + t * inner]) - mu
            q += d * d
        den = f64(r) - correction
        v = q / den if den > 0.0 else (q - q) / (den - den)
        out[idx] = T(sqrt(v) if root else v)


@generic(T=FLOATS)
def logsumexp_axis(x: DeviceArray[T], out: DeviceArray[T], m: u32, r: u32, inner: u32):
    # max + log(sum exp(x - max)): no overflow; all -inf gives -inf, a +inf gives +inf, NaN NaN.
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        mx = x[base]
        for t in range(1, r):
            v = x[base + t * inner]
            if v > mx or v != v:
                mx = v
        if mx - mx != 0.0:
            out[idx] = mx
        else:
            s = f64(0.0)
            for t in range(r):
                s += f64(exp(x[base + t * inner] - mx))
            out[idx] = mx + T(log(s))


@generic(T=(f64,))
def norm_axis(x: DeviceArray[T], out: DeviceArray[T], m: u32, r: u32, inner: u32):
    # sqrt(sum x^2) scaled by the largest |x| (BLAS nrm2): no overflow or underflow. float32
    # has its own kernel below (its squares cannot overflow or underflow in float64).
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        scale = f64(0.0)
        for t in range(r):
            a = abs(f64(x[base + t * inner]))
            if a > scale or a != a:
                scale = a
        if scale == 0.0 or scale - scale != 0.0:
            out[idx] = T(scale)
        else:
            q = f64(0.0)
            for t in range(r):
                v = f64(x[base + t * inner]) / scale
                q += v * v
            out[idx] = T(scale * sqrt(q))


@generic(T=ALL + COMPLEX)
def any_axis(x: DeviceArray[T], out: DeviceArray[bool], m: u32, r: u32, inner: u32):
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        found = False
        for t in range(r):
            if bool(x[base + t * inner]):
                found = True
                break
        out[idx] = found


@generic(T=ALL + COMPLEX)
def all_axis(x: DeviceArray[T], out: DeviceArray[bool], m: u32, r: u32, inner: u32):
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        ok = True
        for t in range(r):
            if not bool(x[base + t * inner]):
                ok = False
                break
        out[idx] = ok


@generic(T=ALL + COMPLEX, A={"i32": "i64", "u32": "u64", "bool": "i64"})
def cumsum_axis(x: DeviceArray[T], out: DeviceArray[A], m: u32, r: u32, inner: u32):
    # One id per (outer, inner) line, walking the axis in order (numpy's sequential sum).
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        acc = A(0)
        for t in range(r):
            p = base + t * inner
            acc = acc + A(x[p])
            out[p] = acc


@generic(T=ALL + COMPLEX, A={"i32": "i64", "u32": "u64", "bool": "i64"})
def cumprod_axis(x: DeviceArray[T], out: DeviceArray[A], m: u32, r: u32, inner: u32):
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        acc = A(1)
        for t in range(r):
            p = base + t * inner
            acc = acc * A(x[p])
            out[p] = acc


def sum_blocks_f32(x: DeviceArray[f32], out: DeviceArray[f32], m: u32, r: u32, inner: u32,
                   block: u32, nb: u32):
    # Step 1 of a sum along a strided axis (inner > 1): id (o, b, i) sums rows
    # [b * block, (b + 1) * block) of column i of slab o into out (outer, nb, inner). Neighbouring
    # ids read neighbouring addresses of the same few rows, so the cache lines and pages they
    # touch are shared; one id per whole column would walk r pages. Step 2 is sum_axis_f32.
    idx = get_global_id()
    if idx < m:
        i = idx % inner
        q = idx // inner
        b = q % nb
        o = q // nb
        lo = b * block
        hi = min(lo + block, r)
        base = o * r * inner + i
        acc = f64(0.0)
        for t in range(lo, hi):
            acc += f64(x[base + t * inner])
        out[idx] = f32(acc)


def norm_axis_f32(x: DeviceArray[f32], out: DeviceArray[f32], m: u32, r: u32, inner: u32):
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        a0 = f64(0.0)
        a1 = f64(0.0)
        r2 = r - r % 2
        for t in range(0, r2, 2):
            p = base + t * inner
            v0 = f64(x[p])
            v1 = f64(x[p + inner])
            a0 += v0 * v0
            a1 += v1 * v1
        if r2 < r:
            v = f64(x[base + r2 * inner])
            a0 += v * v
        out[idx] = f32(sqrt(a0 + a1))


def dot_axis_f32(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], m: u32,
                 r: u32, inner: u32):
    # Row-wise dot products of two arrays of the same shape: out[o, i] = sum_t a[o, t, i] b[o, t, i].
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        a0 = f64(0.0)
        a1 = f64(0.0)
        r2 = r - r % 2
        for t in range(0, r2, 2):
            p = base + t * inner
            a0 += f64(a[p]) * f64(b[p])
            a1 += f64(a[p + inner]) * f64(b[p + inner])
        if r2 < r:
            p = base + r2 * inner
            a0 += f64(a[p]) * f64(b[p])
        out[idx] = f32(a0 + a1)


@generic(T=NUMERIC)
def max_axis(x: DeviceArray[T], out: DeviceArray[T], m: u32, r: u32, inner: u32):
    # r >= 1 (numpy refuses an empty reduction without identity; so does the op). On a tie the
    # later element wins, as numpy's maximum.reduce (max of [0.0, -0.0] is -0.0).
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        best = x[base]
        for t in range(1, r):
            if best != best:
                break
            v = x[base + t * inner]
            if not (best > v):
                best = v
        out[idx] = best


@generic(T=NUMERIC)
def min_axis(x: DeviceArray[T], out: DeviceArray[T], m: u32, r: u32, inner: u32):
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        best = x[base]
        for t in range(1, r):
            if best != best:
                break
            v = x[base + t * inner]
            if not (best < v):
                best = v
        out[idx] = best


@generic(T=NUMERIC)
def argmax_axis(x: DeviceArray[T], out: DeviceArray[i64], m: u32, r: u32, inner: u32):
    # The first largest; the first NaN wins (numpy).
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        best = x[base]
        arg = u32(0)
        for t in range(1, r):
            if best != best:
                break
            v = x[base + t * inner]
            if v > best or v != v:
                best = v
                arg = t
        out[idx] = i64(arg)


@generic(T=NUMERIC)
def argmin_axis(x: DeviceArray[T], out: DeviceArray[i64], m: u32, r: u32, inner: u32):
    idx = get_global_id()
    if idx < m:
        base = (idx // inner) * r * inner + idx % inner
        best = x[base]
        arg = u32(0)
        for t in range(1, r):
            if best != best:
                break
            v = x[base + t * inner]
            if v < best or v != v:
                best = v
                arg = t
        out[idx] = i64(arg)
