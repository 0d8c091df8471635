"""P_train vs P_B: tallies, normalisation, the headline numbers and the experiments' summaries,
against the plain-Python oracle :mod:`reference.bayes` (dicts and loops from SCIENCE.md §B.5)."""

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, strategies as st
from reference import automata as ref_automata, bayes as ref, lz, tables as ref_tables

from minimodels import tasks
from minimodels.analysis.bayes.nets import SGDSetup
from minimodels.analysis.bayes.protocol import (
    Comparison,
    FunctionCounts,
    Plan,
    Split,
    boolean_target,
    compare,
    compare_with_computed,
    exact_posterior,
    random_split,
    run_plan,
    tabulate,
)
from minimodels.experiments import bayes as experiment

# few distinct test functions, so that tallies repeat and P_B / P_train ratios vary
functions3 = st.lists(st.sampled_from(["000", "001", "011", "101", "110", "111"]), max_size=30)


def assert_same_numbers(got: dict, wanted: dict) -> None:
    assert set(got) >= set(wanted)
    for key, value in wanted.items():
        if value is None:
            assert got[key] is None, key
        elif isinstance(value, float) and math.isnan(value):
            assert math.isnan(got[key]), key
        elif isinstance(value, str | list):
            assert got[key] == value, key
        else:
            assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key


@given(functions3, st.integers(0, 50), functions3, st.integers(0, 500))
def test_headline_is_the_reference_whatever_the_number_of_attempts(a, extra_a, b, extra_b):
    # attempts ≠ kept: P is a distribution over the kept functions, never over the attempts
    train = tabulate(a, n_attempts=len(a) + extra_a)
    bayes = tabulate(b, n_attempts=len(b) + extra_b)
    comparison = compare(train, bayes, "011")
    wanted = ref.headline(ref.tally(a, len(a) + extra_a), ref.tally(b, len(b) + extra_b), "011")
    assert_same_numbers(comparison.headline(), wanted)
    a_counts, b_counts = Counter(a), Counter(b)
    assert comparison.functions.tolist() == sorted(set(a) | set(b))
    for f, p_t, p_b, c_t, c_b, e in zip(*comparison.table().values(), strict=True):
        assert (c_t, c_b) == (a_counts[f], b_counts[f])
        assert p_t == pytest.approx(a_counts[f] / len(a) if a else 0.0)
        assert p_b == pytest.approx(b_counts[f] / len(b) if b else 0.0)
        assert e == ref.errors(f, "011")
    again = Comparison.from_table(comparison.table(), bayes_source="rejection")
    assert_same_numbers(again.headline(), wanted)


@given(functions3, st.integers(0, 50), st.dictionaries(
    st.sampled_from(["000", "001", "011", "100", "111"]), st.floats(1e-4, 1.0), max_size=5
))  # fmt: skip
def test_headline_with_a_computed_p_b_is_the_reference(a, extra, computed):
    train = tabulate(a, n_attempts=len(a) + extra)
    functions = np.array(list(computed), dtype=str)
    comparison = compare_with_computed(
        train, functions, np.array(list(computed.values())), "110", source="ep"
    )
    wanted = ref.headline(ref.tally(a, len(a) + extra), None, "110", computed=computed)
    assert_same_numbers(comparison.headline(), wanted)
    assert comparison.count_bayes.sum() == 0 and comparison.bayes_source == "ep"


def test_tallies_normalise_by_what_was_kept_and_report_the_acceptance():
    tally = tabulate(["01"] * 7 + ["10"] * 3, n_attempts=1000, seconds=2.0)
    assert (tally.n_attempts, tally.n_kept) == (1000, 10)
    assert tally.probabilities.tolist() == [0.7, 0.3] and tally.acceptance == 0.01
    more = tabulate(["10"] * 5, n_attempts=500, seconds=1.5)
    pooled = tally.merged(more)
    assert (pooled.n_attempts, pooled.n_kept, pooled.seconds) == (1500, 15, 3.5)
    assert dict(zip(pooled.functions, pooled.counts, strict=True)) == {"01": 7, "10": 8}
    assert pooled.probabilities.tolist() == [7 / 15, 8 / 15]
    nothing = tabulate([], n_attempts=0)
    assert math.isnan(nothing.acceptance) and nothing.probabilities.size == 0
    # n_kept defaults to the sum of the counts; given, it is kept as given
    assert FunctionCounts(np.array(["1"]), np.array([4]), 9).n_kept == 4
    assert FunctionCounts(np.array(["1"]), np.array([4]), 9, 6).n_kept == 6


