"""Loss-landscape tools against dense Hessians and closed forms (float32 throughout)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, strategies as st
from jax.flatten_util import ravel_pytree

from minimodels.analysis import landscape as ls
from minimodels.base.errors import UsageError
from minimodels.learners.nets.mlp import MLP

NET = MLP("3-5-4-1", activation="tanh")  # 49 parameters


@pytest.fixture(scope="module")
def net():
    """A tiny net, its MSE loss on 16 points (after 200 Adam steps), and its dense Hessian."""
    import optax

    x = jax.random.normal(jax.random.key(1), (16, 3))
    y = jnp.sin(x.sum(axis=1, keepdims=True))

    def loss(params):
        return jnp.mean((NET.apply(params, x) - y) ** 2)

    optimizer = optax.adam(1e-2)

    @jax.jit
    def train(params):
        def step(_, state):
            params, opt_state = state
            updates, opt_state = optimizer.update(jax.grad(loss)(params), opt_state)
            return optax.apply_updates(params, updates), opt_state

        return jax.lax.fori_loop(0, 200, step, (params, optimizer.init(params)))[0]

    params = train(NET.init(key=jax.random.key(0)))
    flat, unravel = ravel_pytree(params)
    H = np.asarray(jax.jit(jax.hessian(lambda f: loss(unravel(f))))(flat), dtype=np.float64)
    return params, loss, H


def quadratic(A, g=None):
    """``0.5 xᵀAx (+ gᵀx)`` on a flat parameter vector."""
    A = jnp.asarray(A, jnp.float32)
    g = jnp.zeros(A.shape[0]) if g is None else jnp.asarray(g, jnp.float32)
    return lambda x: 0.5 * x @ A @ x + g @ x


def with_spectrum(eigenvalues, seed=0):
    """A symmetric matrix with the given eigenvalues and a random orthogonal eigenbasis."""
    n = len(eigenvalues)
    Q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    return (Q * np.asarray(eigenvalues)) @ Q.T


def test_filter_normalised_direction_gives_each_neuron_its_weights_norm_and_zero_biases():
    params = {
        "mlp": NET.init(key=jax.random.key(0)),
        "conv": jax.random.normal(jax.random.key(1), (3, 3, 2, 6)),  # (h, w, c_in, c_out)
    }
    d = ls.filter_normalised_direction(params, jax.random.key(2))
    assert jax.tree.structure(d) == jax.tree.structure(params)
    for w, dw in zip(jax.tree.leaves(params), jax.tree.leaves(d), strict=True):
        assert dw.shape == w.shape and dw.dtype == w.dtype
        if w.ndim == 1:
            assert np.all(np.asarray(dw) == 0)
        else:
            axes = tuple(range(w.ndim - 1))
            norms = [np.sqrt(np.sum(np.square(x), axis=axes)) for x in (dw, w)]  # (n_neurons,)
            np.testing.assert_allclose(*norms, rtol=1e-5)
            assert not np.allclose(dw, w)  # a random direction, not the weights themselves


def test_filter_normalised_direction_depends_on_the_key_only():
    params = NET.init(key=jax.random.key(0))
    first, again, other = (
        ravel_pytree(ls.filter_normalised_direction(params, jax.random.key(k)))[0]
        for k in (1, 1, 2)
    )
    np.testing.assert_array_equal(first, again)
    assert np.abs(np.asarray(first - other)).max() > 0.1


def test_hvp_equals_the_dense_hessian_times_the_vector(net):
    params, loss, H = net
    flat, unravel = ravel_pytree(params)
    v = jax.random.normal(jax.random.key(3), flat.shape)
    product = ravel_pytree(ls.hvp(loss, params, unravel(v)))[0]
    np.testing.assert_allclose(product, H @ np.asarray(v), rtol=1e-4, atol=1e-5)


def test_top_eigenvalues_match_the_dense_hessian_of_a_small_net(net):
    params, loss, H = net
    expected = np.linalg.eigvalsh(H)[::-1][:3]
    found = ls.top_eigenvalues(loss, params, k=3, key=jax.random.key(4))
    np.testing.assert_allclose(found, expected, rtol=1e-4, atol=1e-5 * expected[0])
    assert np.all(np.diff(found) <= 0)


def test_top_eigenvalues_rank_by_value_so_a_large_negative_eigenvalue_is_not_the_top():
    rest = np.linspace(-1.0, 3.0, 56)
    spectrum = np.concatenate([[10.0, 8.0, 6.0, -20.0], rest])  # 60 parameters
    loss = quadratic(with_spectrum(spectrum))
    found = ls.top_eigenvalues(loss, jnp.zeros(60), k=3, iterations=40, key=jax.random.key(5))
    np.testing.assert_allclose(found, [10.0, 8.0, 6.0], rtol=1e-4)


def test_top_eigenvalues_of_a_zero_hessian_are_zero_not_nan():
    found = ls.top_eigenvalues(lambda x: jnp.sum(x), jnp.ones(6), k=2, key=jax.random.key(6))
    np.testing.assert_array_equal(found, [0.0, 0.0])


def test_top_eigenvalues_find_repeated_eigenvalues_once_the_krylov_space_is_exhausted():
    loss = quadratic(np.diag([5.0, 1.0, 5.0, 3.0, 0.5, 5.0, 2.0, 3.0]))
    found = ls.top_eigenvalues(loss, jnp.ones(8), k=5, key=jax.random.key(6))
    np.testing.assert_allclose(found, [5.0, 5.0, 5.0, 3.0, 3.0], rtol=1e-5)


def test_hessian_trace_is_within_three_standard_errors_of_the_dense_trace(net):
    params, loss, H = net
    mean, se = ls.hessian_trace(loss, params, samples=300, key=jax.random.key(7))
    assert 0 < se < 0.2 * abs(np.trace(H))
    assert abs(mean - np.trace(H)) < 3 * se


def test_hessian_trace_of_a_diagonal_hessian_is_exact_with_zero_variance():
    diagonal = np.array([3.0, -1.0, 0.25, 7.0, 2.0])
    params = {"a": jnp.ones(2), "b": jnp.ones((3,))}  # any pytree: the loss sees it flattened

    def loss(p):
        x = ravel_pytree(p)[0]
        return 0.5 * jnp.sum(jnp.asarray(diagonal, jnp.float32) * x**2)

    mean, se = ls.hessian_trace(loss, params, samples=10, key=jax.random.key(8))
    assert mean == pytest.approx(diagonal.sum(), rel=1e-6)
    assert se <= 1e-6


def test_loss_slice_at_zero_is_the_loss_and_traces_the_parabola_of_a_quadratic():
    A = with_spectrum([4.0, 1.0, 0.5, -0.5], seed=1)
    g = np.array([0.3, -0.2, 0.1, 1.0])
    loss = quadratic(A, g)
    x = np.array([0.5, -1.0, 2.0, 0.0])
    d = np.array([1.0, 2.0, -1.0, 0.5])
    alphas = np.linspace(-2.0, 2.0, 9)  # includes 0
    losses = ls.loss_slice(loss, jnp.asarray(x, jnp.float32), jnp.asarray(d, jnp.float32), alphas)
    parabola = float(loss(x)) + alphas * ((A @ x + g) @ d) + 0.5 * alphas**2 * (d @ A @ d)
    assert losses.shape == (9,)
    assert losses[4] == pytest.approx(float(loss(jnp.asarray(x, jnp.float32))), rel=1e-6)
    np.testing.assert_allclose(losses, parabola, rtol=1e-5, atol=1e-5)


def test_two_dimensional_slice_has_betas_as_rows_and_alphas_as_columns():
    def loss(p):
        return p["u"] + 10 * p["v"]

    params = {"u": jnp.float32(1.0), "v": jnp.float32(0.0)}
    d1 = {"u": jnp.float32(1.0), "v": jnp.float32(0.0)}
    d2 = {"u": jnp.float32(0.0), "v": jnp.float32(1.0)}
    alphas, betas = np.array([0.0, 1.0, 2.0]), np.array([-1.0, 1.0])
    grid = ls.loss_slice(loss, params, (d1, d2), alphas, betas=betas)
    np.testing.assert_allclose(grid, 1 + alphas[None, :] + 10 * betas[:, None])


def test_interpolate_starts_and_ends_at_the_two_losses(net):
    params_a, loss, _ = net
    params_b = NET.init(key=jax.random.key(9))
    ts = np.linspace(0.0, 1.0, 11)
    losses = ls.interpolate(loss, params_a, params_b, ts)
    assert losses.shape == (11,)
    assert losses[0] == pytest.approx(float(loss(params_a)), rel=1e-6)
    assert losses[-1] == pytest.approx(float(loss(params_b)), rel=1e-6)
    # a linear loss is linear along the line: no barrier
    line = ls.interpolate(lambda p: ravel_pytree(p)[0].sum(), params_a, params_b, ts)
    assert abs(ls.barrier(line)) < 1e-5 * np.abs(line).max()


def test_barrier_of_a_bump_on_a_sloped_chord_is_the_bump_height():
    t = np.linspace(0.0, 1.0, 21)
    assert ls.barrier(2.0 - 3.0 * t + 0.7 * np.sin(np.pi * t)) == pytest.approx(0.7)
    assert ls.barrier(2.0 - 3.0 * t - 0.7 * np.sin(np.pi * t)) == pytest.approx(0.0, abs=1e-12)


@given(
    st.lists(st.floats(-10, 10), min_size=2, max_size=20),
    st.floats(-10, 10),
    st.floats(-10, 10),
)
def test_barrier_ignores_any_linear_trend(losses, intercept, slope):
    L = np.array(losses)
    t = np.linspace(0.0, 1.0, len(L))
    assert ls.barrier(L + intercept + slope * t) == pytest.approx(ls.barrier(L), abs=1e-9)
    assert ls.barrier(L) >= 0


def test_bezier_point_passes_through_the_ends_and_weights_the_middle_by_half():
    a, theta, b = {"w": jnp.array([0.0, 4.0])}, {"w": jnp.array([2.0, 0.0])}, {"w": jnp.ones(2)}
    np.testing.assert_allclose(ls.bezier_point(a, theta, b, 0.0)["w"], a["w"])
    np.testing.assert_allclose(ls.bezier_point(a, theta, b, 1.0)["w"], b["w"])
    middle = (a["w"] + 2 * theta["w"] + b["w"]) / 4
    np.testing.assert_allclose(ls.bezier_point(a, theta, b, 0.5)["w"], middle)


def test_fit_bezier_finds_the_curved_valley_around_a_hill_on_the_straight_line():
    def loss(p):  # minima on the unit circle, a hill of height 1 at the origin
        x, y = p[0], p[1]
        return (x**2 + y**2 - 1) ** 2 + 0.1 * y * (1 - x**2)  # tilt: the lower arc is lower

    a, b = jnp.array([-1.0, 0.0]), jnp.array([1.0, 0.0])
    ts = np.linspace(0.0, 1.0, 101)
    line = ls.interpolate(loss, a, b, ts)
    theta = ls.fit_bezier(loss, a, b, key=jax.random.key(10))
    curve = np.array([float(loss(ls.bezier_point(a, theta, b, t))) for t in ts])
    assert ls.barrier(line) == pytest.approx(1.0, rel=1e-5)
    assert curve.max() < 0.2
    assert ls.barrier(curve) < 0.2 * ls.barrier(line)


def test_distance_and_weight_norm_are_euclidean_over_all_leaves():
    a = {"w": jnp.array([[3.0]]), "b": jnp.array([4.0, 0.0])}
    b = {"w": jnp.array([[0.0]]), "b": jnp.array([0.0, 0.0])}
    assert ls.weight_norm(a) == pytest.approx(5.0)
    assert ls.distance(a, b) == pytest.approx(5.0)
    assert ls.distance(a, a) == 0.0


@pytest.mark.parametrize(
    ("call", "option"),
    [
        (
            lambda: ls.top_eigenvalues(
                quadratic(np.eye(3)), jnp.ones(3), k=4, key=jax.random.key(0)
            ),
            "k",
        ),
        (
            lambda: ls.hessian_trace(
                quadratic(np.eye(3)), jnp.ones(3), samples=1, key=jax.random.key(0)
            ),
            "samples",
        ),
        (
            lambda: ls.loss_slice(jnp.sum, jnp.ones(3), jnp.ones(3), [0.0], betas=[0.0]),
            "directions",
        ),
        (lambda: ls.loss_slice(jnp.sum, jnp.ones(3), jnp.ones(2), [0.0]), "directions"),
        (lambda: ls.interpolate(jnp.sum, jnp.ones(3), jnp.ones(3), []), "ts"),
        (lambda: ls.barrier([1.0]), "losses"),
    ],
)
def test_bad_arguments_raise_a_usage_error_naming_the_option(call, option):
    with pytest.raises(UsageError) as error:
        call()
    assert error.value.options == (option,)
