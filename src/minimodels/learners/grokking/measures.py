"""Progress measures for grokking: losses, accuracies, weight norms and the Fourier picture.

Data model.  Measures look at a model through two things: its logits on pairs (``(n, p)``),
and its *embedding*, a ``(p, m)`` matrix whose row ``t`` is what the model stores about input
residue ``t`` (the transformer's ``W_E[:p]``; for the MLP the columns of ``W_in`` for ``a`` and
for ``b``, side by side).  Column ``j`` of the embedding is a function of the residue, and its
discrete Fourier transform over residues splits it into frequencies ``k = 0 … p // 2`` with
``ω_k = 2πk/p``:

* :func:`fourier_power` — the share of the embedding's squared norm at each frequency
  (``(p // 2 + 1,)``, sums to 1).  A grokked net puts nearly all of it on a few *key* frequencies.
* :func:`inverse_participation_ratio` — Gromov's IPR of each column's Fourier power,
  ``Σ_k P_k² / (Σ_k P_k)²``, averaged over columns: ≈ 1/(p//2) for a random column, → 1 when a
  column (a neuron, for the MLP) uses a single frequency.
* :func:`restricted_and_excluded_loss` — Nanda et al.'s measures for ``a ± b``: project the
  logits over all p² pairs onto the directions ``cos ω_k(a ± b)``, ``sin ω_k(a ± b)`` of the key
  frequencies.  The *restricted* loss keeps only those components (plus the mean) and is
  evaluated on all pairs; the *excluded* loss removes them and is evaluated on the training pairs.
  Restricted loss falls before test loss does; excluded loss rises as the circuit forms.

Losses: ``"ce"`` is the mean cross-entropy; ``"mse"`` the mean over pairs of the squared distance
between the logits and the one-hot label.  Every function here is pure JAX and can be jitted
and vmapped.
"""

from __future__ import annotations

import math
from typing import cast

import jax
import jax.numpy as jnp
import numpy as np

from minimodels.base.errors import UsageError
from minimodels.learners.grokking.config import LOSSES

__all__ = [
    "LOSSES",
    "accuracy",
    "fourier_basis",
    "fourier_power",
    "inverse_participation_ratio",
    "key_frequencies",
    "loss_value",
    "per_pair_loss",
    "restricted_and_excluded_loss",
    "weight_norm",
]


def check_loss(name: str) -> str:
    if name not in LOSSES:
        raise UsageError(f"unknown loss {name!r}; choose ce or mse")
    return name


def per_pair_loss(logits: jax.Array, labels: jax.Array, loss: str = "ce") -> jax.Array:
    """The loss of each pair: ``(n, p)`` logits and ``(n,)`` integer labels → ``(n,)``."""
    if check_loss(loss) == "ce":
        log_probs = jax.nn.log_softmax(logits, axis=-1)
        return -jnp.take_along_axis(log_probs, labels[:, None], axis=-1)[:, 0]
    target = jax.nn.one_hot(labels, logits.shape[-1], dtype=logits.dtype)
    return jnp.sum((logits - target) ** 2, axis=-1)


def loss_value(logits: jax.Array, labels: jax.Array, loss: str = "ce") -> jax.Array:
    """Mean loss of ``(n, p)`` logits against ``(n,)`` integer labels."""
    return jnp.mean(per_pair_loss(logits, labels, loss))


def accuracy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    return jnp.mean(jnp.argmax(logits, axis=-1) == labels)


def weight_norm(params) -> jax.Array:
    """The Euclidean norm of all parameters together."""
    return jnp.sqrt(sum(jnp.sum(jnp.square(leaf)) for leaf in jax.tree_util.tree_leaves(params)))


def l1_norm(params) -> jax.Array:
    total = sum(jnp.sum(jnp.abs(leaf)) for leaf in jax.tree_util.tree_leaves(params))
    return cast(jax.Array, total)  # not the int 0: params have leaves


def fourier_basis(p: int) -> tuple[np.ndarray, np.ndarray]:
    """``cos(ω_k t)`` and ``sin(ω_k t)`` for k = 0 … p//2 and t = 0 … p-1: two ``(p//2+1, p)``."""
    k = np.arange(p // 2 + 1)[:, None]
    t = np.arange(p)[None, :]
    angle = 2 * np.pi * ((k * t) % p) / p  # reduce first so the angles are exact
    return np.cos(angle).astype(np.float32), np.sin(angle).astype(np.float32)


def _column_power(embedding: jax.Array) -> jax.Array:
    """``(p, m)`` → ``(p//2 + 1, m)``: squared Fourier amplitude of each column per frequency."""
    cos, sin = fourier_basis(embedding.shape[0])
    return jnp.square(cos @ embedding) + jnp.square(sin @ embedding)


def fourier_power(embedding: jax.Array) -> jax.Array:
    """Share of the embedding's squared norm at each frequency k = 0 … p//2 (sums to 1)."""
    power = jnp.sum(_column_power(embedding), axis=1)
    return power / jnp.sum(power)


def inverse_participation_ratio(embedding: jax.Array) -> jax.Array:
    """Gromov's IPR (r = 2) of each column's Fourier power, averaged over columns."""
    power = _column_power(embedding)  # (k, m)
    ipr = jnp.sum(power**2, axis=0) / jnp.square(jnp.sum(power, axis=0))
    return jnp.mean(ipr)


def key_frequencies(power: np.ndarray | jax.Array, n_key: int) -> np.ndarray:
    """The ``n_key`` frequencies k ≥ 1 with the most power, in decreasing order of power."""
    power = np.asarray(power)
    order = np.argsort(-power[1:], kind="stable") + 1
    return order[:n_key]


def _sum_directions(a: jax.Array, b: jax.Array, op: str, p: int) -> jax.Array:
    return (a + b) % p if op == "add" else (a - b) % p


def restricted_and_excluded_loss(
    grid_logits: jax.Array,
    a: jax.Array,
    b: jax.Array,
    labels: jax.Array,
    train_mask: jax.Array,
    keys: jax.Array,
    *,
    op: str,
    p: int,
    loss: str = "ce",
) -> tuple[jax.Array, jax.Array]:
    """Nanda et al.'s (restricted loss on all pairs, excluded loss on the train pairs).

    ``grid_logits`` are the logits on *all* p² pairs ``(a, b)`` (so the Fourier directions are
    orthogonal), ``keys`` the key frequencies (an int array), ``op`` ``"add"`` or ``"sub"``.
    """
    s = _sum_directions(a, b, op, p)  # (N,)
    angle = (2 * math.pi / p) * ((keys[:, None] * s[None, :]) % p)  # (K, N)
    directions = jnp.concatenate([jnp.cos(angle), jnp.sin(angle)])  # (2K, N)
    directions = directions / jnp.linalg.norm(directions, axis=1, keepdims=True)
    mean = jnp.mean(grid_logits, axis=0, keepdims=True)  # (1, p)
    centred = grid_logits - mean
    projected = directions.T @ (directions @ centred)  # (N, p): key-frequency part
    restricted = loss_value(mean + projected, labels, loss)
    per_pair = per_pair_loss(grid_logits - projected, labels, loss)
    excluded = jnp.sum(jnp.where(train_mask, per_pair, 0.0)) / jnp.sum(train_mask)
    return restricted, excluded
