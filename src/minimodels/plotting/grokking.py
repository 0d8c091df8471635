"""Grokking pictures: the accuracy curves, weight norm, Fourier spectra, neurons, phase diagrams.

Every function takes a finished run (:class:`minimodels.learners.grokking.GrokRun`) or phase diagram
and an optional ``ax``, and returns the Figure it drew on.  Steps are drawn on a log axis
(step 0, the initialisation, is left out there), as in Power et al. and Nanda et al.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.base.display import drawer
from minimodels.plotting.canvas import axes_or_new, new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_accuracy",
    "plot_fourier_spectrum",
    "plot_loss",
    "plot_neuron_frequency",
    "plot_phase_diagram",
    "plot_run",
    "plot_weight_norm",
]

TRAIN, TEST = "#1f5f99", "#c0392b"


def _positive_steps(run: Any) -> tuple[np.ndarray, np.ndarray]:
    steps = np.asarray(run.log["step"])
    keep = steps > 0
    return steps[keep], keep


def _log_steps(ax: Axes) -> None:
    """A log step axis with plain labels at 1, 2, 5 × 10^k (a short span keeps several)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def _mark_generalised(ax: Axes, run: Any) -> None:
    for key, style, label in (
        ("step_memorised", ":", "memorised"),
        ("step_generalised", "--", "generalised"),
    ):
        step = run.summary.get(key)
        if step:
            ax.axvline(step, color="0.45", linestyle=style, linewidth=1)
            ax.annotate(
                label,
                (step, 0.02),
                xycoords=("data", "axes fraction"),
                rotation=90,
                fontsize=9,
                color="0.3",
                ha="right",
                va="bottom",
            )


def plot_accuracy(run: Any, ax: Axes | None = None) -> Figure:
    """Train and test accuracy against steps on a log axis: the classic grokking picture."""
    fig, ax = axes_or_new(ax)
    steps, keep = _positive_steps(run)
    ax.plot(steps, run.log["train_accuracy"][keep], color=TRAIN, label="train")
    ax.plot(steps, run.log["test_accuracy"][keep], color=TEST, label="test")
    _log_steps(ax)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("step")
    ax.set_ylabel("accuracy")
    _mark_generalised(ax, run)
    ax.legend(loc="center left", frameon=False)
    ax.set_title(_describe(run.config), fontsize=9)
    return fig


def plot_loss(run: Any, ax: Axes | None = None) -> Figure:
    """Train/test loss (and Nanda's restricted/excluded loss where defined), log–log."""
    fig, ax = axes_or_new(ax)
    steps, keep = _positive_steps(run)
    ax.plot(steps, run.log["train_loss"][keep], color=TRAIN, label="train")
    ax.plot(steps, run.log["test_loss"][keep], color=TEST, label="test")
    restricted = run.log["restricted_loss"][keep]
    if np.all(np.isfinite(restricted)):
        ax.plot(steps, restricted, color="#2f7d32", label="restricted (key freqs only)")
        ax.plot(
            steps,
            run.log["excluded_loss"][keep],
            color="#b08900",
            label="excluded (train, key freqs removed)",
        )
    _log_steps(ax)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(f"loss ({run.config.loss})")
    _mark_generalised(ax, run)
    ax.legend(fontsize=7, frameon=False)
    return fig


def plot_weight_norm(run: Any, ax: Axes | None = None) -> Figure:
    """The total weight norm ‖θ‖₂ over training (log step axis)."""
    fig, ax = axes_or_new(ax)
    steps, keep = _positive_steps(run)
    ax.plot(steps, run.log["weight_norm"][keep], color="#5b3a8c")
    _log_steps(ax)
    ax.set_xlabel("step")
    ax.set_ylabel("total weight norm")
    _mark_generalised(ax, run)
    return fig


def plot_fourier_spectrum(run: Any, ax: Axes | None = None) -> Figure:
    """The embedding's power per frequency ω_k = 2πk/p: when memorised vs at the end."""
    fig, ax = axes_or_new(ax, 7.0, 3.5)
    power = np.asarray(run.log["fourier_power"])
    steps = np.asarray(run.log["step"])
    before_step = run.summary.get("step_memorised") or 0
    before = power[int(np.searchsorted(steps, before_step))]
    after = power[-1]
    k = np.arange(power.shape[1])
    ax.bar(k - 0.2, before, width=0.4, color="0.65", label=f"step {before_step} (memorised)")
    ax.bar(k + 0.2, after, width=0.4, color="#1f5f99", label=f"step {int(steps[-1])} (end)")
    for key in run.summary.get("key_frequencies", []):
        ax.annotate(
            f"{key}",
            (key + 0.2, after[key]),
            textcoords="offset points",
            xytext=(0, 2),
            ha="center",
            fontsize=8,
            color="#c0392b",
        )
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"frequency k  (ω_k = 2πk/{run.config.p})")
    ax.set_ylabel("share of embedding norm²")
    ax.set_xlim(-1, len(k))
    # the legend sits below the axis, never over a bar
    ax.legend(frameon=False, fontsize=8, ncols=2, loc="upper center",
              bbox_to_anchor=(0.5, -0.2))  # fmt: skip
    ax.set_title("embedding Fourier spectrum; key frequencies in red", fontsize=9)
    return fig


def neuron_frequency_power(W_rows: np.ndarray) -> np.ndarray:
    """``(n_neurons, p)`` weight rows → ``(n_neurons, p//2 + 1)`` Fourier power, rows sum to 1."""
    from minimodels.learners.grokking.measures import fourier_basis

    cos, sin = fourier_basis(W_rows.shape[1])
    power = (W_rows @ cos.T) ** 2 + (W_rows @ sin.T) ** 2
    return power / power.sum(axis=1, keepdims=True)


