"""Speed of adaptive evolution: attempted mutations per second on the bump task (one core).

Target (issue 17): ≥ 10^7 attempted mutations/s on one core for a 20-wide, 10-deep {4, 146}
array on the bump task, run with ``stop_at=None`` so every step costs a full attempt (issue 3
asked for 2×10^6 and ≥ 100× a straightforward numpy loop, measured here in the same run).
Also: several independent runs spread over the cores.  ``mm.evolve`` is one run on one core;
independent runs go over the cores through ``experiments.evolution.run(config,
backend="process", jobs=n)`` (the CLI's ``--jobs``; default serial), which spawns a pool of
workers: measured here, 2 workers against 1, with the pool's start-up cost apart.

The baseline is what one would write first: copy the array, change one cell, evaluate all 20
inputs row by row with numpy (lookup of each cell's rule bit by neighbourhood), compare the
readout with the targets, keep or revert.

Where the time goes, measured inside one ``mm.evolve`` run: the random stream (numpy
``Generator.integers``, drawn per block), the compiled loop (the narrow fast path of
:mod:`minimodels.engine.evolve_kernel`), and the Python around it (blocks, the result).  The
compiled loop splits into bookkeeping (the same loop with an empty light cone: draw a cell,
test the cone, write the kept record and the loss — every attempt kept), the loss evaluations
(their count × the cost of one, timed alone), and the propagation (the rest).

The limit: an attempt must at least read its two random numbers, recompute the cells of the
mutated cell's light cone that really change (mean cells per attempt, counted by the loop) and
write its record; one cell update costs at least what the same word-wide cell update costs in
a straight loop over every cell of every row (no light cone, no branches, nothing to undo).
(The engine's general ``evaluate_rows`` is slower per one-word cell: it is built for many
words per cell.)  So the attainable
rate is 1 / (draws + bookkeeping + cells per attempt × engine cost per cell); the ratio to it
says how much the light-cone walk (bit scans, branches that cannot be predicted: is the cell in
the cone, does the change die out, is it kept) costs beyond the cell arithmetic.

Run: ``python benchmarks/bench_evolution.py``.  Medians of 5 repeats, CPU (process) seconds
beside wall seconds since the machine may be shared; the load average is printed.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import statistics  # noqa: E402
import time  # noqa: E402

import numba as nb  # noqa: E402
import numpy as np  # noqa: E402
from _timing import timed  # noqa: E402

import minimodels as mm  # noqa: E402
from minimodels.engine import evolve_kernel as kernel, pack_bits  # noqa: E402
from minimodels.learners import evolution  # noqa: E402

WIDTH, DEPTH, RULES = 20, 10, (4, 146)
STEPS, REPEATS, TARGET = 2_000_000, 5, 1e7


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


def run_once(task, *, empty_cone: bool = False) -> dict[str, float]:
    """One ``mm.evolve`` run with its stages timed (CPU seconds) and the loop's counts."""
    clock = {"draws": 0.0, "loop": 0.0}
    counts: dict[str, float] = {}
    draw, loop = evolution.draw_block, kernel.evolve_block_narrow

    def timed_draw(*args, **kwargs):
        start = time.process_time()
        out = draw(*args, **kwargs)
        clock["draws"] += time.process_time() - start
        return out

    def timed_loop(*args):
        if empty_cone:  # every attempt outside the cone: the loop's bookkeeping alone
            args = (*args[:4], np.zeros_like(args[4]), *args[5:])
        start = time.process_time()
        loop(*args)
        clock["loop"] += time.process_time() - start
        state = args[17]
        counts.update(cells=state[3], losses=state[4], kept=state[1])

    evolution.draw_block, kernel.evolve_block_narrow = timed_draw, timed_loop
    try:
        start, wall = time.process_time(), time.perf_counter()
        mm.evolve(task, depth=DEPTH, rules=RULES, steps=STEPS, seed=1, stop_at=None)
        total, wall = time.process_time() - start, time.perf_counter() - wall
    finally:
        evolution.draw_block, kernel.evolve_block_narrow = draw, loop
    return {"total": total, "wall": wall, **clock, **counts}


