"""Rule arrays, mesh nets and random polynomials as random models of Boolean functions
(SCIENCE.md §D).

Specs (``parse_model``):

* ``rulearray:WxD:rules=4,146[:n=7][:r=1][:boundary=cyclic][:readout=C]`` — a width-W,
  depth-D rule array whose every cell is drawn uniformly from ``rules``; the n inputs sit on
  columns (2i + 1)·W // (2n) of the top row (spread evenly, x1 leftmost), all other cells 0;
  the output is the bottom-row cell ``readout`` (default W // 2).  ``r=1/2`` for brick arrays.
* ``mesh:WxD[:n=7][:r=1][:act=relu][:boundary=cyclic][:readout=C]`` — a mesh net
  (:class:`minimodels.learners.nets.mesh.MeshNet`, spread encoding) under the run's ``init``, σw,
  σb.
* ``poly:N:D`` — a random polynomial of degree ≤ D in N Boolean inputs, thresholded at 0
  (:class:`PolySpec`): the contrast, a model class with no architecture that might favour
  simple functions.

``truth_tables(spec, key, first, n, …)`` is the compiled path (:mod:`._substrate_kernels`);
``reference_truth_tables`` the plain one (the public ``RuleArray.output`` for rule arrays, NumPy
for mesh nets, a loop over monomials for polynomials), and the tests hold them equal.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from minimodels.analysis.sampling.tables import check_inputs, table_words
from minimodels.base.errors import UsageError
from minimodels.base.resources import check_memory
from minimodels.models.inits import bias_scale, weight_scale
from minimodels.models.rulearray import RuleArray

__all__ = [
    "MeshSpec",
    "PolySpec",
    "RuleArraySpec",
    "parse",
    "parse_poly",
    "reference_truth_tables",
    "truth_tables",
]


@dataclass(frozen=True)
class RuleArraySpec:
    width: int
    depth: int
    rules: tuple[int, ...] = (4, 146)
    n_inputs: int = 7
    r: str = "1"
    boundary: str = "cyclic"
    readout: int | None = None

    def input_columns(self) -> tuple[int, ...]:
        n = self.n_inputs
        return tuple((2 * i + 1) * self.width // (2 * n) for i in range(n))

    @property
    def readout_column(self) -> int:
        return self.width // 2 if self.readout is None else self.readout


@dataclass(frozen=True)
class MeshSpec:
    width: int
    depth: int
    n_inputs: int = 7
    r: str = "1"
    activation: str = "relu"
    boundary: str = "cyclic"
    readout: int | None = None

    def model(self):
        from minimodels.learners.nets.mesh import MeshNet

        return MeshNet(
            self.width, self.depth, r=self.r, activation=self.activation,
            boundary=self.boundary, encoding="spread", n_inputs=self.n_inputs,
            readout=self.readout,
        )  # fmt: skip


@dataclass(frozen=True)
class PolySpec:
    """A random polynomial in n Boolean inputs of degree ≤ d, thresholded: ``poly:N:D``.

    The distribution: f(x) = [p(x) > 0] on x ∈ {0,1}^n with

        p(x) = Σ_{S ⊆ {1…n}, |S| ≤ d} c_S · Π_{i ∈ S} x_i,   c_S i.i.d. N(0, 1),

    one coefficient per monomial (on 0/1 inputs x_i² = x_i, so the monomials are the products
    of the subsets of at most d distinct inputs, the empty one the constant term): there are
    Σ_{k ≤ d} C(n, k) of them.  d = 1 is a perceptron with bias (all weights and the bias
    N(0, 1)); with d = n the coefficients map one to one onto the 2^n values (Möbius
    inversion), so every function of {0,1}^n is reachable, but the values are not independent:
    p(x) ~ N(0, 2^|x|) shares the c_S with S ⊆ x ∧ y with p(y).  The run's ``init``, σw and σb
    do not apply (as for rule arrays): an overall scale of the coefficients changes no sign.

    Coefficients are float64, drawn from the net's stream (:mod:`.streams`) in the order of
    :meth:`monomials`: by degree, then lexicographically.
    """

    n_inputs: int
    degree: int

    def monomials(self) -> tuple[tuple[int, ...], ...]:
        """The monomials as tuples of 0-based input indices: (), (0,), (1,), …, (0, 1), …"""
        return tuple(
            subset
            for k in range(self.degree + 1)
            for subset in itertools.combinations(range(self.n_inputs), k)
        )

    @property
    def n_monomials(self) -> int:
        return sum(math.comb(self.n_inputs, k) for k in range(self.degree + 1))

    # what the size check (:func:`.config.check_size`) reads: a polynomial is a net with one
    # layer of monomial units and a linear readout, one parameter per monomial
    @property
    def widths(self) -> tuple[int, ...]:
        return (self.n_inputs, self.n_monomials, 1)

    @property
    def n_parameters(self) -> int:
        return self.n_monomials

    def __str__(self) -> str:
        return f"poly:{self.n_inputs}:{self.degree}"


def parse_poly(rest: str, text: str) -> PolySpec:
    """Parse the part after ``poly:`` (``N:D``)."""
    parts = rest.split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise UsageError(
            f"bad model spec {text!r}; expected 'poly:N:D' (N inputs, degree D), e.g. 'poly:7:3'",
            option="model",
        )
    n, degree = int(parts[0]), int(parts[1])
    check_inputs(n)
    if degree > n:
        raise UsageError(
            f"degree {degree} in model spec {text!r} is out of range for {n} inputs (0..{n})",
            option="model",
        )
    return PolySpec(n, degree)


def _options(parts: list[str], text: str, allowed: tuple[str, ...]) -> dict[str, str]:
    options = {}
    for part in parts:
        name, eq, value = part.partition("=")
        if not eq or name not in allowed:
            raise UsageError(
                f"bad option {part!r} in model spec {text!r}; allowed: "
                + ", ".join(f"{a}=…" for a in allowed)
            )
        options[name] = value
    return options


def _size(token: str, text: str) -> tuple[int, int]:
    width, x, depth = token.partition("x")
    if not (x and width.isdigit() and depth.isdigit() and int(width) > 0 and int(depth) > 0):
        raise UsageError(f"bad size {token!r} in model spec {text!r}; expected WIDTHxDEPTH")
    return int(width), int(depth)


def parse(kind: str, rest: str, text: str):
    """Parse the part after ``rulearray:`` / ``mesh:``."""
    parts = rest.split(":") if rest else []
    if not parts:
        raise UsageError(f"model spec {text!r} needs a size, e.g. '{kind}:20x10'")
    width, depth = _size(parts[0], text)

    check_memory(
        8 * width * (depth + 1),
        f"a {width} × {depth} {'rule array' if kind == 'rulearray' else 'mesh net'}",
        why="one model's cells",
        fix="lower the width or the depth",
    )
    spec: RuleArraySpec | MeshSpec
    try:
        if kind == "rulearray":
            o = _options(parts[1:], text, ("rules", "n", "r", "boundary", "readout"))
            rules = tuple(int(v) for v in o.get("rules", "4,146").split(","))
            spec = RuleArraySpec(
                width, depth, rules, int(o.get("n", 7)), o.get("r", "1"),
                o.get("boundary", "cyclic"), int(o["readout"]) if "readout" in o else None,
            )  # fmt: skip
            _check_rule_array(spec)
        else:
            o = _options(parts[1:], text, ("n", "r", "act", "boundary", "readout"))
            spec = MeshSpec(
                width, depth, int(o.get("n", 7)), o.get("r", "1"), o.get("act", "relu"),
                o.get("boundary", "cyclic"), int(o["readout"]) if "readout" in o else None,
            )  # fmt: skip
            if spec.activation not in ("relu", "linear"):
                raise UsageError(f"mesh activation {spec.activation!r}: choose relu or linear")
            check_inputs(spec.n_inputs)
            spec.model()  # validates width, range, boundary, readout
    except ValueError as error:
        if "model spec" in str(error) or "mesh" in str(error) or "inputs" in str(error):
            raise
        raise UsageError(f"bad model spec {text!r}: {error}") from None
    return spec


def _check_rule_array(spec: RuleArraySpec) -> None:

    check_inputs(spec.n_inputs)
    if spec.n_inputs > spec.width:
        raise UsageError(f"{spec.n_inputs} inputs do not fit on a row of width {spec.width}")
    RuleArray(np.full((1, spec.width), spec.rules[0]), r=spec.r, boundary=spec.boundary)
    RuleArray(np.array([spec.rules]), r=spec.r)  # every rule valid for r
    if not 0 <= spec.readout_column < spec.width:
        raise UsageError(f"readout column {spec.readout_column} is outside 0..{spec.width - 1}")


def boolean_inputs(n: int) -> np.ndarray:
    """(2^n, n) uint8: row i is the binary expansion of i, x1 most significant."""
    return ((np.arange(2**n)[:, None] >> np.arange(n - 1, -1, -1)) & 1).astype(np.uint8)


def input_rows(spec) -> np.ndarray:
    """(2^n, width) uint8 top rows: input j of row i on column input_columns[j]."""
    columns = spec.model().input_columns() if isinstance(spec, MeshSpec) else spec.input_columns()
    rows = np.zeros((2**spec.n_inputs, spec.width), dtype=np.uint8)
    rows[:, list(columns)] = boolean_inputs(spec.n_inputs)
    return rows


def mesh_scales(spec: MeshSpec, init: str, sigma_w: float, sigma_b: float) -> np.ndarray:
    """Per-parameter multipliers in the MeshNet layout (W, b, W_out, b_out)."""

    n_nb = 3 if spec.r == "1" else 2
    hidden: dict[str, Any] = {"fan_in": n_nb, "scheme": init, "output": False}
    out: dict[str, Any] = {"fan_in": n_nb, "scheme": init, "output": True}
    n_cells = spec.depth * spec.width
    return np.concatenate([
        np.full(n_cells * n_nb, weight_scale(**hidden, sigma_w=sigma_w)),
        np.full(n_cells, bias_scale(**hidden, sigma_b=sigma_b)),
        np.full(n_nb, weight_scale(**out, sigma_w=sigma_w)),
        [bias_scale(**out, sigma_b=sigma_b)],
    ])  # fmt: skip


def monomial_rows(spec: PolySpec) -> np.ndarray:
    """(n_monomials,) int64: the row of {0,1}^n whose ones are each monomial's inputs."""
    n = spec.n_inputs
    return np.array([sum(1 << (n - 1 - i) for i in m) for m in spec.monomials()], dtype=np.int64)


