"""Is SGD a Bayesian sampler — and is adaptive evolution one?  (SCIENCE.md §B.5, §D)

Two experiments share one protocol (:mod:`minimodels.bayes.protocol`): pick a training set S
of the Boolean inputs, tally the test functions that *training* lands on (P_train), tally the
test functions of *random parameters conditioned on S* (P_B, by rejection), and compare.

* :class:`SGDVsBayesConfig` — fully connected nets trained by a gradient optimiser
  (P_SGD) against random nets of the same initialisation (P_B);
* :class:`EvolutionVsBayesConfig` — rule arrays trained by adaptive evolution (P_evolution)
  against uniformly random rule arrays (P_B) — the question no one had asked;
* :class:`MeshEvolutionVsBayesConfig` — the same for quantised mesh nets (every weight one of
  a few levels, :mod:`minimodels.bayes.mesh`) against uniformly random level vectors.

Each config has defaults that finish in seconds, a smaller ``quick()`` preset and a ``paper()``
preset at the published scale.  :func:`plans` splits an experiment into
seeded shard plans (so the CLI can checkpoint and resume them); :func:`run` runs them here.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

import numpy as np

from minimodels.bayes.mesh import (
    MAX_ENUMERATED,
    QuantisedMeshSubstrate,
    exact_mesh_posterior,
    mesh_evolution_plan,
    random_mesh_plan,
)
from minimodels.bayes.protocol import (
    Comparison,
    FunctionCounts,
    Plan,
    RuleArraySubstrate,
    SGDSetup,
    Split,
    boolean_target,
    compare,
    compare_with_computed,
    evolution_plan,
    hamming_to,
    net_bayes_plan,
    nngp_posterior,
    random_array_plan,
    random_split,
    run_plan,
    sgd_plan,
    table_bayes_plan,
)
from minimodels.errors import UsageError
from minimodels.plotting import Drawable
from minimodels.progress import ProgressCallback, scaled

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


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


@dataclass(frozen=True)
class BayesResult(Drawable):
    """The comparison of one experiment, with its split and bookkeeping."""

    config: Config
    split: Split
    comparison: Comparison
    train: FunctionCounts
    bayes: FunctionCounts
    seconds: float

    def summary(self) -> dict[str, Any]:
        return {
            "learner": self.comparison.train_name,
            "target": self.split.target,
            "train_rows": self.split.train,
            "test_target": self.split.test_target,
            "n_runs": self.train.n_attempts,
            "n_fit": self.train.n_kept,
            "n_unfit": self.train.n_attempts - self.train.n_kept,
            "bayes_method": self.comparison.bayes_source,
            "n_samples": self.bayes.n_attempts,
            "n_accepted": self.bayes.n_kept,
            "acceptance_rate": self.bayes.acceptance if self.bayes.n_attempts else None,
            "train_seconds": self.train.seconds,
            "bayes_seconds": self.bayes.seconds,
            "wall_seconds": self.seconds,
            **self.comparison.headline(),
        }

    def plot(self, ax: Axes | None = None, **options: Any) -> Figure:
        return self.comparison.plot(ax=ax, **options)


def make_split(config: Config) -> Split:
    n = config.n
    target = boolean_target(n, config.target, rng=np.random.default_rng(config.seed))
    return random_split(n, config.train_size, target, rng=np.random.default_rng(config.seed))


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

    from minimodels.evolution import run_bytes
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


def plans(config: Config) -> tuple[Split, Plan, Plan | None]:
    """(split, training plan, P_B plan or None for the NNGP); shards seeded from the seed.

    Every option is checked here, before any work starts (one sentence on a bad one).
    """
    from minimodels.rulearray import RuleArray
    from minimodels.sampling.models import check_inputs

    check_types(config)
    if isinstance(config, SGDVsBayesConfig):
        config.setup.parts()  # the model, optimiser, loss and initialisation are valid
        if config.bayes == "nngp" and config.init != "gaussian":
            raise UsageError(
                f"the NNGP needs the gaussian initialisation, got {config.init!r}", option="init"
            )
        if config.overtrain_steps < 0:
            raise UsageError(f"overtrain_steps = {config.overtrain_steps} must be ≥ 0")
    elif isinstance(config, MeshEvolutionVsBayesConfig):  # the layout and levels are valid
        config.substrate.check(config.n)
        if config.steps < 0:
            raise UsageError(f"steps = {config.steps} must be ≥ 0")
        if config.bayes_method == "exact" and config.substrate.n_settings > MAX_ENUMERATED:
            raise UsageError(
                f"{config.substrate.n_settings} level vectors are too many to enumerate "
                f"(at most 2^24); use --bayes rejection"
            )
    else:  # the rule numbers, range and boundary are valid
        RuleArray([list(config.rules)], r=config.r, boundary=config.boundary)
        if config.depth < 1 or config.width < 1:
            raise UsageError(f"depth {config.depth} and width {config.width} must be ≥ 1")
        if config.steps < 0:
            raise UsageError(f"steps = {config.steps} must be ≥ 0")
    check_inputs(config.n)  # all 2^n inputs are enumerated
    if config.n_shards < 1:
        raise UsageError(f"n_shards = {config.n_shards} must be at least 1")
    split = make_split(config)
    check_resources(config, split)
    train_seed, bayes_seed = np.random.SeedSequence(config.seed).spawn(2)
    if isinstance(config, MeshEvolutionVsBayesConfig):
        substrate = config.substrate
        train = mesh_evolution_plan(
            split,
            substrate,
            n_runs=config.n_runs,
            steps=config.steps,
            seed=int(train_seed.generate_state(1)[0]),
            n_shards=config.n_shards,
        )
        if config.bayes_method == "exact":
            return split, train, None
        bayes = random_mesh_plan(
            split,
            substrate,
            n_samples=config.n_samples,
            seed=int(bayes_seed.generate_state(1)[0]),
            n_shards=config.n_shards,
        )
        return split, train, bayes
    if isinstance(config, EvolutionVsBayesConfig):
        arrays = config.substrate
        arrays.task(split).check_learnable(arrays.rules, depth=arrays.depth)
        train = evolution_plan(
            split,
            arrays,
            n_runs=config.n_runs,
            steps=config.steps,
            seed=int(train_seed.generate_state(1)[0]),
            n_shards=config.n_shards,
        )
        bayes = random_array_plan(
            split,
            arrays,
            n_samples=config.n_samples,
            seed=int(bayes_seed.generate_state(1)[0]),
            n_shards=config.n_shards,
        )
        return split, train, bayes
    train = sgd_plan(
        split,
        config.setup,
        n_runs=config.n_runs,
        seed=int(train_seed.generate_state(1)[0]),
        batch=config.batch,
    )
    if config.bayes == "nngp":
        return split, train, None
    if config.bayes_from is not None:
        return split, train, table_bayes_plan(split, config.setup, config.bayes_from)
    bayes = net_bayes_plan(
        split,
        config.setup,
        n_samples=config.n_samples,
        seed=int(bayes_seed.generate_state(1)[0]),
        n_shards=config.n_shards,
    )
    return split, train, bayes


def finish(
    config: Config,
    split: Split,
    train: FunctionCounts,
    bayes: FunctionCounts | None,
    started: float,
    *,
    on_progress: ProgressCallback | None = None,
) -> BayesResult:
    """The comparison; with ``bayes=None`` P_B is computed: exactly for mesh nets (every level
    vector), from the NNGP by EP for the functions SGD found."""
    name = "P_evo" if isinstance(config, EVOLUTION_CONFIGS) else "P_SGD"
    if bayes is not None:
        comparison = compare(train, bayes, split.test_target, train_name=name)
        return BayesResult(config, split, comparison, train, bayes, time.perf_counter() - started)
    t0 = time.perf_counter()
    if isinstance(config, MeshEvolutionVsBayesConfig):
        functions, p_bayes = exact_mesh_posterior(split, config.substrate)
        source = "exact"
    else:
        assert isinstance(config, SGDVsBayesConfig)  # evolution on rule arrays tallies P_B
        functions = train.functions[train.counts >= config.nngp_min_count]
        p_bayes = nngp_posterior(split, config.setup, functions, on_progress=on_progress)
        source = "ep"
    # P_B was computed, not tallied: an empty tally that keeps the time it took
    bayes = FunctionCounts(np.zeros(0, str), np.zeros(0, np.int64), 0, 0, time.perf_counter() - t0)
    comparison = compare_with_computed(
        train, functions, p_bayes, split.test_target, train_name=name, source=source
    )
    return BayesResult(config, split, comparison, train, bayes, time.perf_counter() - started)


def run(config: Config, *, on_progress: ProgressCallback | None = None) -> BayesResult:
    """Both halves here and now (serially); see the CLI for shards, resume and Ray."""
    started = time.perf_counter()
    split, train_plan, bayes_plan = plans(config)
    n_bayes = len(bayes_plan.tasks) if bayes_plan is not None else 0
    total = len(train_plan.tasks) + n_bayes
    train = run_plan(train_plan, on_progress=scaled(on_progress, 0, len(train_plan.tasks), total))
    bayes = None
    if bayes_plan is not None:
        bayes = run_plan(
            bayes_plan, on_progress=scaled(on_progress, len(train_plan.tasks), n_bayes, total)
        )
    return finish(config, split, train, bayes, started)


# -- the small real-data case: 8×8 digits, P_SGD vs the NNGP's P_B --------------------------


@dataclass(frozen=True)
class DigitsConfig:
    """Two classes of scikit-learn's 8×8 digits: P_SGD of 64-40-40-1 nets vs NNGP/EP P_B."""

    classes: tuple[int, int] = (3, 5)
    train_size: int = 30
    test_size: int = 16
    binarise: bool = False
    n_runs: int = 384
    seed: int = 0

    @classmethod
    def quick(cls, **overrides: Any) -> DigitsConfig:
        return cls(**{"n_runs": 128, **overrides})