def _fake_shard(args):
    kept, unkept = args
    return Counter(kept), unkept, 0.25


def test_run_plan_counts_every_attempt_and_pools_only_the_kept():
    tasks_ = [(["a", "b", "a"], 7), (["b"], 0), ([], 4)]
    plan = Plan(_fake_shard, tasks_, 15)
    seen = []
    pooled = run_plan(plan, on_result=lambda i, result: seen.append(i))
    assert (pooled.n_attempts, pooled.n_kept, pooled.seconds) == (15, 4, 0.75)
    assert dict(zip(pooled.functions, pooled.counts, strict=True)) == {"a": 2, "b": 2}
    assert seen == [0, 1, 2]
    # shards done before a resume are pooled, not run again
    seen.clear()
    resumed = run_plan(
        plan, done={1: (Counter({"c": 3}), 0, 1.0)}, on_result=lambda i, r: seen.append(i)
    )
    assert seen == [0, 2]
    assert dict(zip(resumed.functions, resumed.counts, strict=True)) == {"a": 2, "b": 1, "c": 3}
    assert (resumed.n_attempts, resumed.n_kept, resumed.seconds) == (15, 6, 1.5)


@given(st.integers(1, 7), st.data())
def test_splits_targets_and_fits_are_the_reference(n, data):
    seed = data.draw(st.integers(0, 2**32 - 1))
    size = data.draw(st.integers(1, 2**n - 1))
    xs = data.draw(st.lists(st.integers(1, n), min_size=1, max_size=3))
    spec = data.draw(st.sampled_from("&|^")).join(f"x{i}" for i in xs)
    target = boolean_target(n, spec)
    assert target == ref.formula_table(n, spec)
    split = random_split(n, size, target, rng=np.random.default_rng(seed))
    train, test = ref.split_rows(n, size, seed)
    assert split.train.tolist() == train and split.test.tolist() == test
    assert split.test_target == ref.on_rows(target, test)
    rng = np.random.default_rng(seed)
    tables = [ref_tables.as_string(rng.integers(0, 2, 2**n)) for _ in range(30)]
    tables += [ref.on_rows(target, range(2**n))] + [
        "".join(target[i] if i in train else t[i] for i in range(2**n)) for t in tables[:10]
    ]  # some that fit S
    words = np.array([ref_tables.pack(t) for t in tables], dtype=np.uint64)
    fits, functions = split.fitting_test_functions(words)
    assert fits.tolist() == [ref.fits(t, target, train) for t in tables]
    assert functions.tolist() == [
        ref.on_rows(t, test) for t in tables if ref.fits(t, target, train)
    ]


@given(st.integers(1, 4), st.data())
def test_exact_posterior_is_the_prior_mass_of_each_test_function_among_the_fits(n, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 999)))
    target = ref_tables.as_string(rng.integers(0, 2, 2**n))
    train, test = ref.split_rows(n, data.draw(st.integers(1, 2**n - 1)), rng.integers(99))
    split = Split(n, np.array(train), np.array(test), target)
    tables = rng.integers(0, 2, (data.draw(st.integers(1, 40)), 2**n))
    tables[0, train] = [int(target[i]) for i in train]  # at least one fits
    weights = rng.random(len(tables))
    functions, p = exact_posterior(tables, weights, split)
    mass: dict[str, float] = {}
    for row, w in zip(tables, weights, strict=True):
        s = ref_tables.as_string(row)
        if ref.fits(s, target, train):
            mass[ref.on_rows(s, test)] = mass.get(ref.on_rows(s, test), 0.0) + w
    total = sum(mass.values())
    assert dict(zip(functions.tolist(), p.tolist(), strict=True)) == pytest.approx(
        {f: m / total for f, m in mass.items()}
    )
    uniform_functions, uniform = exact_posterior(tables, None, split)
    counted = ref.rejection((ref_tables.as_string(t) for t in tables), target, train, test)[0]
    assert dict(zip(uniform_functions.tolist(), uniform.tolist(), strict=True)) == pytest.approx(
        {f: c / sum(counted.values()) for f, c in counted.items()}
    )


