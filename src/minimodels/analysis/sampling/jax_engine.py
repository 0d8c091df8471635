"""The JAX sampler of fully connected nets: the same nets' law as :mod:`.mlp`, on any JAX device.

Data model
----------
* **Keys.**  A run's key is the 64-bit ``run_key(seed)`` of :mod:`.streams` (the numba engine's
  key), split into two 32-bit words as the data of a ``threefry2x32`` JAX key.  Net g (the
  g-th model of the run, 0 ≤ g < 2^64) draws from ``fold_in(fold_in(key, g >> 32), g & 0xFFFFFFFF)``
  — its own key, so a net's parameters depend only on (seed, g): not on the shard, the batch,
  the backend or the number of workers.
* **Parameters.**  Per net one flat float32 vector in the layout of :mod:`._mlp_kernel`
  (per layer W (fan_in × fan_out, row-major), then b if the spec has biases), ``z · scale``
  with z ~ N(0, 1) (``gaussian``) or U(−1, 1) (``uniform``) from ``jax.random`` and the
  per-parameter scales of ``mlp.layer_scales`` / ``_mlp_kernel.parameter_scales`` — so the
  initialisations are those of DESIGN.md §4, drawn by another generator: the tables are
  *not* bit-identical to the numba engine's, only equal in distribution.
* **Evaluation.**  A batch of B nets at once on all 2^n inputs (row i = binary expansion of i,
  x1 the most significant bit): float32 batched matmuls (B, 2^n, fan_in) @ (B, fan_in,
  fan_out) + b at full float32 precision (``Precision.HIGHEST``: no TF32 on GPUs), the
  activation between layers, output bit 1 exactly when the final pre-activation is > 0
  (DESIGN.md §4).
* **Tables.**  Packed inside the jitted function into uint32 halves and joined on the host into
  the uint64 words of :mod:`.tables` (MSB-first: input i is bit 63 − (i mod 64) of word
  i // 64), so counting, merging and complexity downstream are shared with the numba engine.

Batches always hold ``batch_size(spec)`` nets (a shard's last batch is padded with the nets
that follow and cut), so every net is evaluated by the same compiled function with the same
shapes: one jit per (spec, init, batch size), and a table that is identical run to run and
across shard splits and backends on one platform.  Across platforms (CPU vs GPU) or JAX
versions the float32 summation order may differ, which can flip an output whose
pre-activation is within rounding of 0.  Memory stays bounded: a batch holds about
B × 2^n × max width floats per layer, B chosen to keep that near ``FLOATS_PER_BATCH`` of the
platform.  Nothing leaves the device but the packed words, once per batch.

The random numbers are jax.random's under JAX's defaults (``threefry2x32``,
``jax_threefry_partitionable`` as the installed JAX sets it): another JAX version or setting
may draw other nets.  On one GPU run the shards with ``backend="serial"`` (one process owns
the device; worker processes would each hold a share of its memory).
"""

from __future__ import annotations

import functools

import numpy as np

from minimodels.analysis.sampling.mlp import layer_scales
from minimodels.analysis.sampling.models import MLPSpec
from minimodels.analysis.sampling.substrates import boolean_inputs
from minimodels.analysis.sampling.tables import table_words
from minimodels.base.errors import UsageError
from minimodels.models.inits import check_scheme

__all__ = [
    "batch_size",
    "draw_parameters",
    "has_accelerator",
    "split_layers",
    "truth_tables",
]

# floats in one layer's activations per batch: ~4 MB on a CPU (a batch that stays in cache was
# 3-4x faster than larger ones for 7-40-40-1), ~1 GB on a GPU
FLOATS_PER_BATCH = {"cpu": 1 << 20, "accelerator": 1 << 28}
MAX_BATCH = 1 << 16


def _jax():
    import os

    # several worker processes may share one GPU: let each take what it needs, not 75 % of it
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    import jax

    return jax


def has_accelerator() -> bool:
    """Whether JAX's default device is a GPU/TPU (where ``engine="auto"`` picks JAX)."""
    return _jax().default_backend() != "cpu"


