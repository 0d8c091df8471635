"""Function tables, sampling-run summaries and the bias analysis against plain-Python oracles.

Every expected number comes from :mod:`reference` (dicts of strings, loops, the LZ76 definition)
or from truth tables drawn by the sampler's plain NumPy reference (``reference_truth_tables``,
held equal to the compiled kernel in test_sampling.py); none from the code under test.
"""

import json

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings, strategies as st
from reference import lz, tables as ref

import minimodels as mm
from minimodels.analysis.sampling import mlp, tables
from minimodels.analysis.sampling.analysis import analyse
from minimodels.analysis.sampling.models import parse_model
from minimodels.analysis.sampling.streams import run_key


def reference_tally(model: str, samples: int, seed: int, first: int = 0) -> dict[str, int]:
    """The counts a sampling run must report, from the plain NumPy sampler net by net."""
    truth = mlp.reference_truth_tables(parse_model(model), run_key(seed), first, samples)
    return ref.tabulate(ref.as_string(row) for row in truth)


def as_dict(table: tables.FunctionTable) -> dict[str, int]:
    return dict(zip(table.strings().tolist(), table.counts.tolist(), strict=True))


@st.composite
def truth_tables(draw, max_n=8):
    """A list of truth tables of n inputs with many repeats (a pool of a few, drawn often)."""
    n = draw(st.integers(1, max_n))
    pool = draw(st.lists(st.text("01", min_size=2**n, max_size=2**n), min_size=1, max_size=6))
    picks = draw(st.lists(st.integers(0, len(pool) - 1), min_size=0, max_size=40))
    return n, [pool[i] for i in picks]


