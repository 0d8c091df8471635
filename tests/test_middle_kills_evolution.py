"""Rule-array evolution, the biological-evolution model and multiway graphs, checked on the
details the broader tests leave loose: the provenance record of a run, every column of the
kept mutations, arguments passed through to both engines and to the light cone, runs longer
than one random block (block constants shrunk so that they stay fast), progress callbacks,
rule numbers as genomes, the sharding of the experiments (order, ``on_result``, resumed
shards, ``jobs``) and the learnability counts.

References: the plain learners of :mod:`reference.automata` and :mod:`reference.bio` (which
import nothing from minimodels), :func:`minimodels.learners.evolution.evolve_reference` and
:func:`minimodels.learners.bio.evolve_reference`, and values worked out by hand in the comments.
"""

from dataclasses import replace

import numpy as np
import pytest
from reference import automata as ref, bio as ref_bio

import minimodels as mm
from minimodels import tasks
from minimodels.analysis import multiway
from minimodels.base.errors import UsageError
from minimodels.experiments import bio as bio_exp, evolution as evo_exp, multiway as mw_exp
from minimodels.learners import bio, evolution


def _recorder():
    calls = []
    return calls, lambda done, total: calls.append((done, total))


def _assert_progress(calls, total):
    """Progress reports never go back, always give the same total and end at (total, total)."""
    assert calls, "no progress was reported"
    assert calls[-1] == (total, total)
    assert all(t == total for _, t in calls)
    done = [d for d, _ in calls]
    assert done == sorted(done) and all(0 <= d <= total for d in done)


def _rules(array):
    return np.asarray(array.rules).tolist()


# ---------------------------------------------------------------------- evolution: records
def test_the_config_record_names_every_option_of_a_brick_run():
    task = tasks.boolean(2, "0110", width=5)
    result = mm.evolve(
        task, depth=2, rules=(6, 8, 14), r="1/2", boundary="zero", steps=7, seed=11,
        accept="<", stop_at=1, mutations_per_step=2,
    )  # fmt: skip
    assert result.config == {
        "task": task.describe(), "depth": 2, "width": 5, "rules": [6, 8, 14], "r": "1/2",
        "boundary": "zero", "steps": 7, "accept": "<", "stop_at": 1.0,
        "mutations_per_step": 2, "seed": 11,
    }  # fmt: skip


def test_the_config_record_of_a_range_one_run_and_a_spawned_seed():
    task = tasks.bump(6)
    seed = np.random.SeedSequence(5).spawn(2)[1]
    for method in ("compiled", "reference"):
        result = mm.evolve(task, depth=2, steps=3, seed=seed, stop_at=None, method=method)
        record = {"entropy": 5, "spawn_key": [1]}
        assert result.config == {
            "task": task.describe(), "depth": 2, "width": 6, "rules": [4, 146], "r": "1",
            "boundary": "cyclic", "steps": 3, "accept": "<=", "stop_at": None,
            "mutations_per_step": 1, "seed": record,
        }  # fmt: skip
        assert result.seed == record


def test_mutation_rows_list_every_column_in_order():
    kept = evolution.Mutations(
        step=np.array([3, 9]), row=np.array([0, 1]), col=np.array([2, 4]),
        old_rule=np.array([4, 146]), new_rule=np.array([146, 4]), loss=np.array([2.0, 1.0]),
    )  # fmt: skip
    assert kept.rows() == [(3, 0, 2, 4, 146, 2.0), (9, 1, 4, 146, 4, 1.0)]
    assert len(kept) == 2


def test_kept_mutations_replay_from_the_start_along_the_documented_stream():
    # start given, so the seed's stream begins with block 0: the cells, then the choices
    task = tasks.bump(5)
    start = mm.RuleArray.uniform(2, 5, 4)
    result = mm.evolve(task, depth=2, steps=30, seed=3, start=start, stop_at=None)
    rng = np.random.default_rng(3)
    cells = rng.integers(0, 10, size=30)
    learner = ref.Learner.of(task)
    grid = [[4] * 5 for _ in range(2)]
    assert len(result.kept) > 0
    for step, row, col, old, new, loss in result.kept.rows():
        assert divmod(int(cells[step]), 5) == (row, col)
        assert grid[row][col] == old and new != old  # the rule the cell had, and a new one
        grid[row][col] = new
        assert loss == learner.loss(grid)
    assert _rules(result.array) == grid


