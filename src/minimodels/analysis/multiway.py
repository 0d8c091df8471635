"""Multiway mutation graphs: every array of a tiny rule-array learner, and every allowed step.

Data model.  With ``m`` allowed rules and a ``(depth, W)`` array there are ``m^(depth·W)``
arrays.  Array *id* ``a`` encodes its rules in base ``m``: digit ``c`` of ``a`` (digit 0 least
significant) is the index into ``rules`` of cell ``c = row * W + col``.  :func:`enumerate_losses`
evaluates all of them at once (vectorised over arrays and inputs, in chunks) and returns the
loss of each id.  The *multiway graph* has a node per array and an edge ``a → b`` when ``b``
differs from ``a`` in one cell and the acceptance rule keeps the change (``loss(b) ≤ loss(a)``,
or ``<``); every adaptive-evolution run is then a walk along its edges, which
:func:`walk_follows_edges` checks.  Graphs are ``networkx.DiGraph`` objects with a ``loss``
attribute on every node and export to GraphML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.base.resources import check_memory, check_time, plural
from minimodels.learners.evolution import _check_rule_set
from minimodels.learners.mutation import accepts, check_accept
from minimodels.models.rulearray import RuleArray, parse_range
from minimodels.runtime.storage import atomic_path
from minimodels.tasks import Task

if TYPE_CHECKING:
    import networkx as nx

    from minimodels.learners.evolution import Evolution

__all__ = [
    "Multiway",
    "array_id",
    "check_graph",
    "check_runs",
    "enumerate_losses",
    "enumerate_outputs",
    "multiway",
    "walk_follows_edges",
]

MAX_ARRAYS = 2**20
MAX_GRAPH = 2**16  # nodes; beyond this a networkx graph gets too heavy for a laptop


def _digits(ids: np.ndarray, n_cells: int, base: int) -> np.ndarray:
    """``(len(ids), n_cells)`` rule indices of each array id."""
    return (ids[:, None] // base ** np.arange(n_cells, dtype=np.int64)) % base


def array_id(array: RuleArray, rules: Sequence[int]) -> int:
    """The id of ``array`` (see the module docstring)."""
    lookup = {int(rule): i for i, rule in enumerate(rules)}
    digits = [lookup[int(v)] for v in np.asarray(array.rules).ravel()]
    return int(sum(d * len(rules) ** c for c, d in enumerate(digits)))


def check_runs(runs: int, steps: int) -> None:
    """Refuse (one sentence) ``runs`` checked evolution runs of ``steps`` attempts whose seeds
    cannot fit in memory or whose time is hopeless (at 10^8 attempts per second and core)."""
    import os

    what = f"checking {plural(runs, 'evolution run')} of {plural(steps, 'step')}"
    check_memory(400 * int(runs), what, why="a seed per run", fix="lower the runs")
    seconds = float(runs) * max(int(steps), 1) / (1e8 * (os.cpu_count() or 1))
    check_time(seconds, what, fix="lower the runs or the steps")


def check_graph(n_rules: int, n_cells: int) -> None:
    """Refuse (one sentence) a multiway graph beyond :data:`MAX_GRAPH` nodes before any work."""
    total = n_rules**n_cells
    if total > MAX_GRAPH:
        raise UsageError(
            f"a graph of {n_rules}^{n_cells} arrays ({n_cells} cells: width × depth) is too big "
            f"to build (at most {MAX_GRAPH:,}); lower --width or --depth"
        )


def count_arrays(n_rules: int, n_cells: int) -> int:
    """``n_rules^n_cells``, refused with one sentence beyond :data:`MAX_ARRAYS`."""
    total = n_rules**n_cells
    if total > MAX_ARRAYS:
        raise UsageError(
            f"{n_rules}^{n_cells} = {total} arrays is too many to enumerate (at most {MAX_ARRAYS})"
        )
    return total


def _tables(rules: Sequence[int], brick: bool) -> np.ndarray:
    """``(m, 8 or 4)`` outcome bits of each rule, indexed by neighbourhood number."""
    n = 4 if brick else 8
    return ((np.asarray(rules, dtype=np.int64)[:, None] >> np.arange(n)) & 1).astype(np.uint8)


def enumerate_outputs(
    inputs: np.ndarray,
    readout: Sequence[int],
    *,
    depth: int,
    rules: Sequence[int],
    r: float | str = 1,
    boundary: str = "cyclic",
    chunk: int = 1 << 14,
):
    """Yield ``(ids, bits)`` chunks: the readout bits ``(a, n, len(readout))`` of every array.

    Vectorised over arrays and inputs: one row of all arrays at a time.
    """
    inputs = np.asarray(inputs, dtype=np.uint8)
    brick = parse_range(r) != 1
    width = inputs.shape[1]
    n_cells, base = depth * width, len(rules)
    total = count_arrays(base, n_cells)
    tables = _tables(rules, brick)
    readout = list(readout)
    for start in range(0, total, chunk):
        ids = np.arange(start, min(total, start + chunk), dtype=np.int64)
        digits = _digits(ids, n_cells, base)  # (a, cells)
        state = np.broadcast_to(inputs, (len(ids), *inputs.shape)).astype(np.uint8)
        for t in range(1, depth + 1):  # state (a, n, W) -> next row
            left = np.roll(state, 1, axis=2)  # left[..., x] = state[..., x - 1]
            right = np.roll(state, -1, axis=2)
            if boundary != "cyclic":
                left[..., 0] = 0
                right[..., -1] = 0
            if brick:
                p, q = (state, right) if t % 2 == 1 else (left, state)
                neighbourhood = 2 * p + q
            else:
                neighbourhood = 4 * left + 2 * state + right
            cell_rules = digits[:, (t - 1) * width : t * width]  # (a, W)
            state = tables[cell_rules[:, None, :], neighbourhood]  # (a, n, W)
        yield ids, state[:, :, readout]


def enumerate_losses(
    task: Task,
    *,
    depth: int,
    rules: Sequence[int],
    r: float | str = 1,
    boundary: str = "cyclic",
) -> np.ndarray:
    """Loss of every array id, ``(m^(depth·W),)`` int64."""
    if task.is_lifetime:
        raise UsageError("multiway graphs need a task with readout cells, not a lifetime task")
    losses = np.empty(count_arrays(len(rules), depth * task.width), dtype=np.int64)
    chunks = enumerate_outputs(
        task.inputs, task.readout, depth=depth, rules=rules, r=r, boundary=boundary
    )
    for ids, bits in chunks:
        wrong = bits != task.targets[None]  # (a, n, n_readout)
        losses[ids] = wrong[:, task.train].sum(axis=(1, 2))
    return losses


@dataclass(frozen=True, eq=False)
class Multiway(Drawable):
    """All arrays of one tiny learner, their losses and the multiway graph."""

    task: Task
    depth: int
    rules: tuple[int, ...]
    r: float
    boundary: str
    accept: str
    losses: np.ndarray  # (n_arrays,) int64, indexed by array id

    @property
    def n_arrays(self) -> int:
        return int(self.losses.shape[0])

    @property
    def n_cells(self) -> int:
        return self.depth * self.task.width

    @property
    def n_zero_loss(self) -> int:
        return int((self.losses == 0).sum())

    def neighbours(self, ids: np.ndarray) -> np.ndarray:
        """``(len(ids), cells · (m − 1))`` ids one mutation away."""
        base = len(self.rules)
        digits = _digits(np.asarray(ids, dtype=np.int64), self.n_cells, base)
        place = base ** np.arange(self.n_cells, dtype=np.int64)
        out = []
        for shift in range(1, base):
            new_digits = (digits + shift) % base
            out.append(np.asarray(ids)[:, None] + (new_digits - digits) * place)
        return np.concatenate(out, axis=1)

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The multiway graph: an edge for every single mutation the acceptance rule keeps."""
        import networkx as nx

        if self.n_arrays > MAX_GRAPH:
            raise UsageError(
                f"a graph of {self.n_arrays} arrays is too big to build (at most {MAX_GRAPH})"
            )
        ids = np.arange(self.n_arrays, dtype=np.int64)
        targets = self.neighbours(ids)
        old, new = self.losses[ids][:, None], self.losses[targets]
        keep = new <= old if self.accept == "<=" else new < old
        graph = nx.DiGraph()
        graph.add_nodes_from((int(i), {"loss": int(self.losses[i])}) for i in ids)
        sources = np.broadcast_to(ids[:, None], targets.shape)[keep]
        graph.add_edges_from(zip(sources.tolist(), targets[keep].tolist(), strict=True))
        return graph

    @cached_property
    def distance_to_zero(self) -> np.ndarray:
        """Fewest kept mutations from each array to a zero-loss array (-1: unreachable)."""
        import networkx as nx

        zero = [int(i) for i in np.flatnonzero(self.losses == 0)]
        distance = np.full(self.n_arrays, -1, dtype=np.int64)
        if zero:
            lengths = nx.multi_source_dijkstra_path_length(self.graph.reverse(copy=False), zero)
            for node, length in lengths.items():
                distance[node] = length
        return distance

    def summary(self) -> dict[str, Any]:
        reach = self.distance_to_zero
        lengths = reach[reach > 0]
        return {
            "arrays": self.n_arrays,
            "edges": self.graph.number_of_edges(),
            "zero_loss_arrays": self.n_zero_loss,
            "fraction_of_starts_reaching_zero": float((reach >= 0).mean()),
            "mean_shortest_path": float(lengths.mean()) if lengths.size else None,
            "shortest_path_histogram": np.bincount(lengths).tolist() if lengths.size else [],
            "loss_histogram": np.bincount(self.losses).tolist(),
        }

    def array(self, array_id: int) -> RuleArray:
        digits = _digits(np.array([array_id]), self.n_cells, len(self.rules))[0]
        numbers = np.asarray(self.rules)[digits].reshape(self.depth, self.task.width)
        return RuleArray(numbers, r=self.r, boundary=self.boundary)

    def write_graphml(self, path) -> None:
        """Export the graph (node attributes: loss, rules as a digit string) atomically."""
        import networkx as nx

        graph = self.graph.copy()
        for node in graph.nodes:
            digits = _digits(np.array([node]), self.n_cells, len(self.rules))[0]
            graph.nodes[node]["rules"] = ",".join(str(self.rules[d]) for d in digits)
        with atomic_path(path) as tmp:
            nx.write_graphml(graph, tmp)


