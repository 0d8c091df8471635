"""P_B of 0/1 labellings under a Gaussian-process prior: expectation propagation (EP).

Data model.  ``K`` is an ``(n, n)`` prior covariance of latent values ``z ~ N(0, K)`` (the
NNGP kernel of :mod:`minimodels.analysis.bayes.nngp`), ``labels`` a 0/1 vector of length ``n`` or a
``(F, n)`` batch of them.  A labelling ``U`` is produced when every ``z_i`` has the sign its
label asks for (1 ⇔ z > 0).  Its prior probability — the *marginal likelihood* P(U) with the
noise-free step likelihood ``1[y_i z_i > 0]``, ``y = 2·label − 1`` — is the Gaussian orthant
probability

    P(U) = P(y_i z_i > 0 for all i),

and Mingard et al.'s Bayesian posterior of a function ``f`` on test inputs ``T`` given the
training labels on ``S`` is ``P_B(f | S) = P(U_{S∪T}) / P(U_S)``.

Exact orthant probabilities are out of reach beyond a few dozen points, so
:func:`ep_log_marginal` approximates ``log P(U)`` with expectation propagation (Rasmussen &
Williams 2006, Algorithms 3.5–3.6) for the probit likelihood ``Φ(y z / s)``; ``s = 0`` (the
default) is the step likelihood above.  Sites are updated in sequence and the posterior is
refreshed from a Cholesky factor after each sweep; everything is vectorised over the batch of
labellings, which share ``K``.  :func:`orthant_probability` is the plain reference (scipy's
Genz integration of the multivariate normal CDF) used to check EP on small problems.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from minimodels.base.errors import UsageError

__all__ = [
    "EPResult",
    "ep_log_marginal",
    "log_pb_given_train",
    "orthant_probability",
]


@dataclass(frozen=True)
class EPResult:
    """EP's answer for a batch of ``F`` labellings of ``n`` points."""

    log_marginal: np.ndarray  # (F,) natural log of P(U)
    mean: np.ndarray  # (F, n) posterior mean of z
    variance: np.ndarray  # (F, n) posterior marginal variance of z
    n_sweeps: int
    converged: bool


def _signs(labels: np.ndarray, n: int) -> np.ndarray:
    labels = np.asarray(labels)
    batch = np.atleast_2d(labels)
    if batch.ndim != 2 or batch.shape[1] != n:
        raise UsageError(
            f"labels must have length {n} (one per kernel row), got shape {labels.shape}"
        )
    if not np.isin(batch, (0, 1)).all():
        raise UsageError("labels must be 0/1")
    return 2.0 * batch.astype(np.float64) - 1.0  # (F, n)


def ep_log_marginal(
    K: np.ndarray,
    labels: np.ndarray,
    *,
    noise: float = 0.0,
    tol: float = 1e-8,
    max_sweeps: int = 200,
    jitter: float = 1e-10,
) -> EPResult:
    """EP approximation of ``log P(U)`` under ``N(0, K)`` for 0/1 labels, shape (n,) or (F, n)."""
    from scipy.special import log_ndtr

    K = np.asarray(K, dtype=np.float64)
    n = K.shape[0]
    if K.shape != (n, n):
        raise UsageError(f"kernel must be square, got shape {K.shape}")
    if noise < 0:
        raise UsageError(f"noise must be ≥ 0, got {noise}")
    y = _signs(labels, n)  # (F, n)
    F = y.shape[0]
    K = K + jitter * np.mean(np.diag(K)) * np.eye(n)
    tau_site = np.zeros((F, n))
    nu_site = np.zeros((F, n))
    Sigma = np.broadcast_to(K, (F, n, n)).copy()  # (F, n, n) posterior covariance
    mu = np.zeros((F, n))
    chol = np.broadcast_to(np.eye(n), (F, n, n))
    converged = False
    sweeps = 0
    while sweeps < max_sweeps:
        sweeps += 1
        old_tau, old_nu = tau_site.copy(), nu_site.copy()
        for i in range(n):
            s_ii = Sigma[:, i, i]  # (F,)
            tau_cav = 1.0 / s_ii - tau_site[:, i]
            mu_i = np.einsum("fj,fj->f", Sigma[:, i, :], nu_site)  # μ = Σ ν̃, row i only
            nu_cav = mu_i / s_ii - nu_site[:, i]
            var_cav = 1.0 / tau_cav
            mean_cav = nu_cav * var_cav
            scale = np.sqrt(noise**2 + var_cav)
            z = y[:, i] * mean_cav / scale
            ratio = np.exp(-0.5 * z**2 - 0.5 * np.log(2 * np.pi) - log_ndtr(z))  # φ(z)/Φ(z)
            mean_hat = mean_cav + y[:, i] * var_cav * ratio / scale
            var_hat = var_cav - var_cav**2 * ratio * (z + ratio) / scale**2
            var_hat = np.maximum(var_hat, 1e-300)
            new_tau = np.maximum(1.0 / var_hat - tau_cav, 0.0)  # log-concave: τ̃ ≥ 0
            delta_tau = new_tau - tau_site[:, i]
            tau_site[:, i] = new_tau
            nu_site[:, i] = mean_hat / var_hat - nu_cav
            # rank-one update of Σ for the change of site i's precision
            column = Sigma[:, :, i]  # (F, n)
            gain = delta_tau / (1.0 + delta_tau * s_ii)  # (F,)
            Sigma -= gain[:, None, None] * column[:, :, None] * column[:, None, :]
        Sigma, mu, chol = _refresh(K, tau_site, nu_site)
        change = max(np.max(np.abs(tau_site - old_tau)), np.max(np.abs(nu_site - old_nu)))
        if change < tol * max(1.0, np.max(np.abs(tau_site))):
            converged = True
            break
    # log Z_EP, Rasmussen & Williams eq. 3.65 in the stable form of their Algorithm 3.6
    s_ii = np.einsum("fii->fi", Sigma)
    tau_cav = 1.0 / s_ii - tau_site
    nu_cav = mu / s_ii - nu_site
    var_cav = 1.0 / tau_cav
    mean_cav = nu_cav * var_cav
    z = y * mean_cav / np.sqrt(noise**2 + var_cav)
    log_det_half = np.log(np.einsum("fii->fi", chol)).sum(axis=1)
    quad_post = 0.5 * np.einsum("fi,fij,fj->f", nu_site, Sigma, nu_site)
    tau_sum = tau_cav + tau_site
    log_z = (
        log_ndtr(z).sum(axis=1)
        + 0.5 * np.log1p(tau_site / tau_cav).sum(axis=1)
        - log_det_half
        + quad_post
        - 0.5 * (nu_site**2 / tau_sum).sum(axis=1)
        + 0.5 * (mean_cav * tau_cav * (tau_site * mean_cav - 2 * nu_site) / tau_sum).sum(axis=1)
    )
    return EPResult(log_z, mu, s_ii, sweeps, converged)


