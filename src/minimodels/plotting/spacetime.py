"""Wolfram-style spacetime pictures of CA runs and rule arrays.

Time runs down from the input row; cells are square; there are no axes, ticks or frames.  A CA
with k colours uses :data:`~minimodels.plotting.CA_COLOURS` (white, black, then colours).  In a
rule array every cell is drawn in its rule's light/dark pair from
:data:`~minimodels.plotting.RULE_PAIRS` (dark when its value is 1); the input row, which no
rule computes, is drawn in greys; a legend names the rules.  A batch of inputs becomes a grid
of small pictures with the readout cell outlined.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.plotting import CA_COLOURS, RULE_PAIRS, axes_or_new, new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from minimodels.rulearray import RuleArray

INPUT_PAIR = ("#e4e4e4", "#202020")  # the input row: light grey / near-black
READOUT_COLOUR = "#d62728"
GRID_COLOUR = "#ffffff"


def _rgb(colour: str) -> np.ndarray:
    from matplotlib.colors import to_rgb

    return np.array(to_rgb(colour))


def _bare(ax: Axes) -> None:
    ax.set_axis_off()
    ax.set_aspect("equal")


def _cell_size(height: int, width: int, *, max_inches: float = 7.0) -> float:
    """Inches per cell so the longer side is at most ``max_inches`` (and cells stay visible)."""
    return min(0.25, max_inches / max(height, width))


def ca_colours(k: int) -> list[str]:
    """``k`` colours for a k-colour CA: white, black, then distinct hues (cycled if needed)."""
    return [CA_COLOURS[i % len(CA_COLOURS)] for i in range(k)]


def plot_ca(
    states: np.ndarray,
    *,
    k: int | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """A CA run ``(steps + 1, W)`` as a picture: row 0 at the top, one square per cell."""
    states = np.asarray(states)
    if states.ndim != 2:
        raise ValueError(f"a run must be a 2-D (steps + 1, width) array, got shape {states.shape}")
    k = int(states.max()) + 1 if k is None else k
    k = max(k, 2)
    size = _cell_size(*states.shape)
    figure, ax = axes_or_new(ax, size * states.shape[1] + 0.2, size * states.shape[0] + 0.2)
    palette = np.stack([_rgb(c) for c in ca_colours(k)])
    ax.imshow(palette[states], interpolation="nearest")
    _bare(ax)
    if title:
        ax.set_title(title, fontsize=10)
    return figure


def rule_colours(rules: Any) -> dict[int, tuple[str, str]]:
    """A light/dark colour pair per rule, assigned in ascending rule order."""
    unique = sorted({int(v) for v in np.asarray(rules).ravel()})
    return {rule: RULE_PAIRS[i % len(RULE_PAIRS)] for i, rule in enumerate(unique)}


def rule_array_image(rules: np.ndarray, states: np.ndarray, colours=None) -> np.ndarray:
    """RGB image ``(depth + 1, W, 3)``: input row in greys, every other cell its rule's pair."""
    colours = rule_colours(rules) if colours is None else colours
    depth, width = rules.shape
    image = np.empty((depth + 1, width, 3))
    light, dark = _rgb(INPUT_PAIR[0]), _rgb(INPUT_PAIR[1])
    image[0] = np.where(states[0][:, None] == 1, dark, light)
    for rule, (light_colour, dark_colour) in colours.items():
        light, dark = _rgb(light_colour), _rgb(dark_colour)
        cells = rules == rule  # (depth, W)
        values = states[1:] == 1
        image[1:][cells & values] = dark
        image[1:][cells & ~values] = light
    return image


