"""The compiled adaptive-evolution loop for rule arrays (numba), on bit-sliced state rows.

Read :func:`minimodels.learners.evolution.evolve_reference` first: it is the same loop in plain
Python.  One attempted mutation costs only what it can change: a cell outside the readout's past
light cone (``in_cone[row, col]`` False) cannot change the loss, so nothing is evaluated (the
rows there are never kept up to date — no cone cell ever reads them); otherwise only the
mutated cell's forward light cone is recomputed in place, and the old words are saved so a
rejected mutation is undone by writing them back.  Two loops do this:

* :func:`evolve_block_narrow`, the fast path, when every state row fits one word of columns
  (width ≤ 64) and every cell one word of cases (≤ 64 cases).  The state is one flat uint64
  array, row ``t`` at ``t * (W + 2)``: a pad word, the W cells, a pad word; the pads are what
  columns −1 and W read (0 past a zero boundary, copies of cells W − 1 and 0 if cyclic), so a
  cell reads its neighbours at fixed offsets, with no lookup.  A row's changed columns are a
  uint64 bitmask; row ``t + 1``'s candidates are that mask spread by one column
  (``mask | rotl | rotr``, cyclic or not) and masked by the light cone (``cone_bits``),
  visited lowest bit first (count trailing zeros); each recomputed cell pushes its position and
  old word on an undo stack, branch-free (a cyclic row whose edge cell changed also pushes and
  refreshes its pads).  The loss is a popcount of the readout words.  Rules {4, 146} are
  evaluated branch-free (both forms, selected by a mask); ``mutations_per_step > 1`` propagates
  the mutations one after another onto the same stack (undone in reverse; one mutation per
  step, the common case, runs as straight-line code).  Every step writes its record at the
  next free row of the outputs and counts it only when kept, so the record costs no branch.
* :func:`evolve_block`, the general loop (any width, several words of cases): rows
  ``(depth + 1, W, n_words)`` uint64 (layout of :mod:`minimodels.engine.packing`: bit j of word
  w of a cell = that cell for case 64 w + j); the forward cone is recomputed row by row over a
  contiguous segment of columns (:func:`next_segment`), stopped at the first unchanged row, the
  overwritten words saved in ``backup``; several mutations per step recompute the rows below the
  topmost one.

Both write the same outputs: ``losses[s]`` (float64, ``inf`` for ``INFINITE``) and the kept
mutations as columns ``kept[0..4]`` (step, row, col, old rule, new rule; int64) and
``kept_loss`` (float64), appended at ``state[1]``.  Cell updates are the engine's word-wide
``cell_r1`` / ``cell_brick``.  Loss codes: 0 = Hamming distance at the readout cells on the
training cases (``target``, ``train_mask``), 1 = lifetime ``|L − target|`` of the single case in
bit 0 with ``INFINITE`` for a pattern alive at the bottom.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from numba.core import types
from numba.extending import intrinsic

from minimodels.engine import cell_brick, cell_r1, next_segment

INFINITE = np.int64(1) << np.int64(62)  # loss of an immortal pattern (lifetime tasks)


@intrinsic
def _ctz(typingctx, word):
    """Trailing zero bits of a nonzero integer (one ``tzcnt``)."""
    if not isinstance(word, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        return builder.cttz(args[0], context.get_constant(types.boolean, True))

    return word(word), codegen


@intrinsic
def _ctpop(typingctx, word):
    """Set bits of an integer (one ``popcnt``)."""
    if not isinstance(word, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])

    return word(word), codegen


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


@nb.njit(cache=True, inline="always")
def _as_float(loss):
    return np.inf if loss >= INFINITE else np.float64(loss)


@nb.njit(cache=True, inline="always")
def _keep(kept, kept_loss, n, step, row, col, old_rule, new_rule, loss):
    """Write one mutation's record at row ``n`` of the output columns (``loss`` a float)."""
    kept[0, n], kept[1, n], kept[2, n] = step, row, col
    kept[3, n], kept[4, n], kept_loss[n] = old_rule, new_rule, loss