def truth_tables(spec, key, first, n, *, init="gaussian", sigma_w=1.0, sigma_b=1.0):
    """Packed truth tables (n, n_words) of models ``first …`` of the run with ``key``."""
    import numba

    from minimodels.analysis.sampling import _substrate_kernels as kernels
    from minimodels.analysis.sampling.streams import ZIG_F, ZIG_K, ZIG_W
    from minimodels.engine import pack_bits

    out = np.zeros((n, table_words(spec.n_inputs)), dtype=np.uint64)
    chunks = 8 * numba.get_num_threads()
    if isinstance(spec, PolySpec):
        kernels.sample_polynomials(
            np.uint64(key), int(first), monomial_rows(spec), 2**spec.n_inputs,
            (ZIG_K, ZIG_W, ZIG_F), chunks, out,
        )  # fmt: skip
        return out
    rows = input_rows(spec)
    brick = spec.r in ("1/2", "0.5")
    cyclic = spec.boundary == "cyclic"
    if isinstance(spec, RuleArraySpec):
        kernels.sample_rule_arrays(
            np.uint64(key), int(first), np.array(spec.rules, dtype=np.int64), spec.depth,
            spec.width, pack_bits(rows), spec.readout_column, cyclic, brick, 2**spec.n_inputs,
            chunks, out,
        )  # fmt: skip
        return out
    model = spec.model()
    kernels.sample_mesh(
        np.uint64(key), int(first), mesh_scales(spec, init, sigma_w, sigma_b), init == "uniform",
        (ZIG_K, ZIG_W, ZIG_F), np.ascontiguousarray(rows.T.astype(np.float32)), spec.depth,
        spec.width, model.n_neighbours, brick, cyclic, spec.activation == "relu", model.readout,
        chunks, out,
    )  # fmt: skip
    return out


