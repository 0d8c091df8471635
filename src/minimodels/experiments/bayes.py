"""Is SGD a Bayesian sampler — and is adaptive evolution one?  (SCIENCE.md §B.5, §D)

Two experiments share one protocol (:mod:`minimodels.analysis.bayes.protocol`): pick a training set
S of the Boolean inputs, tally the test functions that *training* lands on (P_train), tally the
test functions of *random parameters conditioned on S* (P_B, by rejection), and compare.

* :class:`SGDVsBayesConfig` — fully connected nets trained by a gradient optimiser
  (P_SGD) against random nets of the same initialisation (P_B);
* :class:`EvolutionVsBayesConfig` — rule arrays trained by adaptive evolution (P_evolution)
  against uniformly random rule arrays (P_B) — the question no one had asked;
* :class:`MeshEvolutionVsBayesConfig` — the same for quantised mesh nets (every weight one of
  a few levels, :mod:`minimodels.analysis.bayes.mesh`) against uniformly random level vectors.

The configs, their presets and the checks run before any work live in
:mod:`minimodels.experiments.bayes_configs` (their names stay importable here).  :func:`plans`
checks a config and splits it into seeded shard plans (so the CLI can checkpoint and resume
them); :func:`run` runs them here; :func:`finish` compares the two tallies — or, with no P_B
tally, computes P_B (every level vector of a mesh net, or the NNGP by EP).  Data model: a
:class:`BayesResult` holds the config, the split (target, training rows, test target), the
:class:`~minimodels.analysis.bayes.protocol.Comparison`, both tallies and the wall time.

Two smaller studies close the module: :func:`run_digits` (P_SGD vs the NNGP's P_B on two
classes of 8×8 digits) and :func:`run_ladder` (test error against the K_LZ of the target).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from minimodels.analysis.bayes.digits import load_digit_pair, nngp_log_posterior, sgd_test_functions
from minimodels.analysis.bayes.mesh import (
    MAX_ENUMERATED,
    exact_mesh_posterior,
    mesh_evolution_plan,
    random_mesh_plan,
)
from minimodels.analysis.bayes.nets import (
    net_bayes_plan,
    nngp_posterior,
    sgd_plan,
    table_bayes_plan,
)
from minimodels.analysis.bayes.protocol import (
    Comparison,
    FunctionCounts,
    Plan,
    Split,
    boolean_target,
    compare,
    compare_with_computed,
    hamming_to,
    random_split,
    run_plan,
)
from minimodels.analysis.bayes.rule_arrays import evolution_plan, random_array_plan
from minimodels.analysis.complexity import k_lz
from minimodels.analysis.sampling.models import check_inputs
from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback, report, scaled
from minimodels.base.resources import format_count
from minimodels.experiments.bayes_configs import (
    _LEAST as _LEAST,
    _NUMBERS as _NUMBERS,
    _TEXT as _TEXT,
    EVOLUTION_CONFIGS,
    FAST_CELLS as FAST_CELLS,
    FAST_MACS as FAST_MACS,
    FAST_MESH_STEPS as FAST_MESH_STEPS,
    FAST_STEPS as FAST_STEPS,
    SEED_BYTES as SEED_BYTES,
    Config,
    EvolutionVsBayesConfig,
    MeshEvolutionVsBayesConfig,
    SGDVsBayesConfig,
    _entry_bytes as _entry_bytes,
    check_resources,
    check_types,
)
from minimodels.learners.evolution import _check_rule_set
from minimodels.models.rulearray import RuleArray, parse_range

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


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


def plans(config: Config) -> tuple[Split, Plan, Plan | None]:
    """(split, training plan, P_B plan or None for the NNGP); shards seeded from the seed.

    Every option is checked here, before any work starts (one sentence on a bad one).
    """

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
                f"{format_count(config.substrate.n_settings)} level vectors are too many to "
                "enumerate (at most 2^24); use --bayes rejection"
            )
    else:  # the rule numbers, range and boundary are valid, and mutation has a choice
        RuleArray([list(config.rules)], r=config.r, boundary=config.boundary)
        _check_rule_set(config.rules, parse_range(config.r))
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
    activation: str = "relu"
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


def run_ladder(
    config: LadderConfig, *, on_progress: ProgressCallback | None = None
) -> LadderResult:
    """Test error (mean, std over fitted runs) and majority-class error per target."""

    started = time.perf_counter()
    n = int(config.model.split("-")[0])
    rng = np.random.default_rng(config.seed)
    base = np.array([int(c) for c in boolean_target(n, "x1")])
    setup = dataclasses.replace(
        SGDVsBayesConfig(
            model=config.model,
            optimizer=config.optimizer,
            learning_rate=config.learning_rate,
            max_steps=config.max_steps,
        ).setup,
        activation=config.activation,
    )
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