def packed(strings, n):
    return np.array([ref.pack(s) for s in strings], dtype=np.uint64).reshape(
        len(strings), max(1, 2**n // 64)
    )


@given(truth_tables())
def test_count_functions_tallies_any_truth_tables_like_a_dict(case):
    n, strings = case
    table = tables.count_functions(packed(strings, n), n)
    expected = ref.tabulate(strings)
    assert as_dict(table) == expected
    assert table.n_samples == len(strings) and table.n_functions == len(expected)
    assert table.strings().tolist() == sorted(expected)  # rows sorted by truth table
    assert table.truth_tables().tolist() == [[int(c) for c in s] for s in sorted(expected)]


@given(st.lists(truth_tables(max_n=7), min_size=1, max_size=4), st.integers(1, 7))
def test_merged_tables_add_the_counts_of_every_part(parts, n):
    parts = [strings for m, strings in parts if m == parts[0][0]]
    n = max(1, min(n, 7))
    parts = [[s[: 2**n].ljust(2**n, "0") for s in strings] for strings in parts]
    counts = [ref.tabulate(p) for p in parts]
    weighted = [
        tables.from_words(packed(list(c), n), np.array(list(c.values()), np.int64), n)
        for c in counts
    ]
    merged = tables.merge_tables(weighted)
    assert as_dict(merged) == ref.merge(*counts)
    assert merged.n_samples == sum(map(len, parts))


def test_merging_refuses_nothing_and_tables_of_different_sizes():
    a = tables.from_strings(["01"], [1])
    b = tables.from_strings(["0110"], [1])
    with pytest.raises(ValueError, match="nothing to merge"):
        tables.merge_tables([])
    with pytest.raises(ValueError, match=r"different input counts \[1, 2\]"):
        tables.merge_tables([a, b])


@settings(max_examples=8)
@given(seed=st.integers(0, 2**32 - 1), samples=st.integers(1, 400), shard=st.integers(7, 300))
def test_sampled_tables_at_n7_equal_a_tally_of_the_plain_sampler(seed, samples, shard):
    # n = 7 (the papers' case: two words per truth table), any seed, any sharding
    table = mm.sample_functions("7-6-1", samples=samples, seed=seed, shard_size=shard)
    assert as_dict(table) == reference_tally("7-6-1", samples, seed)


@pytest.fixture(scope="module")
def n7_run(tmp_path_factory):
    from minimodels.analysis.sampling.runs import SampleConfig, sample_run

    out = tmp_path_factory.mktemp("n7") / "run"
    config = SampleConfig(model="7-8-8-1", samples=3000, seed=11, shard_size=700)
    return sample_run(config, out, backend="serial"), reference_tally("7-8-8-1", 3000, 11)


def test_an_n7_run_writes_the_functions_and_summary_of_the_plain_tally(n7_run):
    run, expected = n7_run
    rows = pq.read_table(run.path / "functions.parquet").to_pylist()
    wanted = ref.columns(expected)
    assert [(r["function"], r["count"]) for r in rows] == [
        (w["function"], w["count"]) for w in wanted
    ]  # most frequent first, ties by truth table
    for got, want in zip(rows, wanted, strict=True):
        assert got["probability"] == pytest.approx(want["probability"], rel=1e-12)
        assert got["k_lz"] == want["k_lz"] and got["n_ones"] == want["n_ones"]
        assert got["entropy"] == pytest.approx(want["entropy"], abs=1e-12)
    summary = json.loads((run.path / "summary.json").read_text())
    wanted_summary = ref.summary(expected)
    assert summary["top_function"] == wanted_summary.pop("top_function")
    for key, value in wanted_summary.items():
        assert summary[key] == pytest.approx(value, rel=1e-12), key
    assert summary["n_shards"] == 5  # ⌈3000 / 700⌉
    again, metadata = mm.sampling.load_run(run.path)
    assert as_dict(again) == expected and metadata["n_samples"] == 3000


def test_the_bias_analysis_of_an_n7_table_is_the_plain_tally_read_by_hand(n7_run):
    run, expected = n7_run
    numbers = ref.bias_numbers(expected)
    a = analyse(run.table, rng=np.random.default_rng(0), n_random=500)
    assert a.probabilities.tolist() == pytest.approx(numbers["probabilities"], rel=1e-12)
    assert a.k_lz.tolist() == numbers["k_lz"] and a.n_ones.tolist() == numbers["n_ones"]
    assert dict(zip(a.k_values.tolist(), a.p_k.tolist(), strict=True)) == pytest.approx(
        numbers["p_k"], rel=1e-12
    )
    maxima = dict(zip(a.bound_points["k"].tolist(), a.bound_points["log2_p"].tolist(), strict=True))
    assert maxima == pytest.approx(numbers["bound_maxima"], rel=1e-12)
    assert a.n_singletons == numbers["n_singletons"] and a.n_functions == len(expected)
    ones = a.ones_distribution()
    assert len(ones) == 129
    assert {t: p for t, p in enumerate(ones.tolist()) if p} == pytest.approx(numbers["ones"])
    listed = a.numbers()
    assert listed["samples"] == 3000 and listed["distinct functions"] == len(expected)
    assert listed["P(most common)"] == numbers["probabilities"][0]
    assert listed["seen once (fraction of distinct)"] == round(
        numbers["n_singletons"] / len(expected), 4
    )


def test_the_bias_analysis_of_a_hand_made_table():
    # 10 samples: 0000 0000 six times (K = log2 8 = 3), 0101 0101 three times (phrases
    # 0·1·010101 and 1·0·101010: K = 3 · 3 = 9), 0110 0110 once
    table = tables.from_strings(["01" * 4, "0" * 8, "0110" * 2], [3, 6, 1])
    a = analyse(table, rng=np.random.default_rng(0))
    assert a.probabilities.tolist() == [0.6, 0.3, 0.1]
    assert a.k_lz.tolist() == [3.0, 9.0, lz.k_lz("0110" * 2)]
    assert a.n_ones.tolist() == [0, 4, 4] and a.n_singletons == 1
    assert a.singleton_fraction == pytest.approx(1 / 3)
    # the bound's points are the per-K maxima of the functions seen twice or more
    assert a.bound_points["k"].tolist() == [3.0, 9.0]
    assert a.bound_points["log2_p"].tolist() == pytest.approx([np.log2(0.6), np.log2(0.3)])
    # two points: the line through them, log2 P = −aK − b
    slope = (np.log2(0.3) - np.log2(0.6)) / 6.0
    assert (a.bound_a, a.bound_b) == pytest.approx((-slope, -(np.log2(0.6) - slope * 3.0)))
    assert a.ones_distribution().tolist() == pytest.approx([0.6, 0, 0, 0, 0.4, 0, 0, 0, 0])
    # every 8-bit string, exactly: the constants are the only two with K = log2 8 = 3
    assert dict(zip(a.random_k_values.tolist(), a.random_p_k.tolist(), strict=True))[3.0] == (
        pytest.approx(2 / 256)
    )


def test_summarise_counts_singletons_among_distinct_functions_and_never_divides_by_zero():
    from minimodels.analysis.sampling.runs import summarise

    table = tables.from_strings(["0011", "0101", "1111"], [5, 1, 1])
    summary = summarise(table, {"function": "0011", "probability": 5 / 7}, 2.5)
    assert summary == {
        "n_samples": 7,
        "n_functions": 3,
        "n_singletons": 2,
        "singleton_fraction": 2 / 3,
        "top_function": "0011",
        "top_probability": 5 / 7,
        "mean_k_lz": 2.5,
    }
    empty = tables.from_words(np.zeros((0, 1), np.uint64), np.zeros(0, np.int64), 2)
    assert summarise(empty, {}, 0.0)["singleton_fraction"] == 0.0


def test_the_simplicity_experiment_reports_the_plain_tally_of_its_nets():
    from minimodels.experiments import simplicity

    result = simplicity.run(simplicity.SimplicityConfig(model="7-6-1", samples=1500, seed=4))
    expected = reference_tally("7-6-1", 1500, 4)
    assert as_dict(result.table) == expected
    numbers = ref.bias_numbers(expected)
    assert result.analysis.probabilities.tolist() == pytest.approx(numbers["probabilities"])
    assert result.analysis.n_singletons == numbers["n_singletons"]
    assert result.analysis.label == "7-6-1, gaussian σw=1 σb=1"


def test_zipf_line_and_the_numbers_of_tiny_tables():
    from minimodels.analysis.sampling.analysis import zipf_line

    n = 3  # P(r) = 1 / (ln(2^8) · r)
    assert zipf_line(n, np.array([1, 2, 4])).tolist() == pytest.approx(
        [1 / (8 * np.log(2) * r) for r in (1, 2, 4)]
    )
    one = analyse(tables.from_strings(["0110"], [1]), rng=np.random.default_rng(0))
    assert one.singleton_fraction == 1.0 and one.numbers()["P(most common)"] == 1.0
    empty = tables.from_words(np.zeros((0, 1), np.uint64), np.zeros(0, np.int64), 2)
    assert analyse(empty, rng=np.random.default_rng(0)).numbers()["P(most common)"] is None
    # the bound of the hand-made table of test_the_bias_analysis_of_a_hand_made_table
    hand = analyse(
        tables.from_strings(["01" * 4, "0" * 8, "0110" * 2], [3, 6, 1]),
        rng=np.random.default_rng(0),
    ).numbers()
    a = 1 / 6  # the line through (3, log2 0.6) and (9, log2 0.3): slope −1/6
    b = -(np.log2(0.6) + 3 * a)  # log2 P = −aK − b
    assert hand["bound a (log2 P ≤ −aK − b)"] == round(a, 3) == 0.167
    assert hand["bound b"] == round(b, 3) == 0.237
    assert hand["samples"] == 10 and hand["distinct functions"] == 3
    assert hand["seen once (fraction of distinct)"] == 0.3333


def test_an_empty_table_read_from_no_strings_keeps_its_size():
    empty = tables.from_strings([], [], n_inputs=7)
    assert empty.n_inputs == 7 and empty.words.shape == (0, 2) and empty.n_samples == 0
    assert tables.from_strings([], [], n_inputs=2).n_inputs == 2


def test_a_resumed_run_reads_its_finished_shards_back_instead_of_sampling_again(tmp_path):
    from minimodels.analysis.sampling import runs

    config = runs.SampleConfig(model="7-6-1", samples=900, seed=2, shard_size=200)

    def stop_after_three(done, total):
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runs.sample_run(config, tmp_path / "r", backend="serial", on_progress=stop_after_three)
    resumed = runs.sample_run(config, tmp_path / "r", backend="serial", resume=True)
    assert resumed.summary["n_shards_resumed"] == 3 and resumed.notes == []
    assert as_dict(resumed.table) == reference_tally("7-6-1", 900, 2)
