"""Pictures of computational power vs trainability (:mod:`minimodels.experiments.rule_sets`).

Every function takes a :class:`~minimodels.experiments.rule_sets.RuleSetsResult` and returns a
matplotlib ``Figure`` (drawn without pyplot): how well each rule set trains, how irregular the
spacetime patterns of its trained and random arrays are, and one trained array per set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minimodels.plotting.canvas import new_figure
from minimodels.plotting.spacetime import (
    draw_array,
    draw_rule_legend,
    rule_array_image,
    rule_colours,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from minimodels.experiments.rule_sets import RuleSetOutcome, RuleSetsResult

KIND_COLOURS = {"tame": "#1f5f99", "wild": "#a3244f", "other": "#6b6b6b"}
TRAINED_COLOUR = "#b5651d"
RANDOM_COLOUR = "#9bb8d3"
UNLEARNABLE_TEXT = "cannot\nlearn"

__all__ = ["plot_complexity", "plot_examples", "plot_trainability", "set_label"]


def set_label(outcome: RuleSetOutcome) -> str:
    """``{4, 146}`` over its rules' Wolfram classes (``class 2, 3``)."""
    from minimodels.experiments.rule_sets import WOLFRAM_CLASS

    classes = ", ".join(str(WOLFRAM_CLASS.get(r, "?")) for r in outcome.rules)
    return "{" + ", ".join(map(str, outcome.rules)) + "}\nclass " + classes


def _rule_set_axis(ax: Axes, result: RuleSetsResult, *, labels: bool = True) -> None:
    n = len(result.outcomes)
    if labels:
        ticks = ax.set_xticks(range(n), [set_label(o) for o in result.outcomes], fontsize=8)
        for tick, outcome in zip(ticks, result.outcomes, strict=True):
            tick.label1.set_color(KIND_COLOURS[outcome.kind])
    ax.set_xlim(-0.6, n - 0.4)
    ax.spines[["top", "right"]].set_visible(False)


def _kind_legend(ax: Axes, result: RuleSetsResult, **kwargs) -> None:
    from matplotlib.patches import Patch

    config = result.config
    names = {
        "tame": "tame {" + ", ".join(map(str, config.tame)) + "}",
        "wild": "wild (uses " + " or ".join(map(str, config.wild_rules)) + ")",
        "other": "other",
    }
    kinds = [k for k in names if any(o.kind == k for o in result.outcomes)]
    handles = [Patch(color=KIND_COLOURS[k], label=names[k]) for k in kinds]
    ax.legend(handles=handles, frameon=False, fontsize=8, **kwargs)


def _mark_unlearnable(ax: Axes, index: int, y: float) -> None:
    ax.text(index, y, UNLEARNABLE_TEXT, ha="center", va="bottom", fontsize=8, color="#444444")