def reference_truth_tables(spec, key, first, n, *, init="gaussian", sigma_w=1.0, sigma_b=1.0):
    """(n, 2^n) uint8 truth tables by the plain path (slow; for tests)."""
    from minimodels.analysis.sampling.reference import Streams

    if isinstance(spec, PolySpec):
        coefficients = polynomial_coefficients(spec, key, first, n)
        return (reference_polynomial_values(spec, coefficients) > 0).astype(np.uint8)
    rows = input_rows(spec)
    if isinstance(spec, RuleArraySpec):
        from minimodels.models.rulearray import RuleArray

        streams = Streams(key, np.arange(first, first + n))
        rule_set = np.array(spec.rules)
        cells = [streams.uniform() for _ in range(spec.depth * spec.width)]
        picks = np.minimum(len(rule_set) - 1, (np.stack(cells, axis=1) * len(rule_set)))
        rules = rule_set[picks.astype(np.int64)].reshape(n, spec.depth, spec.width)
        return np.stack([
            RuleArray(r, r=spec.r, boundary=spec.boundary).output(rows)[:, spec.readout_column]
            for r in rules
        ])  # fmt: skip
    params = mesh_parameters(spec, key, first, n, init=init, sigma_w=sigma_w, sigma_b=sigma_b)
    return np.stack([_mesh_reference(spec, p, rows) for p in params])


