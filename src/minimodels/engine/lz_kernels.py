"""Compiled K_LZ kernels for batches of strings (the plain path is ``complexity.lz76_phrases``).

``k_lz_bitparallel`` handles strings of up to 128 bits, packed LSB-first into two ``uint64``
words (bit j of the 128-bit number is s[j]).  It parses phrase by phrase and keeps,
as a bit mask, every earlier start j whose substring still matches the growing phrase: one
shift-and-mask per symbol instead of the Kaspar–Schuster rescan.  ``k_lz_scan`` is the
Kaspar–Schuster scan compiled, for longer strings.  Both run over rows with ``prange``.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)


@nb.njit(cache=True, inline="always")
def _shift_one(lo, hi):
    return (lo >> np.uint64(1)) | (hi << np.uint64(63)), hi >> np.uint64(1)


@nb.njit(cache=True, inline="always")
def _below(pos):
    """Mask of bits j < pos, as (lo, hi)."""
    if pos >= 64:
        return _ONES, (np.uint64(1) << np.uint64(pos - 64)) - np.uint64(1)
    return (np.uint64(1) << np.uint64(pos)) - np.uint64(1), np.uint64(0)


@nb.njit(cache=True)
def _phrases_bitparallel(lo, hi, n):
    """c(s) for s packed LSB-first in (lo, hi), length n ≤ 128."""
    one = np.uint64(1)
    c = 0
    # m: earlier starts j < pos whose substring s[j : j + length] equals s[pos : at]
    # e: the string shifted right by `length` (bit j = s[j + length])
    # p: the string shifted right by `at` (bit 0 = the symbol being read)
    m_lo, m_hi = np.uint64(0), np.uint64(0)
    e_lo, e_hi = lo, hi
    p_lo, p_hi = lo, hi
    open_phrase = False
    for at in range(n):
        flip = (p_lo & one) - one  # all ones when the symbol is 0: match where s[j + length] == 0
        m_lo &= e_lo ^ flip
        m_hi &= e_hi ^ flip
        if m_lo == 0 and m_hi == 0:  # s[pos : at + 1] never started earlier: the phrase ends
            c += 1
            open_phrase = False
            m_lo, m_hi = _below(at + 1)
            e_lo, e_hi = lo, hi
        else:
            open_phrase = True
            e_lo, e_hi = _shift_one(e_lo, e_hi)
        p_lo, p_hi = _shift_one(p_lo, p_hi)
    if open_phrase:  # the last phrase ran off the end: it still counts
        c += 1
    return c


@nb.njit(cache=True, inline="always")
def _pack(row, reverse):
    """A 0/1 row of length ≤ 128 → (lo, hi), bit j = row[j] (or row[n - 1 - j] reversed)."""
    n = row.shape[0]
    lo = np.uint64(0)
    hi = np.uint64(0)
    for j in range(min(n, 64)):  # branch-free: random strings would mispredict every bit
        lo |= np.uint64(row[n - 1 - j] if reverse else row[j]) << np.uint64(j)
    for j in range(64, n):
        hi |= np.uint64(row[n - 1 - j] if reverse else row[j]) << np.uint64(j - 64)
    return lo, hi


@nb.njit(cache=True, parallel=True)
def k_lz_bitparallel(batch):
    """K_LZ per row of a (m, N ≤ 128) 0/1 uint8 array."""
    m, n = batch.shape
    out = np.empty(m, dtype=np.float64)
    log_n = math.log2(n)
    for r in nb.prange(m):
        row = batch[r]
        lo, hi = _pack(row, False)
        ones = 0
        for j in range(n):
            ones += row[j]
        if ones == 0 or ones == n:
            out[r] = log_n
        else:
            r_lo, r_hi = _pack(row, True)
            forward = _phrases_bitparallel(lo, hi, n)
            backward = _phrases_bitparallel(r_lo, r_hi, n)
            out[r] = log_n * (forward + backward) / 2.0
    return out


@nb.njit(cache=True)
def _phrases_scan(s, reverse):
    n = s.shape[0]
    i, u, v, v_max, c = 0, 1, 1, 1, 1
    while u + v <= n:
        a = s[n - (i + v)] if reverse else s[i + v - 1]
        b = s[n - (u + v)] if reverse else s[u + v - 1]
        if a == b:
            v += 1
        else:
            v_max = max(v, v_max)
            i += 1
            if i == u:
                c += 1
                u += v_max
                v, i, v_max = 1, 0, 1
            else:
                v = 1
    if v != 1:
        c += 1
    return c


@nb.njit(cache=True, parallel=True)
def k_lz_scan(batch):
    """K_LZ per row of a (m, N) 0/1 uint8 array by the compiled Kaspar–Schuster scan."""
    m, n = batch.shape
    out = np.empty(m, dtype=np.float64)
    log_n = math.log2(n)
    for r in nb.prange(m):
        row = batch[r]
        if row.min() == row.max():
            out[r] = log_n
        else:
            out[r] = log_n * (_phrases_scan(row, False) + _phrases_scan(row, True)) / 2.0
    return out
