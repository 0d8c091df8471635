"""Adaptive evolution in its plainest form: propose one change, keep it if the loss allows.

This is the reference learner that every discrete substrate shares (rule arrays, quantised
mesh nets, CA genomes).  One *step* is one attempted mutation, kept or not:

    new_state, change = propose(state, rng)
    new_loss = loss(new_state)
    if accepts(new_loss, current_loss, accept):  state, current_loss = new_state, new_loss

``accept`` is ``"<="`` (neutral drift allowed, Wolfram's default) or ``"<"`` (strict).
``losses[i]`` is the loss *after* step ``i``, so the trace is non-increasing by construction.
Compiled, substrate-specific loops (e.g. the bit-sliced rule-array kernel) must produce the
same trace as :func:`mutation_walk` for the same seed; tests hold them equal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np

from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback, report

S = TypeVar("S")

ACCEPT_RULES = ("<=", "<")


def check_accept(accept: str) -> None:
    if accept not in ACCEPT_RULES:
        raise UsageError(f"accept must be '<=' or '<', got {accept!r}", option="accept")


def accepts(new_loss: float, old_loss: float, accept: str = "<=") -> bool:
    """The acceptance rule: keep a mutation whose loss is ≤ (or <) the current loss."""
    return new_loss <= old_loss if accept == "<=" else new_loss < old_loss


@dataclass(frozen=True)
class KeptMutation:
    step: int  # index of the attempted step that was kept
    change: Any  # what propose() said it changed (e.g. (row, col, old_rule, new_rule))
    loss: float  # loss after the change


@dataclass(frozen=True)
class Walk(Generic[S]):
    state: S  # final state
    losses: np.ndarray  # (n_steps,) loss after every attempted step
    kept: tuple[KeptMutation, ...]
    initial_loss: float


def mutation_walk(
    state: S,
    *,
    loss: Callable[[S], float],
    propose: Callable[[S, np.random.Generator], tuple[S, Any]],
    steps: int,
    rng: np.random.Generator,
    accept: str = "<=",
    stop_at: float | None = 0.0,
    on_progress: ProgressCallback | None = None,
) -> Walk[S]:
    """Run adaptive evolution from ``state`` for at most ``steps`` attempted mutations.

    Stops early once the loss is ≤ ``stop_at`` (``None``: use the whole budget).
    """
    check_accept(accept)
    if steps < 0:
        raise UsageError(f"steps must be ≥ 0, got {steps}")
    current = initial = float(loss(state))
    losses: list[float] = []
    kept: list[KeptMutation] = []
    every = max(1, steps // 100)
    for step in range(steps):
        if stop_at is not None and current <= stop_at:
            break
        candidate, change = propose(state, rng)
        candidate_loss = float(loss(candidate))
        if accepts(candidate_loss, current, accept):
            state, current = candidate, candidate_loss
            kept.append(KeptMutation(step, change, current))
        losses.append(current)
        if step % every == 0:
            report(on_progress, step + 1, steps)
    report(on_progress, steps, steps)
    return Walk(state, np.asarray(losses, dtype=np.float64), tuple(kept), initial)
