"""Steps to zero loss, the many-runs summary and the multiway summary against plain-Python
references (:mod:`reference.automata`: rule arrays evaluated cell by cell, the learner of
DESIGN.md §3 drawing the documented random stream, breadth-first search by hand)."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from reference import automata as ref

import minimodels as mm
from minimodels import tasks
from minimodels.experiments.evolution import EvolutionConfig, ManyRuns, make_task, run


@st.composite
def learners(draw):
    brick = draw(st.booleans())
    width, depth = draw(st.integers(3, 8)), draw(st.integers(1, 4))
    if draw(st.booleans()):
        task = tasks.bump(width, readout=draw(st.integers(0, width - 1)))
    else:
        table = "0" + "".join(draw(st.sampled_from("01")) for _ in range(3))
        task = tasks.boolean(2, table, width=width)
    rules = draw(st.sampled_from([(6, 8), (6, 8, 14)] if brick else [(4, 146), (4, 146, 30)]))
    options = {
        "depth": depth, "rules": rules, "r": "1/2" if brick else 1,
        "boundary": draw(st.sampled_from(["cyclic", "zero"])),
        "accept": draw(st.sampled_from(["<=", "<"])), "stop_at": draw(st.sampled_from([0, None])),
        "steps": draw(st.integers(0, 60)), "seed": draw(st.integers(0, 2**32 - 1)),
    }  # fmt: skip
    return task, options


@settings(max_examples=25)
@given(learners())
def test_steps_to_zero_and_the_trace_are_the_reference_learners(setup):
    task, options = setup
    result = mm.evolve(task, **options)
    learner = ref.Learner.of(task, brick=options["r"] != 1, cyclic=options["boundary"] == "cyclic")
    plain = ref.evolve(
        learner, depth=options["depth"], rules=options["rules"], steps=options["steps"],
        seed=options["seed"], accept=options["accept"], stop_at=options["stop_at"],
    )  # fmt: skip
    assert result.initial_loss == plain.initial_loss
    assert result.losses.tolist() == plain.losses
    assert result.steps_to_zero == plain.steps_to_zero
    assert result.final_loss == plain.final_loss and result.solved == (plain.final_loss == 0)
    assert (result.n_steps, len(result.kept)) == (len(plain.losses), plain.n_kept)
    assert np.asarray(result.array.rules).tolist() == plain.rules
    # the loss drops exactly where the reference trace drops, starting from (-1, initial)
    drops, best = [(-1, plain.initial_loss)], plain.initial_loss
    for step, loss in enumerate(plain.losses):
        if loss < best:
            drops.append((step, loss))
            best = loss
    assert result.decreases() == drops


def test_steps_to_zero_by_hand():
    # inputs on columns 1 and 3 of a 5-wide row, readout column 2; rule 4 only keeps isolated
    # ones, so a rule-4 array answers 0 everywhere: right for the zero function from the start
    zero = tasks.boolean(2, "0000", width=5)
    start = mm.RuleArray.uniform(2, 5, 4)
    done = mm.evolve(zero, depth=2, steps=50, seed=0, start=start)
    assert (done.steps_to_zero, done.n_steps, done.final_loss) == (0, 0, 0.0)
    kept_going = mm.evolve(zero, depth=2, steps=50, seed=0, start=start, stop_at=None)
    assert kept_going.steps_to_zero == 0 and kept_going.n_steps == 50
    # And (8) of the two inputs in one brick row: the readout (column 2, row 1 reads (2, 3))
    # sees x2 only, so f = x2 ∧ 0 = 0 and the target x1 ∧ x2 is missed once; no budget: None
    both = tasks.boolean(2, "0001", width=5)
    stuck = mm.evolve(both, depth=1, rules=(8, 6), r="1/2", steps=0, seed=0,
                      start=mm.RuleArray.uniform(1, 5, 8, r="1/2"))  # fmt: skip
    assert (stuck.initial_loss, stuck.steps_to_zero, stuck.final_loss) == (1.0, None, 1.0)


CONFIGS = [
    # (width, depth, steps, train fraction, seed, runs): 5 of 7 solved, some held out
    (9, 3, 60, 0.7, 2, 7),
    # nothing solved, nothing held out
    (8, 4, 60, 1.0, 5, 7),
    # all 6 solved (an even count: the median and quartiles interpolate), half held out
    (6, 4, 100, 0.5, 3, 6),
]


@pytest.mark.parametrize(("width", "depth", "steps", "fraction", "seed", "runs"), CONFIGS)
def test_the_many_runs_summary_is_the_reference_summary(width, depth, steps, fraction, seed, runs):
    config = EvolutionConfig(
        width=width, depth=depth, steps=steps, runs=runs, train_fraction=fraction, seed=seed
    )
    many = run(config)
    learner = ref.Learner.of(many.task)
    plain = [
        ref.evolve(learner, depth=depth, rules=(4, 146), steps=steps, seed=s)
        for s in np.random.SeedSequence(seed).spawn(runs)
    ]
    summary, wanted = many.summary(), ref.many_runs_summary(plain, learner)
    assert set(summary) == set(wanted)
    for key, value in wanted.items():
        assert summary[key] == (pytest.approx(value) if value is not None else None), key
    table = many.table()
    assert table["steps_to_zero"] == [r.steps_to_zero for r in plain]
    assert table["final_loss"].tolist() == [r.final_loss for r in plain]
    assert table["n_steps"].tolist() == [len(r.losses) for r in plain]
    assert table["n_kept"].tolist() == [r.n_kept for r in plain]
    assert table["final_rules"] == [",".join(str(v) for row in r.rules for v in row) for r in plain]
    held_out = [not t for t in learner.train]
    accuracies = [learner.accuracy(r.rules, held_out) for r in plain]
    held = [np.nan if a is None else a for a in table["held_out_accuracy"]]  # None: no cases
    np.testing.assert_allclose(held, accuracies)
    solved = [r.rules for r in plain if r.steps_to_zero is not None]
    pairs = [
        sum(x != y for ra, rb in zip(a, b, strict=True) for x, y in zip(ra, rb, strict=True))
        / (width * depth)
        for i, a in enumerate(solved)
        for b in solved[i + 1 :]
    ]
    if pairs:
        assert many.differing_cells() == pytest.approx(sum(pairs) / len(pairs))
    else:
        assert np.isnan(many.differing_cells())


def test_the_bump_task_of_the_experiment_is_the_design_bump():
    # DESIGN.md §3: input x is a single 1 at column x, target 1 on [W // 3, 2W // 3), read at W // 2
    task = make_task(EvolutionConfig(width=9))
    assert task.inputs.tolist() == np.eye(9, dtype=int).tolist()
    assert task.targets[:, 0].tolist() == [0, 0, 0, 1, 1, 1, 0, 0, 0]
    assert task.readout == (4,) and task.train.all()
    half = make_task(EvolutionConfig(width=9, train_fraction=0.5, seed=1))
    assert 0 < half.train.sum() < 9


def test_the_ensemble_votes_bit_by_bit_and_a_tie_votes_one():
    from minimodels.experiments.evolution import ensemble_accuracy

    # bump(6): x = 2, 3 want 1 at readout column 3; x = 3, 4, 5 are held out (want 1, 0, 0).
    # Rule 4 copies a lone 1 (answers 1 only for x = 3), rule 0 answers 0 everywhere.
    task = tasks.bump(6, train=[0, 1, 2])
    arrays = [mm.RuleArray.uniform(1, 6, rule) for rule in (4, 0, 4, 0)]
    results = [mm.evolve(task, depth=1, rules=(0, 4), steps=0, seed=0, start=a) for a in arrays]
    # x = 3 gets 2 votes of 4, a tie that votes 1 (right); x = 4, 5 get none (right)
    assert ensemble_accuracy(results) == 1.0
    assert ensemble_accuracy(results, on="train") == pytest.approx(2 / 3)  # x = 2 is wrong
    # three arrays: x = 3 gets 1 vote of 3 (answers 0, wrong), as does x = 2
    assert ensemble_accuracy(results[1:], on="all") == pytest.approx(4 / 6)


@pytest.mark.parametrize(
    ("width", "depth", "rules", "r", "boundary", "accept"),
    [
        (3, 2, (4, 146), 1, "cyclic", "<="),
        (4, 2, (6, 8), "1/2", "zero", "<="),
        (3, 2, (4, 146, 30), 1, "zero", "<"),
    ],
)
def test_the_multiway_summary_is_a_brute_force_count(width, depth, rules, r, boundary, accept):
    from minimodels.analysis.multiway import multiway

    task = tasks.bump(width)
    mw = multiway(task, depth=depth, rules=rules, r=r, boundary=boundary, accept=accept)
    learner = ref.Learner.of(task, brick=r != 1, cyclic=boundary == "cyclic")
    wanted = ref.multiway_summary(learner, depth=depth, rules=rules, accept=accept)
    got = mw.summary()
    assert got == {**wanted, "mean_shortest_path": pytest.approx(wanted["mean_shortest_path"])}


def test_the_multiway_experiment_counts_the_runs_that_walk_on_edges():
    from minimodels.experiments.multiway import MultiwayConfig, run as run_multiway

    result = run_multiway(MultiwayConfig(width=3, depth=2, runs=4, steps=60, seed=1))
    assert (result.walks_on_edges, result.runs) == (4, 4)
    wanted = ref.multiway_summary(ref.Learner.of(tasks.bump(3)), depth=2, rules=(4, 146))
    assert result.summary == {
        **wanted,
        "mean_shortest_path": pytest.approx(wanted["mean_shortest_path"]),
    }


def test_many_runs_of_a_lifetime_task_have_no_held_out_numbers():
    config = EvolutionConfig(task="lifetime", width=5, depth=4, lifetime=2, steps=200, runs=3)
    many = run(config)
    assert isinstance(many, ManyRuns)
    assert "mean_held_out_accuracy" not in many.summary()
    # null (None), not NaN: two identical tables then compare equal (NaN != NaN)
    assert many.table()["held_out_accuracy"] == [None, None, None]


def test_a_configured_learner_reaches_every_run_unchanged():
    # a Boolean task on a brick And/Xor/Or array, zero boundary, strict acceptance: the
    # experiment's runs are the reference learner's with exactly these options
    config = EvolutionConfig(
        task="boolean", n_bits=2, target="0110", width=6, depth=3, rules=(6, 8, 14), r="1/2",
        boundary="zero", accept="<", steps=80, runs=3, seed=4,
    )  # fmt: skip
    many = run(config)
    learner = ref.Learner.of(many.task, brick=True, cyclic=False)
    plain = [
        ref.evolve(learner, depth=3, rules=(6, 8, 14), steps=80, seed=s, accept="<")
        for s in np.random.SeedSequence(4).spawn(3)
    ]
    assert many.table()["steps_to_zero"] == [r.steps_to_zero for r in plain]
    assert many.table()["final_rules"] == [
        ",".join(str(v) for row in r.rules for v in row) for r in plain
    ]
    assert many.table()["run"].tolist() == [0, 1, 2]
    two = run(EvolutionConfig(width=6, depth=2, steps=30, runs=2, mutations_per_step=2))
    assert [r.mutations_per_step for r in two.results] == [2, 2]


def test_the_ensemble_of_one_run_and_of_no_held_out_cases():
    from minimodels.experiments.evolution import ensemble_accuracy

    task = tasks.bump(6)  # everything trained on: nothing held out
    one = [mm.evolve(task, depth=1, rules=(0, 4), steps=0, seed=0,
                     start=mm.RuleArray.uniform(1, 6, 4))]  # fmt: skip
    assert np.isnan(ensemble_accuracy(one))
    assert ensemble_accuracy(one, on="all") == pytest.approx(5 / 6)  # only x = 2 is wrong


def _bump_multiway(width, depth, rules=(4, 146), accept="<="):
    from minimodels.analysis.multiway import multiway

    task = tasks.bump(width)
    mw = multiway(task, depth=depth, rules=rules, accept=accept)
    return mw, ref.multiway(ref.Learner.of(task), depth=depth, rules=rules, accept=accept)


def test_distances_losses_and_nodes_of_the_graph_are_the_brute_force_ones(tmp_path):
    import networkx as nx

    for accept in ("<=", "<"):
        mw, plain = _bump_multiway(3, 2, accept=accept)
        by_rules = {a: i for i, a in enumerate(plain["arrays"])}
        ids = _ids(mw, plain)
        for array_id in range(mw.n_arrays):
            mine = by_rules[tuple(np.asarray(mw.array(array_id).rules).ravel().tolist())]
            assert ids[mine] == array_id
            assert mw.distance_to_zero[array_id] == plain["distance"][mine]  # -1: unreachable
            assert mw.graph.nodes[array_id]["loss"] == plain["losses"][mine]
            edges = sorted(ids[b] for b in plain["successors"][mine])
            assert sorted(mw.graph.successors(array_id)) == edges
    assert -1 in plain["distance"]  # strict acceptance: some arrays never reach zero loss
    mw.write_graphml(tmp_path / "g.graphml")
    back = nx.read_graphml(tmp_path / "g.graphml")
    rules = ",".join(str(v) for v in np.asarray(mw.array(5).rules).ravel())
    assert back.nodes["5"]["rules"] == rules and back.nodes["5"]["loss"] == mw.losses[5]


def test_a_walk_that_leaves_the_graph_is_caught():
    from minimodels.analysis.multiway import walk_follows_edges

    strict, _ = _bump_multiway(3, 2, accept="<")
    task = strict.task
    # a run that keeps neutral mutations walks off the strict graph at its first neutral step
    for seed in range(50):
        loose = mm.evolve(task, depth=2, steps=40, seed=seed, stop_at=None)
        before = np.concatenate([[loose.initial_loss], loose.losses])[loose.kept.step]
        neutral = np.flatnonzero(loose.kept.loss == before)
        if len(neutral) and neutral[0] == 0:
            break
    first = int(loose.kept.step[0])
    one = mm.evolve(task, depth=2, steps=first + 1, seed=seed, stop_at=None)
    assert len(one.kept) == 1 and not walk_follows_edges(strict, one)
    assert not walk_follows_edges(strict, loose)
    loose_graph, _ = _bump_multiway(3, 2)
    assert walk_follows_edges(loose_graph, loose)
    # two mutations in one step are no single edge (unless they undo each other)
    for seed in range(20):
        double = mm.evolve(task, depth=2, steps=40, seed=seed, stop_at=None, mutations_per_step=2)
        cells = {(r, c) for r, c in zip(double.kept.row[:2], double.kept.col[:2], strict=True)}
        if len(double.kept) >= 2 and len(cells) == 2:
            break
    assert not walk_follows_edges(loose_graph, double)


def test_the_learnability_tables_are_brute_force_counts_and_reference_runs():
    from minimodels.experiments.multiway import LearnabilityConfig, learnability_tables

    config = LearnabilityConfig(
        brick_width=4, brick_depths=(1, 2), sizes=((2, 4, 2),), learn_width=4, learn_depth=2,
        steps=200, seed=3,
    )  # fmt: skip
    tables = learnability_tables(config)
    names = ["0", "a∧¬b"]  # spot checks of the published leaf counts (test_learnability.py)
    rows = {row["function"]: row for row in tables["and_xor"]}
    assert rows["0"]["fewest leaves"] == 2 and rows["a∧¬b"]["fewest leaves"] == 3
    assert all(rows[n]["truth table (00 01 10 11)"] in ("0000", "0010") for n in names)
    # shallowest brick And/Xor array (width 4) computing each function, by enumeration
    brick = {}
    for depth in (1, 2):
        task = tasks.boolean(2, "0000", width=4)
        found = ref.multiway(ref.Learner.of(task, brick=True), depth=depth, rules=(6, 8))
        for a in found["arrays"]:
            rules = [list(a[r * 4 : r * 4 + 4]) for r in range(depth)]
            answers = ref.Learner.of(task, brick=True).answers(rules)
            brick.setdefault("".join(str(x[0]) for x in answers), depth)
    for row in tables["and_xor"]:
        assert row["shallowest brick array (width 4)"] == brick.get(
            row["truth table (00 01 10 11)"]
        )
    # learned by {4, 146} evolution: the reference learner, one seed per table as spawned
    wanted = list(ref_names()) + ["1001"]
    seeds = np.random.SeedSequence(3).spawn(len(wanted))
    for table, seed in zip(wanted, seeds, strict=True):
        if table == "1001":
            continue  # f(00) = 1: no zero-preserving array computes it, nothing is run
        learner = ref.Learner.of(tasks.boolean(2, table, width=4))
        plain = ref.evolve(learner, depth=2, rules=(4, 146), steps=200, seed=seed)
        row = next(r for r in tables["and_xor"] if r["truth table (00 01 10 11)"] == table)
        assert row["attempts"] == plain.steps_to_zero
        assert row["learned by {4,146} evolution"] == (plain.steps_to_zero is not None)
    assert tables["impossible"] == [
        {"learned": False, "steps_to_zero": None, "reason": "f(0…0) = 1"}
    ]
    # the sizes table: every function a 4 × 2 {4, 146} array computes on 2 inputs
    task = tasks.boolean(2, "0000", width=4)
    found = ref.multiway(ref.Learner.of(task), depth=2, rules=(4, 146))
    functions = {
        "".join(str(x[0]) for x in ref.Learner.of(task).answers(
            [list(a[:4]), list(a[4:])]))
        for a in found["arrays"]
    }  # fmt: skip
    (size,) = tables["sizes"]
    assert size == {
        "inputs": 2, "array": "4 × 2", "arrays": 256, "functions with f(0…0) = 0": 8,
        "representable": len(functions), "learned by evolution": size["learned by evolution"],
        "any with f(0…0) = 1": any(f[0] == "1" for f in functions),
    }  # fmt: skip
    assert 0 < size["learned by evolution"] <= len(functions)


def _ids(mw, plain):
    """Brute-force array number → the graph's array id."""
    from minimodels.analysis.multiway import array_id

    return {
        i: array_id(mm.RuleArray(np.reshape(a, (mw.depth, mw.task.width))), mw.rules)
        for i, a in enumerate(plain["arrays"])
    }


def ref_names():
    from minimodels.analysis.learnability import TWO_INPUT_NAMES

    return TWO_INPUT_NAMES
