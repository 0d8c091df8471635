"""The debate's experiments: landscape, double descent, scaling, implicit regularisation.

References are independent of the code under test: brute-force parameter counts, a plain
per-step optax loop for the tracked trainer, bit-for-bit equality of hidden units for the
constant initialisation, and hand-made rows for the summaries and verdicts.
"""

from __future__ import annotations

import json
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pyarrow.parquet as pq
import pytest

from minimodels import cli
from minimodels.base.errors import UsageError
from minimodels.experiments.debate import (
    DoubleDescentConfig,
    ImplicitConfig,
    LandscapeConfig,
    ScalingConfig,
    run,
    verdicts,
)
from minimodels.experiments.debate.config import deep_width
from minimodels.experiments.debate.implicit import grokking_verdict, track
from minimodels.experiments.debate.landscape import (
    constant_init_symmetry,
    distinct_units,
    plain_descent,
    random_direction,
    unit_alignment,
)
from minimodels.experiments.debate.scaling import fit_laws
from minimodels.experiments.debate.summaries import peak
from minimodels.experiments.debate.tasks import boolean_split, seed_keys, teacher_data
from minimodels.learners.nets import MLP, Training, init_many, train_many

# ---------------------------------------------------------------- configs: one sentence each


@pytest.mark.parametrize(
    ("config", "option"),
    [
        (LandscapeConfig(directions="pca"), "directions"),
        (LandscapeConfig(widths=(4, 0)), "widths"),
        (LandscapeConfig(hidden=()), "hidden"),
        (LandscapeConfig(train_size=128), "train_size"),
        (LandscapeConfig(grid=3_000_000), "grid"),
        (LandscapeConfig(target="x9"), "target"),
        (DoubleDescentConfig(features=(0, 10)), "features"),
        (DoubleDescentConfig(budget=5, depths=(4,)), "budget"),
        (DoubleDescentConfig(noise=-1.0), "noise"),
        (DoubleDescentConfig(features=(10**9,)), "features"),
        (ScalingConfig(fracs=(0.5, 1.0)), "fracs"),
        (ScalingConfig(widths=()), "widths"),
        (ImplicitConfig(optimizers=("rmsprop",)), "optimizers"),
        (ImplicitConfig(losses=("hinge",)), "losses"),
        (ImplicitConfig(every=20_000), "every"),
    ],
)
def test_bad_config_names_its_option(config, option):
    with pytest.raises(UsageError) as error:
        config.check()
    flag = f"--{option.replace('_', '-')}"
    assert option in error.value.options or flag in str(error.value)
    assert "\n" not in str(error.value)


def test_presets_check():
    for cls in (LandscapeConfig, DoubleDescentConfig, ScalingConfig, ImplicitConfig):
        assert cls.preset().check() == cls()
        assert cls.quick().check() is not None


def test_deep_width_is_the_closest_parameter_count():
    def count(widths):  # brute force, independent of the config's helper
        return sum((a + 1) * b for a, b in zip(widths[:-1], widths[1:], strict=False))

    for budget in (300, 2000, 5000):
        for depth in (1, 2, 4):
            w = deep_width(budget, depth)
            best = min(abs(count((7, *[v] * depth, 1)) - budget) for v in range(1, 4096))
            assert abs(count((7, *[w] * depth, 1)) - budget) == best
            assert MLP((7, *[w] * depth, 1)).n_params == count((7, *[w] * depth, 1))


# ---------------------------------------------------------------- tasks


def test_boolean_split_partitions_the_inputs():
    split = boolean_split("majority", 64, seed=3)
    assert len(split.train) == 64 and len(split.test) == 64
    assert sorted(np.concatenate([split.train, split.test]).tolist()) == list(range(128))
    # majority of 7 bits, computed here from the inputs
    assert np.array_equal(split.y > 0, split.x.sum(axis=1) >= 4)
    again = boolean_split("majority", 64, seed=3)
    assert np.array_equal(split.train, again.train)


