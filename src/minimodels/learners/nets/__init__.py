"""Continuous minimal models in JAX: fully connected nets and mesh nets, trained by the thousand.

Design: pure functions over parameter pytrees.  A model is a small frozen dataclass that only
describes a *shape* (:class:`MLP`, :class:`MeshNet`); it is hashable, so it is a static
argument of compiled code, and its methods ``init(key=…)`` → params and
``apply(params, x)`` → outputs are pure.  Parameters are plain pytrees of arrays (a tuple of
``{"W", "b"}`` dicts for an MLP, a dict of four arrays for a mesh net — shapes in
:mod:`~minimodels.learners.nets.mlp` and :mod:`~minimodels.learners.nets.mesh`), so ``jax.grad``,
``jax.vmap`` and optax apply to them directly, N nets are the same pytree with a leading axis, and
saving is a flat npz (:mod:`~minimodels.learners.nets.io`).  We chose this over module objects
(equinox) to keep one dependency fewer and to make "many nets at once" nothing more than ``vmap``.

* :mod:`~minimodels.learners.nets.mlp` — ``MLP(widths, activation)``: ``x (n, n_in) → (n, n_out)``;
* :mod:`~minimodels.learners.nets.mesh` — ``MeshNet(width, depth, r="1"|"1/2", …)``: each neuron
  sees the 3 (r = 1) or 2 (r = 1/2, brick) nearest neurons of the row above, laid out exactly as a
  rule array's cells (DESIGN.md §2), one readout neuron below the last row;
* ``Init`` — a named initialisation of DESIGN.md §4, from the one registry
  :mod:`minimodels.models.inits` that the samplers read too;
* :mod:`~minimodels.learners.nets.train` — optax training: :func:`train` (one net) and
  :func:`train_many` (N nets in one compiled, masked loop), built from
  :mod:`~minimodels.learners.nets.training` (the ``Training`` config and data checks),
  :mod:`~minimodels.learners.nets.step` (one masked step) and :mod:`~minimodels.learners.nets.pool`
  (slots);
* :mod:`~minimodels.learners.nets.fitting` — Wolfram-style fitting of 1-D targets (bump, step, sin,
  …);
* :mod:`~minimodels.learners.nets.quantised` — mesh nets with discrete weight levels, trained by a
  straight-through gradient or by mutation (:func:`minimodels.learners.mutation.mutation_walk`);
* :mod:`~minimodels.learners.nets.io` — save/load parameters + config (npz + JSON, exact round
  trip).

Example — the SGD-vs-Bayes setup, 10^4 nets at once, each trained to 100 % train accuracy::

    import jax, minimodels as mm
    nets = mm.nets
    model = nets.MLP("7-40-40-1")
    training = nets.Training("sgd", 1e-3, momentum=0.9, loss="mse",
                             max_steps=20_000, target_accuracy=1.0)
    result = nets.train_many(model, x_train, nets.signed_targets(bits_train), training,
                             keys=jax.random.split(jax.random.key(seed), 10_000),
                             init=nets.Init("gaussian", 1.0, 1.0))
    functions = result.predict(x_test)[..., 0] > 0        # (10_000, n_test) bools
    result.fitted, result.n_steps                          # (10_000,) each

Every random choice comes from an explicit JAX key (``key=``); the same key gives the same
result bit for bit on the same platform, on CPU or GPU without code changes.
"""

from __future__ import annotations

from minimodels.learners.nets.activations import ACTIVATIONS
from minimodels.learners.nets.fitting import Fit, fit, fit_many
from minimodels.learners.nets.io import load_net, save_net
from minimodels.learners.nets.mesh import MeshNet
from minimodels.learners.nets.mlp import MLP, parse_widths
from minimodels.learners.nets.quantised import Evolved, Quantised, evolve_quantised
from minimodels.learners.nets.train import (
    LOSSES,
    OPTIMIZERS,
    ManyResult,
    Training,
    TrainResult,
    apply_many,
    init_many,
    signed_targets,
    train,
    train_many,
)
from minimodels.models.inits import SCHEMES, Init

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "MLP",
    "OPTIMIZERS",
    "SCHEMES",
    "Evolved",
    "Fit",
    "Init",
    "ManyResult",
    "MeshNet",
    "Quantised",
    "TrainResult",
    "Training",
    "apply_many",
    "evolve_quantised",
    "fit",
    "fit_many",
    "init_many",
    "load_net",
    "parse_widths",
    "save_net",
    "signed_targets",
    "train",
    "train_many",
]
