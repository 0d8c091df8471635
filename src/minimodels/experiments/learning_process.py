"""How the learning process changes learning: three variants of adaptive evolution on the bump.

Rule arrays trained by adaptive evolution on Wolfram's bump task
(:mod:`minimodels.experiments.evolution`), three ways of changing the *process* rather than the
model:

* **ensembles** (:func:`vote_experiment`): ``vote_splits`` random halves of the inputs; on each,
  ``vote_runs`` arrays trained on that half only.  The majority vote of ``k`` of them (k = 1, 3,
  5, …, ``vote_runs``; random subsets of each size, the vote by
  :func:`minimodels.experiments.evolution.ensemble_accuracy`) is scored on the held-out half,
  beside the mean single array and the array that answers 0 everywhere;
* **several mutations per step** (:func:`mutation_experiment`), the analogue of a learning
  rate: for each ``mutations_per_step`` m, ``mutation_runs`` runs (the same seeds for every m;
  m = 1 is exactly :func:`minimodels.experiments.evolution.run`): the fraction reaching zero
  loss within ``steps`` attempts, the median attempts to zero loss and the final loss;
* **aggregate learning curves** (:func:`curve_experiment`): ``curve_runs`` runs at each array
  size of ``sizes``; the loss after ``a`` attempts (a run that stopped keeps its last loss) at
  log-spaced ``a``, as the median and the 10–90 % quantile band over runs
  (:func:`quantile_band`).

Everything here is pure compute: rows (lists of dicts) and numbers, no files.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from minimodels.base.errors import UsageError
from minimodels.base.fields import check_whole, is_whole
from minimodels.base.progress import ProgressCallback, report
from minimodels.experiments.evolution import (
    EvolutionConfig,
    ManyRuns,
    ensemble_accuracy,
    run as run_evolution,
)
from minimodels.learners.evolution import Evolution

__all__ = [
    "QUANTILES",
    "CurveSet",
    "LearningProcess",
    "LearningProcessConfig",
    "check_config",
    "curve_experiment",
    "curve_positions",
    "ensemble_members",
    "loss_at",
    "mutation_experiment",
    "quantile_band",
    "run",
    "vote_accuracy",
    "vote_experiment",
    "vote_rows",
]

QUANTILES = (0.1, 0.5, 0.9)  # the band's lower edge, the median, the upper edge


@dataclass(frozen=True)
class LearningProcessConfig:
    """The three learning-process experiments on the bump (see the module docstring)."""

    width: int = 20  # the ensemble and mutation experiments' array
    depth: int = 10
    rules: tuple[int, ...] = (4, 146)
    steps: int = 20_000  # attempted mutations per run (the budget)
    seed: int = 0
    # (a) ensembles
    vote_runs: int = 31  # arrays per random half (odd: no tied votes)
    vote_splits: int = 12  # random halves of the inputs
    vote_subsets: int = 20  # random ensembles per size (fewer when there are fewer)
    train_fraction: float = 0.5
    # (b) several mutations per step
    mutations_per_step: tuple[int, ...] = (1, 2, 4, 8, 16, 32)
    mutation_runs: int = 200
    # (c) aggregate learning curves
    sizes: tuple[tuple[int, int], ...] = ((10, 6), (20, 10), (30, 15))  # (width, depth)
    curve_runs: int = 200
    curve_points: int = 150  # log-spaced attempt counts the band is computed at

    @classmethod
    def quick(cls) -> LearningProcessConfig:
        return cls(
            vote_runs=15, vote_splits=3, vote_subsets=10, mutation_runs=40, curve_runs=40,
            curve_points=80,
        )  # fmt: skip

    def evolution(self, **changes: Any) -> EvolutionConfig:
        """The :class:`EvolutionConfig` of one group of runs (bump, stop at zero loss)."""
        base = EvolutionConfig(
            task="bump", width=self.width, depth=self.depth, rules=self.rules, steps=self.steps,
            seed=self.seed,
        )  # fmt: skip
        return replace(base, **changes)


def check_config(config: LearningProcessConfig) -> None:
    """Refuse (one sentence naming the option) a config the experiments would trip over."""
    check_whole(config, {"vote_runs": 1, "vote_splits": 1, "vote_subsets": 1, "mutation_runs": 1,
                          "curve_runs": 1, "curve_points": 2, "steps": 1, "seed": 0})  # fmt: skip
    counts = tuple(config.mutations_per_step)
    if not counts:
        raise UsageError(
            "mutations per step must list at least one number", option="mutations_per_step"
        )
    bad = [m for m in counts if not is_whole(m, 1)]
    if bad or len(set(counts)) != len(counts):
        what = f"got {bad[0]!r}" if bad else f"{list(counts)} repeats a number"
        raise UsageError(
            f"mutations per step must be distinct whole numbers ≥ 1, {what}",
            option="mutations_per_step",
        )
    if 1 not in counts:
        raise UsageError(
            f"mutations per step must include 1 (the reference), got {list(counts)}",
            option="mutations_per_step",
        )
    sizes = tuple(config.sizes)
    if not sizes:
        raise UsageError("sizes must list at least one (width, depth) array size", option="sizes")
    for size in sizes:
        if len(size) != 2 or not all(is_whole(v, 1) for v in size):
            raise UsageError(
                f"sizes must be (width, depth) pairs of whole numbers ≥ 1, got {size!r}",
                option="sizes",
            )
    if not 0.0 < config.train_fraction < 1.0:
        raise UsageError(
            f"train fraction must be in (0, 1) so that some inputs are held out, "
            f"got {config.train_fraction}",
            option="train_fraction",
        )


# ---------------------------------------------------------------------- (a) ensembles
def ensemble_members(
    n: int, size: int, count: int, rng: np.random.Generator
) -> list[tuple[int, ...]]:
    """Which runs vote together: every ``size``-subset of ``range(n)`` when there are at most
    ``max(count, n)`` of them (so size 1 is every run), else ``count`` subsets drawn uniformly
    (each without repeats)."""
    if not 1 <= size <= n:
        raise UsageError(f"ensemble size must be in 1..{n}, got {size}", option="size")
    if math.comb(n, size) <= max(count, n):
        return list(itertools.combinations(range(n), size))
    return [tuple(sorted(rng.choice(n, size, replace=False).tolist())) for _ in range(count)]


def vote_accuracy(results: Sequence[Evolution], members: Sequence[int]) -> float:
    """Held-out accuracy of the majority vote of ``results[i]`` for i in ``members``."""
    return ensemble_accuracy([results[i] for i in members])


def vote_rows(
    splits: Sequence[ManyRuns], *, count: int, rng: np.random.Generator
) -> list[dict[str, Any]]:
    """Vote accuracy against ensemble size (1, 3, 5, …, the runs of a split): one row per size,
    the mean and standard deviation over every split's ensembles of that size."""
    n = min(len(many.results) for many in splits)
    rows = []
    for size in range(1, n + 1, 2):
        scores = [
            vote_accuracy(many.results, members)
            for many in splits
            for members in ensemble_members(n, size, count, rng)
        ]
        rows.append({
            "ensemble size": size, "vote accuracy": float(np.mean(scores)),
            "sd": float(np.std(scores)), "ensembles": len(scores),
        })  # fmt: skip
    if n % 2 == 0:  # an even number of runs: the vote of all of them ends the curve (ties → 1)
        scores = [ensemble_accuracy(many.results) for many in splits]
        rows.append({"ensemble size": n, "vote accuracy": float(np.mean(scores)),
                     "sd": float(np.std(scores)), "ensembles": len(scores)})  # fmt: skip
    return rows


