"""Activation functions, elementwise, written once per op with `@vectorize` (float32 and float64;
the same forms as `elementwise.py`, where `tanh` is).

Formulas follow PyTorch: gelu is the exact erf form (the erfc form below x = -2, where
`1 + erf` loses its digits), gelu_tanh the tanh approximation, softplus has beta = 1 and is
computed in the overflow-free form max(x, 0) + log1p(exp(-|x|)). Limits are exact: gelu and silu
of -inf are -0.0, of +inf +inf.
"""

from hologram.lang import FLOATS, T, exp, log1p, expm1, tanh, erf, vectorize


def _erfc_large(z):
    # erfc(z) for z >= sqrt(2) from its continued fraction, evaluated backwards:
    # exp(-z^2) / sqrt(pi) / (z + 1/2 / (z + 1 / (z + 3/2 / (z + ...)))); 100 terms are exact
    # to double precision there.
    t = z
    k = 100
    while k > 0:
        t = z + 0.5 * k / t
        k -= 1
    return exp(-z * z) * 0.5641895835477563 / t


@vectorize(T=FLOATS)
def relu(v):
    # max(x, 0); NaN stays NaN, as torch.relu.
    return T(0) if v < 0.0 else v


@vectorize(T=FLOATS, inputs=1)
def leaky_relu(v, alpha: T):
    return alpha * v if v < 0.0 else v


@vectorize(T=FLOATS)
def sigmoid(v):
    # 1 / (1 + exp(-x)): exp overflows to inf for x < -88 (f32) and the result is then exactly 0.
    return 1.0 / (1.0 + exp(-v))


@vectorize(T=FLOATS)
def gelu(v):
    # x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) = 0.5 x erfc(-x / sqrt 2); below -2, where
    # 1 + erf cancels (a float32 loses 3 digits at -4), the erfc form.
    if v < -2.0:
        if v < -40.0:
            return -T(0)  # the limit; v * erfc would be -inf * 0 at -inf
        return 0.5 * v * _erfc_large(-v * 0.70710678118654752)
    return 0.5 * v * (1.0 + erf(v * 0.70710678118654752))


@vectorize(T=FLOATS)
def gelu_tanh(v):
    # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    if v < -40.0:
        return -T(0)
    return 0.5 * v * (1.0 + tanh(0.79788456080286536 * (v + 0.044715 * v * v * v)))


@vectorize(T=FLOATS)
def silu(v):
    # x * sigmoid(x); for x < 0 as x e / (1 + e), e = exp(x), so -inf gives -0.0, not NaN.
    if v >= 0.0:
        return v / (1.0 + exp(-v))
    e = exp(v)
    if e == 0.0:
        return -T(0)
    return v * e / (1.0 + e)


@vectorize(T=FLOATS)
def softplus(v):
    # log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), which never overflows.
    pos = v if v > 0.0 else T(0)
    return pos + log1p(exp(-abs(v)))


@vectorize(T=FLOATS, inputs=1)
def elu(v, alpha: T):
    # x for x > 0, alpha (exp(x) - 1) otherwise.
    return v if v > 0.0 else alpha * expm1(v)
