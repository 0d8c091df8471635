"""Compiled bit-sliced kernels for rule arrays (numba).

Read :mod:`minimodels.engine.reference` first: it computes the same thing one input at a time
in plain numpy.  Here one uint64 word holds one cell for 64 inputs (layout of
:mod:`minimodels.engine.packing`), and a cell update is a few word-wide logical operations:

* ``cell_r1(rule, left, centre, right)``: bit ``4l + 2c + r`` of ``rule`` (0..255), computed as a
  mux tree over the rule's 8 bits, branch-free, so a loop over words with a fixed rule vectorises.
* ``cell_brick(rule, p, q)``: bit ``2p + q`` of ``rule`` (0..15), the r = 1/2 layout.

The loops are arranged so that the innermost loop runs over the words of one cell with one
fixed rule; the rules that matter most get hand-written expressions (4 = 010 -> 1 is
``c & ~(l | r)``; 146 = {111, 100, 001} -> 1; And, Xor, Or), every other rule the mux tree.

Fast path (``evaluate_output``, behind :meth:`RuleArray.output`).  The batch is cut into blocks
of words; a block runs all ``depth`` steps in two ``(W + 2, block)`` row buffers kept in L2,
whose rows 0 and ``W + 1`` are halo cells (the far ends when cyclic, zeros otherwise), so every
cell is an interior cell: one branch on its rule, then one AVX2 loop over the block's words,
indexed straight into the 2-D buffers (:func:`_rule_rows`).  What is left per cell is that
branch and the loop set-up, paid once per block, so blocks are as big as L2 allows (up to
``BLOCK_WORDS``) and a batch is split into exactly one share per thread
(``evaluate_output_parallel``).  ``step_row`` / ``evaluate_rows`` are the plain row-by-row
path it is tested against (and what ``evaluate_from`` builds on).

Arrays: ``rules`` ``(depth, W)`` int64; a state row ``(W, n_words)`` uint64; all rows
``(depth + 1, W, n_words)`` uint64 with row 0 the packed input.  Rule row ``t`` computes state
row ``t + 1``.  ``cyclic`` selects the boundary (else cells outside are 0); ``brick`` selects
r = 1/2, where state row ``t`` (t = 1, 3, ...) reads ``(x, x+1)`` and even ``t`` reads ``(x-1, x)``.
"""

from __future__ import annotations

import numba as nb
import numpy as np

_ZERO = np.uint64(0)
_ONE = np.uint64(1)


@nb.njit(cache=True, inline="always")
def _mask(rule, bit):
    """All-ones word where bit ``bit`` of ``rule`` is set, else 0."""
    return _ZERO - np.uint64((rule >> bit) & 1)


@nb.njit(cache=True, inline="always")
def _mux(select, when0, when1):
    return when0 ^ ((when0 ^ when1) & select)


@nb.njit(cache=True, inline="always")
def cell_r1(rule, left, centre, right):
    """New word of a range-1 cell: bit ``4*left + 2*centre + right`` of ``rule``, per bit."""
    c00 = _mux(right, _mask(rule, 0), _mask(rule, 1))  # (l, c) = (0, 0)
    c01 = _mux(right, _mask(rule, 2), _mask(rule, 3))
    c10 = _mux(right, _mask(rule, 4), _mask(rule, 5))
    c11 = _mux(right, _mask(rule, 6), _mask(rule, 7))
    return _mux(left, _mux(centre, c00, c01), _mux(centre, c10, c11))


@nb.njit(cache=True, inline="always")
def cell_brick(rule, p, q):
    """New word of an r = 1/2 cell: bit ``2*p + q`` of ``rule``, per bit (p the left cell)."""
    return _mux(p, _mux(q, _mask(rule, 0), _mask(rule, 1)), _mux(q, _mask(rule, 2), _mask(rule, 3)))


