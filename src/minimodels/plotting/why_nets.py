"""Pictures of learners side by side (:mod:`minimodels.experiments.why_nets`).

* :func:`plot_bump_fits` — every learner's fit of the bump, inside and outside the training
  range, one panel each on shared axes;
* :func:`plot_function_priors` — P(f) against K_LZ(f): the functions each learner output over
  random training sets (coloured by the target's K_LZ) and, where it has one, its prior with no
  data (grey), one panel per learner on shared axes;
* :func:`plot_error_vs_complexity` — test error against the target's K_LZ, one line per
  learner, with the majority-class baseline;
* :func:`plot_tabular_changes` — the change in test accuracy that each transformation causes,
  per learner, with error bars over datasets and splits.

``result.plot()`` draws the task's main picture.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.base.display import drawer
from minimodels.plotting.canvas import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "plot_bump_fits",
    "plot_error_vs_complexity",
    "plot_function_priors",
    "plot_tabular_changes",
]

FAMILY_COLOURS = {  # one hue per family, so the eye groups trees, kernels, nets …
    "tree": "#8c564b",
    "forest": "#a0522d",
    "boosting": "#c49c94",
    "knn1": "#7f7f7f",
    "knn": "#b0b0b0",
    "interp": "#5a5a5a",
    "svm-rbf": "#9467bd",
    "svm-poly": "#c5b0d5",
    "gp-rbf": "#17becf",
    "gp-nngp": "#1f77b4",
    "poly": "#bcbd22",
    "mlp": "#d62728",
    "mesh": "#ff7f0e",
    "rulearray": "#2ca02c",
}


def _labels(result: Any) -> dict[str, str]:
    """Each learner's label, from the catalogue (no learner is built to draw it)."""
    from minimodels.analysis.catalogue import NAMES

    degree = f"polynomial, degree {result.config.degree}"
    return {name: degree if name == "poly" else NAMES[name] for name in result.config.chosen()}


def _grid(n: int, width: float, height: float) -> tuple[Figure, Any, int]:
    columns = min(n, 4 if n > 6 else 3)
    rows = math.ceil(n / columns)
    figure = new_figure(width * columns, height * rows, layout="constrained")
    axes = figure.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax in axes.flat[max(0, n - columns) : n]:  # the lowest panel of each column
        ax.xaxis.set_tick_params(labelbottom=True)
    return figure, axes, columns


def plot_bump_fits(result: Any) -> Figure:
    """One panel per learner: the bump (grey), the training points, every seed's fit."""
    from minimodels.experiments.why_nets.config import BUMP_EVAL, BUMP_TRAIN, bump

    labels = _labels(result)
    figure, axes, _ = _grid(len(labels), 3.0, 2.3)
    target = bump(BUMP_EVAL)
    for ax, (name, label) in zip(axes.flat, labels.items(), strict=False):
        ax.axvspan(-1, 1, color="#f2f2f2", zorder=0)
        ax.plot(BUMP_EVAL, target, color="#999999", lw=2.5, zorder=1)
        for fit in result.curves.get(name, []):
            drawn = np.where(np.abs(fit) > 10, np.nan, fit)  # a runaway polynomial leaves
            ax.plot(BUMP_EVAL, drawn, color=FAMILY_COLOURS.get(name, "C0"), lw=1.2, zorder=2)
        ax.plot(BUMP_TRAIN, bump(BUMP_TRAIN), "o", ms=2.5, color="black", zorder=3)
        outside = [r["outside_mse"] for r in result.rows if r["learner"] == name]
        ax.set_title(f"{label}\noutside MSE {np.median(outside):.2g}", fontsize=9)
        ax.set_ylim(-0.6, 1.6)
        ax.set_xlim(-2, 2)
        ax.tick_params(labelsize=8)
    figure.suptitle("The bump, learned on [−1, 1] (shaded) — and what each learner does outside")
    return figure


