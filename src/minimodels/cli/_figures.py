"""Helpers shared by the commands that write one picture: output path checks and saving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from minimodels.base.errors import UsageError

FIGURE_FORMATS = ("png", "svg", "pdf")


def check_figure_path(path: Path, *, overwrite: bool = False) -> Path:
    """Refuse an unknown picture suffix or an unwritable place before any work is done."""
    from minimodels.runtime.storage import prepare_out_file

    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FIGURE_FORMATS:
        raise UsageError(
            f"output {str(path)!r} must end in .png, .svg or .pdf, "
            f"got {path.suffix or 'no suffix'}",
            option="out",
        )
    return prepare_out_file(path, overwrite=overwrite)


def save_figure(path: Path, figure: Any, *, dpi: int = 150) -> Path:
    """Write ``figure`` atomically (temporary name, then rename) in the format of its suffix."""
    from minimodels.runtime.storage import write_figure

    suffix = path.suffix.lower().lstrip(".")
    return write_figure(path, figure, formats=(suffix,), dpi=dpi)[0]
