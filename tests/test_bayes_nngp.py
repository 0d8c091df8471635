"""The NNGP kernel vs Monte-Carlo estimates from sampled wide nets, and its closed forms."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from minimodels.analysis.bayes.ep import orthant_probability
from minimodels.analysis.bayes.nngp import nngp_kernel, relu_expectation, sample_gaussian


def boolean_inputs(n: int) -> np.ndarray:
    """All 2^n inputs, row i the binary expansion of i with x1 the most significant bit."""
    return ((np.arange(2**n)[:, None] >> np.arange(n - 1, -1, -1)) & 1).astype(float)


def wide_net_outputs(X, *, width, depth, n_nets, sigma_w, sigma_b, activation, rng):
    """Output pre-activations (n_nets, n) of randomly initialised nets, Gaussian init §4."""
    phi = {"relu": lambda u: np.maximum(u, 0), "tanh": np.tanh}[activation]
    outputs = np.empty((n_nets, len(X)))
    for k in range(n_nets):
        h, fan_in = X, X.shape[1]
        for _ in range(depth):
            W = rng.standard_normal((fan_in, width)) * sigma_w / np.sqrt(fan_in)
            h = phi(h @ W + sigma_b * rng.standard_normal(width))
            fan_in = width
        w = rng.standard_normal(fan_in) * sigma_w / np.sqrt(fan_in)
        outputs[k] = h @ w + sigma_b * rng.standard_normal()
    return outputs


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_kernel_matches_the_covariance_of_sampled_wide_nets(activation):
    rng = np.random.default_rng(0)
    X = boolean_inputs(3)
    outputs = wide_net_outputs(
        X, width=128, depth=2, n_nets=3000, sigma_w=1.5, sigma_b=0.5, activation=activation, rng=rng
    )
    empirical = outputs.T @ outputs / len(outputs)
    K = nngp_kernel(X, depth=2, sigma_w=1.5, sigma_b=0.5, activation=activation, rng=rng)
    # 3000 nets: Monte-Carlo error ≈ √(2/3000) ≈ 3 % of the diagonal scale
    np.testing.assert_allclose(empirical, K, atol=0.1 * K.max())
    assert not np.allclose(K, K[0, 0])  # the test would be vacuous for a constant kernel


def test_relu_arc_cosine_closed_form_matches_monte_carlo():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((5, 3))
    K = A @ A.T + 0.1 * np.eye(5)
    u = sample_gaussian(K, 100_000, rng=rng)
    relu = np.maximum(u, 0)
    np.testing.assert_allclose(relu_expectation(K), relu.T @ relu / len(u), rtol=0.03, atol=0.02)


@given(st.floats(0.3, 3.0), st.floats(0.0, 2.0), st.integers(0, 5))
def test_relu_diagonal_follows_the_variance_recursion(sigma_w, sigma_b, depth):
    # for ReLU E[relu(u)²] = q/2, so q_l = σb² + σw² q_{l-1} / 2 on every input
    X = boolean_inputs(3)
    K = nngp_kernel(X, depth=depth, sigma_w=sigma_w, sigma_b=sigma_b)
    q = sigma_b**2 + sigma_w**2 * X.sum(axis=1) / 3
    for _ in range(depth):
        q = sigma_b**2 + sigma_w**2 * q / 2
    # atol: a σb around 1e-161 squares into subnormal numbers, where only rounding differs
    np.testing.assert_allclose(np.diag(K), q, rtol=1e-12, atol=1e-300)
    assert np.linalg.eigvalsh(K).min() > -1e-9 * K.max()
    np.testing.assert_array_equal(K, K.T)


def test_depth_zero_kernel_gives_the_exact_perceptron_function_probabilities():
    # a perceptron's outputs on any inputs ARE Gaussian: orthant probabilities of K are exact
    rng = np.random.default_rng(2)
    X = boolean_inputs(3)[[3, 5, 6]]  # three inputs in general position (with the bias)
    K = nngp_kernel(X, depth=0, sigma_w=1.0, sigma_b=1.0)
    w = rng.standard_normal((100_000, 3)) / np.sqrt(3)
    b = rng.standard_normal((100_000, 1))
    functions = (X @ w.T + b.T > 0).T  # (samples, 3)
    for labels in ([1, 1, 1], [1, 0, 1], [0, 0, 1]):
        frequency = np.mean((functions == np.array(labels, bool)).all(axis=1))
        assert frequency == pytest.approx(orthant_probability(K, labels, rng=rng), abs=5e-3)


def test_bad_arguments_are_refused():
    X = boolean_inputs(2)
    with pytest.raises(ValueError, match="unknown activation"):
        nngp_kernel(X, activation="gelu")
    with pytest.raises(ValueError, match="needs rng"):
        nngp_kernel(X, activation="tanh")
    with pytest.raises(ValueError, match="depth"):
        nngp_kernel(X, depth=-1)
