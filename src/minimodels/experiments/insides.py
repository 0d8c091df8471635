"""A net's insides through training (SCIENCE.md §A.1): every neuron's value as a function of x,
not only at the end of training but at several steps along the way.

* :class:`InsidesConfig` / :func:`run_insides` — one net (the traditional 1-16-16-16-1 ReLU
  net or the 10×8 tanh mesh net of :func:`~minimodels.learners.nets.fitting.default_model`)
  trained by full-batch Adam on a 1-D target, its parameters kept at a few *checkpoint* steps
  (by default log-spaced from 0 to the end).  The result holds, per checkpoint, the
  parameters, the training MSE and every layer's values on a grid of x; the pictures
  (:mod:`minimodels.plotting.insides`) draw exactly these arrays.

Training.  :func:`~minimodels.learners.nets.train.train` takes starting parameters but not an
optimiser state, so training in segments through it would restart Adam's moments at every
checkpoint.  :func:`run_insides` therefore runs its own compiled loop over the library's step
(:func:`~minimodels.learners.nets.step.advance`: the same optax optimiser, the same masked
update, the same initial state from :func:`~minimodels.learners.nets.step.start`), pausing at
each checkpoint to copy the parameters out.  With no target loss it follows
``fit(model, key=jax.random.key(seed), training=Training("adam", lr, max_steps=steps))`` step
for step: same parameters, same loss curve.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, partial
from typing import Any

import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.base.fields import comma_list, described
from minimodels.base.progress import ProgressCallback, report
from minimodels.base.resources import check_memory, check_time

__all__ = ["InsidesConfig", "InsidesResult", "check_config", "checkpoint_steps", "run_insides"]

MODELS = ("mlp", "mesh")
FAST_STEPS = 1e7  # full-batch Adam steps per second that no CPU reaches on these nets (a bound)


def _show_steps(steps: tuple[int, ...] | None) -> str:
    return "" if steps is None else ",".join(map(str, steps))


@dataclass(frozen=True)
class InsidesConfig:
    """One net trained on a 1-D target, its insides kept at a few checkpoint steps."""

    model: str = described("mlp", "mlp (1-16-16-16-1 ReLU) or mesh (10x8 tanh).")
    target: str = described("bump", "bump, step or sin.")
    steps: int = described(3000, "Full-batch Adam steps.", minimum=0)
    n_checkpoints: int = described(6, "Checkpoints, log-spaced from step 0 to the last step.")
    checkpoints: tuple[int, ...] | None = described(
        None,
        "Checkpoint steps, strictly increasing, within 0..steps (default: log-spaced).",
        text=comma_list(int, "checkpoints"),
    )
    n_train: int = described(100, "Training points on [-1, 1].", minimum=2)
    learning_rate: float = described(1e-2, "Adam learning rate.", flag="lr")
    grid_points: int = described(200, "Points of x at which every neuron is evaluated.", minimum=2)
    seed: int = described(0, "Random seed (the key of the initial parameters).", minimum=0)


def checkpoint_steps(
    steps: int, n_checkpoints: int = 6, checkpoints: tuple[int, ...] | None = None
) -> tuple[int, ...]:
    """The checkpoint steps: ``checkpoints`` checked, or ``n_checkpoints`` steps from 0 to
    ``steps`` (0, then log-spaced from ``steps / 100`` to ``steps``, all distinct integers).

    Each refusal is one sentence naming the option."""
    if isinstance(steps, bool) or int(steps) != steps or steps < 0:
        raise UsageError(f"steps must be an integer ≥ 0, got {steps!r}", option="steps")
    steps = int(steps)
    if checkpoints is not None:
        chosen = tuple(checkpoints)
        if not chosen:
            raise UsageError("checkpoints must name at least one step", option="checkpoints")
        for value in chosen:
            if isinstance(value, bool) or int(value) != value:
                raise UsageError(f"checkpoint {value!r} is not a whole step", option="checkpoints")
        chosen = tuple(int(value) for value in chosen)
        negative = [value for value in chosen if value < 0]
        if negative:
            raise UsageError(
                f"checkpoint steps must be ≥ 0, got {negative[0]}", option="checkpoints"
            )
        if len(chosen) > steps + 1:
            raise UsageError(
                f"{len(chosen)} checkpoints are more than the {steps + 1} steps 0..{steps} hold",
                option="checkpoints",
            )
        if any(b <= a for a, b in zip(chosen, chosen[1:], strict=False)):
            raise UsageError(
                f"checkpoints must be strictly increasing steps, got {_show_steps(chosen)}",
                option="checkpoints",
            )
        if chosen[-1] > steps:
            raise UsageError(
                f"checkpoint {chosen[-1]} is beyond the last training step {steps}",
                option="checkpoints",
            )
        return chosen
    if isinstance(n_checkpoints, bool) or int(n_checkpoints) != n_checkpoints:
        raise UsageError(
            f"n_checkpoints must be a whole number, got {n_checkpoints!r}", option="n_checkpoints"
        )
    n = int(n_checkpoints)
    if n < 2:
        raise UsageError(
            f"n_checkpoints must be at least 2 (the start and the end), got {n}",
            option="n_checkpoints",
        )
    if n > steps + 1:
        raise UsageError(
            f"n_checkpoints = {n} is more than the {steps + 1} steps 0..{steps} hold",
            option="n_checkpoints",
        )
    later = np.rint(np.geomspace(max(1.0, steps / 100), steps, n - 1)).astype(int)
    # distinct and within 1..steps: push each up past its predecessor, then down from the end
    for i in range(len(later)):
        later[i] = max(later[i], 1 if i == 0 else later[i - 1] + 1)
    for i in range(len(later) - 1, -1, -1):
        later[i] = min(later[i], steps if i == len(later) - 1 else later[i + 1] - 1)
    return (0, *(int(s) for s in later))


@dataclass(frozen=True, eq=False)
class InsidesResult(Drawable):
    """One net at each checkpoint: parameters, training MSE, every layer's values on a grid."""

    config: InsidesConfig
    model: Any  # MLP or MeshNet
    target_name: str
    target: Any  # x ↦ y (numpy)
    checkpoints: tuple[int, ...]  # steps, strictly increasing
    params: list[Any]  # per checkpoint, numpy pytrees
    losses: np.ndarray  # (n_checkpoints,) training MSE at each checkpoint
    loss_curve: np.ndarray  # (steps + 1,) training MSE after 0 … steps updates
    x_train: np.ndarray  # (n_train, 1)
    y_train: np.ndarray  # (n_train,)
    grid: np.ndarray  # (grid_points,) the x at which every neuron is evaluated
    hidden: list[list[np.ndarray]]  # [checkpoint][layer] (grid_points, width)
    outputs: list[np.ndarray]  # [checkpoint] (grid_points,) the learned function
    interval: tuple[float, float]  # the training interval
    extrapolation: tuple[float, float]  # the range of the grid

    @property
    def n_checkpoints(self) -> int:
        return len(self.checkpoints)

    @property
    def n_layers(self) -> int:
        """Hidden layers (MLP) or rows (mesh net)."""
        return len(self.hidden[0]) if self.hidden else 0

    def layer_change(self) -> np.ndarray:
        """How far each hidden layer moved in training: the RMS over the training interval and
        the layer's neurons of (values at the last checkpoint − values at the first), divided
        by the RMS of the values at the first checkpoint; ``(n_layers,)``."""
        lo, hi = self.interval
        inside = (self.grid >= lo) & (self.grid <= hi)
        change = []
        for first, last in zip(self.hidden[0], self.hidden[-1], strict=True):
            before = np.sqrt(np.mean(first[inside] ** 2))
            moved = np.sqrt(np.mean((last[inside] - first[inside]) ** 2))
            change.append(moved / before if before > 0 else np.inf)
        return np.array(change)

    @property
    def is_mesh(self) -> bool:
        from minimodels.learners.nets.mesh import MeshNet

        return isinstance(self.model, MeshNet)

    def fit(self, k: int) -> Any:
        """Checkpoint ``k`` as a :class:`~minimodels.learners.nets.fitting.Fit` (for the
        pictures of :mod:`minimodels.plotting.nets`)."""
        from minimodels.learners.nets.fitting import Fit

        step = self.checkpoints[k]
        return Fit(
            self.model, self.params[k], self.target_name, self.target, self.x_train,
            self.y_train, self.loss_curve[: step + 1], float(self.losses[k]), self.interval,
            self.extrapolation,
        )  # fmt: skip


