"""Compiled K_LZ kernels for batches of strings (the plain path is ``complexity.lz76_phrases``).

Data model: a batch is an (m, N) uint8 array of 0/1 values, one string per row.  For N ≤ 128
a string is held as a 128-bit number in two ``uint64`` words (lo, hi), LSB first: bit j is
s[j].  Longer strings go through ``k_lz_scan``, the Kaspar–Schuster scan compiled.

The fast path for N ≤ 128, ``k_lz_bitparallel``, has two stages, which ``k_lz_words`` runs
block by block (``pack_rows`` and ``k_lz_packed`` run each one alone, for timing and tests):

* pack: ``as_words`` views each row as 16 words of 8 bytes, and ``_pack_row`` gathers the
  low bit of each byte with one multiplication per word: ``(x * 0x0102040810204080) >> 56``
  puts byte k's bit at bit k, and ``0x8040201008040201`` puts it at bit 7 - k, which builds
  the reversed string in the same pass (the partial products never overlap: no carries).
* parse: ``_parse_lanes`` runs the LZ76 parse as N mask updates, one per symbol.  While the
  phrase starting at ``pos`` has been read up to ``at`` (exclusive), R holds the bit
  j + (at - pos) for every earlier start j < pos whose substring still equals the phrase
  read so far.  Reading s[at]: X = R & {i : s[i] = s[at]}.  If X is empty, no earlier start
  extends the phrase: it ends at ``at`` (counted) and the next one starts at at + 1 with
  R = {0..at}; else R = X << 1.  R ⊆ {0..at-1}, so for at < 64 it fits in one word.  The
  reset is an OR with a mask, not a branch, so every string takes the same steps: the
  forward and reversed strings of a block of rows are *lanes*, and the inner loop over
  lanes is vectorised (AVX2: 4 lanes per instruction, no mispredicted branches).  The last
  phrase ran off the end iff bit 0 of the final R is clear (a reset sets it).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

_ZERO = np.uint64(0)
_ONE = np.uint64(1)
_TWO = np.uint64(2)
_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
_GATHER = np.uint64(0x0102040810204080)  # byte k's low bit → bit 56 + k
_GATHER_REVERSED = np.uint64(0x8040201008040201)  # byte k's low bit → bit 63 - k
_ROWS_PER_BLOCK = 64  # rows per block: 2 × 64 lanes, ~5 KiB of lane state in L1
_CHUNK_ROWS = 1 << 15  # rows per call of the compiled kernel: 4 MiB of padded bytes at most


def as_words(batch: np.ndarray) -> np.ndarray:
    """(m, N ≤ 128) 0/1 uint8 rows → (m, 16) uint64 words of their bytes: a view of a
    contiguous (m, 128) batch, else a copy zero-padded to 128 bytes."""
    m, n = batch.shape
    if n != 128 or not batch.flags.c_contiguous:
        padded = np.zeros((m, 128), dtype=np.uint8)
        padded[:, :n] = batch
        batch = padded
    return batch.view(np.dtype("<u8")).astype(np.uint64, copy=False)  # little-endian bytes


@nb.njit(cache=True, inline="always")
def _pack_row(words, r, n):
    """Row r of ``as_words`` output, a string of length n → (lo, hi, reversed lo, reversed hi)."""
    f_lo, f_hi, b_lo, b_hi = _ZERO, _ZERO, _ZERO, _ZERO
    for k in range(8):  # chunk k → byte k; reversed, chunk k → byte 15 - k
        x, y = words[r, k], words[r, 8 + k]
        f_lo |= ((x * _GATHER) >> np.uint64(56)) << np.uint64(8 * k)
        f_hi |= ((y * _GATHER) >> np.uint64(56)) << np.uint64(8 * k)
        b_hi |= ((x * _GATHER_REVERSED) >> np.uint64(56)) << np.uint64(56 - 8 * k)
        b_lo |= ((y * _GATHER_REVERSED) >> np.uint64(56)) << np.uint64(56 - 8 * k)
    pad = 128 - n  # zero bytes after the string, which the reversal put at the bottom
    if pad >= 64:
        b_lo, b_hi = b_hi >> np.uint64(pad - 64), _ZERO
    elif pad:
        b_lo = (b_lo >> np.uint64(pad)) | (b_hi << np.uint64(64 - pad))
        b_hi >>= np.uint64(pad)
    return f_lo, f_hi, b_lo, b_hi


@nb.njit(cache=True, parallel=True)
def pack_rows(words, n):
    """The pack stage alone: ``as_words`` output of strings of length n → (m, 4) uint64,
    the string (lo, hi) and its reverse (lo, hi), bit j = s[j] resp. s[n - 1 - j]."""
    m = words.shape[0]
    out = np.empty((m, 4), dtype=np.uint64)
    for r in nb.prange(m):
        out[r, 0], out[r, 1], out[r, 2], out[r, 3] = _pack_row(words, r, n)
    return out


@nb.njit(cache=True, inline="always")
def _step_low(s, r, c, at):
    """One symbol, at < 64: R and the symbols it is compared with lie in the low word."""
    below = (_TWO << np.uint64(at)) - _ONE  # {0..at}: the earlier starts of a phrase at at + 1
    ones_if_1 = _ZERO - np.uint64(np.int64(s << np.uint64(63 - at)) < 0)  # s[at] = 1
    x = r & ~(s ^ ones_if_1)
    ends = x == 0
    return (x << _ONE) | (below if ends else _ZERO), c + ends


@nb.njit(cache=True, inline="always")
def _step_high(s_lo, s_hi, r_lo, r_hi, c, at):
    """One symbol, 64 ≤ at < 128, on the two words."""
    below = (_TWO << np.uint64(at - 64)) - _ONE
    ones_if_1 = _ZERO - np.uint64(np.int64(s_hi << np.uint64(127 - at)) < 0)
    x_lo = r_lo & ~(s_lo ^ ones_if_1)
    x_hi = r_hi & ~(s_hi ^ ones_if_1)
    ends = (x_lo | x_hi) == 0
    reset = _ZERO - np.uint64(ends)
    return (
        (x_lo << _ONE) | reset,
        (x_hi << _ONE) | (x_lo >> np.uint64(63)) | (below & reset),
        c + ends,
    )


@nb.njit(cache=True)
def _parse_lanes(s_lo, s_hi, r_lo, r_hi, c, n):
    """Run the N steps of the parse on every lane; c counts the phrases that ended."""
    lanes = s_lo.shape[0]
    at = 0
    low = min(n, 64)
    if low % 2:  # steps go in pairs below, so that each lane's state is loaded once per pair
        for i in range(lanes):
            r_lo[i], c[i] = _step_low(s_lo[i], r_lo[i], c[i], 0)
        at = 1
    while at < low:
        for i in range(lanes):
            r, k = _step_low(s_lo[i], r_lo[i], c[i], at)
            r_lo[i], c[i] = _step_low(s_lo[i], r, k, at + 1)
        at += 2
    if (n - at) % 2:
        for i in range(lanes):
            r_lo[i], r_hi[i], c[i] = _step_high(s_lo[i], s_hi[i], r_lo[i], r_hi[i], c[i], at)
        at += 1
    while at < n:
        for i in range(lanes):
            a, b, k = _step_high(s_lo[i], s_hi[i], r_lo[i], r_hi[i], c[i], at)
            r_lo[i], r_hi[i], c[i] = _step_high(s_lo[i], s_hi[i], a, b, k, at + 1)
        at += 2


@nb.njit(cache=True, inline="always")
def _k_lz_block(s_lo, s_hi, n, out, first):
    """K_LZ of a block's rows from their lanes (rows, then their reverses) into out[first:]."""
    rows = s_lo.shape[0] // 2
    r_lo = np.zeros(2 * rows, dtype=np.uint64)  # no earlier start for the phrase at 0
    r_hi = np.zeros(2 * rows, dtype=np.uint64)
    c = np.zeros(2 * rows, dtype=np.int64)
    _parse_lanes(s_lo, s_hi, r_lo, r_hi, c, n)
    log_n = math.log2(n)
    all_lo = _ONES if n >= 64 else (_ONE << np.uint64(n)) - _ONE  # the string of n ones
    all_hi = _ZERO if n <= 64 else _ONES >> np.uint64(128 - n)
    for i in range(rows):
        lo, hi = s_lo[i], s_hi[i]
        if (lo == 0 and hi == 0) or (lo == all_lo and hi == all_hi):
            out[first + i] = log_n
        else:
            forward = c[i] + 1 - np.int64(r_lo[i] & _ONE)  # + the last phrase, if still open
            backward = c[rows + i] + 1 - np.int64(r_lo[rows + i] & _ONE)
            out[first + i] = log_n * (forward + backward) / 2.0


