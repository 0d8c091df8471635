"""The gallery: every registered experiment, run at laptop scale, as one HTML report.

Data model.  The sections live in :mod:`minimodels.gallery.sections`, one module per
experiment family, each registering its *sections* with the :func:`section` decorator; the
experiment modules they run (:mod:`minimodels.experiments`) are pure compute and never import
the gallery.  A section builder receives a :class:`Context` (quick or full scale, the seed, a
progress callback) and returns a :class:`Section`: a title, a short explanation, figures with
captions, headline numbers, small tables, and the config and command that reproduce it.
:func:`build` imports every module of :mod:`minimodels.gallery.sections` (so new sections
appear without touching this file), runs the builders in ``order``, and writes ``index.html``
(first the claims every section judged, :class:`Claim`, then the sections), ``claims.md`` (the
claims as Markdown, :mod:`minimodels.gallery.claims`) and, per section, a folder with its PNG
figures (and GIFs, :class:`Animation`), its rendered HTML fragment (``section.html``) and
``section.json`` (its title, timing and claims), so a later ``--only`` build keeps the other
sections on the page.  A build
writes into a private folder inside the gallery and renames each finished entry into place,
so an interrupted build never leaves a half-written gallery, and nothing but the gallery's own
entries is ever replaced; a section that raises is shown with its error and the build goes on.
"""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback
from minimodels.runtime.parallel import run_tasks
from minimodels.runtime.storage import (
    RUN_FILE,
    prepare_out_dir,
    read_json,
    write_figure,
    write_json,
)

__all__ = [
    "Animation",
    "Claim",
    "Context",
    "FigureItem",
    "Section",
    "SectionSpec",
    "build",
    "registry",
    "section",
]


@dataclass(frozen=True)
class Context:
    """What a section builder is told: scale, seed and where to report progress."""

    quick: bool = False
    seed: int = 0
    on_progress: ProgressCallback | None = None


@dataclass(frozen=True)
class FigureItem:
    name: str  # file stem, unique within the section
    figure: Any  # matplotlib Figure, or an Animation
    caption: str = ""


@dataclass(frozen=True)
class Animation:
    """A moving figure: ``write(path)`` writes it as a GIF at ``path`` (the build calls it, so
    sections stay free of file I/O)."""

    write: Callable[[Path], Any]


VERDICTS = ("supported", "refuted", "mixed", "inconclusive", "untested")


@dataclass(frozen=True)
class Claim:
    """A claim of the literature or the debate, and what this section's run says about it.

    ``claim`` and ``source`` are the claim as its authors make it; ``verdict`` (one of
    :data:`VERDICTS`) and ``evidence`` (the measured number that decides it) must be computed
    from the run, never typed in; ``figure`` names the section's figure that shows it.
    """

    claim: str
    source: str
    verdict: str
    evidence: str
    figure: str | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {self.verdict!r}")


@dataclass
class Section:
    title: str
    intro: str  # Markdown (CommonMark, no raw HTML); blank lines separate paragraphs
    figures: list[FigureItem] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)  # headline numbers
    tables: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)  # (caption, rows)
    config: dict[str, Any] = field(default_factory=dict)  # reproduces the section
    command: str | None = None  # a CLI command that reproduces it
    claims: list[Claim] = field(default_factory=list)  # what the run says about the debate

    def add_figure(self, name: str, figure: Any, caption: str = "") -> None:
        self.figures.append(FigureItem(name, figure, caption))

    def add_animation(self, name: str, write: Callable[[Path], Any], caption: str = "") -> None:
        """A GIF, written by ``write(path)`` when the gallery is built."""
        self.figures.append(FigureItem(name, Animation(write), caption))


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
    """Import every module of :mod:`minimodels.gallery.sections` so their sections register.

    Imported here, not at the top: the section modules import this one.
    """
    import minimodels.gallery.sections as package

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
        raise UsageError(
            f"unknown gallery section {unknown[0]!r}; known sections: {', '.join(sorted(known))}",
            option="only",
        )
    return [spec for spec in specs if spec.key in only]


