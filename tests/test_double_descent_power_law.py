"""Double descent (closed-form least squares) and power-law fits, against independent oracles:
the pseudoinverse, the dual closed form, scikit-learn's Ridge, numpy's legfit, and synthetic
laws with known parameters."""

import numpy as np
import pytest
from numpy.polynomial import legendre
from sklearn.linear_model import Ridge

from minimodels.analysis.double_descent import (
    interpolation_threshold,
    min_norm_fit,
    polynomial_curve,
    random_features_curve,
    random_relu_map,
    ridge_fit,
)
from minimodels.analysis.power_law import PowerLaw, breaks_at, fit_power_law
from minimodels.base.errors import UsageError

N_TRAIN, D = 40, 5
COUNTS = np.array([10, 20, 25, 30, 35, 38, 40, 42, 45, 50, 60, 80, 120, 200])
WINDOW = (COUNTS >= N_TRAIN // 2) & (COUNTS <= 2 * N_TRAIN)
SEEDS = range(5)


def _teacher_task(seed: int, n_test: int = 500):
    """y = x · β* + 0.3 ε with x ~ N(0, I_5): a noisy linear teacher."""
    rng = np.random.default_rng(seed)
    beta = rng.standard_normal(D) / np.sqrt(D)
    x_train, x_test = rng.standard_normal((N_TRAIN, D)), rng.standard_normal((n_test, D))
    y_train = x_train @ beta + 0.3 * rng.standard_normal(N_TRAIN)
    y_test = x_test @ beta + 0.3 * rng.standard_normal(n_test)
    return x_train, y_train, x_test, y_test


@pytest.fixture(scope="module")
def curves():
    """Min-norm and ridge (λ = 0.1) curves for 5 teacher tasks, each with its own features."""
    plain, ridged = [], []
    for seed in SEEDS:
        data = _teacher_task(seed)
        plain.append(random_features_curve(*data, COUNTS, seed=seed))
        ridged.append(random_features_curve(*data, COUNTS, seed=seed, ridge=0.1))
    return plain, ridged


@pytest.mark.parametrize("shape", [(30, 8), (8, 30), (12, 12)])
def test_min_norm_fit_is_the_pseudoinverse_solution(shape):
    rng = np.random.default_rng(1)
    F, y = rng.standard_normal(shape), rng.standard_normal(shape[0])
    np.testing.assert_allclose(min_norm_fit(F, y), np.linalg.pinv(F) @ y, atol=1e-10)
    np.testing.assert_allclose(min_norm_fit(F, y), np.linalg.lstsq(F, y, rcond=None)[0])


def test_underdetermined_min_norm_fit_interpolates_with_the_smallest_norm():
    rng = np.random.default_rng(2)
    F, y = rng.standard_normal((10, 25)), rng.standard_normal(10)
    beta = min_norm_fit(F, y)
    assert np.max(np.abs(F @ beta - y)) < 1e-10
    np.testing.assert_allclose(beta, F.T @ np.linalg.solve(F @ F.T, y), atol=1e-10)
    null_space = np.linalg.svd(F)[2][10:]  # (15, 25): rows with F v = 0
    for v in null_space[:5]:
        other = beta + 0.3 * v
        assert np.max(np.abs(F @ other - y)) < 1e-10
        assert np.linalg.norm(other) > np.linalg.norm(beta) + 1e-3


@pytest.mark.parametrize("shape", [(40, 12), (12, 40)])
@pytest.mark.parametrize("ridge", [1e-3, 0.1, 5.0])
def test_ridge_fit_matches_sklearn_ridge_without_intercept(shape, ridge):
    rng = np.random.default_rng(3)
    F, y = rng.standard_normal(shape), rng.standard_normal(shape[0])
    oracle = Ridge(alpha=ridge, fit_intercept=False, solver="svd").fit(F, y).coef_
    np.testing.assert_allclose(ridge_fit(F, y, ridge=ridge), oracle, atol=1e-9)


def test_random_relu_maps_of_one_seed_are_nested_and_seeds_differ():
    x = np.random.default_rng(4).standard_normal((7, D))
    small, large = random_relu_map(D, 10, seed=9)(x), random_relu_map(D, 30, seed=9)(x)
    assert small.shape == (7, 10) and large.shape == (7, 30)
    np.testing.assert_allclose(np.sqrt(30) * large[:, :10], np.sqrt(10) * small, rtol=1e-12)
    assert np.all(small >= 0) and np.any(small > 0)
    assert not np.allclose(random_relu_map(D, 10, seed=8)(x), small)


def test_random_features_test_error_peaks_at_the_interpolation_threshold(curves):
    plain, _ = curves
    # mean log test MSE over 5 tasks: each task's peak sits at 38..45 (p = 40 in 86 of 100
    # tasks tried); the mean put it at exactly 40 in all 20 groups of 5 tried
    mean_log = np.mean([np.log(c["test_mse"]) for c in plain], axis=0)
    peak = COUNTS[WINDOW][np.argmax(mean_log[WINDOW])]
    assert peak == interpolation_threshold(N_TRAIN) == N_TRAIN
    for curve in plain:
        np.testing.assert_array_equal(curve["features"], COUNTS)
        below, above = COUNTS < N_TRAIN, COUNTS >= N_TRAIN
        assert np.all(curve["train_mse"][below] > 1e-6)  # smallest seen: 1.7e-4
        assert np.all(curve["train_mse"][above] < 1e-12)  # largest seen: 1e-25
        # the second descent: at p = 5 n the error is back below the peak (by 4.5x to 10^5x,
        # median 48x, over 100 tasks)
        assert curve["test_mse"][-1] < curve["test_mse"][WINDOW].max() / 3
    # the norm peaks there too (one task's at 38..42; the mean of 5 at 40 in 20 groups of 5)
    assert COUNTS[np.argmax(np.mean([np.log(c["norm"]) for c in plain], axis=0))] == N_TRAIN


def test_ridge_removes_the_peak(curves):
    plain, ridged = curves
    # geometric-mean peak heights over 5 tasks: the ratio was 50..830 over 20 groups of 5
    peak_plain = np.exp(np.mean([np.log(c["test_mse"][WINDOW].max()) for c in plain]))
    peak_ridge = np.exp(np.mean([np.log(c["test_mse"][WINDOW].max()) for c in ridged]))
    assert peak_plain / peak_ridge > 10
    assert all(np.all(c["train_mse"] > 1e-6) for c in ridged)  # ridge never interpolates


def test_polynomial_curve_matches_legfit_below_n_and_interpolates_at_n_minus_1():
    rng = np.random.default_rng(5)
    n = 15
    x_train = rng.uniform(-2.0, 3.0, n)
    y_train = np.sin(x_train) + 0.1 * rng.standard_normal(n)
    x_test = np.linspace(x_train.min(), x_train.max(), 50)
    y_test = np.sin(x_test)
    degrees = [0, 3, 7, n - 2, n - 1, 30]
    curve = polynomial_curve(x_train, y_train, x_test, y_test, degrees)
    np.testing.assert_array_equal(curve["parameters"], np.array(degrees) + 1)
    scale = 2.0 / (x_train.max() - x_train.min())
    s_train, s_test = (x_train - x_train.min()) * scale - 1, (x_test - x_train.min()) * scale - 1
    for i, degree in enumerate(degrees[:4]):
        coef = legendre.legfit(s_train, y_train, degree)
        train = np.mean((legendre.legval(s_train, coef) - y_train) ** 2)
        test = np.mean((legendre.legval(s_test, coef) - y_test) ** 2)
        np.testing.assert_allclose(curve["norm"][i], np.linalg.norm(coef), rtol=1e-7)
        np.testing.assert_allclose(curve["train_mse"][i], train, rtol=1e-7)
        np.testing.assert_allclose(curve["test_mse"][i], test, rtol=1e-7)
    assert curve["train_mse"][3] > 1e-6
    assert np.all(curve["train_mse"][4:] < 1e-16)


def test_polynomial_test_error_peaks_where_parameters_equal_points():
    n, degrees = 15, range(40)
    logs = []
    for seed in range(5):
        rng = np.random.default_rng(seed)
        x_train = rng.uniform(-1, 1, n)
        x_test = np.linspace(x_train.min(), x_train.max(), 200)
        y_train = np.sin(3 * x_train) + 0.1 * rng.standard_normal(n)
        curve = polynomial_curve(x_train, y_train, x_test, np.sin(3 * x_test), degrees)
        logs.append(np.log(curve["test_mse"]))
    # one task's peak was at p = n in 44 of 50 tried, at p = n - 1 in 5, at p = 1 in 1
    peak = np.argmax(np.mean(logs, axis=0)) + 1
    assert peak == interpolation_threshold(n)


def _noisy_law(seed: int):
    n = np.logspace(1, 5, 20)
    rng = np.random.default_rng(seed)
    return n, (3 * n**-0.5 + 0.1) * np.exp(0.02 * rng.standard_normal(n.size))


def test_fit_power_law_recovers_a_noisy_law_within_three_standard_errors():
    law = fit_power_law(*_noisy_law(0), bootstrap=200, seed=0)
    # over 100 noise seeds |α̂ − 0.5| > 3 SE in 2: the bootstrap SE of 20 points runs small
    assert law.n_boot == 200
    assert abs(law.alpha - 0.5) < 3 * law.alpha_se and law.alpha_se < 0.1
    assert abs(law.a - 3.0) < 3 * law.a_se and abs(law.c - 0.1) < 3 * law.c_se
    assert 0.01 < law.residual < 0.03  # the 2 % log noise, less what three parameters absorb
    n = np.array([10.0, 1e3])
    np.testing.assert_allclose(law.predict(n), law.a * n**-law.alpha + law.c)


def test_fit_without_offset_recovers_a_pure_power_law_exactly():
    n = np.logspace(0.5, 6, 12)
    law = fit_power_law(n, 7.0 * n**-0.076, with_offset=False, bootstrap=20)
    assert abs(law.alpha - 0.076) < 1e-6 and abs(law.a - 7.0) < 1e-6
    assert law.c == 0.0 and law.c_se == 0.0 and law.alpha_se < 1e-6


def test_bootstrap_error_of_a_line_agrees_with_the_least_squares_standard_error():
    n = np.logspace(1, 5, 20)
    log_n = np.log(n)
    loss = 3 * n**-0.5 * np.exp(0.05 * np.random.default_rng(0).standard_normal(n.size))
    law = fit_power_law(n, loss, with_offset=False, bootstrap=500, seed=0)
    residuals = np.log(loss) - (np.log(law.a) - law.alpha * log_n)
    ols_se = np.sqrt(residuals @ residuals / (n.size - 2) / np.sum((log_n - log_n.mean()) ** 2))
    # the ratio was 0.82..1.27 over 30 noise seeds
    assert 0.6 < law.alpha_se / ols_se < 1.6


def test_residual_is_the_rms_of_the_log_residuals():
    n = np.logspace(1, 4, 9)
    basis = np.column_stack([np.ones(n.size), np.log(n)])
    noise = np.random.default_rng(1).standard_normal(n.size)
    noise -= basis @ np.linalg.lstsq(basis, noise, rcond=None)[0]  # nothing a line can fit
    law = fit_power_law(n, 2.0 * n**-0.3 * np.exp(0.1 * noise), with_offset=False, bootstrap=0)
    np.testing.assert_allclose([law.a, law.alpha], [2.0, 0.3], rtol=1e-10)
    np.testing.assert_allclose(law.residual, 0.1 * np.sqrt(np.mean(noise**2)), rtol=1e-10)


def test_fit_is_reproducible_and_independent_of_point_order():
    n, loss = _noisy_law(1)
    first = fit_power_law(n, loss, bootstrap=10, seed=4)
    assert fit_power_law(n, loss, bootstrap=10, seed=4) == first
    shuffled = np.random.default_rng(0).permutation(n.size)
    again = fit_power_law(n[shuffled], loss[shuffled], bootstrap=0)
    np.testing.assert_allclose([again.a, again.alpha, again.c], [first.a, first.alpha, first.c])
    assert again.n_boot == 0 and np.isnan(again.alpha_se)


def test_breaks_at_finds_where_the_loss_flattens():
    n = np.logspace(1, 5, 20)
    clean = 3 * n**-0.5 + 0.1
    flat = np.where(n <= 1000, clean, 3 * 1000**-0.5 + 0.1)
    law = fit_power_law(n[n <= 1000], flat[n <= 1000], bootstrap=0)
    for tolerance in (0.05, 0.1):
        # independent of the fit: the first size past 1000 where the true law is off by more
        off = np.abs(flat - clean) / clean > tolerance
        expected = n[off][0]
        assert np.all(off[n >= expected]) and 1000 < expected < 4000
        assert breaks_at(n, flat, law, tolerance=tolerance) == pytest.approx(expected)
    assert breaks_at(n[::-1], flat[::-1], law) == pytest.approx(n[off][0])  # order-free


def test_breaks_at_is_none_for_clean_data_and_for_a_lone_outlier():
    n = np.logspace(1, 5, 20)
    law = PowerLaw(a=3.0, alpha=0.5, c=0.1, a_se=0, alpha_se=0, c_se=0, n_boot=0, residual=0)
    clean = law.predict(n)
    assert breaks_at(n, clean, law) is None
    spiked = clean.copy()
    spiked[10] *= 2  # one bad point with good ones after it is not a break
    assert breaks_at(n, spiked, law) is None
    spiked[-1] *= 2  # the last point has nothing after it to vouch for the law
    assert breaks_at(n, spiked, law) == n[-1]
    assert breaks_at(n, 1.5 * clean, law) == n[0]  # off everywhere: broken from the start


_X = np.random.default_rng(0).standard_normal((6, 2))
_Y = np.arange(6.0)
_NAN_X = np.where(np.eye(6, 2) == 1, np.nan, _X)
_N, _L = np.logspace(1, 3, 6), np.logspace(0, -1, 6)
_LAW = PowerLaw(a=1.0, alpha=0.5, c=0.0, a_se=0, alpha_se=0, c_se=0, n_boot=0, residual=0)


@pytest.mark.parametrize(
    ("call", "option"),
    [
        (lambda: random_features_curve(_X, _Y, _X, _Y, [], seed=0), "feature_counts"),
        (lambda: random_features_curve(_X, _Y, _X, _Y, [3, 0], seed=0), "feature_counts"),
        (lambda: random_features_curve(_X, _Y, _X, _Y, [2.5], seed=0), "feature_counts"),
        (lambda: random_features_curve(_X, _Y[:5], _X, _Y, [3], seed=0), "y_train"),
        (lambda: random_features_curve(_X, _Y, _X[:, :1], _Y, [3], seed=0), "x_test"),
        (lambda: random_features_curve(_NAN_X, _Y, _X, _Y, [3], seed=0), "x_train"),
        (lambda: random_features_curve(_X, _Y, _X, _Y, [3], seed=0, ridge=-1), "ridge"),
        (lambda: random_relu_map(2, 0, seed=0), "n_features"),
        (lambda: random_relu_map(2, 3, seed=0)(_X[:, :1]), "x"),
        (lambda: polynomial_curve(_Y, _Y, _Y, _Y, [-1]), "degrees"),
        (lambda: polynomial_curve(np.ones(6), _Y, _Y, _Y, [2]), "x_train"),
        (lambda: polynomial_curve(_X, _Y, _Y, _Y, [2]), "x_train"),
        (lambda: interpolation_threshold(0), "n_train"),
        (lambda: fit_power_law(_N[:3], _L[:3]), "n"),
        (lambda: fit_power_law(_N[:2], _L[:2], with_offset=False), "n"),
        (lambda: fit_power_law(np.full(6, 10.0), _L), "n"),
        (lambda: fit_power_law(-_N, _L), "n"),
        (lambda: fit_power_law(_N, _L * 0), "loss"),
        (lambda: fit_power_law(_N, np.where(_N > 100, np.nan, _L)), "loss"),
        (lambda: fit_power_law(_N, _L[:5]), "loss"),
        (lambda: fit_power_law(_N, _L, bootstrap=-1), "bootstrap"),
        (lambda: breaks_at(_N, _L, _LAW, tolerance=0), "tolerance"),
    ],
)
def test_bad_input_raises_usage_error_naming_the_option(call, option):
    with pytest.raises(UsageError) as caught:
        call()
    assert caught.value.options == (option,)
    assert str(caught.value) and "\n" not in str(caught.value)  # one sentence, one line
