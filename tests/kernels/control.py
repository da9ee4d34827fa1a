"""Control flow: while, break, continue, early return, nested loops, ternaries, short-circuit."""

from hologram.lang import DeviceArray, bool_, f32, i32, u32, get_global_id


def collatz_steps(start: DeviceArray[u32], steps: DeviceArray[u32], n: u32):
    idx = get_global_id()
    if idx < n:
        x = start[idx]
        count = u32(0)
        while x > 1:
            if x % 2 == 0:
                x = x // 2
            else:
                x = 3 * x + 1
            count += 1
        steps[idx] = count


def find_first_above(a: DeviceArray[f32], threshold: f32, out: DeviceArray[i32], m: u32, k: u32):
    """Per row: the first column above `threshold`, or -1 (break)."""
    row = get_global_id()
    if row < m:
        found = -1
        for j in range(k):
            if a[row * k + j] > threshold:
                found = i32(j)
                break
        out[row] = found


def sum_skip_negative(a: DeviceArray[f32], out: DeviceArray[f32], m: u32, k: u32):
    """continue in the middle of a loop body."""
    row = get_global_id()
    if row < m:
        acc = 0.0
        for j in range(k):
            v = a[row * k + j]
            if v < 0.0:
                continue
            acc += v
        out[row] = acc


def first_zero_or_exit(a: DeviceArray[f32], out: DeviceArray[u32], m: u32, k: u32):
    """return inside a loop ends the thread: rows without a zero keep their old value."""
    row = get_global_id()
    if row >= m:
        return
    for j in range(k):
        if a[row * k + j] == 0.0:
            out[row] = j
            return


def while_break_continue(a: DeviceArray[i32], out: DeviceArray[i32], n: u32):
    idx = get_global_id()
    if idx < n:
        v = a[idx]
        total = 0
        i = 0
        while True:
            i += 1
            if i > 100:
                break
            if i % 3 == 0:
                continue
            total += v * i
            if total > 10000:
                break
        out[idx] = total


def count_down(out: DeviceArray[i32], n: u32, start: i32, step: i32):
    """A non-constant step: range(start, -1, step) with any sign of step."""
    idx = get_global_id()
    if idx < n:
        count = 0
        for i in range(start, -1, step):
            count += 1
        out[idx] = count


def nested_loops(out: DeviceArray[u32], n: u32, k: u32):
    idx = get_global_id()
    if idx < n:
        total = u32(0)
        for i in range(k):
            for j in range(i, k, 2):
                if (i + j) % 3 == 1:
                    continue
                total += i * j
        out[idx] = total


def select_ops(a: DeviceArray[f32], b: DeviceArray[f32], out: DeviceArray[f32], flag: bool, n: u32):
    """Ternaries, chained comparisons, and/or/not with short-circuit."""
    idx = get_global_id()
    if idx < n:
        x = a[idx]
        y = b[idx]
        inside = 0.0 < x < 1.0
        z = x if inside and not flag else y
        if flag or (y > 0.0 and x / y > 2.0):
            z = z * 2.0
        out[idx] = -z if x > y else +z


def bounded_guard(a: DeviceArray[f32], out: DeviceArray[f32], lo: u32, hi: u32, n: u32):
    """A guard that is not the grid: `lo <= idx < hi` (no early return, kept as scf.if)."""
    idx = get_global_id()
    if idx < n:
        if lo <= idx < hi:
            out[idx] = a[idx]
        elif idx < lo:
            out[idx] = 0.0
        else:
            out[idx] = 1.0
            pass


def bool_flags(x: DeviceArray[f32], flags: DeviceArray[bool_], n: u32):
    idx = get_global_id()
    if idx < n:
        flags[idx] = x[idx] > 0.0 and x[idx] < 10.0


def no_grid(out: DeviceArray[u32]):
    """No guard: the caller must give grid=."""
    idx = get_global_id()
    out[idx] = idx * idx
