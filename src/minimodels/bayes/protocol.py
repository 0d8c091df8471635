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
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.display import Drawable
from minimodels.errors import UsageError
from minimodels.progress import ProgressCallback

if TYPE_CHECKING:
    pass

__all__ = [
    "boolean_target",
    "Comparison",
    "FunctionCounts",
    "Split",
    "compare",
    "compare_with_computed",
    "exact_posterior",
    "random_split",
    "run_here",
    "table_bayes_plan",
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
        from minimodels.sampling.tables import table_words

        bit = np.uint64(1) << (63 - (self.train % 64)).astype(np.uint64)
        mask = np.zeros(table_words(self.n), dtype=np.uint64)
        label = np.zeros(table_words(self.n), dtype=np.uint64)
        np.bitwise_or.at(mask, self.train // 64, bit)
        np.bitwise_or.at(label, self.train // 64, bit * self.train_labels.astype(np.uint64))
        return mask, label

    def fitting_test_functions(self, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For packed tables: (which fit S ``(N,)`` bool, the test functions of those, as
        '0'/'1' strings); only the fitting rows are unpacked."""
        from minimodels.sampling.tables import unpacked_truth_tables

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
    import re

    from minimodels.tasks import boolean_truth_table

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
        with np.errstate(invalid="ignore", divide="ignore"):  # one side flat: no correlation
            correlation = float(np.corrcoef(*logs)[0, 1]) if twice.sum() >= 3 else float("nan")
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


# -- plans: a tally split into independent, seeded shards -----------------------------------


# (kept test function → how many times, attempts not kept, seconds)
BlockResult = tuple[Counter, int, float]


def block_bounds(n: int, n_blocks: int) -> list[tuple[int, int]]:
    """(first, size) of the blocks of ``np.array_split(np.arange(n), n_blocks)``, without
    the ``arange`` (10^12 samples are 8 TB of indices): the first ``n % n_blocks`` blocks
    have one more."""
    base, extra = divmod(n, n_blocks)
    firsts = [i * base + min(i, extra) for i in range(n_blocks)]
    return [(first, base + (i < extra)) for i, first in enumerate(firsts)]


@dataclass(frozen=True)
class Plan:
    """A tally as independent shards: ``worker(task) -> BlockResult`` for each task.

    Every task carries its own seed, so the pooled tally is the same whatever the backend, the
    number of workers, or which shards were finished in an earlier (resumed) run.
    """

    worker: Callable[[Any], BlockResult]
    tasks: list[Any]
    n_attempts: int


def run_plan(
    plan: Plan,
    *,
    backend: str = "serial",
    jobs: int | None = None,
    address: str | None = None,
    done: dict[int, BlockResult] | None = None,
    on_result: Callable[[int, BlockResult], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> FunctionCounts:
    """Run the shards not already in ``done``; ``on_result(index, result)`` sees each new one."""
    from minimodels.parallel import run_pending

    results = dict(done or {})

    def finished(index: int, result: BlockResult) -> None:
        results[index] = result
        if on_result is not None:
            on_result(index, result)

    run_pending(
        plan.worker, plan.tasks, done=results.keys(), on_result=finished, backend=backend,
        jobs=jobs, address=address, on_progress=on_progress,
    )  # fmt: skip
    pooled: Counter[str] = Counter()
    for kept, _, _ in results.values():
        pooled.update(kept)
    seconds = sum(seconds for _, _, seconds in results.values())
    return _from_counter(pooled, plan.n_attempts, sum(pooled.values()), seconds)


def run_here(make_plan: Callable[..., Plan], *args: Any, **options: Any) -> FunctionCounts:
    """``make_plan(*args, …)`` run here and now: the keywords ``make_plan`` takes go to it, the
    others (backend, jobs, on_progress, …) to :func:`run_plan`."""
    import inspect

    accepted = inspect.signature(make_plan).parameters
    plan = make_plan(*args, **{k: options.pop(k) for k in list(options) if k in accepted})
    return run_plan(plan, **options)


# -- rule arrays: the same protocol for adaptive evolution ----------------------------------


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
        from minimodels import tasks

        return tasks.boolean(split.n, split.target, width=self.width, train=split.train)

    @property
    def n_arrays(self) -> int:
        return len(self.rules) ** (self.width * self.depth)


def _readout_tables(rule_stack: np.ndarray, task, substrate: RuleArraySubstrate) -> np.ndarray:
    """Truth tables ``(N, 2^n)`` of a stack of rule arrays ``(N, depth, width)`` on ``task``."""
    from minimodels.bayes._arrays import readout_words
    from minimodels.engine import pack_bits, unpack_bits

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
            f"{substrate.n_arrays} rule arrays are too many to enumerate (at most 2^22)"
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
    import time

    from minimodels.evolution import evolve

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
) -> Plan:
    """P_evolution: random initial arrays mutated until they fit S (``steps`` attempts at most).

    Run ``i`` uses ``SeedSequence(seed).spawn(n_runs)[i]``, so the tally does not depend on
    the sharding or the backend.  Runs that do not fit S are not counted.
    """
    if n_runs < 1:
        raise UsageError(f"number of runs must be at least 1, got {n_runs}")
    seeds = np.random.SeedSequence(seed).spawn(n_runs)
    tasks = [
        (split, substrate, steps, seeds[first : first + size])
        for first, size in block_bounds(n_runs, min(n_shards, n_runs))
    ]
    return Plan(_evolve_block, tasks, n_runs)


def evolve_functions(split: Split, substrate: RuleArraySubstrate, **options) -> FunctionCounts:
    """Run :func:`evolution_plan` here and now (keywords as there, plus ``run_plan``'s)."""
    return run_here(evolution_plan, split, substrate, **options)


def _random_array_block(args: tuple) -> BlockResult:
    """Worker: ``count`` uniformly random arrays from ``seed``; the test functions of those
    that fit S."""
    import time

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
) -> Plan:
    """P_B of rule arrays by rejection: uniformly random arrays that fit S, on the test rows.

    Shard ``j`` draws its arrays from ``SeedSequence(seed).spawn(n_shards)[j]``.
    """
    if n_samples < 1:
        raise UsageError(f"number of samples must be at least 1, got {n_samples}")
    sizes = [size for _, size in block_bounds(n_samples, min(n_shards, n_samples))]
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    tasks = [(split, substrate, s, size, batch) for s, size in zip(seeds, sizes, strict=True)]
    return Plan(_random_array_block, tasks, n_samples)


def random_array_functions(
    split: Split, substrate: RuleArraySubstrate, **options
) -> FunctionCounts:
    """Run :func:`random_array_plan` here and now."""
    return run_here(random_array_plan, split, substrate, **options)


# -- nets: P_SGD by training many nets until they fit S ------------------------------------


@dataclass(frozen=True)
class SGDSetup:
    """A fully connected net, its initialisation and how it is trained to fit S.

    Training stops for each net at 100 % training accuracy (or after ``max_steps`` updates: an
    *unfit* run, counted and reported); ``overtrain_steps > 0`` keeps training the fitted nets
    for that many more updates (fresh optimiser state) before their functions are read.
    """

    model: str = "7-40-40-1"
    activation: str = "relu"
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

    def parts(self):
        """(model, training, init) objects of :mod:`minimodels.nets`."""
        from minimodels.nets import MLP, Init, Training

        model = MLP(self.model, self.activation)
        training = Training(
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            momentum=self.momentum,
            loss=self.loss,
            max_steps=self.max_steps,
            batch_size=self.batch_size,
            target_accuracy=1.0,
        )
        return model, training, Init(self.init, self.sigma_w, self.sigma_b)


def _sgd_block(args: tuple) -> BlockResult:
    """Worker: train nets ``first … first + count − 1`` of a run; (test functions, n_unfit, s)."""
    import dataclasses
    import time

    import jax

    from minimodels.nets import train_many

    split, setup, seed, first, count = args
    started = time.perf_counter()
    model, training, init = setup.parts()
    if model.n_inputs != split.n:
        raise UsageError(f"model {setup.model} takes {model.n_inputs} inputs but n = {split.n}")
    root = jax.random.key(seed)
    keys = jax.vmap(lambda i: jax.random.fold_in(root, i))(np.arange(first, first + count))
    x_all = split.inputs.astype(np.float32)
    labels = split.train_labels.astype(np.float32)
    y = 2 * labels - 1 if setup.loss == "mse" else labels  # MSE on ±1 targets (DESIGN §4)
    result = train_many(model, x_all[split.train], y, training, keys=keys, init=init)
    fitted = np.asarray(result.fitted)
    if setup.overtrain_steps and fitted.any():
        longer = dataclasses.replace(
            training, max_steps=setup.overtrain_steps, target_accuracy=None
        )
        result = train_many(
            model, x_all[split.train], y, longer, keys=keys, params=result.params, init=init
        )
        fitted = fitted & (np.asarray(result.final_accuracy) >= 1.0)  # still fits S after it
    outputs = np.asarray(result.predict(x_all[split.test]))[:, :, 0]  # (count, t)
    strings = bits_to_strings((outputs[fitted] > 0).astype(np.uint8))
    return Counter(strings.tolist()), int((~fitted).sum()), time.perf_counter() - started


def sgd_plan(split: Split, setup: SGDSetup, *, n_runs: int, seed: int, batch: int = 2048) -> Plan:
    """P_SGD: ``n_runs`` nets trained to 100 % train accuracy, in batches of ``batch``.

    Net ``i`` starts from key ``fold_in(key(seed), i)``, so the tally does not depend on how
    the runs are grouped into batches or workers.
    """
    if n_runs < 1:
        raise UsageError(f"number of runs must be at least 1, got {n_runs}")
    tasks = [
        (split, setup, seed, first, min(batch, n_runs - first)) for first in range(0, n_runs, batch)
    ]
    return Plan(_sgd_block, tasks, n_runs)


def sgd_functions(split: Split, setup: SGDSetup, **options) -> FunctionCounts:
    """Run :func:`sgd_plan` here and now."""
    return run_here(sgd_plan, split, setup, **options)


def _net_bayes_block(args: tuple) -> BlockResult:
    """Worker: random nets ``first … first + count − 1``; test functions of those that fit S.

    Parameters come from the simplicity sampler (:mod:`minimodels.sampling.mlp`: compiled,
    one random stream per net, keyed by the run seed and the net's index), drawn under the
    same named initialisation (DESIGN.md §4) that the trained nets start from.
    """
    import time

    from minimodels.sampling import mlp
    from minimodels.sampling.models import parse_model
    from minimodels.sampling.streams import run_key

    split, setup, seed, first, count, batch = args
    started = time.perf_counter()
    suffix = "" if setup.activation == "relu" else f":{setup.activation}"
    spec = parse_model(setup.model + suffix)
    if spec.n_inputs != split.n:
        raise UsageError(f"model {setup.model} takes {spec.n_inputs} inputs but n = {split.n}")
    key = run_key(seed)
    kept: list[str] = []
    for start in range(first, first + count, batch):
        size = min(batch, first + count - start)
        words = mlp.truth_tables(
            spec, key, start, size, init=setup.init, sigma_w=setup.sigma_w, sigma_b=setup.sigma_b
        )
        kept.extend(split.fitting_test_functions(words)[1].tolist())
    return Counter(kept), count - len(kept), time.perf_counter() - started


def net_bayes_plan(
    split: Split,
    setup: SGDSetup,
    *,
    n_samples: int,
    seed: int,
    n_shards: int = 1,
    batch: int = 1 << 16,
) -> Plan:
    """P_B of nets by rejection: random nets (the training's initialisation) that fit S."""
    if n_samples < 1:
        raise UsageError(f"number of samples must be at least 1, got {n_samples}")
    tasks = [
        (split, setup, seed, first, size, batch)
        for first, size in block_bounds(n_samples, min(n_shards, n_samples))
    ]
    return Plan(_net_bayes_block, tasks, n_samples)


def table_bayes_plan(split: Split, setup: SGDSetup, run: str | Path) -> Plan:
    """P_B by rejection from a stored ``minimodels sample`` run of the same net and init.

    A sample run's table holds every function its random nets computed, with counts; the
    nets that fit S are the rows that agree with the target on S.  One 10^8-sample run thus
    serves every training set and target, with no new sampling.
    """
    from minimodels.sampling.models import parse_model
    from minimodels.storage import read_json

    run = Path(run)
    if not (run / "config.json").exists() or not (run / "functions.parquet").exists():
        raise UsageError(f"{str(run)!r} is not a finished 'minimodels sample' run directory")
    sampled = read_json(run / "config.json")
    suffix = "" if setup.activation == "relu" else f":{setup.activation}"
    wanted = {"model": parse_model(setup.model + suffix), "init": setup.init}
    wanted |= {"sigma_w": setup.sigma_w, "sigma_b": setup.sigma_b}
    found = {key: sampled.get(key) for key in wanted}
    found["model"] = parse_model(str(found["model"]))
    if found != wanted:
        differ = ", ".join(f"{k} {found[k]} ≠ {wanted[k]}" for k in wanted if found[k] != wanted[k])
        raise UsageError(f"the sample run {str(run)!r} is of another prior ({differ})")
    return Plan(_table_bayes_block, [(split, str(run))], int(sampled["samples"]))


def _table_bayes_block(args: tuple) -> BlockResult:
    """Worker: the test functions of a stored sample table's rows that fit S, with counts."""
    import time

    from minimodels.sampling.runs import load_run

    split, run = args
    started = time.perf_counter()
    table, _ = load_run(run)
    fits, tests = split.fitting_test_functions(table.words)
    kept: Counter[str] = Counter()
    for function, count in zip(tests.tolist(), table.counts[fits].tolist(), strict=True):
        kept[function] += count  # functions that differ on S only share a test function
    return kept, table.n_samples - sum(kept.values()), time.perf_counter() - started


def nngp_posterior(
    split: Split,
    setup: SGDSetup,
    functions: np.ndarray,
    *,
    rng: np.random.Generator | None = None,
    on_progress: ProgressCallback | None = None,
) -> np.ndarray:
    """P_B(f | S) of test functions under the net's NNGP, by EP (no sampling noise).

    The infinite-width limit of ``setup``'s net (Gaussian initialisation only): Mingard et al.'s
    method where rejection sampling is hopeless.  EP costs about a second per function at
    n = 7; ``on_progress`` hears after every group of 16.
    """
    from minimodels.bayes.ep import log_pb_given_train
    from minimodels.bayes.nngp import nngp_kernel
    from minimodels.progress import report

    if setup.init != "gaussian":
        raise UsageError(
            f"the NNGP needs the gaussian initialisation, got {setup.init!r}", option="init"
        )
    depth = len(setup.model.split("-")) - 2
    order = np.r_[split.train, split.test]
    K = nngp_kernel(
        split.inputs[order].astype(float),
        depth=depth,
        sigma_w=setup.sigma_w,
        sigma_b=setup.sigma_b,
        activation=setup.activation,
        rng=rng,
    )
    if len(functions) == 0:
        return np.zeros(0)
    bits = np.array([truth_table_bits(str(f)) for f in functions])
    log_pb = []
    for start in range(0, len(bits), 16):
        log_pb.append(log_pb_given_train(K, split.train_labels, bits[start : start + 16]))
        report(on_progress, start + len(log_pb[-1]), len(bits))
    return np.exp(np.concatenate(log_pb))
