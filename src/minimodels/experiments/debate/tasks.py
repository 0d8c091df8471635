"""The data and nets the debate's experiments share.

* Boolean: all 128 inputs of n = 7 bits (0/1 floats, x1 first), a target truth table, a random
  training set S of ``train_size`` inputs, the rest the test set; labels ±1 for the MSE loss
  (as every Boolean net in minimodels is trained, DESIGN.md §4).
* Teacher–student: inputs x ~ N(0, I_d), labels from a fixed random tanh teacher
  d-32-1 (its own seed, so every experiment sees the same teacher), optional Gaussian noise on
  the training labels only.
* Nets: :class:`~minimodels.learners.nets.MLP` trained by
  :func:`~minimodels.learners.nets.train_many` (N seeds in one compiled loop), and the plain
  losses the landscape measures on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from minimodels.analysis.bayes.protocol import boolean_target, truth_table_bits
from minimodels.analysis.sampling.substrates import boolean_inputs

N_BITS = 7
TEACHER_SEED = 12345


@dataclass(frozen=True)
class BooleanSplit:
    """All 2^n inputs, their ±1 labels and the train/test index sets."""

    x: np.ndarray  # (2^n, n) float32 0/1
    y: np.ndarray  # (2^n,) float32 ±1
    train: np.ndarray  # indices of S
    test: np.ndarray  # the others

    @property
    def x_train(self) -> np.ndarray:
        return self.x[self.train]

    @property
    def y_train(self) -> np.ndarray:
        return self.y[self.train]


def boolean_split(target: str, train_size: int, seed: int, n: int = N_BITS) -> BooleanSplit:
    """The target's truth table and a random training set of ``train_size`` inputs."""
    rng = np.random.default_rng(seed)
    bits = truth_table_bits(boolean_target(n, target, rng=rng)).astype(np.float32)
    order = rng.permutation(2**n)
    return BooleanSplit(
        x=boolean_inputs(n).astype(np.float32),
        y=2 * bits - 1,
        train=np.sort(order[:train_size]),
        test=np.sort(order[train_size:]),
    )


def teacher(x: np.ndarray, *, hidden: int = 32) -> np.ndarray:
    """A fixed random tanh net d-32-1 (weights from :data:`TEACHER_SEED`), outputs of scale ~1."""
    rng = np.random.default_rng([TEACHER_SEED, x.shape[1]])
    w1 = rng.normal(size=(x.shape[1], hidden)) / np.sqrt(x.shape[1])
    b1 = rng.normal(size=hidden) * 0.5
    w2 = rng.normal(size=hidden) / np.sqrt(hidden) * 2.0
    return np.tanh(x @ w1 + b1) @ w2


def teacher_data(n: int, d: int, *, seed: int, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` inputs x ~ N(0, I_d) and the teacher's labels plus N(0, noise²)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    return x, teacher(x) + noise * rng.normal(size=n)


def seed_keys(seed: int, count: int, stream: int = 0) -> jax.Array:
    """``count`` JAX keys for the nets of one stream of a run (streams never share keys)."""
    root = jax.random.fold_in(jax.random.key(seed), stream)
    return jax.vmap(lambda i: jax.random.fold_in(root, i))(jnp.arange(count))


def mse_loss(model: Any, x: Any, y: Any):
    """``params → mean (f(x) − y)²`` of a one-output net (a closure for the landscape)."""
    x, y = jnp.asarray(x), jnp.asarray(y)
    return lambda params: jnp.mean((model.apply(params, x)[:, 0] - y) ** 2)


def sign_error(model: Any, x: Any, y: Any):
    """``params → fraction of inputs whose output has the wrong sign`` (±1 labels)."""
    x, y = jnp.asarray(x), jnp.asarray(y)
    return lambda params: jnp.mean(jnp.sign(model.apply(params, x)[:, 0]) != y)


def net(stacked: Any, i: int) -> Any:
    """Net ``i`` of stacked parameters (every leaf's leading axis)."""
    return jax.tree_util.tree_map(lambda leaf: leaf[i], stacked)


def function_bits(outputs: np.ndarray) -> np.ndarray:
    """0/1 functions of net outputs ``(..., n_inputs[, 1])``: 1 where the output is > 0."""
    outputs = np.asarray(outputs)
    if outputs.ndim and outputs.shape[-1] == 1:
        outputs = outputs[..., 0]
    return (outputs > 0).astype(np.uint8)
