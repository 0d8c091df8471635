"""P(f) against several complexity measures side by side, and their rank correlations.

:func:`plot_measures` draws one panel per measure: every sampled function as a dot at
(measure, P) on a log P axis, the largest P per measure value among the functions seen more
than once, and named functions (constants, parity) marked — a function never drawn sits at
its 95 % upper bound 3/N as a downward triangle.  :func:`plot_correlations` draws a matrix
of Spearman rank correlations as a labelled heat map.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.plotting.bias import MARK_STYLES
from minimodels.plotting.canvas import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_correlations", "plot_measures"]

_DOTS = "#1f5f99"
_LINE = "#b5651d"


def _spacing(values: np.ndarray) -> float:
    """The smallest gap between distinct values (for jitter), 1 when there is none."""
    distinct = np.unique(values)
    return float(np.diff(distinct).min()) if distinct.size > 1 else 1.0


def plot_measures(
    measures: dict[str, np.ndarray],
    counts: np.ndarray,
    marks: list[dict[str, Any]],
    *,
    columns: int = 2,
) -> Figure:
    """One log-P panel per measure.

    ``measures``: label → one value per sampled function; ``counts``: how often each was
    drawn (P = count / N); ``marks``: dicts with ``name``, ``count``, ``p`` (P, or the 3/N
    bound when ``count`` is 0) and ``values`` (label → that function's value of the measure).
    """
    counts = np.asarray(counts)
    n = int(counts.sum())
    p = counts / max(n, 1)
    repeated = counts >= 2
    rows = -(-len(measures) // columns)
    figure = new_figure(4.6 * columns, 3.6 * rows, layout="constrained")
    axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
    rng = np.random.default_rng(0)  # horizontal jitter only, so the dots do not hide each other
    for ax, (label, raw) in zip(axes, measures.items(), strict=False):
        values = np.asarray(raw, dtype=np.float64)
        jitter = rng.uniform(-0.3, 0.3, size=values.size) * _spacing(values)
        ax.scatter(values + jitter, p, s=5, color=_DOTS, alpha=0.4, linewidths=0,
                   rasterized=True, label="functions")  # fmt: skip
        if repeated.any():
            levels = np.unique(values[repeated])
            best = [p[repeated & (values == v)].max() for v in levels]
            ax.scatter(
                levels, best, s=16, color=_LINE, zorder=3, label="max P per value (seen > once)"
            )
        placed: list[tuple[float, float]] = []
        for mark in marks:
            marker, colour = MARK_STYLES.get(mark["name"], ("*", "black"))
            drawn = mark["count"] > 0
            name = mark["name"] + ("" if drawn else " (never drawn: P < 3/N)")
            x, y = mark["values"][label], mark["p"]
            # a mark on top of an earlier one (the two constants) is drawn smaller, inside it
            hidden = any(x == px and abs(np.log(y / py)) < 0.3 for px, py in placed)
            placed.append((x, y))
            ax.scatter([x], [y], marker=marker if drawn else "v", color=colour,
                       s=30 if hidden else 90, zorder=5 + len(placed), edgecolors="black",
                       linewidths=0.6, label=name)  # fmt: skip
        ax.set_yscale("log")
        ax.set_ylim(0.5 / max(1, n), 1.5)
        ax.set_xlabel(label, fontsize=10)
        ax.set_ylabel("probability P(f)", fontsize=10)
        ax.set_title(f"P(f) vs {label}", fontsize=10)
        ax.tick_params(labelsize=9)
    for ax in axes[len(measures) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 3),
                  frameon=False, fontsize=9, markerscale=1.2)  # fmt: skip
    return figure


def plot_correlations(matrix: np.ndarray, labels: list[str], title: str = "") -> Figure:
    """A symmetric matrix of rank correlations as a heat map (−1 blue … +1 red), each cell
    printed to two decimals."""
    matrix = np.asarray(matrix, dtype=np.float64)
    size = len(labels)
    figure = new_figure(1.0 + 1.05 * size, 0.6 + 0.85 * size, layout="constrained")
    ax = figure.add_subplot()
    image = ax.imshow(matrix, cmap="RdBu_r", vmin=-1, vmax=1)
    for i in range(size):
        for j in range(size):
            value = matrix[i, j]
            text = "—" if not np.isfinite(value) else f"{value:+.2f}"
            dark = np.isfinite(value) and abs(value) > 0.6
            ax.text(j, i, text, ha="center", va="center", fontsize=9,
                    color="white" if dark else "black")  # fmt: skip
    ax.set_xticks(range(size), labels, rotation=30, ha="right", fontsize=9)
    ax.set_yticks(range(size), labels, fontsize=9)
    if title:
        ax.set_title(title, fontsize=10)
    colorbar = figure.colorbar(image, ax=ax, shrink=0.8)
    colorbar.set_label("Spearman ρ", fontsize=9)
    colorbar.ax.tick_params(labelsize=8)
    return figure
