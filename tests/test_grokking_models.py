"""The two models: fast paths equal the plain ones; gradients equal finite differences."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from minimodels.learners.grokking import mlp, transformer
from minimodels.learners.grokking.data import one_hot_pairs, token_pairs
from minimodels.learners.grokking.runs import GrokConfig, init_params, objective


def _pairs(p, n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, p, n), rng.integers(0, p, n)


@pytest.mark.parametrize("seed", [0, pytest.param(1, marks=pytest.mark.slow)])
def test_transformer_fast_path_equals_causal_reference(seed):
    p = 13
    params = transformer.init_transformer(
        p, key=jax.random.key(seed), d_model=32, n_heads=4, d_mlp=64
    )
    a, b = _pairs(p, 50, seed)
    fast = jax.jit(transformer.logits)(params, jnp.asarray(a), jnp.asarray(b))
    plain = jax.jit(transformer.logits_reference)(params, jnp.asarray(token_pairs(a, b, p)))
    assert fast.shape == (50, p)
    np.testing.assert_allclose(fast, plain, rtol=2e-5, atol=2e-5)


@pytest.mark.slow
def test_transformer_reference_ignores_nothing_it_should_use():
    # changing a or b changes the logits: the read-out at "=" attends to both operands
    p = 11
    params = transformer.init_transformer(p, key=jax.random.key(0), d_model=16, n_heads=2, d_mlp=32)
    logits = jax.jit(transformer.logits_reference)(
        params, jnp.asarray([[1, 2, p], [3, 2, p], [1, 5, p]])
    )
    assert not np.allclose(logits[0], logits[1])
    assert not np.allclose(logits[0], logits[2])


@pytest.mark.parametrize("activation", ["quadratic", "relu", "tanh"])
def test_mlp_gather_path_equals_one_hot_product(activation):
    p = 17
    params = mlp.init_mlp(p, key=jax.random.key(0), width=40)
    a, b = _pairs(p, 60)
    fast = jax.jit(mlp.logits, static_argnums=3)(params, jnp.asarray(a), jnp.asarray(b), activation)
    plain = jax.jit(mlp.logits_reference, static_argnums=2)(
        params, jnp.asarray(one_hot_pairs(a, b, p)), activation
    )
    np.testing.assert_allclose(fast, plain, rtol=1e-5, atol=1e-5)


def test_mlp_is_gromovs_formula():
    p, width = 7, 5
    params = mlp.init_mlp(p, key=jax.random.key(3), width=width)
    W_in, W_out = (np.asarray(params[k], np.float64) for k in ("W_in", "W_out"))
    a, b = 2, 6
    expected = W_out @ (W_in[:, a] + W_in[:, p + b]) ** 2 / width
    got = mlp.logits(params, jnp.asarray([a]), jnp.asarray([b]))[0]
    np.testing.assert_allclose(got, expected, rtol=1e-5)


@pytest.mark.parametrize(
    "config",
    [
        GrokConfig(model="transformer", p=5, d_model=8, n_heads=2, d_mlp=12, loss="ce", l1=1e-3),
        GrokConfig(model="mlp", p=5, width=6, loss="mse", l1=1e-3),
        pytest.param(
            GrokConfig(model="mlp", p=5, width=6, loss="ce", activation="tanh"),
            marks=pytest.mark.slow,
        ),
    ],
    ids=["transformer-ce-l1", "mlp-mse-l1", "mlp-ce-tanh"],
)
def test_gradients_match_central_finite_differences(config):
    config = config.check()
    rng = np.random.default_rng(0)
    a, b = _pairs(config.p, 12)
    c = (a + b) % config.p
    with jax.enable_x64(True):
        # shift every weight off zero, where |w| (the L1 penalty) has no derivative
        params = {
            name: np.asarray(value, np.float64) + 0.1 + 0.05 * rng.standard_normal(value.shape)
            for name, value in init_params(config, jax.random.key(1)).items()
        }
        args = (jnp.asarray(a), jnp.asarray(b), jnp.asarray(c))
        f = jax.jit(lambda q: objective(config, q, *args))
        grads = jax.jit(jax.grad(f))(params)
        eps = 1e-6
        for name in params:
            direction = rng.standard_normal(params[name].shape)
            plus = f({**params, name: params[name] + eps * direction})
            minus = f({**params, name: params[name] - eps * direction})
            numeric = (float(plus) - float(minus)) / (2 * eps)
            analytic = float(np.sum(np.asarray(grads[name]) * direction))
            np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8, err_msg=name)


def test_the_configs_activation_names_are_the_mlps():
    from minimodels.learners.grokking import config

    assert config.ACTIVATIONS == tuple(mlp.ACTIVATIONS)
