"""``minimodels ca``: run a one-dimensional cellular automaton and draw it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from minimodels.base.errors import UsageError
from minimodels.cli._app import Seed, app, count_option, echo


def initial_row(init: str, width: int, k: int, seed: int):
    """``single`` (one cell of colour 1 in the middle), ``random``, or digits centred in the row."""
    import numpy as np

    from minimodels.models import ca

    if init == "single":
        return ca.single_cell(width)
    if init == "random":
        return ca.random_row(width, k=k, rng=np.random.default_rng(seed))
    if not init.isdigit():
        raise UsageError(f"--init must be 'single', 'random' or a string of digits, got {init!r}")
    digits = ca.row_from_digits(init, k=k)
    if len(digits) > width:
        raise UsageError(f"--init has {len(digits)} digits but the row is only {width} wide")
    row = np.zeros(width, np.uint8)
    start = (width - len(digits)) // 2
    row[start : start + len(digits)] = digits
    return row


def parse_rule(text: str) -> int:
    """A rule number as an int of any size (``30``, ``0x1e``, or a long decimal)."""
    try:
        return int(text, 0)
    except ValueError:
        raise UsageError(f"--rule must be a whole number, got {text!r}") from None


@app.command("ca")
def ca_command(
    rule: Annotated[str, typer.Option(help="Wolfram rule number (any size; 0x... accepted).")],
    out: Annotated[Path, typer.Option("--out", help="Picture to write (.png, .svg or .pdf).")],
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace --out (and --save) if they exist.")
    ] = False,
    width: Annotated[int, count_option(help="Cells in a row.")] = 101,
    steps: Annotated[
        int, count_option(help="Time steps (rows below the initial row).", minimum=0)
    ] = 50,
    k: Annotated[int, count_option("--k", help="Number of colours.")] = 2,
    r: Annotated[str, typer.Option("--r", help="Range: 1, 2, 3, ... or 1/2 (brick).")] = "1",
    boundary: Annotated[str, typer.Option(help="cyclic or zero.")] = "cyclic",
    init: Annotated[
        str, typer.Option(help="Initial row: single, random, or digits (e.g. 0110) centred.")
    ] = "single",
    seed: Seed = 0,
) -> None:
    """Run a cellular automaton (Wolfram numbering) and draw it with time running down."""
    from minimodels.cli._figures import check_figure_path, save_figure
    from minimodels.models import ca

    number = parse_rule(rule)
    ca.rule_table(number, k=k, r=r)  # refuse a bad rule, k or r before touching the disk
    ca.check_boundary(boundary)
    if width < 1:
        raise UsageError(f"--width must be at least 1, got {width}")
    if steps < 0:
        raise UsageError(f"--steps must be at least 0, got {steps}")
    row = initial_row(init, width, k, seed)
    check_figure_path(out, overwrite=overwrite)
    states = ca.run(number, row, steps, k=k, r=r, boundary=boundary)
    title = f"rule {number}" if number < 10**12 else None
    figure = ca.plot(states, k=k, title=title)
    written = save_figure(out, figure)
    echo(f"Wrote {written} ({steps + 1} rows x {width} cells, k={k}, r={r}).")
