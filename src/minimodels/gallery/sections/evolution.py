"""Rule arrays learning by mutation (SCIENCE.md §A.3–A.4): many independent runs of the bump task.

One section, ``evolution-bump`` (20), built from :mod:`minimodels.experiments.evolution`:
learning curves, the trained array on every input, the arrays at successive loss decreases,
several seeds' solutions, held-out accuracy and the bump at three array sizes.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from minimodels import gallery
from minimodels.experiments.evolution import EvolutionConfig, run
from minimodels.plotting.evolution import (
    plot_answers,
    plot_decreases,
    plot_learning_curve,
    plot_solutions,
    plot_steps_histogram,
)


@gallery.section("evolution-bump", title="Rule arrays learn the bump by mutation", order=20)
def bump_section(context: gallery.Context) -> gallery.Section:

    config = EvolutionConfig.quick() if context.quick else EvolutionConfig()
    config = replace(config, seed=context.seed)
    many = run(config, on_progress=context.on_progress)
    summary = many.summary()
    half = replace(config, train_fraction=0.5, runs=15 if context.quick else 31)
    held = run(half)
    held_summary = held.summary()
    calibrated = {(10, 6): "≈ 400", (20, 10): "~2×10^3", (30, 15): "≈ 2.5×10^3"}
    sizes = []
    for (width, depth), expected in calibrated.items():
        if (width, depth) == (config.width, config.depth):
            stats = summary
        else:
            scaled = replace(config, width=width, depth=depth, runs=8 if context.quick else 30)
            stats = run(scaled).summary()
        sizes.append(
            {
                "array (width × depth)": f"{width} × {depth}",
                "runs": stats["runs"],
                "solved": f"{100 * stats['solved_fraction']:.0f} %",
                "median attempts": stats["median_steps_to_zero"],
                "expected (Wolfram 2024)": expected,
            }
        )
    section = gallery.Section(
        title="Rule arrays learn the bump by mutation",
        intro=(
            "A 20-wide, 10-deep array of cells, each running rule 4 or rule 146 on the three "
            "cells above it, is trained by adaptive evolution: pick a cell, swap its rule, keep "
            "the change if the number of wrongly answered inputs does not go up. Input x is a "
            "single black cell at column x; the answer is read at the outlined bottom cell and "
            "should be 1 for x in [6, 13). Expected from Wolfram's essay: zero loss in "
            "essentially every run, median ~2×10^3 attempts (range ~300 to ~10^4).\n\n"
            "Losses fall in a staircase with long neutral plateaus; different seeds find very "
            "different arrays. Trained on a random half of the inputs, the other half is "
            "answered only partly right — and a majority vote of many arrays does not rescue it."
        ),
        numbers={
            "runs": summary["runs"],
            "solved within 2×10^4 attempts": f"{100 * summary['solved_fraction']:.0f} %",
            "median attempts to zero loss": summary["median_steps_to_zero"],
            "quartiles": summary["steps_to_zero_quartiles"],
            "cells differing between two solutions": f"{100 * many.differing_cells():.0f} %",
            "held-out accuracy (train on half)": round(held_summary["mean_held_out_accuracy"], 3),
            "majority vote of the half-trained arrays": round(
                held_summary["ensemble_held_out_accuracy"], 3
            ),
        },
        tables=[("Bump task at three array sizes (2×10^4 attempts per run)", sizes)],
        config=asdict(config),
        command=(
            f"minimodels evolve --task bump --width 20 --depth 10 --rules 4,146 "
            f"--runs {config.runs} --seed {config.seed} --out runs/bump"
        ),
    )
    solved = summary["solved_fraction"]
    section.claims = [gallery.Claim(
        "Single-point mutations kept when the loss does not rise train a rule array to zero "
        "loss (adaptive evolution)", "Wolfram 2024",
        "supported" if solved >= 0.9 else "mixed" if solved >= 0.5 else "refuted",
        f"{100 * solved:.0f} % of {summary['runs']} runs reached zero loss; median "
        f"{_count(summary['median_steps_to_zero'])} attempts", "learning-curves",
    )]  # fmt: skip
    first = many.results[0]
    section.add_figure(
        "learning-curves",
        plot_learning_curve(many.results[:6], log_x=True, title="six seeds"),
        "Loss after every attempted mutation (log x) for six seeds: staircases.",
    )
    section.add_figure(
        "steps-histogram",
        plot_steps_histogram(many.steps_to_zero, budget=config.steps),
        "Attempted mutations until zero loss, over all runs.",
    )
    section.add_figure(
        "answers",
        plot_answers(first.array, first.task),
        "The trained array of run 0 on every input, readout outlined (a wrong answer would "
        "be flagged in red).",
    )
    if context.quick:  # the quick report keeps the cheap pictures only
        return section
    section.add_figure(
        "solutions",
        plot_solutions(many.results[:8]),
        "Eight seeds' final arrays on the same input (titles give each run's final loss): "
        "different seeds, very different arrays.",
    )
    section.add_figure(
        "decreases",
        plot_decreases(first),
        "Run 0 at each successive loss decrease, on the input x = 9.",
    )
    partial = held.results[0]
    section.add_figure(
        "held-out",
        plot_answers(partial.array, partial.task),
        "Trained on half of the inputs: held-out inputs are marked; red ones are answered wrongly.",
    )
    return section


def _count(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


# Wolfram's first rule-array task: a 20 × 50 array whose pattern should die at row 40
LIFETIME_WIDTH, LIFETIME_DEPTH, LIFETIME = 20, 50, 40


@gallery.section("evolution-lifetime", title="Rule arrays evolved for a finite lifetime", order=21)
def lifetime_section(context: gallery.Context) -> gallery.Section:
    config = EvolutionConfig(
        task="lifetime", runs=10 if context.quick else 50, steps=20_000, seed=context.seed,
        width=LIFETIME_WIDTH, depth=LIFETIME_DEPTH, lifetime=LIFETIME,
    )  # fmt: skip
    many = run(config, on_progress=context.on_progress)
    summary = many.summary()
    solved = summary["solved_fraction"]
    target = config.lifetime
    section = gallery.Section(
        title="Rule arrays evolved for a finite lifetime",
        intro=(
            f"The first task of Wolfram's essay: a {config.width}-wide, {config.depth}-deep "
            "array of rules 4 and 146 grows a pattern from a single black cell, and the pattern "
            f"should die out after exactly {target} rows (loss = |lifetime − {target}|; a "
            "pattern still alive at the bottom has infinite loss). Adaptive evolution from a "
            "random array: change one cell's rule, keep the change when the loss does not "
            f"rise.\n\n{100 * solved:.0f} % of {summary['runs']} runs reach lifetime {target} "
            f"exactly, after a median of {_count(summary['median_steps_to_zero'])} attempted "
            "mutations. The loss falls in steps: each accepted change that helps makes the "
            "pattern live a little longer or shorter, and long neutral stretches in between "
            "change cells the pattern never reaches."
        ),
        numbers={
            "runs": summary["runs"],
            f"reached lifetime {target} within {config.steps:,} attempts": f"{100 * solved:.0f} %",
            "median attempts": summary["median_steps_to_zero"],
            "quartiles": summary["steps_to_zero_quartiles"],
        },
        config=asdict(config),
        command=(
            f"minimodels evolve --task lifetime --lifetime {target} --width {config.width} "
            f"--depth {config.depth} --rules 4,146 --runs {config.runs} --seed {config.seed} "
            "--out runs/lifetime"
        ),
    )
    first = many.results[0]
    section.add_figure(
        "decreases",
        plot_decreases(first, max_panels=6),
        "Run 0 at successive loss decreases: the pattern from one black cell (the array's "
        "rules coloured beneath it) lives longer and longer until it dies at the wanted row.",
    )
    section.add_figure(
        "learning-curves",
        plot_learning_curve(many.results[:6], log_x=True, title="six seeds"),
        f"|lifetime − {target}| after every attempted mutation (log x) for six seeds.",
    )
    section.claims = [gallery.Claim(
        "Adaptive evolution trains a rule array to grow a pattern of a given finite lifetime",
        "Wolfram 2024", "supported" if solved >= 0.9 else "mixed" if solved >= 0.5 else "refuted",
        f"{100 * solved:.0f} % of {summary['runs']} runs reached lifetime {target} exactly; "
        f"median {_count(summary['median_steps_to_zero'])} attempts", "decreases",
    )]  # fmt: skip
    return section
