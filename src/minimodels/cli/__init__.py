"""The ``minimodels`` command line: thin commands that compose experiments, storage and plots.

Each module in this package (not starting with ``_``) adds its commands to the shared typer
app, so a new command needs no edit here.  :func:`main` is the console entry point and the one
place exit codes are decided: 0 ok; 2 for the user's bad input (:class:`~minimodels.base.errors.
UsageError`, raised where the input is checked: one sentence, nothing written); 1 for an
internal fault (one line; the traceback goes to a file, or to the terminal with
``MINIMODELS_DEBUG=1``) or a machine that refuses (a full disk); 130 on Ctrl-C and 143 on
SIGTERM (workers stopped, completed shards kept for ``--resume``).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pkgutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from minimodels.base.progress import Interrupt
from minimodels.cli._app import app

__all__ = ["app", "main"]


# How `minimodels --help` groups the commands; a command not listed here still works and is
# shown under "More commands".
_PANELS: dict[str, tuple[str, ...]] = {
    "The report": ("gallery",),
    "Cellular automata and rule arrays": ("ca", "rulearray", "evolve", "bio", "multiway"),
    "Neural nets": ("fit", "insides", "grok", "grok-sweep"),
    "Simplicity bias and Bayesian sampling": (
        "sample",
        "bias-plots",
        "sgd-vs-bayes",
        "evolution-vs-bayes",
        "bayes-plots",
    ),
    "Why nets work": ("learners", "landscape", "double-descent", "scaling", "implicit"),
}


def _command_name(command) -> str:
    return command.name or command.callback.__name__.replace("_", "-")


def _load_commands() -> None:
    for info in pkgutil.iter_modules(__path__, __name__ + "."):
        if not info.name.rsplit(".", 1)[-1].startswith("_"):
            importlib.import_module(info.name)
    places = {
        name: (rank, position, panel)
        for rank, (panel, names) in enumerate(_PANELS.items())
        for position, name in enumerate(names)
    }
    unlisted = (len(_PANELS), 0, "More commands")
    for command in app.registered_commands:
        command.rich_help_panel = places.get(_command_name(command), unlisted)[2]
    app.registered_commands.sort(
        key=lambda c: (*places.get(_command_name(c), unlisted)[:2], _command_name(c))
    )


def _one_line(error: BaseException | str) -> str:
    # the message is kept as written: it often starts with a parameter or value name
    return " ".join(str(error).split()) or type(error).__name__


def _use_persistent_jax_cache() -> None:
    """Keep JAX's compiled programs on disk, so a second gallery or run skips compiling.

    Set before JAX is imported (worker processes inherit it); an existing
    ``JAX_COMPILATION_CACHE_DIR`` wins, and an empty one turns the cache off.
    """
    from pathlib import Path

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(base / "minimodels" / "jax"))
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.1")


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C (workers stopped, shards kept) but exiting 143."""

    raised = False  # click and typer turn any KeyboardInterrupt into Abort or status 130

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        Terminated.raised = True


def _on_sigint(signum, frame) -> None:
    Interrupt.received = True  # should a library swallow the exception (see Interrupt)
    raise KeyboardInterrupt


def _on_sigterm(signum, frame) -> None:
    raise Terminated()


def _exit(status: int) -> NoReturn:
    """``sys.exit(status)``, and the process's status really is ``status``.

    A KeyboardInterrupt that ended a string ``exec`` (dataclasses and numba build code that
    way) leaves a flag in CPython even when a caller catches it; under ``python -m`` the
    interpreter then ends by killing itself with SIGINT instead of exiting 130.  Every
    string ``exec`` clears that flag as it starts, so one that ends normally clears it.
    """
    exec("pass", {})  # noqa: S102 - a constant: resets CPython's unhandled-interrupt flag
    sys.exit(status)


