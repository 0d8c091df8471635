"""Double descent, exactly: minimum-norm least squares on random ReLU and Legendre features.

Data model.  Inputs ``x`` are ``(n, d)`` float arrays (``(n,)`` for the polynomial curve),
targets ``y`` are ``(n,)``.  A model with ``p`` parameters is a feature matrix
``F = φ(x)`` of shape ``(n, p)`` and coefficients ``β`` of shape ``(p,)``; it predicts ``F β``.
"MSE" is the mean of squared errors over points; "norm" is ``‖β‖₂``.

* Fitting with ``ridge = 0`` is the minimum-norm least-squares solution ``β = F⁺ y``: least
  squares when ``p < n``; when ``p ≥ n`` (and ``F`` has full row rank) the interpolant of
  smallest norm.  With ``ridge = λ > 0`` it minimises ``‖F β − y‖² + λ ‖β‖²`` (sums, not
  means — scikit-learn's ``Ridge(alpha=λ, fit_intercept=False)``).
* Random ReLU features (:func:`random_relu_map`): ``φ(x) = max(0, x W) / √p`` with ``W`` of
  shape ``(d, p)``, entries ``N(0, 1/d)``.  Column ``j`` of ``W`` is row ``j`` of one ``(p, d)``
  standard-normal draw from ``np.random.default_rng(seed)``, so maps of growing ``p`` with one
  seed share their first features: ``√P · map_P(x)[:, :p] == √p · map_p(x)``.  There is no
  bias: a feature whose bias outweighs ``x · w`` is active on every training point, hence
  affine in ``x``; such features span only ``d + 1`` dimensions, so ``F`` loses rank and the
  threshold smears out (with ``b ~ N(0, 1)``, ``d = 5``, ``n = 40`` it often does).
* Legendre features (:func:`polynomial_curve`): ``legvander`` of ``x`` mapped affinely so the
  training inputs span ``[−1, 1]``; degree ``k`` has ``k + 1`` parameters.

As ``p`` grows the test error first falls, then rises to a peak at the interpolation
threshold ``p = n`` (:func:`interpolation_threshold`) where ``F`` is square and its smallest
singular value nearly vanishes, so ``‖β‖`` explodes; beyond it the minimum-norm interpolant
gets smoother and the test error descends a second time.  A ridge penalty removes the peak.

References: M. Belkin, D. Hsu, S. Ma, S. Mandal, "Reconciling modern machine-learning practice
and the classical bias–variance trade-off", PNAS 116 (2019); P. Nakkiran et al., "Deep double
descent: where bigger models and more data hurt", ICLR 2020.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.polynomial import legendre

from minimodels.base.errors import UsageError

__all__ = [
    "interpolation_threshold",
    "min_norm_fit",
    "polynomial_curve",
    "random_features_curve",
    "random_relu_map",
    "ridge_fit",
]


def random_relu_map(d: int, n_features: int, *, seed: int) -> Callable[[np.ndarray], np.ndarray]:
    """The feature map ``x (n, d) -> max(0, x W) / √n_features``, shape ``(n, n_features)``."""
    if d < 1:
        raise UsageError(f"d must be at least 1, not {d}", option="d")
    if n_features < 1:
        raise UsageError(f"n_features must be at least 1, not {n_features}", option="n_features")
    # one row per feature, drawn in order, so a larger map extends a smaller one
    W = np.random.default_rng(seed).standard_normal((n_features, d)).T / np.sqrt(d)  # (d, p)

    def feature_map(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if x.ndim != 2 or x.shape[1] != d:
            raise UsageError(f"x must have shape (n, {d}), not {x.shape}", option="x")
        return np.maximum(0.0, x @ W) / np.sqrt(n_features)

    return feature_map


def min_norm_fit(features: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Minimum-norm least-squares coefficients ``F⁺ y``: ``(n, p), (n,) -> (p,)``."""
    features, y = np.asarray(features, dtype=float), np.asarray(y, dtype=float)
    return np.linalg.lstsq(features, y, rcond=None)[0]


def ridge_fit(features: np.ndarray, y: np.ndarray, *, ridge: float) -> np.ndarray:
    """Coefficients minimising ``‖F β − y‖² + ridge ‖β‖²`` (``ridge = 0``: :func:`min_norm_fit`)."""
    if not ridge >= 0:
        raise UsageError(f"ridge must be at least 0, not {ridge}", option="ridge")
    if ridge == 0:
        return min_norm_fit(features, y)
    F, y = np.asarray(features, dtype=float), np.asarray(y, dtype=float)
    n, p = F.shape
    if p <= n:  # primal: (FᵀF + λI) β = Fᵀy, a p × p system
        return np.linalg.solve(F.T @ F + ridge * np.eye(p), F.T @ y)
    return F.T @ np.linalg.solve(F @ F.T + ridge * np.eye(n), y)  # dual: n × n


