"""Pictures of the cellular-automaton experiments (:mod:`minimodels.experiments.automata`).

* ``ClassesResult`` — two rows of space-time panels, one column per elementary rule: from one
  black cell (top) and from a random row (bottom);
* ``SpeedResult`` — cell-updates per second of each implementation, log-scaled bars, each labelled
  with its ratio to the per-input numpy loop.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minimodels.base.display import drawer
from minimodels.plotting.canvas import axes_or_new, new_figure
from minimodels.plotting.spacetime import plot_ca


@drawer("minimodels.experiments.automata.ClassesResult")
def plot_classes(result: Any, ax: Any = None) -> Any:
    """One figure of several panels; ``ax`` is not used."""
    rules = result.config.rules
    aspect = (result.config.steps + 1) / result.config.width
    figure = new_figure(2.3 * len(rules), 2 * 2.3 * aspect + 0.7, layout="constrained")
    axes = figure.subplots(2, len(rules), squeeze=False)
    for j, rule in enumerate(rules):
        plot_ca(result.single[rule], ax=axes[0, j], title=f"rule {rule}")
        plot_ca(result.random[rule], ax=axes[1, j])
    return figure


@drawer("minimodels.experiments.automata.SpeedResult")
def plot_speed(result: Any, ax: Any = None) -> Any:
    rows = result.rows
    figure, ax = axes_or_new(ax, 8.0, 0.5 * len(rows) + 0.9)
    names = [row["implementation"] for row in rows][::-1]
    rates = np.array([row["cell-updates/s"] for row in rows][::-1])
    ax.barh(names, rates, color="#1f5f99", height=0.6)
    ax.set_xscale("log")
    ax.set_xlim(10 ** np.floor(np.log10(rates.min()) - 1), rates.max() * 40)
    for y, (rate, row) in enumerate(zip(rates, rows[::-1], strict=True)):
        ratio = row["x per-input numpy"]
        label = (
            f" {rate:.2g}/s  ({ratio:,.0f}x)" if ratio >= 10 else f" {rate:.2g}/s  ({ratio:.2g}x)"
        )
        ax.text(rate, y, label, va="center", fontsize=8)
    ax.set_xlabel("cell-updates per second (cells x steps x inputs); x = ratio to per-input numpy")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return figure