def _draw_array(ax: Axes, image: np.ndarray, readout: int | None, grid: bool) -> None:
    height, width = image.shape[:2]
    ax.imshow(image, interpolation="nearest")
    if grid:
        ax.hlines(np.arange(-0.5, height), -0.5, width - 0.5, colors=GRID_COLOUR, linewidth=0.4)
        ax.vlines(np.arange(-0.5, width), -0.5, height - 0.5, colors=GRID_COLOUR, linewidth=0.4)
    if readout is not None:
        from matplotlib.patches import Rectangle

        ax.add_patch(
            Rectangle(
                (readout - 0.5, height - 1.5),
                1,
                1,
                fill=False,
                edgecolor=READOUT_COLOUR,
                linewidth=1.6,
                zorder=3,
            )
        )
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(height - 0.5, -0.5)
    _bare(ax)


def _legend(figure: Figure, colours: dict[int, tuple[str, str]], *, brick: bool, **kwargs) -> None:
    from matplotlib.patches import Patch

    names = {8: "And", 6: "Xor", 14: "Or"} if brick else {}
    handles = [
        Patch(facecolor=dark, edgecolor=light, linewidth=3, label=_rule_label(rule, names))
        for rule, (light, dark) in colours.items()
    ]
    figure.legend(handles=handles, frameon=False, fontsize=9, handlelength=1.2, **kwargs)


def _rule_label(rule: int, names: dict[int, str]) -> str:
    return f"rule {rule} ({names[rule]})" if rule in names else f"rule {rule}"


def plot_rule_array(
    array: RuleArray,
    inputs: np.ndarray,
    *,
    ax: Axes | None = None,
    readout: int | None = None,
    legend: bool = True,
    grid: bool | None = None,
    title: str | None = None,
) -> Figure:
    """One run of a rule array: each cell in its rule's colours, dark when its value is 1."""
    states = array.run(np.asarray(inputs))
    colours = rule_colours(array.rules)
    height, width = states.shape
    size = _cell_size(height, width)
    figure, ax = axes_or_new(ax, size * width + 0.4, size * height + (0.6 if legend else 0.2))
    grid = width <= 80 and height <= 80 if grid is None else grid
    _draw_array(ax, rule_array_image(array.rules, states, colours), readout, grid)
    if title:
        ax.set_title(title, fontsize=10)
    if legend:
        _legend(figure, colours, brick=array.brick, loc="outside lower center", ncols=len(colours))
    return figure


def plot_rule_array_grid(
    array: RuleArray,
    inputs: np.ndarray,
    *,
    readout: int | None = None,
    n_cols: int | None = None,
    labels: list[str] | None = None,
    legend: bool = True,
    panel_inches: float = 1.3,
) -> Figure:
    """A batch of runs as a grid of small pictures, the readout cell of the last row outlined.

    Each panel is titled by its input (or ``labels``) and the value read out.
    """
    inputs = np.asarray(inputs)
    states = array.run(inputs)  # (n, depth + 1, W)
    n = states.shape[0]
    readout = array.width // 2 if readout is None else readout
    n_cols = n_cols or int(np.ceil(np.sqrt(n * 1.6)))
    n_rows = int(np.ceil(n / n_cols))
    aspect = (array.depth + 1) / array.width
    figure = new_figure(
        n_cols * panel_inches,
        n_rows * panel_inches * aspect + 0.22 * n_rows + (0.5 if legend else 0.1),
        layout="constrained",
    )
    colours = rule_colours(array.rules)
    axes = figure.subplots(n_rows, n_cols, squeeze=False)
    grid = array.width <= 24 and array.depth <= 24
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.set_axis_off()
            continue
        image = rule_array_image(array.rules, states[i], colours)
        _draw_array(ax, image, readout, grid)
        label = labels[i] if labels else _input_label(inputs[i])
        ax.set_title(f"{label} → {states[i, -1, readout]}", fontsize=7, pad=2)
    if legend:
        _legend(figure, colours, brick=array.brick, loc="outside lower center", ncols=len(colours))
    return figure


def _input_label(row: np.ndarray) -> str:
    ones = np.flatnonzero(row)
    if len(ones) == 1:
        return f"x={ones[0]}"
    return "".join(str(int(v)) for v in row) if len(row) <= 12 else f"{len(ones)} ones"