def plot_neuron_frequency(run: Any, ax: Axes | None = None, max_neurons: int = 256) -> Figure:
    """MLP: each hidden neuron's input weights (for ``a``) by Fourier frequency, sorted.

    A grokked MLP's neurons each use one frequency: the picture becomes a staircase of bright
    single cells (Gromov 2023, Fig. 3).
    """
    fig, ax = axes_or_new(ax, 6.0, 4.5)
    p = run.config.p
    W_in = np.asarray(run.params["W_in"]) if "W_in" in run.params else None
    if W_in is None or W_in.shape[1] != 2 * p:
        W_rows = np.asarray(run.params["W_E"])[:p].T  # transformer: embedding dimensions
        what = "embedding dimension"
    else:
        W_rows = W_in[:, :p]
        what = "hidden neuron"
    power = neuron_frequency_power(W_rows)[:, 1:]  # drop k = 0
    order = np.lexsort((-power.max(axis=1), power.argmax(axis=1)))[:max_neurons]
    image = ax.imshow(
        power[order],
        aspect="auto",
        cmap="magma",
        interpolation="nearest",
        extent=(0.5, power.shape[1] + 0.5, len(order), 0),
    )
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("frequency k")
    ax.set_ylabel(f"{what} (sorted by dominant k)")
    fig.colorbar(image, ax=ax, label="share of row norm²")
    return fig


def plot_run(run: Any) -> Figure:
    """Four panels: accuracy, loss, weight norm and the embedding spectrum."""
    fig = new_figure(11, 7.5, layout="constrained")
    axes = fig.subplots(2, 2)
    plot_accuracy(run, ax=axes[0, 0])
    plot_loss(run, ax=axes[0, 1])
    plot_weight_norm(run, ax=axes[1, 0])
    plot_fourier_spectrum(run, ax=axes[1, 1])
    return fig


def plot_phase_diagram(diagram: Any, ax: Axes | None = None) -> Figure:
    """Median steps to generalise per cell (colour, log scale); ✗ = not within the budget."""
    from matplotlib.colors import LogNorm

    fig, ax = axes_or_new(ax, 6.0, 4.8)
    c = diagram.config
    steps = diagram.median_generalised()
    finite = steps[np.isfinite(steps)]
    norm = (
        LogNorm(vmin=max(1, finite.min()), vmax=max(finite.max(), finite.min() + 1))
        if len(finite)
        else None
    )
    masked = np.ma.masked_invalid(steps)
    cmap = _cmap_with_bad()
    image = ax.imshow(masked, origin="lower", cmap=cmap, norm=norm, aspect="auto")
    for iy in range(steps.shape[0]):
        for ix in range(steps.shape[1]):
            text = "✗" if np.isnan(steps[iy, ix]) else f"{int(steps[iy, ix])}"
            ax.text(
                ix,
                iy,
                text,
                ha="center",
                va="center",
                fontsize=8,
                color="black" if np.isnan(steps[iy, ix]) else "white",
            )
    ax.set_xticks(range(len(c.x_values)), [str(v) for v in c.x_values])
    ax.set_yticks(range(len(c.y_values)), [str(v) for v in c.y_values])
    ax.set_xlabel(_AXIS_LABELS.get(c.x_axis, c.x_axis))
    ax.set_ylabel(_AXIS_LABELS.get(c.y_axis, c.y_axis))
    if norm is not None:
        from matplotlib.ticker import FormatStrFormatter, NullLocator

        bar = fig.colorbar(image, ax=ax, label="steps to generalise (test acc ≥ 0.99)")
        # five log-spaced ticks over the range, two significant digits (a log axis spanning
        # less than a decade would otherwise show one or two labels)
        ticks = np.geomspace(float(finite.min()), float(finite.max()), 5)
        digits = 1 - np.floor(np.log10(np.maximum(ticks, 1))).astype(int)
        rounded = sorted({round(float(t), int(d)) for t, d in zip(ticks, digits, strict=True)})
        bar.set_ticks(rounded)
        bar.ax.yaxis.set_major_formatter(FormatStrFormatter("%d"))
        bar.ax.yaxis.set_minor_locator(NullLocator())
    ax.set_title(
        f"{_describe(c.base, settings=False)}; ✗ = not within {diagram.budget} steps", fontsize=9
    )
    return fig


def _cmap_with_bad():
    from matplotlib import colormaps

    return colormaps["viridis_r"].with_extremes(bad="#e6e6e6")


_AXIS_LABELS = {
    "wd": "weight decay",
    "frac": "train fraction",
    "l1": "L1 coefficient",
    "loss": "loss",
    "init_scale": "initialisation scale",
    "lr": "learning rate",
}


def _describe(config: Any, settings: bool = True) -> str:
    model = "MLP" if config.model == "mlp" else "transformer"
    symbol = {"add": "+", "sub": "−", "mul": "×", "div": "÷"}.get(config.op)
    task = f"a {symbol} b" if symbol else config.op
    text = f"{model}, {task} mod {config.p}, {config.loss} loss"
    return text + (f", wd {config.wd}, frac {config.frac}" if settings else "")


drawer("minimodels.learners.grokking.sweep.PhaseDiagram")(plot_phase_diagram)
drawer("minimodels.learners.grokking.runs.GrokRun")(plot_accuracy)
