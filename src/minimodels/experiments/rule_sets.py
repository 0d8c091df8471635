"""Computational power vs trainability: rule arrays of different rule sets on the bump.

Wolfram's rule arrays mostly use rules 4 and 146; he remarks that rule sets able to do "wild
computation" (class 3 and 4 rules such as 30 or 110) are harder to train.  This experiment
measures it.  For every rule set of ``config.rule_sets``:

* **learnable at all?** (:func:`forced_errors`): a sound over-approximation of what any array of
  the set can put in each cell.  Cell by cell, row by row, it tracks whether the cell *can* be 0
  and whether it *can* be 1 for some choice of every cell's rule (the neighbours' possibilities
  taken independently, so it may allow too much but never too little).  A training readout
  whose wanted bit is impossible is answered wrongly by *every* array: the set cannot learn the
  task, and :func:`check_learnable` refuses it with one sentence.  In :func:`run` such a set
  is not trained; its row says why (``refusal``).  Example: no rule of {4, 110} maps 100 → 1,
  so a pattern from one black cell never moves right, and inputs left of the readout can never
  reach it;
* **how fast it learns** (:func:`minimodels.experiments.evolution.run`, the bump of
  SCIENCE.md §A.4, ``runs`` runs of at most ``steps`` attempts, stopped at zero loss): the
  fraction of runs that reach zero loss and the median attempts of those that do.  Every set
  uses the same seeds (common random numbers);
* **how irregular its patterns are**: the spacetime K_LZ (:func:`spacetime_k_lz`,
  :func:`minimodels.analysis.complexity.k_lz` of the whole run, rows 0..depth flattened row by
  row, ``(depth + 1) × width`` bits) on each of the bump's inputs, averaged over the inputs, for
  the *trained* arrays (final arrays of the runs that reached zero loss) and for
  ``random_arrays`` arrays whose every cell is drawn uniformly from the set.  As a scale, the
  mean K_LZ of uniformly random bit strings of the same length (``random_bits``).

Rule sets are labelled ``tame`` (``config.tame``, Wolfram's {4, 146}), ``wild`` (containing a
rule of ``config.wild_rules``, 30 or 110) or ``other``; :func:`compare_to_tame` and
:func:`verdict` decide the claim (the rule is stated there).  Pure compute: rows and numbers,
no files.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minimodels.analysis.complexity import k_lz
from minimodels.base.errors import UsageError
from minimodels.base.fields import check_whole
from minimodels.base.progress import ProgressCallback, report
from minimodels.experiments.evolution import (
    EvolutionConfig,
    ManyRuns,
    check_config as check_evolution,
    run as run_evolution,
)
from minimodels.models.rulearray import RuleArray
from minimodels.tasks import Task, bump

__all__ = [
    "DEFAULT_RULE_SETS",
    "WOLFRAM_CLASS",
    "RuleSetOutcome",
    "RuleSetsConfig",
    "RuleSetsResult",
    "check_config",
    "check_learnable",
    "compare_to_tame",
    "forced_errors",
    "learnability_refusal",
    "possible_values",
    "run",
    "run_rule_set",
    "shared_neighbourhoods",
    "solved_differ",
    "spacetime_k_lz",
    "verdict",
]

# Wolfram's classes (A New Kind of Science, ch. 6) of the elementary rules used here
WOLFRAM_CLASS = {0: 1, 4: 2, 22: 3, 30: 3, 90: 3, 110: 4, 146: 3, 150: 3}

DEFAULT_RULE_SETS: tuple[tuple[int, ...], ...] = (
    (4, 146),  # Wolfram's own (tame)
    (4, 30),
    (30, 146),
    (4, 110),
    (110, 146),
    (22, 110),
    (30, 110),
    (90, 150),  # additive
    (4, 22),
)


@dataclass(frozen=True)
class RuleSetsConfig:
    """Rule sets compared on the bump (see the module docstring)."""

    rule_sets: tuple[tuple[int, ...], ...] = DEFAULT_RULE_SETS
    width: int = 20  # the bump of SCIENCE.md §A.4: 20 wide, 10 deep, 2×10^4 attempts
    depth: int = 10
    steps: int = 20_000  # attempted mutations per run (the budget)
    runs: int = 500  # training runs per rule set
    random_arrays: int = 300  # random arrays per rule set (the K_LZ baseline)
    boundary: str = "cyclic"
    seed: int = 0
    tame: tuple[int, ...] = (4, 146)
    wild_rules: tuple[int, ...] = (30, 110)

    @classmethod
    def quick(cls) -> RuleSetsConfig:
        return cls(runs=30, random_arrays=40)

    def evolution(self, rules: Sequence[int]) -> EvolutionConfig:
        """The runs of one rule set (bump, stop at zero loss, the same seed for every set)."""
        return EvolutionConfig(
            task="bump", width=self.width, depth=self.depth, rules=tuple(rules),
            boundary=self.boundary, steps=self.steps, runs=self.runs, seed=self.seed,
        )  # fmt: skip

    def kind(self, rules: Sequence[int]) -> str:
        """``tame`` (the set ``tame``), ``wild`` (uses a rule of ``wild_rules``) or ``other``."""
        if set(rules) == set(self.tame):
            return "tame"
        return "wild" if set(rules) & set(self.wild_rules) else "other"


def _name(rules: Sequence[int]) -> str:
    return "{" + ", ".join(str(rule) for rule in rules) + "}"


def check_config(config: RuleSetsConfig) -> None:
    """Refuse (one sentence) a config the experiment would trip over: bad counts, no rule sets,
    an empty rule set, a rule out of 0..255, a repeated rule or rule set, a one-rule set."""
    check_whole(config, {"width": 1, "depth": 1, "steps": 0, "runs": 1, "random_arrays": 1,
                          "seed": 0})  # fmt: skip
    if not config.rule_sets:
        raise UsageError("give at least one rule set to compare", option="rule_sets")
    seen: set[frozenset[int]] = set()
    for rules in config.rule_sets:
        if len(tuple(rules)) == 0:
            raise UsageError("a rule set is empty; give at least two rules", option="rule_sets")
        if frozenset(rules) in seen:
            raise UsageError(f"the rule set {_name(rules)} is given twice", option="rule_sets")
        seen.add(frozenset(rules))
        # rules out of range, repeated or alone; the task and its memory (one sentence each)
        check_evolution(config.evolution(rules))


# ---------------------------------------------------------------------- what can be learned
def possible_values(
    inputs: np.ndarray, rules: Sequence[int], depth: int, *, boundary: str = "cyclic"
) -> tuple[np.ndarray, np.ndarray]:
    """``(can0, can1)``, each ``(n, depth + 1, W)`` bool: whether some array of these (range-1)
    rules can make the cell 0, resp. 1, on input i.

    Row 0 is the input.  Row t + 1: a cell can be b when some rule of the set maps some
    neighbourhood (a, c, e) to b, with each of a, c, e a value its cell of row t can take.  The
    neighbours are taken independently, so this is an over-approximation: a cell marked unable
    to be b is 0/1 certain for every array.  ``boundary`` ``"zero"`` reads 0 outside the row.
    """
    bits = (np.asarray(rules, dtype=np.int64)[:, None] >> np.arange(8)) & 1  # (rules, 8)
    makes1 = np.asarray(bits.any(axis=0)).tolist()  # some rule maps k = 4a + 2c + e to 1
    makes0 = np.asarray((bits == 0).any(axis=0)).tolist()
    row1 = np.asarray(inputs, dtype=np.uint8) == 1
    can1, can0 = [row1], [~row1]

    def shift(values: np.ndarray, by: int, outside: bool) -> np.ndarray:
        if boundary == "cyclic":
            return np.roll(values, by, axis=1)  # by = 1: the left neighbour x - 1 at x
        out = np.full_like(values, outside)
        if by == 1:
            out[:, 1:] = values[:, :-1]
        else:
            out[:, :-1] = values[:, 1:]
        return out

    for _ in range(depth):
        one, zero = can1[-1], can0[-1]
        sides = {  # (can be 0, can be 1) of the left, centre and right neighbours
            4: (shift(zero, 1, True), shift(one, 1, False)),
            2: (zero, one),
            1: (shift(zero, -1, True), shift(one, -1, False)),
        }
        new1 = np.zeros_like(one)
        new0 = np.zeros_like(zero)
        for k in range(8):
            ok = np.ones_like(one)
            for weight, (side_zero, side_one) in sides.items():
                ok &= side_one if k & weight else side_zero
            if makes1[k]:
                new1 |= ok
            if makes0[k]:
                new0 |= ok
        can1.append(new1)
        can0.append(new0)
    return np.stack(can0, axis=1), np.stack(can1, axis=1)


def forced_errors(
    task: Task, rules: Sequence[int], depth: int, *, boundary: str = "cyclic"
) -> np.ndarray:
    """``(n, len(readout))`` bool: training answers every array of ``rules`` gets wrong (its
    readout cell cannot take the wanted bit, by :func:`possible_values`).  Their number is a
    lower bound on the loss of any such array."""
    can0, can1 = possible_values(task.inputs, rules, depth, boundary=boundary)
    readout = list(task.readout)
    at0, at1 = can0[:, -1][:, readout], can1[:, -1][:, readout]
    wrong = np.where(task.targets == 1, ~at1, ~at0)
    return wrong & task.train[:, None]


def learnability_refusal(config: RuleSetsConfig, rules: Sequence[int]) -> str | None:
    """One sentence saying why no array of ``rules`` can reach zero loss on the bump (else None)."""
    task = bump(config.width)
    wrong = forced_errors(task, rules, config.depth, boundary=config.boundary)
    if not wrong.any():
        return None
    case = int(np.flatnonzero(wrong.any(axis=1))[0])
    x = int(np.flatnonzero(task.inputs[case])[0])
    want = int(task.targets[case, 0])
    return (
        f"rules {_name(rules)} cannot learn the bump on a {config.depth}-deep, "
        f"{config.width}-wide array: whatever the cells' rules, the readout cannot answer "
        f"{want} on input x = {x}, so every array answers at least {int(wrong.sum())} of the "
        "inputs wrongly"
    )


def shared_neighbourhoods(rules: Sequence[int]) -> tuple[list[str], list[str]]:
    """The neighbourhoods (other than 000) that *every* rule of the set maps to 1, and those
    that *none* does, as ``"011"`` strings: what no choice of rules can change."""
    every = [f"{k:03b}" for k in range(1, 8) if all(r >> k & 1 for r in rules)]
    none = [f"{k:03b}" for k in range(1, 8) if not any(r >> k & 1 for r in rules)]
    return every, none


def check_learnable(config: RuleSetsConfig, rules: Sequence[int]) -> None:
    """Refuse (one sentence) a rule set that cannot learn the bump (:func:`forced_errors`)."""
    refusal = learnability_refusal(config, rules)
    if refusal is not None:
        raise UsageError(refusal, option="rule_sets")


# ---------------------------------------------------------------------- complexity
def spacetime_k_lz(array: RuleArray, inputs: np.ndarray) -> np.ndarray:
    """K_LZ of the array's whole run (rows 0..depth flattened row by row) on each input."""
    states = array.run(np.atleast_2d(inputs))  # (n, depth + 1, W)
    return np.asarray(k_lz(states.reshape(states.shape[0], -1)), dtype=float)


