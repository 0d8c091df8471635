"""The Python entry points take any config: a valid one runs, an invalid one is refused.

"Refused" means :class:`minimodels.base.errors.UsageError` — the one exception for the user's bad
input — and nothing else: never a numpy ``ValueError``, an ``IndexError``, a
``ZeroDivisionError`` or a ``MemoryError`` from deep inside a run.  Valid configs are drawn
from tiny but otherwise arbitrary settings (degenerate ones included: one cell, no steps,
one training input, all but one, constant targets); invalid ones from a zoo of bad values
(negative, zero, fractional, absurdly large, the wrong type).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from minimodels.analysis.sampling.analysis import analyse
from minimodels.base.errors import UsageError


def examples(n: int) -> settings:
    """``n`` examples under the default profile, scaled with the loaded one (``thorough``)."""
    return settings(max_examples=max(1, round(n * settings.default.max_examples / 60)))


TINY = examples(6)  # each example compiles or enumerates
FEW = examples(12)
SOME = examples(40)

# values a user (or a script) might pass where a size, count or rate belongs
BAD = st.sampled_from([-1, 0, 2.5, None, "many", True, 10**30, float("nan"), float("inf")])


def runs_or_refuses(call, *args, **kwargs):
    """``call(...)``'s result, or None when it raised UsageError (any other error fails)."""
    try:
        return call(*args, **kwargs)
    except UsageError as refused:
        message = str(refused)
        assert message and "\n" not in message.strip(), f"not one sentence: {message!r}"
        return None


def replace_field(config, data, fields):
    """``config`` with one of ``fields`` set to a bad value."""
    name = data.draw(st.sampled_from(fields), label="field")
    return dataclasses.replace(config, **{name: data.draw(BAD, label=name)})


# -- rule arrays learning by mutation ---------------------------------------------------------

RULE_SETS = {"1": [(4, 146), (30, 90, 110), (0, 255)], "1/2": [(6, 8), (6, 8, 14)]}


@st.composite
def evolution_configs(draw):
    from minimodels.experiments.evolution import EvolutionConfig

    r = draw(st.sampled_from(["1", "1/2"]))
    depth = draw(st.integers(1, 5))
    return EvolutionConfig(
        task=draw(st.sampled_from(["bump", "boolean", "lifetime", "density"])),
        width=draw(st.integers(1, 10)),
        depth=depth,
        n_bits=draw(st.integers(1, 3)),
        target=draw(st.sampled_from(["majority", "parity", "and", "or", "00000000", "01"])),
        lifetime=draw(st.integers(0, depth)),
        n_rows=draw(st.integers(1, 6)),
        rules=draw(st.sampled_from(RULE_SETS[r])),
        r=r,
        boundary=draw(st.sampled_from(["cyclic", "zero"])),
        steps=draw(st.integers(0, 150)),
        runs=draw(st.integers(1, 3)),
        accept=draw(st.sampled_from(["<=", "<"])),
        stop_at=draw(st.sampled_from([0, 1, None])),
        mutations_per_step=draw(st.integers(1, 2)),
        train_fraction=draw(st.sampled_from([1.0, 0.5, 0.01])),
        seed=draw(st.integers(0, 3)),
    )


@SOME
@given(evolution_configs())
def test_any_evolution_config_runs_or_is_refused_in_one_sentence(config):
    from minimodels.experiments.evolution import run

    many = runs_or_refuses(run, config)
    if many is not None:
        assert len(many.results) == config.runs
        many.summary()
        many.table()


@SOME
@given(st.integers(1, 12), st.integers(1, 5), st.integers(0, 100), st.integers(0, 9))
def test_the_bump_task_always_runs(width, depth, steps, seed):
    import minimodels as mm

    result = mm.evolve(mm.tasks.bump(width), depth=depth, steps=steps, seed=seed)
    assert result.n_steps <= steps and result.final_loss >= 0


