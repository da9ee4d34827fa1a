# RUN: hologram-compile %s | filecheck %s
# Several kernels per file, in file order; seed-style imports; parameter types; names like libm's.
from atlas_kernel import DeviceArray, f32, u32, get_global_id


def exp(a: DeviceArray[f32], out: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        out[idx] = expf(a[idx])


def div(a: DeviceArray[float], b: DeviceArray[int], flag: bool, m: usize, k: int, x: float):
    pass


def log(a: DeviceArray[f64], b: DeviceArray[i64], c: DeviceArray[u64], d: DeviceArray[bool]):
    pass

# CHECK:       builtin.module {
# CHECK-NEXT:    hologram.kernel @exp(%a: memref<?xf32>, %out: memref<?xf32>, %n: i32)
# CHECK:           math.exp
# CHECK:         hologram.kernel @div(%a: memref<?xf32>, %b: memref<?xi32>, %flag: i1, %m: i64, %k: i32, %x: f32)
# CHECK-SAME:      param_types = ["f32[]", "i32[]", "bool", "u64", "i32", "f32"]
# CHECK:         hologram.kernel @log(%a: memref<?xf64>, %b: memref<?xi64>, %c: memref<?xi64>, %d: memref<?xi1>)
# CHECK-SAME:      param_types = ["f64[]", "i64[]", "u64[]", "bool[]"]
