"""Learning-process variants (ensembles, mutations per step, aggregate curves) against plain
references: a hand-written vote loop, np.quantile on hand-made staircases, the existing
evolution run, and the section's claims recomputed from its own numbers."""

from dataclasses import replace

import numpy as np
import pytest

from minimodels import gallery
from minimodels.base.errors import UsageError
from minimodels.experiments import learning_process as lp
from minimodels.experiments.evolution import EvolutionConfig, run as run_evolution

TINY = lp.LearningProcessConfig(
    width=8, depth=4, steps=300, vote_runs=5, vote_splits=2, vote_subsets=4,
    mutations_per_step=(1, 3), mutation_runs=4, sizes=((6, 3), (8, 4)), curve_runs=5,
    curve_points=20,
)  # fmt: skip


def _hand_vote(results, members):
    """Majority vote by plain loops: every array run on every input, its bottom row read."""
    task = results[0].task
    right = held = 0
    for case in range(task.n_cases):
        if task.train[case]:
            continue
        ones = 0
        for i in members:
            bottom = results[i].array.run(task.inputs[case])[-1]
            ones += int(bottom[task.readout[0]])
        vote = 1 if 2 * ones >= len(members) else 0
        held += 1
        right += int(vote == task.targets[case, 0])
    return right / held


def test_the_vote_of_an_ensemble_equals_a_plain_loop_over_arrays_and_inputs():
    many = run_evolution(EvolutionConfig(width=8, depth=4, steps=200, runs=6,
                                         train_fraction=0.5, stop_at=None, seed=5))  # fmt: skip
    results = many.results
    # the arrays must disagree somewhere for the check to mean anything
    answers = {tuple(many.task.answers(r.array).ravel()) for r in results}
    assert len(answers) > 1
    for members in [(0,), (1, 2, 3), (0, 2, 4), (0, 1, 2, 3, 4), (0, 1, 2, 3)]:
        assert lp.vote_accuracy(results, members) == pytest.approx(_hand_vote(results, members))
    rng = np.random.default_rng(0)
    rows = lp.vote_rows([many], count=3, rng=rng)
    assert [r["ensemble size"] for r in rows] == [1, 3, 5, 6]  # even count: the vote of all ends
    again = np.random.default_rng(0)
    for row in rows[:3]:
        members = lp.ensemble_members(6, row["ensemble size"], 3, again)
        hand = [_hand_vote(results, m) for m in members]
        assert row["vote accuracy"] == pytest.approx(np.mean(hand))
        assert row["ensembles"] == len(hand)
    assert rows[-1]["vote accuracy"] == pytest.approx(_hand_vote(results, range(6)))


def test_ensemble_members_are_all_subsets_when_few_and_distinct_runs_otherwise():
    rng = np.random.default_rng(1)
    assert lp.ensemble_members(4, 1, 2, rng) == [(0,), (1,), (2,), (3,)]
    assert lp.ensemble_members(4, 4, 2, rng) == [(0, 1, 2, 3)]
    drawn = lp.ensemble_members(9, 3, 5, rng)
    assert len(drawn) == 5 and all(len(set(m)) == 3 and max(m) < 9 for m in drawn)


def test_the_quantile_band_of_hand_made_staircases_equals_np_quantile():
    # three staircases (initial loss, then the loss after each attempt; runs stop early)
    runs = [(5.0, [5, 3, 3, 1]), (4.0, [4, 4, 4, 4, 2, 0]), (6.0, [2])]
    at = np.array([0, 1, 2, 3, 5, 8])
    padded = []
    for initial, losses in runs:  # by hand: the loss after a attempts, the last one kept
        row = []
        for a in at:
            if a == 0:
                row.append(initial)
            else:
                row.append(losses[min(a, len(losses)) - 1])
        padded.append(row)
    padded = np.array(padded, dtype=float)
    curves = np.array([lp.loss_at(i, np.array(losses, dtype=float), at) for i, losses in runs])
    np.testing.assert_array_equal(curves, padded)
    band = lp.quantile_band(curves)
    for k, q in enumerate(lp.QUANTILES):
        for j in range(len(at)):
            assert band[k, j] == pytest.approx(np.quantile(padded[:, j], q))
    assert list(lp.curve_positions(100, 5)) == [0, 1, 3, 10, 32, 100]


def test_one_mutation_per_step_reproduces_the_evolution_run_for_the_same_seed():
    config = replace(TINY, seed=7)
    outcome = lp.mutation_experiment(config)
    reference = run_evolution(EvolutionConfig(width=8, depth=4, steps=300, runs=4, seed=7))
    ones = outcome.runs[1].results
    assert len(ones) == len(reference.results)
    for mine, theirs in zip(ones, reference.results, strict=True):
        np.testing.assert_array_equal(mine.losses, theirs.losses)
        assert mine.initial_loss == theirs.initial_loss
    assert outcome.rows[0]["mutations per step"] == 1
    assert outcome.rows[0]["median attempts to zero"] == reference.summary()["median_steps_to_zero"]
    assert outcome.runs[3].results[0].mutations_per_step == 3


