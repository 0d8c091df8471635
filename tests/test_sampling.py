"""The function sampler: compiled ≡ plain NumPy, streams are Gaussian, the perceptron's entropy
bias, counts that merge exactly whatever the sharding."""

import math

import numpy as np
import pytest

import minimodels as mm
from minimodels.analysis.sampling import mlp, tables
from minimodels.analysis.sampling.models import parse_model
from minimodels.analysis.sampling.reference import Streams
from minimodels.analysis.sampling.streams import run_key


@pytest.mark.parametrize(
    ("model", "init", "sigma_b"),
    [
        ("7-40-40-1", "gaussian", 1.0),
        ("7-40-40-1", "uniform", 1.0),
        ("perceptron:7", "gaussian", 0.0),
        ("4-6-5-1:tanh", "gaussian", 0.5),
        ("3-9-1:linear", "uniform", 1.0),
        ("2-5-3-1", "gaussian", 1.0),  # layer 1's subset-sum table at its smallest
        ("5-8-6-4-1", "gaussian", 0.3),  # ReLU layers that look for dead units, one that does not
        ("1-5-1", "gaussian", 1.0),  # one input: the ReLU-fused doubling is layer 1's only one
        ("8-6-1", "gaussian", 1.0),  # four words per table; units in a block of 4 and alone
    ],
)
def test_compiled_sampler_equals_the_numpy_reference_net_by_net(model, init, sigma_b):
    spec = parse_model(model)
    key = run_key(7)
    options = {"init": init, "sigma_w": 1.3, "sigma_b": sigma_b}
    fast = tables.unpacked_truth_tables(
        mlp.truth_tables(spec, key, 1000, 300, **options), spec.n_inputs
    )
    plain = mlp.reference_truth_tables(spec, key, 1000, 300, **options)
    np.testing.assert_array_equal(fast, plain)
    assert 0 < fast.mean() < 1


def test_layer_one_units_on_the_edge_of_dead_are_skipped_only_when_zero_on_every_input():
    """Units whose largest pre-activation is within a few ulps of 0, either side.

    The compiled path reads off the weights which layer-1 units are zero on every input and
    skips them (the reference adds every unit): it must list every unit with a positive value,
    however small.  Biases are minus the sum of the positive weights, as float32 adds it, then
    nudged by −3 … +3 ulps, so that rounding decides the sign of the largest entry.
    """
    from minimodels.analysis.sampling import _mlp_kernel as kernel

    n_in, hidden = 7, 64
    rows = np.array([int(f"{i:07b}"[::-1], 2) for i in range(128)])
    inputs = ((np.arange(128)[:, None] >> np.arange(n_in - 1, -1, -1)) & 1).astype(np.float32)
    rng = np.random.default_rng(3)
    n_tiny_positive = 0
    for _ in range(30):
        w = rng.normal(0, 0.4, (n_in, hidden)).astype(np.float32)
        b = np.zeros(hidden, dtype=np.float32)
        for j in range(n_in):
            b = b - np.maximum(w[j], np.float32(0))
        for k in range(hidden):
            for _ in range(k % 7 - 3 if k % 7 > 3 else 0):
                b[k] = np.nextafter(b[k], np.float32(np.inf))
            for _ in range(3 - k % 7 if k % 7 < 3 else 0):
                b[k] = np.nextafter(b[k], np.float32(-np.inf))
        h = np.broadcast_to(b, (128, hidden))
        for j in range(n_in):  # the reference's order of float32 adds
            h = h + inputs[:, j : j + 1] * w[j]
        h = np.maximum(h, np.float32(0))  # (input, unit)
        params = np.concatenate([w.ravel(), b])
        pre, a = np.empty((4, 128), np.float32), np.empty((hidden, 128), np.float32)
        live = np.empty(hidden, np.int64)
        n_live = kernel._first_layer(params, n_in, hidden, True, kernel.RELU, False, pre, a, live)
        np.testing.assert_array_equal(a[:, rows], h.T)
        positive = set(np.flatnonzero(h.max(axis=0) > 0))
        assert positive <= set(live[:n_live])
        n_tiny_positive += int(((h.max(axis=0) > 0) & (h.max(axis=0) < 1e-6)).sum())
    assert n_tiny_positive > 0  # the edge was reached


