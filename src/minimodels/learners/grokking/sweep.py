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
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback
from minimodels.base.resources import check_memory, check_time, plural
from minimodels.learners.grokking.runs import GrokConfig, fast_macs, run_cost, train, train_many
from minimodels.runtime.parallel import run_pending

__all__ = ["AXES", "PhaseDiagram", "SweepConfig", "run_cells", "sweep"]

AXES = ("wd", "frac", "l1", "loss", "init_scale", "lr", "width", "p", "activation")


def _default_base() -> GrokConfig:
    return GrokConfig(p=31, width=128, steps=1500, log_every=25, stop_after=0)


@dataclass(frozen=True)
class SweepConfig:
    """A grid over two fields of ``base``; defaults: a 4 × 4 MLP diagram in about a minute."""

    base: GrokConfig = field(default_factory=_default_base)
    x_axis: str = "frac"
    x_values: tuple[Any, ...] = (0.2, 0.35, 0.5, 0.7)
    y_axis: str = "wd"
    y_values: tuple[Any, ...] = (0.0, 0.3, 1.0, 3.0)
    n_seeds: int = 1
    seed: int = 0

    def cells(self) -> list[GrokConfig]:
        """The cell configs in row-major order (y outer, x inner)."""
        for axis in (self.x_axis, self.y_axis):
            if axis not in AXES:
                raise UsageError(
                    f"unknown sweep axis {axis!r}; choose one of {', '.join(AXES)}",
                    option="x_axis" if axis == self.x_axis else "y_axis",
                )
        if self.x_axis == self.y_axis:
            raise UsageError(f"the two sweep axes must differ, both are {self.x_axis!r}")
        if not self.x_values or not self.y_values:
            raise UsageError("each sweep axis needs at least one value")
        whole = isinstance(self.n_seeds, int) and not isinstance(self.n_seeds, bool)
        if not whole or self.n_seeds < 1:
            raise UsageError(f"n_seeds = {self.n_seeds!r} must be a whole number ≥ 1")
        base = dataclasses.replace(self.base, stop_after=0)
        configs = [
            dataclasses.replace(base, **{self.x_axis: x, self.y_axis: y})
            for y in self.y_values
            for x in self.x_values
        ]
        for config in configs:
            config.check()
        self._check_resources(configs)
        return configs

    def _check_resources(self, configs: list[GrokConfig]) -> None:
        """Refuse a sweep that cannot fit: a cell trains its seeds at once (padded, vmapped),
        and as many cells run at once as there are cores; every run is tallied."""
        import os

        costs = [run_cost(c, n_runs=self.n_seeds, padded=True) for c in configs]
        at_once = min(len(configs), os.cpu_count() or 1)
        peak = sum(sorted(n_bytes for n_bytes, _ in costs)[-at_once:])
        n_runs = len(configs) * self.n_seeds
        what = (
            f"a sweep of {plural(len(configs), 'cell')} × {plural(self.n_seeds, 'seed')} "
            f"of {plural(self.base.steps, 'step')}"
        )
        check_memory(
            peak + n_runs * 2048,  # and each run's seed, config and row of the diagram
            what,
            why="the cells trained at once, each with all its seeds",
            fix="lower the seeds, the values swept, p or the width",
        )
        check_time(
            sum(macs for _, macs in costs) / fast_macs(),
            what,
            fix="lower the seeds, the values swept or the steps",
        )

    def seeds(self) -> tuple[int, ...]:
        children = np.random.SeedSequence(self.seed).spawn(self.n_seeds)
        return tuple(int(child.generate_state(1)[0]) for child in children)


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
