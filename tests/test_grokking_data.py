"""Modular arithmetic data: operations, splits and encodings."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from minimodels.learners.grokking.data import (
    is_prime,
    make_data,
    one_hot_pairs,
    operation_table,
    split_indices,
    token_pairs,
)

PRIMES = [2, 3, 5, 7, 11, 13, 17, 23, 31, 97, 113]


@given(
    p=st.sampled_from(PRIMES[2:]),
    frac=st.floats(0.05, 0.95),
    seed=st.integers(0, 2**32 - 1),
    op=st.sampled_from(["+", "-", "*", "/"]),
)
def test_split_is_disjoint_complete_and_reproducible(p, frac, seed, op):
    data = make_data(op, p, frac, rng=np.random.default_rng(seed))
    again = make_data(op, p, frac, rng=np.random.default_rng(seed))
    assert not set(data.train) & set(data.test)
    assert sorted([*data.train, *data.test]) == list(range(data.n_pairs))
    assert len(data.train) == round(frac * data.n_pairs)
    np.testing.assert_array_equal(data.train, again.train)
    np.testing.assert_array_equal(data.test, again.test)


def test_different_seeds_give_different_splits():
    first = make_data("+", 31, 0.5, rng=np.random.default_rng(0))
    second = make_data("+", 31, 0.5, rng=np.random.default_rng(1))
    assert not np.array_equal(first.train, second.train)


@pytest.mark.parametrize("p", [5, 7, 12])
def test_add_sub_mul_match_python_integers(p):
    for op, fn in [("+", lambda a, b: a + b), ("-", lambda a, b: a - b), ("*", lambda a, b: a * b)]:
        a, b, c = operation_table(op, p)
        assert len(c) == p * p
        assert all(int(ci) == fn(int(ai), int(bi)) % p for ai, bi, ci in zip(a, b, c, strict=True))


@pytest.mark.parametrize("p", PRIMES)
def test_division_inverts_multiplication(p):
    a, b, c = operation_table("/", p)
    assert len(c) == p * (p - 1)  # b = 0 is left out
    assert np.all(b != 0)
    np.testing.assert_array_equal((c * b) % p, a)
    # and agrees with Python's modular inverse
    assert all(
        int(ci) == int(ai) * pow(int(bi), -1, p) % p for ai, bi, ci in zip(a, b, c, strict=True)
    )


@pytest.mark.parametrize("p", [4, 9, 15, 100])
def test_division_needs_a_prime(p):
    with pytest.raises(ValueError, match=f"p = {p} is not") as info:
        operation_table("/", p)
    assert "prime" in str(info.value)


def test_is_prime_against_trial_list():
    assert [n for n in range(40) if is_prime(n)] == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]


def test_polynomial_operation_is_exact_mod_p():
    p = 97
    a, b, c = operation_table("a**3 + 2*a*b - b**2 + 5", p)
    expected = [
        (int(x) ** 3 + 2 * int(x) * int(y) - int(y) ** 2 + 5) % p for x, y in zip(a, b, strict=True)
    ]
    np.testing.assert_array_equal(c, expected)


@pytest.mark.parametrize("bad", ["a / b", "a ** b", "__import__('os')", "c + 1", "a +", "1.5 * a"])
def test_bad_operations_are_refused_in_one_sentence(bad):
    with pytest.raises(ValueError, match="neither one of"):
        operation_table(bad, 7)


@pytest.mark.parametrize("frac", [0.0, 1.0, -0.1, 1.5, float("nan")])
def test_fraction_outside_open_unit_interval_is_refused(frac):
    with pytest.raises(ValueError, match=r"outside \(0, 1\)"):
        split_indices(100, frac, rng=np.random.default_rng(0))


def test_fraction_leaving_an_empty_set_is_refused():
    with pytest.raises(ValueError, match="empty"):
        split_indices(10, 0.01, rng=np.random.default_rng(0))


def test_encodings():
    a, b = np.array([0, 3, 4]), np.array([4, 0, 4])
    tokens = token_pairs(a, b, 5)
    np.testing.assert_array_equal(tokens, [[0, 4, 5], [3, 0, 5], [4, 4, 5]])
    x = one_hot_pairs(a, b, 5)
    assert x.shape == (3, 10)
    np.testing.assert_array_equal(x.sum(axis=1), 2)
    np.testing.assert_array_equal(np.argmax(x[:, :5], axis=1), a)
    np.testing.assert_array_equal(np.argmax(x[:, 5:], axis=1), b)
