"""K_LZ against its published values and an independent reading of its definition; the other
complexity measures against closed forms."""

import itertools
import math

import numba
import numpy as np
import pytest
from hypothesis import given, strategies as st

from minimodels.analysis import complexity
from minimodels.engine import lz_kernels


def phrases_from_definition(s: str) -> int:
    """LZ76 phrase count read straight off the definition: each phrase is the shortest prefix
    of the rest that does not occur as a substring starting earlier (the last may be cut)."""
    count, pos = 0, 0
    while pos < len(s):
        length = 1
        while pos + length <= len(s) and s[pos : pos + length] in s[: pos + length - 1]:
            length += 1
        count += 1
        pos += length
    return count


def k_lz_from_definition(s: str) -> float:
    if len(set(s)) == 1:
        return math.log2(len(s))
    return math.log2(len(s)) * (phrases_from_definition(s) + phrases_from_definition(s[::-1])) / 2


@pytest.mark.parametrize(
    ("s", "expected"),
    [("0" * 128, 7.0), ("1" * 128, 7.0), ("01" * 64, 21.0), ("0011" * 32, 28.0)],
)
def test_k_lz_matches_the_published_values(s, expected):
    assert complexity.k_lz(s) == expected
    assert complexity.k_lz_reference(s) == expected


def test_k_lz_of_128_bits_is_a_multiple_of_3_5():
    rng = np.random.default_rng(1)
    values = complexity.k_lz(rng.integers(0, 2, size=(2000, 128)))
    assert np.all(np.mod(values, 3.5) == 0)


@given(st.text(alphabet="01", min_size=1, max_size=300))
def test_k_lz_equals_the_definition_on_any_string(s):
    assert complexity.k_lz(s) == k_lz_from_definition(s)
    assert complexity.k_lz_reference(s) == k_lz_from_definition(s)


@pytest.mark.parametrize("length", [2, 7, 63, 64, 65, 127, 128, 129, 200])
def test_batched_kernels_equal_the_definition_on_random_strings(length):
    rng = np.random.default_rng(length)
    p_one = rng.random((400, 1))  # from near-constant to balanced strings
    batch = (rng.random((400, length)) < p_one).astype(np.uint8)
    expected = [k_lz_from_definition("".join(map(str, row))) for row in batch]
    np.testing.assert_array_equal(complexity.k_lz(batch), expected)


def _all_strings(length):
    """Every 0/1 string of the length, as a (2^length, length) uint8 batch and as text."""
    codes = np.arange(2**length)
    rows = ((codes[:, None] >> np.arange(length)[None, :]) & 1).astype(np.uint8)
    return rows, [format(code, f"0{length}b")[::-1] for code in codes.tolist()]


def test_batched_k_lz_equals_the_definition_on_every_string_up_to_16_bits():
    for length in range(1, 17):
        rows, strings = _all_strings(length)
        expected = [k_lz_from_definition(s) for s in strings]
        np.testing.assert_array_equal(complexity.k_lz(rows), expected, err_msg=f"N={length}")
        if length == 16:  # 2^16 rows go by chunks of 2^15; drop one for a ragged last chunk
            np.testing.assert_array_equal(complexity.k_lz(rows[1:]), expected[1:])
        if length <= 10:  # and the plain reference, string by string
            assert [complexity.k_lz_reference(s) for s in strings] == expected


def test_batched_k_lz_equals_the_definition_on_random_strings_of_every_length_to_300():
    rng = np.random.default_rng(300)
    for length in range(1, 301):
        p_one = rng.random((12, 1))  # from near-constant to balanced strings
        batch = (rng.random((12, length)) < p_one).astype(np.uint8)
        expected = [k_lz_from_definition("".join(map(str, row))) for row in batch.tolist()]
        assert complexity.k_lz(batch).tolist() == expected, length
        if length in (1, 2, 63, 64, 65, 127, 128, 129):
            assert [complexity.k_lz_reference(row) for row in batch] == expected


def test_k_lz_of_constant_periodic_and_one_flip_strings_equals_the_reference():
    for length in range(1, 301):  # constants: log2 N by definition
        constants = np.array([[0] * length, [1] * length], dtype=np.uint8)
        assert complexity.k_lz(constants).tolist() == [math.log2(length)] * 2
    patterns = [p for size in range(1, 7) for p in itertools.product((0, 1), repeat=size)]
    for length in (2, 17, 63, 64, 65, 127, 128, 129):
        periodic = np.array([(p * length)[:length] for p in patterns], dtype=np.uint8)
        flips = np.zeros((2 * length, length), dtype=np.uint8)
        flips[np.arange(length), np.arange(length)] = 1  # one 1 among zeros, then the reverse
        flips[length:] = 1 - flips[:length]
        for batch in (periodic, flips):
            expected = [k_lz_from_definition("".join(map(str, row))) for row in batch.tolist()]
            np.testing.assert_array_equal(complexity.k_lz(batch), expected)


@pytest.mark.parametrize("rows", [1, 63, 64, 65, 300])
def test_k_lz_on_one_thread_equals_k_lz_on_all_and_ragged_blocks_are_whole(rows):
    rng = np.random.default_rng(rows)
    batch = (rng.random((rows, 128)) < rng.random((rows, 1))).astype(np.uint8)
    on_all = complexity.k_lz(batch)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        on_one = complexity.k_lz(batch)
    finally:
        numba.set_num_threads(threads)
    np.testing.assert_array_equal(on_all, on_one)
    np.testing.assert_array_equal(on_all, [complexity.k_lz_reference(row) for row in batch])


