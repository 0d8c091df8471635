"""The Occam papers' deep priors: minimodels.experiments.occam and its gallery section."""

from __future__ import annotations

import math

import numpy as np
import pytest

from minimodels.analysis.sampling import mlp, reference
from minimodels.analysis.sampling.models import parse_model
from minimodels.analysis.sampling.streams import run_key
from minimodels.base.errors import UsageError
from minimodels.experiments.occam import (
    DEEP_MODEL,
    OccamConfig,
    chaos_verdict,
    layer_stds,
    run,
)


def _paper_stds(sigma_w: float, sigma_b: float) -> list[tuple[float, float]]:
    """By hand: 7 → 64 (fan_in 7), ten more layers of fan_in 64 (nine 64 → 64, one 64 → 1)."""
    return [(sigma_w / math.sqrt(7), sigma_b)] + [(sigma_w / 8.0, sigma_b)] * 10


def test_deep_model_is_seven_inputs_ten_hidden_layers_of_64():
    spec = parse_model(DEEP_MODEL + ":tanh")
    assert spec.widths == (7,) + (64,) * 10 + (1,)
    assert spec.activation == "tanh"


@pytest.mark.parametrize("sigma_w, sigma_b", [(1.0, 1.0), (2.0, 0.5), (4.0, 0.0)])
def test_paper_scales_are_the_gaussian_scheme_exactly(sigma_w, sigma_b):
    spec = parse_model(DEEP_MODEL)
    scale_w, scale_b = mlp.layer_scales(spec, "gaussian", sigma_w, sigma_b)
    expected = _paper_stds(sigma_w, sigma_b)
    assert layer_stds(spec.widths, sigma_w, sigma_b) == expected
    np.testing.assert_array_equal(scale_w, [w for w, _ in expected])
    np.testing.assert_array_equal(scale_b, [b for _, b in expected])


def test_drawn_parameters_have_the_papers_standard_deviations():
    spec = parse_model(DEEP_MODEL + ":tanh")
    sigma_w, sigma_b = 2.0, 0.7
    scale_w, scale_b = mlp.layer_scales(spec, "gaussian", sigma_w, sigma_b)
    layers = reference.reference_parameters(
        spec, run_key(3), np.arange(40), init="gaussian", scale_w=scale_w, scale_b=scale_b
    )
    for (w, b), (std_w, std_b) in zip(layers, _paper_stds(sigma_w, sigma_b), strict=True):
        for values, std in ((w, std_w), (b, std_b)):
            values = np.asarray(values, dtype=np.float64).ravel()
            error = std / math.sqrt(2 * values.size)  # standard error of a sample std
            assert abs(values.std() - std) < 3 * error, (values.size, values.std(), std)
            assert abs(values.mean()) < 3 * std / math.sqrt(values.size)


def test_tanh_sampler_matches_the_numpy_reference_net_for_net():
    spec = parse_model(DEEP_MODEL + ":tanh")
    key, first, n = run_key(11), 57, 200
    for sigma_w in (1.0, 4.0):
        words = mlp.truth_tables(spec, key, first, n, sigma_w=sigma_w, sigma_b=1.0)
        fast = mlp.unpacked_truth_tables(words, spec.n_inputs)
        slow = mlp.reference_truth_tables(spec, key, first, n, sigma_w=sigma_w, sigma_b=1.0)
        np.testing.assert_array_equal(fast, slow)
        if sigma_w == 4.0:  # the chaotic regime: the nets compute many different functions
            assert len({row.tobytes() for row in fast}) > n // 2


def test_section_builds_and_its_verdict_follows_its_numbers():
    from minimodels.gallery.sections.occam import occam_section

    result = run(OccamConfig(samples={"tanh": 150, "relu": 300}, seed=1))
    section = occam_section(result)
    assert section.figures and section.figures[0].name == "occam"
    (claim,) = section.claims
    rows = {(r["activation"], r["σw"]): r for r in section.tables[0][1]}
    assert {r["samples"] for r in rows.values()} == {150, 300}
    assert all(0.0 <= r["constant functions"] <= 1.0 for r in rows.values())
    # the rule of chaos_verdict, recomputed from the points
    t0, t1 = result.point("tanh", 1.0), result.point("tanh", 4.0)
    r0, r1 = result.point("relu", 1.0), result.point("relu", 4.0)
    rise, change = t1.mean_k - t0.mean_k, abs(r1.mean_k - r0.mean_k)
    s = math.hypot(t0.se_k, t1.se_k)
    clear = rise >= max(4 * s, 0.1 * result.random_mean_k)
    expected = ("supported" if change <= rise / 2 else "mixed") if clear else "refuted"
    assert claim.verdict == expected == chaos_verdict(result)[0]
    assert f"{t1.mean_k:.1f}" in claim.evidence and f"{r1.mean_k:.1f}" in claim.evidence
    # the headline: deep tanh nets at σw = 1 compute almost only constants; at σw = 4 none
    assert t0.constant_fraction > 0.9 and t1.constant_fraction < 0.05
    assert claim.verdict == "supported"


def test_verdict_is_untested_without_both_activations():
    result = run(OccamConfig(activations=("relu",), sigma_ws=(1.0, 2.0), samples={"relu": 20}))
    assert chaos_verdict(result)[0] == "untested"


@pytest.mark.parametrize(
    "kwargs, option",
    [
        ({"activations": ("tanh", "sigmoid")}, "activations"),
        ({"sigma_ws": (1.0, -2.0)}, "sigma_w"),
        ({"sigma_b": -0.5}, "sigma_b"),
        ({"sigma_ws": ()}, "sigma_ws"),
        ({"samples": {"tanh": 0, "relu": 10}}, "samples"),
        ({"model": DEEP_MODEL + ":tanh"}, "model"),
    ],
)
def test_bad_configs_are_refused_in_one_sentence(kwargs, option):
    with pytest.raises(UsageError) as caught:
        OccamConfig(**kwargs).validated()
    message = str(caught.value)
    assert message.count(". ") == 0 and "\n" not in message
    assert caught.value.options == (option,)


def test_the_ladder_trains_nets_of_the_chosen_activation(monkeypatch):
    from minimodels.experiments import bayes

    seen = []
    real = bayes.sgd_plan

    def spy(split, setup, **kwargs):
        seen.append(setup.activation)
        return real(split, setup, **kwargs)

    monkeypatch.setattr(bayes, "sgd_plan", spy)
    config = bayes.LadderConfig(model="5-8-1", activation="tanh", train_size=16, flips=(0,),
                                named=(), n_runs=2, max_steps=200)  # fmt: skip
    result = bayes.run_ladder(config)
    assert seen == ["tanh"] and len(result.rows) == 1
    assert result.rows[0]["n_runs"] == 2
