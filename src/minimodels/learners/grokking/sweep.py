"""Phase diagrams: when does a model memorise, when does it generalise, across two config axes.

Data model.  A :class:`SweepConfig` names a base :class:`GrokConfig`, two of its fields as axes
(default: train fraction across, weight decay up) with the values to try, and a number of seeds.
Every cell is a task for :func:`minimodels.runtime.parallel.run_tasks` (serial, process pool or Ray;
same results on each); inside a cell the seeds are trained at once, vmapped
(:func:`~minimodels.learners.grokking.runs.train_many`), which agrees with separate runs up to
floating-point reassociation.  Seeds come from ``np.random.SeedSequence(seed).spawn(n_seeds)``
and are the same in every cell, so cells differ only in the swept values.

A :class:`PhaseDiagram` holds, per cell and seed, the first logged step at which train accuracy
reached 0.99 (*memorised*) and at which test accuracy did (*generalised*); NaN means "not within
the step budget".  Cells stop as soon as every seed has generalised (``stop_after = 0``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.progress import ProgressCallback
from minimodels.learners.grokking.config import AXES as AXES, SweepConfig
from minimodels.learners.grokking.runs import GrokConfig, train, train_many
from minimodels.runtime.parallel import run_pending

__all__ = ["AXES", "PhaseDiagram", "SweepConfig", "run_cells", "sweep"]


def run_cells(configs: list[GrokConfig]) -> list[dict[str, Any]]:
    """Train a group of runs at once (vmapped); returns each run's summary.

    A single run goes through :func:`train` (padded), whose compiled code every cell shares.
    """
    if len(configs) == 1:
        return [train(configs[0], padded=True).summary]
    return [result["summary"] for result in train_many(configs)]


@dataclass
class PhaseDiagram(Drawable):
    """Steps to memorise / generalise per cell and seed: arrays ``(n_y, n_x, n_seeds)``."""

    config: SweepConfig
    steps_memorised: np.ndarray  # float, NaN = not within budget
    steps_generalised: np.ndarray
    test_accuracy: np.ndarray  # final
    budget: int

    def median_generalised(self) -> np.ndarray:
        """Median over seeds of the steps to generalise; NaN where any seed did not."""
        return np.median(self.steps_generalised, axis=-1)

    def rows(self) -> list[dict[str, Any]]:
        c = self.config
        out = []
        for iy, y in enumerate(c.y_values):
            for ix, x in enumerate(c.x_values):
                for i_seed, seed in enumerate(c.seeds()):
                    out.append(
                        {
                            c.y_axis: y,
                            c.x_axis: x,
                            "seed": seed,
                            "steps_memorised": _maybe_int(self.steps_memorised[iy, ix, i_seed]),
                            "steps_generalised": _maybe_int(self.steps_generalised[iy, ix, i_seed]),
                            "test_accuracy": float(self.test_accuracy[iy, ix, i_seed]),
                        }
                    )
        return out


def _maybe_int(value: float) -> int | None:
    return None if np.isnan(value) else int(value)


def sweep(
    config: SweepConfig,
    *,
    backend: str = "serial",
    jobs: int | None = None,
    address: str | None = None,
    on_progress: ProgressCallback | None = None,
    done: dict[int, list[dict[str, Any]]] | None = None,
    on_result: Callable[[int, list[dict[str, Any]]], None] | None = None,
) -> PhaseDiagram:
    """Run every cell of the grid (see the module docstring) and collect the phase diagram.

    ``done`` holds cells already computed (``{cell index: its seeds' summaries}``, e.g. from a
    killed run's shards); only the others run, and ``on_result(cell, summaries)`` sees each.
    """
    cells = config.cells()
    seeds = config.seeds()
    n_x, n_seeds = len(config.x_values), len(seeds)
    shape = (len(config.y_values), n_x, n_seeds)
    memorised, generalised, accuracy = (np.full(shape, np.nan) for _ in range(3))
    runs = [dataclasses.replace(cell, seed=s) for cell in cells for s in seeds]  # cell-major
    # one cell per task, its seeds vmapped (batching whole rows was slower on a CPU: XLA's
    # batched gathers and matmuls cost more than the per-step overhead they save)
    per_task = n_seeds
    tasks = [runs[i : i + per_task] for i in range(0, len(runs), per_task)]
    results = dict(done or {})

    def finished(index: int, summaries: list[dict[str, Any]]) -> None:
        results[index] = summaries
        if on_result is not None:
            on_result(index, summaries)

    run_pending(
        run_cells, tasks, done=results.keys(), on_result=finished, backend=backend, jobs=jobs,
        address=address, on_progress=on_progress,
    )  # fmt: skip
    for index, summaries in sorted(results.items()):
        for offset, summary in enumerate(summaries):
            run_index = index * per_task + offset
            cell, i_seed = divmod(run_index, n_seeds)
            iy, ix = divmod(cell, n_x)
            for target, key in ((memorised, "step_memorised"), (generalised, "step_generalised")):
                if summary[key] is not None:
                    target[iy, ix, i_seed] = summary[key]
            accuracy[iy, ix, i_seed] = summary["test_accuracy"]
    return PhaseDiagram(config, memorised, generalised, accuracy, config.base.steps)
