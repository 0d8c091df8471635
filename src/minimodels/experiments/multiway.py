"""Multiway mutation graphs and what tiny rule arrays can learn (SCIENCE.md §A.5, §A.7).

``run(config)`` enumerates every {4, 146} array of a tiny bump learner, builds its multiway
graph, measures reachability of zero loss, and checks that independent evolution runs walk
only along the graph's edges.  ``learnability_tables(config)`` gives the And/Xor leaf-count
table, the functions brick And/Xor and {4, 146} arrays of a few sizes can represent, and
which of those adaptive evolution learns within a budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from minimodels import tasks
from minimodels.analysis import learnability
from minimodels.analysis.multiway import (
    Multiway,
    check_graph,
    check_runs,
    multiway,
    walk_follows_edges,
)
from minimodels.base.fields import comma_list, described
from minimodels.base.progress import ProgressCallback, report
from minimodels.learners.evolution import check_arguments, evolve

__all__ = [
    "LearnabilityConfig",
    "MultiwayConfig",
    "MultiwayResult",
    "check_config",
    "learnability_tables",
    "run",
]


@dataclass(frozen=True)
class MultiwayConfig:
    """Every array of a tiny bump learner, and the evolution runs checked against its graph;
    ``minimodels multiway`` reads its options from these fields."""

    width: int = described(4, "Array width (the bump task's width).")
    depth: int = described(3, "Array depth.")
    rules: tuple[int, ...] = described(
        (4, 146), "Allowed rules, comma-separated.", text=comma_list(int, "rules")
    )
    r: str = described("1", "Range: 1, or 1/2 for the brick layout.")
    boundary: str = described("cyclic", "cyclic or zero.")
    accept: str = described("<=", "Edges for mutations with loss <= or < .")
    runs: int = described(20, "Evolution runs checked against the graph.", minimum=0)
    steps: int = described(500, "Attempts per checked run.", minimum=0)
    seed: int = described(0, "Random seed; the same seed reproduces a run bit for bit.", minimum=0)

    def task(self) -> tasks.Task:
        return tasks.bump(self.width)


@dataclass(frozen=True, eq=False)
class MultiwayResult:
    multiway: Multiway
    summary: dict[str, Any]
    walks_on_edges: int  # runs whose every kept mutation is a graph edge
    runs: int


def check_config(config: MultiwayConfig) -> None:
    """Refuse (one sentence) what the graph or the checked runs cannot do, before any work."""
    task = config.task()
    check_arguments(
        task, depth=config.depth, rules=config.rules, steps=config.steps, accept=config.accept,
        r=config.r, boundary=config.boundary,
    )  # fmt: skip
    check_graph(len(set(config.rules)), config.width * config.depth)
    check_runs(config.runs, config.steps)


def run(config: MultiwayConfig, *, on_progress: ProgressCallback | None = None) -> MultiwayResult:
    """The graph, then ``config.runs`` evolution runs (seeds spawned from the seed) checked
    to walk only along its edges."""
    check_config(config)
    task = config.task()
    mw = multiway(task, depth=config.depth, rules=config.rules, r=config.r,
                  boundary=config.boundary, accept=config.accept)  # fmt: skip
    seeds = np.random.SeedSequence(config.seed).spawn(config.runs)
    walks = 0
    for i, seed in enumerate(seeds):
        walk = evolve(
            task, depth=config.depth, rules=mw.rules, steps=config.steps, seed=seed, r=config.r,
            boundary=config.boundary, accept=config.accept, stop_at=None,
        )  # fmt: skip
        walks += walk_follows_edges(mw, walk)
        report(on_progress, i + 1, config.runs)
    return MultiwayResult(mw, mw.summary(), int(walks), config.runs)


@dataclass(frozen=True)
class LearnabilityConfig:
    brick_width: int = 4
    brick_depths: tuple[int, ...] = (1, 2, 3, 4)
    sizes: tuple[tuple[int, int, int], ...] = ((2, 4, 3), (2, 6, 3), (3, 6, 3))  # n, W, depth
    learn_width: int = 6
    learn_depth: int = 4
    steps: int = 20_000
    seed: int = 0


def learnability_tables(config: LearnabilityConfig) -> dict[str, list[dict[str, Any]]]:
    leaves = learnability.and_xor_leaf_counts()
    reach = {
        depth: learnability.representable(
            2, width=config.brick_width, depth=depth, rules=(6, 8), r="1/2"
        )
        for depth in config.brick_depths
    }
    names = learnability.TWO_INPUT_NAMES
    learned = learnability.learned(
        list(names) + ["1001"], width=config.learn_width, depth=config.learn_depth,
        rules=(4, 146), steps=config.steps, seed=config.seed,
    )  # fmt: skip
    and_xor = [
        {
            "function": names[table],
            "truth table (00 01 10 11)": table,
            "fewest leaves": count,
            "shallowest brick array (width 4)": next(
                (d for d in config.brick_depths if table in reach[d]), None
            ),
            "learned by {4,146} evolution": learned[table]["learned"],
            "attempts": learned[table]["steps_to_zero"],
        }
        for table, count in leaves.items()
    ]
    sizes = []
    for n_bits, width, depth in config.sizes:
        found = learnability.representable(n_bits, width=width, depth=depth, rules=(4, 146))
        learnt = learnability.learned(
            list(found), width=width, depth=depth, rules=(4, 146), steps=config.steps,
            seed=config.seed,
        )  # fmt: skip
        sizes.append(
            {
                "inputs": n_bits,
                "array": f"{width} × {depth}",
                "arrays": 2 ** (width * depth),
                "functions with f(0…0) = 0": 2 ** (2**n_bits - 1),
                "representable": len(found),
                "learned by evolution": sum(v["learned"] for v in learnt.values()),
                "any with f(0…0) = 1": any(table[0] == "1" for table in found),
            }
        )
    return {"and_xor": and_xor, "sizes": sizes, "impossible": [learned["1001"]]}