@nb.njit(cache=True, parallel=True)
def k_lz_words(words, n):
    """K_LZ per row of ``as_words`` output, strings of length 2 ≤ n ≤ 128: each block packs
    its rows straight into lanes and parses them."""
    m = words.shape[0]
    out = np.empty(m, dtype=np.float64)
    for block in nb.prange((m + _ROWS_PER_BLOCK - 1) // _ROWS_PER_BLOCK):
        first = block * _ROWS_PER_BLOCK
        rows = min(_ROWS_PER_BLOCK, m - first)
        s_lo = np.empty(2 * rows, dtype=np.uint64)
        s_hi = np.empty(2 * rows, dtype=np.uint64)
        for i in range(rows):
            s_lo[i], s_hi[i], s_lo[rows + i], s_hi[rows + i] = _pack_row(words, first + i, n)
        _k_lz_block(s_lo, s_hi, n, out, first)
    return out


@nb.njit(cache=True, parallel=True)
def k_lz_packed(packed, n):
    """The parse stage alone: K_LZ per row of ``pack_rows`` output (2 ≤ n ≤ 128)."""
    m = packed.shape[0]
    out = np.empty(m, dtype=np.float64)
    for block in nb.prange((m + _ROWS_PER_BLOCK - 1) // _ROWS_PER_BLOCK):
        first = block * _ROWS_PER_BLOCK
        rows = min(_ROWS_PER_BLOCK, m - first)
        s_lo = np.empty(2 * rows, dtype=np.uint64)
        s_hi = np.empty(2 * rows, dtype=np.uint64)
        for i in range(rows):
            s_lo[i], s_hi[i] = packed[first + i, 0], packed[first + i, 1]
            s_lo[rows + i], s_hi[rows + i] = packed[first + i, 2], packed[first + i, 3]
        _k_lz_block(s_lo, s_hi, n, out, first)
    return out


def k_lz_bitparallel(batch: np.ndarray) -> np.ndarray:
    """K_LZ per row of a (m, 2 ≤ N ≤ 128) 0/1 uint8 array.  Where ``as_words`` must copy
    (shorter strings), rows go by chunks, so that the zero-padded copy stays small."""
    m, n = batch.shape
    copies = n != 128 or not batch.flags.c_contiguous
    step = _CHUNK_ROWS if copies else max(m, 1)  # one call: a chunk boundary costs a sync
    out = np.empty(m, dtype=np.float64)
    for first in range(0, m, step):
        out[first : first + step] = k_lz_words(as_words(batch[first : first + step]), n)
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
