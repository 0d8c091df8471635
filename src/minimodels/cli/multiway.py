"""``minimodels multiway``: every array of a tiny learner, its loss and the mutation graph.

Options are the fields of :class:`~minimodels.experiments.multiway.MultiwayConfig`; writes
``config.json``, ``summary.json``, ``arrays.parquet`` (one row per array: loss, distance to
zero loss), ``graph.graphml`` and the picture ``graph.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from minimodels.cli._app import OutDir, Overwrite, Quiet, app, echo
from minimodels.cli._options import config_options, from_preset
from minimodels.experiments.multiway import MultiwayConfig

PRESETS = {"multiway": MultiwayConfig()}


@app.command()
@config_options(PRESETS, after="out")
def multiway(
    out: OutDir = Path("runs/multiway"),
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    fields: dict[str, Any] | None = None,
) -> None:
    """Enumerate all arrays of a tiny bump learner; write the graph (GraphML), table and picture."""
    import numpy as np

    from minimodels.base.progress import progress_bar
    from minimodels.experiments.multiway import check_config, run
    from minimodels.runtime import storage

    config = from_preset(PRESETS, "multiway", fields or {})
    check_config(config)  # before anything is written
    resolved = storage.resolved_config(config, task=config.task().describe())
    run_dir = storage.RunDir.open(out, command="multiway", config=resolved, overwrite=overwrite)
    with progress_bar("multiway", enabled=not quiet) as on_progress:
        result = run(config, on_progress=on_progress)
    mw = result.multiway
    summary = {
        **result.summary,
        "runs_walking_on_edges": result.walks_on_edges,
        "runs_checked": result.runs,
    }
    run_dir.write_json("summary.json", summary)
    run_dir.write_table(
        "arrays.parquet",
        {"array_id": np.arange(mw.n_arrays), "loss": mw.losses,
         "distance_to_zero": mw.distance_to_zero},
        metadata={"config": resolved, "array_id": "base-m digits = rule index per cell, "
                  "cell row*width+col least significant first"},
    )  # fmt: skip
    mw.write_graphml(run_dir.file("graph.graphml"))
    run_dir.write_figure("graph", mw.plot())
    echo(
        f"{mw.n_arrays} arrays, {summary['edges']} edges, {mw.n_zero_loss} with zero loss; "
        f"{result.walks_on_edges} of {result.runs} evolution runs walked only along edges. "
        f"Wrote {run_dir.path}."
    )
