"""Plain-numpy reference evaluation of rule arrays: the obvious path that the fast one must match.

A rule array is a ``(depth, W)`` grid of k = 2 rule numbers.  For a batch of inputs ``(n, W)``
(0/1), state row 0 is the input and rule row ``t`` computes state row ``t + 1``: every cell
applies its own rule to its neighbourhood in the row above (Wolfram numbering, DESIGN §2):

* r = 1: (left, centre, right) = (a, b, c) -> bit ``4a + 2b + c`` of the rule (0..255);
* r = 1/2 ("brick"): (p, q) -> bit ``2p + q`` of the rule (0..15), where state row ``t`` reads
  ``(x, x+1)`` for odd ``t`` and ``(x-1, x)`` for even ``t``.

Boundaries: cyclic (wrap around) or zero (cells outside the row are 0).
"""

from __future__ import annotations

import numpy as np


def _shifted(row: np.ndarray, offset: int, cyclic: bool) -> np.ndarray:
    """``result[..., x] = row[..., x + offset]`` with the boundary applied."""
    if cyclic:
        return np.roll(row, -offset, axis=-1)
    result = np.zeros_like(row)
    if offset > 0:
        result[..., :-offset] = row[..., offset:]
    elif offset < 0:
        result[..., -offset:] = row[..., :offset]
    else:
        result[...] = row
    return result


def run_rule_array(
    rules: np.ndarray, inputs: np.ndarray, *, brick: bool = False, cyclic: bool = True
) -> np.ndarray:
    """All state rows ``(n, depth + 1, W)`` uint8 for a batch of 0/1 ``inputs`` ``(n, W)``."""
    rules = np.asarray(rules, dtype=np.int64)
    inputs = np.asarray(inputs, dtype=np.uint8)
    depth, width = rules.shape
    states = np.empty((inputs.shape[0], depth + 1, width), np.uint8)
    states[:, 0] = inputs
    for t in range(1, depth + 1):
        above = states[:, t - 1].astype(np.int64)  # (n, W)
        if brick:
            if t % 2 == 1:
                p, q = above, _shifted(above, +1, cyclic)
            else:
                p, q = _shifted(above, -1, cyclic), above
            index = 2 * p + q
        else:
            index = 4 * _shifted(above, -1, cyclic) + 2 * above + _shifted(above, +1, cyclic)
        states[:, t] = (rules[t - 1][None, :] >> index) & 1
    return states
