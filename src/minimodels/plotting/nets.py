"""Pictures of continuous nets: functions, loss curves, neurons, weights (no pyplot)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from minimodels.base.display import drawer
from minimodels.plotting.canvas import axes_or_new, new_figure

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
    bins = np.linspace(0, max(1, steps.max()), 31).tolist()
    ax.hist(steps[fitted], bins=bins, color=LINE_COLOURS[0], label="fitted")
    if (~fitted).any():
        ax.hist(steps[~fitted], bins=bins, color=TARGET_COLOUR, label="not fitted")
        ax.legend(frameon=False)
    ax.set_xlabel("steps to stop")
    ax.set_ylabel("nets")
    ax.set_title(f"{result.n_nets} nets, {fitted.mean():.0%} fitted", fontsize=10)
    return figure


def plot_fit(fit: Any, *, ax: Axes | None = None, colour: str = LINE_COLOURS[0]) -> Figure:
    """Target (grey) and learned function over the extrapolation range; training interval shaded."""
    figure, ax = axes_or_new(ax, 5.0, 3.2)
    grid = fit.grid()
    lo, hi = fit.interval
    ax.axvspan(lo, hi, color="#f3efe6", zorder=0, lw=0)
    ax.plot(grid, fit.target(grid), color=TARGET_COLOUR, lw=2.2, label="target", zorder=1)
    ax.plot(grid, fit.predict(grid), color=colour, lw=1.5, label="net", zorder=2)
    ax.scatter(fit.x_train[:, 0], fit.y_train, s=5, color="#555555", zorder=3, lw=0)
    ax.set_xlim(*fit.extrapolation)
    span = np.ptp(fit.y_train) or 1.0
    ax.set_ylim(fit.y_train.min() - 0.6 * span, fit.y_train.max() + 0.6 * span)
    ax.set_xlabel("x")
    ax.set_title(f"{fit.model.name}: MSE {fit.final_loss:.1e}", fontsize=9)
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    return figure


def _neuron_panels(fit: Any) -> tuple[list[np.ndarray], np.ndarray]:
    grid = fit.grid(200)
    return fit.hidden(grid), grid


def plot_neurons(fit: Any, *, ax: Axes | None = None) -> Figure:
    """Every hidden neuron's value as a function of x, one small panel per neuron, laid out
    like the net: an MLP's layers are columns (input left), a mesh net's rows are rows.

    All panels share one Axes (cell (row, col) is the unit square at (col, −row)), which
    draws ~50× faster than one Axes per neuron.  Each curve has its own scale; the shaded band
    is the training interval, the thin line is 0.
    """
    from matplotlib.collections import LineCollection, PatchCollection
    from matplotlib.patches import Rectangle

    from minimodels.learners.nets.mesh import MeshNet

    hidden, grid = _neuron_panels(fit)
    mesh = isinstance(fit.model, MeshNet)
    n_layers = len(hidden)
    widest = max((h.shape[1] for h in hidden), default=1)
    # a net without hidden layers (e.g. 1-1) gets one empty panel that says so
    n_rows, n_cols = (max(n_layers, 1), widest) if mesh else (widest, max(n_layers, 1))
    size = (
        (0.62 * n_cols + 0.4, 0.5 * n_rows + 0.6)
        if mesh
        else (1.3 * n_cols + 1, 0.42 * n_rows + 0.7)
    )
    figure, ax = axes_or_new(ax, *size)
    x0, x1 = grid[0], grid[-1]
    lo, hi = fit.interval
    pad = 0.06  # gap between panels, in panel units
    inner = 1 - 2 * pad
    frames, bands, zeros, curves, colours = [], [], [], [], []
    for layer, values in enumerate(hidden):
        for neuron in range(values.shape[1]):
            span = max(np.abs(values[:, neuron]).max(), 1e-9)
            bottom = -span if values[:, neuron].min() < 0 else 0.0
            row, col = (layer, neuron) if mesh else (neuron, layer)
            left, base = col + pad, -row - 1 + pad
            frames.append(Rectangle((left, base), inner, inner))
            u0 = left + inner * (lo - x0) / (x1 - x0)
            u1 = left + inner * (hi - x0) / (x1 - x0)
            bands.append(Rectangle((u0, base), u1 - u0, inner))
            u = left + inner * (grid - x0) / (x1 - x0)
            v = base + inner * (0.05 + 0.9 * (values[:, neuron] - bottom) / (span - bottom))
            level = base + inner * (0.05 + 0.9 * -bottom / (span - bottom))
            zeros.append([(left, level), (left + inner, level)])
            curves.append(np.column_stack([u, v]))
            colours.append(LINE_COLOURS[layer % len(LINE_COLOURS)])
    ax.add_collection(PatchCollection(bands, facecolor="#f3efe6", edgecolor="none"))
    ax.add_collection(LineCollection(zeros, colors="#cccccc", linewidths=0.5))
    ax.add_collection(LineCollection(curves, colors=colours, linewidths=1.0))
    ax.add_collection(
        PatchCollection(frames, facecolor="none", edgecolor="#bbbbbb", linewidths=0.5)
    )
    if not hidden:
        ax.text(0.5, -0.5, "no hidden neurons", fontsize=8, ha="center", va="center")
    if not mesh:
        for layer in range(n_layers):
            ax.text(layer + pad, 0.05, f"layer {layer + 1}", fontsize=7, va="bottom")
    ax.set_xlim(0, n_cols)
    ax.set_ylim(-n_rows, 0.35 if not mesh else 0.05)
    ax.set_axis_off()
    ax.set_title(f"hidden neurons of {fit.model.name} as functions of x", fontsize=9)
    return figure


def net_layout(model: Any) -> tuple[list[np.ndarray], list[tuple[int, int, int, int, str]]]:
    """Node positions per layer and edges (layer, i, j, neighbour-or-column, weight key).

    Returned positions: one ``(n_nodes, 2)`` array per layer, input layer first, drawn top to
    bottom.  Edges connect node ``i`` of layer ``l`` to node ``j`` of layer ``l + 1``.
    """
    from minimodels.learners.nets.mesh import MeshNet, neighbour_offsets

    positions = []
    edges = []
    if isinstance(model, MeshNet):
        W, D = model.width, model.depth
        for t in range(D + 1):
            positions.append(np.column_stack([np.arange(W), np.full(W, -t)]).astype(float))
        assert model.readout is not None  # set by MeshNet.__post_init__
        positions.append(np.array([[float(model.readout), -(D + 1)]]))
        for t in range(1, D + 2):
            offsets = neighbour_offsets(model.r, t)
            targets = range(W) if t <= D else [model.readout]
            for j_index, j in enumerate(targets):
                for k, o in enumerate(offsets):
                    i = j + o
                    if 0 <= i < W:  # wrap-around edges are not drawn
                        edges.append((t - 1, i, j_index, k, "mesh"))
        return positions, edges
    widths = model.widths
    widest = max(widths)
    for layer, width in enumerate(widths):
        xs = np.arange(width) - (width - 1) / 2
        positions.append(
            np.column_stack(
                [xs * widest / max(width, 1) * 0.9, np.full(width, -layer * widest / 4)]
            )
        )
    for layer in range(len(widths) - 1):
        for i in range(widths[layer]):
            for j in range(widths[layer + 1]):
                edges.append((layer, i, j, 0, "mlp"))
    return positions, edges


def _edge_weights(model: Any, params: Any, edges: list) -> np.ndarray:
    weights = np.empty(len(edges))
    for n, (layer, i, j, k, kind) in enumerate(edges):
        if kind == "mlp":
            weights[n] = float(params[layer]["W"][i, j])
        elif layer < model.depth:
            weights[n] = float(params["W"][layer, j, k])
        else:
            weights[n] = float(params["W_out"][k])
    return weights


def plot_net(
    model: Any,
    params: Any,
    *,
    x: float | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    colorbar: bool = True,
) -> Figure:
    """The net drawn with weights as coloured edges (red +, blue −) and, at input ``x``,
    activations as coloured nodes (same colour map, scaled per picture)."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import TwoSlopeNorm

    positions, edges = net_layout(model)
    figure, ax = axes_or_new(ax, 4.5, 4.5)
    params_np = _to_numpy(params)
    weights = _edge_weights(model, params_np, edges)
    w_span = max(np.abs(weights).max(), 1e-9)
    order = np.argsort(np.abs(weights), kind="stable")  # faint first, strong drawn on top
    edges, weights = [edges[k] for k in order], weights[order]
    segments = [(positions[a][i], positions[a + 1][j]) for (a, i, j, _, _) in edges]
    cmap = "RdBu_r"
    lines = LineCollection(
        segments,
        array=weights,
        cmap=cmap,
        norm=TwoSlopeNorm(0.0, -w_span, w_span),
        linewidths=0.4 + 1.6 * np.abs(weights) / w_span,
        zorder=1,
    )
    ax.add_collection(lines)
    if x is not None:
        from minimodels.learners.nets.fitting import layer_values

        values = np.concatenate(
            [np.asarray(v, dtype=float)[0] for v in layer_values(model, params, [[x]])]
        )
        a_span = max(np.abs(values).max(), 1e-9)
        points = np.concatenate(positions)
        ax.scatter(points[:, 0], points[:, 1], c=values, cmap=cmap, vmin=-a_span, vmax=a_span,
                   s=40, edgecolors="#444444", linewidths=0.5, zorder=2)  # fmt: skip
    else:
        points = np.concatenate(positions)
        ax.scatter(points[:, 0], points[:, 1], c="white", s=30, edgecolors="#444444",
                   linewidths=0.5, zorder=2)  # fmt: skip
    # name the ends: inputs enter at the top, the output leaves at the bottom
    for layer, text in ((0, "input"), (len(positions) - 1, "output")):
        left = positions[layer][:, 0].min()
        ax.annotate(text, (left, positions[layer][0, 1]), xytext=(-8, 0),
                    textcoords="offset points", ha="right", va="center", fontsize=8,
                    color="#444444")  # fmt: skip
    ax.set_aspect("equal" if not hasattr(model, "widths") else "auto")
    ax.autoscale_view()
    ax.margins(0.06)
    ax.set_axis_off()
    label = title or model.name + ("" if x is None else f", activations at x = {x:g}")
    ax.set_title(label, fontsize=9)
    if colorbar:
        figure.colorbar(lines, ax=ax, shrink=0.6, label="weight", pad=0.02)
    return figure


