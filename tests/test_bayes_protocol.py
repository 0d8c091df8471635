"""The P_train vs P_B bookkeeping: splits, tallies, exact posteriors, the comparison table."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from minimodels.analysis.bayes.protocol import (
    Split,
    bits_to_strings,
    compare,
    exact_posterior,
    hamming_to,
    random_split,
    tabulate,
)

strings8 = st.text(alphabet="01", min_size=8, max_size=8)


@given(st.integers(2, 6), st.data())
def test_random_split_partitions_the_inputs_and_keeps_the_target(n, data):
    target = data.draw(st.text(alphabet="01", min_size=2**n, max_size=2**n))
    m = data.draw(st.integers(1, 2**n - 1))
    split = random_split(n, m, target, rng=np.random.default_rng(data.draw(st.integers(0, 99))))
    assert len(split.train) == m
    np.testing.assert_array_equal(np.sort(np.r_[split.train, split.test]), np.arange(2**n))
    assert "".join(map(str, split.train_labels)) == "".join(target[i] for i in split.train)
    assert split.test_target == "".join(target[i] for i in split.test)
    # row i of the inputs is i in binary, x1 the most significant bit
    np.testing.assert_array_equal(split.inputs @ (2 ** np.arange(n - 1, -1, -1)), np.arange(2**n))


def pack_naively(table: np.ndarray) -> list[int]:
    """Input i at bit 63 − (i mod 64) of word i // 64, as the sampler packs truth tables."""
    words = [0] * max(1, (len(table) + 63) // 64)
    for i, bit in enumerate(table):
        words[i // 64] |= int(bit) << (63 - i % 64)
    return words


@given(st.integers(2, 8), st.data())
def test_the_packed_fit_test_agrees_with_the_unpacked_one(n, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 999)))
    target = "".join(map(str, rng.integers(0, 2, 2**n)))
    split = random_split(n, data.draw(st.integers(1, 2**n - 1)), target, rng=rng)
    tables = rng.integers(0, 2, (40, 2**n)).astype(np.uint8)
    tables[::3, split.train] = split.train_labels  # a third fit S, the rest almost never
    tables[1::3, split.train] = split.train_labels
    tables[1::3, split.train[-1]] ^= 1  # a third miss exactly one training row
    words = np.array([pack_naively(t) for t in tables], dtype=np.uint64)
    fits, _ = split.restrict(tables)
    assert fits.any()
    np.testing.assert_array_equal(split.fits_packed(words), fits)


@given(st.lists(strings8, max_size=40), st.lists(strings8, max_size=40))
def test_merged_tallies_equal_one_tally_of_everything(a, b):
    merged = tabulate(a, n_attempts=len(a) + 3).merged(tabulate(b, n_attempts=len(b) + 5))
    whole = tabulate(a + b, n_attempts=len(a) + len(b) + 8)
    np.testing.assert_array_equal(merged.functions, whole.functions)
    np.testing.assert_array_equal(merged.counts, whole.counts)
    assert (merged.n_attempts, merged.n_kept) == (whole.n_attempts, whole.n_kept)


@given(st.lists(strings8, min_size=1, max_size=60), st.lists(strings8, min_size=1, max_size=60))
def test_comparison_probabilities_are_the_two_tallies_aligned(a, b):
    target = "01010101"
    comparison = compare(tabulate(a), tabulate(b), target)
    assert comparison.p_train.sum() == pytest.approx(1.0)
    assert comparison.p_bayes.sum() == pytest.approx(1.0)
    for f, p_t, p_b, e in zip(
        comparison.functions,
        comparison.p_train,
        comparison.p_bayes,
        comparison.n_errors,
        strict=True,
    ):
        assert p_t == pytest.approx(a.count(f) / len(a))
        assert p_b == pytest.approx(b.count(f) / len(b))
        assert e == sum(x != y for x, y in zip(f, target, strict=True))


def test_identical_tallies_put_all_mass_on_the_diagonal_and_disjoint_ones_none():
    same = tabulate(["0011", "0011", "0101", "1111"])
    numbers = compare(same, same, "0011").headline()
    assert numbers["train_mass_within_decade"] == pytest.approx(1.0)
    assert numbers["train_mass_unseen_by_bayes"] == 0.0
    apart = compare(tabulate(["0000"]), tabulate(["1111"]), "0011").headline()
    assert apart["train_mass_within_decade"] == 0.0
    assert apart["train_mass_unseen_by_bayes"] == 1.0
    # a factor 20 is outside the band: 0.95 vs 0.0475 for '0000'
    skewed = compare(tabulate(["0000"] * 19 + ["1111"]), tabulate(["1111"] * 19 + ["0000"]), "0")
    assert skewed.headline()["train_mass_within_decade"] == pytest.approx(0.0)


def test_exact_posterior_conditions_a_finite_prior_on_the_training_rows():
    # four "parameter settings" with their truth tables on n = 2 inputs
    tables = np.array([[0, 1, 1, 0], [0, 1, 0, 0], [1, 1, 1, 1], [0, 1, 1, 1]])
    weights = np.array([0.1, 0.2, 0.3, 0.4])
    split = Split(2, np.array([0, 1]), np.array([2, 3]), "0110")
    functions, probabilities = exact_posterior(tables, weights, split)
    # settings 0, 1, 3 fit rows (0, 1) = (0, 1); their test strings are '10', '00', '11'
    assert dict(zip(functions, probabilities, strict=True)) == pytest.approx(
        {"00": 0.2 / 0.7, "10": 0.1 / 0.7, "11": 0.4 / 0.7}
    )


