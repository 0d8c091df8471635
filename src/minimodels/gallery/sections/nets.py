"""Continuous minimal models (SCIENCE.md §A.1–A.3): traditional nets, mesh nets, discrete training.

Three sections (band 30–39) built from :mod:`minimodels.experiments.nets`:

* ``nets-traditional`` (30) — a 1-16-16-16-1 ReLU net fitting the bump, seed by seed;
* ``nets-mesh`` (31) — the same on a 10×8 tanh mesh net;
* ``nets-discrete`` (32) — one mesh net trained continuously, by a straight-through gradient
  on 5 weight levels, and by mutation.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from minimodels import gallery
from minimodels.experiments.nets import BridgeConfig, FitConfig, run_bridge, run_fits
from minimodels.plotting import new_figure
from minimodels.plotting.nets import plot_fit, plot_loss_curves, plot_net, plot_neurons


def _fit_section(context: gallery.Context, kind: str, title: str, intro: str) -> gallery.Section:

    config = FitConfig(model=kind, seed=context.seed)
    if context.quick:
        config = replace(config, n_seeds=2, max_steps=1500, n_train=60)
    result = run_fits(config, on_progress=context.on_progress)
    first = result.fits[0]
    section = gallery.Section(title, intro)
    section.add_figure(
        "fit", plot_fit(first),
        "Target (grey) and the learned function (blue), on the training interval [−1, 1] "
        "(shaded) and outside it, where the net extrapolates as it pleases.",
    )  # fmt: skip
    section.add_figure(
        "loss", plot_loss_curves({f"seed {i}": f.losses for i, f in enumerate(result.fits)}),
        "Training MSE against step (log scale); each seed stops at MSE 1e-4.",
    )  # fmt: skip
    section.add_figure(
        "neurons", plot_neurons(first),
        "Every hidden neuron's value as a function of x, laid out like the net "
        + ("(layers left to right)." if kind == "mlp" else "(mesh rows top to bottom)."),
    )  # fmt: skip
    section.add_figure(
        "net", plot_net(first.model, first.params, x=0.0),
        "The net: edges coloured by weight (red positive, blue negative, width ∝ |w|), "
        "nodes coloured by their value at x = 0 on the same diverging scale.",
    )  # fmt: skip
    section.add_figure(
        "seeds", result.plot(),
        "Different seeds: different weights, similar functions on [−1, 1], different "
        "extrapolations.",
    )  # fmt: skip
    losses = result.final_losses
    section.numbers = {
        "model": first.model.name,
        "parameters": first.model.n_params,
        "seeds": config.n_seeds,
        "median final MSE": float(np.median(losses)),
        "median steps": int(np.median([len(f.losses) - 1 for f in result.fits])),
    }
    section.config = {"model": kind, **vars(config)}
    section.command = (
        f"minimodels fit --model {kind} --target bump --seed {context.seed} --out runs/fit-{kind}"
    )
    return section


@gallery.section("nets-traditional", title="Traditional nets", order=30)
def traditional_section(context: gallery.Context) -> gallery.Section:
    return _fit_section(
        context, "mlp", "Traditional nets",
        "A fully connected 1-16-16-16-1 ReLU net learns the bump (1 on [−1/3, 1/3], 0 "
        "elsewhere on [−1, 1]) by full-batch Adam on MSE. What it learned is a pile of "
        "piecewise-linear pieces: look at each neuron as a function of x, and at what the "
        "net does outside the training interval.",
    )  # fmt: skip


@gallery.section("nets-mesh", title="Mesh nets", order=31)
def mesh_section(context: gallery.Context) -> gallery.Section:
    return _fit_section(
        context, "mesh", "Mesh nets",
        "The same task on a mesh net: a 10-wide, 8-deep grid of tanh neurons, each seeing "
        "only the 3 nearest neurons of the row above (r = 1, cyclic), x fed to every cell of "
        "the top row, one readout neuron below the middle column. Full connectivity is not "
        "needed; the bump emerges from local pieces.",
    )  # fmt: skip


@gallery.section("nets-discrete", title="Discrete vs continuous training", order=32)
def bridge_section(context: gallery.Context) -> gallery.Section:
    from minimodels.learners.nets.fitting import Fit

    config = BridgeConfig(seed=context.seed)
    if context.quick:
        config = replace(config, gradient_steps=600, mutation_steps=1500, n_train=40)
    result = run_bridge(config, on_progress=context.on_progress)
    section = gallery.Section(
        "Discrete vs continuous training",
        "One 10×8 tanh mesh net on the bump, trained three ways: with continuous weights by "
        "Adam; with every weight and bias restricted to 5 levels (−1, −½, 0, ½, 1) by Adam "
        "through a straight-through estimator; and with the same 5 levels by adaptive "
        "evolution — single random level changes, kept when the MSE does not increase — the "
        "rule arrays' learning rule, shared code (minimodels.learners.mutation).",
    )
    section.add_figure(
        "losses", result.plot(),
        "Training MSE (log scale) against gradient updates or attempted mutations.",
    )  # fmt: skip
    from minimodels.learners.nets.fitting import training_points

    x, y = training_points("bump", config.n_train)
    figure = new_figure(11, 3.0, layout="constrained")
    axes = figure.subplots(1, 3)
    model = result.continuous.model
    nets = [
        ("continuous", model, result.continuous.params, result.continuous.final_loss),
        ("straight-through", model,
         result.straight_through.model.discrete(result.straight_through.params),
         result.straight_through.final_loss),
        ("mutation", model, result.mutation.params, result.mutation.final_loss),
    ]  # fmt: skip
    from minimodels.learners.nets.fitting import bump

    for ax, (name, net, params, loss) in zip(axes, nets, strict=True):
        fit = Fit(net, params, "bump", bump, x, y, np.array([loss]), loss, (-1.0, 1.0), (-2.0, 2.0))
        plot_fit(fit, ax=ax)
        ax.set_title(f"{name}: MSE {loss:.1e}", fontsize=9)
    section.add_figure("functions", figure, "What each training method learned.")
    section.numbers = {
        "continuous final MSE": result.continuous.final_loss,
        "straight-through final MSE": result.straight_through.final_loss,
        "mutation final MSE": result.mutation.final_loss,
        "mutations kept": len(result.mutation.walk.kept),
    }
    section.config = vars(config)
    return section
