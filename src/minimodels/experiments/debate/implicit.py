"""Implicit regularisation: what training does once the net already fits, and what grokking needs.

* ``tracked`` — ``runs`` 7-40-40-1 nets per optimiser trained on a Boolean S for ``steps``
  full-batch steps, far past 100 % training accuracy, with no regulariser.  Every ``every``
  steps: the weight norm, and the function on all 128 inputs — its K_LZ, average sensitivity,
  training accuracy and test error.  One row per optimiser × run × checkpoint.
* ``grokking`` — the claim "grokking requires L1" as a phase diagram: Gromov's quadratic MLP on
  a + b mod 31 over weight decay × L1, for each loss (MSE, cross-entropy), ``grok_seeds`` seeds
  per cell (:func:`minimodels.learners.grokking.sweep.sweep`).  A seed *generalised* when test
  accuracy reached 0.99 within the budget.  One row per loss × cell × seed; the verdict is read
  off the L1 = 0 cells.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from minimodels.analysis.complexity import average_sensitivity, k_lz
from minimodels.base.progress import ProgressCallback, report
from minimodels.experiments.debate.config import ImplicitConfig
from minimodels.experiments.debate.tasks import boolean_split, seed_keys
from minimodels.learners.nets import MLP, Init, init_many

MODEL = MLP((7, 40, 40, 1))
LEARNING_RATES = {"adam": 1e-3, "sgd": 0.05}
GROK_P = 31
GROK_WIDTH = 128


@partial(jax.jit, static_argnames=("model", "optimizer", "checkpoints", "every"))
def track(model, params, x, y, x_all, *, optimizer, checkpoints, every):
    """Train N stacked nets (full batch, MSE) and return, after every ``every`` steps, each
    net's outputs on ``x_all`` ``(N, checkpoints, n_all)`` and weight norm ``(N, checkpoints)``."""
    rule = (
        optax.adam(LEARNING_RATES["adam"])
        if optimizer == "adam"
        else optax.sgd(LEARNING_RATES["sgd"])
    )

    def one(p):
        def loss(q):
            return jnp.mean((model.apply(q, x)[:, 0] - y) ** 2)

        def step(carry, _):
            q, state = carry
            updates, state = rule.update(jax.grad(loss)(q), state, q)
            return (optax.apply_updates(q, updates), state), None

        def chunk(carry, _):
            carry, _ = jax.lax.scan(step, carry, None, length=every)
            q = carry[0]
            norm = jnp.sqrt(sum(jnp.sum(leaf**2) for leaf in jax.tree_util.tree_leaves(q)))
            return carry, (model.apply(q, x_all)[:, 0], norm)

        _, (outputs, norms) = jax.lax.scan(chunk, (p, rule.init(p)), None, length=checkpoints)
        return outputs, norms

    return jax.vmap(one)(params)


def run_implicit(config: ImplicitConfig, on_progress: ProgressCallback | None = None):
    split = boolean_split(config.target, config.train_size, config.seed)
    stages = len(config.optimizers) + len(config.losses)
    rows = []
    checkpoints = config.steps // config.every
    for i, optimizer in enumerate(config.optimizers):
        keys = seed_keys(config.seed, config.runs, stream=500 + i)
        start = init_many(MODEL, keys, Init("gaussian", 1.0, 1.0))
        outputs, norms = track(MODEL, start, jnp.asarray(split.x_train),
                               jnp.asarray(split.y_train), jnp.asarray(split.x),
                               optimizer=optimizer, checkpoints=checkpoints,
                               every=config.every)  # fmt: skip
        rows += _tracked_rows(optimizer, np.asarray(outputs), np.asarray(norms), split, config)
        report(on_progress, i + 1, stages)
    for j, loss in enumerate(config.losses):
        rows += _grok_rows(config, loss)
        report(on_progress, len(config.optimizers) + j + 1, stages)
    return rows


def _tracked_rows(optimizer, outputs, norms, split, config) -> list[dict[str, Any]]:
    runs, checkpoints, n_all = outputs.shape
    bits = (outputs > 0).astype(np.uint8).reshape(-1, n_all)
    complexity = np.asarray(k_lz(bits)).reshape(runs, checkpoints)
    sensitivity = np.asarray(average_sensitivity(bits)).reshape(runs, checkpoints)
    labels = (split.y > 0).astype(np.uint8)
    wrong = bits.reshape(runs, checkpoints, n_all) != labels
    rows = []
    for r in range(runs):
        for c in range(checkpoints):
            rows.append({
                "part": "tracked", "optimizer": optimizer, "run": r,
                "step": (c + 1) * config.every, "weight_norm": float(norms[r, c]),
                "k_lz": float(complexity[r, c]), "sensitivity": float(sensitivity[r, c]),
                "train_accuracy": float(1 - wrong[r, c, split.train].mean()),
                "test_error": float(wrong[r, c, split.test].mean()),
            })  # fmt: skip
    return rows


def _grok_rows(config: ImplicitConfig, loss: str) -> list[dict[str, Any]]:
    from minimodels.learners.grokking.config import GrokConfig, SweepConfig
    from minimodels.learners.grokking.sweep import sweep

    base = GrokConfig(p=GROK_P, width=GROK_WIDTH, frac=config.frac, steps=config.grok_steps,
                      log_every=25, stop_after=0, loss=loss)  # fmt: skip
    diagram = sweep(SweepConfig(base=base, x_axis="l1", x_values=config.l1s, y_axis="wd",
                                y_values=config.wds, n_seeds=config.grok_seeds,
                                seed=config.seed))  # fmt: skip
    rows = []
    for iy, wd in enumerate(config.wds):
        for ix, l1 in enumerate(config.l1s):
            for s in range(config.grok_seeds):
                generalised = diagram.steps_generalised[iy, ix, s]
                memorised = diagram.steps_memorised[iy, ix, s]
                rows.append({
                    "part": "grokking", "loss": loss, "wd": float(wd), "l1": float(l1),
                    "run": s, "generalised": bool(np.isfinite(generalised)),
                    "steps_memorised": None if np.isnan(memorised) else int(memorised),
                    "steps_generalised": None if np.isnan(generalised) else int(generalised),
                    "test_accuracy": float(diagram.test_accuracy[iy, ix, s]),
                })  # fmt: skip
    return rows


def grokking_verdict(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The claim "grokking requires L1", judged by the cells with L1 = 0."""
    grok = [r for r in rows if r["part"] == "grokking"]
    if not grok:
        return {}
    without = [r for r in grok if r["l1"] == 0]
    with_l1 = [r for r in grok if r["l1"] > 0]
    n_without = sum(r["generalised"] for r in without)
    verdict = (
        "refuted"
        if n_without
        else (
            "supported" if with_l1 and any(r["generalised"] for r in with_l1) else "untested"
        )  # fmt: skip
    )
    best = [r for r in without if r["generalised"]]
    return {
        "claim": "grokking requires L1",
        "verdict": verdict,
        "generalised without L1": f"{n_without} of {len(without)}",
        "generalised with L1": f"{sum(r['generalised'] for r in with_l1)} of {len(with_l1)}",
        "cells without L1 that generalised": sorted(
            {(r["loss"], r["wd"]) for r in best}, key=lambda pair: (pair[0], pair[1])
        ),
    }
