"""The gallery experiment and the pictures, at a tiny scale."""

import pytest

from minimodels.experiments import grokking as experiment
from minimodels.learners.grokking import GrokConfig
from minimodels.plotting import grokking as plots


def test_experiment_runs_and_draws_at_a_tiny_config():
    # the sweep is covered in test_grokking_train, the transformer part by the slow test below
    mlp = GrokConfig(p=11, width=16, frac=0.6, steps=40, log_every=20)
    calls = []
    result = experiment.run(
        experiment.GrokkingExperiment(mlp=mlp, phase=None),
        on_progress=lambda done, total: calls.append((done, total)),
    )
    assert result.mlp.summary["steps_run"] == 40
    assert result.phase is None and result.transformer is None
    assert calls and calls[-1][0] == calls[-1][1]
    for figure in (
        plots.plot_run(result.mlp),
        plots.plot_neuron_frequency(result.mlp),
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
