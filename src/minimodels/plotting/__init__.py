"""Pictures, drawn with matplotlib's object-oriented API and never with pyplot.

Every plotting function takes an optional ``ax`` and returns the ``Figure`` it drew on.  A new
figure is a bare :class:`matplotlib.figure.Figure` (Agg canvas), so nothing here opens a window
or touches global state, and matplotlib is imported only when a picture is actually drawn.

Results draw themselves (``result.plot()``, and in Jupyter) through :mod:`minimodels.base.display`:
each module here registers, with ``@drawer``, the picture of the result types it draws, so
compute modules never import this package.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, cast

from minimodels.base.display import Drawable as Drawable  # the old home of the mixin

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Wolfram-style palette: light/dark pairs, one pair per rule in a rule array.
RULE_PAIRS: tuple[tuple[str, str], ...] = (
    ("#f6e7c8", "#b5651d"),  # sand / brown
    ("#d9e8f5", "#1f5f99"),  # pale blue / navy
    ("#e3f1dc", "#2f7d32"),  # pale green / green
    ("#f7dbe4", "#a3244f"),  # pink / crimson
    ("#ece3f5", "#5b3a8c"),  # lavender / purple
    ("#fff4c2", "#b08900"),  # cream / ochre
    ("#dff3f1", "#137a72"),  # mint / teal
    ("#eeeeee", "#444444"),  # greys
)
CA_COLOURS: tuple[str, ...] = ("#ffffff", "#222222", "#e8a33d", "#3b7dd8", "#c0392b", "#2e8b57")


def new_figure(width: float = 6.0, height: float = 4.0, **kwargs: Any) -> Figure:
    """A bare Agg-backed figure (no pyplot, no global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), **kwargs)
    FigureCanvasAgg(figure)
    return figure


def axes_or_new(ax: Axes | None, width: float = 6.0, height: float = 4.0) -> tuple[Figure, Axes]:
    """Draw on ``ax`` if given, else on a fresh single-axes figure."""
    if ax is not None:
        return cast("Figure", ax.figure), ax  # a SubFigure for axes drawn in one
    figure = new_figure(width, height, layout="constrained")
    return figure, figure.add_subplot()


def png_bytes(figure: Figure, *, dpi: int = 100) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


# Each plotting module registers the drawers of the results it draws (minimodels.base.display).
from minimodels.plotting import (  # noqa: E402
    automata as automata,
    bayes as bayes,
    bias as bias,
    evolution as evolution,
    grokking as grokking,
    nets as nets,
    spacetime as spacetime,
)
