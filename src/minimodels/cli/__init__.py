"""The ``minimodels`` command line: thin commands that compose experiments, storage and plots.

Each module in this package (not starting with ``_``) adds its commands to the shared typer
app, so a new command needs no edit here.  :func:`main` is the console entry point: a bad
argument (``ValueError``/``TypeError`` raised anywhere below) becomes one sentence on stderr
and exit code 2, never a traceback.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

from minimodels.cli._app import app

__all__ = ["app", "main"]


# How `minimodels --help` groups the commands; a command not listed here still works and is
# shown under "More commands".
_PANELS: dict[str, tuple[str, ...]] = {
    "The report": ("gallery",),
    "Cellular automata and rule arrays": ("ca", "rulearray", "evolve", "bio", "multiway"),
    "Neural nets": ("fit", "grok", "grok-sweep"),
    "Simplicity bias and Bayesian sampling": (
        "sample",
        "bias-plots",
        "sgd-vs-bayes",
        "evolution-vs-bayes",
        "bayes-plots",
    ),
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


def _one_line(error: BaseException) -> str:
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


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; exit 0 on success, 2 on bad input, 1 on other failures."""
    _use_persistent_jax_cache()
    _load_commands()
    import typer

    debug = bool(os.environ.get("MINIMODELS_DEBUG"))
    try:
        status = app(args=argv, prog_name="minimodels", standalone_mode=False)
    except typer.TyperException as error:  # typer's own checks: unknown option, not a number…
        if type(error).__name__ == "NoArgsIsHelpError":  # bare 'minimodels': help was shown
            sys.exit(2)
        ctx = getattr(error, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        print(f"Error: {_one_line(error.format_message())}{hint}", file=sys.stderr)
        sys.exit(error.exit_code)
    except typer.Abort:
        print("Aborted.", file=sys.stderr)
        sys.exit(1)
    except (ValueError, TypeError) as error:
        if debug:
            raise
        print(f"Error: {_one_line(error)}", file=sys.stderr)
        sys.exit(2)
    except OSError as error:
        if debug:
            raise
        where = f" ({error.filename})" if getattr(error, "filename", None) else ""
        print(f"Error: {error.strerror or error}{where}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        sys.exit(130)
    if status == 130:  # typer turns Ctrl-C into exit code 130
        print("Interrupted.", file=sys.stderr)
    if isinstance(status, int) and status:
        sys.exit(status)
