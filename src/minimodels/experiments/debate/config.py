"""The configs of the debate's four experiments: landscape, double descent, scaling, implicit.

Light on purpose: the command line builds its options from these dataclasses when it starts,
so this module loads neither JAX nor scikit-learn.  Each config has ``preset()`` (the default
run, ≤ 5 minutes on a 2-core laptop), ``quick()`` (the gallery's quick build) and ``check()``
(this config, or one sentence naming the first bad option).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from minimodels.base.errors import UsageError
from minimodels.base.fields import comma_list, described
from minimodels.base.resources import check_memory

__all__ = [
    "DIRECTIONS",
    "DoubleDescentConfig",
    "ImplicitConfig",
    "LandscapeConfig",
    "ScalingConfig",
]

DIRECTIONS = ("filter", "random")
LANCZOS_STEPS = 100  # analysis.landscape.top_eigenvalues' default iterations

_TARGET_HELP = (
    "Boolean target on n = 7 inputs: a name (majority, parity, …), a formula (x1&x2) or a "
    "128-character truth table."
)


def _positive(name: str, values: tuple[Any, ...], *, what: str = "value", least: float = 1) -> None:
    if not values:
        raise UsageError(f"--{name.replace('_', '-')} needs at least one {what}", option=name)
    for value in values:
        if not value >= least:
            raise UsageError(
                f"--{name.replace('_', '-')}: every {what} must be ≥ {least:g}, got {value:g}",
                option=name,
            )


def _check_target(target: str, n: int = 7) -> None:
    import numpy as np

    from minimodels.analysis.bayes.protocol import boolean_target

    try:
        boolean_target(n, target, rng=np.random.default_rng(0))
    except UsageError as error:
        raise UsageError(str(error), option="target") from None


class _Presets:
    """``preset()`` and ``quick()`` for a frozen config dataclass with a ``QUICK`` dict."""

    QUICK: dict[str, Any] = {}

    @classmethod
    def preset(cls, **overrides: Any) -> Any:
        return cls(**overrides)

    @classmethod
    def quick(cls, **overrides: Any) -> Any:
        return cls(**{**cls.QUICK, **overrides})

    def replace(self, **changes: Any) -> Any:
        known = {f.name for f in fields(self)}  # type: ignore[arg-type]
        unknown = sorted(set(changes) - known)
        if unknown:
            raise UsageError(
                f"unknown option {unknown[0]!r}; options are {', '.join(sorted(known))}"
            )
        return replace(self, **changes)  # type: ignore[type-var]


@dataclass(frozen=True)
class LandscapeConfig(_Presets):
    """A trained 7-40-40-1 net's loss landscape, and the minima many runs reach."""

    target: str = described("majority", _TARGET_HELP)
    train_size: int = described(64, "Training-set size (of the 128 inputs; the rest test).")
    hidden: tuple[int, ...] = described(
        (40, 40), "Hidden widths, comma-separated.", text=comma_list(int, "hidden")
    )
    steps: int = described(2000, "Adam steps for the two nets whose landscape is drawn.")
    directions: str = described("filter", "Slice directions: filter (Li et al.) or random.")
    resolution: int = described(41, "Points per axis of the 1-D slices and the paths.", minimum=3)
    grid: int = described(25, "Points per axis of the 2-D slice.", minimum=3)
    span: float = described(1.0, "Slices run over [−span, span] along each direction.")
    eigenvalues: int = described(3, "Top Hessian eigenvalues by Hessian-vector products.")
    trace_samples: int = described(50, "Rademacher vectors of the Hutchinson trace estimate.")
    bezier_steps: int = described(500, "Adam steps that bend the path between the two nets.")
    batch_sizes: tuple[int, ...] = described(
        (4, 16, 64),
        "Sharpness vs batch size: SGD batch sizes, comma-separated.",
        text=comma_list(int, "batch-sizes"),
    )
    sgd_steps: int = described(4000, "Sharpness vs batch size: plain SGD steps per run.")
    widths: tuple[int, ...] = described(
        (1, 2, 4, 8, 16, 40),
        "Local minima: hidden widths (two layers), comma-separated.",
        text=comma_list(int, "widths"),
    )
    init_scales: tuple[float, ...] = described(
        (0.25, 0.5, 1.0, 2.0, 4.0),
        "Initialisation scales σw, comma-separated (lazy vs rich).",
        text=comma_list(float, "init-scales"),
    )
    runs: int = described(24, "Runs (seeds) per batch size, width and scale.")
    seed: int = described(0, "Random seed; the same seed reproduces a run bit for bit.", minimum=0)

    QUICK = {
        "steps": 800, "resolution": 21, "grid": 13, "trace_samples": 20, "bezier_steps": 200,
        "batch_sizes": (4, 64), "sgd_steps": 1500, "widths": (2, 8, 40),
        "init_scales": (0.5, 2.0), "runs": 6,
    }  # fmt: skip

    def check(self) -> LandscapeConfig:
        _check_target(self.target)
        if not 1 <= self.train_size < 128:
            raise UsageError(
                f"--train-size must lie in 1..127, got {self.train_size}", option="train_size"
            )
        if self.directions not in DIRECTIONS:
            raise UsageError(
                f"unknown direction kind {self.directions!r}; choose filter or random",
                option="directions",
            )
        _positive("hidden", self.hidden, what="width")
        _positive("widths", self.widths, what="width")
        _positive("batch_sizes", self.batch_sizes, what="batch size")
        _positive("init_scales", self.init_scales, what="scale", least=1e-9)
        if not self.span > 0:
            raise UsageError(f"--span must be positive, got {self.span}", option="span")
        n_params = _mlp_params((7, *self.hidden, 1))
        lanczos = min(LANCZOS_STEPS, n_params)
        if not 1 <= self.eigenvalues <= lanczos:
            raise UsageError(
                f"--eigenvalues must lie in 1..{lanczos} (the Lanczos steps for a net of "
                f"{n_params:,} parameters), got {self.eigenvalues}",
                option="eigenvalues",
            )
        if self.trace_samples < 2:
            raise UsageError(
                f"--trace-samples must be at least 2 (for a standard error), got "
                f"{self.trace_samples}",
                option="trace_samples",
            )
        check_memory(
            4.0 * 3 * self.grid**2 * n_params,
            f"a 2-D slice of {self.grid} × {self.grid} points of a net of {n_params:,} parameters",
            fix="lower --grid or --hidden",
        )
        biggest = max(_mlp_params((7, w, w, 1)) for w in self.widths)
        per_batch = max(len(self.batch_sizes), len(self.widths) * len(self.init_scales))
        check_memory(
            4.0 * 4 * self.runs * per_batch * biggest,
            f"{self.runs:,} runs per point, trained together",
            fix="lower --runs",
        )
        return self


