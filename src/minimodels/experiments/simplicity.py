"""Simplicity bias of random models (SCIENCE.md §B): sample, count functions, look.

:class:`SimplicityConfig` names the model and its initialisation: by default a 7-40-40-1 ReLU
net, Gaussian σw = σb = 1; ``perceptron:7`` (no bias: the number of ones is uniform on
0 … 2^n − 1, the entropy bias of Mingard et al. 2019), random rule arrays (``rulearray:…``)
and mesh nets (``mesh:…``) are measured the same way.  The analysis gives rank vs probability
with the Zipf line, P(f) vs K_LZ with the fitted bound log2 P ≤ −a·K − b, the marginal P(K)
beside random strings, the number of ones; distinct functions and the fraction seen once.
:data:`PAPER` is the published scale.

``run(config)`` is pure: it samples (in this process, all cores) and analyses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from minimodels.analysis.sampling import sample_functions
from minimodels.analysis.sampling.analysis import analyse
from minimodels.base.progress import ProgressCallback

if TYPE_CHECKING:
    from minimodels.analysis.sampling.analysis import BiasAnalysis
    from minimodels.analysis.sampling.tables import FunctionTable

__all__ = ["SimplicityConfig", "SimplicityResult", "run"]


@dataclass(frozen=True)
class SimplicityConfig:
    model: str = "7-40-40-1"
    init: str = "gaussian"
    sigma_w: float = 1.0
    sigma_b: float = 1.0
    samples: int = 1_000_000
    seed: int = 0

    def command(self) -> str:
        return (
            f"minimodels sample --model {self.model} --init {self.init} "
            f"--sigma-w {self.sigma_w:g} --sigma-b {self.sigma_b:g} --samples {self.samples:.0e} "
            f"--seed {self.seed} --out runs/bias && minimodels bias-plots runs/bias"
        )


PAPER = SimplicityConfig(samples=10**8)  # Valle-Pérez et al. used 10^7–10^10


@dataclass(frozen=True)
class SimplicityResult:
    config: SimplicityConfig
    table: FunctionTable
    analysis: BiasAnalysis

    def plot(self):
        return self.analysis.plot()


def run(config: SimplicityConfig, *, on_progress: ProgressCallback | None = None):
    """Sample ``config.samples`` models, count their functions, analyse the table."""

    table = sample_functions(
        config.model,
        samples=config.samples,
        seed=config.seed,
        init=config.init,
        sigma_w=config.sigma_w,
        sigma_b=config.sigma_b,
        shard_size=1 << 16,
        backend="serial",
        on_progress=on_progress,
    )
    rng = np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=(1,)))
    if config.model.startswith("rulearray"):
        label = f"{config.model}, every cell's rule uniform from the set"
    else:
        bias = ", no bias" if config.model.startswith("perceptron") else f" σb={config.sigma_b:g}"
        label = f"{config.model}, {config.init} σw={config.sigma_w:g}{bias}"
    return SimplicityResult(config, table, analyse(table, rng=rng, label=label, n_random=20_000))
