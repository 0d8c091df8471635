"""Gradient training with optax: one net (:func:`train`), or N nets in one compiled call
(:func:`train_many`), each stopping on its own criterion.

The parts: :mod:`~minimodels.learners.nets.training` (the :class:`Training` config, data layouts,
the optimiser, what is compiled and what is a runtime number), :mod:`~minimodels.learners.nets.step`
(one masked step of one net, the state it carries) and :mod:`~minimodels.learners.nets.pool` (the
slot pool of :func:`train_many`).  This module is the public front and the results.

Many nets.  :func:`train_many` vmaps that same step over a leading net axis of the parameters
and keys.  The loop is a ``lax.while_loop`` that runs until every net is done (done nets are
masked: their parameters and optimiser state no longer change), in chunks of at most
``chunk_steps`` iterations so that progress can be reported between chunks; there is no
Python work per step.  Unless losses are recorded, only a pool of ``n_slots`` nets is in
flight, and a finished net's slot is refilled with the next net.  Net ``i`` of
``train_many(keys=keys)`` follows the trajectory of ``train(key=keys[i])`` up to float
rounding (:func:`train_many` says when even that differs).  Memory is O(N · n_params); for
10^5 nets and more, call it on batches of ~10^4 keys.

Keys.  ``key`` is split into (init key, minibatch key); the init key draws the parameters when
none are given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback
from minimodels.learners.nets.pool import run_pool_to_end
from minimodels.learners.nets.step import init_scales, run_in_chunks, start, static_init
from minimodels.learners.nets.training import (
    DEFAULT_INIT as DEFAULT_INIT,
    DEFAULT_TRAINING as DEFAULT_TRAINING,
    LOSSES as LOSSES,
    OPTIMIZERS as OPTIMIZERS,
    Model as Model,
    Params as Params,
    Training as Training,
    hyperparameters,
    prepare_data as prepare_data,
    signed_targets as signed_targets,
    structure,
)
from minimodels.models.inits import Init


def _check_key(key: Any, name: str) -> jax.Array:
    """Typed JAX keys as they are; raw ``uint32`` keys (``PRNGKey``) wrapped."""
    if key is None:
        raise UsageError(f"{name} is required (e.g. jax.random.key(seed))")
    key = jnp.asarray(key)
    if not jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        key = jax.random.wrap_key_data(key)
    return key


def _diverged_message(training: Training, n: int, of: int | None = None) -> str:
    who = "the loss" if of is None else f"the loss of {n} of {of} nets"
    return (
        f"training diverged: {who} became NaN or infinite "
        f"(learning rate {training.learning_rate:g} is too large for this net and data)"
    )


@dataclass(frozen=True, eq=False)
class TrainResult(Drawable):
    """One trained net: final parameters and the loss after every update."""

    model: Any
    training: Training
    params: Params
    losses: np.ndarray  # (n_steps + 1,) training loss after 0, 1, … n_steps updates
    n_steps: int
    fitted: bool  # the stopping criterion held (False if it ran out of steps)
    final_loss: float
    final_accuracy: float

    def predict(self, x: Any) -> np.ndarray:
        return np.asarray(self.model.apply(self.params, jnp.asarray(x, dtype=float)))


@dataclass(frozen=True, eq=False)
class ManyResult(Drawable):
    """N nets trained together; every array has the net axis first."""

    model: Any
    training: Training
    params: Params  # each leaf (N, …)
    n_steps: np.ndarray  # (N,) updates applied
    fitted: np.ndarray  # (N,) bool
    diverged: np.ndarray  # (N,) bool
    final_loss: np.ndarray  # (N,)
    final_accuracy: np.ndarray  # (N,)
    losses: np.ndarray | None = field(default=None)  # (T, N), NaN once a net is done

    @property
    def n_nets(self) -> int:
        return int(self.n_steps.shape[0])

    def predict(self, x: Any) -> np.ndarray:
        """Every net's outputs on ``x``: ``(N, n, n_out)``."""
        return np.asarray(apply_many(self.model, self.params, jnp.asarray(x, dtype=float)))


@partial(jax.jit, static_argnames=("model",))
def apply_many(model: Model, params: Params, x: jax.Array) -> jax.Array:
    """Outputs of N stacked nets on the same inputs: ``(N, n, n_out)``."""
    return jax.vmap(model.apply, in_axes=(0, None))(params, x)


def init_many(model: Model, keys: jax.Array, init: Init = DEFAULT_INIT) -> Params:
    """Stacked parameters of N nets; net ``i`` as :func:`train` draws it from ``keys[i]``."""
    return jax.vmap(lambda k: model.init(key=jax.random.split(k)[0], **init.kwargs()))(keys)


