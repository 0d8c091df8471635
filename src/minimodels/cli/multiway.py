"""``minimodels multiway``: every array of a tiny learner, its loss and the mutation graph."""

from __future__ import annotations

from typing import Annotated

import typer

from minimodels.cli._app import OutDir, Overwrite, Seed, app, count_option, echo


@app.command()
def multiway(
    out: OutDir,
    width: Annotated[int, count_option(help="Array width (the bump task's width).")] = 4,
    depth: Annotated[int, count_option(help="Array depth.")] = 3,
    rules: Annotated[str, typer.Option(help="Allowed rules, comma-separated.")] = "4,146",
    r: Annotated[str, typer.Option("--r", help="Range: 1, or 1/2 for the brick layout.")] = "1",
    boundary: Annotated[str, typer.Option(help="cyclic or zero.")] = "cyclic",
    accept: Annotated[str, typer.Option(help="Edges for mutations with loss <= or < .")] = "<=",
    runs: Annotated[
        int, count_option(help="Evolution runs checked against the graph.", minimum=0)
    ] = 10,
    steps: Annotated[int, count_option(help="Attempts per checked run.", minimum=0)] = 500,
    seed: Seed = 0,
    overwrite: Overwrite = False,
) -> None:
    """Enumerate all arrays of a tiny bump learner; write the graph (GraphML), table and picture."""
    import numpy as np

    from minimodels import tasks
    from minimodels.analysis.multiway import (
        check_graph,
        check_runs,
        multiway as build,
        walk_follows_edges,
    )
    from minimodels.experiments.evolution import parse_rules
    from minimodels.learners.evolution import check_arguments, evolve
    from minimodels.runtime import storage

    task = tasks.bump(width)
    # The checked runs' arguments too, before anything is written.
    check_arguments(
        task, depth=depth, rules=parse_rules(rules), steps=steps, accept=accept, r=r,
        boundary=boundary,
    )  # fmt: skip
    check_graph(len(set(parse_rules(rules))), width * depth)
    check_runs(runs, steps)
    mw = build(task, depth=depth, rules=parse_rules(rules), r=r, boundary=boundary, accept=accept)
    config = {"task": task.describe(), "depth": depth, "rules": list(mw.rules), "r": r,
              "boundary": boundary, "accept": accept, "runs": runs, "steps": steps}  # fmt: skip
    resolved = storage.resolved_config(config, seed=seed)
    run_dir = storage.RunDir.open(out, command="multiway", config=resolved, overwrite=overwrite)
    out_dir = run_dir.path
    seeds = np.random.SeedSequence(seed).spawn(runs)
    walks = sum(
        walk_follows_edges(
            mw,
            evolve(
                task,
                depth=depth,
                rules=mw.rules,
                steps=steps,
                seed=s,
                r=r,
                boundary=boundary,
                accept=accept,
                stop_at=None,
            ),
        )  # fmt: skip
        for s in seeds
    )
    summary = {**mw.summary(), "runs_walking_on_edges": int(walks), "runs_checked": runs}
    run_dir.write_json("summary.json", summary)
    run_dir.write_table(
        "arrays.parquet",
        {"array_id": np.arange(mw.n_arrays), "loss": mw.losses,
         "distance_to_zero": mw.distance_to_zero},
        metadata={"config": resolved, "array_id": "base-m digits = rule index per cell, "
                  "cell row*width+col least significant first"},
    )  # fmt: skip
    mw.write_graphml(run_dir.file("graph.graphml"))
    run_dir.write_figure("graph", mw.plot())
    echo(
        f"{mw.n_arrays} arrays, {summary['edges']} edges, {mw.n_zero_loss} with zero loss; "
        f"{walks} of {runs} evolution runs walked only along edges. Wrote {out_dir}."
    )
