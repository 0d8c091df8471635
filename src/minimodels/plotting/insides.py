"""Pictures of a net's insides through training (:mod:`minimodels.experiments.insides`): a film
strip (one figure, a column per checkpoint) and an animation (one frame per checkpoint).

Both draw, for each checkpoint, the learned function (top; target grey, training points dark,
training interval shaded, as :func:`~minimodels.plotting.nets.plot_fit`) and below it every
hidden layer — an MLP's layers, a mesh net's rows — as the values of its neurons against x,
one line per neuron, each neuron keeping its colour from checkpoint to checkpoint.  The
curves are exactly the arrays the result holds (``result.outputs``, ``result.hidden``), and a
row keeps one y range across checkpoints, so a neuron's growth is seen as growth.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from minimodels.base.display import drawer
from minimodels.base.errors import UsageError
from minimodels.plotting.canvas import new_figure
from minimodels.plotting.nets import LINE_COLOURS, TARGET_COLOUR

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["animation_frame", "plot_film_strip", "save_animation"]

BAND_COLOUR = "#f3efe6"  # the training interval, as in plotting.nets


def _neuron_colours(width: int) -> list[Any]:
    """One colour per neuron of a layer (the same neuron, the same colour, at every step)."""
    from matplotlib import colormaps

    cmap = colormaps["tab10" if width <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(width)]


def _layer_name(result: Any, layer: int) -> str:
    return f"row {layer + 1}" if result.is_mesh else f"layer {layer + 1}"


def _output_limits(result: Any) -> tuple[float, float]:
    """The target's range with a margin, widened to show the net's output on the training
    interval at every checkpoint (at most 3 target spans beyond the target)."""
    y = result.y_train
    span = float(np.ptp(y)) or 1.0
    inside = (result.grid >= result.interval[0]) & (result.grid <= result.interval[1])
    outputs = np.concatenate([out[inside] for out in result.outputs])
    lo = max(
        min(float(y.min()) - 0.6 * span, float(outputs.min()) - 0.1 * span), y.min() - 3 * span
    )
    hi = min(
        max(float(y.max()) + 0.6 * span, float(outputs.max()) + 0.1 * span), y.max() + 3 * span
    )
    return float(lo), float(hi)


def _layer_limits(result: Any) -> list[tuple[float, float]]:
    """One y range per hidden layer, covering all its neurons at every checkpoint."""
    limits = []
    for layer in range(result.n_layers):
        values = np.concatenate([h[layer].ravel() for h in result.hidden])
        lo, hi = float(min(values.min(), 0.0)), float(max(values.max(), 0.0))
        pad = 0.06 * ((hi - lo) or 1.0)
        limits.append((lo - pad, hi + pad))
    return limits


def _step_title(result: Any, k: int) -> str:
    return f"step {result.checkpoints[k]}\nMSE {result.losses[k]:.1e}"


def _draw_output(ax: Axes, result: Any, k: int) -> Any:
    """The learned function at checkpoint ``k``; returns its line (the animation moves it)."""
    grid = result.grid
    ax.axvspan(*result.interval, color=BAND_COLOUR, zorder=0, lw=0)
    ax.plot(grid, result.target(grid), color=TARGET_COLOUR, lw=2.2, zorder=1)
    ax.scatter(result.x_train[:, 0], result.y_train, s=4, color="#555555", zorder=3, lw=0)
    (line,) = ax.plot(grid, result.outputs[k], color=LINE_COLOURS[0], lw=1.5, zorder=2)
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(*_output_limits(result))
    return line


def _draw_layer(ax: Axes, result: Any, k: int, layer: int, limits: tuple[float, float]) -> list:
    """Layer ``layer``'s neurons against x at checkpoint ``k``; returns their lines."""
    grid = result.grid
    values = result.hidden[k][layer]
    ax.axvspan(*result.interval, color=BAND_COLOUR, zorder=0, lw=0)
    ax.axhline(0.0, color="#cccccc", lw=0.5, zorder=0)
    lines = [
        ax.plot(grid, values[:, neuron], color=colour, lw=0.9, zorder=2)[0]
        for neuron, colour in enumerate(_neuron_colours(values.shape[1]))
    ]
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(*limits)
    return lines


