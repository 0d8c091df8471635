"""Smoke tests of the experiments and the two commands, and the P_SGD plan's invariances."""

import json

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli
from reference import bayes as ref

from minimodels.analysis.bayes.nets import SGDSetup, net_bayes_plan, sgd_plan, table_bayes_plan
from minimodels.analysis.bayes.protocol import Split, boolean_target, run_plan
from minimodels.analysis.complexity import k_lz
from minimodels.experiments import bayes as experiment

TINY_NET = SGDSetup(model="3-8-1", max_steps=300)
TINY_SPLIT = Split(3, np.array([0, 3, 5, 6]), np.array([1, 2, 4, 7]), boolean_target(3, "x1|x2"))


def test_sgd_tally_does_not_depend_on_how_runs_are_batched():
    # net i starts from fold_in(key(seed), i): one vmapped batch of 6 equals two batches of 3
    whole = run_plan(sgd_plan(TINY_SPLIT, TINY_NET, n_runs=6, seed=4, batch=6))
    split_up = run_plan(sgd_plan(TINY_SPLIT, TINY_NET, n_runs=6, seed=4, batch=3))
    np.testing.assert_array_equal(whole.functions, split_up.functions)
    np.testing.assert_array_equal(whole.counts, split_up.counts)
    assert whole.n_attempts == 6 and len(whole.functions[0]) == 4


def test_sgd_vs_bayes_experiment_runs_at_a_tiny_config_with_the_nngp_posterior():
    # the rejection path runs in the command test below
    config = experiment.SGDVsBayesConfig(
        model="3-8-1", train_size=4, target="x1|x2", n_runs=6, max_steps=300, bayes="nngp",
        batch=6,
    )  # fmt: skip
    result = experiment.run(config)
    summary = result.summary()
    assert summary["n_fit"] + summary["n_unfit"] == 6
    assert summary["bayes_method"] == "ep"
    assert result.comparison.p_train.sum() == pytest.approx(1.0)
    assert (result.comparison.p_bayes > 0).all()
    # the headline of the P_SGD tally against the P_B values EP computed, by hand
    train = ref.tally(np.repeat(result.train.functions, result.train.counts).tolist(), 6)
    computed = dict(zip(result.comparison.functions, result.comparison.p_bayes, strict=True))
    wanted = ref.headline(train, None, result.split.test_target, computed=computed)
    assert summary["train_mass_within_decade"] == pytest.approx(wanted["train_mass_within_decade"])
    assert summary["mean_test_error_bayes"] == pytest.approx(wanted["mean_test_error_bayes"])


def test_evolution_vs_bayes_experiment_runs_at_a_tiny_config():
    config = experiment.EvolutionVsBayesConfig(
        n=3, train_size=4, width=5, depth=3, n_runs=10, steps=500, n_samples=5000, n_shards=2
    )
    summary = experiment.run(config).summary()
    assert summary["n_runs"] == 10 and summary["n_samples"] == 5000
    assert summary["n_accepted"] > 0


def test_sgd_vs_bayes_command_writes_the_promised_table_and_summary(tmp_path):
    out = tmp_path / "run"
    args = ["--model", "3-8-1", "--train-size", "4", "--target", "x1|x2", "--runs", "8"]
    result = run_cli(
        "sgd-vs-bayes", *args, "--samples", "4000", "--seed", "1", "--out", str(out), "-q"
    )
    assert result.returncode == 0, result.stderr
    table = pd.read_parquet(out / "functions.parquet")
    assert {"function", "p_train", "p_bayes"} <= set(table.columns)
    assert table.p_train.sum() == pytest.approx(1.0)
    assert table.function.str.len().eq(4).all()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_fit"] + summary["n_unfit"] == 8 and summary["n_samples"] == 4000
    assert summary["acceptance_rate"] == pytest.approx(summary["n_accepted"] / 4000)
    assert summary["wall_seconds"] > 0
    # the summary's headline is the one a reader computes from the table it came with
    train = (dict(zip(table.function, table.count_train, strict=True)), 8, summary["n_fit"])
    bayes = (dict(zip(table.function, table.count_bayes, strict=True)), 4000, summary["n_accepted"])
    wanted = ref.headline(train, bayes, summary["test_target"])
    for key in ("train_mass_within_decade", "train_mass_unseen_by_bayes", "mean_test_error_train"):
        assert summary[key] == pytest.approx(wanted[key]), key


