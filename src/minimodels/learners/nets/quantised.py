"""The discrete ↔ continuous bridge: nets whose weights take a few discrete levels.

Every weight and bias of a quantised net is one of ``levels`` (default −1, −½, 0, ½, 1).
The same net can be trained two ways:

* **by gradient, straight through** (:class:`Quantised`): the trained parameters are
  continuous *latent* values θ; the forward pass uses ``q(θ)``, the nearest level, and the
  backward pass treats ``q`` as the identity (``θ + stop_gradient(q(θ) − θ)``).  A
  ``Quantised`` model is an ordinary model for :func:`~minimodels.learners.nets.train.train`, so the
  loss curve it records is the loss of the *quantised* net.
* **by mutation** (:func:`evolve_quantised`): the state is one level index per parameter,
  ``(n_params,)`` ints in the order of ``jax.flatten_util.ravel_pytree`` (leaves in
  pytree order, each flattened row-major); a step picks one
  parameter uniformly and gives it a different level uniformly; the change is kept when the
  MSE does not increase — exactly the rule arrays' adaptive evolution, run by the shared
  :func:`minimodels.learners.mutation.mutation_walk` (acceptance rule and trace included).

Loss everywhere: training MSE of the quantised net.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import jax
import jax.numpy as jnp
import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback
from minimodels.learners.mutation import Walk, mutation_walk
from minimodels.learners.nets.training import Training, prepare_data

if TYPE_CHECKING:
    pass

DEFAULT_LEVELS = (-1.0, -0.5, 0.0, 0.5, 1.0)


def check_levels(levels: tuple[float, ...]) -> tuple[float, ...]:
    levels = tuple(float(v) for v in levels)
    if len(levels) < 2 or len(set(levels)) != len(levels) or not np.all(np.isfinite(levels)):
        raise UsageError(
            f"levels must be at least 2 distinct finite numbers, got {levels}", option="levels"
        )
    return tuple(sorted(levels))


def quantise(values: jax.Array, levels: tuple[float, ...]) -> jax.Array:
    """Each value replaced by the nearest level (ties go to the lower level)."""
    grid = jnp.asarray(levels, dtype=values.dtype)
    nearest = jnp.argmin(jnp.abs(values[..., None] - grid), axis=-1)
    return grid[nearest]


def straight_through(values: jax.Array, levels: tuple[float, ...]) -> jax.Array:
    """Forward: the nearest level; backward: the identity."""
    return values + jax.lax.stop_gradient(quantise(values, levels) - values)


@dataclass(frozen=True)
class Quantised:
    """``base`` with every parameter quantised to ``levels`` in the forward pass (STE)."""

    base: Any
    levels: tuple[float, ...] = DEFAULT_LEVELS

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", check_levels(self.levels))

    @property
    def n_inputs(self) -> int:
        return self.base.n_inputs

    @property
    def n_outputs(self) -> int:
        return self.base.n_outputs

    @property
    def name(self) -> str:
        return f"{self.base.name}, {len(self.levels)} levels"

    def init(self, *, key: jax.Array, **kwargs: Any) -> Any:
        return self.base.init(key=key, **kwargs)

    def draw(self, key: jax.Array, scheme: str, sigma_w: Any, sigma_b: Any) -> Any:
        return self.base.draw(key, scheme, sigma_w, sigma_b)

    def discrete(self, params: Any) -> Any:
        """The parameters the forward pass actually uses (every value one of the levels)."""
        return _quantise_tree(params, self.levels)

    def apply(self, params: Any, x: jax.Array) -> jax.Array:
        return self.base.apply(jax.tree.map(lambda p: straight_through(p, self.levels), params), x)

    def layers(self, params: Any, x: jax.Array) -> list[jax.Array]:
        return self.base.layers(self.discrete(params), x)


@partial(jax.jit, static_argnames=("levels",))
def _quantise_tree(params: Any, levels: tuple[float, ...]) -> Any:
    return jax.tree.map(lambda p: quantise(p, levels), params)


@dataclass(frozen=True, eq=False)
class Evolved(Drawable):
    """A quantised net trained by mutation."""

    model: Any  # the base model
    levels: tuple[float, ...]
    indices: np.ndarray  # (n_params,) level index of every parameter (ravel_pytree order)
    params: Any  # the same net as a parameter pytree
    walk: Walk  # the shared mutation walk's record: .losses, .kept, .initial_loss

    @property
    def losses(self) -> np.ndarray:
        """MSE before any mutation, then after every attempted mutation."""
        return np.concatenate([[self.walk.initial_loss], self.walk.losses])

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])


def evolve_quantised(
    model: Any,
    x: Any,
    y: Any,
    *,
    steps: int,
    rng: np.random.Generator,
    levels: tuple[float, ...] = DEFAULT_LEVELS,
    start: Any = None,
    accept: str = "<=",
    stop_at: float | None = None,
    on_progress: ProgressCallback | None = None,
) -> Evolved:
    """Adaptive evolution of a quantised ``model`` on MSE, via :func:`mutation_walk`.

    ``start`` is a parameter pytree to quantise (default: every parameter a uniformly random
    level drawn from ``rng``).
    """

    levels = check_levels(levels)
    x, y = prepare_data(model, x, y, Training(loss="mse"))
    template = jax.eval_shape(lambda k: model.draw(k, "gaussian", 1.0, 1.0), jax.random.key(0))
    unravel = _unraveller(template)
    grid = np.asarray(levels)
    n_params = sum(int(np.prod(s.shape)) for s in jax.tree.leaves(template))
    if start is None:
        indices = rng.integers(0, len(levels), n_params)
    else:
        flat = np.concatenate([np.ravel(np.asarray(leaf)) for leaf in jax.tree.leaves(start)])
        indices = np.abs(flat[:, None] - grid).argmin(axis=1)

    def loss(state: np.ndarray) -> float:
        return float(_quantised_loss(model, levels, jnp.asarray(state), x, y))

    def propose(state: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, Any]:
        where = int(rng.integers(n_params))
        old = int(state[where])
        new = int(rng.integers(len(levels) - 1))
        new += new >= old  # a different level, uniformly
        changed = state.copy()
        changed[where] = new
        return changed, (where, old, new)

    walk = mutation_walk(
        indices, loss=loss, propose=propose, steps=steps, rng=rng,
        accept=accept, stop_at=stop_at, on_progress=on_progress,
    )  # fmt: skip
    params = unravel(np.asarray(grid[walk.state], dtype=jnp.result_type(float)))
    return Evolved(model, levels, np.asarray(walk.state), params, walk)


def _unraveller(template: Any):
    """The inverse of ``ravel_pytree`` for ``template``'s structure, on numpy or JAX arrays
    (numpy in, numpy out: nothing to compile)."""
    leaves, treedef = jax.tree.flatten(template)
    shapes = [leaf.shape for leaf in leaves]
    ends = np.cumsum([int(np.prod(shape)) for shape in shapes])

    def unravel(flat: Any) -> Any:
        starts = [0, *ends[:-1]]
        parts = [flat[a:b].reshape(shape) for a, b, shape in zip(starts, ends, shapes, strict=True)]
        return jax.tree.unflatten(treedef, parts)

    return unravel


@partial(jax.jit, static_argnames=("model", "levels"))
def _quantised_loss(model: Any, levels: tuple[float, ...], indices: jax.Array, x, y) -> jax.Array:
    """MSE of ``model`` with parameter ``i`` at level ``indices[i]`` (compiled once per model,
    levels and data shape)."""
    template = jax.eval_shape(lambda k: model.draw(k, "gaussian", 1.0, 1.0), jax.random.key(0))
    params = _unraveller(template)(jnp.asarray(levels, dtype=x.dtype)[indices])
    return jnp.mean((model.apply(params, x) - y) ** 2)
