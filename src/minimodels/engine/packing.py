"""Bit packing: a batch of 0/1 rows <-> uint64 bit-planes (one word = one cell for 64 inputs).

Data model.  A batch ``bits`` of shape ``(n, R)`` (``n`` inputs, ``R`` cells) packs into
``words`` of shape ``(R, n_words)`` with ``n_words = ceil(n / 64)``:

    bit j of words[x, w]  ==  bits[64 * w + j, x]        (bit 0 the least significant)

Padding bits of the last word (inputs ``n .. 64 * n_words - 1``) are 0.  A cell's whole batch
is then a contiguous run of words, so one word-wide logical operation updates that cell for 64
inputs at once.
"""

from __future__ import annotations

import numpy as np

WORD_BITS = 64


def n_words_for(n_inputs: int) -> int:
    """Number of uint64 words that hold one cell of ``n_inputs`` inputs."""
    return (n_inputs + WORD_BITS - 1) // WORD_BITS


def as_bits(bits: np.ndarray, *, name: str = "inputs") -> np.ndarray:
    """``bits`` as C-contiguous uint8; other dtypes are checked to hold only 0/1 here."""
    array = np.asarray(bits)
    if array.dtype == np.bool_:
        return np.ascontiguousarray(array).view(np.uint8)
    if array.dtype == np.uint8:
        return np.ascontiguousarray(array)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of 0s and 1s, got dtype {array.dtype}")
    converted = array.astype(np.uint8)
    if array.size and not (np.array_equal(converted, array) and converted.max() <= 1):
        raise ValueError(f"{name} must contain only 0 and 1, got values outside {{0, 1}}")
    return np.ascontiguousarray(converted)


def pack_bits(bits: np.ndarray) -> np.ndarray:
    """Pack ``(n, R)`` 0/1 values into ``(R, ceil(n/64))`` uint64 bit-planes (see module doc)."""
    array = as_bits(bits)
    if array.ndim != 2:
        raise ValueError(f"bits must be a 2-D (n, cells) array, got shape {array.shape}")
    n, n_cells = array.shape
    # packbits along the batch axis: byte b of cell x holds inputs 8b .. 8b+7, bit 0 first;
    # eight consecutive bytes are one little-endian word.
    planes = np.packbits(array, axis=0, bitorder="little")  # (ceil(n/8), R)
    n_bytes = 8 * n_words_for(n)
    padded = np.zeros((n_cells, n_bytes), np.uint8)
    padded[:, : planes.shape[0]] = planes.T
    if np.any(array > 1):
        raise ValueError("inputs must contain only 0 and 1, got values outside {0, 1}")
    return padded.view("<u8").astype(np.uint64, copy=False)


def unpack_bits(words: np.ndarray, n: int) -> np.ndarray:
    """Inverse of :func:`pack_bits`: ``(..., n_words)`` words -> ``(n, ...)`` uint8 0/1 values.

    Leading axes are kept in order, e.g. all rows of an evaluation ``(depth+1, W, n_words)``
    unpack to ``(n, depth+1, W)``.
    """
    words = np.ascontiguousarray(words, dtype=np.uint64)
    lead = words.shape[:-1]
    if n > words.shape[-1] * WORD_BITS:
        raise ValueError(f"cannot unpack {n} inputs from {words.shape[-1]} words")
    n_rows = int(np.prod(lead))
    as_bytes = words.reshape(n_rows, words.shape[-1]).astype("<u8", copy=False).view(np.uint8)
    flat = np.unpackbits(np.ascontiguousarray(as_bytes.T), axis=0, count=n, bitorder="little")
    return flat.reshape((n, *lead))  # (n, prod(lead)) -> (n, *lead)
