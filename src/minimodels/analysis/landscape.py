"""Loss landscapes: filter-normalised slices, Hessian spectra and mode connectivity.

Data model.  ``params`` is any pytree of floating arrays (an :class:`~minimodels.learners.
nets.mlp.MLP`'s is a tuple of ``{"W": (n_in, n_out), "b": (n_out,)}`` dicts) and
``loss_fn(params) -> scalar`` is a closure over the data; pass an accuracy closure instead to
slice accuracy.  A *direction* is a pytree with the params' structure, shapes and dtypes.

* A *neuron* of a leaf with ``ndim ≥ 2`` is an index of its **last** axis — a column
  ``W[:, j]`` in our ``(n_in, n_out)`` layout, an output channel of an ``(h, w, c_in, c_out)``
  conv kernel.  :func:`filter_normalised_direction` (Li et al. 2018) gives each neuron of a
  Gaussian direction the norm of that neuron's weights and zeroes 0-D and 1-D leaves (biases).
* :func:`loss_slice` returns losses at ``params + α·d`` as ``(n_alphas,)``, or at
  ``params + α·d1 + β·d2`` as ``(n_betas, n_alphas)``: rows are β, columns α (``imshow``-ready).
* Hessians are of ``loss_fn`` with respect to the parameters flattened by
  :func:`jax.flatten_util.ravel_pytree`; they are never formed: :func:`hvp` is
  forward-over-reverse, and the spectrum (Lanczos) and trace (Hutchinson) use only products.
* A path between two minima ``a`` and ``b`` is sampled at evenly spaced ``t ∈ [0, 1]``; its
  *barrier* is ``max_t L(t) − ((1 − t) L(0) + t L(1))`` (Draxler et al., Garipov et al.,
  Frankle et al. 2018–20).  :func:`fit_bezier` trains the middle control point ``θ`` of the
  quadratic Bézier ``(1 − t)² a + 2t(1 − t) θ + t² b`` (Garipov et al. 2018).

Everything runs in the params' dtype (float32 unless x64 is on) and returns numpy arrays or
floats; each call traces and compiles its own closures, so a call costs a compile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.flatten_util import ravel_pytree

from minimodels.base.errors import UsageError

Params = Any  # a pytree of floating arrays
LossFn = Callable[[Params], jax.Array]

_CHUNK = 256  # grid points evaluated at once (vmapped); bounds memory on big grids


def _tree_sum(*terms: tuple[Any, Params]) -> Params:
    """``Σ cᵢ · treeᵢ`` leaf by leaf, each leaf kept in the first tree's dtype."""
    coefficients = [c for c, _ in terms]

    def combine(*leaves: jax.Array) -> jax.Array:
        total = sum(c * x for c, x in zip(coefficients, leaves, strict=True))
        return jnp.asarray(total).astype(leaves[0].dtype)

    return jax.tree.map(combine, *(tree for _, tree in terms))


def _points(loss_fn: LossFn, point: Callable[[jax.Array], Params], coords: jax.Array) -> np.ndarray:
    """``loss_fn(point(c))`` for every row ``c`` of ``coords``, vmapped in chunks, compiled."""
    evaluate = jax.jit(lambda cs: jax.lax.map(lambda c: loss_fn(point(c)), cs, batch_size=_CHUNK))
    return np.asarray(evaluate(coords))


def _grid(values: Any, option: str) -> jax.Array:
    grid = jnp.asarray(values)
    if grid.ndim != 1 or grid.shape[0] == 0:
        raise UsageError(
            f"{option} must be a non-empty 1-D sequence, got shape {grid.shape}", option=option
        )
    return grid


def _check_direction(params: Params, direction: Params, message: str) -> None:
    try:
        same = jax.tree.map(lambda p, d: jnp.shape(p) == jnp.shape(d), params, direction)
    except ValueError:  # a different tree structure
        same = False
    if not all(jax.tree.leaves(same)):
        raise UsageError(message, option="directions")


def filter_normalised_direction(params: Params, key: jax.Array) -> Params:
    """A Gaussian direction whose every neuron has the norm of the same neuron in ``params``;
    biases and other 0-D / 1-D leaves are zero (Li et al. 2018, "Visualizing the Loss
    Landscape of Neural Nets")."""
    return _filter_normalised(params, key)


@jax.jit
def _filter_normalised(params: Params, key: jax.Array) -> Params:
    leaves, treedef = jax.tree.flatten(params)
    keys = jax.random.split(key, max(len(leaves), 1))

    def direction(leaf: jax.Array, k: jax.Array) -> jax.Array:
        if leaf.ndim < 2:
            return jnp.zeros_like(leaf)
        d = jax.random.normal(k, leaf.shape, leaf.dtype)
        axes = tuple(range(leaf.ndim - 1))  # everything but the neuron axis
        w_norm = jnp.sqrt(jnp.sum(leaf**2, axis=axes, keepdims=True))  # (1, …, 1, n_neurons)
        d_norm = jnp.sqrt(jnp.sum(d**2, axis=axes, keepdims=True))
        return d * w_norm / jnp.where(d_norm > 0, d_norm, 1)

    return jax.tree.unflatten(treedef, [direction(x, k) for x, k in zip(leaves, keys, strict=True)])


