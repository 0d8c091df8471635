"""Run one of the debate's experiments; one result type for all four."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback
from minimodels.base.rows import columns
from minimodels.experiments.debate.config import (
    DoubleDescentConfig,
    ImplicitConfig,
    LandscapeConfig,
    ScalingConfig,
)

__all__ = ["CONFIGS", "DebateResult", "run"]

CONFIGS: dict[str, type] = {
    "landscape": LandscapeConfig,
    "double-descent": DoubleDescentConfig,
    "scaling": ScalingConfig,
    "implicit": ImplicitConfig,
}


@dataclass(frozen=True, eq=False)
class DebateResult(Drawable):
    """``rows`` one per run and setting (the Parquet table, ``part`` says which experiment
    part), ``curves`` named arrays (the landscape's slices and paths), ``numbers`` the headline
    numbers (fitted laws, eigenvalues, barriers, verdicts)."""

    experiment: str
    config: Any
    rows: list[dict[str, Any]]
    curves: dict[str, np.ndarray] = field(default_factory=dict)
    numbers: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def table(self) -> dict[str, list[Any]]:
        """``rows`` as columns (a missing entry is None)."""
        return columns(self.rows)

    def summary(self) -> dict[str, Any]:
        from minimodels.experiments.debate.summaries import SUMMARIES

        return {
            "experiment": self.experiment,
            "seconds": self.seconds,
            **self.numbers,
            **SUMMARIES[self.experiment](self.rows),
        }


def run(config: Any, *, on_progress: ProgressCallback | None = None) -> DebateResult:
    """Run the experiment ``config`` describes (its type says which)."""
    names = {cls: name for name, cls in CONFIGS.items()}
    if type(config) not in names:
        raise UsageError(f"not a debate experiment config: {type(config).__name__}")
    config = config.check()
    experiment = names[type(config)]
    started = time.perf_counter()
    curves: dict[str, np.ndarray] = {}
    numbers: dict[str, Any] = {}
    if experiment == "landscape":
        from minimodels.experiments.debate.landscape import run_landscape

        rows, curves, numbers = run_landscape(config, on_progress)
    elif experiment == "double-descent":
        from minimodels.experiments.debate.double_descent import run_double_descent

        rows = run_double_descent(config, on_progress)
    elif experiment == "scaling":
        from minimodels.experiments.debate.scaling import run_scaling

        rows, laws = run_scaling(config, on_progress)
        numbers = {"power laws": laws}
    else:
        from minimodels.experiments.debate.implicit import run_implicit

        rows = run_implicit(config, on_progress)
    return DebateResult(experiment, config, rows, curves, numbers, time.perf_counter() - started)
