"""Grokking lab: modular arithmetic, delayed generalisation and the Fourier mechanism.

The pieces, one module each: :mod:`.data` (a ∘ b mod p, splits, encodings), :mod:`.config`
(:class:`GrokConfig`, its presets and checks), :mod:`.transformer` (Nanda et al.'s one-layer
transformer), :mod:`.mlp` (Gromov's quadratic MLP), :mod:`.measures` (progress measures),
:mod:`.compiled` and :mod:`.runs` (compiled full-batch AdamW training, checkpoints) and
:mod:`.sweep` (phase diagrams over weight decay, train fraction and the other regularisers).

The data and the config load without JAX (the CLI builds its options from ``GrokConfig``
when it starts); the training names load JAX (1.7 s) when first touched.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from minimodels.learners.grokking.config import GrokConfig
from minimodels.learners.grokking.data import ModularData, make_data, operation_table

if TYPE_CHECKING:  # the same names for IDEs and type checkers (runtime: __getattr__)
    from minimodels.learners.grokking.runs import (
        Checkpoint as Checkpoint,
        GrokRun as GrokRun,
        train as train,
        train_many as train_many,
        train_seeds as train_seeds,
    )

_TRAINING = ("Checkpoint", "GrokRun", "train", "train_many", "train_seeds")

__all__ = ["GrokConfig", "ModularData", "make_data", "operation_table", *_TRAINING]


def __getattr__(name: str) -> Any:
    if name not in _TRAINING:
        raise AttributeError(f"module 'minimodels.learners.grokking' has no attribute {name!r}")
    value = getattr(importlib.import_module("minimodels.learners.grokking.runs"), name)
    globals()[name] = value  # cache: later look-ups skip __getattr__
    return value
