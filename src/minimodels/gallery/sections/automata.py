"""Cellular automata and rule arrays as pictures, and how fast the engine evaluates them.

Four sections (band 10-19) built from :mod:`minimodels.experiments.automata`:

* ``ca-classes``: the elementary rules 4, 30, 90, 110 and 146 from one cell and from a random
  row — Wolfram's classes (fixed, nested, random, localised structures) at a glance.
* ``rule-array``: a random {4, 146} rule array (DESIGN §2) on every single-cell input, the
  readout cell marked, and how a random array does on the bump task (DESIGN §3).
* ``brick-array``: a random And/Xor array (r = 1/2, rules 8 and 6) on every single-cell input
  and on the four inputs of two bits a, b; the readout as a Boolean function of (a, b).
* ``engine-speed``: cell-updates per second (cells x steps x inputs) of ``RuleArray.output``
  against a straightforward per-input numpy loop, the batched numpy reference and CellPyLib,
  measured live.  ``benchmarks/bench_engine.py`` is the careful version of this table.
"""

from __future__ import annotations

from dataclasses import asdict, replace

import numpy as np

from minimodels import gallery
from minimodels.experiments.automata import (
    CELLPYLIB,
    ArrayConfig,
    ClassesConfig,
    SpeedConfig,
    bump_targets,
    measure_speed,
    run_array,
    run_classes,
    two_bit_inputs,
)
from minimodels.plotting.spacetime import plot_rule_array_grid