@dataclass(frozen=True)
class DigitsResult(Drawable):
    config: DigitsConfig
    comparison: Comparison
    seconds: float

    def plot(self, ax: Axes | None = None, **options: Any) -> Figure:
        return self.comparison.plot(ax=ax, **options)


def run_digits(
    config: DigitsConfig, *, on_progress: ProgressCallback | None = None
) -> DigitsResult:
    from minimodels.bayes.digits import load_digit_pair, nngp_log_posterior, sgd_test_functions

    started = time.perf_counter()
    data = load_digit_pair(
        cast(tuple[int, int], tuple(config.classes)),
        train_size=config.train_size,
        test_size=config.test_size,
        binarise=config.binarise,
        rng=np.random.default_rng(config.seed),
    )
    train = sgd_test_functions(data, n_runs=config.n_runs, seed=config.seed)
    p_bayes = np.exp(nngp_log_posterior(data, train.functions))
    comparison = compare_with_computed(train, train.functions, p_bayes, data.test_target)
    return DigitsResult(config, comparison, time.perf_counter() - started)


# -- generalisation vs target complexity (SCIENCE.md §B.6) ----------------------------------


@dataclass(frozen=True)
class LadderConfig:
    """Nets trained on half the inputs of targets of rising K_LZ: x1 with k bits flipped."""

    model: str = "7-40-40-1"
    train_size: int = 64
    flips: tuple[int, ...] = (0, 2, 4, 8, 16, 32, 64)
    named: tuple[str, ...] = ("x1&x2&x3", "x1|x2")  # simple but imbalanced targets
    n_runs: int = 32
    optimizer: str = "adam"
    learning_rate: float = 1e-2
    max_steps: int = 3000
    seed: int = 0

    @classmethod
    def quick(cls, **overrides: Any) -> LadderConfig:
        return cls(**{"n_runs": 8, "flips": (0, 8, 64), "named": ("x1&x2&x3",), **overrides})


