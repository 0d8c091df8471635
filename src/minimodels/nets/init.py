"""Named initialisations (DESIGN.md §4): a name always means the same distribution.

* ``"gaussian"`` with (σw, σb): every weight ``W ~ N(0, σw² / fan_in)``, every bias
  ``b ~ N(0, σb²)``, on every layer including the output layer.
* ``"uniform"``: ``W, b ~ U(−√(6/fan_in), +√(6/fan_in))`` on hidden layers and
  ``U(−√(3/fan_in), +√(3/fan_in))`` on the output layer (σw, σb are ignored).

``fan_in`` is the number of inputs one neuron sums over: the width of the layer below for a
fully connected layer, 2 or 3 for a mesh neuron.  Any other scheme must get its own name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import jax

from minimodels.errors import UsageError

SCHEMES = ("gaussian", "uniform")


def check_scheme(scheme: str, sigma_w: float = 1.0, sigma_b: float = 1.0) -> None:
    if scheme not in SCHEMES:
        raise UsageError(
            f"unknown initialisation {scheme!r}; choose one of {', '.join(SCHEMES)}", option="init"
        )
    if not (sigma_w >= 0 and sigma_b >= 0):
        raise UsageError(f"sigma_w and sigma_b must be ≥ 0, got {sigma_w} and {sigma_b}")


def standard_draws(key: jax.Array, n: int, scheme: str) -> jax.Array:
    """``n`` draws from N(0, 1) (``"gaussian"``) or U(−1, 1) (``"uniform"``), to be scaled.

    A model draws all its parameters in one call and scales slices of it: one random-number
    kernel to compile instead of one per layer.
    """
    if scheme == "gaussian":
        return jax.random.normal(key, (n,))
    return jax.random.uniform(key, (n,), minval=-1.0, maxval=1.0)


def weight_scale(*, fan_in: int, scheme: str, sigma_w: Any, output: bool) -> Any:
    """Multiplier of a standard draw: σw/√fan_in (gaussian) or √(6 or 3 / fan_in) (uniform)."""
    if scheme == "gaussian":
        return sigma_w / math.sqrt(fan_in)
    return math.sqrt((3.0 if output else 6.0) / fan_in)


def bias_scale(*, fan_in: int, scheme: str, sigma_b: Any, output: bool) -> Any:
    """Multiplier of a standard draw for a bias: σb (gaussian) or the weights' bound (uniform)."""
    if scheme == "gaussian":
        return sigma_b
    return math.sqrt((3.0 if output else 6.0) / fan_in)


@dataclass(frozen=True)
class Init:
    """A named initialisation with its scales, as stored in a run's config."""

    scheme: str = "gaussian"
    sigma_w: float = 1.0
    sigma_b: float = 1.0

    def __post_init__(self) -> None:
        check_scheme(self.scheme, self.sigma_w, self.sigma_b)

    def kwargs(self) -> dict[str, Any]:
        return {"scheme": self.scheme, "sigma_w": self.sigma_w, "sigma_b": self.sigma_b}
