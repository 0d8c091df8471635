"""Files written atomically, in the formats a run directory holds, and checked output paths.

Core idea: every write goes to a temporary file beside its target (``.NAME.XXXXXXXX.tmp``,
:func:`atomic_path`) and is renamed onto it only once complete, so a killed process leaves
either the old file or the new one, never half of one.

Data model, one function pair per format:

* JSON (:func:`write_json` / :func:`read_json`) — plain values; :func:`to_jsonable` turns
  dataclasses, numpy scalars and arrays, paths and tuples into them (NaN/inf → null), and
  :func:`resolved_config` is a config as saved with a run (its fields, extras, ``version``);
* Parquet (:func:`write_table` / :func:`read_table`) — a dict of equal-length columns, with
  key/value metadata stored as JSON in the schema so pandas, polars or DuckDB read it as is;
* records (:func:`write_records` / :func:`read_records`) — a list of dicts of named arrays
  as one ``.npz`` (record j's ``name`` stored as ``"j/name"``);
* figures (:func:`write_figure`) — a matplotlib figure in each requested format.

:func:`prepare_out_dir` and :func:`prepare_out_file` check an output path before anything is
computed and refuse a bad one in one sentence (:class:`~minimodels.base.errors.UsageError`).
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from minimodels._version import __version__
from minimodels.base.errors import UsageError


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` if the block succeeds."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def to_jsonable(value: Any) -> Any:
    """Dataclasses, numpy scalars/arrays, paths and tuples → plain JSON values (NaN/inf → None)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


# Every picture carries this mark in its metadata (and a single JSON file a command writes
# outside a run, under "software"), so that --overwrite can tell a file minimodels wrote from
# the user's own file of the same name: it replaces only the first.
MARK = f"minimodels/{__version__}"
_METADATA_KEY = {"png": "Software", "svg": "Creator", "pdf": "Creator"}


def written_by_us(path: str | os.PathLike[str]) -> bool:
    """Whether the file at ``path`` carries :data:`MARK` (of any version)."""
    import re

    target = Path(path)
    try:
        if target.stat().st_size > 1 << 26:  # no picture or JSON of ours is this big
            return False
        data = target.read_bytes()
    except OSError:
        return False
    return re.search(rb"minimodels/\d", data) is not None


def write_json(path: str | os.PathLike[str], value: Any) -> Path:
    text = json.dumps(to_jsonable(value), indent=2, sort_keys=False) + "\n"
    return write_text(path, text)


def read_json(path: str | os.PathLike[str]) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def resolved_config(config: Any, **extra: Any) -> dict[str, Any]:
    """The config as saved with a run: its fields, then ``extra``, then the package version."""

    data = to_jsonable(config) if config is not None else {}
    data.update(to_jsonable(extra))
    data["version"] = __version__
    return data


def write_table(
    path: str | os.PathLike[str],
    columns: Mapping[str, Any],
    *,
    metadata: Mapping[str, Any] | None = None,
) -> Path:
    """Write a dict of equal-length columns as Parquet; ``metadata`` lands in the schema as JSON."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({name: _arrow_column(col) for name, col in columns.items()})
    if metadata:
        encoded = {str(k): json.dumps(to_jsonable(v)) for k, v in metadata.items()}
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **encoded})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return Path(path)


def _arrow_column(col: Any) -> Any:
    import pyarrow as pa

    if isinstance(col, pa.Array | pa.ChunkedArray):
        return col
    if isinstance(col, np.ndarray):
        return pa.array(col)
    return pa.array(list(col))


def read_table(path: str | os.PathLike[str]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read a Parquet table written by :func:`write_table`: (columns as numpy, metadata)."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    raw = table.schema.metadata or {}
    metadata = {}
    for key, value in raw.items():
        k = key.decode()
        if k == "pandas" or k.startswith("ARROW"):
            continue
        try:
            metadata[k] = json.loads(value)
        except ValueError:
            metadata[k] = value.decode()
    columns = {
        name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names
    }
    return columns, metadata


def write_records(path: str | os.PathLike[str], records: list[Mapping[str, Any]]) -> None:
    """Records of named arrays (e.g. one per run) as one ``.npz``: record j's ``name`` is
    stored as ``"j/name"``.  Writes ``path`` in place: call it inside :func:`atomic_path`."""
    arrays = {f"{j}/{name}": np.asarray(v) for j, r in enumerate(records) for name, v in r.items()}
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)  # type: ignore[arg-type]  # numpy stub: ** vs allow_pickle


def read_records(path: str | os.PathLike[str]) -> list[dict[str, np.ndarray]]:
    """Inverse of :func:`write_records`."""
    by_record: dict[int, dict[str, np.ndarray]] = {}
    with np.load(path) as stored:
        for key in stored.files:
            j, name = key.split("/", 1)
            by_record.setdefault(int(j), {})[name] = stored[key]
    return [by_record[j] for j in sorted(by_record)]


def write_figure(
    path: str | os.PathLike[str],
    figure: Any,
    *,
    formats: tuple[str, ...] = ("png",),
    dpi: int = 120,
) -> list[Path]:
    """Save a matplotlib ``Figure`` as ``path`` with each suffix in ``formats`` (atomic writes)."""
    base = Path(path)
    written = []
    for fmt in formats:
        target = base.with_suffix("." + fmt)
        buffer = io.BytesIO()
        metadata = {_METADATA_KEY[fmt]: MARK} if fmt in _METADATA_KEY else None
        figure.savefig(buffer, format=fmt, dpi=dpi, bbox_inches="tight", metadata=metadata)
        written.append(write_bytes(target, buffer.getvalue()))
    return written


def prepare_out_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` (and parents) and check it is a writable directory, or raise one sentence."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise UsageError(f"output path {str(out)!r} exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create output directory {str(out)!r}: {error.strerror}") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise UsageError(f"output directory {str(out)!r} is not writable")
    return out


def prepare_out_file(
    path: str | os.PathLike[str], *, overwrite: bool = False, flag: str = "--out"
) -> Path:
    """Check that a file can be written at ``path`` (its directory is created), or raise.

    An existing file is refused unless ``overwrite`` and it carries :data:`MARK`: a command
    never replaces a file it cannot know minimodels wrote.  ``flag`` is the option that named
    the path, for the message.
    """
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"output path {str(target)!r} is a directory, not a file")
    if target.exists() and not overwrite:
        raise UsageError(
            f"{flag} {str(target)!r} already exists; pass --overwrite to replace it or choose "
            "another path"
        )
    if target.exists() and not written_by_us(target):
        raise UsageError(
            f"{flag} {str(target)!r} exists and was not written by minimodels, so --overwrite "
            "does not replace it; choose another path"
        )
    prepare_out_dir(target.parent if str(target.parent) else ".")
    return target
