"""``minimodels grok`` (one run) and ``minimodels grok-sweep`` (a phase diagram)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer

from minimodels.base.errors import UsageError
from minimodels.base.fields import field_help
from minimodels.cli._app import (
    Backend,
    Jobs,
    OutDir,
    Overwrite,
    Quiet,
    Resume,
    app,
    count_option,
    echo,
    warn,
)
from minimodels.cli._options import config_options, from_preset
from minimodels.learners.grokking.config import GrokConfig, SweepConfig

CHECKPOINT = "checkpoint.npz"  # the latest checkpoint of a grok run (with its .sha256)

Model = Annotated[str, typer.Option(help=field_help(GrokConfig, "model"))]

# what --model starts from: the published presets (grok-sweep: smaller, so a diagram is quick)
PRESETS = {"mlp": GrokConfig.gromov(), "transformer": GrokConfig.nanda()}
SWEEP_PRESETS = {
    "mlp": GrokConfig.gromov(p=31, width=128, steps=1500),
    "transformer": GrokConfig.nanda(steps=5000),
}


def _config(presets, model: str, fields: dict[str, Any]) -> GrokConfig:
    if model not in presets:
        raise UsageError(f"unknown model {model!r}; choose mlp or transformer", option="model")
    return from_preset(presets, model, fields).check()


@app.command()
@config_options(PRESETS, skip=("model",), after="model")
def grok(
    out: OutDir = Path("runs/grok"),
    model: Model = "mlp",
    checkpoint_every: Annotated[
        int | None, count_option(help="Steps between checkpoints (default: 20 log intervals).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the run in --out from its checkpoint.")
    ] = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    fields: dict[str, Any] | None = None,
) -> None:
    """Train one model on a ∘ b mod p and log the grokking progress measures."""
    import time

    from minimodels.base.progress import progress_bar
    from minimodels.runtime import storage

    config = _config(PRESETS, model, fields or {})
    every = checkpoint_every or 20 * config.log_every
    if every % config.log_every:
        raise UsageError(
            f"--checkpoint-every {every} must be a multiple of --log-every {config.log_every}"
        )
    run_dir = storage.RunDir.open(
        out, command="grok", config=config, resume=resume, overwrite=overwrite
    )
    # training loads JAX (1.7 s): only once the options and the run directory are good
    from minimodels.learners.grokking import train
    from minimodels.learners.grokking.checkpoints import load_checkpoint, save_checkpoint

    out_dir = run_dir.path
    state = run_dir.load_checked(CHECKPOINT, lambda path: load_checkpoint(path, config))
    for note in run_dir.notes:
        warn(note + " from the first step")

    def save(checkpoint) -> None:
        run_dir.save_checked(CHECKPOINT, lambda tmp: save_checkpoint(tmp, checkpoint))

    started = time.perf_counter()
    with progress_bar(f"grok {config.model}", enabled=not quiet) as on_progress:
        run = train(
            config,
            on_progress=on_progress,
            resume=state,
            on_checkpoint=save,
            checkpoint_every=every,
        )
    seconds = time.perf_counter() - started
    _write_run(run_dir, run, seconds)
    s = run.summary
    step = s["step_generalised"]
    generalised = "not generalised" if step is None else f"generalised at step {step}"
    echo(
        f"train accuracy {s['train_accuracy']:.3f}, test accuracy {s['test_accuracy']:.3f}, "
        f"{generalised}; wrote {out_dir}"
    )


def _write_run(run_dir, run, seconds: float) -> None:
    import numpy as np

    from minimodels.plotting import grokking as plots
    from minimodels.runtime import storage

    columns = {k: v for k, v in run.log.items() if k != "fourier_power"}
    columns["fourier_power"] = [row.tolist() for row in run.log["fourier_power"]]
    run_dir.write_table(
        "log.parquet",
        columns,
        metadata={"fourier_power": "share of embedding norm² at frequencies k = 0..p//2"},
    )
    with storage.atomic_path(run_dir.file("params.npz")) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, **run.params)
    run_dir.write_json("summary.json", {**run.summary, "seconds": seconds})
    figures = {
        "accuracy": plots.plot_accuracy(run),
        "loss": plots.plot_loss(run),
        "weight_norm": plots.plot_weight_norm(run),
        "fourier_spectrum": plots.plot_fourier_spectrum(run),
        "neurons": plots.plot_neuron_frequency(run),
    }
    for name, figure in figures.items():
        run_dir.write_figure(name, figure)


@app.command("grok-sweep")
@config_options(SWEEP_PRESETS, skip=("model", "seed"), after="model")
@config_options({"sweep": SweepConfig()}, skip=("base",), after="model", into="sweep_fields")
def grok_sweep(
    out: OutDir = Path("runs/grok-sweep"),
    model: Model = "mlp",
    backend: Backend = "process",
    jobs: Jobs = None,
    resume: Resume = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    sweep_fields: dict[str, Any] | None = None,
    fields: dict[str, Any] | None = None,
) -> None:
    """A phase diagram of steps-to-generalise over two config axes (default: frac × wd)."""
    from minimodels.base.progress import progress_bar
    from minimodels.runtime import storage
    from minimodels.runtime.parallel import check_backend

    check_backend(backend, jobs)
    config = from_preset({"sweep": SweepConfig()}, "sweep", sweep_fields or {})
    config.typed().check_axes()  # before the base config's checks, which load JAX
    base = _config(SWEEP_PRESETS, model, {**(fields or {}), "seed": config.seed})
    config = dataclasses.replace(config, base=base).typed()
    config.cells()  # validate before starting workers
    from minimodels.learners.grokking.sweep import (
        sweep,  # loads JAX: only once the options are good
    )

    run_dir = storage.RunDir.open(
        out, command="grok-sweep", config=config, resume=resume, overwrite=overwrite
    )
    n_cells = len(config.cells())
    done = run_dir.load_shards("cell", ".json", storage.read_json, n_cells)
    for note in run_dir.notes:
        warn(note)

    def save(cell: int, summaries) -> None:
        run_dir.save_shard("cell", cell, ".json", lambda tmp: storage.write_json(tmp, summaries))

    with progress_bar("grok-sweep", enabled=not quiet) as on_progress:
        diagram = sweep(
            config, backend=backend, jobs=jobs, on_progress=on_progress, done=done, on_result=save
        )
    rows = diagram.rows()
    run_dir.write_table("phase.parquet", {k: [r[k] for r in rows] for k in rows[0]})
    generalised = int(sum(r["steps_generalised"] is not None for r in rows))
    run_dir.write_json(
        "summary.json",
        {
            "cells": len(rows) // config.n_seeds,
            "runs": len(rows),
            "runs_generalised": generalised,
            "budget": diagram.budget,
        },
    )
    run_dir.write_figure("phase_diagram", diagram.plot())
    out_dir = run_dir.path
    echo(
        f"{generalised} of {len(rows)} runs generalised within {diagram.budget} steps; "
        f"wrote {out_dir}"
    )
