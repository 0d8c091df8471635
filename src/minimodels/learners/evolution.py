"""Adaptive evolution of rule arrays: single-point mutations kept when the loss does not rise.

The learner of Wolfram's minimal models (Wolfram 2024):

* the array is ``(depth, W)`` cells, each holding one rule from the allowed set ``rules``;
  the start is uniformly random (or ``start=``);
* a *step* picks ``mutations_per_step`` cells uniformly (default 1) and gives each a
  *different* rule from the set, uniformly;
* the change is kept when the new loss is ≤ the current one (``accept="<"``: strictly less);
* the run stops once the loss is ≤ ``stop_at`` (``None``: use the whole budget).

``losses[s]`` is the loss after attempted step ``s``.  The compiled loop runs its narrow fast
path (one word of columns and one of cases: width ≤ 64, ≤ 64 cases) or its general one; both
write the losses and the kept mutations straight into the result's arrays.

The random stream is drawn in blocks (:func:`draw_block`): for block b (steps ``b * BLOCK``
onward, at most ``BLOCK`` of them) first the cells, then the choices, each one vectorised
``Generator.integers`` call, after the start array.  Both the compiled loop
(:mod:`minimodels.engine.evolve_kernel`) and the plain reference loop (:func:`evolve_reference`,
built on :func:`minimodels.learners.mutation.mutation_walk` and ``RuleArray.output``) consume
exactly these numbers, so the same seed gives the same trace in both; tests hold them equal.
An :class:`Evolution` stores the start array, every kept mutation and the config, which is
enough to replay it (:meth:`Evolution.array_at`, :meth:`Evolution.replay`).

Both learners start from one checked set-up (:mod:`minimodels.learners.evolution_setup`: the
argument checks and memory model, the start array, the light cone); its names stay importable here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback, report
from minimodels.learners.evolution_setup import (
    _as_array,
    _check_count as _check_count,
    _check_rule_set as _check_rule_set,
    _Setup,
    _setup,
    check_arguments as check_arguments,
    check_stop_at as check_stop_at,
    light_cone,
    run_bytes as run_bytes,
)
from minimodels.learners.mutation import mutation_walk
from minimodels.models.rulearray import RuleArray
from minimodels.tasks import Task

__all__ = [
    "BLOCK",
    "Evolution",
    "Mutations",
    "check_arguments",
    "draw_block",
    "evolve",
    "evolve_reference",
    "run_bytes",
]

BLOCK = 1 << 14  # steps per random block (part of the stream's definition)


@dataclass(frozen=True, eq=False)
class Mutations:
    """Kept mutations, one row each: attempted step, cell (row, col), old and new rule, loss."""

    step: np.ndarray  # (n,) int64
    row: np.ndarray
    col: np.ndarray
    old_rule: np.ndarray
    new_rule: np.ndarray
    loss: np.ndarray  # (n,) float64, the loss after the step

    def __len__(self) -> int:
        return int(self.step.shape[0])

    def rows(self) -> list[tuple[int, int, int, int, int, float]]:
        return list(
            zip(
                self.step.tolist(), self.row.tolist(), self.col.tolist(),
                self.old_rule.tolist(), self.new_rule.tolist(), self.loss.tolist(), strict=True,
            )
        )  # fmt: skip


@dataclass(frozen=True, eq=False)
class Evolution(Drawable):
    """One adaptive-evolution run of a rule array on a task (see the module docstring)."""

    task: Task
    rules: tuple[int, ...]  # the allowed rule set
    accept: str
    stop_at: float | None
    mutations_per_step: int
    seed: Any  # int, or {"entropy", "spawn_key"} of a SeedSequence
    steps: int  # the budget
    initial: RuleArray
    array: RuleArray  # final
    initial_loss: float
    losses: np.ndarray  # (n_steps,) float64
    kept: Mutations
    start_given: bool = False  # the start array was passed in (not drawn from the seed)
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def n_steps(self) -> int:
        return int(self.losses.shape[0])

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1]) if self.n_steps else self.initial_loss

    @property
    def solved(self) -> bool:
        return self.final_loss == 0

    @property
    def steps_to_zero(self) -> int | None:
        """Attempted mutations until the loss first reached 0 (None if it never did)."""
        if self.initial_loss == 0:
            return 0
        zero = np.flatnonzero(self.losses == 0)
        return int(zero[0]) + 1 if zero.size else None

    @cached_property
    def held_out_accuracy(self) -> float:
        """Fraction of held-out cases answered right (nan when nothing is held out)."""
        if self.task.is_lifetime or not self.task.held_out.any():
            return float("nan")
        return self.task.accuracy(self.array, on="held_out")

    def array_at(self, step: int) -> RuleArray:
        """The array after attempted step ``step`` (``-1``: the start), replaying kept mutations."""
        rules = np.array(self.initial.rules)
        upto = int(np.searchsorted(self.kept.step, step, side="right"))
        for i in range(upto):
            rules[self.kept.row[i], self.kept.col[i]] = self.kept.new_rule[i]
        return RuleArray(rules, r=self.initial.r, boundary=self.initial.boundary)

    def decreases(self) -> list[tuple[int, float]]:
        """(step, loss) where the loss dropped, starting with (-1, initial loss)."""
        out = [(-1, self.initial_loss)]
        for s, loss in zip(self.kept.step.tolist(), self.kept.loss.tolist(), strict=True):
            if loss < out[-1][1]:
                out.append((s, loss))
        return out

    def replay(self, *, method: str = "compiled") -> Evolution:
        """Run the same config and seed again (bit-identical by construction)."""
        return evolve(self.task, **{**self._call_args(), "method": method})

    def _call_args(self) -> dict[str, Any]:
        seed = self.seed
        if isinstance(seed, dict):
            seed = np.random.SeedSequence(seed["entropy"], spawn_key=tuple(seed["spawn_key"]))
        return {
            "depth": self.initial.depth, "rules": self.rules, "steps": self.steps,
            "seed": seed, "accept": self.accept, "stop_at": self.stop_at,
            "r": self.initial.r, "boundary": self.initial.boundary,
            "mutations_per_step": self.mutations_per_step,
            "start": self.initial if self.start_given else None,
        }  # fmt: skip

    # ---- a run as plain arrays (a resumable run's shard file), and back
    _KEPT = ("step", "row", "col", "old_rule", "new_rule", "loss")

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Every field but the task as numpy arrays (scalars and dicts as one JSON string)."""
        import json

        meta = {
            "rules": list(self.rules), "accept": self.accept, "stop_at": self.stop_at,
            "mutations_per_step": self.mutations_per_step, "seed": self.seed,
            "steps": self.steps, "initial_loss": self.initial_loss,
            "start_given": self.start_given, "config": self.config,
            "array": {k: v for k, v in self.initial.to_dict().items() if k != "rules"},
        }  # fmt: skip
        arrays = {
            "meta": np.array(json.dumps(meta)),
            "initial": np.asarray(self.initial.rules),
            "final": np.asarray(self.array.rules),
            "losses": self.losses,
        }
        arrays.update({f"kept_{name}": getattr(self.kept, name) for name in self._KEPT})
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], task: Task) -> Evolution:
        """Inverse of :meth:`to_arrays` for a run on ``task``."""
        import json

        meta = json.loads(str(arrays["meta"]))
        layout = meta["array"]
        return cls(
            task=task, rules=tuple(meta["rules"]), accept=meta["accept"],
            stop_at=meta["stop_at"], mutations_per_step=meta["mutations_per_step"],
            seed=meta["seed"], steps=meta["steps"],
            initial=RuleArray.from_dict({"rules": arrays["initial"], **layout}),
            array=RuleArray.from_dict({"rules": arrays["final"], **layout}),
            initial_loss=meta["initial_loss"], losses=np.asarray(arrays["losses"]),
            kept=Mutations(*(np.asarray(arrays[f"kept_{name}"]) for name in cls._KEPT)),
            start_given=meta["start_given"], config=meta["config"],
        )  # fmt: skip


