"""Config fields that describe themselves, so a field is declared in one place.

Data model.  An experiment's config is a frozen dataclass; a field made with :func:`described`
carries, beside its name, type and default, a one-line ``help`` and (for counts) the least
value it accepts.  Everything that lists a config's fields reads them from the dataclass:
the CLI derives its options from them (:mod:`minimodels.cli._options`: names, types, help,
defaults), so adding a field to a config is one edit that reaches the command line too.

A field whose value is not a plain number or string (a tuple of rule numbers, a number or
None) also says how the command line spells it: a :class:`Text` pair ``(parse, show)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, NamedTuple

from minimodels.base.errors import UsageError

__all__ = [
    "Text",
    "comma_list",
    "described",
    "field_help",
    "flag_of",
    "help_of",
    "minimum_of",
    "text_of",
]


class Text(NamedTuple):
    """How the command line spells a field: ``parse(text) → value``, ``show(value) → text``.

    ``parse`` raises :class:`~minimodels.base.errors.UsageError` (one sentence) on bad text."""

    parse: Callable[[str], Any]
    show: Callable[[Any], str]


def comma_list(kind: type, flag: str, noun: str | None = None) -> Text:
    """A tuple of ``kind`` spelt ``'4,146'`` on the command line (``flag`` names it in errors,
    ``noun`` its items: integers or numbers unless given)."""
    noun = noun or ("integers" if kind is int else "numbers")

    def parse(text: str) -> tuple:
        try:
            return tuple(kind(part) for part in text.split(",") if part.strip())
        except ValueError:
            raise UsageError(
                f"--{flag} must be comma-separated {noun}, got {text!r}", option=flag
            ) from None

    return Text(
        parse, lambda values: ",".join(f"{v:g}" if kind is float else str(v) for v in values)
    )


def described(
    default: Any, help: str, *, minimum: int = 1, text: Text | None = None, flag: str | None = None
) -> Any:
    """A dataclass field with a default, a one-line help and, for a count, its least value.

    ``flag`` is the option's name where the command line has long spelt it otherwise
    (``n_runs`` is ``--runs``)."""
    metadata = {"help": help, "minimum": minimum, "text": text, "flag": flag}
    return dataclasses.field(default=default, metadata=metadata)


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


def text_of(field: dataclasses.Field) -> Text | None:
    """How the command line spells the field, when not as its own type."""
    return field.metadata.get("text")


def flag_of(field: dataclasses.Field) -> str:
    """The command-line option of the field: ``--`` and its name (or ``flag``), dashed."""
    return "--" + (field.metadata.get("flag") or field.name).replace("_", "-")


def field_help(config: type, name: str) -> str:
    """The help of ``config``'s field ``name``."""
    return help_of(next(f for f in dataclasses.fields(config) if f.name == name))


def is_whole(value: Any, least: int = 0) -> bool:
    """Whether ``value`` is an integer (not a bool) of at least ``least``."""
    import numbers

    return (
        isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) >= least
    )


def check_whole(config: Any, minimums: dict[str, int]) -> None:
    """Refuse, in one sentence naming the option, a field of ``config`` that is not a whole
    number of at least its minimum (``{"runs": 1, "seed": 0}``)."""
    for name, least in minimums.items():
        value = getattr(config, name)
        if not is_whole(value, least):
            raise UsageError(
                f"{name.replace('_', ' ')} must be a whole number ≥ {least}, got {value!r}",
                option=name,
            )