@dataclass(frozen=True)
class DoubleDescentConfig(_Presets):
    """Test error vs parameters: random features, MLPs and polynomials, noisy and clean."""

    n_train: int = described(60, "Training points of the teacher task (d = 10).")
    features: tuple[int, ...] = described(
        (5, 10, 20, 30, 40, 50, 55, 60, 65, 70, 80, 100, 150, 250, 500, 1000, 2000),
        "Random ReLU features p, comma-separated.",
        text=comma_list(int, "features"),
    )
    widths: tuple[int, ...] = described(
        (1, 2, 3, 4, 5, 6, 8, 12, 20, 40, 80),
        "MLP hidden widths (one layer), comma-separated.",
        text=comma_list(int, "widths"),
    )
    degrees: tuple[int, ...] = described(
        (1, 2, 3, 5, 8, 12, 15, 17, 18, 19, 20, 21, 22, 25, 30, 40, 60, 100),
        "Polynomial degrees (n = 20 points), comma-separated.",
        text=comma_list(int, "degrees"),
    )
    noise: float = described(0.5, "Label noise σ of the noisy runs (the clean runs have 0).")
    ridge: float = described(0.1, "Ridge of the regularised random-features curve.")
    net_steps: int = described(6000, "Adam steps per MLP, full batch, no early stopping.")
    budget: int = described(2000, "Deep vs wide: parameters of every net compared.")
    depths: tuple[int, ...] = described(
        (1, 2, 4),
        "Deep vs wide: hidden layers, comma-separated.",
        text=comma_list(int, "depths"),
    )
    target: str = described("majority", "Deep vs wide: " + _TARGET_HELP)
    seeds: int = described(8, "Seeds (data draws and inits) per point.")
    seed: int = described(0, "Random seed; the same seed reproduces a run bit for bit.", minimum=0)

    QUICK = {
        "features": (10, 30, 50, 60, 70, 100, 300, 1000), "widths": (2, 5, 20, 80),
        "degrees": (3, 10, 17, 19, 21, 30, 60), "net_steps": 2000, "depths": (1, 3), "seeds": 3,
    }  # fmt: skip

    def check(self) -> DoubleDescentConfig:
        if self.n_train < 2:
            raise UsageError(f"--n-train must be ≥ 2, got {self.n_train}", option="n_train")
        _positive("features", self.features, what="feature count")
        _positive("widths", self.widths, what="width")
        _positive("degrees", self.degrees, what="degree", least=0)
        _positive("depths", self.depths, what="depth")
        _check_target(self.target)
        for name in ("noise", "ridge"):
            if not getattr(self, name) >= 0:
                raise UsageError(f"--{name} must be ≥ 0, got {getattr(self, name)}", option=name)
        check_memory(
            8.0 * 2 * (self.n_train + 1000) * max(self.features),
            f"{max(self.features):,} random features of {self.n_train:,} training points",
            fix="lower --features or --n-train",
        )
        check_memory(
            8.0 * 2 * self.seeds * (self.n_train + 1000) * 10,
            f"{self.seeds:,} seeds per point",
            fix="lower --seeds",
        )
        for depth in self.depths:
            deep_width(self.budget, depth)  # refuses a budget too small for the depth
        return self


