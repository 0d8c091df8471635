"""Why nets? Learners side by side: each checked against an independent computation.

Interpolation where it must hold (closed form: a learner that interpolates reproduces its
training data), the Boolean MLP against the P_SGD pipeline it shares, the tabular
transformations against their defining properties and a naive smoother, the NNGP kernel against
the kernel function, and the verdicts against hand-built rows.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from minimodels.analysis import catalogue, tabular, zoo
from minimodels.analysis.bayes.nets import SGDSetup, sgd_functions
from minimodels.analysis.bayes.nngp import nngp_kernel
from minimodels.analysis.bayes.protocol import boolean_target, random_split
from minimodels.base.errors import UsageError
from minimodels.experiments.why_nets import boolean, config as why_config, tabular as why_tabular
from minimodels.experiments.why_nets.config import LearnersConfig
from minimodels.experiments.why_nets.runs import compare_learners, run


def points(m: int = 9, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1, 1, m))[:, None]
    return x, rng.normal(size=m)


@pytest.mark.parametrize("name", ["knn1", "gp-rbf", "interp", "tree"])
def test_interpolating_learners_reproduce_their_training_data(name):
    x, y = points()
    predict = zoo.make_learner(name).fit(x, y, kind="regression", seed=0)
    np.testing.assert_allclose(predict(x), y, atol=1e-3)


def test_the_nngp_gp_reproduces_its_training_data_on_distinct_boolean_inputs():
    rng = np.random.default_rng(3)
    rows = rng.choice(128, 32, replace=False)
    x = ((rows[:, None] >> np.arange(6, -1, -1)) & 1).astype(float)
    y = rng.normal(size=32)
    predict = zoo.make_learner("gp-nngp").fit(x, y, kind="regression", seed=0)
    K = nngp_kernel(x)
    posterior_mean = K @ np.linalg.solve(K + 1e-6 * np.eye(32), y)  # the GP's closed form
    np.testing.assert_allclose(predict(x), posterior_mean, atol=1e-8)
    np.testing.assert_allclose(predict(x), y, atol=1e-2)  # jitter 1e-6 on eigenvalues ≥ 1e-3


def test_a_polynomial_of_degree_m_minus_1_goes_through_m_points_and_lower_degrees_do_not():
    x, y = points(7)
    exact = zoo.SklearnLearner("poly", degree=6).fit(x, y, kind="regression", seed=0)
    np.testing.assert_allclose(exact(x), y, atol=1e-8)
    reference = np.polyval(np.polyfit(x[:, 0], y, 6), 0.3)  # numpy's own fit, elsewhere
    np.testing.assert_allclose(exact(np.array([[0.3]])), reference, rtol=1e-6)
    low = zoo.SklearnLearner("poly", degree=2).fit(x, y, kind="regression", seed=0)
    assert np.abs(low(x) - y).max() > 0.1


def test_interpolation_is_numpys_piecewise_linear_and_flat_outside():
    x, y = points(5)
    predict = zoo.make_learner("interp").fit(x[::-1], y[::-1], kind="regression", seed=0)
    grid = np.linspace(-3, 3, 61)[:, None]
    np.testing.assert_allclose(predict(grid), np.interp(grid[:, 0], x[:, 0], y))
    assert predict(np.array([[5.0]]))[0] == y[-1]


def test_the_arc_cosine_kernel_is_the_nngp_kernel_of_the_stacked_inputs():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(4, 3)), rng.normal(size=(5, 3))
    kernel = zoo.ArcCosineKernel(depth=2)
    np.testing.assert_allclose(kernel(a, b), nngp_kernel(np.vstack([a, b]))[:4, 4:])
    np.testing.assert_allclose(kernel.diag(a), np.diag(nngp_kernel(a)))


def test_the_boolean_mlp_is_the_p_sgd_pipelines_net_for_the_same_seed():
    config = LearnersConfig(task="boolean", net_steps=2000)
    target = boolean_target(7, "x1&x2")
    split = random_split(7, 32, target, rng=np.random.default_rng(5))
    x = split.inputs.astype(np.float64)
    predict = config.learner("mlp").fit(
        x[split.train], split.train_labels.astype(float), kind="classification", seed=11
    )
    ours = "".join(str(int(b)) for b in predict(x[split.test]))
    tally = sgd_functions(split, SGDSetup(max_steps=2000), n_runs=1, seed=11)
    assert tally.n_kept == 1 and list(tally.functions) == [ours]


def test_boolean_rows_count_errors_against_the_target_and_the_majority_class():
    config = LearnersConfig(task="boolean", learners=("knn1", "tree"), train_sizes=(32,),
                            flips=(0,), named=("x1&x2&x3",), n_sets=2, prior_samples=0)  # fmt: skip
    result = run(config)
    assert len(result.rows) == 2 * 2 * 2  # targets × sets × learners
    targets = dict(boolean.boolean_targets(config))
    for row in result.rows:
        truth = np.array([int(c) for c in targets[row["target"]]])
        bits = np.array([int(c) for c in row["function"]])
        split = random_split(7, 32, targets[row["target"]], rng=np.random.default_rng(row["seed"]))
        assert row["test_error"] == np.mean(bits[split.test] != truth[split.test])
        test_ones = truth[split.test].mean()
        train_ones = truth[split.train].mean()
        assert row["majority_error"] == (test_ones if train_ones < 0.5 else 1 - test_ones)
    # 1-NN and a fully grown tree fit every training label
    assert all(row["train_error"] == 0 for row in result.rows)


def test_the_x1_ladder_is_the_generalisation_ladders():
    from minimodels.experiments.bayes import LadderConfig

    ladder = LadderConfig()
    ours = boolean.boolean_targets(LearnersConfig(flips=ladder.flips, named=(), seed=0))
    rng = np.random.default_rng(0)
    base = np.array([int(c) for c in boolean_target(7, "x1")])
    for (_, table), k in zip(ours, ladder.flips, strict=True):
        flipped = base.copy()
        flipped[rng.choice(128, size=k, replace=False)] ^= 1
        assert table == "".join(map(str, flipped))
        assert sum(a != b for a, b in zip(table, boolean_target(7, "x1"), strict=True)) == k


def test_a_one_class_training_set_is_answered_with_that_class():
    x = np.eye(4)
    for name in ("svm-rbf", "boosting", "knn", "gp-rbf", "poly"):
        predict = zoo.make_learner(name).fit(x, np.ones(4), kind="classification", seed=0)
        assert (predict(np.zeros((3, 4))) == 1).all()


def test_a_rule_array_of_even_rules_cannot_answer_1_on_the_all_zero_input_and_says_so_by_failing():
    learner = zoo.make_learner("rulearray", zoo.LearnerOptions(rule_steps=2000))
    x = ((np.arange(8)[:, None] >> np.arange(2, -1, -1)) & 1).astype(float)
    y = np.ones(8)  # the constant 1: row 0 (all zeros) can never be 1 with rules 4 and 146
    predict = learner.fit(x, y, kind="classification", seed=0)
    assert predict(x[:1])[0] == 0


def test_the_rule_arrays_bump_answers_hold_between_columns():
    grid = tuple(np.linspace(-1, 1, 11).tolist())
    learner = zoo.make_learner("rulearray", zoo.LearnerOptions(columns=grid, rule_depth=12))
    x = np.array(grid)[:, None]
    y = (np.abs(x[:, 0]) < 0.5).astype(float)
    predict = learner.fit(x, y, kind="classification", seed=0)
    np.testing.assert_array_equal(predict(x + 0.04), predict(x))


def split_of(name: str = "wine", seed: int = 0) -> tabular.Split:
    data = tabular.load(name)
    return tabular.split(data, test_fraction=0.3, rng=np.random.default_rng(seed))


def test_a_rotation_keeps_every_pairwise_distance_and_changes_the_features():
    base = split_of()
    rotated = tabular.transform(base, "rotated", rng=np.random.default_rng(1))
    both = np.vstack([base.x_train, base.x_test])
    turned = np.vstack([rotated.x_train, rotated.x_test])
    distances = np.linalg.norm(both[:, None] - both[None], axis=2)
    np.testing.assert_allclose(np.linalg.norm(turned[:, None] - turned[None], axis=2), distances,
                               atol=1e-9)  # fmt: skip
    assert np.abs(turned - both).max() > 0.5
    np.testing.assert_array_equal(rotated.y_test, base.y_test)


def test_added_columns_do_not_depend_on_the_target_and_keep_the_features():
    base = split_of()
    shuffled = tabular.Split(base.name, base.x_train, base.y_train[::-1], base.x_test, base.y_test)
    a = tabular.transform(base, "uninformative", rng=np.random.default_rng(2))
    b = tabular.transform(shuffled, "uninformative", rng=np.random.default_rng(2))
    assert a.d == 2 * base.d
    np.testing.assert_array_equal(a.x_train, b.x_train)  # the labels did not move a column
    np.testing.assert_array_equal(a.x_train[:, : base.d], base.x_train)
    noise = a.x_train[:, base.d :]
    assert abs(noise.mean()) < 0.1 and abs(noise.std() - 1) < 0.1


def test_smoothed_labels_are_the_naive_kernel_average_thresholded():
    base = split_of()
    h = 2.0
    smoothed = tabular.transform(base, "smoothed", rng=np.random.default_rng(0), bandwidth=h)
    for i in range(0, len(base.x_test), 7):
        weights = [np.exp(-np.sum((base.x_test[i] - xj) ** 2) / (2 * h * h)) for xj in base.x_train]
        average = np.dot(weights, base.y_train) / np.sum(weights)
        assert smoothed.y_test[i] == float(average >= 0.5)


def test_the_split_is_stratified_and_standardised_by_its_training_rows():
    data = tabular.load("breast-cancer")
    split = split_of("breast-cancer")
    assert len(split.y_test) == round(0.3 * (data.y == 0).sum()) + round(0.3 * (data.y == 1).sum())
    np.testing.assert_allclose(split.x_train.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(split.x_train.std(axis=0), 1, atol=1e-9)


def rows(changes: dict[str, list[float]], how: str = "rotated") -> list[dict]:
    out = []
    for learner, deltas in changes.items():
        for s, delta in enumerate(deltas):
            for transform, accuracy in (("original", 0.8), (how, 0.8 + delta)):
                out.append({"learner": learner, "dataset": "d", "seed": s,
                            "transform": transform, "test_accuracy": accuracy})  # fmt: skip
    return out


def test_the_verdicts_need_two_standard_errors_and_the_right_sign():
    hurt = {"forest": [-0.1, -0.12, -0.08, -0.1], "boosting": [-0.1] * 4, "mlp": [0.0] * 4}
    assert why_tabular.tabular_findings(rows(hurt))["rotated"]["verdict"] == "reproduced"
    swapped = {"forest": [0.0] * 4, "boosting": [0.0] * 4, "mlp": [-0.1, -0.12, -0.08, -0.1]}
    assert why_tabular.tabular_findings(rows(swapped))["rotated"]["verdict"] == "opposite"
    noisy = {"forest": [-0.1, 0.1, -0.1, 0.1], "boosting": [0.0] * 4, "mlp": [0.0] * 4}
    assert why_tabular.tabular_findings(rows(noisy))["rotated"]["verdict"] == "not resolved"
    finding = why_tabular.tabular_findings(rows(hurt))["rotated"]
    assert finding["trees minus MLP"] == pytest.approx(-0.1)
    assert finding["standard error"] == pytest.approx(
        np.std([-0.1, -0.11, -0.09, -0.1], ddof=1) / 2
    )


def test_the_bump_run_is_reproducible_and_measures_against_the_bump():
    config = LearnersConfig(task="bump", learners=("knn1", "forest", "svm-rbf"), seeds=2)
    a, b = run(config), run(config)
    assert a.rows == [{**r, "seconds": s["seconds"]} for r, s in zip(b.rows, a.rows, strict=True)]
    knn = a.curves["knn1"][0]
    assert knn[0] == 0 and knn[-1] == 0 and knn[200] == 1  # x = −2, 2 (nearest: 0), x = 0
    row = next(r for r in a.rows if r["learner"] == "svm-rbf")
    outside = np.abs(why_config.BUMP_EVAL) > 1
    assert row["outside_mse"] == pytest.approx(np.mean(a.curves["svm-rbf"][0][outside] ** 2))


@pytest.mark.parametrize(
    ("options", "flag"),
    [
        ({"task": "spiral"}, "task"),
        ({"learners": ("oak",)}, "learners"),
        ({"task": "tabular", "learners": ("rulearray",)}, "learners"),
        ({"task": "boolean", "learners": ("interp",)}, "learners"),
        ({"task": "boolean", "train_sizes": (128,)}, "train_sizes"),
        ({"task": "boolean", "named": ("x9",)}, "named"),
        ({"task": "tabular", "datasets": ("iris",)}, "datasets"),
        ({"task": "tabular", "transforms": ("sheared",)}, "transforms"),
    ],
)
def test_bad_options_are_refused_in_one_sentence_naming_them(options, flag):
    with pytest.raises(UsageError) as refused:
        LearnersConfig(**options).check()
    assert refused.value.options[0] == flag
    assert "\n" not in str(refused.value)


def test_a_prior_too_big_for_memory_is_refused_before_anything_is_drawn():
    with pytest.raises(UsageError, match="memory"):
        LearnersConfig(task="boolean", prior_samples=10**13).check()


def test_a_learner_that_cannot_run_a_task_says_which_and_why():
    with pytest.raises(UsageError, match="rulearray cannot run task tabular: it takes bits"):
        compare_learners("tabular", learners="rulearray")


def test_every_learner_that_can_run_a_task_is_chosen_by_default():
    assert "interp" in LearnersConfig(task="bump").chosen()
    assert "interp" not in LearnersConfig(task="boolean").chosen()
    assert {"rulearray", "mesh"} & set(LearnersConfig(task="tabular").chosen()) == set()
    assert len(LearnersConfig(task="boolean").chosen()) == len(catalogue.NAMES) - 1


def test_priors_are_each_learners_own_random_models():
    config = LearnersConfig(task="boolean", n=3, prior_samples=4000)
    perceptron_like = boolean.prior_tables(config, "gp-nngp")
    assert perceptron_like.shape == (4000, 8)
    assert boolean.prior_tables(config, "knn1") is None  # no prior of its own
    rule_arrays = boolean.prior_tables(config, "rulearray")
    assert (rule_arrays[:, 0] == 0).all()  # even rules: the all-zero input gives 0
    tree = boolean.prior_tables(LearnersConfig(task="boolean", n=3, prior_samples=50), "tree")
    assert tree.shape == (50, 8) and len({t.tobytes() for t in tree}) > 5


def test_the_command_writes_a_run_with_tables_pandas_can_read(tmp_path):
    from minimodels import cli

    out = tmp_path / "run"
    try:
        cli.main(["learners", "--task", "boolean", "--learners", "knn1,gp-nngp", "--sets", "2",
                  "--train-sizes", "32", "--flips", "0", "--named", "parity",
                  "--prior-samples", "500", "-q", "--out", str(out)])  # fmt: skip
    except SystemExit as done:  # typer's standalone mode ends with exit 0
        assert done.code in (0, None)
    table = pq.read_table(out / "learners.parquet").to_pandas()
    assert len(table) == 2 * 2 * 2 and set(table["learner"]) == {"knn1", "gp-nngp"}
    priors = pq.read_table(out / "priors.parquet").to_pandas()
    assert priors["count"].sum() == 500 and set(priors["learner"]) == {"gp-nngp"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["task"] == "boolean"
    assert (out / "errors.png").exists() and (out / "functions.png").exists()


@pytest.mark.parametrize("name", ["knn1", "svm-rbf", "gp-nngp"])
def test_learners_that_see_only_distances_or_inner_products_ignore_a_rotation(name):
    # the arc-cosine kernel depends on inner products and norms only, as do RBF and 1-NN
    base = split_of("wine")
    rotated = tabular.transform(base, "rotated", rng=np.random.default_rng(4))
    learner = zoo.make_learner(name)
    before = learner.fit(base.x_train, base.y_train, kind="classification", seed=0)
    after = learner.fit(rotated.x_train, rotated.y_train, kind="classification", seed=0)
    np.testing.assert_array_equal(before(base.x_test), after(rotated.x_test))


def test_a_tree_is_not_rotation_invariant():
    base = split_of("breast-cancer")
    rotated = tabular.transform(base, "rotated", rng=np.random.default_rng(4))
    tree = zoo.make_learner("tree")
    before = tree.fit(base.x_train, base.y_train, kind="classification", seed=0)
    after = tree.fit(rotated.x_train, rotated.y_train, kind="classification", seed=0)
    assert (before(base.x_test) != after(rotated.x_test)).any()


def test_ctrl_c_on_a_command_without_resume_says_to_start_again_with_overwrite(
    tmp_path, monkeypatch, capsys
):
    from minimodels import cli
    from minimodels.experiments.why_nets import runs

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runs, "run", interrupted)
    with pytest.raises(SystemExit) as stop:
        cli.main(["learners", "--learners", "knn1", "-q", "--out", str(tmp_path / "run")])
    assert stop.value.code == 130
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line == "Interrupted; rerun with --overwrite to start again."


def test_trees_lead_is_the_paired_difference_on_the_original_data():
    from minimodels.experiments.why_nets.tabular import trees_lead

    rows = []
    # (dataset, seed): forest, boosting, mlp accuracies; a rotated row must be ignored
    table = {("a", 0): (0.90, 0.80, 0.70), ("a", 1): (0.85, 0.85, 0.80),
             ("b", 0): (0.70, 0.70, 0.75)}  # fmt: skip
    for (dataset, seed), accuracies in table.items():
        for learner, acc in zip(("forest", "boosting", "mlp"), accuracies, strict=True):
            rows.append({"learner": learner, "dataset": dataset, "seed": seed,
                         "transform": "original", "test_accuracy": acc})  # fmt: skip
            rows.append({"learner": learner, "dataset": dataset, "seed": seed,
                         "transform": "rotated", "test_accuracy": 0.0})  # fmt: skip
    lead = trees_lead(rows)
    differences = [0.85 - 0.70, 0.85 - 0.80, 0.70 - 0.75]  # 0.15, 0.05, -0.05
    assert lead["pairs"] == 3
    assert lead["trees minus MLP"] == pytest.approx(np.mean(differences))
    assert lead["standard error"] == pytest.approx(np.std(differences, ddof=1) / np.sqrt(3))
    assert lead["verdict"] == "not resolved"  # 0.05 ± 0.058
    assert trees_lead([r for r in rows if r["learner"] != "mlp"]) == {}
