"""Activation functions side by side on the bump: the new activations, the compute, the
pictures and the gallery section, each against an independent NumPy reference."""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
import pytest

from minimodels import gallery
from minimodels.base.errors import UsageError
from minimodels.gallery.sections import activations as section_module
from minimodels.gallery.sections.activations import (
    FIT_THRESHOLD,
    QUICK,
    activation_claim,
    activations_section,
    compare_activations,
)
from minimodels.learners.nets import MLP
from minimodels.learners.nets.activations import activate, check_activation
from minimodels.plotting.activations import (
    drawn_neurons,
    plot_activation_fits,
    plot_activation_insides,
)

_erf = np.vectorize(math.erf)

NUMPY_ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "elu": lambda z: np.where(z > 0, z, np.exp(np.minimum(z, 0.0)) - 1.0),
    "gelu": lambda z: 0.5 * z * (1.0 + _erf(z / math.sqrt(2.0))),
}


def numpy_layers(params, x, activation):
    """Every layer's values of an MLP, by hand: ``h = act(h @ W + b)``, the last layer affine."""
    act = NUMPY_ACTIVATIONS[activation]
    h = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    values = [h]
    for i, layer in enumerate(params):
        h = h @ np.asarray(layer["W"], np.float64) + np.asarray(layer["b"], np.float64)
        if i < len(params) - 1:
            h = act(h)
        values.append(h)
    return values


def test_sigmoid_and_elu_match_their_closed_forms():
    z = np.array([-6.0, -2.0, -0.5, 0.0, 0.3, 1.0, 4.0])
    expected = {
        "sigmoid": [1 / (1 + math.exp(-v)) for v in z],
        "elu": [v if v > 0 else math.exp(v) - 1 for v in z],
    }
    for name, values in expected.items():
        check_activation(name)  # accepted
        assert MLP((1, 3, 1), name).activation == name
        got = np.asarray(activate(name, jnp.asarray(z, dtype=jnp.float32)), dtype=np.float64)
        np.testing.assert_allclose(got, values, rtol=1e-6, atol=1e-7)
    # a few exact values: sigmoid(0) = 1/2, elu(0) = 0, elu(−∞) → −1
    assert float(activate("sigmoid", jnp.asarray(0.0))) == 0.5
    assert float(activate("elu", jnp.asarray(0.0))) == 0.0
    assert float(activate("elu", jnp.asarray(-50.0))) == pytest.approx(-1.0)