def _traceback_file() -> Path:
    """Where an internal error's traceback goes: the user cache, else the temp directory."""
    import tempfile
    import time

    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    for folder in (base / "minimodels" / "errors", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"minimodels-error-{stamp}-{os.getpid()}.txt"
            path.touch()
            return path
        except OSError:
            continue
    return Path(os.devnull)


def _internal_error(error: BaseException) -> NoReturn:
    """One line for the user, the whole traceback in a file (exit 1)."""
    import traceback

    path = _traceback_file()
    try:
        path.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
        where = f"the traceback is in {path}"
    except OSError:
        where = "set MINIMODELS_DEBUG=1 to see the traceback"
    print(
        f"Internal error (a bug in minimodels, not in your input): {type(error).__name__}: "
        f"{_one_line(error)}; {where}",
        file=sys.stderr,
    )
    sys.exit(1)


def _environment_error(error: OSError) -> NoReturn:
    """The machine refused (full disk, permissions, missing file): one line, exit 1."""
    import errno

    from minimodels.base.errors import StorageError

    if isinstance(error, StorageError):  # our own sentence: what was kept, how to go on
        print(f"Error: {_one_line(error.strerror or error)}", file=sys.stderr)
        sys.exit(1)
    where = f" ({error.filename})" if getattr(error, "filename", None) else ""
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        reason = "the disk is full or a file-size limit was reached"
    else:
        reason = error.strerror or _one_line(error)
    print(
        f"Error: {reason}{where}; completed shards and files are kept (rerun with --resume "
        "where the command has it)",
        file=sys.stderr,
    )
    sys.exit(1)


def _naming_the_flag(error: BaseException, argv: list[str]) -> str:
    """The error's sentence, led by the flag it is about when the sentence does not name it:
    ``Invalid value for '--sigma-w': sigma_w = -1.0 must be …`` (typer's own wording)."""
    message = _one_line(error)
    command = _command_of(argv)
    flags = {}  # an error names an option by its field (n_runs) or by its flag's words (runs)
    for param in getattr(command, "params", ()):
        if param.opts:
            flag = param.opts[0]
            flags[flag.lstrip("-").replace("-", "_")] = flags[param.name] = flag
    flag = next((flags[o] for o in getattr(error, "options", ()) if o in flags), None)
    if flag is None or flag in message:
        return message
    return f"Invalid value for '{flag}': {message}"


def _command_of(argv: list[str]) -> object | None:
    """The click command that ``argv`` names (None for none, or an unknown name)."""
    import typer.main

    name = next((word for word in argv if not word.startswith("-")), None)
    return getattr(typer.main.get_command(app), "commands", {}).get(name)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: exit 0 on success, 2 on the user's bad input (one sentence), 1 on an
    internal fault (one line, traceback in a file) or a refusal of the machine (full disk),
    130 on Ctrl-C and 143 on SIGTERM."""
    import signal
    import threading

    _use_persistent_jax_cache()
    _load_commands()
    Terminated.raised = Interrupt.received = False
    if threading.current_thread() is not threading.main_thread():  # signals are not ours here
        _run(argv)
        return
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    if before[signal.SIGTERM] is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _on_sigterm)
    if before[signal.SIGINT] is signal.default_int_handler:  # not when ignored
        signal.signal(signal.SIGINT, _on_sigint)
    try:
        _run(argv)
    finally:  # called in-process (a notebook, a test): leave the caller's handlers as they were
        for signum, handler in before.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def _figure_style() -> Iterator[None]:
    """Every figure a command draws is drawn in the lab's style sheet (matplotlib's own
    settings are restored when the command ends, which matters when it is called in-process)."""
    from minimodels.plotting.canvas import styled

    with styled():
        yield


def _runs() -> Any:
    """:mod:`~minimodels.runtime.storage.rundir` if a command has loaded it, else None (not
    loaded here, so that ``minimodels --help`` stays instant)."""
    return sys.modules.get("minimodels.runtime.storage.rundir")


def _run(argv: list[str] | None) -> None:
    """The command itself, each way it can end mapped to its exit status."""
    import typer

    from minimodels.base.errors import UsageError

    debug = bool(os.environ.get("MINIMODELS_DEBUG"))
    given = sys.argv[1:] if argv is None else argv
    opened = _runs().fresh_run_count() if _runs() else 0
    try:
        try:
            with _figure_style():
                status = app(args=argv, prog_name="minimodels", standalone_mode=False)
        except typer.TyperException as error:  # typer's own checks: unknown option, not a number…
            if type(error).__name__ == "NoArgsIsHelpError":  # bare 'minimodels': help was shown
                sys.exit(2)
            ctx = getattr(error, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            print(f"Error: {_one_line(error.format_message())}{hint}", file=sys.stderr)
            sys.exit(error.exit_code)
        except UsageError as error:
            if _runs():  # a bad input found after the command opened its run: nothing stays
                _runs().discard_since(opened)
            if debug:
                raise
            message = _naming_the_flag(error, given)
            print(f"Error: {message}", file=sys.stderr)
            sys.exit(2)
        except (KeyboardInterrupt, typer.Abort):  # click turns Ctrl-C into Abort
            _stopped(given)
        except Exception as error:
            if Interrupt.received or Terminated.raised:  # a library turned the signal into this
                _stopped(given)
            if debug:
                raise
            if isinstance(error, OSError):
                _environment_error(error)
            _internal_error(error)
        if status == 130:  # typer turns Ctrl-C into exit code 130
            _stopped(given)
        if isinstance(status, int) and status:
            _exit(status)
    finally:
        if _runs():
            _runs().forget_since(opened)


def _stopped(argv: list[str]) -> NoReturn:
    """Exit after Ctrl-C (130) or SIGTERM (143), saying what was kept: a command with
    ``--resume`` keeps its completed shards; any other starts again with ``--overwrite``."""
    if Terminated.raised:
        print("Terminated.", file=sys.stderr)
        _exit(143)
    flags = {opt for param in getattr(_command_of(argv), "params", ()) for opt in param.opts}
    if "--resume" in flags:
        print("Interrupted; completed shards are kept (rerun with --resume).", file=sys.stderr)
    else:
        print("Interrupted; rerun with --overwrite to start again.", file=sys.stderr)
    _exit(130)
