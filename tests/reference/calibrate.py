"""The computations behind the suite's calibrated ranges (docs/testing.md, "Calibrated values").

A few tests check a statistical property of a learner — "the 20 × 10 bump is learned in
almost every run", "k = 3 rules evolve lifetimes in the tens" — whose published form is a
figure, not a number.  The range each such test accepts was set from the numbers this script
prints, on the test's own seeds and on the paper-scale configuration, so anyone can recompute
them (and see how far the test's range sits from them)::

    python tests/reference/calibrate.py      # seconds (a minute while numba compiles)
"""

from __future__ import annotations

import numpy as np

import minimodels as mm
from minimodels.learners import bio


def _describe(values: list[float]) -> str:
    return f"median {np.median(values):g} ({min(values):g}–{max(values):g})"


def bump_steps_to_zero(seeds: range, steps: int = 20_000) -> list[int | None]:
    """Attempts to zero loss on the 20 × 10 bump with rules 4 and 146 (Wolfram 2024)."""
    task = mm.tasks.bump(20)
    return [
        mm.evolve(task, depth=10, rules=(4, 146), steps=steps, seed=s).steps_to_zero for s in seeds
    ]


def k3_final_lifetimes(seeds: range, steps: int = 10_000) -> list[int]:
    """Final lifetimes of k = 3 rules evolved for long finite lifetimes (Wolfram 2024)."""
    return [bio.evolve(k=3, steps=steps, seed=s).final_lifetime for s in seeds]


def main() -> None:
    solved = [s for s in bump_steps_to_zero(range(40)) if s is not None]
    print(f"bump 20 x 10, seeds 0-39: {len(solved)}/40 solved, {_describe(solved)} attempts")
    print(f"bio k = 3, seeds 0-11: final lifetime {_describe(k3_final_lifetimes(range(12)))}")


if __name__ == "__main__":
    main()
