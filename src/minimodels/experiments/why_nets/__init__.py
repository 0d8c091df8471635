"""Why nets? Every kind of learner on the same tasks, measured the same way (SCIENCE.md §C.2–C.3).

Universal approximation is not unique to nets: trees, kernel machines, Gaussian processes,
nearest neighbours, polynomials and interpolation can fit any training set too.  What differs is
*which* interpolant each picks.  :func:`run` puts the learners of :mod:`minimodels.analysis.zoo`
side by side on one of three tasks (``config.task``):

* ``bump`` — Wolfram's 1-D bump (1 on [−1/3, 1/3]), 21 training points on [−1, 1]; every
  learner's fit on a grid of [−2, 2], so inside and outside the training range.  Rows: training,
  inside and outside mean squared error against the bump (0 outside).
* ``boolean`` — n = 7 Boolean targets of rising K_LZ (x1 with k of its 128 bits flipped, and
  named functions), ``n_sets`` random training sets S of each size; each learner's function on
  all 128 inputs, its test error (with the majority-class baseline) and the K_LZ of what it
  output.  Where a learner has a prior of its own (random nets, GP draws, random trees, random
  rule arrays, random polynomials), ``prior_samples`` functions drawn with no data at all.
* ``tabular`` — real and synthetic tabular data (:mod:`minimodels.analysis.tabular`) before and
  after each of Grinsztajn et al.'s transformations, over ``seeds`` random splits.

One module per task (:mod:`.bump`, :mod:`.boolean`, :mod:`.tabular`), the config in
:mod:`.config` (light: the command line builds its options from it without loading
scikit-learn or JAX), :func:`run` in :mod:`.runs`.  The result's ``rows`` are one per
learner × setting × seed (the Parquet table ``learners``);
``priors`` (Boolean) one per learner × function; ``curves`` (bump) every learner's fit.
:meth:`LearnersResult.summary` gives the headline numbers and the verdicts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from minimodels.experiments.why_nets.config import TASKS, LearnersConfig

if TYPE_CHECKING:  # the same names for IDEs and type checkers (runtime: __getattr__)
    from minimodels.experiments.why_nets.runs import (
        LearnersResult as LearnersResult,
        compare_learners as compare_learners,
        run as run,
    )

_RUNS = ("LearnersResult", "compare_learners", "run")
__all__ = ["TASKS", "LearnersConfig", *_RUNS]


def __getattr__(name: str) -> Any:
    if name not in _RUNS:
        raise AttributeError(f"module 'minimodels.experiments.why_nets' has no attribute {name!r}")
    value = getattr(importlib.import_module("minimodels.experiments.why_nets.runs"), name)
    globals()[name] = value  # cache: later look-ups skip __getattr__
    return value
