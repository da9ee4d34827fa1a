"""An array API namespace over `hologram.ops`, for the standard's conformance suite.

    ARRAY_API_TESTS_MODULE=hologram.ops.array_api pytest array_api_tests/...

Every function of the standard that `hologram.ops` implements (`IMPLEMENTED`) is the hologram
op; everything else (array creation, dtypes, `finfo`, the array object and its operators, the
functions hologram.ops does not have) is numpy's, which is the array type the ops take and
return. A hologram op that raises raises: nothing falls back to numpy.
"""

from __future__ import annotations

import numpy as _np

import hologram.ops as _ops

__array_api_version__ = "2024.12"

# The standard's functions (2024.12) by category; each is looked up in hologram.ops by the same
# name (hologram.ops spells the standard's names as aliases where numpy's differ).
STANDARD = {
    "elementwise": (
        "abs acos acosh add asin asinh atan atan2 atanh bitwise_and bitwise_left_shift "
        "bitwise_invert bitwise_or bitwise_right_shift bitwise_xor ceil clip conj copysign cos "
        "cosh divide equal exp expm1 floor floor_divide greater greater_equal hypot imag "
        "isfinite isinf isnan less less_equal log log1p log2 log10 logaddexp logical_and "
        "logical_not logical_or logical_xor maximum minimum multiply negative nextafter "
        "not_equal positive pow real reciprocal remainder round sign signbit sin sinh square "
        "sqrt subtract tan tanh trunc").split(),
    "statistical": "cumulative_prod cumulative_sum max mean min prod std sum var".split(),
    "manipulation": ("broadcast_arrays broadcast_to concat expand_dims flip moveaxis "
                     "permute_dims repeat reshape roll squeeze stack tile unstack").split(),
    "searching": "argmax argmin count_nonzero nonzero searchsorted where".split(),
    "sorting": "argsort sort".split(),
    "utility": "all any diff".split(),
    "linear_algebra": "matmul matrix_transpose tensordot vecdot".split(),
    "indexing": "take take_along_axis".split(),
}
IMPLEMENTED: list[str] = sorted(name for names in STANDARD.values() for name in names
                                if name in _ops.OPS)

for _name in IMPLEMENTED:
    globals()[_name] = _ops.OPS[_name]
del _name



def __getattr__(name: str):
    # Everything the standard has that hologram.ops does not implement: numpy's.
    try:
        return getattr(_np, name)
    except AttributeError:
        raise AttributeError(f"module 'hologram.ops.array_api' has no attribute {name!r}") \
            from None


def __dir__():
    return sorted(set(dir(_np)) | set(IMPLEMENTED))
