"""Full-batch training on a modular task, compiled as ``lax.scan`` chunks of many steps.

Data model.  A run is fixed by a :class:`GrokConfig` (model, task, optimiser, regularisers,
budget, seed).  Training minimises

    loss(train pairs) + l1 · Σ|w|

with AdamW (β = (0.9, 0.98), decoupled weight decay ``wd``, so each step also shrinks the
weights by ``lr · wd``; optional linear warm-up of the rate) on the whole training set every
step.  One host call runs ``log_every`` steps inside a compiled ``lax.scan``; between calls the
measures of :mod:`.measures` are taken on all pairs and appended to the log, so log row ``i``
describes the parameters after ``step[i]`` steps (row 0 is the initialisation).  A
:class:`Checkpoint` can be taken at any log row and training resumed from it; because chunks
always start at multiples of ``log_every``, a resumed run ends with exactly the same parameters
and log as an uninterrupted one.

The seed gives the train/test split (``np.random.default_rng(seed)``) and the initial weights
(``jax.random.key(seed)``).  :func:`train_seeds` trains several seeds at once, vmapped (same
shapes, different splits and weights); it is for sweeps and agrees with :func:`train` up to
floating-point reassociation, not bit for bit.  Compiled code is cached per process and shared
by runs that differ only in seed, budget, train fraction (for :func:`train_seeds`), learning
rate, weight decay, L1 or initialisation scale, so a sweep compiles once per worker.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback, report
from minimodels.learners.grokking import measures as M
from minimodels.learners.grokking.compiled import (
    compiled_chunk as compiled_chunk,
    compiled_measure as compiled_measure,
    compute_key,
    init_params as init_params,
    objective as objective,
    optimiser as optimiser,
)
from minimodels.learners.grokking.config import (
    GENERALISED as GENERALISED,
    MODELS as MODELS,
    SCALAR_MEASURES as SCALAR_MEASURES,
    GrokConfig as GrokConfig,
    check_resources as check_resources,
    fast_macs as fast_macs,
    run_cost as run_cost,
)
from minimodels.learners.grokking.data import ModularData, make_data

__all__ = ["MODELS", "Checkpoint", "GrokConfig", "GrokRun", "train", "train_many", "train_seeds"]


# --------------------------------------------------------------------------- results


@dataclass
class Checkpoint:
    """Everything needed to continue a run: the step, parameters, optimiser state and log."""

    step: int
    params: Any
    opt_state: Any
    log: dict[str, list]


@dataclass
class GrokRun(Drawable):
    """A finished run: the config, the measure log (one row per logged step), final params."""

    config: GrokConfig
    data: ModularData
    log: dict[str, np.ndarray]  # "step", SCALAR_MEASURES (n_rows,), "fourier_power" (n_rows, k)
    params: dict[str, np.ndarray]
    summary: dict[str, Any] = field(default_factory=dict)


def first_step(steps: np.ndarray, values: np.ndarray, threshold: float = GENERALISED) -> int | None:
    """The first logged step whose value is ≥ threshold, or None."""
    hit = np.flatnonzero(np.asarray(values) >= threshold)
    return int(steps[hit[0]]) if len(hit) else None


def summarise(config: GrokConfig, log: dict[str, np.ndarray]) -> dict[str, Any]:
    last = {name: float(log[name][-1]) for name in SCALAR_MEASURES}
    return {
        **last,
        "steps_run": int(log["step"][-1]),
        "step_memorised": first_step(log["step"], log["train_accuracy"]),
        "step_generalised": first_step(log["step"], log["test_accuracy"]),
        "key_frequencies": M.key_frequencies(log["fourier_power"][-1], config.n_key).tolist(),
    }


# --------------------------------------------------------------------------- training


def _device_data(data: ModularData, l1: float, *, padded: bool = False):
    """(training arguments ``a, b, c, weight, l1``, measure arguments ``a, b, c, train_mask``).

    ``padded``: train on all pairs with weight 0 off the training set, so runs that differ in
    the train fraction have the same shapes (sweeps); otherwise gather the training pairs.
    """
    train_mask = np.zeros(data.n_pairs, bool)
    train_mask[data.train] = True
    n_train = len(data.train)
    if padded:
        rows = np.arange(data.n_pairs)
        weight = train_mask / np.float32(n_train)
    else:
        rows = data.train
        weight = np.full(n_train, 1 / np.float32(n_train))
    train_args = (
        *(jnp.asarray(x[rows]) for x in (data.a, data.b, data.c)),
        jnp.asarray(weight, jnp.float32),
        jnp.asarray(l1, jnp.float32),
    )
    measure_args = (
        jnp.asarray(data.a),
        jnp.asarray(data.b),
        jnp.asarray(data.c),
        jnp.asarray(train_mask),
    )
    return train_args, measure_args


def _check_finite(step: int, values: dict[str, Any]) -> None:
    if not np.all(np.isfinite(np.asarray(values["train_loss"]))):
        raise UsageError(
            f"training diverged by step {step}: the train loss is not finite "
            "(lower the learning rate or the initialisation scale)"
        )


def _done(config: GrokConfig, log: dict[str, list], step: int) -> bool:
    if step >= config.steps:
        return True
    if config.stop_after is None:
        return False
    reached = first_step(np.asarray(log["step"]), np.asarray(log["test_accuracy"]))
    return reached is not None and step >= reached + config.stop_after


def train(
    config: GrokConfig,
    *,
    on_progress: ProgressCallback | None = None,
    resume: Checkpoint | None = None,
    on_checkpoint: Callable[[Checkpoint], None] | None = None,
    checkpoint_every: int | None = None,
    padded: bool = False,
) -> GrokRun:
    """Train one model; ``on_checkpoint`` receives a :class:`Checkpoint` every
    ``checkpoint_every`` steps (a multiple of ``log_every``), ``resume`` continues one.

    ``padded``: compute the loss over all pairs with weight 0 off the training set, so that
    runs with any train fraction share one compiled program (sweeps, the gallery); the
    numbers agree with the default up to floating-point reassociation.
    """
    config = config.check()
    data = make_data(config.op, config.p, config.frac, rng=np.random.default_rng(config.seed))
    train_xyz, all_pairs = _device_data(data, config.l1, padded=padded)
    opt = optimiser(config)
    measure = compiled_measure(config)

    if resume is None:
        params = init_params(config, jax.random.key(config.seed))
        opt_state = opt.init(params)
        step = 0
        row = jax.device_get(measure(params, *all_pairs))
        _check_finite(0, row)
        log: dict[str, list] = {"step": [0], **{k: [v] for k, v in row.items()}}
    else:
        step, log = resume.step, {k: list(v) for k, v in resume.log.items()}
        params = jax.tree_util.tree_map(jnp.asarray, resume.params)
        opt_state = jax.tree_util.tree_map(jnp.asarray, resume.opt_state)

    report(on_progress, step, config.steps)
    while not _done(config, log, step):
        n = min(config.log_every, config.steps - step)
        params, opt_state, losses = compiled_chunk(config, n)(params, opt_state, *train_xyz)
        step += n
        row = jax.device_get(measure(params, *all_pairs))
        _check_finite(step, {"train_loss": [row["train_loss"], losses[-1]]})
        log["step"].append(step)
        for name, value in row.items():
            log[name].append(value)
        if on_checkpoint is not None and checkpoint_every and step % checkpoint_every == 0:
            on_checkpoint(Checkpoint(step, jax.device_get(params), jax.device_get(opt_state), log))
        report(on_progress, step, config.steps)

    table = {name: np.asarray(values) for name, values in log.items()}
    table["step"] = table["step"].astype(np.int64)
    return GrokRun(config, data, table, jax.device_get(params), summarise(config, table))


def train_seeds(
    config: GrokConfig, seeds: Sequence[int], *, on_progress: ProgressCallback | None = None
) -> list[dict[str, Any]]:
    """:func:`train_many` over copies of ``config`` with the given seeds."""
    return train_many([dataclasses.replace(config, seed=s) for s in seeds], on_progress=on_progress)


def train_many(
    configs: Sequence[GrokConfig], *, on_progress: ProgressCallback | None = None
) -> list[dict[str, Any]]:
    """Train several runs at once, vmapped, and return each run's summary and log.

    The runs may differ in seed, train fraction, learning rate, weight decay, L1 and
    initialisation scale (everything else, including ``steps`` and ``log_every``, must agree):
    pairs are padded to the full table, so the shapes match.  Stops when every run is done by
    :func:`_done`'s rule (budget, or ``stop_after`` past generalising).  A run that is done
    earlier goes on training with the others, but its log (hence its summary) is frozen at its
    own stop and its divergence is no longer checked, so each run's result is the one
    :func:`train` gives it (up to floating-point reassociation), whatever its batch mates.
    """
    configs = [c.check() for c in configs]
    if not configs:
        return []
    config = configs[0]
    for other in configs[1:]:
        same = compute_key(other) == compute_key(config)
        if not same or (other.steps, other.log_every) != (config.steps, config.log_every):
            raise UsageError(
                "runs trained together may differ only in seed, frac, lr, wd, l1 and init_scale"
            )
    datas = [make_data(c.op, c.p, c.frac, rng=np.random.default_rng(c.seed)) for c in configs]
    per_run = [_device_data(d, c.l1, padded=True) for d, c in zip(datas, configs, strict=True)]
    train_xyz = tuple(jnp.stack([d[0][i] for d in per_run]) for i in range(5))
    all_pairs = tuple(jnp.stack([d[1][i] for d in per_run]) for i in range(4))
    inits = [init_params(c, jax.random.key(c.seed)) for c in configs]
    states = [optimiser(c).init(q) for c, q in zip(configs, inits, strict=True)]
    params = jax.tree_util.tree_map(lambda *x: jnp.stack(x), *inits)
    opt_state = jax.tree_util.tree_map(lambda *x: jnp.stack(x), *states)
    measure = compiled_measure(config, batched=True)

    def rows(params, running: list[int]):
        values = jax.device_get(measure(params, *all_pairs))
        _check_finite(step, {"train_loss": values["train_loss"][running]})
        return values

    step = 0
    first = rows(params, list(range(len(configs))))
    logs = [{"step": [0], **{k: [v[i]] for k, v in first.items()}} for i in range(len(configs))]
    running = [
        i for i, (c, log) in enumerate(zip(configs, logs, strict=True)) if not _done(c, log, 0)
    ]
    report(on_progress, 0, config.steps)
    while running:
        n = min(config.log_every, config.steps - step)
        params, opt_state, _ = compiled_chunk(config, n, batched=True)(
            params, opt_state, *train_xyz
        )
        step += n
        values = rows(params, running)
        for i in running:
            logs[i]["step"].append(step)
            for name, value in values.items():
                logs[i][name].append(value[i])
        running = [i for i in running if not _done(configs[i], logs[i], step)]
        report(on_progress, step, config.steps)

    out = []
    for c, log in zip(configs, logs, strict=True):
        table = {name: np.asarray(values) for name, values in log.items()}
        table["step"] = table["step"].astype(np.int64)
        out.append({"summary": summarise(c, table), "log": table})
    return out
