"""Engine throughput: ``RuleArray.output`` against its previous kernel, numpy and CellPyLib.

The target workload (issues 2 and 17): a 64-wide, 256-deep rule array of rules {4, 146}
(cyclic) on 4096 random inputs, through the public call ``RuleArray.output(inputs)`` — 0/1
uint8 arrays in and out, so packing the inputs into bit-planes and unpacking the final row are
inside the timed call.  Throughput is counted in cell-updates per second: cells (64) x steps
(256) x inputs (4096) = 6.7e7 updates per call.  Targets on the 2-core machine: >= 1e11 per
second through the public call, and >= 1.7x from 1 to 2 threads on a big batch (65536 inputs).

Baselines, measured in the same run on the same array and inputs:

* the previous kernel: :func:`minimodels.engine.step_row` row by row in 64-word ping-pong blocks
  (one sliced call per cell with its boundary branches), rebuilt here from the public pieces.
* numpy, one input at a time: for each input, 256 row updates of
  ``(rules[t] >> (4 * roll(s, 1) + 2 * s + roll(s, -1))) & 1`` — the straightforward code.
  Timed on a few inputs and scaled per cell-update (its cost is linear in the inputs).
* numpy reference, batched: :func:`minimodels.engine.run_rule_array`, the plain reference the
  tests hold the engine equal to, vectorised over inputs (timed on 512 inputs, scaled).
* CellPyLib 2.4 ``evolve(..., memoize=True)``.  CellPyLib evolves *one homogeneous CA* per call
  and its memoisation is keyed by the neighbourhood only, so it cannot evaluate a rule array
  (a different rule per cell) with ``memoize=True`` at all.  The honest equivalent work is the
  same number of rule applications: one call per input evolving a 64-cell CA (rule 146,
  ``cpl.nks_rule``) for 256 steps.  Timed on a few inputs and scaled per cell-update.

The limit.  A word (64 cell-updates) of rule 146 is ``b ^ ((a ^ c) | (b & ~a))``: 3 loads, 4
logic ops, 1 store; rule 4 is ``b & ~(a | c)``: 3 loads, 2 ops, 1 store.  AVX2 does 4 words per
op, and a Zen 3 core issues 4 vector logic ops, 2 vector loads and 1 vector store per cycle, so
the update is load-bound at 1.5 cycles per 4 words, about 170 cell-updates per cycle per core.
Rather than trust a clock we do not know, the benchmark measures that limit: the same two word
updates streamed over long rows that stay in L1 (no per-cell branch, no loop set-up, no L2), and
prints the engine's kernel as a fraction of it.  What the kernel pays on top is the rule branch
(random rules mispredict half the time) and the loop set-up per cell and block, and moving the
rows between L1 and L2.

Every figure is the median of several repeats of wall time (the machine may be shared; medians
resist the noise, and ``--repeats`` adds more); the load average is printed before and after,
since on a loaded machine the 2-thread figures in particular mean little.  Also printed: the
time split into pack, kernel and unpack; one thread against all on a 16x bigger batch; and
incremental re-evaluation after one mutation (what the adaptive-evolution loop uses).

    python benchmarks/bench_engine.py [--repeats 31] [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform

import numba
import numpy as np

from minimodels import engine
from minimodels.experiments.automata import (
    CELLPYLIB,
    ENGINE,
    PER_INPUT,
    SpeedConfig,
    measure_speed,
    median_seconds,
)
from minimodels.models.rulearray import RuleArray

TARGET = 1e11
TARGET_SCALING = 1.7
PREVIOUS_BLOCK = 64  # words per block of the previous kernel


@numba.njit(cache=True)
def previous_output(rules, packed, cyclic, brick):
    """The previous ``evaluate_output``: ``step_row`` on 64-word ping-pong blocks."""
    depth, width = rules.shape
    n_words = packed.shape[1]
    out = np.empty((width, n_words), np.uint64)
    for w0 in range(0, n_words, PREVIOUS_BLOCK):
        n = min(n_words, w0 + PREVIOUS_BLOCK) - w0
        current = packed[:, w0 : w0 + n].copy()
        following = np.empty_like(current)
        zeros = np.zeros(n, np.uint64)
        for t in range(1, depth + 1):
            engine.step_row(rules[t - 1], current, following, zeros, cyclic, brick, t, 0, n)
            current, following = following, current
        out[:, w0 : w0 + n] = current
    return out


@numba.njit(cache=True)
def streamed_updates(rows, sweeps):
    """The limit's calibration: rules 146 and 4 alternately over long L1-resident rows.

    ``rows`` is ``(4, n)``; each sweep writes row 3 from rows 0..2 by rule 146, then row 0 from
    rows 1..3 by rule 4: ``2 n`` word updates (3 loads, 1 store each) and nothing else.
    """
    n = rows.shape[1]
    for _ in range(sweeps):
        for w in range(n):
            a, b, c = rows[0, w], rows[1, w], rows[2, w]
            rows[3, w] = b ^ ((a ^ c) | (b & ~a))
        for w in range(n):
            rows[0, w] = rows[2, w] & ~(rows[1, w] | rows[3, w])
    return rows[3, 0]


def limit_rate(repeats: int) -> float:
    """Measured cell-updates/s of :func:`streamed_updates` (one core, data in L1)."""
    rows = np.random.default_rng(1).integers(0, 2**63, size=(4, 512), dtype=np.uint64)
    sweeps = 2000
    seconds = median_seconds(lambda: streamed_updates(rows, sweeps), repeats)
    return 2 * rows.shape[1] * sweeps * 64 / seconds


def load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def incremental_figures(depth: int, width: int, n_inputs: int, repeats: int, seed: int):
    """Median seconds of a full evaluation and of one mutation applied incrementally."""
    rng = np.random.default_rng(seed)
    rules = np.array(RuleArray.random(depth, width, rng=rng).rules)
    packed = engine.pack_bits(rng.integers(0, 2, size=(n_inputs, width), dtype=np.uint8))
    rows = engine.evaluate_rows(rules, packed, True, False)
    cells = [(int(rng.integers(depth)), int(rng.integers(width))) for _ in range(repeats)]
    full = median_seconds(lambda: engine.evaluate_rows(rules, packed, True, False), repeats)

    def mutate_and_undo(row: int, col: int) -> None:
        old = rules[row, col]
        rules[row, col] = 4 if old == 146 else 146
        engine.evaluate_from(rules, rows, row, col, True, False)
        rules[row, col] = old
        engine.evaluate_from(rules, rows, row, col, True, False)

    times = [median_seconds(lambda c=c: mutate_and_undo(*c), 3) / 2 for c in cells]
    return full, float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=31)
    parser.add_argument("--quick", action="store_true", help="Fewer repeats (a smoke run).")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    repeats = 5 if args.quick else max(5, args.repeats)

    config = SpeedConfig(
        repeats=repeats,
        baseline_inputs=16,
        cellpylib_inputs=3,
        reference_inputs=512,
        seed=args.seed,
    )
    threads = numba.get_num_threads()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"numba {numba.__version__} ({threads} threads); {load()}")  # fmt: skip
    print(f"workload: {config.width} wide x {config.depth} deep, rules {config.rules}, "
          f"{config.n_inputs} inputs = {config.width * config.depth * config.n_inputs:.3g} "
          f"cell-updates per call; medians of {repeats} repeats\n")  # fmt: skip

    rng = np.random.default_rng(args.seed)
    array = RuleArray.random(config.depth, config.width, rules=config.rules, rng=rng)
    inputs = rng.integers(0, 2, size=(config.n_inputs, config.width), dtype=np.uint8)
    rules = np.array(array.rules)
    packed = engine.pack_bits(inputs)
    final = engine.evaluate_output(rules, packed, True, False)
    assert np.array_equal(previous_output(rules, packed, True, False), final)
    updates = config.width * config.depth * config.n_inputs

    def rate(call, n_updates=updates) -> float:
        return n_updates / median_seconds(call, repeats)

    result = measure_speed(config)
    print(f"{'implementation':44s} {'cell-updates/s':>15s} {'x per-input numpy':>18s}")
    for row in result.rows:
        ratio = row["x per-input numpy"]
        ratio_text = f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.2f}"
        print(f"{row['implementation']:44s} {row['cell-updates/s']:15.3g} "
              f"{ratio_text:>18s}   ({row['note']})")  # fmt: skip
    engine_rate = result.engine_rate
    print(f"\nengine / per-input numpy: {result.ratio(PER_INPUT):,.0f}x")
    if result.ratio(CELLPYLIB) is not None:
        print(f"engine / CellPyLib:       {result.ratio(CELLPYLIB):,.0f}x")

    # Where the time of the public call goes, and the limit.
    split = threads > 1 and packed.shape[1] >= 2
    parts = {
        "pack_bits": lambda: engine.pack_bits(inputs),
        "kernel: evaluate_output (1 thread)": lambda: engine.evaluate_output(
            rules, packed, True, False
        ),
        f"kernel: evaluate_output_parallel ({threads})": lambda: engine.evaluate_output_parallel(
            rules, packed, True, False
        ),
        f"previous kernel ({PREVIOUS_BLOCK}-word step_row)": lambda: previous_output(
            rules, packed, True, False
        ),
        "unpack_bits": lambda: engine.unpack_bits(final, config.n_inputs),
    }
    print(f"\nbreakdown of the engine call, {config.n_inputs} inputs (median):")
    rates = {}
    for name, call in parts.items():
        if "parallel" in name and not split:
            continue
        seconds = median_seconds(call, repeats)
        rates[name] = updates / seconds
        print(f"  {name:42s} {seconds * 1e3:8.3f} ms   ({rates[name]:.3g} cell-updates/s)")
    kernel = rates["kernel: evaluate_output (1 thread)"]
    previous = rates[f"previous kernel ({PREVIOUS_BLOCK}-word step_row)"]
    limit = limit_rate(repeats)
    print(f"  kernel / previous kernel: {kernel / previous:.2f}x")
    print(f"limit, one core: the two word updates streamed over L1-resident rows "
          f"{limit:.3g} cell-updates/s;\n  kernel (1 thread) at {kernel / limit:.0%} of it, "
          f"the public call at {engine_rate / limit:.0%} of it "
          f"({engine_rate / (threads * limit):.0%} of {threads} cores)")  # fmt: skip

    # Thread scaling on a batch big enough to share (16 times the target's).
    big = np.tile(inputs, (16, 1))
    big_packed = engine.pack_bits(big)
    big_updates = updates * 16
    one = rate(lambda: engine.evaluate_output(rules, big_packed, True, False), big_updates)
    many = rate(
        lambda: engine.evaluate_output_parallel(rules, big_packed, True, False), big_updates
    )
    public_big = rate(lambda: array.output(big), big_updates)
    scaling = many / one
    print(f"\nbig batch, {len(big)} inputs (median):")
    print(f"  kernel, 1 thread                           {one:.3g} cell-updates/s")
    print(f"  kernel, {threads} threads                          {many:.3g} cell-updates/s "
          f"({scaling:.2f}x)")  # fmt: skip
    print(f"  RuleArray.output                           {public_big:.3g} cell-updates/s")

    print(f"\n{load()}")
    verdict = "met" if engine_rate >= TARGET else "NOT met"
    print(f"target {TARGET:.0e} cell-updates/s through {ENGINE}: {verdict} ({engine_rate:.3g}, "
          f"{engine_rate / previous:.2f}x the previous kernel alone)")  # fmt: skip
    verdict = "met" if scaling >= TARGET_SCALING else "NOT met"
    print(f"target {TARGET_SCALING}x from 1 to {threads} threads on {len(big)} inputs: "
          f"{verdict} ({scaling:.2f}x)")  # fmt: skip

    print("\nincremental re-evaluation after one mutation (evaluate_from) vs evaluate_rows:")
    for depth, width, n_inputs in ((10, 20, 20), (256, 64, 4096)):
        full, incremental = incremental_figures(depth, width, n_inputs, repeats, args.seed)
        print(f"  {width:3d} wide x {depth:3d} deep, {n_inputs:5d} inputs: full "
              f"{full * 1e6:9.1f} us, incremental {incremental * 1e6:9.1f} us "
              f"({full / incremental:.1f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
