"""What rule arrays can represent, and what mutation actually learns (SCIENCE.md §A.7).

Data model.  A Boolean function of ``n`` inputs is its truth table, a '0'/'1' string of length
``2^n`` in the row order of DESIGN.md §4 (row i = binary i, x1 most significant); for n = 2 the
rows are (a, b) = 00, 01, 10, 11.

* :func:`and_xor_leaf_counts` — every function an And/Xor *expression tree* over the leaves
  {a, b} can compute, with the fewest leaves it needs.  Trees are enumerated by leaf count:
  the functions of n leaves are And or Xor of a function of i leaves and one of n − i.  Both
  operations send (0, 0) to 0, so exactly the 8 functions with f(0, 0) = 0 appear (a:1, b:1,
  0:2 as a ⊕ a, Xor:2, And:2, ¬a∧b:3 as b ∧ (a ⊕ b), a∧¬b:3, Or:4 as (a ⊕ b) ⊕ (a ∧ b)).
  An And/Xor brick array computes such a tree: unfolding its output cell back to the input row
  gives a tree whose leaves are the input cells it reaches (those holding 0 drop out of Xor and
  zero an And), so the trees' functions bound what the arrays can do.
* :func:`representable` — the functions a rule array of a given size computes, found by
  enumerating every array (:func:`minimodels.analysis.multiway.enumerate_outputs`).
* :func:`learned` — which of those adaptive evolution reaches within a budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minimodels.analysis import multiway
from minimodels.analysis.multiway import enumerate_outputs
from minimodels.base.errors import UsageError
from minimodels.learners.evolution import evolve
from minimodels.models.rulearray import RuleArray
from minimodels.tasks import boolean

__all__ = [
    "TWO_INPUT_NAMES",
    "and_xor_leaf_counts",
    "learned",
    "representable",
    "zero_preserving",
]

# truth table (rows 00, 01, 10, 11) -> name, for the 8 functions with f(0, 0) = 0
TWO_INPUT_NAMES = {
    "0000": "0",
    "0001": "And",
    "0010": "a∧¬b",
    "0011": "a",
    "0100": "¬a∧b",
    "0101": "b",
    "0110": "Xor",
    "0111": "Or",
}


def _table(bits: int, n_rows: int) -> str:
    """Truth-table string of a bitmask whose bit i is row i."""
    return "".join(str((bits >> i) & 1) for i in range(n_rows))


def and_xor_leaf_counts(*, max_leaves: int = 8) -> dict[str, int]:
    """Fewest leaves of an And/Xor tree over {a, b} computing each reachable 2-input function.

    Functions are bitmasks over the rows 00, 01, 10, 11 (bit i = row i) while enumerating.
    """
    a, b = 0b1100, 0b1010  # a is 1 on rows 10, 11; b on rows 01, 11
    by_size: dict[int, set[int]] = {1: {a, b}}
    best: dict[int, int] = {a: 1, b: 1}
    for n in range(2, max_leaves + 1):
        made: set[int] = set()
        for i in range(1, n // 2 + 1):
            for f in by_size[i]:
                for g in by_size[n - i]:
                    made.add(f & g)
                    made.add(f ^ g)
        by_size[n] = made
        for function in made:
            best.setdefault(function, n)
    return {_table(f, 4): n for f, n in sorted(best.items(), key=lambda item: (item[1], item[0]))}


def representable(
    n_bits: int,
    *,
    width: int,
    depth: int,
    rules: Sequence[int],
    r: float | str = 1,
    boundary: str = "cyclic",
    columns: Sequence[int] | None = None,
    readout: int | None = None,
    samples: int | None = None,
    rng: np.random.Generator | None = None,
) -> dict[str, int]:
    """Every function some array of this size computes, with how many arrays compute it.

    Exhaustive up to :data:`minimodels.analysis.multiway.MAX_ARRAYS` arrays; beyond that pass
    ``samples`` and ``rng`` to search ``samples`` random arrays instead (the result is then a
    lower bound on what is representable, with counts out of ``samples``).
    """

    task = boolean(n_bits, "0" * 2**n_bits, width=width, columns=columns, readout=readout)
    if len(rules) ** (width * depth) > multiway.MAX_ARRAYS:  # read now: a test may lower it
        if samples is None or rng is None:
            raise UsageError(
                f"{len(rules)}^{width * depth} arrays are too many to enumerate; "
                "pass samples= and rng= to search random arrays instead"
            )
        return _sampled(task, depth=depth, rules=rules, r=r, boundary=boundary,
                        samples=samples, rng=rng)  # fmt: skip
    counts: dict[str, int] = {}
    chunks = enumerate_outputs(
        task.inputs, task.readout, depth=depth, rules=rules, r=r, boundary=boundary
    )
    for _, bits in chunks:
        codes = bits[:, :, 0].astype(np.int64) @ (1 << np.arange(2**n_bits, dtype=np.int64))
        values, number = np.unique(codes, return_counts=True)
        for value, count in zip(values.tolist(), number.tolist(), strict=True):
            key = _table(value, 2**n_bits)
            counts[key] = counts.get(key, 0) + count
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def _sampled(task, *, depth, rules, r, boundary, samples: int, rng) -> dict[str, int]:

    counts: dict[str, int] = {}
    for _ in range(samples):
        array = RuleArray(rng.choice(np.asarray(rules), size=(depth, task.width)), r=r,
                          boundary=boundary)  # fmt: skip
        key = "".join(map(str, task.answers(array)[:, 0]))
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def zero_preserving(rules: Sequence[int]) -> bool:
    """Do all rules map the all-zero neighbourhood to 0 (even rule numbers)?"""
    return all(int(rule) % 2 == 0 for rule in rules)


def learned(
    tables: Sequence[str],
    *,
    width: int,
    depth: int,
    rules: Sequence[int],
    steps: int,
    seed: int,
    r: float | str = 1,
    boundary: str = "cyclic",
    columns: Sequence[int] | None = None,
) -> dict[str, dict[str, Any]]:
    """Evolve one array per truth table; report whether and when it reached zero loss."""

    seeds = np.random.SeedSequence(seed).spawn(len(tables))
    out: dict[str, dict[str, Any]] = {}
    for table, stream in zip(tables, seeds, strict=True):
        n_bits = int(np.log2(len(table)))
        task = boolean(n_bits, table, width=width, columns=columns)
        if zero_preserving(rules) and table[0] == "1":
            out[table] = {"learned": False, "steps_to_zero": None, "reason": "f(0…0) = 1"}
            continue
        result = evolve(
            task, depth=depth, rules=rules, steps=steps, seed=stream, r=r, boundary=boundary
        )
        out[table] = {"learned": result.solved, "steps_to_zero": result.steps_to_zero}
    return out