@dataclass(frozen=True, eq=False)
class VoteOutcome:
    rows: list[dict[str, Any]]
    numbers: dict[str, float]
    splits: list[ManyRuns] = field(repr=False)


def vote_experiment(
    config: LearningProcessConfig, *, on_progress: ProgressCallback | None = None
) -> VoteOutcome:
    """Arrays trained on random halves; their majority votes on the held-out halves.

    ``numbers``: ``single_mean`` and ``single_se`` (the mean held-out accuracy of one array over
    every array of every split, and its standard error), ``vote_all`` (the vote of all of a
    split's arrays, averaged over splits), ``answer_zero`` (the accuracy of answering 0
    everywhere, averaged over splits) and ``train_accuracy`` of the vote of all.
    """
    check_config(config)
    splits = []
    for i in range(config.vote_splits):  # split i: its half drawn from seed + i
        evolution = config.evolution(
            runs=config.vote_runs, train_fraction=config.train_fraction, seed=config.seed + i
        )
        splits.append(run_evolution(evolution))
        report(on_progress, i + 1, config.vote_splits)
    rng = np.random.default_rng(np.random.SeedSequence([config.seed, 3]))
    rows = vote_rows(splits, count=config.vote_subsets, rng=rng)
    single = np.array([r.held_out_accuracy for many in splits for r in many.results])
    zero = [
        float((many.task.targets[many.task.held_out] == 0).all(axis=1).mean()) for many in splits
    ]
    numbers = {
        "single_mean": float(single.mean()),
        "single_se": float(single.std(ddof=1) / np.sqrt(single.size)) if single.size > 1 else 0.0,
        "vote_all": float(np.mean([ensemble_accuracy(many.results) for many in splits])),
        "vote_all_train": float(
            np.mean([ensemble_accuracy(many.results, on="train") for many in splits])
        ),
        "answer_zero": float(np.mean(zero)),
        "arrays": int(single.size),
        "solved_fraction": float(np.mean([r.solved for many in splits for r in many.results])),
    }
    return VoteOutcome(rows, numbers, splits)


