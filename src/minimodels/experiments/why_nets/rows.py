"""Rows are dicts (one per learner × setting × seed); grouping them and their means."""

from __future__ import annotations

from typing import Any

import numpy as np


def group(rows: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return grouped


def mean(values: Any) -> float | None:
    values = list(values)
    return float(np.mean(values)) if values else None


def mean_se(values: list[float]) -> tuple[float, float]:
    """(mean, standard error of the mean); the error is nan for a single value."""
    values_ = np.asarray(values, dtype=np.float64)
    se = values_.std(ddof=1) / np.sqrt(len(values_)) if len(values_) > 1 else float("nan")
    return float(values_.mean()), float(se)
