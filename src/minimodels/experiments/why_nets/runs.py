"""Run the learners side by side: one runner per task, one result for all."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback
from minimodels.base.rows import columns
from minimodels.experiments.why_nets.boolean import boolean_summary, run_boolean
from minimodels.experiments.why_nets.bump import bump_summary, run_bump
from minimodels.experiments.why_nets.config import LearnersConfig
from minimodels.experiments.why_nets.tabular import run_tabular, tabular_summary

__all__ = ["LearnersResult", "compare_learners", "run"]

RUNNERS = {"bump": run_bump, "boolean": run_boolean, "tabular": run_tabular}
SUMMARIES = {"bump": bump_summary, "boolean": boolean_summary, "tabular": tabular_summary}


@dataclass(frozen=True, eq=False)
class LearnersResult(Drawable):
    config: LearnersConfig
    rows: list[dict[str, Any]]  # one per learner × setting × seed
    priors: list[dict[str, Any]] = field(default_factory=list)  # learner, function, count, k_lz
    curves: dict[str, np.ndarray] = field(default_factory=dict)  # bump: (seeds, 401) per learner
    seconds: float = 0.0

    def table(self) -> dict[str, list[Any]]:
        """``rows`` as columns (the Parquet table)."""
        return columns(self.rows)

    def summary(self) -> dict[str, Any]:
        return {
            "task": self.config.task,
            "learners": list(self.config.chosen()),
            "seconds": self.seconds,
            **SUMMARIES[self.config.task](self),
        }


def run(config: LearnersConfig, *, on_progress: ProgressCallback | None = None) -> LearnersResult:
    """Every chosen learner on ``config.task`` (see the module docstring)."""
    config = config.check()
    started = time.perf_counter()
    rows, priors, curves = RUNNERS[config.task](config, on_progress)
    return LearnersResult(config, rows, priors, curves, time.perf_counter() - started)


def compare_learners(task: str = "bump", *, quick: bool = False, **options: Any) -> LearnersResult:
    """``mm.compare_learners("boolean", learners=("mlp", "knn1"))``: :func:`run` of a
    :class:`LearnersConfig` (``quick=True`` starts from :meth:`LearnersConfig.quick`)."""
    known = {f.name for f in fields(LearnersConfig)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise UsageError(f"unknown option {unknown[0]!r}; options are {', '.join(sorted(known))}")
    for key in ("learners", "train_sizes", "flips", "named", "datasets", "transforms"):
        if isinstance(options.get(key), str):
            options[key] = (options[key],)
    config = (LearnersConfig.quick if quick else LearnersConfig.preset)(task, **options)
    return run(config)
