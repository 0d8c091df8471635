"""The Occam papers' deep priors: P(K) of 7-64×10-1 nets, tanh vs ReLU, as σw grows.

Valle-Pérez, Camargo & Louis (ICLR 2019) and Mingard et al. ("Deep neural networks have an
inbuilt Occam's razor", 2023/2025) sample deep fully connected nets on all 2^7 = 128 inputs of
{0,1}^7 — here 10 hidden layers of width 64 — and histogram the Lempel–Ziv complexity K of the
Boolean functions drawn.  A deep tanh net passes from an ordered to a chaotic regime as the
weight scale σw grows (Poole et al. 2016; Schoenholz et al. 2017): its functions become as
complex as random strings and the simplicity bias goes.  A ReLU net has no such transition:
it is positively homogeneous, so with σb = 0 the function does not depend on σw at all, and
with σb > 0 σw only sets the weights' share against the biases.

Initialisation (read from the papers' public code; see :mod:`minimodels.models.inits`): every
weight ``W ~ N(0, σw²/fan_in)``, every bias ``b ~ N(0, σb²)`` (σb not scaled by fan_in), on
every layer including the output; inputs in {0,1} (their ``--centering`` flag, ±1, is not
the default).  That is the lab's ``"gaussian"`` scheme, so no new name is needed.
:data:`SIGMA_B` = 1 is their code's default (nn-pacbayes ``utils.py``, flag ``sigmab``).

``run(config)`` samples every (activation, σw) with the same seed (common random numbers: the
same standard draws, rescaled), returns the per-setting P(K), mean K with its standard error,
and the fraction of nets computing a constant function, beside K of uniformly random strings;
:func:`chaos_verdict` judges the claim from those numbers.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from minimodels.analysis.sampling import sample_functions
from minimodels.analysis.sampling.models import ACTIVATIONS
from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback
from minimodels.models.inits import check_scheme

if TYPE_CHECKING:
    from minimodels.analysis.sampling.tables import FunctionTable

__all__ = [
    "DEEP_MODEL",
    "SIGMA_B",
    "OccamConfig",
    "OccamPoint",
    "OccamResult",
    "chaos_verdict",
    "layer_stds",
    "run",
]

DEEP_MODEL = "7-" + "-".join(["64"] * 10) + "-1"  # 7 inputs, 10 hidden layers of 64, 1 output
SIGMA_B = 1.0  # the papers' code default (nn-pacbayes utils.py: sigmab = 1.0)


def layer_stds(widths: tuple[int, ...], sigma_w: float, sigma_b: float):
    """The papers' per-layer standard deviations: (σw/√fan_in, σb) for each layer."""
    check_scheme("gaussian", sigma_w, sigma_b)
    return [(sigma_w / math.sqrt(fan_in), sigma_b) for fan_in in widths[:-1]]


@dataclass(frozen=True)
class OccamConfig:
    """Which deep nets to sample, how many, and at which scales."""

    model: str = DEEP_MODEL  # widths only; the activation is appended per setting
    activations: tuple[str, ...] = ("tanh", "relu")
    sigma_ws: tuple[float, ...] = (1.0, 2.0, 4.0)
    sigma_b: float = SIGMA_B
    samples: dict[str, int] = field(default_factory=lambda: {"tanh": 5_000, "relu": 10_000})
    seed: int = 0
    n_random: int = 20_000  # random strings for the reference K distribution

    def validated(self) -> OccamConfig:
        """This config, checked: refuses (one sentence) an unknown activation, a σ that is
        not a finite number ≥ 0, or a sample count below 1."""
        if "-" not in self.model or ":" in self.model:
            raise UsageError(
                f"model {self.model!r} must be widths only, like {DEEP_MODEL!r}", option="model"
            )
        for activation in self.activations:
            if activation not in ACTIVATIONS:
                raise UsageError(
                    f"unknown activation {activation!r}; choose from {', '.join(ACTIVATIONS)}",
                    option="activations",
                )
        if not self.sigma_ws:
            raise UsageError("sigma_ws must name at least one σw", option="sigma_ws")
        for sigma_w in self.sigma_ws:
            check_scheme("gaussian", sigma_w, self.sigma_b)
        for activation in self.activations:
            n = self.samples.get(activation)
            if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1:
                raise UsageError(
                    f"samples[{activation!r}] = {n!r} must be a whole number ≥ 1",
                    option="samples",
                )
        return self

    def spec(self, activation: str) -> str:
        return self.model if activation == "relu" else f"{self.model}:{activation}"

    def command(self) -> str:
        activation = self.activations[0]
        return (
            f"minimodels sample --model {self.spec(activation)} --init gaussian "
            f"--sigma-w {self.sigma_ws[-1]:g} --sigma-b {self.sigma_b:g} "
            f"--samples {self.samples[activation]} --seed {self.seed} --out runs/occam"
        )


@dataclass(frozen=True)
class OccamPoint:
    """One (activation, σw): the marginal P(K) and its headline numbers."""

    activation: str
    sigma_w: float
    n_samples: int
    n_functions: int
    k_values: np.ndarray
    p_k: np.ndarray
    mean_k: float
    se_k: float  # standard error of mean_k
    constant_fraction: float  # of samples computing constant 0 or constant 1