def test_teacher_data_is_seeded_and_noise_only_moves_labels():
    x, y = teacher_data(50, 8, seed=1)
    x2, y2 = teacher_data(50, 8, seed=1, noise=0.5)
    assert np.array_equal(x, x2)
    assert 0.2 < np.std(y2 - y) < 0.8
    assert np.std(y) > 0.3  # the teacher is not constant


# ---------------------------------------------------------------- landscape pieces


def test_constant_init_keeps_hidden_units_identical_to_the_bit():
    model = MLP((7, 12, 12, 1))
    split = boolean_split("majority", 64, seed=0)
    numbers = constant_init_symmetry(model, split, steps=200)
    # exact-order descent: one distinct unit per layer, bit for bit
    assert numbers["distinct hidden units, constant init"] == [1, 1]
    # the compiled trainer may round units in different tiles apart, by float32 rounding only
    assert numbers["unit spread, constant init, compiled Adam"] < 1e-5
    assert numbers["distinct hidden units, random init"] == [12, 12]
    assert numbers["unit spread, random init"] > 0.1


def test_plain_descent_is_the_trainers_plain_sgd():
    model = MLP((7, 10, 10, 1))
    split = boolean_split("parity", 64, seed=1)
    start = model.init(key=jax.random.key(3))
    reference = plain_descent(start, split.x_train, split.y_train, learning_rate=0.05, steps=50)
    stacked = jax.tree_util.tree_map(lambda leaf: leaf[None], start)
    sgd = Training("sgd", 0.05, momentum=0.0, max_steps=50)
    trained = train_many(
        model, split.x_train, split.y_train, sgd, keys=seed_keys(0, 1), params=stacked
    )
    for ours, theirs in zip(trained.params, reference, strict=True):
        assert np.allclose(np.asarray(ours["W"])[0], theirs["W"], atol=1e-5)
        assert np.allclose(np.asarray(ours["b"])[0], theirs["b"], atol=1e-5)
    assert not np.allclose(reference[0]["W"], start[0]["W"], atol=1e-3)  # it did move


def test_distinct_units_and_alignment_on_hand_made_weights():
    w = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)
    params = ({"W": w, "b": np.zeros(3, np.float32)}, {"W": np.ones((3, 1)), "b": np.zeros(1)})
    assert distinct_units(params) == [2]
    # cosines between the three columns: 1, 0, 0 → mean over the 6 ordered pairs = 2/6
    assert unit_alignment(params) == pytest.approx(1 / 3)


def test_random_direction_has_the_weights_norm_and_no_bias():
    model = MLP((7, 10, 1))
    params = model.init(key=jax.random.key(0))
    d = random_direction(params, jax.random.key(1))
    weights = math.sqrt(sum(float(jnp.sum(layer["W"] ** 2)) for layer in params))
    assert math.sqrt(sum(float(jnp.sum(layer["W"] ** 2)) for layer in d)) == pytest.approx(
        weights, rel=1e-5
    )
    assert all(float(jnp.abs(layer["b"]).max()) == 0 for layer in d)


# ---------------------------------------------------------------- implicit


def test_tracked_training_equals_a_plain_optax_loop():
    model = MLP((7, 6, 1))
    split = boolean_split("x1&x2", 32, seed=0)
    start = init_many(model, jax.random.split(jax.random.key(0), 2))
    x, y, x_all = (jnp.asarray(a) for a in (split.x_train, split.y_train, split.x))
    outputs, norms = track(model, start, x, y, x_all, optimizer="adam", checkpoints=3, every=5)
    rule = optax.adam(1e-3)
    for i in range(2):  # the reference: one net, one step at a time, in Python
        p = jax.tree_util.tree_map(lambda leaf, i=i: leaf[i], start)
        state = rule.init(p)

        def loss(q):
            return jnp.mean((model.apply(q, jnp.asarray(split.x_train))[:, 0] - split.y_train) ** 2)

        for step in range(15):
            updates, state = rule.update(jax.grad(loss)(p), state, p)
            p = optax.apply_updates(p, updates)
            if (step + 1) % 5 == 0:
                c = (step + 1) // 5 - 1
                reference = np.asarray(model.apply(p, jnp.asarray(split.x))[:, 0])
                np.testing.assert_allclose(outputs[i, c], reference, rtol=1e-5, atol=1e-5)
                norm = math.sqrt(sum(float(jnp.sum(leaf**2)) for leaf in jax.tree.leaves(p)))
                assert float(norms[i, c]) == pytest.approx(norm, rel=1e-5)


