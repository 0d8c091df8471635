"""Wolfram's biological-evolution model by hand (SCIENCE.md §A.8, DESIGN.md §2).

A genome is the list of ``k**3`` outcomes of a range-1 rule (entry l·k² + c·k + r for the
neighbourhood (l, c, r)); the phenotype grows from one cell of colour 1 on a zero background;
its lifetime is the first all-zero row, ``None`` when still alive at ``cutoff``.
:func:`evolve` draws the mutations as ``minimodels.learners.bio`` does — every case (1 … k³ − 1),
then every choice among the k − 1 other colours — and keeps one when the lifetime is finite and
not shorter.
"""

from __future__ import annotations

import statistics

import numpy as np


def lifetime(genome: list[int], k: int, cutoff: int) -> int | None:
    row = {0: 1}  # column → non-zero colour; everything else is 0
    for t in range(1, cutoff + 1):
        lo, hi = min(row) - 1, max(row) + 1
        new = {}
        for x in range(lo, hi + 1):
            value = genome[(row.get(x - 1, 0) * k + row.get(x, 0)) * k + row.get(x + 1, 0)]
            if value:
                new[x] = value
        if not new:
            return t
        row = new
    return None


def extent(genome: list[int], k: int, cutoff: int) -> int:
    """The widest row of the pattern over its (finite) life."""
    row, widest = {0: 1}, 1
    for _ in range(cutoff):
        new = {}
        for x in range(min(row) - 1, max(row) + 2):
            value = genome[(row.get(x - 1, 0) * k + row.get(x, 0)) * k + row.get(x + 1, 0)]
            if value:
                new[x] = value
        if not new:
            break
        row = new
        widest = max(widest, max(row) - min(row) + 1)
    return widest


def evolve(k: int, steps: int, cutoff: int, seed) -> dict:
    rng = np.random.default_rng(seed)
    cases = rng.integers(1, k**3, size=steps).tolist()
    choices = rng.integers(0, k - 1, size=steps).tolist()
    genome = [0] * k**3
    life, lifetimes, kept, breakthroughs = 1, [], 0, 0
    for case, choice in zip(cases, choices, strict=True):
        old = genome[case]
        genome[case] = choice if choice < old else choice + 1
        new = lifetime(genome, k, cutoff)
        if new is not None and new >= life:
            breakthroughs += new > life
            life = new
            kept += 1
        else:
            genome[case] = old
        lifetimes.append(life)
    return {
        "lifetimes": lifetimes,
        "final_lifetime": life,
        "genome": genome,
        "n_kept": kept,
        "n_breakthroughs": breakthroughs,
        "final_width": extent(genome, k, cutoff) if steps else 1,
        "rule": sum(v * k**i for i, v in enumerate(genome)),
    }


def runs(ks, steps: int, cutoff: int, n_runs: int, seed: int) -> dict[int, list[dict]]:
    """``n_runs`` runs per k, seeded as the experiment promises: one stream per k, then one
    per run spawned from it."""
    streams = np.random.SeedSequence(seed).spawn(len(ks))
    return {
        k: [evolve(k, steps, cutoff, s) for s in stream.spawn(n_runs)]
        for k, stream in zip(ks, streams, strict=True)
    }


def summary(results: dict[int, list[dict]]) -> dict:
    out = {}
    for k, runs_k in results.items():
        lives = [r["final_lifetime"] for r in runs_k]
        out[f"median_lifetime_k{k}"] = float(statistics.median(lives))
        out[f"lifetime_range_k{k}"] = [min(lives), max(lives)]
    return out