def test_the_correlation_of_a_flat_tally_is_undefined_not_a_warning():
    # every function P_train saw twice has the same P_train: no correlation to speak of
    flat = compare(tabulate(["aa"] * 2 + ["ab"] * 2 + ["bb"] * 2), tabulate(
        ["aa"] * 2 + ["ab"] * 3 + ["bb"] * 4), "aa")  # fmt: skip
    assert math.isnan(flat.headline()["log10_correlation_seen_twice"])


SPLIT = Split(3, np.array([0, 3, 5, 6]), np.array([1, 2, 4, 7]), boolean_target(3, "x1|x2"))


def test_the_summary_of_an_experiment_is_its_bookkeeping_and_the_reference_headline():
    # 12 runs started, 9 fit S; 5000 samples drawn, 40 accepted
    runs = ["0111"] * 5 + ["0011"] * 3 + ["1111"]
    samples = ["0111"] * 30 + ["0011"] * 2 + ["0101"] * 8
    train, bayes = tabulate(runs, n_attempts=12), tabulate(samples, n_attempts=5000)
    config = experiment.SGDVsBayesConfig(model="3-8-1")
    result = experiment.finish(config, SPLIT, train, bayes, started=0.0)
    summary = result.summary()
    wanted = ref.summary(
        ref.tally(runs, 12), ref.tally(samples, 5000), SPLIT.target, [0, 3, 5, 6],
        [1, 2, 4, 7], learner="P_SGD", method="rejection",
    )  # fmt: skip
    summary["train_rows"] = summary["train_rows"].tolist()
    assert_same_numbers(summary, wanted)
    # by hand: P_SGD(0111) = 5/9 against P_B = 30/40, within ×10; 0011: 3/9 vs 2/40, within;
    # 1111: 1/9, unseen by P_B
    assert summary["train_mass_within_decade"] == pytest.approx(8 / 9)
    assert summary["train_mass_unseen_by_bayes"] == pytest.approx(1 / 9)
    assert (summary["n_unfit"], summary["acceptance_rate"]) == (3, 40 / 5000)
    evolution = experiment.finish(
        experiment.EvolutionVsBayesConfig(n=3), SPLIT, train, bayes, started=0.0
    )
    assert evolution.summary()["learner"] == "P_evo"


def test_the_rule_array_experiment_reports_the_reference_tallies_and_headline():
    # 20 evolutions of 40 attempts (15 fit S), 1000 random arrays (107 fit S)
    config = experiment.EvolutionVsBayesConfig(
        n=3, train_size=3, target="x1^x2", width=7, depth=4, n_runs=20, steps=40,
        n_samples=1000, n_shards=3, seed=2,
    )  # fmt: skip
    target = ref.formula_table(3, "x1^x2")
    train, test = ref.split_rows(3, 3, 2)
    task = tasks.boolean(3, target, width=7, train=train)
    runs, samples = ref.evolution_vs_bayes(
        ref_automata.Learner.of(task), target, train, test, rules=(4, 146), depth=4, n_runs=20,
        steps=40, n_samples=1000, n_shards=3, seed=2,
    )  # fmt: skip
    result = experiment.run(config)
    assert dict(zip(result.train.functions, result.train.counts, strict=True)) == runs[0]
    assert dict(zip(result.bayes.functions, result.bayes.counts, strict=True)) == samples[0]
    summary = result.summary()
    summary["train_rows"] = summary["train_rows"].tolist()
    wanted = ref.summary(runs, samples, target, train, test, learner="P_evo", method="rejection")
    assert_same_numbers(summary, wanted)
    assert (summary["n_fit"], summary["n_accepted"]) == (15, 107)