def _grok_row(loss, wd, l1, generalised):
    return {"part": "grokking", "loss": loss, "wd": wd, "l1": l1, "generalised": generalised}


def test_grokking_verdict_reads_the_l1_zero_cells():
    refuted = [_grok_row("mse", 1.0, 0.0, True), _grok_row("mse", 1.0, 1e-4, False)]
    assert grokking_verdict(refuted)["verdict"] == "refuted"
    supported = [_grok_row("mse", 0.0, 0.0, False), _grok_row("mse", 0.0, 1e-4, True)]
    assert grokking_verdict(supported)["verdict"] == "supported"
    nobody = [_grok_row("ce", 0.0, 0.0, False), _grok_row("ce", 0.0, 1e-4, False)]
    assert grokking_verdict(nobody)["verdict"] == "untested"
    assert grokking_verdict([]) == {}


def test_peak_is_the_largest_median():
    rows = [{"parameters": p, "test_mse": v} for p, v in
            [(10, 1.0), (10, 3.0), (50, 9.0), (50, 7.0), (50, 100.0), (90, 0.5)]]  # fmt: skip
    found = peak(rows)
    assert found["parameters"] == 50 and found["median test MSE"] == 9.0
    assert found["median test MSE at the largest size"] == 0.5


def test_fit_laws_tells_a_power_law_from_a_cliff():
    n = np.geomspace(10, 10_000, 8)
    law_rows = [{"task": "teacher", "axis": "parameters", "n": x, "test_loss": 2 * x**-0.5 + 0.01}
                for x in n]  # fmt: skip
    cliff_rows = [{"task": "modular", "axis": "examples", "n": x, "test_loss": 3.0 if x < 500
                   else 1e-4} for x in n]  # fmt: skip
    laws = fit_laws(law_rows + cliff_rows, bootstrap=20, seed=0)
    teacher, modular = laws["teacher, parameters"], laws["modular, examples"]
    assert teacher["power law"] and teacher["alpha"] == pytest.approx(0.5, abs=0.02)
    assert teacher["residual"] < 0.01
    assert not modular["power law"] and modular["residual"] > 1.0
    assert laws["teacher, examples"] is None  # no points on that axis


# ---------------------------------------------------------------- whole runs, small


