"""Requests are sized before they start: what cannot fit in memory is refused in one sentence."""

import pytest

from minimodels.base import resources
from minimodels.base.errors import UsageError
from minimodels.base.resources import (
    available_memory,
    check_memory,
    check_time,
    format_bytes,
    format_count,
    format_duration,
    plural,
)
from minimodels.base.rows import columns


def test_sizes_counts_and_durations_read_as_a_person_would_write_them():
    assert [format_bytes(n) for n in (0, 999, 1000, 22.9e9, 3.2e12)] == [
        "0 B", "999 B", "1 kB", "22.9 GB", "3.2 TB"
    ]  # fmt: skip
    assert format_bytes(1.35e23) == "1.35e5 EB"
    assert [format_count(n) for n in (1, 20000, 1e6, 1.5e7, 10**12)] == [
        "1", "20000", "1e6", "1.5e7", "1e12"
    ]  # fmt: skip
    assert (plural(1, "run"), plural(10**12, "run")) == ("1 run", "1e12 runs")
    assert [format_duration(s) for s in (5, 4000, 1e5, 7.7e6)] == [
        "5 s",
        "67 min",
        "28 h",
        "89 days",
    ]


def test_the_available_memory_is_a_positive_number_of_bytes():
    assert available_memory() > 0


def test_small_requests_pass_without_asking_the_system(monkeypatch):
    def fail():
        raise AssertionError("read the system's memory for a small request")

    monkeypatch.setattr(resources, "available_memory", fail)
    check_memory(resources.QUICK_BYTES - 1, "a small run")


def test_a_request_beyond_the_available_memory_is_refused_with_what_it_needs(monkeypatch):
    monkeypatch.setattr(resources, "available_memory", lambda: 22_900_000_000)
    check_memory(20e9, "sampling 1e9 nets")  # fits
    with pytest.raises(UsageError) as refused:
        check_memory(3.2e12, "sampling 1e12 nets", why="the table", fix="lower --samples")
    assert str(refused.value) == (
        "sampling 1e12 nets needs about 3.2 TB of memory (the table) but 22.9 GB is available; "
        "lower --samples"
    )
    with pytest.raises(UsageError):
        check_memory(float("inf"), "an endless run")


def test_an_unknown_amount_of_memory_refuses_nothing(monkeypatch):
    monkeypatch.setattr(resources, "available_memory", lambda: None)
    check_memory(1e30, "anything")


def test_hopeless_durations_are_refused_and_the_limit_can_be_moved(monkeypatch):
    check_time(86400.0, "a day's work")
    with pytest.raises(UsageError, match="at least 89 days.*MINIMODELS_MAX_DAYS"):
        check_time(7.7e6, "sampling 1e12 nets")
    monkeypatch.setenv("MINIMODELS_MAX_DAYS", "100")
    check_time(7.7e6, "sampling 1e12 nets")
    monkeypatch.setenv("MINIMODELS_MAX_DAYS", "0")  # no limit
    check_time(1e20, "anything")


@pytest.fixture
def small_machine(monkeypatch):
    """A machine with 8 GB available, whatever this one has."""
    monkeypatch.setattr(resources, "available_memory", lambda: 8_000_000_000)


def test_evolution_runs_that_cannot_fit_are_refused_before_the_task_is_built(small_machine):
    from minimodels.experiments.evolution import EvolutionConfig, check_config

    check_config(EvolutionConfig())  # the defaults fit
    for too_big in ({"runs": 10**12}, {"width": 10**11}, {"steps": 10**10, "runs": 1}):
        with pytest.raises(UsageError, match="needs about .* of memory .* 8 GB is available"):
            check_config(EvolutionConfig(**too_big))


def test_one_evolution_run_and_its_task_are_sized_too(small_machine):
    import minimodels as mm

    with pytest.raises(UsageError, match="bump task of 1e11 inputs"):
        mm.tasks.bump(10**11)
    with pytest.raises(UsageError, match="for 1e11 steps"):
        mm.evolve(mm.tasks.bump(20), depth=10, steps=10**11, seed=0)


def test_biological_evolution_that_cannot_fit_is_refused(small_machine):
    from minimodels.experiments.bio import BioConfig, check_config
    from minimodels.learners import bio

    check_config(BioConfig())
    for too_big in ({"runs": 10**9}, {"steps": 10**10}, {"cutoff": 10**6}):
        with pytest.raises(UsageError, match="of memory"):
            check_config(BioConfig(**too_big))
    with pytest.raises(UsageError, match="a run of 1e12 steps"):
        bio.evolve(steps=10**12)


