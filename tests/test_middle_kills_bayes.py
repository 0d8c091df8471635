"""The Boolean protocol's plans, tallies and bookkeeping, and the experiments built on them.

Expected values come from the plain-Python oracles in :mod:`reference` (rule arrays simulated
cell by cell, evolution and rejection by hand, the plain NumPy net sampler), from records
written by hand from the inputs, or from the documented contracts (seeds derived as in
``reference.bayes.evolution_vs_bayes``, progress counting every shard).  No JAX training runs.
"""

import json
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
from reference import automata as ref_automata, bayes as ref, tables as ref_tables

import minimodels.runtime.parallel
from minimodels import tasks
from minimodels.analysis.bayes import nets, rule_arrays
from minimodels.analysis.bayes.nets import SGDSetup, net_bayes_plan, table_bayes_plan
from minimodels.analysis.bayes.protocol import (
    Comparison,
    FunctionCounts,
    Plan,
    Split,
    boolean_target,
    compare,
    hamming_to,
    random_split,
    run_plan,
    tabulate,
)
from minimodels.analysis.bayes.rule_arrays import (
    RuleArraySubstrate,
    evolution_plan,
    random_array_plan,
)
from minimodels.analysis.sampling import mlp
from minimodels.analysis.sampling.models import parse_model
from minimodels.analysis.sampling.streams import run_key
from minimodels.base.errors import UsageError
from minimodels.experiments import bayes as experiment, simplicity

TARGET = ref.formula_table(3, "x1^x2")  # "00111100"
SPLIT = Split(3, np.array([1, 2, 6]), np.array([0, 3, 4, 5, 7]), TARGET)


def derived_seeds(seed: int) -> tuple[int, int]:
    """(run seed, sample seed): the first words of ``SeedSequence(seed).spawn(2)``, as the
    plans promise (see reference.bayes.evolution_vs_bayes)."""
    train, bayes = np.random.SeedSequence(seed).spawn(2)
    return int(train.generate_state(1)[0]), int(bayes.generate_state(1)[0])


def progress_recorder():
    calls: list[tuple[int, int]] = []
    return calls, lambda done, total: calls.append((done, total))


def assert_progress_counts_every_shard(calls, total):
    """Monotone, always out of ``total``, every step 0 … total reported, ending at the end."""
    assert calls, "no progress was reported"
    assert all(t == total for _, t in calls)
    done = [d for d, _ in calls]
    assert done == sorted(done) and calls[-1] == (total, total)
    assert set(done) == set(range(total + 1))


def write_sample_run(directory, *, model, init="gaussian", sigma_w=1.0, sigma_b=1.0, samples=123):
    """A sample run's directory as table_bayes_plan reads it (the table itself is not read)."""
    directory.mkdir(exist_ok=True)
    config = {"model": model, "init": init, "sigma_w": sigma_w, "sigma_b": sigma_b}
    (directory / "config.json").write_text(json.dumps({**config, "samples": samples}))
    (directory / "functions.parquet").write_bytes(b"")
    return directory


def reference_rule_array_tables(substrate: RuleArraySubstrate, split: Split, arrays):
    """Truth tables of rule arrays by simulating them input by input (reference.automata)."""
    task = tasks.boolean(split.n, split.target, width=substrate.width, train=split.train)
    learner = ref_automata.Learner.of(
        task,
        brick=str(substrate.r) in ("0.5", "1/2"),
        cyclic=substrate.boundary == "cyclic",
    )
    return [ref_tables.as_string(a[0] for a in learner.answers(rules)) for rules in arrays]


# -- tallies, comparisons and the headline ---------------------------------------------------


def test_fits_packed_takes_words_as_plain_python_integers():
    # tables with f(0) = 0 pack below 2^63, so a list of them is a signed-integer array
    tables = ["00111100", "01111100", "00101100", "00110100"]
    words = [ref_tables.pack(t) for t in tables]  # lists of Python ints
    assert SPLIT.fits_packed(words).tolist() == [ref.fits(t, TARGET, [1, 2, 6]) for t in tables]


def test_training_sets_of_one_row_up_to_all_but_one_are_the_allowed_sizes():
    for size in (1, 7):
        split = random_split(3, size, TARGET, rng=np.random.default_rng(0))
        assert len(split.train) == size and len(split.test) == 8 - size
        assert sorted([*split.train.tolist(), *split.test.tolist()]) == list(range(8))
    for size in (0, 8):
        with pytest.raises(UsageError, match="out of range"):
            random_split(3, size, TARGET, rng=np.random.default_rng(0))


