"""The compiled loops of the biological-evolution model (:mod:`minimodels.learners.bio`).

Data model (as in :mod:`minimodels.learners.bio`): a genome is a ``(k**3,)`` ``uint8`` table of
outcomes; a phenotype grows in two ``uint8`` buffers of ``2 * cutoff + 3`` cells from one cell
of colour 1 in the middle; a lifetime is the index of the first all-zero row, ``-1`` while
alive at ``cutoff`` or once the pattern repeats (shifted by at most one cell).  Fitness codes:
0 lifetime, 1 width, 2 lifetime / width.

Kept apart from :mod:`minimodels.learners.bio`, which loads it where it runs a genome, so that
importing the model (the CLI does, for its options) does not load numba.
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def grow(table, k, cutoff, row, following):
    """Grow the phenotype in the buffers; return (lifetime or -1, widest extent)."""
    row[:] = 0
    centre = cutoff + 1
    row[centre] = 1
    lo, hi, widest = centre, centre, 1
    for t in range(1, cutoff + 1):
        new_lo, new_hi = -1, -1
        for x in range(lo - 1, hi + 2):
            value = table[(row[x - 1] * k + row[x]) * k + row[x + 1]]
            following[x] = value
            if value != 0:
                if new_lo < 0:
                    new_lo = x
                new_hi = x
        if new_lo < 0:
            return t, widest
        # A row that repeats the previous one, shifted by at most one cell, repeats forever.
        repeats = new_hi - new_lo == hi - lo and abs(new_lo - lo) <= 1
        if repeats:
            for j in range(hi - lo + 1):
                if following[new_lo + j] != row[lo + j]:
                    repeats = False
                    break
        if repeats:
            return -1, widest
        for x in range(lo - 1, hi + 2):
            row[x] = following[x]
        lo, hi = new_lo, new_hi
        widest = max(widest, hi - lo + 1)
    return -1, widest


@nb.njit(cache=True)
def score(lifetime, width, fitness):
    if fitness == 0:
        return float(lifetime)
    if fitness == 1:
        return float(width)
    return lifetime / width


@nb.njit(cache=True)
def evolve_block(table, k, cutoff, fitness, cases, choices, state, lifetimes, widths, kept):
    """Attempt the mutations ``(cases[s], choices[s])``; ``state`` = [lifetime, width, n_kept].

    ``kept`` rows are (step, case, old, new); ``lifetimes``/``widths`` get the current values
    after every step.  ``choices[s]`` indexes the k − 1 colours other than the current one.
    """
    n_cells = 2 * cutoff + 3
    row = np.zeros(n_cells, np.uint8)
    following = np.zeros(n_cells, np.uint8)
    current_l, current_w, n_kept = state[0], state[1], state[2]
    current = score(current_l, current_w, fitness)
    for s in range(cases.shape[0]):
        case = cases[s]
        old = table[case]
        new = choices[s] if choices[s] < old else choices[s] + 1
        table[case] = new
        life, width = grow(table, k, cutoff, row, following)
        if life >= 0 and score(life, width, fitness) >= current:
            current_l, current_w = life, width
            current = score(life, width, fitness)
            kept[n_kept, 0] = s
            kept[n_kept, 1] = case
            kept[n_kept, 2] = old
            kept[n_kept, 3] = new
            n_kept += 1
        else:
            table[case] = old
        lifetimes[s] = current_l
        widths[s] = current_w
    state[0], state[1], state[2] = current_l, current_w, n_kept
