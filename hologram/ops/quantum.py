"""Grover's search simulated on a state vector (a classical simulation: no quantum speed-up)."""

from __future__ import annotations

import math

import numpy as np

from hologram.ops import _checks as C
from hologram.ops._dispatch import op
from hologram.ops._registry import stdlib_kernel


@op()
def grover_search(num_qubits, marked, iterations=None, out=None):
    """Simulate Grover's algorithm on `num_qubits` qubits with real float32 amplitudes and
    return the final state vector (length 2**num_qubits); `state**2` is the probability of each
    basis state. `marked` is an index or a sequence of indices the oracle flips; `iterations`
    defaults to `floor(pi/4 * sqrt(N / M))`. Each iteration is an oracle pass fused with the sum
    of the amplitudes and an inversion-about-the-mean pass.

    This is a classical simulation: every iteration touches all N amplitudes, so it costs
    O(N sqrt N) work in total, more than scanning for the marked item. There is no quantum
    speed-up; it is here as a data-parallel workload.

    >>> state = hologram.ops.grover_search(6, 42)
    >>> int(np.argmax(state ** 2)), round(float(state[42] ** 2), 3)
    (42, 0.997)
    """
    q = C.integer("grover_search", "num_qubits", num_qubits, 1)
    if q > 31:
        raise ValueError(f"hologram.ops.grover_search: num_qubits must be at most 31, got {q}")
    n = 1 << q
    idx = np.atleast_1d(np.asarray(marked))
    if idx.dtype.kind not in "iu" or idx.size == 0:
        raise TypeError("hologram.ops.grover_search: argument 'marked' must be an index or a "
                        "non-empty sequence of indices")
    if idx.min() < 0 or idx.max() >= n:
        raise ValueError(f"hologram.ops.grover_search: marked index out of range [0, {n})")
    mask = np.zeros(n, np.uint32)
    mask[idx] = 1
    m = int(mask.sum())
    if iterations is None:
        iterations = int(math.floor(math.pi / 4 * math.sqrt(n / m)))
    iterations = C.integer("grover_search", "iterations", iterations, 0)
    state = C.output("grover_search", out, (n,), C.F32)
    stdlib_kernel("fill_f32")(1.0 / math.sqrt(n), state, n, grid=n)
    oracle = stdlib_kernel("grover_oracle_f32")
    diffuse = stdlib_kernel("grover_diffuse_f32")
    total = np.zeros(1, np.float32)
    for _ in range(iterations):
        total[0] = 0.0
        oracle(state, mask, total, n, grid=n)
        diffuse(state, float(total[0]) / n, state, n, grid=n)
    return state