def test_named_targets_are_their_definitions_and_random_ones_use_the_generator():
    ones = [bin(i).count("1") for i in range(8)]
    assert boolean_target(3, "parity") == "".join(str(k % 2) for k in ones) == "01101001"
    assert boolean_target(3, "majority") == "".join(str(int(k >= 2)) for k in ones)
    assert boolean_target(3, "or") == "01111111" and boolean_target(3, "and") == "00000001"
    drawn = boolean_target(5, "random", rng=np.random.default_rng(4))
    assert len(drawn) == 32 and set(drawn) <= {"0", "1"}
    assert drawn == boolean_target(5, "random", rng=np.random.default_rng(4))


def test_a_tally_of_nothing_is_an_empty_array_of_strings_with_int64_counts():
    empty = tabulate([], n_attempts=5)
    assert empty.functions.dtype.kind == "U" and empty.counts.dtype == np.int64
    pooled = empty.merged(tabulate([], n_attempts=2))
    assert pooled.functions.dtype.kind == "U" and pooled.counts.dtype == np.int64
    assert (pooled.n_attempts, pooled.n_kept) == (7, 0)
    assert hamming_to(np.zeros(0, str), "01").dtype == np.int64
    nothing = compare(empty, empty, "01")
    assert nothing.n_test == 0 and nothing.functions.size == 0
    assert nothing.n_errors.dtype == nothing.count_train.dtype == np.int64


def test_a_given_n_kept_of_zero_is_kept_not_recounted():
    # the computed P_B's empty tally says 0 kept; n_kept is recounted only when omitted
    assert FunctionCounts(np.array(["1"]), np.array([4]), 9, 0).n_kept == 0
    assert FunctionCounts(np.array(["1"]), np.array([4]), 9).n_kept == 4


def test_both_seen_counts_functions_seen_at_least_twice_by_default():
    twice = compare(tabulate(["01", "01", "10"]), tabulate(["01", "01", "10", "10"]), "01")
    assert twice.both_seen().tolist() == [True, False]
    assert twice.both_seen(1).tolist() == [True, True]


def test_a_factor_of_exactly_ten_between_p_train_and_p_b_is_within_a_decade():
    # P_train("01") = 1, P_B("01") = 1/10: |log10 10| = 1 ≤ 1
    comparison = compare(tabulate(["01"]), tabulate(["01"] + ["10"] * 9), "01")
    assert comparison.p_bayes.tolist() == [0.1, 0.9]
    assert comparison.headline()["train_mass_within_decade"] == 1.0


def test_compare_names_sgd_by_default_keeps_both_tallies_and_counts_in_int64():
    train, bayes = tabulate(["01", "11"], n_attempts=3), tabulate(["11"], n_attempts=9)
    comparison = compare(train, bayes, "01")
    assert comparison.train_name == "P_SGD" and comparison.bayes_source == "rejection"
    assert comparison.train_counts is train and comparison.bayes_counts is bayes
    assert comparison.count_train.dtype == comparison.count_bayes.dtype == np.int64
    assert comparison.count_train.tolist() == [1, 1] and comparison.count_bayes.tolist() == [0, 1]
    assert comparison.n_errors.tolist() == [0, 1]


def test_a_table_read_back_turns_any_numeric_columns_into_floats_and_int64():
    columns = {
        "function": ["01", "10"],
        "p_train": np.array([1, 0], dtype=np.int32),  # a reader may hand back integers
        "p_bayes": [0, 1],
        "count_train": np.array([3, 0], dtype=np.int32),
        "count_bayes": np.array([0, 2], dtype=np.uint16),
        "n_errors": np.array([0, 2], dtype=np.uint8),
    }
    again = Comparison.from_table(columns, bayes_source="rejection")
    assert again.p_train.dtype == again.p_bayes.dtype == np.float64
    assert again.count_train.dtype == again.count_bayes.dtype == again.n_errors.dtype == np.int64
    assert again.p_train.tolist() == [1.0, 0.0] and again.count_bayes.tolist() == [0, 2]


def _fake_shard(args):
    kept, unkept = args
    return Counter(kept), unkept, 0.5


def test_run_plan_hands_the_parallel_choice_jobs_and_address_to_the_shard_runner(monkeypatch):
    seen = {}

    def fake_run_pending(worker, tasks_, *, done, on_result, **options):
        seen.update(options)
        for i, task in enumerate(tasks_):
            if i not in done:
                on_result(i, worker(task))

    monkeypatch.setattr(minimodels.runtime.parallel, "run_pending", fake_run_pending)
    plan = Plan(_fake_shard, [(["a", "b"], 1), (["a"], 2)], 6)
    tally = run_plan(plan, backend="ray", jobs=3, address="ray://head:10001")
    assert (seen["backend"], seen["jobs"], seen["address"]) == ("ray", 3, "ray://head:10001")
    assert dict(zip(tally.functions, tally.counts, strict=True)) == {"a": 2, "b": 1}
    assert (tally.n_attempts, tally.n_kept, tally.seconds) == (6, 3, 1.0)


