"""The compiled adaptive-evolution loop for rule arrays (numba), on bit-sliced state rows.

Read :func:`minimodels.learners.evolution.evolve_reference` first: it is the same loop in plain
Python. Here the whole run lives in one array ``rows`` ``(depth + 1, W, n_words)`` uint64 (layout of
:mod:`minimodels.engine.packing`: bit j of word w of a cell = that cell for case 64 w + j), and
one attempted mutation costs only what it can change:

* a cell outside the readout's past light cone cannot change the loss: nothing is evaluated
  (``in_cone[row, col]`` is False; the rows there are never kept up to date — no cone cell
  ever reads them);
* otherwise the cell's forward light cone is recomputed *in place*, row by row, narrowed to
  the columns that really changed and stopped at the first unchanged row; every overwritten
  word is saved in ``backup`` so a rejected mutation is undone by copying it back.

Cell updates are the engine's word-wide ``cell_r1`` / ``cell_brick``.  Loss codes: 0 = Hamming
distance at the readout cells on the training cases (``target``, ``train_mask``), 1 = lifetime
``|L − target|`` of the single case in bit 0 with ``INFINITE`` for a pattern alive at the bottom.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from minimodels.engine import cell_brick, cell_r1, next_segment

INFINITE = np.int64(1) << np.int64(62)  # loss of an immortal pattern (lifetime tasks)
_BIG = 1 << 40


@nb.njit(cache=True, inline="always")
def _popcount(word):
    word = word - ((word >> np.uint64(1)) & np.uint64(0x5555555555555555))
    pairs = np.uint64(0x3333333333333333)
    word = (word & pairs) + ((word >> np.uint64(2)) & pairs)
    word = (word + (word >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return np.int64((word * np.uint64(0x0101010101010101)) >> np.uint64(56))


@nb.njit(cache=True, inline="always")
def _word(rows, t, x, w, width, cyclic):
    """Word ``w`` of cell ``x`` of state row ``t``, with the boundary applied."""
    if x < 0:
        if not cyclic:
            return np.uint64(0)
        x += width
    elif x >= width:
        if not cyclic:
            return np.uint64(0)
        x -= width
    return rows[t, x, w]


@nb.njit(cache=True, inline="always")
def _cell(rule, rows, t, x, w, width, cyclic, brick):
    """New word ``w`` of cell ``x`` in state row ``t`` from row ``t − 1``."""
    if brick:
        if t % 2 == 1:  # odd rows read (x, x+1)
            return cell_brick(rule, rows[t - 1, x, w], _word(rows, t - 1, x + 1, w, width, cyclic))
        return cell_brick(rule, _word(rows, t - 1, x - 1, w, width, cyclic), rows[t - 1, x, w])
    left = _word(rows, t - 1, x - 1, w, width, cyclic)
    centre = rows[t - 1, x, w]
    right = _word(rows, t - 1, x + 1, w, width, cyclic)
    # Wolfram's two rules get their short forms; any other rule the engine's mux tree.
    if rule == 4:  # only 010 -> 1
        return centre & ~(left | right)
    if rule == 146:  # 111, 100, 001 -> 1
        return ((left ^ right) & ~centre) | (left & centre & right)
    return cell_r1(rule, left, centre, right)


@nb.njit(cache=True)
def fill_rows(rules, rows, in_cone, cyclic, brick, first=1):
    """Compute every cone cell of state rows ``first``..depth from the row above ``first``."""
    depth, width = rules.shape
    for t in range(first, depth + 1):
        for x in range(width):
            if in_cone[t - 1, x]:
                for w in range(rows.shape[2]):
                    rows[t, x, w] = _cell(rules[t - 1, x], rows, t, x, w, width, cyclic, brick)


@nb.njit(cache=True)
def _propagate(rules, rows, backup, in_cone, row, col, cyclic, brick, seg_lo, seg_len):
    """After ``rules[row, col]`` changed: update its forward cone in place, saving old words.

    Returns the last state row touched (``row`` if none); ``seg_lo[t]``/``seg_len[t]`` record
    the columns touched in row ``t`` for :func:`_restore`.  Also returns whether the change
    was still alive when the propagation ended (False: the rows below are unchanged).
    """
    depth, width = rules.shape
    n_words = rows.shape[2]
    start, length = col, 1
    last = row
    for t in range(row + 1, depth + 1):
        seg_lo[t], seg_len[t] = start, length
        last = t
        first_diff, last_diff = -1, -1
        for j in range(length):
            x = start + j
            if x >= width:
                x -= width
            if not in_cone[t - 1, x]:
                continue
            rule = rules[t - 1, x]
            differs = False
            for w in range(n_words):
                old = rows[t, x, w]
                backup[t, x, w] = old
                new = _cell(rule, rows, t, x, w, width, cyclic, brick)
                if new != old:
                    rows[t, x, w] = new
                    differs = True
            if differs:
                if first_diff < 0:
                    first_diff = j
                last_diff = j
        if first_diff < 0:
            return last, False
        start, length = next_segment(start, first_diff, last_diff, t, width, cyclic, brick)
    return last, True


@nb.njit(cache=True)
def _restore(rows, backup, in_cone, row, last, seg_lo, seg_len):
    width = rows.shape[1]
    for t in range(row + 1, last + 1):
        for j in range(seg_len[t]):
            x = seg_lo[t] + j
            if x >= width:
                x -= width
            if in_cone[t - 1, x]:
                for w in range(rows.shape[2]):
                    rows[t, x, w] = backup[t, x, w]


@nb.njit(cache=True)
def loss_of_rows(rows, loss_kind, readout, target, train_mask, lifetime_target):
    """The loss of the current rows (see the module docstring for the loss codes)."""
    depth = rows.shape[0] - 1
    if loss_kind == 0:
        total = np.int64(0)
        for j in range(readout.shape[0]):
            for w in range(rows.shape[2]):
                total += _popcount((rows[depth, readout[j], w] ^ target[j, w]) & train_mask[w])
        return total
    for t in range(depth + 1):
        alive = False
        for x in range(rows.shape[1]):
            if rows[t, x, 0] & np.uint64(1):
                alive = True
                break
        if not alive:
            return abs(t - lifetime_target)
    return INFINITE


@nb.njit(cache=True)
def evolve_block(
    indices, rule_numbers, rules, rows, backup, in_cone, cyclic, brick,
    loss_kind, readout, target, train_mask, lifetime_target,
    cells, choices, n_per_step, strict, stop_at, state, losses, kept,
):  # fmt: skip
    """Attempt up to ``len(losses)`` steps; stop early once the loss is ≤ ``stop_at`` (≥ 0).

    ``indices`` ``(depth, W)`` are positions in ``rule_numbers``; ``rules`` mirrors them as rule
    numbers.  Step ``s`` makes ``n_per_step`` single-point mutations: cell
    ``cells[s * n_per_step + i]`` gets the ``choices[...]``-th of the other rules.  ``state`` is
    ``[current loss, n_kept, steps done]`` (in/out).  ``kept`` rows: (step, cell, old index,
    new index, loss).
    """
    depth, width = rules.shape
    current, n_kept = state[0], state[1]
    seg_lo = np.zeros(depth + 1, np.int64)
    seg_len = np.zeros(depth + 1, np.int64)
    done = 0
    for s in range(losses.shape[0]):
        if stop_at >= 0 and current <= stop_at:
            break
        if n_per_step == 1:
            cell = cells[s]
            row, col = cell // width, cell % width
            old = indices[row, col]
            new = choices[s] if choices[s] < old else choices[s] + 1
            rules[row, col] = rule_numbers[new]
            candidate, last, alive = current, row, False
            if in_cone[row, col]:
                last, alive = _propagate(
                    rules, rows, backup, in_cone, row, col, cyclic, brick, seg_lo, seg_len
                )
                if alive or loss_kind == 1:
                    candidate = loss_of_rows(
                        rows, loss_kind, readout, target, train_mask, lifetime_target
                    )
            if candidate < current or (candidate == current and not strict):
                indices[row, col] = new
                current = candidate
                kept[n_kept, 0], kept[n_kept, 1] = s, cell
                kept[n_kept, 2], kept[n_kept, 3], kept[n_kept, 4] = old, new, current
                n_kept += 1
            else:
                rules[row, col] = rule_numbers[old]
                _restore(rows, backup, in_cone, row, last, seg_lo, seg_len)
        else:
            # Several mutations at once: save the rows below the topmost one, recompute them.
            top = depth
            base = s * n_per_step
            for i in range(n_per_step):
                top = min(top, cells[base + i] // width)
            backup[top + 1 :] = rows[top + 1 :]
            olds = np.empty(n_per_step, np.int64)
            news = np.empty(n_per_step, np.int64)
            for i in range(n_per_step):
                row, col = cells[base + i] // width, cells[base + i] % width
                olds[i] = indices[row, col]
                choice = choices[base + i]
                news[i] = choice if choice < olds[i] else choice + 1
                indices[row, col] = news[i]
                rules[row, col] = rule_numbers[news[i]]
            fill_rows(rules, rows, in_cone, cyclic, brick, top + 1)
            candidate = loss_of_rows(rows, loss_kind, readout, target, train_mask, lifetime_target)
            if candidate < current or (candidate == current and not strict):
                current = candidate
                for i in range(n_per_step):
                    kept[n_kept, 0], kept[n_kept, 1] = s, cells[base + i]
                    kept[n_kept, 2], kept[n_kept, 3], kept[n_kept, 4] = olds[i], news[i], current
                    n_kept += 1
            else:
                for i in range(n_per_step - 1, -1, -1):  # undo in reverse (a cell may repeat)
                    row, col = cells[base + i] // width, cells[base + i] % width
                    indices[row, col] = olds[i]
                    rules[row, col] = rule_numbers[olds[i]]
                rows[top + 1 :] = backup[top + 1 :]
        losses[s] = current
        done += 1
    state[0], state[1], state[2] = current, n_kept, done
