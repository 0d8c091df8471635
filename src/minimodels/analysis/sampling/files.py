"""Function tables on disk: a run's ``functions.parquet`` and ``summary.json``, and back.

Core idea: the public table is plain Parquet, readable without this package, and is written
and read a chunk at a time, so that a run of tens of millions of distinct functions never
holds all of their strings in memory.  In memory a table stays packed
(:class:`~minimodels.analysis.sampling.tables.FunctionTable`: truth-table words + counts).

Data model of ``functions.parquet``: one row per function, most frequent first (ties: by
truth table), columns

* ``function`` — the truth table as a string of '0'/'1' (row i is f(row i), DESIGN.md §4);
* ``count`` (int64), ``probability`` (count / samples), ``k_lz``, ``entropy`` and
  ``n_ones`` (int64) — see :func:`function_chunks`;

and in the schema's metadata, as JSON: ``truth_table`` (the convention), ``n_inputs``,
``n_samples`` and the run's ``config``.  ``summary.json`` holds the headline numbers
(:func:`summarise`) with the run's timing and shard counts.  :func:`load_run` reads a table
back, :data:`READ_BATCH` functions at a time, and packs each batch at once.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np

from minimodels.analysis import complexity
from minimodels.analysis.sampling.config import SampleConfig
from minimodels.analysis.sampling.tables import (
    TRUTH_TABLE_CONVENTION,
    FunctionTable,
    from_words,
    pack_truth_tables,
    table_words,
)
from minimodels.base.errors import UsageError
from minimodels.runtime.storage import atomic_path, to_jsonable


def _config_dict(config: SampleConfig) -> dict[str, Any]:
    return dataclasses.asdict(config)


def function_chunks(table: FunctionTable, *, chunk: int = 1 << 20):
    """The public columns, most frequent function first (ties: by truth table), in chunks.

    Yields dicts of pyarrow/numpy columns of at most ``chunk`` rows, so that a table of tens
    of millions of functions is written without ever holding all its strings in memory.
    """
    import pyarrow as pa

    order = np.argsort(-table.counts, kind="stable")
    total = max(1, table.n_samples)
    for start in range(0, len(order), chunk):
        rows = order[start : start + chunk]
        part = FunctionTable(table.n_inputs, table.words[rows], table.counts[rows])
        bits = part.truth_tables()  # (m, 2^n) uint8
        m, size = bits.shape
        text = (bits + np.uint8(ord("0"))).tobytes()  # the '0'/'1' strings back to back
        offsets = (np.arange(m + 1, dtype=np.int64) * size).astype(np.int32)
        yield {
            "function": pa.StringArray.from_buffers(
                m, pa.py_buffer(offsets.tobytes()), pa.py_buffer(text)
            ),
            "count": part.counts,
            "probability": part.counts / total,
            "k_lz": complexity.k_lz(bits),
            "entropy": complexity.entropy(bits),
            "n_ones": bits.sum(axis=1).astype(np.int64),
        }


def function_columns(table: FunctionTable) -> dict[str, np.ndarray]:
    """All public columns at once (small tables; numpy arrays, strings as objects)."""
    parts = list(function_chunks(table))
    if not parts:
        return {
            "function": np.array([], dtype=object),
            "count": np.zeros(0, np.int64),
            "probability": np.zeros(0),
            "k_lz": np.zeros(0),
            "entropy": np.zeros(0),
            "n_ones": np.zeros(0, np.int64),
        }
    columns = {}
    for name in parts[0]:
        values = [p[name] for p in parts]
        if name == "function":
            columns[name] = np.array([s for v in values for s in v.to_pylist()], dtype=object)
        else:
            columns[name] = np.concatenate(values)
    return columns


def summarise(table: FunctionTable, top: dict[str, object], mean_k: float) -> dict[str, Any]:
    singletons = int((table.counts == 1).sum())
    return {
        "n_samples": table.n_samples,
        "n_functions": table.n_functions,
        "n_singletons": singletons,
        "singleton_fraction": singletons / max(1, table.n_functions),
        "top_function": top.get("function"),
        "top_probability": top.get("probability"),
        "mean_k_lz": mean_k,
    }


def write_functions(
    run: Any, config: SampleConfig, table: FunctionTable, *, seconds: float, n_resumed: int = 0
) -> dict[str, Any]:
    """Write ``functions.parquet`` chunk by chunk (atomically) and ``summary.json``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    metadata = {
        "truth_table": TRUTH_TABLE_CONVENTION,
        "n_inputs": table.n_inputs,
        "n_samples": table.n_samples,
        "config": _config_dict(config),
    }
    encoded = {k: json.dumps(to_jsonable(v)) for k, v in metadata.items()}
    top: dict[str, object] = {}
    weighted_k = 0.0
    schema = pa.schema(
        [("function", pa.string()), ("count", pa.int64()), ("probability", pa.float64()),
         ("k_lz", pa.float64()), ("entropy", pa.float64()), ("n_ones", pa.int64())],
        metadata=encoded,
    )  # fmt: skip
    with atomic_path(run.file("functions.parquet")) as tmp:
        with pq.ParquetWriter(tmp, schema) as writer:  # no chunk: an empty table, typed
            for columns in function_chunks(table):
                if not top:
                    top = {
                        "function": columns["function"][0].as_py(),
                        "probability": float(columns["probability"][0]),
                    }
                writer.write_table(pa.table(columns, schema=schema))
                weighted_k += float((columns["k_lz"] * columns["count"]).sum())
    summary = summarise(table, top, weighted_k / max(1, table.n_samples))
    summary.update(
        seconds=seconds,
        samples_per_second=(table.n_samples / seconds) if seconds > 0 else None,
        n_shards=config.n_shards,
        n_shards_resumed=n_resumed,
    )
    run.write_json("summary.json", summary)
    return summary