def _mean_k(arrays: Sequence[RuleArray], inputs: np.ndarray) -> np.ndarray:
    """Each array's spacetime K_LZ averaged over the inputs (one batched K_LZ call: a call per
    array would spend more time starting the compiled kernel's threads than in it)."""
    if not arrays:
        return np.zeros(0)
    patterns = np.concatenate([a.run(inputs).reshape(len(inputs), -1) for a in arrays])
    values = np.asarray(k_lz(patterns), dtype=float)
    return values.reshape(len(arrays), len(inputs)).mean(axis=1)


# ---------------------------------------------------------------------- one rule set
@dataclass(frozen=True, eq=False)
class RuleSetOutcome:
    """One rule set: its runs (None when it cannot learn the bump) and pattern complexities."""

    rules: tuple[int, ...]
    kind: str
    refusal: str | None  # why the set cannot learn the bump (then it is not trained)
    forced: int  # answers every array of the set gets wrong (0 when learnable)
    many: ManyRuns | None = field(repr=False)
    k_final: np.ndarray = field(repr=False)  # (runs,) mean spacetime K_LZ of each final array
    k_random: np.ndarray = field(repr=False)  # (random_arrays,) the same for random arrays
    random_example: RuleArray = field(repr=False)

    @property
    def learnable(self) -> bool:
        return self.refusal is None

    @property
    def runs(self) -> int:
        """Training runs (0 for a set that cannot learn the bump)."""
        return 0 if self.many is None else len(self.many.results)

    @property
    def solved(self) -> np.ndarray:
        if self.many is None:
            return np.zeros(0, dtype=bool)
        return np.array([r.solved for r in self.many.results], dtype=bool)

    @property
    def k_trained(self) -> np.ndarray:
        """Spacetime K_LZ of the arrays trained to zero loss."""
        return self.k_final[self.solved] if self.many is not None else np.zeros(0)

    @property
    def solved_fraction(self) -> float | None:
        return None if self.many is None else float(self.solved.mean())

    @property
    def median_attempts(self) -> float | None:
        return None if self.many is None else self.many.summary()["median_steps_to_zero"]

    @property
    def example(self) -> tuple[RuleArray, str]:
        """An array to show and what it is: the first solved run's, else run 0's final array,
        else (an unlearnable set) a random array."""
        if self.many is None:
            return self.random_example, "random (cannot learn)"
        solved = np.flatnonzero(self.solved)
        run = self.many.results[int(solved[0]) if solved.size else 0]
        return run.array, f"run {int(solved[0]) if solved.size else 0}, loss {run.final_loss:g}"

    def row(self) -> dict[str, Any]:
        quartiles = None if self.many is None else self.many.summary()["steps_to_zero_quartiles"]
        trained = self.k_trained
        return {
            "rules": _name(self.rules),
            "Wolfram classes": ", ".join(str(WOLFRAM_CLASS.get(r, "?")) for r in self.rules),
            "kind": self.kind,
            "learnable": "yes" if self.learnable else f"no ({self.forced} answers forced wrong)",
            "runs": self.runs,
            "solved fraction": self.solved_fraction,
            "median attempts": self.median_attempts,
            "attempts quartiles": quartiles,
            "K_LZ trained": float(trained.mean()) if trained.size else None,
            "K_LZ trained sd": float(trained.std()) if trained.size else None,
            "K_LZ random": float(self.k_random.mean()),
            "K_LZ random sd": float(self.k_random.std()),
            "K_LZ shift": self.k_shift[0],
            "K_LZ shift se": self.k_shift[1],
        }

    @property
    def k_shift(self) -> tuple[float | None, float | None]:
        """(mean K_LZ of trained − of random arrays, its standard error); None without two
        trained arrays."""
        trained, rand = self.k_trained, self.k_random
        if trained.size < 2 or rand.size < 2:
            return None, None
        se = np.sqrt(trained.var(ddof=1) / trained.size + rand.var(ddof=1) / rand.size)
        return float(trained.mean() - rand.mean()), float(se)


