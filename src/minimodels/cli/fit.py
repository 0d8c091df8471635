"""``minimodels fit``: train one net on a 1-D target and write the run directory.

Writes ``config.json``, ``summary.json`` (``final_loss`` = training MSE, steps, parameter
count), the net (``params.npz`` + ``model.json``, see :mod:`minimodels.learners.nets.io`), the loss
curve as ``losses.parquet`` and figures ``fit``, ``loss``, ``neurons`` and ``net`` (PNG).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from minimodels.cli._app import OutDir, Overwrite, Quiet, app, echo
from minimodels.cli._options import config_options, from_preset
from minimodels.experiments.nets import FitConfig

PRESETS = {"fit": FitConfig(n_seeds=1)}  # the command fits one net


@app.command()
@config_options(PRESETS, skip=("n_seeds",), after="out")
def fit(
    out: OutDir = Path("runs/fit"),
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    fields: dict[str, Any] | None = None,
) -> None:
    """Fit an MLP or a mesh net to a 1-D target (Wolfram's bump by default)."""
    import jax
    import numpy as np

    from minimodels.base.progress import progress_bar
    from minimodels.learners.nets.fitting import check_fit, fit as fit_target
    from minimodels.learners.nets.io import MODEL_FILE, PARAMS_FILE, save_net
    from minimodels.plotting.nets import plot_fit, plot_loss_curves, plot_net, plot_neurons
    from minimodels.runtime.storage import RunDir, resolved_config

    config = from_preset(PRESETS, "fit", fields or {})
    net, training, init_settings = config.parts()
    model, target, n_train, seed = config.model, config.target, config.n_train, config.seed
    check_fit(net, n_train, training)  # sizes, before anything is written
    resolved = resolved_config(config, net=net, training=training, init=init_settings)
    run = RunDir.open(out, command="fit", config=resolved, overwrite=overwrite)
    with progress_bar(f"fit {model}", enabled=not quiet) as on_progress:
        result = fit_target(
            net, target, key=jax.random.key(seed), n_train=n_train, training=training,
            init=init_settings, on_progress=on_progress,
        )  # fmt: skip
    run.file(MODEL_FILE), run.file(PARAMS_FILE)  # registered as this run's outputs
    save_net(run.path, net, result.params, config=resolved)
    n_steps = len(result.losses) - 1
    run.write_table(
        "losses.parquet",
        {"step": np.arange(n_steps + 1), "loss": result.losses},
        metadata={"loss": "training MSE after `step` updates"},
    )
    summary = {
        "final_loss": result.final_loss,
        "n_steps": n_steps,
        "reached_target_loss": bool(result.final_loss <= config.target_loss),
        "model": net.name,
        "n_params": net.n_params,
        "target": target,
        "seed": seed,
    }
    run.write_json("summary.json", summary)
    run.write_figure("fit", plot_fit(result))
    run.write_figure("loss", plot_loss_curves({net.name: result.losses}))
    run.write_figure("neurons", plot_neurons(result))
    run.write_figure("net", plot_net(net, result.params, x=0.0))
    echo(f"{net.name} on {target}: training MSE {result.final_loss:.3g} after {n_steps} steps")
    echo(f"Wrote {run.path}")
