"""Phase diagrams: when does a model memorise, when does it generalise, across two config axes.

Data model.  A :class:`SweepConfig` names a base :class:`GrokConfig`, two of its fields as axes
(default: train fraction across, weight decay up) with the values to try, and a number of seeds.
The cells, in row-major order, are cut into tasks of ``k`` consecutive cells
(:meth:`SweepConfig.task_size`), each a task for :func:`minimodels.runtime.parallel.run_tasks`
(serial, process pool or Ray; the tasks, hence the results, are the same on each).  A task
trains all its runs (its cells × the seeds) at once, vmapped
(:func:`~minimodels.learners.grokking.runs.train_many`), which agrees with separate runs up to
floating-point reassociation.  Seeds come from ``np.random.SeedSequence(seed).spawn(n_seeds)``
and are the same in every cell, so cells differ only in the swept values.

Batching cells.  Runs that differ only in runtime numbers (train fraction, weight decay, L1,
learning rate, initialisation scale, seed) share one compiled computation, so when both axes
are such numbers a task can hold several cells: on a GPU (``cells_per_task`` unset) every cell
that fits in memory, which turns a diagram's many small steps into a few wide ones; on a CPU one
cell per task (batching whole rows was slower there: XLA's batched gathers and matmuls cost more
than the per-step overhead they save).  An axis that changes the compiled code (width, p, loss,
activation) means one cell per task.  Results stay per cell: ``done`` and ``on_result`` speak
of cells, and the task boundaries depend only on the config and the device's memory size, so a
killed sweep resumed on the same device gets the same batches (a task whose cells are all done
is skipped; one partly done runs again, and only its new cells are reported).

A :class:`PhaseDiagram` holds, per cell and seed, the first logged step at which train accuracy
reached 0.99 (*memorised*) and at which test accuracy did (*generalised*); NaN means "not within
the step budget".  Runs stop as soon as they have generalised (``stop_after = 0``); in a batch a
run that is done trains on with its mates until all are, but its log and summary (final test
accuracy included) are frozen at its own stop, so a run's results do not depend on its batch.
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
    killed run's shards); only the tasks with other cells run, and ``on_result(cell,
    summaries)`` sees each new cell.  Progress counts tasks (cells when ``cells_per_task`` is 1).
    """
    cells = config.cells()
    seeds = config.seeds()
    n_x, n_seeds = len(config.x_values), len(seeds)
    per_task = config.task_size(cells)
    blocks = [range(i, min(i + per_task, len(cells))) for i in range(0, len(cells), per_task)]
    tasks = [
        [dataclasses.replace(cells[c], seed=s) for c in block for s in seeds] for block in blocks
    ]
    results = dict(done or {})

    def finished(index: int, summaries: list[dict[str, Any]]) -> None:
        for offset, cell in enumerate(blocks[index]):
            if cell not in results:
                results[cell] = summaries[offset * n_seeds : (offset + 1) * n_seeds]
                if on_result is not None:
                    on_result(cell, results[cell])

    complete = [j for j, block in enumerate(blocks) if all(c in results for c in block)]
    run_pending(
        run_cells, tasks, done=complete, on_result=finished, backend=backend, jobs=jobs,
        address=address, on_progress=on_progress,
    )  # fmt: skip
    shape = (len(config.y_values), n_x, n_seeds)
    memorised, generalised, accuracy = (np.full(shape, np.nan) for _ in range(3))
    for cell, summaries in sorted(results.items()):
        iy, ix = divmod(cell, n_x)
        for i_seed, summary in enumerate(summaries):
            for target, key in ((memorised, "step_memorised"), (generalised, "step_generalised")):
                if summary[key] is not None:
                    target[iy, ix, i_seed] = summary[key]
            accuracy[iy, ix, i_seed] = summary["test_accuracy"]
    return PhaseDiagram(config, memorised, generalised, accuracy, config.base.steps)
