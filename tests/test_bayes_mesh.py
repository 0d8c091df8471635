"""Quantised mesh nets in the Boolean protocol: the compiled truth tables against the JAX model,
exact P_B by enumeration against rejection, evolution through the shared mutation walk, and
tallies that do not depend on how the work is sharded."""

import json

import jax
import numpy as np
import pandas as pd
import pytest
from conftest import run_cli
from hypothesis import given, strategies as st
from jax.flatten_util import ravel_pytree

import minimodels.analysis.bayes.mesh as mesh
from minimodels.analysis.bayes.mesh import (
    QuantisedMeshSubstrate,
    enumerate_mesh_functions,
    evolve_mesh,
    evolve_mesh_functions,
    exact_mesh_posterior,
    mesh_evolution_plan,
    random_mesh_functions,
    random_mesh_plan,
    reference_truth_tables,
    truth_tables,
)
from minimodels.analysis.bayes.protocol import Split, boolean_target, run_plan
from minimodels.learners.mutation import mutation_walk

# 3·1·3 + 3 = 12 parameters, 3^12 = 531,441 level vectors: small enough to enumerate
TINY = QuantisedMeshSubstrate(width=3, depth=1, r="1/2")
SPLIT = Split(3, np.array([1, 2, 6]), np.array([0, 3, 4, 5, 7]), boolean_target(3, "x1|x2"))
SMALL = QuantisedMeshSubstrate(width=5, depth=2)  # 44 parameters
SPLIT4 = Split(4, np.array([0, 3, 5, 6, 9, 10, 12, 15]), np.array([1, 2, 4, 7, 8, 11, 13, 14]),
               boolean_target(4, "x1|x2"))  # fmt: skip


@pytest.mark.parametrize(
    ("n", "substrate"),
    [
        (3, SMALL),
        (4, SMALL),
        (3, TINY),
        (2, QuantisedMeshSubstrate(4, 3, "1/2", (-1, -0.5, 0, 0.5, 1), "relu", "zero")),
        (4, QuantisedMeshSubstrate(6, 2, "1", (-2, 1), "linear", "zero")),
    ],
)
def test_compiled_truth_tables_equal_the_jax_quantised_mesh_net(n, substrate):
    indices = np.random.default_rng(n).integers(0, len(substrate.levels), (64, substrate.n_params))
    fast = truth_tables(n, substrate, indices)
    assert fast.shape == (64, 2**n)
    np.testing.assert_array_equal(fast, reference_truth_tables(n, substrate, indices))
    assert 0 < fast.mean() < 1  # the sample holds both outputs, so the check can fail


@st.composite
def meshes(draw):
    width = draw(st.integers(2, 6))
    substrate = QuantisedMeshSubstrate(
        width=width,
        depth=draw(st.integers(1, 3)),
        r=draw(st.sampled_from(["1", "1/2"])),
        levels=draw(st.sampled_from([(-1, 0, 1), (-1, 1), (-1, -0.5, 0, 0.5, 1), (0, 2)])),
        activation=draw(st.sampled_from(["relu", "linear"])),
        boundary=draw(st.sampled_from(["cyclic", "zero"])),
    )
    return draw(st.integers(1, min(width, 4))), substrate, draw(st.integers(0, 2**32 - 1))


@given(meshes())
def test_compiled_truth_tables_equal_the_neuron_by_neuron_numpy_mesh(case):
    from minimodels.learners.nets.mesh import reference_apply

    n, substrate, seed = case
    indices = np.random.default_rng(seed).integers(
        0, len(substrate.levels), (3, substrate.n_params)
    )
    model = substrate.model(n)
    D, W, k = substrate.depth, substrate.width, substrate.n_neighbours
    shapes = {"W": (D, W, k), "W_out": (k,), "b": (D, W), "b_out": ()}  # ravel_pytree order
    x = ((np.arange(2**n)[:, None] >> np.arange(n - 1, -1, -1)) & 1).astype(float)
    for row, table in zip(indices, truth_tables(n, substrate, indices), strict=True):
        values, params, at = np.asarray(substrate.levels)[row], {}, 0
        for name, shape in shapes.items():
            size = int(np.prod(shape))
            params[name] = values[at : at + size].reshape(shape)
            at += size
        np.testing.assert_array_equal(table, reference_apply(model, params, x)[:, 0] > 0)


