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
from minimodels.analysis.multiway import Multiway, multiway, walk_follows_edges
from minimodels.learners.evolution import evolve

__all__ = ["LearnabilityConfig", "MultiwayConfig", "learnability_tables", "run"]


@dataclass(frozen=True)
class MultiwayConfig:
    width: int = 4
    depth: int = 3
    rules: tuple[int, ...] = (4, 146)
    accept: str = "<="
    runs: int = 20  # evolution runs checked against the graph
    steps: int = 500
    seed: int = 0


@dataclass(frozen=True, eq=False)
class MultiwayResult:
    multiway: Multiway
    summary: dict[str, Any]
    walks_on_edges: int  # runs whose every kept mutation is a graph edge
    runs: int


def run(config: MultiwayConfig) -> MultiwayResult:
    task = tasks.bump(config.width)
    mw = multiway(task, depth=config.depth, rules=config.rules, accept=config.accept)
    seeds = np.random.SeedSequence(config.seed).spawn(config.runs)
    walks = sum(
        walk_follows_edges(
            mw,
            evolve(
                task,
                depth=config.depth,
                rules=config.rules,
                steps=config.steps,
                seed=seed,
                accept=config.accept,
                stop_at=None,
            ),
        )  # fmt: skip
        for seed in seeds
    )
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
