"""Experiments with continuous minimal models (SCIENCE.md §A.1–A.3): traditional nets and mesh
nets fitting the bump, and the same mesh net trained continuously, by a straight-through
gradient on discrete weights, and by mutation.

* :class:`FitConfig` / :func:`run_fits` — several seeds of one net fitting a 1-D target
  (one compiled call for all seeds); the result draws the seeds side by side.
* :class:`BridgeConfig` / :func:`run_bridge` — continuous vs quantised-gradient vs mutation
  training of one mesh net on the bump; the result draws the three loss curves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.progress import ProgressCallback

if TYPE_CHECKING:
    pass


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
    fits: list[Any]  # one minimodels.learners.nets.fitting.Fit per seed

    @property
    def final_losses(self) -> np.ndarray:
        return np.array([f.final_loss for f in self.fits])


def run_fits(config: FitConfig, *, on_progress: ProgressCallback | None = None) -> FitResult:
    """Fit ``config.n_seeds`` nets (keys split from the seed) to the target at once."""
    import jax

    from minimodels.learners.nets.fitting import default_model, fit_many
    from minimodels.learners.nets.train import Training

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


def run_bridge(
    config: BridgeConfig, *, on_progress: ProgressCallback | None = None
) -> BridgeResult:
    """Train one mesh net on the bump three ways, from the same seed."""
    import jax

    from minimodels.base.progress import scaled
    from minimodels.learners.nets.fitting import MESH_INIT, training_points
    from minimodels.learners.nets.mesh import MeshNet
    from minimodels.learners.nets.quantised import Quantised, evolve_quantised
    from minimodels.learners.nets.train import Training, train

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
