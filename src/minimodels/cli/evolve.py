"""``minimodels evolve``: train rule arrays by adaptive evolution, one run or many."""

from __future__ import annotations

from typing import Annotated

import typer

from minimodels.cli._app import (
    Backend,
    Jobs,
    OutDir,
    Overwrite,
    Quiet,
    Resume,
    Seed,
    app,
    count_option,
    echo,
    warn,
)
from minimodels.errors import UsageError


def parse_rules(text: str) -> tuple[int, ...]:
    """'4,146' -> (4, 146), with a one-sentence error for anything else."""
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise UsageError(f"--rules must be comma-separated rule numbers, got {text!r}") from None


@app.command()
def evolve(
    out: OutDir,
    task: Annotated[str, typer.Option(help="bump, boolean, lifetime or density.")] = "bump",
    width: Annotated[int, count_option(help="Array width (cells per row).")] = 20,
    depth: Annotated[int, count_option(help="Array depth (rows of rules).")] = 10,
    rules: Annotated[str, typer.Option(help="Allowed rules, comma-separated.")] = "4,146",
    r: Annotated[str, typer.Option("--r", help="Range: 1, or 1/2 for the brick layout.")] = "1",
    boundary: Annotated[str, typer.Option(help="cyclic or zero.")] = "cyclic",
    steps: Annotated[
        int, count_option(help="Attempted mutations per run (budget).", minimum=0)
    ] = 20_000,
    runs: Annotated[int, count_option(help="Independent runs (seeds spawned from --seed).")] = 1,
    accept: Annotated[str, typer.Option(help="Keep a mutation when loss is <= or < .")] = "<=",
    stop_at: Annotated[
        float, typer.Option(help="Stop once the loss is at most this; negative: never stop.")
    ] = 0,
    mutations_per_step: Annotated[int, count_option(help="Cells mutated per step.")] = 1,
    train_fraction: Annotated[
        float, typer.Option(help="Train on this random share of the inputs; hold out the rest.")
    ] = 1.0,
    n_bits: Annotated[int, count_option(help="Boolean task: number of input bits.")] = 3,
    target: Annotated[
        str, typer.Option(help="Boolean task: parity, majority, and, or, random or a table.")
    ] = "majority",
    lifetime: Annotated[int, count_option(help="Lifetime task: the wanted lifetime.")] = 10,
    n_rows: Annotated[int, count_option(help="Density task: number of random rows.")] = 64,
    seed: Seed = 0,
    jobs: Jobs = None,
    backend: Backend = "process",
    resume: Resume = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Evolve rule arrays on a task; write the per-run table, traces and pictures to --out."""
    import numpy as np

    from minimodels import storage
    from minimodels.evolution import Evolution
    from minimodels.experiments.evolution import (
        EvolutionConfig,
        check_config,
        run,
        runs_per_shard,
    )
    from minimodels.parallel import check_backend
    from minimodels.progress import progress_bar

    config = EvolutionConfig(
        task=task, width=width, depth=depth, n_bits=n_bits, target=target, lifetime=lifetime,
        n_rows=n_rows, rules=parse_rules(rules), r=r, boundary=boundary, steps=steps, runs=runs,
        accept=accept, stop_at=None if stop_at < 0 else stop_at,
        mutations_per_step=mutations_per_step, train_fraction=train_fraction, seed=seed,
    )  # fmt: skip
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
