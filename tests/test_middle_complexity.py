"""Complexity measures' input checks and batches against plain-Python definitions
(SCIENCE.md §B.1–B.2): what every measure accepts, refuses, and returns per row."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from reference import lz

from minimodels.analysis import complexity


def sensitivity_by_hand(table: str) -> tuple[float, float]:
    """(critical sample ratio, average sensitivity) by flipping every input bit of every row."""
    n = len(table).bit_length() - 1
    flips = [sum(table[i] != table[i ^ (1 << j)] for j in range(n)) for i in range(len(table))]
    return sum(f > 0 for f in flips) / len(table), sum(flips) / len(table)


def walsh_by_hand(table: str) -> list[float]:
    n = len(table).bit_length() - 1
    return [
        sum((-1) ** (int(table[x]) + bin(s & x).count("1")) for x in range(2**n)) / 2**n
        for s in range(2**n)
    ]


def entropy_by_hand(s: str) -> float:
    p = s.count("1") / len(s)
    return 0.0 if p in (0.0, 1.0) else -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


tables = st.integers(1, 5).flatmap(lambda n: st.text("01", min_size=2**n, max_size=2**n))


@settings(max_examples=40)
@given(st.lists(tables, min_size=1, max_size=4).filter(lambda ts: len({len(t) for t in ts}) == 1))
def test_every_measure_is_its_definition_row_by_row_and_one_value_for_one_string(batch):
    k = complexity.k_lz(batch)
    h = complexity.entropy(batch)
    csr = complexity.critical_sample_ratio(batch)
    sens = complexity.average_sensitivity(batch)
    walsh = complexity.walsh_spectrum(batch)
    l1 = complexity.fourier_l1(batch)
    for i, table in enumerate(batch):
        ratio, average = sensitivity_by_hand(table)
        spectrum = walsh_by_hand(table)
        assert k[i] == lz.k_lz(table) == complexity.k_lz(table)
        assert h[i] == pytest.approx(entropy_by_hand(table)) == complexity.entropy(table)
        assert (csr[i], sens[i]) == pytest.approx((ratio, average))
        assert complexity.critical_sample_ratio(table) == pytest.approx(ratio)
        assert complexity.average_sensitivity(table) == pytest.approx(average)
        np.testing.assert_allclose(walsh[i], spectrum, atol=1e-12)
        np.testing.assert_allclose(complexity.walsh_spectrum(table), spectrum, atol=1e-12)
        assert l1[i] == pytest.approx(sum(abs(c) for c in spectrum))
        assert complexity.fourier_l1(table) == pytest.approx(l1[i])
    assert isinstance(complexity.critical_sample_ratio(batch[0]), float)
    assert isinstance(complexity.k_lz(batch[0]), float)


def test_one_bit_and_long_strings_take_every_path():
    assert complexity.k_lz("1") == 0.0 == complexity.k_lz(np.ones((3, 1), np.uint8)).sum()
    rng = np.random.default_rng(0)
    long = rng.integers(0, 2, (3, 300)).astype(np.uint8)  # past 128 bits: the compiled scan
    strings = ["".join(map(str, row)) for row in long]
    assert complexity.k_lz(long).tolist() == [lz.k_lz(s) for s in strings]


@pytest.mark.parametrize(
    ("bits", "message"),
    [
        ("", "non-empty string of '0' and '1', got ''"),
        ("0120", "non-empty string of '0' and '1', got '0120'"),
        (["01", "011"], "all strings in a batch must have the same length"),
        (np.zeros((2, 2, 2)), r"1-D or 2-D 0/1 array, got shape \(2, 2, 2\)"),
        (np.zeros((3, 0)), r"got shape \(3, 0\)"),
        (np.array(["a", "b"], dtype=object), "string of '0' and '1', got 'a'"),
        (np.array([0, 1, 3], dtype=np.uint8), "expected 0/1 values, got 3"),
        (np.array([0, -1]), "expected 0/1 values, got -1"),
        (np.array([0.0, 0.25]), "expected 0/1 values, got 0.25"),
        (np.array([1 + 1j]), "dtype complex128"),
    ],
)
def test_bad_strings_are_refused_in_one_sentence_naming_the_value(bits, message):
    with pytest.raises(ValueError, match=message):
        complexity.k_lz(bits)


def test_good_strings_in_every_spelling_are_the_same_bits():
    for spelling in ("0110", [0, 1, 1, 0], np.array([False, True, True, False]), [0.0, 1, 1, 0]):
        bits = complexity.as_bits(spelling)
        assert bits.dtype == np.uint8 and bits.tolist() == [0, 1, 1, 0]
    column = complexity.as_bits(np.array(["01", "10"], dtype=object))
    assert column.tolist() == [[0, 1], [1, 0]]


@pytest.mark.parametrize("length", [0, 1, 3, 6, 12, 100])
def test_a_truth_table_length_that_is_no_power_of_two_is_refused(length):
    with pytest.raises(ValueError, match=f"length 2\\^n with n ≥ 1, got length {length}"):
        complexity.n_inputs_of(length)


@pytest.mark.parametrize("n", [1, 2, 5, 7, 10])
def test_the_number_of_inputs_of_a_truth_table(n):
    assert complexity.n_inputs_of(2**n) == n
    table = "01" * 2 ** (n - 1)
    assert complexity.critical_sample_ratio(table) == 1.0  # x_n: every input flips with it


def test_expression_size_refuses_an_unknown_form_and_batches():
    with pytest.raises(ValueError, match="unknown form 'dnf'; choose sop, pos or min"):
        complexity.expression_size("0110", form="dnf")
    with pytest.raises(ValueError, match="n ≤ 5 inputs, got n = 6"):
        complexity.expression_size("0" * 64)
    assert complexity.expression_size("0" * 32) == 0  # n = 5 is allowed
    sizes = complexity.expression_size(["0001", "0111", "1111", "0110"])
    assert sizes.tolist() == [2, 2, 0, 4]  # x1x2; x1 + x2; constant; (x1 + x2)(x1' + x2')
    assert complexity.expression_size(["0111"], form="sop").tolist() == [2]
    assert complexity.expression_size(["0001"], form="pos").tolist() == [2]  # x1 · x2