# -- rule arrays -------------------------------------------------------------------------------


@pytest.mark.parametrize(("rules", "r"), [((30, 110), 1), ((8, 6), "1/2"), ((8, 6), 0.5)])
def test_every_rule_arrays_truth_table_is_the_cell_by_cell_simulation(rules, r):
    # 3 wide, 3 deep: the readout's light cone wraps around (or falls off) the input row
    arrays = [  # array v has rule index (v // 2^(8 − i)) % 2 at cell i, row by row
        [[rules[(v >> (8 - (3 * row + col))) & 1] for col in range(3)] for row in range(3)]
        for v in range(2**9)
    ]
    by_boundary = {}
    for boundary in ("cyclic", "zero"):
        substrate = RuleArraySubstrate(width=3, depth=3, rules=rules, r=r, boundary=boundary)
        tables = rule_arrays.enumerate_rule_arrays(SPLIT, substrate)
        by_boundary[boundary] = [ref_tables.as_string(t) for t in tables]
        assert by_boundary[boundary] == reference_rule_array_tables(substrate, SPLIT, arrays)
    assert by_boundary["cyclic"] != by_boundary["zero"]


def test_too_many_rule_arrays_to_list_are_refused_before_any_work():
    substrate = RuleArraySubstrate(width=23, depth=1, rules=(4, 146))  # 2^23 arrays
    with pytest.raises(UsageError, match="too many to enumerate"):
        rule_arrays.enumerate_rule_arrays(SPLIT, substrate)


@pytest.mark.parametrize(
    ("rules", "r", "boundary"),
    [((30, 110, 90), 1, "zero"), ((8, 6), "1/2", "cyclic")],
    ids=["elementary-zero-edge", "brick-wrapped"],  # an id with "cyclic" would match -k "cli"
)
def test_an_evolution_shard_counts_the_unfit_runs_and_tallies_the_fitted(rules, r, boundary):
    # 3 wide, 3 deep: every cell holds an input and the boundary reaches the readout
    substrate = RuleArraySubstrate(width=3, depth=3, rules=rules, r=r, boundary=boundary)
    seeds = np.random.SeedSequence(11).spawn(8)
    kept, n_unfit, _ = rule_arrays._evolve_block((SPLIT, substrate, 4, seeds))
    task = substrate.task(SPLIT)
    learner = ref_automata.Learner.of(task, brick=r == "1/2", cyclic=boundary == "cyclic")
    wanted, unfit = Counter(), 0
    for seed in seeds:
        run = ref_automata.evolve(learner, depth=3, rules=rules, steps=4, seed=seed)
        if run.final_loss:
            unfit += 1
        else:
            table = ref_tables.as_string(a[0] for a in learner.answers(run.rules))
            wanted[ref.on_rows(table, SPLIT.test.tolist())] += 1
    assert (kept, n_unfit) == (wanted, unfit)
    assert 0 < unfit < 8  # both kinds of run occur


def test_a_random_array_shard_takes_its_count_in_batches_and_counts_every_reject():
    # one training row: about half the arrays fit, so the last, short batch matters
    split = Split(3, np.array([6]), np.array([0, 1, 2, 3, 4, 5, 7]), TARGET)
    substrate = RuleArraySubstrate(width=5, depth=2, rules=(30, 110, 90), boundary="zero")
    seed = np.random.SeedSequence(1)
    kept, n_rejected, _ = rule_arrays._random_array_block((split, substrate, seed, 7, 3))
    rng = np.random.default_rng(seed)  # batches of 3, 3 and 1 arrays
    arrays = []
    for size in (3, 3, 1):
        for array in rng.integers(0, 3, (size, 2, 5)).tolist():
            arrays.append([[(30, 110, 90)[i] for i in row] for row in array])
    tables = reference_rule_array_tables(substrate, split, arrays)
    counts, attempts, accepted = ref.rejection(tables, TARGET, [6], split.test.tolist())
    assert dict(kept) == counts and attempts == 7 and 0 < accepted < 7
    assert n_rejected == 7 - accepted and sum(kept.values()) + n_rejected == 7


