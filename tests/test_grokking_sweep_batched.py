"""Phase diagrams batched over cells: the same per-run results as cell by cell and as single
runs, a fall-back when an axis changes the compiled code, resume from partial shards."""

import dataclasses

import jax
import numpy as np
import pytest

import minimodels.learners.grokking.sweep as sweep_module
from minimodels.base import resources
from minimodels.learners.grokking import GrokConfig, train
from minimodels.learners.grokking.sweep import SweepConfig, sweep

# 2 × 2 cells that memorise and generalise at different steps within the budget (and one that
# does not generalise), so runs in one batch stop at different times
BASE = GrokConfig(p=13, width=96, lr=1e-2, steps=600, log_every=20)
GRID = SweepConfig(base=BASE, x_values=(0.7, 0.85), y_values=(0.3, 1.0))
KEYS = ("step_memorised", "step_generalised", "steps_run")


def record_tasks(monkeypatch) -> list[int]:
    """Count the runs of each task that :func:`sweep` trains."""
    sizes: list[int] = []
    run_cells = sweep_module.run_cells

    def recording(configs):
        sizes.append(len(configs))
        return run_cells(configs)

    monkeypatch.setattr(sweep_module, "run_cells", recording)
    return sizes


def per_cell(diagram):
    return {
        (row["wd"], row["frac"], row["seed"]): (row["steps_memorised"], row["steps_generalised"])
        for row in diagram.rows()
    }


def test_cells_batched_give_the_steps_of_cell_by_cell_and_of_single_runs(monkeypatch):
    sizes = record_tasks(monkeypatch)
    alone = sweep(dataclasses.replace(GRID, cells_per_task=1))
    assert sizes == [1, 1, 1, 1]
    batched = sweep(dataclasses.replace(GRID, cells_per_task=4))
    assert sizes[4:] == [4]
    assert per_cell(batched) == per_cell(alone)
    steps = batched.steps_generalised[np.isfinite(batched.steps_generalised)]
    assert len(set(steps.tolist())) >= 2  # the batch's runs stopped at different steps
    assert np.isnan(batched.steps_generalised).any()  # and one ran the whole budget
    # each run's summary is frozen at its own stop: the final accuracy is its single run's
    (seed,) = GRID.seeds()
    for row in batched.rows():
        single = train(dataclasses.replace(BASE, frac=row["frac"], wd=row["wd"], seed=seed,
                                           stop_after=0))  # fmt: skip
        s = single.summary
        assert (row["steps_memorised"], row["steps_generalised"]) == (
            s["step_memorised"],
            s["step_generalised"],
        )
        assert row["test_accuracy"] == pytest.approx(s["test_accuracy"], abs=1.5 / 34)


def test_train_many_freezes_each_run_at_its_own_stop():
    from minimodels.learners.grokking import train_many

    (seed,) = GRID.seeds()
    configs = [dataclasses.replace(cell, seed=seed) for cell in GRID.cells()]
    together = train_many(configs)
    for config, result in zip(configs, together, strict=True):
        single = train(config, padded=True)
        assert {k: result["summary"][k] for k in KEYS} == {k: single.summary[k] for k in KEYS}
        np.testing.assert_array_equal(result["log"]["step"], single.log["step"])
        np.testing.assert_allclose(
            result["log"]["train_loss"], single.log["train_loss"], rtol=1e-3, atol=1e-4
        )


def test_an_axis_that_changes_the_compiled_code_falls_back_to_one_cell_per_task(monkeypatch):
    config = SweepConfig(
        base=dataclasses.replace(BASE, steps=40),
        x_axis="width",
        x_values=(16, 24),
        y_values=(0.0, 1.0),
        cells_per_task=4,
    )
    assert config.task_size(config.cells()) == 1
    sizes = record_tasks(monkeypatch)
    diagram = sweep(config)
    assert sizes == [1, 1, 1, 1]
    assert diagram.steps_memorised.shape == (2, 2, 1)


def test_the_automatic_task_size_is_one_on_a_cpu_and_what_fits_on_a_gpu(monkeypatch):
    from minimodels.learners.grokking.config import run_cost

    config = SweepConfig(base=BASE, x_values=(0.5, 0.6, 0.7, 0.8), y_values=(0.0, 0.5))
    cells = config.cells()
    assert len(cells) == 8 and config.task_size(cells) == 1  # this machine: JAX on the CPU
    per_cell = run_cost(cells[0], padded=True)[0]
    device = {"bytes_limit": 10**12}

    class Gpu:
        def memory_stats(self):
            return device

    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")
    monkeypatch.setattr(jax, "devices", lambda *_: [Gpu()])
    assert config.task_size(cells) == 8  # all cells in one task
    device["bytes_limit"] = 2 * 3 * per_cell  # half of it holds 3 cells
    assert config.task_size(cells) == 3  # ceil(8 / 3) = 3 tasks: 3, 3, 2 cells
    device["bytes_limit"] = 2 * 5 * per_cell
    assert config.task_size(cells) == 4  # 2 tasks, split evenly
    monkeypatch.setattr(resources, "available_memory", lambda: 2 * per_cell)
    assert config.task_size(cells) == 4  # the memory size, not what is free now: a resumed
    # sweep on the same device gets the same batches
    assert dataclasses.replace(config, cells_per_task=2).task_size(cells) == 2


def test_a_batched_sweep_resumes_from_partial_shards(monkeypatch):
    config = dataclasses.replace(GRID, base=dataclasses.replace(BASE, steps=200), n_seeds=2,
                                 cells_per_task=2)  # fmt: skip
    saved: dict[int, list] = {}
    reference = sweep(config, on_result=lambda cell, summaries: saved.setdefault(cell, summaries))
    assert sorted(saved) == [0, 1, 2, 3]
    # killed after the first task's two cells and the second task's first cell were saved
    done = {cell: saved[cell] for cell in (0, 1, 2)}
    sizes = record_tasks(monkeypatch)
    reported: list[int] = []
    resumed = sweep(config, done=done, on_result=lambda cell, _: reported.append(cell))
    assert sizes == [4]  # only the second task ran again (2 cells × 2 seeds)
    assert reported == [3]  # and only its new cell was reported
    for name in ("steps_memorised", "steps_generalised", "test_accuracy"):
        np.testing.assert_array_equal(getattr(resumed, name), getattr(reference, name))
    assert resumed.rows() == reference.rows()


def test_a_bad_cells_per_task_is_refused():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="cells_per_task"):
            dataclasses.replace(GRID, cells_per_task=bad).cells()


@pytest.mark.slow
def test_batched_cells_give_the_same_diagram_on_the_process_backend():
    config = dataclasses.replace(GRID, base=dataclasses.replace(BASE, steps=100),
                                 cells_per_task=2)  # fmt: skip
    serial = sweep(config)
    pooled = sweep(config, backend="process", jobs=2)
    assert pooled.rows() == serial.rows()