# ---------------------------------------------------------------------- (b) mutations per step
def mutation_row(m: int, many: ManyRuns) -> dict[str, Any]:
    """The numbers of one mutations-per-step setting, from its runs."""
    summary = many.summary()
    finals = np.array([r.final_loss for r in many.results])
    quartiles = summary["steps_to_zero_quartiles"]
    return {
        "mutations per step": m,
        "runs": summary["runs"],
        "solved fraction": summary["solved_fraction"],
        "median attempts to zero": summary["median_steps_to_zero"],
        "attempts q25": quartiles[0] if quartiles else None,
        "attempts q75": quartiles[1] if quartiles else None,
        "mean final loss": float(finals.mean()),
        "final loss se": float(finals.std(ddof=1) / np.sqrt(finals.size))
        if finals.size > 1
        else 0.0,
    }


@dataclass(frozen=True, eq=False)
class MutationOutcome:
    rows: list[dict[str, Any]]
    runs: dict[int, ManyRuns] = field(repr=False)


def mutation_experiment(
    config: LearningProcessConfig, *, on_progress: ProgressCallback | None = None
) -> MutationOutcome:
    """``mutation_runs`` runs per mutations-per-step setting, the same seeds for each."""
    check_config(config)
    runs = {}
    for i, m in enumerate(config.mutations_per_step):
        evolution = config.evolution(runs=config.mutation_runs, mutations_per_step=m)
        runs[m] = run_evolution(evolution)
        report(on_progress, i + 1, len(config.mutations_per_step))
    return MutationOutcome([mutation_row(m, many) for m, many in runs.items()], runs)


# ---------------------------------------------------------------------- (c) learning curves
def curve_positions(steps: int, points: int) -> np.ndarray:
    """0 and about ``points`` log-spaced attempt counts up to ``steps`` (distinct integers)."""
    spaced = np.round(np.logspace(0, np.log10(max(steps, 1)), points)).astype(np.int64)
    return np.unique(np.concatenate([[0], spaced]))


