"""What a grokking run is: :class:`GrokConfig` (model, task, optimiser, regularisers, budget,
seed), its presets (Gromov's MLP, Nanda et al.'s transformer) and its cost.

The config is checked once (:meth:`GrokConfig.check`): the task, the model's sizes, the
optimiser's numbers and the budget, and — :func:`check_resources` — that one run's memory
(:func:`run_cost`: activations of every pair, parameters, Adam's moments, the log) fits and
its multiply-adds do not take hopelessly long on the device JAX runs on.  The log's columns
(:data:`SCALAR_MEASURES`) and the accuracy that counts as memorised or generalised
(:data:`GENERALISED`) are defined here too, so every layer reads one definition.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from minimodels.base.errors import UsageError
from minimodels.base.fields import described
from minimodels.base.resources import check_memory, check_time, plural
from minimodels.learners.grokking.data import canonical_operation, check_task, count_pairs

__all__ = ["GENERALISED", "MODELS", "SCALAR_MEASURES", "GrokConfig", "check_resources", "run_cost"]

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


# the names a config may give; their functions live in grokking.measures (losses) and
# grokking.mlp (activations), which load JAX — checking a config must not (the CLI checks at
# start-up)
LOSSES = ("ce", "mse")
ACTIVATIONS = ("quadratic", "cubic", "relu", "gelu", "tanh", "identity")


@dataclass(frozen=True)
class GrokConfig:
    """One grokking run.  Defaults: Gromov's MLP on a + b mod 97, groks in seconds.

    Each field carries its help (:func:`~minimodels.base.fields.described`); ``minimodels grok``
    and ``grok-sweep`` take their options from these fields.
    """

    model: str = described("mlp", "mlp (Gromov) or transformer (Nanda et al.).")
    p: int = described(97, "Modulus.")
    op: str = described("add", "+ - * / (or add sub mul div) or a polynomial in a, b.")
    frac: float = described(0.5, "Fraction of pairs used for training, in (0, 1).")
    steps: int = described(2000, "Step budget, full batch.")
    lr: float = described(5e-3, "Learning rate.")
    wd: float = described(0.0, "AdamW weight decay, decoupled.")
    l1: float = described(0.0, "L1 penalty coefficient, added to the loss.")
    loss: str = described("mse", "ce (cross-entropy) or mse.")
    init_scale: float = described(1.0, "Multiplies every initial weight.")
    width: int = described(512, "MLP hidden width N.")
    activation: str = described("quadratic", "MLP activation: quadratic, cubic, relu, gelu, tanh.")
    d_model: int = described(128, "Transformer residual width.")
    n_heads: int = described(4, "Transformer attention heads.")
    d_mlp: int = described(512, "Transformer MLP width.")
    beta1: float = described(0.9, "AdamW β1.")
    beta2: float = described(0.98, "AdamW β2.")
    warmup: int = described(0, "Linear learning-rate warm-up, in steps (Nanda: 10).", minimum=0)
    log_every: int = described(10, "Steps between logged measures.")
    n_key: int = described(5, "Key frequencies used by the restricted and excluded losses.")
    stop_after: int | None = described(
        None,
        "Stop this many steps after test accuracy ≥ 0.99 (unset: the whole budget).",
        minimum=0,
    )
    seed: int = described(0, "Random seed; the same seed reproduces a run bit for bit.", minimum=0)

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
        if self.loss not in LOSSES:
            raise UsageError(f"unknown loss {self.loss!r}; choose ce or mse", option="loss")
        if self.activation not in ACTIVATIONS:
            raise UsageError(
                f"unknown activation {self.activation!r}; choose one of {', '.join(ACTIVATIONS)}",
                option="activation",
            )
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

    import jax

    if jax.default_backend() != "cpu":
        return FAST_MACS["accelerator"]
    return FAST_MACS["cpu"] * (os.cpu_count() or 1)


def check_resources(config: GrokConfig) -> None:
    """Refuse (one sentence) one run whose memory cannot fit or whose time is hopeless."""

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
