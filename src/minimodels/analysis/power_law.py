"""Scaling laws: fit ``L(N) = a · N^(−α) + c`` to losses, with bootstrap errors, and find where
the law breaks.

Data model.  ``n`` is a 1-D array of positive sizes (parameters, tokens, steps, …) and
``loss`` the positive loss measured at each; their order does not matter.  The law has three
parameters: the scale ``a > 0``, the exponent ``α ≥ 0`` and the irreducible loss ``c ≥ 0``
(``with_offset=False`` fixes ``c = 0``, a straight line in log–log axes).

* Fitting minimises ``Σ (log L_i − log(a N_i^(−α) + c))²`` — least squares in log space, so
  every point weighs by its *relative* error whatever its size (scipy ``least_squares`` over
  ``(log a, α, c)`` with ``α, c ≥ 0``, started from a line fitted to ``log(L − c₀)`` against
  ``log N`` with ``c₀ = min L / 2``).  With ``c = 0`` that is the closed-form line fit
  ``np.polyfit(log N, log L, 1)``.
* Standard errors come from the bootstrap: resample the points with replacement, refit, and
  take the standard deviation (``ddof=1``) of each parameter over the refits that succeeded
  (:attr:`PowerLaw.n_boot` of them; a resample with too few distinct ``N`` is a failure).
* :func:`breaks_at` — the smallest ``N`` from which on *every* point deviates from the law by
  more than a relative ``tolerance``.

Reference: J. Kaplan, S. McCandlish, T. Henighan, T. B. Brown, B. Chess, R. Child, S. Gray,
A. Radford, J. Wu, D. Amodei, "Scaling laws for neural language models", arXiv:2001.08361
(2020), whose eq. (1.1)–(1.3) are ``L = (N_c / N)^α`` — here ``a = N_c^α``, ``c = 0``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import least_squares

from minimodels.base.errors import UsageError

__all__ = ["PowerLaw", "breaks_at", "fit_power_law"]


@dataclass(frozen=True)
class PowerLaw:
    """A fitted ``L(N) = a · N^(−α) + c``; ``*_se`` are bootstrap standard errors (NaN when
    fewer than two refits succeeded; ``c_se`` is 0 when ``c`` was fixed at 0)."""

    a: float
    alpha: float
    c: float
    a_se: float
    alpha_se: float
    c_se: float
    n_boot: int  # bootstrap refits that succeeded
    residual: float  # RMS of log L − log L̂ over the fitted points

    def predict(self, n: ArrayLike) -> np.ndarray:
        """The law's loss at sizes ``n`` (an array of ``n``'s shape)."""
        return self.a * np.asarray(n, dtype=float) ** (-self.alpha) + self.c


def _log_law(params: np.ndarray, log_n: np.ndarray) -> np.ndarray:
    log_a, alpha, c = params
    log_power = log_a - alpha * log_n
    # log(e^u + c) without overflow in e^u, nor log(0) when c = 0
    return np.logaddexp(log_power, np.log(c)) if c > 0 else log_power


def _fit(
    log_n: np.ndarray, log_loss: np.ndarray, with_offset: bool, start: np.ndarray | None
) -> np.ndarray | None:
    """``(log a, α, c)`` fitted to one set of points, or None when the fit fails."""
    if np.unique(log_n).size < (3 if with_offset else 2):
        return None
    if not with_offset:
        slope, intercept = np.polyfit(log_n, log_loss, 1)
        return np.array([intercept, -slope, 0.0])
    if start is None:
        c0 = 0.5 * np.exp(log_loss.min())
        slope, intercept = np.polyfit(log_n, np.log(np.exp(log_loss) - c0), 1)
        start = np.array([intercept, max(-slope, 1e-3), c0])
    try:
        result = least_squares(
            lambda params: _log_law(params, log_n) - log_loss,
            start,
            bounds=([-np.inf, 0.0, 0.0], [np.inf, np.inf, np.inf]),
        )
    except (ValueError, np.linalg.LinAlgError):
        return None
    return result.x if result.success and np.all(np.isfinite(result.x)) else None


def _check(n: ArrayLike, loss: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    n_arr, loss_arr = np.asarray(n, dtype=float), np.asarray(loss, dtype=float)
    for name, values in (("n", n_arr), ("loss", loss_arr)):
        if values.ndim != 1:
            raise UsageError(f"{name} must be a 1-D array, not shape {values.shape}", option=name)
        if not np.all(np.isfinite(values)):
            raise UsageError(f"{name} contains NaN or infinite values", option=name)
        if values.size and values.min() <= 0:
            raise UsageError(f"{name} must be positive, not {values.min()}", option=name)
    if n_arr.shape != loss_arr.shape:
        raise UsageError(f"n has {n_arr.size} points but loss has {loss_arr.size}", option="loss")
    return n_arr, loss_arr


def fit_power_law(
    n: ArrayLike,
    loss: ArrayLike,
    *,
    bootstrap: int = 200,
    seed: int = 0,
    with_offset: bool = True,
) -> PowerLaw:
    """Fit ``L(N) = a · N^(−α) + c`` in log space, with ``bootstrap`` resamples for errors.

    Needs more distinct sizes than parameters: 4 with the offset ``c``, 3 without.
    Without the offset the line fit is unconstrained: a loss that grows with ``N`` gives ``α < 0``.
    """
    n_arr, loss_arr = _check(n, loss)
    n_params = 3 if with_offset else 2
    if np.unique(n_arr).size <= n_params:
        raise UsageError(
            f"fitting {n_params} parameters needs at least {n_params + 1} distinct sizes n, "
            f"not {np.unique(n_arr).size}",
            option="n",
        )
    if bootstrap < 0:
        raise UsageError(f"bootstrap must be at least 0, not {bootstrap}", option="bootstrap")
    log_n, log_loss = np.log(n_arr), np.log(loss_arr)
    best = _fit(log_n, log_loss, with_offset, start=None)
    if best is None:
        raise UsageError("the power law could not be fitted to these losses", option="loss")
    rng = np.random.default_rng(seed)
    refits = []
    for _ in range(bootstrap):
        pick = rng.integers(0, n_arr.size, size=n_arr.size)
        refit = _fit(log_n[pick], log_loss[pick], with_offset, start=best)
        if refit is not None:
            refits.append(refit)
    # standard errors of (a, α, c), not of log a
    samples = np.array([[np.exp(r[0]), r[1], r[2]] for r in refits]).reshape(-1, 3)
    se = samples.std(axis=0, ddof=1) if len(refits) >= 2 else np.full(3, np.nan)
    residual = np.sqrt(np.mean((log_loss - _log_law(best, log_n)) ** 2))
    return PowerLaw(
        a=float(np.exp(best[0])),
        alpha=float(best[1]),
        c=float(best[2]),
        a_se=float(se[0]),
        alpha_se=float(se[1]),
        c_se=float(se[2]) if with_offset else 0.0,
        n_boot=len(refits),
        residual=float(residual),
    )


def breaks_at(
    n: ArrayLike, loss: ArrayLike, law: PowerLaw, *, tolerance: float = 0.1
) -> float | None:
    """The smallest ``N`` from which on every point deviates from ``law`` by more than
    ``tolerance`` (relative: ``|L − L̂| / L̂``), or None when the largest ``N`` fits.

    Points are taken in increasing ``N``; a lone bad point at the largest ``N`` is a break
    there (there is nothing after it to say otherwise).
    """
    n_arr, loss_arr = _check(n, loss)
    if not tolerance > 0:
        raise UsageError(f"tolerance must be positive, not {tolerance}", option="tolerance")
    order = np.argsort(n_arr, kind="stable")
    n_sorted, loss_sorted = n_arr[order], loss_arr[order]
    predicted = law.predict(n_sorted)
    off = np.abs(loss_sorted - predicted) / predicted > tolerance
    start = n_sorted.size
    while start > 0 and off[start - 1]:
        start -= 1
    return float(n_sorted[start]) if start < n_sorted.size else None
