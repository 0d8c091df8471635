"""Grokking lab: modular arithmetic, delayed generalisation and the Fourier mechanism.

The pieces, one module each: :mod:`.data` (a ∘ b mod p, splits, encodings), :mod:`.transformer`
(Nanda et al.'s one-layer transformer), :mod:`.mlp` (Gromov's quadratic MLP), :mod:`.measures`
(progress measures), :mod:`.train` (compiled full-batch AdamW training, checkpoints) and
:mod:`.sweep` (phase diagrams over weight decay, train fraction and the other regularisers).
"""

from minimodels.grokking.data import ModularData, make_data, operation_table
from minimodels.grokking.train import (
    Checkpoint,
    GrokConfig,
    GrokRun,
    train,
    train_many,
    train_seeds,
)

__all__ = [
    "Checkpoint",
    "GrokConfig",
    "GrokRun",
    "ModularData",
    "make_data",
    "operation_table",
    "train",
    "train_many",
    "train_seeds",
]
