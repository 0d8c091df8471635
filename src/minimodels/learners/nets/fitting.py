"""Fitting 1-D functions, Wolfram-style: a net learns y = f(x) on an interval, and we look at
what it does there, outside it, and inside itself.

Data model.  Training inputs are ``n_train`` evenly spaced points of ``interval`` (default
[−1, 1]), shape ``(n_train, 1)``; targets ``f(x)`` ``(n_train,)``.  Named targets:

* ``"bump"``: 1 on [−1/3, 1/3], 0 elsewhere (SCIENCE.md §A.1);
* ``"step"``: 1 for x > 0, else 0;
* ``"sin"``: sin(πx);
* or any callable mapping a numpy array of x to an array of y.

Loss = training MSE.  A :class:`Fit` keeps the model, the parameters, the loss curve and the
target, and draws itself (target vs learned function over an extrapolation range wider than
the training interval).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jax
import jax.numpy as jnp
import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback
from minimodels.base.resources import check_memory, check_time, plural
from minimodels.learners.nets.mesh import MeshNet
from minimodels.learners.nets.mlp import MLP
from minimodels.learners.nets.train import Training, train, train_many
from minimodels.models.inits import Init

if TYPE_CHECKING:
    pass

Target = Callable[[np.ndarray], np.ndarray]


def bump(x: np.ndarray) -> np.ndarray:
    return ((x >= -1 / 3) & (x <= 1 / 3)).astype(np.float64)


def step(x: np.ndarray) -> np.ndarray:
    return (x > 0).astype(np.float64)


def sine(x: np.ndarray) -> np.ndarray:
    return np.sin(np.pi * x)


TARGETS: dict[str, Target] = {"bump": bump, "step": step, "sin": sine}

# Defaults that fit the bump in a few thousand full-batch Adam steps (calibrated: a
# 1-16-16-16-1 ReLU net reaches MSE 1e-4 in ~1000–2000 steps, a 10-wide 8-deep tanh mesh net
# in ~200–700; ReLU mesh nets mostly die — every readout input stuck at 0 — so meshes use tanh).
FIT_TRAINING = Training("adam", 1e-2, max_steps=3000, target_loss=1e-4)
FIT_INIT = Init("uniform")
MESH_INIT = Init("gaussian", 1.5, 1.0)


def default_model(kind: str) -> Any:
    """The nets of the fitting pictures: ``"mlp"`` 1-16-16-16-1 ReLU, ``"mesh"`` 10×8 tanh."""

    if kind == "mlp":
        return MLP((1, 16, 16, 16, 1), "relu")
    if kind == "mesh":
        return MeshNet(width=10, depth=8, r="1", activation="tanh")
    raise UsageError(f"unknown model kind {kind!r}; choose mlp or mesh", option="model")


def default_init(model: Any) -> Init:

    return MESH_INIT if isinstance(model, MeshNet) else FIT_INIT


def resolve_target(target: str | Target) -> tuple[str, Target]:
    """A target's name and function; a callable keeps its ``__name__``."""
    if callable(target):
        return getattr(target, "__name__", "custom"), target
    if target not in TARGETS:
        raise UsageError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")
    return target, TARGETS[target]


def training_points(
    target: str | Target, n_train: int = 100, interval: tuple[float, float] = (-1.0, 1.0)
) -> tuple[np.ndarray, np.ndarray]:
    """``x`` ``(n_train, 1)`` evenly spaced on ``interval`` and the target values ``(n_train,)``."""
    if n_train < 2:
        raise UsageError(f"n_train must be at least 2, got {n_train}")
    lo, hi = interval
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise UsageError(f"interval must be two finite numbers lo < hi, got {interval}")
    _, f = resolve_target(target)
    x = np.linspace(lo, hi, n_train)
    y = np.asarray(f(x), dtype=np.float64).reshape(n_train)
    if not np.all(np.isfinite(y)):
        raise UsageError("the target function returned NaN or infinite values")
    return x[:, None], y


@dataclass(frozen=True, eq=False)
class Fit(Drawable):
    """A net fitted to a 1-D target."""

    model: Any
    params: Any
    target_name: str
    target: Target
    x_train: np.ndarray  # (n_train, 1)
    y_train: np.ndarray  # (n_train,)
    losses: np.ndarray  # training MSE after 0 … n_steps updates
    final_loss: float
    interval: tuple[float, float]
    extrapolation: tuple[float, float]

    def predict(self, x: Any) -> np.ndarray:
        """The learned function at ``x`` (any shape of scalars) → same shape."""
        x = np.asarray(x, dtype=np.float64)
        return layer_values(self.model, self.params, x.reshape(-1, 1))[-1][:, 0].reshape(x.shape)

    def grid(self, n: int = 400) -> np.ndarray:
        return np.linspace(*self.extrapolation, n)

    def hidden(self, x: Any) -> list[np.ndarray]:
        """Every hidden neuron's value at ``x`` ``(m,)``: one ``(m, width)`` array per layer."""
        x = np.asarray(x, dtype=np.float64).reshape(-1, 1)
        return layer_values(self.model, self.params, x)[1:-1]


