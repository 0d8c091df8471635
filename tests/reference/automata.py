"""Rule arrays, adaptive evolution and multiway graphs by hand (DESIGN.md §2–§3).

A rule array is a list of rows of rule numbers; an input is a list of 0/1 cells.  Loss is the
number of wrong (training case, readout cell) pairs.  :func:`evolve` is the learner of
DESIGN.md §3 drawing the random stream of ``minimodels.learners.evolution`` (its module docstring):
the start array, then per block of at most ``BLOCK`` steps the cells, then the choices.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass, field

import numpy as np

BLOCK = 1 << 14


def step_row(rule: int, above: list[int], t: int, *, brick: bool, cyclic: bool) -> list[int]:
    """Row t from row t − 1 under one rule per cell (``rule`` a list: one rule per cell)."""
    width = len(above)

    def cell(x: int) -> int:
        if cyclic:
            return above[x % width]
        return above[x] if 0 <= x < width else 0

    out = []
    for x in range(width):
        if brick:  # odd rows read (x, x + 1), even rows (x − 1, x); (p, q) → bit 2p + q
            p, q = (cell(x), cell(x + 1)) if t % 2 == 1 else (cell(x - 1), cell(x))
            out.append((rule[x] >> (2 * p + q)) & 1)
        else:  # (left, centre, right) → bit 4a + 2b + c
            out.append((rule[x] >> (4 * cell(x - 1) + 2 * cell(x) + cell(x + 1))) & 1)
    return out


def output(rules: list[list[int]], inputs: list[int], *, brick=False, cyclic=True) -> list[int]:
    """The bottom row of the array run on one input row."""
    row = list(inputs)
    for t, rule_row in enumerate(rules, start=1):
        row = step_row(rule_row, row, t, brick=brick, cyclic=cyclic)
    return row


@dataclass
class Learner:
    """A readout task as plain lists: inputs, readout columns, target bits, train mask."""

    inputs: list[list[int]]
    readout: list[int]
    targets: list[list[int]]
    train: list[bool]
    brick: bool = False
    cyclic: bool = True

    @classmethod
    def of(cls, task, *, brick=False, cyclic=True) -> Learner:
        return cls(
            [list(map(int, row)) for row in task.inputs],
            [int(c) for c in task.readout],
            [list(map(int, row)) for row in task.targets],
            [bool(t) for t in task.train],
            brick,
            cyclic,
        )

    def answers(self, rules) -> list[list[int]]:
        return [
            [output(rules, row, brick=self.brick, cyclic=self.cyclic)[c] for c in self.readout]
            for row in self.inputs
        ]

    def loss(self, rules) -> int:
        wrong = 0
        for got, want, counted in zip(self.answers(rules), self.targets, self.train, strict=True):
            if counted:
                wrong += sum(g != w for g, w in zip(got, want, strict=True))
        return wrong

    def accuracy(self, rules, cases: list[bool]) -> float:
        right = [
            got == want
            for got, want, c in zip(self.answers(rules), self.targets, cases, strict=True)
            if c
        ]
        return sum(right) / len(right) if right else float("nan")


@dataclass
class Run:
    initial_loss: int
    losses: list[int] = field(default_factory=list)
    n_kept: int = 0
    rules: list[list[int]] = field(default_factory=list)

    @property
    def final_loss(self) -> int:
        return self.losses[-1] if self.losses else self.initial_loss

    @property
    def steps_to_zero(self) -> int | None:
        if self.initial_loss == 0:
            return 0
        for step, loss in enumerate(self.losses):
            if loss == 0:
                return step + 1
        return None


def evolve(learner: Learner, *, depth, rules, steps, seed, accept="<=", stop_at=0) -> Run:
    """Adaptive evolution, one attempted single-cell mutation per step."""
    rng = np.random.default_rng(seed)
    width, n_rules = len(learner.inputs[0]), len(rules)
    start = rng.integers(0, n_rules, size=(depth, width)).tolist()
    index = [list(row) for row in start]  # indices into ``rules``
    loss = learner.loss([[rules[i] for i in row] for row in index])
    run = Run(loss)
    cells: list[int] = []
    choices: list[int] = []
    for s in range(steps):
        if stop_at is not None and loss <= stop_at:
            break
        if s % BLOCK == 0:
            size = min(BLOCK, steps - s)
            cells = rng.integers(0, depth * width, size=size).tolist()
            choices = rng.integers(0, n_rules - 1, size=size).tolist()
        row, col = divmod(cells[s % BLOCK], width)
        old, choice = index[row][col], choices[s % BLOCK]
        index[row][col] = choice if choice < old else choice + 1  # a *different* rule
        new_loss = learner.loss([[rules[i] for i in r] for r in index])
        if new_loss <= loss if accept == "<=" else new_loss < loss:
            loss = new_loss
            run.n_kept += 1
        else:
            index[row][col] = old
        run.losses.append(loss)
    run.rules = [[rules[i] for i in row] for row in index]
    return run


def many_runs_summary(runs: list[Run], learner: Learner) -> dict:
    """ManyRuns.summary() of the rule-array experiment, from its definition."""
    solved = [r.steps_to_zero for r in runs if r.steps_to_zero is not None]
    held_out = [not t for t in learner.train]
    out = {
        "runs": len(runs),
        "solved_fraction": len(solved) / len(runs),
        "median_steps_to_zero": float(statistics.median(solved)) if solved else None,
        "steps_to_zero_quartiles": _quartiles(solved) if solved else None,
        "min_steps_to_zero": float(min(solved)) if solved else None,
        "max_steps_to_zero": float(max(solved)) if solved else None,
        "mean_final_loss": sum(r.final_loss for r in runs) / len(runs),
        "mean_kept": sum(r.n_kept for r in runs) / len(runs),
    }
    if any(held_out):
        out["mean_held_out_accuracy"] = statistics.fmean(
            learner.accuracy(r.rules, held_out) for r in runs
        )
        out["ensemble_held_out_accuracy"] = ensemble_accuracy(runs, learner, held_out)
    return out


def _quartiles(values: list[int]) -> list[float]:
    """25th and 75th percentiles, linear between order statistics (numpy's default)."""
    if len(values) == 1:
        return [float(values[0])] * 2
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return [float(q1), float(q3)]


def ensemble_accuracy(runs: list[Run], learner: Learner, cases: list[bool]) -> float:
    """Majority vote of the runs' final arrays, bit by bit (a tie votes 1)."""
    answers = [learner.answers(r.rules) for r in runs]
    right = []
    for i, wanted in enumerate(learner.targets):
        if not cases[i]:
            continue
        votes = [sum(a[i][j] for a in answers) for j in range(len(wanted))]
        vote = [1 if 2 * v >= len(runs) else 0 for v in votes]
        right.append(vote == wanted)
    return sum(right) / len(right) if right else float("nan")


def multiway(learner: Learner, *, depth: int, rules, accept="<=") -> dict:
    """Every array of a tiny learner (as tuples of rule numbers, row by row), its loss, the
    kept single mutations out of it, and its fewest kept mutations to zero loss (-1: none)."""
    width = len(learner.inputs[0])
    n_cells = depth * width
    arrays = list(_all_arrays(n_cells, len(rules)))
    position = {a: i for i, a in enumerate(arrays)}
    losses = [
        learner.loss([[rules[a[r * width + c]] for c in range(width)] for r in range(depth)])
        for a in arrays
    ]
    successors: list[list[int]] = []
    for a in arrays:
        out = []
        for cell in range(n_cells):
            for other in range(len(rules)):
                if other != a[cell]:
                    b = position[a[:cell] + (other,) + a[cell + 1 :]]
                    kept = (
                        losses[b] <= losses[position[a]]
                        if accept == "<="
                        else (losses[b] < losses[position[a]])
                    )
                    if kept:
                        out.append(b)
        successors.append(out)
    predecessors: list[list[int]] = [[] for _ in arrays]
    for a, outs in enumerate(successors):
        for b in outs:
            predecessors[b].append(a)
    distance = [-1] * len(arrays)
    queue = deque(i for i, loss in enumerate(losses) if loss == 0)
    for i in queue:
        distance[i] = 0
    while queue:  # breadth first, backwards from every zero-loss array
        b = queue.popleft()
        for a in predecessors[b]:
            if distance[a] < 0:
                distance[a] = distance[b] + 1
                queue.append(a)
    names = [tuple(rules[d] for d in a) for a in arrays]
    return {"arrays": names, "losses": losses, "successors": successors, "distance": distance}


def multiway_summary(learner: Learner, *, depth: int, rules, accept="<=") -> dict:
    """Multiway.summary() of a tiny learner, from :func:`multiway`."""
    graph = multiway(learner, depth=depth, rules=rules, accept=accept)
    arrays, losses, successors, distance = (
        graph["arrays"], graph["losses"], graph["successors"], graph["distance"]
    )  # fmt: skip
    lengths = [d for d in distance if d > 0]
    histogram = [0] * (max(lengths) + 1) if lengths else []
    for d in lengths:
        histogram[d] += 1
    loss_histogram = [0] * (max(losses) + 1)
    for loss in losses:
        loss_histogram[loss] += 1
    return {
        "arrays": len(arrays),
        "edges": sum(len(outs) for outs in successors),
        "zero_loss_arrays": sum(1 for loss in losses if loss == 0),
        "fraction_of_starts_reaching_zero": sum(1 for d in distance if d >= 0) / len(arrays),
        "mean_shortest_path": sum(lengths) / len(lengths) if lengths else None,
        "shortest_path_histogram": histogram,
        "loss_histogram": loss_histogram,
    }


def _all_arrays(n_cells: int, n_rules: int):
    if n_cells == 0:
        yield ()
        return
    for rest in _all_arrays(n_cells - 1, n_rules):
        for digit in range(n_rules):
            yield rest + (digit,)