def test_the_plans_take_one_run_or_sample_and_default_to_one_shard():
    substrate = RuleArraySubstrate(width=5, depth=2)
    one = evolution_plan(SPLIT, substrate, n_runs=1, steps=3, seed=0)
    assert len(one.tasks) == 1 and len(one.tasks[0][3]) == 1 and one.n_attempts == 1
    assert len(evolution_plan(SPLIT, substrate, n_runs=5, steps=3, seed=0).tasks) == 1
    single = random_array_plan(SPLIT, substrate, n_samples=1, seed=0)
    assert [task[3] for task in single.tasks] == [1] and single.n_attempts == 1
    nine = random_array_plan(SPLIT, substrate, n_samples=9, seed=0)
    assert [task[3] for task in nine.tasks] == [9]
    nets = SGDSetup(model="3-4-1")
    assert [t[3:5] for t in net_bayes_plan(SPLIT, nets, n_samples=1, seed=0).tasks] == [(0, 1)]
    assert [t[3:5] for t in net_bayes_plan(SPLIT, nets, n_samples=9, seed=0).tasks] == [(0, 9)]
    for make in (
        lambda: evolution_plan(SPLIT, substrate, n_runs=0, steps=3, seed=0),
        lambda: random_array_plan(SPLIT, substrate, n_samples=0, seed=0),
        lambda: net_bayes_plan(SPLIT, nets, n_samples=0, seed=0),
    ):
        with pytest.raises(UsageError, match="at least 1, got 0"):
            make()


# -- nets ------------------------------------------------------------------------------------


def test_every_field_of_an_sgd_setup_reaches_the_net_its_training_and_its_init():
    setup = SGDSetup(
        model="3-5-1", activation="tanh", init="uniform", sigma_w=2.0, sigma_b=0.5,
        optimizer="sgd", learning_rate=0.3, momentum=0.5, loss="cross_entropy", batch_size=4,
        max_steps=77, overtrain_steps=9,
    )  # fmt: skip
    model, training, init = setup.parts()
    assert (model.widths, model.activation) == ((3, 5, 1), "tanh")
    assert (training.optimizer, training.learning_rate, training.momentum) == ("sgd", 0.3, 0.5)
    assert (training.loss, training.max_steps, training.batch_size) == ("cross_entropy", 77, 4)
    assert training.target_accuracy == 1.0  # every run trains to 100 % train accuracy
    assert (init.scheme, init.sigma_w, init.sigma_b) == ("uniform", 2.0, 0.5)


@pytest.mark.parametrize(
    "setup",
    [SGDSetup(model="3-4-1", activation="tanh", sigma_w=3.0, sigma_b=0.2),
     SGDSetup(model="3-4-1", init="uniform")],
)  # fmt: skip
def test_a_random_net_shard_samples_the_setups_nets_and_counts_every_reject(setup):
    kept, n_rejected, _ = nets._net_bayes_block((SPLIT, setup, 6, 5, 80, 30))
    spec = parse_model(f"3-4-1:{setup.activation}")
    truth = mlp.reference_truth_tables(
        spec, run_key(6), 5, 80, init=setup.init, sigma_w=setup.sigma_w, sigma_b=setup.sigma_b
    )
    counts, _, accepted = ref.rejection(
        (ref_tables.as_string(row) for row in truth), TARGET, [1, 2, 6], SPLIT.test.tolist()
    )
    assert dict(kept) == counts and n_rejected == 80 - accepted
    assert 0 < accepted < 80


def test_a_stored_sample_run_needs_both_files_and_the_same_prior(tmp_path):
    setup = SGDSetup(model="3-5-1", activation="tanh", init="uniform")
    half = tmp_path / "half"
    half.mkdir()
    (half / "config.json").write_text(json.dumps({"model": "3-5-1:tanh", "samples": 9}))
    with pytest.raises(UsageError, match="not a finished"):
        table_bayes_plan(SPLIT, setup, half)
    run = write_sample_run(tmp_path / "run", model="3-5-1:tanh", init="uniform", samples=321)
    plan = table_bayes_plan(SPLIT, setup, run)
    assert plan.tasks == [(SPLIT, str(run))] and plan.n_attempts == 321
    relu = write_sample_run(tmp_path / "relu", model="3-5-1", init="uniform")
    with pytest.raises(UsageError, match="another prior"):
        table_bayes_plan(SPLIT, setup, relu)
    other = write_sample_run(tmp_path / "other", model="3-5-1:tanh", sigma_w=2.0, sigma_b=0.5)
    gaussian = SGDSetup(model="3-5-1", activation="tanh")
    with pytest.raises(UsageError, match=r"\(sigma_w 2\.0 ≠ 1\.0, sigma_b 0\.5 ≠ 1\.0\)"):
        table_bayes_plan(SPLIT, gaussian, other)