@SOME
@given(st.data())
def test_a_bad_evolution_value_is_refused_before_any_work(data):
    from minimodels.experiments.evolution import EvolutionConfig, check_config

    fields = ["width", "depth", "steps", "runs", "mutations_per_step", "n_rows", "n_bits"]
    config = replace_field(EvolutionConfig(steps=100, runs=2), data, fields)
    runs_or_refuses(check_config, config)


# -- biological evolution ---------------------------------------------------------------------


@SOME
@given(
    st.lists(st.integers(2, 4), min_size=1, max_size=3, unique=True),
    st.integers(0, 300),
    st.integers(1, 30),
    st.integers(1, 2),
    st.sampled_from(["lifetime", "width", "aspect"]),
)
def test_any_bio_config_runs(ks, steps, cutoff, runs, fitness):
    from minimodels.experiments.bio import BioConfig, run

    result = run(BioConfig(ks=tuple(ks), steps=steps, cutoff=cutoff, runs=runs, fitness=fitness))
    result.summary()
    result.table()
    for k in ks:
        assert result.results[k][0].n_steps == steps


@SOME
@given(st.data())
def test_a_bad_bio_value_is_refused(data):
    from minimodels.experiments.bio import BioConfig, check_config
    from minimodels.learners import bio

    config = replace_field(BioConfig(steps=50, runs=1), data, ["steps", "cutoff", "runs"])
    runs_or_refuses(check_config, config)
    k = data.draw(st.one_of(BAD, st.integers(-2, 8)), label="k")
    runs_or_refuses(bio.evolve, k=k, steps=data.draw(st.one_of(BAD, st.integers(0, 20))))


# -- sampling the parameter-function map ------------------------------------------------------

MODELS = st.one_of(
    st.lists(st.integers(1, 6), min_size=1, max_size=3).map(
        lambda hidden: "-".join(map(str, [3, *hidden, 1]))
    ),
    st.sampled_from(
        [
            "2-4-1:tanh",
            "2-4-1:linear",
            "perceptron:3",
            "1-1",
            "rulearray:5x2:n=3",
            "rulearray:4x3:n=2:r=1/2:rules=6,8",
            "mesh:4x2:n=3",
            "mesh:3x1:n=2:act=linear",
        ]
    ),  # fmt: skip
)
BAD_MODELS = st.sampled_from([
    "", "7", "7-0-1", "7-40-2", "11-4-1", "7-4-1:sigmoid", "perceptron:x", "perceptron:0",
    "rulearray:3x2:n=7", "rulearray:0x2", "rulearray:5x2:rules=300", "mesh:2x2:n=3",
    "mesh:4x2:act=tanh", "rulearray:5x2:colour=3", "7--1", "a-b-c",
])  # fmt: skip


@SOME
@given(MODELS, st.integers(1, 3000), st.sampled_from(["gaussian", "uniform"]), st.integers(0, 3))
def test_any_model_spec_samples_into_a_table_that_adds_up(model, samples, init, seed):
    from minimodels.analysis.sampling import sample_functions

    table = sample_functions(model, samples=samples, init=init, seed=seed, shard_size=1000)
    assert table.n_samples == samples and table.n_functions >= 1
    analyse(table, rng=np.random.default_rng(0)).numbers()


@SOME
@given(
    st.one_of(BAD_MODELS, MODELS), st.one_of(BAD, st.integers(1, 10)), st.one_of(BAD, st.just(1.0))
)
def test_a_bad_sampling_request_is_refused(model, samples, sigma):
    from minimodels.analysis.sampling.runs import SampleConfig

    config = SampleConfig(model=model, samples=samples, sigma_w=sigma)
    runs_or_refuses(SampleConfig.validated, config)


# -- P_train vs P_B ---------------------------------------------------------------------------

TARGETS = st.sampled_from(["x1&x2", "x1|x3", "x2^x3", "parity", "majority", "x1", "random"])


@st.composite
def boolean_targets(draw, n):
    kind = draw(st.sampled_from(["spec", "constant", "table"]))
    if kind == "spec":
        return draw(TARGETS)
    if kind == "constant":
        return draw(st.sampled_from("01")) * 2**n
    return draw(st.text(alphabet="01", min_size=2**n, max_size=2**n))


