"""Pictures of learning by mutation: learning curves, trained arrays, change maps, bio patterns.

Every function returns a matplotlib ``Figure`` (drawn without pyplot); those that draw a single
panel take ``ax=None``.  Spacetime pictures come from :mod:`minimodels.plotting.spacetime`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.base.display import drawer
from minimodels.learners.bio import phenotype
from minimodels.plotting.canvas import axes_or_new, new_figure
from minimodels.plotting.spacetime import (
    READOUT_COLOUR,
    draw_array,
    draw_rule_legend,
    plot_ca,
    plot_rule_array_grid,
    row_shifts,
    rule_array_image,
    rule_colours,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from minimodels.analysis.changemap import GuidedRun
    from minimodels.learners.bio import BioEvolution
    from minimodels.learners.evolution import Evolution
    from minimodels.models.rulearray import RuleArray
    from minimodels.tasks import Task

WRONG_COLOUR = "#d62728"
CURVE_COLOURS = ("#1f5f99", "#b5651d", "#2f7d32", "#a3244f", "#5b3a8c", "#137a72", "#444444")


def _staircase(losses: np.ndarray, initial: float) -> tuple[np.ndarray, np.ndarray]:
    """x = attempts made (0 = the start), y = loss after them."""
    y = np.concatenate([[initial], losses])
    return np.arange(len(y)), y


def plot_learning_curve(
    results: Evolution | GuidedRun | Sequence[Evolution | GuidedRun],
    *,
    ax: Axes | None = None,
    log_x: bool = False,
    title: str | None = None,
) -> Figure:
    """Loss after every attempted mutation: a non-increasing staircase per run."""
    runs = [results] if not isinstance(results, Sequence) else list(results)
    figure, ax = axes_or_new(ax, 6.0, 3.2)
    for i, run in enumerate(runs):
        x, y = _staircase(run.losses, run.initial_loss)
        if log_x:
            x = x + 1  # attempt 0 (the start) sits at 1 on a log axis
        ax.step(x, y, where="post", color=CURVE_COLOURS[i % len(CURVE_COLOURS)], lw=1.2,
                alpha=0.9 if len(runs) < 4 else 0.6)  # fmt: skip
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel("attempted mutations" + (" + 1" if log_x else ""))
    ax.set_ylabel("loss")
    ax.set_ylim(bottom=-0.3)
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(title, fontsize=10)
    return figure


def plot_answers(array: RuleArray, task: Task, *, n_cols: int | None = None) -> Figure:
    """The array on every input: readout outlined, wrong answers flagged in red (✗)."""
    readout = task.readout[0]
    got = task.answers(array)
    wrong = (got != task.targets).any(axis=1)
    labels = []
    for i, row in enumerate(task.inputs):
        ones = np.flatnonzero(row)
        name = f"x={ones[0]}" if len(ones) == 1 else "".join(map(str, row[list(ones)]))
        if "n_bits" in task.info:  # Boolean task: name the case by its input bits
            name = format(i, f"0{task.info['n_bits']}b")
        mark = " ✗" if wrong[i] else ""
        held = "" if task.train[i] else " (held out)"
        labels.append(f"{name}{held}{mark}")
    figure = plot_rule_array_grid(array, task.inputs, readout=readout, n_cols=n_cols, labels=labels)
    for ax, bad in zip(figure.axes, wrong, strict=False):
        if bad:
            ax.title.set_color(WRONG_COLOUR)
            ax.set_axis_on()
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_edgecolor(WRONG_COLOUR)
                spine.set_linewidth(2.0)
    return figure


def _panel_row(
    arrays: Sequence[RuleArray],
    inputs: np.ndarray,
    titles: Sequence[str],
    *,
    readout: int | None,
    panel_inches: float = 1.5,
) -> Figure:
    """Several arrays run on one input, side by side, with one shared rule legend."""
    n = len(arrays)
    n_cols = min(n, 8)
    n_rows = int(np.ceil(n / n_cols))
    depth, width = arrays[0].shape
    aspect = (depth + 1) / width
    figure = new_figure(
        n_cols * panel_inches, n_rows * (panel_inches * aspect + 0.35) + 0.4, layout="constrained"
    )
    axes = figure.subplots(n_rows, n_cols, squeeze=False)
    all_rules = np.concatenate([np.asarray(a.rules).ravel() for a in arrays])
    colours = rule_colours(all_rules)
    for ax, array, title in zip(axes.flat, arrays, titles, strict=False):
        states = array.run(inputs)
        image = rule_array_image(array.rules, states, colours)
        draw_array(ax, image, readout, width <= 40, brick=array.brick)
        ax.set_title(title, fontsize=8, pad=2)
    for ax in list(axes.flat)[n:]:
        ax.set_axis_off()
    draw_rule_legend(
        figure, colours, brick=arrays[0].brick, loc="outside lower center", ncols=len(colours)
    )
    return figure


def plot_decreases(result: Evolution, *, case: int | None = None, max_panels: int = 8) -> Figure:
    """The array at each successive loss decrease, run on one input (``case``)."""
    task = result.task
    case = _showcase(task) if case is None else case
    drops = result.decreases()
    if len(drops) > max_panels:  # keep the first, the last and evenly spaced ones between
        keep = np.unique(np.round(np.linspace(0, len(drops) - 1, max_panels)).astype(int))
        drops = [drops[i] for i in keep]
    arrays = [result.array_at(step) for step, _ in drops]
    titles = [
        "start, loss " + f"{loss:g}" if step < 0 else f"attempt {step + 1}, loss {loss:g}"
        for step, loss in drops
    ]
    return _panel_row(arrays, task.inputs[case], titles, readout=_readout(task))


def plot_solutions(results: Sequence[Evolution], *, case: int | None = None) -> Figure:
    """Final arrays of several runs (seeds) side by side, on the same input."""
    task = results[0].task
    case = _showcase(task) if case is None else case
    titles = [f"run {i}: loss {r.final_loss:g}" for i, r in enumerate(results)]
    return _panel_row([r.array for r in results], task.inputs[case], titles, readout=_readout(task))


def _readout(task: Task) -> int | None:
    return task.readout[0] if len(task.readout) == 1 else None


def _showcase(task: Task) -> int:
    """An input worth looking at: the middle one whose target is 1 (else the middle one)."""
    if task.is_lifetime:
        return 0
    ones = np.flatnonzero(task.targets[:, 0] == 1)
    return int(ones[len(ones) // 2]) if ones.size else task.n_cases // 2


def plot_steps_histogram(
    steps_to_zero: Sequence[int | None], *, budget: int, ax: Axes | None = None
) -> Figure:
    """Histogram of attempts to zero loss (log bins); unsolved runs counted in the title."""
    figure, ax = axes_or_new(ax, 5.0, 3.0)
    solved = np.array([s for s in steps_to_zero if s is not None], dtype=float)
    if solved.size:
        low = np.log10(max(1.0, solved.min() / 2))
        bins = np.logspace(low, np.log10(max(budget, solved.max()) + 1), 30).tolist()
        ax.hist(np.maximum(solved, 1), bins=bins, color=CURVE_COLOURS[0], alpha=0.85)
        ax.axvline(np.median(solved), color=READOUT_COLOUR, lw=1.2, label="median")
        ax.legend(frameon=False, fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("attempted mutations to zero loss")
    ax.set_ylabel("runs")
    unsolved = len(steps_to_zero) - solved.size
    ax.set_title(f"{solved.size} of {len(steps_to_zero)} runs solved ({unsolved} not)", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    return figure


# ---------------------------------------------------------------------- change maps
def plot_change_map(
    array: RuleArray, inputs: np.ndarray, changes: np.ndarray, *, readout: int | None = None,
    ax: Axes | None = None, title: str | None = None, marker_colour: str = "#ff00aa",
) -> Figure:  # fmt: skip
    """The array run on ``inputs`` (one row) with cells whose rule change matters dotted."""
    states = array.run(np.asarray(inputs))
    height, width = states.shape
    size = min(0.3, 7.0 / max(height, width))
    figure, ax = axes_or_new(ax, size * width + 0.4, size * height + 0.4)
    colours = rule_colours(array.rules)
    image = rule_array_image(array.rules, states, colours)
    draw_array(ax, image, readout, width <= 40, brick=array.brick)
    rows, cols = np.nonzero(np.asarray(changes))  # rule rows; state row = rule row + 1
    shifts = row_shifts(height, array.brick)[rows + 1]
    ax.scatter(
        cols + shifts, rows + 1, s=14, c=marker_colour, marker="o", edgecolors="white", lw=0.4
    )
    if title:
        ax.set_title(title, fontsize=9)
    return figure


# ---------------------------------------------------------------------- biological evolution
def plot_bio_trace(result: BioEvolution, *, ax: Axes | None = None) -> Figure:
    """Lifetime after every attempted mutation, breakthroughs marked."""
    figure, ax = axes_or_new(ax, 6.0, 3.0)
    x = np.arange(result.n_steps + 1)
    y = np.concatenate([[1], result.lifetimes])
    ax.step(x, y, where="post", color=CURVE_COLOURS[0], lw=1.2)
    marks = result.breakthroughs
    ax.plot(marks + 1, result.lifetimes[marks], "o", ms=3, color=READOUT_COLOUR)
    ax.set_xlabel("attempted mutations")
    ax.set_ylabel("lifetime")
    ax.set_title(f"k = {result.k}: final lifetime {result.final_lifetime}", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    return figure


def plot_phenotypes(result: BioEvolution, *, max_panels: int = 10) -> Figure:
    """Phenotypes (patterns from one cell) at successive breakthroughs, Wolfram style."""
    shots = result.phenotypes_at_breakthroughs()
    if len(shots) > max_panels:
        keep = np.unique(np.round(np.linspace(0, len(shots) - 1, max_panels)).astype(int))
        shots = [shots[i] for i in keep]
    if not shots:
        shots = [(-1, _crop_null(result))]
    crops = [_crop(pattern) for _, pattern in shots]
    height = max(c.shape[0] for c in crops)
    widths = [c.shape[1] for c in crops]
    cell = min(0.06, 12.0 / max(sum(widths), 1), 5.0 / height)
    figure = new_figure(
        max(sum(widths) * cell + 0.3 * len(crops), 3), height * cell + 0.5, layout="constrained"
    )
    axes = figure.subplots(1, len(crops), squeeze=False, width_ratios=widths)[0]
    for ax, (step, _), crop in zip(axes, shots, crops, strict=True):
        padded = np.zeros((height, crop.shape[1]), dtype=crop.dtype)
        padded[: crop.shape[0]] = crop
        plot_ca(padded, k=result.k, ax=ax)
        ax.set_title(f"{step + 1}\nL={crop.shape[0] - 1}", fontsize=7)
    return figure


def _crop(pattern: np.ndarray) -> np.ndarray:
    cols = np.flatnonzero(pattern.any(axis=0))
    return pattern[:, cols[0] : cols[-1] + 1] if cols.size else pattern[:, :1]


def _crop_null(result: Any) -> np.ndarray:

    return phenotype(result.genome, k=result.k, cutoff=result.cutoff)


def plot_lifetimes(
    lifetimes: Mapping[int, Sequence[int]], *, cutoff: int, steps: int, ax: Axes | None = None
) -> Figure:
    """Final lifetimes of many runs, one column per number of colours k (median in red)."""
    figure, ax = axes_or_new(ax, 4.0, 3.0)
    jitter = np.random.default_rng(0)  # horizontal jitter only, for legibility
    for i, lives in enumerate(lifetimes.values()):
        x = i + jitter.uniform(-0.15, 0.15, len(lives))
        ax.plot(x, lives, "o", ms=4, alpha=0.7, color=CURVE_COLOURS[i % len(CURVE_COLOURS)])
        ax.hlines(np.median(lives), i - 0.3, i + 0.3, color=READOUT_COLOUR, lw=1.5)
    ax.set_xticks(range(len(lifetimes)), [f"k = {k}" for k in lifetimes])
    ax.axhline(cutoff, color="#888888", lw=0.8, ls="--")
    ax.set_ylabel(f"lifetime after {steps} attempts")
    ax.spines[["top", "right"]].set_visible(False)
    return figure


# ---------------------------------------------------------------------- multiway graphs
def plot_multiway(
    multiway: Any, *, start: int | None = None, max_nodes: int = 400, ax: Axes | None = None
) -> Figure:
    """The part of the multiway graph reachable from ``start``, laid out in layers of loss.

    Nodes are arrays (green: zero loss), edges single mutations the acceptance rule keeps;
    neutral (same-loss) edges run sideways.  Only strictly improving edges are followed when
    the reachable part is larger than ``max_nodes``.
    """
    import networkx as nx

    graph = multiway.graph
    losses = multiway.losses
    if start is None:  # a worst start that can still reach zero loss
        reach = np.flatnonzero(multiway.distance_to_zero >= 0)
        start = int(reach[np.argmax(losses[reach])]) if reach.size else 0
    nodes = {start} | nx.descendants(graph, start)
    strict = len(nodes) > max_nodes
    if strict:
        downhill = nx.DiGraph(
            (u, v) for u, v in graph.edges if losses[v] < losses[u]
        )  # fmt: skip
        downhill.add_node(start)
        nodes = {start} | nx.descendants(downhill, start)
        sub = downhill.subgraph(nodes)
    else:
        sub = graph.subgraph(nodes)
    layers: dict[int, list[int]] = {}
    for node in sorted(nodes):
        layers.setdefault(int(losses[node]), []).append(node)
    position: dict[int, tuple[float, float]] = {}
    for loss in sorted(layers, reverse=True):  # top layer first; order by parents' mean x
        members = layers[loss]
        keys = []
        for node in members:
            parents = [position[p][0] for p in sub.predecessors(node) if p in position]
            keys.append(np.mean(parents) if parents else 0.0)
        members = [m for _, m in sorted(zip(keys, members, strict=True))]
        for i, node in enumerate(members):
            position[node] = ((i + 0.5) / len(members) - 0.5, float(loss))
    figure, ax = axes_or_new(ax, 6.5, 4.5)
    for u, v in sub.edges:
        (x0, y0), (x1, y1) = position[u], position[v]
        ax.plot([x0, x1], [y0, y1], color="#777777", lw=0.5, alpha=0.6, zorder=1)
    xs = np.array([position[n][0] for n in sub.nodes])
    ys = np.array([position[n][1] for n in sub.nodes])
    colours = ["#2f7d32" if losses[n] == 0 else "#1f5f99" for n in sub.nodes]
    ax.scatter(xs, ys, s=10 if len(xs) > 100 else 30, c=colours, zorder=2)
    ax.scatter(*position[start], s=80, facecolors="none", edgecolors=READOUT_COLOUR, zorder=3)
    from matplotlib.ticker import MaxNLocator

    ax.set_xticks([])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("loss")
    ax.invert_yaxis()
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    kind = "strictly improving" if strict else "kept"
    ax.set_title(
        f"{len(nodes)} arrays reachable from the circled start by {kind} mutations", fontsize=9
    )
    return figure


# ---------------------------------------------------------------------- drawers
def _draw_change_map(result: Any, ax: Axes | None = None, *, case: int = 0) -> Figure:
    """A change map on input ``case``: the cells whose rule change would flip the output."""
    readout = result.task.readout[0] if len(result.task.readout) == 1 else None
    return plot_change_map(
        result.array, result.task.inputs[case], result.output_changes[case], readout=readout, ax=ax
    )


drawer("minimodels.analysis.changemap.ChangeMap")(_draw_change_map)
drawer("minimodels.learners.bio.BioEvolution")(plot_bio_trace)
drawer("minimodels.analysis.multiway.Multiway")(plot_multiway)
drawer("minimodels.learners.evolution.Evolution")(plot_learning_curve)
