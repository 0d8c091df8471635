"""CLI options derived from a config dataclass: a new config field is one edit.

Data model.  :func:`config_options` decorates a command whose last parameter is
``fields: dict``.  For every field of the config (those made with
:func:`minimodels.fields.described`) the command gains an option named after it (``init_scale``
→ ``--init-scale``) with the field's type, help and default; counts read ``1e5`` and
``100_000`` alike (:func:`~minimodels.cli._app.count_option`), and a field declared with a
:class:`~minimodels.fields.Text` is a text option parsed into the field's value.  The command
receives the values in ``fields``.

Presets.  A command may build its config from one of several presets (``--model mlp`` starts
from Gromov's MLP, ``transformer`` from Nanda et al.'s).  A field whose presets differ gets no
default of its own: its help lists each preset's value, and ``fields`` leaves it out unless the
user gave it, so :func:`from_preset` keeps the preset's value.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any

import typer

from minimodels.cli._app import count_option
from minimodels.fields import help_of, minimum_of, text_of

_UNSET = None  # what a preset-dependent option holds when the user did not give it


def _option(field: dataclasses.Field, kind: Any, help: str) -> Any:
    flag = "--" + field.name.replace("_", "-")
    if kind in (int, int | None):
        return count_option(flag, help=help, minimum=minimum_of(field))
    return typer.Option(flag, help=help)


def _shown(value: Any) -> str:
    return "unset" if value is None else str(value)


def config_options(
    config: type,
    presets: Mapping[str, Any],
    *,
    skip: tuple[str, ...] = (),
    after: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give the decorated command one option per field of ``config`` (but ``skip``).

    ``presets`` maps a preset's name to its config; their values are the defaults, and a field
    on which they disagree is shown as ``(default: 97 mlp, 113 transformer)``.  The options
    follow the command's parameter ``after`` (default: its last but ``fields``) in ``--help``.
    """
    hints = typing.get_type_hints(config)
    values = list(presets.values())
    options: list[inspect.Parameter] = []
    preset_dependent: set[str] = set()
    texts = {}
    for field in dataclasses.fields(config):
        if field.name in skip:
            continue
        kind, help = hints[field.name], help_of(field)
        defaults = [getattr(preset, field.name) for preset in values]
        text = text_of(field)
        if text is not None:  # a text option, shown and parsed as the field says
            texts[field.name] = text.parse
            kind, defaults = str, [text.show(d) for d in defaults]
        default = defaults[0]
        if any(d != default for d in defaults):
            preset_dependent.add(field.name)
            shown = ", ".join(
                f"{_shown(d)} {name}" for name, d in zip(presets, defaults, strict=True)
            )
            help, kind, default = f"{help} (default: {shown})", kind | None, _UNSET
        annotation = Annotated[kind, _option(field, kind, help)]  # type: ignore[valid-type]
        options.append(
            inspect.Parameter(field.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                              annotation=annotation)
        )  # fmt: skip

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        own = list(inspect.signature(command, eval_str=True).parameters.values())
        if not own or own[-1].name != "fields":
            raise TypeError(f"{command.__name__} must end with a 'fields' parameter")
        own = own[:-1]
        names = {option.name for option in options}

        @functools.wraps(command)
        def run(**given: Any) -> Any:
            fields = {
                name: texts[name](value) if name in texts else value
                for name, value in given.items()
                if name in names and not (name in preset_dependent and value is _UNSET)
            }
            rest = {name: value for name, value in given.items() if name not in names}
            return command(**rest, fields=fields)

        own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own]
        cut = len(own) if after is None else [p.name for p in own].index(after) + 1
        parameters = own[:cut] + options + own[cut:]
        run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        del run.__wrapped__  # typer must read the signature above, not the command's own
        return run

    return decorate


def from_preset(presets: Mapping[str, Any], name: str, fields: Mapping[str, Any]) -> Any:
    """The preset ``name`` with the options the user gave; the result is not yet checked."""
    return dataclasses.replace(presets[name], **fields)
