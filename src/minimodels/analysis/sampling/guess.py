"""P_B(f | S) by guess and check (Mingard et al.'s "method 1", SCIENCE.md §B.5).

Sample parameters at random, keep those whose function fits the training set S exactly, and
tabulate the kept functions on the remaining (test) inputs: the fraction of kept samples that
compute a test function is its Bayesian posterior probability P_B(f | S) under the prior of the
parameter distribution.  The acceptance rate is P(S) itself, the marginal likelihood.

Data model: ``train_inputs`` are input indices i (row i of the truth table, x1 most
significant) and ``train_labels`` their 0/1 targets; the test inputs are all other indices in
increasing order, and a test function is the '0'/'1' string of f on them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from minimodels.analysis.sampling.runs import sample_functions
from minimodels.analysis.sampling.tables import FunctionTable
from minimodels.base.errors import UsageError

__all__ = ["Posterior", "guess_and_check"]


@dataclass(frozen=True)
class Posterior:
    train_inputs: np.ndarray  # (|S|,) input indices
    train_labels: np.ndarray  # (|S|,) 0/1
    test_inputs: np.ndarray  # the other indices, increasing
    functions: np.ndarray  # (m,) '0'/'1' strings on the test inputs, most probable first
    counts: np.ndarray  # (m,) accepted samples per test function
    n_samples: int
    n_accepted: int

    @property
    def acceptance_rate(self) -> float:
        return self.n_accepted / self.n_samples if self.n_samples else 0.0

    @property
    def p_bayes(self) -> np.ndarray:
        return self.counts / max(1, self.n_accepted)


def guess_and_check(
    source: FunctionTable | str,
    train_inputs,
    train_labels,
    *,
    samples: int = 100_000,
    seed: int = 0,
    **sampling,
) -> Posterior:
    """P_B on the test inputs from a sample table, or from ``samples`` fresh models of a spec."""

    table = (
        source
        if isinstance(source, FunctionTable)
        else sample_functions(source, samples=samples, seed=seed, **sampling)
    )
    size = 1 << table.n_inputs
    train, labels = np.asarray(train_inputs), np.asarray(train_labels)
    if train.shape != labels.shape or train.ndim != 1:
        raise UsageError("train_inputs and train_labels must be 1-D and of equal length")
    whole = train.dtype.kind in "iu" or train.size == 0
    in_range = whole and (train >= 0).all() and (train < size).all()
    if not in_range or len(np.unique(train)) != len(train):
        raise UsageError(f"train_inputs must be distinct indices in 0..{size - 1}, as integers")
    if labels.dtype.kind not in "biuf" or ((labels != 0) & (labels != 1)).any():
        raise UsageError(f"train_labels must be 0 or 1, got {labels.tolist()[:8]}")
    train, labels = train.astype(np.int64), labels.astype(np.uint8)
    test = np.setdiff1d(np.arange(size), train)
    bits = table.truth_tables()
    fits = (bits[:, train] == labels).all(axis=1)
    restricted = bits[fits][:, test]
    counts_in = table.counts[fits]
    if len(restricted):
        rows, inverse = np.unique(restricted, axis=0, return_inverse=True)
        counts = np.bincount(inverse.ravel(), weights=counts_in).astype(np.int64)
    else:
        rows, counts = np.zeros((0, len(test)), dtype=np.uint8), np.zeros(0, dtype=np.int64)
    order = np.argsort(-counts, kind="stable")
    strings = np.array(["".join(map(str, r)) for r in rows[order]], dtype=object)
    return Posterior(
        train, labels, test, strings, counts[order], table.n_samples, int(counts_in.sum())
    )
