"""Wolfram's model of biological evolution: a CA rule mutated one outcome at a time.

Data model.

* **Genome** — a k-colour, range-1 CA rule as its table of ``k**3`` outcomes, ``(k**3,)``
  ``uint8``: entry ``i`` is the new colour for the neighbourhood whose base-k digits are
  (left, centre, right), left most significant (DESIGN.md §2).  The rule number is
  ``sum(table[i] * k**i)``.  Entry 0 (the all-zero neighbourhood) is fixed at 0, so the
  background stays blank.
* **Phenotype** — the pattern grown from one cell of colour 1 on a zero background wide enough
  never to wrap (``2 * cutoff + 3`` cells: a pattern grows at most one cell per side per step).
* **Lifetime** L — index of the first all-zero row (row 0 is the single cell).  A pattern still
  alive at row ``cutoff`` counts as infinite (``None`` here, ``-1`` inside the kernel).
* **Fitness** — the lifetime (default), the pattern's width (widest extent over its life), or
  its aspect ratio (lifetime / width).  A mutation (one non-zero case gets a different colour)
  is kept when the fitness does not decrease and the lifetime is finite.

One step is one attempted mutation; ``lifetimes[s]`` is the current lifetime after step ``s``.
The evolution loop runs in compiled code (:mod:`minimodels.engine.bio_kernel`, loaded on first
use); :func:`evolve_reference` runs the same mutations through
:func:`minimodels.learners.mutation.mutation_walk` with phenotypes from
:func:`minimodels.models.ca.run`, and tests hold the two traces equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback, report
from minimodels.base.resources import check_memory, plural
from minimodels.learners.mutation import mutation_walk
from minimodels.models import ca

if TYPE_CHECKING:
    pass

__all__ = ["BioEvolution", "FITNESSES", "evolve", "evolve_reference", "lifetime", "phenotype"]

FITNESSES = ("lifetime", "width", "aspect")
_BLOCK = 4096  # steps per compiled call (progress granularity); does not change results


# ---------------------------------------------------------------------- plain functions
def _is_whole(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def check_colours_and_cutoff(k: int, cutoff: int) -> None:
    """One-sentence ValueError unless k is 2..6 colours and cutoff a whole number ≥ 1."""
    if not _is_whole(k) or not 2 <= k <= 6:
        raise UsageError(
            f"the number of colours k must be an integer in 2..6, got {k!r}", option="k"
        )
    if not _is_whole(cutoff) or cutoff < 1:
        raise UsageError(f"cutoff must be a whole number ≥ 1, got {cutoff!r}")


def _check_steps(steps: int) -> None:
    if not _is_whole(steps) or steps < 0:
        raise UsageError(f"steps must be a whole number ≥ 0, got {steps!r}")


# bytes per attempted step: the drawn case (8) and colour (1), the lifetime and width after
# it (8 + 8) and a kept row (32, allocated for every step: at worst each one is kept)
STEP_BYTES = 57
HELD_BYTES = 48  # per step in a finished run: lifetimes, widths and (at worst) kept rows


def run_bytes(steps: int) -> int:
    """Peak bytes of one run of ``steps`` attempted mutations (the phenotype buffers aside)."""
    return STEP_BYTES * int(steps)


def phenotype_bytes(cutoff: int) -> int:
    """Bytes of one phenotype at most: ``(cutoff + 1, 2 * cutoff + 3)`` cells, and the float
    copy a picture of it makes."""
    return 9 * (int(cutoff) + 1) * (2 * int(cutoff) + 3)


def _as_table(genome: np.ndarray | int, k: int) -> np.ndarray:
    if isinstance(genome, int | np.integer):
        n = int(genome)
        if not 0 <= n < k ** (k**3):
            raise UsageError(f"rule {n} is out of range for k={k}, r=1 (0..{k ** (k**3) - 1})")
        table = np.array([(n // k**i) % k for i in range(k**3)], dtype=np.uint8)
    else:
        table = np.asarray(genome, dtype=np.uint8)
        if table.shape != (k**3,) or table.max(initial=0) >= k:
            raise UsageError(f"a k={k} rule table needs {k**3} entries in 0..{k - 1}")
    if table[0] != 0:
        raise UsageError("the genome must send the all-zero neighbourhood to 0 (blank background)")
    return table


def rule_number(table: np.ndarray, k: int) -> int:
    """Wolfram rule number of a rule table (a Python int; may exceed 64 bits)."""
    return sum(int(v) * k**i for i, v in enumerate(np.asarray(table)))


def lifetime(genome: np.ndarray | int, *, k: int = 3, cutoff: int = 200) -> int | None:
    """Lifetime of the pattern grown from one cell (None when alive at ``cutoff``)."""
    check_colours_and_cutoff(k, cutoff)
    from minimodels.engine.bio_kernel import grow

    n = 2 * cutoff + 3
    life, _ = grow(_as_table(genome, k), k, cutoff, np.zeros(n, np.uint8), np.zeros(n, np.uint8))
    return None if life < 0 else int(life)


def phenotype(genome: np.ndarray | int, *, k: int = 3, cutoff: int = 200) -> np.ndarray:
    """The pattern ``(rows, 2 * cutoff + 3)``: rows 0..L (or 0..cutoff when infinite)."""

    check_colours_and_cutoff(k, cutoff)
    table = _as_table(genome, k)
    init = np.zeros(2 * cutoff + 3, dtype=np.uint8)
    init[cutoff + 1] = 1
    run = ca.run(rule_number(table, k), init, cutoff, k=k, r=1, boundary="zero")
    dead = np.flatnonzero(~run.any(axis=1))
    return run[: dead[0] + 1].copy() if dead.size else run  # a copy frees the dead rows


def _fitness_code(fitness: str) -> int:
    if fitness not in FITNESSES:
        raise UsageError(
            f"fitness must be one of {', '.join(FITNESSES)}, got {fitness!r}", option="fitness"
        )
    return FITNESSES.index(fitness)


def _draw(rng: np.random.Generator, k: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """All mutations up front: a non-zero case and an index into the other k − 1 colours."""
    cases = rng.integers(1, k**3, size=steps)
    choices = rng.integers(0, k - 1, size=steps)
    return cases.astype(np.int64), choices.astype(np.uint8)


@dataclass(frozen=True, eq=False)
class BioEvolution(Drawable):
    """One run of the biological-evolution model (see the module docstring)."""

    k: int
    cutoff: int
    fitness: str
    seed: int | None
    initial: np.ndarray  # (k**3,) starting rule table (the null rule)
    genome: np.ndarray  # (k**3,) final rule table
    lifetimes: np.ndarray  # (steps,) current lifetime after each attempted step
    widths: np.ndarray  # (steps,) current pattern width after each step
    kept: np.ndarray  # (n_kept, 4) int64: step, case, old colour, new colour

    @property
    def n_steps(self) -> int:
        return int(self.lifetimes.shape[0])

    # ---- a run as plain arrays (a resumable run's shard file), and back
    _ARRAYS = ("initial", "genome", "lifetimes", "widths", "kept")

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Every field as a numpy array (the scalars as 0-d arrays; no seed: -1)."""
        arrays = {name: np.asarray(getattr(self, name)) for name in self._ARRAYS}
        seed = -1 if self.seed is None else self.seed
        arrays.update(k=np.asarray(self.k), cutoff=np.asarray(self.cutoff), seed=np.asarray(seed))
        arrays["fitness"] = np.asarray(self.fitness)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> BioEvolution:
        """Inverse of :meth:`to_arrays`."""
        seed = int(arrays["seed"])
        return cls(
            int(arrays["k"]), int(arrays["cutoff"]), str(arrays["fitness"]),
            None if seed == -1 else seed, *(np.asarray(arrays[n]) for n in cls._ARRAYS),
        )  # fmt: skip

    @property
    def final_lifetime(self) -> int:
        if self.n_steps:
            return int(self.lifetimes[-1])
        life = lifetime(self.initial, k=self.k, cutoff=self.cutoff)
        assert life is not None  # the null rule's pattern dies at once
        return life

    @property
    def rule(self) -> int:
        return rule_number(self.genome, self.k)

    @cached_property
    def breakthroughs(self) -> np.ndarray:
        """Steps at which the fitness strictly increased."""
        score = _fitness_trace(self.lifetimes, self.widths, self.fitness)
        start = _fitness_trace(
            np.array([lifetime(self.initial, k=self.k, cutoff=self.cutoff)]),
            np.array([1]),
            self.fitness,
        )
        previous = np.concatenate([start, score[:-1]])
        return np.flatnonzero(score > previous)

    def genome_at(self, step: int) -> np.ndarray:
        """The rule table after attempted step ``step`` (replaying the kept mutations)."""
        table = self.initial.copy()
        for s, case, _, new in self.kept:
            if s > step:
                break
            table[case] = new
        return table

    def phenotypes_at_breakthroughs(self) -> list[tuple[int, np.ndarray]]:
        return [
            (int(s), phenotype(self.genome_at(int(s)), k=self.k, cutoff=self.cutoff))
            for s in self.breakthroughs
        ]


