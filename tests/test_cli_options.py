"""CLI options derived from a config's fields: one declaration reaches the command line."""

import dataclasses

import pytest
import typer.main

from minimodels.cli import _load_commands
from minimodels.cli._app import app
from minimodels.cli._options import config_options
from minimodels.fields import described
from minimodels.grokking.config import GrokConfig


def _params(name):
    _load_commands()
    return {p.name: p for p in typer.main.get_command(app).commands[name].params}


@pytest.mark.parametrize("command", ["grok", "grok-sweep"])
def test_every_config_field_is_an_option_with_the_fields_help(command):
    params = _params(command)
    for field in dataclasses.fields(GrokConfig):
        option = params[field.name]
        assert option.opts == ["--" + field.name.replace("_", "-")]
        assert option.help.startswith(field.metadata["help"])


def test_a_field_the_presets_disagree_on_shows_each_and_defaults_to_the_preset():
    params = _params("grok")
    mlp, transformer = GrokConfig(), GrokConfig.nanda()
    for name in ("p", "frac", "steps", "lr", "wd", "loss", "log_every"):
        assert getattr(mlp, name) != getattr(transformer, name)
        shown = f"(default: {getattr(mlp, name)} mlp, {getattr(transformer, name)} transformer)"
        assert params[name].help.endswith(shown) and params[name].default is None
    assert params["width"].default == 512 and params["l1"].default == 0.0


def test_the_command_gets_what_the_user_gave_and_the_preset_keeps_the_rest():
    @dataclasses.dataclass(frozen=True)
    class Toy:
        steps: int = described(10, "Steps.")
        rate: float = described(0.5, "Rate.")

    seen = {}

    @config_options(Toy, {"a": Toy(), "b": Toy(steps=20)})
    def command(name: str = "a", fields: dict | None = None):
        seen.update(name=name, fields=fields)

    command(name="b", steps=None, rate=0.25)  # as typer calls it: steps not given
    assert seen == {"name": "b", "fields": {"rate": 0.25}}
    command(name="a", steps=7, rate=0.5)
    assert seen["fields"] == {"steps": 7, "rate": 0.5}


def test_a_field_without_help_is_refused_when_the_command_is_made():
    @dataclasses.dataclass(frozen=True)
    class Bare:
        steps: int = 10

    with pytest.raises(TypeError, match="'steps' has no help"):
        config_options(Bare, {"a": Bare()})
