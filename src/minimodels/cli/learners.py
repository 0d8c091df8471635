"""``minimodels learners``: every kind of learner on one task, side by side (why nets?).

Writes ``config.json``, ``summary.json`` (headline numbers and, for ``tabular``, the verdicts on
Grinsztajn et al.'s findings), ``learners.parquet`` (one row per learner × setting × seed),
``priors.parquet`` (``boolean``: the functions each learner's prior draws with no data),
``fits.parquet`` (``bump``: every fit on the grid) and the figures of the task.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from minimodels.base.errors import UsageError
from minimodels.base.fields import field_help
from minimodels.cli._app import OutDir, Overwrite, Quiet, app, echo
from minimodels.cli._options import config_options, from_preset
from minimodels.experiments.why_nets.config import TASKS, LearnersConfig

PRESETS = {task: LearnersConfig.preset(task) for task in TASKS}

Task = Annotated[str, typer.Option(help=field_help(LearnersConfig, "task"))]


@app.command()
@config_options(PRESETS, skip=("task",), after="task")
def learners(
    out: OutDir = Path("runs/learners"),
    task: Task = "bump",
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    fields: dict[str, Any] | None = None,
) -> None:
    """Trees, kernels, neighbours, GPs, polynomials, nets and rule arrays on one task."""
    from minimodels.base.progress import progress_bar
    from minimodels.experiments.why_nets.runs import run
    from minimodels.runtime.storage import RunDir, resolved_config

    if task not in PRESETS:
        raise UsageError(f"unknown task {task!r}; choose bump, boolean or tabular", option="task")
    config = from_preset(PRESETS, task, fields or {}).check()
    learner_options = {name: config.learner(name) for name in config.chosen()}
    resolved = resolved_config(config, learners_as_trained=learner_options)
    run_dir = RunDir.open(out, command="learners", config=resolved, overwrite=overwrite)
    with progress_bar(f"learners on {task}", enabled=not quiet) as on_progress:
        result = run(config, on_progress=on_progress)
    write_run(run_dir, result)
    echo(f"{len(config.chosen())} learners on {task} in {result.seconds:.0f} s")
    echo(f"Wrote {run_dir.path}")


def write_run(run_dir: Any, result: Any) -> None:
    """The tables, summary and figures of a :class:`LearnersResult` into ``run_dir``."""
    import numpy as np

    from minimodels.analysis.catalogue import TUNED
    from minimodels.experiments.why_nets.config import BUMP_EVAL
    from minimodels.plotting import why_nets as plots

    run_dir.write_table("learners.parquet", result.table(),
                        metadata={"tuned": TUNED, "task": result.config.task})  # fmt: skip
    if result.priors:
        columns = {k: [row[k] for row in result.priors] for k in result.priors[0]}
        run_dir.write_table("priors.parquet", columns, metadata={
            "function": "'0'/'1' truth table on all 2^n inputs, row i = binary i, x1 first",
            "count": "draws (of prior_samples) that computed this function, with no data",
        })  # fmt: skip
    if result.curves:
        names, seeds, values = [], [], []
        for name, fits in result.curves.items():
            for seed, fit in enumerate(fits):
                names += [name] * len(fit)
                seeds += [seed] * len(fit)
                values.append(fit)
        run_dir.write_table("fits.parquet", {
            "learner": names, "seed": seeds,
            "x": np.tile(BUMP_EVAL, len(names) // len(BUMP_EVAL)),
            "y": np.concatenate(values),
        })  # fmt: skip
    run_dir.write_json("summary.json", result.summary())
    task = result.config.task
    if task == "bump":
        run_dir.write_figure("fits", plots.plot_bump_fits(result))
    elif task == "boolean":
        run_dir.write_figure("errors", plots.plot_error_vs_complexity(result))
        run_dir.write_figure("functions", plots.plot_function_priors(result))
    else:
        run_dir.write_figure("changes", plots.plot_tabular_changes(result))
