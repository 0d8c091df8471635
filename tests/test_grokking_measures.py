"""Progress measures against closed forms."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from minimodels.learners.grokking import measures as M
from minimodels.learners.grokking.data import operation_table


def test_fourier_power_of_a_pure_frequency_is_all_at_that_frequency():
    p, k = 23, 4
    t = np.arange(p)
    embedding = np.stack([np.cos(2 * np.pi * k * t / p + phase) for phase in (0.0, 0.7, 2.0)], 1)
    power = np.asarray(M.fourier_power(jnp.asarray(embedding, jnp.float32)))
    assert power.shape == (p // 2 + 1,)
    assert power.sum() == pytest.approx(1.0, abs=1e-6)
    assert power[k] == pytest.approx(1.0, abs=1e-5)
    assert M.key_frequencies(power, 1).tolist() == [k]
    assert float(
        M.inverse_participation_ratio(jnp.asarray(embedding, jnp.float32))
    ) == pytest.approx(1.0, abs=1e-5)


def test_ipr_of_random_columns_is_small():
    p = 97
    embedding = jax.random.normal(jax.random.key(0), (p, 64))
    ipr = float(M.inverse_participation_ratio(embedding))
    assert 1 / (p // 2 + 1) < ipr < 0.1


def test_fourier_power_matches_numpy_fft():
    p = 31
    embedding = np.random.default_rng(0).standard_normal((p, 5)).astype(np.float32)
    spectrum = np.abs(np.fft.fft(embedding, axis=0)) ** 2  # (p, 5)
    expected = spectrum[: p // 2 + 1].sum(axis=1)
    np.testing.assert_allclose(
        M.fourier_power(jnp.asarray(embedding)), expected / expected.sum(), rtol=1e-4
    )


def test_weight_norm_is_the_norm_of_all_parameters():
    params = {"x": jnp.arange(6.0).reshape(2, 3), "y": jnp.asarray([-2.0])}
    assert float(M.weight_norm(params)) == pytest.approx(np.sqrt(55 + 4))
    assert float(M.l1_norm(params)) == pytest.approx(17.0)


@pytest.mark.parametrize("op", ["add", "sub"])
def test_restricted_loss_keeps_a_key_frequency_circuit_and_excluded_loss_removes_it(op):
    p, keys = 13, np.array([2, 5])
    a, b, c = operation_table(op, p)
    s = (a + b) % p if op == "add" else (a - b) % p
    # Nanda's circuit: logit(c) = Σ_k cos(ω_k (s - c)), scaled
    w = 2 * np.pi / p
    logits = 6 * sum(np.cos(w * k * (s[:, None] - np.arange(p)[None, :])) for k in keys)
    logits = jnp.asarray(logits, jnp.float32)
    mask = jnp.asarray(np.arange(len(c)) % 3 == 0)
    restricted, excluded = M.restricted_and_excluded_loss(
        logits, jnp.asarray(a), jnp.asarray(b), jnp.asarray(c), mask, jnp.asarray(keys), op=op, p=p
    )
    full = float(M.loss_value(logits, jnp.asarray(c)))
    assert float(restricted) == pytest.approx(full, rel=1e-4)
    assert float(excluded) == pytest.approx(np.log(p), rel=1e-4)  # nothing left: uniform logits
    # with the wrong key frequencies the restricted loss is no better than chance
    wrong, _ = M.restricted_and_excluded_loss(
        logits,
        jnp.asarray(a),
        jnp.asarray(b),
        jnp.asarray(c),
        mask,
        jnp.asarray([1, 3]),
        op=op,
        p=p,
    )
    assert float(wrong) == pytest.approx(np.log(p), rel=1e-4)


def test_losses():
    logits = jnp.asarray([[2.0, 0.0], [0.0, 1.0]])
    labels = jnp.asarray([0, 0])
    expected_ce = np.mean([np.log(1 + np.exp(-2.0)), np.log(1 + np.exp(1.0))])
    assert float(M.loss_value(logits, labels, "ce")) == pytest.approx(expected_ce, rel=1e-6)
    assert float(M.loss_value(logits, labels, "mse")) == pytest.approx((1 + 0 + 1 + 1) / 2)
    assert float(M.accuracy(logits, labels)) == 0.5
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        M.loss_value(logits, labels, "hinge")
