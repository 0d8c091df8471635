"""Fully connected nets ("traditional nets"): ``widths = (n_in, h1, …, n_out)``.

Parameters are a tuple with one dict per layer ``l = 0 … L−1``::

    params[l]["W"]  (widths[l], widths[l + 1])   # row i: weights out of neuron i of layer l
    params[l]["b"]  (widths[l + 1],)

``apply`` maps inputs ``x`` of shape ``(n, n_in)`` to outputs ``(n, n_out)``: every hidden
layer is ``h ← act(h @ W + b)``, the last layer is affine (no activation).  A Boolean output
is 1 exactly when the output is > 0 (DESIGN.md §4).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

from minimodels.base.errors import UsageError
from minimodels.base.resources import check_memory, plural
from minimodels.learners.nets.activations import activate, check_activation
from minimodels.learners.nets.init import standard_draws
from minimodels.models.inits import bias_scale, check_scheme, weight_scale

Params = Any  # a pytree of arrays


def parse_widths(
    spec: str | tuple[int, ...] | list[int], *, option: str = "model"
) -> tuple[int, ...]:
    """``"7-40-40-1"`` or ``(7, 40, 40, 1)`` → ``(7, 40, 40, 1)``, checked; an error names the
    argument the widths came from (``option``: ``model``, or ``widths`` for ``minimodels fit``)."""
    if isinstance(spec, str):
        try:
            widths = tuple(int(part) for part in spec.split("-"))
        except ValueError:
            raise UsageError(
                f"{option} {spec!r} is not a list of widths like '7-40-40-1'", option=option
            ) from None
    else:
        widths = tuple(int(w) for w in spec)
    if len(widths) < 2:
        raise UsageError(
            f"a net needs at least an input and an output width, got {widths}", option=option
        )
    bad = [w for w in widths if w <= 0]
    if bad:
        raise UsageError(f"layer widths must be positive, got {bad[0]} in {widths}", option=option)
    return widths


def check_params(n_params: int, name: str) -> None:
    """Refuse (one sentence) a net whose parameters cannot be trained in memory."""

    check_memory(
        24 * n_params,  # float32 parameters, gradients, two Adam moments, updates, a copy
        f"the net {name} ({plural(n_params, 'parameter')})",
        why="its parameters, their gradients and the optimiser's state",
        fix="use narrower or fewer layers",
    )


class NamedInit:
    """``init(key=, scheme=, sigma_w=, sigma_b=)`` for any model with a ``draw`` method."""

    def init(
        self,
        *,
        key: jax.Array,
        scheme: str = "gaussian",
        sigma_w: float = 1.0,
        sigma_b: float = 1.0,
    ) -> Params:
        """Random parameters under a named initialisation (see :mod:`minimodels.models.inits`);
        fan-in is the number of inputs of each neuron."""
        check_scheme(scheme, sigma_w, sigma_b)
        return _draw(self, key, scheme, sigma_w, sigma_b)


@dataclass(frozen=True)
class MLP(NamedInit):
    """A fully connected net's shape and activation (hashable, so it can be a static jit arg)."""

    widths: tuple[int, ...]
    activation: str = "relu"

    def __post_init__(self) -> None:
        object.__setattr__(self, "widths", parse_widths(self.widths))
        check_activation(self.activation)
        check_params(self.n_params, self.name)

    @property
    def n_inputs(self) -> int:
        return self.widths[0]

    @property
    def n_outputs(self) -> int:
        return self.widths[-1]

    @property
    def n_params(self) -> int:
        return sum((a + 1) * b for a, b in zip(self.widths[:-1], self.widths[1:], strict=True))

    @property
    def name(self) -> str:
        return "-".join(map(str, self.widths))

    def draw(self, key: jax.Array, scheme: str, sigma_w: Any, sigma_b: Any) -> Params:
        z = standard_draws(key, self.n_params, scheme)
        layers, used = [], 0
        for i, (fan_in, fan_out) in enumerate(zip(self.widths[:-1], self.widths[1:], strict=True)):
            output = i == len(self.widths) - 2
            w = weight_scale(fan_in=fan_in, scheme=scheme, sigma_w=sigma_w, output=output)
            b = bias_scale(fan_in=fan_in, scheme=scheme, sigma_b=sigma_b, output=output)
            W = w * z[used : used + fan_in * fan_out].reshape(fan_in, fan_out)
            used += fan_in * fan_out
            layers.append({"W": W, "b": b * z[used : used + fan_out]})
            used += fan_out
        return tuple(layers)

    def apply(self, params: Params, x: jax.Array) -> jax.Array:
        """Outputs ``(n, n_out)`` for inputs ``(n, n_in)``."""
        return self.layers(params, x)[-1]

    def layers(self, params: Params, x: jax.Array) -> list[jax.Array]:
        """Every layer's values: ``[x, h1, …, output]``, each ``(n, width)`` (hidden: post-act)."""
        h = jnp.asarray(x)
        values = [h]
        for i, layer in enumerate(params):
            h = h @ layer["W"] + layer["b"]  # (n, widths[i + 1])
            if i < len(params) - 1:
                h = activate(self.activation, h)
            values.append(h)
        return values

    def hidden(self, params: Params, x: jax.Array) -> list[jax.Array]:
        """Hidden neurons' values, one ``(n, width)`` array per hidden layer."""
        return self.layers(params, x)[1:-1]


@partial(jax.jit, static_argnames=("model", "scheme"))
def _draw(model: Any, key: jax.Array, scheme: str, sigma_w: Any, sigma_b: Any) -> Params:
    """``model.draw`` compiled once per model and scheme (eager op-by-op drawing is slow)."""
    return model.draw(key, scheme, sigma_w, sigma_b)
