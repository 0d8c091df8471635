"""Sampling speed: 7-40-40-1 ReLU nets, Gaussian σw = σb = 1, sampled and counted end to end.

Prints (median of several repeats, all measured in this run):

* the random-number generator alone: normals/s of our per-net streams (xoshiro256** +
  ziggurat, compiled, all cores) vs NumPy's ``standard_normal`` (float32, SFC64, one core);
* end-to-end samples/s of ``minimodels.sample_functions`` (sampling + counting) vs two
  batched-NumPy samplers (no compiled code, no per-net Python loop), both for batches of 2,000
  nets with three stacked ``matmul`` calls and ReLU on the (128, 7) input matrix and one
  ``np.unique(axis=0)`` over all functions at the end:

  - *plain*: as first written, with NumPy's defaults — ``default_rng`` and ``rng.normal`` in
    float64, outputs packed with ``np.packbits``;
  - *tuned*: float32 parameters from ``Generator(SFC64)`` (its fastest generator), the 128
    output bits packed into two uint64 keys.  About 1.7× the plain one: the ratio to it is
    the demanding one;
* end-to-end samples/s of the JAX engine (``engine="jax"``, on JAX's default device) vs the same
  baseline and vs the numba engine;
* K_LZ of the distinct functions (complexity is computed once per distinct function).

Run: ``python benchmarks/bench_sampling.py [--samples 200000] [--repeats 3]``.  The machine's
load counts: compare ratios, and read the per-CPU-second figures when it is shared.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
from _timing import timed


def plain_numpy_sampler(n: int, *, seed: int, batch: int = 2000) -> int:
    """Batched NumPy with its defaults (float64); returns the number of distinct functions."""
    rng = np.random.default_rng(seed)
    x = ((np.arange(128)[:, None] >> np.arange(6, -1, -1)) & 1).astype(float)
    functions = []
    for start in range(0, n, batch):
        m = min(batch, n - start)
        h = np.maximum(
            x @ rng.normal(0, 1 / np.sqrt(7), (m, 7, 40)) + rng.normal(size=(m, 1, 40)), 0
        )
        h = np.maximum(
            h @ rng.normal(0, 1 / np.sqrt(40), (m, 40, 40)) + rng.normal(size=(m, 1, 40)), 0
        )
        out = h @ rng.normal(0, 1 / np.sqrt(40), (m, 40, 1)) + rng.normal(size=(m, 1, 1))
        functions.append(np.packbits(out[:, :, 0] > 0, axis=1))
    return len(np.unique(np.concatenate(functions), axis=0))


def numpy_sampler(n: int, *, seed: int, batch: int = 2000) -> int:
    """The tuned batched-NumPy baseline; returns the number of distinct functions."""
    rng = np.random.Generator(np.random.SFC64(seed))
    x = ((np.arange(128)[:, None] >> np.arange(6, -1, -1)) & 1).astype(np.float32)
    weights = 1 << np.arange(63, -1, -1, dtype=np.uint64)
    keys = []
    for start in range(0, n, batch):
        m = min(batch, n - start)
        w1 = rng.standard_normal((m, 7, 40), dtype=np.float32) / np.float32(np.sqrt(7))
        b1 = rng.standard_normal((m, 1, 40), dtype=np.float32)
        w2 = rng.standard_normal((m, 40, 40), dtype=np.float32) / np.float32(np.sqrt(40))
        b2 = rng.standard_normal((m, 1, 40), dtype=np.float32)
        w3 = rng.standard_normal((m, 40, 1), dtype=np.float32) / np.float32(np.sqrt(40))
        b3 = rng.standard_normal((m, 1, 1), dtype=np.float32)
        h = np.maximum(x @ w1 + b1, 0)
        h = np.maximum(h @ w2 + b2, 0)
        bits = ((h @ w3 + b3)[:, :, 0] > 0).astype(np.uint64)  # (m, 128)
        keys.append(np.stack([bits[:, :64] @ weights, bits[:, 64:] @ weights], axis=1))
    return len(np.unique(np.concatenate(keys), axis=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=float, default=2e5)
    parser.add_argument("--baseline-samples", type=float, default=2e4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    n, n_base, repeats = int(args.samples), int(args.baseline_samples), args.repeats

    import numba

    import minimodels as mm
    from minimodels.analysis import complexity
    from minimodels.analysis.sampling import _mlp_kernel, mlp
    from minimodels.analysis.sampling.models import parse_model
    from minimodels.analysis.sampling.streams import ZIG_F, ZIG_K, ZIG_W, run_key

    print(
        f"cores: {os.cpu_count()}, numba threads: {numba.get_num_threads()}, "
        f"load average: {os.getloadavg()[0]:.1f}"
    )
    spec = parse_model("7-40-40-1")
    scale_w, scale_b = mlp.layer_scales(spec, "gaussian", 1, 1)
    scales = _mlp_kernel.parameter_scales(spec.widths, True, scale_w, scale_b)
    chunks = 8 * numba.get_num_threads()
    n_normals = n * len(scales)

    # -- the generator alone
    _mlp_kernel.draw_only(run_key(0), 0, 100, scales, (ZIG_K, ZIG_W, ZIG_F), chunks)
    ours, ours_cpu = timed(
        lambda: _mlp_kernel.draw_only(run_key(0), 0, n, scales, (ZIG_K, ZIG_W, ZIG_F), chunks),
        repeats,
    )
    rng = np.random.Generator(np.random.SFC64(0))
    buffer = np.empty(n_base * len(scales), dtype=np.float32)
    theirs, _ = timed(lambda: rng.standard_normal(out=buffer, dtype=np.float32), repeats)
    rate, base_rate = n_normals / ours, buffer.size / theirs
    print(
        f"RNG  streams (compiled, all cores): {rate / 1e6:8.1f} M normals/s "
        f"({n_normals / ours_cpu / 1e6:.1f} M per CPU-second)"
    )
    print(
        f"RNG  numpy standard_normal f32/SFC64: {base_rate / 1e6:6.1f} M normals/s"
        f"   ratio {rate / base_rate:.1f}x"
    )

    # -- end to end
    mm.sample_functions("7-40-40-1", samples=1000, seed=0)  # compile / load the cache
    wall, cpu = timed(lambda: mm.sample_functions("7-40-40-1", samples=n, seed=1), repeats)
    base_wall, base_cpu = timed(lambda: numpy_sampler(n_base, seed=1), repeats)
    fast, base = n / wall, n_base / base_wall
    print(
        f"end to end  minimodels.sample_functions: {fast:10.0f} samples/s "
        f"({n / cpu:.0f} per CPU-second; 10^8 samples in {1e8 / fast / 60:.0f} min)"
    )
    print(
        f"end to end  tuned batched numpy (f32):   {base:10.0f} samples/s "
        f"({n_base / base_cpu:.0f} per CPU-second)   ratio {fast / base:.1f}x "
        f"({(n / cpu) / (n_base / base_cpu):.1f}x per CPU-second)"
    )
    plain_wall, plain_cpu = timed(lambda: plain_numpy_sampler(n_base, seed=1), repeats)
    plain = n_base / plain_wall
    print(
        f"end to end  plain batched numpy (f64):   {plain:10.0f} samples/s "
        f"({n_base / plain_cpu:.0f} per CPU-second)   ratio {fast / plain:.1f}x "
        f"({(n / cpu) / (n_base / plain_cpu):.1f}x per CPU-second; target ≥ 10x)"
    )

    # -- the JAX engine, on whatever device JAX has (compiled once per batch size first)
    import jax

    mm.sample_functions("7-40-40-1", samples=1000, seed=0, engine="jax")
    jax_wall, jax_cpu = timed(
        lambda: mm.sample_functions("7-40-40-1", samples=n, seed=1, engine="jax"), repeats
    )
    on_jax = n / jax_wall
    print(
        f"end to end  sample_functions(engine='jax') on {jax.default_backend()}: {on_jax:7.0f} "
        f"samples/s ({n / jax_cpu:.0f} per CPU-second)   ratio {on_jax / base:.1f}x "
        f"({(n / jax_cpu) / (n_base / base_cpu):.1f}x per CPU-second); "
        f"{on_jax / fast:.2f}x the numba engine"
    )

    # -- complexity of the distinct functions of that run
    table = mm.sample_functions("7-40-40-1", samples=n, seed=1)
    bits = table.truth_tables()
    k_wall, _ = timed(lambda: complexity.k_lz(bits), repeats)
    print(
        f"K_LZ of the {table.n_functions} distinct functions: {k_wall:.2f} s "
        f"({table.n_functions / k_wall:.0f} strings/s)"
    )


if __name__ == "__main__":
    main()