def loss_slice(
    loss_fn: LossFn,
    params: Params,
    directions: Params | tuple[Params, Params],
    alphas: Any,
    *,
    betas: Any = None,
) -> np.ndarray:
    """Losses along one direction, ``(n_alphas,)``, or — with ``betas`` and a pair of
    directions ``(d1, d2)`` — on the plane ``params + α·d1 + β·d2``, ``(n_betas, n_alphas)``."""
    a = _grid(alphas, "alphas")
    if betas is None:
        _check_direction(params, directions, "a 1-D slice needs one direction shaped like params")
        return _points(loss_fn, lambda c: _tree_sum((1, params), (c, directions)), a)
    b = _grid(betas, "betas")
    pair = isinstance(directions, tuple | list) and len(directions) == 2
    message = "a 2-D slice needs directions as a pair (d1, d2), each shaped like params"
    if not pair:
        raise UsageError(message, option="directions")
    d1, d2 = directions
    _check_direction(params, d1, message)
    _check_direction(params, d2, message)
    B, A = jnp.meshgrid(b, a, indexing="ij")  # (n_betas, n_alphas) each
    coords = jnp.stack([A.ravel(), B.ravel()], axis=1)  # (n_betas · n_alphas, 2)
    losses = _points(loss_fn, lambda c: _tree_sum((1, params), (c[0], d1), (c[1], d2)), coords)
    return losses.reshape(b.shape[0], a.shape[0])


def hvp(loss_fn: LossFn, params: Params, v: Params) -> Params:
    """The Hessian of ``loss_fn`` at ``params`` times ``v`` (forward-over-reverse)."""
    return jax.jvp(jax.grad(loss_fn), (params,), (v,))[1]


def _flat_hvp(loss_fn: LossFn, params: Params) -> tuple[Callable[[jax.Array], jax.Array], int]:
    flat, unravel = ravel_pytree(params)
    return (lambda v: ravel_pytree(hvp(loss_fn, params, unravel(v)))[0]), flat.shape[0]


def top_eigenvalues(
    loss_fn: LossFn,
    params: Params,
    *,
    k: int = 1,
    iterations: int = 100,
    key: jax.Array,
    tol: float = 1e-6,
) -> np.ndarray:
    """The ``k`` algebraically largest Hessian eigenvalues, descending, by Lanczos.

    ``iterations`` Lanczos steps (capped at the number of parameters) build a Krylov basis from
    a Gaussian start drawn from ``key``, fully reorthogonalised (twice, classical Gram–Schmidt)
    so no ghost copies appear; the Ritz values (eigenvalues of the tridiagonal) are returned.
    Unlike power iteration, Lanczos ranks eigenvalues by value, not magnitude: a large negative
    eigenvalue is not mistaken for the top one.  One start vector sees each *distinct*
    eigenvalue once: when the residual falls to ``tol`` times the largest ``‖Hv‖`` seen, the
    basis spans an invariant subspace and Lanczos restarts with a fresh random vector
    orthogonal to it, which is how copies of a repeated eigenvalue (and a zero Hessian) are
    found.  The top few Ritz values converge fastest; raise ``iterations`` when eigenvalues
    near the k-th are close together.
    Memory: ``(iterations + 1) × n_params`` floats for the basis.
    """
    matvec, n = _flat_hvp(loss_fn, params)
    if iterations < 1:
        raise UsageError(f"iterations must be at least 1, got {iterations}", option="iterations")
    m = min(iterations, n)
    if not 1 <= k <= m:
        raise UsageError(f"k must be between 1 and {m} (the Lanczos steps), got {k}", option="k")
    dtype = ravel_pytree(params)[0].dtype

    def orthogonal(V: jax.Array, w: jax.Array) -> jax.Array:
        for _ in range(2):  # "twice is enough" (Kahan, Parlett)
            w = w - V.T @ (V @ w)  # rows of V not yet filled are zero
        return w

    def step(i: jax.Array, state: tuple[jax.Array, ...]) -> tuple[jax.Array, ...]:
        V, alpha, beta, scale = state  # (m + 1, n), (m,), (m,), ()
        w = matvec(V[i])
        scale = jnp.maximum(scale, jnp.linalg.norm(w))
        alpha = alpha.at[i].set(V[i] @ w)
        w = orthogonal(V, w)
        residual = jnp.linalg.norm(w)
        restart = residual <= tol * scale
        fresh = orthogonal(V, jax.random.normal(jax.random.fold_in(key, i + 1), (n,), dtype))
        v_next = jnp.where(restart, fresh / jnp.linalg.norm(fresh), w / residual)
        beta = beta.at[i].set(jnp.where(restart, 0, residual))
        return V.at[i + 1].set(v_next), alpha, beta, scale

    @jax.jit
    def lanczos() -> tuple[jax.Array, jax.Array]:
        v0 = jax.random.normal(key, (n,), dtype)
        V = jnp.zeros((m + 1, n), dtype).at[0].set(v0 / jnp.linalg.norm(v0))
        state = (V, jnp.zeros(m, dtype), jnp.zeros(m, dtype), jnp.zeros((), dtype))
        _, alpha, beta, _ = jax.lax.fori_loop(0, m, step, state)
        return alpha, beta

    alpha, beta = (np.asarray(x, dtype=np.float64) for x in lanczos())
    T = np.diag(alpha) + np.diag(beta[:-1], 1) + np.diag(beta[:-1], -1)  # (m, m) tridiagonal
    return np.linalg.eigvalsh(T)[::-1][:k].copy()


