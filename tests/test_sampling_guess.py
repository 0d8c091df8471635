"""Guess and check (P_B by rejection from a function table): what it refuses."""

import numpy as np
import pytest

from minimodels.analysis.sampling import guess_and_check
from minimodels.analysis.sampling.tables import from_strings

TABLE = from_strings(["0000", "0001", "0111"], [5, 3, 2])  # n = 2 inputs


def test_labels_and_inputs_are_not_silently_rounded():
    with pytest.raises(ValueError, match="must be 0 or 1"):
        guess_and_check(TABLE, [0], [0.5])  # once cast to uint8, 0.5 became label 0
    with pytest.raises(ValueError, match="as integers"):
        guess_and_check(TABLE, [1.7], [1])  # once cast to int64, 1.7 became input 1
    posterior = guess_and_check(TABLE, np.array([3]), np.array([1.0]))  # float 0/1 labels are fine
    assert posterior.n_accepted == 5 and list(posterior.functions) == ["000", "011"]