def test_a_stored_table_shard_counts_every_sample_it_rejects(tmp_path):
    from minimodels.analysis.sampling.runs import SampleConfig, sample_run

    sample_run(
        SampleConfig(model="3-4-1", samples=200, seed=8, shard_size=64), tmp_path,
        backend="serial",
    )  # fmt: skip
    kept, n_rejected, _ = nets._table_bayes_block((SPLIT, str(tmp_path)))
    truth = mlp.reference_truth_tables(parse_model("3-4-1"), run_key(8), 0, 200)
    counts, _, accepted = ref.rejection(
        (ref_tables.as_string(row) for row in truth), TARGET, [1, 2, 6], SPLIT.test.tolist()
    )
    assert dict(kept) == counts and n_rejected == 200 - accepted and 0 < accepted < 200


# -- experiment configs ------------------------------------------------------------------------


def test_every_substrate_field_of_a_config_reaches_its_substrate():
    config = experiment.EvolutionVsBayesConfig(
        width=6, depth=3, rules=[8, 6], r="1/2", boundary="zero"
    )
    arrays = config.substrate
    assert (arrays.width, arrays.depth, arrays.rules) == (6, 3, (8, 6))
    assert (arrays.r, arrays.boundary) == ("1/2", "zero")
    mesh = experiment.MeshEvolutionVsBayesConfig(
        width=4, depth=3, r="1/2", levels=(0.0, 1.0), activation="linear", boundary="zero"
    ).substrate
    assert (mesh.width, mesh.depth, mesh.r, mesh.levels) == (4, 3, "1/2", (0.0, 1.0))
    assert (mesh.activation, mesh.boundary) == ("linear", "zero")


def test_auto_p_b_is_exact_up_to_and_including_auto_exact_level_vectors(monkeypatch):
    config = experiment.MeshEvolutionVsBayesConfig(width=2, depth=1, r="1/2", levels=(0.0, 1.0))
    n_settings = 2**9  # 2 levels, 2·1·(2 + 1) + 2 + 1 = 9 parameters
    assert config.substrate.n_settings == n_settings
    monkeypatch.setattr(experiment.MeshEvolutionVsBayesConfig, "AUTO_EXACT", n_settings)
    assert config.bayes_method == "exact"
    monkeypatch.setattr(experiment.MeshEvolutionVsBayesConfig, "AUTO_EXACT", n_settings - 1)
    assert config.bayes_method == "rejection"
    for chosen in ("exact", "rejection"):
        assert replace(config, bayes=chosen).bayes_method == chosen
    assert experiment.MeshEvolutionVsBayesConfig().bayes_method == "rejection"  # 3^44 vectors


def test_a_stored_sample_run_serves_rejection_only_and_n_is_the_first_width():
    config = experiment.SGDVsBayesConfig(model="3-5-1", bayes_from="runs/sample")
    assert config.bayes_from == "runs/sample" and config.n == 3
    with pytest.raises(UsageError, match="drop --bayes nngp"):
        experiment.SGDVsBayesConfig(bayes="nngp", bayes_from="runs/sample")


def test_the_summary_reports_both_halves_timings_and_the_wall_time():
    train = tabulate(["00011", "00011", "10011"], n_attempts=4, seconds=2.5)
    bayes = tabulate(["00011"], n_attempts=10, seconds=0.75)
    comparison = compare(train, bayes, SPLIT.test_target)
    config = experiment.EvolutionVsBayesConfig(n=3)
    summary = experiment.BayesResult(config, SPLIT, comparison, train, bayes, 4.0).summary()
    timings = (summary["train_seconds"], summary["bayes_seconds"], summary["wall_seconds"])
    assert timings == (2.5, 0.75, 4.0)
    assert (summary["n_runs"], summary["n_fit"], summary["n_unfit"]) == (4, 3, 1)
    sampled = (summary["n_samples"], summary["n_accepted"], summary["acceptance_rate"])
    assert sampled == (10, 1, 0.1)


def test_a_random_target_comes_from_the_configs_seed():
    config = experiment.EvolutionVsBayesConfig(n=5, train_size=8, target="random", seed=3)
    split = experiment.make_split(config)
    assert len(split.target) == 32 and set(split.target) <= {"0", "1"}
    assert experiment.make_split(config).target == split.target  # the seed, not fresh entropy


# -- plans -------------------------------------------------------------------------------------


