"""Mesh nets: a grid of neurons, each seeing only the 2 or 3 nearest neurons of the row above.

The layout is that of a rule array (DESIGN.md §2), with a neuron in place of each cell:

* row 0 is the *input row* (``width`` values, no parameters), rows ``t = 1 … depth`` are
  neurons, and one *readout neuron* sits below row ``depth`` at column ``readout``
  (default ``width // 2``), as the readout cell of the rule-array bump task;
* range ``r = 1``: neuron ``x`` of row ``t`` reads ``(x−1, x, x+1)`` of row ``t−1``;
* range ``r = 1/2`` ("brick"): on odd rows ``t = 1, 3, …`` neuron ``x`` reads ``(x, x+1)``, on
  even rows ``(x−1, x)``; the readout neuron, on row ``depth + 1``, follows the same parity;
* ``boundary="cyclic"`` wraps around, ``"zero"`` reads 0 outside the row.

Neighbour ``j`` is counted left to right, as the digits of a rule-array neighbourhood.
Parameters (``n_nb = 3`` for r = 1, ``2`` for r = 1/2)::

    params["W"]      (depth, width, n_nb)   # W[t−1, x, j]: weight of neighbour j of neuron (t, x)
    params["b"]      (depth, width)
    params["W_out"]  (n_nb,)                # the readout neuron's weights
    params["b_out"]  ()

A hidden neuron computes ``act(Σ_j W[t−1, x, j] · h[t−1, x + offset_j] + b[t−1, x])``; the
readout is affine (no activation).  The input encoding fills row 0 from ``x`` ``(n, n_in)``:
``"broadcast"`` puts the single input ``x[:, 0]`` in every cell (the 1-D fitting tasks);
``"spread"`` puts input ``i`` on column ``(2i + 1)·width // (2·n_in)`` and 0 elsewhere
(Boolean tasks, inputs spread evenly as in DESIGN.md §3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from minimodels.base.errors import UsageError
from minimodels.learners.nets.activations import activate, check_activation
from minimodels.learners.nets.init import standard_draws
from minimodels.learners.nets.mlp import NamedInit, Params, check_params
from minimodels.models.inits import bias_scale, weight_scale

RANGES = ("1", "1/2")
BOUNDARIES = ("cyclic", "zero")
ENCODINGS = ("broadcast", "spread")


def normalise_range(r: str | float | int) -> str:
    """``1``, ``"1"`` → ``"1"``; ``0.5``, ``"1/2"``, ``"0.5"`` → ``"1/2"``."""
    text = str(r).strip()
    if text in ("1", "1.0"):
        return "1"
    if text in ("1/2", "0.5", ".5"):
        return "1/2"
    raise UsageError(f"mesh range r must be 1 or 1/2, got {r!r}")


def neighbour_offsets(r: str, row: int) -> tuple[int, ...]:
    """Column offsets, left to right, that a neuron on ``row`` (1-based) reads in the row above."""
    if r == "1":
        return (-1, 0, 1)
    return (0, 1) if row % 2 == 1 else (-1, 0)


def shifted(h: jax.Array, offset: int, boundary: str) -> jax.Array:
    """``out[..., x] = h[..., x + offset]`` (wrapping, or 0 outside the row)."""
    if offset == 0:
        return h
    if boundary == "cyclic":
        return jnp.roll(h, -offset, axis=-1)
    pad = [(0, 0)] * (h.ndim - 1)
    if offset > 0:
        return jnp.pad(h[..., offset:], [*pad, (0, offset)])
    return jnp.pad(h[..., :offset], [*pad, (-offset, 0)])


@dataclass(frozen=True)
class MeshNet(NamedInit):
    """A mesh net's layout (hashable, so it can be a static jit argument)."""

    width: int
    depth: int
    r: str = "1"
    activation: str = "relu"
    boundary: str = "cyclic"
    encoding: str = "broadcast"
    n_inputs: int = 1
    readout: int | None = None

    def __post_init__(self) -> None:
        for name in ("width", "depth", "n_inputs"):
            value = getattr(self, name)
            if int(value) != value or value <= 0:
                raise UsageError(f"mesh {name} must be a positive integer, got {value!r}")
            object.__setattr__(self, name, int(value))
        object.__setattr__(self, "r", normalise_range(self.r))
        check_activation(self.activation)
        if self.boundary not in BOUNDARIES:
            raise UsageError(f"boundary must be 'cyclic' or 'zero', got {self.boundary!r}")
        if self.encoding not in ENCODINGS:
            raise UsageError(
                f"unknown mesh encoding {self.encoding!r}; choose one of {', '.join(ENCODINGS)}"
            )
        if self.encoding == "broadcast" and self.n_inputs != 1:
            raise UsageError(f"the broadcast encoding takes 1 input, got n_inputs={self.n_inputs}")
        if self.n_inputs > self.width:
            raise UsageError(f"{self.n_inputs} inputs do not fit on a row of width {self.width}")
        readout = self.width // 2 if self.readout is None else int(self.readout)
        if not 0 <= readout < self.width:
            raise UsageError(f"readout column {readout} is outside 0..{self.width - 1}")
        object.__setattr__(self, "readout", readout)

        check_params(self.n_params, self.name)

    @property
    def n_neighbours(self) -> int:
        return 3 if self.r == "1" else 2

    @property
    def n_outputs(self) -> int:
        return 1

    @property
    def n_params(self) -> int:
        return self.depth * self.width * (self.n_neighbours + 1) + self.n_neighbours + 1

    @property
    def name(self) -> str:
        return f"mesh {self.width}x{self.depth} r={self.r}"

    def input_columns(self) -> tuple[int, ...]:
        """Columns of row 0 that hold the inputs under the ``"spread"`` encoding."""
        n = self.n_inputs
        return tuple((2 * i + 1) * self.width // (2 * n) for i in range(n))

    def draw(self, key: jax.Array, scheme: str, sigma_w: Any, sigma_b: Any) -> Params:
        n_nb, D, W = self.n_neighbours, self.depth, self.width
        z = standard_draws(key, self.n_params, scheme)
        hidden: dict[str, Any] = {"fan_in": n_nb, "scheme": scheme, "output": False}
        readout: dict[str, Any] = {"fan_in": n_nb, "scheme": scheme, "output": True}
        sizes = np.cumsum([D * W * n_nb, D * W, n_nb])
        return {
            "W": weight_scale(**hidden, sigma_w=sigma_w) * z[: sizes[0]].reshape(D, W, n_nb),
            "b": bias_scale(**hidden, sigma_b=sigma_b) * z[sizes[0] : sizes[1]].reshape(D, W),
            "W_out": weight_scale(**readout, sigma_w=sigma_w) * z[sizes[1] : sizes[2]],
            "b_out": bias_scale(**readout, sigma_b=sigma_b) * z[sizes[2]],
        }

    def encode(self, x: jax.Array) -> jax.Array:
        """Row 0, ``(n, width)``, from inputs ``(n, n_in)``."""
        x = jnp.asarray(x)
        if self.encoding == "broadcast":
            return jnp.broadcast_to(x[:, :1], (x.shape[0], self.width))
        row = jnp.zeros((x.shape[0], self.width), dtype=x.dtype)
        return row.at[:, jnp.array(self.input_columns())].set(x)

    def neighbours(self, h: jax.Array, row: int) -> jax.Array:
        """What the neurons of ``row`` read, ``(n, width, n_nb)``, from the row above."""
        offsets = neighbour_offsets(self.r, row)
        return jnp.stack([shifted(h, o, self.boundary) for o in offsets], axis=-1)

    def layers(self, params: Params, x: jax.Array) -> list[jax.Array]:
        """Rows ``[row 0, …, row depth]``, each ``(n, width)``, then the output ``(n, 1)``."""
        h0 = self.encode(x)

        def row(h, inputs):
            W, b, t = inputs  # (width, n_nb), (width,), row number
            if self.r == "1":
                reads = self.neighbours(h, 1)
            else:  # odd rows read (x, x+1), even rows (x-1, x): pick by parity
                reads = jnp.where(t % 2 == 1, self.neighbours(h, 1), self.neighbours(h, 2))
            h = activate(self.activation, jnp.sum(W * reads, axis=-1) + b)  # (n, width)
            return h, h

        rows = jnp.arange(1, self.depth + 1)
        h, hidden = jax.lax.scan(row, h0, (params["W"], params["b"], rows))  # (depth, n, width)
        below = self.neighbours(h, self.depth + 1)[:, self.readout]  # (n, n_nb)
        output = (below @ params["W_out"] + params["b_out"])[:, None]
        return [h0, *hidden, output]

    def apply(self, params: Params, x: jax.Array) -> jax.Array:
        """Outputs ``(n, 1)`` for inputs ``(n, n_in)``."""
        return self.layers(params, x)[-1]

    def hidden(self, params: Params, x: jax.Array) -> list[jax.Array]:
        """Hidden neurons' values, one ``(n, width)`` array per row ``1 … depth``."""
        return self.layers(params, x)[1:-1]


def reference_apply(model: MeshNet, params: Params, x: np.ndarray) -> np.ndarray:
    """The same mesh net, neuron by neuron in plain numpy (the oracle for :meth:`MeshNet.apply`)."""
    params = {name: np.asarray(value, dtype=np.float64) for name, value in params.items()}
    act = {
        "relu": lambda z: max(z, 0.0),
        "tanh": math.tanh,
        "gelu": lambda z: 0.5 * z * (1.0 + math.erf(z / math.sqrt(2.0))),
        "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
        "elu": lambda z: z if z > 0 else math.expm1(z),
        "quadratic": lambda z: z * z,
        "linear": lambda z: z,
    }[model.activation]
    W = model.width
    assert model.readout is not None  # set by __post_init__
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    outputs = np.zeros((len(x), 1))

    def read(row: np.ndarray, column: int) -> float:
        if model.boundary == "cyclic":
            return row[column % W]
        return row[column] if 0 <= column < W else 0.0

    for n, inputs in enumerate(x):
        row = np.zeros(W)
        if model.encoding == "broadcast":
            row[:] = inputs[0]
        else:
            for i, column in enumerate(model.input_columns()):
                row[column] = inputs[i]
        for t in range(1, model.depth + 1):
            offsets = neighbour_offsets(model.r, t)
            new = np.zeros(W)
            for c in range(W):
                z = params["b"][t - 1, c]
                for j, o in enumerate(offsets):
                    z += params["W"][t - 1, c, j] * read(row, c + o)
                new[c] = act(z)
            row = new
        offsets = neighbour_offsets(model.r, model.depth + 1)
        z = float(params["b_out"])
        for j, o in enumerate(offsets):
            z += params["W_out"][j] * read(row, model.readout + o)
        outputs[n, 0] = z
    return outputs
