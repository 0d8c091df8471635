"""Rows to columns: experiments keep results as a list of dicts (one per run) and write them
as one Parquet table, whose columns are every key seen, in first-seen order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def columns(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """``rows`` as columns; a row without a key has None there."""
    rows = list(rows)
    keys = list(dict.fromkeys(k for row in rows for k in row))
    return {k: [row.get(k) for row in rows] for k in keys}
