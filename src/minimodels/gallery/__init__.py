"""The gallery: every registered experiment, run at laptop scale, as one HTML report.

Data model.  An experiment module (anything in :mod:`minimodels.experiments`) registers one or
more *sections* with the :func:`section` decorator.  A section builder receives a
:class:`Context` (quick or full scale, the seed, a progress callback) and returns a
:class:`Section`: a title, a short explanation, figures with captions, headline numbers, small
tables, and the config and command that reproduce it.  :func:`build` imports every experiment
module (so new sections appear without touching this file), runs the builders in ``order``,
and writes ``index.html`` plus one PNG per figure.  The report is written into a temporary
directory and swapped into place at the end, so an interrupted build never leaves a
half-written gallery; a section that raises is shown with its error and the build goes on.
"""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minimodels.progress import ProgressCallback

__all__ = ["Context", "FigureItem", "Section", "SectionSpec", "build", "registry", "section"]


@dataclass(frozen=True)
class Context:
    """What a section builder is told: scale, seed and where to report progress."""

    quick: bool = False
    seed: int = 0
    on_progress: ProgressCallback | None = None


@dataclass(frozen=True)
class FigureItem:
    name: str  # file stem, unique within the section
    figure: Any  # matplotlib Figure
    caption: str = ""


@dataclass
class Section:
    title: str
    intro: str  # plain text; blank lines separate paragraphs
    figures: list[FigureItem] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)  # headline numbers
    tables: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)  # (caption, rows)
    config: dict[str, Any] = field(default_factory=dict)  # reproduces the section
    command: str | None = None  # a CLI command that reproduces it

    def add_figure(self, name: str, figure: Any, caption: str = "") -> None:
        self.figures.append(FigureItem(name, figure, caption))


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    order: float
    build: Callable[[Context], Section]


_REGISTRY: dict[str, SectionSpec] = {}


def section(key: str, *, title: str, order: float = 100.0):
    """Register ``fn(context) -> Section`` as the gallery section ``key``."""

    def register(fn: Callable[[Context], Section]) -> Callable[[Context], Section]:
        _REGISTRY[key] = SectionSpec(key, title, order, fn)
        return fn

    return register


def discover() -> None:
    """Import every module of :mod:`minimodels.experiments` so their sections register."""
    import minimodels.experiments as package

    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)


def registry() -> list[SectionSpec]:
    discover()
    return sorted(_REGISTRY.values(), key=lambda spec: (spec.order, spec.key))


@dataclass
class SectionOutcome:
    spec: SectionSpec
    section: Section | None
    seconds: float
    error: str | None = None
    figure_files: list[str] = field(default_factory=list)


@dataclass
class GalleryReport:
    path: Path  # index.html
    outcomes: list[SectionOutcome]
    seconds: float

    @property
    def failures(self) -> list[SectionOutcome]:
        return [o for o in self.outcomes if o.error is not None]


def select(only: list[str] | None = None) -> list[SectionSpec]:
    specs = registry()
    if not only:
        return specs
    known = {spec.key for spec in specs}
    unknown = [key for key in only if key not in known]
    if unknown:
        raise ValueError(
            f"unknown gallery section {unknown[0]!r}; known sections: {', '.join(sorted(known))}"
        )
    return [spec for spec in specs if spec.key in only]


def build(
    out_dir: str | Path = "gallery",
    *,
    quick: bool = False,
    seed: int = 0,
    only: list[str] | None = None,
    on_section: Callable[[SectionSpec, int, int], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> GalleryReport:
    """Run the selected sections and write the report to ``out_dir``; returns what happened."""
    from minimodels.gallery import _html
    from minimodels.storage import prepare_out_dir, write_figure

    specs = select(only)
    out = Path(out_dir)
    prepare_out_dir(out.parent if str(out.parent) else ".")
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    started = time.perf_counter()
    outcomes: list[SectionOutcome] = []
    try:
        for number, spec in enumerate(specs):
            if on_section is not None:
                on_section(spec, number, len(specs))
            context = Context(quick=quick, seed=seed, on_progress=on_progress)
            t0 = time.perf_counter()
            try:
                result = spec.build(context)
                files = []
                (staging / spec.key).mkdir(exist_ok=True)
                for item in result.figures:
                    write_figure(staging / spec.key / item.name, item.figure)
                    files.append(f"{spec.key}/{item.name}.png")
                outcome = SectionOutcome(spec, result, time.perf_counter() - t0, None, files)
            except Exception as error:  # one broken section must not sink the report
                message = f"{type(error).__name__}: {error}"
                detail = traceback.format_exc(limit=-3)
                outcome = SectionOutcome(
                    spec, None, time.perf_counter() - t0, message + "\n" + detail
                )
            outcomes.append(outcome)
        elapsed = time.perf_counter() - started
        html = _html.render(outcomes, quick=quick, seed=seed, seconds=elapsed)
        (staging / "index.html").write_text(html, encoding="utf-8")
        _swap_into_place(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return GalleryReport(out / "index.html", outcomes, time.perf_counter() - started)


def _swap_into_place(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging`` with renames, so readers see the old or the new report."""
    if out.exists():
        if not out.is_dir():
            raise ValueError(f"gallery output {str(out)!r} exists and is not a directory")
        trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
        out.rename(trash / "old")
        staging.rename(out)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        staging.rename(out)
