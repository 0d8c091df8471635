"""Model specifications for the parameter–function map, parsed from short strings.

Specs (``parse_model``):

* ``"7-40-40-1"`` — a fully connected net with layer widths n, hidden…, 1 (ReLU by default;
  ``"7-40-40-1:tanh"`` or ``":linear"`` for others);
* ``"perceptron:7"`` — one threshold unit on 7 inputs *without* bias (SCIENCE.md §B.4);
* ``"rulearray:WxD:rules=4,146"`` and ``"mesh:…"`` — the discrete and mesh substrates, and
  ``"poly:7:3"`` — a thresholded random polynomial of degree ≤ 3 in 7 inputs (see
  :mod:`minimodels.analysis.sampling.substrates`).

Every model maps {0,1}^n to {0,1}: the output bit is 1 exactly when the final pre-activation is
> 0.  Initialisations are named in :mod:`minimodels.models.inits` (DESIGN.md §4).
"""

from __future__ import annotations

from dataclasses import dataclass

from minimodels.analysis.sampling.tables import MAX_INPUTS, check_inputs
from minimodels.base.errors import UsageError

__all__ = ["ACTIVATIONS", "MAX_INPUTS", "MLPSpec", "check_inputs", "parse_model"]

ACTIVATIONS = ("relu", "tanh", "linear")


@dataclass(frozen=True)
class MLPSpec:
    """A fully connected net: ``widths`` = (n_inputs, hidden…, 1)."""

    widths: tuple[int, ...]
    activation: str = "relu"
    bias: bool = True
    name: str = ""

    @property
    def n_inputs(self) -> int:
        return self.widths[0]

    @property
    def n_parameters(self) -> int:
        pairs = zip(self.widths[:-1], self.widths[1:], strict=True)
        return sum(a * b + (b if self.bias else 0) for a, b in pairs)

    def __str__(self) -> str:
        return self.name or "-".join(map(str, self.widths)) + (
            "" if self.activation == "relu" else f":{self.activation}"
        )


def parse_model(text: str):
    """Parse a model spec string (see the module docstring) into a spec object."""
    text = text.strip()
    kind, _, rest = text.partition(":")
    if kind == "perceptron":
        if not rest.isdigit():
            raise UsageError(f"bad perceptron spec {text!r}; expected 'perceptron:N'")
        check_inputs(int(rest))
        return MLPSpec((int(rest), 1), bias=False, name=f"perceptron:{int(rest)}")
    if kind in ("rulearray", "mesh"):
        from minimodels.analysis.sampling import substrates

        return substrates.parse(kind, rest, text)
    if kind == "poly":
        from minimodels.analysis.sampling import substrates

        return substrates.parse_poly(rest, text)
    parts = kind.split("-")
    if len(parts) < 2 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise UsageError(
            f"unknown model spec {text!r}; expected widths like '7-40-40-1', 'perceptron:7', "
            "'rulearray:WxD:rules=4,146', 'mesh:…' or 'poly:N:D'",
            option="model",
        )
    widths = tuple(int(p) for p in parts)
    if widths[-1] != 1:
        raise UsageError(f"model {text!r} must end in one output unit (…-1)", option="model")
    activation = rest or "relu"
    if activation not in ACTIVATIONS:
        raise UsageError(
            f"unknown activation {activation!r} in {text!r}; "
            f"choose one of {', '.join(ACTIVATIONS)}",
            option="model",
        )
    check_inputs(widths[0])
    return MLPSpec(widths, activation)
