import numpy as np
import pytest

from minimodels.learners.mutation import accepts, mutation_walk


def _flip_one(bits, rng):
    i = int(rng.integers(len(bits)))
    new = bits.copy()
    new[i] ^= 1
    return new, i


def test_walk_reaches_the_target_and_its_loss_trace_never_increases():
    target = np.array([1, 0, 1, 1, 0, 0, 1, 0])
    walk = mutation_walk(
        np.zeros(8, dtype=int),
        loss=lambda b: int((b != target).sum()),
        propose=_flip_one,
        steps=500,
        rng=np.random.default_rng(0),
    )
    assert walk.losses[-1] == 0 and np.array_equal(walk.state, target)
    assert np.all(np.diff(walk.losses) <= 0)
    assert walk.initial_loss == 4
    # every kept mutation is recorded with the loss it led to, in step order
    assert [k.loss for k in walk.kept] == [walk.losses[k.step] for k in walk.kept]


def test_strict_acceptance_never_keeps_a_neutral_change():
    walk = mutation_walk(
        np.zeros(4, dtype=int),
        loss=lambda b: 1.0,
        propose=_flip_one,
        steps=50,
        rng=np.random.default_rng(1),
        accept="<",
        stop_at=None,
    )
    assert walk.kept == () and len(walk.losses) == 50
    assert accepts(1.0, 1.0, "<=") and not accepts(1.0, 1.0, "<")


def test_same_seed_same_walk():
    def run():
        return mutation_walk(
            np.zeros(6, dtype=int),
            loss=lambda b: -int(b.sum()) % 3,
            propose=_flip_one,
            steps=40,
            rng=np.random.default_rng(9),
            stop_at=None,
        )

    a, b = run(), run()
    assert np.array_equal(a.losses, b.losses) and a.kept == b.kept


def test_unknown_acceptance_rule_is_refused():
    with pytest.raises(ValueError, match="accept must be"):
        mutation_walk(
            0,
            loss=float,
            propose=lambda s, r: (s, None),
            steps=1,
            rng=np.random.default_rng(0),
            accept=">",
        )