def plot_trainability(result: RuleSetsResult) -> Figure:
    """Left: fraction of runs reaching zero loss within the budget.  Right: attempts to zero
    loss of the runs that got there (median, bar from the 25th to the 75th percentile)."""
    config = result.config
    n = len(result.outcomes)
    figure = new_figure(max(7.0, 1.45 * n), 5.6, layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    lows = [o.many.summary()["steps_to_zero_quartiles"][0] for o in result.outcomes
            if o.many is not None and o.median_attempts is not None]  # fmt: skip
    floor = min([50.0] + [max(low, 1.0) / 2 for low in lows])  # the log axis starts here
    for i, outcome in enumerate(result.outcomes):
        colour = KIND_COLOURS[outcome.kind]
        if not outcome.learnable:
            _mark_unlearnable(top, i, 0.03)
            _mark_unlearnable(bottom, i, floor * 1.15)
            continue
        solved = outcome.solved_fraction or 0.0
        top.bar(i, solved, width=0.6, color=colour)
        top.text(i, solved + 0.02, f"{100 * solved:.0f} %", ha="center", va="bottom", fontsize=8)
        median = outcome.median_attempts
        if median is None:
            bottom.text(i, floor * 1.15, "never\nsolved", ha="center", va="bottom", fontsize=8)
            continue
        low, high = outcome.many.summary()["steps_to_zero_quartiles"]  # type: ignore[union-attr]
        bottom.vlines(i, low, high, color=colour, lw=2.5, alpha=0.5)
        bottom.plot(i, median, "o", color=colour, ms=7)
        bottom.annotate(f"{median:,.0f}", (i, median), xytext=(8, 0), textcoords="offset points",
                        va="center", fontsize=8)  # fmt: skip
    top.set_ylim(0, 1.3)
    top.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    top.set_ylabel("runs reaching zero loss", fontsize=9)
    top.set_title(
        f"{config.runs} runs per set, at most {config.steps:,} attempted mutations each "
        f"(bump, {config.width} × {config.depth} array)",
        fontsize=9,
    )
    _kind_legend(top, result, loc="upper center", ncols=3)
    bottom.set_yscale("log")
    bottom.set_ylabel("attempts to zero loss\n(median, 25–75 %)", fontsize=9)
    bottom.set_ylim(floor, max(config.steps, 10 * floor) * 1.5)
    _rule_set_axis(top, result, labels=False)
    _rule_set_axis(bottom, result)
    return figure


def plot_complexity(result: RuleSetsResult) -> Figure:
    """Spacetime K_LZ (mean over the bump's inputs) of each set's trained arrays beside that of
    random arrays of the same rules; the dashed line is uniformly random bits of that length."""
    n = len(result.outcomes)
    figure = new_figure(max(7.0, 1.45 * n), 3.8, layout="constrained")
    ax = figure.add_subplot()
    style = dict(widths=0.32, patch_artist=True, showfliers=False, medianprops={"color": "black"})
    for i, outcome in enumerate(result.outcomes):
        boxes = ax.boxplot([outcome.k_random], positions=[i - 0.18], **style)  # type: ignore[arg-type]
        boxes["boxes"][0].set_facecolor(RANDOM_COLOUR)
        trained = outcome.k_trained
        if trained.size:
            boxes = ax.boxplot([trained], positions=[i + 0.18], **style)  # type: ignore[arg-type]
            boxes["boxes"][0].set_facecolor(TRAINED_COLOUR)
            if trained.size < 10:  # few trained arrays: show every one
                ax.plot(np.full(trained.size, i + 0.18), trained, ".", color="black", ms=3)
        else:
            why = UNLEARNABLE_TEXT if not outcome.learnable else "none\nsolved"
            ax.text(i + 0.18, float(np.median(outcome.k_random)), why, ha="left",
                    va="center", fontsize=8, color="#444444")  # fmt: skip
    ax.axhline(result.random_bits, color="#444444", lw=0.9, ls="--")
    ax.text(n - 0.45, result.random_bits, "random bits", ha="right", va="bottom", fontsize=8)
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=RANDOM_COLOUR, edgecolor="black", label="random arrays of the set"),
        Patch(facecolor=TRAINED_COLOUR, edgecolor="black", label="trained to zero loss"),
    ]
    ax.legend(handles=handles, frameon=False, fontsize=8, loc="upper left", ncols=2)
    ax.set_ylim(0, result.random_bits * 1.15)
    config = result.config
    ax.set_ylabel(f"K_LZ of the spacetime pattern\n({(config.depth + 1) * config.width} bits)",
                  fontsize=9)  # fmt: skip
    _rule_set_axis(ax, result)
    return figure


def plot_examples(result: RuleSetsResult, *, case: int | None = None) -> Figure:
    """One trained array per rule set (the first run that reached zero loss) on the same input,
    readout outlined; a set that cannot learn the bump shows a random array of its rules."""
    from minimodels.tasks import bump

    config = result.config
    task = bump(config.width)
    if case is None:  # the middle input whose answer should be 1
        ones = np.flatnonzero(task.targets[:, 0] == 1)
        case = int(ones[len(ones) // 2])
    shown = [o.example for o in result.outcomes]
    n = len(shown)
    n_cols = min(n, 5)
    n_rows = -(-n // n_cols)
    panel = 1.7
    aspect = (config.depth + 1) / config.width
    figure = new_figure(
        n_cols * panel, n_rows * (panel * aspect + 0.4) + 0.45, layout="constrained"
    )
    axes = figure.subplots(n_rows, n_cols, squeeze=False)
    colours = rule_colours(np.concatenate([np.asarray(a.rules).ravel() for a, _ in shown]))
    for ax, outcome, (array, what) in zip(axes.flat, result.outcomes, shown, strict=False):
        states = array.run(task.inputs[case])
        image = rule_array_image(array.rules, states, colours)
        draw_array(ax, image, task.readout[0], config.width <= 40, brick=False)
        title = "{" + ", ".join(map(str, outcome.rules)) + "}"
        ax.set_title(f"{title}\n{what}", fontsize=8, pad=2, color=KIND_COLOURS[outcome.kind])
    for ax in list(axes.flat)[n:]:
        ax.set_axis_off()
    draw_rule_legend(figure, colours, brick=False, loc="outside lower center",
                     ncols=min(len(colours), 8))  # fmt: skip
    return figure
