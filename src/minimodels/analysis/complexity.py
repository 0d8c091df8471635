"""Complexity measures of 0/1 strings and Boolean truth tables.

Data model: a *string* is a '0'/'1' Python string or a 1-D array of 0/1 values; a batch is a
2-D array, one string per row, and every measure then returns one value per row.  A *truth
table* of an n-input Boolean function is a string of length 2^n whose position i holds
f(row i), where row i is the binary expansion of i with x1 the **most** significant bit.

Measures:

* :func:`k_lz` — the Lempel–Ziv complexity of Dingle, Camargo & Louis (2018).  c(s) is the
  number of phrases of the LZ76 parsing (Kaspar–Schuster counting: each phrase is the shortest
  prefix of the rest that has not appeared as a substring starting earlier; an incomplete last
  phrase counts), and K_LZ(s) = log2(N) for constant strings, else
  log2(N) · (c(s) + c(reverse s)) / 2.  For N = 128 every value is a multiple of 3.5.
  :func:`lz76_phrases` is the plain reference (the Kaspar–Schuster scan, one string at a time);
  batches go through a compiled bit-parallel kernel (strings of up to 128 bits: both
  directions parsed by branch-free mask updates, many strings per vector instruction; see
  ``engine.lz_kernels``) or a compiled scan (longer strings), tested equal to the reference.
* :func:`entropy` — binary entropy (bits) of the fraction of ones.
* :func:`expression_size` — literals in a minimal sum-of-products (SOP) or product-of-sums
  (POS) formula, by Quine–McCluskey and an exact cover; n ≤ 5 inputs.
* :func:`critical_sample_ratio` — fraction of inputs with a Hamming-1 neighbour of the other
  class; :func:`average_sensitivity` — mean number of such neighbours.
* :func:`walsh_spectrum` — f̂(S) = 2^-n Σ_x (−1)^(f(x) + S·x) with S indexed like the inputs;
  :func:`fourier_l1` — Σ_S |f̂(S)|.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from minimodels.base.errors import UsageError

__all__ = [
    "MAX_EXPRESSION_INPUTS",
    "as_bits",
    "average_sensitivity",
    "critical_sample_ratio",
    "entropy",
    "expression_size",
    "fourier_l1",
    "k_lz",
    "k_lz_reference",
    "lz76_phrases",
    "n_inputs_of",
    "walsh_spectrum",
]

MAX_EXPRESSION_INPUTS = 5


# --------------------------------------------------------------------------- inputs


def as_bits(bits: Any) -> np.ndarray:
    """A '0'/'1' string, a sequence or 1-D array of them (e.g. a table's ``function`` column),
    or a 0/1 array of any numeric dtype → a ``uint8`` array (1-D or 2-D)."""
    if isinstance(bits, str):
        if not bits or set(bits) - {"0", "1"}:
            raise UsageError(f"expected a non-empty string of '0' and '1', got {bits[:20]!r}")
        return np.frombuffer(bits.encode("ascii"), dtype=np.uint8) - ord("0")
    array = np.asarray(bits)
    strings = array.dtype.kind in "UO" and array.ndim == 1 and array.size
    if strings and all(isinstance(b, str) for b in array.tolist()):
        if len({len(b) for b in array.tolist()}) != 1:
            raise UsageError("all strings in a batch must have the same length")
        return np.stack([as_bits(b) for b in array.tolist()])
    if array.ndim not in (1, 2) or array.shape[-1] == 0:
        raise UsageError(f"expected a 1-D or 2-D 0/1 array, got shape {array.shape}")
    if array.dtype.kind not in "biuf":
        raise UsageError(f"expected 0/1 values, got an array of dtype {array.dtype}")
    # uint8 (the batch case) is checked by one fast reduction; the mask only names the value
    if array.dtype != np.uint8 or (array.size and array.max() > 1):
        bad = (array > 1) if array.dtype == np.uint8 else (array != 0) & (array != 1)
        if bad.any():
            raise UsageError(f"expected 0/1 values, got {array[bad][0].item()!r}")
    return np.ascontiguousarray(array, dtype=np.uint8)


def n_inputs_of(length: int) -> int:
    """n for a truth table of length 2^n, or a ValueError."""
    n = int(length).bit_length() - 1
    if length < 2 or 1 << n != length:
        raise UsageError(f"a truth table has length 2^n with n ≥ 1, got length {length}")
    return n


def _per_row(values: np.ndarray, bits: Any) -> Any:
    return values if as_bits(bits).ndim == 2 else values[0].item()


# --------------------------------------------------------------------------- K_LZ


def lz76_phrases(bits: Any) -> int:
    """c(s): phrases of the LZ76 parsing, by the Kaspar–Schuster scan (plain reference)."""
    s = as_bits(bits)
    if s.ndim != 1:
        raise UsageError("lz76_phrases takes one string")
    s = s.tolist()
    n = len(s)
    if n == 1:
        return 1
    # i: start of the candidate earlier copy; u: start of the current phrase (the rest is
    # s[u:]); v: length of the current match; v_max: longest match over all i.
    i, u, v, v_max, c = 0, 1, 1, 1, 1
    while u + v <= n:
        if s[i + v - 1] == s[u + v - 1]:
            v += 1
        else:
            v_max = max(v, v_max)
            i += 1
            if i == u:  # no earlier copy extends further: the phrase ends here
                c += 1
                u += v_max
                v, i, v_max = 1, 0, 1
            else:
                v = 1
    if v != 1:  # the last phrase ran off the end: it still counts
        c += 1
    return c


def k_lz_reference(bits: Any) -> float:
    """K_LZ of one string through :func:`lz76_phrases` (the plain path)."""
    s = as_bits(bits)
    n = s.shape[0]
    if s.min() == s.max():
        return math.log2(n)
    return math.log2(n) * (lz76_phrases(s) + lz76_phrases(s[::-1].copy())) / 2


def k_lz(bits: Any) -> float | np.ndarray:
    """K_LZ of a '0'/'1' string or 1-D 0/1 array; a 2-D array (or list of strings): per row."""
    s = as_bits(bits)
    batch = s if s.ndim == 2 else s[None, :]
    values = _k_lz_batch(batch)
    return values if s.ndim == 2 else float(values[0])


def _k_lz_batch(batch: np.ndarray) -> np.ndarray:
    from minimodels.engine import lz_kernels as kernels

    n = batch.shape[1]
    if n == 1:
        return np.zeros(batch.shape[0])
    if n <= 128:
        return kernels.k_lz_bitparallel(batch)
    return kernels.k_lz_scan(batch)


# --------------------------------------------------------------------------- simple measures


def entropy(bits: Any) -> float | np.ndarray:
    """Binary entropy in bits of the fraction of ones (0 for constants, 1 for balanced)."""
    s = as_bits(bits)
    p = s.mean(axis=-1, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -(p * np.log2(p) + (1 - p) * np.log2(1 - p))
    h = np.where((p == 0) | (p == 1), 0.0, h)
    return h if s.ndim == 2 else float(h)


def _neighbour_flips(bits: Any) -> np.ndarray:
    """(m, 2^n) number of Hamming-1 neighbours with the other value, per input."""
    s = as_bits(bits)
    batch = s if s.ndim == 2 else s[None, :]
    n = n_inputs_of(batch.shape[1])
    index = np.arange(batch.shape[1])
    flips = np.zeros(batch.shape, dtype=np.int64)
    for j in range(n):
        flips += batch != batch[:, index ^ (1 << j)]
    return flips


def critical_sample_ratio(bits: Any) -> float | np.ndarray:
    """Fraction of inputs that have a Hamming-1 neighbour of the other class."""
    values = (_neighbour_flips(bits) > 0).mean(axis=1)
    return _per_row(values, bits)


def average_sensitivity(bits: Any) -> float | np.ndarray:
    """Mean over inputs of the number of single-bit flips that change the output."""
    values = _neighbour_flips(bits).mean(axis=1)
    return _per_row(values, bits)


def walsh_spectrum(bits: Any) -> np.ndarray:
    """Walsh–Fourier coefficients f̂(S) of (−1)^f, S indexed like the inputs (length 2^n)."""
    s = as_bits(bits)
    batch = (1.0 - 2.0 * (s if s.ndim == 2 else s[None, :])).astype(np.float64)
    size = batch.shape[1]
    n_inputs_of(size)
    h = 1
    while h < size:  # fast Walsh–Hadamard transform, in place over pairs (a, a + h)
        view = batch.reshape(batch.shape[0], size // (2 * h), 2, h)
        a, b = view[:, :, 0, :].copy(), view[:, :, 1, :].copy()
        view[:, :, 0, :], view[:, :, 1, :] = a + b, a - b
        h *= 2
    spectrum = batch / size
    return spectrum if s.ndim == 2 else spectrum[0]


def fourier_l1(bits: Any) -> float | np.ndarray:
    """Σ_S |f̂(S)|: 1 for constants and parities, larger for more complex functions."""
    magnitude = np.abs(walsh_spectrum(bits))
    return magnitude.sum(axis=1) if magnitude.ndim == 2 else float(magnitude.sum())


# --------------------------------------------------------------------------- expression size


def expression_size(bits: Any, *, form: str = "min") -> int | np.ndarray:
    """Literals in a minimal SOP (``form="sop"``), POS (``"pos"``) or the smaller (``"min"``).

    Constants have size 0.  Exact (Quine–McCluskey prime implicants, then a minimum-literal
    cover by branch and bound) for n ≤ 5 inputs.
    """
    if form not in ("sop", "pos", "min"):
        raise UsageError(f"unknown form {form!r}; choose sop, pos or min")
    s = as_bits(bits)
    batch = s if s.ndim == 2 else s[None, :]
    n = n_inputs_of(batch.shape[1])
    if n > MAX_EXPRESSION_INPUTS:
        raise UsageError(
            f"expression size is exact only for n ≤ {MAX_EXPRESSION_INPUTS} inputs, got n = {n}"
        )
    sizes = []
    for row in batch:
        sop = _min_sop_literals(row, n) if form != "pos" else None
        pos = _min_sop_literals(1 - row, n) if form != "sop" else None
        sizes.append(sop if pos is None else pos if sop is None else min(sop, pos))
    values = np.array(sizes, dtype=np.int64)
    return values if s.ndim == 2 else int(values[0])


def _prime_implicants(minterms: list[int], n: int) -> list[tuple[int, int]]:
    """Quine–McCluskey: implicants as (value, mask) with mask bits = eliminated variables."""
    current = {(m, 0) for m in minterms}
    primes: set[tuple[int, int]] = set()
    while current:
        merged: set[tuple[int, int]] = set()
        used: set[tuple[int, int]] = set()
        by_mask: dict[int, list[tuple[int, int]]] = {}
        for term in current:
            by_mask.setdefault(term[1], []).append(term)
        for mask, terms in by_mask.items():
            values = {t[0] for t in terms}
            for value in values:
                for j in range(n):
                    bit = 1 << j
                    if mask & bit or value & bit:
                        continue
                    partner = value | bit
                    if partner in values:
                        merged.add((value, mask | bit))
                        used.add((value, mask))
                        used.add((partner, mask))
        primes |= current - used
        current = merged
    return sorted(primes)


def _min_sop_literals(row: np.ndarray, n: int) -> int:
    minterms = [int(i) for i in np.flatnonzero(row)]
    if not minterms or len(minterms) == len(row):
        return 0
    primes = _prime_implicants(minterms, n)
    covers = []
    for value, mask in primes:
        free = [1 << j for j in range(n) if mask & (1 << j)]
        cells = set()
        for choice in itertools.product((0, 1), repeat=len(free)):
            cells.add(value | sum(b for b, c in zip(free, choice, strict=True) if c))
        covers.append((n - len(free), frozenset(cells)))
    best = [sum(cost for cost, _ in covers) + 1]

    def search(uncovered: frozenset[int], cost: int, options: list[tuple[int, frozenset]]):
        if cost >= best[0]:
            return
        if not uncovered:
            best[0] = cost
            return
        # branch on the uncovered minterm with the fewest implicants covering it
        target = min(uncovered, key=lambda m: sum(m in cells for _, cells in options))
        for literals, cells in sorted(options, key=lambda o: o[0]):
            if target in cells:
                rest = [o for o in options if o[1] is not cells]
                search(uncovered - cells, cost + literals, rest)

    search(frozenset(minterms), 0, covers)
    return best[0]