@gallery.section("ca-classes", title="Elementary cellular automata", order=10)
def classes_section(ctx: gallery.Context) -> gallery.Section:
    config = ClassesConfig(seed=ctx.seed)
    if ctx.quick:
        config = replace(config, width=61, steps=30)
    result = run_classes(config, on_progress=ctx.on_progress)
    section = gallery.Section(
        "Elementary cellular automata",
        "A row of black and white cells; each new row is computed from the one above by a "
        "fixed rule for every neighbourhood of three cells (Wolfram's numbering: rule n sends "
        "(a, b, c) to bit 4a + 2b + c of n). Five rules, from a single black cell (top) and "
        "from the same random row (bottom), time running down.\n\n"
        "Rule 4 freezes at once (class 2); rule 90 draws Pascal's triangle mod 2 (nested); "
        "rule 30 looks random from the simplest start; rule 110 grows localised structures "
        "that interact (class 4); rule 146 is nested from one cell and random from a random "
        "row. Rules 4 and 146 are the two the rule arrays below are built from.",
    )
    section.add_figure("classes", result.plot(), "Top: from one cell. Bottom: from a random row.")
    centre = result.single[30][:, config.width // 2] if 30 in result.single else None
    for rule in config.rules:
        density = float(result.random[rule][-1].mean())
        section.numbers[f"rule {rule}: density of 1s after {config.steps} steps (random start)"] = (
            round(density, 3)
        )
    if centre is not None:
        section.numbers["rule 30 centre column, first 16 bits"] = "".join(map(str, centre[:16]))
    section.config = asdict(config)
    section.command = (
        f"minimodels ca --rule 30 --width {config.width} --steps {config.steps} --out rule30.png"
    )
    return section


@gallery.section("rule-array", title="A random rule array", order=11)
def array_section(ctx: gallery.Context) -> gallery.Section:
    config = ArrayConfig(seed=ctx.seed)
    result = run_array(config, on_progress=ctx.on_progress)
    targets = bump_targets(config.width)
    loss = int(np.sum(result.outputs != targets))
    section = gallery.Section(
        "A random rule array",
        "Make every cell of a cellular automaton choose its own rule: a rule array. Here each "
        f"of the {config.depth} x {config.width} cells picks rule 4 or rule 146 at random "
        "(cyclic rows). The input is the top row, a single black cell at each possible "
        "position; each cell is drawn in its rule's colours, dark when its value is 1, and the "
        "readout cell in the middle of the last row is outlined.\n\n"
        "Most single cells die out within a few rows; some spread. Adaptive evolution (the "
        "next sections) changes one cell's rule at a time until the readout gives the wanted "
        "answer for every input — for the bump task, 1 exactly when the input lies in the "
        "middle third.",
    )
    section.add_figure(
        "single-cell-inputs",
        result.plot(),
        "Every single-cell input; panel titles give the input position and the readout.",
    )
    section.numbers["inputs whose pattern reaches the last row"] = (
        f"{int(result.alive.sum())} of {config.width}"
    )
    ones = np.flatnonzero(result.outputs).tolist()
    section.numbers["inputs x with readout 1"] = ", ".join(map(str, ones)) or "none"
    section.numbers["bump-task loss of this random array (inputs wrong)"] = loss
    section.config = asdict(config)
    section.command = (
        f"minimodels rulearray --depth {config.depth} --width {config.width} --rules 4,146 "
        f"--seed {config.seed} --out rulearray.png"
    )
    return section


TWO_INPUT_NAMES = {
    "0000": "0",
    "0001": "a And b",
    "0010": "(Not a) And b",
    "0011": "a",
    "0100": "a And (Not b)",
    "0101": "b",
    "0110": "a Xor b",
    "0111": "a Or b",
}


@gallery.section("brick-array", title="An And/Xor rule array", order=12)
def brick_section(ctx: gallery.Context) -> gallery.Section:
    config = ArrayConfig(width=14, depth=10, rules=(6, 8), r="1/2", seed=ctx.seed)
    single = run_array(config)
    inputs, columns = two_bit_inputs(config.width)
    pairs = run_array(config, inputs=inputs, on_progress=ctx.on_progress)
    truth = "".join(map(str, pairs.outputs))
    section = gallery.Section(
        "An And/Xor rule array",
        "The simplest rule arrays have range 1/2: each cell reads two cells of the row above, "
        "offset by half a cell like bricks in a wall, and computes And (rule 8) or Xor (rule 6) "
        "of them. The array is then a circuit of And and Xor gates. Because both rules send "
        "(0, 0) to 0, so does the whole array: from two input bits a and b it can only compute "
        "functions with f(0, 0) = 0.",
    )
    labels = [f"ab={i >> 1}{i & 1}" for i in range(4)]

    section.add_figure(
        "two-bit-inputs",
        plot_rule_array_grid(pairs.array, inputs, readout=pairs.readout, labels=labels, n_cols=4),
        f"Inputs a, b on columns {columns[0]} and {columns[1]}; the readout as f(a, b).",
    )
    section.add_figure("single-cell-inputs", single.plot(), "The same array on single-cell inputs.")
    section.numbers["readout truth table f(00) f(01) f(10) f(11)"] = truth
    section.numbers["function computed"] = TWO_INPUT_NAMES.get(truth, truth)
    section.config = asdict(config)
    section.command = (
        f"minimodels rulearray --r 1/2 --rules 6,8 --depth {config.depth} --width "
        f"{config.width} --seed {config.seed} --out brick.png"
    )
    return section


@gallery.section("engine-speed", title="How fast the engine is", order=19)
def speed_section(ctx: gallery.Context) -> gallery.Section:
    config = SpeedConfig.quick(ctx.seed) if ctx.quick else SpeedConfig(seed=ctx.seed)
    result = measure_speed(config, on_progress=ctx.on_progress)
    section = gallery.Section(
        "How fast the engine is",
        "Every experiment with rule arrays evaluates arrays on many inputs millions of times. "
        "The engine bit-slices: one 64-bit word holds one cell for 64 inputs, and a cell update "
        "is a few word-wide logical operations (rule 4 is c And Not(l Or r)) in compiled code. "
        f"Measured now, on this machine, for a {config.width}-wide, {config.depth}-deep array "
        f"of rules {' and '.join(map(str, config.rules))} on {config.n_inputs} inputs "
        "(median times; a busy machine gives lower numbers).",
    )
    section.add_figure("speed", result.plot(), "Cell-updates per second, log scale.")
    table = [
        {
            "implementation": row["implementation"],
            "cell-updates/s": float(f"{row['cell-updates/s']:.3g}"),
            "x per-input numpy": float(f"{row['x per-input numpy']:.3g}"),
            "how": row["note"],
        }
        for row in result.rows
    ]
    section.tables.append(("Throughput (cells x steps x inputs per second)", table))
    section.numbers["engine cell-updates/s"] = float(f"{result.engine_rate:.3g}")
    section.numbers["x per-input numpy"] = float(
        f"{result.ratio('numpy, one input at a time'):.3g}"
    )
    cpl = result.ratio(CELLPYLIB)
    if cpl is not None:
        section.numbers["x CellPyLib"] = float(f"{cpl:.3g}")
    section.config = asdict(config)
    section.command = "python benchmarks/bench_engine.py"
    return section
