"""Training: the vmapped loop equals separate trainings, optimiser steps match closed forms,
stopping rules hold, divergence and bad data are one-sentence errors."""

from dataclasses import replace

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from minimodels.learners.nets import (
    MLP,
    Init,
    MeshNet,
    Training,
    apply_many,
    init_many,
    signed_targets,
    train as train_one,
    train_many,
)


def boolean_data(n_bits=4, seed=0):
    x = ((np.arange(2**n_bits)[:, None] >> np.arange(n_bits - 1, -1, -1)) & 1).astype(float)
    bits = np.random.default_rng(seed).integers(0, 2, 2**n_bits)
    return x, bits


# The tests below share compiled loops: one model shape, one SGD structure and one chunk
# length (the numbers - learning rate, step budget, targets - are runtime inputs).
MODEL = MLP((4, 8, 8, 1))
SGD = Training("sgd", 0.05, momentum=0.9, max_steps=300, batch_size=4, target_accuracy=1.0)
CHUNK = 70


def leaves_close(a, b):
    # vmapped and single-net XLA kernels may round the last bit differently
    return all(
        np.allclose(np.asarray(p), np.asarray(q), rtol=1e-4, atol=1e-6)
        for p, q in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True)
    )


def leaves_equal(a, b):
    return all(
        np.array_equal(np.asarray(p), np.asarray(q))
        for p, q in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True)
    )


@pytest.mark.parametrize(
    "training",
    [
        SGD,
        pytest.param(
            Training("adamw", 0.01, weight_decay=0.1, l1=1e-3, max_steps=60, target_loss=0.05),
            marks=pytest.mark.slow,
        ),
    ],
    ids=["sgd-minibatch", "adamw-full"],
)
def test_vmapped_training_equals_separate_trainings_with_the_same_keys(training):
    model = MODEL
    x, bits = boolean_data()
    y = signed_targets(bits)
    keys = jax.random.split(jax.random.key(3), 5)
    many = train_many(model, x, y, training, keys=keys, record_losses=True, chunk_steps=50)
    assert many.n_steps.shape == (5,)
    stacked = jax.tree.map(np.asarray, many.params)  # numpy slices: nothing to compile
    for i in range(5):
        one = train_one(model, x, y, training, key=keys[i], chunk_steps=CHUNK)
        assert one.n_steps == many.n_steps[i]
        assert one.fitted == many.fitted[i]
        assert leaves_close(one.params, jax.tree.map(lambda a, i=i: a[i], stacked))
        np.testing.assert_allclose(one.losses, many.losses[: one.n_steps + 1, i], rtol=1e-4)
        assert np.isnan(many.losses[one.n_steps + 1 :, i]).all()
        assert one.final_loss == pytest.approx(many.final_loss[i], rel=1e-4)
    # nets differ from one another, and each stops on its own criterion
    assert len(set(many.final_loss.tolist())) == 5
    # a pool of 2 slots refilled every 3 steps gives the same nets
    pooled = train_many(model, x, y, training, keys=keys, n_slots=2, n_inner=3, chunk_steps=40)
    assert pooled.losses is None
    np.testing.assert_array_equal(pooled.n_steps, many.n_steps)
    np.testing.assert_array_equal(pooled.fitted, many.fitted)
    assert leaves_close(pooled.params, many.params)


def test_scheduling_and_the_number_of_nets_change_no_net():
    # slots refilled at different times, rounds cut at different places, given parameters
    # gathered by the refill, a net trained on its own: every net takes the same steps and
    # ends with the same parameters (up to float rounding; see train_many)
    x, bits = boolean_data()
    y = signed_targets(bits)
    keys = jax.random.split(jax.random.key(4), 7)
    pool = {"n_slots": 2, "n_inner": 3, "chunk_steps": 40}  # shares the compiled loop above
    reference = train_many(MODEL, x, y, SGD, keys=keys, **pool)
    assert len(set(reference.n_steps.tolist())) > 2  # nets finish at different times
    others = [
        train_many(MODEL, x, y, SGD, keys=keys, n_slots=3, n_inner=5, chunk_steps=40),
        train_many(MODEL, x, y, SGD, keys=keys, params=init_many(MODEL, keys), **pool),
    ]
    for other in others:
        np.testing.assert_array_equal(other.n_steps, reference.n_steps)
        np.testing.assert_array_equal(other.fitted, reference.fitted)
        np.testing.assert_allclose(other.final_loss, reference.final_loss, rtol=1e-5)
        assert leaves_close(other.params, reference.params)
    alone = train_many(MODEL, x, y, SGD, keys=keys[4:5], **pool)
    assert alone.n_steps[0] == reference.n_steps[4]
    assert leaves_close(alone.params, jax.tree.map(lambda a: a[4:5], reference.params))


