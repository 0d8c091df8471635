"""Fitting 1-D targets: an MLP and a mesh net both learn the bump; targets and errors."""

import jax
import numpy as np
import pytest

from minimodels.learners.nets import MLP, Training
from minimodels.learners.nets.fitting import (
    default_model,
    fit,
    fit_many,
    resolve_target,
    training_points,
)


def test_a_relu_mlp_fits_the_bump_to_low_mse():
    model = MLP((1, 16, 16, 16, 1), "relu")
    result = fit(model, "bump", key=jax.random.key(0))
    assert result.final_loss <= 1e-4
    # the fit is good where it was trained, whatever it does outside
    x = np.linspace(-1, 1, 101)
    inside = np.abs(x) < 1 / 3 - 0.03
    outside = np.abs(x) > 1 / 3 + 0.03
    predicted = result.predict(x)
    assert np.all(np.abs(predicted[inside] - 1) < 0.1) and np.all(np.abs(predicted[outside]) < 0.1)
    assert result.losses[0] > 100 * result.final_loss


def test_mesh_nets_learn_the_bump_too_and_seeds_give_different_weights():
    fits = fit_many(default_model("mesh"), "bump", keys=jax.random.split(jax.random.key(0), 2))
    assert all(f.final_loss <= 1e-4 for f in fits)
    assert not np.allclose(np.asarray(fits[0].params["W"]), np.asarray(fits[1].params["W"]))
    hidden = fits[0].hidden(np.linspace(-2, 2, 5))
    assert len(hidden) == 8 and hidden[0].shape == (5, 10)


def test_named_targets_and_callables():
    assert resolve_target("bump")[1](np.array([-0.5, 0.0, 1 / 3, 0.4])).tolist() == [0, 1, 1, 0]
    assert resolve_target("step")[1](np.array([-0.1, 0.0, 0.1])).tolist() == [0, 0, 1]
    name, f = resolve_target(np.cos)
    assert name == "cos" and f(np.array([0.0]))[0] == 1.0
    x, y = training_points("sin", 5)
    np.testing.assert_allclose(y, np.sin(np.pi * np.linspace(-1, 1, 5)))
    assert x.shape == (5, 1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: resolve_target("square"), "unknown target 'square'"),
        (lambda: training_points(lambda x: np.full_like(x, np.nan), 4), "NaN or infinite"),
        (lambda: training_points("bump", 1), "n_train must be at least 2"),
        (lambda: training_points("bump", 5, (1.0, -1.0)), "lo < hi"),
        (lambda: fit(MLP((2, 1)), key=jax.random.key(0)), "one input and one output"),
        (
            lambda: fit(
                MLP((1, 1)), key=jax.random.key(0), training=Training(loss="cross_entropy")
            ),
            "uses the MSE loss",
        ),
    ],
)
def test_bad_fitting_input_is_a_one_sentence_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
