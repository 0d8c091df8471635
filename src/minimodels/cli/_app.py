"""The typer application that every ``minimodels.cli.<command>`` module adds commands to.

A command module imports :data:`app` and decorates functions with ``@app.command()``; heavy
imports (numba, JAX, matplotlib) go inside the function bodies so ``minimodels --help`` stays
instant.  Shared option types live here so every command spells them the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
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

Seed = Annotated[int, typer.Option(help="Random seed; the same seed reproduces a run bit for bit.")]
OutDir = Annotated[Path, typer.Option("--out", help="Output directory for the run.")]
Jobs = Annotated[int | None, typer.Option(help="Worker processes (default: one per core).", min=1)]
Backend = Annotated[str, typer.Option(help="Where tasks run: serial, process (local pool) or ray.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]


def echo(message: str) -> None:
    """Print a result line to stdout (progress and errors go to stderr)."""
    typer.echo(message)


def _print_version(value: bool) -> None:
    if value:
        from minimodels import __version__

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