def _fitness_trace(lifetimes: np.ndarray, widths: np.ndarray, fitness: str) -> np.ndarray:
    lifetimes = np.asarray(lifetimes, dtype=np.float64)
    widths = np.asarray(widths, dtype=np.float64)
    return {"lifetime": lifetimes, "width": widths, "aspect": lifetimes / widths}[fitness]


def evolve(
    *,
    k: int = 3,
    steps: int,
    cutoff: int = 200,
    seed: int | np.random.SeedSequence | None = None,
    fitness: str = "lifetime",
    on_progress: ProgressCallback | None = None,
) -> BioEvolution:
    """Evolve a k-colour rule from the null rule for ``steps`` attempted mutations."""
    from minimodels.engine import bio_kernel as kernel

    check_colours_and_cutoff(k, cutoff)
    code = _fitness_code(fitness)
    _check_steps(steps)
    check_memory(
        run_bytes(steps),
        f"a run of {plural(steps, 'step')}",
        why="the mutation drawn, the lifetime and width after every step",
        fix="lower the steps",
    )
    rng = np.random.default_rng(seed)
    cases, choices = _draw(rng, k, steps)
    table = np.zeros(k**3, dtype=np.uint8)
    initial = table.copy()
    lifetimes = np.empty(steps, dtype=np.int64)
    widths = np.empty(steps, dtype=np.int64)
    kept = np.empty((steps, 4), dtype=np.int64)
    state = np.array([1, 1, 0], dtype=np.int64)  # the null rule: one cell, dead at row 1
    for start in range(0, steps, _BLOCK):
        stop = min(steps, start + _BLOCK)
        n_before = int(state[2])
        kernel.evolve_block(
            table, k, cutoff, code, cases[start:stop], choices[start:stop], state,
            lifetimes[start:stop], widths[start:stop], kept,
        )  # fmt: skip
        kept[n_before : state[2], 0] += start  # the kernel counts steps within the block
        report(on_progress, stop, steps)
    return BioEvolution(
        k, cutoff, fitness, _seed_value(seed), initial, table, lifetimes, widths,
        kept[: state[2]].copy(),
    )  # fmt: skip


