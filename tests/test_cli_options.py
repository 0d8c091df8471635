"""CLI options derived from a config's fields: one declaration reaches the command line."""

import dataclasses
import inspect

import pytest
import typer.main

from minimodels.analysis.sampling.config import SampleConfig
from minimodels.base.errors import UsageError
from minimodels.base.fields import Text, comma_list, described, flag_of, text_of
from minimodels.cli import _load_commands
from minimodels.cli._app import app
from minimodels.cli._options import config_options, for_users, from_preset
from minimodels.cli.bayes import SGD_PRESETS as SGD
from minimodels.cli.bio import PRESETS as BIO
from minimodels.cli.evolve import PRESETS as EVOLVE
from minimodels.experiments.evolution import EvolutionConfig
from minimodels.learners.grokking.config import GrokConfig


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


@pytest.mark.parametrize(
    "command, preset",
    [
        ("sample", SampleConfig()),
        ("evolve", EVOLVE["evolve"]),
        ("bio", BIO["bio"]),
        ("sgd-vs-bayes", SGD["sgd-vs-bayes"]),
    ],
)
def test_each_field_is_an_option_with_the_commands_default(command, preset):
    params = _params(command)
    for field in dataclasses.fields(preset):
        option, value = params[field.name], getattr(preset, field.name)
        assert option.opts == [flag_of(field)]
        assert option.help == for_users(field.metadata["help"])  # no DESIGN.md for users
        text = text_of(field)
        assert option.default == (value if text is None else text.show(value))
        if text is not None:
            assert text.parse(option.default) == value


def test_evolve_makes_one_run_unless_told_more():
    assert _params("evolve")["runs"].default == 1 and EvolutionConfig().runs == 100


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

    @config_options({"a": Toy(), "b": Toy(steps=20)})
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
        config_options({"a": Bare()})


def test_a_field_spelled_as_text_is_parsed_by_the_chosen_configs_declaration():
    @dataclasses.dataclass(frozen=True)
    class Toy:
        rules: tuple[int, ...] = described(
            (4, 146), "Rules.", text=Text(lambda t: tuple(map(int, t.split(","))), str)
        )

    seen = {}

    @config_options({"a": Toy()})
    def command(fields: dict | None = None):
        seen.update(fields)

    command(rules="30,90")
    assert seen == {"rules": "30,90"}  # as given; the config's declaration parses it
    assert from_preset({"a": Toy()}, "a", seen) == Toy(rules=(30, 90))


def test_presets_of_two_classes_give_each_field_once_and_refuse_the_other_classs():
    @dataclasses.dataclass(frozen=True)
    class Arrays:
        width: int = described(11, "Width.")
        rules: tuple[int, ...] = described((4, 146), "Rules.", text=comma_list(int, "rules"))

    @dataclasses.dataclass(frozen=True)
    class Mesh:
        width: int = described(5, "Width.")
        levels: tuple[float, ...] = described(
            (-1.0, 1.0), "Levels.", text=comma_list(float, "levels")
        )

    presets = {"rulearray": Arrays(), "mesh": Mesh()}
    seen = {}

    @config_options(presets)
    def command(fields: dict | None = None):
        seen.clear()
        seen.update(fields)

    names = [p.name for p in inspect.signature(command).parameters.values()]
    assert names == ["width", "rules", "levels"]
    command(width=None, rules=None, levels="0,0.5")  # as typer calls it: only --levels given
    assert from_preset(presets, "mesh", seen, chosen_by="substrate") == Mesh(levels=(0.0, 0.5))
    with pytest.raises(UsageError, match="--levels applies to --substrate mesh, not rulearray"):
        from_preset(presets, "rulearray", seen, chosen_by="substrate")
    with pytest.raises(UsageError, match="--levels must be comma-separated numbers"):
        from_preset(presets, "mesh", {"levels": "1,x"})


def test_the_evolution_vs_bayes_command_builds_the_configs_it_always_did():
    from minimodels.cli.bayes import EVOLUTION_PRESETS
    from minimodels.experiments.bayes_configs import (
        EvolutionVsBayesConfig,
        MeshEvolutionVsBayesConfig,
    )

    given = {"r": "1", "steps": 20_000, "n_shards": 4, "seed": 0, "boundary": "cyclic"}
    rulearray = from_preset(EVOLUTION_PRESETS, "rulearray", {**given, "rules": "4,146,30"})
    assert rulearray == EvolutionVsBayesConfig(n_runs=400, n_samples=400_000, rules=(4, 146, 30))
    assert rulearray.r == 1  # a number, as the rule arrays' configs have always held it
    mesh = from_preset(EVOLUTION_PRESETS, "mesh", {**given, "r": "1/2", "n_runs": 64})
    assert mesh == MeshEvolutionVsBayesConfig(r="1/2", n_runs=64)


@pytest.mark.parametrize("text, value", [("0", 0.0), ("2.5", 2.5), ("-1", None), ("-0.5", None)])
def test_evolve_reads_stop_at_as_a_number_and_a_negative_as_never(text, value):
    stop_at = text_of(next(f for f in dataclasses.fields(EvolutionConfig) if f.name == "stop_at"))
    assert stop_at.parse(text) == value
    assert stop_at.show(value) in (text, "-1")
