"""Speed of adaptive evolution: attempted mutations per second on the bump task (one core).

Target (issue 3): ≥ 2×10^6 attempted mutations/s for a 20-wide, 10-deep {4, 146} array on the
bump task, and ≥ 100× a straightforward numpy loop measured in the same run.  Both loops run
with ``stop_at=None`` so they keep mutating after zero loss (every step costs a full attempt).

The baseline is what one would write first: copy the array, change one cell, evaluate all 20
inputs row by row with numpy (lookup of each cell's rule bit by neighbourhood), compare the
readout with the targets, keep or revert.  Run: ``python benchmarks/bench_evolution.py``.
Prints the median of several repeats; wall-clock and CPU (process) time, since the machine
may be shared.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")


import numpy as np  # noqa: E402
from _timing import timed

import minimodels as mm  # noqa: E402

WIDTH, DEPTH, RULES = 20, 10, (4, 146)


def numpy_loop(task, steps: int, rng: np.random.Generator) -> float:
    """A plain numpy adaptive-evolution loop; returns the final loss."""
    tables = ((np.array(RULES)[:, None] >> np.arange(8)) & 1).astype(np.uint8)  # (2, 8)
    indices = rng.integers(0, 2, size=(DEPTH, WIDTH))
    inputs, target = task.inputs, task.targets[:, 0]
    readout = task.readout[0]

    def loss(indices):
        state = inputs
        for t in range(DEPTH):
            left, right = np.roll(state, 1, axis=1), np.roll(state, -1, axis=1)
            state = tables[indices[t], 4 * left + 2 * state + right]
        return int((state[:, readout] != target).sum())

    current = loss(indices)
    for _ in range(steps):
        row, col = rng.integers(DEPTH), rng.integers(WIDTH)
        candidate = indices.copy()
        candidate[row, col] ^= 1
        new = loss(candidate)
        if new <= current:
            indices, current = candidate, new
    return current


def main() -> None:
    task = mm.tasks.bump(WIDTH)
    steps = 2_000_000
    mm.evolve(task, depth=DEPTH, rules=RULES, steps=1000, seed=0)  # compile
    fast_wall, fast_cpu = timed(
        lambda: mm.evolve(task, depth=DEPTH, rules=RULES, steps=steps, seed=1, stop_at=None), 5
    )
    slow_steps = 5_000
    slow_wall, slow_cpu = timed(lambda: numpy_loop(task, slow_steps, np.random.default_rng(1)), 3)
    fast_rate, fast_rate_cpu = steps / fast_wall, steps / fast_cpu
    slow_rate, slow_rate_cpu = slow_steps / slow_wall, slow_steps / slow_cpu
    print(f"bump task {WIDTH} wide x {DEPTH} deep, rules {RULES}, one core")
    print(f"  compiled loop (mm.evolve): {fast_rate:12.3e} attempts/s wall  "
          f"({fast_rate_cpu:.3e} per CPU second)   target >= 2e6")  # fmt: skip
    print(f"  numpy loop (baseline):     {slow_rate:12.3e} attempts/s wall  "
          f"({slow_rate_cpu:.3e} per CPU second)")  # fmt: skip
    print(f"  ratio: {fast_rate / slow_rate:,.0f}x wall, {fast_rate_cpu / slow_rate_cpu:,.0f}x CPU"
          "   target >= 100x")  # fmt: skip
    reference_steps = 2_000
    ref_wall, _ = timed(
        lambda: mm.evolve(task, depth=DEPTH, rules=RULES, steps=reference_steps, seed=1,
                          stop_at=None, method="reference"), 3,
    )  # fmt: skip
    print(f"  plain reference loop (mutation_walk + RuleArray.output): "
          f"{reference_steps / ref_wall:.3e} attempts/s")  # fmt: skip


if __name__ == "__main__":
    main()
