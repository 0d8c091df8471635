"""Activation functions by name: ``relu``, ``tanh``, ``gelu`` (exact, erf-based), ``quadratic``
(z ↦ z²), ``linear`` (identity), ``sigmoid`` (z ↦ 1 / (1 + e^−z)) and ``elu`` (z for z > 0,
e^z − 1 otherwise)."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from minimodels.base.errors import UsageError

ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "relu": jax.nn.relu,
    "tanh": jnp.tanh,
    "gelu": lambda z: jax.nn.gelu(z, approximate=False),
    "quadratic": jnp.square,
    "linear": lambda z: z,
    "sigmoid": jax.nn.sigmoid,
    "elu": jax.nn.elu,
}


def check_activation(name: str) -> None:
    if name not in ACTIVATIONS:
        raise UsageError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")


def activate(name: str, z: jax.Array) -> jax.Array:
    return ACTIVATIONS[name](z)