TINY = {
    "landscape": LandscapeConfig(
        hidden=(8, 8), steps=150, resolution=5, grid=4, eigenvalues=2, trace_samples=4,
        bezier_steps=20, batch_sizes=(8, 64), sgd_steps=100, widths=(2, 8),
        init_scales=(0.5, 2.0), runs=2,
    ),
    "double-descent": DoubleDescentConfig(
        n_train=20, features=(5, 20, 80), widths=(2, 8), degrees=(3, 19, 40), net_steps=100,
        budget=300, depths=(1, 2), seeds=2,
    ),
    "implicit": ImplicitConfig(
        steps=200, every=50, runs=2, wds=(0.0,), l1s=(0.0,), losses=("mse",), grok_steps=50,
        grok_seeds=1, optimizers=("sgd",),
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(TINY))
def test_tiny_runs_give_rows_summaries_and_figures(name):
    result = run(TINY[name])
    assert result.rows and result.experiment == name
    summary = json.loads(json.dumps(result.summary(), default=str))
    assert summary["experiment"] == name
    figure = result.plot()
    assert figure.axes
    if name == "landscape":
        n = result.numbers
        # the straight path's barrier is measured from its own losses
        line = result.curves["line_train_loss"]
        ends = np.linspace(line[0], line[-1], len(line))
        assert n["barrier, straight path"] == pytest.approx(float(np.max(line - ends)), abs=1e-6)
        assert result.curves["slice_2d"].shape == (4, 4)
        assert len(n["top Hessian eigenvalues"]) == 2


def test_scaling_tiny_run_fits_laws():
    config = ScalingConfig(
        widths=(2, 4, 8, 16), sizes=(16, 32, 64, 128), big_n=128, net_steps=100, p=7,
        mod_widths=(4, 8), fracs=(0.3, 0.6), mod_steps=20, seeds=1, bootstrap=10,
    )  # fmt: skip
    result = run(config)
    laws = result.numbers["power laws"]
    assert laws["teacher, parameters"] is not None
    assert laws["modular, parameters"] is None  # two widths cannot fit three numbers
    assert {r["task"] for r in result.rows} == {"teacher", "modular"}


# ---------------------------------------------------------------- the commands


def _main(args, capsys):
    code = 0
    try:
        cli.main(list(args))
    except SystemExit as stop:
        code = stop.code or 0
    return code, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["landscape", "--directions", "pca"], "--directions"),
        (["landscape", "--widths", "4,0"], "--widths"),
        (["landscape", "--grid", "3000000"], "--grid"),
        (["double-descent", "--features", "ten"], "--features"),
        (["scaling", "--fracs", "0.5,2"], "--fracs"),
        (["implicit", "--losses", "hinge"], "--losses"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(args, option, tmp_path, capsys):
    out = tmp_path / "run"
    code, err = _main([*args, "-q", "--out", str(out)], capsys)
    assert code == 2
    assert len(err) == 1 and option in err[0]
    assert not out.exists()


def test_double_descent_command_writes_its_table_summary_and_figure(tmp_path, capsys):
    out = tmp_path / "dd"
    code, _ = _main(
        ["double-descent", "--n-train", "20", "--features", "5,20,80", "--widths", "2,8",
         "--degrees", "3,19,40", "--net-steps", "50", "--budget", "300", "--depths", "1,2",
         "--seeds", "2", "-q", "--out", str(out)],
        capsys,
    )  # fmt: skip
    assert code == 0
    table = pq.read_table(out / "double_descent.parquet").to_pydict()
    assert set(table["part"]) == {"random_features", "polynomial", "mlp", "deep_vs_wide"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["experiment"] == "double-descent"
    assert (out / "double_descent.png").stat().st_size > 10_000


# ---------------------------------------------------------------- claims judged from numbers


def _landscape_numbers(stuck, sharp, rho, line, curve, units):
    numbers = {"barrier, straight path": line, "barrier, Bézier curve": curve,
               "distinct hidden units, constant init": units}  # fmt: skip
    summary = {"stuck fraction by width": stuck, "median sharpness by batch size": sharp,
               "rank correlation, sharpness vs test error": rho}  # fmt: skip
    return numbers, summary


def test_landscape_claims_follow_the_numbers():
    stuck = {"1": 0.7, "4": 0.2, "40": 0.0}
    good = verdicts.landscape_claims(
        *_landscape_numbers(stuck, {"4": 20.0, "64": 40.0}, 0.5, 1.4, 0.003, [1, 1])
    )
    assert [c["verdict"] for c in good] == ["supported"] * 4
    assert "0.70 at width 1, 0.00 at width 40" in good[0]["evidence"]
    bad = verdicts.landscape_claims(*_landscape_numbers(
        {"1": 0.1, "40": 0.3}, {"4": 50.0, "64": 40.0}, 0.5, 1.0, 0.5, [1, 2]))  # fmt: skip
    assert [c["verdict"] for c in bad] == ["refuted", "mixed", "refuted", "refuted"]
    # stuck less often at the widest width, but not monotonically: mixed
    bumpy = verdicts.landscape_claims(*_landscape_numbers(
        {"1": 0.5, "2": 0.6, "40": 0.0}, {"4": 50.0, "64": 40.0}, 0.1, 1.0, 0.01, [1]))  # fmt: skip
    assert [c["verdict"] for c in bumpy] == ["mixed", "refuted", "supported", "supported"]


def test_double_descent_and_depth_claims_follow_the_numbers():
    def summary(peak_at, peak, last, one, deep):
        return {
            "test MSE peaks": {"random_features, noise 0.5": {
                "parameters": peak_at, "median test MSE": peak,
                "median test MSE at the largest size": last}},
            "deep vs wide": {"1": {"width": 200, **one}, "4": {"width": 20, **deep}},
        }  # fmt: skip

    def err(mean, se):
        return {"mean test error": mean, "standard error": se}

    found = verdicts.double_descent_claims(
        summary(60, 30.0, 0.7, err(0.15, 0.01), err(0.17, 0.01)), n_train=60, noise=0.5,
        ridge=0.1)  # fmt: skip
    assert [c["verdict"] for c in found] == ["supported", "inconclusive"]  # gap 0.02 < 2·0.014
    found = verdicts.double_descent_claims(
        summary(20, 30.0, 20.0, err(0.30, 0.01), err(0.10, 0.01)), n_train=60, noise=0.5,
        ridge=0.1)  # fmt: skip
    assert [c["verdict"] for c in found] == ["refuted", "supported"]
    found = verdicts.double_descent_claims(
        summary(60, 30.0, 20.0, err(0.10, 0.01), err(0.30, 0.01)), n_train=60, noise=0.5,
        ridge=0.1)  # fmt: skip
    assert [c["verdict"] for c in found] == ["mixed", "refuted"]


def test_scaling_and_implicit_claims_follow_the_numbers():
    law = {"alpha": 0.5, "alpha_se": 0.05, "residual": 0.1, "power law": True}
    cliff = {**law, "residual": 2.0, "power law": False}
    assert verdicts.scaling_claims({"a": law, "b": law})[0]["verdict"] == "supported"
    assert verdicts.scaling_claims({"a": law, "b": cliff})[0]["verdict"] == "mixed"
    assert verdicts.scaling_claims({"a": cliff, "b": None})[0]["verdict"] == "refuted"
    assert verdicts.scaling_claims({"a": None})[0]["verdict"] == "untested"

    def tracked(k, err):
        return {"after fitting": {"sgd": {"median k_lz, at first fit → at the end": k,
                                          "median test_error, at first fit → at the end": err}},
                "grokking": {"verdict": "refuted", "generalised without L1": "6 of 18",
                             "generalised with L1": "10 of 36"}}  # fmt: skip

    first, grok = verdicts.implicit_claims(tracked([90.0, 80.0], [0.2, 0.1]))
    assert first["verdict"] == "supported" and grok["verdict"] == "refuted"
    assert verdicts.implicit_claims(tracked([84.0, 84.0], [0.11, 0.07]))[0]["verdict"] == "mixed"
    assert verdicts.implicit_claims(tracked([80.0, 90.0], [0.1, 0.2]))[0]["verdict"] == "refuted"


def test_the_landscape_config_bounds_eigenvalues_by_the_lanczos_steps_it_will_run():
    import inspect

    from minimodels.analysis.landscape import top_eigenvalues
    from minimodels.experiments.debate.config import LANCZOS_STEPS, LandscapeConfig

    # the light config cannot import JAX's module, so it keeps the number: they must agree
    assert inspect.signature(top_eigenvalues).parameters["iterations"].default == LANCZOS_STEPS
    assert LandscapeConfig(eigenvalues=LANCZOS_STEPS).check()
    with pytest.raises(ValueError, match="--eigenvalues must lie in 1..100"):
        LandscapeConfig(eigenvalues=LANCZOS_STEPS + 1).check()
    with pytest.raises(ValueError, match=r"1\.\.10 \(the Lanczos steps for a net of 10 "):
        LandscapeConfig(hidden=(1,), eigenvalues=11).check()  # 7-1-1: 8 + 2 parameters
