"""Data-dependent atomics: histograms and stream compaction."""

from hologram.lang import DeviceArray, f32, i32, u32, get_global_id, atomic_add


def histogram(values: DeviceArray[u32], bins: DeviceArray[u32], nbins: u32, n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_add(bins, values[idx] % nbins, 1)


def histogram_f32(x: DeviceArray[f32], bins: DeviceArray[u32], lo: f32, hi: f32, nbins: u32,
                  n: u32):
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        if v >= lo and v < hi:
            b = u32((v - lo) / (hi - lo) * f32(nbins))
            atomic_add(bins, min(b, nbins - 1), 1)


def compact_positive(x: DeviceArray[f32], out: DeviceArray[f32], count: DeviceArray[u32], n: u32):
    """Stream compaction: atomic_add returns the old count, which is this element's slot."""
    idx = get_global_id()
    if idx < n:
        v = x[idx]
        if v > 0.0:
            slot = atomic_add(count, 0, 1)
            out[slot] = v


def compact_indices(flags: DeviceArray[i32], out: DeviceArray[u32], count: DeviceArray[u32],
                    n: u32):
    idx = get_global_id()
    if idx >= n:
        return
    if flags[idx] == 0:
        return
    out[atomic_add(count, 0, 1)] = idx
