"""The rest of the debate about why nets work (SCIENCE.md §C.4–C.7), as four experiments on the
tiny models minimodels trains fast:

* ``landscape`` (:mod:`.landscape`) — slices along filter-normalised directions, Hessian
  eigenvalues and trace, the barrier between two solutions and a Bézier path round it,
  sharpness vs batch size and test error; local minima vs width, constant vs random
  initialisation, the initialisation scale (lazy vs rich);
* ``double-descent`` (:mod:`.double_descent`) — random features, MLPs and polynomials, noisy and
  clean, and deep vs wide at equal parameters;
* ``scaling`` (:mod:`.scaling`) — power laws in parameters and data, teacher–student and
  modular arithmetic, with bootstrap error bars;
* ``implicit`` (:mod:`.implicit`) — weight norm, K_LZ, sensitivity and test error long past
  100 % training accuracy; the claim "grokking requires L1" as a phase diagram.

Configs in :mod:`.config` (light: the command line reads its options from them without
loading JAX); :func:`run` takes any of them and returns a :class:`DebateResult` (``rows`` the
Parquet table, ``curves`` named arrays, ``numbers`` and :meth:`~DebateResult.summary` the
headline numbers and verdicts).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from minimodels.experiments.debate.config import (
    DoubleDescentConfig,
    ImplicitConfig,
    LandscapeConfig,
    ScalingConfig,
)

if TYPE_CHECKING:  # the same names for IDEs and type checkers (runtime: __getattr__)
    from minimodels.experiments.debate.runs import DebateResult as DebateResult, run as run

_RUNS = ("DebateResult", "run")
__all__ = ["DoubleDescentConfig", "ImplicitConfig", "LandscapeConfig", "ScalingConfig", *_RUNS]


def __getattr__(name: str) -> Any:
    if name not in _RUNS:
        raise AttributeError(f"module 'minimodels.experiments.debate' has no attribute {name!r}")
    value = getattr(importlib.import_module("minimodels.experiments.debate.runs"), name)
    globals()[name] = value
    return value