def batch_size(spec: MLPSpec) -> int:
    """Nets per batch: a power of two keeping B × 2^n × max width near the platform's budget."""
    budget = FLOATS_PER_BATCH["accelerator" if has_accelerator() else "cpu"]
    per_net = (1 << spec.n_inputs) * max(spec.widths)
    return int(min(MAX_BATCH, 1 << max(0, (budget // per_net).bit_length() - 1)))


def _parameter_scales(spec: MLPSpec, init: str, sigma_w: float, sigma_b: float) -> np.ndarray:
    from minimodels.analysis.sampling._mlp_kernel import parameter_scales

    scale_w, scale_b = layer_scales(spec, init, sigma_w, sigma_b)
    return parameter_scales(spec.widths, spec.bias, scale_w, scale_b).astype(np.float32)


def _key(key: int):
    jax = _jax()
    data = np.array([int(key) >> 32, int(key) & 0xFFFFFFFF], dtype=np.uint32)
    return jax.random.wrap_key_data(data, impl="threefry2x32")


def _split_first(first: int) -> tuple[np.uint32, np.uint32]:
    return np.uint32(first >> 32), np.uint32(first & 0xFFFFFFFF)


def _draw(jax, init: str, n_params: int, batch: int, key, first_hi, first_lo, scales):
    """(batch, n_params) float32 parameters of nets first … first + batch − 1 (traceable)."""
    jnp = jax.numpy
    lo = first_lo + jnp.arange(batch, dtype=jnp.uint32)  # wraps modulo 2^32 …
    hi = first_hi + (lo < first_lo).astype(jnp.uint32)  # … and carries into the high word

    def one(h, low):
        net_key = jax.random.fold_in(jax.random.fold_in(key, h), low)
        if init == "gaussian":
            return jax.random.normal(net_key, (n_params,), jnp.float32)
        return jax.random.uniform(net_key, (n_params,), jnp.float32, -1.0, 1.0)

    return jax.vmap(one)(hi, lo) * scales


def _layers(spec: MLPSpec, params, reshape):
    """Cut flat parameters (m, n_params) into per-layer (W (m, fan_in, fan_out), b (m, fan_out))."""
    layers, at = [], 0
    m = params.shape[0]
    for fan_in, fan_out in zip(spec.widths[:-1], spec.widths[1:], strict=True):
        w = reshape(params[:, at : at + fan_in * fan_out], (m, fan_in, fan_out))
        at += fan_in * fan_out
        b = None
        if spec.bias:
            b = params[:, at : at + fan_out]
            at += fan_out
        layers.append((w, b))
    return layers


def split_layers(spec: MLPSpec, params: np.ndarray) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """Flat parameters → the per-layer (W, b) list that :mod:`.reference` evaluates."""
    return _layers(spec, np.asarray(params), np.reshape)


@functools.lru_cache(maxsize=32)
def _compiled(spec: MLPSpec, init: str, batch: int, what: str):
    """The jitted draw (``what="params"``) or draw-and-evaluate (``"tables"``) of one batch."""
    jax = _jax()
    jnp = jax.numpy
    n = spec.n_inputs
    rows = 1 << n
    words = table_words(n)
    n_params = spec.n_parameters
    inputs = boolean_inputs(n).astype(np.float32)
    shifts = np.arange(31, -1, -1, dtype=np.uint32)
    # full float32 products: GPUs would otherwise multiply float32 matrices in TF32
    precision = jax.lax.Precision.HIGHEST
    activate = {"relu": jax.nn.relu, "tanh": jnp.tanh, "linear": lambda h: h}[spec.activation]

    def params(key, first_hi, first_lo, scales):
        return _draw(jax, init, n_params, batch, key, first_hi, first_lo, scales)

    def tables(key, first_hi, first_lo, scales):
        layers = _layers(spec, params(key, first_hi, first_lo, scales), jnp.reshape)
        h = None
        for layer, (w, b) in enumerate(layers):
            if layer == 0:  # the 0/1 input matrix is shared by all nets
                g = jnp.einsum("ij,bjk->bik", inputs, w, precision=precision)
            else:  # (B, 2^n, fan_in) @ (B, fan_in, fan_out)
                g = jnp.matmul(h, w, precision=precision)
            if b is not None:
                g = g + b[:, None, :]
            h = g if layer == len(layers) - 1 else activate(g)
        bits = (h[:, :, 0] > 0).astype(jnp.uint32)  # (B, 2^n)
        bits = jnp.pad(bits, ((0, 0), (0, 64 * words - rows)))  # n < 6: the top bits only
        halves = bits.reshape(batch, 2 * words, 32) << shifts
        return halves.sum(axis=2, dtype=jnp.uint32)  # (B, 2·n_words): high, low, high, low …

    return jax.jit(params if what == "params" else tables)


def _batches(spec, key, first, n_nets, init, sigma_w, sigma_b, batch, what):
    check_scheme(init, sigma_w, sigma_b)
    if not isinstance(spec, MLPSpec):
        raise UsageError(f"the JAX engine samples fully connected nets, not {spec!r}")
    batch = int(batch) if batch is not None else batch_size(spec)
    fn = _compiled(spec, init, batch, what)
    run_key = _key(key)
    scales = _jax().numpy.asarray(_parameter_scales(spec, init, sigma_w, sigma_b))  # once
    # dispatch every batch before reading any: the device never waits for the host
    pending = [fn(run_key, *_split_first(first + s), scales) for s in range(0, n_nets, batch)]
    return [np.asarray(part) for part in pending]


def truth_tables(
    spec: MLPSpec,
    key: int | np.uint64,
    first: int,
    n_nets: int,
    *,
    init: str = "gaussian",
    sigma_w: float = 1.0,
    sigma_b: float = 1.0,
    batch: int | None = None,
) -> np.ndarray:
    """Packed truth tables ((n_nets, n_words) uint64) of nets ``first …`` of the run with ``key``.

    ``batch`` (nets per compiled call) defaults to :func:`batch_size`; keep the default for
    tables that are identical across runs.
    """
    parts = _batches(spec, key, first, n_nets, init, sigma_w, sigma_b, batch, "tables")
    if not parts:
        return np.zeros((0, table_words(spec.n_inputs)), dtype=np.uint64)
    halves = np.concatenate(parts)[:n_nets].astype(np.uint64)
    return (halves[:, 0::2] << np.uint64(32)) | halves[:, 1::2]


def draw_parameters(
    spec: MLPSpec,
    key: int,
    first: int,
    n_nets: int,
    *,
    init: str = "gaussian",
    sigma_w: float = 1.0,
    sigma_b: float = 1.0,
    batch: int | None = None,
) -> np.ndarray:
    """(n_nets, n_parameters) float32: the flat parameters :func:`truth_tables` evaluates."""
    parts = _batches(spec, key, first, n_nets, init, sigma_w, sigma_b, batch, "params")
    if not parts:
        return np.zeros((0, spec.n_parameters), dtype=np.float32)
    return np.concatenate(parts)[:n_nets]