# ---------------------------------------------------------------------- evolution: engines
def _brick_options():
    return {
        "depth": 3, "rules": (6, 8, 14), "r": "1/2", "boundary": "zero", "accept": "<",
        "stop_at": None, "mutations_per_step": 2, "steps": 25, "seed": 8,
    }  # fmt: skip


def test_the_reference_method_receives_every_option():
    task = tasks.boolean(2, "0110", width=6)
    compiled = mm.evolve(task, **_brick_options())
    calls, progress = _recorder()
    plain = mm.evolve(task, **_brick_options(), method="reference", on_progress=progress)
    assert plain.config == compiled.config
    assert plain.kept.rows() == compiled.kept.rows()
    assert plain.losses.tolist() == compiled.losses.tolist()
    assert _rules(plain.array) == _rules(compiled.array)
    _assert_progress(calls, 25)


def test_a_zero_boundary_brick_run_is_the_reference_learner():
    task = tasks.boolean(2, "0110", width=6, columns=[0, 5])  # inputs on both edges
    options = {**_brick_options(), "mutations_per_step": 1, "steps": 40}
    result = mm.evolve(task, **options)
    learner = ref.Learner.of(task, brick=True, cyclic=False)
    plain = ref.evolve(
        learner, depth=3, rules=(6, 8, 14), steps=40, seed=8, accept="<", stop_at=None
    )
    assert result.losses.tolist() == plain.losses and _rules(result.array) == plain.rules


def test_an_unknown_boundary_or_a_foreign_start_rule_is_refused():
    task = tasks.bump(5)
    with pytest.raises(UsageError):
        mm.evolve(task, depth=2, steps=3, seed=0, boundary="wrap")
    with pytest.raises(UsageError, match="rule 30"):
        mm.evolve(task, depth=2, steps=3, seed=0, start=mm.RuleArray.uniform(2, 5, 30))


def test_a_run_longer_than_a_block_is_the_reference_learner(monkeypatch):
    # 21 steps in blocks of 8 (8 + 8 + 5): each block draws its cells, then its choices
    # (three rules, so that the choices are random too)
    monkeypatch.setattr(evolution, "BLOCK", 8)
    monkeypatch.setattr(ref, "BLOCK", 8)
    task = tasks.bump(5)
    rules = (4, 146, 30)
    plain = ref.evolve(ref.Learner.of(task), depth=2, rules=rules, steps=21, seed=4, stop_at=None)
    for method in ("compiled", "reference"):
        calls, progress = _recorder()
        result = mm.evolve(
            task, depth=2, rules=rules, steps=21, seed=4, stop_at=None, method=method,
            on_progress=progress,
        )  # fmt: skip
        assert result.losses.tolist() == plain.losses
        assert len(result.kept) == plain.n_kept and _rules(result.array) == plain.rules
        assert np.all(np.diff(result.kept.step) >= 0) and result.kept.step.max() < 21
        _assert_progress(calls, 21)


def test_a_run_that_stops_early_across_blocks_is_the_reference_learner(monkeypatch):
    monkeypatch.setattr(evolution, "BLOCK", 4)
    monkeypatch.setattr(ref, "BLOCK", 4)
    task = tasks.bump(4)
    learner = ref.Learner.of(task)
    for seed in range(40):  # a seed whose reference run reaches zero loss after a few blocks
        plain = ref.evolve(learner, depth=2, rules=(4, 146), steps=200, seed=seed)
        if plain.steps_to_zero is not None and 8 < plain.steps_to_zero < 200:
            break
    calls, progress = _recorder()
    result = mm.evolve(task, depth=2, steps=200, seed=seed, on_progress=progress)
    assert result.losses.tolist() == plain.losses
    assert result.steps_to_zero == plain.steps_to_zero and result.n_steps < 200
    _assert_progress(calls, 200)


def test_a_solved_start_reports_completion_and_stop_at_one_stops_at_one():
    zero = tasks.boolean(2, "0000", width=5)  # rule 4 everywhere answers 0: loss 0 at once
    start = mm.RuleArray.uniform(2, 5, 4)
    calls, progress = _recorder()
    done = mm.evolve(zero, depth=2, steps=30, seed=0, start=start, on_progress=progress)
    assert (done.n_steps, done.final_loss) == (0, 0.0)
    _assert_progress(calls, 30)
    # loss ≤ stop_at ends the run: a start with loss 1 and stop_at=1 attempts nothing
    both = tasks.boolean(2, "0001", width=5)
    one = mm.evolve(
        both,
        depth=1,
        rules=(8, 6),
        r="1/2",
        steps=20,
        seed=0,
        stop_at=1,
        start=mm.RuleArray.uniform(1, 5, 8, r="1/2"),
    )
    assert (one.initial_loss, one.n_steps) == (1.0, 0)


