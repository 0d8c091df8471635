"""Runs on disk: one directory per run, every file written atomically.

A run directory holds

* ``config.json``  — the resolved config, with ``seed`` and the package ``version``;
* ``summary.json`` — headline numbers;
* ``*.parquet``    — tables (one row per function, run, step …), with key/value metadata in
  the Parquet schema so pandas, polars or DuckDB can read them without our code;
* ``*.png`` / ``*.svg`` — figures.

Every write goes to a temporary file in the same directory and is renamed into place, so a
killed process never leaves a half-written file behind.  Bad paths fail early with one
sentence (:func:`prepare_out_dir`).

Two modules, every name re-exported here (``minimodels.runtime.storage.X``):

* :mod:`.files` — atomic writes, the file formats (JSON, Parquet, ``.npz`` records, figures)
  and the output-path checks;
* :mod:`.rundir` — :class:`RunDir`: ``run.json``, new/resume/overwrite rules, checksummed
  shards and checkpoints.
"""

from minimodels.runtime.storage.files import (
    MARK as MARK,
    atomic_path as atomic_path,
    prepare_out_dir as prepare_out_dir,
    prepare_out_file as prepare_out_file,
    read_json as read_json,
    read_records as read_records,
    read_table as read_table,
    resolved_config as resolved_config,
    to_jsonable as to_jsonable,
    write_bytes as write_bytes,
    write_figure as write_figure,
    write_json as write_json,
    write_records as write_records,
    write_table as write_table,
    write_text as write_text,
    written_by_us as written_by_us,
)
from minimodels.runtime.storage.rundir import (
    RUN_FILE as RUN_FILE,
    SHARDS as SHARDS,
    RunDir as RunDir,
)

__all__ = [
    "MARK",
    "RUN_FILE",
    "SHARDS",
    "RunDir",
    "atomic_path",
    "prepare_out_dir",
    "prepare_out_file",
    "read_json",
    "read_records",
    "read_table",
    "resolved_config",
    "to_jsonable",
    "write_bytes",
    "write_figure",
    "write_json",
    "write_records",
    "write_table",
    "write_text",
    "written_by_us",
]
