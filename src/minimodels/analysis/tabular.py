"""Tabular data and the three transformations of Grinsztajn, Oyallon & Varoquaux (2022).

Data model.  A :class:`Dataset` is features ``x`` ``(N, d)`` float64 and binary labels ``y``
``(N,)`` (0/1), with a name.  Every dataset ships with scikit-learn or is generated, so nothing
is downloaded:

* ``breast-cancer`` — 569 tumours, 30 features, malignant or not;
* ``wine`` — 178 wines, 13 features, cultivar 1 against the other two;
* ``diabetes`` — 442 patients, 10 features, disease progression above its median;
* ``synthetic`` — 600 points uniform on [−1, 1]^8, labelled 1 where at least two of
  x1 > 0, x2 > 0.3, x3 < −0.2 hold: a target made of thresholds on single features, the
  axis-aligned, irregular kind that Grinsztajn et al. find in real tabular data.

:func:`split` standardises by the training rows; each transformation then maps a split to a
split, with its own random stream, and is exact (tests hold it):

* ``uninformative`` — appends as many columns as there are features, drawn N(0, 1)
  independently of everything else (Grinsztajn et al.'s finding (a): nets suffer more);
* ``rotated`` — multiplies all features by one random orthogonal matrix (Haar), which keeps
  every pairwise distance (finding (b): trees suffer, nets do not care);
* ``smoothed`` — replaces every label by the Nadaraya–Watson average of the *training* labels
  under a Gaussian kernel of bandwidth ``h`` (in standardised units), thresholded at 1/2: a
  more regular target (finding (c): the gap between trees and nets narrows).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from minimodels.base.errors import UsageError

__all__ = ["DATASETS", "TRANSFORMS", "Dataset", "Split", "load", "split", "transform"]

DATASETS = ("breast-cancer", "wine", "diabetes", "synthetic")
TRANSFORMS = ("original", "uninformative", "rotated", "smoothed")


@dataclass(frozen=True)
class Dataset:
    name: str
    x: np.ndarray  # (N, d) float64
    y: np.ndarray  # (N,) 0/1 float64


@dataclass(frozen=True)
class Split:
    """Standardised training and test rows of one dataset."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def d(self) -> int:
        return int(self.x_train.shape[1])


def load(name: str, *, seed: int = 0) -> Dataset:
    """One of :data:`DATASETS` as binary classification (``seed`` only shapes ``synthetic``)."""
    from sklearn import datasets

    if name == "breast-cancer":
        x, y = datasets.load_breast_cancer(return_X_y=True)
    elif name == "wine":
        x, y = datasets.load_wine(return_X_y=True)
        y = y == 1
    elif name == "diabetes":
        x, y = datasets.load_diabetes(return_X_y=True)
        y = y > np.median(y)
    elif name == "synthetic":
        x = np.random.default_rng(seed).uniform(-1.0, 1.0, (600, 8))
        y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.3) + (x[:, 2] < -0.2) >= 2
    else:
        raise UsageError(
            f"unknown dataset {name!r}; choose from {', '.join(DATASETS)}", option="datasets"
        )
    return Dataset(name, np.asarray(x, np.float64), np.asarray(y, np.float64))


def split(data: Dataset, *, test_fraction: float, rng: np.random.Generator) -> Split:
    """A random stratified split, features standardised by the training rows' mean and s.d."""
    if not 0 < test_fraction < 1:
        raise UsageError(f"test fraction must lie in (0, 1), got {test_fraction}")
    test = np.zeros(len(data.y), dtype=bool)
    for label in np.unique(data.y):
        rows = np.flatnonzero(data.y == label)
        test[rng.choice(rows, size=max(1, round(test_fraction * len(rows))), replace=False)] = True
    mean = data.x[~test].mean(axis=0)
    scale = data.x[~test].std(axis=0)
    scale[scale == 0] = 1.0  # a constant column stays 0
    x = (data.x - mean) / scale
    return Split(data.name, x[~test], data.y[~test], x[test], data.y[test])


def transform(data: Split, how: str, *, rng: np.random.Generator, bandwidth: float = 1.0) -> Split:
    """``data`` under one of :data:`TRANSFORMS` (see the module docstring)."""
    if how == "original":
        return data
    if how == "uninformative":
        d = data.d
        noise_train = rng.standard_normal((len(data.x_train), d))
        noise_test = rng.standard_normal((len(data.x_test), d))
        return replace(
            data,
            x_train=np.hstack([data.x_train, noise_train]),
            x_test=np.hstack([data.x_test, noise_test]),
        )
    if how == "rotated":
        from scipy.stats import special_ortho_group  # scipy.stats takes 0.4 s to import

        rotation = special_ortho_group.rvs(data.d, random_state=rng) if data.d > 1 else np.eye(1)
        return replace(data, x_train=data.x_train @ rotation, x_test=data.x_test @ rotation)
    if how == "smoothed":
        if not bandwidth > 0:
            raise UsageError(f"bandwidth must be positive, got {bandwidth}", option="bandwidth")
        return replace(
            data,
            y_train=smoothed_labels(data.x_train, data.x_train, data.y_train, bandwidth),
            y_test=smoothed_labels(data.x_test, data.x_train, data.y_train, bandwidth),
        )
    raise UsageError(
        f"unknown transformation {how!r}; choose from {', '.join(TRANSFORMS)}", option="transforms"
    )


def smoothed_labels(
    x: np.ndarray, x_train: np.ndarray, y_train: np.ndarray, bandwidth: float
) -> np.ndarray:
    """1 where the Gaussian-kernel average of the training labels at ``x`` is ≥ 1/2."""
    distances = ((x[:, None, :] - x_train[None, :, :]) ** 2).sum(axis=2)
    # subtract each row's smallest distance: the weights' ratios are unchanged, none underflows
    weights = np.exp(-(distances - distances.min(axis=1, keepdims=True)) / (2 * bandwidth**2))
    average = weights @ y_train / weights.sum(axis=1)
    return (average >= 0.5).astype(np.float64)
