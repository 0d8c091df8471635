"""Computational power vs trainability: rule sets on the bump, each number against an
independent reference (a plain NumPy elementary-CA update written here, the pure-Python K_LZ,
brute force over every small array)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from minimodels import gallery
from minimodels.analysis.complexity import k_lz_reference
from minimodels.base.errors import UsageError
from minimodels.experiments.evolution import EvolutionConfig, run as run_evolution
from minimodels.experiments.rule_sets import (
    MARGIN,
    RATIO,
    RuleSetsConfig,
    check_config,
    check_learnable,
    forced_errors,
    possible_values,
    run,
    run_rule_set,
    shared_neighbourhoods,
    solved_differ,
    spacetime_k_lz,
    verdict,
)
from minimodels.gallery.sections import rule_sets as section_module
from minimodels.models.rulearray import RuleArray
from minimodels.tasks import bump


def plain_run(rules: np.ndarray, row: np.ndarray, *, cyclic: bool = True) -> np.ndarray:
    """Every state of a range-1 rule array on one input row, by the textbook update:
    new[x] = (rule[x] >> (4·left + 2·centre + right)) & 1."""
    rules = np.asarray(rules, dtype=np.int64)
    states = [np.asarray(row, dtype=np.int64)]
    for rule_row in rules:
        s = states[-1]
        if cyclic:
            left, right = np.roll(s, 1), np.roll(s, -1)
        else:
            left = np.concatenate([[0], s[:-1]])
            right = np.concatenate([s[1:], [0]])
        states.append((rule_row >> (4 * left + 2 * s + right)) & 1)
    return np.array(states, dtype=np.uint8)


def one_sentence(message: str) -> bool:
    return "\n" not in message and message.count(". ") == 0


TINY = RuleSetsConfig(
    rule_sets=((4, 146), (4, 30), (110, 146), (4, 110)), runs=6, steps=4000, random_arrays=3
)


@pytest.fixture(scope="module")
def tiny():
    return run(TINY)


# ---------------------------------------------------------------------- K_LZ of the patterns
@pytest.mark.parametrize("rules", [(4, 146), (30, 110), (90, 150), (22, 30, 110)])
def test_spacetime_k_lz_equals_k_lz_of_a_plain_numpy_run(rules):
    rng = np.random.default_rng(sum(rules))
    array = RuleArray.random(10, 20, rules=rules, rng=rng)  # cyclic, like EvolutionConfig
    assert array.boundary == EvolutionConfig().boundary == "cyclic"
    inputs = bump(20).inputs
    got = spacetime_k_lz(array, inputs)
    want = [k_lz_reference(plain_run(array.rules, row).ravel()) for row in inputs]
    np.testing.assert_allclose(got, want)


def test_each_runs_k_lz_is_the_mean_over_the_bump_inputs_of_its_final_arrays_pattern(tiny):
    inputs = bump(TINY.width).inputs
    for outcome in tiny.outcomes:
        if outcome.many is None:
            assert outcome.k_final.size == 0 and outcome.k_trained.size == 0
            continue
        for result, k in zip(outcome.many.results, outcome.k_final, strict=True):
            want = np.mean(
                [k_lz_reference(plain_run(result.array.rules, r).ravel()) for r in inputs]
            )
            assert k == pytest.approx(want)
        solved = [r.final_loss == 0 for r in outcome.many.results]
        np.testing.assert_array_equal(outcome.k_trained, outcome.k_final[solved])
        assert outcome.k_random.shape == (TINY.random_arrays,)
        assert set(outcome.random_example.rule_set) <= set(outcome.rules)


# ---------------------------------------------------------------------- trained arrays
def test_trained_arrays_with_zero_loss_answer_the_bump_by_a_plain_run(tiny):
    task = bump(TINY.width)
    n_solved = 0
    for outcome in tiny.outcomes:
        if outcome.many is None:
            continue
        for result in outcome.many.results:
            assert set(result.array.rule_set) <= set(outcome.rules)
            answers = np.array([plain_run(result.array.rules, row)[-1, task.readout[0]]
                                for row in task.inputs])  # fmt: skip
            wrong = int((answers != task.targets[:, 0]).sum())
            assert wrong == result.final_loss
            n_solved += wrong == 0
        fraction = np.mean([r.final_loss == 0 for r in outcome.many.results])
        assert outcome.solved_fraction == pytest.approx(fraction)
    assert n_solved > 0


def test_every_rule_set_is_trained_with_the_same_seeds(tiny):
    starts = [
        [np.vectorize(o.rules.index)(np.asarray(r.initial.rules)) for r in o.many.results]
        for o in tiny.outcomes
        if o.many is not None
    ]
    for other in starts[1:]:  # the same start indices into each (sorted) rule set
        for a, b in zip(starts[0], other, strict=True):
            np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------- what can be learned
@pytest.mark.parametrize("rules", [(4, 110), (30, 110), (4, 146), (90, 150), (1, 30)])
@pytest.mark.parametrize("cyclic", [True, False])
def test_possible_values_cover_every_small_array_by_brute_force(rules, cyclic):
    width, depth = 5, 2
    inputs = np.eye(width, dtype=np.uint8)
    seen0 = np.zeros((width, depth + 1, width), dtype=bool)
    seen1 = np.zeros_like(seen0)
    for choice in itertools.product(rules, repeat=depth * width):
        grid = np.array(choice).reshape(depth, width)
        for i, row in enumerate(inputs):
            states = plain_run(grid, row, cyclic=cyclic)
            seen0[i] |= states == 0
            seen1[i] |= states == 1
    can0, can1 = possible_values(inputs, rules, depth, boundary="cyclic" if cyclic else "zero")
    assert not (seen0 & ~can0).any() and not (seen1 & ~can1).any()  # sound
    # an over-approximation in general, exact on arrays this small
    np.testing.assert_array_equal(can0, seen0)
    np.testing.assert_array_equal(can1, seen1)
    if rules == (4, 110):  # no rule maps 100 → 1: the cell right of the input stays 0
        assert not can1[0, 1:, 1].any()


def test_sets_that_cannot_learn_the_bump_are_refused_and_evolution_never_beats_the_bound():
    config = RuleSetsConfig()
    task = bump(config.width)
    for rules, bound in (((4, 110), 4), ((30, 110), 1)):
        assert int(forced_errors(task, rules, config.depth).sum()) == bound
        with pytest.raises(UsageError) as refused:
            check_learnable(config, rules)
        assert one_sentence(str(refused.value)) and "cannot learn the bump" in str(refused.value)
        many = run_evolution(EvolutionConfig(rules=rules, runs=4, steps=3000))
        assert min(r.final_loss for r in many.results) >= bound
    for rules in ((4, 146), (4, 30), (110, 146), (90, 150), (4, 22)):
        check_learnable(config, rules)  # no forced answer
        assert not forced_errors(task, rules, config.depth).any()
    assert shared_neighbourhoods((4, 110)) == (["010"], ["100", "111"])


def test_an_unlearnable_set_is_reported_not_trained(tiny):
    outcome = tiny.by_rules((4, 110))
    assert outcome is not None and not outcome.learnable and outcome.many is None
    assert outcome.forced == 4 and one_sentence(outcome.refusal)
    assert outcome.row()["solved fraction"] is None and outcome.row()["K_LZ random"] > 0


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"rule_sets": ((4, 146), (4, 300))}, "rule 300 is out of range"),
        ({"rule_sets": ((4, 146), ())}, "rule set is empty"),
        ({"rule_sets": ()}, "at least one rule set"),
        ({"rule_sets": ((4,),)}, "at least two distinct rules"),
        ({"rule_sets": ((4, 4),)}, "repeats a rule"),
        ({"rule_sets": ((4, 146), (146, 4))}, "given twice"),
        ({"runs": 0}, "runs must be"),
        ({"random_arrays": -1}, "random arrays must be"),
    ],
)
def test_bad_configs_are_refused_in_one_sentence_before_anything_runs(
    monkeypatch, changes, message
):
    from minimodels.experiments import rule_sets as experiment

    def no_training(*args, **kwargs):
        raise AssertionError("trained before refusing")

    monkeypatch.setattr(experiment, "run_evolution", no_training)
    with pytest.raises(UsageError, match=message) as refused:
        run(replace(RuleSetsConfig(), **changes))
    assert one_sentence(str(refused.value))
    with pytest.raises(UsageError):
        check_config(replace(RuleSetsConfig(), **changes))


# ---------------------------------------------------------------------- the claim
def _fake(tame: tuple[float, float | None] | None, *wild: tuple[float | None, float | None]):
    """A result-shaped stub: the tame set's and the wild sets' (solved fraction, median)."""
    outcomes = []
    if tame is not None:
        outcomes.append(SimpleNamespace(rules=(4, 146), kind="tame", solved_fraction=tame[0],
                                        median_attempts=tame[1], runs=100))  # fmt: skip
    for i, (solved, median) in enumerate(wild):
        outcomes.append(SimpleNamespace(rules=(30, i), kind="wild", solved_fraction=solved,
                                        median_attempts=median, runs=100))  # fmt: skip
    outcomes.append(SimpleNamespace(rules=(90, 150), kind="other", solved_fraction=0.0,
                                    median_attempts=None, runs=100))  # fmt: skip
    return SimpleNamespace(
        config=RuleSetsConfig(),
        outcomes=outcomes,
        by_rules=lambda rules: next((o for o in outcomes if set(o.rules) == set(rules)), None),
    )


def test_the_verdict_follows_the_stated_rule():
    tame = (0.95, 1000.0)  # 100 runs each: 2 se of a difference from 0.95 is about 0.06
    slower = RATIO * 1000 + 1
    assert verdict(_fake(tame, (0.8, 500.0), (0.93, slower))) == "supported"
    assert verdict(_fake(tame, (1.0, 400.0), (0.92, 1200.0))) == "refuted"
    assert verdict(_fake(tame, (1.0, 400.0), (0.1, 3000.0))) == "mixed"
    assert verdict(_fake(tame, (0.92, None))) == "supported"  # shares equal, never solved
    assert verdict(_fake(tame, (0.92, 500.0))) == "refuted"  # shares equal, faster
    assert verdict(_fake((1.0, 1000.0), (0.97, 1000.0))) == "refuted"  # similar is not harder
    # a difference beyond 2 se but within the margin is no difference
    assert solved_differ(1.0, 10_000, 0.97, 10_000) is False
    assert solved_differ(0.95, 100, 0.85, 100) is True
    assert solved_differ(0.95, 30, 0.85, 30) is False  # within 2 se of 30 runs
    assert verdict(_fake(tame, (None, None))) == "inconclusive"  # only an unlearnable wild set
    assert verdict(_fake(None, (0.1, 3000.0))) == "inconclusive"
    assert verdict(_fake((0.0, None), (0.1, 3000.0))) == "inconclusive"


def test_the_section_builds_in_quick_mode_and_its_claim_agrees_with_its_numbers(monkeypatch):
    kept = {}
    real_run = section_module.run

    def keep(config, **kwargs):
        kept["result"] = real_run(config, **kwargs)
        return kept["result"]

    monkeypatch.setattr(section_module, "run", keep)
    section = section_module.rule_sets_section(gallery.Context(quick=True))
    result = kept["result"]
    assert result.config == RuleSetsConfig.quick()
    rows = {row["rules"]: row for row in result.rows()}
    tame = rows["{4, 146}"]
    labels = []  # the verdict rule, recomputed from the rows
    for row in rows.values():
        if row["kind"] != "wild" or row["solved fraction"] is None:
            continue
        solved, median = row["solved fraction"], row["median attempts"]
        p, q = solved, tame["solved fraction"]
        se = (p * (1 - p) / row["runs"] + q * (1 - q) / tame["runs"]) ** 0.5
        if abs(p - q) > MARGIN and abs(p - q) > 2 * se:
            labels.append(p < q)
        elif median is None or median > RATIO * tame["median attempts"]:
            labels.append(True)
        elif median < tame["median attempts"] / RATIO:
            labels.append(False)
        else:
            labels.append(False)
    want = "supported" if all(labels) else "refuted" if not any(labels) else "mixed"
    (claim,) = section.claims
    assert claim.verdict == want and claim.source == "Wolfram 2024"
    assert claim.claim == section_module.CLAIM
    for name in ("{4, 110}", "{30, 110}"):  # the unlearnable sets are named, not judged
        assert rows[name]["learnable"].startswith("no") and name in claim.evidence
    assert [f.name for f in section.figures] == ["trainability", "complexity", "examples"]
    assert len(section.tables[0][1]) == len(RuleSetsConfig.quick().rule_sets)
    assert "evolution-rule-sets" in {spec.key for spec in gallery.registry()}


def test_run_rule_set_measures_an_unlearnable_sets_random_arrays_only():
    outcome = run_rule_set(replace(TINY, random_arrays=2), (30, 110))
    assert outcome.many is None and outcome.k_random.shape == (2,)
    assert outcome.example[1] == "random (cannot learn)"