def loss_at(initial: float, losses: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The loss after ``at`` attempts (0: the start); a run that stopped keeps its last loss."""
    trace = np.concatenate([[initial], np.asarray(losses, dtype=float)])
    return trace[np.minimum(np.asarray(at), trace.size - 1)]


def quantile_band(curves: np.ndarray, quantiles: Sequence[float] = QUANTILES) -> np.ndarray:
    """``(len(quantiles), n_positions)``: each quantile over runs (rows) at every position."""
    return np.quantile(np.asarray(curves, dtype=float), list(quantiles), axis=0)


@dataclass(frozen=True, eq=False)
class CurveSet:
    """Many runs' losses at one array size, and their quantile band."""

    width: int
    depth: int
    at: np.ndarray  # attempt counts
    curves: np.ndarray  # (runs, len(at)) loss after each count
    band: np.ndarray  # (len(QUANTILES), len(at))
    many: ManyRuns = field(repr=False)

    @property
    def mean(self) -> np.ndarray:
        """The mean loss over runs at every position (smoother than the median)."""
        return self.curves.mean(axis=0)

    @property
    def n_inputs(self) -> int:
        return self.many.task.n_cases

    def median_at(self, attempts: int) -> float:
        return float(np.median(self.curves[:, np.searchsorted(self.at, attempts)]))

    def row(self, marks: Sequence[int]) -> dict[str, Any]:
        summary = self.many.summary()
        row: dict[str, Any] = {
            "array (width × depth)": f"{self.width} × {self.depth}",
            "runs": summary["runs"],
            "inputs": self.n_inputs,
            "solved fraction": summary["solved_fraction"],
            "median attempts to zero": summary["median_steps_to_zero"],
        }
        for mark in marks:
            column = int(np.searchsorted(self.at, mark))
            low, mid, high = self.band[:, column]
            row[f"loss at {mark:,} (median, 10–90 %)"] = f"{mid:g} ({low:g}–{high:g})"
        return row


def curve_experiment(
    config: LearningProcessConfig, *, on_progress: ProgressCallback | None = None
) -> list[CurveSet]:
    """``curve_runs`` runs at each array size; losses at log-spaced attempt counts."""
    check_config(config)
    at = curve_positions(config.steps, config.curve_points)
    out = []
    for i, (width, depth) in enumerate(config.sizes):
        many = run_evolution(config.evolution(width=width, depth=depth, runs=config.curve_runs))
        curves = np.array([loss_at(r.initial_loss, r.losses, at) for r in many.results])
        out.append(CurveSet(width, depth, at, curves, quantile_band(curves), many))
        report(on_progress, i + 1, len(config.sizes))
    return out


# ---------------------------------------------------------------------- all three
@dataclass(frozen=True, eq=False)
class LearningProcess:
    config: LearningProcessConfig
    vote: VoteOutcome
    mutations: MutationOutcome
    curves: list[CurveSet]

    def curve_marks(self) -> list[int]:
        """Attempt counts 10, 100, … up to the budget, for the curves' table."""
        return [10**k for k in range(1, int(np.log10(self.config.steps)) + 1)]

    def curve_rows(self) -> list[dict[str, Any]]:
        return [c.row(self.curve_marks()) for c in self.curves]


def run(
    config: LearningProcessConfig, *, on_progress: ProgressCallback | None = None
) -> LearningProcess:
    """All three experiments (progress: one tick per group of runs)."""
    check_config(config)
    total = config.vote_splits + len(config.mutations_per_step) + len(config.sizes)
    done = 0

    def stage(start: int) -> ProgressCallback | None:
        if on_progress is None:
            return None
        return lambda i, _n: on_progress(start + i, total)

    vote = vote_experiment(config, on_progress=stage(done))
    done += config.vote_splits
    mutations = mutation_experiment(config, on_progress=stage(done))
    done += len(config.mutations_per_step)
    curves = curve_experiment(config, on_progress=stage(done))
    return LearningProcess(config, vote, mutations, curves)