def test_an_sgd_experiment_plans_batches_of_nets_and_shards_of_random_nets(tmp_path):
    config = experiment.SGDVsBayesConfig(
        model="3-5-1", train_size=3, target="x1", init="uniform", n_runs=5, n_samples=7,
        batch=2, n_shards=3, seed=1,
    )  # fmt: skip
    split, train, bayes = experiment.plans(config)
    run_seed, sample_seed = derived_seeds(1)
    assert train.worker.__name__ == "_sgd_block" and train.n_attempts == 5
    assert [task[1:] for task in train.tasks] == [
        (config.setup, run_seed, 0, 2), (config.setup, run_seed, 2, 2),
        (config.setup, run_seed, 4, 1),
    ]  # fmt: skip
    assert all(task[0] is split for task in train.tasks + bayes.tasks)
    assert bayes.worker.__name__ == "_net_bayes_block" and bayes.n_attempts == 7
    assert [task[1:5] for task in bayes.tasks] == [
        (config.setup, sample_seed, 0, 3), (config.setup, sample_seed, 3, 2),
        (config.setup, sample_seed, 5, 2),
    ]  # fmt: skip
    # P_B from the NNGP: no plan; from a stored run: that run's table
    assert experiment.plans(replace(config, bayes="nngp", init="gaussian"))[2] is None
    run = write_sample_run(tmp_path / "run", model="3-5-1", init="uniform", samples=55)
    stored = experiment.plans(replace(config, bayes_from=str(run)))[2]
    assert stored.worker.__name__ == "_table_bayes_block" and stored.n_attempts == 55
    ((stored_split, stored_run),) = stored.tasks
    assert stored_run == str(run) and stored_split.train.tolist() == split.train.tolist()


def test_an_sgd_experiment_refuses_the_gaussian_process_prior_without_the_gaussian_init_only():
    base = experiment.SGDVsBayesConfig(model="3-5-1", train_size=3, n_runs=2, n_samples=2)
    with pytest.raises(UsageError, match="NNGP needs the gaussian"):
        experiment.plans(replace(base, bayes="nngp", init="uniform"))
    assert experiment.plans(replace(base, bayes="nngp"))[2] is None
    assert experiment.plans(replace(base, init="uniform"))[2] is not None
    with pytest.raises(UsageError, match="overtrain_steps = -1"):
        experiment.plans(replace(base, overtrain_steps=-1))


def test_a_mesh_experiment_plans_seeded_shards_of_runs_and_of_sample_blocks():
    config = experiment.MeshEvolutionVsBayesConfig(
        n=2, train_size=2, target="x1", width=5, depth=1, bayes="rejection", n_runs=5,
        steps=0, n_samples=20_000, n_shards=2, seed=4,
    )  # fmt: skip
    split, train, bayes = experiment.plans(config)
    run_seed, sample_seed = derived_seeds(4)
    seeds = [seed for task in train.tasks for seed in task[3]]
    assert [len(task[3]) for task in train.tasks] == [3, 2] and train.n_attempts == 5
    assert [(s.entropy, s.spawn_key) for s in seeds] == [(run_seed, (i,)) for i in range(5)]
    assert all(task[:3] == (split, config.substrate, 0) for task in train.tasks)
    blocks = [block for task in bayes.tasks for block in task[2]]
    assert [len(task[2]) for task in bayes.tasks] == [1, 1] and bayes.n_attempts == 20_000
    assert [size for _, size in blocks] == [16_384, 20_000 - 16_384]
    assert [(s.entropy, s.spawn_key) for s, _ in blocks] == [
        (sample_seed, (0,)),
        (sample_seed, (1,)),
    ]


def test_a_mesh_experiment_enumerates_up_to_2_to_the_24_level_vectors():
    # 2 levels, 1·5·(3 + 1) + 3 + 1 = 24 parameters: exactly 2^24 vectors, still listed
    exact = experiment.MeshEvolutionVsBayesConfig(
        n=2, train_size=2, target="x1", width=5, depth=1, levels=(-1.0, 1.0), bayes="exact",
        n_runs=3, steps=0,
    )  # fmt: skip
    assert exact.substrate.n_settings == 2**24
    split, train, bayes = experiment.plans(exact)
    assert bayes is None and train.n_attempts == 3
    three = replace(exact, levels=(-1.0, 0.0, 1.0))  # 3^24 vectors
    with pytest.raises(UsageError, match="too many to enumerate"):
        experiment.plans(three)
    sampled = experiment.plans(replace(three, bayes="rejection", n_samples=10))[2]
    assert sampled.n_attempts == 10


