"""The Occam papers' deep priors: P(K) per activation, one line per σw, beside random strings.

:func:`plot_occam` draws one P(K) panel per activation (log scale; a line per σw, the
distribution of uniformly random strings dashed grey) and a last panel with the mean K
against σw for every activation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minimodels.base.display import drawer
from minimodels.plotting.canvas import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from minimodels.experiments.occam import OccamResult

_SHADES = ("#f2a65a", "#d9622b", "#a3244f", "#5b3a8c", "#1f5f99", "#137a72")
_ACTIVATION = {"tanh": "#a3244f", "relu": "#1f5f99", "linear": "#2f7d32"}
_GREY = "#888888"


@drawer("minimodels.experiments.occam.OccamResult")
def plot_occam(result: OccamResult, ax: Any = None) -> Figure:
    """P(K) of each activation's nets for each σw, and mean K against σw."""
    config = result.config
    n_panels = len(config.activations) + 1
    figure = new_figure(4.0 * n_panels, 3.6, layout="constrained")
    axes = figure.subplots(1, n_panels)
    for ax, activation in zip(axes[:-1], config.activations, strict=True):
        ax.plot(result.random_k_values, result.random_p_k, "--", color=_GREY, lw=1.2,
                label="random strings")  # fmt: skip
        for i, sigma_w in enumerate(config.sigma_ws):
            p = result.point(activation, sigma_w)
            ax.plot(p.k_values, p.p_k, "o-", ms=3, lw=1.2, color=_SHADES[i % len(_SHADES)],
                    label=f"σw = {sigma_w:g} (n = {p.n_samples:,})")  # fmt: skip
        ax.set_yscale("log")
        ax.set_xlabel("Lempel–Ziv complexity K of the function")
        ax.set_ylabel("P(K)")
        ax.set_title(f"{activation}, σb = {config.sigma_b:g}", fontsize=10)
        ax.legend(fontsize=8, loc="upper center")
    ax = axes[-1]
    for activation in config.activations:
        points = [result.point(activation, s) for s in config.sigma_ws]
        ax.errorbar([p.sigma_w for p in points], [p.mean_k for p in points],
                    yerr=[p.se_k for p in points], fmt="o-", ms=4, capsize=3,
                    color=_ACTIVATION.get(activation, "#444444"), label=activation)  # fmt: skip
    ax.axhline(result.random_mean_k, ls="--", color=_GREY, lw=1.2, label="random strings")
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(config.sigma_ws), [f"{s:g}" for s in config.sigma_ws])
    ax.set_ylim(0, 1.1 * max(result.random_mean_k, max(p.mean_k for p in result.points)))
    ax.set_xlabel("σw")
    ax.set_ylabel("mean K of the functions drawn")
    ax.set_title("mean K against σw", fontsize=10)
    ax.legend(fontsize=8)
    model = config.model.replace("-" + "-".join(["64"] * 10) + "-", "-64×10-")
    n = config.model.split("-")[0]
    figure.suptitle(f"Random {model} nets on {{0,1}}^{n}: P(K) by activation and σw", fontsize=11)
    return figure


def plot_occam_generalisation(ladders: dict[str, Any]) -> Figure:
    """Test error of trained 7-64×10-1 nets against the target's K_LZ, one line per
    activation (``ladders``: activation → LadderResult), with the majority-class error."""
    figure = new_figure(6.0, 3.8, layout="constrained")
    ax = figure.add_subplot()
    for activation, ladder in ladders.items():
        rows = sorted((r for r in ladder.rows if r["test_error"] is not None),
                      key=lambda r: r["k_lz"])  # fmt: skip
        colour = _ACTIVATION.get(activation, "black")
        ax.errorbar([r["k_lz"] for r in rows], [r["test_error"] for r in rows],
                    yerr=[r["test_error_std"] for r in rows], marker="o", color=colour,
                    capsize=3, label=f"{activation}, trained (Adam to 100 % train)")  # fmt: skip
    first = next(iter(ladders.values()))
    rows = sorted(first.rows, key=lambda r: r["k_lz"])
    ax.plot([r["k_lz"] for r in rows], [r["majority_error"] for r in rows], color=_GREY,
            linestyle="--", label="majority class")  # fmt: skip
    ax.set_xlabel("K_LZ of the target")
    ax.set_ylabel("test error (held-out half)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    ax.set_title("Generalisation vs target complexity, 7-64×10-1 nets")
    return figure
