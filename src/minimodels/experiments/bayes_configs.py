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
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:  # loaded where used: the CLI reads these configs at start-up, and the
    # substrates load numba (0.5 s of every command's start)
    from minimodels.analysis.bayes.mesh import QuantisedMeshSubstrate
    from minimodels.analysis.bayes.nets import SGDSetup
    from minimodels.analysis.bayes.protocol import Split
    from minimodels.analysis.bayes.rule_arrays import RuleArraySubstrate
from minimodels.base.errors import UsageError
from minimodels.base.fields import Text, comma_list, described
from minimodels.base.resources import check_memory, check_time, plural
from minimodels.learners.evolution_setup import run_bytes

__all__ = [
    "EVOLUTION_CONFIGS",
    "Config",
    "EvolutionVsBayesConfig",
    "MeshEvolutionVsBayesConfig",
    "SGDVsBayesConfig",
    "check_resources",
    "check_types",
]


# the rule arrays' range as the command line spells it: "1" is the number 1 (as their configs
# have always held it), "1/2" the brick layout
RANGE = Text(lambda text: 1 if text == "1" else text, str)


@dataclass(frozen=True)
class EvolutionVsBayesConfig:
    """Rule arrays on an n-bit Boolean task: P_evolution vs P_B of random arrays."""

    n: int = described(5, "Input bits.")
    train_size: int = described(16, "Size of the training set S.")
    target: str = described("x1&x2", "Target: x1&x2-style formula, a name or a truth table.")
    width: int = described(11, "Array / mesh width.")
    depth: int = described(8, "Array / mesh depth.")
    rules: tuple[int, ...] = described(
        (4, 146), "Rule arrays: allowed rules, comma-separated.", text=comma_list(int, "rules")
    )
    r: float | str = described(1, "Range: 1 or 1/2 (brick).", text=RANGE)
    boundary: str = described("cyclic", "cyclic or zero.")
    n_runs: int = described(300, "Evolution runs.", flag="runs")
    steps: int = described(20_000, "Mutation attempts per run at most.", minimum=0)
    n_samples: int = described(300_000, "Random arrays / nets drawn for P_B.", flag="samples")
    n_shards: int = described(4, "Shards of the P_B sampling (and of the runs).", flag="shards")
    seed: int = described(0, "Random seed; the same seed reproduces a run bit for bit.", minimum=0)

    @classmethod
    def quick(cls, **overrides: Any) -> EvolutionVsBayesConfig:
        return cls(**{"n_runs": 100, "n_samples": 100_000, **overrides})

    @classmethod
    def paper(cls, **overrides: Any) -> EvolutionVsBayesConfig:
        return cls(**{"n_runs": 100_000, "n_samples": 10**8, "n_shards": 64, **overrides})

    @property
    def substrate(self) -> RuleArraySubstrate:
        from minimodels.analysis.bayes.rule_arrays import RuleArraySubstrate

        return RuleArraySubstrate(self.width, self.depth, tuple(self.rules), self.r, self.boundary)


@dataclass(frozen=True)
class MeshEvolutionVsBayesConfig:
    """Quantised mesh nets on an n-bit Boolean task: P_evolution vs P_B of random level vectors."""

    n: int = described(4, "Input bits.")
    train_size: int = described(8, "Size of the training set S.")
    target: str = described("x1|x2", "Target: x1&x2-style formula, a name or a truth table.")
    width: int = described(5, "Array / mesh width.")
    depth: int = described(2, "Array / mesh depth.")
    r: str = described("1", "Range: 1 or 1/2 (brick).")
    levels: tuple[float, ...] = described(
        (-1.0, 0.0, 1.0), "Mesh: weight levels, comma-separated.", text=comma_list(float, "levels")
    )
    activation: str = described(
        "relu", "Mesh: activation (relu, tanh, sigmoid, elu, gelu, quadratic or linear)."
    )
    boundary: str = described("cyclic", "cyclic or zero.")
    n_runs: int = described(2000, "Evolution runs.", flag="runs")
    steps: int = described(20_000, "Mutation attempts per run at most.", minimum=0)
    bayes: str = described(
        "auto",
        "Mesh: P_B 'exact' (every level vector), 'rejection' or 'auto' (exact when there are at "
        "most 2^22).",
    )
    n_samples: int = described(3 * 10**6, "Random arrays / nets drawn for P_B.", flag="samples")
    n_shards: int = described(4, "Shards of the P_B sampling (and of the runs).", flag="shards")
    seed: int = described(0, "Random seed; the same seed reproduces a run bit for bit.", minimum=0)

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
        from minimodels.analysis.bayes.mesh import QuantisedMeshSubstrate

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

    model: str = described("7-40-40-1", "Fully connected net, e.g. 7-40-40-1.")
    train_size: int = described(32, "Size of the training set S.")
    target: str = described("x1&x2", "Target: x1&x2-style formula, a name, or a truth table.")
    init: str = described("gaussian", "Initialisation (gaussian or uniform).")
    sigma_w: float = described(1.0, "σw of the Gaussian initialisation.")
    sigma_b: float = described(1.0, "σb of the Gaussian initialisation.")
    optimizer: str = described("adam", "sgd (with momentum), adam or adamw.")
    learning_rate: float = described(1e-2, "Learning rate.", flag="lr")
    momentum: float = described(0.9, "Momentum (sgd only).")
    loss: str = described("mse", "mse or cross_entropy.")
    batch_size: int | None = described(None, "Minibatch size (default full).")
    max_steps: int = described(2000, "Updates before a run counts as unfit.", minimum=0)
    overtrain_steps: int = described(0, "Extra updates after the fit.", minimum=0, flag="overtrain")
    n_runs: int = described(2000, "Training runs (e.g. 1e5).", flag="runs")
    n_samples: int = described(10**6, "Random nets drawn for P_B (e.g. 1e8).", flag="samples")
    bayes: str = described("rejection", "P_B by 'rejection' sampling or from the 'nngp' by EP.")
    bayes_from: str | None = described(
        None, "P_B by rejection from this 'minimodels sample' run (same net, init)."
    )
    nngp_min_count: int = described(  # EP costs ~1 s a function
        1, "With --bayes nngp: EP only for functions found this often."
    )
    batch: int = described(2048, "P_SGD: nets per shard, trained at once (vmapped).")
    n_shards: int = described(4, "Shards of the P_B sampling (and of the runs).", flag="shards")
    seed: int = described(0, "Random seed; the same seed reproduces a run bit for bit.", minimum=0)

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
        from minimodels.analysis.bayes.nets import SGDSetup

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
FAST_BATCH_STEPS = 1e6  # training steps of one batch of nets per second: none takes under 1 µs


def check_resources(config: Config, split: Split) -> None:
    """Refuse (one sentence) an experiment whose memory cannot fit or whose time is hopeless.

    Counted: each core's working set (a batch of nets being trained, an evolution run's
    traces, a batch of random parameters), the training tally (at worst one distinct test
    function per run), the seeds spawned per run (or per block of samples), and an
    optimistic time for the runs and samples.  The P_B tally by rejection grows with the
    samples that fit S, which nothing tells before they are drawn: the time check bounds it.
    """
    import os

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
        n_batches = -(-config.n_runs // batch)
        seconds += n_batches * (config.max_steps + config.overtrain_steps) / FAST_BATCH_STEPS
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
