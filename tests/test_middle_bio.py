"""The biological-evolution model's traces and the experiment's summary against a plain-Python
reference (:mod:`reference.bio`: patterns grown cell by cell to the cutoff, the documented
mutation stream, medians by ``statistics``)."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from reference import bio as ref

from minimodels.experiments.bio import BioConfig, run
from minimodels.learners import bio


@settings(max_examples=12)
@given(k=st.integers(2, 4), seed=st.integers(0, 2**32 - 1), steps=st.integers(0, 80))
def test_a_run_is_the_reference_run(k, seed, steps):
    result = bio.evolve(k=k, steps=steps, cutoff=25, seed=seed)
    plain = ref.evolve(k, steps, 25, seed)
    assert result.lifetimes.tolist() == plain["lifetimes"]
    assert result.final_lifetime == plain["final_lifetime"]
    assert result.genome.tolist() == plain["genome"] and result.rule == plain["rule"]
    assert (len(result.kept), len(result.breakthroughs)) == (
        plain["n_kept"],
        plain["n_breakthroughs"],
    )
    assert (int(result.widths[-1]) if steps else 1) == plain["final_width"]


def test_lifetimes_by_hand():
    # k = 2: the seed cell 010 survives only through outcome 2 (neighbourhood 010); a rule that
    # keeps it keeps it for ever, so k = 2 has nothing finite beyond the null rule's lifetime 1
    keep = [0, 0, 1, 0, 0, 0, 0, 0]
    assert bio.lifetime(keep, k=2, cutoff=30) is None and ref.lifetime(keep, 2, 30) is None
    assert bio.lifetime(0, k=2) == 1 == ref.lifetime([0] * 8, 2, 30)
    # k = 3: 010 → 2, then 020 → 0 (colour 2 alone dies): lifetime 2, width 1
    table = [0] * 27
    table[3] = 2  # (0, 1, 0) = 0·9 + 1·3 + 0
    assert bio.lifetime(table, k=3, cutoff=10) == 2 == ref.lifetime(table, 3, 10)
    # … and with 020 → 1 as well the cell alternates 1, 2, 1, … for ever
    table[6] = 1  # (0, 2, 0)
    assert bio.lifetime(table, k=3, cutoff=10) is None and ref.lifetime(table, 3, 10) is None


@pytest.mark.parametrize(("ks", "steps", "runs", "seed"), [((2, 3), 120, 3, 0), ((3, 4), 60, 4, 7)])
def test_the_experiment_summary_and_table_are_the_reference(ks, steps, runs, seed):
    config = BioConfig(ks=ks, steps=steps, cutoff=25, runs=runs, seed=seed)
    result = run(config)
    plain = ref.runs(ks, steps, 25, runs, seed)
    assert result.summary() == ref.summary(plain)
    table = result.table()
    rows = [(k, i, r) for k in ks for i, r in enumerate(plain[k])]
    assert table["k"].tolist() == [k for k, _, _ in rows]
    assert table["run"].tolist() == [i for _, i, _ in rows]
    assert table["final_lifetime"].tolist() == [r["final_lifetime"] for _, _, r in rows]
    assert table["final_width"].tolist() == [r["final_width"] for _, _, r in rows]
    assert table["n_kept"].tolist() == [r["n_kept"] for _, _, r in rows]
    assert table["n_breakthroughs"].tolist() == [r["n_breakthroughs"] for _, _, r in rows]
    assert table["rule"] == [str(r["rule"]) for _, _, r in rows]
    for k in ks:
        assert result.final_lifetimes(k) == [r["final_lifetime"] for r in plain[k]]


def test_a_run_of_no_steps_keeps_the_null_rule():
    result = bio.evolve(k=3, steps=0, seed=1)
    assert (result.final_lifetime, result.n_steps, result.rule) == (1, 0, 0)
    assert result.breakthroughs.size == 0 and result.genome_at(10).tolist() == [0] * 27
    summary = run(BioConfig(ks=(3,), steps=0, runs=2)).summary()
    assert summary == {"median_lifetime_k3": 1.0, "lifetime_range_k3": [1, 1]}


def test_the_genome_at_a_step_replays_exactly_the_kept_mutations_up_to_it():
    result = bio.evolve(k=3, steps=300, cutoff=40, seed=4)
    plain_genome = [0] * 27
    for step in range(300):
        for s, case, _, new in result.kept.tolist():
            if s == step:
                plain_genome[case] = new
        assert result.genome_at(step).tolist() == plain_genome
        assert ref.lifetime(plain_genome, 3, 40) == result.lifetimes[step]
    assert np.array_equal(result.genome_at(-1), result.initial)


def test_every_two_colour_rule_lives_one_step_or_for_ever():
    # why k = 2 never leaves lifetime 1 (SCIENCE.md §A.8): of the 2^7 rules with 000 → 0, 16
    # die at step 1 and the other 112 never die, so no mutation is ever kept — by enumeration
    lives = []
    for number in range(128):
        genome = [0] + [(number >> i) & 1 for i in range(7)]
        life = bio.lifetime(np.array(genome, np.uint8), k=2, cutoff=200)
        assert life == ref.lifetime(genome, 2, 40)
        lives.append(life)
    assert lives.count(1) == 16 and lives.count(None) == 112


def test_the_experiment_passes_its_fitness_and_cutoff_to_every_run():
    result = run(BioConfig(ks=(4,), steps=30, cutoff=17, runs=2, fitness="width"))
    assert [(r.k, r.cutoff, r.fitness) for r in result.results[4]] == [(4, 17, "width")] * 2
    empty = run(BioConfig(ks=(2, 3), steps=0, runs=2)).table()
    assert empty["final_width"].tolist() == [1, 1, 1, 1]


def test_the_final_width_is_the_width_after_the_last_step():
    from dataclasses import replace

    from minimodels.experiments.bio import BioRuns

    long = bio.evolve(k=3, steps=400, cutoff=30, seed=6)
    # a step that was kept and changed the pattern's width: the run cut right after it
    changed = [s for s, *_ in long.kept.tolist() if s and long.widths[s] != long.widths[s - 1]]
    last = changed[0]
    short = replace(
        long, lifetimes=long.lifetimes[: last + 1], widths=long.widths[: last + 1],
        kept=long.kept[long.kept[:, 0] <= last], genome=long.genome_at(last),
    )  # fmt: skip
    table = BioRuns(BioConfig(ks=(3,), runs=1), {3: [short]}).table()
    assert table["final_width"].tolist() == [ref.extent(short.genome.tolist(), 3, 30)]
    assert table["final_width"][0] != short.widths[-2]


def test_phenotypes_at_breakthroughs_are_grown_with_the_runs_colours_and_cutoff():
    result = bio.evolve(k=4, steps=300, cutoff=20, seed=7)  # five breakthroughs
    shown = result.phenotypes_at_breakthroughs()
    assert [s for s, _ in shown] == result.breakthroughs.tolist() and shown
    for step, pattern in shown:
        assert pattern.shape == (result.lifetimes[step] + 1, 2 * 20 + 3)
        assert pattern.max() < 4