def train(
    model: Model,
    x: Any,
    y: Any,
    training: Training = DEFAULT_TRAINING,
    *,
    key: jax.Array,
    params: Params | None = None,
    init: Init = DEFAULT_INIT,
    chunk_steps: int = 1000,
    on_progress: ProgressCallback | None = None,
) -> TrainResult:
    """Train one net (from ``params``, or from parameters drawn with ``key``) until it stops."""
    key = _check_key(key, "key")
    x, y = prepare_data(model, x, y, training)
    hyper = hyperparameters(training)
    state, batch_key = start(
        model, structure(training), static_init(model, init), False, key, params, hyper,
        init_scales(init),
    )  # fmt: skip
    state, losses = run_in_chunks(
        model, training, state, batch_key, x, y, hyper,
        batched=False, record=True, chunk_steps=chunk_steps, on_progress=on_progress,
    )  # fmt: skip
    if bool(state.diverged):
        raise UsageError(_diverged_message(training, 1))
    return TrainResult(
        model=model,
        training=training,
        params=state.params,
        losses=losses,
        n_steps=int(state.step),
        fitted=bool(state.fitted),
        final_loss=float(state.loss),
        final_accuracy=float(state.accuracy),
    )


def train_many(
    model: Model,
    x: Any,
    y: Any,
    training: Training = DEFAULT_TRAINING,
    *,
    keys: jax.Array,
    params: Params | None = None,
    init: Init = DEFAULT_INIT,
    record_losses: bool = False,
    on_diverge: str = "raise",
    n_slots: int = 64,
    n_inner: int = 16,
    chunk_steps: int = 1000,
    on_progress: ProgressCallback | None = None,
) -> ManyResult:
    """Train N independent nets, one per key, in one compiled loop (see the module docstring).

    ``params`` (optional) is a stacked pytree with leading axis N.  ``on_diverge="mark"`` keeps
    going when some nets' loss becomes NaN/inf and flags them in ``.diverged`` instead of
    raising.  ``on_progress(done_nets, N)`` is called between chunks.

    Scheduling: without ``record_losses``, ``n_slots`` nets are in flight at once; every
    ``n_inner`` steps the finished ones are stored and their slots refilled with the next nets,
    so a slow net delays nobody.  With ``record_losses`` all N nets run side by side until the
    last one stops.  More slots amortise the fixed cost of a step over more nets, but leave
    more slots idle while the last nets finish; 64 suits 10^2–10^5 small nets on a CPU.

    Scheduling changes no result beyond float rounding: XLA may round a batched product or a
    reduction differently for another batch size or loop shape (on a CPU, 7-40-40-1 nets came
    out bit for bit alike for 4 to 96 slots, but not for 128, nor for a batch of one, so a
    single net still gets 2 slots).  After ~10^3 steps such a last-bit difference can move the
    step at which a stopping criterion first holds by a few steps; the same goes for net ``i``
    here and :func:`train` (one unbatched net) with ``keys[i]``.
    """
    keys = _check_key(keys, "keys")
    for name, value in (("n_slots", n_slots), ("n_inner", n_inner), ("chunk_steps", chunk_steps)):
        if int(value) != value or value < 1:
            raise UsageError(f"{name} must be an integer ≥ 1, got {value}")
    if on_diverge not in ("raise", "mark"):
        raise UsageError(f"on_diverge must be 'raise' or 'mark', got {on_diverge!r}")
    if keys.ndim != 1 or keys.shape[0] == 0:
        raise UsageError(f"keys must be a non-empty 1-D array of JAX keys, got shape {keys.shape}")
    x, y = prepare_data(model, x, y, training)
    hyper = hyperparameters(training)
    if record_losses:
        state, batch_keys = start(
            model, structure(training), static_init(model, init), True, keys, params, hyper,
            init_scales(init),
        )  # fmt: skip
        state, losses = run_in_chunks(
            model, training, state, batch_keys, x, y, hyper,
            batched=True, record=True, chunk_steps=chunk_steps, on_progress=on_progress,
        )  # fmt: skip
        final = {
            "params": state.params,
            "n_steps": state.step,
            "fitted": state.fitted,
            "diverged": state.diverged,
            "loss": state.loss,
            "accuracy": state.accuracy,
        }
    else:
        losses = None
        final = run_pool_to_end(
            model, training, init, keys, params, x, y,
            n_slots=n_slots, n_inner=n_inner, chunk_steps=chunk_steps, on_progress=on_progress,
        )  # fmt: skip
    diverged = np.asarray(final["diverged"])
    if on_diverge == "raise" and diverged.any():
        raise UsageError(_diverged_message(training, int(diverged.sum()), diverged.size))
    return ManyResult(
        model=model,
        training=training,
        params=final["params"],
        n_steps=np.asarray(final["n_steps"]),
        fitted=np.asarray(final["fitted"]),
        diverged=diverged,
        final_loss=np.asarray(final["loss"]),
        final_accuracy=np.asarray(final["accuracy"]),
        losses=losses,
    )
