"""Linear algebra: dot, matmul (numpy names) and BLAS-named ops (axpy scal nrm2 ger gemv gemm
symm trmm). Matrices are 2-D C-contiguous arrays; a Fortran-ordered matrix (such as `A.T` of a
C-ordered one) is accepted by gemm/matmul/dot and handled as a transpose, without a copy.
"""

from __future__ import annotations

import numpy as np

from hologram.ops import _checks
from hologram.ops import _checks as C
from hologram.ops._dispatch import alias, op
from hologram.ops._registry import find_kernel, stdlib_kernel
from hologram.ops.elementwise import multiply


def _matrix(name, arg, a, dtypes=(C.F32,)):
    """A 2-D operand as (C-ordered storage, transposed?): F-ordered arrays become `a.T`."""
    if isinstance(a, np.ndarray) and a.ndim == 2 and not a.flags.c_contiguous \
            and a.flags.f_contiguous:
        return C.array(name, arg, a.T, dtypes), True
    return C.array(name, arg, a, dtypes, ndim=2), False


def _scalars(name, **values):
    return [C.scalar(name, k, v) for k, v in values.items()]


# --- level 1 -------------------------------------------------------------------------------------
@op()
def axpy(alpha, x, y, out=None):
    """`out = alpha * x + y` (BLAS axpy; pass `out=y` to update y in place). float32, float64.

    >>> hologram.ops.axpy(2.0, np.ones(2, np.float32), np.ones(2, np.float32))
    array([3., 3.], dtype=float32)
    """
    (alpha,) = _scalars("axpy", alpha=alpha)
    x = C.array("axpy", "x", x, (C.F32, C.F64))
    y = C.array("axpy", "y", y, (C.F32, C.F64))
    C.same_dtype("axpy", x=x, y=y)
    if x.shape != y.shape:
        raise ValueError(f"hologram.ops.axpy: arguments 'x' {x.shape} and 'y' {y.shape} must "
                         "have the same shape")
    out = C.output("axpy", out, x.shape, x.dtype)
    n = x.size
    if n:
        sfx = C.SUFFIX[x.dtype]
        stdlib_kernel(f"axpy_{sfx}")(C.flat(x), C.flat(y), alpha, C.flat(out), n, grid=n)
    return out


@op()
def scal(alpha, x, out=None):
    """`out = alpha * x` (BLAS scal; `out=x` scales in place). float32, float64.

    >>> hologram.ops.scal(3.0, np.ones(2, np.float32))
    array([3., 3.], dtype=float32)
    """
    C.scalar("scal", "alpha", alpha)
    return multiply.impl(x, alpha, out=out)


def _vdot(name, a, b):
    a = C.array(name, "a", a, (C.F32, C.F64), ndim=1)
    b = C.array(name, "b", b, (C.F32, C.F64), ndim=1)
    C.same_dtype(name, a=a, b=b)
    if a.shape != b.shape:
        raise ValueError(f"hologram.ops.{name}: shapes {a.shape} and {b.shape} not aligned")
    res = np.zeros(1, dtype=a.dtype)
    if a.size:
        stdlib_kernel(f"dot_{C.SUFFIX[a.dtype]}")(a, b, res, a.size, grid=a.size)
    return res[0]


@op()
def nrm2(x, out=None):
    """`sqrt(sum x^2)` of a vector (BLAS nrm2, scaled: no overflow or underflow), as a numpy
    scalar of x's dtype (or written into a 0-d `out`).

    >>> hologram.ops.nrm2(np.array([3, 4], np.float32))
    np.float32(5.0)
    """
    x = C.array("nrm2", "x", x, (C.F32, C.F64), ndim=1)
    # Scaled by the largest |x| as BLAS does: 1e20 or 3e-30 neither overflows nor underflows.
    from hologram.ops.reductions import norm

    value = norm(x)
    if out is None:
        return value
    out = C.output("nrm2", out, (), x.dtype)
    out[()] = value
    return out