def plot_function_priors(result: Any) -> Figure:
    """log10 P(f) against K_LZ(f), one panel per learner on shared axes."""
    import matplotlib as mpl

    labels = _labels(result)
    figure, axes, columns = _grid(len(labels), 3.0, 2.5)
    rows = result.rows
    n_sets = result.config.n_sets
    target_ks = sorted({r["target_k"] for r in rows})
    norm = mpl.colors.Normalize(min(target_ks), max(max(target_ks), min(target_ks) + 1))
    cmap = mpl.colormaps["viridis"]
    for ax, (name, label) in zip(axes.flat, labels.items(), strict=False):
        prior = [r for r in result.priors if r["learner"] == name]
        if prior:
            counts = np.array([r["count"] for r in prior], float)
            ax.scatter(
                [r["k_lz"] for r in prior],
                np.log10(counts / counts.sum()),
                s=5,
                color="#aaaaaa",
                label="prior (no data)",
                zorder=1,
            )
        tally: dict[tuple[str, float, float, int], int] = {}  # per target and size
        for r in rows:
            if r["learner"] == name:
                key = (r["function"], r["function_k"], r["target_k"], r["train_size"])
                tally[key] = tally.get(key, 0) + 1
        if tally:
            ks = [k for _, k, _, _ in tally]
            ps = [np.log10(c / n_sets) for c in tally.values()]
            colours = [cmap(norm(tk)) for _, _, tk, _ in tally]
            ax.scatter(ks, ps, s=14, c=colours, edgecolors="black", linewidths=0.3, zorder=2)
        ax.set_title(label, fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in axes.flat[max(0, len(labels) - columns) : len(labels)]:
        ax.set_xlabel("K_LZ(f)", fontsize=9)
    for ax in axes[:, 0]:
        ax.set_ylabel("log10 P(f)", fontsize=9)
    figure.colorbar(
        mpl.cm.ScalarMappable(norm, cmap), ax=list(axes.flat), shrink=0.6, label="target's K_LZ"
    )
    figure.suptitle(
        f"Which functions each learner outputs: over {n_sets} random training sets per target "
        "(colour), and with no data (grey)"
    )
    return figure


def plot_error_vs_complexity(result: Any) -> Figure:
    """Mean test error against the target's K_LZ, one panel per training-set size: the x1
    ladder (x1 with k bits flipped) as lines, named targets as labelled markers."""
    labels = _labels(result)
    sizes = sorted({r["train_size"] for r in result.rows})
    figure = new_figure(5.0 * len(sizes) + 2.0, 4.4, layout="constrained")
    axes = figure.subplots(1, len(sizes), sharey=True, squeeze=False)[0]
    for ax, m in zip(axes, sizes, strict=True):
        rows = [r for r in result.rows if r["train_size"] == m]
        means = _mean_by(rows, ("learner", "target"), "test_error")
        majority = _mean_by(rows, ("target",), "majority_error")
        ks = {r["target"]: r["target_k"] for r in rows}
        ladder = sorted((t for t in ks if t.startswith("x1, ")), key=lambda t: ks[t])
        named = [t for t in ks if t not in ladder]
        for name, label in labels.items():
            colour, width = FAMILY_COLOURS.get(name), 2.6 if name in ("mlp", "gp-nngp") else 1.1
            ax.plot(
                [ks[t] for t in ladder],
                [means[name, t] for t in ladder],
                "o-",
                ms=3,
                lw=width,
                color=colour,
                label=label,
            )
            ax.plot(
                [ks[t] for t in named], [means[name, t] for t in named], "D", ms=4, color=colour
            )
        ax.plot(
            [ks[t] for t in ladder],
            [majority[(t,)] for t in ladder],
            "k--",
            lw=1.5,
            label="majority class",
        )
        for t in named:
            ax.plot(ks[t], majority[(t,)], "k_", ms=12, mew=1.5)
            ax.annotate(
                t,
                (ks[t], max(means[n, t] for n in labels)),
                xytext=(0, 6),
                textcoords="offset points",
                ha="center",
                fontsize=8,
            )
        ax.axhline(0.5, color="#cccccc", lw=0.8, zorder=0)
        ax.set_title(f"|S| = {m} of {2**result.config.n} inputs", fontsize=10)
        ax.set_xlabel("target's K_LZ  (line: x1 with k bits flipped; ◆ named targets)")
    axes[0].set_ylabel("test error, mean over training sets")
    axes[-1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
    return figure


def _mean_by(rows: list[dict[str, Any]], keys: tuple[str, ...], value: str) -> dict:
    groups: dict[tuple, list[float]] = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in keys), []).append(r[value])
    return {k: float(np.mean(v)) for k, v in groups.items()}


def plot_tabular_changes(result: Any) -> Figure:
    """Change in test accuracy under each transformation, per learner (mean ± standard error
    over datasets × splits)."""
    from minimodels.experiments.why_nets.tabular import tabular_changes

    changes = tabular_changes(result.rows)
    labels = _labels(result)
    hows = [h for h in result.config.transforms if h in changes] or ["original"]
    figure = new_figure(3.6 * len(hows) + 1.6, 0.32 * len(labels) + 1.4)
    axes = figure.subplots(1, len(hows), sharey=True, squeeze=False)[0]
    names = list(labels)
    for ax, how in zip(axes, hows, strict=True):
        by = changes.get(how, {})
        means = [by.get(n, (np.nan, 0))[0] for n in names]
        errors = [by.get(n, (0, 0))[1] for n in names]
        ax.barh(
            range(len(names)),
            means,
            xerr=errors,
            color=[FAMILY_COLOURS.get(n) for n in names],
            error_kw={"lw": 0.8},
            height=0.7,
        )
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(f"{how}" if how != "original" else "no transformation", fontsize=10)
        ax.set_xlabel("Δ test accuracy vs original")
    axes[0].set_yticks(range(len(names)), [labels[n] for n in names], fontsize=8)
    axes[0].invert_yaxis()
    figure.tight_layout()
    return figure


@drawer("minimodels.experiments.why_nets.runs.LearnersResult")
def _draw_learners(result: Any, ax: Any = None, **options: Any) -> Figure:
    task = result.config.task
    if task == "bump":
        return plot_bump_fits(result)
    if task == "boolean":
        return plot_error_vs_complexity(result)
    return plot_tabular_changes(result)
