"""Compiled helper: the readout bit-planes of many rule arrays on the same packed inputs.

Loops over a stack ``(N, depth, width)`` of rule arrays inside numba and calls the engine's
public :func:`minimodels.engine.evaluate_rows` for each, so enumerating or sampling 10^5
arrays pays no Python overhead per array.  The plain path is ``RuleArray(rules).output``;
tests hold them equal.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from minimodels.engine import evaluate_rows


@nb.njit(cache=True)
def readout_words(rule_stack, packed, cyclic, brick, readout):
    """``(N, n_words)`` uint64: bottom-row cell ``readout`` of each array, 64 inputs a word."""
    n_arrays, depth = rule_stack.shape[0], rule_stack.shape[1]
    out = np.empty((n_arrays, packed.shape[1]), np.uint64)
    for a in range(n_arrays):
        rows = evaluate_rows(rule_stack[a], packed, cyclic, brick)
        out[a] = rows[depth, readout]
    return out