@pytest.mark.parametrize("name", ["n_slots", "n_inner", "chunk_steps"])
def test_pool_sizes_must_be_positive_integers(name):
    x, bits = boolean_data()
    with pytest.raises(ValueError, match=f"{name} must be an integer ≥ 1, got 0"):
        train_many(MODEL, x, bits, SGD, keys=jax.random.split(jax.random.key(0), 2), **{name: 0})


def test_stopping_at_full_accuracy_records_the_loss_after_every_update():
    model = MODEL
    x, bits = boolean_data()
    training = SGD
    result = train_one(
        model, x, signed_targets(bits), training, key=jax.random.key(0), chunk_steps=CHUNK
    )
    assert result.fitted and result.final_accuracy == 1.0 and 0 < result.n_steps < 300
    assert result.losses.shape == (result.n_steps + 1,)
    assert result.losses[-1] == pytest.approx(result.final_loss)
    predicted = (result.predict(x)[:, 0] > 0).astype(int)
    np.testing.assert_array_equal(predicted, bits)
    # the same key reproduces the run bit for bit
    again = train_one(
        model, x, signed_targets(bits), training, key=jax.random.key(0), chunk_steps=CHUNK
    )
    assert leaves_equal(result.params, again.params)
    np.testing.assert_array_equal(result.losses, again.losses)


def test_stopping_at_a_target_loss_stops_at_the_first_step_below_it():
    model = MLP((4, 8, 8, 1))
    x, bits = boolean_data()
    training = Training("adamw", 0.01, weight_decay=0.1, l1=1e-3, max_steps=60, target_loss=0.05)
    result = train_one(model, x, signed_targets(bits), training, key=jax.random.key(1))
    if result.fitted:
        assert result.losses[-1] <= 0.05 < result.losses[:-1].min()
    else:
        assert result.n_steps == 60 and result.losses.min() > 0.05


def test_one_sgd_step_matches_the_closed_form_gradient_with_l1_and_weight_decay():
    # a linear net f(x) = x·w + b with MSE; one step of plain SGD with an L2 term (weight
    # decay wd, added to the gradient as wd·θ) and an L1 term (l1·sign θ).
    model = MLP((3, 1), "linear")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(7, 3)), rng.normal(size=7)
    lr, wd, l1 = 0.1, 0.3, 0.05
    training = Training("sgd", lr, momentum=0.0, weight_decay=wd, l1=l1, max_steps=1)
    result = train_one(model, x, y, training, key=jax.random.key(0))
    start = init_many(model, jax.random.key(0)[None])
    w = np.asarray(start[0]["W"][0], np.float64)[:, 0]
    b = float(start[0]["b"][0, 0])
    residual = x @ w + b - y
    grad_w = 2 * x.T @ residual / 7 + l1 * np.sign(w) + wd * w
    grad_b = 2 * residual.mean() + l1 * np.sign(b) + wd * b
    np.testing.assert_allclose(np.asarray(result.params[0]["W"])[:, 0], w - lr * grad_w, rtol=1e-5)
    assert float(result.params[0]["b"][0]) == pytest.approx(b - lr * grad_b, rel=1e-5)
    assert result.n_steps == 1 and result.losses[0] == pytest.approx(np.mean(residual**2), 1e-5)


def test_softmax_cross_entropy_learns_a_separable_three_class_problem():
    model = MLP((2, 16, 3), "tanh")
    rng = np.random.default_rng(1)
    centres = np.array([[2.0, 0.0], [-1.0, 2.0], [-1.0, -2.0]])
    labels = np.repeat(np.arange(3), 10)
    x = centres[labels] + 0.3 * rng.normal(size=(30, 2))
    training = Training("adam", 0.05, loss="cross_entropy", max_steps=300, target_accuracy=1.0)
    result = train_one(model, x, labels, training, key=jax.random.key(0))
    assert result.fitted and result.final_accuracy == 1.0


def test_a_mesh_net_trains_many_at_once_and_predicts_per_net():
    model = MeshNet(width=6, depth=4, encoding="spread", n_inputs=3, boundary="zero")
    x, bits = boolean_data(3, seed=2)
    bits[0] = 0
    training = Training("adam", 0.05, loss="cross_entropy", max_steps=200, target_accuracy=1.0)
    many = train_many(model, x, bits, training, keys=jax.random.split(jax.random.key(0), 3))
    outputs = many.predict(x)
    assert outputs.shape == (3, 8, 1)
    accuracy = ((outputs[..., 0] > 0) == bits).mean(axis=1)
    np.testing.assert_allclose(accuracy, many.final_accuracy)
    np.testing.assert_allclose(outputs, np.asarray(apply_many(model, many.params, x)))