def build(
    out_dir: str | Path = "gallery",
    *,
    quick: bool = False,
    seed: int = 0,
    only: list[str] | None = None,
    jobs: int = 1,
    on_section: Callable[[SectionSpec, int, int], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> GalleryReport:
    """Run the selected sections and write the report to ``out_dir``; returns what happened.

    ``out_dir`` must be new, empty or an earlier gallery: anything else is refused, and in an
    earlier gallery only its own entries (``index.html``, ``claims.md``, the section folders,
    ``run.json``) are replaced, each atomically; sections not rebuilt (``only``) stay on the
    page as they were.  ``jobs > 1`` builds sections in that many worker processes (each
    writes its own figures); the page is the same either way.
    ``on_section(spec, n_done, n_total)`` is called as each section finishes; ``on_progress``
    reaches the builders only when ``jobs == 1``.
    """
    from minimodels.gallery import _html, claims

    if jobs < 1:
        raise UsageError(f"jobs must be at least 1, got {jobs}")
    specs = select(only)
    out = _gallery_dir(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
    started = time.perf_counter()
    outcomes: dict[str, SectionOutcome] = {}
    finished: Iterator[tuple[int, Any]]
    try:
        if jobs == 1:
            finished = (
                (i, _build_section(spec, Context(quick, seed, on_progress), staging))
                for i, spec in enumerate(specs)
            )
        else:
            tasks = [(spec.key, quick, seed, str(staging)) for spec in specs]
            finished = run_tasks(_build_section_by_key, tasks, backend="process", jobs=jobs)
        for n_done, (index, (result, seconds, error, files)) in enumerate(finished, start=1):
            spec = specs[index]
            outcome = SectionOutcome(spec, result, seconds, error, files)
            outcomes[spec.key] = outcome
            _html.write_fragment(staging / spec.key, outcome, quick=quick, seed=seed)
            if on_section is not None:
                on_section(spec, n_done, len(specs))
        ordered = [outcomes[spec.key] for spec in specs]
        rebuilt = {spec.key for spec in specs}
        page = []  # (key, folder holding its fragment), in the registry's order
        for spec in registry():
            if spec.key in rebuilt:
                page.append(staging / spec.key)
            elif _html.has_fragment(out / spec.key):  # kept from an earlier build
                page.append(out / spec.key)
        elapsed = time.perf_counter() - started
        html = _html.render_page(page, quick=quick, seed=seed, seconds=elapsed)
        (staging / "index.html").write_text(html, encoding="utf-8")
        found = claims.collect([read_json(folder / _html.META) for folder in page])
        text = claims.markdown(found, quick=quick, seed=seed)
        (staging / CLAIMS_FILE).write_text(text, encoding="utf-8")
        for name in [spec.key for spec in specs] + ["index.html", CLAIMS_FILE]:
            _replace(staging / name, out / name, staging)
        sections = sorted(p.name for p in page)
        write_json(out / RUN_FILE, {"command": "gallery", "sections": sections})
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return GalleryReport(out / "index.html", ordered, time.perf_counter() - started)


STAGING_PREFIX = ".building-"  # a build's private folder inside the gallery
CLAIMS_FILE = "claims.md"  # every section's claims and verdicts, for the docs


def check_out(path: str | Path) -> None:
    """Refuse (one sentence) an output folder that holds anything but a gallery."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {str(out)!r} exists and is not a directory")
    if out.is_dir():
        entries = [p for p in out.iterdir() if not p.name.startswith(STAGING_PREFIX)]
        if entries and not _is_gallery(out):
            raise UsageError(
                f"--out {str(out)!r} is not empty and holds no minimodels gallery; choose a new "
                "or empty directory (e.g. --out gallery)"
            )


def _gallery_dir(path: str | Path) -> Path:
    """``path`` as a gallery folder: created if new; refused if it holds anything but a
    gallery (no file of the user's is ever replaced or deleted)."""
    check_out(path)
    out = Path(path)
    if out.is_dir():
        for leftover in out.glob(STAGING_PREFIX + "*"):  # an interrupted build's own folder
            shutil.rmtree(leftover, ignore_errors=True)
    return prepare_out_dir(out)


def _is_gallery(path: Path) -> bool:
    try:
        marker = read_json(path / RUN_FILE)
        return isinstance(marker, dict) and marker.get("command") == "gallery"
    except (OSError, ValueError):
        pass
    try:  # a gallery written before run.json existed
        return "<title>minimodels gallery</title>" in (path / "index.html").read_text("utf-8")
    except (OSError, ValueError):
        return False


def _replace(new: Path, target: Path, trash: Path) -> None:
    """Put ``new`` at ``target``, each step a rename (readers see the old or the new entry)."""
    if target.exists():
        target.rename(trash / f".old-{target.name}")
    new.rename(target)


def _build_section(
    spec: SectionSpec, context: Context, staging: Path
) -> tuple[Section | None, float, str | None, list[str]]:
    """Build one section and write its figures under ``staging/<key>/``.

    Returns (section without figure objects, seconds, error text or None, figure paths).
    """

    from minimodels.plotting.canvas import styled

    t0 = time.perf_counter()
    try:
        files = []
        with styled():  # every figure drawn and written in the lab's style sheet
            result = spec.build(context)
            (staging / spec.key).mkdir(exist_ok=True)
            for item in result.figures:
                if isinstance(item.figure, Animation):
                    item.figure.write(staging / spec.key / f"{item.name}.gif")
                    files.append(f"{spec.key}/{item.name}.gif")
                else:
                    write_figure(staging / spec.key / item.name, item.figure)
                    files.append(f"{spec.key}/{item.name}.png")
        # figures are on disk now; drop the objects so the section pickles cheaply
        result.figures = [FigureItem(item.name, None, item.caption) for item in result.figures]
        return result, time.perf_counter() - t0, None, files
    except Exception as error:  # one broken section must not sink the report
        message = f"{type(error).__name__}: {error}"
        detail = traceback.format_exc(limit=-3)
        return None, time.perf_counter() - t0, message + "\n" + detail, []


def _build_section_by_key(task: tuple[str, bool, int, str]):
    """Worker-process entry point: look the section up by key, then build it."""
    key, quick, seed, staging = task
    discover()
    return _build_section(_REGISTRY[key], Context(quick, seed), Path(staging))
