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

__all__ = ["SimplicityConfig", "SimplicityResult", "named_functions", "probability_of", "run"]


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
    elif config.model.startswith("poly"):
        label = f"{config.model}, standard normal coefficients"
    else:
        bias = ", no bias" if config.model.startswith("perceptron") else f" σb={config.sigma_b:g}"
        label = f"{config.model}, {config.init} σw={config.sigma_w:g}{bias}"
    return SimplicityResult(config, table, analyse(table, rng=rng, label=label, n_random=20_000))


def named_functions(n_inputs: int) -> dict[str, np.ndarray]:
    """Truth tables (row i = binary i, x1 most significant) of the functions every picture of
    simplicity bias marks: the two constants, parity and its complement."""
    rows = np.arange(2**n_inputs)
    ones = np.array([bin(int(i)).count("1") for i in rows])
    parity = (ones % 2).astype(np.uint8)
    return {
        "constant 0": np.zeros(rows.size, np.uint8),
        "constant 1": np.ones(rows.size, np.uint8),
        "parity": parity,
        "not parity": 1 - parity,
    }


def probability_of(
    table: FunctionTable, truth: np.ndarray, *, bits: np.ndarray | None = None
) -> tuple[int, float, int | None]:
    """(count, P, row) of one function in ``table``: ``row`` its row in ``table`` (None where
    it was never drawn), P the 95 % upper bound 3 / N (the rule of three) where the function
    was never drawn in N samples.  ``bits``: ``table.truth_tables()``, when the caller has it."""
    bits = table.truth_tables() if bits is None else bits
    hit = np.flatnonzero((bits == np.asarray(truth, np.uint8)).all(axis=1))
    row = int(hit[0]) if hit.size else None
    count = 0 if row is None else int(table.counts[row])
    n = table.n_samples
    return count, (count / n if count else 3.0 / n) if n else float("nan"), row