def test_curves_are_the_runs_losses_at_the_positions_and_their_band():
    (small, large) = lp.curve_experiment(TINY)
    assert (small.width, small.depth, large.width) == (6, 3, 8)
    for curves in (small, large):
        for row, run in zip(curves.curves, curves.many.results, strict=True):
            trace = np.concatenate([[run.initial_loss], run.losses])
            expected = [trace[min(a, trace.size - 1)] for a in curves.at]
            np.testing.assert_array_equal(row, expected)
        np.testing.assert_allclose(curves.band[1], np.median(curves.curves, axis=0))
        assert (np.diff(curves.band, axis=1) <= 0).all()  # each staircase only falls


@pytest.mark.parametrize(
    ("changes", "option"),
    [
        ({"mutations_per_step": (1, 0)}, "mutations_per_step"),
        ({"mutations_per_step": ()}, "mutations_per_step"),
        ({"mutations_per_step": (2, 4)}, "mutations_per_step"),
        ({"sizes": ()}, "sizes"),
        ({"sizes": ((10, 0),)}, "sizes"),
        ({"vote_runs": 0}, "vote_runs"),
        ({"train_fraction": 1.0}, "train_fraction"),
    ],
)
def test_a_bad_config_is_one_sentence_naming_the_option(changes, option):
    with pytest.raises(UsageError) as caught:
        lp.run(replace(TINY, **changes))
    message = str(caught.value)
    assert option in caught.value.options
    assert option.replace("_", " ") in message and "\n" not in message
    assert message.count(". ") == 0


def test_the_section_builds_in_quick_mode_and_its_claims_follow_its_numbers(monkeypatch):
    from minimodels.gallery.sections import learning_process as module

    spec = next(s for s in gallery.registry() if s.key == "evolution-process")
    assert spec.order == 22 and spec.title == "How the learning process changes learning"
    kept = {}
    real_run = module.run

    def keep(config, **kwargs):
        kept["result"] = real_run(config, **kwargs)
        return kept["result"]

    monkeypatch.setattr(module, "run", keep)
    section = module.process_section(gallery.Context(quick=True))
    assert [f.name for f in section.figures] == ["vote", "mutations", "curves"]
    assert len(section.tables) == 3 and section.numbers
    result = kept["result"]
    vote, mutation = section.claims
    numbers = result.vote.numbers
    above = numbers["vote_all"] - numbers["single_mean"] > 2 * numbers["single_se"]
    assert vote.verdict == ("refuted" if above else "supported")
    rows = {r["mutations per step"]: r for r in result.mutations.rows}
    medians = [r["median attempts to zero"] for m, r in rows.items() if m > 1]
    fewer = min(x for x in medians if x is not None) < rows[1]["median attempts to zero"]
    worse = any(
        r["mean final loss"] - rows[1]["mean final loss"]
        > 2 * np.hypot(r["final loss se"], rows[1]["final loss se"])
        for m, r in rows.items()
        if m > 1
    )
    assert mutation.verdict == {(True, True): "supported", (False, False): "refuted"}.get(
        (fewer, worse), "mixed"
    )
    # every array of the vote fits its half: train accuracy of the full vote is 1
    assert numbers["vote_all_train"] == 1.0 and numbers["solved_fraction"] == 1.0


def test_the_claims_read_their_verdicts_off_the_numbers():
    from minimodels.gallery.sections.learning_process import mutation_claim, vote_claim

    base = {"single_mean": 0.66, "single_se": 0.01, "answer_zero": 0.6}
    assert vote_claim({**base, "vote_all": 0.62}).verdict == "supported"
    assert vote_claim({**base, "vote_all": 0.675}).verdict == "supported"
    assert vote_claim({**base, "vote_all": 0.69}).verdict == "refuted"

    def row(m, median, final, se):
        return {"mutations per step": m, "median attempts to zero": median,
                "mean final loss": final, "final loss se": se}  # fmt: skip

    one = row(1, 1000.0, 0.02, 0.01)
    assert mutation_claim([one, row(4, 500.0, 0.5, 0.05)]).verdict == "supported"
    assert mutation_claim([one, row(4, 500.0, 0.0, 0.0)]).verdict == "mixed"
    assert mutation_claim([one, row(4, 2000.0, 0.5, 0.05)]).verdict == "mixed"
    assert mutation_claim([one, row(4, 2000.0, 0.03, 0.01)]).verdict == "refuted"
    assert mutation_claim([one, row(4, None, 3.0, 0.1)]).verdict == "mixed"
