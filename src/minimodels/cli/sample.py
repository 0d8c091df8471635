"""``minimodels sample``: sample random models, count the Boolean functions they compute."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from minimodels.analysis.sampling.config import SampleConfig
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

PRESETS = {"sample": SampleConfig()}


@app.command()
@config_options(PRESETS, after="out")
def sample(
    out: OutDir = Path("runs/sample"),
    jobs: Jobs = None,
    backend: Backend = "process",
    address: Annotated[str | None, typer.Option(help="Ray cluster address.")] = None,
    resume: Resume = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    fields: dict[str, Any] | None = None,
) -> None:
    """Sample models, evaluate each on all 2^n inputs, write DIR/functions.parquet."""
    from minimodels.analysis.sampling.runs import (
        sample_run,  # looked up at call time (tests patch it)
    )
    from minimodels.base.progress import progress_bar
    from minimodels.runtime.parallel import check_backend

    config = from_preset(PRESETS, "sample", fields or {}).validated()
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
