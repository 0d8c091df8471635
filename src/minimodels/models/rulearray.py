"""Rule arrays: a grid of cells, each applying its own cellular-automaton rule to the row above.

Data model.  ``rules`` is a ``(depth, W)`` int64 array of k = 2 rule numbers (Wolfram
numbering).  An input is a row of ``W`` values in {0, 1}; state row 0 is the input
and rule row ``t`` computes state row ``t + 1``, so a run is ``(depth + 1, W)`` with time running
down and the *output* is the last row.

* ``r=1``: (left, centre, right) = (a, b, c) -> bit ``4a + 2b + c`` of the rule (0..255);
  e.g. rule 4 keeps only an isolated 1, rule 146 sends 111, 100, 001 -> 1.
* ``r=0.5`` ("brick", also accepted as ``"1/2"``): (p, q) -> bit ``2p + q`` (0..15); rule 8 is
  And, 6 Xor, 14 Or.  State row ``t`` reads ``(x, x+1)`` for odd ``t``, ``(x-1, x)`` for even.
* ``boundary``: ``"cyclic"`` (wrap around) or ``"zero"`` (cells outside are 0).

A ``RuleArray`` is an immutable value: ``.rules`` is read-only, ``==`` compares rules and
layout, and :meth:`RuleArray.with_rule` returns a mutated copy.  Evaluation goes through the
bit-sliced engine (:mod:`minimodels.engine`); :meth:`RuleArray.run_reference` is the plain
numpy path it is tested against.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.base.display import Drawable, draw_as
from minimodels.base.errors import UsageError
from minimodels.base.resources import check_memory, plural
from minimodels.models.ca import BOUNDARIES, check_boundary  # noqa: F401 (re-exported)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Threads pay for themselves only on big enough batches.  The kernel splits any batch into one
# share per thread, so the cost is only the thread team's start-up (tens of us when idle), but on
# a busy machine a descheduled worker stalls the whole call by a time slice (ms): 4096 inputs
# (64 words, ~0.4 ms on one core) stay on one core, 8192 and more are shared.
PARALLEL_MIN_WORDS = 128


def parse_range(r: Any) -> float:
    """Rule-array range: 1, or 1/2 given as 0.5, ``"1/2"`` or ``Fraction(1, 2)``."""
    try:
        value = Fraction(str(r)) if isinstance(r, str) else Fraction(r)
    except (ValueError, TypeError, ZeroDivisionError):
        value = None
    if value == 1:
        return 1.0
    if value == Fraction(1, 2):
        return 0.5
    raise UsageError(f"rule arrays have range r=1 or r=1/2, got r={r!r}")


def n_rules_for(r: float) -> int:
    """Number of k = 2 rules of range ``r``: 256 for r = 1, 16 for r = 1/2."""
    return 256 if r == 1 else 16


def _range_text(r: float) -> str:
    return "1" if r == 1 else "1/2"


def check_rules(rules: Any, r: float) -> np.ndarray:
    """``rules`` as a read-only ``(depth, W)`` int64 array, each in range for ``r``."""
    try:
        array = np.array(rules, dtype=None if isinstance(rules, np.ndarray) else object)
    except ValueError:
        raise UsageError("rules must be a rectangular 2-D (depth, width) grid") from None
    if array.ndim != 2:
        raise UsageError(
            f"rules must be a rectangular 2-D (depth, width) grid, got shape {array.shape}"
        )
    if array.shape[0] < 1 or array.shape[1] < 1:
        raise UsageError(f"a rule array needs depth and width >= 1, got shape {array.shape}")
    if array.dtype == object or array.dtype.kind not in "iu":
        if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in array.flat):
            raise UsageError("rules must be integers (Wolfram rule numbers)")
    top = n_rules_for(r) - 1
    for value in (array.min(), array.max()):
        if not 0 <= int(value) <= top:
            raise UsageError(
                f"rule {int(value)} is out of range for k=2, r={_range_text(r)} (0..{top})",
                option="rules",
            )
    result = np.array(array, dtype=np.int64)
    result.flags.writeable = False
    return result


class RuleArray(Drawable):
    """A ``(depth, W)`` grid of k = 2 CA rules evaluated on 0/1 input rows (see module doc)."""

    __slots__ = ("rules", "r", "boundary")

    def __init__(self, rules: Any, *, r: float | str = 1, boundary: str = "cyclic") -> None:
        self.r = parse_range(r)
        self.boundary = check_boundary(boundary)
        self.rules = check_rules(rules, self.r)

    # -- construction -------------------------------------------------------------------
    @classmethod
    def random(
        cls,
        depth: int,
        width: int,
        *,
        rules: Sequence[int] = (4, 146),
        rng: np.random.Generator,
        r: float | str = 1,
        boundary: str = "cyclic",
    ) -> RuleArray:
        """Every cell drawn uniformly and independently from ``rules``."""
        check_size(depth, width)
        choices = np.asarray(list(rules), dtype=np.int64)
        if choices.size == 0:
            raise UsageError("the rule set is empty; give at least one rule")
        return cls(rng.choice(choices, size=(depth, width)), r=r, boundary=boundary)

    @classmethod
    def uniform(
        cls, depth: int, width: int, rule: int, *, r: float | str = 1, boundary: str = "cyclic"
    ) -> RuleArray:
        """Every cell the same rule: an ordinary (homogeneous) cellular automaton."""
        check_size(depth, width)
        return cls(np.full((depth, width), rule, dtype=np.int64), r=r, boundary=boundary)

    # -- shape and identity ---------------------------------------------------------------
    @property
    def depth(self) -> int:
        return self.rules.shape[0]

    @property
    def width(self) -> int:
        return self.rules.shape[1]

    @property
    def shape(self) -> tuple[int, int]:
        return self.rules.shape

    @property
    def brick(self) -> bool:
        return self.r == 0.5

    @property
    def cyclic(self) -> bool:
        return self.boundary == "cyclic"

    @property
    def rule_set(self) -> tuple[int, ...]:
        """The distinct rules used, ascending."""
        return tuple(int(v) for v in np.unique(self.rules))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RuleArray):
            return NotImplemented
        return (
            self.r == other.r
            and self.boundary == other.boundary
            and np.array_equal(self.rules, other.rules)
        )

    def __hash__(self) -> int:
        return hash((self.r, self.boundary, self.rules.shape, self.rules.tobytes()))

    def __repr__(self) -> str:
        r = _range_text(self.r)
        return (
            f"RuleArray(depth={self.depth}, width={self.width}, r={r}, "
            f"boundary={self.boundary!r}, rules={list(self.rule_set)})"
        )

    def copy(self) -> RuleArray:
        return RuleArray(self.rules.copy(), r=self.r, boundary=self.boundary)

    def with_rule(self, row: int, col: int, rule: int) -> RuleArray:
        """A copy with cell ``(row, col)`` given ``rule`` (a single-point mutation)."""
        if not (0 <= row < self.depth and 0 <= col < self.width):
            raise UsageError(f"cell ({row}, {col}) is outside a {self.depth}x{self.width} array")
        rules = self.rules.copy()
        rules[row, col] = rule
        return RuleArray(rules, r=self.r, boundary=self.boundary)

    # -- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form: ``{"rules": [[...], ...], "r": "1" | "1/2", "boundary": ...}``."""
        return {
            "rules": self.rules.tolist(),
            "r": _range_text(self.r),
            "boundary": self.boundary,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuleArray:
        """Inverse of :meth:`to_dict`."""
        if not isinstance(data, dict) or "rules" not in data:
            raise UsageError("a saved rule array must be a mapping with a 'rules' entry")
        return cls(data["rules"], r=data.get("r", 1), boundary=data.get("boundary", "cyclic"))

    # -- evaluation ---------------------------------------------------------------------------
    def _inputs(self, inputs: Any) -> tuple[np.ndarray, bool]:
        from minimodels.engine import as_bits

        array = as_bits(inputs)
        single = array.ndim == 1
        if single:
            array = array[None, :]
        if array.ndim != 2 or array.shape[1] != self.width:
            raise UsageError(
                f"inputs must have shape (n, {self.width}) or ({self.width},) for this array, "
                f"got {np.shape(inputs)}"
            )
        return array, single

    def run(self, inputs: Any) -> np.ndarray:
        """Every state row: ``(n, W)`` inputs -> ``(n, depth + 1, W)`` uint8 (``(W,)`` -> 2-D)."""
        from minimodels.engine import evaluate_rows, pack_bits, unpack_bits

        array, single = self._inputs(inputs)
        self.check_runs(array.shape[0])
        rows = evaluate_rows(self.rules, pack_bits(array), self.cyclic, self.brick)
        states = unpack_bits(rows, array.shape[0])  # (n, depth + 1, W)
        return states[0] if single else states

    def check_runs(self, n: int, *, drawn: bool = False) -> None:
        """Refuse (one sentence) ``n`` runs whose every state (and its packed copy, or the
        float RGB image :meth:`plot` makes of it when ``drawn``) cannot fit in memory."""

        check_memory(
            (64 if drawn else 2) * int(n) * (self.depth + 1) * self.width,
            f"{'drawing' if drawn else 'running'} a {self.depth} × {self.width} rule array on "
            f"{plural(n, 'input')}",
            why="every state of every run",
            fix="give fewer inputs or a smaller array",
        )

    def output(self, inputs: Any) -> np.ndarray:
        """The final rows: ``(n, W)`` 0/1 inputs -> ``(n, W)`` uint8 — the fast path."""
        from minimodels.engine import (
            evaluate_output,
            evaluate_output_parallel,
            pack_bits,
            unpack_bits,
        )

        array, single = self._inputs(inputs)
        packed = pack_bits(array)
        many = packed.shape[1] >= PARALLEL_MIN_WORDS and _threads() > 1
        evaluate = evaluate_output_parallel if many else evaluate_output
        final = evaluate(self.rules, packed, self.cyclic, self.brick)
        out = unpack_bits(final, array.shape[0])
        return out[0] if single else out

    def run_reference(self, inputs: Any) -> np.ndarray:
        """Same as :meth:`run`, by the plain numpy reference (slow; for checking)."""
        from minimodels.engine import run_rule_array

        array, single = self._inputs(inputs)
        states = run_rule_array(self.rules, array, brick=self.brick, cyclic=self.cyclic)
        return states[0] if single else states

    # -- pictures -----------------------------------------------------------------------------
    def plot(
        self,
        inputs: Any | None = None,
        *,
        readout: int | None = None,
        ax: Axes | None = None,
        **kwargs: Any,
    ) -> Figure:
        """Draw the array run on one input (default: a single 1 in the middle), or a grid of runs.

        A 1-D ``inputs`` draws one run; a 2-D batch draws a grid of small pictures with the
        ``readout`` cell of the last row marked (default ``W // 2``).
        """
        if inputs is None:
            inputs = single_cell_inputs(self.width)[self.width // 2]
        array, single = self._inputs(inputs)
        self.check_runs(array.shape[0], drawn=True)
        rows = array[0] if single else array
        return draw_as("rule-array", self, rows, grid=not single, readout=readout, ax=ax, **kwargs)


def check_size(depth: int, width: int) -> None:
    """Refuse (one sentence) a depth or width that is not a whole number ≥ 1, or an array
    whose rules cannot fit in memory."""

    for name, value in (("depth", depth), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise UsageError(f"{name} must be an integer >= 1, got {value!r}")
    check_memory(
        16 * int(depth) * int(width),  # the rule numbers and their random draws (int64)
        f"a {depth} × {width} rule array",
        why="its rules",
        fix="lower the depth or the width",
    )


def single_cell_inputs(width: int) -> np.ndarray:
    """All ``width`` single-cell inputs, ``(width, width)`` uint8: input x has a 1 at column x."""

    check_size(1, width)
    check_memory(int(width) ** 2, f"making all {width} single-cell inputs", fix="lower the width")
    return np.eye(width, dtype=np.uint8)


def _threads() -> int:
    import numba

    return numba.get_num_threads()
