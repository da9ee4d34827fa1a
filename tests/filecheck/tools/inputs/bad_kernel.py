from hologram.lang import DeviceArray, f32, u32, get_global_id


def good(a: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        a[idx] = 1.0


def bad(a: DeviceArray[f32], n: u32):
    idx = get_global_id()
    for x in a:
        a[idx] = x