def test_reference_truth_table_puts_x1_in_the_most_significant_bit():
    # perceptron:3 with weights (w1, w2, w3): f(row i) = [x · w > 0], x1 = bit 2 of i
    spec = parse_model("perceptron:3")
    key = run_key(0)
    layers = mm.sampling.reference.reference_parameters(
        spec, key, np.arange(5), init="gaussian", scale_w=[1.0], scale_b=[1.0]
    )
    w = layers[0][0][:, :, 0]  # (5, 3)
    rows = np.array([[(i >> 2) & 1, (i >> 1) & 1, i & 1] for i in range(8)], dtype=np.float32)
    expected = (rows @ w.T > 0).T.astype(np.uint8)
    truth = mm.sampling.reference.reference_truth_tables(spec, layers)
    np.testing.assert_array_equal(truth, expected)


def test_stream_normals_follow_the_standard_normal_law():
    draws = np.concatenate([Streams(run_key(3), np.arange(100_000)).normal() for _ in range(2)])
    edges = np.array([-np.inf, -3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, np.inf])
    cdf = np.array([0.5 * (1 + math.erf(e / math.sqrt(2))) for e in edges])
    expected = np.diff(cdf) * len(draws)
    observed = np.histogram(draws, edges)[0]
    chi2 = ((observed - expected) ** 2 / expected).sum()
    assert chi2 < 40  # 11 degrees of freedom: P(chi2 > 40) ≈ 3e-5
    assert np.abs(draws).max() > 3.5  # the tail branch is exercised


def _chi2_uniform(counts: np.ndarray) -> float:
    expected = counts.sum() / len(counts)
    return float(((counts - expected) ** 2 / expected).sum())


def test_perceptron_without_bias_has_a_uniform_number_of_ones():
    n = 5
    table = mm.sample_functions(f"perceptron:{n}", samples=40_000, seed=2)
    ones = table.truth_tables().sum(axis=1)
    per_t = np.bincount(ones, weights=table.counts, minlength=2**n + 1)
    assert per_t[2**n] == 0  # f(0…0) = [0 > 0] = 0, so at most 2^n − 1 ones
    # 31 degrees of freedom: P(chi2 > 75) ≈ 1e-5
    assert _chi2_uniform(per_t[: 2**n]) < 75
    # the same test rejects a perceptron *with* bias, whose mass piles up at 0 and 2^n ones
    biased = mm.sample_functions(f"{n}-1", samples=40_000, seed=2, sigma_b=1.0)
    ones_b = biased.truth_tables().sum(axis=1)
    per_t_b = np.bincount(ones_b, weights=biased.counts, minlength=2**n + 1)
    assert _chi2_uniform(per_t_b) > 200


def test_counts_do_not_depend_on_shard_size_or_backend():
    single = mm.sample_functions("5-8-8-1", samples=6000, seed=4, shard_size=10**6)
    sharded = mm.sample_functions("5-8-8-1", samples=6000, seed=4, shard_size=700)
    pooled = mm.sample_functions(
        "5-8-8-1", samples=6000, seed=4, shard_size=1100, backend="process", jobs=2
    )
    for other in (sharded, pooled):
        np.testing.assert_array_equal(single.words, other.words)
        np.testing.assert_array_equal(single.counts, other.counts)
    assert single.n_samples == 6000


def test_merged_tables_of_separate_runs_add_their_counts():
    a = mm.sample_functions("3-5-1", samples=500, seed=1)
    b = mm.sample_functions("3-5-1", samples=700, seed=2)
    merged = tables.merge_tables([a, b])
    assert merged.n_samples == 1200
    by_string = dict(zip(merged.strings(), merged.counts, strict=True))
    for table in (a, b):
        for s, c in zip(table.strings(), table.counts, strict=True):
            assert by_string[s] >= c
    total = {}
    for table in (a, b):
        for s, c in zip(table.strings(), table.counts, strict=True):
            total[s] = total.get(s, 0) + c
    assert by_string == total


def test_tables_round_trip_through_strings():
    table = mm.sample_functions("7-10-1", samples=2000, seed=0)
    again = tables.from_strings(table.strings(), table.counts)
    np.testing.assert_array_equal(again.words, table.words)
    np.testing.assert_array_equal(again.counts, table.counts)
    small = mm.sample_functions("2-3-1", samples=300, seed=0)
    assert {len(s) for s in small.strings()} == {4}
    np.testing.assert_array_equal(
        tables.from_strings(small.strings(), small.counts).words, small.words
    )


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("7-40-40-2", "one output"),
        ("7-x-1", "unknown model spec"),
        ("7-4-1:swish", "unknown activation"),
        ("11-4-1", "1..10"),
        ("perceptron:x", "perceptron"),
    ],
)
def test_bad_model_specs_are_one_sentence_errors(model, message):
    with pytest.raises(ValueError, match=message):
        parse_model(model)