@FEW
@given(st.data())
def test_any_rule_array_bayes_config_runs(data):
    from minimodels.experiments.bayes import EvolutionVsBayesConfig, run

    config = EvolutionVsBayesConfig(
        n=3,
        train_size=data.draw(st.integers(1, 7), label="train_size"),
        target=data.draw(boolean_targets(3), label="target"),
        width=data.draw(st.integers(3, 6), label="width"),
        depth=data.draw(st.integers(1, 3), label="depth"),
        n_runs=data.draw(st.integers(1, 6), label="runs"),
        steps=data.draw(st.integers(0, 200), label="steps"),
        n_samples=data.draw(st.integers(1, 500), label="samples"),
        n_shards=data.draw(st.integers(1, 3), label="shards"),
        seed=data.draw(st.integers(0, 3), label="seed"),
    )
    result = runs_or_refuses(run, config)  # a 1 on the all-zero input is unreachable: refused
    if result is not None:
        summary = result.summary()
        assert summary["n_runs"] == config.n_runs and summary["n_samples"] == config.n_samples
        result.plot()


@TINY
@given(st.data())
def test_any_mesh_bayes_config_runs(data):
    from minimodels.experiments.bayes import MeshEvolutionVsBayesConfig, run

    config = MeshEvolutionVsBayesConfig(
        n=3,
        train_size=data.draw(st.integers(1, 7), label="train_size"),
        target=data.draw(boolean_targets(3), label="target"),
        width=3,  # 16 weights: 2^16 level vectors to enumerate, or 3^16 too many
        depth=1,
        levels=data.draw(st.sampled_from([(-1.0, 0.0, 1.0), (-1.0, 1.0)]), label="levels"),
        n_runs=data.draw(st.integers(1, 6), label="runs"),
        steps=data.draw(st.integers(0, 50), label="steps"),
        bayes=data.draw(st.sampled_from(["auto", "exact", "rejection"]), label="bayes"),
        n_samples=data.draw(st.integers(1, 500), label="samples"),
        seed=data.draw(st.integers(0, 3), label="seed"),
    )
    result = runs_or_refuses(run, config)  # exact: 3^16 level vectors are too many to list
    if result is not None:
        assert result.summary()["n_runs"] == config.n_runs
        result.plot()


@TINY
@given(st.data())
def test_any_sgd_bayes_config_runs(data):
    from minimodels.experiments.bayes import SGDVsBayesConfig, run

    bayes = data.draw(st.sampled_from(["rejection", "nngp"]), label="bayes")
    config = SGDVsBayesConfig(
        model="3-4-1",  # one shape: JAX compiles once
        train_size=data.draw(st.sampled_from([1, 4, 7]), label="train_size"),  # 3 compiles
        target=data.draw(boolean_targets(3), label="target"),
        init="gaussian" if bayes == "nngp" else data.draw(st.sampled_from(["gaussian", "uniform"])),
        n_runs=4,
        max_steps=data.draw(st.sampled_from([1, 50]), label="max_steps"),
        n_samples=data.draw(st.integers(1, 400), label="samples"),
        bayes=bayes,
        n_shards=data.draw(st.integers(1, 3), label="shards"),
        seed=data.draw(st.integers(0, 3), label="seed"),
    )
    result = run(config)
    assert result.summary()["n_runs"] == 4
    result.plot()


@SOME
@given(st.data())
def test_a_bad_bayes_value_is_refused_before_any_work(data):
    from minimodels.experiments.bayes import (
        EvolutionVsBayesConfig,
        MeshEvolutionVsBayesConfig,
        SGDVsBayesConfig,
        plans,
    )

    kind = data.draw(st.sampled_from([SGDVsBayesConfig, EvolutionVsBayesConfig,
                                      MeshEvolutionVsBayesConfig]))  # fmt: skip
    fields = ["train_size", "n_runs", "n_samples", "n_shards", "steps", "width", "depth", "n"]
    fields = [f for f in fields if f in {x.name for x in dataclasses.fields(kind)}]
    sizes = {"n_runs": 3, "n_samples": 100}
    if kind is SGDVsBayesConfig:
        fields += ["max_steps", "overtrain_steps", "batch_size", "model", "target"]
        sizes["model"] = "3-4-1"
        sizes["train_size"] = 4
    else:
        fields += ["target"]
    config = runs_or_refuses(lambda: replace_field(kind(**sizes), data, fields))
    if config is not None:
        runs_or_refuses(plans, config)


