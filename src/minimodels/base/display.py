"""Results draw themselves: the display protocol between compute and pictures.

Data model.  A result class inherits :class:`Drawable`; ``result.plot(ax=None, **options)``
looks up the *drawer* registered for the result's class (or the nearest base class) and
returns the ``matplotlib.figure.Figure`` it drew, and Jupyter shows ``_repr_png_``.  Drawers
are registered by the plotting modules with ``@drawer("module.ClassName")`` (a dotted name,
so plotting need not import the compute modules either), and pictures of plain arrays by a
short name (``@drawer("ca-run")``, drawn with :func:`draw_as`).

So compute code never imports plotting, and neither does this module: the registry is filled
when :mod:`minimodels.plotting` is imported, which the package root (the top of the house)
arranges by handing :func:`set_loader` a function that imports it; :func:`draw` calls it on
first use.  The plotting package also hands :func:`set_style` the context in which every
drawer runs (its style sheet), so a result draws itself in the lab's style.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

__all__ = ["Drawable", "draw", "draw_as", "drawer", "set_loader", "set_style"]

_DRAWERS: dict[str, Callable[..., Any]] = {}
_LOADERS: list[Callable[[], Any]] = []  # each imports modules that register drawers
_STYLE: list[Callable[[], Any]] = [contextlib.nullcontext]  # the context drawers run in


def set_loader(load: Callable[[], Any]) -> None:
    """Have ``load()`` run before the first drawing (the package root imports plotting so)."""
    _LOADERS.append(load)


def set_style(context: Callable[[], Any]) -> None:
    """Run every drawer inside ``context()`` (a context manager: the figure style)."""
    _STYLE[0] = context


def drawer(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(obj, ax=None, **options) -> Figure`` for the class with dotted ``name``
    (``"minimodels.learners.evolution.Evolution"``) or for a named picture (``"ca-run"``)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        _DRAWERS[name] = fn
        return fn

    return register


def _load_drawers() -> None:
    while _LOADERS:
        _LOADERS.pop(0)()


def draw(obj: Any, ax: Any = None, **options: Any) -> Any:
    """The figure of ``obj``, drawn by the drawer of its class (or the nearest base class)."""
    _load_drawers()
    for cls in type(obj).__mro__:
        fn = _DRAWERS.get(f"{cls.__module__}.{cls.__qualname__}")
        if fn is not None:
            with _STYLE[0]():
                return fn(obj, ax=ax, **options)
    raise TypeError(f"no drawer is registered for {type(obj).__qualname__}")


def draw_as(name: str, *args: Any, **options: Any) -> Any:
    """The figure drawn by the drawer registered under ``name`` (pictures of plain arrays)."""
    _load_drawers()
    with _STYLE[0]():
        return _DRAWERS[name](*args, **options)


class Drawable:
    """Mixin: ``plot(ax=None, **options) -> Figure`` by the registered drawer, and a PNG for
    Jupyter."""

    def plot(self, *, ax: Any = None, **options: Any) -> Any:
        return draw(self, ax=ax, **options)

    def _repr_png_(self) -> bytes:
        import io

        buffer = io.BytesIO()
        self.plot().savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        return buffer.getvalue()