def test_an_unknown_activation_is_refused_in_one_sentence_before_anything_trains(monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("trained before refusing")

    monkeypatch.setattr(section_module, "fit", no_training)
    with pytest.raises(UsageError) as refused:
        compare_activations(["relu", "swish"], max_steps=10, n_train=10)
    message = str(refused.value)
    assert "'swish'" in message and "\n" not in message
    assert message.count(". ") == 0  # one sentence
    with pytest.raises(UsageError):
        compare_activations([], max_steps=10, n_train=10)


@pytest.fixture(scope="module")
def small_run():
    return compare_activations(["relu", "sigmoid", "elu"], seed=1, max_steps=200, n_train=30)


def test_the_reported_mses_equal_a_numpy_forward_pass(small_run):
    for r in small_run:
        fit = r.fit
        out = numpy_layers(fit.params, fit.x_train, r.activation)[-1][:, 0]
        train = np.mean((out - fit.y_train) ** 2)
        assert r.train_mse == pytest.approx(train, rel=1e-3, abs=1e-6)
        grid = np.linspace(-2, 2, 400)
        outside = grid[np.abs(grid) > 1]  # the bump is 0 there
        extrapolated = numpy_layers(fit.params, outside, r.activation)[-1][:, 0]
        assert r.outside_mse == pytest.approx(np.mean(extrapolated**2), rel=1e-3, abs=1e-6)
        assert len(fit.losses) == 201  # the whole budget, no early stop


def test_the_insides_figure_draws_every_neuron_as_the_numpy_forward_pass(small_run):
    fits = {r.activation: r.fit for r in small_run}
    drawn = drawn_neurons(plot_activation_insides(fits))
    assert len(drawn) == 3 * (16 + 16 + 16)  # three activations, three hidden layers of 16
    for name, fit in fits.items():
        x_all = drawn[f"{name}/0/0"][0]
        picks = [0, 37, 100, 163, len(x_all) - 1]  # a few x, inside and outside [−1, 1]
        hidden = numpy_layers(fit.params, x_all[picks], name)[1:-1]
        for layer, values in enumerate(hidden):
            for neuron in range(values.shape[1]):
                x, y = drawn[f"{name}/{layer}/{neuron}"]
                np.testing.assert_allclose(x[picks], x_all[picks])
                scale = max(1.0, np.abs(values[:, neuron]).max())
                np.testing.assert_allclose(
                    y[picks], values[:, neuron], rtol=1e-4, atol=1e-5 * scale
                )


def test_the_fits_figure_draws_the_learned_function_and_names_its_mse(small_run):
    fits = {r.activation: r.fit for r in small_run}
    figure = plot_activation_fits(fits)
    panels = [ax for ax in figure.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == [
        f"{name}: training MSE {fit.final_loss:.1e}" for name, fit in fits.items()
    ]
    for ax, (name, fit) in zip(panels, fits.items(), strict=True):
        x, y = (np.asarray(v, float) for v in ax.get_lines()[1].get_data())  # target, then net
        expected = numpy_layers(fit.params, x, name)[-1][:, 0]
        np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-4)
        assert (x[0], x[-1]) == (-2.0, 2.0)


def test_the_claim_verdict_follows_the_threshold():
    below, above = FIT_THRESHOLD / 10, FIT_THRESHOLD * 10
    five = ("relu", "tanh", "sigmoid", "elu", "gelu")

    def verdict(mses):
        return activation_claim(dict(zip(five, mses, strict=True))).verdict

    assert verdict([below] * 5) == "supported"
    assert verdict([below, below, below, above, float("nan")]) == "mixed"
    assert verdict([below, below, above, above, above]) == "refuted"
    # controls are shown in the evidence but never judged
    claim = activation_claim({"relu": below, "linear": 0.2, "quadratic": 16.0})
    assert claim.verdict == "supported" and "linear" in claim.evidence
    assert activation_claim({"linear": 0.2}).verdict == "untested"


def test_the_section_builds_quickly_and_its_verdict_follows_its_numbers():
    section = activations_section(gallery.Context(quick=True, seed=0))
    assert [f.name for f in section.figures] == ["fits", "insides"]
    assert {"relu", "tanh", "sigmoid"} <= set(QUICK)
    rows = section.tables[0][1]
    assert [row["activation"] for row in rows] == list(QUICK)
    mses = [section.numbers[f"training MSE, {name}"] for name in QUICK]
    assert [row["training MSE"] for row in rows] == mses
    assert all(f"MSE outside [−1, 1], {name}" in section.numbers for name in QUICK)
    n_fit = sum(m < FIT_THRESHOLD for m in mses)
    expected = (
        "supported" if n_fit == len(mses) else "mixed" if 2 * n_fit > len(mses) else "refuted"
    )
    (claim,) = section.claims
    assert claim.verdict == expected
    assert claim.source == "Wolfram 2024" and claim.figure == "fits"


def test_a_diverged_control_is_left_out_and_named_but_a_judged_one_fails_the_section(monkeypatch):
    real_fit = section_module.fit

    def fit_or_diverge(model, *args, **kwargs):
        if model.activation in ("quadratic", "tanh"):
            raise UsageError("training diverged: the loss became NaN or infinite")
        return real_fit(model, *args, **kwargs)

    monkeypatch.setattr(section_module, "fit", fit_or_diverge)
    monkeypatch.setattr(section_module, "COMMON", ("relu",))
    monkeypatch.setattr(section_module, "CONTROLS", ("quadratic", "linear"))
    monkeypatch.setattr(section_module, "FULL_STEPS", 20)
    section = activations_section(gallery.Context(quick=False, seed=0))
    assert [row["activation"] for row in section.tables[0][1]] == ["relu", "linear"]
    assert "Left out, their training diverged: quadratic." in section.intro
    assert "linear" in section.claims[0].evidence
    monkeypatch.setattr(section_module, "COMMON", ("relu", "tanh"))
    with pytest.raises(UsageError, match="diverged"):
        activations_section(gallery.Context(quick=False, seed=0))
