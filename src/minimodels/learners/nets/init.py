"""Standard draws for the JAX models; the initialisations themselves are
:mod:`minimodels.models.inits`.

A model draws all its parameters as one vector of standard values (N(0, 1) for ``gaussian``,
U(−1, 1) for ``uniform``) and multiplies slices of it by the registry's ``weight_scale`` and
``bias_scale``: one random-number kernel to compile instead of one per layer.
"""

from __future__ import annotations

import jax


def standard_draws(key: jax.Array, n: int, scheme: str) -> jax.Array:
    """``n`` draws from N(0, 1) (``"gaussian"``) or U(−1, 1) (``"uniform"``), to be scaled."""
    if scheme == "gaussian":
        return jax.random.normal(key, (n,))
    return jax.random.uniform(key, (n,), minval=-1.0, maxval=1.0)
