"""The canvas every picture is drawn on: a bare Agg figure (no pyplot, no global state), the
Wolfram-style palette, and PNG bytes of a figure.  matplotlib is imported only when a figure is
made."""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

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


STYLE = Path(__file__).with_name("minimodels.mplstyle")  # the one style sheet of every figure
_F = TypeVar("_F", bound=Callable[..., Any])


@contextlib.contextmanager
def styled() -> Iterator[None]:
    """Draw in the minimodels style (:data:`STYLE`); matplotlib's settings are restored after,
    so a notebook's own style is left as it was."""
    import matplotlib

    with matplotlib.rc_context(fname=str(STYLE)):
        yield


def with_style(fn: _F) -> _F:
    """``fn`` run inside :func:`styled`."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with styled():
            return fn(*args, **kwargs)

    return cast(_F, wrapper)


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