def run_rule_set(config: RuleSetsConfig, rules: Sequence[int]) -> RuleSetOutcome:
    """Train and measure one rule set; a set that cannot learn the bump is not trained (its
    ``refusal`` says why) but its random arrays are still measured."""
    rules = tuple(int(r) for r in rules)
    task = bump(config.width)
    refusal = learnability_refusal(config, rules)
    forced = int(forced_errors(task, rules, config.depth, boundary=config.boundary).sum())
    many = None
    k_final = np.zeros(0)
    if refusal is None:
        many = run_evolution(config.evolution(rules))
        k_final = _mean_k([r.array for r in many.results], task.inputs)
    rng = np.random.default_rng(np.random.SeedSequence([config.seed, 5, *rules]))
    randoms = [
        RuleArray.random(config.depth, config.width, rules=rules, rng=rng, boundary=config.boundary)
        for _ in range(config.random_arrays)
    ]
    k_random = _mean_k(randoms, task.inputs)
    kind = config.kind(rules)
    return RuleSetOutcome(rules, kind, refusal, forced, many, k_final, k_random, randoms[0])


# ---------------------------------------------------------------------- all rule sets
@dataclass(frozen=True, eq=False)
class RuleSetsResult:
    config: RuleSetsConfig
    outcomes: list[RuleSetOutcome] = field(repr=False)
    random_bits: float  # mean K_LZ of uniformly random strings as long as one spacetime pattern

    def rows(self) -> list[dict[str, Any]]:
        return [o.row() for o in self.outcomes]

    def by_rules(self, rules: Sequence[int]) -> RuleSetOutcome | None:
        return next((o for o in self.outcomes if set(o.rules) == set(rules)), None)

    def numbers(self) -> dict[str, Any]:
        """Headline numbers: the tame set's, the wild sets' pooled, the unlearnable sets, and
        the rank correlation (Spearman) over learnable sets between how irregular the set's
        random arrays are and how well it trains."""
        from scipy.stats import spearmanr

        learnable = [o for o in self.outcomes if o.learnable]
        k_random = [float(o.k_random.mean()) for o in learnable]
        solved = [o.solved_fraction for o in learnable]
        numbers: dict[str, Any] = {
            "random-bit K_LZ (same length)": self.random_bits,
            "unlearnable sets": [_name(o.rules) for o in self.outcomes if not o.learnable],
        }
        if len(learnable) >= 3:
            rho = spearmanr(k_random, solved).statistic
            numbers["rank correlation, random-array K_LZ vs solved fraction"] = float(rho)
        return numbers