def median_run(task, **options) -> dict[str, float]:
    runs = [run_once(task, **options) for _ in range(REPEATS)]
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


@nb.njit(cache=True)
def _losses(flat, readout, target, mask, n):
    total = 0
    for i in range(n):
        flat[i % 7] ^= np.uint64(i)  # a fresh word each time, so the loop is not hoisted
        total += kernel._narrow_loss(flat, DEPTH, WIDTH, 0, readout, target, mask, 0)
    return total


def loss_seconds(task, n: int) -> float:
    """CPU seconds of ``n`` loss evaluations of the narrow loop on the bump task."""
    flat = np.zeros((DEPTH + 1) * (WIDTH + 2), np.uint64)
    readout = np.asarray(task.readout, np.int64)
    target = pack_bits(task.targets)[:, 0].copy()
    mask = pack_bits(task.train[:, None].astype(np.uint8))[0][0]
    _losses(flat, readout, target, mask, 10)
    return timed(lambda: _losses(flat, readout, target, mask, n), REPEATS)[1]


@nb.njit(cache=True)
def _all_cells(flat, rules, repeats):
    """Recompute every cell of every row ``repeats`` times with the loop's cell update."""
    depth, width = rules.shape
    stride = np.uint64(width + 2)
    for _ in range(repeats):
        for t in range(1, depth + 1):
            above = np.uint64(t - 1) * stride
            for x in range(width):
                ux = np.uint64(x)
                flat[above + stride + np.uint64(1) + ux] = kernel._narrow_cell(
                    kernel.PAIR_4_146, rules[t - 1, x], flat, above, ux, False
                )


def cell_seconds() -> float:
    """CPU seconds per one-word cell update at full speed: every cell of a 64-wide, 1000-deep
    {4, 146} array, row by row (no light cone, no branches, nothing undone)."""
    rng = np.random.default_rng(0)
    rules = rng.choice(RULES, size=(1000, 64)).astype(np.int64)
    rows = np.zeros((1001, 64, 1), np.uint64)
    rows[0, :, 0] = rng.integers(0, 2**63, size=64, dtype=np.uint64)
    flat = kernel.narrow_layout(rows, False)
    _all_cells(flat, rules, 1)
    return timed(lambda: _all_cells(flat, rules, 20), REPEATS)[1] / (20 * rules.size)


def parallel_seconds(jobs: int, runs: int, steps: int) -> float:
    """Median wall seconds of ``runs`` independent runs through ``experiments.evolution.run``.

    Strict acceptance (``accept="<"``) keeps few mutations, so what the workers send back is
    small (the losses) and the time is the attempts' and the pool's.
    """
    from minimodels.experiments.evolution import EvolutionConfig, run

    config = EvolutionConfig(
        width=WIDTH, depth=DEPTH, steps=steps, runs=runs, stop_at=None, accept="<"
    )
    backend = "serial" if jobs == 1 else "process"
    return timed(lambda: run(config, backend=backend, jobs=jobs), REPEATS)[0]


