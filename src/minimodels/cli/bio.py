"""``minimodels bio``: Wolfram's biological-evolution model, one k or several."""

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
from minimodels.experiments.bio import BioConfig

PRESETS = {"bio": BioConfig(ks=(3,), runs=1)}  # one run of k = 3 unless told more


@app.command()
@config_options(PRESETS, after="out")
def bio(
    out: OutDir = Path("runs/bio"),
    jobs: Jobs = None,
    backend: Backend = "process",
    resume: Resume = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    fields: dict[str, Any] | None = None,
) -> None:
    """Evolve CA rules for long-lived patterns; write traces, table and phenotypes to --out."""
    import numpy as np

    from minimodels.base.progress import progress_bar
    from minimodels.experiments.bio import check_config, n_shards, run
    from minimodels.learners.bio import BioEvolution
    from minimodels.plotting.evolution import plot_bio_trace, plot_lifetimes, plot_phenotypes
    from minimodels.runtime import storage
    from minimodels.runtime.parallel import check_backend

    check_backend(backend, jobs)
    config = from_preset(PRESETS, "bio", fields or {})
    ks, runs, steps, cutoff = config.ks, config.runs, config.steps, config.cutoff
    check_config(config)  # before anything is written
    run_dir = storage.RunDir.open(
        out, command="bio", config=config, resume=resume, overwrite=overwrite
    )
    out_dir = run_dir.path
    done = run_dir.load_shards(
        "runs",
        ".npz",
        lambda path: [BioEvolution.from_arrays(r) for r in storage.read_records(path)],
        n_shards(config),
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

    with progress_bar("bio", enabled=not quiet) as on_progress:
        result = run(config, backend=backend if len(ks) * runs > 1 else "serial", jobs=jobs,
                     on_progress=on_progress, done=done, on_result=save)  # fmt: skip
    resolved = storage.resolved_config(config)
    run_dir.write_json("summary.json", result.summary())
    run_dir.write_table("runs.parquet", result.table(), metadata={"config": resolved})
    for value in ks:
        first = result.results[value][0]
        run_dir.write_table(
            f"trace_k{value}.parquet",
            {"step": np.arange(first.n_steps), "lifetime": first.lifetimes, "width": first.widths},
            metadata={"config": resolved, "k": value, "run": 0,
                      "breakthroughs": first.breakthroughs.tolist()},
        )  # fmt: skip
        run_dir.write_figure(f"phenotypes_k{value}", plot_phenotypes(first))
        run_dir.write_figure(f"trace_k{value}", plot_bio_trace(first))
    if runs > 1 or len(ks) > 1:
        lives = {value: result.final_lifetimes(value) for value in ks}
        run_dir.write_figure("lifetimes", plot_lifetimes(lives, cutoff=cutoff, steps=steps))
    parts = [
        f"k={value}: final lifetime {result.results[value][0].final_lifetime}"
        + (
            f" (median {np.median(result.final_lifetimes(value)):g} over {runs})"
            if runs > 1
            else ""
        )
        for value in ks
    ]
    echo("; ".join(parts) + f". Wrote {out_dir}.")
