"""Function tables: each distinct sampled function once, with how many samples computed it.

Data model: ``FunctionTable(n_inputs, words, counts)``.  ``words`` is (m, n_words) ``uint64``
— the truth tables packed MSB-first (input i is bit 63 − (i mod 64) of word i // 64; for
n < 6 only the top 2^n bits of the single word are used), so that the words written in binary
and cut to 2^n characters are exactly the '0'/'1' truth-table string of DESIGN.md §4 — and
rows are sorted by the words, unique.  ``counts`` (m,) ``int64``.  Tables from separate runs or
shards merge exactly (:func:`merge_tables`): counts of equal functions add.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError

__all__ = ["TRUTH_TABLE_CONVENTION", "FunctionTable", "count_functions", "merge_tables"]

TRUTH_TABLE_CONVENTION = (
    "function[i] = f(x) for the input x whose binary expansion x1 x2 ... xn is i "
    "(x1 the most significant bit); '1' when the final pre-activation is > 0"
)


MAX_INPUTS = 10  # truth tables of 2^10 bits; beyond that exhaustive evaluation is pointless


def check_inputs(n: int) -> None:
    """Refuse a number of inputs whose truth tables are not enumerated (1..MAX_INPUTS)."""
    if not 1 <= n <= MAX_INPUTS:
        raise UsageError(
            f"n = {n} inputs is out of range for exhaustive evaluation on all 2^n inputs "
            f"(1..{MAX_INPUTS})",
            option=("model", "n"),
        )


def table_words(n_inputs: int) -> int:
    """uint64 words that hold one truth table of ``n_inputs`` inputs (2^n bits, at least 1).

    Not :func:`minimodels.engine.packing.n_words_for`, which counts the words of a batch of
    ``n`` *inputs* packed one bit each.
    """
    return max(1, (1 << n_inputs) // 64)


@dataclass(frozen=True)
class FunctionTable(Drawable):
    n_inputs: int
    words: np.ndarray  # (m, n_words) uint64, sorted, unique
    counts: np.ndarray  # (m,) int64

    @property
    def n_functions(self) -> int:
        return len(self.counts)

    @property
    def n_samples(self) -> int:
        return int(self.counts.sum())

    def truth_tables(self) -> np.ndarray:
        """(m, 2^n) uint8 truth tables."""
        return unpacked_truth_tables(self.words, self.n_inputs)

    def strings(self) -> np.ndarray:
        """The truth tables as '0'/'1' strings (object array)."""
        bits = self.truth_tables() + ord("0")
        size = bits.shape[1]
        return np.array(
            [row.decode("ascii") for row in bits.view(f"S{size}").ravel()], dtype=object
        )


def count_functions(words: np.ndarray, n_inputs: int) -> FunctionTable:
    """Tabulate packed truth tables (one row per sample) into a :class:`FunctionTable`."""
    return _unique(np.ascontiguousarray(words), np.ones(len(words), dtype=np.int64), n_inputs)


def merge_tables(tables: list[FunctionTable]) -> FunctionTable:
    """One table with the counts of all ``tables`` added function by function."""
    if not tables:
        raise UsageError("nothing to merge")
    n_inputs = {t.n_inputs for t in tables}
    if len(n_inputs) != 1:
        raise UsageError(f"cannot merge tables of different input counts {sorted(n_inputs)}")
    words = np.concatenate([t.words for t in tables])
    counts = np.concatenate([t.counts for t in tables])
    return _unique(words, counts, n_inputs.pop())


def from_strings(functions, counts, n_inputs: int | None = None) -> FunctionTable:
    """A table from '0'/'1' strings and counts (e.g. a functions.parquet read back)."""
    functions = list(functions)
    size = len(functions[0]) if functions else 1 << (n_inputs or 1)
    bits = np.frombuffer("".join(functions).encode("ascii"), dtype=np.uint8) - ord("0")
    return from_bits(bits.reshape(len(functions), size), counts)


def from_bits(bits: np.ndarray, counts) -> FunctionTable:
    """A table from (m, 2^n) 0/1 truth tables and their counts (rows need not be distinct)."""
    return from_words(pack_truth_tables(bits), counts, bits.shape[1].bit_length() - 1)


def from_words(words: np.ndarray, counts: np.ndarray, n_inputs: int) -> FunctionTable:
    """A table from packed truth tables (any order, repeats allowed) and their counts."""
    return _unique(np.ascontiguousarray(words), np.asarray(counts, dtype=np.int64), n_inputs)


def unpacked_truth_tables(words: np.ndarray, n_inputs: int) -> np.ndarray:
    """(m, n_words) packed tables → (m, 2^n) uint8, position i = f(row i)."""
    words = np.asarray(words)
    # an explicit row length: reshape(0, -1) is ambiguous (no sample of a block may fit S)
    big_endian = words.astype(">u8").view(np.uint8).reshape(len(words), 8 * words.shape[1])
    return np.unpackbits(big_endian, axis=1)[:, : 1 << n_inputs]


def pack_truth_tables(bits: np.ndarray) -> np.ndarray:
    """(m, 2^n) 0/1 truth tables → (m, n_words) ``uint64`` words in the layout above (not
    :func:`minimodels.engine.pack_bits`, which packs a batch of inputs into bit-planes)."""
    size = bits.shape[1]
    padded = np.zeros((len(bits), 64 * max(1, size // 64)), dtype=np.uint8)
    padded[:, :size] = bits
    return np.packbits(padded, axis=1).view(">u8").astype(np.uint64)


def _unique(words: np.ndarray, counts: np.ndarray, n_inputs: int) -> FunctionTable:
    if len(words) == 0:
        return FunctionTable(n_inputs, words.reshape(0, max(1, words.shape[1])), counts[:0])
    order = np.lexsort(words.T[::-1])  # word 0 is the primary key
    words = words[order]
    counts = counts[order]
    new = np.ones(len(words), dtype=bool)
    new[1:] = (words[1:] != words[:-1]).any(axis=1)
    starts = np.flatnonzero(new)
    return FunctionTable(n_inputs, words[starts], np.add.reduceat(counts, starts))
