import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minimodels as mm
from minimodels.analysis import multiway


@pytest.fixture(scope="module")
def bump4():
    return multiway.multiway(mm.tasks.bump(4), depth=3, rules=(4, 146))


@given(seed=st.integers(0, 2**16), brick=st.booleans(), zero=st.booleans())
@settings(max_examples=20)
def test_enumerated_losses_equal_the_engine(seed, brick, zero):
    rng = np.random.default_rng(seed)
    rules = (6, 8) if brick else (4, 146)
    task = mm.tasks.bump(4)
    boundary = "zero" if zero else "cyclic"
    losses = multiway.enumerate_losses(
        task, depth=3, rules=rules, r=0.5 if brick else 1, boundary=boundary
    )
    mw = multiway.Multiway(task, 3, rules, 0.5 if brick else 1, boundary, "<=", losses)
    for array_id in rng.integers(0, len(losses), 10):
        array = mw.array(int(array_id))
        assert task.loss(array) == losses[array_id]
        assert multiway.array_id(array, rules) == array_id


def test_edges_are_exactly_the_kept_single_mutations(bump4):
    graph = bump4.graph
    for node in [0, 17, 1234, 4095]:
        expected = set()
        for other in range(bump4.n_arrays):
            differs = np.count_nonzero(
                np.asarray(bump4.array(node).rules) != np.asarray(bump4.array(other).rules)
            )
            if differs == 1 and bump4.losses[other] <= bump4.losses[node]:
                expected.add(other)
        assert set(graph.successors(node)) == expected


def test_every_evolution_run_walks_along_the_graph(bump4):
    for seed in range(10):
        run = mm.evolve(bump4.task, depth=3, steps=300, seed=seed, stop_at=None)
        assert multiway.walk_follows_edges(bump4, run)
        # the graph's loss of the array the run ended on is the run's final loss
        assert bump4.losses[multiway.array_id(run.array, (4, 146))] == run.final_loss


def test_reachability_and_path_lengths_are_consistent(bump4):
    summary = bump4.summary()  # the counts themselves: test_middle_evolution.py, by brute force
    distance = bump4.distance_to_zero
    zero = np.flatnonzero(bump4.losses == 0)
    for start in [5, 100, 2000]:
        if distance[start] >= 0:
            lengths = nx.single_source_shortest_path_length(bump4.graph, start)
            assert distance[start] == min(lengths[z] for z in zero if z in lengths)
        else:  # no zero-loss array is reachable from it
            reachable = nx.descendants(bump4.graph, start)
            assert not any(z in reachable for z in zero)
    histogram = summary["shortest_path_histogram"]
    reaching = round(summary["arrays"] * summary["fraction_of_starts_reaching_zero"])
    assert histogram[0] == 0 and sum(histogram) == reaching - summary["zero_loss_arrays"]


def test_graphml_export_round_trips(bump4, tmp_path):
    small = multiway.multiway(mm.tasks.bump(3), depth=2)
    small.write_graphml(tmp_path / "g.graphml")
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert back.number_of_nodes() == small.n_arrays == 64
    assert back.number_of_edges() == small.graph.number_of_edges()


def test_too_many_arrays_is_refused():
    with pytest.raises(ValueError, match="too many"):
        multiway.multiway(mm.tasks.bump(8), depth=4)


def test_multiway_cli_exports_graphml_and_refuses_huge_arrays(tmp_path):
    from conftest import run_cli

    done = run_cli("multiway", "--width", "3", "--depth", "2", "--runs", "2",
                   "--out", str(tmp_path / "mw"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert nx.read_graphml(tmp_path / "mw" / "graph.graphml").number_of_nodes() == 64
    failed = run_cli("multiway", "--width", "9", "--depth", "4", "--out", str(tmp_path / "x"))
    assert failed.returncode == 2 and "too big" in failed.stderr and "--width" in failed.stderr
    for bad in (["--steps", "-1"], ["--runs", "-1"], ["--boundary", "wrap"]):
        out = tmp_path / "bad"
        failed = run_cli("multiway", "--width", "3", "--depth", "2", *bad, "--out", str(out))
        assert failed.returncode == 2 and len(failed.stderr.strip().splitlines()) == 1, bad
        assert not out.exists(), bad


def test_multiway_experiment_runs_at_a_tiny_config():
    from minimodels.experiments.multiway import (
        LearnabilityConfig,
        MultiwayConfig,
        learnability_tables,
        run,
    )

    result = run(MultiwayConfig(width=3, depth=2, runs=3, steps=100))
    assert result.walks_on_edges == 3 and result.summary["arrays"] == 64
    tables = learnability_tables(
        LearnabilityConfig(brick_depths=(2, 4), sizes=((2, 4, 2),), steps=3000)
    )
    assert len(tables["and_xor"]) == 8
