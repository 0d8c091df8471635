"""One-dimensional cellular automata with k colours, Wolfram's rule numbering.

Data model.  A state is a row of ``W`` integers in ``0..k-1``; a run is a ``(steps + 1, W)``
uint8 array whose row 0 is the initial row, time running down (DESIGN §2).

* Range ``r = 1, 2, 3, ...``: a cell's neighbourhood is the ``2r + 1`` cells centred on it, read
  left to right as a base-k number ``i`` (leftmost most significant); the new value is base-k
  digit ``i`` of the rule number (digit 0 least significant).  For k = 2, r = 1, rule ``n``
  sends (a, b, c) to bit ``4a + 2b + c`` of ``n``: rule 30, 90, 110, ... as in the books.
* Range ``r = 1/2`` (the "brick" layout, ``r=0.5`` or ``"1/2"``): a cell reads two cells,
  ``(x, x+1)`` on odd rows and ``(x-1, x)`` on even rows; (p, q) -> digit ``k*p + q``
  (k = 2: rule 8 is And, 6 Xor, 14 Or).
* ``boundary``: ``"cyclic"`` (wrap around) or ``"zero"`` (cells outside the row are 0).

A rule is a Python int of any size (k = 4, r = 1 has 4^64 rules) or an explicit *rule table*:
a sequence of ``k^(2r+1)`` (brick: ``k^2``) values in ``0..k-1``, entry ``i`` the new value for
neighbourhood ``i``.  :func:`rule_table` and :func:`rule_number` convert between the two.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.base.display import draw_as
from minimodels.base.errors import UsageError
from minimodels.base.resources import check_memory, plural

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BOUNDARIES = ("cyclic", "zero")
MAX_TABLE = 2**22  # neighbourhoods; beyond this a lookup table stops being sensible


def _range(r: Any) -> Fraction:
    try:
        value = Fraction(str(r)) if isinstance(r, str) else Fraction(r)
    except (ValueError, TypeError, ZeroDivisionError):
        value = None
    if value is None or not (value == Fraction(1, 2) or (value.denominator == 1 and value >= 1)):
        raise UsageError(f"range r must be 1/2 or a whole number >= 1, got r={r!r}")
    return value


def _range_text(r: Fraction) -> str:
    return str(r)  # "1", "2", "1/2"


def n_neighbourhoods(k: int = 2, r: Any = 1) -> int:
    """Number of distinct neighbourhoods: ``k^(2r+1)``, or ``k^2`` for r = 1/2."""
    r = _range(r)
    _check_k(k)
    return k**2 if r == Fraction(1, 2) else k ** (2 * int(r) + 1)


def n_rules(k: int = 2, r: Any = 1) -> int:
    """Number of rules for (k, r): ``k^(k^(2r+1))`` (256 for k = 2, r = 1), as an exact int."""
    return k ** n_neighbourhoods(k, r)


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 2 <= k <= 255:
        raise UsageError(f"k must be a whole number of colours in 2..255, got k={k!r}", option="k")


def rule_table(rule: int | Sequence[int] | np.ndarray, *, k: int = 2, r: Any = 1) -> np.ndarray:
    """The lookup table of ``rule``: entry ``i`` is the new value for neighbourhood ``i``."""
    r = _range(r)
    size = n_neighbourhoods(k, r)
    if size > MAX_TABLE:
        count = f"{size:,}" if size < 10**12 else f"{k}^{2 * int(r) + 1}"
        raise UsageError(
            f"k={k}, r={_range_text(r)} has {count} neighbourhoods (at most {MAX_TABLE:,})",
            option=("r", "k"),
        )
    if isinstance(rule, int | np.integer) and not isinstance(rule, bool):
        rule = int(rule)
        top = k**size - 1
        if not 0 <= rule <= top:
            allowed = f"0..{top}" if top < 10**12 else f"0..{k}^{size}-1"
            raise UsageError(
                f"rule {rule} is out of range for k={k}, r={_range_text(r)} ({allowed})",
                option=("rule", "rules"),
            )
        return _digits(rule, k, size)
    try:
        table = np.asarray(rule)
    except ValueError:
        table = np.asarray([], dtype=object)
    if table.ndim != 1 or table.shape[0] != size or table.dtype.kind not in "iu":
        got = f"shape {table.shape}, dtype {table.dtype}"
        raise UsageError(
            f"a rule table for k={k}, r={_range_text(r)} must be {size} integers, got {got}"
        )
    if table.size and (table.min() < 0 or table.max() >= k):
        raise UsageError(f"rule table entries must be colours 0..{k - 1}")
    return table.astype(np.uint8)


def _digits(number: int, k: int, size: int) -> np.ndarray:
    """The ``size`` least significant base-k digits of ``number``, digit 0 first."""
    if k == 2:
        bits = np.frombuffer(number.to_bytes((size + 7) // 8, "little"), np.uint8)
        return np.unpackbits(bits, bitorder="little")[:size].copy()
    per_chunk = max(1, int(62 / math.log2(k)))  # digits per machine-word chunk
    base = k**per_chunk
    digits = np.zeros(size, np.uint8)
    position = 0
    while number and position < size:
        number, chunk = divmod(number, base)
        for _ in range(per_chunk):
            chunk, digits[position] = divmod(chunk, k)
            position += 1
            if position == size:
                break
    return digits


def rule_number(table: Sequence[int] | np.ndarray, *, k: int = 2) -> int:
    """Inverse of :func:`rule_table`: the Wolfram number of a lookup table."""
    _check_k(k)
    number = 0
    for digit in reversed([int(v) for v in np.asarray(table).ravel()]):
        if not 0 <= digit < k:
            raise UsageError(f"rule table entries must be colours 0..{k - 1}, got {digit}")
        number = number * k + digit
    return number


def check_boundary(boundary: str) -> str:
    """``boundary`` itself when it is ``"cyclic"`` or ``"zero"``; else one-sentence ValueError."""
    if boundary not in BOUNDARIES:
        raise UsageError(f"boundary {boundary!r} is unknown (allowed: 'cyclic', 'zero')")
    return boundary


def _check_row(init: Any, k: int) -> np.ndarray:
    row = np.asarray(init)
    if row.ndim != 1 or row.shape[0] < 1:
        raise UsageError(f"init must be a 1-D row of width >= 1, got shape {row.shape}")
    if row.dtype == np.bool_:
        row = row.astype(np.uint8)
    if row.dtype.kind not in "iu" or row.min() < 0 or row.max() >= k:
        raise UsageError(f"init must hold colours 0..{k - 1} (k={k})")
    return row.astype(np.uint8)


def _shift(row: np.ndarray, offset: int, cyclic: bool) -> np.ndarray:
    """``result[x] = row[x + offset]`` with the boundary applied."""
    if cyclic:
        return np.roll(row, -offset)
    result = np.zeros_like(row)
    width = row.shape[0]
    if abs(offset) < width:
        if offset >= 0:
            result[: width - offset] = row[offset:]
        else:
            result[-offset:] = row[: width + offset]
    return result


def run(
    rule: int | Sequence[int] | np.ndarray,
    init: Any,
    steps: int,
    *,
    k: int = 2,
    r: Any = 1,
    boundary: str = "cyclic",
) -> np.ndarray:
    """Run a homogeneous CA for ``steps`` steps from row ``init``: ``(steps + 1, W)`` uint8."""
    _check_k(k)
    table = rule_table(rule, k=k, r=r)
    r = _range(r)
    cyclic = check_boundary(boundary) == "cyclic"
    row = _check_row(init, k)
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise UsageError(f"steps must be a whole number >= 0, got {steps!r}")

    check_memory(
        (int(steps) + 1) * row.shape[0] + 64 * row.shape[0],  # the run, a row's int64 temporaries
        f"a run of {plural(steps, 'step')} on a row {row.shape[0]} wide",
        why="one byte per cell",
        fix="lower the steps or the width",
    )
    states = np.empty((steps + 1, row.shape[0]), np.uint8)
    states[0] = row
    lookup = table.astype(np.uint8)
    for t in range(1, steps + 1):
        above = states[t - 1].astype(np.int64)
        if r == Fraction(1, 2):
            if t % 2 == 1:
                index = k * above + _shift(above, 1, cyclic)
            else:
                index = k * _shift(above, -1, cyclic) + above
        else:
            index = np.zeros_like(above)
            for offset in range(-int(r), int(r) + 1):  # leftmost most significant
                index = index * k + _shift(above, offset, cyclic)
        states[t] = lookup[index]
    return states


# -- initial rows -------------------------------------------------------------------------------
def single_cell(width: int, *, colour: int = 1, position: int | None = None) -> np.ndarray:
    """A row of 0s with one cell of ``colour`` (default in the middle, ``width // 2``)."""
    _check_width(width)
    row = np.zeros(width, np.uint8)
    row[width // 2 if position is None else position] = colour
    return row


def random_row(width: int, *, k: int = 2, rng: np.random.Generator) -> np.ndarray:
    """Independent uniformly random colours ``0..k-1``."""
    _check_width(width)
    _check_k(k)
    return rng.integers(0, k, size=width, dtype=np.uint8)


def row_from_digits(digits: str, *, k: int = 2) -> np.ndarray:
    """An explicit row from a string of digits, e.g. ``"0010110"``."""
    if not digits or not digits.isdigit() or max(int(c) for c in digits) >= k:
        raise UsageError(f"a row must be a string of digits 0..{k - 1}, got {digits!r}")
    return np.array([int(c) for c in digits], np.uint8)


def _check_width(width: int) -> None:
    if isinstance(width, bool) or not isinstance(width, int | np.integer) or width < 1:
        raise UsageError(f"width must be a whole number >= 1, got {width!r}")

    check_memory(8 * int(width), f"a row {width} wide", fix="lower the width")


def plot(
    states: np.ndarray, *, k: int | None = None, ax: Axes | None = None, **kwargs: Any
) -> Figure:
    """Draw a run Wolfram-style (time down, square cells, no axes); see ``plotting.spacetime``."""

    return draw_as("ca-run", states, k=k, ax=ax, **kwargs)
