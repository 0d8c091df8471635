"""A pool of slots: N nets trained in one compiled loop, ``n_slots`` of them in flight.

Every ``n_inner`` masked steps of all slots (:func:`minimodels.learners.nets.step.advance`,
vmapped), the finished slots' results are stored in per-net arrays and the slots are refilled with
the next nets, so a slow net delays nobody and memory holds ``n_slots`` optimiser states, not N.
A :class:`Pool` is that whole state; :func:`run_pool_to_end` runs it in chunks of at most
``chunk_steps`` iterations so that progress can be reported between them.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from minimodels.base.progress import report
from minimodels.learners.nets.step import TrainState, advance, init_scales, start_one, static_init
from minimodels.learners.nets.training import Params, hyperparameters, structure

# steps per iteration of the compiled inner loop: fewer loop overheads, same arithmetic
_UNROLL = 2


class Pool(NamedTuple):
    """``n_slots`` nets in flight; a finished net's slot is refilled with the next net."""

    slots: TrainState  # batched over slots
    slot_keys: jax.Array  # (n_slots,) minibatch keys
    slot_net: jax.Array  # (n_slots,) int32: which net a slot holds (N: none)
    next_net: jax.Array  # int32: the first net not yet started
    params: Params  # results, each leaf (N, …)
    n_steps: jax.Array  # (N,)
    fitted: jax.Array
    diverged: jax.Array
    loss: jax.Array
    accuracy: jax.Array


def _gather(tree, index):
    return None if tree is None else jax.tree.map(lambda a: a[index], tree)


def _refill(model, training, init, pool, keys, params, hyper, scales):
    """Store the results of finished slots and load the next nets into the free slots.

    A loop over the slots that need it, one at a time in slot order: a round in which no net
    finished costs one test, and each net is drawn once (not every slot every round)."""
    n_nets = keys.shape[0]
    start = partial(start_one, model, training, init, hyper=hyper, scales=scales)

    def pending(p):
        # done slots holding a result to store, or free while nets are left to start
        return p.slots.done & ((p.slot_net < n_nets) | (p.next_net < n_nets))

    def serve(p):
        slot = jnp.argmax(pending(p))
        net = p.slot_net[slot]  # n_nets when the slot was empty: the stores are dropped
        s = _gather(p.slots, slot)

        def store(results, value):
            return results.at[net].set(value, mode="drop")

        following = p.next_net
        loads = following < n_nets
        index = jnp.minimum(following, n_nets - 1)
        fresh, fresh_key = start(keys[index], _gather(params, index))
        fresh = fresh._replace(done=~loads)  # a slot with no net left stays done
        return Pool(
            slots=jax.tree.map(lambda a, v: a.at[slot].set(v), p.slots, fresh),
            slot_keys=p.slot_keys.at[slot].set(fresh_key),
            slot_net=p.slot_net.at[slot].set(jnp.where(loads, following, n_nets)),
            next_net=jnp.minimum(following + 1, n_nets),
            params=jax.tree.map(store, p.params, s.params),
            n_steps=store(p.n_steps, s.step),
            fitted=store(p.fitted, s.fitted),
            diverged=store(p.diverged, s.diverged),
            loss=store(p.loss, s.loss),
            accuracy=store(p.accuracy, s.accuracy),
        )

    return jax.lax.while_loop(lambda p: jnp.any(pending(p)), serve, pool)


@partial(jax.jit, static_argnames=("model", "training", "init", "n_slots", "n_inner", "n_rounds"))
def _run_pool(
    model, training, init, n_slots, n_inner, n_rounds, pool, keys, params, x, y, hyper, scales
):
    """Up to ``n_rounds`` rounds of (``n_inner`` masked steps of every slot, then refill)."""
    step = jax.vmap(partial(advance, model, training, hyper=hyper), in_axes=(0, 0, None, None))
    n_nets = keys.shape[0]

    def busy(p):
        return (p.next_net < n_nets) | jnp.any(p.slot_net < n_nets)

    def round_(carry):
        i, p = carry
        slots = jax.lax.fori_loop(
            0, n_inner, lambda _, s: step(s, p.slot_keys, x, y)[0], p.slots,
            unroll=min(_UNROLL, n_inner),
        )  # fmt: skip
        p = _refill(model, training, init, p._replace(slots=slots), keys, params, hyper, scales)
        return i + 1, p

    return jax.lax.while_loop(
        lambda c: (c[0] < n_rounds) & busy(c[1]), round_, (jnp.int32(0), pool)
    )


@partial(jax.jit, static_argnames=("model", "training", "init", "n_slots"))
def _empty_pool(model, training, init, n_slots, keys, params, hyper, scales):
    n_nets = keys.shape[0]
    start = partial(start_one, model, training, init, hyper=hyper, scales=scales)
    template, _ = jax.eval_shape(start, keys[0], _gather(params, 0))
    slots = jax.tree.map(lambda a: jnp.zeros((n_slots, *a.shape), a.dtype), template)
    slots = slots._replace(done=jnp.ones(n_slots, bool))
    results = jax.tree.map(lambda a: jnp.zeros((n_nets, *a.shape), a.dtype), template)
    return Pool(
        slots=slots,
        slot_keys=jax.random.split(keys[0], n_slots),
        slot_net=jnp.full(n_slots, n_nets, jnp.int32),
        next_net=jnp.int32(0),
        params=results.params,
        n_steps=results.step,
        fitted=results.fitted,
        diverged=results.diverged,
        loss=results.loss,
        accuracy=results.accuracy,
    )


def run_pool_to_end(
    model, training, init, keys, params, x, y, *, n_slots, n_inner, chunk_steps, on_progress
):
    n_nets = keys.shape[0]
    n_slots = min(n_slots, max(n_nets, 2))  # a batch of one rounds unlike the others
    n_rounds = max(1, chunk_steps // n_inner)
    hyper, scales = hyperparameters(training), init_scales(init)
    static, fixed_init = structure(training), static_init(model, init)
    pool = _empty_pool(model, static, fixed_init, n_slots, keys, params, hyper, scales)
    while True:
        _, pool = _run_pool(
            model, static, fixed_init, n_slots, n_inner, n_rounds, pool, keys, params, x, y,
            hyper, scales,
        )  # fmt: skip
        in_flight = int(np.sum(np.asarray(pool.slot_net) < n_nets))
        report(on_progress, int(pool.next_net) - in_flight, n_nets)
        if in_flight == 0 and int(pool.next_net) >= n_nets:
            break
    return {
        "params": pool.params,
        "n_steps": pool.n_steps,
        "fitted": pool.fitted,
        "diverged": pool.diverged,
        "loss": pool.loss,
        "accuracy": pool.accuracy,
    }
