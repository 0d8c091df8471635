"""Tasks for rule arrays: what goes in at the top row and what should come out at the bottom.

A :class:`Task` is plain data, usable by any learner:

* ``inputs``  — ``(n, width)`` ``uint8`` 0/1 top rows, one per case;
* ``readout`` — the columns of the bottom row that are read as the answer;
* ``targets`` — ``(n, len(readout))`` ``uint8``: the wanted bits at those columns;
* ``train``   — ``(n,)`` bool: which cases the loss counts; the others are held out.

**Loss** = the number of wrong (train case, readout cell) pairs, i.e. Hamming distance summed
over training cases.  With one readout cell (bump, Boolean functions) that is the number of
inputs answered wrongly.

A *lifetime* task (``lifetime`` set, no readout) has one input and loss ``|L − target|``, where
``L`` is the index of the first all-zero row (row 0 is the input); a pattern still alive at the
last row has infinite lifetime and infinite loss.

Rules that map the all-zero neighbourhood to 0 (every even k = 2 rule number: 4, 146, And, Xor)
send the all-zero input to an all-zero output, so such a target bit of 1 can never be learned;
:meth:`Task.check_learnable` says so instead of letting a learner run forever.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.base.errors import UsageError
from minimodels.base.resources import check_memory, plural

if TYPE_CHECKING:
    from minimodels.models.rulearray import RuleArray

__all__ = [
    "BOOLEAN_TARGETS",
    "Task",
    "boolean",
    "boolean_truth_table",
    "bump",
    "density",
    "lifetime",
    "rows",
    "split",
]

BOOLEAN_TARGETS = ("parity", "majority", "and", "or", "random")


@dataclass(frozen=True, eq=False)
class Task:
    """Inputs, readout cells, target bits and a train/held-out split (see the module docstring)."""

    name: str
    inputs: np.ndarray  # (n, width) uint8
    readout: tuple[int, ...]  # bottom-row columns read as the answer
    targets: np.ndarray  # (n, len(readout)) uint8
    train: np.ndarray  # (n,) bool
    lifetime: int | None = None  # target lifetime; lifetime tasks only
    info: dict[str, Any] = field(default_factory=dict)  # how the task was made (for configs)

    def __post_init__(self) -> None:
        inputs = np.asarray(self.inputs)
        if inputs.ndim != 2 or inputs.shape[1] < 1:
            raise UsageError(f"task inputs must be an (n, width) array, got shape {inputs.shape}")
        if not np.isin(inputs, (0, 1)).all():
            raise UsageError("task inputs must be 0/1")
        width = inputs.shape[1]
        for column in self.readout:
            if not 0 <= column < width:
                raise UsageError(f"readout column {column} is outside the array (0..{width - 1})")
        if len(set(self.readout)) != len(self.readout):
            raise UsageError(f"readout columns {list(self.readout)} repeat a column")
        targets = np.asarray(self.targets)
        if self.lifetime is None:
            if not self.readout:
                raise UsageError("a task needs at least one readout column")
            if targets.shape != (len(inputs), len(self.readout)):
                raise UsageError(
                    f"targets must have shape {(len(inputs), len(self.readout))}, "
                    f"got {targets.shape}"
                )
            if not np.isin(targets, (0, 1)).all():
                raise UsageError("task targets must be 0/1")
        elif self.lifetime < 0:
            raise UsageError(f"target lifetime must be ≥ 0, got {self.lifetime}")
        train = np.asarray(self.train, dtype=bool)
        if train.shape != (len(inputs),):
            raise UsageError(f"train mask must have shape {(len(inputs),)}, got {train.shape}")
        if not train.any():
            raise UsageError("the training set is empty; choose at least one training input")
        object.__setattr__(self, "inputs", inputs.astype(np.uint8))
        object.__setattr__(self, "targets", targets.astype(np.uint8).reshape(len(inputs), -1))
        object.__setattr__(self, "train", train)
        self._check_consistent()

    # ------------------------------------------------------------------ shape
    @property
    def width(self) -> int:
        return int(self.inputs.shape[1])

    @property
    def n_cases(self) -> int:
        return int(self.inputs.shape[0])

    @property
    def held_out(self) -> np.ndarray:
        return ~self.train

    @property
    def is_lifetime(self) -> bool:
        return self.lifetime is not None

    def _check_consistent(self) -> None:
        """Two training cases with the same input must want the same output."""
        if self.is_lifetime:
            return
        cases = self.inputs[self.train]
        wants = self.targets[self.train]
        _, first, inverse = np.unique(cases, axis=0, return_index=True, return_inverse=True)
        clash = np.flatnonzero((wants != wants[first][inverse.ravel()]).any(axis=1))
        if clash.size:
            raise UsageError(
                f"the training set is contradictory: input {cases[clash[0]].tolist()} "
                "appears with two different targets"
            )

    # ------------------------------------------------------------------ loss
    def loss_of_outputs(self, outputs: np.ndarray) -> int:
        """Loss from the final rows ``(n, width)`` (readout tasks only)."""
        got = np.asarray(outputs)[:, list(self.readout)]
        return int((got != self.targets)[self.train].sum())

    def loss_of_run(self, run: np.ndarray) -> float:
        """Loss of a lifetime task from the run ``(depth + 1, width)`` of its single input."""
        assert self.lifetime is not None  # lifetime tasks only
        return lifetime_loss(first_dead_row(run), self.lifetime)

    def loss(self, array: RuleArray) -> float:
        """The task's loss for a rule array (evaluated with the engine)."""
        if self.is_lifetime:
            return self.loss_of_run(array.run(self.inputs[0]))
        return float(self.loss_of_outputs(array.output(self.inputs)))

    def answers(self, array: RuleArray) -> np.ndarray:
        """``(n, len(readout))`` bits the array gives at the readout cells."""
        return np.asarray(array.output(self.inputs))[:, list(self.readout)]

    def accuracy(self, array: RuleArray, *, on: str = "held_out") -> float:
        """Fraction of cases answered fully right, on ``"train"``, ``"held_out"`` or ``"all"``."""
        rows = {"train": self.train, "held_out": self.held_out, "all": np.ones_like(self.train)}
        if on not in rows:
            raise UsageError(f"on must be 'train', 'held_out' or 'all', got {on!r}")
        if self.is_lifetime:
            raise UsageError("accuracy is not defined for a lifetime task")
        right = (self.answers(array) == self.targets).all(axis=1)[rows[on]]
        return float(right.mean()) if right.size else float("nan")

    # ------------------------------------------------------------------ checks
    def check_learnable(self, rules: Sequence[int], *, depth: int) -> None:
        """Raise one sentence when no array of these rules can reach zero loss (cheap checks)."""
        if self.lifetime is not None:  # a lifetime task
            if self.lifetime > depth:
                raise UsageError(
                    f"target lifetime {self.lifetime} cannot be reached in an array "
                    f"{depth} deep; use depth ≥ {self.lifetime}"
                )
            if self.lifetime == 0 and self.inputs[0].any():
                raise UsageError("target lifetime 0 needs an all-zero input row")
            return
        if all(rule % 2 == 0 for rule in rules):  # every rule maps 0…0 to 0
            zero = ~self.inputs.any(axis=1) & self.train
            if (self.targets[zero] == 1).any():
                names = ", ".join(str(rule) for rule in rules)
                raise UsageError(
                    f"the target asks for a 1 on the all-zero input, which is impossible with "
                    f"rules {{{names}}}: they all map 0…0 to 0"
                )

    def with_train(self, train: np.ndarray) -> Task:
        """The same task with another train/held-out split."""
        return replace(self, train=np.asarray(train, dtype=bool))

    def describe(self) -> dict[str, Any]:
        """A JSON-able description for configs."""
        return {
            "name": self.name,
            "width": self.width,
            "n_cases": self.n_cases,
            "n_train": int(self.train.sum()),
            "readout": list(self.readout),
            "lifetime": self.lifetime,
            **self.info,
        }


