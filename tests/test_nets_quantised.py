"""Quantised nets: nearest-level rounding, the straight-through gradient, and mutation training
through the shared mutation walk."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, strategies as st

from minimodels.learners.mutation import mutation_walk
from minimodels.learners.nets import MeshNet
from minimodels.learners.nets.fitting import training_points
from minimodels.learners.nets.quantised import (
    Quantised,
    check_levels,
    evolve_quantised,
    quantise,
    straight_through,
)

LEVELS = (-1.0, -0.5, 0.0, 0.5, 1.0)


@given(st.lists(st.floats(-3, 3, allow_nan=False, width=32), min_size=16, max_size=16))
def test_quantise_picks_a_nearest_level(values):
    values = np.asarray(values, dtype=np.float32)
    q = np.asarray(quantise(jnp.asarray(values), LEVELS))
    assert set(q.tolist()) <= set(LEVELS)
    distance = np.abs(values[:, None] - np.asarray(LEVELS)).min(axis=1)
    np.testing.assert_allclose(np.abs(values - q), distance, atol=1e-6)


def test_straight_through_passes_the_gradient_unchanged():
    g = jax.jit(jax.grad(lambda v: jnp.sum(3.0 * straight_through(v, LEVELS))))(
        jnp.array([0.2, -0.9])
    )
    np.testing.assert_array_equal(np.asarray(g), [3.0, 3.0])
    model = Quantised(MeshNet(width=4, depth=2, activation="tanh"), LEVELS)
    params = model.init(key=jax.random.key(0))
    x = np.linspace(-1, 1, 3)[:, None]
    np.testing.assert_allclose(
        np.asarray(jax.jit(model.apply)(params, x)),
        np.asarray(jax.jit(model.base.apply)(model.discrete(params), x)),
    )


def test_mutation_training_is_the_shared_mutation_walk():
    model = MeshNet(width=4, depth=3, activation="tanh")
    x, y = training_points("bump", 12)
    evolved = evolve_quantised(model, x, y, steps=150, rng=np.random.default_rng(3), levels=LEVELS)
    losses = evolved.losses
    assert losses.shape == (151,) and np.all(np.diff(losses) <= 0)  # never worse under "<="
    assert evolved.final_loss < losses[0]
    # every parameter sits on a level, and the stored loss is the loss of the stored net
    leaves = np.concatenate([np.ravel(p) for p in jax.tree.leaves(evolved.params)])
    assert set(leaves.tolist()) <= set(LEVELS)
    mse = float(np.mean((np.asarray(jax.jit(model.apply)(evolved.params, x))[:, 0] - y) ** 2))
    assert mse == pytest.approx(evolved.final_loss, rel=1e-5)
    # the same seed reproduces the trace; a hand-driven mutation_walk makes the same choices
    again = evolve_quantised(model, x, y, steps=150, rng=np.random.default_rng(3), levels=LEVELS)
    np.testing.assert_array_equal(again.losses, losses)


def test_mutation_training_runs_the_shared_walk_and_its_acceptance_rule(monkeypatch):
    import minimodels.learners.nets.quantised as quantised

    calls = []

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return mutation_walk(*args, **kwargs)

    monkeypatch.setattr(quantised, "mutation_walk", spy)
    model = MeshNet(width=4, depth=2, activation="tanh")
    x, y = training_points("bump", 10)
    evolved = evolve_quantised(
        model, x, y, steps=80, rng=np.random.default_rng(0), accept="<", levels=LEVELS
    )
    assert len(calls) == 1 and calls[0]["accept"] == "<"
    kept = [m.loss for m in evolved.walk.kept]
    assert all(b < a for a, b in zip([evolved.losses[0], *kept], kept, strict=False))


def test_bad_levels_are_a_one_sentence_error():
    with pytest.raises(ValueError, match="at least 2 distinct finite numbers"):
        check_levels((1.0, 1.0))
