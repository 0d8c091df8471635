"""Pictures of P_train vs P_B (Mingard et al.'s figures): scatter, ranks, errors, K_LZ ladder.

Every function takes a :class:`minimodels.analysis.bayes.protocol.Comparison` (or the ladder's
rows), an optional ``ax``, and returns the Figure it drew on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.base.display import drawer
from minimodels.plotting.canvas import axes_or_new, new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from minimodels.analysis.bayes.protocol import Comparison

TRAIN_COLOUR = "#1f5f99"
BAYES_COLOUR = "#b5651d"


def plot_scatter(
    comparison: Comparison, *, at_least: int = 2, ax: Axes | None = None, title: str | None = None
) -> Figure:
    """log P_train vs log P_B over functions seen ``at_least`` times by both, coloured by errors.

    The diagonal is P_train = P_B; the grey band is ±1 decade around it.
    """
    from matplotlib.colors import BoundaryNorm

    figure, ax = axes_or_new(ax, 4.6, 4.0)
    keep = comparison.both_seen(at_least)
    x, y = comparison.p_bayes[keep], comparison.p_train[keep]
    errors = comparison.n_errors[keep]
    if keep.any():
        low = min(x.min(), y.min()) / 3
        high = 1.0
    else:
        low, high = 1e-4, 1.0
    line = np.array([low, high])
    ax.fill_between(line, line / 10, line * 10, color="#dddddd", zorder=0, label="±1 decade")
    ax.plot(line, line, color="#444444", lw=1, zorder=1, label="P_train = P_B")
    top = max(int(errors.max(initial=0)), 1)
    bounds = np.arange(-0.5, top + 1.5)
    colours = ax.scatter(
        x,
        y,
        c=errors,
        s=14,
        cmap="viridis",
        norm=BoundaryNorm(bounds, 256),
        edgecolors="none",
        zorder=2,
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_aspect("equal")
    how = {"ep": "the NNGP, by EP", "exact": "every parameter setting that fits S"}
    source = how.get(comparison.bayes_source, "random parameters that fit S")
    ax.set_xlabel(f"P_B(f | S)  ({source})")
    ax.set_ylabel(f"{comparison.train_name}(f)  (trained to fit S)")
    ax.set_title(title or f"{within_decade(comparison)} within ×10 of P_B", fontsize=10)
    bar = figure.colorbar(colours, ax=ax, shrink=0.8, pad=0.02)
    bar.set_label("test errors")
    bar.set_ticks(np.unique(np.linspace(0, top, min(top, 8) + 1).round()).tolist())
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return figure


def within_decade(comparison: Comparison) -> str:
    """'x% of P_SGD mass' within a factor 10 of P_B, as a title says it.

    EP scores only the functions training found often enough: the fraction is then of the
    mass it scored, and says so.
    """
    numbers, name = comparison.headline(), comparison.train_name
    if comparison.bayes_source != "ep":
        return f"{numbers['train_mass_within_decade']:.0%} of {name} mass"
    return f"{numbers['train_mass_within_decade_scored']:.0%} of the {name} mass EP scored"


def plot_ranks(comparison: Comparison, *, ax: Axes | None = None) -> Figure:
    """Probability vs rank, log–log, for both methods (each ranked by its own estimate)."""
    figure, ax = axes_or_new(ax, 4.2, 3.6)
    for p, name, colour in (
        (comparison.p_train, comparison.train_name, TRAIN_COLOUR),
        (comparison.p_bayes, "P_B", BAYES_COLOUR),
    ):
        ranked = np.sort(p[p > 0])[::-1]
        ax.step(np.arange(1, len(ranked) + 1), ranked, where="post", color=colour, label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    if not (comparison.p_train > 0).any() and not (comparison.p_bayes > 0).any():
        ax.set_xlim(1, 10)  # nothing was kept: log axes need positive limits to draw at all
        ax.set_ylim(1e-3, 1)
        ax.text(0.5, 0.5, "no function kept", transform=ax.transAxes, ha="center")
    ax.set_xlabel("rank")
    ax.set_ylabel("probability")
    ax.legend(frameon=False, fontsize=9)
    ax.set_title("functions by rank", fontsize=10)
    return figure


def plot_error_mass(comparison: Comparison, *, ax: Axes | None = None) -> Figure:
    """Total probability on functions with each number of test errors, for both methods."""
    figure, ax = axes_or_new(ax, 4.2, 3.6)
    # EP scored only some functions: compare both methods on those
    scored = (comparison.p_bayes > 0) | (comparison.bayes_source != "ep")
    top = int(comparison.n_errors[scored].max(initial=0))
    edges = np.arange(top + 2)
    width = 0.4
    for shift, p, name, colour in (
        (-width / 2, np.where(scored, comparison.p_train, 0), comparison.train_name, TRAIN_COLOUR),
        (width / 2, comparison.p_bayes, "P_B", BAYES_COLOUR),
    ):
        mass = np.bincount(comparison.n_errors, weights=p, minlength=len(edges) - 1)[: top + 1]
        mass = mass / max(mass.sum(), 1e-300)  # a computed P_B covers only the listed functions
        ax.bar(edges[:-1] + shift, mass, width=width, color=colour, label=name)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # errors are counts
    ax.set_xlabel(f"test errors (of {comparison.n_test})")
    ax.set_ylabel("probability mass")
    ax.legend(frameon=False, fontsize=9)
    scope = "\n(the functions EP scored)" if comparison.bayes_source == "ep" else ""
    ax.set_title(f"mass by generalisation error{scope}", fontsize=10)
    return figure


def plot_comparison_panel(comparison: Comparison, *, title: str | None = None) -> Figure:
    """Scatter, ranks and error mass side by side (the gallery figure)."""
    figure = new_figure(13.0, 4.0, layout="constrained")
    axes = figure.subplots(1, 3, width_ratios=[1.25, 1, 1])
    plot_scatter(comparison, ax=axes[0])
    plot_ranks(comparison, ax=axes[1])
    plot_error_mass(comparison, ax=axes[2])
    if title:
        figure.suptitle(title)
    return figure


def plot_side_by_side(
    comparisons: Sequence[Comparison], titles: Sequence[str], *, at_least: int = 2
) -> Figure:
    """Scatter plots of several comparisons in one row (e.g. SGD beside rule-array evolution)."""
    figure = new_figure(4.8 * len(comparisons), 4.2, layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(comparisons)))
    for ax, comparison, title in zip(axes, comparisons, titles, strict=True):
        plot_scatter(
            comparison, at_least=at_least, ax=ax, title=f"{title}\n{within_decade(comparison)}"
        )
    return figure


def plot_ladder(rows: Sequence[dict[str, Any]], *, ax: Axes | None = None) -> Figure:
    """Generalisation error vs target K_LZ, with the majority-class baseline beside it.

    ``rows`` carry ``k_lz``, ``test_error`` (mean over runs), ``test_error_std`` (optional),
    ``majority_error`` and optionally ``bayes_error``.
    """
    figure, ax = axes_or_new(ax, 4.8, 3.6)
    k = np.array([row["k_lz"] for row in rows], dtype=float)
    order = np.argsort(k, kind="stable")
    k = k[order]

    def column(name: str) -> np.ndarray:
        return np.array([rows[i].get(name, np.nan) for i in order], dtype=float)

    error, spread = column("test_error"), column("test_error_std")
    ax.errorbar(
        k, error, yerr=spread, fmt="o-", lw=1, color=TRAIN_COLOUR, ms=4, capsize=2, label="SGD"
    )
    if np.isfinite(column("bayes_error")).any():
        ax.plot(k, column("bayes_error"), "s--", color=BAYES_COLOUR, ms=4, label="P_B")
    ax.plot(k, column("majority_error"), "^", color="#777777", ms=5, label="majority class")
    ax.set_xlabel("target K_LZ")
    ax.set_ylabel("test error")
    ax.set_ylim(0, 0.7)
    ax.legend(frameon=False, fontsize=9)
    ax.set_title("generalisation vs target complexity", fontsize=10)
    return figure


drawer("minimodels.analysis.bayes.protocol.Comparison")(plot_scatter)
drawer("minimodels.experiments.bayes.LadderResult")(
    lambda result, ax=None, **options: plot_ladder(result.rows, ax=ax, **options)
)
