"""Config fields that describe themselves, so a field is declared in one place.

Data model.  An experiment's config is a frozen dataclass; a field made with :func:`described`
carries, beside its name, type and default, a one-line ``help`` and (for counts) the least
value it accepts.  Everything that lists a config's fields reads them from the dataclass:
the CLI derives its options from them (:mod:`minimodels.cli._options`: names, types, help,
defaults), so adding a field to a config is one edit that reaches the command line too.
"""

from __future__ import annotations

import dataclasses
from typing import Any

__all__ = ["described", "field_help", "help_of", "minimum_of"]


def described(default: Any, help: str, *, minimum: int = 1) -> Any:
    """A dataclass field with a default, a one-line help and, for a count, its least value."""
    return dataclasses.field(default=default, metadata={"help": help, "minimum": minimum})


def help_of(field: dataclasses.Field) -> str:
    """The field's help; a field without one is a bug in the config, named here."""
    try:
        return field.metadata["help"]
    except KeyError:
        raise TypeError(
            f"config field {field.name!r} has no help: declare it with described()"
        ) from None


def minimum_of(field: dataclasses.Field) -> int:
    """The least value a count field accepts (1 unless declared)."""
    return field.metadata.get("minimum", 1)


def field_help(config: type, name: str) -> str:
    """The help of ``config``'s field ``name``."""
    return help_of(next(f for f in dataclasses.fields(config) if f.name == name))
