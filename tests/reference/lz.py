"""K_LZ of Dingle, Camargo & Louis (2018), straight from SCIENCE.md §B.1."""

from __future__ import annotations

import math
from functools import cache


def phrases(s: str) -> int:
    """c(s): LZ76 phrases; each is the shortest prefix of the rest that does not occur as a
    substring starting earlier (the copy may run into the phrase); a last phrase that runs
    off the end still counts."""
    n, i, count = len(s), 0, 0
    while i < n:
        length = 1
        while i + length <= n and any(s[j : j + length] == s[i : i + length] for j in range(i)):
            length += 1
        count += 1
        i += length
    return count


@cache
def k_lz(s: str) -> float:
    """log2(N) for a constant string, else log2(N) · (c(s) + c(reversed s)) / 2."""
    n = len(s)
    if len(set(s)) == 1:
        return math.log2(n)
    return math.log2(n) * (phrases(s) + phrases(s[::-1])) / 2
