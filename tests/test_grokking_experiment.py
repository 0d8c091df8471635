"""The gallery experiment and the pictures, at a tiny scale."""

import dataclasses

import pytest

from minimodels.experiments import grokking as experiment
from minimodels.grokking import GrokConfig
from minimodels.grokking.sweep import SweepConfig
from minimodels.plotting import grokking as plots


def test_experiment_runs_and_draws_at_a_tiny_config():
    # the transformer part is covered by the slow test below
    mlp = GrokConfig(p=11, width=16, frac=0.6, steps=40, log_every=20)
    phase = SweepConfig(
        base=dataclasses.replace(mlp, steps=20), x_values=(0.5, 0.7), y_values=(0.0, 1.0)
    )
    transformer = GrokConfig.nanda(
        p=7, frac=0.6, d_model=8, n_heads=2, d_mlp=16, steps=20, log_every=10
    )
    calls = []
    result = experiment.run(
        experiment.GrokkingExperiment(mlp=mlp, phase=phase, transformer=transformer),
        on_progress=lambda done, total: calls.append((done, total)),
    )
    assert result.mlp.summary["steps_run"] == 40
    assert result.phase.steps_generalised.shape == (2, 2, 1)
    assert calls and calls[-1][0] == calls[-1][1]
    for figure in (
        plots.plot_run(result.mlp),
        plots.plot_neuron_frequency(result.mlp),
        result.phase.plot(),
    ):
        assert figure.axes
    assert result.mlp._repr_png_().startswith(b"\x89PNG")


def test_quick_and_full_presets_are_valid_configs():
    for preset in (experiment.GrokkingExperiment.quick(), experiment.GrokkingExperiment.full()):
        for part in (preset.mlp, preset.transformer):
            if part is not None:
                part.check()
        if preset.phase is not None:
            assert len(preset.phase.cells()) >= 16


@pytest.mark.slow
def test_transformer_part_runs_and_draws():
    transformer = GrokConfig.nanda(
        p=7, frac=0.6, d_model=8, n_heads=2, d_mlp=16, steps=20, log_every=10
    )
    result = experiment.run(
        experiment.GrokkingExperiment(mlp=None, phase=None, transformer=transformer)
    )
    assert result.transformer.log["restricted_loss"].shape == (3,)
    assert plots.plot_run(result.transformer).axes
    assert plots.plot_neuron_frequency(result.transformer).axes
