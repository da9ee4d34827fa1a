from hologram.lang import DeviceArray, f32, u32, get_global_id


def scale(a: DeviceArray[f32], alpha: f32, n: u32):
    idx = get_global_id()
    if idx < n:
        a[idx] = a[idx] * alpha


def shift(a: DeviceArray[f32], beta: f32, n: u32):
    idx = get_global_id()
    if idx < n:
        a[idx] = a[idx] + beta