# ---------------------------------------------------------------------- stream and result
def _seed_record(seed: Any) -> Any:
    if isinstance(seed, np.random.SeedSequence):
        return {"entropy": seed.entropy, "spawn_key": list(seed.spawn_key)}
    return seed


def draw_block(
    rng: np.random.Generator, n_steps: int, *, n_cells: int, n_rules: int, per_step: int
) -> tuple[np.ndarray, np.ndarray]:
    """One block of the random stream: cells, then indices into the *other* rules."""
    cells = rng.integers(0, n_cells, size=n_steps * per_step)
    choices = rng.integers(0, n_rules - 1, size=n_steps * per_step)
    return cells.astype(np.int64, copy=False), choices.astype(np.int64, copy=False)


def _mutations(setup: _Setup, kept: np.ndarray) -> Mutations:
    """Kept mutations from rows (step, cell, old index, new index, loss), as the reference
    loop records them."""
    numbers = np.asarray(setup.rule_set, dtype=np.int64)
    return Mutations(
        step=kept[:, 0].astype(np.int64),
        row=(kept[:, 1] // setup.task.width).astype(np.int64),
        col=(kept[:, 1] % setup.task.width).astype(np.int64),
        old_rule=numbers[kept[:, 2].astype(np.int64)],
        new_rule=numbers[kept[:, 3].astype(np.int64)],
        loss=kept[:, 4].astype(np.float64),
    )


def _result(setup: _Setup, seed, accept, initial_loss, losses, kept: Mutations, final) -> Evolution:
    config = {
        "task": setup.task.describe(), "depth": setup.depth, "width": setup.task.width,
        "rules": list(setup.rule_set), "r": "1" if setup.r == 1 else "1/2",
        "boundary": setup.boundary, "steps": setup.steps, "accept": accept,
        "stop_at": setup.stop_at, "mutations_per_step": setup.per_step,
        "seed": _seed_record(seed),
    }  # fmt: skip
    return Evolution(
        task=setup.task, rules=setup.rule_set, accept=accept, stop_at=setup.stop_at,
        mutations_per_step=setup.per_step, seed=_seed_record(seed), steps=setup.steps,
        initial=_as_array(setup, setup.start), array=_as_array(setup, final),
        initial_loss=float(initial_loss), losses=np.asarray(losses, dtype=np.float64),
        kept=kept, start_given=setup.start_given, config=config,
    )  # fmt: skip


# ---------------------------------------------------------------------- the learners
def evolve(
    task: Task,
    *,
    depth: int,
    rules: Sequence[int] = (4, 146),
    steps: int,
    seed: int | np.random.SeedSequence | None,
    accept: str = "<=",
    stop_at: float | None = 0,
    r: float | str = 1,
    boundary: str = "cyclic",
    mutations_per_step: int = 1,
    start: RuleArray | None = None,
    method: str = "compiled",
    on_progress: ProgressCallback | None = None,
) -> Evolution:
    """Adaptive evolution of a ``(depth, task.width)`` rule array on ``task``.

    ``method="reference"`` runs the plain loop (:func:`evolve_reference`); results are equal.
    """
    if method == "reference":
        return evolve_reference(
            task, depth=depth, rules=rules, steps=steps, seed=seed, accept=accept,
            stop_at=stop_at, r=r, boundary=boundary, mutations_per_step=mutations_per_step,
            start=start, on_progress=on_progress,
        )  # fmt: skip
    if method != "compiled":
        raise UsageError(f"method must be 'compiled' or 'reference', got {method!r}")
    from minimodels.engine import evolve_kernel as kernel, pack_bits

    setup = _setup(
        task, depth, rules, steps, seed, accept, stop_at, r, boundary, mutations_per_step, start
    )
    width, per_step = task.width, setup.per_step
    numbers = np.asarray(setup.rule_set, dtype=np.int64)
    indices = setup.start.copy()
    rule_grid = numbers[indices]
    cyclic, brick = setup.boundary == "cyclic", setup.r != 1
    in_cone = light_cone(task, setup.depth, r=setup.r, boundary=setup.boundary)
    packed = pack_bits(task.inputs)  # (W, n_words)
    rows = np.zeros((setup.depth + 1, width, packed.shape[1]), dtype=np.uint64)
    rows[0] = packed
    kernel.fill_rows(rule_grid, rows, in_cone, cyclic, brick)
    if task.lifetime is not None:  # a lifetime task
        loss_kind, lifetime_target = 1, int(task.lifetime)
        readout = np.zeros(0, np.int64)
        target = np.zeros((0, packed.shape[1]), np.uint64)
        train_mask = np.zeros(packed.shape[1], np.uint64)
    else:
        loss_kind, lifetime_target = 0, 0
        readout = np.asarray(task.readout, dtype=np.int64)
        target = pack_bits(task.targets)  # (n_readout, n_words)
        train_mask = pack_bits(task.train[:, None].astype(np.uint8))[0]
    initial = kernel.loss_of_rows(rows, loss_kind, readout, target, train_mask, lifetime_target)
    # Losses are whole numbers: loss ≤ stop_at  ⇔  loss ≤ int(stop_at) for stop_at ≥ 0.
    limit = -1 if stop_at is None or stop_at < 0 else int(min(stop_at, int(kernel.INFINITE)))
    state = np.array([initial, 0, 0, 0, 0], dtype=np.int64)  # loss, kept, steps, counts
    losses = np.empty(setup.steps, dtype=np.float64)
    # Kept mutations: step, row, col, old rule, new rule (pages are touched only when written).
    kept = np.empty((5, setup.steps * per_step), dtype=np.int64)
    kept_loss = np.empty(setup.steps * per_step, dtype=np.float64)
    if kernel.narrow_fits(width, packed.shape[1], per_step):
        flat = kernel.narrow_layout(rows, cyclic)
        cone_bits = (in_cone.astype(np.uint64) << np.arange(width, dtype=np.uint64)).sum(
            axis=1, dtype=np.uint64
        )
        kind = kernel.BRICK if brick else kernel.R1
        if not brick and set(setup.rule_set) == {4, 146}:
            kind = kernel.PAIR_4_146
        stack = per_step * setup.depth * (width + 2)
        undo = (np.empty(stack, dtype=np.uint64), np.empty(stack, dtype=np.uint64))
        target_word, mask_word = target[:, 0].copy(), train_mask[0]

        def block(cells, choices, step0, size):
            kernel.evolve_block_narrow(
                indices, numbers, rule_grid, flat, cone_bits, cyclic, kind,
                loss_kind, readout, target_word, mask_word, lifetime_target,
                cells, choices, per_step, accept == "<", limit, state, step0,
                losses[step0 : step0 + size], kept, kept_loss, *undo,
            )  # fmt: skip
    else:
        backup = np.zeros_like(rows)

        def block(cells, choices, step0, size):
            kernel.evolve_block(
                indices, numbers, rule_grid, rows, backup, in_cone, cyclic, brick,
                loss_kind, readout, target, train_mask, lifetime_target,
                cells, choices, per_step, accept == "<", limit, state, step0,
                losses[step0 : step0 + size], kept, kept_loss,
            )  # fmt: skip

    n_done = 0
    while n_done < setup.steps and not (limit >= 0 and state[0] <= limit):
        size = min(BLOCK, setup.steps - n_done)
        cells, choices = draw_block(
            setup.rng, size, n_cells=setup.depth * width, n_rules=len(numbers), per_step=per_step
        )
        block(cells, choices, n_done, size)
        n_done += int(state[2])
        report(on_progress, n_done, setup.steps)
        if state[2] < size:
            break
    report(on_progress, setup.steps, setup.steps)
    n_kept = int(state[1])
    step, row, col, old_rule, new_rule = _trim(kept, n_kept)
    mutations = Mutations(step, row, col, old_rule, new_rule, _trim(kept_loss, n_kept))
    initial_loss = np.inf if initial >= kernel.INFINITE else float(initial)
    return _result(setup, seed, accept, initial_loss, _trim(losses, n_done), mutations, indices)


def _trim(array: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` entries (last axis): a view, or a copy where that frees over half."""
    return array[..., :n].copy() if 2 * n < array.shape[-1] else array[..., :n]


def evolve_reference(
    task: Task,
    *,
    depth: int,
    rules: Sequence[int] = (4, 146),
    steps: int,
    seed: int | np.random.SeedSequence | None,
    accept: str = "<=",
    stop_at: float | None = 0,
    r: float | str = 1,
    boundary: str = "cyclic",
    mutations_per_step: int = 1,
    start: RuleArray | None = None,
    on_progress: ProgressCallback | None = None,
) -> Evolution:
    """The same run as :func:`evolve`, through :func:`mutation_walk` and ``RuleArray`` (slow)."""
    setup = _setup(
        task, depth, rules, steps, seed, accept, stop_at, r, boundary, mutations_per_step, start
    )
    width, per_step, n_rules = task.width, setup.per_step, len(setup.rule_set)
    stream = {"cells": np.zeros(0, np.int64), "choices": np.zeros(0, np.int64)}
    position = {"step": 0}

    def propose(indices: np.ndarray, rng: np.random.Generator):
        s = position["step"]
        if s % BLOCK == 0:  # a new block of the random stream
            size = min(BLOCK, setup.steps - s)
            stream["cells"], stream["choices"] = draw_block(
                rng, size, n_cells=setup.depth * width, n_rules=n_rules, per_step=per_step
            )
        position["step"] += 1
        candidate = indices.copy()
        changes = []
        for i in range((s % BLOCK) * per_step, (s % BLOCK + 1) * per_step):
            cell, choice = int(stream["cells"][i]), int(stream["choices"][i])
            row, col = divmod(cell, width)
            old = int(candidate[row, col])
            new = choice if choice < old else choice + 1
            candidate[row, col] = new
            changes.append((cell, old, new))
        return candidate, tuple(changes)

    walk = mutation_walk(
        setup.start.copy(), loss=lambda indices: task.loss(_as_array(setup, indices)),
        propose=propose, steps=setup.steps, rng=setup.rng, accept=accept, stop_at=stop_at,
        on_progress=on_progress,
    )  # fmt: skip
    kept = np.array(
        [(m.step, cell, old, new, m.loss) for m in walk.kept for cell, old, new in m.change],
        dtype=np.float64,
    ).reshape(-1, 5)
    return _result(
        setup, seed, accept, walk.initial_loss, walk.losses, _mutations(setup, kept), walk.state
    )
