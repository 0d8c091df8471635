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
  ``None`` starts or joins a local one.  A task whose worker dies is rerun (``max_retries``).

Stopping: Ctrl-C, SIGTERM, an exception or closing the stream stops the work within a second
or so and leaves no process behind.  Pool workers ignore SIGINT (only the parent answers it),
are killed rather than drained when the stream ends early, and die with their parent even
when it is SIGKILLed (Linux ``PR_SET_PDEATHSIG``; elsewhere a thread that watches the parent).
Outstanding Ray tasks are cancelled.  Finished results already yielded are kept, so a caller
that checkpoints each one can resume.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Collection, Generator, Iterator, Sequence
from contextlib import closing
from typing import Any, TypeVar

from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback, report

A = TypeVar("A")
R = TypeVar("R")

BACKENDS = ("serial", "process", "ray")
RAY_MAX_RETRIES = 3  # reruns of a Ray task whose worker died


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def check_backend(backend: str, jobs: int | None = None) -> None:
    if backend not in BACKENDS:
        raise UsageError(
            f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}", option="backend"
        )
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
) -> Generator[tuple[int, R], None, None]:
    """Apply ``fn`` to every task; yield ``(index, result)`` in completion order."""
    check_backend(backend, jobs)
    total = len(tasks)
    report(on_progress, 0, total)
    if total == 0:
        return
    jobs = jobs or default_jobs()
    stream: Iterator[tuple[int, R]]
    if backend == "serial" or (backend == "process" and (jobs == 1 or total == 1)):
        stream = ((i, fn(task)) for i, task in enumerate(tasks))
    elif backend == "process":
        stream = _process_pool(fn, tasks, jobs)
    else:
        stream = _ray(fn, tasks, address)
    try:
        for done, (index, result) in enumerate(stream, start=1):
            report(on_progress, done, total)
            yield index, result
    finally:
        if hasattr(stream, "close"):
            stream.close()  # stop the backend now, not whenever this generator is collected


def map_tasks(fn: Callable[[A], R], tasks: Sequence[A], **options: Any) -> list[R]:
    """Like :func:`run_tasks` but returns the results in task order."""
    results: list[Any] = [None] * len(tasks)
    for index, result in run_tasks(fn, tasks, **options):
        results[index] = result
    return results


def run_pending(
    fn: Callable[[A], R],
    tasks: Sequence[A],
    *,
    done: Collection[int] = (),
    on_result: Callable[[int, R], None],
    on_progress: ProgressCallback | None = None,
    **options: Any,
) -> None:
    """Run the tasks whose index is not in ``done`` (a resumed run's finished shards);
    ``on_result(index, result)`` sees each new result as it finishes, with its index in
    ``tasks``.  Progress counts every task, the ``done`` ones included.

    This is the one sharding loop: every resumable computation is a task list, a pure worker
    and an ``on_result`` that saves and merges, so results never depend on where it resumed.
    """
    done = set(done)
    todo = [i for i in range(len(tasks)) if i not in done]
    total = len(tasks)
    report(on_progress, total - len(todo), total)
    stream = run_tasks(fn, [tasks[i] for i in todo], **options)
    with closing(stream):  # an error in on_result stops the workers at once
        for n_finished, (j, result) in enumerate(stream, start=total - len(todo) + 1):
            on_result(todo[j], result)
            report(on_progress, n_finished, total)


# ------------------------------------------------------------------------- process pool
#
# A small pool of our own rather than ``ProcessPoolExecutor``: its threads and locks are what
# made Ctrl-C hang (an interrupt inside ``wait()`` leaves future locks held, a worker killed
# while sending a result leaves its reader blocked, and exit waits for every queued task).
# Here the parent has no threads: each worker has a pipe, holds at most two tasks (one
# running, one queued), and the parent waits on the pipes and on the workers' sentinels.
#
# Ctrl-C in a terminal sends SIGINT to the whole process group.  Workers ignore it, so only
# the parent sees it.  While a pool is open in the main thread, our SIGINT and SIGTERM handlers
# kill its workers first, whatever line the main thread is on (the caller's loop body
# included), then call the handler they replaced (KeyboardInterrupt for SIGINT; a SIGTERM with
# no handler becomes SystemExit(143)).  Ignored signals stay ignored.

