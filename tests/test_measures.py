"""The four complexity measures against plain references, and the simplicity-measures section."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.stats import spearmanr

from minimodels import gallery
from minimodels.analysis import complexity
from minimodels.base.errors import UsageError
from minimodels.gallery.sections.measures import (
    MEASURES,
    THRESHOLD,
    build_measures,
    measure_values,
    measures_claim,
    rank_correlations,
)


def _row(i: int, n: int) -> list[int]:
    """Input x of row i: the binary expansion of i, x1 most significant."""
    return [(i >> (n - 1 - j)) & 1 for j in range(n)]


def _index(x: list[int]) -> int:
    return sum(bit << (len(x) - 1 - j) for j, bit in enumerate(x))


def _flips_by_loop(table: list[int], n: int) -> list[int]:
    """Per input: how many single-bit flips change f (a plain double loop)."""
    flips = []
    for i in range(2**n):
        x = _row(i, n)
        changed = 0
        for j in range(n):
            y = list(x)
            y[j] = 1 - y[j]
            changed += table[_index(y)] != table[i]
        flips.append(changed)
    return flips


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_sensitivity_and_critical_sample_ratio_match_a_double_loop(n):
    rng = np.random.default_rng(n)
    tables = rng.integers(0, 2, size=(40, 2**n)).astype(np.uint8)
    tables[0] = 0  # a constant
    tables[1] = [sum(_row(i, n)) % 2 for i in range(2**n)]  # parity
    sensitivity = complexity.average_sensitivity(tables)
    ratio = complexity.critical_sample_ratio(tables)
    for k, table in enumerate(tables.tolist()):
        flips = _flips_by_loop(table, n)
        assert sensitivity[k] == pytest.approx(sum(flips) / 2**n)
        assert ratio[k] == pytest.approx(sum(f > 0 for f in flips) / 2**n)
    assert sensitivity[0] == 0 and ratio[0] == 0
    assert sensitivity[1] == n and ratio[1] == 1


def _terms(n: int) -> list[tuple[int, int]]:
    """Every non-empty product term over n inputs as (literals, bitmask of the rows it holds)."""
    terms = []
    for pattern in itertools.product((None, 0, 1), repeat=n):
        literals = sum(p is not None for p in pattern)
        if literals == 0:
            continue
        mask = 0
        for i in range(2**n):
            x = _row(i, n)
            if all(p is None or x[j] == p for j, p in enumerate(pattern)):
                mask |= 1 << i
        terms.append((literals, mask))
    return terms


def _min_dnf_over_all_term_sets(table: list[int], n: int) -> int:
    """Fewest literals of any set of product terms whose OR is f (every subset of every term)."""
    ones = sum(1 << i for i, v in enumerate(table) if v)
    if ones == 0 or ones == (1 << 2**n) - 1:
        return 0
    terms = _terms(n)
    best = math.inf
    for size in range(1, len(terms) + 1):
        for combo in itertools.combinations(terms, size):
            covered = 0
            for _, mask in combo:
                covered |= mask
            if covered == ones:
                best = min(best, sum(k for k, _ in combo))
    return int(best)


def _min_dnf_over_implicant_sets(table: list[int], n: int) -> int:
    """The same search, restricted to terms inside f (a term outside f can never be in a DNF
    of f) and stopped once k terms (≥ k literals) cannot beat the best."""
    ones = sum(1 << i for i, v in enumerate(table) if v)
    if ones == 0 or ones == (1 << 2**n) - 1:
        return 0
    inside = [t for t in _terms(n) if t[1] & ~ones == 0]
    best = math.inf
    for size in range(1, len(inside) + 1):
        if size >= best:
            break
        for combo in itertools.combinations(inside, size):
            covered = 0
            for _, mask in combo:
                covered |= mask
            if covered == ones:
                best = min(best, sum(k for k, _ in combo))
    return int(best)


@pytest.mark.parametrize("n", [1, 2])
def test_expression_size_matches_every_dnf(n):
    for code in range(2 ** (2**n)):
        table = [(code >> (2**n - 1 - i)) & 1 for i in range(2**n)]
        want = _min_dnf_over_all_term_sets(table, n)
        assert complexity.expression_size(np.array(table, np.uint8), form="sop") == want


def test_expression_size_matches_brute_force_at_three_inputs():
    codes = range(256)
    tables = np.array([[(c >> (7 - i)) & 1 for i in range(8)] for c in codes], np.uint8)
    sizes = complexity.expression_size(tables, form="sop")
    for table, size in zip(tables.tolist(), sizes.tolist(), strict=True):
        assert size == _min_dnf_over_implicant_sets(table, 3)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_expression_size_of_parity_and_or_and_constants(n):
    rows = [_row(i, n) for i in range(2**n)]
    parity = np.array([sum(x) % 2 for x in rows], np.uint8)
    conjunction = np.array([int(all(x)) for x in rows], np.uint8)
    disjunction = np.array([int(any(x)) for x in rows], np.uint8)
    size = complexity.expression_size
    assert size(parity, form="sop") == 2 ** (n - 1) * n
    assert size(1 - parity, form="sop") == 2 ** (n - 1) * n
    assert size(conjunction, form="sop") == n
    assert size(disjunction, form="sop") == n
    assert size(np.zeros(2**n, np.uint8), form="sop") == 0
    assert size(np.ones(2**n, np.uint8), form="sop") == 0


def test_measure_values_and_rank_correlations():
    rng = np.random.default_rng(0)
    tables = rng.integers(0, 2, size=(30, 16)).astype(np.uint8)
    values = measure_values(tables)
    assert list(values) == list(MEASURES)
    assert values["expression size"].tolist() == [
        complexity.expression_size(t, form="sop") for t in tables
    ]
    columns = {"a": rng.normal(size=50), "b": rng.integers(0, 4, 50), "c": rng.normal(size=50)}
    matrix = rank_correlations(columns)
    want = spearmanr(np.column_stack(list(columns.values()))).statistic
    np.testing.assert_allclose(matrix, want, atol=1e-12)
    constant = rank_correlations({"a": np.arange(5.0), "b": np.ones(5)})
    assert np.isnan(constant[0, 1]) and constant[0, 0] == 1


def test_claim_verdict_follows_the_threshold():
    names = list(MEASURES)
    assert measures_claim(dict.fromkeys(names, -0.5), 10).verdict == "supported"
    assert measures_claim({**dict.fromkeys(names, -0.5), names[2]: 0.1}, 10).verdict == "mixed"
    assert measures_claim(dict.fromkeys(names, -0.1), 10).verdict == "refuted"
    assert measures_claim(dict.fromkeys(names, float("nan")), 10).verdict == "refuted"


def test_section_builds_in_quick_mode_and_its_verdict_follows_its_numbers():
    section = build_measures(gallery.Context(quick=True))
    assert [f.name for f in section.figures] == ["measures", "correlations"]
    rho = [section.numbers[f"ρ({name}, log P)"] for name in MEASURES]
    shows = sum(r <= THRESHOLD for r in rho)
    want = "supported" if shows == 4 else "mixed" if shows else "refuted"
    (claim,) = section.claims
    assert claim.verdict == want
    assert section.numbers["samples"] == 20_000
    assert section.numbers["parity: K_LZ / CSR / literals / sensitivity"].split(" / ")[1:] == [
        "1", "80", "5",
    ]  # fmt: skip
    for item in section.figures:
        item.figure.clear()


def _one_sentence(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert message and "\n" not in message and ". " not in message
    return message


def test_bad_tables_are_refused_with_one_sentence():
    for measure in (complexity.average_sensitivity, complexity.critical_sample_ratio):
        with pytest.raises(UsageError) as error:
            measure(np.zeros((2, 12), np.uint8))
        assert "2^n" in _one_sentence(error)
    with pytest.raises(UsageError) as error:
        measure_values(np.zeros((1, 6), np.uint8))
    _one_sentence(error)
    with pytest.raises(UsageError) as error:
        complexity.expression_size(np.zeros(64, np.uint8), form="sop")
    assert "n ≤ 5" in _one_sentence(error)
    with pytest.raises(UsageError) as error:
        measure_values(np.zeros((3, 128), np.uint8))  # a 7-input table: no exact expression
    _one_sentence(error)
