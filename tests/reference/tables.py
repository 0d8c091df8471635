"""Function tables by hand: strings, dicts of counts, and the numbers a sampling run reports."""

from __future__ import annotations

import math
from collections.abc import Iterable

from reference.lz import k_lz


def as_string(bits: Iterable[int]) -> str:
    return "".join("1" if int(b) else "0" for b in bits)


def pack(table: str) -> list[int]:
    """DESIGN.md §4 truth table → words: input i is bit 63 − (i mod 64) of word i // 64."""
    words = [0] * max(1, (len(table) + 63) // 64)
    for i, bit in enumerate(table):
        if bit == "1":
            words[i // 64] |= 1 << (63 - i % 64)
    return words


def tabulate(tables: Iterable[str]) -> dict[str, int]:
    """Each distinct truth table once, with how many times it was seen."""
    counts: dict[str, int] = {}
    for table in tables:
        counts[table] = counts.get(table, 0) + 1
    return counts


def merge(*tallies: dict[str, int]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for tally in tallies:
        for table, count in tally.items():
            merged[table] = merged.get(table, 0) + count
    return merged


def most_frequent_first(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Rows as a run lists them: most frequent first, ties by truth table."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def summary(counts: dict[str, int]) -> dict:
    """The headline numbers of ``summary.json`` of a sampling run."""
    n = sum(counts.values())
    rows = most_frequent_first(counts)
    singletons = sum(1 for c in counts.values() if c == 1)
    return {
        "n_samples": n,
        "n_functions": len(counts),
        "n_singletons": singletons,
        "singleton_fraction": singletons / len(counts) if counts else 0.0,
        "top_function": rows[0][0] if rows else None,
        "top_probability": rows[0][1] / n if rows else None,
        "mean_k_lz": sum(c * k_lz(f) for f, c in counts.items()) / n if n else 0.0,
    }


def columns(counts: dict[str, int]) -> list[dict]:
    """The public rows of ``functions.parquet``, in order."""
    n = sum(counts.values())
    out = []
    for table, count in most_frequent_first(counts):
        p = table.count("1") / len(table)
        entropy = 0.0 if p in (0.0, 1.0) else -(p * math.log2(p) + (1 - p) * math.log2(1 - p))
        out.append(
            {
                "function": table,
                "count": count,
                "probability": count / n,
                "k_lz": k_lz(table),
                "entropy": entropy,
                "n_ones": table.count("1"),
            }
        )
    return out


def bias_numbers(counts: dict[str, int]) -> dict:
    """What the simplicity-bias analysis reads off a table (SCIENCE.md §B.3)."""
    n = sum(counts.values())
    rows = most_frequent_first(counts)
    p_k: dict[float, float] = {}
    maxima: dict[float, float] = {}
    for table, count in rows:
        k = k_lz(table)
        p_k[k] = p_k.get(k, 0.0) + count / n
        if count > 1:  # functions seen once are noise and are left out of the bound
            maxima[k] = max(maxima.get(k, -math.inf), math.log2(count / n))
    ones: dict[int, float] = {}
    for table, count in rows:
        ones[table.count("1")] = ones.get(table.count("1"), 0.0) + count / n
    return {
        "probabilities": [c / n for _, c in rows],
        "k_lz": [k_lz(t) for t, _ in rows],
        "n_ones": [t.count("1") for t, _ in rows],
        "p_k": dict(sorted(p_k.items())),
        "bound_maxima": dict(sorted(maxima.items())),
        "ones": ones,
        "n_singletons": sum(1 for _, c in rows if c == 1),
    }
