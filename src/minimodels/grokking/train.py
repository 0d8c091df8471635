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
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from minimodels.display import Drawable
from minimodels.errors import UsageError
from minimodels.grokking import measures as M, mlp, transformer
from minimodels.grokking.data import ModularData, canonical_operation, check_task, make_data
from minimodels.progress import ProgressCallback, report

__all__ = ["MODELS", "Checkpoint", "GrokConfig", "GrokRun", "train", "train_many", "train_seeds"]

MODELS = ("mlp", "transformer")
GENERALISED = 0.99  # accuracy that counts as memorised (train) / generalised (test)

# per-row scalar columns of the log, in order; "fourier_power" is a (rows, p//2+1) array
SCALAR_MEASURES = (
    "train_loss",
    "test_loss",
    "train_accuracy",
    "test_accuracy",
    "weight_norm",
    "l1_norm",
    "ipr",
    "restricted_loss",
    "excluded_loss",
)


@dataclass(frozen=True)
class GrokConfig:
    """One grokking run.  Defaults: Gromov's MLP on a + b mod 97, groks in seconds."""

    model: str = "mlp"
    p: int = 97
    op: str = "add"
    frac: float = 0.5
    steps: int = 2000
    lr: float = 5e-3
    wd: float = 0.0
    l1: float = 0.0
    loss: str = "mse"
    init_scale: float = 1.0
    width: int = 512  # MLP hidden width N
    activation: str = "quadratic"  # MLP activation
    d_model: int = 128
    n_heads: int = 4
    d_mlp: int = 512
    beta1: float = 0.9
    beta2: float = 0.98
    warmup: int = 0  # linear learning-rate warm-up over this many steps (Nanda: 10)
    log_every: int = 10
    n_key: int = 5  # key frequencies used by the restricted/excluded loss
    stop_after: int | None = None  # stop this many steps after generalising (None: full budget)
    seed: int = 0

    @classmethod
    def nanda(cls, **overrides: Any) -> GrokConfig:
        """Nanda et al. (2023): one-layer transformer, p = 113, 30 % train, AdamW wd 1."""
        base = dict(
            model="transformer",
            p=113,
            frac=0.3,
            steps=15_000,
            lr=1e-3,
            wd=1.0,
            loss="ce",
            log_every=100,
        )
        return cls(**{**base, **overrides})

    @classmethod
    def gromov(cls, **overrides: Any) -> GrokConfig:
        """Gromov (2023): quadratic MLP on one-hot pairs, MSE loss, no regulariser needed."""
        return cls(**overrides)

    def _check_types(self) -> None:
        """One sentence for a field of the wrong kind (a count that is not a whole number, a
        rate that is not a finite number, a name that is not a string)."""
        import math

        for spec in dataclasses.fields(self):
            name, value, kind = spec.name, getattr(self, spec.name), spec.type
            if kind in ("int", "int | None"):
                if value is None and kind == "int | None":
                    continue
                if isinstance(value, bool) or not isinstance(value, int | np.integer):
                    raise UsageError(f"{name} must be a whole number, got {value!r}")
            elif kind == "float":
                if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                    raise UsageError(f"{name} must be a number, got {value!r}")
                if not math.isfinite(value):
                    raise UsageError(f"{name} must be a finite number, got {value!r}")
            elif kind == "str" and not isinstance(value, str):
                raise UsageError(f"{name} must be a string, got {value!r}")

    def check(self) -> GrokConfig:
        """Raise one sentence for a bad value; returns the config with ``op`` canonical."""
        self._check_types()
        if self.model not in MODELS:
            raise UsageError(
                f"unknown model {self.model!r}; choose mlp or transformer", option="model"
            )
        M.check_loss(self.loss)
        mlp.check_activation(self.activation)
        positive = {
            "steps": self.steps,
            "log_every": self.log_every,
            "lr": self.lr,
            "init_scale": self.init_scale,
            "width": self.width,
            "d_model": self.d_model,
            "n_heads": self.n_heads,
            "d_mlp": self.d_mlp,
            "n_key": self.n_key,
        }
        for name, value in positive.items():
            if not value > 0:
                raise UsageError(f"{name} = {value} must be positive", option=name)
        for name, value in {"wd": self.wd, "l1": self.l1, "warmup": self.warmup}.items():
            if not value >= 0:
                raise UsageError(f"{name} = {value} must be non-negative", option=name)
        if self.stop_after is not None and self.stop_after < 0:
            raise UsageError(
                f"stop_after = {self.stop_after} must be non-negative or None", option="stop_after"
            )
        if self.model == "transformer" and self.d_model % self.n_heads:
            raise UsageError(
                f"d_model = {self.d_model} is not divisible by n_heads = {self.n_heads}"
            )
        check_task(self.op, self.p, self.frac)
        floats: dict[str, Any] = {
            k: float(getattr(self, k)) for k in ("frac", "lr", "wd", "l1", "init_scale")
        }
        checked = dataclasses.replace(self, op=canonical_operation(self.op), **floats)
        check_resources(checked)
        return checked


