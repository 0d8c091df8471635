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
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minimodels.base.errors import UsageError
from minimodels.base.fields import Text, described
from minimodels.base.resources import check_memory, check_time, plural
from minimodels.learners.grokking.data import canonical_operation, check_task, count_pairs

__all__ = [
    "GENERALISED",
    "MODELS",
    "SCALAR_MEASURES",
    "GrokConfig",
    "check_resources",
    "compute_key",
    "run_cost",
]

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
        for name, value in {"beta1": self.beta1, "beta2": self.beta2}.items():
            if not 0 <= value < 1:
                raise UsageError(f"{name} = {value} must lie in [0, 1)", option=name)
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


def compute_key(config: GrokConfig) -> GrokConfig:
    """The config with the fields that do not change the compiled code blanked out (runs that
    share a key share one compiled, vmappable computation: :mod:`.compiled`)."""
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


# -- phase diagrams: a grid over two fields ----------------------------------------------------


def _values_text(which: str) -> Text:
    """How ``--x-values`` / ``--y-values`` are spelt: comma-separated, read by axis later."""

    def parse(text: str) -> tuple[str, ...]:
        items = tuple(item.strip() for item in text.split(",") if item.strip())
        if not items:
            raise UsageError(
                f"--{which}-values {text!r} gives no value; give comma-separated values",
                option=f"{which}_values",
            )
        return items

    return Text(parse, lambda values: ",".join(f"{v:g}" if isinstance(v, float) else str(v)
                                              for v in values))  # fmt: skip


AXES = ("wd", "frac", "l1", "loss", "init_scale", "lr", "width", "p", "activation")


def _default_base() -> GrokConfig:
    return GrokConfig(p=31, width=128, steps=1500, log_every=25, stop_after=0)


