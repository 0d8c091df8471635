"""Bit packing: a batch of 0/1 rows <-> uint64 bit-planes (one word = one cell for 64 inputs).

Data model.  A batch ``bits`` of shape ``(n, R)`` (``n`` inputs, ``R`` cells) packs into
``words`` of shape ``(R, n_words)`` with ``n_words = ceil(n / 64)``:

    bit j of words[x, w]  ==  bits[64 * w + j, x]        (bit 0 the least significant)

Padding bits of the last word (inputs ``n .. 64 * n_words - 1``) are 0.  A cell's whole batch
is then a contiguous run of words, so one word-wide logical operation updates that cell for 64
inputs at once.

When ``R`` is a multiple of 8, packing reads each input row as uint64 words (8 cells, one per
byte) and merges 8 rows with shifts: byte ``c`` of ``OR_k (row_k << k)`` holds 8 inputs of cell
``c`` — an 8x8 bit transpose per step, compiled.  Other widths go through ``np.packbits``.
"""

from __future__ import annotations

import sys

import numba as nb
import numpy as np

from minimodels.base.errors import UsageError

WORD_BITS = 64
_LOW_BITS = np.uint64(0x0101010101010101)  # bit 0 of every byte


def n_words_for(n_inputs: int) -> int:
    """Number of uint64 words that hold one cell of ``n_inputs`` inputs."""
    return (n_inputs + WORD_BITS - 1) // WORD_BITS


@nb.njit(cache=True)
def _pack_bytes(bits64, n, out8):
    """8x8 bit transposes: 8 inputs x 8 cells per step.  Returns the OR of all input words.

    ``bits64`` is the ``(n, R)`` uint8 batch viewed as ``(n, R/8)`` uint64 (byte c of word g is
    cell 8g + c); ``out8`` is the ``(R, 8 * n_words)`` byte view of the packed words.
    """
    n_groups = bits64.shape[1]
    n_words = out8.shape[1] // 8
    seen = np.zeros(n_words, np.uint64)
    for w in range(n_words):
        acc = np.uint64(0)
        for b in range(8):
            base = 64 * w + 8 * b
            if base >= n:
                break
            for g in range(n_groups):
                v = np.uint64(0)
                for k in range(min(8, n - base)):
                    word = bits64[base + k, g]
                    acc |= word
                    v |= word << np.uint64(k)
                # byte c of v holds inputs base..base+7 of cell 8g + c, input base first
                for c in range(8):
                    out8[8 * g + c, 8 * w + b] = np.uint8((v >> np.uint64(8 * c)) & np.uint64(255))
        seen[w] = acc
    total = np.uint64(0)
    for w in range(n_words):
        total |= seen[w]
    return total


@nb.njit(cache=True)
def _unpack_bytes(words8, n, out64):
    """Inverse transposes: ``words8`` ``(R, 8 * n_words)`` bytes -> ``out64`` ``(n, R/8)``."""
    n_groups = out64.shape[1]
    n_words = words8.shape[1] // 8
    for w in range(n_words):
        for b in range(8):
            base = 64 * w + 8 * b
            if base >= n:
                break
            for g in range(n_groups):
                v = np.uint64(0)  # byte c: inputs base..base+7 of cell 8g + c
                for c in range(8):
                    v |= np.uint64(words8[8 * g + c, 8 * w + b]) << np.uint64(8 * c)
                for k in range(min(8, n - base)):
                    out64[base + k, g] = (v >> np.uint64(k)) & _LOW_BITS


def as_bits(bits: np.ndarray, *, name: str = "inputs") -> np.ndarray:
    """``bits`` as C-contiguous uint8; other dtypes are checked to hold only 0/1 here."""
    array = np.asarray(bits)
    if array.dtype == np.bool_:
        return np.ascontiguousarray(array).view(np.uint8)
    if array.dtype == np.uint8:
        return np.ascontiguousarray(array)
    if array.dtype.kind not in "iuf":
        raise UsageError(f"{name} must be an array of 0s and 1s, got dtype {array.dtype}")
    converted = array.astype(np.uint8)
    if array.size and not (np.array_equal(converted, array) and converted.max() <= 1):
        raise UsageError(f"{name} must contain only 0 and 1, got values outside {{0, 1}}")
    return np.ascontiguousarray(converted)


def pack_bits(bits: np.ndarray) -> np.ndarray:
    """Pack ``(n, R)`` 0/1 values into ``(R, ceil(n/64))`` uint64 bit-planes (see module doc)."""
    array = as_bits(bits)
    if array.ndim != 2:
        raise UsageError(f"bits must be a 2-D (n, cells) array, got shape {array.shape}")
    n, n_cells = array.shape
    if n_cells % 8 == 0 and n > 0 and sys.byteorder == "little":  # whole bytes of cells
        packed = np.zeros((n_cells, n_words_for(n)), np.uint64)
        total = _pack_bytes(array.view(np.uint64), n, packed.view(np.uint8))
        if total & ~_LOW_BITS:
            raise UsageError("inputs must contain only 0 and 1, got values outside {0, 1}")
        return packed
    # packbits along the batch axis: byte b of cell x holds inputs 8b .. 8b+7, bit 0 first;
    # eight consecutive bytes are one little-endian word.
    planes = np.packbits(array, axis=0, bitorder="little")  # (ceil(n/8), R)
    n_bytes = 8 * n_words_for(n)
    padded = np.zeros((n_cells, n_bytes), np.uint8)
    padded[:, : planes.shape[0]] = planes.T
    if np.any(array > 1):
        raise UsageError("inputs must contain only 0 and 1, got values outside {0, 1}")
    return padded.view("<u8").astype(np.uint64, copy=False)


def unpack_bits(words: np.ndarray, n: int) -> np.ndarray:
    """Inverse of :func:`pack_bits`: ``(..., n_words)`` words -> ``(n, ...)`` uint8 0/1 values.

    Leading axes are kept in order, e.g. all rows of an evaluation ``(depth+1, W, n_words)``
    unpack to ``(n, depth+1, W)``.
    """
    words = np.ascontiguousarray(words, dtype=np.uint64)
    lead = words.shape[:-1]
    if n > words.shape[-1] * WORD_BITS:
        raise UsageError(f"cannot unpack {n} inputs from {words.shape[-1]} words")
    n_rows = int(np.prod(lead))
    if n_rows % 8 == 0 and n > 0 and sys.byteorder == "little":
        out = np.empty((n, n_rows), np.uint8)
        _unpack_bytes(words.reshape(n_rows, -1).view(np.uint8), n, out.view(np.uint64))
        return out.reshape((n, *lead))
    as_bytes = words.reshape(n_rows, words.shape[-1]).astype("<u8", copy=False).view(np.uint8)
    flat = np.unpackbits(np.ascontiguousarray(as_bytes.T), axis=0, count=n, bitorder="little")
    return flat.reshape((n, *lead))  # (n, prod(lead)) -> (n, *lead)
