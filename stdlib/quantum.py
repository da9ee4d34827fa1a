"""Grover's search, simulated on a state vector.

This is a classical simulation: it stores all 2**q real amplitudes and touches every one of them
in every iteration, so a search over N states costs O(N) work per iteration and
O(N sqrt(N)) in total, more than a plain scan for the marked item. There is no quantum speed-up
here. It is in the stdlib because it is a real data-parallel workload: each iteration is one fused
elementwise pass with a reduction (the oracle's phase flip, summing the new amplitudes) and one
elementwise pass (inversion about the mean, a -> 2 mean - a). The uniform start state is
`fill_f32` of `elementwise.py`.
"""

from hologram.lang import DeviceArray, f32, u32, get_global_id, atomic_add_f32


def grover_oracle_f32(state: DeviceArray[f32], marked: DeviceArray[u32],
                      total: DeviceArray[f32], n: u32):
    # Phase flip of the marked states, and total[0] += the new amplitude (for the mean).
    idx = get_global_id()
    if idx < n:
        v = state[idx]
        if marked[idx] != 0:
            v = -v
        state[idx] = v
        atomic_add_f32(total, v)


def grover_diffuse_f32(state: DeviceArray[f32], mean: f32, out: DeviceArray[f32], n: u32):
    # Inversion about the mean: a -> 2 mean - a.
    idx = get_global_id()
    if idx < n:
        out[idx] = 2.0 * mean - state[idx]