def hessian_trace(
    loss_fn: LossFn, params: Params, *, samples: int = 100, key: jax.Array
) -> tuple[float, float]:
    """Hutchinson's estimate of the Hessian's trace, ``E[zᵀHz]`` over Rademacher ``z``:
    ``(mean, standard error)`` of ``samples`` draws (vmapped).  Exact, with zero variance,
    for a diagonal Hessian."""
    if samples < 2:
        raise UsageError(f"samples must be at least 2, got {samples}", option="samples")
    matvec, n = _flat_hvp(loss_fn, params)
    dtype = ravel_pytree(params)[0].dtype

    @jax.jit
    def draws() -> jax.Array:
        z = jax.random.rademacher(key, (samples, n), dtype)  # (samples, n_params)
        return jax.vmap(lambda v: v @ matvec(v))(z)  # (samples,)

    values = np.asarray(draws(), dtype=np.float64)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(samples))


def interpolate(loss_fn: LossFn, params_a: Params, params_b: Params, ts: Any) -> np.ndarray:
    """Losses along the straight line ``(1 − t)·a + t·b``, one per ``t`` in ``ts``."""
    t = _grid(ts, "ts")
    return _points(loss_fn, lambda s: _tree_sum((1 - s, params_a), (s, params_b)), t)


def barrier(losses: Any) -> float:
    """``max_t L(t) − ((1 − t) L(0) + t L(1))`` for losses at evenly spaced ``t`` from 0 to 1
    (the ends included); 0 when the path never rises above the chord between its ends."""
    L = np.asarray(losses, dtype=np.float64)
    if L.ndim != 1 or L.shape[0] < 2:
        raise UsageError(
            f"losses must be a 1-D sequence with both ends of the path, got shape {L.shape}",
            option="losses",
        )
    chord = np.linspace(L[0], L[-1], L.shape[0])
    return float(np.max(L - chord))


def bezier_point(params_a: Params, theta: Params, params_b: Params, t: Any) -> Params:
    """The quadratic Bézier ``(1 − t)² a + 2t(1 − t) θ + t² b`` at ``t``."""
    return _tree_sum(((1 - t) ** 2, params_a), (2 * t * (1 - t), theta), (t**2, params_b))


def fit_bezier(
    loss_fn: LossFn,
    params_a: Params,
    params_b: Params,
    *,
    key: jax.Array,
    steps: int = 500,
    learning_rate: float = 1e-2,
    batch_t: int = 8,
) -> Params:
    """The middle control point ``θ`` of a low-loss quadratic Bézier from ``a`` to ``b``.

    ``θ`` starts at the midpoint ``(a + b)/2`` (the straight line) and Adam minimises the mean
    loss at ``batch_t`` draws of ``t ~ U(0, 1)`` per step; the ends stay fixed.  A loss that is
    mirror-symmetric about the straight line has zero gradient there, so the curve stays
    straight: this finds curved valleys only where the loss itself breaks the symmetry.
    """
    if steps < 0:
        raise UsageError(f"steps must be non-negative, got {steps}", option="steps")
    if batch_t < 1:
        raise UsageError(f"batch_t must be at least 1, got {batch_t}", option="batch_t")
    optimizer = optax.adam(learning_rate)
    theta = _tree_sum((0.5, params_a), (0.5, params_b))

    def path_loss(theta: Params, k: jax.Array) -> jax.Array:
        t = jax.random.uniform(k, (batch_t,))
        return jnp.mean(jax.vmap(lambda s: loss_fn(bezier_point(params_a, theta, params_b, s)))(t))

    def step(i: jax.Array, state: tuple[Params, Any]) -> tuple[Params, Any]:
        theta, opt_state = state
        grads = jax.grad(path_loss)(theta, jax.random.fold_in(key, i))
        updates, opt_state = optimizer.update(grads, opt_state, theta)
        return optax.apply_updates(theta, updates), opt_state

    @jax.jit
    def fit(theta: Params) -> Params:
        return jax.lax.fori_loop(0, steps, step, (theta, optimizer.init(theta)))[0]

    return fit(theta)


def distance(params_a: Params, params_b: Params) -> float:
    """Euclidean distance between two parameter pytrees, over all leaves."""
    return weight_norm(_tree_sum((1, params_a), (-1, params_b)))


def weight_norm(params: Params) -> float:
    """Euclidean norm of all leaves together."""
    return float(jnp.sqrt(sum(jnp.sum(jnp.square(x)) for x in jax.tree.leaves(params))))
