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

Here: the shard tasks (:class:`ShardTask`, :func:`run_shard`), the merger, the shard files and
:func:`sample_functions` / :func:`sample_run`.  The config and its checks live in
:mod:`.config`, the public table's columns, ``functions.parquet``, ``summary.json`` and
:func:`load_run` in :mod:`.files`; their names stay importable from here.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from minimodels.analysis.sampling import substrates
from minimodels.analysis.sampling.config import (
    ENGINES as ENGINES,
    FAST_MACS as FAST_MACS,
    FLOOR_MACS as FLOOR_MACS,
    MAX_SAMPLES as MAX_SAMPLES,
    SampleConfig as SampleConfig,
    _whole as _whole,
    check_size as check_size,
    resolve_engine as resolve_engine,
)
from minimodels.analysis.sampling.files import (
    READ_BATCH as READ_BATCH,
    _config_dict as _config_dict,
    _packed_batch as _packed_batch,
    function_chunks as function_chunks,
    function_columns as function_columns,
    load_run as load_run,
    summarise as summarise,
    write_functions as write_functions,
)
from minimodels.analysis.sampling.models import MLPSpec, parse_model
from minimodels.analysis.sampling.tables import FunctionTable, count_functions, merge_tables
from minimodels.base.errors import StorageError
from minimodels.base.progress import ProgressCallback
from minimodels.runtime.parallel import check_backend, run_pending, run_tasks
from minimodels.runtime.storage import RunDir, read_table, write_table

__all__ = ["SampleConfig", "SampleRun", "load_run", "sample_functions", "sample_run"]


@dataclass(frozen=True)
class ShardTask:
    config: SampleConfig
    shard: int
    threads: int | None = None  # numba threads in a worker process (None: leave as is)


def run_shard(task: ShardTask) -> FunctionTable:
    """The function table of one shard (a pure function of the task: picklable, any backend)."""
    from minimodels.analysis.sampling.streams import run_key

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
        from minimodels.analysis.sampling import jax_engine

        words = jax_engine.truth_tables(
            spec, key, first, n, init=config.init, sigma_w=config.sigma_w, sigma_b=config.sigma_b
        )
    elif isinstance(spec, MLPSpec):
        from minimodels.analysis.sampling import mlp

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


def _write_shard(path: Path, table: FunctionTable) -> None:
    columns = {f"w{j}": table.words[:, j] for j in range(table.words.shape[1])}
    columns["count"] = table.counts
    write_table(path, columns, metadata={"n_inputs": table.n_inputs})


def _read_shard(path: Path) -> FunctionTable:
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

    The directory follows :class:`minimodels.runtime.storage.RunDir`: a new run needs a new or empty
    directory; ``resume`` continues a run with the same config from its checksummed shards
    (damaged ones are recomputed and listed in ``notes``); ``overwrite`` replaces it.
    """
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
