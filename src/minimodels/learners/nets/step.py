"""One training step of one net, masked and compiled; many nets by ``vmap`` over it.

One step.  The current parameters are evaluated on the whole training set (loss, accuracy).
If the stopping criterion holds (loss ≤ ``target_loss`` or accuracy ≥ ``target_accuracy``),
or ``max_steps`` updates were made, the net is *done* and keeps these parameters; otherwise
one optimiser update is applied, with the gradient of the full batch or of the next
minibatch (an epoch-wise random permutation drawn from the net's own key) plus the L1 term.
So ``losses[s]`` is the training loss after ``s`` updates, ``s = 0 … n_steps``, and the last
entry is the final loss.

State.  A :class:`TrainState` per net (parameters, optimiser state, step count, done /
fitted / diverged flags, the last loss and accuracy).  :func:`_start` draws it from a key
(split into the init key and the minibatch key); :func:`_run_chunk` runs up to ``n_iter``
masked steps in a ``lax.while_loop`` (batched over a leading net axis when ``batched``), and
:func:`run_in_chunks` calls it until every net is done, reporting progress between chunks.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from minimodels.base.progress import report
from minimodels.learners.nets.training import (
    Model,
    Params,
    Training,
    float_dtype,
    hyperparameters,
    make_optimizer,
    structure,
)
from minimodels.models.inits import Init

if TYPE_CHECKING:
    from jax.typing import ArrayLike


class TrainState(NamedTuple):
    params: Params
    opt_state: Any
    step: jax.Array  # int32: updates applied so far
    done: jax.Array  # bool
    fitted: jax.Array  # bool: the stopping criterion held when the net stopped
    diverged: jax.Array  # bool: the loss became NaN or infinite
    loss: jax.Array  # loss of the current parameters
    accuracy: jax.Array


def data_loss(output: jax.Array, y: jax.Array, loss: str) -> jax.Array:
    if loss == "mse":
        return jnp.mean((output - y) ** 2)
    if output.shape[-1] == 1:
        return jnp.mean(optax.sigmoid_binary_cross_entropy(output, y))
    return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(output, y))


def accuracy(output: jax.Array, y: jax.Array, loss: str) -> jax.Array:
    if output.shape[-1] > 1:
        return jnp.mean(jnp.argmax(output, axis=-1) == y)
    truth = y > (0.5 if loss == "cross_entropy" else 0.0)
    return jnp.mean((output > 0) == truth)


def _criterion(hyper: Mapping[str, ArrayLike], loss: jax.Array, acc: jax.Array) -> jax.Array:
    return (loss <= hyper["target_loss"]) | (acc >= hyper["target_accuracy"])


def _batch_indices(key: jax.Array, step: jax.Array, n: int, batch_size: int) -> jax.Array:
    n_batches = n // batch_size
    perm = jax.random.permutation(jax.random.fold_in(key, step // n_batches), n)
    return jax.lax.dynamic_slice(perm, ((step % n_batches) * batch_size,), (batch_size,))


def advance(
    model: Model,
    training: Training,
    state: TrainState,
    key: jax.Array,
    x: jax.Array,
    y: jax.Array,
    hyper: Mapping[str, ArrayLike] | None = None,
) -> tuple[TrainState, jax.Array]:
    """One masked step of one net; returns the new state and the loss it evaluated (NaN if done).

    ``hyper`` (default: :func:`hyperparameters` of ``training``) holds the runtime numbers;
    ``training`` then only contributes its structure.
    """
    if hyper is None:
        hyper = hyperparameters(training)
    optimizer = make_optimizer(training, hyper)

    def objective(params, xb, yb):
        output = model.apply(params, xb)
        loss = data_loss(output, yb, training.loss)
        if training.l1:
            loss_l1 = hyper["l1"] * sum(jnp.sum(jnp.abs(p)) for p in jax.tree.leaves(params))
            return loss + loss_l1, (loss, output)
        return loss, (loss, output)

    full_batch = training.batch_size is None or training.batch_size >= x.shape[0]
    if full_batch:
        (_, (loss, output)), grads = jax.value_and_grad(objective, has_aux=True)(state.params, x, y)
    else:
        output = model.apply(state.params, x)
        loss = data_loss(output, y, training.loss)
        assert training.batch_size is not None  # not full_batch
        idx = _batch_indices(key, state.step, x.shape[0], training.batch_size)
        grads = jax.grad(lambda p: objective(p, x[idx], y[idx])[0])(state.params)
    acc = accuracy(output, y, training.loss)
    finite = jnp.isfinite(loss)
    reached = _criterion(hyper, loss, acc)
    stop = state.done | ~finite | reached | (state.step >= hyper["max_steps"])
    updates, opt_state = optimizer.update(grads, state.opt_state, state.params)
    params = optax.apply_updates(state.params, updates)

    def keep(old, new):
        return jax.tree.map(lambda a, b: jnp.where(stop, a, b), old, new)

    active = ~state.done
    new_state = TrainState(
        params=keep(state.params, params),
        opt_state=keep(state.opt_state, opt_state),
        step=state.step + jnp.where(stop, 0, 1).astype(jnp.int32),
        done=stop,
        fitted=jnp.where(active, reached & finite, state.fitted),
        diverged=state.diverged | (active & ~finite),
        loss=jnp.where(active, loss, state.loss),
        accuracy=jnp.where(active, acc, state.accuracy),
    )
    return new_state, jnp.where(active, loss, jnp.nan)


@partial(jax.jit, static_argnames=("model", "training", "n_iter", "record", "batched"))
def _run_chunk(model, training, n_iter, record, batched, state, keys, x, y, hyper):
    """Up to ``n_iter`` masked steps, stopping early once every net is done."""
    step_fn = partial(advance, model, training, hyper=hyper)
    if batched:
        step_fn = jax.vmap(step_fn, in_axes=(0, 0, None, None))
    buffer = jnp.full((n_iter if record else 0, *state.done.shape), jnp.nan, dtype=x.dtype)

    def cond(carry):
        i, s, _ = carry
        return (i < n_iter) & ~jnp.all(s.done)

    def body(carry):
        i, s, buf = carry
        s, loss = step_fn(s, keys, x, y)
        if record:
            buf = buf.at[i].set(loss.astype(buf.dtype))
        return i + 1, s, buf

    return jax.lax.while_loop(cond, body, (jnp.int32(0), state, buffer))


def static_init(model: Model, init: Init) -> Init:
    """What compiled code keeps of ``init``: the scheme, when the scales can be traced."""
    return Init(init.scheme) if hasattr(model, "draw") else init


def init_scales(init: Init) -> np.ndarray:
    return np.asarray([init.sigma_w, init.sigma_b], dtype=float_dtype())


def start_one(model, training, init, key, params, hyper=None, scales=None):
    """One net's initial state (parameters drawn from the init key unless given) and batch key.

    ``scales`` = (σw, σb) as an array when ``init`` is static only through its scheme."""
    optimizer = make_optimizer(training, hyper)
    init_key, batch_key = jax.random.split(key)
    if params is None:
        if scales is None or not hasattr(model, "draw"):
            params = model.init(key=init_key, **init.kwargs())
        else:
            params = model.draw(init_key, init.scheme, scales[0], scales[1])
    dtype = jnp.result_type(float)
    params = jax.tree.map(lambda a: jnp.asarray(a, dtype=dtype), params)
    state = TrainState(
        params=params,
        opt_state=optimizer.init(params),
        step=jnp.int32(0),
        done=jnp.asarray(False),
        fitted=jnp.asarray(False),
        diverged=jnp.asarray(False),
        loss=jnp.asarray(jnp.nan, dtype=dtype),
        accuracy=jnp.asarray(jnp.nan, dtype=dtype),
    )
    return state, batch_key


@partial(jax.jit, static_argnames=("model", "training", "init", "batched"))
def start(model, training, init, batched, keys, params, hyper, scales):
    start = partial(start_one, model, training, init, hyper=hyper, scales=scales)
    return jax.vmap(start)(keys, params) if batched else start(keys, params)


def run_in_chunks(
    model, training, state, keys, x, y, hyper, *, batched, record, chunk_steps, on_progress
):
    total = training.max_steps + 1  # evaluations: one per update plus the final one
    # the same number of iterations per compiled call whatever the step budget, so runs of
    # any length share one compiled loop (it stops early once every net is done)
    n_iter = max(1, chunk_steps)
    static = structure(training)
    chunks = []
    iterations = 0
    while True:
        i, state, buffer = _run_chunk(
            model, static, n_iter, record, batched, state, keys, x, y, hyper
        )
        i = int(i)
        iterations += i
        if record:
            chunks.append(np.asarray(buffer)[:i])
        done = np.asarray(state.done)
        if batched:
            report(on_progress, int(done.sum()), done.size)
        else:
            report(on_progress, min(iterations, total), total)
        if done.all():
            break
    losses = np.concatenate(chunks) if record and chunks else None
    return state, losses
