"""``minimodels evolve``: train rule arrays by adaptive evolution, one run or many."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from minimodels.cli._app import (
    Backend,
    Jobs,
    OutDir,
    Overwrite,
    Quiet,
    Resume,
    app,
    echo,
    warn,
)
from minimodels.cli._options import config_options, from_preset
from minimodels.experiments.evolution import EvolutionConfig

PRESETS = {"evolve": EvolutionConfig(runs=1)}  # the command makes one run unless told more


@app.command()
@config_options(PRESETS, after="out")
def evolve(
    out: OutDir = Path("runs/evolve"),
    jobs: Jobs = None,
    backend: Backend = "process",
    resume: Resume = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    fields: dict[str, Any] | None = None,
) -> None:
    """Evolve rule arrays on a task; write the per-run table, traces and pictures to --out."""
    import numpy as np

    from minimodels.base.progress import progress_bar
    from minimodels.experiments.evolution import check_config, run, runs_per_shard
    from minimodels.learners.evolution import Evolution
    from minimodels.runtime import storage
    from minimodels.runtime.parallel import check_backend

    config = from_preset(PRESETS, "evolve", fields or {})
    runs = config.runs
    check_backend(backend, jobs)
    checked_task = check_config(config)  # fail before any output
    run_dir = storage.RunDir.open(
        out, command="evolve", config=config, resume=resume, overwrite=overwrite
    )
    out_dir = run_dir.path
    n_shards = -(-runs // runs_per_shard(runs))

    def read(path):
        return [Evolution.from_arrays(r, checked_task) for r in storage.read_records(path)]

    done = run_dir.load_shards(
        "runs",
        ".npz",
        lambda path: [Evolution.from_arrays(r, checked_task) for r in storage.read_records(path)],
        n_shards,
    )
    for note in run_dir.notes:
        warn(note)

    def save(shard: int, results) -> None:
        run_dir.save_shard(
            "runs",
            shard,
            ".npz",
            lambda tmp: storage.write_records(tmp, [r.to_arrays() for r in results]),
        )

    with progress_bar("evolve", enabled=not quiet) as on_progress:
        many = run(config, backend=backend if runs > 1 else "serial", jobs=jobs,
                   on_progress=on_progress, done=done, on_result=save)  # fmt: skip
    resolved = storage.resolved_config(config)
    summary = many.summary()
    run_dir.write_json("summary.json", summary)
    run_dir.write_table("runs.parquet", many.table(), metadata={"config": resolved})
    first = many.results[0]
    run_dir.write_table(
        "trace.parquet",
        {"step": np.arange(first.n_steps), "loss": first.losses},
        metadata={"config": resolved, "run": 0, "initial_loss": first.initial_loss},
    )
    kept = first.kept
    run_dir.write_table(
        "kept.parquet",
        {"step": kept.step, "row": kept.row, "col": kept.col, "old_rule": kept.old_rule,
         "new_rule": kept.new_rule, "loss": kept.loss},
        metadata={"config": resolved, "run": 0},
    )  # fmt: skip
    run_dir.write_json(
        "array.json", {"initial": first.initial.to_dict(), "final": first.array.to_dict()}
    )
    _pictures(many, run_dir)
    solved = summary["solved_fraction"]
    median = summary["median_steps_to_zero"]
    echo(
        f"{runs} run(s): {100 * solved:.0f} % reached zero loss"
        + (f", median {median:g} attempts" if median is not None else "")
        + f"; final loss of run 0: {first.final_loss:g}. Wrote {out_dir}."
    )


def _pictures(many, run_dir) -> None:
    from minimodels.plotting.evolution import (
        plot_answers,
        plot_decreases,
        plot_learning_curve,
        plot_solutions,
        plot_steps_histogram,
    )

    first = many.results[0]
    run_dir.write_figure("learning_curve", plot_learning_curve(many.results[:8], log_x=True))
    run_dir.write_figure("decreases", plot_decreases(first))
    if not first.task.is_lifetime and len(first.task.readout) == 1 and first.task.n_cases <= 64:
        run_dir.write_figure("answers", plot_answers(first.array, first.task))
    if len(many.results) > 1:
        run_dir.write_figure(
            "histogram",
            plot_steps_histogram(many.steps_to_zero, budget=many.config.steps),
        )
        run_dir.write_figure("solutions", plot_solutions(many.results[:8]))