def test_a_diverging_learning_rate_stops_with_one_sentence():
    model = MODEL
    x, bits = boolean_data()
    training = replace(SGD, learning_rate=1e4, max_steps=200, target_accuracy=None)
    with pytest.raises(ValueError, match="training diverged.*learning rate 10000") as error:
        train_one(
            model, x, signed_targets(bits), training, key=jax.random.key(0), chunk_steps=CHUNK
        )
    assert "\n" not in str(error.value)
    keys = jax.random.split(jax.random.key(0), 5)
    pool = {"n_slots": 2, "n_inner": 3, "chunk_steps": 40}  # as in the vmapped test
    with pytest.raises(ValueError, match="the loss of 5 of 5 nets became NaN"):
        train_many(model, x, signed_targets(bits), training, keys=keys, **pool)
    marked = train_many(
        model, x, signed_targets(bits), training, keys=keys, on_diverge="mark", **pool
    )
    assert marked.diverged.all() and not marked.fitted.any()
    assert (marked.n_steps < 200).all()  # each stopped where its loss stopped being finite


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"optimizer": "lbfgs"}, "unknown optimiser 'lbfgs'"),
        ({"loss": "hinge"}, "unknown loss 'hinge'"),
        ({"learning_rate": -1.0}, "learning rate must be a positive number"),
        ({"batch_size": 0}, "batch size must be positive"),
        ({"target_accuracy": 2.0}, "target accuracy must be in"),
    ],
)
def test_bad_training_settings_are_one_sentence_errors(change, message):
    with pytest.raises(ValueError, match=message):
        Training(**change)


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        (np.zeros((4, 2)), np.array([0.0, np.nan, 1.0, 0.0]), "targets contain NaN or infinite"),
        (np.zeros((4, 2)), np.array([0.0, np.inf, 1.0, 0.0]), "targets contain NaN or infinite"),
        (np.full((4, 2), np.nan), np.zeros(4), "inputs contain NaN"),
        (np.zeros((4, 2)), np.zeros(3), "4 inputs but 3 targets"),
        (np.zeros((4, 2)), np.zeros((4, 2)), "targets have 2 columns but the net has 1 outputs"),
    ],
)
def test_bad_data_is_a_one_sentence_error(x, y, message):
    with pytest.raises(ValueError, match=message):
        train_one(MLP((2, 3, 1)), x, y, Training(max_steps=1), key=jax.random.key(0))


def test_keys_must_be_given_and_may_be_raw_uint32_keys():
    x, bits = boolean_data()
    model, training = MODEL, SGD
    with pytest.raises(ValueError, match="key is required"):
        train_one(model, x, bits, training, key=None)
    raw = jax.random.PRNGKey(5)
    typed = jax.random.wrap_key_data(raw)
    a = train_one(model, x, signed_targets(bits), training, key=raw, chunk_steps=CHUNK)
    b = train_one(model, x, signed_targets(bits), training, key=typed, chunk_steps=CHUNK)
    assert leaves_equal(a.params, b.params)
    assert jnp.issubdtype(init_many(model, jax.random.split(typed, 2))[0]["W"].dtype, jnp.floating)


def test_changing_the_numbers_of_a_training_reuses_the_compiled_loop():
    import importlib

    compiled = importlib.import_module("minimodels.learners.nets.step")
    x, bits = boolean_data()
    y = signed_targets(bits)
    first = train_one(MODEL, x, y, SGD, key=jax.random.key(0), chunk_steps=CHUNK)
    sizes = compiled._run_chunk._cache_size(), compiled.start._cache_size()
    changes = [
        {"learning_rate": 0.01},
        {"max_steps": 20},
        {"momentum": 0.5},
        {"target_accuracy": None, "target_loss": 0.1},
    ]
    results = [
        train_one(MODEL, x, y, replace(SGD, **change), key=jax.random.key(0), chunk_steps=CHUNK)
        for change in changes
    ]
    scaled = train_one(
        MODEL, x, y, SGD, key=jax.random.key(0), chunk_steps=CHUNK, init=Init("gaussian", 2.0, 0.5)
    )
    assert (compiled._run_chunk._cache_size(), compiled.start._cache_size()) == sizes
    # ... and the numbers are used: each change changes the run
    assert results[1].n_steps == 20 and results[3].losses[-1] <= 0.1
    for other in [results[0], results[2], scaled]:
        assert not np.array_equal(other.losses[:20], first.losses[:20])
    assert scaled.losses[0] != first.losses[0]