_IN_FLIGHT = 2  # tasks a worker holds (one running, one queued): it never waits for us
_SMALL_TASK = 4096  # bytes; only a task this small is queued behind a running one (see fill)
_open_pools: list[list[Any]] = []  # the worker processes of every pool still open
_saved_handlers: dict[int, Any] = {}
_exit_hook_registered = False


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker (the ``__cause__`` of the re-raise)."""

    def __str__(self) -> str:
        return self.args[0]


def _process_pool(fn: Callable[[A], R], tasks: Sequence[A], jobs: int) -> Iterator[tuple[int, R]]:
    pool = _Pool(tasks)
    finished = False
    _track(pool.processes)
    try:
        pool.start(fn, min(jobs, len(tasks)))
        pool.fill()
        yield from pool.results()
        finished = True
    finally:
        _untrack(pool.processes)
        pool.close(finished)


class _Pool:
    """Spawned workers, one pipe each; tasks go out as workers free up, results come back."""

    def __init__(self, tasks: Sequence[Any]) -> None:
        self.todo = iter(enumerate(tasks))
        self.next_message: tuple[int, bytes] | None = None  # the next task, pickled
        self.processes: list[Any] = []
        self.queued: dict[Any, Any] = {}  # our end of each worker's pipe -> its task indices
        self.process_of: dict[Any, Any] = {}  # pipe -> worker
        self.pipe_of: dict[Any, Any] = {}  # worker's sentinel (an int) -> pipe

    def start(self, fn: Callable[[Any], Any], n_workers: int) -> None:
        import multiprocessing
        from collections import deque

        context = multiprocessing.get_context("spawn")
        # SIGINT/SIGTERM stay blocked while workers start, so that none reaches a worker
        # before it ignores SIGINT (the mask passes through fork and exec; a signal meant for
        # the parent waits until it is unblocked here).
        with _signals_blocked():
            for _ in range(n_workers):
                ours, theirs = context.Pipe()
                process = context.Process(
                    target=_work, args=(fn, theirs, os.getpid()), name="minimodels-worker"
                )
                self.processes.append(process)
                process.start()
                theirs.close()  # the worker holds the only other end: its death reads as EOF
                self.queued[ours] = deque()
                self.process_of[ours] = process
                self.pipe_of[process.sentinel] = ours

    def fill(self) -> None:
        """Hand out tasks, idle workers first, up to ``_IN_FLIGHT`` each.

        A big task goes only to an idle worker: queued behind a running task it could fill
        the pipe, and we would block sending it while the worker blocks sending us a big
        result.
        """
        from multiprocessing.reduction import ForkingPickler

        for conn in sorted(self.queued, key=lambda c: len(self.queued[c])):
            while len(self.queued[conn]) < _IN_FLIGHT:
                if self.next_message is None:
                    item = next(self.todo, None)
                    if item is None:
                        return
                    self.next_message = (item[0], bytes(ForkingPickler.dumps(item)))
                index, message = self.next_message
                if self.queued[conn] and len(message) > _SMALL_TASK:
                    break
                try:
                    conn.send_bytes(message)  # what conn.send(item) sends
                except OSError:
                    raise self._broken(conn, index) from None
                self.queued[conn].append(index)
                self.next_message = None

    def results(self) -> Iterator[tuple[int, Any]]:
        from multiprocessing.connection import wait

        while any(self.queued.values()):
            busy = [conn for conn, indices in self.queued.items() if indices]
            ready = wait(busy + [self.process_of[conn].sentinel for conn in busy])
            for conn in dict.fromkeys(self.pipe_of.get(r, r) for r in ready):  # r: pipe or sentinel
                try:
                    index, ok, value = conn.recv()
                except (EOFError, OSError):  # the worker died (maybe halfway through a send)
                    raise self._broken(conn, self.queued[conn][0]) from None
                self.queued[conn].popleft()
                if not ok:
                    error, text = value
                    raise error from RemoteTraceback(text)
                self.fill()
                yield index, value

    def _broken(self, conn: Any, index: int) -> Exception:
        from concurrent.futures.process import BrokenProcessPool

        process = self.process_of[conn]
        process.join(timeout=1)
        return BrokenProcessPool(
            f"a worker process died (exit code {process.exitcode}) while running or about "
            f"to run task {index}"
        )

    def close(self, finished: bool) -> None:
        """Let idle workers exit after a full run; otherwise kill them without waiting."""
        if finished:
            for conn in self.queued:
                try:
                    conn.send(None)
                except OSError:  # that worker is gone already
                    pass
            _reap(self.processes, timeout=5)
        _kill(self.processes)
        _reap(self.processes, timeout=1)  # so that none lingers as a zombie
        for conn in self.queued:
            conn.close()


def _work(fn: Callable[[Any], Any], conn: Any, parent: int) -> None:
    """A worker's life: run ``fn`` on each ``(index, task)`` received, send back the result."""
    import pickle
    import traceback

    _init_worker(parent)
    while True:
        try:
            item = conn.recv()
        except EOFError:  # the parent is gone
            return
        if item is None:  # the run is over
            return
        index, task = item
        try:
            message = (index, True, fn(task))
        except Exception as error:  # raised again in the parent, with this traceback
            text = traceback.format_exc()
            try:
                pickle.loads(pickle.dumps(error))  # some exceptions do not survive the trip
            except Exception:  # noqa: BLE001
                error = RuntimeError(f"{type(error).__name__}: {error}")
            message = (index, False, (error, text))
        try:
            conn.send(message)  # pickling fails before anything is written
        except Exception as error:  # noqa: BLE001 - the result does not pickle
            text = traceback.format_exc()
            conn.send((index, False, (RuntimeError(f"task {index}: {error}"), text)))