@pytest.mark.parametrize("stored", [False, True])
def test_p_b_of_nets_at_n7_is_the_rejection_of_the_plain_samplers_nets(stored, tmp_path):
    from minimodels.analysis.bayes.nets import net_bayes_plan, table_bayes_plan
    from minimodels.analysis.sampling import mlp
    from minimodels.analysis.sampling.models import parse_model
    from minimodels.analysis.sampling.runs import SampleConfig, sample_run
    from minimodels.analysis.sampling.streams import run_key

    target = boolean_target(7, "x1&x2")
    split = Split(7, np.array([0, 40, 127]), np.setdiff1d(np.arange(128), [0, 40, 127]), target)
    setup = SGDSetup(model="7-6-1")
    if stored:
        sample_run(SampleConfig(model="7-6-1", samples=1500, seed=8, shard_size=512), tmp_path)
        tally = run_plan(table_bayes_plan(split, setup, tmp_path))
    else:
        tally = run_plan(
            net_bayes_plan(split, setup, n_samples=1500, seed=8, n_shards=3, batch=200)
        )
    truth = mlp.reference_truth_tables(parse_model("7-6-1"), run_key(8), 0, 1500)
    counts, attempts, kept = ref.rejection(
        (ref_tables.as_string(row) for row in truth), target, [0, 40, 127], split.test.tolist()
    )
    assert dict(zip(tally.functions, tally.counts, strict=True)) == counts
    assert (tally.n_attempts, tally.n_kept) == (attempts, kept) == (1500, kept)
    assert 0 < kept < 1500


def test_the_ladder_reads_test_and_majority_errors_off_the_tallies(monkeypatch):
    # P_SGD replaced by a fixed tally: what is left is the ladder's own arithmetic
    def fixed_tally(plan):
        ((split, *_),) = plan.tasks
        wrong = "".join("1" if c == "0" else "0" for c in split.test_target)
        return tabulate([split.test_target] * 3 + [wrong], n_attempts=5)

    monkeypatch.setattr(experiment, "run_plan", fixed_tally)
    config = experiment.LadderConfig(model="3-8-1", train_size=4, flips=(0, 2), named=("x1&x2",))
    rows = experiment.run_ladder(config).rows
    # one stream, as the ladder draws it: the flipped rows of each target, then each split
    rng = np.random.default_rng(config.seed)
    x1 = ref.formula_table(3, "x1")
    targets = []
    for k in (0, 2):
        flipped = {int(i) for i in rng.choice(8, size=k, replace=False)}
        targets.append("".join(str(1 - int(c)) if i in flipped else c for i, c in enumerate(x1)))
    targets.append(ref.formula_table(3, "x1&x2"))
    assert [row["target"] for row in rows] == ["x1, 0 flipped", "x1, 2 flipped", "x1&x2"]
    for row, target in zip(rows, targets, strict=True):
        train = sorted(int(i) for i in rng.choice(8, size=4, replace=False))
        test = [i for i in range(8) if i not in train]
        ones_train = sum(int(target[i]) for i in train)
        ones_test = sum(int(target[i]) for i in test)
        # predict the training majority (a tie predicts 1): its errors on the test rows
        majority = ones_test / 4 if 2 * ones_train < 4 else (4 - ones_test) / 4
        assert row["majority_error"] == pytest.approx(majority)
        # 3 of the 4 fitted runs make no test error, one gets all 4 wrong
        assert row["test_error"] == pytest.approx(1 / 4)
        assert row["test_error_std"] == pytest.approx(np.std([0, 0, 0, 1]))
        assert (row["n_fit"], row["n_runs"]) == (4, 5)
        assert row["k_lz"] == pytest.approx(lz.k_lz(target))


def test_one_kept_function_has_probability_one():
    alone = tabulate(["0110"], n_attempts=40)
    assert alone.probabilities.tolist() == [1.0] and alone.acceptance == 1 / 40
    assert tabulate(["1"]).seconds == 0.0
    comparison = compare(alone, alone, "0110")
    assert comparison.p_train.tolist() == [1.0] == comparison.p_bayes.tolist()


