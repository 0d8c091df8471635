"""Simplicity-bias pictures (Valle-Pérez et al. 2019, Dingle et al. 2018), from a BiasAnalysis.

Each function draws one panel on ``ax`` (or a new figure) and returns the figure;
:func:`overview` puts the four side by side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.analysis.sampling.analysis import analyse, zipf_line
from minimodels.base.display import drawer
from minimodels.plotting.canvas import axes_or_new, new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from minimodels.analysis.sampling.analysis import BiasAnalysis

_DOTS = "#1f5f99"
_LINE = "#b5651d"
_GREY = "#888888"


def _signed(value: float) -> str:
    return f"{'+' if value >= 0 else '−'} {abs(value):.2f}"


def rank_plot(result: BiasAnalysis, ax: Axes | None = None) -> Figure:
    """P(f) against rank, log–log, with the Zipf line 1 / (ln(2^(2^n)) · r)."""

    figure, ax = axes_or_new(ax)
    p = result.probabilities
    # the curve is a staircase: its corners are enough (10^6 points draw slowly on log axes)
    starts = np.flatnonzero(np.r_[True, p[1:] != p[:-1]]) if len(p) else np.zeros(0, int)
    # each level from its first rank on, and the last rank
    keep = np.unique(np.r_[starts, len(p) - 1]) if len(p) else starts
    ranks = keep + 1.0
    ax.loglog(ranks, p[keep], color=_DOTS, lw=1.5, label="sampled", drawstyle="steps-post")
    ax.loglog(
        ranks,
        zipf_line(result.n_inputs, ranks),
        color=_LINE,
        ls="--",
        lw=1.2,
        label=r"Zipf $1/(\ln 2^{2^n}\, r)$",
    )
    if result.n_samples:  # an empty table has no "seen once" level
        ax.axhline(1.0 / result.n_samples, color=_GREY, lw=0.8, ls=":", label="seen once")
    ax.set_xlabel("rank")
    ax.set_ylabel("probability P(f)")
    ax.set_title("probability vs rank")
    ax.legend(frameon=False, fontsize=8)
    return figure


def complexity_plot(result: BiasAnalysis, ax: Axes | None = None) -> Figure:
    """P(f) against K_LZ(f) (log scale), the per-K maxima and the fitted bound."""
    figure, ax = axes_or_new(ax)
    rng = np.random.default_rng(0)  # horizontal jitter only, so the dots do not hide each other
    jitter = rng.uniform(-0.6, 0.6, size=len(result.k_lz))
    ax.scatter(
        result.k_lz + jitter,
        result.probabilities,
        s=5,
        color=_DOTS,
        alpha=0.5,
        linewidths=0,
        rasterized=True,
        label="functions",
    )
    points = result.bound_points
    ax.scatter(
        points["k"],
        2.0 ** points["log2_p"],
        s=16,
        color=_LINE,
        zorder=3,
        label="max per K (seen > once)",
    )
    if np.isfinite(result.bound_a):
        k = np.linspace(result.k_lz.min(), result.k_lz.max(), 50)
        ax.plot(
            k,
            2.0 ** (-result.bound_a * k - result.bound_b),
            color=_LINE,
            lw=1.2,
            label=f"log2 P = −{result.bound_a:.2f} K {_signed(-result.bound_b)}",
        )
    ax.set_yscale("log")
    ax.set_ylim(0.5 / max(1, result.n_samples), 1.5)
    ax.set_xlabel(r"$K_{LZ}$")
    ax.set_ylabel("probability P(f)")
    ax.set_title("probability vs complexity")
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    return figure


def marginal_plot(result: BiasAnalysis, ax: Axes | None = None) -> Figure:
    """P(K) of the sampled functions beside that of uniformly random strings."""
    figure, ax = axes_or_new(ax)
    # K_LZ of 128 bits comes in steps of 3.5: thick lines side by side instead of bars
    ax.vlines(result.k_values - 0.7, 0, result.p_k, color=_DOTS, lw=3, label="sampled")
    ax.vlines(
        result.random_k_values + 0.7, 0, result.random_p_k, color=_GREY, lw=3,
        label="random strings",
    )  # fmt: skip
    ax.set_ylim(0.5 * np.r_[result.p_k, result.random_p_k].min(initial=1.0), 1.5)
    ax.set_yscale("log")
    ax.set_xlabel(r"$K_{LZ}$")
    ax.set_ylabel("P(K)")
    ax.set_title("marginal P(K)")
    ax.legend(frameon=False, fontsize=8)
    return figure


def ones_plot(result: BiasAnalysis, ax: Axes | None = None) -> Figure:
    """P(number of ones), the entropy-bias picture; uniform would be 1/(2^n + 1)."""
    figure, ax = axes_or_new(ax)
    p = result.ones_distribution()
    ax.stairs(p, np.arange(len(p) + 1) - 0.5, fill=True, color=_DOTS)
    ax.set_ylim(bottom=0.5 * p[p > 0].min(initial=1.0))  # probabilities are ≤ 1
    ax.axhline(1.0 / len(p), color=_LINE, ls="--", lw=1.0, label="uniform")
    ax.set_yscale("log")
    ax.set_xlabel("number of ones in the truth table")
    ax.set_ylabel("probability")
    ax.set_title("entropy bias")
    ax.legend(frameon=False, fontsize=8)
    return figure


PANELS = {"rank": rank_plot, "complexity": complexity_plot, "marginal": marginal_plot,
          "ones": ones_plot}  # fmt: skip


def overview(result: BiasAnalysis, panels=("rank", "complexity", "marginal", "ones")) -> Figure:
    """The chosen panels in a row."""
    figure = new_figure(4.25 * len(panels), 3.8, layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(panels)))
    for name, ax in zip(panels, axes, strict=True):
        PANELS[name](result, ax)
    if result.label:
        figure.suptitle(result.label)
    return figure


def compare(results: list[BiasAnalysis], panels=("rank", "complexity")) -> Figure:
    """One row per result (e.g. per substrate), the chosen panels side by side."""
    figure = new_figure(4.6 * len(panels), 3.3 * len(results), layout="constrained")
    axes = figure.subplots(len(results), len(panels), squeeze=False)
    for row, result in zip(axes, results, strict=True):
        for name, ax in zip(panels, row, strict=True):
            PANELS[name](result, ax)
            ax.set_title(f"{result.label}" if name == panels[0] else ax.get_title(), fontsize=9)
    return figure


MARK_STYLES = {"constant 0": ("o", "#009E73"), "constant 1": ("s", "#009E73"),
               "parity": ("D", "#D55E00"), "not parity": ("^", "#D55E00")}  # fmt: skip


def plot_marked(result: BiasAnalysis, marks: list[dict[str, Any]]) -> Figure:
    """Rank and P–K panels with named functions marked.

    ``marks``: one dict per function with ``name``, ``count``, ``p`` (P, or its upper bound
    when ``count`` is 0), ``rank`` (None when never drawn) and ``k`` (its K_LZ).  A function
    never drawn is shown at its upper bound with a downward triangle.
    """
    figure = new_figure(9.5, 3.9, layout="constrained")
    rank_ax, k_ax = figure.subplots(1, 2)
    rank_plot(result, rank_ax)
    complexity_plot(result, k_ax)
    for mark in marks:
        marker, colour = MARK_STYLES.get(mark["name"], ("*", "black"))
        drawn = mark["count"] > 0
        label = mark["name"] + ("" if drawn else " (never drawn: P < 3/N)")
        style = {"color": colour, "s": 60, "zorder": 5, "edgecolors": "black", "linewidths": 0.6}
        if drawn:
            rank_ax.scatter([mark["rank"]], [mark["p"]], marker=marker, label=label, **style)
        k_ax.scatter([mark["k"]], [mark["p"]], marker=marker if drawn else "v", label=label,
                     **style)  # fmt: skip
    rank_ax.legend(frameon=False, fontsize=8, loc="lower left")
    k_ax.legend(frameon=False, fontsize=8, loc="upper right")
    return figure


@drawer("minimodels.analysis.sampling.tables.FunctionTable")
def _draw_table(table: Any, ax: Any = None) -> Figure:
    """The four simplicity-bias panels of a table (``ax`` is ignored: they need four axes)."""

    return overview(analyse(table, rng=np.random.default_rng(0)))


drawer("minimodels.analysis.sampling.analysis.BiasAnalysis")(
    lambda result, ax=None: overview(result)
)