READ_BATCH = 1 << 20  # functions read from a table at a time


def load_run(path: str | Path) -> tuple[FunctionTable, dict[str, Any]]:
    """Read ``functions.parquet`` of a run back as a table and its metadata."""
    import pyarrow.parquet as pq

    path = Path(path)
    file = path / "functions.parquet" if path.is_dir() else path
    if not file.exists():
        raise UsageError(f"no functions.parquet in {str(path)!r}; run 'minimodels sample' first")
    # Stream the fixed-length strings' bytes a batch at a time and pack each batch into words
    # at once (a 10^8-sample run has ~2×10^7 functions: 2.6 GB as text, 0.3 GB as words);
    # runs list functions most frequent first, so the words are sorted once at the end.
    words, counts, size = [], [], 0
    with pq.ParquetFile(file) as source:
        for batch in source.iter_batches(batch_size=READ_BATCH, columns=["function", "count"]):
            if batch.num_rows:
                packed, size = _packed_batch(batch.column(0))
                words.append(packed)
                counts.append(batch.column(1).to_numpy().astype(np.int64))
        raw = source.schema_arrow.metadata or {}
    metadata = {}
    for key, value in raw.items():
        if not key.decode().startswith(("ARROW", "pandas")):
            metadata[key.decode()] = json.loads(value)
    n_inputs = int(metadata.get("n_inputs", size.bit_length() - 1 if size else 0))
    if not words:
        empty = np.zeros((0, table_words(n_inputs)), np.uint64)
        return from_words(empty, np.zeros(0, np.int64), n_inputs), metadata
    n_rows = sum(len(c) for c in counts)
    table = from_words(np.concatenate(words), np.concatenate(counts), n_inputs)
    if table.n_functions != n_rows:
        raise UsageError(f"{str(file)!r} lists a function twice; it is not a run's table")
    return table, metadata


def _packed_batch(strings) -> tuple[np.ndarray, int]:
    """One pyarrow array of fixed-length '0'/'1' strings as packed words (rows kept in order),
    and the strings' length."""
    import pyarrow as pa

    if not (pa.types.is_string(strings.type) or pa.types.is_large_string(strings.type)):
        strings = strings.cast(pa.large_string())
    n = len(strings)
    wide = pa.types.is_large_string(strings.type)
    offsets = np.frombuffer(strings.buffers()[1], np.int64 if wide else np.int32)
    offsets = offsets[strings.offset :][: n + 1]
    text = np.frombuffer(strings.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    size = int(offsets[-1] - offsets[0]) // n
    return pack_truth_tables((text - np.uint8(ord("0"))).reshape(n, size)), size
