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

from minimodels.base.display import drawer
from minimodels.base.errors import UsageError
from minimodels.base.resources import check_memory
from minimodels.plotting.canvas import CA_COLOURS, RULE_PAIRS, axes_or_new, new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from minimodels.models.rulearray import RuleArray

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


def ca_colours(k: int) -> list[Any]:
    """``k`` distinct colours for a k-colour CA: white, black, then hues (evenly spaced if many)."""
    if k <= len(CA_COLOURS):
        return list(CA_COLOURS[:k])
    from matplotlib import colormaps

    hues = colormaps["turbo"](np.linspace(0.05, 0.95, k - 2))
    return [CA_COLOURS[0], CA_COLOURS[1], *hues]


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
        raise UsageError(f"a run must be a 2-D (steps + 1, width) array, got shape {states.shape}")

    check_memory(
        64 * states.size,  # a float RGB image, and matplotlib's RGBA copy of it
        f"drawing {states.shape[0]} rows of {states.shape[1]} cells",
        fix="lower the steps or the width",
    )
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


def row_shifts(height: int, brick: bool) -> np.ndarray:
    """Horizontal offset of each drawn row: brick rows sit between the two cells they read."""
    if not brick:
        return np.zeros(height)
    return np.where(np.arange(height) % 2 == 1, 0.5, 0.0)  # odd rows read (x, x+1)


def cell_pixels(image: np.ndarray, *, brick: bool, grid: bool, pixels: int = 8) -> np.ndarray:
    """Render cells as ``pixels`` x ``pixels`` blocks (a 1-pixel white seam when ``grid``).

    Brick rows are shifted by half a cell; one bitmap per picture keeps drawing fast.
    """
    height, width = image.shape[:2]
    blocks = np.repeat(np.repeat(image, pixels, axis=0), pixels, axis=1)
    if grid:
        seam = _rgb(GRID_COLOUR)
        blocks[pixels - 1 :: pixels] = seam
        blocks[:, pixels - 1 :: pixels] = seam
    if not brick:
        return blocks
    half = pixels // 2
    canvas = np.ones((height * pixels, width * pixels + half, 3))
    for t, shift in enumerate(row_shifts(height, brick)):
        offset = half if shift else 0
        canvas[t * pixels : (t + 1) * pixels, offset : offset + width * pixels] = blocks[
            t * pixels : (t + 1) * pixels
        ]
    return canvas


def draw_array(
    ax: Axes, image: np.ndarray, readout: int | None, grid: bool, brick: bool = False
) -> None:
    """Draw an RGB cell image ``(H, W, 3)`` on ``ax``, time down, the ``readout`` cell outlined."""
    height, width = image.shape[:2]
    right = width - 0.5 + (0.5 if brick else 0.0)
    pixels = 8 if grid else 1 + brick  # brick needs an even number of pixels per cell
    bitmap = cell_pixels(image, brick=brick, grid=grid, pixels=pixels)
    ax.imshow(bitmap, interpolation="nearest", extent=(-0.5, right, height - 0.5, -0.5))
    if readout is not None:
        from matplotlib.patches import Rectangle

        shift = row_shifts(height, brick)[-1]
        corner = (readout - 0.5 + shift, height - 1.5)
        ax.add_patch(
            Rectangle(corner, 1, 1, fill=False, edgecolor=READOUT_COLOUR, linewidth=1.6, zorder=3)
        )
    ax.set_xlim(-0.5, right)
    ax.set_ylim(height - 0.5, -0.5)
    _bare(ax)


def draw_rule_legend(
    figure: Figure, colours: dict[int, tuple[str, str]], *, brick: bool, **kwargs
) -> None:
    """A figure legend with one swatch (dark on light) per rule; And/Xor/Or named for bricks."""
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
    draw_array(ax, rule_array_image(array.rules, states, colours), readout, grid, array.brick)
    if title:
        ax.set_title(title, fontsize=10)
    if legend:
        draw_rule_legend(
            figure, colours, brick=array.brick, loc="outside lower center", ncols=len(colours)
        )
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
    n_cols = min(n, n_cols or int(np.ceil(np.sqrt(n * 1.6))))
    n_rows = int(np.ceil(n / n_cols))
    # Fixed layout (no layout engine: it dominates the drawing time of a big grid), in inches.
    gap, title, bottom = 0.12, 0.2, 0.45 if legend else 0.08
    panel_width = panel_inches * (array.width + 0.5 * array.brick) / array.width
    panel_height = panel_inches * (array.depth + 1) / array.width
    width = n_cols * (panel_width + gap) + gap
    height = n_rows * (panel_height + title) + bottom + gap
    figure = new_figure(width, height)
    colours = rule_colours(array.rules)
    grid = array.width <= 24 and array.depth <= 24
    for i in range(n):
        row, col = divmod(i, n_cols)
        left = gap + col * (panel_width + gap)
        top = height - gap - row * (panel_height + title) - title
        ax = figure.add_axes(
            (
                left / width,
                (top - panel_height) / height,
                panel_width / width,
                panel_height / height,
            )
        )
        image = rule_array_image(array.rules, states[i], colours)
        draw_array(ax, image, readout, grid, array.brick)
        label = labels[i] if labels else _input_label(inputs[i])
        ax.text(
            0.5, 1.02, f"{label} → {states[i, -1, readout]}", transform=ax.transAxes,
            ha="center", va="bottom", fontsize=7,
        )  # fmt: skip
    if legend:
        draw_rule_legend(figure, colours, brick=array.brick, loc="lower center", ncols=len(colours))
    return figure


def _input_label(row: np.ndarray) -> str:
    ones = np.flatnonzero(row)
    if len(ones) == 1:
        return f"x={ones[0]}"
    return "".join(str(int(v)) for v in row) if len(row) <= 12 else f"{len(ones)} ones"


# ---------------------------------------------------------------------- drawers
@drawer("rule-array")
def _draw_rule_array(
    array: Any, rows: np.ndarray, *, grid: bool, readout: int | None = None, ax: Any = None,
    **kwargs: Any,
) -> Figure:  # fmt: skip
    """One run of ``array`` (``rows`` one input) or a grid of runs (``rows`` a batch)."""
    if grid:
        return plot_rule_array_grid(array, rows, readout=readout, **kwargs)
    return plot_rule_array(array, rows, ax=ax, readout=readout, **kwargs)


drawer("ca-run")(plot_ca)
