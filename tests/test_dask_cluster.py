"""`hologram.ops` and `@hologram.jit` on Dask arrays under `dask.distributed`: a `LocalCluster` of
two worker processes, each compiling through the shared kernel cache, every result bounded in
time (tests/test_dask.py covers the ops under the local schedulers).
"""

from __future__ import annotations

import sys

import dask.array as da
import numpy as np

import hologram
import hologram.ops as ops


def rand(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-2.0, 2.0, shape).astype(np.float32)

@hologram.jit
def cluster_chain(a, b):
    return ops.tanh(a * b) + 0.5


def test_local_cluster_two_workers(tmp_path):
    import cloudpickle
    from distributed import Client, LocalCluster

    # Plain functions of this file travel by value (cloudpickle); the jitted one by name.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        # The workers share an empty kernel cache of their own: both compile the same kernels
        # at the same time (the cache's atomic renames must make that safe).
        env = {"HOLOGRAM_CACHE_DIR": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1"}
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None, env=env) as cluster, Client(cluster) as client:
            x = rand(400, 300, seed=11)
            dx = da.from_array(x, chunks=(50, 100))
            fused = cluster_chain(dx, dx)
            total = ops.sum(ops.exp(dx), axis=1)
            product = ops.matmul(dx, dx.T)
            got_fused, got_total, got_product, got_arg = client.compute(
                [fused, total, product, ops.argmax(dx)], sync=False)
            np.testing.assert_allclose(got_fused.result(timeout=240), cluster_chain(x, x),
                                       rtol=2e-6, atol=1e-6)
            np.testing.assert_allclose(got_total.result(timeout=240),
                                       np.exp(x).sum(axis=1), rtol=1e-5)
            np.testing.assert_allclose(got_product.result(timeout=240), x @ x.T, rtol=1e-4,
                                       atol=1e-4)
            assert got_arg.result(timeout=240) == np.argmax(x)
            # Two worker processes, which ran Hologram's chunk functions and built their
            # kernels in the workers' cache.
            ran = client.run(lambda: "hologram.dask" in sys.modules)
            assert len(ran) == 2 and any(ran.values())
            assert list((tmp_path / "cache").glob("*/*/manifest.json"))
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
