"""`hologram.ops`: array operations on numpy arrays, each one stdlib kernel (or a few launches).

Names follow numpy where numpy has the op, PyTorch/ONNX otherwise, BLAS for BLAS; the seed's
names (`vector_add` ...) are aliases. Conventions (see docs/ops.md): float32 arrays (float64
where a kernel exists), a new array is returned unless `out=` is given, reductions take `axis`
(None = the whole array), binary ops broadcast scalars and block-shaped operands, and a wrong
dtype or shape is an error naming the op and the argument; nothing is converted silently.

    >>> import numpy as np, hologram
    >>> hologram.ops.sigmoid(np.zeros(3, np.float32))
    array([0.5, 0.5, 0.5], dtype=float32)

Kernels are found by name with `stdlib_kernel` (user directories in `$HOLOGRAM_KERNEL_PATH`
first), compiled on first use and cached on disk; `precompile()` builds them all ahead of time
and `kernel_listing()` shows where each comes from.
"""

from hologram.ops._dispatch import OPS
from hologram.ops._registry import (
    STDLIB_DIR,
    KernelPathError,
    kernel_listing,
    precompile,
    stdlib_kernel,
)
from hologram.ops.elementwise import (  # noqa: A004 - numpy's names
    ELEMENTWISE_KERNELS, F64_KERNELS, SUPPORTED,
    abs_ as abs, absolute, acos, acosh, add, arccos, arccosh, arcsin, arcsinh, arctan, arctan2,
    arctanh, asin, asinh, atan, atan2, atanh, ceil, clip, conj, conjugate, copysign, cos, cosh,
    divide, elu, equal, erf, imag, real,
    exp, expm1, floor, floor_divide, fma, gelu, greater, greater_equal, hypot, isfinite, isinf,
    isnan, leaky_relu, less, less_equal, log, log1p, log2, log10, logaddexp, logical_and,
    logical_not, logical_or, logical_xor, maximum, minimum, multiply, negative, not_equal,
    positive, pow, power, reciprocal, relu, remainder, rint, round_ as round, rsqrt, sigmoid,
    sign, signbit, silu, sin, sinh, softplus, sqrt, square, subtract, tan, tanh, true_divide, trunc,
    vector_add, vector_mul, vector_sub, where,
)
from hologram.ops.linalg import (
    axpy,
    dot,
    gemm,
    gemv,
    ger,
    matmul,
    nrm2,
    scal,
    symm,
    trmm,
    vector_dot,
)
from hologram.ops.nn import (
    attention_scores, avg_pool2d, batch_norm, conv1d, conv2d, cross_entropy, embedding,
    global_avg_pool, group_norm, layer_norm, log_softmax, max_pool2d, rms_norm, softmax,
)
from hologram.ops.quantum import grover_search
from hologram.ops.reductions import (  # noqa: A004 - numpy's names
    all_ as all, any_ as any, argmax, argmin, count_nonzero, cumprod, cumsum, cumulative_prod,
    cumulative_sum, diff, logsumexp, max_ as max, mean,
    min_ as min, norm, prod, std, sum_ as sum, var, vecdot, vector_sum,
)
from hologram.ops.shape import (  # noqa: A004
    argsort, broadcast_to, concat, concatenate, expand_dims, flip, gather, matrix_transpose,
    moveaxis, outer, pad, unstack,
    permute_dims, repeat, reshape, roll, slice_ as slice, sort, split, squeeze, stack, take,
    tile, transpose, tril, triu,
)

__all__ = sorted(OPS) + [
    "ELEMENTWISE_KERNELS", "F64_KERNELS", "SUPPORTED", "OPS", "STDLIB_DIR", "KernelPathError",
    "kernel_listing", "precompile", "stdlib_kernel",
]
