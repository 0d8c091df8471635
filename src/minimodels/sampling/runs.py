"""Sharded sampling runs: deterministic shards, any backend, spill to disk, exact resume.

A run of ``samples`` models is cut into shards of ``shard_size`` consecutive samples; model g
draws its parameters from its own stream, keyed by ``SeedSequence(seed)`` and g
(:mod:`.streams`), so shard s (models s·shard_size …) has a fixed seed and a function table
that depends only on (config, s) — not on the backend, the number of workers or threads, or
on which shards ran before a resume.  The merged counts do not even depend on ``shard_size``.

Two engines sample fully connected nets: ``numba`` (the default; :mod:`.mlp`, compiled CPU
kernels, per-net xoshiro256** streams) and ``jax`` (:mod:`.jax_engine`, jax.random per-net keys,
batched matmuls on whatever device JAX has, a GPU included).  They draw from different
generators, so their tables are equal in distribution, not bit for bit: the engine is part of
the config, and a resume with the other engine is refused.  ``engine="auto"`` resolves to
``jax`` for fully connected nets where JAX sees a GPU/TPU and to ``numba`` otherwise (the
resolved name is recorded).
The default stays ``numba`` so that the same command gives the same table on every machine.

On disk (``sample_run``) a run directory holds

* ``config.json``  — the resolved config; a resume with any other config is refused;
* ``shards/shard-NNNNNN.parquet`` — one function table per completed shard (written atomically
  as soon as the shard finishes: a killed run loses at most the shards in flight), with its
  SHA-256 beside it (``.sha256``): a damaged shard is recomputed on ``--resume``;
* ``run.json`` — marks the directory as a ``sample`` run and lists the files it wrote;
* ``functions.parquet`` — the merged table, one row per function (columns ``function``,
  ``count``, ``probability``, ``k_lz``, ``entropy``, ``n_ones``), most frequent first;
* ``summary.json`` — headline numbers.

Memory stays bounded by the number of distinct functions: shard tables are merged as they come
in, in geometrically growing batches, so the merge cost stays O(N log N).
"""

from __future__ import annotations

import dataclasses
import errno
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from minimodels.errors import StorageError, UsageError
from minimodels.progress import ProgressCallback
from minimodels.sampling.tables import (
    TRUTH_TABLE_CONVENTION,
    FunctionTable,
    count_functions,
    merge_tables,
    table_words,
)

__all__ = ["SampleConfig", "SampleRun", "load_run", "sample_functions", "sample_run"]

MAX_SAMPLES = 10**13
ENGINES = ("numba", "jax")


