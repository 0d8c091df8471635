"""``minimodels landscape | double-descent | scaling | implicit``: the rest of the debate.

Each writes ``config.json``, ``summary.json`` (headline numbers and verdicts), one Parquet table
of its rows (``landscape.parquet``, ``double_descent.parquet``, ``scaling.parquet``,
``implicit.parquet``; one row per run and setting, ``part`` naming the experiment part), the
landscape's slices and paths as ``curves.npz``, and its figures as PNG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from minimodels.cli._app import OutDir, Overwrite, Quiet, app, echo
from minimodels.cli._options import config_options, from_preset
from minimodels.experiments.debate.config import (
    DoubleDescentConfig,
    ImplicitConfig,
    LandscapeConfig,
    ScalingConfig,
)

FIGURES = {
    "landscape": ("slices", "paths", "sharpness", "minima"),
    "double-descent": ("double_descent",),
    "scaling": ("scaling",),
    "implicit": ("tracked", "grokking"),
}


def _run(name: str, presets: dict[str, Any], out: Any, overwrite: bool, quiet: bool,
         fields: dict[str, Any] | None) -> None:  # fmt: skip
    from minimodels.base.progress import progress_bar
    from minimodels.experiments.debate.runs import run
    from minimodels.runtime.storage import RunDir, resolved_config

    config = from_preset(presets, name, fields or {}).check()  # before anything is written
    run_dir = RunDir.open(out, command=name, config=resolved_config(config), overwrite=overwrite)
    with progress_bar(name, enabled=not quiet) as on_progress:
        result = run(config, on_progress=on_progress)
    write_run(run_dir, result)
    echo(f"{name} in {result.seconds:.0f} s")
    echo(f"Wrote {run_dir.path}")


def write_run(run_dir: Any, result: Any) -> None:
    """The table, curves, summary and figures of a :class:`DebateResult` into ``run_dir``."""
    import numpy as np

    from minimodels.plotting import debate as plots
    from minimodels.runtime.storage.files import atomic_path

    run_dir.write_table(f"{result.experiment.replace('-', '_')}.parquet", result.table())
    if result.curves:
        with atomic_path(run_dir.file("curves.npz")) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, **result.curves)
    run_dir.write_json("summary.json", result.summary())
    for figure in FIGURES[result.experiment]:
        draw = getattr(plots, f"plot_{figure}" if figure != "grokking" else "plot_grokking_verdict")
        if figure == "grokking" and not any(r["part"] == "grokking" for r in result.rows):
            continue
        run_dir.write_figure(figure, draw(result))


LANDSCAPE = {"landscape": LandscapeConfig.preset()}
DOUBLE_DESCENT = {"double-descent": DoubleDescentConfig.preset()}
SCALING = {"scaling": ScalingConfig.preset()}
IMPLICIT = {"implicit": ImplicitConfig.preset()}


@app.command()
@config_options(LANDSCAPE, after="out")
def landscape(
    out: OutDir = Path("runs/landscape"),
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    fields: dict[str, Any] | None = None,
) -> None:
    """Loss slices, Hessian, barriers, sharpness vs batch size, local minima, init scale."""
    _run("landscape", LANDSCAPE, out, overwrite, quiet, fields)


@app.command(name="double-descent")
@config_options(DOUBLE_DESCENT, after="out")
def double_descent(
    out: OutDir = Path("runs/double-descent"),
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    fields: dict[str, Any] | None = None,
) -> None:
    """Test error vs parameters: random features, MLPs, polynomials; deep vs wide."""
    _run("double-descent", DOUBLE_DESCENT, out, overwrite, quiet, fields)


@app.command()
@config_options(SCALING, after="out")
def scaling(
    out: OutDir = Path("runs/scaling"),
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    fields: dict[str, Any] | None = None,
) -> None:
    """Test loss vs parameters and data, with power-law fits (teacher–student, a + b mod p)."""
    _run("scaling", SCALING, out, overwrite, quiet, fields)


@app.command()
@config_options(IMPLICIT, after="out")
def implicit(
    out: OutDir = Path("runs/implicit"),
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    fields: dict[str, Any] | None = None,
) -> None:
    """Training past 100 % accuracy (norm, K_LZ, sensitivity); does grokking need L1?"""
    _run("implicit", IMPLICIT, out, overwrite, quiet, fields)
