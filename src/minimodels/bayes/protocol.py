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
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.plotting import Drawable

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "Comparison",
    "FunctionCounts",
    "Split",
    "compare",
    "compare_with_computed",
    "exact_posterior",
    "random_split",
    "tabulate",
]


def truth_table_bits(table: str) -> np.ndarray:
    """A '0'/'1' string → uint8 array of its bits."""
    return np.frombuffer(table.encode("ascii"), dtype=np.uint8) - ord("0")


def bits_to_strings(bits: np.ndarray) -> np.ndarray:
    """``(N, L)`` 0/1 array → ``(N,)`` array of '0'/'1' strings (vectorised)."""
    bits = np.ascontiguousarray(np.asarray(bits, dtype=np.uint8) + ord("0"))
    return bits.view(f"S{bits.shape[1]}").ravel().astype(str)


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

    def restrict(self, tables: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For ``(N, 2^n)`` 0/1 outputs: (fits S exactly ``(N,)`` bool, test bits ``(N, t)``)."""
        tables = np.asarray(tables)
        fits = (tables[:, self.train] == self.train_labels).all(axis=1)
        return fits, tables[:, self.test]


def random_split(n: int, train_size: int, target: str, *, rng: np.random.Generator) -> Split:
    """A uniformly random training set of ``train_size`` of the ``2^n`` inputs."""
    if len(target) != 2**n or set(target) - {"0", "1"}:
        raise ValueError(f"target must be a '0'/'1' string of length 2^{n} = {2**n}")
    if not 0 < train_size < 2**n:
        raise ValueError(f"train size {train_size} is out of range for n={n} (1..{2**n - 1})")
    train = np.sort(rng.choice(2**n, size=train_size, replace=False))
    test = np.setdiff1d(np.arange(2**n), train)
    return Split(n, train, test, target)


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
        raise ValueError("no parameter setting fits the training set, so P_B(f | S) is undefined")
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
        train_twice = self.p_train[self.count_train >= 2].sum()
        logs = (np.log10(self.p_train[twice]), np.log10(self.p_bayes[twice]))
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
            "log10_correlation_seen_twice": correlation,
            "mean_test_error_train": float(self.p_train @ self.n_errors) / max(1, self.n_test),
            "mean_test_error_bayes": float(self.p_bayes @ self.n_errors) / max(1, self.n_test),
        }

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

    def plot(self, ax: Axes | None = None) -> Figure:
        from minimodels.plotting.bayes import plot_scatter

        return plot_scatter(self, ax=ax)


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
        raise ValueError(
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


def _evolve_block(args: tuple) -> tuple[list[str], int, float]:
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
    return functions, n_unfit, time.perf_counter() - started


def evolve_functions(
    split: Split,
    substrate: RuleArraySubstrate,
    *,
    n_runs: int,
    steps: int,
    seed: int,
    n_shards: int = 1,
    backend: str = "serial",
    jobs: int | None = None,
    on_progress=None,
) -> FunctionCounts:
    """P_evolution: random initial arrays mutated until they fit S; their test functions.

    Run ``i`` uses ``SeedSequence(seed).spawn(n_runs)[i]``, so the tally does not depend on
    the sharding or the backend.  Runs that do not fit S within ``steps`` are not counted
    (``n_attempts − n_kept`` of them).
    """
    from minimodels.parallel import run_tasks

    if n_runs < 1:
        raise ValueError(f"number of runs must be at least 1, got {n_runs}")
    seeds = np.random.SeedSequence(seed).spawn(n_runs)
    blocks = [b.tolist() for b in np.array_split(np.arange(n_runs), min(n_shards, n_runs))]
    tasks = [(split, substrate, steps, [seeds[i] for i in block]) for block in blocks]
    pooled: list[str] = []
    seconds = 0.0
    for _, (functions, _unfit, spent) in run_tasks(
        _evolve_block, tasks, backend=backend, jobs=jobs, on_progress=on_progress
    ):
        pooled.extend(functions)
        seconds += spent
    return tabulate(pooled, n_attempts=n_runs, seconds=seconds)


def random_array_functions(
    split: Split,
    substrate: RuleArraySubstrate,
    *,
    n_samples: int,
    seed: int,
    batch: int = 4096,
) -> FunctionCounts:
    """P_B of rule arrays by rejection: uniformly random arrays that fit S, on the test rows."""
    import time

    started = time.perf_counter()
    task = substrate.task(split)
    rng = np.random.default_rng(seed)
    rules = np.asarray(substrate.rules, dtype=np.int64)
    kept: list[np.ndarray] = []
    for start in range(0, n_samples, batch):
        size = min(batch, n_samples - start)
        stack = rules[rng.integers(0, len(rules), (size, substrate.depth, substrate.width))]
        fits, test_bits = split.restrict(_readout_tables(stack, task, substrate))
        kept.append(bits_to_strings(test_bits[fits]) if fits.any() else np.zeros(0, str))
    strings = np.concatenate(kept) if kept else np.zeros(0, str)
    return tabulate(strings.tolist(), n_attempts=n_samples, seconds=time.perf_counter() - started)