@op()
def ger(alpha, x, y, a=None, out=None):
    """`out = a + alpha * outer(x, y)` (BLAS ger; `a=None` is a zero matrix), x (m,), y (n,).

    >>> hologram.ops.ger(1.0, np.ones(2, np.float32), np.arange(3, dtype=np.float32))
    array([[0., 1., 2.],
           [0., 1., 2.]], dtype=float32)
    """
    (alpha,) = _scalars("ger", alpha=alpha)
    x = C.array("ger", "x", x, ndim=1)
    y = C.array("ger", "y", y, ndim=1)
    m, n = x.size, y.size
    if a is None:
        a = np.zeros((m, n), np.float32)
    a = C.array("ger", "a", a, ndim=2)
    if a.shape != (m, n):
        raise ValueError(f"hologram.ops.ger: argument 'a' has shape {a.shape}; expected "
                         f"({m}, {n}) from x and y")
    out = C.output("ger", out, (m, n), C.F32)
    if m * n:
        stdlib_kernel("ger_f32")(C.flat(a), x, y, alpha, C.flat(out), m, n, grid=m * n)
    return out


# --- level 2 -------------------------------------------------------------------------------------
@op()
def gemv(A, x, y=None, alpha=1.0, beta=0.0, trans=False, out=None):
    """`out = alpha * op(A) @ x + beta * y`, op(A) = A or A.T (BLAS gemv). `beta == 0` ignores
    `y` (even NaN in it). float32; float64 without `trans`.

    >>> hologram.ops.gemv(np.eye(2, dtype=np.float32), np.array([1, 2], np.float32))
    array([1., 2.], dtype=float32)
    """
    alpha, beta = _scalars("gemv", alpha=alpha, beta=beta)
    A, flipped = _matrix("gemv", "A", A, (C.F32, C.F64))
    trans = bool(trans) != flipped
    x = C.array("gemv", "x", x, (C.F32, C.F64), ndim=1)
    C.same_dtype("gemv", A=A, x=x)
    rows, cols = A.shape
    m, k = (cols, rows) if trans else (rows, cols)
    if x.size != k:
        raise ValueError(f"hologram.ops.gemv: argument 'x' has length {x.size}; op(A) has "
                         f"shape ({m}, {k})")
    if y is not None:
        y = C.array("gemv", "y", y, (A.dtype,), ndim=1)
        if y.size != m:
            raise ValueError(f"hologram.ops.gemv: argument 'y' has length {y.size}; "
                             f"expected {m}")
    elif beta != 0.0:
        raise ValueError("hologram.ops.gemv: beta != 0 needs 'y'")
    out = C.output("gemv", out, (m,), A.dtype, A, x, may_alias=False)
    if y is None:
        y = out  # not read: beta == 0
    if A.dtype == C.F64 and trans:
        C.array("gemv", "A", A, (C.F32,))
    name = "gemv_t_f32" if trans else f"gemv_{C.SUFFIX[A.dtype]}"
    if m:
        stdlib_kernel(name)(C.flat(A), x, y, alpha, beta, out, m, k, cols, grid=m)
    return out


# --- level 3 -------------------------------------------------------------------------------------
_GEMM = {(False, False): "nn", (False, True): "nt", (True, False): "tn", (True, True): "tt"}
_fma_kernels: dict = {}


def _contraction_kernel(name: str, fma: bool):
    """The gemm kernel `name`; with `fma`, compiled with fused multiply-adds in fold-layout's
    contraction nest (as BLAS libraries compute: see docs/passes.md for the tolerance)."""
    if not fma:
        return stdlib_kernel(name)
    import os

    from hologram.passes import DEFAULT_PIPELINE
    from hologram.runtime import load_kernels

    src = find_kernel(name, os.environ.get("HOLOGRAM_KERNEL_PATH", ""))
    key = (name, str(src.path))
    if key not in _fma_kernels:
        pipeline = [(p[:-1] + " fma=true}" if p.startswith("fold-layout{") else p)
                    for p in DEFAULT_PIPELINE]
        _fma_kernels[key] = load_kernels(str(src.path), pipeline=pipeline)[name]
    return _fma_kernels[key]