@nb.njit(cache=True)
def _cell_r1_words(rule, left, centre, right, dst, w0, w1):
    """``dst[w] = cell_r1(rule, left[w], centre[w], right[w])`` for w in [w0, w1)."""
    if rule == 4:
        for w in range(w0, w1):
            dst[w] = centre[w] & ~(left[w] | right[w])
    elif rule == 146:
        for w in range(w0, w1):
            a, b, c = left[w], centre[w], right[w]
            dst[w] = ((a ^ c) & ~b) | (a & b & c)
    else:
        m0, m1, m2, m3 = _mask(rule, 0), _mask(rule, 1), _mask(rule, 2), _mask(rule, 3)
        m4, m5, m6, m7 = _mask(rule, 4), _mask(rule, 5), _mask(rule, 6), _mask(rule, 7)
        for w in range(w0, w1):
            a, b, c = left[w], centre[w], right[w]
            c00 = _mux(c, m0, m1)
            c01 = _mux(c, m2, m3)
            c10 = _mux(c, m4, m5)
            c11 = _mux(c, m6, m7)
            dst[w] = _mux(a, _mux(b, c00, c01), _mux(b, c10, c11))


@nb.njit(cache=True)
def _cell_brick_words(rule, p, q, dst, w0, w1):
    """``dst[w] = cell_brick(rule, p[w], q[w])`` for w in [w0, w1)."""
    if rule == 8:
        for w in range(w0, w1):
            dst[w] = p[w] & q[w]
    elif rule == 6:
        for w in range(w0, w1):
            dst[w] = p[w] ^ q[w]
    elif rule == 14:
        for w in range(w0, w1):
            dst[w] = p[w] | q[w]
    else:
        m0, m1, m2, m3 = _mask(rule, 0), _mask(rule, 1), _mask(rule, 2), _mask(rule, 3)
        for w in range(w0, w1):
            a, b = p[w], q[w]
            dst[w] = _mux(a, _mux(b, m0, m1), _mux(b, m2, m3))


@nb.njit(cache=True)
def _update_cell(rule, prev, x, dst, zeros, cyclic, brick, t, w0, w1):
    """Words [w0, w1) of cell ``x`` in state row ``t`` from the row above ``prev`` (W, n_words)."""
    width = prev.shape[0]
    if brick:
        if t % 2 == 1:  # odd rows read (x, x+1)
            if x + 1 < width:
                q = prev[x + 1]
            elif cyclic:
                q = prev[0]
            else:
                q = zeros
            _cell_brick_words(rule, prev[x], q, dst, w0, w1)
        else:  # even rows read (x-1, x)
            if x > 0:
                p = prev[x - 1]
            elif cyclic:
                p = prev[width - 1]
            else:
                p = zeros
            _cell_brick_words(rule, p, prev[x], dst, w0, w1)
    else:
        if x > 0:
            left = prev[x - 1]
        elif cyclic:
            left = prev[width - 1]
        else:
            left = zeros
        if x + 1 < width:
            right = prev[x + 1]
        elif cyclic:
            right = prev[0]
        else:
            right = zeros
        _cell_r1_words(rule, left, prev[x], right, dst, w0, w1)


@nb.njit(cache=True)
def step_row(rule_row, prev, out, zeros, cyclic, brick, t, w0, w1):
    """State row ``t`` (words [w0, w1)) into ``out`` from ``prev``, cell x with ``rule_row[x]``."""
    for x in range(prev.shape[0]):
        _update_cell(rule_row[x], prev, x, out[x], zeros, cyclic, brick, t, w0, w1)


@nb.njit(cache=True)
def evaluate_rows(rules, packed, cyclic, brick):
    """Every state row ``(depth + 1, W, n_words)`` for packed inputs ``(W, n_words)``."""
    depth, width = rules.shape
    n_words = packed.shape[1]
    rows = np.empty((depth + 1, width, n_words), np.uint64)
    rows[0] = packed
    zeros = np.zeros(n_words, np.uint64)
    for t in range(1, depth + 1):
        step_row(rules[t - 1], rows[t - 1], rows[t], zeros, cyclic, brick, t, 0, n_words)
    return rows


