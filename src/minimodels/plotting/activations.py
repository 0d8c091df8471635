"""Pictures of one net architecture under several activation functions (no pyplot).

Both take a mapping ``activation name → Fit`` (:class:`minimodels.learners.nets.fitting.Fit`),
every fit of the same target on the same interval:

* :func:`plot_activation_fits` — one panel per activation: target and learned function over
  the extrapolation range, the training interval shaded, the final training MSE in the title;
* :func:`plot_activation_insides` — one column per activation, one row per hidden layer: every
  hidden neuron's value against x, drawn in its own units (one line per neuron, its ``gid``
  ``"<activation>/<layer>/<neuron>"``, layers and neurons counted from 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.plotting.canvas import new_figure
from minimodels.plotting.nets import LINE_COLOURS, plot_fit

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_COLUMNS = 4  # fits figure: panels per row


def plot_activation_fits(fits: Mapping[str, Any]) -> Figure:
    """One :func:`~minimodels.plotting.nets.plot_fit` panel per activation, titled with its
    final training MSE; the legend is drawn once, in the first panel."""
    n = len(fits)
    n_cols = max(1, min(n, MAX_COLUMNS))
    n_rows = max(1, -(-n // n_cols))
    figure = new_figure(2.9 * n_cols, 2.4 * n_rows + 0.2, layout="constrained")
    axes = figure.subplots(n_rows, n_cols, squeeze=False)
    for k, (name, fit) in enumerate(fits.items()):
        ax = axes.flat[k]
        plot_fit(fit, ax=ax, colour=LINE_COLOURS[k % len(LINE_COLOURS)])
        ax.set_title(f"{name}: training MSE {fit.final_loss:.1e}", fontsize=9)
        ax.tick_params(labelsize=8)
        if k:
            ax.get_legend().remove()
    for ax in axes.flat[n:]:
        ax.set_axis_off()
    return figure


def plot_activation_insides(fits: Mapping[str, Any], *, n_points: int = 200) -> Figure:
    """Every hidden neuron's value against x: columns are activations, rows hidden layers.

    All neurons of one layer share a panel (one line each, the layer's colour), in their own
    units; the shaded band is the training interval, the thin grey line is 0."""
    hidden = {
        name: (fit.grid(n_points), fit.hidden(fit.grid(n_points))) for name, fit in fits.items()
    }
    n_cols = max(1, len(fits))
    n_rows = max([1, *(len(layers) for _, layers in hidden.values())])
    figure = new_figure(2.3 * n_cols + 0.4, 1.55 * n_rows + 0.5, layout="constrained")
    axes = figure.subplots(n_rows, n_cols, squeeze=False, sharex=True)
    for col, (name, fit) in enumerate(fits.items()):
        grid, layers = hidden[name]
        lo, hi = fit.interval
        for row in range(n_rows):
            ax = axes[row, col]
            ax.tick_params(labelsize=8)
            if row >= len(layers):
                ax.set_axis_off()
                continue
            ax.axvspan(lo, hi, color="#f3efe6", zorder=0, lw=0)
            ax.axhline(0.0, color="#cccccc", lw=0.5, zorder=1)
            colour = LINE_COLOURS[row % len(LINE_COLOURS)]
            values = layers[row]
            for neuron in range(values.shape[1]):
                (line,) = ax.plot(grid, values[:, neuron], color=colour, lw=0.9, alpha=0.75)
                line.set_gid(f"{name}/{row}/{neuron}")
            ax.set_xlim(grid[0], grid[-1])
            if row == 0:
                ax.set_title(name, fontsize=9)
            if col == 0:
                ax.set_ylabel(f"layer {row + 1}", fontsize=8)
            if row == len(layers) - 1 or row == n_rows - 1:
                ax.set_xlabel("x", fontsize=8)
    first = next(iter(fits.values()), None)
    if first is not None:
        widths = "-".join(map(str, getattr(first.model, "widths", ())))
        figure.suptitle(
            f"hidden neurons of {widths or first.model.name} as functions of x, per activation",
            fontsize=9,
        )
    return figure


def drawn_neurons(figure: Figure) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``gid → (x, value)`` of every neuron line :func:`plot_activation_insides` drew."""
    found = {}
    for ax in figure.axes:
        for line in ax.get_lines():
            gid = line.get_gid()
            if gid is not None:
                x, y = line.get_data()
                found[gid] = (np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return found