@nb.njit(cache=True)
def evolve_block(
    indices, rule_numbers, rules, rows, backup, in_cone, cyclic, brick,
    loss_kind, readout, target, train_mask, lifetime_target,
    cells, choices, n_per_step, strict, stop_at, state, step0, losses, kept, kept_loss,
):  # fmt: skip
    """Attempt up to ``len(losses)`` steps; stop early once the loss is ≤ ``stop_at`` (≥ 0).

    ``indices`` ``(depth, W)`` are positions in ``rule_numbers``; ``rules`` mirrors them as rule
    numbers.  Step ``s`` (number ``step0 + s`` of the run) makes ``n_per_step`` single-point
    mutations: cell ``cells[s * n_per_step + i]`` gets the ``choices[...]``-th of the other
    rules.  ``state`` begins ``[current loss, n_kept, steps done]`` (in/out; the narrow loop
    uses two more entries, counts for the benchmark); kept mutations are
    appended to ``kept``/``kept_loss`` (module docstring).
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
                _keep(kept, kept_loss, n_kept, step0 + s, row, col,
                      rule_numbers[old], rule_numbers[new], _as_float(current))  # fmt: skip
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
                loss = _as_float(current)
                for i in range(n_per_step):
                    row, col = cells[base + i] // width, cells[base + i] % width
                    _keep(kept, kept_loss, n_kept, step0 + s, row, col,
                          rule_numbers[olds[i]], rule_numbers[news[i]], loss)  # fmt: skip
                    n_kept += 1
            else:
                for i in range(n_per_step - 1, -1, -1):  # undo in reverse (a cell may repeat)
                    row, col = cells[base + i] // width, cells[base + i] % width
                    indices[row, col] = olds[i]
                    rules[row, col] = rule_numbers[olds[i]]
                rows[top + 1 :] = backup[top + 1 :]
        losses[s] = _as_float(current)
        done += 1
    state[0], state[1], state[2] = current, n_kept, done


# ---------------------------------------------------------------------- the narrow fast path
PAIR_4_146, R1, BRICK = 0, 1, 2  # cell kinds of the narrow loop


NARROW_MAX_PER_STEP = 64  # its undo stack holds per_step whole arrays: beyond, the general loop


def narrow_fits(width: int, n_words: int, per_step: int = 1) -> bool:
    """Whether :func:`evolve_block_narrow` runs a task: ≤ 64 columns, 1 … 64 cases and at most
    :data:`NARROW_MAX_PER_STEP` mutations per step."""
    return width <= 64 and n_words == 1 and per_step <= NARROW_MAX_PER_STEP


def narrow_layout(rows, cyclic):
    """The narrow loop's flat state from ``rows`` ``(depth + 1, W, 1)``.

    ``flat[t * (W + 2) + 1 + x]`` is cell ``x`` of state row ``t``; the two pad words around a
    row, ``flat[t * (W + 2)]`` and ``flat[t * (W + 2) + W + 1]``, are what columns −1 and W
    read: 0 past a zero boundary, copies of cells W − 1 and 0 if cyclic.
    """
    depth1, width = rows.shape[0], rows.shape[1]
    grid = np.zeros((depth1, width + 2), dtype=np.uint64)
    grid[:, 1 : width + 1] = rows[:, :, 0]
    if cyclic:
        grid[:, 0], grid[:, width + 1] = rows[:, width - 1, 0], rows[:, 0, 0]
    return grid.reshape(-1)


# Indices below are uint64, so that numba adds no negative-index wrap-around to each access.
@nb.njit(cache=True, inline="always")
def _narrow_cell(kind, rule, flat, above, x, odd):
    """New word of cell ``x`` from the padded state row whose column −1 is ``flat[above]``."""
    left = flat[above + x]  # column x − 1 (the pad for x = 0)
    centre = flat[above + x + np.uint64(1)]
    right = flat[above + x + np.uint64(2)]  # column x + 1 (the pad for x = W − 1)
    if kind == BRICK:  # odd rows read (x, x+1), even rows (x−1, x)
        return cell_brick(rule, centre, right) if odd else cell_brick(rule, left, centre)
    if kind == PAIR_4_146:  # both forms, selected by a mask: no branch on the rule
        r4 = centre & ~(left | right)
        r146 = ((left ^ right) & ~centre) | (left & centre & right)
        return r4 ^ ((r4 ^ r146) & (np.uint64(0) - np.uint64(rule == 146)))
    return cell_r1(rule, left, centre, right)


@nb.njit(cache=True, inline="always")
def _propagate_narrow(rules, depth, width, flat, cone_bits, cyclic, kind, row, col, pos, old, sp):
    """After ``rules[row, col]`` changed: update its forward cone in ``flat``, push old words.

    ``rules`` is the ``(depth, W)`` array flattened.  The words overwritten (cells, and the pads
    of a cyclic row whose edge cell changed) go to ``pos``/``old`` from ``sp`` (uint64) on;
    writing them back in reverse order undoes the change.  Returns the new stack size and
    whether the change reached the last state row.
    """
    one = np.uint64(1)
    stride, top = np.uint64(width + 2), np.uint64(width - 1)
    wrap = one if cyclic else np.uint64(0)
    edges = (one | (one << top)) * wrap  # cyclic: a changed edge cell changes a pad
    candidates = one << np.uint64(col)
    for t in range(row + 1, depth + 1):
        above = np.uint64(t - 1) * stride
        here = above + stride + one  # cell 0 of state row t
        rule_row = np.uint64(t - 1) * np.uint64(width)
        odd = t % 2 == 1
        changed = np.uint64(0)
        while candidates:
            x = _ctz(candidates)
            candidates &= candidates - one
            new = _narrow_cell(kind, rules[rule_row + x], flat, above, x, odd)
            word = flat[here + x]
            pos[sp], old[sp] = here + x, word
            sp += one
            flat[here + x] = new
            changed |= np.uint64(new != word) << x
        if not changed:
            return sp, False
        if changed & edges:  # refresh both pads of the row (rare: 2 of W columns)
            pad0, pad1 = here - one, here + top + one
            pos[sp], old[sp], pos[sp + one], old[sp + one] = pad0, flat[pad0], pad1, flat[pad1]
            sp += np.uint64(2)
            flat[pad0], flat[pad1] = flat[here + top], flat[here]
        if t == depth:
            break
        up = (changed << one) | ((changed >> top) & wrap)  # columns x + 1 (mod W if cyclic)
        down = (changed >> one) | ((changed & wrap) << top)  # columns x − 1
        if kind == BRICK:  # state row t + 1 reads (x, x+1) if odd, else (x−1, x)
            spread = down if (t + 1) % 2 == 1 else up
        else:
            spread = up | down
        candidates = (changed | spread) & cone_bits[t]
    return sp, True


@nb.njit(cache=True, inline="always")
def _narrow_loss(flat, depth, width, loss_kind, readout, target, mask, lifetime_target):
    """:func:`loss_of_rows` on the flat state (``target`` ``(n_readout,)``, ``mask`` a word)."""
    stride = width + 2
    if loss_kind == 0:
        total = np.int64(0)
        last = depth * stride + 1
        for j in range(readout.shape[0]):
            total += np.int64(_ctpop((flat[last + readout[j]] ^ target[j]) & mask))
        return total
    for t in range(depth + 1):
        alive = np.uint64(0)
        for x in range(width):
            alive |= flat[t * stride + 1 + x]
        if not alive & np.uint64(1):
            return np.int64(abs(t - lifetime_target))
    return INFINITE


@nb.njit(cache=True)
def evolve_block_narrow(
    indices, rule_numbers, rules, flat, cone_bits, cyclic, kind,
    loss_kind, readout, target, mask, lifetime_target,
    cells, choices, n_per_step, strict, stop_at, state, step0, losses, kept, kept_loss,
    pos, old_words,
):  # fmt: skip
    """:func:`evolve_block` on the narrow layout (module docstring), the same trace.

    ``cone_bits[t]``: bit x set where ``in_cone[t, x]``; ``target`` ``(n_readout,)`` and
    ``mask`` the one word of targets and training cases; ``pos``/``old_words`` the undo stack,
    room for ``n_per_step * depth * (W + 2)`` words.  ``state`` as for :func:`evolve_block`,
    plus counts for the benchmark (in/out): ``state[3]`` words rewritten (cells recomputed, and
    the pads of cyclic rows whose edge changed), ``state[4]`` losses evaluated.  The record is
    written at ``kept[:, n_kept]`` on every step and counted only when kept; a rejected step
    writes its old rules back and unwinds the stack.
    """
    depth, width = rules.shape
    rules_flat, indices_flat = rules.reshape(-1), indices.reshape(-1)
    current, n_kept, n_cells, n_losses = state[0], state[1], state[3], state[4]
    current_float = _as_float(current)
    limit = stop_at if stop_at >= 0 else np.int64(-1)  # losses are ≥ 0: -1 never stops
    row_of = np.empty(depth * width, np.int64)  # cell -> (row, col) without a division
    col_of = np.empty(depth * width, np.int64)
    in_cone = np.empty(depth * width, np.bool_)
    for cell in range(depth * width):
        row_of[cell], col_of[cell] = cell // width, cell % width
        in_cone[cell] = (cone_bits[row_of[cell]] >> np.uint64(col_of[cell])) & np.uint64(1)
    olds = np.empty(n_per_step, np.int64)
    news = np.empty(n_per_step, np.int64)
    done = 0
    for s in range(losses.shape[0]):
        if current <= limit:
            break
        if n_per_step == 1:  # the common case, straight-line
            cell = cells[s]
            old = indices_flat[cell]
            new = choices[s] + np.int64(choices[s] >= old)
            indices_flat[cell] = new
            rules_flat[cell] = rule_numbers[new]
            sp, candidate, candidate_float = np.uint64(0), current, current_float
            if in_cone[cell]:
                sp, alive = _propagate_narrow(
                    rules_flat, depth, width, flat, cone_bits, cyclic, kind,
                    row_of[cell], col_of[cell], pos, old_words, sp,
                )  # fmt: skip
                n_cells += np.int64(sp)
                if alive or loss_kind == 1:
                    candidate = _narrow_loss(
                        flat, depth, width, loss_kind, readout, target, mask, lifetime_target
                    )
                    candidate_float = _as_float(candidate)
                    n_losses += 1
            _keep(kept, kept_loss, n_kept, step0 + s, row_of[cell], col_of[cell],
                  rule_numbers[old], rule_numbers[new], candidate_float)  # fmt: skip
            if candidate + np.int64(strict) <= current:
                current, current_float = candidate, candidate_float
                n_kept += 1
            else:
                indices_flat[cell] = old
                rules_flat[cell] = rule_numbers[old]
                while sp:
                    sp -= np.uint64(1)
                    flat[pos[sp]] = old_words[sp]
            losses[s] = current_float
            done += 1
            continue
        base = s * n_per_step
        sp, alive, touched = np.uint64(0), False, False
        for i in range(n_per_step):
            cell = cells[base + i]
            old = indices_flat[cell]
            choice = choices[base + i]
            new = choice + np.int64(choice >= old)
            olds[i], news[i] = old, new
            indices_flat[cell] = new
            rules_flat[cell] = rule_numbers[new]
            if in_cone[cell]:
                touched = True
                sp, reached = _propagate_narrow(
                    rules_flat, depth, width, flat, cone_bits, cyclic, kind,
                    row_of[cell], col_of[cell], pos, old_words, sp,
                )  # fmt: skip
                alive = alive or reached
        n_cells += np.int64(sp)
        candidate, candidate_float = current, current_float
        if alive or (touched and loss_kind == 1):
            candidate = _narrow_loss(
                flat, depth, width, loss_kind, readout, target, mask, lifetime_target
            )
            candidate_float = _as_float(candidate)
            n_losses += 1
        accept = candidate + np.int64(strict) <= current  # < if strict, else <=
        for i in range(n_per_step):  # the records, kept or not
            cell = cells[base + i]
            _keep(kept, kept_loss, n_kept + i, step0 + s, row_of[cell], col_of[cell],
                  rule_numbers[olds[i]], rule_numbers[news[i]], candidate_float)  # fmt: skip
        if accept:
            current, current_float = candidate, candidate_float
            n_kept += n_per_step
        else:
            for i in range(n_per_step - 1, -1, -1):  # undo in reverse (a cell may repeat)
                cell = cells[base + i]
                indices_flat[cell] = olds[i]
                rules_flat[cell] = rule_numbers[olds[i]]
            while sp:
                sp -= np.uint64(1)
                flat[pos[sp]] = old_words[sp]
        losses[s] = current_float
        done += 1
    state[0], state[1], state[2], state[3], state[4] = current, n_kept, done, n_cells, n_losses