def polynomial_coefficients(spec: PolySpec, key, first, n) -> np.ndarray:
    """(n, n_monomials) float64 coefficients of polynomials ``first …`` (plain streams)."""
    from minimodels.analysis.sampling.reference import Streams

    streams = Streams(key, np.arange(first, first + n))
    columns = [streams.normal() for _ in range(spec.n_monomials)]
    return np.stack(columns, axis=1) if columns else np.zeros((n, 0))


def reference_polynomial_values(spec: PolySpec, coefficients: np.ndarray) -> np.ndarray:
    """(m, 2^n) float64 values p(x) on every row, a monomial at a time (the plain path)."""
    x = boolean_inputs(spec.n_inputs).astype(bool)
    coefficients = np.atleast_2d(np.asarray(coefficients, dtype=np.float64))
    values = np.zeros((len(coefficients), len(x)))
    for k, monomial in enumerate(spec.monomials()):
        present = np.ones(len(x), dtype=bool)
        for i in monomial:
            present &= x[:, i]
        values += coefficients[:, k : k + 1] * present
    return values


def mesh_parameters(spec: MeshSpec, key, first, n, *, init, sigma_w, sigma_b) -> np.ndarray:
    """(n, n_params) float32 parameters of mesh nets ``first …``, in the MeshNet layout."""
    from minimodels.analysis.sampling.reference import Streams

    streams = Streams(key, np.arange(first, first + n))
    draw = streams.normal if init == "gaussian" else lambda: 2.0 * streams.uniform() - 1.0
    scales = mesh_scales(spec, init, sigma_w, sigma_b)
    return np.stack([draw() * s for s in scales], axis=1).astype(np.float32)


def _mesh_reference(spec: MeshSpec, p: np.ndarray, rows: np.ndarray) -> np.ndarray:
    from minimodels.learners.nets.mesh import neighbour_offsets

    model = spec.model()
    W, D, n_nb = spec.width, spec.depth, model.n_neighbours
    weights = p[: D * W * n_nb].reshape(D, W, n_nb)
    biases = p[D * W * n_nb : D * W * (n_nb + 1)].reshape(D, W)
    w_out, b_out = p[D * W * (n_nb + 1) : -1], p[-1]
    h = rows.T.astype(np.float32)  # (W, 2^n)

    def read(column):
        if 0 <= column < W or spec.boundary == "cyclic":
            return h[column % W]
        return np.zeros(h.shape[1], dtype=np.float32)

    for t in range(1, D + 2):
        offsets = neighbour_offsets(model.r, t)
        cells = [model.readout] if t == D + 1 else range(W)
        new = np.zeros_like(h)
        for x in cells:
            w = w_out if t == D + 1 else weights[t - 1, x]
            z = np.zeros(h.shape[1], dtype=np.float32)
            for j, o in enumerate(offsets):
                z = z + w[j] * read(x + o)
            z = z + (b_out if t == D + 1 else biases[t - 1, x])
            new[x] = z if (t == D + 1 or spec.activation == "linear") else np.maximum(z, 0)
        h = new
    return (h[model.readout] > 0).astype(np.uint8)
