"""MLPs and mesh nets: forward passes against plain references, gradients against finite
differences, named initialisations against their stated distributions, one-sentence errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, strategies as st

from minimodels.learners.nets import ACTIVATIONS, MLP, MeshNet, parse_widths
from minimodels.learners.nets.mesh import neighbour_offsets, reference_apply


def numpy_mlp(params, x, activation):
    act = {
        "relu": lambda z: np.maximum(z, 0),
        "tanh": np.tanh,
        "quadratic": np.square,
        "linear": lambda z: z,
    }[activation]
    h = np.asarray(x, dtype=np.float64)
    for i, layer in enumerate(params):
        h = h @ np.asarray(layer["W"], np.float64) + np.asarray(layer["b"], np.float64)
        if i < len(params) - 1:
            h = act(h)
    return h


@pytest.mark.parametrize("activation", ["relu", "quadratic"])
def test_mlp_matches_a_numpy_forward_pass(activation):
    model = MLP((3, 5, 4, 2), activation)
    params = model.init(key=jax.random.key(1))
    x = np.random.default_rng(0).normal(size=(6, 3))
    out = np.asarray(jax.jit(model.apply)(params, x))
    assert out.shape == (6, 2)
    np.testing.assert_allclose(out, numpy_mlp(params, x, activation), rtol=1e-5, atol=1e-5)


def test_mlp_shapes_follow_the_widths_and_count_parameters():
    model = MLP("7-40-40-1")
    params = model.init(key=jax.random.key(0))
    assert [layer["W"].shape for layer in params] == [(7, 40), (40, 40), (40, 1)]
    assert [layer["b"].shape for layer in params] == [(40,), (40,), (1,)]
    assert model.n_params == sum(p.size for p in jax.tree.leaves(params)) == 2001
    assert [h.shape for h in model.hidden(params, np.zeros((5, 7)))] == [(5, 40), (5, 40)]


@pytest.mark.parametrize(
    ("r", "boundary", "activation"),
    [
        ("1", "cyclic", "relu"),
        ("1/2", "zero", "gelu"),
        ("1", "zero", "tanh"),
        ("1/2", "cyclic", "relu"),
    ],
)
def test_mesh_net_matches_the_neuron_by_neuron_reference(r, boundary, activation):
    model = MeshNet(width=6, depth=5, r=r, boundary=boundary, activation=activation, readout=1)
    params = model.init(key=jax.random.key(3), sigma_b=0.3)
    x = np.linspace(-1, 1, 7)[:, None]
    np.testing.assert_allclose(
        np.asarray(jax.jit(model.apply)(params, x)),
        reference_apply(model, params, x),
        rtol=1e-4,
        atol=1e-5,
    )


def test_spread_encoding_places_boolean_inputs_on_evenly_spaced_columns():
    model = MeshNet(width=12, depth=3, encoding="spread", n_inputs=3, r="1/2", boundary="zero")
    assert model.input_columns() == (2, 6, 10)
    row = np.asarray(model.encode(np.array([[1.0, 0.0, 1.0]])))[0]
    assert np.flatnonzero(row).tolist() == [2, 10]
    params = model.init(key=jax.random.key(0))
    x = np.array([[0, 0, 1], [1, 1, 0], [1, 0, 1]], dtype=float)
    np.testing.assert_allclose(
        np.asarray(jax.jit(model.apply)(params, x)),
        reference_apply(model, params, x),
        rtol=1e-4,
        atol=1e-5,
    )


def test_brick_rows_alternate_like_rule_arrays():
    # DESIGN.md §2: odd rows read (x, x+1), even rows read (x−1, x)
    assert neighbour_offsets("1/2", 1) == (0, 1)
    assert neighbour_offsets("1/2", 2) == (-1, 0)
    assert neighbour_offsets("1", 4) == (-1, 0, 1)


def test_a_mesh_neuron_depends_only_on_its_light_cone():
    # Only cells within `depth` columns (r=1) of the readout can affect it: perturbing a
    # far column of row 0 (spread encoding, zero boundary) must not change the output.
    model = MeshNet(
        width=15, depth=3, encoding="spread", n_inputs=15, boundary="zero", readout=7,
        activation="tanh",
    )  # fmt: skip
    params = model.init(key=jax.random.key(0))
    x = np.zeros((2, 15))
    x[1, 0] = 5.0  # column 0 is 7 columns away; the readout sees at most 3 + 1 = 4
    out = np.asarray(jax.jit(model.apply)(params, x))
    assert out[0, 0] == out[1, 0]
    x[1, 4] = 5.0  # column 4 is within reach
    assert np.asarray(jax.jit(model.apply)(params, x))[1, 0] != out[0, 0]


def central_differences(f, params, eps=1e-6):
    f = jax.jit(f)
    leaves, treedef = jax.tree.flatten(params)
    grads = []
    for i, leaf in enumerate(leaves):
        flat = np.array(leaf, dtype=np.float64).ravel()
        g = np.zeros_like(flat)
        for j in range(flat.size):
            for sign in (1, -1):
                bumped = flat.copy()
                bumped[j] += sign * eps
                new = list(leaves)
                new[i] = jnp.asarray(bumped.reshape(np.shape(leaf)))
                g[j] += sign * float(f(jax.tree.unflatten(treedef, new))) / (2 * eps)
        grads.append(g.reshape(np.shape(leaf)))
    return jax.tree.unflatten(treedef, grads)


@pytest.mark.parametrize(
    "model",
    [
        MLP((2, 4, 3, 1), "tanh"),
        MLP((2, 3, 2), "gelu"),
        MeshNet(width=4, depth=3, r="1", activation="tanh"),
        MeshNet(width=4, depth=4, r="1/2", activation="gelu", boundary="zero"),
    ],
    ids=lambda m: m.name + " " + m.activation,
)
def test_gradients_match_central_finite_differences(model):
    with jax.enable_x64(True):
        params = jax.tree.map(
            lambda a: jnp.asarray(a, jnp.float64), model.init(key=jax.random.key(2), sigma_b=0.5)
        )
        n_in = model.n_inputs
        x = jnp.asarray(np.random.default_rng(1).normal(size=(5, n_in)))
        y = jnp.asarray(np.random.default_rng(2).normal(size=(5, model.n_outputs)))

        def loss(p):
            return jnp.mean((model.apply(p, x) - y) ** 2)

        exact = jax.jit(jax.grad(loss))(params)  # one compile, not one per eager op
        numeric = central_differences(loss, params)
        for a, b in zip(jax.tree.leaves(exact), jax.tree.leaves(numeric), strict=True):
            assert a.dtype == jnp.float64
            np.testing.assert_allclose(np.asarray(a), b, rtol=1e-5, atol=1e-7)


def test_gaussian_initialisation_has_the_stated_variances():
    model = MLP((50, 400, 1))
    params = model.init(key=jax.random.key(0), sigma_w=2.0, sigma_b=0.5)
    W, b = np.asarray(params[0]["W"]), np.asarray(params[0]["b"])
    assert abs(W.var() - 4.0 / 50) < 0.05 * 4.0 / 50  # N(0, σw²/fan_in), 20 000 draws
    assert abs(b.std() - 0.5) < 0.05
    assert abs(W.mean()) < 0.01


def test_uniform_initialisation_uses_wider_bounds_on_hidden_layers():
    model = MeshNet(width=200, depth=30, r="1/2")
    params = model.init(key=jax.random.key(0), scheme="uniform")
    hidden, out = np.asarray(params["W"]), np.asarray(params["W_out"])
    assert np.abs(hidden).max() <= np.sqrt(6 / 2) and np.abs(hidden).max() > 0.98 * np.sqrt(3)
    assert np.abs(out).max() <= np.sqrt(3 / 2)
    mlp = MLP((10, 300, 1)).init(key=jax.random.key(1), scheme="uniform")
    assert np.abs(np.asarray(mlp[0]["b"])).max() <= np.sqrt(6 / 10)
    assert np.abs(np.asarray(mlp[1]["W"])).max() <= np.sqrt(3 / 300)


@given(st.lists(st.integers(1, 64), min_size=2, max_size=5))
def test_width_specs_round_trip_through_their_names(widths):
    model = MLP(tuple(widths))
    assert parse_widths(model.name) == tuple(widths)


def test_the_same_key_gives_the_same_parameters_and_different_keys_differ():
    model = MeshNet(width=5, depth=4)
    a, b = model.init(key=jax.random.key(7)), model.init(key=jax.random.key(7))
    c = model.init(key=jax.random.key(8))
    assert all(
        np.array_equal(p, q) for p, q in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True)
    )
    assert not np.array_equal(a["W"], c["W"])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: MLP((3, 4, 1), "sigmoidish"), "unknown activation 'sigmoidish'"),
        (lambda: MLP((3, 0, 1)), "layer widths must be positive, got 0"),
        (lambda: MLP("7-x-1"), "is not a list of widths"),
        (lambda: MLP((3,)), "at least an input and an output"),
        (lambda: MeshNet(width=0, depth=3), "mesh width must be a positive integer"),
        (lambda: MeshNet(width=4, depth=3, r=2), "mesh range r must be 1 or 1/2"),
        (lambda: MeshNet(width=4, depth=3, readout=4), "readout column 4 is outside 0..3"),
        (lambda: MeshNet(width=4, depth=3, boundary="open"), "boundary must be"),
        (lambda: MLP((2, 1)).init(key=jax.random.key(0), scheme="he"), "unknown init 'he'"),
    ],
)
def test_bad_model_settings_are_one_sentence_errors(make, message):
    with pytest.raises(ValueError, match=message) as error:
        make()
    assert "\n" not in str(error.value)


def test_every_named_activation_is_accepted():
    for name in ACTIVATIONS:
        assert MLP((1, 2, 1), name).activation == name
