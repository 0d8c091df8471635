"""Gromov's two-layer MLP for a ∘ b mod p: no biases, a power-law (quadratic) activation.

Data model.  The input is ``x = onehot(a) ⊕ onehot(b)`` (length 2p), the output ``p`` logits:

    f(x) = W_out · φ(W_in · x) / width,     W_in (width, 2p),  W_out (p, width)

with entries of both matrices drawn from N(0, init_scale²) and ``φ(z) = z²`` by default
(``"relu"``, ``"gelu"``, ``"tanh"``, ``"identity"`` and ``"cubic"`` are the other choices).
Gromov's 1/width in front keeps the output O(1) at any width in the mean-field way that makes
this net learn features (Gromov 2023, "Grokking modular arithmetic").

Columns ``W_in[:, a]`` and ``W_in[:, p + b]`` are the embeddings of a and b; a hidden neuron's
row is what the Fourier measures look at.  :func:`logits` gathers those two columns instead of
multiplying by the one-hot vector; :func:`logits_reference` does the matrix product.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import jax
import jax.numpy as jnp

from minimodels.base.errors import UsageError

__all__ = ["ACTIVATIONS", "init_mlp", "logits", "logits_reference"]

Params = dict[str, jax.Array]

ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "quadratic": jnp.square,
    "cubic": lambda z: z**3,
    "relu": jax.nn.relu,
    "gelu": jax.nn.gelu,
    "tanh": jnp.tanh,
    "identity": lambda z: z,
}


def check_activation(name: str) -> Callable[[jax.Array], jax.Array]:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise UsageError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}"
        ) from None


def init_mlp(p: int, *, key: jax.Array, width: int = 512, init_scale: float = 1.0) -> Params:
    """``W_in`` (width, 2p) and ``W_out`` (p, width), entries N(0, init_scale²)."""
    if width < 1:
        raise UsageError(f"width = {width} must be at least 1")
    return _init_mlp(p, width, key, init_scale)


@partial(jax.jit, static_argnums=(0, 1))
def _init_mlp(p: int, width: int, key: jax.Array, init_scale: float) -> Params:
    k_in, k_out = jax.random.split(key)
    return {
        "W_in": init_scale * jax.random.normal(k_in, (width, 2 * p), jnp.float32),
        "W_out": init_scale * jax.random.normal(k_out, (p, width), jnp.float32),
    }


def logits_reference(params: Params, x: jax.Array, activation: str = "quadratic") -> jax.Array:
    """``(n, 2p)`` one-hot pairs → ``(n, p)`` logits by plain matrix products."""
    phi = check_activation(activation)
    hidden = phi(x @ params["W_in"].T)  # (n, width)
    return hidden @ params["W_out"].T / params["W_in"].shape[0]


def logits(params: Params, a: jax.Array, b: jax.Array, activation: str = "quadratic") -> jax.Array:
    """The same logits for pairs ``(a, b)``, gathering embedding columns."""
    phi = check_activation(activation)
    p = params["W_out"].shape[0]
    W_in = params["W_in"]
    hidden = phi(W_in[:, a].T + W_in[:, p + b].T)  # (n, width)
    return hidden @ params["W_out"].T / W_in.shape[0]