def test_a_computed_comparison_names_its_learner_and_keeps_its_tally():
    train = tabulate(["01", "01", "11"], n_attempts=4)
    computed = compare_with_computed(train, np.array(["11", "01"]), np.array([0.25, 0.5]), "01")
    assert computed.train_name == "P_SGD" and computed.bayes_source == "ep"
    assert computed.train_counts is train and computed.bayes_counts is None
    assert computed.count_bayes.dtype == np.int64 and computed.count_bayes.tolist() == [0, 0]
    assert computed.p_bayes.tolist() == [0.5, 0.25]  # aligned with the sorted functions
    named = compare_with_computed(
        train, np.array(["01"]), np.array([1.0]), "01", train_name="P_evo", source="exact"
    )
    assert (named.train_name, named.bayes_source) == ("P_evo", "exact")
    # a table read back (lists, as a reader may hand them over) keeps its names and types
    again = Comparison.from_table(
        {k: np.asarray(v).tolist() for k, v in computed.table().items()}, bayes_source="ep"
    )
    assert again.train_name == "P_SGD" and again.bayes_source == "ep"
    assert again.p_train.dtype == again.p_bayes.dtype == np.float64
    assert again.count_train.dtype == again.count_bayes.dtype == again.n_errors.dtype == np.int64
    renamed = Comparison.from_table(computed.table(), train_name="P_evo", bayes_source="exact")
    assert (renamed.train_name, renamed.bayes_source) == ("P_evo", "exact")


def test_the_inputs_of_a_split_are_bytes_in_row_order():
    inputs = SPLIT.inputs
    assert inputs.dtype == np.uint8
    assert inputs.tolist() == [[(i >> 2) & 1, (i >> 1) & 1, i & 1] for i in range(8)]


def test_an_sgd_plan_cuts_the_runs_into_batches_of_consecutive_nets():
    from minimodels.analysis.bayes.nets import sgd_plan

    plan = sgd_plan(SPLIT, SGDSetup(model="3-8-1"), n_runs=5, seed=9, batch=2)
    assert [task[2:] for task in plan.tasks] == [(9, 0, 2), (9, 2, 2), (9, 4, 1)]
    assert plan.n_attempts == 5 and plan.worker.__name__ == "_sgd_block"
    assert [task[2:] for task in sgd_plan(SPLIT, SGDSetup(), n_runs=1, seed=0).tasks] == [(0, 0, 1)]
    assert sgd_plan(SPLIT, SGDSetup(), n_runs=3000, seed=0).tasks[-1][3:] == (2048, 952)
    with pytest.raises(ValueError, match="at least 1, got 0"):
        sgd_plan(SPLIT, SGDSetup(), n_runs=0, seed=0)


def test_run_here_hands_the_plans_keywords_to_the_plan_and_the_rest_to_run_plan():
    from minimodels.analysis.bayes.protocol import run_here

    def make(split, *, n):
        return Plan(_fake_shard, [(["a"] * n, 1), (["b"], 0)], n + 2)

    calls = []
    tally = run_here(make, None, n=3, on_progress=lambda done, total: calls.append((done, total)))
    assert (tally.n_attempts, tally.n_kept) == (5, 4) and calls[-1] == (2, 2)


def test_a_computed_p_b_is_asked_only_for_the_functions_found_often_enough(monkeypatch):
    # the NNGP/EP posterior replaced by fixed values: what is left is finish()'s own work
    asked = []

    def fixed_posterior(split, setup, functions, **options):
        asked.append(list(functions))
        return np.full(len(functions), 0.5)

    monkeypatch.setattr(experiment, "nngp_posterior", fixed_posterior)
    runs = ["0111"] * 3 + ["0011"] * 2 + ["1111"]
    train = tabulate(runs, n_attempts=8)
    config = experiment.SGDVsBayesConfig(model="3-8-1", bayes="nngp", nngp_min_count=2)
    summary = experiment.finish(config, SPLIT, train, None, started=0.0).summary()
    assert asked == [["0011", "0111"]]
    wanted = ref.headline(
        ref.tally(runs, 8), None, SPLIT.test_target, computed={"0011": 0.5, "0111": 0.5}
    )
    assert_same_numbers(summary, wanted)
    assert summary["bayes_method"] == "ep" and summary["n_samples"] == 0
    assert summary["acceptance_rate"] is None and summary["n_unfit"] == 2
