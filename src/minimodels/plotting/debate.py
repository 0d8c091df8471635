"""Pictures of the debate's experiments (:mod:`minimodels.experiments.debate`).

* landscape — :func:`plot_slices` (1-D and 2-D slices around a trained net),
  :func:`plot_paths` (straight path vs Bézier curve between two nets), :func:`plot_sharpness`
  (Keskar: sharpness vs batch size and vs test error), :func:`plot_minima` (stuck runs and
  distinct functions vs width; lazy vs rich vs the initialisation scale);
* double descent — :func:`plot_double_descent`;
* scaling — :func:`plot_scaling` (points, fitted laws, α ± its bootstrap error);
* implicit — :func:`plot_tracked` (after fitting) and :func:`plot_grokking_verdict`.

``result.plot()`` draws each experiment's main picture.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.ticker import LogLocator, NullFormatter

from minimodels.base.display import drawer
from minimodels.plotting.canvas import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "plot_double_descent",
    "plot_grokking_verdict",
    "plot_minima",
    "plot_paths",
    "plot_scaling",
    "plot_sharpness",
    "plot_slices",
    "plot_tracked",
]

CLEAN, NOISY, RIDGE = "#1f77b4", "#d62728", "#7f7f7f"
OPTIMIZER_COLOURS = {"adam": "#d62728", "sgd": "#1f77b4"}


def _rows(result: Any, part: str) -> list[dict[str, Any]]:
    return [r for r in result.rows if r.get("part", r.get("task")) == part]


def _median_curve(rows: Iterable[dict[str, Any]], x: str, y: str):
    groups: dict[Any, list[float]] = {}
    for r in rows:
        if r.get(y) is not None and np.isfinite(r[y]):
            groups.setdefault(r[x], []).append(r[y])
    xs = sorted(groups)
    return np.array(xs, dtype=float), np.array([np.median(groups[k]) for k in xs])


def plot_slices(result: Any) -> Figure:
    c, n = result.curves, result.numbers
    figure = new_figure(11.0, 4.2, layout="constrained")
    left, right = figure.subplots(1, 2)
    left.plot(c["alpha"], c["slice_train_loss"], color="black", label="train loss")
    left.plot(c["alpha"], c["slice_test_loss"], color=NOISY, label="test loss")
    left.set_xlabel(
        f"step along one {result.config.directions}-normalised direction"
        if result.config.directions == "filter"
        else "step along a random direction"
    )
    left.set_ylabel("mean squared error (±1 labels)")
    twin = left.twinx()
    twin.plot(c["alpha"], c["slice_test_error"], color=NOISY, linestyle=":", label="test error")
    twin.set_ylabel("test error (dotted)")
    twin.set_ylim(0, 1)
    left.legend(loc="upper center", frameon=False)
    left.set_title("1-D slice around net A")
    grid = c["grid"]
    surface = np.log10(np.maximum(c["slice_2d"], 1e-6))
    filled = right.contourf(grid, grid, surface, levels=20, cmap="viridis")
    right.contour(grid, grid, surface, levels=10, colors="white", linewidths=0.4)
    right.plot([0], [0], marker="*", color="white", markersize=12)
    figure.colorbar(filled, ax=right, label="log10 train loss")
    right.set_xlabel("direction 1")
    right.set_ylabel("direction 2")
    top = ", ".join(f"{v:.3g}" for v in n["top Hessian eigenvalues"])
    right.set_title(
        f"2-D slice; Hessian top eigenvalues {top}, "
        f"trace {n['Hessian trace']:.0f} ± {n['Hessian trace SE']:.0f}",
        fontsize=9,
    )
    return figure


def plot_paths(result: Any) -> Figure:
    c, n = result.curves, result.numbers
    figure = new_figure(10.0, 3.8, layout="constrained")
    left, right = figure.subplots(1, 2)
    left.plot(c["t"], c["line_train_loss"], color="black", label="straight line")
    left.plot(c["t"], c["curve_train_loss"], color=NOISY, label="trained Bézier curve")
    left.set_xlabel("t (A at 0, B at 1)")
    left.set_ylabel("train loss")
    left.set_title(
        f"barrier: straight {n['barrier, straight path']:.3g}, "
        f"curved {n['barrier, Bézier curve']:.3g}",
        fontsize=10,
    )
    left.legend(frameon=False)
    right.plot(c["t"], c["line_test_error"], color="black")
    right.plot(c["t"], c["curve_test_error"], color=NOISY)
    right.set_xlabel("t (A at 0, B at 1)")
    right.set_ylabel("test error")
    right.set_ylim(0, max(0.6, float(np.max(c["line_test_error"])) + 0.05))
    right.set_title(
        f"A and B are {n['distance A–B']:.3g} apart (‖A‖ = {n['weight norm A']:.3g})", fontsize=10
    )
    return figure


def plot_sharpness(result: Any) -> Figure:
    rows = [r for r in _rows(result, "sharpness") if not r["diverged"]]
    figure = new_figure(10.0, 3.8, layout="constrained")
    left, right = figure.subplots(1, 2)
    batches = sorted({r["batch_size"] for r in rows})
    colours = dict(zip(batches, ["#d62728", "#ff7f0e", "#2ca02c", "#1f77b4", "#9467bd"] * 3,
                       strict=False))  # fmt: skip
    for i, b in enumerate(batches):
        values = [r["sharpness"] for r in rows if r["batch_size"] == b]
        left.scatter(np.full(len(values), i) + np.linspace(-0.15, 0.15, len(values)), values,
                     s=14, color=colours[b], alpha=0.7)  # fmt: skip
        left.plot([i - 0.25, i + 0.25], [np.median(values)] * 2, color="black")
        errors = [r["test_error"] for r in rows if r["batch_size"] == b]
        right.scatter(values, errors, s=16, color=colours[b], alpha=0.8, label=f"batch {b}")
    left.set_xticks(range(len(batches)), [str(b) for b in batches])
    left.set_xlabel("SGD batch size")
    left.set_ylabel("top Hessian eigenvalue (sharpness)")
    left.set_title("Sharpness vs batch size (bar: median)")
    right.set_xlabel("sharpness")
    right.set_ylabel("test error")
    right.legend(frameon=False, fontsize=8)
    rho = result.summary()["rank correlation, sharpness vs test error"]
    right.set_title(f"Sharpness vs test error (Spearman ρ = {rho:.2f})")
    return figure


def plot_minima(result: Any) -> Figure:
    summary = result.summary()
    figure = new_figure(11.0, 3.6, layout="constrained")
    stuck_ax, scale_ax = figure.subplots(1, 2)
    widths = [int(w) for w in summary["stuck fraction by width"]]
    stuck = list(summary["stuck fraction by width"].values())
    distinct = list(summary["distinct functions among fitted runs by width"].values())
    runs = result.config.runs
    stuck_ax.plot(widths, stuck, marker="o", color="black", label="stuck (never fit S)")
    stuck_ax.plot(widths, np.array(distinct) / runs, marker="s", color=NOISY,
                  label=f"distinct functions / {runs} runs")  # fmt: skip
    stuck_ax.set_xscale("log", base=2)
    stuck_ax.set_xticks(widths, [str(w) for w in widths])
    stuck_ax.minorticks_off()
    stuck_ax.set_xlabel("hidden width (two layers)")
    stuck_ax.set_ylabel("fraction of runs")
    stuck_ax.set_ylim(-0.03, 1.03)
    stuck_ax.legend(frameon=False, fontsize=8)
    stuck_ax.set_title("Local minima vs width")
    rows = _rows(result, "init_scale")
    xs, moved = _median_curve(rows, "init_scale", "relative_movement")
    _, errors = _median_curve(rows, "init_scale", "test_error")
    scale_ax.plot(xs, moved, marker="o", color="black", label="‖θ_end − θ_0‖ / ‖θ_0‖")
    scale_ax.set_xscale("log", base=2)
    scale_ax.set_xticks(xs, [f"{x:g}" for x in xs])
    scale_ax.minorticks_off()
    scale_ax.set_xlabel("initialisation scale σw")
    scale_ax.set_ylabel("relative movement (median)")
    twin = scale_ax.twinx()
    twin.plot(xs, errors, marker="s", color=NOISY)
    twin.set_ylabel("test error (red)")
    units = result.numbers["distinct hidden units, constant init"]
    spread = result.numbers["unit spread, constant init, compiled Adam"]
    scale_ax.set_title(f"Lazy vs rich. Constant init: {units} distinct units per layer\n"
                       f"(exact order); spread {spread:.0e} under Adam (rounding)",
                       fontsize=9)  # fmt: skip
    return figure


def plot_double_descent(result: Any) -> Figure:
    figure = new_figure(14.0, 3.8, layout="constrained")
    axes = figure.subplots(1, 4)
    noise = result.config.noise
    thresholds = {"random_features": result.config.n_train, "polynomial": 20,
                  "mlp": result.config.n_train}  # fmt: skip
    titles = {
        "random_features": "Random ReLU features (min-norm)",
        "mlp": "One-hidden-layer MLPs",
        "polynomial": "Legendre polynomials (min-norm)",
    }
    for ax, part in zip(axes, ("random_features", "mlp", "polynomial"), strict=False):
        rows = _rows(result, part)
        for level, colour in ((0.0, CLEAN), (noise, NOISY)):
            chosen = [r for r in rows if r["noise"] == level and not r.get("ridge")]
            if chosen:
                xs, ys = _median_curve(chosen, "parameters", "test_mse")
                ax.plot(xs, ys, marker="o", markersize=3, color=colour,
                        label=f"label noise {level:g}")  # fmt: skip
        ridged = [r for r in rows if r.get("ridge")]
        if ridged:
            xs, ys = _median_curve(ridged, "parameters", "test_mse")
            ax.plot(xs, ys, color=RIDGE, linestyle="--", label=f"ridge {ridged[0]['ridge']:g}")
        ax.axvline(thresholds[part], color="black", linewidth=0.8, linestyle=":")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("parameters")
        ax.set_title(titles[part], fontsize=10)
        ax.legend(frameon=False, fontsize=7)
    axes[0].set_ylabel("test MSE (median over seeds; dotted: n)")
    deep = result.summary()["deep vs wide"]
    depths = list(deep)
    means = [deep[d]["mean test error"] or np.nan for d in depths]
    ses = [deep[d]["standard error"] or 0.0 for d in depths]
    axes[3].bar(range(len(depths)), means, yerr=ses, color="#999999", capsize=4)
    axes[3].set_xticks(range(len(depths)),
                       [f"{d}×{deep[d]['width']}" for d in depths])  # fmt: skip
    axes[3].set_xlabel("hidden layers × width")
    axes[3].set_ylabel("test error (fitted nets)")
    axes[3].set_title(f"Deep vs wide at {result.config.budget} parameters", fontsize=10)
    return figure


def plot_scaling(result: Any) -> Figure:
    from minimodels.experiments.debate.scaling import AXES

    laws = result.numbers["power laws"]
    figure = new_figure(13.0, 3.6, layout="constrained")
    axes = figure.subplots(1, 4)
    for ax, (name, (task, axis)) in zip(axes, AXES.items(), strict=True):
        rows = [r for r in result.rows if r["task"] == task and r["axis"] == axis]
        ax.scatter([r["n"] for r in rows], [r["test_loss"] for r in rows], s=12, color="black")
        law = laws.get(name)
        title = name
        if law and law["power law"]:
            n = np.geomspace(min(r["n"] for r in rows), max(r["n"] for r in rows), 100)
            ax.plot(n, law["a"] * n ** -law["alpha"] + law["c"], color=NOISY)
            title += f"\nα = {law['alpha']:.2f} ± {law['alpha_se']:.2f}, c = {law['c']:.2g}"
            if law["breaks_at"] is not None:
                ax.axvline(law["breaks_at"], color=RIDGE, linestyle="--", linewidth=0.8)
        elif law:  # the fit exists but misses the points: say so instead of drawing it
            title += f"\nno power law (RMS log deviation {law['residual']:.1f})"
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(axis)
        ax.set_title(title, fontsize=9)
    axes[0].set_ylabel("test loss")
    return figure


def plot_tracked(result: Any) -> Figure:
    rows = _rows(result, "tracked")
    keys = (("weight_norm", "weight norm"), ("k_lz", "K_LZ of the function"),
            ("sensitivity", "average sensitivity"), ("test_error", "test error"))  # fmt: skip
    figure = new_figure(13.0, 3.4, layout="constrained")
    axes = figure.subplots(1, 4)
    optimizers = sorted({r["optimizer"] for r in rows})
    for ax, (key, label) in zip(axes, keys, strict=True):
        for optimizer in optimizers:
            chosen = [r for r in rows if r["optimizer"] == optimizer]
            colour = OPTIMIZER_COLOURS.get(optimizer, "black")
            for run in sorted({r["run"] for r in chosen}):
                mine = sorted((r for r in chosen if r["run"] == run), key=lambda r: r["step"])
                ax.plot([r["step"] for r in mine], [r[key] for r in mine], color=colour,
                        alpha=0.25, linewidth=0.7)  # fmt: skip
            xs, ys = _median_curve(chosen, "step", key)
            ax.plot(xs, ys, color=colour, linewidth=2, label=optimizer)
            fits = [r["step"] for r in chosen if r["train_accuracy"] >= 1.0]
            if fits:
                first: dict[Any, Any] = {}
                for r in sorted(chosen, key=lambda r: r["step"]):
                    if r["train_accuracy"] >= 1.0:
                        first.setdefault(r["run"], r["step"])
                ax.axvline(np.median(list(first.values())), color=colour, linestyle=":")
        ax.set_xscale("log")
        ax.set_xlabel("step")
        ax.set_title(label, fontsize=10)
    axes[0].legend(frameon=False, title="dotted: first fit", title_fontsize=8)
    return figure


def plot_grokking_verdict(result: Any) -> Figure:
    rows = _rows(result, "grokking")
    losses = sorted({r["loss"] for r in rows}, reverse=True)
    figure = new_figure(4.6 * len(losses) + 1.0, 3.8, layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(losses)))
    wds = sorted({r["wd"] for r in rows})
    l1s = sorted({r["l1"] for r in rows})
    image = None
    for ax, loss in zip(axes, losses, strict=True):
        share = np.zeros((len(wds), len(l1s)))
        for iy, wd in enumerate(wds):
            for ix, l1 in enumerate(l1s):
                cell = [r for r in rows if r["loss"] == loss and r["wd"] == wd and r["l1"] == l1]
                share[iy, ix] = np.mean([r["generalised"] for r in cell])
                ink = "white" if share[iy, ix] < 0.5 else "black"
                count = f"{sum(r['generalised'] for r in cell)}/{len(cell)}"
                ax.text(ix, iy, count, ha="center", va="center", color=ink)
        image = ax.imshow(share, origin="lower", cmap="viridis", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(len(l1s)), [f"{v:g}" for v in l1s])
        ax.set_yticks(range(len(wds)), [f"{v:g}" for v in wds])
        ax.set_xlabel("L1 coefficient")
        ax.set_ylabel("weight decay")
        ax.set_title(f"loss {loss}")
    if image is not None:
        figure.colorbar(image, ax=list(axes), label="fraction of seeds that generalised")
    verdict = result.summary()["grokking"]
    figure.suptitle(f"“Grokking requires L1”: {verdict.get('verdict', 'untested')} "
                    f"(without L1: {verdict.get('generalised without L1', '—')} generalised)",
                    fontsize=11)  # fmt: skip
    return figure


@drawer("minimodels.experiments.debate.runs.DebateResult")
def _draw_debate(result: Any, ax: Any = None, **options: Any) -> Figure:
    return {
        "landscape": plot_slices,
        "double-descent": plot_double_descent,
        "scaling": plot_scaling,
        "implicit": plot_tracked,
    }[result.experiment](result)
