"""What a sampling run samples (:class:`SampleConfig`) and the checks that refuse a bad one.

Core idea: a run is fixed by its config alone.  :meth:`SampleConfig.validated` checks every
field, refuses in one sentence a run whose table or working memory cannot fit or that would
take too long (:func:`check_size`), and resolves ``engine="auto"``
(:func:`resolve_engine`), so that the config saved with a run names the engine that ran it.

Data model.  :class:`SampleConfig` is a frozen dataclass:

* ``model`` — a spec string (``"7-40-40-1"``, ``"perceptron:7"``, ``"rulearray:…"``,
  ``"mesh:…"``; :func:`minimodels.analysis.sampling.models.parse_model`);
* ``init``, ``sigma_w``, ``sigma_b`` — the initialisation (:mod:`minimodels.models.inits`);
* ``samples`` (1 … :data:`MAX_SAMPLES`), ``seed`` (≥ 0) and ``shard_size``: the run is cut
  into ``n_shards`` shards of ``shard_size`` consecutive models (the last one shorter);
* ``engine`` — one of :data:`ENGINES` (or ``"auto"`` before validation).

The time check assumes no engine beats :data:`FAST_MACS` multiply-adds per second and core,
and that a model costs at least :data:`FLOOR_MACS` of them; a GPU (``jax``) is not timed.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from minimodels.analysis.sampling.models import MLPSpec, parse_model
from minimodels.base.errors import UsageError
from minimodels.base.fields import described
from minimodels.base.resources import check_memory, check_time, plural
from minimodels.models.inits import check_scheme

MAX_SAMPLES = 10**13
ENGINES = ("numba", "jax")


@dataclass(frozen=True)
class SampleConfig:
    """What to sample: the model, its initialisation, how many samples, the seed."""

    model: str = described(
        "7-40-40-1",
        "'7-40-40-1', '7-40-40-1:tanh', 'perceptron:7', 'rulearray:…', 'mesh:…', 'poly:7:3'.",
    )
    init: str = described(
        "gaussian",
        "gaussian (W ~ N(0, σw²/fan_in), b ~ N(0, σb²)) or uniform (±√(6/fan_in); the "
        "output layer ±√(3/fan_in)).",
    )
    sigma_w: float = described(1.0, "Weight scale σw.")
    sigma_b: float = described(1.0, "Bias scale σb.")
    samples: int = described(100_000, "How many models, e.g. 1e6.")
    seed: int = described(0, "Random seed; the same seed reproduces a run bit for bit.", minimum=0)
    shard_size: int = described(1 << 17, "Models per shard (checkpoint unit).")
    engine: str = described(
        "numba",
        "numba (compiled CPU kernels), jax (jax.random + batched matmuls on any JAX device, a "
        "GPU included; use --backend serial on one GPU) or auto (jax where JAX has a GPU, else "
        "numba). The engines agree in distribution, not bit for bit.",
    )

    def validated(self) -> SampleConfig:
        """This config checked, with ``engine="auto"`` resolved to the engine that will run."""
        if not isinstance(self.model, str):
            raise UsageError(f"model must be a spec such as '7-40-40-1', got {self.model!r}")
        spec = parse_model(self.model)
        check_scheme(self.init, self.sigma_w, self.sigma_b)
        engine = resolve_engine(self.engine, self.model, fully_connected=isinstance(spec, MLPSpec))
        if not _whole(self.samples) or not 1 <= self.samples <= MAX_SAMPLES:
            raise UsageError(f"samples must be between 1 and {MAX_SAMPLES:.0e}, got {self.samples}")
        if not _whole(self.shard_size) or self.shard_size < 1:
            raise UsageError(f"shard_size must be at least 1, got {self.shard_size}")
        if not _whole(self.seed) or self.seed < 0:
            raise UsageError(f"seed must be a whole number ≥ 0, got {self.seed!r}")
        check_size(spec, self.samples, self.shard_size, engine)
        return dataclasses.replace(self, engine=engine)

    @property
    def n_shards(self) -> int:
        return -(-self.samples // self.shard_size)

    def shard_samples(self, shard: int) -> int:
        return min(self.shard_size, self.samples - shard * self.shard_size)


# multiply-adds per second and core that no engine beats on a CPU (10× the compiled sampler),
# and a model's least cost in them (drawing its parameters, packing its table)
FAST_MACS = 5e10
FLOOR_MACS = 500


def check_size(spec: Any, samples: int, shard_size: int, engine: str) -> None:
    """Refuse (one sentence) a run whose function table or working memory cannot fit, or
    that would take longer than :func:`minimodels.base.resources.check_time` allows.

    The table holds each distinct function once: at most ``samples`` of them (or all
    2^(2^n)), each its packed words and count, a few times over while merging, plus the
    chunk of strings being written.  Every core holds one shard's words and one model's
    activations on all 2^n inputs.
    """
    n_rows = 1 << spec.n_inputs
    row_bytes = 8 * max(1, n_rows // 64) + 8  # packed words and the count
    entries = min(samples, 2**n_rows)  # there are 2^(2^n) functions
    if hasattr(spec, "widths"):  # a fully connected net
        widths, n_params = spec.widths, spec.n_parameters
    else:  # a rule array or mesh net: a few numbers per cell
        widths, n_params = (spec.width,), 4 * spec.width * spec.depth
    model = 4 * n_params + 12 * max(widths) * n_rows  # parameters, two activation buffers
    if engine == "jax":  # a batch of nets at once
        from minimodels.analysis.sampling.jax_engine import batch_size

        model *= batch_size(spec)
    cores = os.cpu_count() or 1
    check_memory(
        cores * model,
        f"evaluating {spec} on all {n_rows} inputs on each of {cores} cores",
        why="its parameters and activations",
        fix="use a smaller model",
    )
    shard = min(shard_size, samples) * 4 * row_bytes  # the words and their unique-sort
    table = 4 * entries * row_bytes + min(entries, 1 << 20) * 4 * n_rows  # and a chunk written
    what = f"sampling {plural(samples, 'model')} of {spec}"
    check_memory(
        table + cores * shard,
        what,
        why="a table of up to that many distinct functions, and a shard per core",
        fix="lower the samples",
    )
    if engine != "jax":  # a GPU's speed is not this machine's cores'
        macs = (n_params * n_rows + FLOOR_MACS) * float(samples)
        check_time(macs / (FAST_MACS * cores), what, fix="lower the samples")


def _whole(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def resolve_engine(engine: str, model: str, *, fully_connected: bool) -> str:
    """``numba`` or ``jax`` for sampling ``model``; ``auto`` is ``jax`` for fully connected nets
    where JAX has a GPU/TPU, else ``numba``."""
    if engine not in (*ENGINES, "auto"):
        raise UsageError(f"unknown engine {engine!r}; choose one of numba, jax or auto")
    if engine == "jax" and not fully_connected:
        raise UsageError(
            f"engine 'jax' samples fully connected nets and perceptrons, not {model!r}; "
            "use engine 'numba'"
        )
    if engine == "auto":
        if not fully_connected:
            return "numba"
        from minimodels.analysis.sampling.jax_engine import has_accelerator

        return "jax" if has_accelerator() else "numba"
    return engine
