"""The typer application that every ``minimodels.cli.<command>`` module adds commands to.

A command module imports :data:`app` and decorates functions with ``@app.command()``; heavy
imports (numba, JAX, matplotlib) go inside the function bodies so ``minimodels --help`` stays
instant.  Shared option types live here so every command spells them the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup


def _without_flag_metavars(params: list[Any]) -> list[Any]:
    """Flags (``--quiet``, ``--quick/--no-quick``, ``--help``) take no value, so ``--help``
    shows no metavar for them (typer would show ``<bool>``)."""
    for param in params:
        if getattr(param, "is_flag", False) and not getattr(param, "count", False):
            param.metavar = ""
    return params


class _Command(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _without_flag_metavars(super().get_params(ctx))


class _Group(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _without_flag_metavars(super().get_params(ctx))


class _Typer(typer.Typer):
    """A typer app whose commands show no metavar for their flags (see ``_Command``)."""

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["cls"] = kwargs.get("cls") or _Command
        return super().command(*args, **kwargs)


app = _Typer(
    cls=_Group,
    name="minimodels",
    help=(
        "A laboratory for the science of machine learning through minimal models: "
        "cellular automata and rule arrays trained by mutation, simplicity bias in random "
        "networks, grokking. Start with 'minimodels gallery'."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def parse_count(text: str | int, *, minimum: int = 1) -> int:
    """'100000', '1e5', '1_000' or '100k'-free plain forms → an int ≥ ``minimum``.

    Every count option of every command reads its value with this, so they all take the same
    forms; typer prefixes the message with the option's name.
    """
    if isinstance(text, int):
        value = text
    else:
        clean = str(text).strip().replace("_", "")
        try:
            value = int(clean)
        except ValueError:
            try:
                number = float(clean)
            except ValueError:
                raise ValueError(
                    f"{text!r} is not a whole number (write e.g. 100000 or 1e5)"
                ) from None
            if not number.is_integer():
                raise ValueError(f"{text!r} is not a whole number") from None
            value = int(number)
    if value < minimum:
        raise ValueError(f"{text!r} is below the smallest allowed value, {minimum}")
    return value


def count_option(*names: str, help: str, minimum: int = 1) -> Any:
    """A typer option for a count or size: the same accepted forms everywhere (1e5, 100_000)."""

    def parse(text: str) -> int:
        try:
            return parse_count(text, minimum=minimum)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from None

    return typer.Option(*names, parser=parse, metavar="N", help=help)


Seed = Annotated[
    int, count_option(help="Random seed; the same seed reproduces a run bit for bit.", minimum=0)
]
OutDir = Annotated[Path, typer.Option("--out", help="Output directory for the run.")]
Jobs = Annotated[int | None, count_option(help="Worker processes (default: one per core).")]
Resume = Annotated[
    bool, typer.Option("--resume", help="Continue the run in --out from its completed shards.")
]
Overwrite = Annotated[
    bool,
    typer.Option("--overwrite", help="Replace the run in --out (only the files that run wrote)."),
]
Backend = Annotated[str, typer.Option(help="Where tasks run: serial, process (local pool) or ray.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]


def echo(message: str) -> None:
    """Print a result line to stdout (progress and errors go to stderr)."""
    typer.echo(message)


def warn(message: str) -> None:
    """Print a note for the user to stderr (a recomputed shard, an unusable checkpoint)."""
    typer.echo(f"Note: {message}", err=True)


def _print_version(value: bool) -> None:
    if value:
        from minimodels._version import __version__

        typer.echo(f"minimodels {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Minimal models of machine learning: run them, see inside them, measure them."""
