"""Plans: one computation as independent, seeded shards, run by one executor, then merged.

Data model.  A :class:`Plan` is a task list, a worker function and a merge:

* ``tasks`` — one picklable argument per shard, each carrying its own seed (or its own slice
  of one seeded stream);
* ``worker`` — a pure, module-level function of one task; ``worker(task)`` is that shard's
  result ``R``;
* ``merge(plan, results)`` — pools the results of all shards, a dict ``shard index → R``, into
  the answer ``T``; ``n_attempts`` (how many runs or draws the tasks make between them) is
  there for the merge to report.

:func:`run_plan` is the one executor: it hands the shards not already ``done`` to
:func:`minimodels.runtime.parallel.run_pending` — serially, on a local process pool or on Ray — lets
``on_result(index, result)`` checkpoint each as it finishes, and merges.  Since every task
brings its own seed, the answer is the same whatever the backend, the number of workers, or
which shards an earlier (resumed) run had finished.  :func:`block_bounds` cuts ``n`` runs or
draws into contiguous shards without listing them, :func:`seeded_runs` gives each run of such
shards its own seed; :func:`run_here` builds a plan and runs it
in one call.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np

from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback
from minimodels.runtime import parallel

__all__ = ["Plan", "block_bounds", "run_here", "run_plan", "seeded_runs"]

R = TypeVar("R")  # what one shard's worker returns
T = TypeVar("T")  # what the merge makes of all of them


def block_bounds(n: int, n_blocks: int) -> list[tuple[int, int]]:
    """(first, size) of the blocks of ``np.array_split(np.arange(n), n_blocks)``, without
    the ``arange`` (10^12 samples are 8 TB of indices): the first ``n % n_blocks`` blocks
    have one more."""
    base, extra = divmod(n, n_blocks)
    firsts = [i * base + min(i, extra) for i in range(n_blocks)]
    return [(first, base + (i < extra)) for i, first in enumerate(firsts)]


def seeded_runs(head: tuple, n_runs: int, n_shards: int, seed: int) -> list[tuple]:
    """Tasks for ``n_runs`` seeded runs in at most ``n_shards`` shards: ``(*head, seeds)``.

    Run ``i`` is seeded by ``SeedSequence(seed).spawn(n_runs)[i]`` and the shards are
    contiguous blocks of runs, so the runs do not depend on the sharding or the backend."""
    if n_runs < 1:
        raise UsageError(f"number of runs must be at least 1, got {n_runs}")
    seeds = np.random.SeedSequence(seed).spawn(n_runs)
    blocks = block_bounds(n_runs, min(n_shards, n_runs))
    return [(*head, seeds[first : first + size]) for first, size in blocks]


@dataclass(frozen=True)
class Plan(Generic[R, T]):
    """A computation as independent shards: ``worker(task) -> R`` for each task, and
    ``merge(plan, {index: R}) -> T`` over all of them.

    Every task carries its own seed, so the merged answer is the same whatever the backend,
    the number of workers, or which shards were finished in an earlier (resumed) run.
    """

    worker: Callable[[Any], R]
    tasks: list[Any]
    n_attempts: int
    merge: Callable[[Plan[R, T], dict[int, R]], T]


def run_plan(
    plan: Plan[R, T],
    *,
    backend: str = "serial",
    jobs: int | None = None,
    address: str | None = None,
    done: dict[int, R] | None = None,
    on_result: Callable[[int, R], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> T:
    """Run the shards not already in ``done``; ``on_result(index, result)`` sees each new one.
    Returns ``plan.merge`` of every shard's result, the ``done`` ones included."""
    results = dict(done or {})

    def finished(index: int, result: R) -> None:
        results[index] = result
        if on_result is not None:
            on_result(index, result)

    parallel.run_pending(
        plan.worker, plan.tasks, done=results.keys(), on_result=finished, backend=backend,
        jobs=jobs, address=address, on_progress=on_progress,
    )  # fmt: skip
    return plan.merge(plan, results)


def run_here(make_plan: Callable[..., Plan[Any, T]], *args: Any, **options: Any) -> T:
    """``make_plan(*args, …)`` run here and now: the keywords ``make_plan`` takes go to it, the
    others (backend, jobs, on_progress, …) to :func:`run_plan`."""
    accepted = inspect.signature(make_plan).parameters
    plan = make_plan(*args, **{k: options.pop(k) for k in list(options) if k in accepted})
    return run_plan(plan, **options)
