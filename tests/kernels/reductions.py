"""Reductions through atomics (their results need a zeroed / seeded accumulator)."""

from hologram.lang import (DeviceArray, f32, i32, u32, get_global_id, atomic_add, atomic_add_f32,
                           atomic_max, atomic_min)


def sum_f32(a: DeviceArray[f32], result: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_add_f32(result, a[idx])


def dot(a: DeviceArray[f32], b: DeviceArray[f32], result: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_add_f32(result, a[idx] * b[idx])


def sumsq(a: DeviceArray[f32], result: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        v = a[idx]
        atomic_add(result, 0, v * v)


def max_f32(a: DeviceArray[f32], result: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_max(result, 0, a[idx])


def min_i32(a: DeviceArray[i32], result: DeviceArray[i32], n: u32):
    idx = get_global_id()
    if idx < n:
        atomic_min(result, 0, a[idx])


def count_positive(a: DeviceArray[f32], count: DeviceArray[u32], n: u32):
    idx = get_global_id()
    if idx < n and a[idx] > 0.0:
        atomic_add(count, 0, 1)


def partial_sums(a: DeviceArray[f32], partial: DeviceArray[f32], chunk: u32, n: u32):
    """Each id sums a chunk serially, then one atomic per chunk: grid = number of chunks."""
    idx = get_global_id()
    acc = 0.0
    start = idx * chunk
    for i in range(start, min(start + chunk, n)):
        acc += a[i]
    atomic_add_f32(partial, acc)
