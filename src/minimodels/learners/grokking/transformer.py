"""Nanda et al.'s one-layer transformer for a ∘ b mod p, with a fast exact read-out path.

Data model.  The input is the token sequence "a b =" (tokens ``a``, ``b`` in ``0..p-1`` and
``p`` for "="); the prediction is read at the "=" position as ``p`` logits.  Parameters are a
dict of arrays (no LayerNorm, ReLU MLP, attention without biases, as in the paper):

=========  ===================  =========================================
W_E        (p + 1, d_model)     token embedding
W_pos      (3, d_model)         learned positional embedding
W_Q/K/V    (H, d_model, d_head) per-head projections, d_head = d_model / H
W_O        (H, d_head, d_model) per-head output projection
W_in, b_in (d_model, d_mlp), (d_mlp,)
W_out,b_out (d_mlp, d_model), (d_model,)
W_U        (d_model, p)         unembedding
=========  ===================  =========================================

:func:`logits_reference` is the plain causal transformer over all three positions.
:func:`logits` computes the same numbers faster.  With one layer and the read-out at "=",
only the query of the last position matters, and that query is the same for every input
("=" at position 2).  Keys, attention scores and value·output vectors of a token at a position
are therefore *tables* over the p tokens, built once per step, and each example only gathers
two rows; the per-example work left is the MLP and the unembedding.  Both paths are tested
equal.
"""

from __future__ import annotations

import math
from functools import partial

import jax
import jax.numpy as jnp

from minimodels.base.errors import UsageError

__all__ = ["init_transformer", "logits", "logits_reference"]

Params = dict[str, jax.Array]


@partial(jax.jit, static_argnames=("p", "d_model", "n_heads", "d_mlp"))
def init_transformer(
    p: int,
    *,
    key: jax.Array,
    d_model: int = 128,
    n_heads: int = 4,
    d_mlp: int = 512,
    init_scale: float = 1.0,
) -> Params:
    """Nanda et al.'s scheme: N(0, 1/d_model) weights (W_U: N(0, 1/(p+1))), zero biases.

    Every weight is multiplied by ``init_scale``.
    """
    if d_model % n_heads:
        raise UsageError(f"d_model = {d_model} is not divisible by n_heads = {n_heads}")
    d_head = d_model // n_heads
    shapes = {
        "W_E": (p + 1, d_model),
        "W_pos": (3, d_model),
        "W_Q": (n_heads, d_model, d_head),
        "W_K": (n_heads, d_model, d_head),
        "W_V": (n_heads, d_model, d_head),
        "W_O": (n_heads, d_head, d_model),
        "W_in": (d_model, d_mlp),
        "W_out": (d_mlp, d_model),
        "W_U": (d_model, p),
    }
    keys = jax.random.split(key, len(shapes))
    params = {
        name: init_scale * jax.random.normal(k, shape, jnp.float32) / math.sqrt(d_model)
        for k, (name, shape) in zip(keys, shapes.items(), strict=True)
    }
    params["W_U"] = params["W_U"] * math.sqrt(d_model / (p + 1))  # Nanda's 1/sqrt(d_vocab)
    params["b_in"] = jnp.zeros((d_mlp,), jnp.float32)
    params["b_out"] = jnp.zeros((d_model,), jnp.float32)
    return params


def _mlp_and_unembed(params: Params, resid: jax.Array) -> jax.Array:
    hidden = jax.nn.relu(resid @ params["W_in"] + params["b_in"])  # (..., d_mlp)
    resid = resid + hidden @ params["W_out"] + params["b_out"]  # (..., d_model)
    return resid @ params["W_U"]  # (..., p)


def logits_reference(params: Params, tokens: jax.Array) -> jax.Array:
    """The plain causal transformer on ``(n, 3)`` tokens → ``(n, p)`` logits at "="."""
    x = params["W_E"][tokens] + params["W_pos"]  # (n, 3, d)
    q = jnp.einsum("ntd,hde->nhte", x, params["W_Q"])  # (n, H, 3, dh)
    k = jnp.einsum("ntd,hde->nhte", x, params["W_K"])
    v = jnp.einsum("ntd,hde->nhte", x, params["W_V"])
    scores = jnp.einsum("nhqe,nhke->nhqk", q, k) / math.sqrt(q.shape[-1])  # (n, H, 3, 3)
    causal = jnp.tril(jnp.ones((3, 3), bool))
    scores = jnp.where(causal, scores, -jnp.inf)
    pattern = jax.nn.softmax(scores, axis=-1)
    z = jnp.einsum("nhqk,nhke->nhqe", pattern, v)  # (n, H, 3, dh)
    x = x + jnp.einsum("nhqe,hed->nqd", z, params["W_O"])  # (n, 3, d)
    return _mlp_and_unembed(params, x[:, -1])


def logits(params: Params, a: jax.Array, b: jax.Array) -> jax.Array:
    """The same logits as :func:`logits_reference` for pairs ``(a, b)`` (each ``(n,)``)."""
    p = params["W_U"].shape[1]
    W_E, W_pos = params["W_E"], params["W_pos"]
    x_a = W_E[:p] + W_pos[0]  # (p, d): token t at position 0
    x_b = W_E[:p] + W_pos[1]  # (p, d): token t at position 1
    x_eq = W_E[p] + W_pos[2]  # (d,): "=" at position 2, the only query that matters
    d_head = params["W_Q"].shape[-1]
    q = jnp.einsum("d,hde->he", x_eq, params["W_Q"]) / math.sqrt(d_head)  # (H, dh)

    def score_table(x):  # (..., d) -> (..., H): q · key of each token
        return jnp.einsum("...d,hde,he->...h", x, params["W_K"], q)

    def value_out_table(x):  # (..., d) -> (..., H, d): value then output projection
        v = jnp.einsum("...d,hde->...he", x, params["W_V"])
        return jnp.einsum("...he,hef->...hf", v, params["W_O"])

    scores = jnp.stack(
        [
            score_table(x_a)[a],
            score_table(x_b)[b],
            jnp.broadcast_to(score_table(x_eq), (len(a), q.shape[0])),
        ],
        axis=-1,
    )  # (n, H, 3)
    pattern = jax.nn.softmax(scores, axis=-1)
    attended = (
        jnp.einsum("nh,nhd->nd", pattern[..., 0], value_out_table(x_a)[a])
        + jnp.einsum("nh,nhd->nd", pattern[..., 1], value_out_table(x_b)[b])
        + pattern[..., 2] @ value_out_table(x_eq)
    )  # (n, d)
    return _mlp_and_unembed(params, x_eq + attended)