CHUNK = 1000  # most steps per compiled call: its loss buffer has this fixed size


@cache
def _segment_fn() -> Any:
    """The compiled segment loop (built on first use, so importing this module stays cheap)."""
    import jax
    import jax.numpy as jnp

    from minimodels.learners.nets.step import advance

    @partial(jax.jit, static_argnames=("model", "training"))
    def segment(model, training, state, key, x, y, hyper, n):
        """Up to ``n`` ≤ :data:`CHUNK` masked steps of :func:`advance` (fewer once the net is
        done); returns the new state, the iterations run and the loss each one evaluated."""

        def cond(carry):
            i, s, _ = carry
            return (i < n) & ~s.done

        def body(carry):
            i, s, buf = carry
            s, loss = advance(model, training, s, key, x, y, hyper)
            return i + 1, s, buf.at[i].set(loss.astype(buf.dtype))

        buffer = jnp.full((CHUNK,), jnp.nan, dtype=x.dtype)
        i, state, buffer = jax.lax.while_loop(cond, body, (jnp.int32(0), state, buffer))
        return state, i, buffer

    return segment


def _advance_by(
    segment: Any,
    args: tuple[Any, ...],
    state: Any,
    n: int,
    curve: np.ndarray,
    on_step: Any,
) -> Any:
    """``n`` loop iterations from ``state`` (in chunks); each iteration's loss goes into
    ``curve`` at the step whose parameters it evaluated."""
    model, static, key, x, y, hyper = args
    while n > 0:
        start = int(state.step)
        size = min(n, CHUNK)
        state, ran, losses = segment(
            model, static, state, key, x, y, hyper, np.asarray(size, dtype=np.int32)
        )
        ran = int(ran)
        curve[start : start + ran] = np.asarray(losses)[:ran]
        on_step(int(state.step))
        if ran < size:  # the net stopped (diverged): nothing more will change
            break
        n -= size
    return state