def first_dead_row(run: np.ndarray) -> int | None:
    """Index of the first all-zero row of a run ``(steps + 1, width)``, or None if never."""
    dead = np.flatnonzero(~np.asarray(run).any(axis=1))
    return int(dead[0]) if dead.size else None


def lifetime_loss(lifetime: int | None, target: int) -> float:
    return float("inf") if lifetime is None else float(abs(lifetime - target))


# ---------------------------------------------------------------------- constructors
def _check_width(width: int) -> None:
    if isinstance(width, bool) or not isinstance(width, int | np.integer) or width < 1:
        raise UsageError(f"width must be a positive integer, got {width!r}")


def _check_size(n_cases: int, width: int, name: str, *, fix: str = "lower the width") -> None:
    """Refuse (one sentence) a task whose inputs cannot fit in memory (before they exist)."""

    check_memory(
        8 * int(n_cases) * int(width),  # the 0/1 inputs, the checks' copies and packed rows
        f"a {name} task of {plural(n_cases, 'input')} on a row {width} wide",
        why="its inputs and their checks",
        fix=fix,
    )


def _train_mask(n: int, train: Sequence[int] | np.ndarray | None) -> np.ndarray:
    if train is None:
        return np.ones(n, dtype=bool)
    train = np.asarray(train)
    if train.dtype == bool:
        if train.shape != (n,):
            raise UsageError(f"train mask must have {n} entries, got {train.shape}")
        return train
    if train.size and (train.min() < 0 or train.max() >= n):
        raise UsageError(f"training case indices must lie in 0..{n - 1}")
    mask = np.zeros(n, dtype=bool)
    mask[train.astype(int)] = True
    return mask


