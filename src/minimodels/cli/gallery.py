"""``minimodels gallery``: run every registered experiment and write the HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from minimodels.cli._app import Quiet, Seed, app, count_option, echo


@app.command()
def gallery(
    out: Annotated[Path, typer.Option("--out", help="Where to write index.html.")] = Path(
        "gallery"
    ),
    quick: Annotated[bool, typer.Option(help="Smaller runs: the whole report in seconds.")] = False,
    seed: Seed = 0,
    only: Annotated[
        str | None, typer.Option(help="Comma-separated section keys to build (see --list).")
    ] = None,
    list_sections: Annotated[
        bool, typer.Option("--list", help="List section keys and exit.")
    ] = False,
    jobs: Annotated[
        int | None,
        count_option(help="Sections built at once, in worker processes (default: one per core)."),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Reproduce every experiment at laptop scale as one report of pictures and numbers."""
    from minimodels import gallery as g
    from minimodels.base.progress import progress_bar
    from minimodels.runtime.parallel import default_jobs

    if list_sections:
        for spec in g.registry():
            echo(f"{spec.key:28s} {spec.title}")
        return
    keys = [k.strip() for k in only.split(",") if k.strip()] if only else None
    specs = g.select(keys)
    g.check_out(out)  # before the progress bar: a refusal is one line
    with progress_bar("gallery", enabled=not quiet) as on_progress:
        on_progress(0, len(specs))
        report = g.build(
            out,
            quick=quick,
            seed=seed,
            only=[s.key for s in specs],
            jobs=min(jobs or default_jobs(), len(specs)) or 1,
            on_section=lambda spec, n_done, total: on_progress(n_done, total),
        )
    for outcome in report.outcomes:
        mark = "failed" if outcome.error else "ok"
        echo(f"  {outcome.spec.key:28s} {outcome.seconds:7.1f} s  {mark}")
    echo(f"Wrote {report.path} ({len(report.outcomes)} sections, {report.seconds:.1f} s).")
    if report.failures:
        for outcome in report.failures:
            assert outcome.error is not None  # a failure
            first = outcome.error.splitlines()[0]
            typer.echo(f"Section {outcome.spec.key} failed: {first}", err=True)
        raise typer.Exit(1)
