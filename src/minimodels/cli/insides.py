"""``minimodels insides``: a net's insides through training, as a film strip and an animation.

Writes ``config.json``, ``summary.json`` (the training MSE at each checkpoint), ``insides.png``
(the film strip: columns are checkpoints, rows the output and each hidden layer's neurons
against x), ``insides.gif`` (one frame per checkpoint) and ``insides.mp4`` where ffmpeg is
installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from minimodels.cli._app import OutDir, Overwrite, Quiet, app, echo
from minimodels.cli._options import config_options, from_preset
from minimodels.experiments.insides import InsidesConfig

INSIDES = {"insides": InsidesConfig()}


@app.command()
@config_options(INSIDES, after="out")
def insides(
    out: OutDir = Path("runs/insides"),
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    fields: dict[str, Any] | None = None,
) -> None:
    """A traditional or mesh net's every neuron vs x at checkpoints of training (PNG, GIF)."""
    from minimodels.base.progress import progress_bar
    from minimodels.experiments.insides import check_config, run_insides
    from minimodels.plotting.insides import plot_film_strip, save_animation
    from minimodels.runtime.storage import RunDir, resolved_config

    config = from_preset(INSIDES, "insides", fields or {})
    check_config(config)  # before anything is written
    run_dir = RunDir.open(out, command="insides", config=resolved_config(config),
                          overwrite=overwrite)  # fmt: skip
    with progress_bar("insides", enabled=not quiet) as on_progress:
        result = run_insides(config, on_progress=on_progress)
    run_dir.write_json("summary.json", {
        "model": config.model, "target": config.target,
        "checkpoints": [int(s) for s in result.checkpoints],
        "training MSE": [float(v) for v in result.losses],
    })  # fmt: skip
    run_dir.write_figure("insides", plot_film_strip(result))
    for path in save_animation(result, run_dir.file("insides.gif")):
        run_dir.file(path.name)  # the MP4 too, where ffmpeg wrote one: registered as ours
    echo(f"Wrote {run_dir.path}")