def test_sampling_runs_are_sized_by_their_table_their_model_and_their_time(
    small_machine, monkeypatch
):
    from minimodels.analysis.sampling.runs import SampleConfig

    SampleConfig(samples=10**7).validated()  # 2.6 GB at most: fits
    with pytest.raises(UsageError, match="sampling 1e9 models of 7-40-40-1 needs about"):
        SampleConfig(samples=10**9).validated()
    with pytest.raises(UsageError, match="evaluating 7-100000000-1 .* use a smaller model"):
        SampleConfig(model="7-100000000-1").validated()
    with pytest.raises(UsageError, match="1000000 × 1000000 rule array"):
        SampleConfig(model="rulearray:1000000x1000000").validated()
    SampleConfig(model="2-2-1", samples=10**12).validated()  # 16 functions: a tiny table
    monkeypatch.setenv("MINIMODELS_MAX_DAYS", "0.001")  # 86 s
    with pytest.raises(UsageError, match="sampling 1e12 models of 2-2-1 would take at least"):
        SampleConfig(model="2-2-1", samples=10**12).validated()


def test_bayes_experiments_are_sized_before_any_work(small_machine):
    from minimodels.experiments.bayes import (
        EvolutionVsBayesConfig,
        MeshEvolutionVsBayesConfig,
        SGDVsBayesConfig,
        plans,
    )

    plans(SGDVsBayesConfig.paper())  # the published scale fits
    plans(EvolutionVsBayesConfig.paper())
    refused = {
        "training 1e12 runs of 7-40-40-1 and drawing 1e6 samples needs": SGDVsBayesConfig(
            n_runs=10**12
        ),
        "training 2000 nets of 7-100000-1 at once": SGDVsBayesConfig(model="7-100000-1"),
        "drawing 1e14 samples would take at least": SGDVsBayesConfig(n_samples=10**14),
        "evolving 1e10 runs": EvolutionVsBayesConfig(n_runs=10**10),
        "array for 1e10 steps on each of": EvolutionVsBayesConfig(n_runs=1, steps=10**10),
        "drawing 1e13 samples needs about": MeshEvolutionVsBayesConfig(
            bayes="rejection", n_samples=10**13
        ),
    }
    for message, config in refused.items():
        with pytest.raises(UsageError, match=message):
            plans(config)


def test_sample_blocks_are_those_of_array_split_without_the_indices():
    import numpy as np

    from minimodels.analysis.bayes.protocol import block_bounds

    for n in range(1, 30):
        for k in range(1, n + 1):
            split = np.array_split(np.arange(n), k)
            assert block_bounds(n, k) == [(int(b[0]), len(b)) for b in split]
    assert block_bounds(10**12, 4)[-1] == (750_000_000_000, 250_000_000_000)


def test_grokking_runs_and_sweeps_are_sized_before_training(small_machine):
    from minimodels.learners.grokking import GrokConfig
    from minimodels.learners.grokking.sweep import SweepConfig

    GrokConfig().check()
    GrokConfig.nanda().check()
    SweepConfig().cells()
    for message, config in {
        "an MLP on add mod 10007": GrokConfig(p=10007),
        "for 2000 steps needs about": GrokConfig(width=10**9),
        "a transformer on add mod 113": GrokConfig.nanda(d_mlp=10**8),
    }.items():
        with pytest.raises(UsageError, match=message):
            config.check()
    with pytest.raises(UsageError, match="16 cells × 1e9 seeds of 1500 steps needs about"):
        SweepConfig(n_seeds=10**9).cells()


def test_a_grokking_run_of_a_billion_steps_is_refused_for_its_time(monkeypatch):
    from minimodels.learners.grokking import GrokConfig

    monkeypatch.setattr(resources, "available_memory", lambda: 10**15)
    with pytest.raises(UsageError, match="1e9 steps would take at least"):
        GrokConfig(steps=10**9).check()