def test_p_b_from_a_stored_sample_run_equals_fresh_rejection_of_the_same_nets(tmp_path):
    from minimodels.analysis.sampling.runs import SampleConfig, sample_run

    # net i of a sample run with seed s is net i of a rejection plan with seed s
    sampled = SampleConfig(model="3-8-1", samples=20_000, seed=5, shard_size=4096)
    sample_run(sampled, tmp_path / "samples", backend="serial")
    stored = run_plan(table_bayes_plan(TINY_SPLIT, TINY_NET, tmp_path / "samples"))
    fresh = run_plan(net_bayes_plan(TINY_SPLIT, TINY_NET, n_samples=20_000, seed=5))
    assert stored.n_kept > 100 and stored.n_attempts == 20_000
    np.testing.assert_array_equal(stored.functions, fresh.functions)
    np.testing.assert_array_equal(stored.counts, fresh.counts)
    with pytest.raises(ValueError, match="another prior.*sigma_w 1.0 ≠ 2.0"):
        table_bayes_plan(TINY_SPLIT, SGDSetup(model="3-8-1", sigma_w=2.0), tmp_path / "samples")
    with pytest.raises(ValueError, match="not a finished"):
        table_bayes_plan(TINY_SPLIT, TINY_NET, tmp_path)
    out = tmp_path / "compare"
    args = ["--model", "3-8-1", "--train-size", "4", "--runs", "8", "--max-steps", "300"]
    result = run_cli(
        "sgd-vs-bayes", *args, "--bayes-from", str(tmp_path / "samples"), "--out", str(out), "-q"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "summary.json").read_text())["n_samples"] == 20_000


def test_evolution_vs_bayes_command_resumes_to_the_same_table(tmp_path):
    out = tmp_path / "run"
    args = ["--n", "3", "--train-size", "4", "--width", "5", "--depth", "3", "--runs", "6"]
    args += ["--steps", "500", "--samples", "3000", "--shards", "3", "--out", str(out), "-q"]
    assert run_cli("evolution-vs-bayes", *args).returncode == 0
    first = pd.read_parquet(out / "functions.parquet")
    for shard in sorted((out / "shards").glob("bayes-*.json"))[1:]:
        shard.unlink()  # as if the run had been killed after one P_B shard
    resumed = run_cli("evolution-vs-bayes", *args, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    pd.testing.assert_frame_equal(first, pd.read_parquet(out / "functions.parquet"))
    figure = tmp_path / "side.png"
    plots = run_cli("bayes-plots", str(out), str(out), "--out", str(figure))
    assert plots.returncode == 0, plots.stderr
    assert figure.stat().st_size > 0


@pytest.mark.parametrize(
    ("command", "args", "message"),
    [
        ("sgd-vs-bayes", ["--runs", "many"], "'--runs': 'many' is not a whole number"),
        ("sgd-vs-bayes", ["--bayes", "guess"], "bayes must be"),
        ("sgd-vs-bayes", ["--optimizer", "lbfgs"], "unknown optimiser"),
        ("evolution-vs-bayes", ["--width", "3"], "do not fit"),
        ("evolution-vs-bayes", ["--rules", "4,999"], "rule 999 is out of range"),
        ("evolution-vs-bayes", ["--rules", "4,x"], "comma-separated"),
        ("bayes-plots", ["/no/such/run"], "not a finished"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, command, args, message):
    result = run_cli(command, *args, "--out", str(tmp_path / "x"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert message in result.stderr.lower()
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()  # every option is checked before anything is written


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (experiment.SGDVsBayesConfig(sigma_w=float("nan")), "sigma_w = nan must be"),
        (experiment.SGDVsBayesConfig(n_shards=0), "n_shards = 0"),
        (experiment.SGDVsBayesConfig(init="uniform", bayes="nngp"), "gaussian initialisation"),
        (experiment.EvolutionVsBayesConfig(n=30, width=40), "out of range"),
        (experiment.EvolutionVsBayesConfig(depth=0), "depth 0 and width 11 must be"),
        (experiment.EvolutionVsBayesConfig(steps=-1), "steps = -1"),
        (experiment.SGDVsBayesConfig(overtrain_steps=-1), "overtrain_steps = -1"),
    ],
)
def test_plans_check_every_option_before_any_work(config, message):
    # the commands call plans() before they create --out (tested above through the CLI)
    with pytest.raises(ValueError, match=message):
        experiment.plans(config)


@pytest.mark.slow  # compiles a 64-input trainer (~15 s on a loaded 2-core machine)
def test_digits_experiment_runs_at_a_tiny_config():
    config = experiment.DigitsConfig(train_size=6, test_size=4, n_runs=6)
    result = experiment.run_digits(config)
    assert result.comparison.p_train.sum() == pytest.approx(1.0)
    assert (result.comparison.p_bayes[result.comparison.p_train > 0] > 0).all()
    assert len(result.comparison.functions[0]) == 4


def test_ladder_reports_one_row_per_target_with_a_majority_baseline():
    config = experiment.LadderConfig(
        model="3-8-1", train_size=4, flips=(0, 2), named=("x1&x2",), n_runs=6, max_steps=300
    )
    rows = experiment.run_ladder(config).rows
    assert [row["target"] for row in rows] == ["x1, 0 flipped", "x1, 2 flipped", "x1&x2"]
    for row in rows:  # exact test and majority errors: test_middle_bayes.py
        assert row["n_runs"] == 6 and row["n_fit"] <= 6
    assert rows[0]["k_lz"] == pytest.approx(k_lz(boolean_target(3, "x1")))  # nothing flipped
    assert rows[2]["k_lz"] == pytest.approx(k_lz(boolean_target(3, "x1&x2")))
