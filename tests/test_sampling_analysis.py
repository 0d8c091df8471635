"""A sampled function table draws itself: the analysis behind the picture is the table's."""

import numpy as np

from minimodels.analysis.sampling import tables
from minimodels.analysis.sampling.analysis import analyse


def test_function_table_draws_its_bias_panels_from_its_own_counts():
    table = tables.from_strings(["0" * 8, "01" * 4, "0110" * 2], [6, 3, 1])
    analysis = analyse(table, rng=np.random.default_rng(0))
    assert analysis.n_samples == 10 and analysis.n_functions == 3 and analysis.n_singletons == 1
    assert np.allclose(sorted(analysis.probabilities), [0.1, 0.3, 0.6])
    assert table._repr_png_()[:4] == b"\x89PNG"
