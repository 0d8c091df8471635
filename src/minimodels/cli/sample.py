"""``minimodels sample``: sample random models, count the Boolean functions they compute."""

from __future__ import annotations

from pathlib import Path
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


@app.command()
def sample(
    model: Annotated[
        str,
        typer.Option(
            help="'7-40-40-1', '7-40-40-1:tanh', 'perceptron:7', 'rulearray:…', 'mesh:…'."
        ),
    ] = "7-40-40-1",
    init: Annotated[str, typer.Option(help="gaussian or uniform (DESIGN.md §4).")] = "gaussian",
    sigma_w: Annotated[float, typer.Option("--sigma-w", help="Weight scale σw.")] = 1.0,
    sigma_b: Annotated[float, typer.Option("--sigma-b", help="Bias scale σb.")] = 1.0,
    samples: Annotated[int, count_option(help="How many models, e.g. 1e6.")] = 100_000,
    seed: Seed = 0,
    out: OutDir = Path("runs/sample"),
    jobs: Jobs = None,
    backend: Backend = "process",
    address: Annotated[str | None, typer.Option(help="Ray cluster address.")] = None,
    resume: Resume = False,
    overwrite: Overwrite = False,
    shard_size: Annotated[int, count_option(help="Models per shard (checkpoint unit).")] = 1 << 17,
    engine: Annotated[
        str,
        typer.Option(
            help="numba (compiled CPU kernels), jax (jax.random + batched matmuls on any JAX "
            "device, a GPU included; use --backend serial on one GPU) or auto (jax where JAX "
            "has a GPU, else numba). The engines agree in distribution, not bit for bit."
        ),
    ] = "numba",
    quiet: Quiet = False,
) -> None:
    """Sample models, evaluate each on all 2^n inputs, write DIR/functions.parquet."""
    from minimodels.parallel import check_backend
    from minimodels.progress import progress_bar
    from minimodels.sampling.config import SampleConfig
    from minimodels.sampling.runs import sample_run  # looked up at call time (tests patch it)

    config = SampleConfig(
        model, init, sigma_w, sigma_b, samples, seed, shard_size, engine
    ).validated()
    check_backend(backend, jobs)
    with progress_bar("sampling shards", enabled=not quiet) as on_progress:
        run = sample_run(
            config,
            out,
            resume=resume,
            overwrite=overwrite,
            backend=backend,
            jobs=jobs,
            address=address,
            on_progress=on_progress,
        )
    for note in run.notes:
        warn(note)
    s = run.summary
    echo(
        f"{s['n_samples']} samples → {s['n_functions']} distinct functions "
        f"({s['singleton_fraction']:.1%} seen once) in {s['seconds']:.1f} s; "
        f"wrote {run.path / 'functions.parquet'}"
    )
