"""Rule arrays: exact P_B by enumerating every array; rejection and evolution against it."""

import numpy as np
import pytest

from minimodels.analysis.bayes.protocol import Split, run_plan
from minimodels.analysis.bayes.rule_arrays import (
    RuleArraySubstrate,
    enumerate_rule_arrays,
    evolve_functions,
    exact_rule_array_posterior,
    random_array_functions,
    random_array_plan,
)
from minimodels.models.rulearray import RuleArray

TINY = RuleArraySubstrate(width=5, depth=3, rules=(4, 146))  # 2^15 arrays
SPLIT = Split(3, np.array([1, 2, 4, 6]), np.array([0, 3, 5, 7]), "00010110")


def test_enumeration_lists_every_array_in_base_k_order_with_its_function():
    tables = enumerate_rule_arrays(SPLIT, TINY)
    assert tables.shape == (2**15, 8)
    task = TINY.task(SPLIT)
    rng = np.random.default_rng(0)
    for index in rng.choice(len(tables), 25, replace=False):
        digits = (index // 2 ** np.arange(14, -1, -1)) % 2
        array = RuleArray(np.array(TINY.rules)[digits].reshape(3, 5))
        np.testing.assert_array_equal(tables[index], task.answers(array)[:, 0])


def test_rejection_estimate_converges_to_the_exact_posterior():
    functions, exact = exact_rule_array_posterior(SPLIT, TINY)
    assert exact.sum() == pytest.approx(1.0)
    estimate = random_array_functions(SPLIT, TINY, n_samples=200_000, seed=1)
    # no function outside the exact support, and every probability within 4.5 standard errors
    assert set(estimate.functions) <= set(functions)
    p_hat = dict(zip(estimate.functions, estimate.probabilities, strict=True))
    for f, p in zip(functions, exact, strict=True):
        error = np.sqrt(p * (1 - p) / estimate.n_kept)
        assert abs(p_hat.get(f, 0.0) - p) <= 4.5 * error + 1e-12
    assert estimate.acceptance == pytest.approx(
        np.mean((enumerate_rule_arrays(SPLIT, TINY)[:, SPLIT.train] == SPLIT.train_labels).all(1)),
        abs=0.005,
    )


def test_evolved_arrays_fit_the_training_set_so_their_functions_lie_in_the_posterior_support():
    functions, _ = exact_rule_array_posterior(SPLIT, TINY)
    evolved = evolve_functions(SPLIT, TINY, n_runs=40, steps=2000, seed=3)
    assert evolved.n_kept > 0
    assert set(evolved.functions) <= set(functions)


def test_evolution_tally_does_not_depend_on_sharding():
    one = evolve_functions(SPLIT, TINY, n_runs=12, steps=500, seed=5, n_shards=1)
    three = evolve_functions(SPLIT, TINY, n_runs=12, steps=500, seed=5, n_shards=3)
    np.testing.assert_array_equal(one.functions, three.functions)
    np.testing.assert_array_equal(one.counts, three.counts)
    assert (one.n_attempts, one.n_kept) == (three.n_attempts, three.n_kept)


def test_too_many_arrays_to_enumerate_is_refused():
    with pytest.raises(ValueError, match="too many"):
        enumerate_rule_arrays(SPLIT, RuleArraySubstrate(width=5, depth=5))


def test_a_resumed_plan_ends_with_exactly_the_uninterrupted_tally():
    plan = random_array_plan(SPLIT, TINY, n_samples=20_000, seed=7, n_shards=4)
    finished: dict = {}
    whole = run_plan(plan, on_result=finished.__setitem__)
    partial = {i: finished[i] for i in (0, 2)}  # as if killed after two shards
    resumed_calls = []
    resumed = run_plan(plan, done=partial, on_result=lambda i, r: resumed_calls.append(i))
    assert sorted(resumed_calls) == [1, 3]
    np.testing.assert_array_equal(whole.functions, resumed.functions)
    np.testing.assert_array_equal(whole.counts, resumed.counts)
    assert (whole.n_attempts, whole.n_kept) == (resumed.n_attempts, resumed.n_kept)
