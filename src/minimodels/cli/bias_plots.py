"""``minimodels bias-plots DIR``: the simplicity-bias figures of a ``minimodels sample`` run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from minimodels.cli._app import Seed, app, echo


@app.command("bias-plots")
def bias_plots(
    run_dir: Annotated[Path, typer.Argument(help="A directory written by 'minimodels sample'.")],
    seed: Seed = 0,
) -> None:
    """Rank/Zipf, P vs K_LZ with the fitted bound, P(K), number of ones → PNGs in DIR."""
    import numpy as np

    from minimodels.analysis.sampling.analysis import analyse
    from minimodels.analysis.sampling.files import load_run
    from minimodels.plotting import bias
    from minimodels.runtime.storage import RunDir

    figures = [
        ("bias-rank", bias.rank_plot),
        ("bias-complexity", bias.complexity_plot),
        ("bias-marginal", bias.marginal_plot),
        ("bias-ones", bias.ones_plot),
    ]
    outputs = (*(f"{name}.png" for name, _ in figures), "bias-overview.png", "bias.json")
    run = RunDir.attach(run_dir, command="sample", outputs=outputs)
    table, metadata = load_run(run_dir)
    label = (metadata.get("config") or {}).get("model", "")
    result = analyse(table, rng=np.random.default_rng(seed), label=label)
    for name, draw in figures:
        run.write_figure(name, draw(result))
    run.write_figure("bias-overview", bias.overview(result))
    run.write_json("bias.json", result.numbers())
    echo(
        f"bound log2 P ≤ −a·K − b with a = {result.bound_a:.3f}, b = {result.bound_b:.3f}; "
        f"{result.n_functions} functions; wrote bias-*.png in {run_dir}"
    )