def bump(
    width: int,
    *,
    interval: tuple[int, int] | None = None,
    readout: int | None = None,
    train: Sequence[int] | np.ndarray | None = None,
) -> Task:
    """Wolfram's bump task: a single 1 at column x; answer 1 for x in the interval.

    ``interval`` is ``[lo, hi)`` (default ``[W // 3, 2W // 3)``), ``readout`` the bottom-row
    column (default ``W // 2``), ``train`` the input positions x that count (default all).
    """
    _check_width(width)
    _check_size(width, width, "bump")
    lo, hi = interval if interval is not None else (width // 3, 2 * width // 3)
    if not 0 <= lo <= hi <= width:
        raise UsageError(f"bump interval [{lo}, {hi}) must lie within 0..{width}")
    column = width // 2 if readout is None else readout
    x = np.arange(width)
    return Task(
        name="bump",
        inputs=np.eye(width, dtype=np.uint8),
        readout=(int(column),),
        targets=((x >= lo) & (x < hi)).astype(np.uint8)[:, None],
        train=_train_mask(width, train),
        info={"interval": [int(lo), int(hi)]},
    )


def rows(
    inputs: np.ndarray,
    targets: np.ndarray,
    *,
    train: Sequence[int] | np.ndarray | None = None,
    name: str = "rows",
) -> Task:
    """Whole-row targets: the bottom row should equal ``targets[i]``; loss is Hamming distance."""
    inputs = np.atleast_2d(np.asarray(inputs))
    targets = np.atleast_2d(np.asarray(targets))
    if targets.shape != inputs.shape:
        raise UsageError(
            f"whole-row targets must match the inputs' shape {inputs.shape}, got {targets.shape}"
        )
    return Task(
        name=name,
        inputs=inputs,
        readout=tuple(range(inputs.shape[1])),
        targets=targets,
        train=_train_mask(len(inputs), train),
    )


def boolean_truth_table(
    n: int, target: str | Sequence[int] | np.ndarray, *, rng: np.random.Generator | None = None
) -> np.ndarray:
    """The ``2^n`` truth table of a named function (row i = binary i, x1 most significant)."""
    if not 1 <= n <= 16:
        raise UsageError(f"number of input bits must be in 1..16, got {n}")
    bits = (np.arange(2**n)[:, None] >> np.arange(n - 1, -1, -1)) & 1  # (2^n, n), x1 first
    if isinstance(target, str) and set(target) - {"0", "1"}:
        ones = bits.sum(axis=1)
        if target == "parity":
            table = ones % 2
        elif target == "majority":
            table = (2 * ones > n).astype(int)
        elif target == "and":
            table = (ones == n).astype(int)
        elif target == "or":
            table = (ones > 0).astype(int)
        elif target == "random":
            if rng is None:
                raise UsageError("a random Boolean target needs rng=")
            table = rng.integers(0, 2, size=2**n)
        else:
            raise UsageError(
                f"unknown Boolean target {target!r}; use one of {', '.join(BOOLEAN_TARGETS)} "
                "or a truth table"
            )
    else:
        table = np.array([int(c) for c in target] if isinstance(target, str) else target)
        if table.shape != (2**n,) or not np.isin(table, (0, 1)).all():
            raise UsageError(f"a truth table for n={n} needs {2**n} bits of 0/1", option="target")
    return np.asarray(table, dtype=np.uint8)


def boolean(
    n: int,
    target: str | Sequence[int] | np.ndarray,
    *,
    width: int,
    columns: Sequence[int] | None = None,
    readout: int | None = None,
    train: Sequence[int] | np.ndarray | None = None,
    rng: np.random.Generator | None = None,
) -> Task:
    """A Boolean function of ``n`` bits placed on ``columns`` of the top row (others 0).

    ``target`` is a name (parity, majority, and, or, random — the last needs ``rng``), a '0'/'1'
    string or a sequence of ``2^n`` bits (row i = binary i, x1 most significant); ``train``
    lists the rows (0..2^n − 1) that count, default all.
    """
    _check_width(width)
    table = boolean_truth_table(n, target, rng=rng)
    _check_size(2**n, width, "Boolean", fix="lower the width or the number of input bits")
    if columns is None:
        if n > width:
            raise UsageError(f"{n} input bits do not fit in a row {width} wide")
        columns = [(i + 1) * width // (n + 1) for i in range(n)]
    columns = [int(c) for c in columns]
    if len(columns) != n or len(set(columns)) != n:
        raise UsageError(f"need {n} distinct input columns, got {columns}")
    if min(columns) < 0 or max(columns) >= width:
        raise UsageError(f"input columns {columns} must lie in 0..{width - 1}")
    bits = (np.arange(2**n)[:, None] >> np.arange(n - 1, -1, -1)) & 1
    inputs = np.zeros((2**n, width), dtype=np.uint8)
    inputs[:, columns] = bits
    named = isinstance(target, str) and bool(set(target) - {"0", "1"})
    name = target if named else "table"
    return Task(
        name=f"boolean-{name}",
        inputs=inputs,
        readout=(width // 2 if readout is None else int(readout),),
        targets=table[:, None],
        train=_train_mask(2**n, train),
        info={"n_bits": n, "columns": columns, "truth_table": "".join(map(str, table))},
    )


def lifetime(width: int, target: int, *, column: int | None = None) -> Task:
    """Grow from a single 1 (default at the centre) and die at exactly row ``target``."""
    _check_width(width)
    x = width // 2 if column is None else column
    if not 0 <= x < width:
        raise UsageError(f"input column {x} is outside the row (0..{width - 1})")
    row = np.zeros((1, width), dtype=np.uint8)
    row[0, x] = 1
    return Task(
        name="lifetime",
        inputs=row,
        readout=(),
        targets=np.zeros((1, 0), dtype=np.uint8),
        train=np.ones(1, dtype=bool),
        lifetime=int(target),
    )


def density(
    width: int, n_rows: int, *, rng: np.random.Generator, train_fraction: float = 1.0
) -> Task:
    """Majority (density classification): the bottom row should be all 1 if most inputs are 1.

    Rows are uniformly random with ties (possible for even widths) redrawn away.
    """
    _check_width(width)
    if n_rows < 1:
        raise UsageError(f"n_rows must be ≥ 1, got {n_rows}")
    _check_size(n_rows, width, "density", fix="lower the width or n_rows")
    inputs = rng.integers(0, 2, size=(n_rows, width), dtype=np.uint8)
    ones = inputs.sum(axis=1, dtype=np.int64)
    while (tie := 2 * ones == width).any():
        inputs[tie] = rng.integers(0, 2, size=(int(tie.sum()), width), dtype=np.uint8)
        ones = inputs.sum(axis=1, dtype=np.int64)
    targets = np.repeat((2 * ones > width).astype(np.uint8)[:, None], width, axis=1)
    task = rows(inputs, targets, name="density")
    if train_fraction < 1.0:
        task = split(task, fraction=train_fraction, rng=rng)
    return task


def split(task: Task, *, fraction: float, rng: np.random.Generator) -> Task:
    """Keep a random ``fraction`` of the cases for training (at least one), hold out the rest."""
    if not 0.0 < fraction <= 1.0:
        raise UsageError(
            f"train fraction must be in (0, 1], got {fraction}", option="train_fraction"
        )
    n_train = max(1, round(fraction * task.n_cases))
    mask = np.zeros(task.n_cases, dtype=bool)
    mask[rng.permutation(task.n_cases)[:n_train]] = True
    return task.with_train(mask)
