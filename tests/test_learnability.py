import numpy as np

from minimodels.analysis import learnability
from minimodels.analysis.learnability import TWO_INPUT_NAMES


def test_and_xor_trees_reach_exactly_the_published_table():
    # Wolfram (2024), "What Can Be Learned?": the 8 functions with f(0,0) = 0 and their
    # minimum leaf counts; recomputed by brute force over explicit trees in the next test.
    counts = {TWO_INPUT_NAMES[t]: n for t, n in learnability.and_xor_leaf_counts().items()}
    assert counts == {
        "a": 1, "b": 1, "0": 2, "Xor": 2, "And": 2, "¬a∧b": 3, "a∧¬b": 3, "Or": 4,
    }  # fmt: skip


def _evaluate(tree, a, b):
    if tree == "a":
        return a
    if tree == "b":
        return b
    op, left, right = tree
    x, y = _evaluate(left, a, b), _evaluate(right, a, b)
    return x & y if op == "and" else x ^ y


def test_leaf_counts_agree_with_a_brute_force_over_explicit_trees():
    # An independent oracle: build every tree with up to 4 leaves as nested tuples.
    trees = {1: ["a", "b"]}
    for n in range(2, 5):
        trees[n] = [
            (op, left, right)
            for i in range(1, n)
            for left in trees[i]
            for right in trees[n - i]
            for op in ("and", "xor")
        ]
    best = {}
    for n in range(1, 5):
        for tree in trees[n]:
            table = "".join(str(_evaluate(tree, a, b)) for a, b in [(0, 0), (0, 1), (1, 0), (1, 1)])
            best.setdefault(table, n)
    assert best == learnability.and_xor_leaf_counts(max_leaves=4)


def test_brick_and_xor_arrays_reach_only_zero_preserving_functions():
    reached = learnability.representable(2, width=4, depth=4, rules=(6, 8), r="1/2")
    assert set(reached) == set(TWO_INPUT_NAMES)  # all 8 with f(0,0) = 0, and nothing else
    assert sum(reached.values()) == 2**16


def test_representable_counts_match_direct_evaluation():
    import minimodels as mm
    from minimodels.analysis.multiway import _digits

    reached = learnability.representable(2, width=4, depth=2, rules=(4, 146))
    task = mm.tasks.boolean(2, "0000", width=4)
    direct = {}
    for array_id in range(2**8):
        rules = np.array([4, 146])[_digits(np.array([array_id]), 8, 2)[0]].reshape(2, 4)
        bits = mm.RuleArray(rules).output(task.inputs)[:, task.readout[0]]
        key = "".join(map(str, bits))
        direct[key] = direct.get(key, 0) + 1
    assert reached == dict(sorted(direct.items(), key=lambda item: -item[1]))


def test_evolution_learns_representable_functions_and_refuses_impossible_ones():
    out = learnability.learned(
        ["0110", "0001", "1001"], width=6, depth=4, rules=(4, 146), steps=20_000, seed=0
    )
    assert out["1001"]["learned"] is False and out["1001"]["reason"] == "f(0…0) = 1"
    assert out["0110"]["learned"] and out["0001"]["learned"]


def test_search_finds_a_subset_of_the_exhaustive_answer_and_is_required_for_big_arrays(
    monkeypatch,
):
    import pytest

    from minimodels.analysis import multiway

    exhaustive = learnability.representable(2, width=4, depth=3, rules=(4, 146))
    with pytest.raises(ValueError, match="samples"):
        learnability.representable(2, width=8, depth=4, rules=(4, 146))
    monkeypatch.setattr(multiway, "MAX_ARRAYS", 16)  # force the search path on a small array
    found = learnability.representable(
        2, width=4, depth=3, rules=(4, 146), samples=300, rng=np.random.default_rng(0)
    )
    assert set(found) <= set(exhaustive) and sum(found.values()) == 300
