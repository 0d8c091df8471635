"""The neural-network Gaussian process (NNGP) of deep fully connected nets.

Data model.  ``X`` is an ``(n, d)`` array of inputs (rows are data points, e.g. the 2^n
Boolean inputs of DESIGN.md §4 as 0/1 floats).  A fully connected net with ``depth`` hidden
layers, weights ``W ~ N(0, σw²/fan_in)`` and biases ``b ~ N(0, σb²)`` (the "Gaussian"
initialisation of DESIGN.md §4) has, in the limit of infinitely wide hidden layers, an output
pre-activation that is a zero-mean Gaussian process over the inputs.  Its covariance
``K[i, j] = E[z(x_i) z(x_j)]`` follows the layer recursion

    K⁰ = σb² + σw² · x·x' / d
    Kˡ = σb² + σw² · E[φ(u) φ(v)],   (u, v) ~ N(0, [[Kˡ⁻¹(x,x), Kˡ⁻¹(x,x')], [·, Kˡ⁻¹(x',x')]])

For ReLU the expectation has Cho & Saul's arc-cosine closed form
``E[relu(u) relu(v)] = √(K_xx K_x'x') (sin θ + (π − θ) cos θ) / 2π`` with ``cos θ`` the
correlation; for any other activation (tanh) it is estimated by Monte Carlo: draw ``m``
joint Gaussian vectors ``u ~ N(0, Kˡ⁻¹)`` over all ``n`` inputs at once and average
``φ(u)ᵀ φ(u) / m`` — the covariance of one hidden layer of ``m`` random units, which is
positive semi-definite by construction.

The sign of the GP output is the net's function (output 1 where ``z > 0``), so orthant
probabilities of ``N(0, K)`` are the prior probabilities P_B of functions (see
:mod:`minimodels.analysis.bayes.ep`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from minimodels.base.errors import UsageError

__all__ = ["ACTIVATIONS", "nngp_kernel", "relu_expectation", "sample_gaussian"]

ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda u: np.maximum(u, 0.0),
    "tanh": np.tanh,
    "erf": lambda u: _erf(u),
}


def _erf(u: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return erf(u)


def relu_expectation(K: np.ndarray) -> np.ndarray:
    """``E[relu(u_i) relu(u_j)]`` for ``u ~ N(0, K)``: the arc-cosine kernel of degree 1."""
    scale = np.sqrt(np.clip(np.diag(K), 0.0, None))
    norms = np.outer(scale, scale)  # (n, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_theta = np.where(norms > 0, K / np.where(norms > 0, norms, 1.0), 1.0)
    theta = np.arccos(np.clip(cos_theta, -1.0, 1.0))
    return norms * (np.sin(theta) + (np.pi - theta) * np.cos(theta)) / (2 * np.pi)


def sample_gaussian(K: np.ndarray, n_samples: int, *, rng: np.random.Generator) -> np.ndarray:
    """``n_samples`` draws of ``N(0, K)`` as an ``(n_samples, n)`` array (K may be singular)."""
    eigenvalues, eigenvectors = np.linalg.eigh(K)
    root = eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))  # (n, n), root @ root.T = K
    return rng.standard_normal((n_samples, K.shape[0])) @ root.T


def nngp_kernel(
    X: np.ndarray,
    *,
    depth: int = 2,
    sigma_w: float = 1.0,
    sigma_b: float = 1.0,
    activation: str = "relu",
    n_mc: int = 20_000,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Covariance ``(n, n)`` of the output pre-activation of an infinitely wide net on ``X``.

    ``depth`` counts hidden layers (7-40-40-1 has depth 2; depth 0 is the perceptron).
    ReLU is exact; other activations (``tanh``, ``erf``) use ``n_mc`` Monte-Carlo units per
    layer and need ``rng``.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise UsageError(f"inputs must be a 2-D (n, d) array, got shape {X.shape}")
    if depth < 0:
        raise UsageError(f"depth must be 0 or more hidden layers, got {depth}")
    if activation not in ACTIVATIONS:
        raise UsageError(
            f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}"
        )
    if activation != "relu" and depth > 0 and rng is None:
        raise UsageError(f"the {activation} kernel is estimated by Monte Carlo and needs rng=")
    K = sigma_b**2 + sigma_w**2 * (X @ X.T) / X.shape[1]
    for _ in range(depth):
        if activation == "relu":
            expectation = relu_expectation(K)
        else:
            assert rng is not None  # refused above
            phi = ACTIVATIONS[activation](sample_gaussian(K, n_mc, rng=rng))  # (m, n)
            expectation = phi.T @ phi / n_mc
        K = sigma_b**2 + sigma_w**2 * expectation
    return K