# -- grokking ---------------------------------------------------------------------------------


@TINY
@given(
    st.sampled_from([2, 3, 5, 7]),
    st.sampled_from(["+", "-", "*", "/", "a*a+b"]),
    st.sampled_from([0.01, 0.3, 0.5, 0.99]),
    st.sampled_from(["mse", "ce"]),
    st.integers(0, 3),
)
def test_any_small_grokking_config_trains_or_is_refused(p, op, frac, loss, seed):
    from minimodels.learners.grokking import GrokConfig, train

    config = GrokConfig(p=p, op=op, frac=frac, loss=loss, width=8, steps=20, log_every=10,
                        seed=seed)  # fmt: skip
    run = runs_or_refuses(train, config)  # e.g. frac 0.01 of 4 pairs is no training pair
    if run is not None:
        assert run.log["step"][-1] == 20


@SOME
@given(st.data())
def test_a_bad_grokking_value_is_refused(data):
    from minimodels.learners.grokking import GrokConfig
    from minimodels.learners.grokking.sweep import SweepConfig

    fields = ["p", "frac", "steps", "lr", "wd", "l1", "width", "log_every", "init_scale",
              "warmup", "stop_after", "d_model", "n_heads", "d_mlp", "n_key", "beta1", "seed",
              "model", "op", "loss", "activation"]  # fmt: skip
    config = replace_field(GrokConfig(steps=20), data, fields)
    runs_or_refuses(GrokConfig.check, config)
    sweep = SweepConfig(
        base=GrokConfig(p=5, width=8, steps=20, log_every=10),
        x_values=(data.draw(st.one_of(BAD, st.just(0.5)), label="x"),),
        n_seeds=data.draw(st.one_of(BAD, st.integers(1, 3)), label="seeds"),
    )
    runs_or_refuses(SweepConfig.cells, sweep)


# -- cellular automata and rule arrays --------------------------------------------------------


@SOME
@given(
    st.one_of(st.integers(0, 2**64), BAD),
    st.one_of(st.integers(1, 40), BAD),
    st.one_of(st.integers(0, 30), BAD),
    st.sampled_from([2, 3, 0, 1, 2.0]),
    st.sampled_from([1, 2, "1/2", 0, "x"]),
    st.sampled_from(["cyclic", "zero", "wrap"]),
)
def test_any_automaton_request_runs_or_is_refused(rule, width, steps, k, r, boundary):
    import minimodels as mm

    row = runs_or_refuses(mm.ca.single_cell, width)
    if row is not None:
        states = runs_or_refuses(mm.ca.run, rule, row, steps, k=k, r=r, boundary=boundary)
        if states is not None:
            assert states.shape == (steps + 1, width)


@SOME
@given(
    st.one_of(st.integers(1, 6), BAD),
    st.one_of(st.integers(1, 12), BAD),
    st.sampled_from([(4, 146), (6, 8), (300,), (), (1.5,)]),
    st.sampled_from([1, "1/2"]),
)
def test_any_rule_array_request_runs_or_is_refused(depth, width, rules, r):
    from minimodels.models.rulearray import RuleArray, single_cell_inputs

    grid = runs_or_refuses(
        RuleArray.random, depth, width, rules=rules, rng=np.random.default_rng(0), r=r
    )
    if grid is not None:
        states = grid.run(single_cell_inputs(grid.width))
        assert states.shape == (grid.width, grid.depth + 1, grid.width)


def test_refusals_are_usage_errors_that_old_handlers_still_catch():
    from minimodels.experiments.evolution import EvolutionConfig, check_config

    with pytest.raises(ValueError):
        check_config(EvolutionConfig(runs=10**15))
    with pytest.raises(TypeError):
        check_config(EvolutionConfig(width=10**15))