# multiply-adds per second that no device JAX runs on beats: per CPU core, and on a GPU/TPU
FAST_MACS = {"cpu": 5e10, "accelerator": 1e15}


def run_cost(config: GrokConfig, *, n_runs: int = 1, padded: bool = False) -> tuple[int, float]:
    """(peak bytes, multiply-adds) of ``n_runs`` runs of ``config`` trained together.

    Per pair and step: the activations of a forward and a backward pass (float32), the
    logits of every pair at each logged step; per run: the parameters with their gradients
    and Adam's two moments, the pair table and the log (one row per logged step).
    """
    from minimodels.grokking.data import count_pairs

    p, n_all = int(config.p), count_pairs(config.op, config.p)
    n_train = n_all if padded else max(1, round(config.frac * n_all))
    if config.model == "mlp":
        n_params = 3 * p * config.width
        per_pair = 3 * p + 3 * config.width  # floats: hidden, logits and their gradients
        macs = config.width * (p + 2)
    else:
        d, d_mlp, heads = config.d_model, config.d_mlp, config.n_heads
        n_params = (2 * p + 4) * d + 4 * d * d + 2 * d * d_mlp + d_mlp
        per_pair = 3 * p + (4 + heads) * d + 2 * d_mlp + 6 * heads
        macs = d * (2 * d_mlp + p + 2 * heads)
    rows = config.steps // config.log_every + 2
    held = 4 * 6 * n_params + 64 * n_all + 16 * rows * (p // 2 + 12)
    peak = 4 * per_pair * (2 * n_train + n_all)  # the training pass, the measure on all pairs
    work = 3 * macs * (config.steps * n_train + rows * n_all)
    return n_runs * (held + peak), float(n_runs) * work


def fast_macs() -> float:
    """:data:`FAST_MACS` for the device JAX runs on (every core of a CPU)."""
    import os

    if jax.default_backend() != "cpu":
        return FAST_MACS["accelerator"]
    return FAST_MACS["cpu"] * (os.cpu_count() or 1)


def check_resources(config: GrokConfig) -> None:
    """Refuse (one sentence) one run whose memory cannot fit or whose time is hopeless."""
    from minimodels.resources import check_memory, check_time, plural

    n_bytes, macs = run_cost(config)
    steps = plural(config.steps, "step")
    model = "an MLP" if config.model == "mlp" else "a transformer"
    what = f"training {model} on {config.op} mod {config.p} for {steps}"
    sizes = "the width" if config.model == "mlp" else "d_model, d_mlp"
    check_memory(
        n_bytes,
        what,
        why="the activations of every pair, the parameters and the log",
        fix=f"lower p, {sizes} or the steps",
    )
    check_time(macs / fast_macs(), what, fix=f"lower the steps, p or {sizes}")


# --------------------------------------------------------------------------- model plumbing


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


def _compute_key(config: GrokConfig) -> GrokConfig:
    """The config with the fields that do not change the compiled code blanked out."""
    return dataclasses.replace(
        config,
        seed=0,
        steps=1,
        stop_after=None,
        frac=0.5,
        log_every=1,
        lr=1.0,
        wd=0.0,
        l1=0.0,
        init_scale=1.0,
    )


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
    return _compiled_chunk(_compute_key(config), n_steps, batched)


def compiled_measure(config: GrokConfig, *, batched: bool = False):
    """The jitted :func:`make_measure`, shared like :func:`compiled_chunk`."""
    return _compiled_measure(_compute_key(config), batched)


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
    :func:`_done`'s rule (budget, or ``stop_after`` past generalising); a run that is done
    earlier goes on training with the others, and its log goes on too.
    """
    configs = [c.check() for c in configs]
    if not configs:
        return []
    config = configs[0]
    for other in configs[1:]:
        same = _compute_key(other) == _compute_key(config)
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

    def rows(params):
        values = jax.device_get(measure(params, *all_pairs))
        _check_finite(step, values)
        return values

    step = 0
    first = rows(params)
    logs = [{"step": [0], **{k: [v[i]] for k, v in first.items()}} for i in range(len(configs))]
    report(on_progress, 0, config.steps)
    while not all(_done(c, log, step) for c, log in zip(configs, logs, strict=True)):
        n = min(config.log_every, config.steps - step)
        params, opt_state, _ = compiled_chunk(config, n, batched=True)(
            params, opt_state, *train_xyz
        )
        step += n
        values = rows(params)
        for i, log in enumerate(logs):
            log["step"].append(step)
            for name, value in values.items():
                log[name].append(value[i])
        report(on_progress, step, config.steps)

    out = []
    for c, log in zip(configs, logs, strict=True):
        table = {name: np.asarray(values) for name, values in log.items()}
        table["step"] = table["step"].astype(np.int64)
        out.append({"summary": summarise(c, table), "log": table})
    return out
