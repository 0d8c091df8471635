"""EP marginal likelihood of 0/1 labels vs exact Gaussian orthant probabilities."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from minimodels.analysis.bayes.ep import ep_log_marginal, log_pb_given_train, orthant_probability


def orthant_2d(rho: float, same_sign: bool) -> float:
    """P(z1, z2 have the asked signs) for unit-variance correlation ρ: 1/4 + arcsin(±ρ)/2π."""
    return 0.25 + np.arcsin(rho if same_sign else -rho) / (2 * np.pi)


def orthant_3d(K: np.ndarray, labels) -> float:
    """Closed form in 3-D: 1/8 + (arcsin ρ12 + arcsin ρ13 + arcsin ρ23)/4π after sign flips."""
    y = 2 * np.asarray(labels) - 1
    d = np.sqrt(np.diag(K))
    C = K / np.outer(d, d) * np.outer(y, y)
    return 1 / 8 + (np.arcsin(C[0, 1]) + np.arcsin(C[0, 2]) + np.arcsin(C[1, 2])) / (4 * np.pi)


@given(st.floats(0.01, 100.0), st.integers(0, 1))
def test_one_point_has_probability_one_half_whatever_its_variance(variance, label):
    result = ep_log_marginal(np.array([[variance]]), [label])
    assert np.exp(result.log_marginal[0]) == pytest.approx(0.5, rel=1e-9)


@given(st.lists(st.floats(0.1, 10.0), min_size=1, max_size=6), st.data())
def test_independent_points_are_exact_powers_of_one_half(variances, data):
    labels = data.draw(
        st.lists(st.integers(0, 1), min_size=len(variances), max_size=len(variances))
    )
    result = ep_log_marginal(np.diag(variances), labels)
    assert result.log_marginal[0] == pytest.approx(-len(variances) * np.log(2), rel=1e-9)


@given(st.floats(-0.95, 0.95), st.floats(0.2, 5.0), st.booleans())
def test_ep_matches_the_2d_arcsine_formula(rho, scale, same_sign):
    K = scale * np.array([[1.0, rho], [rho, 1.0]])
    labels = [1, 1] if same_sign else [1, 0]
    ep = np.exp(ep_log_marginal(K, labels).log_marginal[0])
    # EP is an approximation: a few percent here, far less than a wrong sign or factor would give
    assert np.log(ep / orthant_2d(rho, same_sign)) == pytest.approx(0.0, abs=0.06)


def test_ep_tracks_the_exact_2d_probability_closely_for_weak_correlation():
    for rho in (-0.3, 0.1, 0.3):
        K = np.array([[1.0, rho], [rho, 1.0]])
        ep = np.exp(ep_log_marginal(K, [1, 1]).log_marginal[0])
        assert ep == pytest.approx(orthant_2d(rho, True), rel=2e-3)


def test_ep_matches_the_3d_closed_form_and_scipy_on_random_kernels():
    rng = np.random.default_rng(3)
    for _ in range(20):
        A = rng.standard_normal((3, 3))
        K = A @ A.T + 0.1 * np.eye(3)
        labels = rng.integers(0, 2, 3)
        exact = orthant_3d(K, labels)
        assert orthant_probability(K, labels, rng=rng) == pytest.approx(exact, abs=1e-5)
        ep = np.exp(ep_log_marginal(K, labels).log_marginal[0])
        assert np.log(ep / exact) == pytest.approx(0.0, abs=0.08)


def test_ep_matches_scipy_integration_in_six_dimensions():
    rng = np.random.default_rng(5)
    A = rng.standard_normal((6, 4))
    K = A @ A.T + 0.5 * np.eye(6)
    labels = rng.integers(0, 2, (5, 6))
    ep = np.exp(ep_log_marginal(K, labels).log_marginal)
    exact = np.array([orthant_probability(K, row, rng=rng) for row in labels])
    np.testing.assert_allclose(np.log(ep / exact), 0.0, atol=0.1)


def test_batched_ep_equals_separate_calls():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((7, 7))
    K = A @ A.T + np.eye(7)
    labels = rng.integers(0, 2, (4, 7))
    batch = ep_log_marginal(K, labels)
    separate = [ep_log_marginal(K, row).log_marginal[0] for row in labels]
    np.testing.assert_allclose(batch.log_marginal, separate, rtol=1e-10)
    assert batch.converged


def test_probit_noise_equals_step_likelihood_on_a_noisier_kernel_for_one_point_pairs():
    # Φ(y z / s) = P(y (z + ε) > 0) with ε ~ N(0, s²): exact for two points via the arcsine law
    K = np.array([[1.0, 0.4], [0.4, 1.0]])
    s = 0.7
    noisy = K + s**2 * np.eye(2)
    rho = noisy[0, 1] / noisy[0, 0]
    ep = np.exp(ep_log_marginal(K, [1, 1], noise=s).log_marginal[0])
    assert ep == pytest.approx(orthant_2d(rho, True), rel=0.02)


def test_posterior_over_test_functions_sums_to_about_one_and_matches_exact_ratios():
    rng = np.random.default_rng(11)
    A = rng.standard_normal((5, 5))
    K = A @ A.T + 0.3 * np.eye(5)
    train = np.array([1, 0])
    tests = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)])
    log_pb = log_pb_given_train(K, train, tests)
    assert np.exp(log_pb).sum() == pytest.approx(1.0, abs=0.05)
    exact_train = orthant_probability(K[:2, :2], train, rng=rng)
    exact = [orthant_probability(K, np.r_[train, t], rng=rng) / exact_train for t in tests]
    np.testing.assert_allclose(np.exp(log_pb), exact, rtol=0.15, atol=2e-3)


def test_bad_labels_are_refused_in_one_sentence():
    with pytest.raises(ValueError, match="0/1"):
        ep_log_marginal(np.eye(2), [1, 2])
    with pytest.raises(ValueError, match="length 2"):
        ep_log_marginal(np.eye(2), [1, 0, 1])


def test_ep_matches_monte_carlo_of_the_nngp_on_twelve_boolean_inputs():
    from minimodels.analysis.bayes.nngp import nngp_kernel, sample_gaussian

    rng = np.random.default_rng(8)
    rows = rng.choice(32, 12, replace=False)
    X = ((rows[:, None] >> np.arange(4, -1, -1)) & 1).astype(float)
    K = nngp_kernel(X, depth=2)
    labels = (X[:, 0] * X[:, 1] > 0).astype(int)
    z = sample_gaussian(K, 400_000, rng=rng) > 0
    monte_carlo = np.mean((z == labels.astype(bool)).all(axis=1))  # ≈ 3e-3: ≈ 1300 hits
    ep = np.exp(ep_log_marginal(K, labels).log_marginal[0])
    assert np.log(ep / monte_carlo) == pytest.approx(0.0, abs=0.15)