def _to_numpy(params: Any) -> Any:
    import jax

    return jax.tree.map(np.asarray, params)


def plot_seeds(fits: list[Any], *, figure: Figure | None = None) -> Figure:
    """Several seeds side by side: learned functions on top, the nets' weights below."""

    n = len(fits)
    if figure is None:
        figure = new_figure(2.6 * n, 5.6, layout="constrained")
    axes = figure.subplots(2, n, squeeze=False, height_ratios=[1, 1.3])
    for k, fit in enumerate(fits):
        plot_fit(fit, ax=axes[0, k], colour=LINE_COLOURS[k % len(LINE_COLOURS)])
        axes[0, k].set_title(f"seed {k}: MSE {fit.final_loss:.1e}", fontsize=9)
        if k:
            axes[0, k].get_legend().remove()
        plot_net(fit.model, fit.params, ax=axes[1, k], title=f"weights, seed {k}", colorbar=False)
    return figure


# ---------------------------------------------------------------------- drawers
def _draw_evolved(result: Any, ax: Axes | None = None) -> Figure:
    return plot_loss_curves({"mutation": result.losses}, ax=ax, xlabel="attempted mutation")


def _draw_training(result: Any, ax: Axes | None = None) -> Figure:
    return plot_loss_curves({result.training.optimizer: result.losses}, ax=ax)


drawer("minimodels.learners.nets.fitting.Fit")(plot_fit)
drawer("minimodels.learners.nets.quantised.Evolved")(_draw_evolved)
drawer("minimodels.learners.nets.train.TrainResult")(_draw_training)
drawer("minimodels.learners.nets.train.ManyResult")(plot_steps_histogram)


@drawer("minimodels.experiments.nets.FitResult")
def _draw_fits(result: Any, ax: Axes | None = None, **options: Any) -> Figure:
    figure = None if ax is None else cast("Figure", ax.figure)
    return plot_seeds(result.fits, figure=figure, **options)


@drawer("minimodels.experiments.nets.BridgeResult")
def _draw_bridge(result: Any, ax: Axes | None = None, **options: Any) -> Figure:
    xlabel = "step (gradient update or attempted mutation)"
    return plot_loss_curves(result.curves(), ax=ax, xlabel=xlabel, **options)