def run(config: RuleSetsConfig, *, on_progress: ProgressCallback | None = None) -> RuleSetsResult:
    """Every rule set of the config (see the module docstring); refuses a bad config first."""
    check_config(config)
    outcomes = []
    for i, rules in enumerate(config.rule_sets):
        outcomes.append(run_rule_set(config, rules))
        report(on_progress, i + 1, len(config.rule_sets))
    rng = np.random.default_rng(np.random.SeedSequence([config.seed, 6]))
    bits = rng.integers(
        0, 2, size=(max(config.random_arrays, 50), (config.depth + 1) * config.width)
    )
    random_bits = float(np.mean(np.asarray(k_lz(bits.astype(np.uint8)))))
    return RuleSetsResult(config, outcomes, random_bits)


# ---------------------------------------------------------------------- the claim
MARGIN = 0.05  # solved fractions closer than this (or than 2 standard errors) count as equal
RATIO = 1.5  # median attempts this many times the tame set's (or fewer) count as slower (faster)


def solved_differ(a: float, n_a: int, b: float, n_b: int) -> bool:
    """Whether two solved fractions (of ``n_a`` and ``n_b`` runs) differ: by more than
    :data:`MARGIN` and by more than 2 standard errors of the difference."""
    se = math.sqrt(a * (1 - a) / n_a + b * (1 - b) / n_b)
    return abs(a - b) > max(MARGIN, 2 * se)