def _refresh(K: np.ndarray, tau_site: np.ndarray, nu_site: np.ndarray):
    """Σ = K − K S½ B⁻¹ S½ K with B = I + S½ K S½, and μ = Σ ν̃ (batched, via Cholesky)."""
    n = K.shape[0]
    root = np.sqrt(tau_site)  # (F, n)
    B = np.eye(n) + root[:, :, None] * K[None] * root[:, None, :]  # (F, n, n)
    L = np.linalg.cholesky(B)  # (F, n, n) lower
    V = np.linalg.solve(L, root[:, :, None] * K[None])  # (F, n, n) = L⁻¹ S½ K
    Sigma = K[None] - np.swapaxes(V, 1, 2) @ V
    mu = np.einsum("fij,fj->fi", Sigma, nu_site)
    return Sigma, mu, L


def orthant_probability(K: np.ndarray, labels: np.ndarray, *, rng: np.random.Generator) -> float:
    """Reference P(U): the Gaussian orthant probability by scipy's (randomised) Genz integration."""
    from scipy.stats import multivariate_normal

    K = np.asarray(K, dtype=np.float64)
    y = _signs(labels, K.shape[0])[0]
    flipped = K * np.outer(y, y)  # P(y z > 0) = P(w < 0) with w = −y z ~ N(0, D K D)
    distribution = multivariate_normal(
        mean=np.zeros(len(y)),
        cov=flipped,
        allow_singular=True,
        maxpts=200_000 * len(y),
        abseps=1e-7,
        releps=1e-7,
    )
    return float(distribution.cdf(np.zeros(len(y)), rng=rng))


def log_pb_given_train(
    K: np.ndarray,
    train_labels: np.ndarray,
    test_functions: np.ndarray,
    **ep_options,
) -> np.ndarray:
    """``log P_B(f | S)`` for each row of ``test_functions`` (``(F, t)`` 0/1).

    ``K`` covers the ``m`` training points first, then the ``t`` test points (``m + t`` rows).
    """
    train_labels = np.asarray(train_labels)
    test_functions = np.atleast_2d(np.asarray(test_functions))
    m = len(train_labels)
    if K.shape[0] != m + test_functions.shape[1]:
        raise UsageError(
            f"kernel has {K.shape[0]} rows but the training set and test functions cover "
            f"{m} + {test_functions.shape[1]} points"
        )
    full = np.hstack([np.broadcast_to(train_labels, (len(test_functions), m)), test_functions])
    # EP holds an (F, n, n) covariance: go through the functions in chunks of bounded memory
    chunk = max(1, int(2**24 // (K.shape[0] ** 2)))
    log_joint = np.concatenate(
        [
            ep_log_marginal(K, full[i : i + chunk], **ep_options).log_marginal
            for i in range(0, len(full), chunk)
        ]
    )
    log_train = ep_log_marginal(K[:m, :m], train_labels, **ep_options).log_marginal[0]
    return log_joint - log_train
