"""Helpers of the commands that draw one picture (``ca``, ``rulearray``).

Their ``--out`` is a run directory (the picture, ``config.json``, ``run.json``, the rows as
``states.npy``); a path ending in .png, .svg or .pdf still writes only that picture, as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from minimodels.base.errors import UsageError

FIGURE_FORMATS = ("png", "svg", "pdf")


def is_picture_path(path: Path) -> bool:
    """Whether ``--out`` names a single picture (.png, .svg, .pdf) rather than a run directory."""
    return path.suffix.lower().lstrip(".") in FIGURE_FORMATS


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


def save_states(run_dir: Any, states: Any, name: str = "states.npy") -> Path:
    """Every state row as a NumPy ``.npy`` file of the run (atomic, registered in run.json)."""
    import numpy as np

    from minimodels.runtime.storage import atomic_path

    target = run_dir.file(name)
    with atomic_path(target) as tmp, open(tmp, "wb") as handle:
        np.save(handle, states)
    return target