def main() -> None:
    task = mm.tasks.bump(WIDTH)
    mm.evolve(task, depth=DEPTH, rules=RULES, steps=1000, seed=0)  # compile
    load = os.getloadavg()
    print(f"bump task {WIDTH} wide x {DEPTH} deep, rules {RULES}, one core, {STEPS:,} attempts, "
          f"median of {REPEATS}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"on {os.cpu_count()} CPUs")  # fmt: skip

    full = median_run(task)
    floor = median_run(task, empty_cone=True)
    rate, rate_cpu = STEPS / full["wall"], STEPS / full["total"]
    print(f"  compiled loop (mm.evolve): {rate:12.3e} attempts/s wall  "
          f"({rate_cpu:.3e} per CPU second)   target >= {TARGET:.0e}")  # fmt: skip

    # ---- where the time goes (CPU ns per attempt)
    cells, n_losses = full["cells"] / STEPS, full["losses"] / STEPS
    ns = 1e9 / STEPS
    t_loss = loss_seconds(task, 1_000_000) / 1_000_000 * full["losses"]
    t_book = floor["loop"]
    t_prop = max(full["loop"] - t_book - t_loss, 0.0)
    t_python = full["total"] - full["draws"] - full["loop"]
    cone = evolution.light_cone(task, DEPTH)
    print("  where the time goes (CPU ns per attempt):")
    print(f"    random stream (numpy, per block)     {full['draws'] * ns:7.1f}")
    print(f"    compiled loop                        {full['loop'] * ns:7.1f}")
    print(f"      bookkeeping (empty-cone run)       {t_book * ns:7.1f}   "
          f"(kept {full['kept'] / STEPS:.0%} of attempts)")  # fmt: skip
    print(f"      propagate (light cone, undo)       {t_prop * ns:7.1f}   "
          f"{cells:.2f} cells recomputed per attempt, "
          f"{t_prop / max(full['cells'], 1) * 1e9:.2f} ns per cell")  # fmt: skip
    print(f"      loss (popcount of the readout)     {t_loss * ns:7.1f}   "
          f"evaluated on {n_losses:.0%} of attempts")  # fmt: skip
    print(f"    Python around it (blocks, result)    {t_python * ns:7.1f}")
    print(f"    outside the readout's cone: {1 - cone.mean():.0%} of the cells "
          "(an attempt there evaluates nothing)")  # fmt: skip

    # ---- the limit
    per_cell = cell_seconds()
    compute = cells * per_cell
    limit = 1 / (compute + (full["draws"] + t_book) / STEPS)
    print(f"  limit: {cells:.2f} cells x {per_cell * 1e9:.2f} ns (one-word cell update at full "
          f"speed, all rows) = {compute * 1e9:.1f} ns of cell arithmetic per attempt")  # fmt: skip
    print(f"         + random stream + bookkeeping = {1e9 / limit:.1f} ns -> attainable "
          f"{limit:.3e} attempts/s per CPU second; measured {rate_cpu / limit:.0%} of it"
          )  # fmt: skip

    # ---- baselines
    slow_steps = 5_000
    slow_wall, slow_cpu = timed(
        lambda: numpy_loop(task, slow_steps, np.random.default_rng(1)), REPEATS
    )
    slow_rate, slow_rate_cpu = slow_steps / slow_wall, slow_steps / slow_cpu
    print(f"  numpy loop (baseline):     {slow_rate:12.3e} attempts/s wall  "
          f"({slow_rate_cpu:.3e} per CPU second)")  # fmt: skip
    print(f"  ratio: {rate / slow_rate:,.0f}x wall, {rate_cpu / slow_rate_cpu:,.0f}x CPU"
          "   target >= 100x")  # fmt: skip
    reference_steps = 2_000
    ref_wall, _ = timed(
        lambda: mm.evolve(task, depth=DEPTH, rules=RULES, steps=reference_steps, seed=1,
                          stop_at=None, method="reference"), REPEATS,
    )  # fmt: skip
    print(f"  plain reference loop (mutation_walk + RuleArray.output): "
          f"{reference_steps / ref_wall:.3e} attempts/s")  # fmt: skip

    # ---- independent runs over the cores
    runs, steps = 8, 2_000_000
    one, two = parallel_seconds(1, runs, steps), parallel_seconds(2, runs, steps)
    start_up = parallel_seconds(2, runs, 1)  # the pool alone: spawn, imports, cached kernels
    work = runs * steps
    print(f"  {runs} independent runs x {steps:,} attempts, accept '<' "
          f"(experiments.evolution.run): 1 core (serial) {work / one:.3e} attempts/s wall, "
          f"2 cores (process backend) {work / two:.3e}: {one / two:.2f}x; the pool's start "
          f"costs {start_up:.2f} s, without it {one / max(two - start_up, 1e-9):.2f}x"
          )  # fmt: skip
    load = os.getloadavg()
    print(f"  load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    verdict = "meets" if rate_cpu >= TARGET else "misses"
    print(
        f"  verdict: {rate_cpu:.3e} attempts per CPU second {verdict} the target {TARGET:.0e} "
        f"({rate:.3e} wall on this {'shared' if load[0] > 1 else 'quiet'} machine)"
    )


if __name__ == "__main__":
    main()
