"""The named initialisations (DESIGN.md §4): one registry, read by every sampler and trainer.

A name always means the same distribution, whichever code draws from it (the compiled numba
sampler, the JAX sampler, the JAX trainers, the NumPy reference):

* ``"gaussian"`` with (σw, σb): every weight ``W ~ N(0, σw² / fan_in)``, every bias
  ``b ~ N(0, σb²)``, on every layer including the output layer.
* ``"uniform"``: ``W, b ~ U(−√(6/fan_in), +√(6/fan_in))`` on hidden layers and
  ``U(−√(3/fan_in), +√(3/fan_in))`` on the output layer (σw, σb are ignored).

The Oxford simplicity-bias papers (Valle-Pérez, Camargo & Louis, ICLR 2019; Mingard et al.)
need no name of their own: their public code draws ``W ~ N(0, (σw/√fan_in)²)`` and
``b ~ N(0, σb²)`` (σb *not* divided by √fan_in) on every layer, on inputs in {0,1}^n — that is
``"gaussian"`` with the same (σw, σb) (github.com/guillefix/nn-pacbayes, ``initialization.py``,
``simple_reset_weights``; github.com/guillefix/simpbias-tools,
``py_scripts/sample_nets_gaussian.py``).  Their ``"uniform"`` runs (``py_scripts/sample_nets.py``)
are this module's ``"uniform"``.  See :mod:`minimodels.experiments.occam`.

``fan_in`` is the number of inputs one neuron sums over: the width of the layer below for a
fully connected layer, 2 or 3 for a mesh neuron.  Every model draws *standard* values (N(0, 1)
for ``gaussian``, U(−1, 1) for ``uniform``) and multiplies them by :func:`weight_scale` and
:func:`bias_scale`; any other scheme must get its own name here.  No NumPy or JAX: the
samplers, the trainers and their worker processes all import this cheaply.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

from minimodels.base.errors import UsageError

__all__ = ["SCHEMES", "Init", "bias_scale", "check_scheme", "weight_scale"]

SCHEMES = ("gaussian", "uniform")


def check_scheme(scheme: str, sigma_w: Any = 1.0, sigma_b: Any = 1.0) -> None:
    """Refuse an unknown scheme name, or a σ that is not a finite number ≥ 0."""
    if scheme not in SCHEMES:
        raise UsageError(
            f"unknown init {scheme!r}; choose one of {', '.join(SCHEMES)}", option="init"
        )
    for name, value in (("sigma_w", sigma_w), ("sigma_b", sigma_b)):
        if not isinstance(value, numbers.Real) or not 0 <= float(value) < math.inf:
            raise UsageError(f"{name} = {value} must be a finite number ≥ 0", option=name)


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