@dataclass(frozen=True)
class ScalingConfig(_Presets):
    """Test loss vs parameters and vs data, with fitted power laws."""

    widths: tuple[int, ...] = described(
        (2, 4, 8, 16, 32, 64, 128),
        "Teacher–student: student widths (two hidden layers), comma-separated.",
        text=comma_list(int, "widths"),
    )
    sizes: tuple[int, ...] = described(
        (16, 32, 64, 128, 256, 512, 1024, 2048),
        "Teacher–student: training-set sizes, comma-separated.",
        text=comma_list(int, "sizes"),
    )
    big_width: int = described(64, "Teacher–student: the width of the data-scaling runs.")
    big_n: int = described(4096, "Teacher–student: the data of the width-scaling runs.")
    net_steps: int = described(3000, "Adam steps per student, full batch.")
    p: int = described(31, "Modular arithmetic: modulus (Gromov's quadratic MLP, a + b mod p).")
    mod_widths: tuple[int, ...] = described(
        (8, 16, 32, 64, 128, 256),
        "Modular arithmetic: hidden widths, comma-separated.",
        text=comma_list(int, "mod-widths"),
    )
    fracs: tuple[float, ...] = described(
        (0.1, 0.2, 0.3, 0.45, 0.6, 0.8),
        "Modular arithmetic: training fractions, comma-separated.",
        text=comma_list(float, "fracs"),
    )
    mod_steps: int = described(1500, "Modular arithmetic: steps per run.")
    seeds: int = described(3, "Seeds per point.")
    bootstrap: int = described(200, "Bootstrap resamples of each power-law fit.")
    seed: int = described(0, "Random seed; the same seed reproduces a run bit for bit.", minimum=0)

    QUICK = {
        "widths": (2, 6, 16, 48), "sizes": (32, 96, 288, 864), "big_width": 32, "big_n": 1024,
        "net_steps": 1000, "mod_widths": (16, 64, 256), "fracs": (0.2, 0.4, 0.7),
        "mod_steps": 600, "seeds": 1,
        "bootstrap": 50,
    }  # fmt: skip

    def check(self) -> ScalingConfig:
        _positive("widths", self.widths, what="width")
        _positive("sizes", self.sizes, what="size", least=2)
        _positive("mod_widths", self.mod_widths, what="width")
        for frac in self.fracs:
            if not 0 < frac < 1:
                raise UsageError(f"--fracs: every fraction must lie in (0, 1), got {frac}",
                                 option="fracs")  # fmt: skip
        if not self.fracs:
            raise UsageError("--fracs needs at least one fraction", option="fracs")
        if self.p < 3:
            raise UsageError(f"--p must be ≥ 3, got {self.p}", option="p")
        check_memory(
            4.0 * 3 * max(max(self.sizes), self.big_n) * max(*self.widths, self.big_width) * 8,
            "the teacher–student runs",
            fix="lower --sizes or --widths",
        )
        biggest = _mlp_params((8, *[max(*self.widths, self.big_width)] * 2, 1))
        check_memory(
            4.0 * 4 * self.seeds * max(biggest, 3 * self.p * max(self.mod_widths)),
            f"{self.seeds:,} seeds per point, trained together",
            fix="lower --seeds",
        )
        return self