@nb.njit(cache=True, inline="always")
def _rule_rows(rule, brick, odd, src, left, centre, right, dst, d, n):
    """``dst[d, :n]`` = one cell updated from rows ``left, centre, right`` of ``src``.

    The fast path's cell update: rows are indexed in the 2-D buffers themselves (not sliced), so
    the word loop is one straight AVX2 loop; a brick cell reads ``(centre, right)`` when ``odd``
    else ``(left, centre)``.  Same results as :func:`cell_r1` / :func:`cell_brick`.
    """
    if brick:
        if odd:
            left = centre
        else:
            right = centre
        if rule == 8:
            for w in range(n):
                dst[d, w] = src[left, w] & src[right, w]
        elif rule == 6:
            for w in range(n):
                dst[d, w] = src[left, w] ^ src[right, w]
        elif rule == 14:
            for w in range(n):
                dst[d, w] = src[left, w] | src[right, w]
        else:
            m0, m1, m2, m3 = _mask(rule, 0), _mask(rule, 1), _mask(rule, 2), _mask(rule, 3)
            for w in range(n):
                p, q = src[left, w], src[right, w]
                dst[d, w] = _mux(p, _mux(q, m0, m1), _mux(q, m2, m3))
    elif rule == 4:  # 010 -> 1
        for w in range(n):
            dst[d, w] = src[centre, w] & ~(src[left, w] | src[right, w])
    elif rule == 146:  # 111, 100, 001 -> 1: b ^ r = 1 iff a != c or (b and not a)
        for w in range(n):
            a, b, c = src[left, w], src[centre, w], src[right, w]
            dst[d, w] = b ^ ((a ^ c) | (b & ~a))
    else:
        m0, m1, m2, m3 = _mask(rule, 0), _mask(rule, 1), _mask(rule, 2), _mask(rule, 3)
        m4, m5, m6, m7 = _mask(rule, 4), _mask(rule, 5), _mask(rule, 6), _mask(rule, 7)
        for w in range(n):
            a, b, c = src[left, w], src[centre, w], src[right, w]
            low = _mux(b, _mux(c, m0, m1), _mux(c, m2, m3))
            high = _mux(b, _mux(c, m4, m5), _mux(c, m6, m7))
            dst[d, w] = _mux(a, low, high)


@nb.njit(cache=True)
def _evaluate_block(rules, packed, out, cyclic, brick, w0, w1, current, following):
    """Final row of words [w0, w1) into ``out``, in two ``(W + 2, >= w1 - w0)`` row buffers.

    Buffer row ``x + 1`` holds cell ``x``; rows 0 and ``W + 1`` are halo cells (copies of the
    far ends when cyclic, else zeros that nothing overwrites), so every cell is updated by the
    same branch-free word loop.  The buffers stay in L2 (see :func:`_blocking`).
    """
    depth, width = rules.shape
    n = w1 - w0
    for x in range(width):
        for w in range(n):
            current[x + 1, w] = packed[x, w0 + w]
    if not cyclic:
        for w in range(n):
            current[0, w] = current[width + 1, w] = _ZERO
            following[0, w] = following[width + 1, w] = _ZERO
    for t in range(1, depth + 1):
        if cyclic:
            for w in range(n):
                current[0, w] = current[width, w]
                current[width + 1, w] = current[1, w]
        odd = t % 2 == 1
        for x in range(1, width + 1):
            _rule_rows(rules[t - 1, x - 1], brick, odd, current, x - 1, x, x + 1, following, x, n)
        current, following = following, current
    for x in range(width):
        for w in range(n):
            out[x, w0 + w] = current[x + 1, w]


BLOCK_WORDS = 256  # most words per block (16384 inputs); fewer when the row is wide
_BLOCK_BUFFER_WORDS = 32768  # both row buffers of a block: 256 KiB, half of a core's L2


