"""``minimodels fit``: train one net on a 1-D target and write the run directory.

Writes ``config.json``, ``summary.json`` (``final_loss`` = training MSE, steps, parameter
count), the net (``params.npz`` + ``model.json``, see :mod:`minimodels.learners.nets.io`), the loss
curve as ``losses.parquet`` and figures ``fit``, ``loss``, ``neurons`` and ``net`` (PNG).
"""

from __future__ import annotations

from typing import Annotated

import typer

from minimodels.base.errors import UsageError
from minimodels.cli._app import OutDir, Overwrite, Quiet, Seed, app, count_option, echo


@app.command()
def fit(
    out: OutDir,
    model: Annotated[str, typer.Option(help="mlp (fully connected) or mesh.")] = "mlp",
    target: Annotated[str, typer.Option(help="bump, step or sin.")] = "bump",
    seed: Seed = 0,
    widths: Annotated[
        str, typer.Option(help="MLP layer widths, input to output.")
    ] = "1-16-16-16-1",
    activation: Annotated[
        str | None,
        typer.Option(help="relu, tanh, gelu, quadratic or linear (default: relu MLP, tanh mesh)."),
    ] = None,
    mesh_width: Annotated[int, count_option(help="Mesh: neurons per row.")] = 10,
    mesh_depth: Annotated[int, count_option(help="Mesh: rows of neurons.")] = 8,
    r: Annotated[str, typer.Option(help="Mesh range: 1 (3 neighbours) or 1/2 (brick).")] = "1",
    optimizer: Annotated[str, typer.Option(help="sgd, adam or adamw.")] = "adam",
    lr: Annotated[float, typer.Option(help="Learning rate.")] = 1e-2,
    momentum: Annotated[float, typer.Option(help="SGD momentum.")] = 0.9,
    weight_decay: Annotated[float, typer.Option(help="Weight decay.")] = 0.0,
    steps: Annotated[int, count_option(help="Most gradient steps.", minimum=0)] = 3000,
    target_loss: Annotated[float, typer.Option(help="Stop once the MSE is this low.")] = 1e-4,
    n_train: Annotated[int, count_option(help="Training points on [-1, 1].")] = 100,
    init: Annotated[
        str | None, typer.Option(help="gaussian or uniform (default: uniform MLP, gaussian mesh).")
    ] = None,
    sigma_w: Annotated[float, typer.Option(help="Gaussian init: weight scale σw.")] = 1.5,
    sigma_b: Annotated[float, typer.Option(help="Gaussian init: bias scale σb.")] = 1.0,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Fit an MLP or a mesh net to a 1-D target (Wolfram's bump by default)."""
    import jax
    import numpy as np

    from minimodels.base.progress import progress_bar
    from minimodels.learners.nets import MLP, Init, MeshNet, Training
    from minimodels.learners.nets.fitting import TARGETS, check_fit, fit as fit_target
    from minimodels.learners.nets.io import MODEL_FILE, PARAMS_FILE, save_net
    from minimodels.learners.nets.mlp import parse_widths
    from minimodels.plotting.nets import plot_fit, plot_loss_curves, plot_net, plot_neurons
    from minimodels.runtime.storage import RunDir, resolved_config

    if model not in ("mlp", "mesh"):
        raise UsageError(f"unknown model {model!r}; choose mlp or mesh", option="model")
    if target not in TARGETS:
        raise UsageError(
            f"unknown target {target!r}; choose one of {', '.join(TARGETS)}", option="target"
        )
    net: MLP | MeshNet
    if model == "mlp":
        net = MLP(parse_widths(widths), activation or "relu")
        init_settings = Init(init or "uniform", sigma_w, sigma_b)
    else:
        net = MeshNet(width=mesh_width, depth=mesh_depth, r=r, activation=activation or "tanh")
        init_settings = Init(init or "gaussian", sigma_w, sigma_b)
    training = Training(
        optimizer, lr, momentum=momentum, weight_decay=weight_decay, max_steps=steps,
        target_loss=target_loss,
    )  # fmt: skip
    config = {
        "model": model, "target": target, "net": net, "training": training,
        "init": init_settings, "n_train": n_train,
    }  # fmt: skip
    check_fit(net, n_train, training)  # sizes, before anything is written
    resolved = resolved_config(config, seed=seed)
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
        "reached_target_loss": bool(result.final_loss <= target_loss),
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