def _seed_value(seed: int | np.random.SeedSequence | None) -> int | None:
    if isinstance(seed, np.random.SeedSequence):
        return None
    return None if seed is None else int(seed)


def evolve_reference(
    *,
    k: int = 3,
    steps: int,
    cutoff: int = 200,
    seed: int | np.random.SeedSequence | None = None,
    fitness: str = "lifetime",
) -> BioEvolution:
    """The same run through :func:`mutation_walk` and :func:`minimodels.models.ca.run` (slow,
    plain)."""

    check_colours_and_cutoff(k, cutoff)
    _fitness_code(fitness)
    _check_steps(steps)
    rng = np.random.default_rng(seed)
    cases, choices = _draw(rng, k, steps)
    position = iter(range(steps))

    def measure(table: np.ndarray) -> tuple[int | None, int]:
        pattern = phenotype(table, k=k, cutoff=cutoff)
        alive = np.flatnonzero(pattern.any(axis=0))
        extents = [np.flatnonzero(row) for row in pattern if row.any()]
        width = max(int(e[-1] - e[0] + 1) for e in extents) if alive.size else 0
        life = len(pattern) - 1 if not pattern[-1].any() else None
        return life, width

    def loss(table: np.ndarray) -> float:
        life, width = measure(table)
        if life is None:
            return float("inf")
        return -float(_fitness_trace(np.array([life]), np.array([width]), fitness)[0])

    def propose(table: np.ndarray, _rng: np.random.Generator):
        s = next(position)
        case, old = int(cases[s]), int(table[cases[s]])
        new = int(choices[s]) if choices[s] < old else int(choices[s]) + 1
        candidate = table.copy()
        candidate[case] = new
        return candidate, (case, old, new)

    walk = mutation_walk(
        np.zeros(k**3, dtype=np.uint8), loss=loss, propose=propose, steps=steps, rng=rng,
        stop_at=None,
    )  # fmt: skip
    kept = np.array([(m.step, *m.change) for m in walk.kept], dtype=np.int64).reshape(-1, 4)
    lifetimes, widths = np.empty(steps, np.int64), np.empty(steps, np.int64)
    table = np.zeros(k**3, dtype=np.uint8)
    life, width = 1, 1
    marks = iter(kept.tolist())
    mark = next(marks, None)
    for s in range(steps):  # replay the kept mutations to recover the per-step trace
        if mark is not None and mark[0] == s:
            table[mark[1]] = mark[3]
            kept_life, width = measure(table)
            assert kept_life is not None  # an immortal pattern has infinite loss: never kept
            life = kept_life
            mark = next(marks, None)
        lifetimes[s], widths[s] = life, width
    return BioEvolution(
        k, cutoff, fitness, _seed_value(seed), np.zeros(k**3, np.uint8), walk.state, lifetimes,
        widths, kept,
    )  # fmt: skip
