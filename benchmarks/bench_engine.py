"""Engine throughput: ``RuleArray.output`` against straightforward numpy and CellPyLib.

The target workload (issue 2): a 64-wide, 256-deep rule array of rules {4, 146} (cyclic) on
4096 random inputs, through the public call ``RuleArray.output(inputs)`` — 0/1 uint8 arrays
in and out, so packing the inputs into bit-planes and unpacking the final row are inside the
timed call.  Throughput is counted in cell-updates per second: cells (64) x steps (256) x
inputs (4096) = 6.7e7 updates per call.  Target: >= 3e10 per second on the 2-core machine.

Baselines, measured in the same run on the same array and inputs:

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

Every figure is the median of several repeats (the machine may be shared; medians resist the
noise, and ``--repeats`` adds more).  Also printed: the engine's time split into pack, kernel
and unpack; one thread against all on a 16x bigger batch (at 4096 inputs the whole batch is one
cache-sized block of 64 words, so threads have nothing to share); and incremental
re-evaluation after one mutation (what the adaptive-evolution loop uses) against a full one.

    python benchmarks/bench_engine.py [--repeats 31] [--quick]
"""

from __future__ import annotations

import argparse
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

TARGET = 3e10


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
    repeats = 5 if args.quick else args.repeats

    config = SpeedConfig(
        repeats=repeats,
        baseline_inputs=16,
        cellpylib_inputs=3,
        reference_inputs=512,
        seed=args.seed,
    )
    print(f"machine: {platform.processor() or platform.machine()}, numba {numba.__version__}, "
          f"{numba.get_num_threads()} threads")  # fmt: skip
    print(f"workload: {config.width} wide x {config.depth} deep, rules {config.rules}, "
          f"{config.n_inputs} inputs = {config.width * config.depth * config.n_inputs:.3g} "
          f"cell-updates per call; medians of {repeats} repeats\n")  # fmt: skip

    result = measure_speed(config)
    print(f"{'implementation':44s} {'cell-updates/s':>15s} {'x per-input numpy':>18s}")
    for row in result.rows:
        ratio = row["x per-input numpy"]
        ratio_text = f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.2f}"
        print(f"{row['implementation']:44s} {row['cell-updates/s']:15.3g} "
              f"{ratio_text:>18s}   ({row['note']})")  # fmt: skip
    rate = result.engine_rate
    print(f"\nengine / per-input numpy: {result.ratio(PER_INPUT):,.0f}x")
    if result.ratio(CELLPYLIB) is not None:
        print(f"engine / CellPyLib:       {result.ratio(CELLPYLIB):,.0f}x")
    verdict = "met" if rate >= TARGET else "NOT met"
    print(f"target {TARGET:.0e} cell-updates/s through {ENGINE}: {verdict} ({rate:.3g})")

    # Where the time of the public call goes.
    rng = np.random.default_rng(args.seed)
    array = RuleArray.random(config.depth, config.width, rules=config.rules, rng=rng)
    inputs = rng.integers(0, 2, size=(config.n_inputs, config.width), dtype=np.uint8)
    rules = np.array(array.rules)
    packed = engine.pack_bits(inputs)
    final = engine.evaluate_output(rules, packed, True, False)
    updates = config.width * config.depth * config.n_inputs
    parts = {
        "pack_bits": lambda: engine.pack_bits(inputs),
        "evaluate_output (1 thread)": lambda: engine.evaluate_output(rules, packed, True, False),
        "unpack_bits": lambda: engine.unpack_bits(final, config.n_inputs),
    }
    print("\nbreakdown of the engine call (median):")
    for name, call in parts.items():
        seconds = median_seconds(call, repeats)
        print(f"  {name:38s} {seconds * 1e3:8.3f} ms   ({updates / seconds:.3g} cell-updates/s)")

    # Threads pay only when there are several 64-word blocks to share (not at 4096 inputs).
    big = np.tile(inputs, (16, 1))  # 65536 inputs = 16 blocks
    big_packed = engine.pack_bits(big)
    big_updates = updates * 16
    print(f"\nbig batch, {len(big)} inputs (kernel only, median):")
    for name, kernel in (
        ("evaluate_output (1 thread)", engine.evaluate_output),
        (
            f"evaluate_output_parallel ({numba.get_num_threads()} threads)",
            engine.evaluate_output_parallel,
        ),
    ):
        seconds = median_seconds(lambda k=kernel: k(rules, big_packed, True, False), repeats)
        print(
            f"  {name:38s} {seconds * 1e3:8.3f} ms   ({big_updates / seconds:.3g} cell-updates/s)"
        )

    print("\nincremental re-evaluation after one mutation (evaluate_from) vs evaluate_rows:")
    for depth, width, n_inputs in ((10, 20, 20), (256, 64, 4096)):
        full, incremental = incremental_figures(depth, width, n_inputs, repeats, args.seed)
        print(f"  {width:3d} wide x {depth:3d} deep, {n_inputs:5d} inputs: full "
              f"{full * 1e6:9.1f} us, incremental {incremental * 1e6:9.1f} us "
              f"({full / incremental:.1f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