_layers = jax.jit(lambda model, params, x: model.layers(params, x), static_argnums=0)


def layer_values(model: Any, params: Any, x: Any) -> list[np.ndarray]:
    """``model.layers(params, x)`` as numpy arrays, for ``x`` ``(m, n_in)``.

    Compiled once per model: the rows are padded to a power of two (≥ 512), so a grid of
    400 points and a single point share one compiled function."""
    x = np.asarray(x, dtype=jnp.result_type(float))
    m = x.shape[0]
    padded = max(512, 1 << max(0, m - 1).bit_length())
    x = np.concatenate([x, np.zeros((padded - m, x.shape[1]), x.dtype)])
    return [np.asarray(v)[:m] for v in _layers(model, params, x)]


def fit(
    model: Any,
    target: str | Target = "bump",
    *,
    key: jax.Array,
    n_train: int = 100,
    interval: tuple[float, float] = (-1.0, 1.0),
    extrapolation: tuple[float, float] | None = None,
    training: Training = FIT_TRAINING,
    init: Init | None = None,
    on_progress: ProgressCallback | None = None,
) -> Fit:
    """Train ``model`` (one input, one output) to reproduce ``target`` on ``interval``."""
    name, f, x, y, extrapolation = _setup(model, target, n_train, interval, extrapolation, training)
    init = default_init(model) if init is None else init
    result = train(model, x, y, training, key=key, init=init, on_progress=on_progress)
    return Fit(
        model, result.params, name, f, x, y, result.losses, result.final_loss,
        (float(interval[0]), float(interval[1])), extrapolation,
    )  # fmt: skip


def fit_many(
    model: Any,
    target: str | Target = "bump",
    *,
    keys: jax.Array,
    n_train: int = 100,
    interval: tuple[float, float] = (-1.0, 1.0),
    extrapolation: tuple[float, float] | None = None,
    training: Training = FIT_TRAINING,
    init: Init | None = None,
    on_progress: ProgressCallback | None = None,
) -> list[Fit]:
    """One :class:`Fit` per key, all trained in one compiled call (:func:`train_many`)."""
    name, f, x, y, extrapolation = _setup(model, target, n_train, interval, extrapolation, training)
    init = default_init(model) if init is None else init
    many = train_many(
        model, x, y, training, keys=keys, init=init, record_losses=True, on_progress=on_progress
    )
    stacked = jax.tree.map(np.asarray, many.params)  # numpy slices compile nothing
    assert many.losses is not None  # record_losses=True
    fits = []
    for i in range(many.n_nets):
        params = jax.tree.map(lambda a, i=i: a[i], stacked)
        losses = many.losses[: many.n_steps[i] + 1, i]
        fits.append(
            Fit(
                model,
                params,
                name,
                f,
                x,
                y,
                losses,
                float(many.final_loss[i]),
                (float(interval[0]), float(interval[1])),
                extrapolation,
            )  # fmt: skip
        )
    return fits


def _setup(model, target, n_train, interval, extrapolation, training):
    if getattr(model, "n_outputs", 1) != 1 or getattr(model, "n_inputs", 1) != 1:
        n_in, n_out = getattr(model, "n_inputs", 1), getattr(model, "n_outputs", 1)
        raise UsageError(
            f"1-D fitting needs a net with one input and one output, got {n_in} and {n_out}",
            option=("widths", "model"),
        )
    if training.loss != "mse":
        raise UsageError(f"1-D fitting uses the MSE loss, got {training.loss!r}")
    name, f = resolve_target(target)
    check_fit(model, n_train, training)
    x, y = training_points(f, n_train, interval)
    lo, hi = interval
    if extrapolation is None:
        extrapolation = (lo - (hi - lo) / 2, hi + (hi - lo) / 2)
    return name, f, x, y, (float(extrapolation[0]), float(extrapolation[1]))


FAST_MACS = 5e10  # multiply-adds per second and core that no CPU path beats


def check_fit(model: Any, n_train: int, training: Training) -> None:
    """Refuse (one sentence) a fit whose activations cannot fit in memory or whose steps
    would take hopelessly long: every step runs all training points forward and back."""
    import os

    if isinstance(n_train, bool) or not isinstance(n_train, int | np.integer) or n_train < 1:
        return  # training_points names the bad value
    units = sum(model.widths) if hasattr(model, "widths") else model.width * (model.depth + 1)
    n_points = max(int(n_train), 400)  # the training points, or the grid the pictures draw
    what = f"fitting {model.name} to {plural(n_train, 'point')}"
    check_memory(
        12 * n_points * units,  # float32 activations, their gradients and pre-activations
        what,
        why="every neuron's value on every point",
        fix="lower the training points or use a smaller net",
    )
    macs = 6.0 * int(n_train) * model.n_params * training.max_steps
    check_time(macs / (FAST_MACS * (os.cpu_count() or 1)), what, fix="lower the steps")
    check_memory(
        4.0 * training.max_steps,
        f"{what} for {plural(training.max_steps, 'step')}",
        why="the loss of every step",
        fix="lower the steps",
    )
