"""Training: logged measures are consistent, resume is exact, regularisers act as configured."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from minimodels.learners.grokking import GrokConfig, mlp, train, train_many, train_seeds
from minimodels.learners.grokking.checkpoints import load_checkpoint, save_checkpoint
from minimodels.learners.grokking.runs import init_params, objective, optimiser
from minimodels.learners.grokking.sweep import SweepConfig, sweep


def opt_state_hyperparameters(state):
    return [
        round(float(v), 6)
        for part in state
        if hasattr(part, "hyperparams")
        for v in part.hyperparams.values()
    ]


TINY_MLP = GrokConfig(p=11, width=24, frac=0.6, steps=60, log_every=20, lr=5e-3)
TINY_TRANSFORMER = GrokConfig.nanda(
    p=7, frac=0.5, d_model=16, n_heads=2, d_mlp=32, steps=40, log_every=20, lr=3e-3
)


@pytest.fixture(scope="module")
def mlp_run():
    return train(TINY_MLP)


def test_logged_measures_agree_with_the_saved_parameters(mlp_run):
    run, config = mlp_run, mlp_run.config
    data = run.data
    params = jax.tree_util.tree_map(jnp.asarray, run.params)
    logits = np.asarray(
        mlp.logits_reference(params, jnp.asarray(data.one_hot()), config.activation)
    )
    correct = logits.argmax(axis=1) == data.c
    assert run.log["train_accuracy"][-1] == pytest.approx(correct[data.train].mean(), abs=1e-6)
    assert run.log["test_accuracy"][-1] == pytest.approx(correct[data.test].mean(), abs=1e-6)
    flat = np.concatenate([np.ravel(v) for v in run.params.values()]).astype(np.float64)
    assert run.log["weight_norm"][-1] == pytest.approx(np.linalg.norm(flat), rel=1e-5)
    assert run.log["l1_norm"][-1] == pytest.approx(np.abs(flat).sum(), rel=1e-5)
    target = np.eye(config.p)[data.c]
    mse = ((logits - target) ** 2).sum(axis=1)
    assert run.log["train_loss"][-1] == pytest.approx(mse[data.train].mean(), rel=1e-4)
    np.testing.assert_array_equal(run.log["step"], [0, 20, 40, 60])
    assert run.log["fourier_power"].shape == (4, config.p // 2 + 1)
    np.testing.assert_allclose(run.log["fourier_power"].sum(axis=1), 1.0, rtol=1e-5)


def test_summary_reads_the_log(mlp_run):
    s = mlp_run.summary
    assert s["train_accuracy"] == pytest.approx(float(mlp_run.log["train_accuracy"][-1]))
    hits = [
        step
        for step, acc in zip(mlp_run.log["step"], mlp_run.log["test_accuracy"], strict=True)
        if acc >= 0.99
    ]
    assert s["step_generalised"] == (hits[0] if hits else None)
    assert s["steps_run"] == 60


def test_same_config_and_seed_is_bit_identical(mlp_run):
    again = train(TINY_MLP)
    for name in mlp_run.params:
        np.testing.assert_array_equal(again.params[name], mlp_run.params[name])
    np.testing.assert_array_equal(again.log["test_loss"], mlp_run.log["test_loss"])


@pytest.mark.parametrize(
    "config",
    [TINY_MLP, pytest.param(TINY_TRANSFORMER, marks=pytest.mark.slow)],
    ids=["mlp", "transformer"],
)
def test_resumed_run_is_bit_identical_to_an_uninterrupted_one(config, tmp_path):
    whole = train(config)
    saved = []
    train(dataclasses.replace(config, steps=20), on_checkpoint=saved.append, checkpoint_every=20)
    # the budget is not part of the state: a run cut short at 20 steps continues to the end
    save_checkpoint(tmp_path / "ckpt.npz", saved[-1])
    resumed = train(config, resume=load_checkpoint(tmp_path / "ckpt.npz", config))
    for name in whole.params:
        np.testing.assert_array_equal(resumed.params[name], whole.params[name])
    for name in whole.log:
        np.testing.assert_array_equal(resumed.log[name], whole.log[name])
        assert resumed.log[name].dtype == whole.log[name].dtype


def test_divergence_is_one_sentence():
    with pytest.raises(ValueError, match=r"diverged by step \d+") as info:
        train(dataclasses.replace(TINY_MLP, lr=1e6))
    assert "\n" not in str(info.value)


def test_one_step_is_adamw_with_decoupled_weight_decay_and_l1():
    # numpy AdamW after one step: m = (1-b1) g, v = (1-b2) g², update = -lr (m̂/(√v̂+eps) + wd w)
    config = dataclasses.replace(TINY_MLP, wd=0.5, l1=1e-3).check()
    params = init_params(config, jax.random.key(0))
    a, b = jnp.arange(5), jnp.arange(5) * 2 % config.p
    c = (a + b) % config.p
    grads = jax.grad(objective, argnums=1)(config, params, a, b, c)
    assert set(opt_state_hyperparameters(optimiser(config).init(params))) == {0.5, -5e-3}
    opt = optimiser(config)
    updates, _ = opt.update(grads, opt.init(params), params)
    new = optax.apply_updates(params, updates)
    for name in params:
        g, w = np.asarray(grads[name], np.float64), np.asarray(params[name], np.float64)
        m_hat = (1 - config.beta1) * g / (1 - config.beta1)
        v_hat = (1 - config.beta2) * g**2 / (1 - config.beta2)
        expected = w - config.lr * (m_hat / (np.sqrt(v_hat) + 1e-8) + config.wd * w)
        np.testing.assert_allclose(new[name], expected, rtol=1e-5, atol=1e-6)
    # and the L1 term is in the gradient: sign(w) · l1 on top of the loss gradient
    plain = jax.grad(objective, argnums=1)(dataclasses.replace(config, l1=0.0), params, a, b, c)
    for name in params:
        np.testing.assert_allclose(
            grads[name] - plain[name], 1e-3 * np.sign(params[name]), rtol=1e-4, atol=1e-7
        )


def test_weight_decay_shrinks_the_weights_as_configured():
    base = dataclasses.replace(TINY_MLP, steps=100)
    free = train(base)
    decayed = train(dataclasses.replace(base, wd=2.0))
    assert decayed.log["weight_norm"][-1] < free.log["weight_norm"][-1]
    assert decayed.config.wd == 2.0 and free.config.wd == 0.0


def test_vmapped_seeds_agree_with_single_runs():
    config = dataclasses.replace(TINY_MLP, steps=20)
    batched = train_seeds(config, [3, 4])
    for seed, result in zip([3, 4], batched, strict=True):
        single = train(dataclasses.replace(config, seed=seed))
        np.testing.assert_allclose(result["log"]["train_loss"], single.log["train_loss"], rtol=1e-4)
        np.testing.assert_allclose(
            result["log"]["weight_norm"], single.log["weight_norm"], rtol=1e-5
        )


@pytest.mark.slow
def test_stop_after_generalising_ends_the_run_early():
    config = GrokConfig(p=23, width=64, frac=0.7, wd=1.0, steps=2000, log_every=50, stop_after=0)
    run = train(config)
    assert run.summary["step_generalised"] is not None
    assert run.summary["steps_run"] == run.summary["step_generalised"] < 2000


def test_small_sweep_fills_its_grid():
    config = SweepConfig(
        base=dataclasses.replace(TINY_MLP, steps=40),
        x_values=(0.4, 0.6),
        y_values=(0.0, 1.0),
        n_seeds=2,
    )
    diagram = sweep(config, backend="serial")
    assert diagram.steps_generalised.shape == (2, 2, 2)
    rows = diagram.rows()
    assert len(rows) == 8 and {"wd", "frac", "seed", "steps_generalised"} <= set(rows[0])
    assert diagram.plot().axes
    memorised = diagram.steps_memorised[np.isfinite(diagram.steps_memorised)]
    assert np.all(memorised <= 40)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"model": "cnn"}, "unknown model 'cnn'"),
        ({"loss": "hinge"}, "unknown loss 'hinge'"),
        ({"lr": 0.0}, "lr = 0.0 must be positive"),
        ({"wd": -1.0}, "wd = -1.0 must be non-negative"),
        ({"activation": "sin"}, "unknown activation 'sin'"),
        ({"op": "/", "p": 12}, "p = 12 is not"),
    ],
)
def test_bad_configs_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        train(dataclasses.replace(TINY_MLP, **change))


def test_runs_trained_together_keep_their_own_weight_decay_and_rate():
    config = dataclasses.replace(TINY_MLP, steps=20)
    free, decayed, faster = train_many(
        [config, dataclasses.replace(config, wd=2.0), dataclasses.replace(config, lr=1e-2)]
    )
    assert decayed["summary"]["weight_norm"] < free["summary"]["weight_norm"]
    assert faster["log"]["train_loss"][-1] != free["log"]["train_loss"][-1]
    with pytest.raises(ValueError, match="may differ only in"):
        train_many([config, dataclasses.replace(config, width=8)])
