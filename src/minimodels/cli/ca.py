"""``minimodels ca``: run a one-dimensional cellular automaton and draw it.

Options are the fields of :class:`~minimodels.experiments.automata.CAConfig`.  Writes the run
directory ``--out`` (default ``runs/ca``): ``config.json``, ``run.json``, ``summary.json``, the
picture ``ca.png`` and every row as ``states.npy`` (``(steps + 1, width)`` uint8 colours).  An
``--out`` ending in .png, .svg or .pdf writes only that picture.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from minimodels.cli._app import app, echo
from minimodels.cli._options import config_options, from_preset
from minimodels.experiments.automata import CAConfig

PRESETS = {"ca": CAConfig()}

Out = Annotated[
    Path,
    typer.Option(
        "--out",
        help="Output directory for the run (ca.png, states.npy, config.json); a path ending "
        "in .png, .svg or .pdf writes only that picture.",
    ),
]
Overwrite = Annotated[
    bool,
    typer.Option(
        "--overwrite", help="Replace the run (or picture) in --out: only the files it wrote."
    ),
]


@app.command("ca")
@config_options(PRESETS, after="out")
def ca_command(
    out: Out = Path("runs/ca"),
    overwrite: Overwrite = False,
    fields: dict[str, Any] | None = None,
) -> None:
    """Run a cellular automaton (Wolfram numbering) and draw it with time running down."""
    import numpy as np

    from minimodels.cli._figures import check_figure_path, is_picture_path, save_figure, save_states
    from minimodels.models import ca
    from minimodels.runtime.storage import RunDir, resolved_config

    config = from_preset(PRESETS, "ca", fields or {})
    config.check()  # a bad rule, k, r, boundary or row, before touching the disk
    picture = is_picture_path(out)
    if picture:
        check_figure_path(out, overwrite=overwrite)
    states = config.run()
    title = f"rule {config.rule}" if config.rule < 10**12 else None
    figure = ca.plot(states, k=config.k, title=title)
    shape = f"{config.steps + 1} rows x {config.width} cells, k={config.k}, r={config.r}"
    if picture:
        echo(f"Wrote {save_figure(out, figure)} ({shape}).")
        return
    resolved = resolved_config(config)
    run_dir = RunDir.open(out, command="ca", config=resolved, overwrite=overwrite)
    save_states(run_dir, states)
    final = np.bincount(states[-1].ravel(), minlength=config.k)
    run_dir.write_json(
        "summary.json",
        {"rows": int(states.shape[0]), "cells": int(states.shape[1]),
         "final_row_colour_counts": final.tolist()},
    )  # fmt: skip
    run_dir.write_figure("ca", figure, dpi=150)
    echo(f"Wrote {run_dir.path} ({shape}).")
