import numpy as np
import pytest
from hypothesis import given, strategies as st

import minimodels as mm
from minimodels import tasks


def test_bump_follows_the_design_defaults():
    task = mm.tasks.bump(20)
    assert task.inputs.shape == (20, 20) and np.array_equal(task.inputs, np.eye(20))
    assert task.readout == (10,)
    assert np.flatnonzero(task.targets[:, 0]).tolist() == list(range(6, 13))
    assert task.train.all() and not task.held_out.any()


@given(width=st.integers(3, 40), seed=st.integers(0, 2**16))
def test_bump_loss_counts_wrong_inputs(width, seed):
    task = tasks.bump(width)
    outputs = np.random.default_rng(seed).integers(0, 2, size=(width, width), dtype=np.uint8)
    naive = sum(
        int(outputs[x, width // 2] != (width // 3 <= x < 2 * width // 3)) for x in range(width)
    )
    assert task.loss_of_outputs(outputs) == naive


def test_boolean_truth_tables_put_x1_in_the_most_significant_bit():
    assert "".join(map(str, tasks.boolean_truth_table(2, "and"))) == "0001"
    assert "".join(map(str, tasks.boolean_truth_table(2, "or"))) == "0111"
    assert "".join(map(str, tasks.boolean_truth_table(3, "parity"))) == "01101001"
    assert "".join(map(str, tasks.boolean_truth_table(3, "majority"))) == "00010111"
    task = tasks.boolean(2, "0010", width=7)  # a AND NOT b
    assert task.inputs[2].tolist() == [0, 0, 1, 0, 0, 0, 0]  # row 2 = (x1, x2) = (1, 0)
    assert task.info["columns"] == [2, 4]


def test_random_boolean_target_needs_and_uses_rng():
    with pytest.raises(TypeError):
        tasks.boolean_truth_table(3, "random")
    a = tasks.boolean_truth_table(5, "random", rng=np.random.default_rng(3))
    b = tasks.boolean_truth_table(5, "random", rng=np.random.default_rng(3))
    assert np.array_equal(a, b) and a.shape == (32,)


def test_contradictory_or_empty_training_sets_are_refused():
    inputs = np.array([[1, 0, 1], [1, 0, 1]])
    with pytest.raises(ValueError, match="contradictory"):
        tasks.rows(inputs, np.array([[0, 0, 0], [1, 0, 0]]))
    tasks.rows(inputs, np.array([[0, 0, 0], [1, 0, 0]]), train=[0])  # fine once one is held out
    with pytest.raises(ValueError, match="empty"):
        tasks.bump(10, train=[])
    with pytest.raises(ValueError, match="outside"):
        tasks.bump(10, readout=10)


def test_impossible_target_on_the_zero_input_is_named():
    task = tasks.boolean(2, "1000", width=6)  # f(0, 0) = 1
    with pytest.raises(ValueError, match="impossible"):
        task.check_learnable((4, 146), depth=3)
    task.check_learnable((4, 147), depth=3)  # rule 147 maps 000 to 1
    with pytest.raises(ValueError, match="deep"):
        tasks.lifetime(9, 12).check_learnable((4, 146), depth=5)


def test_lifetime_loss_is_distance_to_target_and_infinite_when_immortal():
    task = tasks.lifetime(5, 2)
    assert task.loss_of_run(np.array([[0, 0, 1, 0, 0], [0, 1, 0, 1, 0], [0] * 5, [0] * 5])) == 0
    assert task.loss_of_run(np.array([[0, 0, 1, 0, 0], [0] * 5])) == 1
    assert task.loss_of_run(np.array([[0, 0, 1, 0, 0]] * 4)) == np.inf


def test_density_targets_are_the_majority_bit_on_every_column():
    task = tasks.density(9, 50, rng=np.random.default_rng(0))
    majority = (task.inputs.sum(axis=1) > 4).astype(np.uint8)
    assert np.array_equal(task.targets, np.repeat(majority[:, None], 9, axis=1))
    assert task.readout == tuple(range(9))


@given(n=st.integers(1, 40), fraction=st.floats(0.01, 1.0), seed=st.integers(0, 99))
def test_split_keeps_the_requested_share_for_training(n, fraction, seed):
    task = tasks.split(tasks.bump(max(n, 3)), fraction=fraction, rng=np.random.default_rng(seed))
    assert task.train.sum() == max(1, round(fraction * task.n_cases))
