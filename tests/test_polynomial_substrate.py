"""Thresholded random polynomials (``poly:N:D``): compiled ≡ plain path, a hand-checked case,
degree 1 gives threshold functions only, and bad specs are refused in one sentence."""

import itertools
import re

import numpy as np
import pytest

from minimodels.analysis.sampling import (
    _substrate_kernels as kernels,
    sample_functions,
    substrates,
    tables,
)
from minimodels.analysis.sampling.models import parse_model
from minimodels.analysis.sampling.streams import run_key
from minimodels.base.errors import UsageError


@pytest.mark.parametrize("model", ["poly:5:0", "poly:5:1", "poly:5:2", "poly:5:5", "poly:7:1",
                                   "poly:7:3", "poly:7:7"])  # fmt: skip
def test_compiled_polynomial_sampler_equals_the_plain_path(model):
    spec = parse_model(model)
    key = run_key(5)
    fast = substrates.truth_tables(spec, key, 70, 300)
    plain = substrates.reference_truth_tables(spec, key, 70, 300)
    np.testing.assert_array_equal(tables.unpacked_truth_tables(fast, spec.n_inputs), plain)
    assert len(np.unique(plain, axis=0)) > (1 if spec.degree == 0 else 30)


def test_a_polynomial_of_two_inputs_by_hand():
    spec = parse_model("poly:2:2")
    assert spec.monomials() == ((), (0,), (1,), (0, 1))
    # p = −1 + 2·x1 + 0.5·x2 − 3·x1·x2 on rows 00, 01, 10, 11 (x1 the most significant bit):
    # −1, −0.5, 1, −1.5  →  0 0 1 0
    c = np.array([-1.0, 2.0, 0.5, -3.0])
    np.testing.assert_array_equal(substrates.reference_polynomial_values(spec, c)[0],
                                  [-1.0, -0.5, 1.0, -1.5])  # fmt: skip
    words = np.zeros(1, dtype=np.uint64)
    kernels.evaluate_polynomial(c, substrates.monomial_rows(spec), np.empty(4), words)
    np.testing.assert_array_equal(tables.unpacked_truth_tables(words[None], 2)[0], [0, 0, 1, 0])
    # and −x1 + x2: 0, 1, −1, 0 → only row 01 is > 0
    c = np.array([0.0, -1.0, 1.0, 0.0])
    kernels.evaluate_polynomial(c, substrates.monomial_rows(spec), np.empty(4), words)
    np.testing.assert_array_equal(tables.unpacked_truth_tables(words[None], 2)[0], [0, 1, 0, 0])


def threshold_functions(n: int) -> set[tuple[int, ...]]:
    """Every [w·x + b > 0] on {0,1}^n with small integer weights and bias (brute force)."""
    x = np.array(list(itertools.product((0, 1), repeat=n)))  # row i = binary i, x1 first
    found = set()
    for w in itertools.product(range(-3, 4), repeat=n):
        for b in range(-10, 11):
            found.add(tuple((x @ np.array(w) + b > 0).astype(int)))
    return found


def test_degree_one_gives_only_threshold_functions():
    linear = threshold_functions(3)
    assert len(linear) == 104  # the threshold functions of 3 inputs
    table = sample_functions("poly:3:1", samples=20_000, seed=1)
    sampled = {tuple(int(v) for v in row) for row in table.truth_tables()}
    assert sampled <= linear
    assert len(sampled) > 60
    # and degree 2 reaches beyond them (xor of x1, x2 = x1 + x2 − 2·x1·x2 is not linear)
    table = sample_functions("poly:3:2", samples=20_000, seed=1)
    assert not {tuple(int(v) for v in row) for row in table.truth_tables()} <= linear


def test_counts_sum_to_the_samples_and_do_not_depend_on_shards():
    table = sample_functions("poly:7:3", samples=5000, seed=3)
    assert table.counts.sum() == 5000
    sharded = sample_functions("poly:7:3", samples=5000, seed=3, shard_size=777)
    np.testing.assert_array_equal(sharded.words, table.words)
    np.testing.assert_array_equal(sharded.counts, table.counts)


def test_full_degree_reaches_every_function_of_two_inputs():
    table = sample_functions("poly:2:2", samples=20_000, seed=0)
    assert table.n_functions == 16
    assert table.counts.sum() == 20_000


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("poly:7", "expected 'poly:N:D'"),
        ("poly:7:3:4", "expected 'poly:N:D'"),
        ("poly:7:-1", "expected 'poly:N:D'"),
        ("poly:x:3", "expected 'poly:N:D'"),
        ("poly:7:8", "out of range for 7 inputs"),
        ("poly:11:3", "1..10"),
        ("poly:0:0", "1..10"),
    ],
)
def test_bad_polynomial_specs_are_one_sentence_errors(model, message):
    with pytest.raises(UsageError, match=message) as caught:
        parse_model(model)
    text = str(caught.value)
    assert "\n" not in text and not re.search(r"[.;!?] [A-Z]", text)  # one sentence
