"""Rule arrays in the Boolean protocol: P_evolution vs P_B of the arrays' prior.

Data model.  A :class:`RuleArraySubstrate` is rule arrays of ``depth × width`` cells as a
learner of n-bit Boolean functions: the inputs sit on evenly spread columns of the top row, the
answer is read at bottom column ``width // 2``, and the prior over arrays is uniform over
``rules`` in every cell.  A stack of arrays is an int64 array ``(N, depth, width)`` of rule
numbers, and :func:`_readout_tables` turns it into truth tables ``(N, 2^n)`` (compiled).

Three ways to tally test functions on a :class:`~minimodels.analysis.bayes.protocol.Split`, each a
:class:`~minimodels.analysis.bayes.protocol.TallyPlan` (seeded shards, see
:mod:`minimodels.runtime.plans`) or an exact answer:

* P_evolution — :func:`evolution_plan`: random arrays mutated until they fit S;
* P_B by rejection — :func:`random_array_plan`: uniformly random arrays that fit S;
* P_B exactly — :func:`exact_rule_array_posterior`: every array enumerated (at most 2^22).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from minimodels.analysis.bayes._arrays import readout_words
from minimodels.analysis.bayes.protocol import (
    BlockResult,
    FunctionCounts,
    Split,
    TallyPlan,
    bits_to_strings,
    exact_posterior,
)
from minimodels.base.errors import UsageError
from minimodels.base.resources import format_count
from minimodels.engine import pack_bits, unpack_bits
from minimodels.learners.evolution import evolve
from minimodels.runtime.plans import block_bounds, run_here, seeded_runs
from minimodels.tasks import boolean as boolean_task

__all__ = [
    "RuleArraySubstrate",
    "enumerate_rule_arrays",
    "evolution_plan",
    "evolve_functions",
    "exact_rule_array_posterior",
    "random_array_functions",
    "random_array_plan",
]


@dataclass(frozen=True)
class RuleArraySubstrate:
    """Rule arrays as a learner of n-bit Boolean functions (DESIGN.md §3 Boolean task).

    Inputs sit on evenly spread columns of the top row, the answer is read at bottom column
    ``width // 2``; the prior over arrays is uniform over ``rules`` in every cell.
    """

    width: int = 11
    depth: int = 8
    rules: tuple[int, ...] = (4, 146)
    r: float | str = 1
    boundary: str = "cyclic"

    def task(self, split: Split):
        return boolean_task(split.n, split.target, width=self.width, train=split.train)

    @property
    def n_arrays(self) -> int:
        return len(self.rules) ** (self.width * self.depth)


def _readout_tables(rule_stack: np.ndarray, task, substrate: RuleArraySubstrate) -> np.ndarray:
    """Truth tables ``(N, 2^n)`` of a stack of rule arrays ``(N, depth, width)`` on ``task``."""
    packed = pack_bits(task.inputs)  # (W, n_words)
    words = readout_words(
        np.ascontiguousarray(rule_stack, dtype=np.int64),
        packed,
        substrate.boundary == "cyclic",
        str(substrate.r) in ("0.5", "1/2"),
        int(task.readout[0]),
    )  # (N, n_words)
    return unpack_bits(words[:, None, :], len(task.inputs))[:, :, 0].T  # (N, 2^n)


def enumerate_rule_arrays(split: Split, substrate: RuleArraySubstrate) -> np.ndarray:
    """Truth tables ``(|rules|^(depth·width), 2^n)`` of every rule array: the exact prior."""
    if substrate.n_arrays > 2**22:
        raise UsageError(
            f"{format_count(substrate.n_arrays)} rule arrays are too many to enumerate "
            "(at most 2^22)"
        )
    cells = substrate.depth * substrate.width
    index = np.arange(substrate.n_arrays)[:, None]
    k = len(substrate.rules)
    digits = (index // k ** np.arange(cells - 1, -1, -1)) % k  # (N, cells), base-k digits
    stack = np.asarray(substrate.rules)[digits].reshape(-1, substrate.depth, substrate.width)
    return _readout_tables(stack, substrate.task(split), substrate)


def exact_rule_array_posterior(
    split: Split, substrate: RuleArraySubstrate
) -> tuple[np.ndarray, np.ndarray]:
    """Exact P_B(f | S) of rule arrays by enumerating all of them: (test functions, probs)."""
    return exact_posterior(enumerate_rule_arrays(split, substrate), None, split)


def _evolve_block(args: tuple) -> BlockResult:
    """Worker: adaptive-evolution runs for a block of seeds; (test functions, n_unfit, s)."""
    split, substrate, steps, seeds = args
    task = substrate.task(split)
    started = time.perf_counter()
    functions, n_unfit = [], 0
    for seed in seeds:
        result = evolve(
            task,
            depth=substrate.depth,
            rules=substrate.rules,
            steps=steps,
            seed=seed,
            r=substrate.r,
            boundary=substrate.boundary,
        )
        if not result.solved:
            n_unfit += 1
            continue
        answers = task.answers(result.array)[split.test, 0]
        functions.append("".join(map(str, answers.tolist())))
    return Counter(functions), n_unfit, time.perf_counter() - started


def evolution_plan(
    split: Split,
    substrate: RuleArraySubstrate,
    *,
    n_runs: int,
    steps: int,
    seed: int,
    n_shards: int = 1,
) -> TallyPlan:
    """P_evolution: random initial arrays mutated until they fit S (``steps`` attempts at most).

    Run ``i`` uses ``SeedSequence(seed).spawn(n_runs)[i]``, so the tally does not depend on
    the sharding or the backend.  Runs that do not fit S are not counted.
    """
    tasks = seeded_runs((split, substrate, steps), n_runs, n_shards, seed)
    return TallyPlan(_evolve_block, tasks, n_runs)


def evolve_functions(split: Split, substrate: RuleArraySubstrate, **options) -> FunctionCounts:
    """Run :func:`evolution_plan` here and now (keywords as there, plus ``run_plan``'s)."""
    return run_here(evolution_plan, split, substrate, **options)


def _random_array_block(args: tuple) -> BlockResult:
    """Worker: ``count`` uniformly random arrays from ``seed``; the test functions of those
    that fit S."""
    split, substrate, seed, count, batch = args
    started = time.perf_counter()
    task = substrate.task(split)
    rng = np.random.default_rng(seed)
    rules = np.asarray(substrate.rules, dtype=np.int64)
    kept: list[str] = []
    for start in range(0, count, batch):
        size = min(batch, count - start)
        stack = rules[rng.integers(0, len(rules), (size, substrate.depth, substrate.width))]
        fits, test_bits = split.restrict(_readout_tables(stack, task, substrate))
        kept.extend(bits_to_strings(test_bits[fits]).tolist() if fits.any() else [])
    return Counter(kept), count - len(kept), time.perf_counter() - started


def random_array_plan(
    split: Split,
    substrate: RuleArraySubstrate,
    *,
    n_samples: int,
    seed: int,
    n_shards: int = 1,
    batch: int = 4096,
) -> TallyPlan:
    """P_B of rule arrays by rejection: uniformly random arrays that fit S, on the test rows.

    Shard ``j`` draws its arrays from ``SeedSequence(seed).spawn(n_shards)[j]``.
    """
    if n_samples < 1:
        raise UsageError(f"number of samples must be at least 1, got {n_samples}")
    sizes = [size for _, size in block_bounds(n_samples, min(n_shards, n_samples))]
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    tasks = [(split, substrate, s, size, batch) for s, size in zip(seeds, sizes, strict=True)]
    return TallyPlan(_random_array_block, tasks, n_samples)


def random_array_functions(
    split: Split, substrate: RuleArraySubstrate, **options
) -> FunctionCounts:
    """Run :func:`random_array_plan` here and now."""
    return run_here(random_array_plan, split, substrate, **options)
