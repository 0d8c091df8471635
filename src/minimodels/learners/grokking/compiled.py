"""The compiled parts of a grokking run: parameters, objective, optimiser, chunks, measures.

One host call of :func:`compiled_chunk` runs ``n_steps`` full-batch AdamW steps inside a
``lax.scan``; :func:`compiled_measure` takes every logged measure (:mod:`.measures`) on all
pairs at once.  Both are cached per process by the config's *compute key*
(:func:`compute_key`: the config with seed, budget, train fraction, learning rate, weight
decay, L1 and init scale blanked out — those are runtime numbers), so a sweep compiles once
per worker.  ``batched=True`` vmaps them over a leading run axis (:func:`train_seeds`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import optax

from minimodels.learners.grokking import measures as M, mlp, transformer
from minimodels.learners.grokking.config import GrokConfig, compute_key


def init_params(config: GrokConfig, key: jax.Array) -> dict[str, jax.Array]:
    if config.model == "mlp":
        return mlp.init_mlp(config.p, key=key, width=config.width, init_scale=config.init_scale)
    return transformer.init_transformer(
        config.p,
        key=key,
        d_model=config.d_model,
        n_heads=config.n_heads,
        d_mlp=config.d_mlp,
        init_scale=config.init_scale,
    )


def model_logits(config: GrokConfig) -> Callable[[Any, jax.Array, jax.Array], jax.Array]:
    """``(params, a, b) -> (n, p)`` logits for the configured model (fast path)."""
    if config.model == "mlp":
        return partial(mlp.logits, activation=config.activation)
    return transformer.logits


def embedding(config: GrokConfig, params) -> jax.Array:
    """The ``(p, m)`` embedding the Fourier measures read (see :mod:`.measures`)."""
    p = config.p
    if config.model == "mlp":
        W_in = params["W_in"]  # (width, 2p)
        return jnp.concatenate([W_in[:, :p].T, W_in[:, p:].T], axis=1)  # (p, 2 width)
    return params["W_E"][:p]


def optimiser(config: GrokConfig) -> optax.GradientTransformation:
    """AdamW as optax builds it, with ``lr`` and ``wd`` held in the optimiser *state*.

    The update is ``-lr · f(t) · (adam(g) + wd · w)`` with warm-up factor
    ``f(t) = min(t / warmup, 1)`` (1 without warm-up).  Keeping ``lr`` and ``wd`` in the state
    (``optax.inject_hyperparams``) lets runs that differ only in them share compiled code.
    """
    parts = [
        optax.scale_by_adam(b1=config.beta1, b2=config.beta2),
        optax.inject_hyperparams(optax.add_decayed_weights)(weight_decay=config.wd),
        optax.inject_hyperparams(optax.scale)(step_size=-config.lr),
    ]
    if config.warmup:
        warmup = config.warmup
        parts.append(optax.scale_by_schedule(lambda t: jnp.minimum(t / warmup, 1.0)))
    return optax.chain(*parts)


def objective(config: GrokConfig, params, a, b, c, weight=None, l1=None) -> jax.Array:
    """The training objective: loss on the given pairs plus ``l1 · Σ|w|``.

    ``weight`` (per pair, default ``1/n``) lets padded pair sets carry weight-0 pairs;
    ``l1`` defaults to ``config.l1`` (it is an argument so it can be traced).
    """
    per_pair = M.per_pair_loss(model_logits(config)(params, a, b), c, config.loss)
    value = jnp.mean(per_pair) if weight is None else jnp.sum(weight * per_pair)
    l1 = config.l1 if l1 is None else l1
    return value + l1 * M.l1_norm(params)


def make_chunk(config: GrokConfig, n_steps: int):
    """``(params, opt_state, a, b, c, weight, l1) -> (params, opt_state, losses)``."""
    opt = optimiser(config)
    grad = jax.value_and_grad(partial(objective, config))

    def chunk(params, opt_state, a, b, c, weight, l1):
        def step(carry, _):
            params, opt_state = carry
            value, grads = grad(params, a, b, c, weight, l1)
            updates, opt_state = opt.update(grads, opt_state, params)
            return (optax.apply_updates(params, updates), opt_state), value

        (params, opt_state), losses = jax.lax.scan(step, (params, opt_state), None, length=n_steps)
        return params, opt_state, losses

    return chunk


def make_measure(config: GrokConfig):
    """``(params, a, b, c, train_mask) -> dict`` of the logged measures on all pairs."""
    logits_fn = model_logits(config)
    fourier = config.op in ("add", "sub")

    def measure(params, a, b, c, train_mask):
        logits = logits_fn(params, a, b)  # (N, p) on every pair
        per_pair = M.per_pair_loss(logits, c, config.loss)
        correct = jnp.argmax(logits, axis=-1) == c
        n_train = jnp.sum(train_mask)
        n_test = train_mask.shape[0] - n_train
        emb = embedding(config, params)
        power = M.fourier_power(emb)
        out = {
            "train_loss": jnp.sum(jnp.where(train_mask, per_pair, 0.0)) / n_train,
            "test_loss": jnp.sum(jnp.where(train_mask, 0.0, per_pair)) / n_test,
            "train_accuracy": jnp.sum(train_mask & correct) / n_train,
            "test_accuracy": jnp.sum(~train_mask & correct) / n_test,
            "weight_norm": M.weight_norm(params),
            "l1_norm": M.l1_norm(params),
            "ipr": M.inverse_participation_ratio(emb),
            "fourier_power": power,
        }
        if fourier:
            keys = jnp.argsort(-power[1:])[: config.n_key] + 1
            out["restricted_loss"], out["excluded_loss"] = M.restricted_and_excluded_loss(
                logits, a, b, c, train_mask, keys, op=config.op, p=config.p, loss=config.loss
            )
        else:
            out["restricted_loss"] = out["excluded_loss"] = jnp.float32(jnp.nan)
        return out

    return measure


@functools.lru_cache(maxsize=64)
def _compiled_chunk(key: GrokConfig, n_steps: int, batched: bool):
    chunk = make_chunk(key, n_steps)
    return jax.jit(jax.vmap(chunk) if batched else chunk)


@functools.lru_cache(maxsize=64)
def _compiled_measure(key: GrokConfig, batched: bool):
    measure = make_measure(key)
    return jax.jit(jax.vmap(measure) if batched else measure)


def compiled_chunk(config: GrokConfig, n_steps: int, *, batched: bool = False):
    """The jitted :func:`make_chunk`, shared by every run whose compiled code is the same."""
    return _compiled_chunk(compute_key(config), n_steps, batched)


def compiled_measure(config: GrokConfig, *, batched: bool = False):
    """The jitted :func:`make_measure`, shared like :func:`compiled_chunk`."""
    return _compiled_measure(compute_key(config), batched)