def _gemm(name, A, B, C_, alpha, beta, trans_a, trans_b, out, dtypes=(C.F32, C.F64), fma=True):
    alpha, beta = _scalars(name, alpha=alpha, beta=beta)
    A, fa = _matrix(name, "A", A, dtypes)
    B, fb = _matrix(name, "B", B, dtypes)
    C.same_dtype(name, A=A, B=B)
    ta, tb = bool(trans_a) != fa, bool(trans_b) != fb
    m, k = (A.shape[1], A.shape[0]) if ta else A.shape
    kb, n = (B.shape[1], B.shape[0]) if tb else B.shape
    if k != kb:
        raise ValueError(f"hologram.ops.{name}: inner dimensions differ: op(A) is ({m}, {k}), "
                         f"op(B) is ({kb}, {n})")
    if C_ is not None:
        C_ = C.array(name, "C", C_, (A.dtype,), ndim=2)
        if C_.shape != (m, n):
            raise ValueError(f"hologram.ops.{name}: argument 'C' has shape {C_.shape}; "
                             f"expected ({m}, {n})")
    elif beta != 0.0:
        raise ValueError(f"hologram.ops.{name}: beta != 0 needs 'C'")
    out = C.output(name, out, (m, n), A.dtype, A, B, may_alias=False)
    c_arg = out if C_ is None else C_
    variant = _GEMM[(ta, tb)]
    if m * n:
        kernel = _contraction_kernel(f"gemm_{variant}_{C.SUFFIX[A.dtype]}", fma)
        kernel(C.flat(A), C.flat(B), C.flat(c_arg), alpha, beta, C.flat(out), m, n, k,
               A.shape[1], B.shape[1], n, grid=m * n)
    return out


@op()
def gemm(A, B, C=None, alpha=1.0, beta=0.0, trans_a=False, trans_b=False, out=None, fma=True):
    """`out = alpha * op(A) @ op(B) + beta * C` (BLAS gemm), op(X) = X or X.T. `beta == 0`
    ignores C (BLAS semantics). float32 or float64, any of the four transpose combinations
    (one contraction nest: the transposed operand is packed, see docs/passes.md). `fma`
    (default True, as in BLAS libraries) computes the products with fused multiply-adds;
    `fma=False` gives the same bits as the kernel's `simulate`.

    >>> A = np.ones((2, 3), np.float32); B = np.ones((3, 4), np.float32)
    >>> hologram.ops.gemm(A, B, alpha=2.0)[0, 0]
    np.float32(6.0)
    """
    return _gemm("gemm", A, B, C, alpha, beta, trans_a, trans_b, out, fma=bool(fma))


@op()
def matmul(x1, x2, out=None):
    """numpy's `matmul` (`x1 @ x2`): float32 2-D @ 2-D is one gemm launch, matrix @ vector a
    gemv; any other ranks follow numpy (1-D operands, stacks whose leading axes broadcast) and
    any numeric dtype promotes as numpy's: float stacks run one gemm per matrix, integers the
    generic `matmul_batched` kernel.

    >>> hologram.ops.matmul(np.eye(2, dtype=np.float32), np.ones((2, 3), np.float32)).shape
    (2, 3)
    """
    fast = isinstance(x1, np.ndarray) and isinstance(x2, np.ndarray) \
        and x1.dtype == x2.dtype == C.F32
    if fast and x1.ndim == 2 and x2.ndim == 2:
        return _gemm("matmul", x1, x2, None, 1.0, 0.0, False, False, out)
    if fast and x1.ndim == 2 and x2.ndim == 1 and x1.flags.c_contiguous:
        return gemv.impl(x1, x2, out=out)
    return _matmul_general(x1, x2, out)