def test_a_rule_array_experiment_plans_seeded_shards_of_runs_and_of_samples():
    config = experiment.EvolutionVsBayesConfig(
        n=3, train_size=3, target="x1^x2", width=7, depth=4, n_runs=5, steps=0,
        n_samples=11, n_shards=2, seed=2,
    )  # fmt: skip
    split, train, bayes = experiment.plans(config)
    run_seed, sample_seed = derived_seeds(2)
    assert [len(task[3]) for task in train.tasks] == [3, 2]
    seeds = [seed for task in train.tasks for seed in task[3]]
    assert [(s.entropy, s.spawn_key) for s in seeds] == [(run_seed, (i,)) for i in range(5)]
    assert [task[3:] for task in bayes.tasks] == [(6, 4096), (5, 4096)]
    assert [(t[2].entropy, t[2].spawn_key) for t in bayes.tasks] == [
        (sample_seed, (0,)), (sample_seed, (1,)),
    ]  # fmt: skip
    assert all(task[:2] == (split, config.substrate) for task in train.tasks + bayes.tasks)
    one = experiment.plans(replace(config, n_shards=1))
    assert (len(one[1].tasks), len(one[2].tasks)) == (1, 1)


def test_a_rule_array_experiment_checks_its_rules_range_boundary_and_size():
    base = experiment.EvolutionVsBayesConfig(
        n=1, train_size=1, target="x1", width=1, depth=1, n_runs=2, steps=0, n_samples=2
    )
    assert experiment.plans(base)[1].n_attempts == 2  # one cell, one row: the least array
    with pytest.raises(UsageError, match="146"):  # brick rules are 0 … 15
        experiment.plans(replace(base, r="1/2"))
    with pytest.raises(UsageError, match="boundary 'open' is unknown"):
        experiment.plans(replace(base, boundary="open"))
    with pytest.raises(UsageError, match="depth 0 and width 1 must be ≥ 1"):
        experiment.plans(replace(base, depth=0))
    with pytest.raises(UsageError, match="n_shards = 0"):
        experiment.plans(replace(base, n_shards=0))


# -- finish and run ----------------------------------------------------------------------------


class Clock:
    """A stand-in for time.perf_counter that reads out the given times in turn."""

    def __init__(self, *times):
        self.times = list(times)

    def __call__(self):
        return self.times.pop(0)


def test_finish_with_a_tally_keeps_the_config_and_times_from_the_start(monkeypatch):
    train, bayes = tabulate(["00011"], n_attempts=2), tabulate(["00011", "10011"])
    config = experiment.EvolutionVsBayesConfig(n=3)
    monkeypatch.setattr(experiment.time, "perf_counter", Clock(7.5))
    result = experiment.finish(config, SPLIT, train, bayes, started=1.5)
    assert result.config is config and result.seconds == 6.0
    assert result.comparison.train_name == "P_evo" and result.comparison.bayes_counts is bayes


def test_finish_with_a_computed_p_b_asks_for_it_and_keeps_the_time_it_took(monkeypatch):
    asked = {}

    def fixed_posterior(split, setup, functions, *, on_progress=None):
        asked.update(split=split, setup=setup, on_progress=on_progress)
        return np.full(len(functions), 0.5)

    monkeypatch.setattr(experiment, "nngp_posterior", fixed_posterior)
    config = experiment.SGDVsBayesConfig(model="3-8-1", bayes="nngp")
    _, report = progress_recorder()
    train = tabulate(["00011", "10011", "10011"], n_attempts=5)
    monkeypatch.setattr(experiment.time, "perf_counter", Clock(10.0, 12.5, 14.0))
    result = experiment.finish(config, SPLIT, train, None, started=1.0, on_progress=report)
    assert asked == {"split": SPLIT, "setup": config.setup, "on_progress": report}
    assert result.config is config and result.seconds == 13.0
    empty = result.bayes  # P_B was computed: an empty tally of 0 attempts, 2.5 s
    assert empty.functions.dtype.kind == "U" and empty.functions.size == 0
    assert empty.counts.dtype == np.int64 and empty.counts.size == 0
    assert (empty.n_attempts, empty.n_kept, empty.seconds) == (0, 0, 2.5)
    summary = result.summary()
    assert (summary["learner"], summary["bayes_method"]) == ("P_SGD", "ep")
    assert (summary["n_samples"], summary["n_accepted"], summary["bayes_seconds"]) == (0, 0, 2.5)


def test_running_a_rule_array_experiment_reports_progress_over_both_halves():
    config = experiment.EvolutionVsBayesConfig(
        n=3, train_size=3, target="x1^x2", width=7, depth=4, n_runs=6, steps=40,
        n_samples=50, n_shards=2, seed=2,
    )  # fmt: skip
    calls, report = progress_recorder()
    result = experiment.run(config, on_progress=report)
    assert_progress_counts_every_shard(calls, 4)  # 2 shards of runs, 2 of samples
    assert (2, 4) in calls  # the runs fill the first half
    assert (result.train.n_attempts, result.bayes.n_attempts) == (6, 50)


