"""CLI options derived from config dataclasses: a new config field is one edit.

Data model.  :func:`config_options` decorates a command whose last parameter is
``fields: dict``, given a set of named presets (configs).  For every field of the presets'
classes (those made with :func:`minimodels.base.fields.described`) the command gains an option
named after it (``init_scale`` → ``--init-scale``, or the field's own ``flag``) with the
field's type, help and default; counts read ``1e5`` and ``100_000`` alike
(:func:`~minimodels.cli._app.count_option`), and a field declared with a
:class:`~minimodels.base.fields.Text` is a text option.  The command receives what was given in
``fields`` and builds its config with :func:`from_preset`, which parses text options by the
chosen config's declaration.

Presets.  A command may start from one of several presets (``--model mlp`` from Gromov's MLP,
``transformer`` from Nanda et al.'s; ``--substrate rulearray`` or ``mesh``, two config
classes).  A field on which the presets differ — in value, or present in some classes only —
gets no default of its own: its help lists each preset's value, and ``fields`` leaves it out
unless the user gave it, so the preset keeps its value; given for a preset whose class lacks it,
it is refused in one sentence.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any

import typer

from minimodels.base.errors import UsageError
from minimodels.base.fields import flag_of, help_of, minimum_of, text_of
from minimodels.cli._app import count_option

_UNSET = None  # what a preset-dependent option holds when the user did not give it
_ABSENT = object()  # a preset whose class has no such field


# a citation of the project's design notes, which users of the package do not have
# ("(DESIGN.md §4)", "see SCIENCE.md §A.1")
_NOTES = re.compile(
    r"\s*\((?:see\s+)?(?:DESIGN|SCIENCE)\.md[^)]*\)"
    r"|\s*(?:see\s+)?(?:DESIGN|SCIENCE)\.md(?:\s*§\s*[\w–-]+(?:\.[\w–-]+)*)?"
)


def for_users(help: str) -> str:
    """``help`` without citations of DESIGN.md or SCIENCE.md (files users do not have)."""
    return _NOTES.sub("", help)


def _option(field: dataclasses.Field, kind: Any, help: str) -> Any:
    flag = flag_of(field)
    if kind in (int, int | None):
        return count_option(flag, help=help, minimum=minimum_of(field))
    return typer.Option(flag, help=help)


def _shown(value: Any) -> str:
    return "unset" if value is None else str(value)


def _fields_of(presets: Mapping[str, Any]) -> dict[str, list[dataclasses.Field]]:
    """Each field name of the presets' classes (first seen first) → its declarations."""
    declared: dict[str, list[dataclasses.Field]] = {}
    for config in dict.fromkeys(type(preset) for preset in presets.values()):
        for field in dataclasses.fields(config):
            declared.setdefault(field.name, []).append(field)
    return declared


def _shown_default(preset: Any, name: str) -> Any:
    """The preset's value of field ``name`` as its option shows it (or ``_ABSENT``)."""
    field = {f.name: f for f in dataclasses.fields(preset)}.get(name)
    if field is None:
        return _ABSENT
    text, value = text_of(field), getattr(preset, name)
    return value if text is None or value is None else text.show(value)  # None: left unset


def config_options(
    presets: Mapping[str, Any],
    *,
    skip: tuple[str, ...] = (),
    after: str | None = None,
    into: str = "fields",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give the decorated command one option per field of the presets' classes (but ``skip``).

    ``presets`` maps a preset's name to its config; their values are the defaults, and a field
    on which they disagree is shown as ``(default: 97 mlp, 113 transformer)``.  The options
    follow the command's parameter ``after`` (default: its last but ``fields``) in ``--help``.
    The command receives what was given as its parameter ``into`` (``fields``); a command
    built from two configs (a sweep and the config it sweeps) stacks two decorators, each
    with its own ``into``.
    """
    options: list[inspect.Parameter] = []
    preset_dependent: set[str] = set()
    for name, declarations in _fields_of(presets).items():
        if name in skip:
            continue
        first = declarations[0]
        kinds = {
            str if text_of(f) else typing.get_type_hints(c)[name]
            for c in dict.fromkeys(type(p) for p in presets.values())
            for f in dataclasses.fields(c)
            if f.name == name
        }
        if len(kinds) > 1:  # one option, one type (each class parses its own text)
            raise TypeError(f"the presets' classes give field {name!r} different types")
        kind, help = kinds.pop(), for_users(help_of(first))
        defaults = [_shown_default(preset, name) for preset in presets.values()]
        default = defaults[0]
        if any(d is not default and d != default for d in defaults):
            preset_dependent.add(name)
            shown = ", ".join(
                f"{_shown(d)} {preset}"
                for preset, d in zip(presets, defaults, strict=True)
                if d is not _ABSENT
            )
            help, kind, default = f"{help} (default: {shown})", kind | None, _UNSET
        annotation = Annotated[kind, _option(first, kind, help)]  # type: ignore[valid-type]
        options.append(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                              annotation=annotation)
        )  # fmt: skip

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        own = list(inspect.signature(command, eval_str=True).parameters.values())
        if into not in [p.name for p in own]:
            raise TypeError(f"{command.__name__} must have a {into!r} parameter")
        own = [p for p in own if p.name != into]
        names = {option.name for option in options}

        @functools.wraps(command)
        def run(**given: Any) -> Any:
            fields = {
                name: value
                for name, value in given.items()
                if name in names and not (name in preset_dependent and value is _UNSET)
            }
            rest = {name: value for name, value in given.items() if name not in names}
            return command(**rest, **{into: fields})

        own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own]
        cut = len(own) if after is None else [p.name for p in own].index(after) + 1
        parameters = own[:cut] + options + own[cut:]
        run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        del run.__wrapped__  # typer must read the signature above, not the command's own
        return run

    return decorate


def from_preset(
    presets: Mapping[str, Any], name: str, fields: Mapping[str, Any], *, chosen_by: str = ""
) -> Any:
    """The preset ``name`` with the options the user gave, text options parsed; not yet checked.

    An option its class has no field for is refused: ``--rules applies to --substrate
    rulearray`` (``chosen_by`` names the option that picks the preset)."""
    preset = presets[name]
    own = {field.name: field for field in dataclasses.fields(preset)}
    changes = {}
    for key, value in fields.items():
        if key not in own:
            flag = flag_of(_fields_of(presets)[key][0])
            having = [
                p for p, c in presets.items() if key in {f.name for f in dataclasses.fields(c)}
            ]
            raise UsageError(
                f"{flag} applies to --{chosen_by} {' or '.join(having)}, not {name}",
                option=key,
            )
        text = text_of(own[key])
        changes[key] = text.parse(value) if text is not None and isinstance(value, str) else value
    return dataclasses.replace(preset, **changes)