def _matmul_general(x1, x2, out):
    """Any ranks (numpy's rules: 1-D operands gain and lose an axis, leading axes broadcast),
    any numeric dtype (numpy's promotion): float32/float64 stacks run one gemm launch per
    matrix, other dtypes the generic `matmul_batched` kernel."""
    for arg, v in (("x1", x1), ("x2", x2)):
        if not isinstance(v, np.ndarray):
            raise TypeError(f"hologram.ops.matmul: argument '{arg}' must be a numpy array, got "
                            f"{type(v).__name__}")
        if v.ndim == 0:
            raise ValueError(f"hologram.ops.matmul: argument '{arg}' must not be 0-d")
    try:
        dt = np.matmul.resolve_dtypes((x1.dtype, x2.dtype, None))[-1]
    except (TypeError, np.exceptions.DTypePromotionError):
        raise TypeError(f"hologram.ops.matmul: no loop for {x1.dtype} @ {x2.dtype}") from None
    from hologram.ops._ufunc import SUFFIX, copy

    compute = np.dtype(np.int32) if dt.kind in "iu" and dt.itemsize < 4 else dt
    if compute not in SUFFIX or compute == np.bool_:
        raise TypeError(f"hologram.ops.matmul: has no kernel for {dt}")
    a = x1[None, :] if x1.ndim == 1 else x1
    b = x2[:, None] if x2.ndim == 1 else x2
    m, k = a.shape[-2:]
    kb, n = b.shape[-2:]
    if k != kb:
        raise ValueError(f"hologram.ops.matmul: inner dimensions differ: {x1.shape} @ "
                         f"{x2.shape}")
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"hologram.ops.matmul: the stack shapes of {x1.shape} and {x2.shape} "
                         "do not broadcast") from None

    def dense(v, rows, cols):
        v = np.broadcast_to(v, batch + (rows, cols))
        if v.dtype != compute:
            return v.astype(compute, order="C")
        return v if v.flags.c_contiguous else copy(v)

    a, b = dense(a, m, k), dense(b, k, n)
    res = np.empty(batch + (m, n), compute)
    if res.size:
        if compute in (C.F32, C.F64):
            for i in np.ndindex(*batch):
                _gemm("matmul", a[i], b[i], None, 1.0, 0.0, False, False, res[i])
        else:
            stdlib_kernel(f"matmul_batched_{SUFFIX[compute]}")(
                a.reshape(-1), b.reshape(-1), res.reshape(-1), res.size, m, k, n)
    if x1.ndim == 1:
        res = res[..., 0, :]
    if x2.ndim == 1:
        res = res[..., 0]
    if res.dtype != dt:
        res = res.astype(dt)
    if out is not None:
        out = C.output("matmul", out, res.shape, dt)
        out[...] = res
        return out
    return res if res.ndim else res[()]


@op()
def dot(a, b, out=None):
    """numpy's `dot` for 1-D and 2-D operands: vector·vector is `sum a*b` (a scalar),
    matrix·vector a gemv, matrix·matrix a gemm.

    >>> hologram.ops.dot(np.ones(3, np.float32), np.full(3, 2, np.float32))
    np.float32(6.0)
    """
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.ndim == 1 and b.ndim == 1:
        value = _vdot("dot", a, b)
        if out is None:
            return value
        out = C.output("dot", out, (), a.dtype)
        out[()] = value
        return out
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.ndim <= 2 and b.ndim <= 2:
        if a.ndim and b.ndim and a.shape[-1] != b.shape[0]:
            raise ValueError(f"hologram.ops.dot: shapes {a.shape} and {b.shape} not aligned")
        return matmul.impl(a, b, out=out)
    for arg, v in (("a", a), ("b", b)):
        C.array("dot", arg, v)
    raise ValueError(f"hologram.ops.dot: shapes {a.shape} and {b.shape}: only 1-D and 2-D "
                     "operands are supported")