def compare_to_tame(result: RuleSetsResult) -> list[tuple[RuleSetOutcome, str]]:
    """Each learnable wild set against the tame set: ``harder``, ``easier`` or ``similar``.

    First the share of runs reaching zero loss: when the two differ (:func:`solved_differ`:
    by more than :data:`MARGIN` and 2 standard errors), the set with the smaller share is the
    harder.  Else the median attempts to zero loss: more than :data:`RATIO` times the tame
    set's (or never solved) is harder, :data:`RATIO` times fewer is easier, else similar.
    Unlearnable wild sets (:func:`forced_errors`) are left out: they cannot express the bump
    at all, which is not a matter of training.
    """
    tame = result.by_rules(result.config.tame)
    if tame is None or tame.solved_fraction is None or tame.median_attempts is None:
        return []
    t_solved, t_median, t_runs = tame.solved_fraction, tame.median_attempts, tame.runs
    out = []
    for o in result.outcomes:
        if o.kind != "wild" or o.solved_fraction is None:
            continue
        solved, median = o.solved_fraction, o.median_attempts
        if solved_differ(solved, o.runs, t_solved, t_runs):
            label = "harder" if solved < t_solved else "easier"
        elif median is None or median > RATIO * t_median:
            label = "harder"
        elif median < t_median / RATIO:
            label = "easier"
        else:
            label = "similar"
        out.append((o, label))
    return out


def verdict(result: RuleSetsResult) -> str:
    """ "Rule sets capable of wild computation are harder to train": ``supported`` when every
    learnable wild set is harder than the tame set (:func:`compare_to_tame`), ``refuted`` when
    none is, ``mixed`` otherwise; ``inconclusive`` without a tame set that was solved at least
    once or without a learnable wild set."""
    labels = [label for _, label in compare_to_tame(result)]
    if not labels:
        return "inconclusive"
    harder = labels.count("harder")
    return "supported" if harder == len(labels) else "refuted" if harder == 0 else "mixed"
