"""Smoke tests of the nets experiments at tiny configs (the gallery sections use the same)."""

import numpy as np

from minimodels.experiments.nets import BridgeConfig, FitConfig, run_bridge, run_fits


def test_run_fits_trains_each_seed_and_draws_them_side_by_side():
    # the mesh net, 2 seeds and 100 points of test_nets_fitting: one compiled loop serves both
    result = run_fits(FitConfig(model="mesh", n_seeds=2, max_steps=30, n_train=100))
    assert len(result.fits) == 2 and np.all(np.isfinite(result.final_losses))
    assert result.fits[0].final_loss != result.fits[1].final_loss
    assert result._repr_png_()[:4] == b"\x89PNG"


def test_run_bridge_trains_three_ways_and_draws_the_loss_curves():
    config = BridgeConfig(width=4, depth=2, n_train=10, gradient_steps=20, mutation_steps=30)
    result = run_bridge(config)
    curves = result.curves()
    assert len(curves) == 3
    assert len(result.mutation.losses) <= 31 and np.all(np.diff(result.mutation.losses) <= 0)
    assert result._repr_png_()[:4] == b"\x89PNG"
