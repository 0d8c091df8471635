"""Experiments with continuous minimal models (SCIENCE.md §A.1–A.3): traditional nets and mesh
nets fitting the bump, and the same mesh net trained continuously, by a straight-through
gradient on discrete weights, and by mutation.

* :class:`FitConfig` / :func:`run_fits` — several seeds of one net fitting a 1-D target
  (one compiled call for all seeds); the result draws the seeds side by side.
* :class:`BridgeConfig` / :func:`run_bridge` — continuous vs quantised-gradient vs mutation
  training of one mesh net on the bump; the result draws the three loss curves.

Gallery sections "Traditional nets", "Mesh nets", "Discrete vs continuous training" (order
30–32).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from minimodels import gallery
from minimodels.plotting import Drawable
from minimodels.progress import ProgressCallback

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class FitConfig:
    model: str = "mlp"  # "mlp" (1-16-16-16-1 ReLU) or "mesh" (10×8 tanh, r = 1)
    target: str = "bump"
    n_seeds: int = 4
    n_train: int = 100
    max_steps: int = 3000
    learning_rate: float = 1e-2
    target_loss: float = 1e-4
    seed: int = 0


@dataclass(frozen=True, eq=False)
class FitResult(Drawable):
    config: FitConfig
    fits: list[Any]  # one minimodels.nets.fitting.Fit per seed

    @property
    def final_losses(self) -> np.ndarray:
        return np.array([f.final_loss for f in self.fits])

    def plot(self, ax: Axes | None = None, **options: Any) -> Figure:
        from minimodels.plotting.nets import plot_seeds

        figure = None if ax is None else cast("Figure", ax.figure)
        return plot_seeds(self.fits, figure=figure, **options)


def run_fits(config: FitConfig, *, on_progress: ProgressCallback | None = None) -> FitResult:
    """Fit ``config.n_seeds`` nets (keys split from the seed) to the target at once."""
    import jax

    from minimodels.nets.fitting import default_model, fit_many
    from minimodels.nets.train import Training

    training = Training(
        "adam", config.learning_rate, max_steps=config.max_steps, target_loss=config.target_loss
    )
    keys = jax.random.split(jax.random.key(config.seed), config.n_seeds)
    fits = fit_many(
        default_model(config.model), config.target, keys=keys, n_train=config.n_train,
        training=training, on_progress=on_progress,
    )  # fmt: skip
    return FitResult(config, fits)


@dataclass(frozen=True)
class BridgeConfig:
    width: int = 10
    depth: int = 8
    levels: tuple[float, ...] = (-1.0, -0.5, 0.0, 0.5, 1.0)
    n_train: int = 60
    gradient_steps: int = 2000
    mutation_steps: int = 4000
    learning_rate: float = 1e-2
    seed: int = 0


@dataclass(frozen=True, eq=False)
class BridgeResult(Drawable):
    config: BridgeConfig
    continuous: Any  # TrainResult of the continuous mesh net
    straight_through: Any  # TrainResult of the quantised net (latent parameters)
    mutation: Any  # Evolved

    def curves(self) -> dict[str, np.ndarray]:
        return {
            "continuous (Adam)": self.continuous.losses,
            f"{len(self.config.levels)} levels, straight-through (Adam)": (
                self.straight_through.losses
            ),
            f"{len(self.config.levels)} levels, mutation": self.mutation.losses,
        }

    def plot(self, ax: Axes | None = None, **options: Any) -> Figure:
        from minimodels.plotting.nets import plot_loss_curves

        return plot_loss_curves(
            self.curves(), ax=ax, xlabel="step (gradient update or attempted mutation)", **options
        )


def run_bridge(
    config: BridgeConfig, *, on_progress: ProgressCallback | None = None
) -> BridgeResult:
    """Train one mesh net on the bump three ways, from the same seed."""
    import jax

    from minimodels.nets.fitting import MESH_INIT, training_points
    from minimodels.nets.mesh import MeshNet
    from minimodels.nets.quantised import Quantised, evolve_quantised
    from minimodels.nets.train import Training, train
    from minimodels.progress import scaled

    model = MeshNet(width=config.width, depth=config.depth, activation="tanh")
    x, y = training_points("bump", config.n_train)
    training = Training("adam", config.learning_rate, max_steps=config.gradient_steps,
                        target_loss=1e-4)  # fmt: skip
    key = jax.random.key(config.seed)
    continuous = train(model, x, y, training, key=key, init=MESH_INIT,
                       on_progress=scaled(on_progress, 0, 1, 3))  # fmt: skip
    quantised = train(Quantised(model, config.levels), x, y, training, key=key, init=MESH_INIT,
                      on_progress=scaled(on_progress, 1, 1, 3))  # fmt: skip
    evolved = evolve_quantised(
        model, x, y, steps=config.mutation_steps, rng=np.random.default_rng(config.seed),
        levels=config.levels, stop_at=1e-4, on_progress=scaled(on_progress, 2, 1, 3),
    )  # fmt: skip
    return BridgeResult(config, continuous, quantised, evolved)


# --------------------------------------------------------------------------- gallery


def _fit_section(context: gallery.Context, kind: str, title: str, intro: str) -> gallery.Section:
    from minimodels.plotting.nets import plot_fit, plot_loss_curves, plot_net, plot_neurons

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
    from minimodels.nets.fitting import Fit
    from minimodels.plotting import new_figure
    from minimodels.plotting.nets import plot_fit

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
        "rule arrays' learning rule, shared code (minimodels.mutation).",
    )
    section.add_figure(
        "losses", result.plot(),
        "Training MSE (log scale) against gradient updates or attempted mutations.",
    )  # fmt: skip
    from minimodels.nets.fitting import training_points

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
    from minimodels.nets.fitting import bump

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