def _ticks(limits: tuple[float, float]) -> list[float]:
    """A few round ticks inside ``limits`` (fixed once, so no panel runs a tick locator)."""
    from matplotlib.ticker import MaxNLocator

    lo, hi = limits
    return [
        float(t) for t in MaxNLocator(4, steps=[1, 2, 5, 10]).tick_values(lo, hi) if lo <= t <= hi
    ]


def plot_film_strip(result: Any, *, figure: Figure | None = None) -> Figure:
    """Columns: the checkpoints; rows: the learned function, then each hidden layer's
    neurons against x.

    The panels sit on a fixed grid with fixed ticks (no layout engine, no tick locator): a
    mesh net's 9 × 6 panels then draw in a fraction of the time constrained layout takes."""
    n_cols, n_rows = result.n_checkpoints, 1 + result.n_layers
    panel_w, panel_h, gap_w, gap_h = 1.55, 1.0, 0.2, 0.22  # inches
    left, right, top, bottom = 0.75, 0.15, 0.8, 0.5
    width = left + right + n_cols * panel_w + (n_cols - 1) * gap_w
    height = top + bottom + n_rows * panel_h + (n_rows - 1) * gap_h
    if figure is None:
        figure = new_figure(width, height)
    else:
        width, height = figure.get_size_inches()
    axes = figure.subplots(
        n_rows, n_cols, squeeze=False,
        gridspec_kw={
            "left": left / width, "right": 1 - right / width,
            "top": 1 - top / height, "bottom": bottom / height,
            "wspace": gap_w / panel_w, "hspace": gap_h / panel_h,
        },
    )  # fmt: skip
    limits = _layer_limits(result)
    for k in range(n_cols):
        _draw_output(axes[0, k], result, k)
        axes[0, k].set_title(_step_title(result, k), fontsize=9)
        for layer in range(result.n_layers):
            _draw_layer(axes[layer + 1, k], result, k, layer, limits[layer])
    # fixed ticks with plain labels, on the left column and the bottom row only: no panel
    # runs a tick locator or a formatter, and no axes are shared (sharing is quadratic)
    x_ticks = _ticks((result.grid[0], result.grid[-1]))
    for row, row_limits in enumerate([_output_limits(result), *limits]):
        y_ticks = _ticks(row_limits)
        for k, ax in enumerate(axes[row]):
            ax.set_yticks(y_ticks, [f"{t:g}" for t in y_ticks] if k == 0 else [])
            last = row == n_rows - 1
            ax.set_xticks(x_ticks, [f"{t:g}" for t in x_ticks] if last else [])
            ax.tick_params(labelsize=8, length=2)
    axes[0, 0].set_ylabel("net output", fontsize=9)
    for layer in range(result.n_layers):
        axes[layer + 1, 0].set_ylabel(_layer_name(result, layer), fontsize=9)
    for ax in axes[-1]:
        ax.set_xlabel("x", fontsize=9)
    figure.suptitle(
        f"{result.model.name} learning the {result.target_name}: every neuron's value "
        "against x as training goes on",
        fontsize=10,
        y=1 - 0.12 / height,
        va="top",
    )
    return figure