@dataclass(frozen=True)
class OccamResult(Drawable):
    """The P(K) of every (activation, σw); ``plot()`` draws it (minimodels.plotting.occam)."""

    config: OccamConfig
    points: list[OccamPoint]
    random_k_values: np.ndarray
    random_p_k: np.ndarray

    @property
    def random_mean_k(self) -> float:
        return float(np.sum(self.random_k_values * self.random_p_k))

    def point(self, activation: str, sigma_w: float) -> OccamPoint:
        for p in self.points:
            if p.activation == activation and p.sigma_w == sigma_w:
                return p
        raise KeyError((activation, sigma_w))

    def rows(self) -> list[dict]:
        return [
            {
                "activation": p.activation,
                "σw": p.sigma_w,
                "samples": p.n_samples,
                "distinct functions": p.n_functions,
                "mean K_LZ": round(p.mean_k, 1),
                "± s.e.": round(p.se_k, 1),
                "constant functions": round(p.constant_fraction, 3),
            }
            for p in self.points
        ]


def point_from_table(activation: str, sigma_w: float, table: FunctionTable) -> OccamPoint:
    """P(K), mean K (± s.e.) and the constant fraction of one sampled function table."""
    from minimodels.analysis import complexity

    bits = table.truth_tables()
    k = np.asarray(complexity.k_lz(bits), dtype=np.float64)
    counts = table.counts.astype(np.float64)
    n = float(counts.sum())
    mean = float(np.sum(k * counts) / n)
    var = float(np.sum((k - mean) ** 2 * counts) / max(n - 1.0, 1.0))
    constant = (bits.min(axis=1) == bits.max(axis=1)) if bits.size else np.zeros(0, bool)
    k_values, inverse = np.unique(k, return_inverse=True)
    return OccamPoint(
        activation=activation,
        sigma_w=float(sigma_w),
        n_samples=int(n),
        n_functions=table.n_functions,
        k_values=k_values,
        p_k=np.bincount(inverse, weights=counts / n),
        mean_k=mean,
        se_k=math.sqrt(var / n),
        constant_fraction=float(counts[constant].sum() / n),
    )


def run(config: OccamConfig, *, on_progress: ProgressCallback | None = None) -> OccamResult:
    """Sample every (activation, σw) of ``config`` (this process, all cores) and summarise."""
    from minimodels.analysis.sampling.analysis import random_k_distribution

    config = config.validated()
    points = []
    for activation in config.activations:
        for sigma_w in config.sigma_ws:
            table = sample_functions(
                config.spec(activation),
                samples=config.samples[activation],
                seed=config.seed,
                init="gaussian",
                sigma_w=sigma_w,
                sigma_b=config.sigma_b,
                shard_size=1 << 12,
                backend="serial",
                on_progress=on_progress,
            )
            points.append(point_from_table(activation, sigma_w, table))
    rng = np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=(45,)))
    n_bits = 2 ** int(config.model.split("-")[0])
    random_values, random_p = random_k_distribution(n_bits, rng=rng, n_strings=config.n_random)
    return OccamResult(config, points, random_values, random_p)


def chaos_verdict(result: OccamResult) -> tuple[str, str]:
    """(verdict, evidence) for "deep tanh nets lose their simplicity bias as σw grows, ReLU
    nets do not", from the mean K at the smallest and largest σw.

    Let rise = mean K(tanh, σw max) − mean K(tanh, σw min), its standard error s (the two
    standard errors in quadrature), and change = |mean K(relu, σw max) − mean K(relu, σw min)|.
    tanh's K rises *clearly* when rise ≥ max(4 s, 0.1 · K̄_random) (K̄_random: mean K of uniformly
    random strings of the same length); ReLU's changes *little* when change ≤ rise / 2.

    * supported — tanh rises clearly and ReLU changes little;
    * mixed — tanh rises clearly but ReLU changes as much as half of that too;
    * inconclusive — the samples cannot resolve 0.1 · K̄_random (4 s exceeds it) and tanh
      does not rise clearly;
    * refuted — they could, and tanh's K does not rise clearly;
    * untested — the run lacks tanh or ReLU nets, or a second σw.
    """
    sigmas = result.config.sigma_ws
    low, high = min(sigmas), max(sigmas)
    if not {"tanh", "relu"} <= set(result.config.activations) or low == high:
        return "untested", "needs tanh and ReLU nets at two or more σw"
    t0, t1 = result.point("tanh", low), result.point("tanh", high)
    r0, r1 = result.point("relu", low), result.point("relu", high)
    rise = t1.mean_k - t0.mean_k
    s = math.hypot(t0.se_k, t1.se_k)
    change = abs(r1.mean_k - r0.mean_k)
    floor = 0.1 * result.random_mean_k
    clear = rise >= max(4.0 * s, floor)
    if clear:
        verdict = "supported" if change <= rise / 2 else "mixed"
    else:
        verdict = "inconclusive" if 4.0 * s > floor else "refuted"
    evidence = (
        f"σw {low:g} → {high:g} (σb = {result.config.sigma_b:g}): mean K_LZ of tanh nets "
        f"{t0.mean_k:.1f} → {t1.mean_k:.1f} (rise {rise:+.1f} ± {s:.1f}), of ReLU nets "
        f"{r0.mean_k:.1f} → {r1.mean_k:.1f} (change {change:.1f}); random strings "
        f"{result.random_mean_k:.1f}"
    )
    return verdict, evidence
