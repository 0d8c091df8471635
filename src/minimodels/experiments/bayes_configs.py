"""What a P_train-vs-P_B experiment is: its three configs, and the checks run before any work.

Data model.  An experiment is one frozen dataclass, all plain fields (so it round-trips
through JSON and the CLI's options):

* :class:`EvolutionVsBayesConfig` — an n-bit Boolean target, a training set size, a rule-array
  layout (:attr:`~EvolutionVsBayesConfig.substrate`), evolution runs and steps, P_B samples;
* :class:`MeshEvolutionVsBayesConfig` — the same for a quantised mesh net, with P_B exact
  (every level vector), by rejection, or "auto" (:attr:`~MeshEvolutionVsBayesConfig.bayes_method`);
* :class:`SGDVsBayesConfig` — a fully connected net, its initialisation and optimiser
  (:attr:`~SGDVsBayesConfig.setup`), P_B by rejection (fresh or from a stored sample run) or
  from the NNGP by EP.

Each has defaults that finish in seconds, a ``quick()`` preset and a ``paper()`` preset at the
published scale.  Before any work :mod:`minimodels.experiments.bayes` calls
:func:`check_types` (a field of the wrong kind, one sentence) and :func:`check_resources`
(memory per core and for the tallies, and an optimistic time from the ``FAST_*`` rates that no
CPU path beats: a refusal means the run is hopeless, not merely slow).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from minimodels.bayes.mesh import QuantisedMeshSubstrate
from minimodels.bayes.nets import SGDSetup
from minimodels.bayes.protocol import Split
from minimodels.bayes.rule_arrays import RuleArraySubstrate
from minimodels.errors import UsageError

__all__ = [
    "EVOLUTION_CONFIGS",
    "Config",
    "EvolutionVsBayesConfig",
    "MeshEvolutionVsBayesConfig",
    "SGDVsBayesConfig",
    "check_resources",
    "check_types",
]


@dataclass(frozen=True)
class EvolutionVsBayesConfig:
    """Rule arrays on an n-bit Boolean task: P_evolution vs P_B of random arrays."""

    n: int = 5
    train_size: int = 16
    target: str = "x1&x2"
    width: int = 11
    depth: int = 8
    rules: tuple[int, ...] = (4, 146)
    r: float | str = 1
    boundary: str = "cyclic"
    n_runs: int = 300
    steps: int = 20_000
    n_samples: int = 300_000
    n_shards: int = 4
    seed: int = 0

    @classmethod
    def quick(cls, **overrides: Any) -> EvolutionVsBayesConfig:
        return cls(**{"n_runs": 100, "n_samples": 100_000, **overrides})

    @classmethod
    def paper(cls, **overrides: Any) -> EvolutionVsBayesConfig:
        return cls(**{"n_runs": 100_000, "n_samples": 10**8, "n_shards": 64, **overrides})

    @property
    def substrate(self) -> RuleArraySubstrate:
        return RuleArraySubstrate(self.width, self.depth, tuple(self.rules), self.r, self.boundary)


@dataclass(frozen=True)
class MeshEvolutionVsBayesConfig:
    """Quantised mesh nets on an n-bit Boolean task: P_evolution vs P_B of random level vectors."""

    n: int = 4
    train_size: int = 8
    target: str = "x1|x2"
    width: int = 5
    depth: int = 2
    r: str = "1"
    levels: tuple[float, ...] = (-1.0, 0.0, 1.0)
    activation: str = "relu"
    boundary: str = "cyclic"
    n_runs: int = 2000
    steps: int = 20_000
    bayes: str = "auto"  # "exact" (enumerate every level vector), "rejection", or "auto"
    n_samples: int = 3 * 10**6
    n_shards: int = 4
    seed: int = 0

    AUTO_EXACT: ClassVar[int] = 1 << 22  # "auto" enumerates up to this many level vectors

    def __post_init__(self) -> None:
        if self.bayes not in ("auto", "exact", "rejection"):
            raise UsageError(
                f"bayes must be 'auto', 'exact' or 'rejection', got {self.bayes!r}", option="bayes"
            )

    @classmethod
    def quick(cls, **overrides: Any) -> MeshEvolutionVsBayesConfig:
        return cls(**{"n_runs": 400, "n_samples": 500_000, **overrides})

    @classmethod
    def paper(cls, **overrides: Any) -> MeshEvolutionVsBayesConfig:
        return cls(**{"n_runs": 100_000, "n_samples": 10**8, "n_shards": 64, **overrides})

    @property
    def substrate(self) -> QuantisedMeshSubstrate:
        return QuantisedMeshSubstrate(
            self.width, self.depth, self.r, tuple(self.levels), self.activation, self.boundary
        )

    @property
    def bayes_method(self) -> str:
        """How P_B is found: "exact" or "rejection" ("auto": exact when there are at most
        ``AUTO_EXACT`` level vectors)."""
        if self.bayes != "auto":
            return self.bayes
        return "exact" if self.substrate.n_settings <= self.AUTO_EXACT else "rejection"


@dataclass(frozen=True)
class SGDVsBayesConfig:
    """Fully connected nets on n-bit Boolean functions: P_SGD vs P_B of random nets."""

    model: str = "7-40-40-1"
    train_size: int = 32
    target: str = "x1&x2"
    init: str = "gaussian"
    sigma_w: float = 1.0
    sigma_b: float = 1.0
    optimizer: str = "adam"
    learning_rate: float = 1e-2
    momentum: float = 0.9
    loss: str = "mse"
    batch_size: int | None = None
    max_steps: int = 2000
    overtrain_steps: int = 0
    n_runs: int = 2000
    n_samples: int = 10**6
    bayes: str = "rejection"  # or "nngp": P_B of the seen functions from the NNGP by EP
    bayes_from: str | None = None  # rejection from this stored sample run, not fresh samples
    nngp_min_count: int = 1  # EP only for functions SGD found this often (EP costs ~1 s each)
    batch: int = 2048
    n_shards: int = 4
    seed: int = 0

    def __post_init__(self) -> None:
        if self.bayes not in ("rejection", "nngp"):
            raise UsageError(
                f"bayes must be 'rejection' or 'nngp', got {self.bayes!r}", option="bayes"
            )
        if self.bayes_from is not None and self.bayes != "rejection":
            raise UsageError("P_B from a stored sample run is by rejection: drop --bayes nngp")

    @classmethod
    def small(cls, **overrides: Any) -> SGDVsBayesConfig:
        """n = 5, |S| = 12: repeats enough in 10^3 runs to show the picture in seconds."""
        base = {
            "model": "5-40-40-1",
            "train_size": 12,
            "target": "x1|x2",
            "n_runs": 512,
            "bayes": "nngp",
        }
        return cls(**{**base, **overrides})

    @classmethod
    def quick(cls, **overrides: Any) -> SGDVsBayesConfig:
        return cls.small(**{"n_runs": 256, **overrides})

    @classmethod
    def paper(cls, **overrides: Any) -> SGDVsBayesConfig:
        """Mingard et al.: SGD lr 1e-3 with momentum 0.9, 10^5 runs, 10^8 samples."""
        base = {"optimizer": "sgd", "learning_rate": 1e-3, "max_steps": 20_000}
        return cls(**{**base, "n_runs": 100_000, "n_samples": 10**8, "n_shards": 100, **overrides})

    @property
    def n(self) -> int:
        return int(self.model.split("-")[0])

    @property
    def setup(self) -> SGDSetup:
        names = {f.name for f in dataclasses.fields(SGDSetup)}
        return SGDSetup(**{k: v for k, v in dataclasses.asdict(self).items() if k in names})


Config = EvolutionVsBayesConfig | MeshEvolutionVsBayesConfig | SGDVsBayesConfig
EVOLUTION_CONFIGS = (EvolutionVsBayesConfig, MeshEvolutionVsBayesConfig)


# bytes of one tallied test function of t characters: the Counter's str and slot, the
# sorted numpy (UCS-4) copy, and the comparison's rows
def _entry_bytes(t: int) -> int:
    return 300 + 12 * t


SEED_BYTES = 400  # one spawned SeedSequence
FAST_MACS = 5e10  # multiply-adds per second and core that no CPU path beats
FAST_CELLS = 1e9  # rule-array cells × 64 inputs per second and core (100× the compiled path)
FAST_STEPS = 1e8  # rule-array mutations per second and core (30× the compiled loop)
FAST_MESH_STEPS = 1e6  # mesh-net mutations per second and core (a plain Python loop)


def check_resources(config: Config, split: Split) -> None:
    """Refuse (one sentence) an experiment whose memory cannot fit or whose time is hopeless.

    Counted: each core's working set (a batch of nets being trained, an evolution run's
    traces, a batch of random parameters), the training tally (at worst one distinct test
    function per run), the seeds spawned per run (or per block of samples), and an
    optimistic time for the runs and samples.  The P_B tally by rejection grows with the
    samples that fit S, which nothing tells before they are drawn: the time check bounds it.
    """
    import os

    from minimodels.evolution_setup import run_bytes
    from minimodels.resources import check_memory, check_time, plural

    cores = os.cpu_count() or 1
    rows, t = 2**config.n, len(split.test)
    words = max(1, rows // 64)
    runs, samples = plural(config.n_runs, "run"), plural(config.n_samples, "sample")
    seeds = config.n_runs * SEED_BYTES
    drawing = ""
    if isinstance(config, SGDVsBayesConfig):
        model, _, _ = config.setup.parts()
        batch = min(config.batch, config.n_runs)  # nets trained at once, per worker
        work = batch * (24 * model.n_params + 12 * rows * sum(model.widths))
        unit = f"training {plural(batch, 'net')} of {config.model} at once"
        spent = config.n_runs * (config.max_steps + config.overtrain_steps)
        seconds = spent * 6 * len(split.train) * model.n_params / FAST_MACS
        what = f"training {runs} of {config.model}"
        seeds = 0  # nets are keyed by their index
        if config.bayes == "rejection" and config.bayes_from is None:
            seconds += config.n_samples * (model.n_params * rows + 500) / FAST_MACS
            drawing = f" and drawing {samples}"
    elif isinstance(config, MeshEvolutionVsBayesConfig):
        n_params = config.substrate.n_params
        work = config.steps * 200  # mutation_walk's per-step trace and kept list
        unit = f"evolving a mesh net for {plural(config.steps, 'step')}"
        seconds = config.n_runs * config.steps / FAST_MESH_STEPS
        what = f"evolving {runs} of {plural(config.steps, 'step')}"
        if config.bayes_method == "rejection":
            seeds += -(-config.n_samples // (1 << 14)) * SEED_BYTES  # one per block of 2^14
            work = max(work, (1 << 14) * 8 * n_params)
            seconds += config.n_samples * n_params * rows / FAST_MACS
            drawing = f" and drawing {samples}"
    else:
        work, _ = run_bytes(
            width=config.width, n_cases=rows, depth=config.depth, steps=config.steps
        )
        unit = (
            f"evolving a {config.depth} × {config.width} array for {plural(config.steps, 'step')}"
        )
        cells = config.width * config.depth
        work = max(work, 4096 * (8 * cells + 8 * words))  # a batch of random arrays
        seconds = config.n_runs * config.steps / FAST_STEPS
        seconds += config.n_samples * cells * words / FAST_CELLS
        what = f"evolving {runs} of {plural(config.steps, 'step')}"
        drawing = f" and drawing {samples}"
    check_memory(
        cores * work,
        f"{unit} on each of {cores} cores",
        why="every core's working set",
        fix="lower the steps" if "evolving" in unit else "use a smaller model",
    )
    check_memory(
        config.n_runs * _entry_bytes(t) + seeds,
        what + drawing,
        why="the tally of every run's test function and the seeds",
        fix="lower the runs" + (" or the samples" if seeds > config.n_runs * SEED_BYTES else ""),
    )
    check_time(seconds / cores, what + drawing, fix="lower the runs, the samples or the steps")


# whole-number fields, with the least value of those no later check bounds (None: checked
# later, with a sentence of its own)
_LEAST = {"n": None, "train_size": None, "width": None, "depth": None, "n_runs": None,
          "steps": None, "n_samples": None, "n_shards": None, "max_steps": None,
          "overtrain_steps": None, "seed": 0, "nngp_min_count": 1, "batch": 1,
          "batch_size": 1}  # fmt: skip
_TEXT = ("model", "target", "init", "optimizer", "loss", "boundary", "activation", "bayes")
_NUMBERS = ("sigma_w", "sigma_b", "learning_rate", "momentum")


def check_types(config: Config) -> None:
    """Refuse (one sentence) a field of the wrong kind: a count that is not a whole number
    (or is below its least value), a rate that is not a finite number, a name not a string."""
    import math

    for field in dataclasses.fields(config):
        name, value = field.name, getattr(config, field.name)
        if name in _LEAST and not (name == "batch_size" and value is None):
            whole = isinstance(value, int | np.integer) and not isinstance(value, bool)
            least = _LEAST[name]
            if not whole or (least is not None and value < least):
                floor = "" if least is None else f" ≥ {least}"
                raise UsageError(f"{name} must be a whole number{floor}, got {value!r}")
        elif name in _NUMBERS:
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise UsageError(f"{name} must be a number, got {value!r}")
            if name in ("learning_rate", "momentum") and not math.isfinite(value):
                raise UsageError(f"{name} must be a finite number, got {value!r}")
        elif name in _TEXT and not isinstance(value, str):
            raise UsageError(f"{name} must be a string, got {value!r}")
        elif name in ("rules", "levels"):
            kind = int if name == "rules" else float
            if not isinstance(value, tuple | list) or not all(
                isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in value
            ):
                raise UsageError(f"{name} must be a list of numbers, got {value!r}")
            if kind is int and any(int(v) != v for v in value):
                raise UsageError(f"{name} must be whole rule numbers, got {value!r}")
