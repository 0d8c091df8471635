import numpy as np
import pytest

from minimodels import parallel


def _draw(seed_sequence):
    return np.random.default_rng(seed_sequence).integers(0, 1000, size=4).tolist()


def test_results_do_not_depend_on_backend_or_worker_count():
    seeds = np.random.SeedSequence(5).spawn(6)
    serial = parallel.map_tasks(_draw, seeds, backend="serial")
    pooled = parallel.map_tasks(_draw, seeds, backend="process", jobs=2)
    assert serial == pooled
    assert len({tuple(r) for r in serial}) == 6


def test_progress_counts_every_finished_task():
    seen = []
    list(
        parallel.run_tasks(
            abs, [-1, -2, -3], backend="serial", on_progress=lambda d, t: seen.append((d, t))
        )
    )
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_unknown_backend_is_a_one_line_error():
    with pytest.raises(ValueError, match="unknown backend 'mpi'"):
        list(parallel.run_tasks(abs, [1], backend="mpi"))