def check_config(config: InsidesConfig) -> tuple[int, ...]:
    """Refuse (one sentence naming the option) what :func:`run_insides` cannot run, before
    anything is trained or written; returns the checkpoint steps."""
    from minimodels.learners.nets.fitting import resolve_target

    if config.model not in MODELS:
        raise UsageError(
            f"unknown model {config.model!r}; choose {' or '.join(MODELS)}", option="model"
        )
    steps = checkpoint_steps(config.steps, config.n_checkpoints, config.checkpoints)
    for name in ("n_train", "grid_points"):
        value = getattr(config, name)
        if isinstance(value, bool) or int(value) != value or value < 2:
            raise UsageError(f"{name} must be an integer ≥ 2, got {value!r}", option=name)
    resolve_target(config.target)
    n_checkpoints = len(steps)
    # the loss after every step, and per checkpoint every neuron (≤ 81) on the grid, twice over
    # (the result and the figure); training points through every layer, a few copies
    n_bytes = 8 * (int(config.steps) + 1) + 16 * 81 * n_checkpoints * int(config.grid_points)
    n_bytes += 8 * 81 * 4 * int(config.n_train)
    check_memory(n_bytes, f"a run of {config.steps:,} steps with {n_checkpoints} checkpoints "
                 f"of {config.grid_points:,} points", why="the loss curve and the neurons' values",
                 fix="lower --steps, --grid-points or --n-train")  # fmt: skip
    check_time(int(config.steps) / FAST_STEPS, f"training for {config.steps:,} steps",
               fix="lower --steps")  # fmt: skip
    return steps


def run_insides(
    config: InsidesConfig, *, on_progress: ProgressCallback | None = None
) -> InsidesResult:
    """Train the net of ``config`` for ``config.steps`` Adam steps, keeping its insides at each
    checkpoint (see the module docstring)."""
    import jax

    from minimodels.learners.nets.fitting import (
        check_fit,
        default_init,
        default_model,
        layer_values,
        resolve_target,
        training_points,
    )
    from minimodels.learners.nets.step import init_scales, start, static_init
    from minimodels.learners.nets.train import Training
    from minimodels.learners.nets.training import hyperparameters, prepare_data, structure

    steps = check_config(config)
    name, target = resolve_target(config.target)
    model = default_model(config.model)
    init = default_init(model)
    training = Training("adam", config.learning_rate, max_steps=int(config.steps))
    check_fit(model, int(config.n_train), training)
    x_train, y_train = training_points(target, int(config.n_train))
    x, y = prepare_data(model, x_train, y_train, training)
    hyper = hyperparameters(training)
    static = structure(training)
    key = jax.random.key(int(config.seed))
    state, batch_key = start(
        model, static, static_init(model, init), False, key, None, hyper, init_scales(init)
    )
    args = (model, static, batch_key, x, y, hyper)
    segment = _segment_fn()
    total = int(config.steps)
    curve = np.full(total + 1, np.nan)

    def on_step(step: int) -> None:
        report(on_progress, step, total)

    params, done = [], 0
    for step in steps:
        # a segment that ends at the last step runs one iteration more: the masked step that
        # evaluates the final parameters' loss and stops, as the library's loop ends
        extra = 1 if step == total else 0
        state = _advance_by(segment, args, state, step - done + extra, curve, on_step)
        done = step
        params.append(jax.tree.map(np.asarray, state.params))
    if total > steps[-1]:  # train on to the end after the last checkpoint
        state = _advance_by(segment, args, state, total - steps[-1] + 1, curve, on_step)
    if bool(state.diverged):
        raise UsageError(
            "training diverged: the loss became NaN or infinite (learning rate "
            f"{config.learning_rate:g} is too large for this net and data)",
            option="lr",
        )
    report(on_progress, total, total)
    lo, hi = -1.0, 1.0
    extrapolation = (lo - (hi - lo) / 2, hi + (hi - lo) / 2)
    grid = np.linspace(*extrapolation, int(config.grid_points))
    hidden, outputs = [], []
    for p in params:
        values = layer_values(model, p, grid[:, None])
        hidden.append([np.asarray(v, dtype=np.float64) for v in values[1:-1]])
        outputs.append(np.asarray(values[-1][:, 0], dtype=np.float64))
    return InsidesResult(
        config=config,
        model=model,
        target_name=name,
        target=target,
        checkpoints=steps,
        params=params,
        losses=np.array([curve[s] for s in steps]),
        loss_curve=curve,
        x_train=x_train,
        y_train=y_train,
        grid=grid,
        hidden=hidden,
        outputs=outputs,
        interval=(lo, hi),
        extrapolation=extrapolation,
    )