def test_an_immortal_lifetime_run_keeps_infinite_losses_like_the_reference():
    # rule 204 copies the cell above: the single 1 lives through every row (infinite loss);
    # neutral mutations off its column keep that infinite loss
    task = tasks.lifetime(9, 2)
    start = mm.RuleArray.uniform(3, 9, 204)
    options = {"depth": 3, "rules": (204, 0), "steps": 12, "start": start, "stop_at": None}
    for seed in range(20):  # a seed whose reference run keeps a neutral immortal mutation
        plain = mm.evolve(task, **options, seed=seed, method="reference")
        if np.inf in plain.kept.loss.tolist():
            break
    compiled = mm.evolve(task, **options, seed=seed)
    assert compiled.initial_loss == np.inf
    assert compiled.kept.rows() == plain.kept.rows()
    assert compiled.losses.tolist() == plain.losses.tolist()
    assert np.inf in compiled.kept.loss.tolist() and not np.isnan(compiled.kept.loss).any()


def test_lifetime_runs_are_the_reference_runs_even_when_a_change_dies_out():
    # rule 0 erases, 4 keeps isolated cells, 146 grows: many mutations change the rows only
    # for a while, yet move the first blank row (the lifetime) all the same
    task = tasks.lifetime(6, 3)
    for seed in range(4):
        options = {"depth": 5, "rules": (0, 4, 146), "steps": 40, "seed": seed, "stop_at": None}
        compiled = mm.evolve(task, **options)
        plain = mm.evolve(task, **options, method="reference")
        assert compiled.losses.tolist() == plain.losses.tolist()
        assert compiled.kept.rows() == plain.kept.rows()


def test_the_light_cone_defaults_to_range_one_cyclic_and_follows_r_and_the_boundary():
    # readout column 0 of a 5-wide row, depth 2: the last row matters at the readout only;
    # the row above at the cells the readout reads
    task = tasks.bump(5, readout=0)

    def cone(*args, **options):
        got = evolution.light_cone(task, 2, *args, **options)
        return [np.flatnonzero(row).tolist() for row in got]

    assert cone() == [[0, 1, 4], [0]]  # (x − 1, x, x + 1) with x − 1 = −1 ≡ 4
    assert cone(boundary="zero") == [[0, 1], [0]]
    assert cone(r=0.5) == [[0, 4], [0]]  # row 2 (even) reads (x − 1, x)
    assert cone(r=0.5, boundary="zero") == [[0], [0]]


def test_held_out_accuracy_is_the_reference_accuracy_on_the_held_out_cases():
    task = tasks.bump(6, train=[0, 1, 2, 3])  # x = 4, 5 held out
    result = mm.evolve(task, depth=2, steps=40, seed=2, stop_at=None)
    learner = ref.Learner.of(task)
    held = [not t for t in learner.train]
    assert result.held_out_accuracy == learner.accuracy(_rules(result.array), held)
    assert np.isnan(mm.evolve(tasks.bump(6), depth=2, steps=5, seed=2).held_out_accuracy)


