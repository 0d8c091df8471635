"""``minimodels ca``: run a one-dimensional cellular automaton and draw it.

Options are the fields of :class:`~minimodels.experiments.automata.CAConfig`, then where the
picture goes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from minimodels.cli._app import app, echo
from minimodels.cli._options import config_options, from_preset
from minimodels.experiments.automata import CAConfig

PRESETS = {"ca": CAConfig()}


@app.command("ca")
@config_options(PRESETS, after="out")
def ca_command(
    out: Annotated[Path, typer.Option("--out", help="Picture to write (.png, .svg or .pdf).")],
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace --out if it exists.")
    ] = False,
    fields: dict[str, Any] | None = None,
) -> None:
    """Run a cellular automaton (Wolfram numbering) and draw it with time running down."""
    from minimodels.cli._figures import check_figure_path, save_figure
    from minimodels.models import ca

    config = from_preset(PRESETS, "ca", fields or {})
    config.check()  # a bad rule, k, r, boundary or row, before touching the disk
    check_figure_path(out, overwrite=overwrite)
    states = config.run()
    title = f"rule {config.rule}" if config.rule < 10**12 else None
    figure = ca.plot(states, k=config.k, title=title)
    written = save_figure(out, figure)
    echo(
        f"Wrote {written} ({config.steps + 1} rows x {config.width} cells, k={config.k}, "
        f"r={config.r})."
    )
