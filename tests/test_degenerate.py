"""Degenerate but valid inputs run to the end: empty blocks and tables, one function, t = 1.

Each test here failed (with a numpy error, an IndexError or a ZeroDivisionError) before the
fix it names; the user saw "internal error" for an ordinary setting.
"""

import numpy as np

from minimodels.analysis.bayes.nets import SGDSetup, net_bayes_plan
from minimodels.analysis.bayes.protocol import random_split, run_here
from minimodels.analysis.sampling.analysis import analyse
from minimodels.analysis.sampling.tables import FunctionTable, from_strings, unpacked_truth_tables


def test_a_rejection_block_in_which_no_random_net_fits_s_counts_zero_kept():
    # the reported sgd-vs-bayes case: 7-40-40-1, |S| = 32, a block of nets none of which fits
    split = random_split(7, 32, "0001" * 32, rng=np.random.default_rng(0))
    tally = run_here(net_bayes_plan, split, SGDSetup(), n_samples=300, seed=0, n_shards=2)
    assert (tally.n_attempts, tally.n_kept, len(tally.functions)) == (300, 0, 0)


def test_rejection_on_a_single_test_input_keeps_one_character_functions():
    split = random_split(4, 15, "0110" * 4, rng=np.random.default_rng(1))  # |S| = 2^n − 1
    tally = run_here(net_bayes_plan, split, SGDSetup(model="4-8-1"), n_samples=40, seed=3)
    assert tally.n_attempts == 40 and set(tally.functions) <= {"0", "1"}


def test_unpacking_no_truth_tables_gives_an_empty_table_of_the_right_width():
    assert unpacked_truth_tables(np.zeros((0, 2), np.uint64), 7).shape == (0, 128)
    assert unpacked_truth_tables(np.zeros((0, 1), np.uint64), 3).shape == (0, 8)


def test_an_empty_function_table_analyses_and_draws():
    table = FunctionTable(3, np.zeros((0, 1), np.uint64), np.zeros(0, np.int64))
    assert table.truth_tables().shape == (0, 8) and len(table.strings()) == 0
    analysis = analyse(table, rng=np.random.default_rng(0))
    assert analysis.numbers()["P(most common)"] is None
    analysis.plot()


def test_a_table_of_one_function_analyses_and_draws():
    analysis = analyse(from_strings(["01101001"], [5]), rng=np.random.default_rng(0))
    assert analysis.numbers()["P(most common)"] == 1.0
    analysis.plot()


def test_the_neuron_picture_of_a_net_without_hidden_layers_says_so():
    import jax

    from minimodels.learners.nets import MLP, Training
    from minimodels.learners.nets.fitting import fit
    from minimodels.plotting.nets import plot_neurons

    result = fit(
        MLP("1-1"), "bump", key=jax.random.key(0), n_train=8, training=Training(max_steps=2)
    )
    figure = plot_neurons(result)
    assert "no hidden neurons" in [t.get_text() for t in figure.axes[0].texts]


def test_runs_that_stop_before_their_first_step_summarise_and_draw():
    from minimodels.experiments.evolution import EvolutionConfig, run
    from minimodels.plotting.evolution import (
        plot_decreases,
        plot_learning_curve,
        plot_steps_histogram,
    )

    # stop_at above any loss: every run is done at its start (initial loss ≤ stop_at)
    many = run(EvolutionConfig(runs=3, steps=100, stop_at=1000))
    assert all(r.n_steps == 0 for r in many.results)
    many.summary()
    plot_learning_curve(many.results)
    plot_decreases(many.results[0])
    plot_steps_histogram(many.steps_to_zero, budget=100)


def test_a_comparison_where_no_run_fits_and_no_sample_is_accepted_has_no_mass():
    from minimodels.analysis.bayes.protocol import compare, tabulate

    nothing = tabulate([], n_attempts=50)
    comparison = compare(nothing, nothing, "0110")
    headline = comparison.headline()
    assert headline["mean_test_error_train"] is None and headline["n_functions_train"] == 0
    comparison.plot()
