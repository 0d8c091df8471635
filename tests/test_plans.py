"""Plans: shard boundaries and per-run seeds against numpy's own split and spawn."""

import numpy as np
import pytest

from minimodels.base.errors import UsageError
from minimodels.runtime.plans import block_bounds, seeded_runs


@pytest.mark.parametrize(("n", "n_blocks"), [(10, 3), (7, 7), (5, 1), (12, 4), (3, 5)])
def test_block_bounds_are_the_blocks_of_array_split(n, n_blocks):
    blocks = np.array_split(np.arange(n), n_blocks)
    assert block_bounds(n, n_blocks) == [(int(b[0]) if b.size else n, b.size) for b in blocks]


@pytest.mark.parametrize("n_shards", [1, 2, 3, 7, 50])
def test_run_i_has_the_ith_spawned_seed_whatever_the_sharding(n_shards):
    tasks = seeded_runs(("head", 1), 7, n_shards, seed=5)
    assert all(task[:2] == ("head", 1) for task in tasks)
    assert len(tasks) == min(n_shards, 7)
    states = [seed.generate_state(2).tolist() for task in tasks for seed in task[2]]
    wanted = [s.generate_state(2).tolist() for s in np.random.SeedSequence(5).spawn(7)]
    assert states == wanted


def test_no_runs_is_refused_in_one_sentence():
    with pytest.raises(UsageError, match="at least 1"):
        seeded_runs((), 0, 4, seed=0)