@dataclass(frozen=True)
class SampleConfig:
    """What to sample: the model, its initialisation, how many samples, the seed."""

    model: str = "7-40-40-1"
    init: str = "gaussian"
    sigma_w: float = 1.0
    sigma_b: float = 1.0
    samples: int = 100_000
    seed: int = 0
    shard_size: int = 1 << 17
    engine: str = "numba"

    def validated(self) -> SampleConfig:
        """This config checked, with ``engine="auto"`` resolved to the engine that will run."""
        from minimodels.inits import check_scheme
        from minimodels.sampling.models import MLPSpec, parse_model

        if not isinstance(self.model, str):
            raise UsageError(f"model must be a spec such as '7-40-40-1', got {self.model!r}")
        spec = parse_model(self.model)
        check_scheme(self.init, self.sigma_w, self.sigma_b)
        engine = resolve_engine(self.engine, self.model, fully_connected=isinstance(spec, MLPSpec))
        if not _whole(self.samples) or not 1 <= self.samples <= MAX_SAMPLES:
            raise UsageError(f"samples must be between 1 and {MAX_SAMPLES:.0e}, got {self.samples}")
        if not _whole(self.shard_size) or self.shard_size < 1:
            raise UsageError(f"shard_size must be at least 1, got {self.shard_size}")
        if not _whole(self.seed) or self.seed < 0:
            raise UsageError(f"seed must be a whole number ≥ 0, got {self.seed!r}")
        check_size(spec, self.samples, self.shard_size, engine)
        return dataclasses.replace(self, engine=engine)

    @property
    def n_shards(self) -> int:
        return -(-self.samples // self.shard_size)

    def shard_samples(self, shard: int) -> int:
        return min(self.shard_size, self.samples - shard * self.shard_size)


# multiply-adds per second and core that no engine beats on a CPU (10× the compiled sampler),
# and a model's least cost in them (drawing its parameters, packing its table)
FAST_MACS = 5e10
FLOOR_MACS = 500


def check_size(spec: Any, samples: int, shard_size: int, engine: str) -> None:
    """Refuse (one sentence) a run whose function table or working memory cannot fit, or
    that would take longer than :func:`minimodels.resources.check_time` allows.

    The table holds each distinct function once: at most ``samples`` of them (or all
    2^(2^n)), each its packed words and count, a few times over while merging, plus the
    chunk of strings being written.  Every core holds one shard's words and one model's
    activations on all 2^n inputs.
    """
    import os

    from minimodels.resources import check_memory, check_time, plural

    n_rows = 1 << spec.n_inputs
    row_bytes = 8 * max(1, n_rows // 64) + 8  # packed words and the count
    entries = min(samples, 2**n_rows)  # there are 2^(2^n) functions
    if hasattr(spec, "widths"):  # a fully connected net
        widths, n_params = spec.widths, spec.n_parameters
    else:  # a rule array or mesh net: a few numbers per cell
        widths, n_params = (spec.width,), 4 * spec.width * spec.depth
    model = 4 * n_params + 12 * max(widths) * n_rows  # parameters, two activation buffers
    if engine == "jax":  # a batch of nets at once
        from minimodels.sampling.jax_engine import batch_size

        model *= batch_size(spec)
    cores = os.cpu_count() or 1
    check_memory(
        cores * model,
        f"evaluating {spec} on all {n_rows} inputs on each of {cores} cores",
        why="its parameters and activations",
        fix="use a smaller model",
    )
    shard = min(shard_size, samples) * 4 * row_bytes  # the words and their unique-sort
    table = 4 * entries * row_bytes + min(entries, 1 << 20) * 4 * n_rows  # and a chunk written
    what = f"sampling {plural(samples, 'model')} of {spec}"
    check_memory(
        table + cores * shard,
        what,
        why="a table of up to that many distinct functions, and a shard per core",
        fix="lower the samples",
    )
    if engine != "jax":  # a GPU's speed is not this machine's cores'
        macs = (n_params * n_rows + FLOOR_MACS) * float(samples)
        check_time(macs / (FAST_MACS * cores), what, fix="lower the samples")


def _whole(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def resolve_engine(engine: str, model: str, *, fully_connected: bool) -> str:
    """``numba`` or ``jax`` for sampling ``model``; ``auto`` is ``jax`` for fully connected nets
    where JAX has a GPU/TPU, else ``numba``."""
    if engine not in (*ENGINES, "auto"):
        raise UsageError(f"unknown engine {engine!r}; choose one of numba, jax or auto")
    if engine == "jax" and not fully_connected:
        raise UsageError(
            f"engine 'jax' samples fully connected nets and perceptrons, not {model!r}; "
            "use engine 'numba'"
        )
    if engine == "auto":
        if not fully_connected:
            return "numba"
        from minimodels.sampling.jax_engine import has_accelerator

        return "jax" if has_accelerator() else "numba"
    return engine


@dataclass(frozen=True)
class ShardTask:
    config: SampleConfig
    shard: int
    threads: int | None = None  # numba threads in a worker process (None: leave as is)


def run_shard(task: ShardTask) -> FunctionTable:
    """The function table of one shard (a pure function of the task: picklable, any backend)."""
    from minimodels.sampling import substrates
    from minimodels.sampling.models import MLPSpec, parse_model
    from minimodels.sampling.streams import run_key

    if task.threads is not None:
        import numba

        most = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]  # set at run time
        numba.set_num_threads(max(1, min(task.threads, most)))
    config = task.config
    spec = parse_model(config.model)
    key = run_key(config.seed)
    first = task.shard * config.shard_size
    n = config.shard_samples(task.shard)
    if isinstance(spec, MLPSpec) and config.engine == "jax":
        from minimodels.sampling import jax_engine

        words = jax_engine.truth_tables(
            spec, key, first, n, init=config.init, sigma_w=config.sigma_w, sigma_b=config.sigma_b
        )
    elif isinstance(spec, MLPSpec):
        from minimodels.sampling import mlp

        words = mlp.truth_tables(
            spec, key, first, n, init=config.init, sigma_w=config.sigma_w, sigma_b=config.sigma_b
        )
    else:
        words = substrates.truth_tables(
            spec, key, first, n, init=config.init, sigma_w=config.sigma_w, sigma_b=config.sigma_b
        )
    return count_functions(words, spec.n_inputs)


class _Merger:
    """Merge tables as they arrive, in batches at least as large as what is merged so far."""

    def __init__(self) -> None:
        self.merged: FunctionTable | None = None
        self.pending: list[FunctionTable] = []
        self.pending_rows = 0

    def add(self, table: FunctionTable) -> None:
        self.pending.append(table)
        self.pending_rows += table.n_functions
        if self.merged is None or self.pending_rows >= self.merged.n_functions:
            self._flush()

    def _flush(self) -> None:
        parts = ([self.merged] if self.merged is not None else []) + self.pending
        self.merged = merge_tables(parts)
        self.pending, self.pending_rows = [], 0

    def result(self) -> FunctionTable:
        if self.pending or self.merged is None:
            self._flush()
        assert self.merged is not None  # _flush sets it
        return self.merged


def _tasks(config: SampleConfig, shards, backend: str, jobs: int | None) -> list[ShardTask]:
    import os

    threads = None
    if backend == "process" and (jobs or os.cpu_count() or 1) > 1:
        threads = max(1, (os.cpu_count() or 1) // (jobs or os.cpu_count() or 1))
    return [ShardTask(config, s, threads) for s in shards]


def sample_functions(
    model: str = "7-40-40-1",
    *,
    samples: int = 100_000,
    seed: int = 0,
    init: str = "gaussian",
    sigma_w: float = 1.0,
    sigma_b: float = 1.0,
    shard_size: int = 1 << 17,
    engine: str = "numba",
    backend: str = "serial",
    jobs: int | None = None,
    address: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> FunctionTable:
    """Sample ``samples`` random models and count the Boolean functions they compute (in memory).

    The result does not depend on ``backend``, ``jobs`` or ``shard_size``; ``engine`` is
    ``numba`` (compiled CPU kernels), ``jax`` (any JAX device, a GPU included) or ``auto``
    (see the module docstring): the engines' tables are equal in distribution only.
    """
    from minimodels.parallel import run_tasks

    config = SampleConfig(model, init, sigma_w, sigma_b, int(samples), seed, shard_size, engine)
    config = config.validated()
    merger = _Merger()
    tasks = _tasks(config, range(config.n_shards), backend, jobs)
    for _, table in run_tasks(
        run_shard, tasks, backend=backend, jobs=jobs, address=address, on_progress=on_progress
    ):
        merger.add(table)
    return merger.result()


# --------------------------------------------------------------------------- runs on disk


@dataclass
class SampleRun:
    """A finished run: where it lives, its config, the merged table and its summary."""

    path: Path
    config: SampleConfig
    table: FunctionTable
    summary: dict[str, Any]
    notes: list[str] = dataclasses.field(default_factory=list)  # e.g. shards recomputed


def _config_dict(config: SampleConfig) -> dict[str, Any]:
    return dataclasses.asdict(config)


def _write_shard(path: Path, table: FunctionTable) -> None:
    from minimodels.storage import write_table

    columns = {f"w{j}": table.words[:, j] for j in range(table.words.shape[1])}
    columns["count"] = table.counts
    write_table(path, columns, metadata={"n_inputs": table.n_inputs})


def _read_shard(path: Path) -> FunctionTable:
    from minimodels.storage import read_table

    columns, metadata = read_table(path)
    n_words = len(columns) - 1
    words = np.stack([columns[f"w{j}"] for j in range(n_words)], axis=1).astype(np.uint64)
    return FunctionTable(int(metadata["n_inputs"]), words, columns["count"].astype(np.int64))


def sample_run(
    config: SampleConfig,
    out_dir: str | Path,
    *,
    resume: bool = False,
    overwrite: bool = False,
    backend: str = "process",
    jobs: int | None = None,
    address: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> SampleRun:
    """Run (or resume) a sharded sampling run into ``out_dir`` and write its tables.

    The directory follows :class:`minimodels.storage.RunDir`: a new run needs a new or empty
    directory; ``resume`` continues a run with the same config from its checksummed shards
    (damaged ones are recomputed and listed in ``notes``); ``overwrite`` replaces it.
    """
    from minimodels.parallel import check_backend, run_pending
    from minimodels.storage import RunDir

    config = config.validated()
    check_backend(backend, jobs)
    run = RunDir.open(out_dir, command="sample", config=config, resume=resume, overwrite=overwrite)
    done = run.load_shards("shard", ".parquet", _read_shard, config.n_shards)
    started = time.perf_counter()
    merger = _Merger()
    for shard in sorted(done):
        merger.add(done[shard])
    completed = [len(done)]

    def finished(shard: int, table: FunctionTable) -> None:
        try:
            run.save_shard("shard", shard, ".parquet", lambda tmp: _write_shard(tmp, table))
        except OSError as error:
            full = error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
            reason = "the disk is full or a file-size limit was reached" if full else error.strerror
            raise StorageError(
                error.errno,
                f"could not write shard {shard} in {str(run.path)!r} ({reason}); the "
                f"{completed[0]} completed shards are kept: free space and rerun with --resume",
            ) from None
        merger.add(table)
        completed[0] += 1

    run_pending(
        run_shard, _tasks(config, range(config.n_shards), backend, jobs), done=done.keys(),
        on_result=finished, on_progress=on_progress, backend=backend, jobs=jobs, address=address,
    )  # fmt: skip
    table = merger.result()
    seconds = time.perf_counter() - started
    summary = write_functions(run, config, table, seconds=seconds, n_resumed=len(done))
    return SampleRun(run.path, config, table, summary, run.notes)


def function_chunks(table: FunctionTable, *, chunk: int = 1 << 20):
    """The public columns, most frequent function first (ties: by truth table), in chunks.

    Yields dicts of pyarrow/numpy columns of at most ``chunk`` rows, so that a table of tens
    of millions of functions is written without ever holding all its strings in memory.
    """
    import pyarrow as pa

    from minimodels import complexity

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
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    from minimodels.storage import atomic_path, to_jsonable

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
    import json

    import pyarrow.parquet as pq

    from minimodels.sampling.tables import from_words

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

    from minimodels.sampling.tables import pack_truth_tables

    if not (pa.types.is_string(strings.type) or pa.types.is_large_string(strings.type)):
        strings = strings.cast(pa.large_string())
    n = len(strings)
    wide = pa.types.is_large_string(strings.type)
    offsets = np.frombuffer(strings.buffers()[1], np.int64 if wide else np.int32)
    offsets = offsets[strings.offset :][: n + 1]
    text = np.frombuffer(strings.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    size = int(offsets[-1] - offsets[0]) // n
    return pack_truth_tables((text - np.uint8(ord("0"))).reshape(n, size)), size
