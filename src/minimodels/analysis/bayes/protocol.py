"""The Boolean protocol: P_train (SGD or evolution) vs P_B on the same split, as one table.

Data model (DESIGN.md §4).  The ``2^n`` Boolean inputs are numbered ``0 … 2^n − 1`` (row ``i``
is ``i`` in binary, x1 the most significant bit); a function is a '0'/'1' truth-table string.
A :class:`Split` picks ``m`` training rows ``S`` (sorted) and leaves the other ``2^n − m`` rows
as the test set ``T`` (sorted).  A *test function* is the string of a model's outputs on ``T``
in that order; its number of test errors is its Hamming distance to the target's test string.

A :class:`FunctionCounts` tallies test functions: from training runs that reached 100 % train
accuracy (P_SGD, P_evolution) or from random parameters whose function fits ``S`` exactly
(P_B by rejection).  It remembers how many attempts it took (``n_attempts``: runs started or
parameters drawn) and how many were kept (``n_kept``: runs that fit, samples accepted).
:func:`compare` joins two tallies into a :class:`Comparison` — one row per function seen by
either, with estimated probabilities (0 where unseen), counts and test errors — and computes the
headline numbers: how much of P_train's mass sits within a factor 10 of P_B.

A tally is collected as a :class:`TallyPlan` (:mod:`minimodels.runtime.plans`: seeded shards, each
returning a :data:`BlockResult`, pooled into one :class:`FunctionCounts`).  The learners that
make such plans live beside this module: :mod:`~minimodels.analysis.bayes.rule_arrays` (P_evolution,
P_B of rule arrays), :mod:`~minimodels.analysis.bayes.nets` (P_SGD, P_B of nets, NNGP) and
:mod:`~minimodels.analysis.bayes.mesh`, and :mod:`minimodels.analysis.bayes` gathers their public
names.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minimodels.analysis.sampling.tables import table_words, unpacked_truth_tables
from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.runtime import plans
from minimodels.runtime.plans import (
    block_bounds as block_bounds,
    run_here as run_here,
    run_plan as run_plan,
)
from minimodels.tasks import boolean_truth_table

__all__ = [
    "boolean_target",
    "Comparison",
    "FunctionCounts",
    "Split",
    "TallyPlan",
    "compare",
    "compare_with_computed",
    "exact_posterior",
    "random_split",
    "run_here",
    "tabulate",
]


def truth_table_bits(table: str) -> np.ndarray:
    """A '0'/'1' string → uint8 array of its bits."""
    return np.frombuffer(table.encode("ascii"), dtype=np.uint8) - ord("0")


def bits_to_strings(bits: np.ndarray) -> np.ndarray:
    """``(N, L)`` 0/1 array → ``(N,)`` array of '0'/'1' strings (vectorised)."""
    bits = np.ascontiguousarray(np.asarray(bits, dtype=np.uint8) + ord("0"))
    return bits.view(f"S{bits.shape[1]}").ravel().astype(str)


def _ratio(part: float, whole: float) -> float:
    """part / whole, 0 when there is nothing to divide."""
    return float(part / whole) if whole else 0.0


@dataclass(frozen=True)
class Split:
    """Training rows ``train`` and test rows ``test`` of the ``2^n`` inputs, and the target."""

    n: int
    train: np.ndarray  # (m,) sorted row numbers
    test: np.ndarray  # (2^n − m,) sorted row numbers
    target: str  # full truth table, length 2^n

    @property
    def inputs(self) -> np.ndarray:
        """All ``2^n`` inputs as an ``(2^n, n)`` uint8 array (x1 the most significant bit)."""
        rows = np.arange(2**self.n)[:, None]
        return ((rows >> np.arange(self.n - 1, -1, -1)) & 1).astype(np.uint8)

    @property
    def train_labels(self) -> np.ndarray:
        return truth_table_bits(self.target)[self.train]

    @property
    def test_target(self) -> str:
        return "".join(self.target[i] for i in self.test)

    def fits_packed(self, words: np.ndarray) -> np.ndarray:
        """``(N,)`` bool: which packed truth tables (the sampler's uint64 words, input ``i`` at
        bit 63 − (i mod 64) of word i // 64) agree with the target on every training row.

        The same test as :meth:`restrict` without unpacking: rejection sampling keeps about
        one table in 10^4, so the test runs on the packed words of every sample.
        """
        mask, label = self.packed_train_masks()
        return (((np.asarray(words, dtype=np.uint64) ^ label) & mask) == 0).all(axis=1)

    def packed_train_masks(self) -> tuple[np.ndarray, np.ndarray]:
        """(training rows, target's ones on them) as packed words, in the layout above."""
        bit = np.uint64(1) << (63 - (self.train % 64)).astype(np.uint64)
        mask = np.zeros(table_words(self.n), dtype=np.uint64)
        label = np.zeros(table_words(self.n), dtype=np.uint64)
        np.bitwise_or.at(mask, self.train // 64, bit)
        np.bitwise_or.at(label, self.train // 64, bit * self.train_labels.astype(np.uint64))
        return mask, label

    def fitting_test_functions(self, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For packed tables: (which fit S ``(N,)`` bool, the test functions of those, as
        '0'/'1' strings); only the fitting rows are unpacked."""
        fits = self.fits_packed(words)
        tables = unpacked_truth_tables(np.asarray(words)[fits], self.n)
        return fits, bits_to_strings(tables[:, self.test])

    def restrict(self, tables: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For ``(N, 2^n)`` 0/1 outputs: (fits S exactly ``(N,)`` bool, test bits ``(N, t)``)."""
        tables = np.asarray(tables)
        fits = (tables[:, self.train] == self.train_labels).all(axis=1)
        return fits, tables[:, self.test]


def random_split(n: int, train_size: int, target: str, *, rng: np.random.Generator) -> Split:
    """A uniformly random training set of ``train_size`` of the ``2^n`` inputs."""
    if len(target) != 2**n or set(target) - {"0", "1"}:
        raise UsageError(
            f"target must be a '0'/'1' string of length 2^{n} = {2**n}", option="target"
        )
    if not 0 < train_size < 2**n:
        raise UsageError(
            f"train size {train_size} is out of range for n={n} (1..{2**n - 1})",
            option="train_size",
        )
    train = np.sort(rng.choice(2**n, size=train_size, replace=False))
    test = np.setdiff1d(np.arange(2**n), train)
    return Split(n, train, test, target)


def boolean_target(n: int, spec: str, *, rng: np.random.Generator | None = None) -> str:
    """A target truth table from a spec: a '0'/'1' string of length 2^n, a name of
    :func:`minimodels.tasks.boolean_truth_table` (parity, majority, and, or, random), or a
    formula of input bits joined by one operator: ``x1``, ``x1&x2``, ``x1|x3``, ``x2^x5``.
    """
    formula = re.fullmatch(r"x\d+(?:([&|^])x\d+(?:\1x\d+)*)?", spec)
    if formula is None:
        return "".join(map(str, boolean_truth_table(n, spec, rng=rng).tolist()))
    indices = [int(i) for i in re.findall(r"\d+", spec)]
    if not all(1 <= i <= n for i in indices):
        raise UsageError(f"target {spec!r} uses an input outside x1..x{n}")
    rows = np.arange(2**n)
    bits = [(rows >> (n - i)) & 1 for i in indices]  # x1 is the most significant bit
    table = bits[0]
    for b in bits[1:]:
        table = {"&": table & b, "|": table | b, "^": table ^ b}[formula.group(1)]
    return "".join(map(str, table.tolist()))


@dataclass(frozen=True)
class FunctionCounts:
    """A tally of test functions, with how many attempts it took to collect them."""

    functions: np.ndarray  # (F,) '0'/'1' strings, sorted
    counts: np.ndarray  # (F,) int64, ≥ 1
    n_attempts: int  # runs started / parameter samples drawn
    n_kept: int = field(default=-1)  # runs that fit S / samples accepted (= counts.sum())
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.n_kept < 0:
            object.__setattr__(self, "n_kept", int(np.sum(self.counts)))

    @property
    def probabilities(self) -> np.ndarray:
        return self.counts / max(1, self.n_kept)

    @property
    def acceptance(self) -> float:
        return self.n_kept / self.n_attempts if self.n_attempts else float("nan")

    def merged(self, other: FunctionCounts) -> FunctionCounts:
        """Pool two tallies of the same protocol (e.g. shards): counts and attempts add."""
        pooled = Counter(dict(zip(self.functions.tolist(), self.counts.tolist(), strict=True)))
        pooled.update(dict(zip(other.functions.tolist(), other.counts.tolist(), strict=True)))
        return _from_counter(
            pooled,
            self.n_attempts + other.n_attempts,
            self.n_kept + other.n_kept,
            self.seconds + other.seconds,
        )


def _from_counter(counter: Counter, n_attempts: int, n_kept: int, seconds: float) -> FunctionCounts:
    functions = np.array(sorted(counter), dtype=str)
    counts = np.array([counter[f] for f in functions], dtype=np.int64)
    return FunctionCounts(functions, counts, int(n_attempts), int(n_kept), float(seconds))


def tabulate(
    functions: Iterable[str], *, n_attempts: int | None = None, seconds: float = 0.0
) -> FunctionCounts:
    """Count test-function strings; ``n_attempts`` defaults to the number of strings."""
    counter = Counter(functions)
    n_kept = sum(counter.values())
    return _from_counter(counter, n_attempts if n_attempts is not None else n_kept, n_kept, seconds)


def exact_posterior(
    tables: np.ndarray, weights: np.ndarray | None, split: Split
) -> tuple[np.ndarray, np.ndarray]:
    """Exact P_B(f | S) from an exhaustive enumeration of a finite parameter space.

    ``tables`` ``(N, 2^n)`` are the functions of all ``N`` parameter settings, ``weights`` their
    prior probabilities (uniform when None).  Returns (test functions, probabilities).
    """
    tables = np.asarray(tables)
    w = np.full(len(tables), 1.0 / len(tables)) if weights is None else np.asarray(weights, float)
    fits, test_bits = split.restrict(tables)
    if not fits.any():
        raise UsageError("no parameter setting fits the training set, so P_B(f | S) is undefined")
    strings = bits_to_strings(test_bits[fits])
    functions, inverse = np.unique(strings, return_inverse=True)
    mass = np.bincount(inverse.ravel(), weights=w[fits], minlength=len(functions))
    return functions, mass / mass.sum()


def hamming_to(functions: np.ndarray, target: str) -> np.ndarray:
    """Number of positions where each '0'/'1' string differs from ``target``."""
    if len(functions) == 0:
        return np.zeros(0, dtype=np.int64)
    bits = np.frombuffer("".join(functions).encode("ascii"), np.uint8).reshape(len(functions), -1)
    return (bits != np.frombuffer(target.encode("ascii"), np.uint8)).sum(axis=1)


@dataclass(frozen=True)
class Comparison(Drawable):
    """One row per test function seen by either method: P_train vs P_B side by side."""

    functions: np.ndarray  # (F,) '0'/'1' strings on the test inputs
    p_train: np.ndarray  # (F,) estimated probabilities, 0 where unseen
    p_bayes: np.ndarray  # (F,)
    count_train: np.ndarray  # (F,) int64
    count_bayes: np.ndarray  # (F,) int64
    n_errors: np.ndarray  # (F,) test errors against the target
    train_name: str = "P_SGD"
    train_counts: FunctionCounts | None = None
    bayes_counts: FunctionCounts | None = None
    bayes_source: str = "rejection"  # "rejection" (counts), "ep" or "exact" (computed values)

    @property
    def n_test(self) -> int:
        return len(self.functions[0]) if len(self.functions) else 0

    def both_seen(self, at_least: int = 2) -> np.ndarray:
        """Mask of functions counted ``at_least`` times by both methods.

        A computed P_B (EP, exact enumeration) has no sampling noise: any P_B > 0 counts.
        """
        if self.bayes_source == "rejection":
            bayes_ok = self.count_bayes >= at_least
        else:
            bayes_ok = self.p_bayes > 0
        return (self.count_train >= at_least) & bayes_ok

    def headline(self) -> dict[str, Any]:
        """The numbers a reader wants first (see the keys)."""
        ratio = np.full(len(self.functions), np.inf)
        seen = (self.p_train > 0) & (self.p_bayes > 0)
        ratio[seen] = np.abs(np.log10(self.p_train[seen] / self.p_bayes[seen]))
        within = seen & (ratio <= 1.0)
        twice = self.both_seen(2)
        train_twice = self.p_train[twice].sum()
        logs = (np.log10(self.p_train[twice]), np.log10(self.p_bayes[twice]))
        correlation = float("nan")  # fewer than 3 points, or one side flat: no correlation
        if twice.sum() >= 3 and np.ptp(logs[0]) > 0 and np.ptp(logs[1]) > 0:
            correlation = float(np.corrcoef(*logs)[0, 1])
        return {
            "n_functions_train": int((self.count_train > 0).sum()),
            "n_functions_bayes": int((self.count_bayes > 0).sum()),
            "n_functions_both_seen_twice": int(twice.sum()),
            "train_mass_within_decade": float(self.p_train[within].sum()),
            "train_mass_within_decade_seen_twice": (
                float(self.p_train[within & twice].sum() / train_twice) if train_twice else None
            ),
            "train_mass_unseen_by_bayes": float(self.p_train[self.p_bayes == 0].sum()),
            # the same fraction of the mass P_B gives any probability to (what EP scored)
            "train_mass_within_decade_scored": _ratio(
                self.p_train[within].sum(), self.p_train[self.p_bayes > 0].sum()
            ),
            "log10_correlation_seen_twice": correlation,
            "mean_test_error_train": self._mean_test_error(self.p_train),
            # over the functions P_B gives mass to: what a computed P_B is compared on
            "mean_test_error_train_scored": self._mean_test_error(
                np.where(self.p_bayes > 0, self.p_train, 0.0)
            ),
            # a computed P_B lists only some functions: its mean error is over those, renormalised
            "mean_test_error_bayes": self._mean_test_error(self.p_bayes),
        }

    def _mean_test_error(self, p: np.ndarray) -> float | None:
        """The expected fraction of test inputs wrong under ``p`` (None when ``p`` has no mass)."""
        mass = float(p.sum())
        return float(p @ self.n_errors) / mass / self.n_test if mass > 0 else None

    def table(self) -> dict[str, np.ndarray]:
        """Columns for ``functions.parquet``."""
        return {
            "function": self.functions,
            "p_train": self.p_train,
            "p_bayes": self.p_bayes,
            "count_train": self.count_train,
            "count_bayes": self.count_bayes,
            "n_errors": self.n_errors,
        }

    @classmethod
    def from_table(
        cls, columns: dict[str, np.ndarray], *, train_name: str = "P_SGD", bayes_source: str
    ) -> Comparison:
        """Rebuild a comparison from the columns of ``functions.parquet`` (see :meth:`table`)."""
        return cls(
            functions=np.asarray(columns["function"]).astype(str),
            p_train=np.asarray(columns["p_train"], dtype=float),
            p_bayes=np.asarray(columns["p_bayes"], dtype=float),
            count_train=np.asarray(columns["count_train"], dtype=np.int64),
            count_bayes=np.asarray(columns["count_bayes"], dtype=np.int64),
            n_errors=np.asarray(columns["n_errors"], dtype=np.int64),
            train_name=train_name,
            bayes_source=bayes_source,
        )


def compare(
    train: FunctionCounts, bayes: FunctionCounts, target_test: str, *, train_name: str = "P_SGD"
) -> Comparison:
    """Join two tallies of test functions on the same split (functions sorted by string)."""
    functions = np.union1d(train.functions, bayes.functions).astype(str)
    count_train = _aligned(functions, train)
    count_bayes = _aligned(functions, bayes)
    return Comparison(
        functions=functions,
        p_train=count_train / max(1, train.n_kept),
        p_bayes=count_bayes / max(1, bayes.n_kept),
        count_train=count_train,
        count_bayes=count_bayes,
        n_errors=hamming_to(functions, target_test),
        train_name=train_name,
        train_counts=train,
        bayes_counts=bayes,
    )


def compare_with_computed(
    train: FunctionCounts,
    functions: np.ndarray,
    p_bayes: np.ndarray,
    target_test: str,
    *,
    train_name: str = "P_SGD",
    source: str = "ep",
) -> Comparison:
    """Join a tally with P_B values computed for given functions (EP or exact enumeration).

    Functions of the tally missing from ``functions`` get P_B = 0.
    """
    functions = np.asarray(functions).astype(str)
    order = np.argsort(functions)
    functions, p_bayes = functions[order], np.asarray(p_bayes, dtype=float)[order]
    everything = np.union1d(train.functions, functions).astype(str)
    count_train = _aligned(everything, train)
    p_all = np.zeros(len(everything))
    p_all[np.searchsorted(everything, functions)] = p_bayes
    return Comparison(
        functions=everything,
        p_train=count_train / max(1, train.n_kept),
        p_bayes=p_all,
        count_train=count_train,
        count_bayes=np.zeros(len(everything), dtype=np.int64),
        n_errors=hamming_to(everything, target_test),
        train_name=train_name,
        train_counts=train,
        bayes_counts=None,
        bayes_source=source,
    )


def _aligned(functions: np.ndarray, tally: FunctionCounts) -> np.ndarray:
    counts = np.zeros(len(functions), dtype=np.int64)
    if len(tally.functions):
        where = np.searchsorted(functions, tally.functions)
        counts[where] = tally.counts
    return counts


# -- tallies as plans: shards of kept test functions, pooled into one FunctionCounts --------


# (kept test function → how many times, attempts not kept, seconds)
BlockResult = tuple[Counter, int, float]


def _pooled_counts(
    plan: plans.Plan[BlockResult, FunctionCounts], results: dict[int, BlockResult]
) -> FunctionCounts:
    """A tally plan's merge: the shards' kept functions add up; the attempts are the plan's."""
    pooled: Counter[str] = Counter()
    for kept, _, _ in results.values():
        pooled.update(kept)
    seconds = sum(seconds for _, _, seconds in results.values())
    return _from_counter(pooled, plan.n_attempts, sum(pooled.values()), seconds)


@dataclass(frozen=True)
class TallyPlan(plans.Plan[BlockResult, FunctionCounts]):
    """A :class:`minimodels.runtime.plans.Plan` of :data:`BlockResult` shards that
    :func:`~minimodels.runtime.plans.run_plan` pools into one :class:`FunctionCounts`:
    ``TallyPlan(worker, tasks, n_attempts)``."""

    merge: Callable[
        [plans.Plan[BlockResult, FunctionCounts], dict[int, BlockResult]], FunctionCounts
    ] = _pooled_counts


Plan = TallyPlan  # the name the Bayes modules and their callers have always used
