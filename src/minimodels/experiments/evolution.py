"""Rule arrays learning by mutation (SCIENCE.md §A.3–A.4): many independent runs of the bump task.

``run(config)`` evolves ``config.runs`` arrays from seeds spawned off one ``SeedSequence``
(so results do not depend on the backend or the number of workers) and returns a
:class:`ManyRuns`: the per-run table (attempts to zero loss, final loss, kept mutations,
held-out accuracy), summary statistics, and the accuracy of the majority vote of all final
arrays on the held-out inputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minimodels import tasks
from minimodels.base.errors import UsageError
from minimodels.base.fields import Text, comma_list, described
from minimodels.base.progress import ProgressCallback
from minimodels.base.resources import check_memory, plural
from minimodels.learners.evolution import Evolution, check_arguments, evolve, run_bytes
from minimodels.runtime.parallel import run_pending
from minimodels.tasks import Task, bump, split

__all__ = [
    "EvolutionConfig",
    "ManyRuns",
    "check_config",
    "check_memory_of",
    "ensemble_accuracy",
    "make_task",
    "run",
]


def _parse_stop_at(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"--stop-at must be a number, got {text!r}", option="stop_at") from None
    return None if value < 0 else value


# how the command line spells the two fields that are not a plain number or string
RULES = comma_list(int, "rules", noun="rule numbers")
parse_rules = RULES.parse  # '4,146' → (4, 146), one sentence for anything else
STOP_AT = Text(_parse_stop_at, lambda stop_at: "-1" if stop_at is None else f"{stop_at:g}")


@dataclass(frozen=True)
class EvolutionConfig:
    """Many adaptive-evolution runs of one task (defaults: SCIENCE.md §A.4's bump)."""

    task: str = described("bump", "bump, boolean, lifetime or density.")
    width: int = described(20, "Array width (cells per row).")
    depth: int = described(10, "Array depth (rows of rules).")
    n_bits: int = described(3, "Boolean task: number of input bits.")
    target: str = described(
        "majority", "Boolean task: parity, majority, and, or, random or a table."
    )
    lifetime: int = described(10, "Lifetime task: the wanted lifetime.")
    n_rows: int = described(64, "Density task: number of random rows.")
    rules: tuple[int, ...] = described((4, 146), "Allowed rules, comma-separated.", text=RULES)
    r: str = described("1", "Range: 1, or 1/2 for the brick layout.")
    boundary: str = described("cyclic", "cyclic or zero.")
    steps: int = described(20_000, "Attempted mutations per run (budget).", minimum=0)
    runs: int = described(100, "Independent runs (seeds spawned from --seed).")
    accept: str = described("<=", "Keep a mutation when loss is <= or < .")
    stop_at: float | None = described(
        0, "Stop once the loss is at most this; negative: never stop.", text=STOP_AT
    )
    mutations_per_step: int = described(1, "Cells mutated per step.")
    train_fraction: float = described(
        1.0, "Train on this random share of the inputs; hold out the rest."
    )
    seed: int = described(0, "Random seed; the same seed reproduces a run bit for bit.", minimum=0)

    @classmethod
    def quick(cls) -> EvolutionConfig:
        return cls(runs=30)

    @classmethod
    def paper(cls) -> EvolutionConfig:
        """SCIENCE.md §A.4's calibration: 100 runs of the 20 × 10 bump, 2×10^4 attempts."""
        return cls(runs=100, steps=20_000)


TASKS = ("bump", "boolean", "lifetime", "density")


def make_task(config: EvolutionConfig) -> Task:
    """The configured task, with a train subset drawn from its own stream when asked."""
    task_rng = np.random.default_rng(np.random.SeedSequence([config.seed, 2]))
    if config.task == "bump":
        task = bump(config.width)
    elif config.task == "boolean":
        task = tasks.boolean(config.n_bits, config.target, width=config.width, rng=task_rng)
    elif config.task == "lifetime":
        task = tasks.lifetime(config.width, config.lifetime)
    elif config.task == "density":
        task = tasks.density(config.width, config.n_rows, rng=task_rng)
    else:
        raise UsageError(
            f"unknown task {config.task!r}; choose one of {', '.join(TASKS)}", option="task"
        )
    if not 0.0 < config.train_fraction <= 1.0:
        raise UsageError(
            f"train fraction must be in (0, 1], got {config.train_fraction}",
            option="train_fraction",
        )
    if config.train_fraction < 1.0:
        rng = np.random.default_rng(np.random.SeedSequence([config.seed, 1]))
        task = split(task, fraction=config.train_fraction, rng=rng)
    return task


def _n_cases(config: EvolutionConfig) -> int | None:
    """How many inputs the configured task has (None where a later check refuses it)."""
    if config.task == "bump":
        return config.width
    if config.task == "boolean":
        return 2**config.n_bits if _whole(config.n_bits) and 1 <= config.n_bits <= 16 else None
    if config.task == "density":
        return config.n_rows if _whole(config.n_rows) else None
    return 1 if config.task == "lifetime" else None


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_memory_of(config: EvolutionConfig) -> None:
    """Refuse (one sentence) runs whose task, traces and kept mutations cannot fit in memory.

    Every run's result (its loss trace and kept mutations) is held until the end, and each
    worker holds one running run at its peak (:func:`minimodels.learners.evolution.run_bytes`).
    """
    import os

    n_cases = _n_cases(config)
    sizes = (config.width, config.depth, config.steps, config.mutations_per_step, config.runs)
    if n_cases is None or not all(_whole(v) and v >= 0 for v in sizes):
        return  # check_arguments names the bad value
    peak, held = run_bytes(
        width=config.width, n_cases=n_cases, depth=config.depth, steps=config.steps,
        mutations_per_step=config.mutations_per_step,
    )  # fmt: skip
    workers = min(config.runs, os.cpu_count() or 1)
    task = 8 * n_cases * config.width  # the inputs, their checks and packed copies
    total = task + config.runs * (held + 1024) + workers * peak
    inputs = {"density": "n_rows", "boolean": "n_bits"}.get(config.task)
    check_memory(
        total,
        f"evolving {plural(config.runs, 'run')} of {plural(config.steps, 'step')} on a "
        f"{config.depth} × {config.width} array",
        why="every run's loss trace and kept mutations, and the task's inputs",
        fix=f"lower the runs, the steps, the width or {inputs}"
        if inputs
        else "lower the runs, the steps or the width",
    )


def check_config(config: EvolutionConfig) -> Task:
    """The configured task, after refusing (one sentence) anything a run would trip over."""
    if isinstance(config.runs, bool) or not isinstance(config.runs, int) or config.runs < 1:
        raise UsageError(f"runs must be a whole number ≥ 1, got {config.runs!r}")
    check_memory_of(config)  # before the task (width² cells for the bump) is built
    task = make_task(config)
    check_arguments(
        task, depth=config.depth, rules=config.rules, steps=config.steps, accept=config.accept,
        stop_at=config.stop_at, r=config.r, boundary=config.boundary,
        mutations_per_step=config.mutations_per_step,
    )  # fmt: skip
    return task


def _one_run(
    args: tuple[EvolutionConfig, Task, np.random.SeedSequence],
    on_progress: ProgressCallback | None = None,
) -> Evolution:
    config, task, seed = args
    return evolve(
        task, depth=config.depth, rules=config.rules, steps=config.steps, seed=seed,
        accept=config.accept, stop_at=config.stop_at, r=config.r, boundary=config.boundary,
        mutations_per_step=config.mutations_per_step, on_progress=on_progress,
    )  # fmt: skip


def ensemble_accuracy(results: list[Evolution], *, on: str = "held_out") -> float:
    """Accuracy of the majority vote of the runs' final arrays (ties count as 1)."""
    task = results[0].task
    votes = np.mean([task.answers(r.array) for r in results], axis=0) >= 0.5  # (n, n_readout)
    right = (votes == task.targets.astype(bool)).all(axis=1)
    cases = {"held_out": task.held_out, "train": task.train, "all": np.ones_like(task.train)}[on]
    return float(right[cases].mean()) if cases.any() else float("nan")


@dataclass(frozen=True, eq=False)
class ManyRuns:
    config: EvolutionConfig
    task: Task
    results: list[Evolution] = field(repr=False)

    def table(self) -> dict[str, np.ndarray | list]:
        """One row per run (Parquet-ready columns; steps_to_zero null when unsolved,
        held_out_accuracy null when there are no held-out cases)."""
        return {
            "run": np.arange(len(self.results)),
            "steps_to_zero": [r.steps_to_zero for r in self.results],
            "final_loss": np.array([r.final_loss for r in self.results]),
            "n_steps": np.array([r.n_steps for r in self.results]),
            "n_kept": np.array([len(r.kept) for r in self.results]),
            "held_out_accuracy": [
                None if math.isnan(r.held_out_accuracy) else r.held_out_accuracy
                for r in self.results
            ],
            "final_rules": [
                ",".join(map(str, np.asarray(r.array.rules).ravel())) for r in self.results
            ],
        }

    @property
    def steps_to_zero(self) -> list[int | None]:
        return [r.steps_to_zero for r in self.results]

    def summary(self) -> dict[str, Any]:
        solved = np.array([s for s in self.steps_to_zero if s is not None], dtype=float)
        held = np.array([r.held_out_accuracy for r in self.results])
        summary = {
            "runs": len(self.results),
            "solved_fraction": solved.size / len(self.results),
            "median_steps_to_zero": float(np.median(solved)) if solved.size else None,
            "steps_to_zero_quartiles": np.percentile(solved, [25, 75]).tolist()
            if solved.size
            else None,
            "min_steps_to_zero": float(solved.min()) if solved.size else None,
            "max_steps_to_zero": float(solved.max()) if solved.size else None,
            "mean_final_loss": float(np.mean([r.final_loss for r in self.results])),
            "mean_kept": float(np.mean([len(r.kept) for r in self.results])),
        }
        if self.task.held_out.any():
            summary["mean_held_out_accuracy"] = float(np.mean(held))
            summary["ensemble_held_out_accuracy"] = ensemble_accuracy(self.results)
        return summary

    def differing_cells(self) -> float:
        """Mean fraction of cells in which two solved runs' final arrays differ."""
        solved = [np.asarray(r.array.rules) for r in self.results if r.solved]
        pairs = [(a != b).mean() for i, a in enumerate(solved) for b in solved[i + 1 :]]
        return float(np.mean(pairs)) if pairs else float("nan")


def runs_per_shard(runs: int) -> int:
    """Runs per task (and per shard file of a resumable run): fixed by the number of runs, so a
    resumed run cuts its work the same way; about 16 or more shards keep a pool busy."""
    return max(1, min(64, runs // 16))


def _run_chunk(args: tuple[EvolutionConfig, Task, list[np.random.SeedSequence]]) -> list[Evolution]:
    config, task, seeds = args
    return [_one_run((config, task, seed)) for seed in seeds]


def run(
    config: EvolutionConfig,
    *,
    backend: str = "serial",
    jobs: int | None = None,
    on_progress: ProgressCallback | None = None,
    done: dict[int, list[Evolution]] | None = None,
    on_result: Callable[[int, list[Evolution]], None] | None = None,
) -> ManyRuns:
    """Evolve ``config.runs`` independent arrays (seeds spawned from ``config.seed``).

    The runs are cut into shards of :func:`runs_per_shard` consecutive runs; ``done`` holds
    shards already computed (``{shard: its runs}``, e.g. from a killed run's files) and
    ``on_result(shard, runs)`` sees each new one.  The result does not depend on either.
    """
    task = check_config(config)
    seeds = np.random.SeedSequence(config.seed).spawn(config.runs)
    size = runs_per_shard(config.runs)
    chunks = [seeds[i : i + size] for i in range(0, config.runs, size)]
    results = dict(done or {})
    if config.runs == 1 and not results:  # one run: report progress within it (attempts)
        only = _one_run((config, task, seeds[0]), on_progress)
        if on_result is not None:
            on_result(0, [only])
        return ManyRuns(config, task, [only])

    def finished(index: int, chunk: list[Evolution]) -> None:
        results[index] = chunk
        if on_result is not None:
            on_result(index, chunk)

    run_pending(
        _run_chunk, [(config, task, chunk) for chunk in chunks], done=results.keys(),
        on_result=finished, on_progress=on_progress, backend=backend, jobs=jobs,
    )  # fmt: skip
    return ManyRuns(config, task, [r for i in range(len(chunks)) for r in results[i]])
