"""The parameter–function map: sample random models, evaluate them on all 2^n Boolean inputs,
count the functions they compute.

* :mod:`.models` — model specs from strings (``"7-40-40-1"``, ``"perceptron:7"``,
  ``"rulearray:…"``, ``"mesh:…"``) and the named initialisations;
* :mod:`.streams` — the per-model random streams (xoshiro256** + ziggurat), keyed by shard;
* :mod:`.mlp` (compiled, :mod:`._mlp_kernel`) and :mod:`.reference` (plain NumPy) — the
  MLP/perceptron sampler, held equal bit for bit by the tests;
* :mod:`.jax_engine` — the same nets' law drawn with jax.random and evaluated by batched
  matmuls on any JAX device, a GPU included (``engine="jax"``; equal in distribution);
* :mod:`.substrates` (compiled, :mod:`._substrate_kernels`) — rule arrays and mesh nets;
* :mod:`.tables` — function tables (packed truth tables + counts) that merge exactly;
* :mod:`.config` — what a run samples (:class:`SampleConfig`) and its size/time checks;
* :mod:`.runs` — sharded runs with deterministic per-shard seeds, any backend of
  :mod:`minimodels.runtime.parallel`, spill to disk and exact ``--resume``;
* :mod:`.files` — the public table (``functions.parquet``, ``summary.json``) written and read
  a chunk at a time;
* :mod:`.analysis` — rank/Zipf, the simplicity-bias bound, P(K), entropy bias;
* :mod:`.guess` — P_B(f | S) by guess and check (rejection).

Truth tables follow DESIGN.md §4: position i holds f(row i), row i the binary expansion of i
with x1 the most significant bit; the output is 1 exactly when the final pre-activation is > 0.
"""

from minimodels.analysis.sampling.config import SampleConfig
from minimodels.analysis.sampling.files import load_run
from minimodels.analysis.sampling.guess import Posterior, guess_and_check
from minimodels.analysis.sampling.models import parse_model
from minimodels.analysis.sampling.runs import SampleRun, sample_functions, sample_run
from minimodels.analysis.sampling.tables import FunctionTable, count_functions, merge_tables

__all__ = [
    "FunctionTable",
    "Posterior",
    "SampleConfig",
    "SampleRun",
    "count_functions",
    "guess_and_check",
    "load_run",
    "merge_tables",
    "parse_model",
    "sample_functions",
    "sample_run",
]
