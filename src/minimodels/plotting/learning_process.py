"""Pictures of how the learning process changes learning (rule arrays on the bump).

One function per figure of :mod:`minimodels.experiments.learning_process`; each returns a
matplotlib ``Figure`` drawn without pyplot.  :func:`plot_vote` takes ``ax=None``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.plotting.canvas import axes_or_new, new_figure
from minimodels.plotting.evolution import CURVE_COLOURS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from minimodels.experiments.learning_process import CurveSet

__all__ = ["plot_curves", "plot_mutations", "plot_vote"]

GREY = "#888888"


def _tidy(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)


def plot_vote(
    rows: Sequence[Mapping[str, Any]], numbers: Mapping[str, float], *, ax: Axes | None = None
) -> Figure:
    """Held-out accuracy of the majority vote against ensemble size (mean ± sd over ensembles),
    beside the mean single array (± 2 standard errors) and the array that answers 0."""
    figure, ax = axes_or_new(ax, 5.6, 3.4)
    size = np.array([r["ensemble size"] for r in rows])
    mean = np.array([r["vote accuracy"] for r in rows])
    sd = np.array([r["sd"] for r in rows])
    ax.fill_between(size, mean - sd, mean + sd, color=CURVE_COLOURS[0], alpha=0.15, lw=0,
                    label="± 1 sd over ensembles")  # fmt: skip
    ax.plot(size, mean, "o-", color=CURVE_COLOURS[0], ms=4, lw=1.4, label="majority vote")
    single, se = numbers["single_mean"], numbers["single_se"]
    ax.axhspan(single - 2 * se, single + 2 * se, color=CURVE_COLOURS[1], alpha=0.2, lw=0)
    ax.axhline(single, color=CURVE_COLOURS[1], lw=1.2, ls="--",
               label=f"one array (mean {single:.3f} ± 2 se)")  # fmt: skip
    ax.axhline(numbers["answer_zero"], color=GREY, lw=1.0, ls=":",
               label=f"answer 0 everywhere ({numbers['answer_zero']:.3f})")  # fmt: skip
    ax.set_xlabel("arrays voting (ensemble size)", fontsize=9)
    ax.set_ylabel("held-out accuracy", fontsize=9)
    ax.set_xticks(size if len(size) <= 10 else size[::2])
    ax.set_ylim(max(0.0, float((mean - sd).min()) - 0.1), min(1.0, float((mean + sd).max()) + 0.1))
    ax.legend(frameon=False, fontsize=8, loc="upper right", ncols=2)
    ax.set_title(
        f"{numbers['arrays']} arrays, each trained on half of the inputs",
        fontsize=9,
    )
    _tidy(ax)
    return figure


def plot_mutations(rows: Sequence[Mapping[str, Any]], *, budget: int) -> Figure:
    """Three panels against mutations per step: fraction solved, attempts to zero loss (median
    and quartiles, solved runs only) and mean final loss (± 1 se)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    figure = new_figure(9.0, 3.0, layout="constrained")
    axes = figure.subplots(1, 3)
    m = np.array([r["mutations per step"] for r in rows])
    colour = CURVE_COLOURS[0]
    axes[0].plot(m, [r["solved fraction"] for r in rows], "o-", color=colour, ms=4)
    axes[0].set_ylim(-0.03, 1.03)
    axes[0].set_ylabel(f"runs at zero loss within {budget:,}", fontsize=9)
    solved = [r for r in rows if r["median attempts to zero"] is not None]
    if solved:
        x = np.array([r["mutations per step"] for r in solved])
        mid = np.array([r["median attempts to zero"] for r in solved], dtype=float)
        low = mid - np.array([r["attempts q25"] for r in solved], dtype=float)
        high = np.array([r["attempts q75"] for r in solved], dtype=float) - mid
        axes[1].errorbar(x, mid, yerr=[low, high], fmt="o-", color=colour, ms=4, capsize=3,
                         label="median, quartiles")  # fmt: skip
        best = int(np.argmin(mid))
        axes[1].plot(x[best], mid[best], "o", ms=9, mfc="none", color=CURVE_COLOURS[3],
                     label=f"fewest: {x[best]} per step")  # fmt: skip
        axes[1].legend(frameon=False, fontsize=8)
    axes[1].set_yscale("log")
    axes[1].yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axes[1].yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    axes[1].yaxis.set_minor_locator(NullLocator())
    axes[1].set_ylabel("attempts to zero loss", fontsize=9)
    final = np.array([r["mean final loss"] for r in rows])
    se = np.array([r["final loss se"] for r in rows])
    axes[2].errorbar(m, final, yerr=se, fmt="o-", color=colour, ms=4, capsize=3)
    top = max(0.05, float((final + se).max()) * 1.3)
    axes[2].set_ylim(-0.04 * top, top)
    axes[2].set_ylabel(f"mean loss after {budget:,} attempts", fontsize=9)
    for ax in axes:
        ax.set_xscale("log", base=2)
        ax.set_xticks(m, [str(v) for v in m])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("mutations per step", fontsize=9)
        _tidy(ax)
    return figure


def plot_curves(curve_sets: Sequence[CurveSet], *, show_runs: int = 5) -> Figure:
    """One panel per array size: a few runs' staircases (thin), and over all runs the median,
    the mean and the 10–90 % band of the loss against attempted mutations (log x)."""
    n = len(curve_sets)
    figure = new_figure(3.3 * n, 3.2, layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, n))
    for ax, curves in zip(axes, curve_sets, strict=True):
        x = curves.at + 1  # attempt 0 (the start) sits at 1 on a log axis
        low, mid, high = curves.band
        for i, run in enumerate(curves.many.results[:show_runs]):
            trace = np.concatenate([[run.initial_loss], run.losses])
            ax.step(np.arange(1, trace.size + 1), trace, where="post", lw=0.8, alpha=0.55,
                    color=CURVE_COLOURS[(i + 1) % len(CURVE_COLOURS)])  # fmt: skip
        ax.fill_between(x, low, high, step="post", color=CURVE_COLOURS[0], alpha=0.2, lw=0,
                        label="10–90 % of runs")  # fmt: skip
        ax.step(x, mid, where="post", color=CURVE_COLOURS[0], lw=2.0, label="median")
        ax.plot(x, curves.mean, color="black", lw=1.2, ls="--", label="mean")
        ax.set_xscale("log")
        ax.set_xlim(1, x[-1])
        ax.set_ylim(bottom=-0.3)
        ax.set_xlabel("attempted mutations + 1", fontsize=9)
        ax.set_title(
            f"{curves.width} × {curves.depth}: {curves.curves.shape[0]} runs, "
            f"{curves.n_inputs} inputs",
            fontsize=9,
        )
        _tidy(ax)
    axes[0].set_ylabel("loss (inputs answered wrongly)", fontsize=9)
    axes[0].legend(frameon=False, fontsize=8, loc="lower left")
    return figure