def test_automata_and_rule_arrays_refuse_rows_runs_and_pictures_that_cannot_fit(small_machine):
    import numpy as np

    import minimodels as mm
    from minimodels.models.rulearray import RuleArray, single_cell_inputs

    with pytest.raises(UsageError, match="a run of 1e6 steps on a row 1000000 wide"):
        mm.ca.run(30, mm.ca.single_cell(10**6), 10**6)
    with pytest.raises(UsageError, match="a row 100000000000 wide"):
        mm.ca.random_row(10**11, rng=np.random.default_rng(0))
    with pytest.raises(UsageError, match="drawing 100000 rows of 100000 cells"):
        mm.ca.plot(np.zeros((10**5, 10**5), np.uint8))
    with pytest.raises(UsageError, match="a 10 × 100000000000 rule array"):
        RuleArray.random(10, 10**11, rng=np.random.default_rng(0))
    with pytest.raises(UsageError, match="making all 1000000 single-cell inputs"):
        single_cell_inputs(10**6)
    grid = RuleArray.random(100, 10**4, rng=np.random.default_rng(0))
    with pytest.raises(UsageError, match="drawing a 100 × 10000 rule array on 10000 inputs"):
        grid.plot(single_cell_inputs(10**4))


def test_nets_and_fits_refuse_parameters_points_and_steps_that_cannot_fit(small_machine):
    import jax

    from minimodels.learners.nets import MLP, MeshNet, Training
    from minimodels.learners.nets.fitting import fit

    with pytest.raises(UsageError, match=r"the net 7-1000000000-1 \(9e9 parameters\)"):
        MLP("7-1000000000-1")
    with pytest.raises(UsageError, match="mesh 100000x100000"):
        MeshNet(width=10**5, depth=10**5)
    with pytest.raises(UsageError, match="fitting 1-16-16-16-1 to 1e9 points needs about"):
        fit(MLP("1-16-16-16-1"), "bump", key=jax.random.key(0), n_train=10**9)
    with pytest.raises(UsageError, match="would take at least"):
        fit(MLP("1-16-1"), "bump", key=jax.random.key(0), training=Training(max_steps=10**14))


def test_planning_a_trillion_samples_allocates_nothing_per_sample():
    import numpy as np

    from minimodels.analysis.bayes.nets import SGDSetup, net_bayes_plan
    from minimodels.analysis.bayes.protocol import random_split
    from minimodels.analysis.bayes.rule_arrays import RuleArraySubstrate, random_array_plan

    split = random_split(5, 16, "01" * 16, rng=np.random.default_rng(0))
    plan = net_bayes_plan(split, SGDSetup(model="5-8-1"), n_samples=10**12, seed=0, n_shards=4)
    assert [task[3:5] for task in plan.tasks][-1] == (750_000_000_000, 250_000_000_000)
    plan = random_array_plan(split, RuleArraySubstrate(), n_samples=10**12, seed=0, n_shards=3)
    assert sum(task[3] for task in plan.tasks) == 10**12


def test_what_the_cli_can_check_before_writing_is_public(small_machine):
    import numpy as np

    from minimodels.analysis.multiway import check_graph, check_runs
    from minimodels.learners.nets import MLP, Training
    from minimodels.learners.nets.fitting import check_fit
    from minimodels.models.rulearray import RuleArray

    check_runs(10, 500)
    with pytest.raises(UsageError, match="checking 1e12 evolution runs of 500 steps needs"):
        check_runs(10**12, 500)
    check_graph(2, 12)
    with pytest.raises(
        UsageError, match="a graph of 2\\^20 arrays .* is too big .* lower --width or --depth"
    ):
        check_graph(2, 20)
    with pytest.raises(UsageError, match="to 1e9 points"):
        check_fit(MLP("1-16-1"), 10**9, Training())
    grid = RuleArray.random(10, 10**4, rng=np.random.default_rng(0))
    grid.check_runs(10**4)  # 2.2 GB
    with pytest.raises(UsageError, match="drawing a 10 × 10000 rule array on 10000 inputs"):
        grid.check_runs(10**4, drawn=True)


def test_columns_keep_first_seen_key_order_and_fill_missing_with_none():
    rows = [{"a": 1, "b": 2}, {"b": 3, "c": 4}, {}]
    assert columns(rows) == {"a": [1, None, None], "b": [2, 3, None], "c": [None, 4, None]}
    assert columns([]) == {}
    assert columns(iter([{"x": 1}])) == {"x": [1]}  # any iterable, read once