@pytest.mark.parametrize("length", [1, 7, 8, 63, 64, 65, 100, 127, 128])
def test_packed_words_are_the_string_and_its_reverse_as_numbers(length):
    rng = np.random.default_rng(length)
    wide = rng.integers(0, 2, size=(50, 2 * length), dtype=np.uint8)
    for batch in (wide[:, :length], wide[:, ::2]):  # strided views, then copies
        packed = lz_kernels.pack_rows(lz_kernels.as_words(batch), length)
        for row, words in zip(batch.tolist(), packed.tolist(), strict=True):
            forward = int("".join(map(str, row[::-1])), 2)  # bit j = s[j]
            backward = int("".join(map(str, row)), 2)
            assert words[0] + (words[1] << 64) == forward
            assert words[2] + (words[3] << 64) == backward
        if length > 1:  # the parse stage alone, from these words, is K_LZ too
            expected = [k_lz_from_definition("".join(map(str, row))) for row in batch.tolist()]
            np.testing.assert_array_equal(lz_kernels.k_lz_packed(packed, length), expected)


def test_k_lz_accepts_strings_lists_and_arrays_alike():
    s = "0110100110010110"
    as_array = np.array([int(c) for c in s])
    assert complexity.k_lz(s) == complexity.k_lz(as_array) == complexity.k_lz([s, s])[1]
    with pytest.raises(ValueError, match="'0' and '1'"):
        complexity.k_lz("0120")


def test_k_lz_takes_float_arrays_and_a_table_column_and_names_a_bad_value():
    s = "0110100110010110"
    as_floats = np.array([float(c) for c in s])
    column = np.array([s, "0" * 16], dtype=object)  # what pandas hands over for `function`
    assert complexity.k_lz(as_floats) == complexity.k_lz(s)
    np.testing.assert_array_equal(complexity.k_lz(column), complexity.k_lz([s, "0" * 16]))
    assert complexity.k_lz(np.zeros((0, 8), dtype=np.uint8)).shape == (0,)
    with pytest.raises(ValueError, match="got 0.5"):
        complexity.k_lz(np.array([0.0, 0.5, 1.0]))
    with pytest.raises(ValueError, match="got 2"):
        complexity.k_lz(np.array([0, 2, 1]))


def test_entropy_of_constant_balanced_and_quarter_strings():
    np.testing.assert_allclose(complexity.entropy(["0000", "0101", "0001"]), [0, 1, 0.8112781])


def test_sensitivity_and_critical_sample_ratio_of_parity_and_dictator():
    parity = "0110100110010110"  # x1 ⊕ x2 ⊕ x3 ⊕ x4: every flip changes it
    dictator = "0" * 8 + "1" * 8  # x1
    assert complexity.average_sensitivity(parity) == 4.0
    assert complexity.critical_sample_ratio(parity) == 1.0
    assert complexity.average_sensitivity(dictator) == 1.0
    assert complexity.critical_sample_ratio(dictator) == 1.0
    assert complexity.critical_sample_ratio("0" * 16) == 0.0


def test_walsh_spectrum_of_parity_is_one_coefficient_and_parseval_holds():
    spectrum = complexity.walsh_spectrum("0110100110010110")
    assert spectrum[15] == 1.0 and np.abs(spectrum[:15]).sum() == 0
    rng = np.random.default_rng(0)
    tables = rng.integers(0, 2, size=(50, 32))
    np.testing.assert_allclose((complexity.walsh_spectrum(tables) ** 2).sum(axis=1), 1.0)
    # closed form of the transform, term by term
    x = np.array(list(itertools.product((0, 1), repeat=5)))
    signs = (-1.0) ** tables[0]
    direct = [(signs * (-1.0) ** (x @ s)).mean() for s in x]
    np.testing.assert_allclose(complexity.walsh_spectrum(tables[0]), direct)
    assert complexity.fourier_l1("0" * 32) == 1.0


def _min_sop_by_brute_force(table: str, n: int) -> int:
    """Smallest literal count over every set of implicant cubes that covers exactly f."""
    ones = {i for i, c in enumerate(table) if c == "1"}
    if not ones or len(ones) == len(table):
        return 0
    cubes = []
    for pattern in itertools.product((0, 1, None), repeat=n):
        cells = {
            i
            for i in range(2**n)
            if all(p is None or ((i >> (n - 1 - j)) & 1) == p for j, p in enumerate(pattern))
        }
        if cells <= ones:
            cubes.append((sum(p is not None for p in pattern), cells))
    # keep only maximal cubes (a minimal cover never needs a cube inside another one)
    cubes = [c for c in cubes if not any(c[1] < d[1] for d in cubes)]
    best = math.inf
    for size in range(1, len(cubes) + 1):
        if size >= best:  # every cube has at least one literal
            break
        for combo in itertools.combinations(cubes, size):
            if set().union(*(c for _, c in combo)) == ones:
                best = min(best, sum(k for k, _ in combo))
    return best


@given(st.integers(0, 255))
def test_expression_size_matches_brute_force_on_3_input_functions(code):
    table = format(code, "08b")
    sop = _min_sop_by_brute_force(table, 3)
    pos = _min_sop_by_brute_force(table.translate(str.maketrans("01", "10")), 3)
    assert complexity.expression_size(table, form="sop") == sop
    assert complexity.expression_size(table, form="pos") == pos
    assert complexity.expression_size(table) == min(sop, pos)


def test_expression_size_of_known_functions_and_its_limit():
    assert complexity.expression_size("0001") == 2  # x1 x2
    assert complexity.expression_size("0110", form="sop") == 4  # x1 x2' + x1' x2
    assert complexity.expression_size("0110100110010110", form="sop") == 32  # 8 terms of 4
    with pytest.raises(ValueError, match="n ≤ 5"):
        complexity.expression_size("0" * 64)
