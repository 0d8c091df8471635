"""Change maps: which cells of a rule array matter — brute force, and a Boolean backward pass.

Data model.  For a rule array ``(depth, W)`` and a task (inputs ``(n, W)``, readout columns):

* ``output_changes[i, row, col]`` — giving cell (row, col) some *other* rule of the allowed
  set changes the readout bits for input ``i`` (brute force: one evaluation per cell and
  alternative rule; the ground truth);
* ``loss_changes[row, col]`` — some alternative rule changes the task's loss;
* ``derivative[i, row, col]`` — for And/Xor brick arrays (r = 1/2, rules ⊆ {6, 8}) the
  discrete analogue of backpropagation (SCIENCE.md §A.6): the Boolean derivative of a cell,
  f'_p = [f(p, q) ≠ f(¬p, q)] (Xor: always 1; And: q), is run backwards from the readout —
  a cell is *sensitive* when some sensitive cell below it has a derivative of 1 with respect to
  it — and a cell's rule change is predicted to matter when the cell is sensitive and swapping
  And ↔ Xor changes its own value (they differ exactly when (p, q) ≠ (0, 0)).

:func:`evolve_guided` is a learner that mutates only cells the (brute-force) change map
marks as changing the loss — so it never drifts neutrally — for comparison with plain mutation
from the same start arrays.

The pass is exact along single paths and approximate where paths reconverge (two changes can
cancel); :attr:`ChangeMap.agreement` is the fraction of (input, cell) pairs where it matches
the brute force.  Row index ``row`` is the rule row, which computes state row ``row + 1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.learners.evolution import _as_array, _setup
from minimodels.models.rulearray import RuleArray
from minimodels.tasks import Task

if TYPE_CHECKING:
    pass

__all__ = [
    "AND",
    "XOR",
    "ChangeMap",
    "GuidedRun",
    "boolean_derivative",
    "change_map",
    "evolve_guided",
]

AND, XOR = 8, 6


@dataclass(frozen=True, eq=False)
class ChangeMap(Drawable):
    array: RuleArray
    task: Task
    rules: tuple[int, ...]  # the alternatives considered
    output_changes: np.ndarray  # (n, depth, W) bool, brute force
    loss_changes: np.ndarray  # (depth, W) bool, brute force
    derivative: np.ndarray | None  # (n, depth, W) bool, And/Xor backward pass
    best_loss: np.ndarray  # (depth, W) lowest loss any alternative rule of the cell gives

    @property
    def agreement(self) -> float:
        """Fraction of (input, cell) pairs where the backward pass matches the brute force."""
        if self.derivative is None:
            return float("nan")
        return float((self.derivative == self.output_changes).mean())

    @property
    def relevant_fraction(self) -> float:
        """Fraction of cells whose rule change would change the loss."""
        return float(self.loss_changes.mean())


def change_map(array: RuleArray, task: Task, *, rules: Sequence[int] | None = None) -> ChangeMap:
    """Brute-force change map of ``array`` on ``task`` (plus the backward pass for And/Xor).

    ``rules`` are the alternatives a cell may take (default: the rules the array uses, or
    (4, 146) / (6, 8) when it uses only one).
    """
    if task.is_lifetime:
        raise UsageError("change maps need a task with readout cells, not a lifetime task")
    if array.width != task.width:
        raise UsageError(f"array width {array.width} differs from the task width {task.width}")
    if rules is None:
        rules = array.rule_set if len(array.rule_set) > 1 else ((6, 8) if array.brick else (4, 146))
    from minimodels.engine import evaluate_rows, pack_bits, unpack_bits

    rules = tuple(int(v) for v in rules)
    readout = list(task.readout)
    base = np.asarray(array.output(task.inputs))[:, readout]  # (n, n_readout)
    base_loss = task.loss(array)
    depth, width = array.shape
    output_changes = np.zeros((task.n_cases, depth, width), dtype=bool)
    loss_changes = np.zeros((depth, width), dtype=bool)
    best_loss = np.full((depth, width), np.inf)
    packed = pack_bits(task.inputs)  # (W, n_words)
    grid = np.array(array.rules)  # mutated in place, one cell at a time
    for row in range(depth):
        for col in range(width):
            for rule in rules:
                if rule == array.rules[row, col]:
                    continue
                grid[row, col] = rule
                final = evaluate_rows(grid, packed, array.cyclic, array.brick)[-1]  # (W, n_words)
                grid[row, col] = array.rules[row, col]
                outputs = unpack_bits(final, task.n_cases)  # (n, W)
                output_changes[:, row, col] |= (outputs[:, readout] != base).any(axis=1)
                loss = task.loss_of_outputs(outputs)
                loss_changes[row, col] |= loss != base_loss
                best_loss[row, col] = min(best_loss[row, col], loss)
    derivative = None
    if array.brick and set(array.rule_set) <= {AND, XOR} and set(rules) <= {AND, XOR}:
        derivative = np.stack(
            [boolean_derivative(array, row, readout) for row in task.inputs]
        )  # (n, depth, W)
    return ChangeMap(array, task, rules, output_changes, loss_changes, derivative, best_loss)


def _parents(t: int, x: int, width: int, cyclic: bool) -> tuple[int | None, int | None]:
    """Columns (p, q) of row t − 1 that brick cell (t, x) reads (None: outside, reads 0)."""
    left, right = (x, x + 1) if t % 2 == 1 else (x - 1, x)
    if cyclic:
        return left % width, right % width
    return (left if 0 <= left < width else None), (right if 0 <= right < width else None)


def boolean_derivative(array: RuleArray, inputs: np.ndarray, readout: Sequence[int]) -> np.ndarray:
    """``(depth, W)`` bool: cells whose And ↔ Xor swap the backward pass says changes the output.

    ``inputs`` is one input row ``(W,)``; see the module docstring for the rule.
    """
    states = np.asarray(array.run(np.asarray(inputs)))  # (depth + 1, W)
    depth, width = array.shape
    sensitive = np.zeros((depth + 1, width), dtype=bool)
    sensitive[depth, list(readout)] = True
    value_changes = np.zeros((depth, width), dtype=bool)
    for t in range(depth, 0, -1):
        for x in range(width):
            p_col, q_col = _parents(t, x, width, array.cyclic)
            p = states[t - 1, p_col] if p_col is not None else 0
            q = states[t - 1, q_col] if q_col is not None else 0
            value_changes[t - 1, x] = bool(p | q)  # And(p, q) != Xor(p, q)
            if not sensitive[t, x]:
                continue
            is_and = array.rules[t - 1, x] == AND
            if p_col is not None and (not is_and or q):  # d/dp: Xor -> 1, And -> q
                sensitive[t - 1, p_col] = True
            if q_col is not None and (not is_and or p):  # d/dq: Xor -> 1, And -> p
                sensitive[t - 1, q_col] = True
    return sensitive[1:] & value_changes


@dataclass(frozen=True, eq=False)
class GuidedRun:
    """A change-map-guided run: the loss after every attempt, and whether it got stuck."""

    initial: RuleArray
    array: RuleArray
    initial_loss: float
    losses: np.ndarray  # (n_steps,)
    stuck: bool  # no loss-changing mutation lowers the loss: it can never improve again

    @property
    def steps_to_zero(self) -> int | None:
        zero = np.flatnonzero(self.losses == 0)
        return 0 if self.initial_loss == 0 else (int(zero[0]) + 1 if zero.size else None)


def evolve_guided(
    task: Task,
    *,
    depth: int,
    rules: Sequence[int] = (4, 146),
    steps: int,
    seed: int | np.random.SeedSequence | None,
    r: float | str = 1,
    boundary: str = "cyclic",
) -> GuidedRun:
    """Mutate only cells whose rule swap changes the loss (two-rule sets; loss ≤ acceptance).

    Starts from the same array :func:`minimodels.evolve` draws for this seed.  Each attempt
    picks a loss-changing cell uniformly; a swap that changes the loss is kept only when it
    lowers it.  When no loss-changing swap lowers the loss the run is stuck for good, and the
    rest of the budget is filled with its loss without further draws.
    """

    if len(tuple(rules)) != 2:
        raise UsageError(f"the guided learner needs exactly two rules, got {list(rules)}")
    setup = _setup(task, depth, rules, steps, seed, "<=", 0, r, boundary, 1, None)
    array = _as_array(setup, setup.start)
    initial, loss = array, float(task.loss(array))
    losses: list[float] = []
    stuck = False
    while len(losses) < steps and loss > 0:
        cm = change_map(array, task, rules=setup.rule_set)
        relevant = np.flatnonzero(cm.loss_changes.ravel())
        better = set(np.flatnonzero((cm.best_loss < loss).ravel()).tolist())
        if not better:
            stuck = True
            losses.extend([loss] * (steps - len(losses)))
            break
        while len(losses) < steps:
            cell = int(relevant[setup.rng.integers(relevant.size)])
            if cell in better:
                row, col = divmod(cell, task.width)
                other = [v for v in setup.rule_set if v != array.rules[row, col]][0]
                array = array.with_rule(row, col, other)
                loss = float(cm.best_loss[row, col])
                losses.append(loss)
                break
            losses.append(loss)
    return GuidedRun(initial, array, float(task.loss(initial)), np.asarray(losses), stuck)
