"""What a function table says about simplicity bias (SCIENCE.md §B.3–B.4).

``analyse(table, rng=)`` returns a :class:`BiasAnalysis` with

* the rank curve — P(f) of every sampled function, largest first — and the Zipf line
  P(r) = 1 / (ln(2^(2^n)) · r) (the law a map that spreads 2^(2^n) outputs Zipf-like obeys);
* P(f) against K_LZ(f), with the simplicity-bias bound log2 P ≤ −a·K − b fitted on the largest
  log2 P at each K, after dropping functions seen once (their frequency is noise): the tightest
  line that no maximum lies above (least total gap to the maxima), so that it is a bound;
* the marginal P(K) = Σ_{f: K(f) = K} P(f) beside the K distribution of uniformly random
  strings of the same length (exact for 2^n ≤ 16 bits, else sampled with ``rng``);
* the distribution of the number of ones (entropy bias), the number of distinct functions and
  the fraction seen once.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import cast

import numpy as np

from minimodels.analysis import complexity
from minimodels.analysis.sampling.tables import FunctionTable
from minimodels.base.display import Drawable

__all__ = ["BiasAnalysis", "analyse", "fit_bound", "random_k_distribution", "zipf_line"]


def zipf_line(n_inputs: int, ranks: np.ndarray) -> np.ndarray:
    """P(r) = 1 / (ln(2^(2^n)) · r)."""
    return 1.0 / ((2**n_inputs) * math.log(2.0) * np.asarray(ranks, dtype=np.float64))


def fit_bound(k: np.ndarray, counts: np.ndarray, n_samples: int) -> tuple[float, float, dict]:
    """(a, b) of log2 P ≤ −a·K − b, fitted on per-K maxima of functions seen more than once.

    The line lies on or above every maximum and, among such lines, has the least total gap
    to them: a linear programme whose optimum is the edge of the maxima's upper convex hull
    above their mean K.
    """
    keep = counts > 1
    k, log2_p = k[keep], np.log2(counts[keep] / n_samples)
    levels = np.unique(k)
    maxima = np.array([log2_p[k == level].max() for level in levels])
    if len(levels) < 2:
        return math.nan, math.nan, {"k": levels, "log2_p": maxima}
    hull = _upper_hull(levels, maxima)
    mean_k = levels.mean()
    edge = min(int(np.searchsorted(levels[hull], mean_k, side="right")), len(hull) - 1)
    left, right = hull[edge - 1], hull[edge]
    slope = (maxima[right] - maxima[left]) / (levels[right] - levels[left])
    intercept = maxima[left] - slope * levels[left]
    return float(-slope), float(-intercept), {"k": levels, "log2_p": maxima}


def _upper_hull(x: np.ndarray, y: np.ndarray) -> list[int]:
    """Indices of the upper convex hull of points sorted by distinct x, left to right."""
    hull: list[int] = []
    for i in range(len(x)):
        while len(hull) >= 2:
            o, m = hull[-2], hull[-1]
            # drop m if it lies on or below the segment o → i
            if (x[m] - x[o]) * (y[i] - y[o]) - (y[m] - y[o]) * (x[i] - x[o]) >= 0:
                hull.pop()
            else:
                break
        hull.append(i)
    return hull


def random_k_distribution(
    length: int, *, rng: np.random.Generator, n_strings: int = 200_000
) -> tuple[np.ndarray, np.ndarray]:
    """(K values, probabilities) of K_LZ for uniformly random strings of ``length`` bits."""

    if length <= 16:  # every string, exactly
        strings = np.array(list(itertools.product((0, 1), repeat=length)), dtype=np.uint8)
    else:
        strings = rng.integers(0, 2, size=(n_strings, length), dtype=np.uint8)
    values, counts = np.unique(complexity.k_lz(strings), return_counts=True)
    return values, counts / counts.sum()


@dataclass(frozen=True)
class BiasAnalysis(Drawable):
    """Rank curve, P–K scatter with the fitted bound, P(K) and the number-of-ones distribution."""

    label: str
    n_inputs: int
    n_samples: int
    n_functions: int
    n_singletons: int
    probabilities: np.ndarray  # (m,) P(f), sorted by decreasing count
    k_lz: np.ndarray  # (m,) K_LZ of the same functions
    n_ones: np.ndarray  # (m,) number of ones of the same functions
    bound_a: float
    bound_b: float
    bound_points: dict  # {"k": per-K levels, "log2_p": their maxima}
    k_values: np.ndarray  # K levels of the marginal P(K)
    p_k: np.ndarray
    random_k_values: np.ndarray
    random_p_k: np.ndarray

    @property
    def singleton_fraction(self) -> float:
        return self.n_singletons / max(1, self.n_functions)

    def ones_distribution(self) -> np.ndarray:
        """P(number of ones = t) for t = 0 … 2^n."""
        return np.bincount(self.n_ones, weights=self.probabilities, minlength=2**self.n_inputs + 1)

    def numbers(self) -> dict:
        return {
            "samples": self.n_samples,
            "distinct functions": self.n_functions,
            "seen once (fraction of distinct)": round(self.singleton_fraction, 4),
            "P(most common)": float(self.probabilities[0]) if self.n_functions else None,
            "bound a (log2 P ≤ −aK − b)": round(self.bound_a, 3),
            "bound b": round(self.bound_b, 3),
        }


def analyse(
    table: FunctionTable, *, rng: np.random.Generator, label: str = "", n_random: int = 200_000
) -> BiasAnalysis:
    """Everything the simplicity-bias plots need from a function table."""

    order = np.argsort(-table.counts, kind="stable")
    counts = table.counts[order]
    bits = FunctionTable(table.n_inputs, table.words[order], counts).truth_tables()
    k = cast(np.ndarray, complexity.k_lz(bits))  # one value per row
    n = table.n_samples
    a, b, points = fit_bound(k, counts, n)
    k_values, inverse = np.unique(k, return_inverse=True)
    p_k = np.bincount(inverse, weights=counts / n)
    random_values, random_p = random_k_distribution(bits.shape[1], rng=rng, n_strings=n_random)
    return BiasAnalysis(
        label=label,
        n_inputs=table.n_inputs,
        n_samples=n,
        n_functions=table.n_functions,
        n_singletons=int((counts == 1).sum()),
        probabilities=counts / n,
        k_lz=k,
        n_ones=bits.sum(axis=1).astype(np.int64),
        bound_a=a,
        bound_b=b,
        bound_points=points,
        k_values=k_values,
        p_k=p_k,
        random_k_values=random_values,
        random_p_k=random_p,
    )
