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


@nb.njit(cache=True)
def _evaluate_block(rules, packed, out, cyclic, brick, w0, w1):
    """Final row of words [w0, w1), with two small ping-pong buffers that stay in cache."""
    depth, width = rules.shape
    n = w1 - w0
    current = np.empty((width, n), np.uint64)
    for x in range(width):
        for w in range(n):
            current[x, w] = packed[x, w0 + w]
    following = np.empty_like(current)
    zeros = np.zeros(n, np.uint64)
    for t in range(1, depth + 1):
        step_row(rules[t - 1], current, following, zeros, cyclic, brick, t, 0, n)
        current, following = following, current
    for x in range(width):
        for w in range(n):
            out[x, w0 + w] = current[x, w]


BLOCK_WORDS = 64  # words per block: two (W, 64) uint64 buffers stay in L1/L2 for W up to ~500


@nb.njit(cache=True)
def evaluate_output(rules, packed, cyclic, brick):
    """Final state row ``(W, n_words)`` only, one block of 64 words (4096 inputs) at a time."""
    width = rules.shape[1]
    n_words = packed.shape[1]
    out = np.empty((width, n_words), np.uint64)
    for w0 in range(0, n_words, BLOCK_WORDS):
        _evaluate_block(rules, packed, out, cyclic, brick, w0, min(n_words, w0 + BLOCK_WORDS))
    return out


@nb.njit(cache=True, parallel=True)
def evaluate_output_parallel(rules, packed, cyclic, brick):
    """:func:`evaluate_output` with blocks spread over numba's threads (for big batches)."""
    width = rules.shape[1]
    n_words = packed.shape[1]
    out = np.empty((width, n_words), np.uint64)
    n_blocks = (n_words + BLOCK_WORDS - 1) // BLOCK_WORDS
    for b in nb.prange(n_blocks):
        w0 = b * BLOCK_WORDS
        _evaluate_block(rules, packed, out, cyclic, brick, w0, min(n_words, w0 + BLOCK_WORDS))
    return out


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
        # The changed columns of row t, then the cells of row t+1 that read any of them.
        start += first_diff
        length = last_diff - first_diff + 1
        if brick:
            if (t + 1) % 2 == 1:  # row t+1 reads (y, y+1): y in [start-1, end]
                start -= 1
            length += 1
        else:
            start -= 1
            length += 2
        if cyclic:
            if length >= width:
                start, length = 0, width
            else:
                start %= width
        else:
            end = min(start + length, width)
            start = max(start, 0)
            length = end - start
    return last_changed