def interpolation_threshold(n_train: int) -> int:
    """The parameter count ``p = n_train`` at which the test-error peak sits.

    Below it the model cannot fit every training point; from it on it interpolates them.  At
    exactly ``p = n_train`` there is only one interpolant, usually with a huge norm.  For the
    polynomial curve that is degree ``n_train − 1``.
    """
    if n_train < 1:
        raise UsageError(f"n_train must be at least 1, not {n_train}", option="n_train")
    return int(n_train)


def _check_data(
    x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray, ndim: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    arrays = {
        "x_train": np.asarray(x_train, dtype=float),
        "y_train": np.asarray(y_train, dtype=float),
        "x_test": np.asarray(x_test, dtype=float),
        "y_test": np.asarray(y_test, dtype=float),
    }
    for name, a in arrays.items():
        want = ndim if name.startswith("x") else 1
        if a.ndim != want or a.shape[0] == 0:
            raise UsageError(
                f"{name} must be a non-empty {want}-D array, not {a.shape}", option=name
            )
        if not np.all(np.isfinite(a)):
            raise UsageError(f"{name} contains NaN or infinite values", option=name)
    xtr, ytr, xte, yte = arrays.values()
    if xtr.shape[0] != ytr.shape[0]:
        raise UsageError(
            f"x_train has {xtr.shape[0]} rows but y_train {ytr.shape[0]}", option="y_train"
        )
    if xte.shape[0] != yte.shape[0]:
        raise UsageError(
            f"x_test has {xte.shape[0]} rows but y_test {yte.shape[0]}", option="y_test"
        )
    if xtr.shape[1:] != xte.shape[1:]:
        raise UsageError(f"x_test has shape {xte.shape} but x_train {xtr.shape}", option="x_test")
    return xtr, ytr, xte, yte


def _check_counts(counts: Sequence[int], name: str, smallest: int) -> np.ndarray:
    values = np.asarray(counts)
    if values.ndim != 1 or values.size == 0:
        raise UsageError(f"{name} must be a non-empty list of integers", option=name)
    if not np.issubdtype(values.dtype, np.integer) or values.min() < smallest:
        raise UsageError(
            f"{name} must be integers of at least {smallest}, not {counts}", option=name
        )
    return values.astype(int)


def _curve(
    fits: list[tuple[np.ndarray, np.ndarray, np.ndarray]], y_train: np.ndarray, y_test: np.ndarray
) -> dict[str, np.ndarray]:
    """Train MSE, test MSE and norm of each (train features, test features, coefficients)."""
    return {
        "train_mse": np.array([np.mean((Ftr @ beta - y_train) ** 2) for Ftr, _, beta in fits]),
        "test_mse": np.array([np.mean((Fte @ beta - y_test) ** 2) for _, Fte, beta in fits]),
        "norm": np.array([np.linalg.norm(beta) for _, _, beta in fits]),
    }


def random_features_curve(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    feature_counts: Sequence[int],
    *,
    seed: int,
    ridge: float = 0.0,
) -> dict[str, np.ndarray]:
    """Train MSE, test MSE and ``‖β‖`` of random-ReLU-feature regression for each count.

    Returns arrays ``"features"``, ``"train_mse"``, ``"test_mse"``, ``"norm"``, one entry per
    feature count, in the order given; all counts share the features of one seed.
    """
    xtr, ytr, xte, yte = _check_data(x_train, y_train, x_test, y_test, ndim=2)
    counts = _check_counts(feature_counts, "feature_counts", smallest=1)
    if not ridge >= 0:
        raise UsageError(f"ridge must be at least 0, not {ridge}", option="ridge")
    fits = []
    for p in counts:
        feature_map = random_relu_map(xtr.shape[1], int(p), seed=seed)
        Ftr, Fte = feature_map(xtr), feature_map(xte)
        fits.append((Ftr, Fte, ridge_fit(Ftr, ytr, ridge=ridge)))
    return {"features": counts, **_curve(fits, ytr, yte)}


def polynomial_curve(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    degrees: Sequence[int],
) -> dict[str, np.ndarray]:
    """Train MSE, test MSE and ``‖β‖`` of min-norm Legendre fits of 1-D data for each degree.

    Returns arrays ``"parameters"`` (degree + 1), ``"train_mse"``, ``"test_mse"``, ``"norm"``.
    Inputs are mapped by the affine map taking ``[min x_train, max x_train]`` to ``[−1, 1]``
    (test inputs outside that range are extrapolated).
    """
    xtr, ytr, xte, yte = _check_data(x_train, y_train, x_test, y_test, ndim=1)
    degree_values = _check_counts(degrees, "degrees", smallest=0)
    low, high = xtr.min(), xtr.max()
    if high == low:
        raise UsageError("x_train must contain at least two distinct values", option="x_train")

    def scaled(x: np.ndarray) -> np.ndarray:
        return 2.0 * (x - low) / (high - low) - 1.0

    fits = []
    for degree in degree_values:
        Ftr, Fte = legendre.legvander(scaled(xtr), degree), legendre.legvander(scaled(xte), degree)
        fits.append((Ftr, Fte, min_norm_fit(Ftr, ytr)))
    return {"parameters": degree_values + 1, **_curve(fits, ytr, yte)}