def test_bits_to_strings_and_hamming_round_trip():
    bits = np.array([[0, 1, 1], [1, 1, 1]])
    strings = bits_to_strings(bits)
    assert strings.tolist() == ["011", "111"]
    assert hamming_to(strings, "010").tolist() == [1, 2]


def test_bad_splits_are_refused():
    with pytest.raises(ValueError, match="length 2"):
        random_split(2, 1, "010", rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="out of range"):
        random_split(2, 4, "0101", rng=np.random.default_rng(0))


def test_mean_test_error_is_the_expected_error_fraction_and_none_when_nothing_was_kept():
    train = tabulate(["0011", "0011", "0111", "1100"])  # 0, 0, 1 and 4 errors against 0011
    numbers = compare(train, tabulate([], n_attempts=1000), "0011").headline()
    assert numbers["mean_test_error_train"] == pytest.approx((0 + 0 + 1 + 4) / 4 / 4)
    assert numbers["mean_test_error_bayes"] is None  # no sample fit S: no P_B to average over


def test_the_comparison_panel_draws_when_neither_method_kept_a_function():
    from minimodels.plotting import png_bytes
    from minimodels.plotting.bayes import plot_comparison_panel

    nothing = compare(tabulate([], n_attempts=3), tabulate([], n_attempts=10), "0011")
    assert png_bytes(plot_comparison_panel(nothing)).startswith(b"\x89PNG")


@pytest.mark.slow  # starting Ray takes ~20 s on this machine
def test_both_halves_give_the_same_tallies_on_ray_as_in_process():
    ray = pytest.importorskip("ray")
    from minimodels.analysis.bayes.nets import SGDSetup, net_bayes_plan, sgd_plan
    from minimodels.analysis.bayes.protocol import run_plan
    from minimodels.runtime.parallel import start_ray

    setup = SGDSetup(model="3-8-1", max_steps=300)
    split = Split(3, np.array([0, 3, 5, 6]), np.array([1, 2, 4, 7]), "01110001")
    plans = [
        lambda: sgd_plan(split, setup, n_runs=12, seed=4, batch=4),
        lambda: net_bayes_plan(split, setup, n_samples=20_000, seed=4, n_shards=3),
    ]
    local = [run_plan(plan()) for plan in plans]
    start_ray(num_cpus=2)
    try:
        remote = [run_plan(plan(), backend="ray") for plan in plans]
    finally:
        ray.shutdown()
    for a, b in zip(local, remote, strict=True):
        assert a.n_kept > 0
        np.testing.assert_array_equal(a.functions, b.functions)
        np.testing.assert_array_equal(a.counts, b.counts)


def test_the_nngp_posterior_of_no_functions_is_empty():
    # e.g. when no function was found often enough to be worth an EP
    from minimodels.analysis.bayes.nets import SGDSetup, nngp_posterior

    split = Split(3, np.array([0, 3, 5, 6]), np.array([1, 2, 4, 7]), "01110001")
    assert nngp_posterior(split, SGDSetup(model="3-8-1"), []).shape == (0,)


def test_the_seen_twice_headline_is_a_fraction_of_the_functions_both_saw_twice():
    train = tabulate(["aa"] * 4 + ["bb"] * 4 + ["cc"] * 2, n_attempts=10)
    bayes = tabulate(["aa"] * 3 + ["bb"] * 40 + ["cc"] + ["dd"] * 56, n_attempts=100)
    headline = compare(train, bayes, "aa").headline()
    # both saw aa and bb twice; only bb is within a factor 10 (aa: 0.4 vs 0.03)
    assert headline["n_functions_both_seen_twice"] == 2
    assert headline["train_mass_within_decade_seen_twice"] == pytest.approx(0.4 / 0.8)
    assert headline["train_mass_within_decade"] == pytest.approx(0.4)  # cc: 0.2 vs 0.01


def test_with_a_computed_p_b_the_scored_mean_error_covers_only_the_scored_functions():
    from minimodels.analysis.bayes.protocol import compare_with_computed

    train = tabulate(["aa"] * 6 + ["ab"] * 2 + ["bb"] * 2, n_attempts=10)
    headline = compare_with_computed(train, np.array(["aa", "ab"]), np.array([0.5, 0.1]), "aa")
    headline = headline.headline()
    # over everything: (0·6 + 1·2 + 2·2) / 10 / 2 letters; over aa and ab only: 2 / 8 / 2
    assert headline["mean_test_error_train"] == pytest.approx(0.3)
    assert headline["mean_test_error_train_scored"] == pytest.approx(0.125)
    assert headline["train_mass_unseen_by_bayes"] == pytest.approx(0.2)
    # aa: 0.6 vs 0.5 and ab: 0.2 vs 0.1 are within ×10; bb is not scored: 0.8 of the 0.8 scored
    assert headline["train_mass_within_decade"] == pytest.approx(0.8)
    assert headline["train_mass_within_decade_scored"] == pytest.approx(1.0)