# ---------------------------------------------------------------------- bio
def _digits(n, k):
    return [(n // k**i) % k for i in range(k**3)]


def test_a_rule_number_is_the_genome_of_its_base_k_digits():
    for n in range(0, 256, 2):  # every k = 2 rule with 000 → 0
        assert bio.lifetime(n, k=2, cutoff=12) == ref_bio.lifetime(_digits(n, 2), 2, 12)
    for n in (2 * 3**13 + 3**4 + 2 * 3**10 + 3**3, 3**26 + 2 * 3**4 + 3**1):
        table = _digits(n, 3)
        assert bio.lifetime(n, k=3, cutoff=40) == ref_bio.lifetime(table, 3, 40)
        assert np.array_equal(
            bio.phenotype(n, k=3, cutoff=40), bio.phenotype(table, k=3, cutoff=40)
        )


def test_a_big_four_colour_rule_number_keeps_its_low_digits():
    # 4^64 > 2^53: the digits must come from integer arithmetic, not floats
    table = [0] + [(3 * i + 1) % 4 for i in range(1, 64)]
    number = sum(v * 4**i for i, v in enumerate(table))
    assert bio.lifetime(number, k=4, cutoff=30) == ref_bio.lifetime(table, 4, 30)
    assert np.array_equal(
        bio.phenotype(number, k=4, cutoff=30), bio.phenotype(np.array(table), k=4, cutoff=30)
    )


def test_genomes_out_of_range_are_refused():
    with pytest.raises(UsageError, match="out of range"):
        bio.lifetime(2**8, k=2)  # k = 2 rule numbers are 0 … 2^8 − 1
    assert bio.lifetime(2**8 - 2, k=2, cutoff=10) == ref_bio.lifetime(_digits(254, 2), 2, 10)
    with pytest.raises(UsageError, match="entries"):
        bio.lifetime([0] * 26, k=3)  # colours fine, one entry short
    with pytest.raises(UsageError, match="entries"):
        bio.lifetime([0, 2, 0, 0, 0, 0, 0, 0], k=2)  # colour 2 with only colours 0 and 1


def test_lifetime_and_phenotype_default_to_three_colours_and_cutoff_200():
    table = [0] * 27
    table[3] = 1  # (0, 1, 0) → 1 and nothing else: the single cell lives forever
    assert bio.lifetime(table) is None
    assert bio.phenotype(table).shape == (201, 403)
    dies = [0] * 27
    dies[1] = 2  # (0, 0, 1) → 2: row 1 is one cell of colour 2 left of centre, row 2 blank
    assert bio.lifetime(dies) == 2 == ref_bio.lifetime(dies, 3, 200)
    grown = bio.phenotype(dies)
    assert grown.shape[1] == 2 * 200 + 3
    assert np.flatnonzero(grown[0]).tolist() == [201]  # one cell of colour 1 at the centre
    assert grown[0, 201] == 1


def test_bio_evolve_defaults_and_records_its_seed():
    run = bio.evolve(steps=3, seed=7)
    assert (run.k, run.cutoff, run.seed, run.initial.shape) == (3, 200, 7, (27,))
    assert bio.evolve(steps=0, seed=None).seed is None


def test_bio_runs_longer_than_a_block_are_the_reference_runs(monkeypatch):
    monkeypatch.setattr(bio, "_BLOCK", 4)  # 30 steps in blocks of 4
    for seed in (2, 9):
        calls, progress = _recorder()
        run = bio.evolve(k=3, steps=30, cutoff=30, seed=seed, on_progress=progress)
        plain = bio.evolve_reference(k=3, steps=30, cutoff=30, seed=seed)
        assert run.kept.tolist() == plain.kept.tolist()
        assert run.lifetimes.tolist() == plain.lifetimes.tolist()
        assert run.widths.tolist() == plain.widths.tolist()
        by_hand = ref_bio.evolve(3, 30, 30, seed)
        assert run.lifetimes.tolist() == by_hand["lifetimes"]
        assert run.genome.tolist() == by_hand["genome"] and len(run.kept) == by_hand["n_kept"]
        _assert_progress(calls, 30)
    assert any(s >= 4 for s in run.kept[:, 0])  # some kept beyond the first block


def test_aspect_breakthroughs_start_from_the_single_cell():
    # before step 0 the pattern is one cell living one row: lifetime 1, width 1, aspect 1
    for seed in range(6):
        run = bio.evolve(k=3, steps=12, cutoff=30, seed=seed, fitness="aspect")
        plain = bio.evolve_reference(k=3, steps=12, cutoff=30, seed=seed, fitness="aspect")
        score = [1.0] + [
            life / width
            for life, width in zip(plain.lifetimes.tolist(), plain.widths.tolist(), strict=True)
        ]
        wanted = [s for s in range(12) if score[s + 1] > score[s]]
        assert run.breakthroughs.tolist() == wanted


def test_a_bio_run_too_big_for_memory_is_refused_in_one_sentence(monkeypatch):
    from minimodels.base import resources

    monkeypatch.setattr(resources, "available_memory", lambda: 1 << 20)
    steps = 10**7  # 57 bytes a step: far beyond 1 MiB
    with pytest.raises(UsageError) as caught:
        bio.evolve(k=3, steps=steps)
    message = str(caught.value)
    assert message.startswith(f"a run of {resources.plural(steps, 'step')} needs")
    assert "(the mutation drawn, the lifetime and width after every step)" in message
    assert message.endswith("; lower the steps")


# ---------------------------------------------------------------------- experiments.evolution
def test_runs_per_shard_is_a_sixteenth_of_the_runs_between_1_and_64():
    assert [evo_exp.runs_per_shard(n) for n in (1, 15, 31, 32, 33, 47, 48, 1023, 1024)] == [
        1, 1, 1, 2, 2, 2, 3, 63, 64,
    ]  # fmt: skip
    assert evo_exp.runs_per_shard(1040) == 64 and evo_exp.runs_per_shard(10**6) == 64


def _tiny(**changes):
    base = {"width": 5, "depth": 2, "steps": 6, "runs": 34, "seed": 3, "stop_at": None}
    return evo_exp.EvolutionConfig(**{**base, **changes})


def test_many_runs_come_back_in_seed_order_across_shards():
    config = _tiny()  # 34 runs in shards of 2: 17 shards
    seen, calls = [], []
    many = evo_exp.run(
        config,
        on_result=lambda i, chunk: seen.append((i, chunk)),
        on_progress=lambda d, t: calls.append((d, t)),
    )
    assert many.config == config and len(many.results) == 34
    learner = ref.Learner.of(many.task)
    for result, seed in zip(many.results, np.random.SeedSequence(3).spawn(34), strict=True):
        plain = ref.evolve(learner, depth=2, rules=(4, 146), steps=6, seed=seed, stop_at=None)
        assert result.losses.tolist() == plain.losses and _rules(result.array) == plain.rules
    assert sorted(i for i, _ in seen) == list(range(17))
    for i, chunk in seen:
        assert [r.seed for r in chunk] == [r.seed for r in many.results[2 * i : 2 * i + 2]]
    _assert_progress(calls, 17)


def test_a_resumed_many_runs_computes_only_the_missing_shards():
    config = _tiny(runs=4)
    first = evo_exp.run(config)
    done = {1: [first.results[1]], 3: [first.results[3]]}
    seen = []
    again = evo_exp.run(config, done=done, on_result=lambda i, chunk: seen.append(i))
    assert sorted(seen) == [0, 2]
    assert again.results[1] is first.results[1] and again.results[3] is first.results[3]
    assert [_rules(r.array) for r in again.results] == [_rules(r.array) for r in first.results]


def test_one_run_reports_its_attempts_and_its_only_shard():
    config = _tiny(runs=1, steps=9)
    seen, calls = [], []
    many = evo_exp.run(
        config,
        on_result=lambda i, chunk: seen.append((i, chunk)),
        on_progress=lambda d, t: calls.append((d, t)),
    )
    assert many.config == config
    assert seen == [(0, many.results)] and len(many.results) == 1
    _assert_progress(calls, 9)  # attempts of the one run, not shards


def test_jobs_reach_the_pool_and_zero_jobs_are_refused():
    with pytest.raises(UsageError, match="jobs"):
        evo_exp.run(_tiny(runs=2), jobs=0)
    with pytest.raises(UsageError, match="jobs"):
        bio_exp.run(bio_exp.BioConfig(ks=(2,), steps=2, cutoff=5, runs=2), jobs=0)


def test_make_task_builds_each_task_kind_from_the_config_alone():
    density = evo_exp.make_task(_tiny(task="density", n_rows=7, seed=4))
    assert (density.name, density.width, density.n_cases) == ("density", 5, 7)
    majority = (2 * density.inputs.sum(axis=1) > 5).astype(int)
    assert (density.targets == majority[:, None]).all()
    again = evo_exp.make_task(_tiny(task="density", n_rows=7, seed=4))
    assert np.array_equal(density.inputs, again.inputs)  # drawn from the config's seed
    coin = evo_exp.make_task(_tiny(task="boolean", n_bits=2, target="random", seed=4))
    assert (
        coin.info["truth_table"]
        == evo_exp.make_task(_tiny(task="boolean", n_bits=2, target="random", seed=4)).info[
            "truth_table"
        ]
    )
    half = evo_exp.make_task(_tiny(train_fraction=0.6, seed=4))
    assert half.train.sum() == 3  # round(0.6 · 5)
    assert np.array_equal(half.train, evo_exp.make_task(_tiny(train_fraction=0.6, seed=4)).train)
    with pytest.raises(UsageError, match="train fraction"):
        evo_exp.make_task(_tiny(train_fraction=1.5))


def test_the_configured_boundary_reaches_every_run():
    # a 4-wide bump read at column 2 through 3 rows: the cone wraps, so the boundary matters
    config = _tiny(width=4, depth=3, boundary="zero", steps=30, runs=2, seed=6)
    many = evo_exp.run(config)
    learner = ref.Learner.of(many.task, cyclic=False)
    for result, seed in zip(many.results, np.random.SeedSequence(6).spawn(2), strict=True):
        assert result.config["boundary"] == "zero"
        plain = ref.evolve(learner, depth=3, rules=(4, 146), steps=30, seed=seed, stop_at=None)
        assert result.losses.tolist() == plain.losses and _rules(result.array) == plain.rules


# ---------------------------------------------------------------------- experiments.bio
def test_bio_runs_come_back_per_k_in_seed_order_across_shards():
    config = bio_exp.BioConfig(ks=(2, 3), steps=5, cutoff=12, runs=16, seed=5)  # 32 runs
    seen, calls = [], []
    runs = bio_exp.run(
        config,
        on_result=lambda i, chunk: seen.append(i),
        on_progress=lambda d, t: calls.append((d, t)),
    )
    assert runs.config == config
    plain = ref_bio.runs((2, 3), 5, 12, 16, 5)
    for k in (2, 3):
        assert [r.genome.tolist() for r in runs.results[k]] == [p["genome"] for p in plain[k]]
        assert runs.final_lifetimes(k) == [p["final_lifetime"] for p in plain[k]]
    assert sorted(seen) == list(range(16))  # shards of 2 runs
    _assert_progress(calls, 16)


def test_a_resumed_bio_run_computes_only_the_missing_shards():
    config = bio_exp.BioConfig(ks=(2, 3), steps=4, cutoff=10, runs=1, seed=1)
    first = bio_exp.run(config)
    done = {1: first.results[3]}
    seen = []
    again = bio_exp.run(config, done=done, on_result=lambda i, chunk: seen.append((i, chunk)))
    assert [i for i, _ in seen] == [0]
    assert seen[0][1][0].genome.tolist() == first.results[2][0].genome.tolist()
    assert again.results[3][0] is first.results[3][0]


# ---------------------------------------------------------------------- multiway
def test_count_arrays_allows_exactly_the_limit():
    assert multiway.count_arrays(2, 20) == 2**20 == multiway.MAX_ARRAYS
    with pytest.raises(UsageError):
        multiway.count_arrays(2, 21)


def test_outcome_tables_have_four_bits_for_bricks_and_eight_otherwise():
    assert multiway._tables([6, 8], True).tolist() == [[0, 1, 1, 0], [0, 0, 0, 1]]
    assert multiway._tables([4, 146], False).tolist() == [
        [0, 0, 1, 0, 0, 0, 0, 0],
        [0, 1, 0, 0, 1, 0, 0, 1],
    ]


def test_enumeration_defaults_to_range_one_cyclic_arrays():
    task = tasks.bump(3, readout=0)  # the readout sits on the wrapping edge
    learner = ref.Learner.of(task)
    cells = 3
    outputs = {}
    for ids, bits in multiway.enumerate_outputs(task.inputs, [0, 1, 2], depth=1, rules=(4, 146)):
        for array_id, answer in zip(ids.tolist(), bits.tolist(), strict=True):
            outputs[array_id] = answer
    losses = multiway.enumerate_losses(task, depth=1, rules=(4, 146))
    for array_id in range(2**cells):
        rules = [[(4, 146)[(array_id >> c) & 1] for c in range(cells)]]
        assert outputs[array_id] == [ref.output(rules, row) for row in learner.inputs]
        assert losses[array_id] == learner.loss(rules)


def test_a_graph_of_exactly_the_node_limit_is_built(monkeypatch):
    monkeypatch.setattr(multiway, "MAX_GRAPH", 8)
    mw = multiway.multiway(tasks.bump(3), depth=1)  # 2^3 = 8 arrays, depth 1 allowed
    assert mw.graph.number_of_nodes() == 8
    wanted = ref.multiway_summary(ref.Learner.of(tasks.bump(3)), depth=1, rules=(4, 146))
    assert mw.summary() == {
        **wanted,
        "mean_shortest_path": pytest.approx(wanted["mean_shortest_path"]),
    }


def test_the_multiway_experiment_uses_its_rules_and_acceptance():
    config = mw_exp.MultiwayConfig(
        width=3, depth=2, rules=(4, 30), accept="<", runs=5, steps=40, seed=2
    )
    result = mw_exp.run(config)
    assert (result.multiway.rules, result.multiway.accept) == ((4, 30), "<")
    wanted = ref.multiway_summary(ref.Learner.of(tasks.bump(3)), depth=2, rules=(4, 30), accept="<")
    assert result.summary == {
        **wanted,
        "mean_shortest_path": pytest.approx(wanted["mean_shortest_path"]),
    }
    assert (result.walks_on_edges, result.runs) == (5, 5)


def test_learnability_counts_and_runs_follow_the_config():
    from minimodels.analysis import learnability

    config = mw_exp.LearnabilityConfig(
        brick_width=4, brick_depths=(1,), sizes=((3, 4, 1), (3, 5, 2)), learn_width=4,
        learn_depth=2, steps=20, seed=7,
    )  # fmt: skip
    tables = mw_exp.learnability_tables(config)
    for size, (width, depth) in zip(tables["sizes"], [(4, 1), (5, 2)], strict=True):
        assert size["functions with f(0…0) = 0"] == 2 ** (2**3 - 1)  # 128 of the 256
        assert size["arrays"] == 2 ** (width * depth) and size["any with f(0…0) = 1"] is False
        # learned: one reference run per representable function, seeds spawned in table order
        found = list(learnability.representable(3, width=width, depth=depth, rules=(4, 146)))
        seeds = np.random.SeedSequence(7).spawn(len(found))
        learned = []
        for table, seed in zip(found, seeds, strict=True):
            learner = ref.Learner.of(tasks.boolean(3, table, width=width))
            plain = ref.evolve(learner, depth=depth, rules=(4, 146), steps=20, seed=seed)
            learned.append(plain.final_loss == 0)
        assert size["learned by evolution"] == sum(learned)
    assert 0 < sum(learned) < len(learned)  # the count depends on the seeds
    wanted = list(learnability.TWO_INPUT_NAMES) + ["1001"]
    seeds = np.random.SeedSequence(7).spawn(len(wanted))
    attempts = []
    for table, seed in zip(wanted[:-1], seeds, strict=False):
        learner = ref.Learner.of(tasks.boolean(2, table, width=4))
        plain = ref.evolve(learner, depth=2, rules=(4, 146), steps=20, seed=seed)
        row = next(r for r in tables["and_xor"] if r["truth table (00 01 10 11)"] == table)
        assert row["attempts"] == plain.steps_to_zero
        attempts.append(plain.steps_to_zero)
    assert any(a not in (None, 0) for a in attempts)


# ---------------------------------------------------------------------- second pass
def test_a_genome_array_with_a_negative_entry_is_refused():
    # colours are 0 … k − 1: an int64 table holding −1 is no rule, whatever its dtype
    genome = np.zeros(27, dtype=np.int64)
    genome[3] = -1
    with pytest.raises(UsageError, match="27 entries in 0..2"):
        bio.lifetime(genome, k=3, cutoff=10)
    with pytest.raises(UsageError, match="27 entries in 0..2"):
        bio.phenotype(genome, k=3, cutoff=10)


def test_bio_traces_are_whole_numbers_equal_to_the_plain_learner():
    run = bio.evolve(k=3, steps=60, cutoff=30, seed=4)
    plain = ref_bio.evolve(3, 60, 30, 4)
    assert run.lifetimes.tolist() == plain["lifetimes"]
    # lifetimes and widths are counts of rows and cells: int64, as the reference run's
    reference = bio.evolve_reference(k=3, steps=60, cutoff=30, seed=4)
    for got in (run, reference):
        assert got.lifetimes.dtype == np.int64 and got.widths.dtype == np.int64
    assert run.widths.tolist() == reference.widths.tolist()
    arrays = run.to_arrays()
    assert arrays["lifetimes"].dtype == np.int64 and arrays["widths"].dtype == np.int64


def test_a_lifetime_task_has_no_held_out_accuracy_even_with_a_held_out_case():
    # a hand-made lifetime task whose second input is held out: accuracy is not defined for
    # lifetime tasks, so the held-out accuracy is nan (not an error)
    task = tasks.Task(
        name="lifetime",
        inputs=np.array([[0, 0, 1, 0, 0], [0, 1, 0, 0, 0]], dtype=np.uint8),
        readout=(),
        targets=np.zeros((2, 0), dtype=np.uint8),
        train=np.array([True, False]),
        lifetime=2,
    )
    assert task.held_out.any()
    result = mm.evolve(task, depth=3, steps=5, seed=0)
    assert np.isnan(result.held_out_accuracy)


def test_an_unknown_boundary_is_refused_before_any_work_is_reported():
    calls, progress = _recorder()
    with pytest.raises(UsageError, match="boundary"):
        mm.evolve(
            tasks.bump(5), depth=2, steps=40, seed=0, stop_at=None, boundary="wrap",
            on_progress=progress,
        )  # fmt: skip
    assert calls == []  # refused up front: no run, no progress bar


def test_a_step_of_two_mutations_in_two_cells_is_not_a_graph_edge():
    task = tasks.bump(3)
    mw = multiway.multiway(task, depth=2)
    run = mm.evolve(task, depth=2, steps=6, seed=19, stop_at=None, mutations_per_step=2)
    # the only kept step (step 0) changes cells (1, 2) and (0, 0) at once
    assert run.kept.step.tolist() == [0, 0]
    cells = set(zip(run.kept.row.tolist(), run.kept.col.tolist(), strict=True))
    assert cells == {(1, 2), (0, 0)}
    # the graph's edges join arrays one cell apart, so the walk leaves the graph
    before = multiway.array_id(run.initial, mw.rules)
    after = multiway.array_id(run.array_at(0), mw.rules)
    assert not mw.graph.has_edge(before, after)
    assert multiway.walk_follows_edges(mw, run) is False


# a four-colour rule (found by a search) whose pattern dies at exactly row 201, per the plain
# reference: alive at the default cutoff 200, so counted as infinite there
_DIES_AT_201 = [
    0, 2, 0, 0, 2, 3, 1, 3, 0, 1, 1, 2, 0, 2, 3, 3, 0, 1, 3, 0, 2, 2, 2, 3, 0, 3, 3, 2, 3, 2,
    1, 3, 3, 0, 2, 2, 1, 0, 3, 0, 3, 3, 0, 3, 0, 0, 2, 0, 0, 1, 2, 1, 3, 2, 2, 3, 1, 1, 2, 2,
    2, 0, 0, 3,
]  # fmt: skip


def test_a_pattern_dying_at_row_201_is_alive_at_the_default_cutoff():
    assert ref_bio.lifetime(_DIES_AT_201, 4, 201) == 201
    assert ref_bio.lifetime(_DIES_AT_201, 4, 200) is None
    assert bio.lifetime(_DIES_AT_201, k=4) is None  # cutoff 200 by default
    assert bio.lifetime(_DIES_AT_201, k=4, cutoff=201) == 201
    assert bio.phenotype(_DIES_AT_201, k=4).shape == (201, 403)  # rows 0 … 200, all alive


def test_a_held_out_split_is_fixed_by_the_seed_and_changes_with_it():
    # a seed reproduces a run bit for bit: the random train subset included
    config = evo_exp.EvolutionConfig(task="boolean", n_bits=4, train_fraction=0.5, seed=3)
    first, again = evo_exp.make_task(config), evo_exp.make_task(config)
    np.testing.assert_array_equal(first.train, again.train)
    assert first.train.sum() == 8 and first.held_out.sum() == 8  # half of 2^4 cases
    others = [evo_exp.make_task(replace(config, seed=s)).train for s in range(4, 12)]
    assert any((other != first.train).any() for other in others)


@pytest.mark.parametrize(
    ("ks", "runs", "expected"),
    [
        # runs per shard: runs // 16 clamped to 1..64 (a fixed rule, so a resume cuts the same)
        ((2,), 3, 3),  # 3 runs of 1 per shard
        ((2, 3), 40, 16),  # 80 runs, 5 per shard
        ((2, 3, 4), 2000, 94),  # 6000 runs, 64 per shard: ceil(6000 / 64)
        ((2, 3, 4), 17, 17),  # 51 runs, 3 per shard
    ],
)
def test_the_bio_shard_count_is_the_number_of_shards_a_run_reports(ks, runs, expected):
    config = bio_exp.BioConfig(ks=ks, runs=runs, steps=0)
    assert bio_exp.n_shards(config) == expected
    if runs * len(ks) <= 80:  # small enough to run: the progress bar's total is what runs
        shards: list[int] = []
        bio_exp.run(config, on_result=lambda index, chunk: shards.append(index))
        assert sorted(shards) == list(range(bio_exp.n_shards(config)))