def test_level_vectors_are_in_ravel_pytree_order_of_the_mesh_parameters():
    model = SMALL.model(3)
    params = model.draw(jax.random.key(0), "gaussian", 1.0, 1.0)
    flat, _ = ravel_pytree(params)
    # the kernel layout (W, b, W_out, b_out), as MeshNet.draw lays out its draws
    kernel = np.concatenate([np.ravel(params[k]) for k in ("W", "b", "W_out", "b_out")])
    np.testing.assert_array_equal(np.asarray(flat)[SMALL.kernel_order], kernel)


def test_enumeration_counts_every_level_vector_in_base_l_order():
    tables, counts = enumerate_mesh_functions(3, TINY)
    assert counts.sum() == 3**12 and len(np.unique(tables, axis=0)) == len(tables)
    rng = np.random.default_rng(0)
    numbers = rng.choice(3**12, 200, replace=False)
    digits = (numbers[:, None] // 3 ** np.arange(11, -1, -1)) % 3
    by_table = {t.tobytes(): c for t, c in zip(tables, counts, strict=True)}
    assert all(t.tobytes() in by_table for t in truth_tables(3, TINY, digits))


def test_rejection_estimate_converges_to_the_exact_posterior():
    functions, exact = exact_mesh_posterior(SPLIT, TINY)
    assert exact.sum() == pytest.approx(1.0) and len(functions) > 3
    estimate = random_mesh_functions(SPLIT, TINY, n_samples=200_000, seed=1)
    assert estimate.n_kept > 5000
    assert set(estimate.functions) <= set(functions)
    p_hat = dict(zip(estimate.functions, estimate.probabilities, strict=True))
    for f, p in zip(functions, exact, strict=True):
        error = np.sqrt(p * (1 - p) / estimate.n_kept)
        assert abs(p_hat.get(f, 0.0) - p) <= 4.5 * error + 1e-12
    # the acceptance rate is the prior mass of the vectors that fit S
    tables, counts = enumerate_mesh_functions(3, TINY)
    fits = (tables[:, SPLIT.train] == SPLIT.train_labels).all(axis=1)
    assert estimate.acceptance == pytest.approx(counts[fits].sum() / 3**12, abs=0.005)


def test_evolution_runs_the_shared_mutation_walk_to_zero_training_errors(monkeypatch):
    calls = []

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return mutation_walk(*args, **kwargs)

    monkeypatch.setattr(mesh, "mutation_walk", spy)
    evolve_mesh(SPLIT4, SMALL, steps=50, rng=np.random.default_rng(2), accept="<")
    walk = evolve_mesh(SPLIT4, SMALL, steps=20_000, rng=np.random.default_rng(2))
    assert [c["accept"] for c in calls] == ["<", "<="] and calls[1]["stop_at"] == 0
    trace = np.r_[walk.initial_loss, walk.losses]
    assert trace[-1] == 0 and trace[0] > 0 and np.all(np.diff(trace) <= 0)
    # the loss is the number of training errors of the JAX model with those levels
    for kept in walk.kept[-3:]:
        assert kept.loss == int(kept.loss)
    final = reference_truth_tables(4, SMALL, np.asarray(walk.state)[None])[0]
    np.testing.assert_array_equal(final[SPLIT4.train], SPLIT4.train_labels)
    # the start is the prior's draw: the first numbers of the generator
    start = np.random.default_rng(2).integers(0, 3, SMALL.n_params)
    replay = start.copy()
    for kept in walk.kept:
        where, old, new = kept.change
        assert replay[where] == old != new
        replay[where] = new
    np.testing.assert_array_equal(replay, walk.state)


def test_errors_on_the_training_set_are_the_walks_loss():
    rng = np.random.default_rng(5)
    walk = evolve_mesh(SPLIT4, SMALL, steps=0, rng=rng)
    table = truth_tables(4, SMALL, np.asarray(walk.state)[None])[0]
    assert walk.initial_loss == np.sum(table[SPLIT4.train] != SPLIT4.train_labels)


def test_evolved_functions_lie_in_the_exact_posterior_support():
    functions, _ = exact_mesh_posterior(SPLIT, TINY)
    evolved = evolve_mesh_functions(SPLIT, TINY, n_runs=30, steps=3000, seed=3)
    assert evolved.n_kept > 0 and evolved.n_attempts == 30
    assert set(evolved.functions) <= set(functions)


@pytest.mark.parametrize("kind", ["evolution", "rejection"])
def test_tallies_do_not_depend_on_the_number_of_shards(kind):
    def plan(n_shards):
        if kind == "evolution":
            return mesh_evolution_plan(SPLIT4, SMALL, n_runs=12, steps=5000, seed=4,
                                       n_shards=n_shards)  # fmt: skip
        return random_mesh_plan(SPLIT4, SMALL, n_samples=50_000, seed=4, n_shards=n_shards,
                                batch=4096)  # fmt: skip

    one, five = run_plan(plan(1)), run_plan(plan(5))
    assert len(plan(5).tasks) == 5
    np.testing.assert_array_equal(one.functions, five.functions)
    np.testing.assert_array_equal(one.counts, five.counts)
    assert (one.n_attempts, one.n_kept) == (five.n_attempts, five.n_kept) and one.n_kept > 0


def test_a_process_pool_gives_the_serial_tally():
    plan = random_mesh_plan(SPLIT4, SMALL, n_samples=20_000, seed=6, n_shards=2, batch=5000)
    serial = run_plan(plan)
    pooled = run_plan(plan, backend="process", jobs=2)
    np.testing.assert_array_equal(serial.functions, pooled.functions)
    np.testing.assert_array_equal(serial.counts, pooled.counts)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: QuantisedMeshSubstrate(levels=(1, 1)), "distinct"),
        (lambda: QuantisedMeshSubstrate(r="2"), "range"),
        (lambda: QuantisedMeshSubstrate(activation="tanh"), "relu or linear"),
        (lambda: QuantisedMeshSubstrate(width=0), "positive integer"),
        (lambda: SMALL.check(7), "1..6 inputs"),
        (lambda: QuantisedMeshSubstrate(width=3).check(4), "do not fit"),
        (lambda: enumerate_mesh_functions(3, SMALL), "too many"),
        (lambda: truth_tables(3, SMALL, np.zeros((1, 5), int)), "44 entries"),
        (lambda: truth_tables(3, SMALL, np.full((1, 44), 3)), "0..2"),
    ],
)
def test_bad_substrates_and_inputs_are_refused_in_one_sentence(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_mesh_command_writes_the_run_and_refuses_bad_options(tmp_path):
    out = tmp_path / "run"
    args = ["--substrate", "mesh", "--n", "3", "--train-size", "4", "--width", "4"]
    result = run_cli(
        "evolution-vs-bayes", *args, "--runs", "20", "--samples", "20000", "--out", str(out), "-q"
    )
    assert result.returncode == 0, result.stderr
    table = pd.read_parquet(out / "functions.parquet")
    assert {"function", "p_train", "p_bayes", "count_train", "count_bayes"} <= set(table.columns)
    assert table.p_train.sum() == pytest.approx(1.0)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["learner"] == "P_evo" and summary["n_runs"] == 20
    assert json.loads((out / "config.json").read_text())["levels"] == [-1.0, 0.0, 1.0]
    for bad, words in [
        (["--substrate", "mesh", "--levels", "1,x"], "comma-separated numbers"),
        (["--substrate", "mesh", "--rules", "4,146"], "--rules applies"),
        (["--substrate", "mesh", "--bayes", "exact"], "too many to enumerate"),
        (["--substrate", "cnn"], "substrate must be"),
    ]:
        failed = run_cli("evolution-vs-bayes", *bad, "--out", str(tmp_path / "bad"))
        assert failed.returncode == 2 and words in failed.stderr
        assert "Traceback" not in failed.stderr and len(failed.stderr.strip().splitlines()) == 1


def test_the_mesh_gallery_section_builds_at_a_tiny_config(monkeypatch):
    from minimodels import gallery
    from minimodels.experiments import bayes as experiment
    from minimodels.gallery.sections import bayes as sections

    config = experiment.MeshEvolutionVsBayesConfig
    tiny = {"n": 3, "train_size": 4, "width": 4, "n_runs": 20, "n_samples": 20_000}
    monkeypatch.setattr(config, "quick", classmethod(lambda cls, **kw: cls(**{**tiny, **kw})))
    section = sections.build_evolution_mesh(gallery.Context(quick=True, seed=1))
    assert section.numbers["runs (fit / started)"].endswith("/ 20")
    assert "Verdict (this run)" in section.intro and len(section.figures) == 1
    assert "--substrate mesh" in section.command and "--levels=-1,0,1" in section.command


def _comparison(p_train, p_bayes, n_errors):
    from minimodels.analysis.bayes.protocol import Comparison

    p_train, p_bayes = np.asarray(p_train, float), np.asarray(p_bayes, float)
    return Comparison(
        functions=np.array([format(i, "03b") for i in range(len(p_train))]),
        p_train=p_train, p_bayes=p_bayes,
        count_train=np.round(1000 * p_train).astype(np.int64),
        count_bayes=np.round(1000 * p_bayes).astype(np.int64),
        n_errors=np.asarray(n_errors), train_name="P_evo",
    )  # fmt: skip


def test_the_verdict_follows_the_numbers():
    from minimodels.gallery.sections.bayes import evolution_verdict

    # evolution spreads mass onto rare, wrong functions: flatter, under-weights the favourite
    flat = evolution_verdict(
        _comparison([0.5, 0.2, 0.2, 0.1], [0.9, 0.07, 0.025, 0.005], [0, 1, 2, 3])
    )
    assert "flatter than P_B" in flat and "under-weights" in flat and "×1.8" in flat
    assert "more test errors" in flat and "close to" not in flat
    # a sharper learner: more mass on the favourite than P_B gives it
    sharp = evolution_verdict(
        _comparison([0.95, 0.05, 0.0, 0.0], [0.6, 0.3, 0.095, 0.005], [0, 1, 2, 3])
    )
    assert "more peaked than P_B" in sharp and "over-weights" in sharp
    assert "fewer test errors" in sharp


def test_the_experiment_takes_p_b_exactly_when_the_mesh_is_small_enough():
    from minimodels.experiments import bayes as experiment

    config = experiment.MeshEvolutionVsBayesConfig(
        n=3, train_size=3, width=3, depth=1, r="1/2", n_runs=30, steps=3000
    )
    assert config.bayes_method == "exact"
    assert experiment.MeshEvolutionVsBayesConfig().bayes_method == "rejection"  # 3^44 vectors
    result = experiment.run(config)
    assert result.summary()["bayes_method"] == "exact"
    functions, exact = exact_mesh_posterior(result.split, config.substrate)
    comparison = result.comparison
    np.testing.assert_allclose(comparison.p_bayes[np.isin(comparison.functions, functions)],
                               exact[np.argsort(functions)])  # fmt: skip
    assert comparison.p_bayes.sum() == pytest.approx(1.0)
    assert comparison.p_train.sum() == pytest.approx(1.0)


def test_a_resumed_mesh_plan_ends_with_exactly_the_uninterrupted_tally():
    plan = mesh_evolution_plan(SPLIT4, SMALL, n_runs=8, steps=5000, seed=9, n_shards=4)
    finished: dict = {}
    whole = run_plan(plan, on_result=finished.__setitem__)
    resumed_calls = []
    resumed = run_plan(
        plan, done={i: finished[i] for i in (1, 3)}, on_result=lambda i, r: resumed_calls.append(i)
    )
    assert sorted(resumed_calls) == [0, 2]
    np.testing.assert_array_equal(whole.functions, resumed.functions)
    np.testing.assert_array_equal(whole.counts, resumed.counts)
