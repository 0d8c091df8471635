"""Fully connected nets and perceptrons as samplers of Boolean functions.

``truth_tables(spec, key, first, n_nets, init=, sigma_w=, sigma_b=)`` returns the packed truth
tables ((n_nets, n_words) uint64, MSB-first; see :mod:`.tables`) of nets ``first …`` of the
run with ``key`` — the compiled path.  :mod:`.reference` is the plain path for the same nets.
"""

from __future__ import annotations

import numpy as np

from minimodels.analysis.sampling.models import ACTIVATIONS, MLPSpec
from minimodels.analysis.sampling.tables import table_words, unpacked_truth_tables
from minimodels.models.inits import bias_scale, check_scheme, weight_scale

__all__ = ["layer_scales", "truth_tables", "unpacked_truth_tables"]


def layer_scales(spec: MLPSpec, init: str, sigma_w: float, sigma_b: float):
    """Per-layer multipliers of the raw draws: (weights, biases), float64 arrays."""
    check_scheme(init, sigma_w, sigma_b)
    fan_ins = spec.widths[:-1]
    outputs = [i == len(fan_ins) - 1 for i in range(len(fan_ins))]
    layers = list(zip(fan_ins, outputs, strict=True))
    w = [weight_scale(fan_in=f, scheme=init, sigma_w=sigma_w, output=o) for f, o in layers]
    b = [bias_scale(fan_in=f, scheme=init, sigma_b=sigma_b, output=o) for f, o in layers]
    return np.array(w, dtype=np.float64), np.array(b, dtype=np.float64)


def truth_tables(
    spec: MLPSpec,
    key: int | np.uint64,
    first: int,
    n_nets: int,
    *,
    init: str = "gaussian",
    sigma_w: float = 1.0,
    sigma_b: float = 1.0,
) -> np.ndarray:
    """Packed truth tables of nets ``first … first + n_nets − 1`` of the run with ``key``."""
    import numba

    from minimodels.analysis.sampling import _mlp_kernel as kernel
    from minimodels.analysis.sampling.streams import ZIG_F, ZIG_K, ZIG_W

    scale_w, scale_b = layer_scales(spec, init, sigma_w, sigma_b)
    out = np.zeros((n_nets, table_words(spec.n_inputs)), dtype=np.uint64)
    kernel.sample_mlp(
        np.uint64(key),
        int(first),
        np.array(spec.widths, dtype=np.int64),
        bool(spec.bias),
        ACTIVATIONS.index(spec.activation),
        0 if init == "gaussian" else 1,
        kernel.parameter_scales(spec.widths, spec.bias, scale_w, scale_b),
        (ZIG_K, ZIG_W, ZIG_F),
        8 * numba.get_num_threads(),  # chunks of nets; results do not depend on it
        out,
    )
    return out


def reference_truth_tables(
    spec: MLPSpec, key: int, first: int, n_nets: int, *, init="gaussian", sigma_w=1.0, sigma_b=1.0
) -> np.ndarray:
    """(n_nets, 2^n) uint8 truth tables by the plain NumPy path (slow; for tests)."""
    from minimodels.analysis.sampling import reference

    scale_w, scale_b = layer_scales(spec, init, sigma_w, sigma_b)
    indices = np.arange(first, first + n_nets)
    layers = reference.reference_parameters(
        spec, key, indices, init=init, scale_w=scale_w, scale_b=scale_b
    )
    return reference.reference_truth_tables(spec, layers)
