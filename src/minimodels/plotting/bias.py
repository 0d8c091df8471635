"""Simplicity-bias pictures (Valle-Pérez et al. 2019, Dingle et al. 2018), from a BiasAnalysis.

Each function draws one panel on ``ax`` (or a new figure) and returns the figure;
:func:`overview` puts the four side by side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minimodels.plotting import axes_or_new, new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from minimodels.sampling.analysis import BiasAnalysis

_DOTS = "#1f5f99"
_LINE = "#b5651d"
_GREY = "#888888"


def rank_plot(result: BiasAnalysis, ax: Axes | None = None) -> Figure:
    """P(f) against rank, log–log, with the Zipf line 1 / (ln(2^(2^n)) · r)."""
    from minimodels.sampling.analysis import zipf_line

    figure, ax = axes_or_new(ax)
    ranks = np.arange(1, len(result.probabilities) + 1)
    ax.loglog(ranks, result.probabilities, color=_DOTS, lw=1.5, label="sampled")
    ax.loglog(
        ranks,
        zipf_line(result.n_inputs, ranks),
        color=_LINE,
        ls="--",
        lw=1.2,
        label=r"Zipf $1/(\ln 2^{2^n}\, r)$",
    )
    floor = 1.0 / result.n_samples
    ax.axhline(floor, color=_GREY, lw=0.8, ls=":", label="seen once")
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
            label=f"log2 P = −{result.bound_a:.2f} K − {result.bound_b:.2f}",
        )
    ax.set_yscale("log")
    ax.set_ylim(0.5 / result.n_samples, 1.5)
    ax.set_xlabel(r"$K_{LZ}$")
    ax.set_ylabel("probability P(f)")
    ax.set_title("probability vs complexity")
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    return figure


def marginal_plot(result: BiasAnalysis, ax: Axes | None = None) -> Figure:
    """P(K) of the sampled functions beside that of uniformly random strings."""
    figure, ax = axes_or_new(ax)
    width = 1.4
    ax.bar(result.k_values - width / 2, result.p_k, width=width, color=_DOTS, label="sampled")
    ax.bar(
        result.random_k_values + width / 2,
        result.random_p_k,
        width=width,
        color=_GREY,
        label="random strings",
    )
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
    t = np.arange(len(p))
    ax.bar(t, p, width=1.0, color=_DOTS)
    ax.axhline(1.0 / len(p), color=_LINE, ls="--", lw=1.0, label="uniform")
    ax.set_yscale("log")
    ax.set_xlabel("number of ones in the truth table")
    ax.set_ylabel("probability")
    ax.set_title("entropy bias")
    ax.legend(frameon=False, fontsize=8)
    return figure


def overview(result: BiasAnalysis) -> Figure:
    """The four panels in a row."""
    figure = new_figure(17, 3.8, layout="constrained")
    axes = figure.subplots(1, 4)
    rank_plot(result, axes[0])
    complexity_plot(result, axes[1])
    marginal_plot(result, axes[2])
    ones_plot(result, axes[3])
    if result.label:
        figure.suptitle(result.label)
    return figure