@nb.njit(cache=True)
def _blocking(width, n_words, parts):
    """``(words per block, blocks)``: ``n_words`` cut into about ``parts`` × k blocks of equal
    size (whole cache lines, so the last block may be shorter and small batches use fewer
    blocks than ``parts``).

    A block's two ``(W + 2, block)`` buffers fit in ``_BLOCK_BUFFER_WORDS``; blocks are whole
    cache lines (multiples of 8 words), so two threads rarely write the same line of ``out``.  Few
    big blocks beat many small ones: the per-cell cost (rule branch, loop set-up) is paid once
    per block and cell, so at 4096 inputs one thread takes all 64 words and two take 32 each.
    """
    cap = max(8, min(BLOCK_WORDS, _BLOCK_BUFFER_WORDS // (2 * (width + 2))) // 8 * 8)
    per_part = (n_words + parts - 1) // parts
    rounds = (per_part + cap - 1) // cap
    n_blocks = max(1, parts * rounds)
    block = max(8, ((n_words + n_blocks - 1) // n_blocks + 7) // 8 * 8)
    return block, (n_words + block - 1) // block


@nb.njit(cache=True)
def evaluate_output(rules, packed, cyclic, brick):
    """Final state row ``(W, n_words)`` only, block by block on one thread."""
    width = rules.shape[1]
    n_words = packed.shape[1]
    out = np.empty((width, n_words), np.uint64)
    block, n_blocks = _blocking(width, n_words, 1)
    current = np.empty((width + 2, block), np.uint64)
    following = np.empty_like(current)
    for b in range(n_blocks):
        w0 = b * block
        w1 = min(n_words, w0 + block)
        _evaluate_block(rules, packed, out, cyclic, brick, w0, w1, current, following)
    return out


@nb.njit(cache=True, parallel=True)
def _evaluate_output_split(rules, packed, cyclic, brick, parts):
    """:func:`evaluate_output` in the blocks of :func:`_blocking` over numba's threads."""
    width = rules.shape[1]
    n_words = packed.shape[1]
    out = np.empty((width, n_words), np.uint64)
    block, n_blocks = _blocking(width, n_words, parts)
    for b in nb.prange(n_blocks):
        w0 = b * block
        w1 = min(n_words, w0 + block)
        current = np.empty((width + 2, block), np.uint64)
        following = np.empty_like(current)
        _evaluate_block(rules, packed, out, cyclic, brick, w0, w1, current, following)
    return out


def evaluate_output_parallel(rules, packed, cyclic, brick, parts=None):
    """:func:`evaluate_output` with the words split into ``parts`` (default: numba's thread
    count, ≥ 1) shares, one per thread (plain Python: it reads the thread count).

    Even a small batch is split (4096 inputs = 64 words: 32-word halves on two threads): the
    blocks are independent, so the shared cost is only the thread start-up.
    """
    if parts is not None and (isinstance(parts, bool) or int(parts) != parts or parts < 1):
        raise ValueError(f"parts must be a whole number >= 1, got {parts!r}")
    return _evaluate_output_split(
        rules, packed, cyclic, brick, nb.get_num_threads() if parts is None else parts
    )


@nb.njit(cache=True)
def evaluate_from(rules, rows, row, col, cyclic, brick):
    """Bring ``rows`` up to date after ``rules[row, col]`` changed; returns the last changed row.

    Recomputes, in place, only the forward light cone of the changed cell, narrowed each row to
    the columns that actually changed, and stops as soon as a row is unchanged.  Returns the
    index of the last state row that changed (``row + 1 .. depth``), or -1 if none did.  To undo
    a mutation, restore the rule and call this again.
    """
    depth, width = rules.shape
    n_words = rows.shape[2]
    zeros = np.zeros(n_words, np.uint64)
    scratch = np.empty(n_words, np.uint64)
    start, length = col, 1  # columns of state row t to recompute: start .. start+length-1
    last_changed = -1
    for t in range(row + 1, depth + 1):
        first_diff, last_diff = -1, -1
        for j in range(length):
            x = start + j
            if x >= width:
                x -= width
            _update_cell(
                rules[t - 1, x], rows[t - 1], x, scratch, zeros, cyclic, brick, t, 0, n_words
            )
            target = rows[t, x]
            differs = False
            for w in range(n_words):
                if target[w] != scratch[w]:
                    differs = True
                    target[w] = scratch[w]
            if differs:
                if first_diff < 0:
                    first_diff = j
                last_diff = j
        if first_diff < 0:
            break
        last_changed = t
        start, length = next_segment(start, first_diff, last_diff, t, width, cyclic, brick)
    return last_changed


@nb.njit(cache=True, inline="always")
def next_segment(start, first_diff, last_diff, t, width, cyclic, brick):
    """The columns ``(start, length)`` of state row ``t + 1`` that read a changed cell of row t.

    Row ``t``'s changed cells are columns ``start + first_diff .. start + last_diff`` (cyclic:
    modulo ``width``).  The returned segment may wrap around a cyclic row; it never leaves a
    zero-boundary row.  This is the forward light cone, one row at a time.
    """
    start += first_diff
    length = last_diff - first_diff + 1
    if brick:
        if (t + 1) % 2 == 1:  # row t+1 reads (y, y+1): y in [start - 1, end]
            start -= 1
        length += 1  # even rows read (y - 1, y): y in [start, end + 1]
    else:
        start -= 1
        length += 2
    if cyclic:
        if length >= width:
            return 0, width
        return start % width, length
    end = min(start + length, width)
    start = max(start, 0)
    return start, end - start
