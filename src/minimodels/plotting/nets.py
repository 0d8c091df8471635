"""Pictures of continuous nets: functions, loss curves, neurons, weights (no pyplot)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.plotting import axes_or_new

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

LINE_COLOURS = ("#1f5f99", "#b5651d", "#2f7d32", "#a3244f", "#5b3a8c", "#137a72", "#b08900")
TARGET_COLOUR = "#9a9a9a"


def plot_loss_curves(
    curves: Mapping[str, Any], *, ax: Axes | None = None, xlabel: str = "step"
) -> Figure:
    """Loss against step on a log y axis, one line per named curve."""
    figure, ax = axes_or_new(ax, 5.0, 3.2)
    for (label, losses), colour in zip(curves.items(), LINE_COLOURS * 10, strict=False):
        losses = np.asarray(losses, dtype=float)
        steps = np.arange(losses.size)
        positive = np.where(losses > 0, losses, np.nan)
        ax.plot(steps, positive, color=colour, lw=1.3, label=label)
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("training loss")
    ax.grid(True, which="major", color="#e6e6e6", lw=0.6)
    if len(curves) > 1:
        ax.legend(frameon=False)
    return figure


def plot_steps_histogram(result: Any, *, ax: Axes | None = None) -> Figure:
    """How many steps each of N nets needed (fitted nets coloured, the rest grey)."""
    figure, ax = axes_or_new(ax, 5.0, 3.2)
    steps = np.asarray(result.n_steps)
    fitted = np.asarray(result.fitted)
    bins = np.linspace(0, max(1, steps.max()), 31)
    ax.hist(steps[fitted], bins=bins, color=LINE_COLOURS[0], label="fitted")
    if (~fitted).any():
        ax.hist(steps[~fitted], bins=bins, color=TARGET_COLOUR, label="not fitted")
        ax.legend(frameon=False)
    ax.set_xlabel("steps to stop")
    ax.set_ylabel("nets")
    ax.set_title(f"{result.n_nets} nets, {fitted.mean():.0%} fitted", fontsize=10)
    return figure
