"""Run independent tasks serially, on a local process pool, or on a Ray cluster — same results.

The data model: a *task list* is a list of picklable arguments, and ``fn(arg)`` is a pure,
module-level function of one argument.  Every task carries its own seed (spawned from one
``np.random.SeedSequence``), so the results do not depend on the backend, the number of
workers or the order in which tasks finish.  :func:`run_tasks` yields ``(index, result)``
pairs *as they complete*, so callers can checkpoint each finished shard and resume later.

Backends:

* ``"serial"``  — in this process (debugging, tests, tiny runs);
* ``"process"`` — a local pool started with ``spawn`` (safe beside JAX and numba threads);
* ``"ray"``     — Ray tasks (``pip install 'minimodels[ray]'``); ``address`` picks a cluster,
  ``None`` starts or joins a local one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from minimodels.errors import UsageError
from minimodels.progress import ProgressCallback, report

A = TypeVar("A")
R = TypeVar("R")

BACKENDS = ("serial", "process", "ray")


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def check_backend(backend: str, jobs: int | None = None) -> None:
    if backend not in BACKENDS:
        raise UsageError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if jobs is not None and jobs < 1:
        raise UsageError(f"jobs must be at least 1, got {jobs}")


def run_tasks(
    fn: Callable[[A], R],
    tasks: Sequence[A],
    *,
    backend: str = "process",
    jobs: int | None = None,
    address: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> Iterator[tuple[int, R]]:
    """Apply ``fn`` to every task; yield ``(index, result)`` in completion order."""
    check_backend(backend, jobs)
    total = len(tasks)
    report(on_progress, 0, total)
    if total == 0:
        return
    jobs = jobs or default_jobs()
    if backend == "serial" or (backend == "process" and (jobs == 1 or total == 1)):
        stream = ((i, fn(task)) for i, task in enumerate(tasks))
    elif backend == "process":
        stream = _process_pool(fn, tasks, jobs)
    else:
        stream = _ray(fn, tasks, address)
    for done, (index, result) in enumerate(stream, start=1):
        report(on_progress, done, total)
        yield index, result


def map_tasks(fn: Callable[[A], R], tasks: Sequence[A], **options: Any) -> list[R]:
    """Like :func:`run_tasks` but returns the results in task order."""
    results: list[Any] = [None] * len(tasks)
    for index, result in run_tasks(fn, tasks, **options):
        results[index] = result
    return results


def _process_pool(fn: Callable[[A], R], tasks: Sequence[A], jobs: int) -> Iterator[tuple[int, R]]:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
        pending = {pool.submit(fn, task): i for i, task in enumerate(tasks)}
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    index = pending.pop(future)
                    yield index, future.result()
        finally:
            for future in pending:
                future.cancel()


def start_ray(**options: Any) -> None:
    """``ray.init(**options)`` quietly (no dashboard, no worker logs on the driver).

    Ray starts its local processes by fork-then-exec; once JAX is imported its fork hook warns
    of a deadlock that exec rules out, so that one warning is silenced here.
    """
    import warnings

    import ray

    options = {"include_dashboard": False, "log_to_driver": False, **options}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "os.fork\\(\\) was called", RuntimeWarning)
        ray.init(**options)


def _ray(fn: Callable[[A], R], tasks: Sequence[A], address: str | None) -> Iterator[tuple[int, R]]:
    try:
        import ray
    except ImportError:
        raise UsageError("the ray backend needs Ray: pip install 'minimodels[ray]'") from None
    if not ray.is_initialized():
        start_ray(address=address)
    remote = ray.remote(fn)
    pending = {remote.remote(task): i for i, task in enumerate(tasks)}
    while pending:
        finished, _ = ray.wait(list(pending), num_returns=1)
        for ref in finished:
            index = pending.pop(ref)
            yield index, ray.get(ref)
