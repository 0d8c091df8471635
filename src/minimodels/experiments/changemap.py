"""Change maps of trained rule arrays (SCIENCE.md §A.6): which cells could change the answer.

``run(config)`` trains a {4, 146} bump array and an And/Xor brick array on a Boolean task by
adaptive evolution, then computes their change maps by brute force, and for the And/Xor array
also the Boolean-derivative backward pass and its agreement with the brute force.  It also
compares a learner that mutates only loss-changing cells with plain mutation, same starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from minimodels import tasks
from minimodels.analysis.changemap import ChangeMap, GuidedRun, change_map, evolve_guided
from minimodels.learners.evolution import Evolution, evolve

__all__ = ["ChangeMapConfig", "ChangeMapResult", "run"]


@dataclass(frozen=True)
class ChangeMapConfig:
    bump_width: int = 20
    bump_depth: int = 10
    and_xor_width: int = 12
    and_xor_depth: int = 8
    and_xor_target: str = "01101000"  # a 3-input function with f(0,0,0) = 0
    steps: int = 20_000
    guided_runs: int = 10  # change-map-guided learner vs plain mutation, same starts
    seed: int = 0


@dataclass(frozen=True, eq=False)
class ChangeMapResult:
    bump: Evolution
    bump_map: ChangeMap
    and_xor: Evolution
    and_xor_map: ChangeMap
    plain: list[Evolution]
    guided: list[GuidedRun]


def run(config: ChangeMapConfig) -> ChangeMapResult:
    seeds = np.random.SeedSequence(config.seed).spawn(2 + config.guided_runs)
    bump_task = tasks.bump(config.bump_width)
    plain = [
        evolve(bump_task, depth=config.bump_depth, steps=config.steps, seed=seed)
        for seed in seeds[2:]
    ]
    guided = [
        evolve_guided(bump_task, depth=config.bump_depth, steps=config.steps, seed=seed)
        for seed in seeds[2:]
    ]
    bump = evolve(
        tasks.bump(config.bump_width), depth=config.bump_depth, rules=(4, 146),
        steps=config.steps, seed=seeds[0],
    )  # fmt: skip
    task = tasks.boolean(3, config.and_xor_target, width=config.and_xor_width)
    and_xor = evolve(
        task, depth=config.and_xor_depth, rules=(6, 8), r="1/2", steps=config.steps,
        seed=seeds[1],
    )  # fmt: skip
    return ChangeMapResult(
        bump, change_map(bump.array, bump.task), and_xor, change_map(and_xor.array, task),
        plain, guided,
    )  # fmt: skip