@dataclass(frozen=True)
class SweepConfig:
    """A grid over two fields of ``base``; defaults: a 4 × 4 MLP diagram in about a minute."""

    base: GrokConfig = field(default_factory=_default_base)
    x_axis: str = described("frac", "Config field across.")
    x_values: tuple[Any, ...] = described(
        (0.2, 0.35, 0.5, 0.7), "Comma-separated values.", text=_values_text("x")
    )
    y_axis: str = described("wd", "Config field up.")
    y_values: tuple[Any, ...] = described(
        (0.0, 0.3, 1.0, 3.0), "Comma-separated values.", text=_values_text("y")
    )
    n_seeds: int = described(1, "Seeds per cell (vmapped).", flag="seeds")
    seed: int = described(0, "Random seed; the same seed reproduces a run bit for bit.", minimum=0)
    cells_per_task: int | None = described(
        None,
        "Cells trained at once, vmapped, when both axes are runtime numbers "
        "(unset: 1 on a CPU, as many as fit on a GPU).",
    )

    def typed(self) -> SweepConfig:
        """The values given as text (the command line's) read as their axis' type: a width or
        p as whole numbers, a loss or activation as names, the rest as numbers."""
        changes: dict[str, Any] = {}
        for which, axis, values in (
            ("x", self.x_axis, self.x_values),
            ("y", self.y_axis, self.y_values),
        ):
            if not any(isinstance(v, str) for v in values):
                continue
            kind = {"loss": str, "activation": str, "width": int, "p": int}.get(axis, float)
            try:
                changes[f"{which}_values"] = tuple(
                    kind(v) if isinstance(v, str) else v for v in values
                )
            except ValueError:
                text = ",".join(map(str, values))
                raise UsageError(
                    f"--{which}-values: cannot read {text!r} as comma-separated "
                    f"{kind.__name__} values for {axis}",
                    option=f"{which}_values",
                ) from None
        return dataclasses.replace(self, **changes) if changes else self

    def cells(self) -> list[GrokConfig]:
        """The cell configs in row-major order (y outer, x inner), each checked."""
        return self.typed()._cells()

    def check_axes(self) -> SweepConfig:
        """Refuse (one sentence) an unknown or repeated axis, no values or no seeds; the base
        config and the cells are checked by :meth:`cells`."""
        for axis in (self.x_axis, self.y_axis):
            if axis not in AXES:
                raise UsageError(
                    f"unknown sweep axis {axis!r}; choose one of {', '.join(AXES)}",
                    option="x_axis" if axis == self.x_axis else "y_axis",
                )
        if self.x_axis == self.y_axis:
            raise UsageError(f"the two sweep axes must differ, both are {self.x_axis!r}")
        if not self.x_values or not self.y_values:
            raise UsageError("each sweep axis needs at least one value")
        whole = isinstance(self.n_seeds, int) and not isinstance(self.n_seeds, bool)
        if not whole or self.n_seeds < 1:
            raise UsageError(f"n_seeds = {self.n_seeds!r} must be a whole number ≥ 1")
        per_task = self.cells_per_task
        if per_task is not None and (
            not isinstance(per_task, int) or isinstance(per_task, bool) or per_task < 1
        ):
            raise UsageError(
                f"cells_per_task = {per_task!r} must be a whole number ≥ 1 or unset",
                option="cells_per_task",
            )
        return self

    def _cells(self) -> list[GrokConfig]:
        self.check_axes()
        base = dataclasses.replace(self.base, stop_after=0)
        configs = [
            dataclasses.replace(base, **{self.x_axis: x, self.y_axis: y})
            for y in self.y_values
            for x in self.x_values
        ]
        for config in configs:
            try:
                config.check()
            except UsageError as error:  # a swept value: name the axis' option, not the field
                which = {self.x_axis: "x", self.y_axis: "y"}
                axis = next((which[o] for o in error.options if o in which), None)
                if axis is None:
                    raise
                raise UsageError(f"--{axis}-values: {error}", option=f"{axis}_values") from None
        self._check_resources(configs)
        return configs

    def task_size(self, configs: list[GrokConfig]) -> int:
        """Cells per task: how many consecutive cells (row-major) train at once, vmapped.

        Only cells that share one compiled computation can (the axes are runtime numbers:
        frac, wd, l1, lr, init_scale; see :func:`compute_key`); if an axis changes
        the compiled code (width, p, loss, activation) every cell is its own task, whatever
        ``cells_per_task`` says.  Otherwise ``cells_per_task`` if set, else 1 on a CPU (XLA's
        batched gathers and matmuls there cost more than the per-step overhead they save) and
        on a GPU as many as fit in half of its memory size (:func:`run_cost`), split evenly.
        """
        import jax

        n = len(configs)
        if n <= 1 or any(compute_key(c) != compute_key(configs[0]) for c in configs):
            return 1
        if self.cells_per_task is not None:
            return min(self.cells_per_task, n)
        if jax.default_backend() == "cpu":
            return 1
        # the device's memory size, not what is free now: the same sweep on the same device
        # always gets the same batches (a resumed run included)
        limit = (jax.devices()[0].memory_stats() or {}).get("bytes_limit")
        per_cell = max(run_cost(c, n_runs=self.n_seeds, padded=True)[0] for c in configs)
        fit = limit // 2 // per_cell if limit else n
        n_tasks = -(-n // max(1, min(n, fit)))  # ceil divisions
        return -(-n // n_tasks)

    def _check_resources(self, configs: list[GrokConfig]) -> None:
        """Refuse a sweep that cannot fit: a task trains its cells with all their seeds at once
        (padded, vmapped; :meth:`task_size`), and as many tasks run at once as there are
        cores; every run is tallied."""
        import os

        costs = [run_cost(c, n_runs=self.n_seeds, padded=True) for c in configs]
        k = self.task_size(configs)
        per_task = [
            sum(n_bytes for n_bytes, _ in costs[i : i + k]) for i in range(0, len(costs), k)
        ]
        at_once = min(len(per_task), os.cpu_count() or 1)
        peak = sum(sorted(per_task)[-at_once:])
        n_runs = len(configs) * self.n_seeds
        what = (
            f"a sweep of {plural(len(configs), 'cell')} × {plural(self.n_seeds, 'seed')} "
            f"of {plural(self.base.steps, 'step')}"
        )
        check_memory(
            peak + n_runs * 2048,  # and each run's seed, config and row of the diagram
            what,
            why="the tasks trained at once, each with all its cells and seeds",
            fix="lower the seeds, the values swept, p or the width",
        )
        check_time(
            sum(macs for _, macs in costs) / fast_macs(),
            what,
            fix="lower the seeds, the values swept or the steps",
        )

    def seeds(self) -> tuple[int, ...]:
        children = np.random.SeedSequence(self.seed).spawn(self.n_seeds)
        return tuple(int(child.generate_state(1)[0]) for child in children)