def _init_worker(parent: int) -> None:
    """First code in every pool worker: leave Ctrl-C to the parent, and die with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    _die_with_parent(parent)


def _die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this process when ``parent`` exits, or poll for it elsewhere."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1  # <linux/prctl.h>
            armed = libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
        if armed:
            # The signal follows the parent *thread* that started us, the one that runs the
            # pool until it ends.  If the parent died before prctl, none will come: check.
            if os.getppid() != parent:
                os._exit(1)
            return
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    import time

    while os.getppid() == parent:  # an orphan is adopted by init or a subreaper
        time.sleep(0.5)
    os._exit(1)


class _signals_blocked:
    """Block SIGINT and SIGTERM in this thread for the ``with`` block (where POSIX allows)."""

    def __enter__(self) -> None:
        self.old = None
        if hasattr(signal, "pthread_sigmask"):
            blocked = {signal.SIGINT, signal.SIGTERM}
            self.old = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)

    def __exit__(self, *exc: object) -> None:
        if self.old is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self.old)


def _track(processes: list[Any]) -> None:
    """Count a pool as open; catch SIGINT/SIGTERM while any pool is (main thread only)."""
    global _exit_hook_registered
    _open_pools.append(processes)
    if not _exit_hook_registered:
        # At exit, multiprocessing joins every child it started: a pool whose stream was
        # never closed (say, the caller raised and a traceback still holds the stream) would
        # make exit wait forever.  atexit runs last-registered first, so this runs before.
        import atexit

        atexit.register(_kill_open_pools)
        _exit_hook_registered = True
    if threading.current_thread() is not threading.main_thread():
        return  # signals are handled in the main thread; the stream's ``finally`` still runs
    for signum in (signal.SIGINT, signal.SIGTERM):
        current = signal.getsignal(signum)
        if current is not _on_signal and current not in (signal.SIG_IGN, None):
            _saved_handlers[signum] = signal.signal(signum, _on_signal)


def _untrack(processes: list[Any]) -> None:
    _open_pools[:] = [pool for pool in _open_pools if pool is not processes]
    if _open_pools or threading.current_thread() is not threading.main_thread():
        return
    for signum, previous in list(_saved_handlers.items()):
        if signal.getsignal(signum) is _on_signal:
            signal.signal(signum, previous)
        del _saved_handlers[signum]


def _on_signal(signum: int, frame: Any) -> None:
    """Kill the workers, then do what the handler we replaced would have done."""
    _kill_open_pools()
    previous = _saved_handlers.get(signum)
    if callable(previous):  # Python's own SIGINT handler raises KeyboardInterrupt
        previous(signum, frame)
    elif signum == signal.SIGINT:
        raise KeyboardInterrupt
    else:  # SIGTERM's default ends the process; exit as if it had, but run cleanups first
        raise SystemExit(128 + signum)


def _kill_open_pools() -> None:
    for processes in list(_open_pools):
        _kill(processes)


def _reap(processes: list[Any], timeout: float) -> None:
    for process in processes:
        if process.pid is not None:  # started
            process.join(timeout)


def _kill(processes: list[Any]) -> None:
    for process in processes:
        try:
            process.kill()
        except (OSError, ValueError, AttributeError):  # gone already, or never started
            pass


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
    # a task whose worker process dies (killed, out of memory, node lost) runs again; tasks are
    # pure and seeded, so a rerun gives the same result
    remote = ray.remote(max_retries=RAY_MAX_RETRIES)(fn)
    pending = {remote.remote(task): i for i, task in enumerate(tasks)}
    try:
        while pending:
            finished, _ = ray.wait(list(pending), num_returns=1)
            for ref in finished:
                index = pending.pop(ref)
                yield index, ray.get(ref)
    finally:
        for ref in pending:  # interrupted or failed: stop what is queued or running
            try:
                ray.cancel(ref, force=True)
            except Exception:  # noqa: BLE001 - finished meanwhile, or Ray already shut down
                pass