def _frame_layout(result: Any) -> tuple[int, int]:
    """(rows, columns) of the layer panels of one animation frame."""
    n = result.n_layers
    columns = min(n, 4) if n else 1
    return -(-max(n, 1) // columns), columns


class _Frames:
    """One figure whose lines are moved from checkpoint to checkpoint."""

    def __init__(self, result: Any, k: int = 0) -> None:
        self.result = result
        rows, columns = _frame_layout(result)
        self.figure = new_figure(2.4 * columns + 0.6, 2.2 + 1.7 * rows, layout="constrained")
        spec = self.figure.add_gridspec(1 + rows, columns, height_ratios=[1.4] + [1.0] * rows)
        top = self.figure.add_subplot(spec[0, :])
        self.output = _draw_output(top, result, k)
        top.set_ylabel("net output", fontsize=9)
        top.set_xlabel("x", fontsize=9)
        limits = _layer_limits(result)
        self.layers = []
        for layer in range(result.n_layers):
            ax = self.figure.add_subplot(spec[1 + layer // columns, layer % columns])
            self.layers.append(_draw_layer(ax, result, k, layer, limits[layer]))
            ax.set_title(_layer_name(result, layer), fontsize=9)
            ax.tick_params(labelsize=8, length=2)
        top.tick_params(labelsize=8, length=2)
        self.title = self.figure.suptitle("", fontsize=10)
        self.show(k)

    def show(self, k: int) -> list[Any]:
        result = self.result
        self.output.set_ydata(result.outputs[k])
        for layer, lines in enumerate(self.layers):
            for neuron, line in enumerate(lines):
                line.set_ydata(result.hidden[k][layer][:, neuron])
        self.title.set_text(
            f"{result.model.name} learning the {result.target_name}: step "
            f"{result.checkpoints[k]} of {result.loss_curve.size - 1}, MSE {result.losses[k]:.1e}"
        )
        return [self.output, *(line for lines in self.layers for line in lines), self.title]


def animation_frame(result: Any, k: int) -> Figure:
    """Frame ``k`` of :func:`save_animation` as a still figure."""
    return _Frames(result, k).figure


def save_animation(
    result: Any, path: str | os.PathLike[str], *, fps: int = 2, dpi: int = 100, mp4: bool = True
) -> list[Path]:
    """Write the animation (one frame per checkpoint) as a GIF at ``path`` (``.gif``), and, when
    ``mp4`` and ffmpeg is installed, as an MP4 beside it; returns the files written.

    Without ffmpeg only the GIF is written (Pillow comes with matplotlib).  Each file is
    written to a temporary name and renamed into place."""
    from matplotlib import animation

    from minimodels.plotting.canvas import styled

    target = Path(path)
    if target.suffix.lower() != ".gif":
        raise UsageError(f"the animation path must end in .gif, got {str(target)!r}", option="path")
    if isinstance(fps, bool) or not isinstance(fps, int | np.integer) or fps < 1:
        raise UsageError(f"fps must be a whole number of frames per second ≥ 1, got {fps!r}",
                         option="fps")  # fmt: skip
    if not target.parent.is_dir():
        raise UsageError(f"the folder {str(target.parent)!r} does not exist", option="path")
    writers: list[tuple[Path, Any]] = [(target, animation.PillowWriter(fps=fps))]
    if mp4 and animation.writers.is_available("ffmpeg"):
        writers.append((target.with_suffix(".mp4"), animation.FFMpegWriter(fps=fps)))
    written = []
    with styled():
        frames = _Frames(result, 0)
        frames.figure.canvas.draw()  # lay the frame out once, then keep that layout
        frames.figure.set_layout_engine("none")
        movie = animation.FuncAnimation(
            frames.figure, frames.show, frames=result.n_checkpoints, blit=False, repeat=False
        )
        for destination, writer in writers:
            handle, temporary = tempfile.mkstemp(
                prefix=f".{destination.stem}-", suffix=destination.suffix, dir=destination.parent
            )
            os.close(handle)
            try:
                movie.save(temporary, writer=writer, dpi=dpi)
                os.chmod(temporary, 0o666 & ~_umask())  # mkstemp made it private
                os.replace(temporary, destination)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
            written.append(destination)
    return written


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@drawer("minimodels.experiments.insides.InsidesResult")
def _draw_insides(result: Any, ax: Axes | None = None, **options: Any) -> Figure:
    figure = None if ax is None else cast("Figure", ax.figure)
    return plot_film_strip(result, figure=figure, **options)