@dataclass(frozen=True)
class ImplicitConfig(_Presets):
    """What training does after it fits: Boolean nets tracked; grokking over weight decay × L1."""

    target: str = described("majority", _TARGET_HELP)
    train_size: int = described(64, "Training-set size (of the 128 inputs; the rest test).")
    steps: int = described(10_000, "Steps per Boolean net (long past 100 % training accuracy).")
    every: int = described(100, "Steps between measurements.")
    optimizers: tuple[str, ...] = described(
        ("adam", "sgd"),
        "Boolean nets: optimisers, comma-separated (adam, sgd).",
        text=comma_list(str, "optimizers", "optimiser names"),
    )
    runs: int = described(12, "Boolean nets per optimiser.")
    wds: tuple[float, ...] = described(
        (0.0, 0.3, 1.0),
        "Grokking: weight decays, comma-separated.",
        text=comma_list(float, "wds"),
    )
    l1s: tuple[float, ...] = described(
        (0.0, 1e-5, 1e-4),
        "Grokking: L1 coefficients, comma-separated.",
        text=comma_list(float, "l1s"),
    )
    losses: tuple[str, ...] = described(
        ("mse", "ce"),
        "Grokking: losses, comma-separated (mse, ce).",
        text=comma_list(str, "losses", "loss names"),
    )
    frac: float = described(0.5, "Grokking: training fraction of the a + b mod 31 pairs.")
    grok_steps: int = described(1500, "Grokking: step budget per run.")
    grok_seeds: int = described(3, "Grokking: seeds per cell.")
    seed: int = described(0, "Random seed; the same seed reproduces a run bit for bit.", minimum=0)

    QUICK = {
        "steps": 3000, "runs": 4, "wds": (0.0, 1.0), "l1s": (0.0, 1e-4), "losses": ("mse",),
        "grok_steps": 1000, "grok_seeds": 1,
    }  # fmt: skip

    def check(self) -> ImplicitConfig:
        _check_target(self.target)
        if not 1 <= self.train_size < 128:
            raise UsageError(
                f"--train-size must lie in 1..127, got {self.train_size}", option="train_size"
            )
        for name in self.optimizers:
            if name not in ("adam", "sgd"):
                raise UsageError(f"unknown optimiser {name!r}; choose adam or sgd",
                                 option="optimizers")  # fmt: skip
        for name in self.losses:
            if name not in ("mse", "ce"):
                raise UsageError(f"unknown loss {name!r}; choose mse or ce", option="losses")
        _positive("wds", self.wds, what="weight decay", least=0)
        _positive("l1s", self.l1s, what="L1 coefficient", least=0)
        if not self.optimizers:
            raise UsageError("--optimizers needs at least one optimiser", option="optimizers")
        if not self.losses:
            raise UsageError("--losses needs at least one loss", option="losses")
        if not 0 < self.frac < 1:
            raise UsageError(f"--frac must lie in (0, 1), got {self.frac}", option="frac")
        if self.every > self.steps:
            raise UsageError(f"--every ({self.every}) exceeds --steps ({self.steps})",
                             option="every")  # fmt: skip
        n_params = _mlp_params((7, 40, 40, 1))
        check_memory(
            4.0 * len(self.optimizers) * self.runs * (self.steps // self.every + 1) * n_params,
            f"{self.steps // self.every + 1:,} snapshots of {self.runs} nets",
            fix="raise --every or lower --runs",
        )
        return self


def _mlp_params(widths: tuple[int, ...]) -> int:
    return sum((a + 1) * b for a, b in zip(widths[:-1], widths[1:], strict=False))


MAX_DEEP_WIDTH = 4095  # the widest hidden layer of the deep-vs-wide nets


def deep_width(budget: int, depth: int, n_in: int = 7) -> int:
    """The hidden width w of an ``n_in``-w-…-w-1 net (``depth`` hidden layers) whose
    parameter count comes closest to ``budget``; refuses a budget below the width-1 net's."""
    if _mlp_params((n_in, *[1] * depth, 1)) > budget:
        raise UsageError(
            f"--budget {budget} is below the smallest net of depth {depth}", option="budget"
        )
    largest = _mlp_params((n_in, *[MAX_DEEP_WIDTH] * depth, 1))
    if budget > largest:
        raise UsageError(
            f"--budget {budget:,} is above the largest net of depth {depth} this experiment "
            f"builds ({largest:,} parameters, width {MAX_DEEP_WIDTH})",
            option="budget",
        )
    widths = range(1, MAX_DEEP_WIDTH + 1)
    return min(widths, key=lambda w: abs(_mlp_params((n_in, *[w] * depth, 1)) - budget))