@op()
def symm(A, B, C=None, alpha=1.0, beta=0.0, side="left", lower=True, out=None):
    """`out = alpha * A @ B + beta * C` (side="left") or `alpha * B @ A + beta * C`
    (side="right") with A symmetric: only its lower (lower=True) or upper triangle is read
    (BLAS symm).

    >>> S = np.array([[2, 0], [1, 3]], np.float32)   # lower triangle of [[2, 1], [1, 3]]
    >>> hologram.ops.symm(S, np.eye(2, dtype=np.float32))
    array([[2., 1.],
           [1., 3.]], dtype=float32)
    """
    chk = _checks  # the parameter `C` hides the module alias
    alpha, beta = _scalars("symm", alpha=alpha, beta=beta)
    A = chk.array("symm", "A", A, ndim=2)
    B = chk.array("symm", "B", B, ndim=2)
    m, n = B.shape
    if side not in ("left", "right"):
        raise ValueError(f"hologram.ops.symm: argument 'side' must be 'left' or 'right', "
                         f"got {side!r}")
    k = m if side == "left" else n
    if A.shape != (k, k):
        raise ValueError(f"hologram.ops.symm: argument 'A' has shape {A.shape}; expected "
                         f"({k}, {k}) for side={side!r} and B of shape {B.shape}")
    if C is not None:
        C = chk.array("symm", "C", C, ndim=2)
        if C.shape != (m, n):
            raise ValueError(f"hologram.ops.symm: argument 'C' has shape {C.shape}; expected "
                             f"({m}, {n})")
    elif beta != 0.0:
        raise ValueError("hologram.ops.symm: beta != 0 needs 'C'")
    out = chk.output("symm", out, (m, n), chk.F32, A, B, may_alias=False)
    if m * n:
        c_arg = out if C is None else C  # not read when beta == 0
        stdlib_kernel(f"symm_{side}_f32")(chk.flat(A), chk.flat(B), chk.flat(c_arg), alpha,
                                          beta, chk.flat(out), m, n, int(bool(lower)),
                                          grid=m * n)
    return out


@op()
def trmm(A, B, alpha=1.0, lower=True, trans_a=False, unit_diagonal=False, side="left",
         out=None):
    """`out = alpha * op(A) @ B` (side="left") or `alpha * B @ op(A)` (side="right"), A
    triangular: only its lower (lower=True) or upper triangle is read, and with
    `unit_diagonal=True` its diagonal is taken as 1 (BLAS trmm). side="right" runs three
    launches (two transposes around the left product).

    >>> L = np.array([[1, 9], [2, 3]], np.float32)   # 9 is above the diagonal: ignored
    >>> hologram.ops.trmm(L, np.eye(2, dtype=np.float32))
    array([[1., 0.],
           [2., 3.]], dtype=float32)
    """
    (alpha,) = _scalars("trmm", alpha=alpha)
    A = C.array("trmm", "A", A, ndim=2)
    B = C.array("trmm", "B", B, ndim=2)
    m, n = B.shape
    if side not in ("left", "right"):
        raise ValueError(f"hologram.ops.trmm: argument 'side' must be 'left' or 'right', "
                         f"got {side!r}")
    k = m if side == "left" else n
    if A.shape != (k, k):
        raise ValueError(f"hologram.ops.trmm: argument 'A' has shape {A.shape}; expected "
                         f"({k}, {k}) for side={side!r} and B of shape {B.shape}")
    out = C.output("trmm", out, (m, n), C.F32, A, B, may_alias=False)
    if m * n == 0:
        return out
    kernel = stdlib_kernel("trmm_left_f32")
    flags = (int(bool(lower)), int(bool(trans_a)), int(bool(unit_diagonal)))
    if side == "left":
        kernel(C.flat(A), C.flat(B), alpha, C.flat(out), m, n, *flags, grid=m * n)
        return out
    # B op(A) = (op(A)^T B^T)^T
    from hologram.ops.shape import transpose
    bt = transpose.impl(B)
    res = np.empty((n, m), np.float32)
    kernel(C.flat(A), C.flat(bt), alpha, C.flat(res), n, m, flags[0], 1 - flags[1], flags[2],
           grid=m * n)
    return transpose.impl(res, out=out)


vector_dot = alias("vector_dot", dot)
