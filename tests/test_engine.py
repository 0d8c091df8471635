"""The bit-sliced engine equals the plain numpy reference, and its parts do what they say."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from minimodels import engine


@st.composite
def rule_arrays(draw, max_depth=9, max_width=11, max_inputs=300):
    """A random rule array (any rules of its layout), boundary, and batch of inputs."""
    brick = draw(st.booleans())
    cyclic = draw(st.booleans())
    depth = draw(st.integers(1, max_depth))
    width = draw(st.integers(1, max_width))
    n = draw(st.integers(1, max_inputs))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if draw(st.booleans()):  # the rule sets the experiments use ...
        rules = rng.choice((6, 8) if brick else (4, 146), size=(depth, width))
    else:  # ... and any rules at all
        rules = rng.integers(0, 16 if brick else 256, size=(depth, width))
    inputs = rng.integers(0, 2, size=(n, width), dtype=np.uint8)
    return rules.astype(np.int64), inputs, brick, cyclic


@given(rule_arrays())
def test_bitsliced_engine_matches_reference_on_any_rule_array(case):
    rules, inputs, brick, cyclic = case
    expected = engine.run_rule_array(rules, inputs, brick=brick, cyclic=cyclic)
    packed = engine.pack_bits(inputs)
    rows = engine.evaluate_rows(rules, packed, cyclic, brick)
    assert np.array_equal(engine.unpack_bits(rows, len(inputs)), expected)
    for evaluate in (engine.evaluate_output, engine.evaluate_output_parallel):
        final = evaluate(rules, packed, cyclic, brick)
        assert np.array_equal(engine.unpack_bits(final, len(inputs)), expected[:, -1])


@given(rule_arrays(max_inputs=150), st.data())
def test_incremental_evaluation_equals_full_evaluation(case, data):
    rules, inputs, brick, cyclic = case
    depth, width = rules.shape
    packed = engine.pack_bits(inputs)
    rows = engine.evaluate_rows(rules, packed, cyclic, brick)
    for _ in range(3):  # a short chain of mutations, each applied incrementally
        row = data.draw(st.integers(0, depth - 1))
        col = data.draw(st.integers(0, width - 1))
        rules = rules.copy()
        rules[row, col] = data.draw(st.integers(0, 15 if brick else 255))
        before = rows.copy()
        last = engine.evaluate_from(rules, rows, row, col, cyclic, brick)
        full = engine.evaluate_rows(rules, packed, cyclic, brick)
        assert np.array_equal(rows, full)
        changed = [t for t in range(depth + 1) if not np.array_equal(before[t], full[t])]
        assert last == (changed[-1] if changed else -1)


@given(
    st.integers(0, 300).flatmap(
        lambda n: st.tuples(st.just(n), st.integers(1, 20), st.integers(0, 2**32 - 1))
    )
)
def test_pack_then_unpack_is_the_identity(shape_seed):
    n, cells, seed = shape_seed
    bits = np.random.default_rng(seed).integers(0, 2, size=(n, cells), dtype=np.uint8)
    words = engine.pack_bits(bits)
    assert words.shape == (cells, engine.n_words_for(n))
    assert words.dtype == np.uint64
    assert np.array_equal(engine.unpack_bits(words, n), bits)


def test_packed_layout_puts_input_j_of_word_w_at_bit_j():
    bits = np.zeros((130, 3), np.uint8)
    bits[0, 0] = bits[63, 1] = bits[64, 2] = bits[129, 0] = 1
    words = engine.pack_bits(bits)
    assert words[0, 0] == 1 and words[1, 0] == 1 << 63 and words[2, 1] == 1
    assert words[0, 2] == 2  # input 129 = word 2, bit 1; the padding bits stay 0


def test_packing_refuses_non_binary_values():
    with pytest.raises(ValueError, match="only 0 and 1"):
        engine.pack_bits(np.array([[0, 2]], np.uint8))
    with pytest.raises(ValueError, match="only 0 and 1"):
        engine.pack_bits(np.array([[0.5, 1.0]]))


@pytest.mark.parametrize("rule", range(256))
def test_word_cell_update_reads_rule_bit_4l_2c_r(rule):
    # All 8 neighbourhoods at once: bit i of the words is neighbourhood i = 4l + 2c + r.
    i = np.arange(8)
    word = lambda b: np.uint64(sum(int(v) << k for k, v in enumerate(b)))  # noqa: E731
    left, centre, right = word(i >> 2 & 1), word(i >> 1 & 1), word(i & 1)
    # Bits 8..63 see the neighbourhood 000, so they all carry bit 0 of the rule.
    high = (2**64 - 2**8) * (rule & 1)
    assert int(engine.cell_r1(rule, left, centre, right)) == rule + high
    if rule < 16:
        p, q = word(i >> 1 & 1), word(i & 1)
        assert int(engine.cell_brick(rule, p, q)) & 0xF == rule


@pytest.mark.parametrize(("width", "brick"), [(16, False), (13, True)])
def test_big_batches_spanning_several_blocks_match_reference(width, brick):
    rng = np.random.default_rng(width)
    rules = rng.integers(0, 16 if brick else 256, size=(5, width))
    inputs = rng.integers(0, 2, size=(2 * 64 * engine.BLOCK_WORDS + 77, width), dtype=np.uint8)
    expected = engine.run_rule_array(rules, inputs, brick=brick, cyclic=True)[:, -1]
    packed = engine.pack_bits(inputs)
    for evaluate in (engine.evaluate_output, engine.evaluate_output_parallel):
        final = engine.unpack_bits(evaluate(rules, packed, True, brick), len(inputs))
        assert np.array_equal(final, expected)


@pytest.mark.parametrize("width", [1, 2, 3, 7, 8, 9, 31, 64, 65, 70])
@pytest.mark.parametrize(
    ("brick", "cyclic"), [(False, True), (False, False), (True, True), (True, False)]
)
def test_blocked_fast_path_matches_reference_on_odd_sizes(width, brick, cyclic):
    # 13 words (not a multiple of 8), blocks split 1, 2 and 3 ways, odd and even depths.
    rng = np.random.default_rng(width)
    inputs = rng.integers(0, 2, size=(64 * 12 + 5, width), dtype=np.uint8)
    packed = engine.pack_bits(inputs)
    for depth in (1, 2, 7):
        if rng.integers(2):
            rules = rng.integers(0, 16 if brick else 256, size=(depth, width))
        else:
            rules = rng.choice((6, 8, 14) if brick else (4, 146), size=(depth, width))
        expected = engine.run_rule_array(rules, inputs, brick=brick, cyclic=cyclic)[:, -1]
        outputs = [engine.evaluate_output(rules, packed, cyclic, brick)]
        outputs += [
            engine.evaluate_output_parallel(rules, packed, cyclic, brick, parts)
            for parts in (1, 2, 3)
        ]
        for final in outputs:
            assert np.array_equal(engine.unpack_bits(final, len(inputs)), expected)


@pytest.mark.parametrize("width", [1, 64, 500, 5000])
@pytest.mark.parametrize("n_words", [0, 1, 7, 64, 65, 1024, 100_000])
@pytest.mark.parametrize("parts", [1, 2, 3])
def test_blocks_cover_the_words_in_whole_cache_lines_and_equal_shares(width, n_words, parts):
    from minimodels.engine.bitsliced import _BLOCK_BUFFER_WORDS, _blocking

    block, n_blocks = _blocking(width, n_words, parts)
    assert block % 8 == 0 and block <= engine.BLOCK_WORDS
    assert (n_blocks - 1) * block < n_words <= n_blocks * block or n_words == n_blocks == 0
    if 2 * (width + 2) * 8 <= _BLOCK_BUFFER_WORDS:  # the two row buffers stay within budget
        assert 2 * (width + 2) * block <= _BLOCK_BUFFER_WORDS
    if n_words >= 8 * parts:  # every thread gets work, and no thread more than one extra block
        assert n_blocks >= parts and -(-n_blocks // parts) * parts - n_blocks < parts


@given(
    width=st.integers(1, 12),
    t=st.integers(1, 6),
    brick=st.booleans(),
    cyclic=st.booleans(),
    data=st.data(),
)
def test_next_segment_is_exactly_the_cells_that_read_a_changed_cell(width, t, brick, cyclic, data):
    first = data.draw(st.integers(0, width - 1))
    last = data.draw(st.integers(first, width - 1))
    changed = set(range(first, last + 1))
    below = t + 1
    if brick:
        offsets = (0, 1) if below % 2 == 1 else (-1, 0)
    else:
        offsets = (-1, 0, 1)
    readers = set()
    for y in range(width):
        for dx in offsets:
            x = y + dx
            if cyclic:
                x %= width
            if x in changed:
                readers.add(y)
    start, length = engine.next_segment(0, first, last, t, width, cyclic, brick)
    assert 0 <= start < max(width, 1) and 0 <= length <= width
    segment = {(start + j) % width for j in range(length)}
    assert readers <= segment
    if length < width:  # only a whole row may over-cover
        assert segment == readers


@pytest.mark.parametrize("parts", [0, -1, 1.5, True])
def test_a_split_into_no_or_fractional_parts_is_refused(parts):
    rules = np.full((3, 8), 146, dtype=np.int64)
    packed = engine.pack_bits(np.zeros((64, 8), dtype=np.uint8))
    with pytest.raises(ValueError, match="parts"):
        engine.evaluate_output_parallel(rules, packed, True, False, parts)
