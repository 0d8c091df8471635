from dataclasses import replace

import numpy as np
from hypothesis import given, settings, strategies as st

import minimodels as mm
from minimodels.analysis.changemap import change_map
from minimodels.learners.evolution import light_cone


@st.composite
def arrays(draw, brick=None):
    brick = draw(st.booleans()) if brick is None else brick
    width, depth = draw(st.integers(3, 8)), draw(st.integers(1, 5))
    rules = (6, 8) if brick else (4, 146)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    boundary = draw(st.sampled_from(["cyclic", "zero"]))
    array = mm.RuleArray.random(
        depth, width, rules=rules, rng=rng, r=0.5 if brick else 1, boundary=boundary
    )
    task = mm.tasks.boolean(2, "0110", width=width) if width >= 2 else None
    return array, task


@settings(max_examples=15)
@given(arrays())
def test_brute_force_change_map_matches_a_direct_recomputation(setup):
    array, task = setup
    cm = change_map(array, task)
    base = array.run_reference(task.inputs)[:, -1, task.readout[0]]
    for row in range(array.depth):
        for col in range(array.width):
            other = [r for r in cm.rules if r != array.rules[row, col]][0]
            changed = array.with_rule(row, col, other).run_reference(task.inputs)
            flips = changed[:, -1, task.readout[0]] != base
            assert np.array_equal(cm.output_changes[:, row, col], flips)
            wrong = (changed[:, -1, task.readout[0]] != task.targets[:, 0]).sum()
            assert cm.loss_changes[row, col] == (wrong != task.loss(array))


@settings(max_examples=25)
@given(arrays(brick=True))
def test_boolean_derivative_is_exact_on_a_single_path_and_mostly_agrees(setup):
    array, task = setup
    cm = change_map(array, task)
    assert cm.derivative is not None
    # agreement: the fraction of (input, cell) pairs on which the two maps agree, counted
    pairs = [
        cm.derivative[i, row, col] == cm.output_changes[i, row, col]
        for i in range(task.n_cases)
        for row in range(array.depth)
        for col in range(array.width)
    ]
    assert cm.agreement == sum(pairs) / len(pairs)
    # The last rule row feeds the readout directly: there the pass is exact.
    assert np.array_equal(cm.derivative[:, -1], cm.output_changes[:, -1])
    # A cell outside the readout's past light cone is never marked by either method.
    outside = ~light_cone(task, array.depth, r=0.5, boundary=array.boundary)
    assert not cm.derivative[:, outside].any() and not cm.output_changes[:, outside].any()


def test_derivative_agreement_is_high_on_random_and_xor_arrays():
    rng = np.random.default_rng(0)
    task = mm.tasks.boolean(3, "majority", width=10)
    agreements = [
        change_map(mm.RuleArray.random(6, 10, rules=(6, 8), rng=rng, r="1/2"), task).agreement
        for _ in range(5)
    ]
    assert np.mean(agreements) > 0.9


def test_changemap_experiment_runs_at_a_tiny_config():
    from minimodels.experiments.changemap import ChangeMapConfig, run

    config = ChangeMapConfig(bump_width=8, bump_depth=4, and_xor_width=6, and_xor_depth=4)
    result = run(replace(config, steps=2000))
    assert result.and_xor_map.derivative is not None
    assert result.bump_map.loss_changes.shape == (4, 8)


@settings(max_examples=10)
@given(seed=st.integers(0, 2**16))
def test_guided_learner_never_worsens_and_is_stuck_only_in_a_true_local_minimum(seed):
    from minimodels.analysis.changemap import evolve_guided

    task = mm.tasks.bump(10)
    run = evolve_guided(task, depth=5, steps=2000, seed=seed)
    trace = np.concatenate([[run.initial_loss], run.losses])
    assert np.all(trace[1:] <= trace[:-1]) and task.loss(run.array) == trace[-1]
    assert run.initial == mm.evolve(task, depth=5, steps=0, seed=seed).initial
    if run.stuck:  # no single swap lowers the loss (checked directly)
        for row in range(5):
            for col in range(10):
                other = 4 if run.array.rules[row, col] == 146 else 146
                assert task.loss(run.array.with_rule(row, col, other)) >= trace[-1]
