"""Wolfram's biological-evolution model (SCIENCE.md §A.8): CA rules evolved for long lifetimes.

``run(config)`` evolves ``config.runs`` rules per colour count ``k`` from the null rule
(seeds spawned from one ``SeedSequence``) and returns every run — its fitness staircase and
the breakthroughs along it — for k = 2, 3, 4 by default; :class:`BioRuns` tabulates and
summarises the final lifetimes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minimodels.base.errors import UsageError
from minimodels.base.fields import comma_list, described
from minimodels.base.progress import ProgressCallback
from minimodels.base.resources import check_memory, plural
from minimodels.experiments.evolution import runs_per_shard
from minimodels.learners import bio
from minimodels.runtime.parallel import run_pending

__all__ = ["BioConfig", "BioRuns", "check_config", "check_memory_of", "run"]


@dataclass(frozen=True)
class BioConfig:
    ks: tuple[int, ...] = described(
        (2, 3, 4), "Colours; several as 2,3,4.", text=comma_list(int, "k"), flag="k"
    )
    steps: int = described(10_000, "Attempted mutations per run.", minimum=0)
    cutoff: int = described(200, "Alive at this step counts as infinite.")
    runs: int = described(10, "Independent runs per k.")
    fitness: str = described("lifetime", "lifetime, width or aspect.")
    seed: int = described(0, "Random seed; the same seed reproduces a run bit for bit.", minimum=0)

    @classmethod
    def quick(cls) -> BioConfig:
        return cls(runs=3)

    @classmethod
    def paper(cls) -> BioConfig:
        """SCIENCE.md §A.8's calibration at scale: 100 runs per k of 10^4 attempts."""
        return cls(runs=100)


@dataclass(frozen=True, eq=False)
class BioRuns:
    config: BioConfig
    results: dict[int, list[bio.BioEvolution]] = field(repr=False)

    def final_lifetimes(self, k: int) -> list[int]:
        return [r.final_lifetime for r in self.results[k]]

    def table(self) -> dict[str, Any]:
        rows = [(k, i, r) for k, runs in self.results.items() for i, r in enumerate(runs)]
        return {
            "k": np.array([k for k, _, _ in rows]),
            "run": np.array([i for _, i, _ in rows]),
            "final_lifetime": np.array([r.final_lifetime for _, _, r in rows]),
            "final_width": np.array([int(r.widths[-1]) if r.n_steps else 1 for _, _, r in rows]),
            "n_kept": np.array([len(r.kept) for _, _, r in rows]),
            "n_breakthroughs": np.array([len(r.breakthroughs) for _, _, r in rows]),
            "rule": [str(r.rule) for _, _, r in rows],
        }

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k in self.results:
            lives = self.final_lifetimes(k)
            out[f"median_lifetime_k{k}"] = float(np.median(lives))
            out[f"lifetime_range_k{k}"] = [int(min(lives)), int(max(lives))]
        return out


def _one(args: tuple[int, BioConfig, np.random.SeedSequence]) -> bio.BioEvolution:
    k, config, seed = args
    return bio.evolve(
        k=k, steps=config.steps, cutoff=config.cutoff, seed=seed, fitness=config.fitness
    )


def check_config(config: BioConfig) -> None:
    """Refuse, with one sentence, a config that :func:`run` cannot run as asked."""
    if not config.ks:
        raise UsageError("give at least one number of colours k, e.g. 2,3,4", option="k")
    if len(set(config.ks)) != len(config.ks):
        raise UsageError(f"the numbers of colours {list(config.ks)} repeat a value", option="k")
    for k in config.ks:
        bio.check_colours_and_cutoff(k, config.cutoff)
    if config.fitness not in bio.FITNESSES:
        raise UsageError(
            f"fitness must be one of {', '.join(bio.FITNESSES)}, got {config.fitness!r}",
            option="fitness",
        )
    if isinstance(config.steps, bool) or not isinstance(config.steps, int) or config.steps < 0:
        raise UsageError(f"steps must be a whole number ≥ 0, got {config.steps!r}")
    if isinstance(config.runs, bool) or not isinstance(config.runs, int) or config.runs < 1:
        raise UsageError(f"runs must be a whole number ≥ 1, got {config.runs!r}")
    check_memory_of(config)


def check_memory_of(config: BioConfig) -> None:
    """Refuse (one sentence) runs whose traces cannot fit in memory: every finished run is
    held until the end, each worker holds one running run, and each k's pictures hold up
    to ten phenotypes of ``cutoff`` rows."""
    import os

    n_runs = len(config.ks) * config.runs
    workers = min(n_runs, os.cpu_count() or 1)
    total = (
        n_runs * (bio.HELD_BYTES * config.steps + 1024)
        + workers * bio.run_bytes(config.steps)
        + 10 * bio.phenotype_bytes(config.cutoff)
    )
    check_memory(
        total,
        f"evolving {plural(n_runs, 'rule')} for {plural(config.steps, 'step')} with cutoff "
        f"{config.cutoff}",
        why="every run's lifetime trace and kept mutations, and the phenotypes drawn",
        fix="lower the runs, the steps or the cutoff",
    )


def n_shards(config: BioConfig) -> int:
    """How many shards the runs of ``config`` are cut into (k-major, fixed by the config)."""
    total = len(config.ks) * config.runs
    return -(-total // runs_per_shard(total))


def _run_chunk(work: list[tuple[int, BioConfig, np.random.SeedSequence]]):
    return [_one(args) for args in work]


def run(
    config: BioConfig,
    *,
    backend: str = "serial",
    jobs: int | None = None,
    on_progress: ProgressCallback | None = None,
    done: dict[int, list[bio.BioEvolution]] | None = None,
    on_result: Callable[[int, list[bio.BioEvolution]], None] | None = None,
) -> BioRuns:
    """``config.runs`` runs for each k, cut into shards like the rule-array runs
    (:func:`~minimodels.experiments.evolution.run`: ``done`` and ``on_result`` likewise)."""
    check_config(config)
    streams = np.random.SeedSequence(config.seed).spawn(len(config.ks))
    work = [
        (k, config, seed)
        for k, stream in zip(config.ks, streams, strict=True)
        for seed in stream.spawn(config.runs)
    ]
    size = runs_per_shard(len(work))
    chunks = [work[i : i + size] for i in range(0, len(work), size)]
    results = dict(done or {})

    def finished(index: int, chunk: list[bio.BioEvolution]) -> None:
        results[index] = chunk
        if on_result is not None:
            on_result(index, chunk)

    run_pending(
        _run_chunk, chunks, done=results.keys(), on_result=finished, on_progress=on_progress,
        backend=backend, jobs=jobs,
    )  # fmt: skip
    flat = [r for i in range(len(chunks)) for r in results[i]]
    by_k = {k: flat[i * config.runs : (i + 1) * config.runs] for i, k in enumerate(config.ks)}
    return BioRuns(config, by_k)