@dataclass(frozen=True)
class LadderResult(Drawable):
    config: LadderConfig
    rows: list[dict[str, Any]]
    seconds: float

    def plot(self, ax: Axes | None = None, **options: Any) -> Figure:
        from minimodels.plotting.bayes import plot_ladder

        return plot_ladder(self.rows, ax=ax, **options)


def run_ladder(
    config: LadderConfig, *, on_progress: ProgressCallback | None = None
) -> LadderResult:
    """Test error (mean, std over fitted runs) and majority-class error per target."""
    from minimodels.complexity import k_lz
    from minimodels.progress import report

    started = time.perf_counter()
    n = int(config.model.split("-")[0])
    rng = np.random.default_rng(config.seed)
    base = np.array([int(c) for c in boolean_target(n, "x1")])
    setup = SGDVsBayesConfig(
        model=config.model,
        optimizer=config.optimizer,
        learning_rate=config.learning_rate,
        max_steps=config.max_steps,
    ).setup
    targets = []
    for k in config.flips:
        table = base.copy()
        table[rng.choice(2**n, size=k, replace=False)] ^= 1
        targets.append((f"x1, {k} flipped", "".join(map(str, table))))
    targets += [(name, boolean_target(n, name)) for name in config.named]
    rows = []
    for step, (name, target) in enumerate(targets):
        split = random_split(n, config.train_size, target, rng=rng)
        tally = run_plan(sgd_plan(split, setup, n_runs=config.n_runs, seed=config.seed + step))
        errors = np.repeat(hamming_to(tally.functions, split.test_target), tally.counts)
        ones = np.mean([c == "1" for c in split.test_target])
        train_ones = split.train_labels.mean()
        majority = ones if train_ones < 0.5 else 1 - ones  # predict the training majority
        rows.append(
            {
                "target": name,
                "k_lz": float(k_lz(target)),
                "test_error": float(errors.mean() / len(split.test)) if len(errors) else None,
                "test_error_std": float(errors.std() / len(split.test)) if len(errors) else None,
                "majority_error": float(majority),
                "n_fit": tally.n_kept,
                "n_runs": tally.n_attempts,
            }
        )
        report(on_progress, step + 1, len(targets))
    return LadderResult(config, rows, time.perf_counter() - started)
