"""``minimodels rulearray``: run a random or given rule array and draw it.

Writes the run directory ``--out`` (default ``runs/rulearray``): ``config.json``, ``run.json``,
``summary.json`` (the readout's answers), the array as ``array.json`` (reload it with
``--array``), every state row as ``states.npy`` (``(inputs, depth + 1, width)`` uint8, or
``(depth + 1, width)`` for one input) and the picture ``rulearray.png``.  An ``--out`` ending in
.png, .svg or .pdf writes only that picture.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from minimodels.base.errors import UsageError
from minimodels.cli._app import app, count_option, echo
from minimodels.cli._options import config_options, from_preset
from minimodels.experiments.automata import ArrayConfig


def load_array(text: str, *, r: str, boundary: str):
    """A rule array from a JSON file (``RuleArray.to_dict``) or inline rows ``"4,146;146,4"``."""
    from minimodels.models.rulearray import RuleArray

    path = Path(text)
    if text.endswith(".json"):
        if not path.is_file():
            raise UsageError(f"--array file {text!r} does not exist")
        try:
            return RuleArray.from_dict(json.loads(path.read_text()))
        except json.JSONDecodeError:
            raise UsageError(f"--array file {text!r} is not a saved rule array") from None
    try:
        rows = [[int(v) for v in row.split(",")] for row in text.split(";") if row.strip()]
    except ValueError:
        raise UsageError(
            f"--array must be a .json file or rows like '4,146;146,4', got {text!r}"
        ) from None
    return RuleArray(rows, r=r, boundary=boundary)


PRESETS = {"rulearray": ArrayConfig()}

Out = Annotated[
    Path,
    typer.Option(
        "--out",
        help="Output directory for the run (rulearray.png, array.json, states.npy, "
        "config.json); a path ending in .png, .svg or .pdf writes only that picture.",
    ),
]


@app.command("rulearray")
@config_options(PRESETS, after="overwrite")
def rulearray_command(
    out: Out = Path("runs/rulearray"),
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace the run (or picture) in --out, and --save: only the files they wrote.",
        ),
    ] = False,
    array: Annotated[
        str | None,
        typer.Option(help="A given array instead: a saved .json or inline rows '4,146;146,4'."),
    ] = None,
    inputs: Annotated[
        str,
        typer.Option(
            "--inputs",
            help="'single' draws every single-cell input as a grid; digits draw one run.",
        ),
    ] = "single",
    readout: Annotated[
        int | None,
        count_option(help="Readout column of the last row (default width // 2).", minimum=0),
    ] = None,
    save: Annotated[
        Path | None, typer.Option(help="Also save the array as JSON here (to reload with --array).")
    ] = None,
    fields: dict[str, Any] | None = None,
) -> None:
    """Run a rule array (every cell its own CA rule) and draw it, the readout cell marked."""
    import numpy as np

    from minimodels.cli._figures import check_figure_path, is_picture_path, save_figure, save_states
    from minimodels.models.rulearray import single_cell_inputs
    from minimodels.runtime.storage import (
        MARK,
        RunDir,
        prepare_out_file,
        resolved_config,
        write_json,
    )

    config = from_preset(PRESETS, "rulearray", fields or {})
    if array is not None:
        grid = load_array(array, r=config.r, boundary=config.boundary)
    else:
        if not config.rules:
            raise UsageError("--rules is empty; give at least one rule number", option="rules")
        grid = config.random_array()
    readout = grid.width // 2 if readout is None else readout
    if not 0 <= readout < grid.width:
        raise UsageError(f"--readout {readout} is outside the row (0..{grid.width - 1})")
    if inputs == "single":
        batch = single_cell_inputs(grid.width)
    elif inputs.isdigit() and set(inputs) <= {"0", "1"} and len(inputs) == grid.width:
        batch = np.array([int(c) for c in inputs], np.uint8)
    else:
        raise UsageError(f"--inputs must be 'single' or {grid.width} binary digits, got {inputs!r}")
    picture = is_picture_path(out)
    if picture:
        check_figure_path(out, overwrite=overwrite)
    if save is not None:
        if save.suffix.lower() != ".json":
            raise UsageError(
                f"--save must name a .json file (so --array can reload it), got {str(save)!r}"
            )
        prepare_out_file(save, overwrite=overwrite, flag="--save")
    states = grid.run(batch)  # refuses (one sentence) runs too big for memory
    figure = grid.plot(batch, readout=readout)
    outputs = "".join(map(str, grid.output(np.atleast_2d(batch))[:, readout]))
    about = f"{grid.depth} x {grid.width} array, rules {list(grid.rule_set)}; readout {outputs}"
    if picture:
        written = save_figure(out, figure)
    else:
        resolved = resolved_config(config, array=grid.to_dict(), inputs=inputs, readout=readout)
        run_dir = RunDir.open(out, command="rulearray", config=resolved, overwrite=overwrite)
        run_dir.write_json("array.json", grid.to_dict())
        save_states(run_dir, states)
        run_dir.write_json(
            "summary.json",
            {"depth": grid.depth, "width": grid.width, "rules": list(grid.rule_set),
             "readout": readout, "n_inputs": int(np.atleast_2d(batch).shape[0]),
             "outputs": outputs},
        )  # fmt: skip
        run_dir.write_figure("rulearray", figure, dpi=150)
        written = run_dir.path
    if save is not None:
        write_json(save, {**grid.to_dict(), "software": MARK})
    echo(f"Wrote {written} ({about}).")
