"""``minimodels grok`` (one run) and ``minimodels grok-sweep`` (a phase diagram)."""

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

CHECKPOINT = "checkpoint.npz"  # the latest checkpoint of a grok run (with its .sha256)

Model = Annotated[str, typer.Option(help="mlp (Gromov) or transformer (Nanda et al.).")]
P = Annotated[
    int | None, count_option("--p", help="Modulus (default 97 for mlp, 113 for transformer).")
]
Op = Annotated[str, typer.Option(help="+ - * / (or add sub mul div) or a polynomial in a, b.")]
Frac = Annotated[
    float | None,
    typer.Option(
        help="Fraction of pairs used for training, in (0, 1) (default 0.5 mlp, 0.3 transformer)."
    ),
]
Wd = Annotated[
    float | None, typer.Option(help="AdamW weight decay, decoupled (default 0 mlp, 1 transformer).")
]
Steps = Annotated[
    int | None, count_option(help="Step budget, full batch (default 2000 mlp, 15000 transformer).")
]
Lr = Annotated[
    float | None, typer.Option(help="Learning rate (default 5e-3 mlp, 1e-3 transformer).")
]
L1 = Annotated[float, typer.Option(help="L1 penalty coefficient, added to the loss.")]
Loss = Annotated[
    str | None, typer.Option(help="ce (cross-entropy) or mse (default mse mlp, ce transformer).")
]
InitScale = Annotated[float, typer.Option(help="Multiplies every initial weight.")]
Width = Annotated[int, count_option(help="MLP hidden width N.")]
LogEvery = Annotated[
    int | None,
    count_option(help="Steps between logged measures (default 10 mlp, 100 transformer)."),
]
Activation = Annotated[
    str, typer.Option(help="MLP activation: quadratic, cubic, relu, gelu, tanh.")
]


def _config(model: str, **options):
    """The model's preset with the given options; ``None`` keeps the preset's value."""
    import dataclasses

    from minimodels.grokking import GrokConfig

    if model not in ("mlp", "transformer"):
        raise UsageError(f"unknown model {model!r}; choose mlp or transformer")
    preset = GrokConfig.nanda() if model == "transformer" else GrokConfig.gromov()
    given = {k: v for k, v in options.items() if v is not None or k == "stop_after"}
    return dataclasses.replace(preset, **given).check()


@app.command()
def grok(
    out: OutDir,
    model: Model = "mlp",
    p: P = None,
    op: Op = "+",
    frac: Frac = None,
    wd: Wd = None,
    seed: Seed = 0,
    steps: Steps = None,
    lr: Lr = None,
    l1: L1 = 0.0,
    loss: Loss = None,
    init_scale: InitScale = 1.0,
    width: Width = 512,
    activation: Activation = "quadratic",
    log_every: LogEvery = None,
    stop_after: Annotated[
        int | None, count_option(help="Stop this many steps after test accuracy ≥ 0.99.", minimum=0)
    ] = None,
    checkpoint_every: Annotated[
        int | None, count_option(help="Steps between checkpoints (default: 20 log intervals).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the run in --out from its checkpoint.")
    ] = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Train one model on a ∘ b mod p and log the grokking progress measures."""
    import time

    from minimodels import storage
    from minimodels.grokking import train
    from minimodels.grokking.checkpoints import load_checkpoint, save_checkpoint
    from minimodels.progress import progress_bar

    config = _config(
        model, p=p, op=op, frac=frac, wd=wd, steps=steps, lr=lr, l1=l1, loss=loss,
        init_scale=init_scale, width=width, log_every=log_every, seed=seed,
        activation=activation, stop_after=stop_after,
    )  # fmt: skip
    every = checkpoint_every or 20 * config.log_every
    if every % config.log_every:
        raise UsageError(
            f"--checkpoint-every {every} must be a multiple of --log-every {config.log_every}"
        )
    run_dir = storage.RunDir.open(
        out, command="grok", config=config, resume=resume, overwrite=overwrite
    )
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

    from minimodels import storage
    from minimodels.plotting import grokking as plots

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


def _values(text: str, axis: str, option: str) -> tuple:
    kind = {"loss": str, "activation": str, "width": int, "p": int}.get(axis, float)
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise UsageError(
            f"{option} {text!r} gives no value; give comma-separated values for {axis}"
        )
    try:
        return tuple(kind(item) for item in items)
    except ValueError:
        raise UsageError(
            f"{option}: cannot read {text!r} as comma-separated {kind.__name__} values for {axis}"
        ) from None


@app.command("grok-sweep")
def grok_sweep(
    out: OutDir,
    model: Model = "mlp",
    p: P = None,
    op: Op = "+",
    frac: Frac = None,
    wd: Wd = None,
    steps: Steps = None,
    lr: Lr = None,
    l1: L1 = 0.0,
    loss: Loss = None,
    init_scale: InitScale = 1.0,
    width: Width = 128,
    log_every: LogEvery = None,
    x_axis: Annotated[str, typer.Option(help="Config field across.")] = "frac",
    x_values: Annotated[str, typer.Option(help="Comma-separated values.")] = "0.2,0.35,0.5,0.7",
    y_axis: Annotated[str, typer.Option(help="Config field up.")] = "wd",
    y_values: Annotated[str, typer.Option(help="Comma-separated values.")] = "0,0.3,1,3",
    seeds: Annotated[int, count_option(help="Seeds per cell (vmapped).")] = 1,
    seed: Seed = 0,
    backend: Backend = "process",
    jobs: Jobs = None,
    resume: Resume = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """A phase diagram of steps-to-generalise over two config axes (default: frac × wd)."""
    from minimodels import storage
    from minimodels.grokking.sweep import SweepConfig, sweep
    from minimodels.parallel import check_backend
    from minimodels.progress import progress_bar

    check_backend(backend, jobs)
    if model == "mlp" and p is None:
        p = 31
    if steps is None:
        steps = 1500 if model == "mlp" else 5000
    base = _config(
        model, p=p, op=op, frac=frac, wd=wd, steps=steps, lr=lr, l1=l1, loss=loss,
        init_scale=init_scale, width=width, log_every=log_every, seed=seed,
    )  # fmt: skip
    config = SweepConfig(
        base,
        x_axis,
        _values(x_values, x_axis, "--x-values"),
        y_axis,
        _values(y_values, y_axis, "--y-values"),
        seeds,
        seed,
    )
    config.cells()  # validate before starting workers
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
            "cells": len(rows) // seeds,
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
