"""The CA and rule-array gallery sections at tiny scale, and the speed-table baselines."""

import numpy as np
import pytest

from minimodels import gallery
from minimodels.engine import run_rule_array
from minimodels.experiments import automata
from minimodels.gallery.sections import automata as sections
from minimodels.models.rulearray import RuleArray


def test_every_section_builds_at_quick_scale():
    context = gallery.Context(quick=True, seed=1)
    for build in (sections.classes_section, sections.array_section, sections.brick_section):
        section = build(context)
        assert section.figures and section.numbers and section.command


def test_speed_table_baselines_compute_the_same_outputs_as_the_engine():
    rng = np.random.default_rng(0)
    array = RuleArray.random(12, 16, rules=(4, 146), rng=rng)
    inputs = rng.integers(0, 2, size=(5, 16), dtype=np.uint8)
    expected = array.output(inputs)
    assert np.array_equal(automata.per_input_numpy(array.rules, inputs), expected)
    assert np.array_equal(run_rule_array(array.rules, inputs)[:, -1], expected)


def test_cellpylib_baseline_does_the_same_work_as_a_homogeneous_array():
    pytest.importorskip("cellpylib")  # in the dev and bench extras
    inputs = np.random.default_rng(1).integers(0, 2, size=(3, 16), dtype=np.uint8)
    got = automata.cellpylib_homogeneous(146, inputs, 12)
    assert np.array_equal(got, RuleArray.uniform(12, 16, 146).output(inputs))


def test_speed_section_reports_every_implementation():
    config = automata.SpeedConfig(depth=8, n_inputs=128, repeats=1, baseline_inputs=1,
                                  cellpylib_inputs=1, reference_inputs=16)  # fmt: skip
    result = automata.measure_speed(config)
    names = {row["implementation"] for row in result.rows}
    expected = {automata.ENGINE, automata.BATCHED, automata.PER_INPUT}
    assert names - {automata.CELLPYLIB} == expected
    assert result.plot().axes


def test_speed_rows_are_cell_updates_per_second_fastest_first(monkeypatch):
    # the clock replaced by fixed median times: 2 s for the engine, 0.5 s for the batched
    # reference, 0.25 s for the per-input baseline (CellPyLib, where installed, 1 s)
    times = iter([2.0, 0.5, 0.25, 1.0])
    monkeypatch.setattr(automata, "median_seconds", lambda call, repeats: next(times))
    config = automata.SpeedConfig(width=10, depth=8, n_inputs=400, reference_inputs=40,
                                  baseline_inputs=2, cellpylib_inputs=1)  # fmt: skip
    result = automata.measure_speed(config)
    rows = {row["implementation"]: row for row in result.rows}
    # cells × steps × inputs / seconds
    assert rows[automata.ENGINE]["cell-updates/s"] == 80 * 400 / 2.0  # 16000
    assert rows[automata.BATCHED]["cell-updates/s"] == 80 * 40 / 0.5  # 6400
    assert rows[automata.PER_INPUT]["cell-updates/s"] == 80 * 2 / 0.25  # 640
    assert rows[automata.ENGINE]["x per-input numpy"] == 25.0
    assert rows[automata.BATCHED]["x per-input numpy"] == 10.0
    assert rows[automata.PER_INPUT]["x per-input numpy"] == 1.0
    assert result.rows[0]["implementation"] == automata.ENGINE  # fastest first
    assert result.engine_rate == 16000 and result.ratio(automata.BATCHED) == 2.5
    assert result.ratio("abacus") is None


def test_two_bit_inputs_follow_the_row_order_of_truth_tables():
    inputs, (a, b) = automata.two_bit_inputs(9)
    assert [(row[a], row[b]) for row in inputs] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert inputs.sum() == 4


def test_bump_targets_mark_the_middle_third():
    assert automata.bump_targets(9).tolist() == [0, 0, 0, 1, 1, 1, 0, 0, 0]


def test_results_draw_themselves_in_notebooks():
    result = automata.run_classes(automata.ClassesConfig(rules=(30, 90), width=21, steps=8))
    assert result._repr_png_()[:4] == b"\x89PNG"
    array = automata.run_array(automata.ArrayConfig(width=6, depth=3))
    assert array._repr_png_()[:4] == b"\x89PNG"
