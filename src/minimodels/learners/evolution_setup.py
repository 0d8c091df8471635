"""What an evolution run is before its first step: checked arguments, the start array, the cone.

:func:`minimodels.learners.evolution.evolve` and
:func:`~minimodels.learners.evolution.evolve_reference` begin here, and share every line of it:

* :func:`check_arguments` refuses, with one sentence each, anything a run cannot do — a task
  that is not a :class:`~minimodels.tasks.Task`, a bad ``accept``/``r``/``boundary``, counts
  that are not whole numbers, a NaN ``stop_at``, a rule set out of range, repeated or of one
  rule, a task the rule set cannot learn, and a run whose memory (:func:`run_bytes`) cannot fit;
* :func:`_setup` then seeds the generator and takes the start array: drawn from it first
  (uniform indices into the rule set, before any block of the random stream) or, with
  ``start=``, the given array checked against the run's layout and rule set;
* :func:`light_cone` marks the cells whose rule can change the loss (the compiled loop skips
  the rest).

Data model.  A :class:`_Setup` holds the checked run: the task, the rule set (a tuple of rule
numbers), ``r``, ``boundary``, ``depth``, ``steps``, mutations per step, ``stop_at``, the
seeded ``numpy.random.Generator`` and the start array as ``(depth, W)`` int64 *indices into
the rule set* (the learners mutate indices; :func:`_as_array` turns indices back into a
``RuleArray`` of rule numbers).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from minimodels.base.errors import UsageError
from minimodels.base.resources import check_memory, plural
from minimodels.learners.mutation import check_accept
from minimodels.models.rulearray import RuleArray, check_boundary, parse_range
from minimodels.tasks import Task

__all__ = ["check_arguments", "check_stop_at", "light_cone", "run_bytes"]


@dataclass
class _Setup:
    task: Task
    rule_set: tuple[int, ...]
    r: float
    boundary: str
    depth: int
    steps: int
    per_step: int
    stop_at: float | None
    rng: np.random.Generator
    start: np.ndarray  # (depth, W) indices into rule_set
    start_given: bool


def _check_count(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise UsageError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    return int(value)


def _check_rule_set(rules: Sequence[int], r: float) -> tuple[int, ...]:
    rule_set = tuple(int(v) for v in rules)
    top = 255 if r == 1 else 15
    for rule in rule_set:
        if not 0 <= rule <= top:
            layout = "1" if r == 1 else "1/2"
            raise UsageError(
                f"rule {rule} is out of range for k=2, r={layout} (0..{top})", option="rules"
            )
    if len(set(rule_set)) != len(rule_set):
        raise UsageError(f"the rule set {list(rule_set)} repeats a rule", option="rules")
    if len(rule_set) < 2:
        raise UsageError(
            f"mutation needs at least two distinct rules, got {list(rule_set)}", option="rules"
        )
    return rule_set


def run_bytes(
    *, width: int, n_cases: int, depth: int, steps: int, mutations_per_step: int = 1
) -> tuple[int, int]:
    """(peak, held) bytes of one run: its peak while it runs, and what its result holds.

    The packed rows of every case (and their backup, or the narrow loop's undo stack of up to
    ``mutations_per_step`` whole arrays) at each depth, the loss after every step (float64)
    and the kept mutations, written straight into the result — at worst every step keeps its
    mutations (with neutral drift about four in five do): five int64 columns and the float64
    loss, 48 bytes each, plus up to half of that again while the result is trimmed to size.
    """
    cells = (depth + 1) * width
    per_step = mutations_per_step
    state = 2 * cells * (-(-n_cases // 64)) * 8 + 4 * cells * 8 + 16 * per_step * cells
    return state + steps * (8 + 72 * per_step), 2 * cells * 8 + steps * (8 + 48 * per_step)


def check_stop_at(stop_at: Any) -> float | None:
    """``stop_at`` as a float (``None``: never stop early); refuses anything else, NaN too."""
    if stop_at is None:
        return None
    if isinstance(stop_at, bool) or not isinstance(stop_at, int | float | np.number):
        raise UsageError(f"stop_at must be a number or None, got {stop_at!r}")
    if math.isnan(stop_at):
        raise UsageError("stop_at must be a number or None, got nan")
    return float(stop_at)


def check_arguments(
    task: Task,
    *,
    depth: int,
    rules: Sequence[int],
    steps: int,
    accept: str = "<=",
    stop_at: float | None = 0,
    r: float | str = 1,
    boundary: str = "cyclic",
    mutations_per_step: int = 1,
) -> tuple[float, tuple[int, ...]]:
    """Refuse, with one sentence, anything :func:`evolve` cannot run; returns (r, rule set)."""
    if not isinstance(task, Task):
        raise UsageError(f"task must be a minimodels.tasks.Task, got {type(task).__name__}")
    check_accept(accept)
    r = parse_range(r)
    check_boundary(boundary)
    _check_count("depth", depth, 1)
    _check_count("steps", steps, 0)
    _check_count("mutations_per_step", mutations_per_step, 1)
    check_stop_at(stop_at)
    rule_set = _check_rule_set(rules, r)
    task.check_learnable(rule_set, depth=int(depth))
    peak, _ = run_bytes(
        width=task.width, n_cases=task.n_cases, depth=int(depth), steps=int(steps),
        mutations_per_step=int(mutations_per_step),
    )  # fmt: skip
    check_memory(
        peak,
        f"evolving a {depth} × {task.width} array for {plural(steps, 'step')}",
        why="the loss after every step and the kept mutations",
        fix="lower the steps",
    )
    return r, rule_set


def _setup(
    task: Task,
    depth: int,
    rules: Sequence[int],
    steps: int,
    seed: Any,
    accept: str,
    stop_at: float | None,
    r: float | str,
    boundary: str,
    mutations_per_step: int,
    start: RuleArray | None,
) -> _Setup:
    r, rule_set = check_arguments(
        task, depth=depth, rules=rules, steps=steps, accept=accept, stop_at=stop_at, r=r,
        boundary=boundary, mutations_per_step=mutations_per_step,
    )  # fmt: skip
    rng = np.random.default_rng(seed)
    if start is None:
        indices = rng.integers(0, len(rule_set), size=(depth, task.width)).astype(np.int64)
    else:
        if not isinstance(start, RuleArray):
            raise UsageError(f"start must be a RuleArray, got {type(start).__name__}")
        if (start.r, start.boundary) != (r, boundary):
            raise UsageError(
                f"start array has r={start.r:g}, boundary {start.boundary!r}; "
                f"the run asks for r={r:g}, boundary {boundary!r}"
            )
        if start.shape != (depth, task.width):
            raise UsageError(f"start array has shape {start.shape}, expected {(depth, task.width)}")
        lookup = {rule: i for i, rule in enumerate(rule_set)}
        unknown = set(start.rule_set) - set(lookup)
        if unknown:
            raise UsageError(f"start array uses rule {min(unknown)}, not in the rule set")
        indices = np.vectorize(lookup.__getitem__, otypes=[np.int64])(np.asarray(start.rules))
    return _Setup(
        task, rule_set, r, boundary, int(depth), int(steps), int(mutations_per_step),
        stop_at, rng, indices, start is not None,
    )  # fmt: skip


def _as_array(setup: _Setup, indices: np.ndarray) -> RuleArray:
    numbers = np.asarray(setup.rule_set, dtype=np.int64)[indices]
    return RuleArray(numbers, r=setup.r, boundary=setup.boundary)


def light_cone(task: Task, depth: int, *, r: float = 1, boundary: str = "cyclic") -> np.ndarray:
    """``(depth, W)`` bool: cells whose rule can change the loss (the readout's past light cone).

    For a lifetime task every cell can matter.
    """
    width = task.width
    if task.is_lifetime:
        return np.ones((depth, width), dtype=bool)
    cone = np.zeros((depth + 1, width), dtype=bool)
    cone[depth, list(task.readout)] = True
    cyclic = boundary == "cyclic"
    for t in range(depth, 0, -1):
        offsets: tuple[int, ...]
        if r == 1:
            offsets = (-1, 0, 1)
        else:
            offsets = (0, 1) if t % 2 == 1 else (-1, 0)
        for x in np.flatnonzero(cone[t]):
            for dx in offsets:
                y = x + dx
                if cyclic:
                    cone[t - 1, y % width] = True
                elif 0 <= y < width:
                    cone[t - 1, y] = True
    return cone[1:]
