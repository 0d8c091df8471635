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
from typing import Any

import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.base.fields import described
from minimodels.base.progress import ProgressCallback, scaled


@dataclass(frozen=True)
class FitConfig:
    """One net (or ``n_seeds`` of it) fitting a 1-D target; ``minimodels fit`` reads its
    options from these fields.  ``activation`` and ``init`` left unset take the model's own
    (relu and uniform for the MLP, tanh and gaussian for the mesh net)."""

    model: str = described("mlp", "mlp (fully connected) or mesh.")
    target: str = described("bump", "bump, step or sin.")
    widths: str = described("1-16-16-16-1", "MLP layer widths, input to output.")
    activation: str | None = described(
        None, "relu, tanh, sigmoid, elu, gelu, quadratic or linear (default: relu MLP, tanh mesh)."
    )
    mesh_width: int = described(10, "Mesh: neurons per row.")
    mesh_depth: int = described(8, "Mesh: rows of neurons.")
    r: str = described("1", "Mesh range: 1 (3 neighbours) or 1/2 (brick).")
    optimizer: str = described("adam", "sgd, adam or adamw.")
    learning_rate: float = described(1e-2, "Learning rate.", flag="lr")
    momentum: float = described(0.9, "SGD momentum.")
    weight_decay: float = described(0.0, "Weight decay.")
    max_steps: int = described(3000, "Most gradient steps.", minimum=0, flag="steps")
    target_loss: float = described(1e-4, "Stop once the MSE is this low.")
    n_train: int = described(100, "Training points on [-1, 1].")
    init: str | None = described(None, "gaussian or uniform (default: uniform MLP, gaussian mesh).")
    sigma_w: float = described(1.5, "Gaussian init: weight scale σw.")
    sigma_b: float = described(1.0, "Gaussian init: bias scale σb.")
    n_seeds: int = described(4, "Nets fitted at once, their keys split from the seed.")
    seed: int = described(0, "Random seed; the same seed reproduces a run bit for bit.", minimum=0)

    def parts(self) -> tuple[Any, Any, Any]:
        """(net, Training, Init) of this config; a bad name or size is refused in one sentence."""
        from minimodels.learners.nets import MLP, Init, MeshNet, Training
        from minimodels.learners.nets.fitting import TARGETS
        from minimodels.learners.nets.mlp import parse_widths

        if self.model not in ("mlp", "mesh"):
            raise UsageError(f"unknown model {self.model!r}; choose mlp or mesh", option="model")
        if self.target not in TARGETS:
            raise UsageError(
                f"unknown target {self.target!r}; choose one of {', '.join(TARGETS)}",
                option="target",
            )
        net: Any
        if self.model == "mlp":
            net = MLP(parse_widths(self.widths, option="widths"), self.activation or "relu")
        else:
            net = MeshNet(width=self.mesh_width, depth=self.mesh_depth, r=self.r,
                          activation=self.activation or "tanh")  # fmt: skip
        default_scheme = "uniform" if self.model == "mlp" else "gaussian"
        init = Init(self.init or default_scheme, self.sigma_w, self.sigma_b)
        training = Training(
            self.optimizer, self.learning_rate, momentum=self.momentum,
            weight_decay=self.weight_decay, max_steps=self.max_steps,
            target_loss=self.target_loss,
        )  # fmt: skip
        return net, training, init


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

    from minimodels.learners.nets.fitting import check_fit, fit_many

    net, training, init = config.parts()
    check_fit(net, config.n_train, training)
    keys = jax.random.split(jax.random.key(config.seed), config.n_seeds)
    fits = fit_many(
        net, config.target, keys=keys, n_train=config.n_train, training=training, init=init,
        on_progress=on_progress,
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
