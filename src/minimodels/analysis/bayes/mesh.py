"""Quantised mesh nets in the Boolean protocol: P_evolution vs P_B over discrete weights.

The substrate (:class:`QuantisedMeshSubstrate`) is a :class:`~minimodels.learners.nets.mesh.MeshNet`
with the ``"spread"`` encoding (input ``x_i`` ∈ {0, 1} on column ``(2i + 1)·width // (2n)`` of
row 0, x1 leftmost, every other cell 0) whose every weight and bias is one of ``levels``.  A
net's Boolean function is ``output > 0`` on each of the ``2^n`` inputs (rows numbered as in
:mod:`minimodels.analysis.bayes.protocol`).

Parameters are a vector of *level indices*, ``(n_params,)`` ints in ``0 … len(levels) − 1``,
in the order of :func:`jax.flatten_util.ravel_pytree` over the MeshNet's parameter dict — the
state of :func:`minimodels.learners.nets.quantised.evolve_quantised` — which is ``W, W_out, b,
b_out`` (keys sorted), each flattened row-major.  A stack of them is ``(N, n_params)``.

* The **prior** is uniform: every index independently uniform over the levels.
* **P_evolution** (:func:`evolve_mesh`): a uniformly random start, then the shared
  :func:`minimodels.learners.mutation.mutation_walk` with single-point mutations (one parameter
  chosen uniformly gets a different level, uniformly), kept when the *number of training errors*
  does not rise (``"<="``), stopping at 0 errors or after ``steps`` attempts — the loss, the
  acceptance rule and the stop are those of the rule arrays' adaptive evolution.  Runs that do
  not fit S within the budget are counted as attempts but not tallied.
* **P_B** (f | S): uniformly random level vectors that fit S, on the test rows — exactly by
  enumerating all ``len(levels)^n_params`` of them (:func:`exact_mesh_posterior`, tiny meshes)
  or by rejection (:func:`random_mesh_plan`).

Truth tables come from a compiled loop (:func:`truth_tables`, numba, the sampler's
``evaluate_mesh`` per net) and, on the plain path, from the JAX model itself
(:func:`reference_truth_tables`: ``Quantised(MeshNet).apply``); tests hold them equal.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from functools import cache, cached_property

import numba as nb
import numpy as np

from minimodels.analysis.bayes.protocol import (
    BlockResult,
    FunctionCounts,
    Plan,
    Split,
    bits_to_strings,
    exact_posterior,
)
from minimodels.analysis.sampling._substrate_kernels import evaluate_mesh
from minimodels.analysis.sampling.substrates import boolean_inputs
from minimodels.analysis.sampling.tables import count_functions, merge_tables, unpacked_truth_tables
from minimodels.base.errors import UsageError
from minimodels.base.resources import format_count
from minimodels.learners.mutation import Walk, mutation_walk
from minimodels.runtime.plans import run_here, seeded_runs

__all__ = [
    "QuantisedMeshSubstrate",
    "enumerate_mesh_functions",
    "evolve_mesh",
    "evolve_mesh_functions",
    "exact_mesh_posterior",
    "mesh_evolution_plan",
    "random_mesh_functions",
    "random_mesh_plan",
    "reference_truth_tables",
    "truth_tables",
]

MAX_ENUMERATED = 1 << 24  # parameter settings an exact enumeration may visit


@dataclass(frozen=True)
class QuantisedMeshSubstrate:
    """Mesh nets with discrete weights as learners of n-bit Boolean functions.

    ``levels`` are kept sorted: level index ``i`` means the ``i``-th smallest level.
    """

    width: int = 5
    depth: int = 2
    r: str = "1"
    levels: tuple[float, ...] = (-1.0, 0.0, 1.0)
    activation: str = "relu"
    boundary: str = "cyclic"

    def __post_init__(self) -> None:
        from minimodels.learners.nets.mesh import normalise_range
        from minimodels.learners.nets.quantised import check_levels

        object.__setattr__(self, "r", normalise_range(self.r))
        object.__setattr__(self, "levels", check_levels(self.levels))
        if self.activation not in ("relu", "linear"):
            raise UsageError(
                f"mesh activation {self.activation!r} is not supported here; choose relu or linear"
            )
        self.model(1)  # width, depth and boundary are valid

    def model(self, n: int):
        """The :class:`~minimodels.learners.nets.mesh.MeshNet` reading ``n`` inputs."""
        from minimodels.learners.nets.mesh import MeshNet

        return MeshNet(
            self.width, self.depth, self.r, self.activation, self.boundary, "spread", n_inputs=n
        )

    @property
    def n_neighbours(self) -> int:
        return 3 if self.r == "1" else 2

    @property
    def n_params(self) -> int:
        return self.depth * self.width * (self.n_neighbours + 1) + self.n_neighbours + 1

    @property
    def n_settings(self) -> int:
        """Number of distinct parameter vectors, ``len(levels)^n_params``."""
        return len(self.levels) ** self.n_params

    @cached_property
    def kernel_order(self) -> np.ndarray:
        """``(n_params,)``: position ``i`` of the compiled layout (W, b, W_out, b_out) holds
        entry ``kernel_order[i]`` of a level-index vector (ravel_pytree order)."""
        sizes = {
            "W": self.depth * self.width * self.n_neighbours,
            "b": self.depth * self.width,
            "W_out": self.n_neighbours,
            "b_out": 1,
        }
        starts = dict(zip(sizes, np.cumsum([0, *sizes.values()])[:-1].tolist(), strict=True))
        kernel_positions = np.concatenate(
            [np.arange(starts[k], starts[k] + sizes[k]) for k in sorted(sizes)]  # JAX sorts keys
        )
        return np.argsort(kernel_positions).astype(np.int64)

    def check(self, n: int) -> None:
        """One sentence if ``n`` inputs do not fit this mesh (or are more than one word holds)."""
        if not 1 <= n <= 6:
            raise UsageError(
                f"quantised mesh nets take 1..6 inputs here (one 64-bit word), got {n}"
            )
        self.model(n)


def _input_rows(n: int, substrate: QuantisedMeshSubstrate) -> np.ndarray:
    """Row 0 for every input, ``(width, 2^n)`` float32 (the compiled kernel's layout)."""

    rows = np.zeros((substrate.width, 2**n), dtype=np.float32)
    rows[list(substrate.model(n).input_columns())] = boolean_inputs(n).T
    return rows


@nb.njit(cache=True)
def _table_words(indices, order, grid, inputs, depth, width, n_nb, brick, cyclic, relu, readout):
    """Packed truth tables ``(N, n_words)`` (bit 63 − i of word 0 = input i) of level-index
    vectors ``(N, n_params)``; ``order`` maps the kernel layout (W, b, W_out, b_out) to them."""
    n_words = max(1, inputs.shape[1] // 64)
    words = np.zeros((indices.shape[0], n_words), dtype=np.uint64)
    params = np.empty(order.shape[0], dtype=np.float32)
    h = np.empty(inputs.shape, dtype=np.float32)
    g = np.empty(inputs.shape, dtype=np.float32)
    for net in range(indices.shape[0]):
        for i in range(order.shape[0]):
            params[i] = grid[indices[net, order[i]]]
        evaluate_mesh(
            params, inputs, depth, width, n_nb, brick, cyclic, relu, readout, h, g, words[net]
        )
    return words


@dataclass(frozen=True)
class _Evaluator:
    """The compiled truth-table path for one substrate and number of inputs."""

    n: int
    substrate: QuantisedMeshSubstrate

    @cached_property
    def inputs(self) -> np.ndarray:
        return _input_rows(self.n, self.substrate)

    @cached_property
    def grid(self) -> np.ndarray:
        return np.asarray(self.substrate.levels, dtype=np.float32)

    @cached_property
    def layout(self) -> tuple:
        """The kernel's fixed arguments after the parameters and inputs."""
        s = self.substrate
        return (
            s.depth, s.width, s.n_neighbours, s.r == "1/2", s.boundary == "cyclic",
            s.activation == "relu", s.model(self.n).readout,
        )  # fmt: skip

    def words(self, indices: np.ndarray) -> np.ndarray:
        """``(N, n_words)`` packed tables of level-index vectors ``(N, n_params)``."""
        order = self.substrate.kernel_order
        indices = np.ascontiguousarray(indices, dtype=np.int64)
        return _table_words(indices, order, self.grid, self.inputs, *self.layout)

    def tables(self, indices: np.ndarray) -> np.ndarray:

        return unpacked_truth_tables(self.words(indices), self.n)


@cache
def _evaluator(n: int, substrate: QuantisedMeshSubstrate) -> _Evaluator:
    return _Evaluator(n, substrate)


def truth_tables(n: int, substrate: QuantisedMeshSubstrate, indices: np.ndarray) -> np.ndarray:
    """``(N, 2^n)`` uint8 functions of level-index vectors ``(N, n_params)`` (compiled path)."""
    indices = _checked_indices(substrate, indices)
    return _evaluator(n, substrate).tables(indices)


def reference_truth_tables(
    n: int, substrate: QuantisedMeshSubstrate, indices: np.ndarray
) -> np.ndarray:
    """The same through the JAX model, ``Quantised(MeshNet).apply`` (the plain path)."""
    from minimodels.learners.nets.quantised import Quantised

    indices = _checked_indices(substrate, indices)
    inputs = boolean_inputs(n)
    values = np.asarray(substrate.levels, dtype=np.float32)[indices]
    outputs = _jax_outputs(Quantised(substrate.model(n), substrate.levels))
    return (np.asarray(outputs(values, inputs.astype(np.float32))) > 0).astype(np.uint8)


@cache
def _jax_outputs(model):
    """Jitted ``(values (N, n_params) in ravel_pytree order, x) -> (N, rows)`` for ``model``."""
    import jax
    import jax.numpy as jnp
    from jax.flatten_util import ravel_pytree

    template = jax.eval_shape(lambda k: model.draw(k, "gaussian", 1.0, 1.0), jax.random.key(0))
    _, unravel = ravel_pytree(jax.tree.map(lambda s: jnp.zeros(s.shape, jnp.float32), template))
    return jax.jit(lambda values, x: jax.vmap(lambda v: model.apply(unravel(v), x)[:, 0])(values))


def _checked_indices(substrate: QuantisedMeshSubstrate, indices: np.ndarray) -> np.ndarray:
    indices = np.atleast_2d(np.asarray(indices))
    if indices.shape[1] != substrate.n_params:
        raise UsageError(
            f"a level-index vector of this mesh has {substrate.n_params} entries, "
            f"got {indices.shape[1]}"
        )
    if indices.size and (indices.min() < 0 or indices.max() >= len(substrate.levels)):
        raise UsageError(f"level indices must lie in 0..{len(substrate.levels) - 1}")
    return indices.astype(np.int64)


# -- P_evolution -------------------------------------------------------------------------------


def evolve_mesh(
    split: Split,
    substrate: QuantisedMeshSubstrate,
    *,
    steps: int,
    rng: np.random.Generator,
    accept: str = "<=",
    start: np.ndarray | None = None,
) -> Walk:
    """Adaptive evolution of a level-index vector on S via :func:`mutation_walk`.

    Loss: number of training rows where the net's bit differs from the target; stops at 0.
    ``start`` defaults to a uniformly random vector drawn from ``rng`` (the prior of P_B).
    """
    substrate.check(split.n)
    evaluator = _evaluator(split.n, substrate)
    n_levels, n_params = len(substrate.levels), substrate.n_params
    state = rng.integers(0, n_levels, n_params) if start is None else np.array(start, np.int64)
    mask, target = (int(words[0]) for words in split.packed_train_masks())  # n ≤ 6: one word

    def loss(indices: np.ndarray) -> float:
        word = int(evaluator.words(indices[None])[0, 0])
        return float(((word ^ target) & mask).bit_count())

    def propose(indices: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, tuple]:
        where = int(rng.integers(n_params))
        old = int(indices[where])
        new = int(rng.integers(n_levels - 1))
        new += new >= old  # a different level, uniformly
        changed = indices.copy()
        changed[where] = new
        return changed, (where, old, new)

    return mutation_walk(
        state, loss=loss, propose=propose, steps=steps, rng=rng, accept=accept, stop_at=0.0
    )


def _evolve_block(args: tuple) -> BlockResult:
    """Worker: evolution runs for a block of seeds; (test functions, n_unfit, seconds)."""
    split, substrate, steps, seeds = args
    started = time.perf_counter()
    evaluator = _evaluator(split.n, substrate)
    functions: Counter[str] = Counter()
    n_unfit = 0
    for seed in seeds:
        walk = evolve_mesh(split, substrate, steps=steps, rng=np.random.default_rng(seed))
        final = walk.losses[-1] if len(walk.losses) else walk.initial_loss
        if final > 0:
            n_unfit += 1
            continue
        table = evaluator.tables(np.asarray(walk.state)[None])
        functions[bits_to_strings(table[:, split.test])[0]] += 1
    return functions, n_unfit, time.perf_counter() - started


def mesh_evolution_plan(
    split: Split,
    substrate: QuantisedMeshSubstrate,
    *,
    n_runs: int,
    steps: int,
    seed: int,
    n_shards: int = 1,
) -> Plan:
    """P_evolution: ``n_runs`` runs, run ``i`` from ``SeedSequence(seed).spawn(n_runs)[i]``
    (so the tally does not depend on the sharding or the backend)."""
    substrate.check(split.n)
    if steps < 0:
        raise UsageError(f"steps = {steps} must be ≥ 0")
    tasks = seeded_runs((split, substrate, steps), n_runs, n_shards, seed)
    return Plan(_evolve_block, tasks, n_runs)


def evolve_mesh_functions(
    split: Split, substrate: QuantisedMeshSubstrate, **options
) -> FunctionCounts:
    """Run :func:`mesh_evolution_plan` here and now (its keywords, plus ``run_plan``'s)."""
    return run_here(mesh_evolution_plan, split, substrate, **options)


# -- P_B: rejection and exact enumeration ------------------------------------------------------


def _random_mesh_block(args: tuple) -> BlockResult:
    """Worker: sample blocks ``(seed, size)``; test functions of the vectors that fit S."""
    split, substrate, blocks = args
    started = time.perf_counter()
    evaluator = _evaluator(split.n, substrate)
    kept: list[str] = []
    n_drawn = 0
    for seed, size in blocks:
        rng = np.random.default_rng(seed)
        indices = rng.integers(0, len(substrate.levels), (size, substrate.n_params))
        kept.extend(split.fitting_test_functions(evaluator.words(indices))[1].tolist())
        n_drawn += size
    return Counter(kept), n_drawn - len(kept), time.perf_counter() - started


def random_mesh_plan(
    split: Split,
    substrate: QuantisedMeshSubstrate,
    *,
    n_samples: int,
    seed: int,
    n_shards: int = 1,
    batch: int = 1 << 14,
) -> Plan:
    """P_B of quantised mesh nets by rejection: uniformly random level vectors that fit S.

    Samples come in blocks of ``batch``; block ``b`` draws from
    ``SeedSequence(seed).spawn(n_blocks)[b]`` and shards are runs of whole blocks, so the tally
    does not depend on the number of shards either.
    """
    substrate.check(split.n)
    if n_samples < 1:
        raise UsageError(f"number of samples must be at least 1, got {n_samples}")
    if batch < 1:
        raise UsageError(f"batch = {batch} must be at least 1")
    sizes = [min(batch, n_samples - start) for start in range(0, n_samples, batch)]
    blocks = list(zip(np.random.SeedSequence(seed).spawn(len(sizes)), sizes, strict=True))
    groups = np.array_split(np.arange(len(blocks)), min(n_shards, len(blocks)))
    tasks = [(split, substrate, [blocks[b] for b in group]) for group in groups]
    return Plan(_random_mesh_block, tasks, n_samples)


def random_mesh_functions(
    split: Split, substrate: QuantisedMeshSubstrate, **options
) -> FunctionCounts:
    """Run :func:`random_mesh_plan` here and now."""
    return run_here(random_mesh_plan, split, substrate, **options)


def enumerate_mesh_functions(
    n: int, substrate: QuantisedMeshSubstrate, *, chunk: int = 1 << 16
) -> tuple[np.ndarray, np.ndarray]:
    """Every level vector's function: (distinct truth tables ``(F, 2^n)``, counts ``(F,)``).

    Vector number ``v`` has level index ``(v // L^(P−1−i)) % L`` at position ``i`` (base-L
    digits, ``L = len(levels)``, ``P = n_params``); the counts add up to ``L^P``.
    """
    if substrate.n_settings > MAX_ENUMERATED:
        raise UsageError(
            f"{format_count(substrate.n_settings)} parameter settings are too many to "
            "enumerate "
            f"(at most 2^24); use rejection sampling"
        )

    evaluator = _evaluator(n, substrate)
    n_levels, n_params = len(substrate.levels), substrate.n_params
    powers = n_levels ** np.arange(n_params - 1, -1, -1, dtype=np.int64)
    parts = []
    for start in range(0, substrate.n_settings, chunk):
        numbers = np.arange(start, min(start + chunk, substrate.n_settings), dtype=np.int64)
        parts.append(count_functions(evaluator.words((numbers[:, None] // powers) % n_levels), n))
    table = merge_tables(parts)
    return table.truth_tables(), table.counts


def exact_mesh_posterior(
    split: Split, substrate: QuantisedMeshSubstrate
) -> tuple[np.ndarray, np.ndarray]:
    """Exact P_B(f | S) by enumerating every level vector: (test functions, probabilities)."""
    tables, counts = enumerate_mesh_functions(split.n, substrate)
    return exact_posterior(tables, counts.astype(float), split)
