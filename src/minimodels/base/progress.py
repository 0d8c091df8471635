"""Progress reporting: compute code calls a callback, surfaces decide how to show it.

The data model is one function, ``on_progress(done, total)``: ``done`` units of work out of
``total`` are finished (both ints, ``total`` fixed for the life of one task).  Compute code
never prints; it calls ``on_progress`` when given one and does nothing otherwise.  The CLI
turns the callback into a rich progress bar with :func:`progress_bar`.

A report is also where a command notices a Ctrl-C that was lost on the way (:class:`Interrupt`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

ProgressCallback = Callable[[int, int], None]


class Interrupt:
    """Whether the CLI received Ctrl-C during this command, whatever became of its exception.

    Code we do not own may swallow the KeyboardInterrupt: raised inside a ctypes callback
    (numba compiling through llvmlite), it is printed and dropped, and the compile then either
    fails with an unrelated error or succeeds and the work goes on.  So the CLI's handler sets
    ``received``, and :func:`progress_bar` raises KeyboardInterrupt again at its next report.
    """

    received = False


def report(on_progress: ProgressCallback | None, done: int, total: int) -> None:
    """Call ``on_progress(done, total)`` if a callback was given."""
    if on_progress is not None:
        on_progress(done, total)


def scaled(on_progress: ProgressCallback | None, start: int, span: int, total: int):
    """A callback for a sub-task that fills ``[start, start + span)`` of an outer ``total``."""
    if on_progress is None:
        return None

    def inner(done: int, sub_total: int) -> None:
        fraction = done / sub_total if sub_total else 1.0
        on_progress(start + round(fraction * span), total)

    return inner


@contextmanager
def progress_bar(description: str, *, enabled: bool = True) -> Iterator[ProgressCallback]:
    """A rich progress bar on stderr, handed out as an ``on_progress`` callback."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not enabled,
        transient=False,
    )
    tasks: list[Any] = []  # the bar appears at the first report, so a command that refuses
    # its input before any work prints its one error line and nothing else

    def on_progress(done: int, total: int) -> None:
        if Interrupt.received:  # Ctrl-C came, yet the work goes on: its exception was lost
            raise KeyboardInterrupt
        if not tasks:
            bar.start()
            tasks.append(bar.add_task(description, total=total))
        bar.update(tasks[0], completed=done, total=total)

    try:
        yield on_progress
    finally:
        if tasks:
            bar.stop()