def test_running_a_mesh_experiment_with_exact_p_b_reports_the_runs_only():
    config = experiment.MeshEvolutionVsBayesConfig(
        n=2, train_size=2, target="x1", width=2, depth=1, r="1/2", levels=(0.0, 1.0),
        n_runs=4, steps=30, n_shards=2, seed=1,
    )  # fmt: skip
    calls, report = progress_recorder()
    result = experiment.run(config, on_progress=report)
    assert_progress_counts_every_shard(calls, 2)  # P_B is enumerated, not sharded
    summary = result.summary()
    assert (summary["learner"], summary["bayes_method"]) == ("P_evo", "exact")
    assert (summary["n_runs"], summary["n_samples"], summary["n_accepted"]) == (4, 0, 0)
    assert result.comparison.p_bayes.sum() == pytest.approx(1.0)
    assert result.comparison.count_bayes.tolist() == [0] * len(result.comparison.functions)


# -- the simplicity experiment -------------------------------------------------------------------


def reference_tally(model, samples, seed, **init):
    truth = mlp.reference_truth_tables(parse_model(model), run_key(seed), 0, samples, **init)
    return ref_tables.tabulate(ref_tables.as_string(row) for row in truth)


def as_dict(table):
    return dict(zip(table.strings().tolist(), table.counts.tolist(), strict=True))


@pytest.mark.parametrize(
    ("init", "label"),
    [({"init": "gaussian", "sigma_w": 2.5, "sigma_b": 0.25}, "3-4-1, gaussian σw=2.5 σb=0.25"),
     ({"init": "uniform"}, "3-4-1, uniform σw=1 σb=1")],
)  # fmt: skip
def test_the_simplicity_experiment_samples_under_its_initialisation(init, label):
    calls, report = progress_recorder()
    config = simplicity.SimplicityConfig(model="3-4-1", samples=300, seed=3, **init)
    result = simplicity.run(config, on_progress=report)
    assert as_dict(result.table) == reference_tally("3-4-1", 300, 3, **init)
    assert result.analysis.label == label
    assert_progress_counts_every_shard(calls, 1)


def test_the_simplicity_experiment_labels_perceptrons_and_rule_arrays():
    perceptron = simplicity.run(simplicity.SimplicityConfig(model="perceptron:3", samples=20))
    assert perceptron.analysis.label == "perceptron:3, gaussian σw=1, no bias"
    model = "rulearray:7x2:rules=4,146"
    arrays = simplicity.run(simplicity.SimplicityConfig(model=model, samples=20))
    assert arrays.analysis.label == f"{model}, every cell's rule uniform from the set"


def test_the_random_string_baseline_of_a_wide_table_is_20000_strings_from_the_seed():
    config = simplicity.SimplicityConfig(model="5-3-1", samples=50, seed=2)
    first, again = simplicity.run(config).analysis, simplicity.run(config).analysis
    counts = first.random_p_k * 20_000  # 32-bit strings: sampled, not enumerated
    assert counts == pytest.approx(np.round(counts), abs=1e-6) and counts.sum() == pytest.approx(
        20_000
    )
    assert first.random_k_values.tolist() == again.random_k_values.tolist()
    assert first.random_p_k.tolist() == again.random_p_k.tolist()


class _ClaimedSubstrate(RuleArraySubstrate):
    """A one-cell substrate that claims ``claimed`` rule arrays: the size check sees the claim,
    and the enumeration lists that many one-cell arrays (cheap: 8 bytes each)."""

    claimed: int = 0

    def __init__(self, claimed):
        super().__init__(width=1, depth=1, rules=(4, 146))
        object.__setattr__(self, "claimed", claimed)

    @property
    def n_arrays(self):
        return self.claimed

    def task(self, split):
        return None  # the readout is replaced below


def test_exactly_2_to_the_22_rule_arrays_are_still_enumerated(monkeypatch):
    # "at most 2^22": 2^22 arrays are listed, one more is refused before any work
    listed = []
    monkeypatch.setattr(
        rule_arrays, "_readout_tables", lambda stack, task, substrate: listed.append(stack.shape)
    )
    rule_arrays.enumerate_rule_arrays(SPLIT, _ClaimedSubstrate(2**22))
    assert listed == [(2**22, 1, 1)]
    with pytest.raises(UsageError, match="too many to enumerate"):
        rule_arrays.enumerate_rule_arrays(SPLIT, _ClaimedSubstrate(2**22 + 1))
    assert len(listed) == 1