def multiway(
    task: Task,
    *,
    depth: int,
    rules: Sequence[int] = (4, 146),
    r: float | str = 1,
    boundary: str = "cyclic",
    accept: str = "<=",
) -> Multiway:
    """Enumerate every array of a tiny learner and its loss; the graph is built on demand."""

    check_accept(accept)
    rule_set = _check_rule_set(rules, parse_range(r))
    if depth < 1:
        raise UsageError(f"depth must be a positive integer, got {depth!r}")
    losses = enumerate_losses(task, depth=depth, rules=rule_set, r=r, boundary=boundary)
    return Multiway(task, depth, rule_set, parse_range(r), boundary, accept, losses)


def walk_follows_edges(graph_or_multiway: Multiway, run: Evolution) -> bool:
    """True when every kept mutation of ``run`` is an edge of the multiway graph."""
    mw = graph_or_multiway
    current = array_id(run.initial, mw.rules)
    for i in range(len(run.kept)):
        after = array_id(run.array_at(int(run.kept.step[i])), mw.rules)
        if i + 1 < len(run.kept) and run.kept.step[i + 1] == run.kept.step[i]:
            continue  # several mutations in one step: check the step as a whole
        if after != current:
            if not mw.graph.has_edge(current, after):
                return False
            if not accepts(mw.losses[after], mw.losses[current], mw.accept):
                return False
        current = after
    return True