def test_unknown_init_is_refused():
    with pytest.raises(ValueError, match="unknown init 'he'"):
        mm.sample_functions("3-4-1", samples=10, init="he")


def test_guess_and_check_keeps_exactly_the_samples_that_fit_the_training_set():
    spec = parse_model("4-6-1")
    truth = mlp.reference_truth_tables(spec, run_key(6), 0, 4000)
    table = mm.sample_functions("4-6-1", samples=4000, seed=6)
    train, labels = np.array([0, 5, 15]), np.array([0, 1, 1])
    posterior = mm.sampling.guess_and_check(table, train, labels)
    kept = truth[(truth[:, train] == labels).all(axis=1)]
    assert posterior.n_accepted == len(kept) > 0
    assert posterior.acceptance_rate == len(kept) / 4000
    test = [i for i in range(16) if i not in train]
    expected: dict[str, int] = {}
    for row in kept[:, test]:
        s = "".join(map(str, row))
        expected[s] = expected.get(s, 0) + 1
    assert dict(zip(posterior.functions, posterior.counts, strict=True)) == expected
    np.testing.assert_allclose(posterior.p_bayes.sum(), 1.0)
    fresh = mm.sampling.guess_and_check("4-6-1", train, labels, samples=4000, seed=6)
    np.testing.assert_array_equal(fresh.counts, posterior.counts)
    with pytest.raises(ValueError, match="distinct indices"):
        mm.sampling.guess_and_check(table, [0, 0], [1, 1])


def test_bound_fit_recovers_a_planted_exponential_bound_and_ignores_singletons():
    from minimodels.analysis.sampling.analysis import fit_bound

    k = np.repeat(np.arange(10.0, 60.0, 5.0), 3)
    counts = np.round(2.0 ** (-0.3 * k - 1.0) * 2**40).astype(np.int64)
    counts[1::3] //= 4  # below the maximum at each K: must not move the fit
    k = np.append(k, [80.0, 90.0])
    counts = np.append(counts, [1, 1])  # seen once: dropped
    a, b, points = fit_bound(k, counts, 2**40)
    assert a == pytest.approx(0.3, abs=1e-6) and b == pytest.approx(1.0, abs=1e-6)
    assert 80.0 not in points["k"]


def test_bound_is_the_tightest_line_above_every_maximum():
    """Against brute force: every line through two maxima that no maximum lies above, and of
    those the one with the least total gap (the linear programme's optimum is such a line)."""
    from minimodels.analysis.sampling.analysis import fit_bound

    rng = np.random.default_rng(5)
    for _ in range(50):
        levels = np.sort(rng.choice(np.arange(7.0, 140.0, 3.5), rng.integers(2, 12), False))
        log2_max = -0.3 * levels - 2 + rng.normal(0, 3, len(levels))
        counts = np.round(2.0 ** (log2_max + 30)).astype(np.int64) + 2
        a, b, points = fit_bound(levels, counts, 2**30)
        k, m = points["k"], points["log2_p"]
        line = -a * k - b
        assert np.all(line >= m - 1e-9)  # a bound
        best = np.inf
        for i in range(len(k)):
            for j in range(i + 1, len(k)):
                slope = (m[j] - m[i]) / (k[j] - k[i])
                candidate = m[i] + slope * (k - k[i])
                if np.all(candidate >= m - 1e-9):
                    best = min(best, (candidate - m).sum())
        assert (line - m).sum() == pytest.approx(best, abs=1e-6)


def test_random_k_distribution_is_exact_for_short_strings_and_zipf_line_normalisation():
    from minimodels.analysis.sampling.analysis import random_k_distribution, zipf_line

    values, p = random_k_distribution(8, rng=np.random.default_rng(0))
    assert p.sum() == pytest.approx(1.0)
    assert p[values == 3.0] == pytest.approx(2 / 256)  # only the two constants have K = log2 8
    assert zipf_line(7, np.array([1.0]))[0] == pytest.approx(1 / (128 * np.log(2)))


def test_analysis_of_a_sampled_table_reports_consistent_numbers():
    from minimodels.analysis.sampling.analysis import analyse

    table = mm.sample_functions("7-40-40-1", samples=5000, seed=0)
    result = analyse(table, rng=np.random.default_rng(0), n_random=2000)
    assert result.probabilities.sum() == pytest.approx(1.0)
    assert result.p_k.sum() == pytest.approx(1.0)
    assert result.ones_distribution().sum() == pytest.approx(1.0)
    assert result.n_singletons == (table.counts == 1).sum()
    assert result.bound_a > 0  # probability falls with complexity
    figure = result.plot()
    assert len(figure.axes) == 4
