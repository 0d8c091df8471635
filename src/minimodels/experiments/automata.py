"""Cellular automata and rule arrays as pictures, and how fast the engine evaluates them.

Three experiments, each a frozen config and a pure ``run_*`` returning a result that draws
itself:

* :class:`ClassesConfig` / :func:`run_classes`: the elementary rules 4, 30, 90, 110 and 146
  from one cell and from a random row — Wolfram's classes (fixed, nested, random, localised
  structures) at a glance.
* :class:`ArrayConfig` / :func:`run_array`: a random rule array on every single-cell input (or
  on given inputs), the readout cell marked — a {4, 146} array (DESIGN §2), whose readout
  :func:`bump_targets` scores on the bump task (DESIGN §3), or an And/Xor brick array (r = 1/2,
  rules 8 and 6) on the four inputs of two bits a, b from :func:`two_bit_inputs`.
* :class:`SpeedConfig` / :func:`measure_speed`: cell-updates per second (cells x steps x
  inputs) of ``RuleArray.output`` against a straightforward per-input numpy loop, the batched
  numpy reference and CellPyLib, measured live.  ``benchmarks/bench_engine.py`` is the careful
  version of this table.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from minimodels.base.display import Drawable
from minimodels.base.errors import UsageError
from minimodels.base.fields import Text, comma_list, described
from minimodels.base.progress import ProgressCallback, report
from minimodels.models import ca
from minimodels.models.rulearray import RuleArray, single_cell_inputs


# -- one cellular automaton ---------------------------------------------------------------------
def parse_rule(text: str) -> int:
    """A rule number as an int of any size (``30``, ``0x1e``, or a long decimal)."""
    try:
        return int(text, 0)
    except ValueError:
        raise UsageError(f"--rule must be a whole number, got {text!r}", option="rule") from None


@dataclass(frozen=True)
class CAConfig:
    """One cellular automaton from one initial row; ``minimodels ca`` reads its options here."""

    rule: int = described(
        30, "Wolfram rule number (any size; 0x... accepted).", text=Text(parse_rule, str)
    )
    width: int = described(101, "Cells in a row.")
    steps: int = described(50, "Time steps (rows below the initial row).", minimum=0)
    k: int = described(2, "Number of colours.")
    r: str = described("1", "Range: 1, 2, 3, ... or 1/2 (brick).")
    boundary: str = described("cyclic", "cyclic or zero.")
    init: str = described("single", "Initial row: single, random, or digits (e.g. 0110) centred.")
    seed: int = described(0, "Random seed (of --init random).", minimum=0)

    def check(self) -> None:
        """Refuse a bad rule, k, r, boundary or row in one sentence, before any work."""

        ca.rule_table(self.rule, k=self.k, r=self.r)
        ca.check_boundary(self.boundary)
        self.initial_row()

    def initial_row(self) -> np.ndarray:
        """``single`` (one cell of colour 1 in the middle), ``random``, or digits centred."""

        if self.init == "single":
            return ca.single_cell(self.width)
        if self.init == "random":
            return ca.random_row(self.width, k=self.k, rng=np.random.default_rng(self.seed))
        if not self.init.isdigit():
            raise UsageError(
                f"--init must be 'single', 'random' or a string of digits, got {self.init!r}",
                option="init",
            )
        digits = ca.row_from_digits(self.init, k=self.k)
        if len(digits) > self.width:
            raise UsageError(
                f"--init has {len(digits)} digits but the row is only {self.width} wide",
                option="init",
            )
        row = np.zeros(self.width, np.uint8)
        start = (self.width - len(digits)) // 2
        row[start : start + len(digits)] = digits
        return row

    def run(self) -> np.ndarray:
        """The ``(steps + 1, width)`` space-time states."""

        return ca.run(self.rule, self.initial_row(), self.steps, k=self.k, r=self.r,
                      boundary=self.boundary)  # fmt: skip


# -- elementary CA classes ----------------------------------------------------------------------
CLASS_NAMES = {4: "class 2", 30: "class 3", 90: "class 3, nested", 110: "class 4", 146: "class 3"}


@dataclass(frozen=True)
class ClassesConfig:
    rules: tuple[int, ...] = (4, 30, 90, 110, 146)
    width: int = 101
    steps: int = 50
    seed: int = 0


@dataclass(frozen=True)
class ClassesResult(Drawable):
    config: ClassesConfig
    single: dict[int, np.ndarray]  # rule -> (steps + 1, width) run from one cell
    random: dict[int, np.ndarray]  # rule -> run from a random row


def run_classes(config: ClassesConfig, *, on_progress: ProgressCallback | None = None):

    rng = np.random.default_rng(config.seed)
    start = ca.random_row(config.width, rng=rng)
    single, random = {}, {}
    for i, rule in enumerate(config.rules):
        single[rule] = ca.run(rule, ca.single_cell(config.width), config.steps)
        random[rule] = ca.run(rule, start, config.steps)
        report(on_progress, i + 1, len(config.rules))
    return ClassesResult(config, single, random)


# -- a random {4, 146} rule array ---------------------------------------------------------------
@dataclass(frozen=True)
class ArrayConfig:
    """A random rule array; ``minimodels rulearray`` reads its options from these fields."""

    width: int = described(20, "Cells per row (random array).")
    depth: int = described(10, "Rows of rules (random array).")
    rules: tuple[int, ...] = described(
        (4, 146),
        "Rule set a random array draws from, e.g. 4,146 or 6,8.",
        text=comma_list(int, "rules", noun="rule numbers"),
    )
    r: str = described("1", "Range: 1 or 1/2 (brick).")
    boundary: str = described("cyclic", "cyclic or zero.")
    seed: int = described(0, "Random seed; the same seed reproduces a run bit for bit.", minimum=0)

    def random_array(self) -> Any:
        """The ``RuleArray`` drawn from the seed: each cell's rule uniform over ``rules``."""

        rng = np.random.default_rng(self.seed)
        return RuleArray.random(self.depth, self.width, rules=self.rules, rng=rng, r=self.r,
                                boundary=self.boundary)  # fmt: skip


@dataclass(frozen=True)
class ArrayResult(Drawable):
    config: ArrayConfig
    array: Any  # RuleArray
    inputs: np.ndarray  # (n, width)
    outputs: np.ndarray  # (n,) readout values
    alive: np.ndarray  # (n,) whether the pattern reaches the last row

    @property
    def readout(self) -> int:
        return self.config.width // 2

    def plot(self, ax=None):  # one figure of several panels; ax is not used
        return self.array.plot(self.inputs, readout=self.readout)


def run_array(
    config: ArrayConfig, *, inputs: np.ndarray | None = None, on_progress=None
) -> ArrayResult:

    array = config.random_array()
    inputs = single_cell_inputs(config.width) if inputs is None else inputs
    final = array.output(inputs)
    report(on_progress, 1, 1)
    alive = cast(np.ndarray, final.any(axis=1))
    return ArrayResult(config, array, inputs, final[:, config.width // 2], alive)


def bump_targets(width: int) -> np.ndarray:
    """DESIGN §3: 1 for a single 1 at x in [W // 3, 2W // 3), else 0."""
    x = np.arange(width)
    return ((x >= width // 3) & (x < 2 * width // 3)).astype(np.uint8)


# -- an And/Xor brick array ---------------------------------------------------------------------
def two_bit_inputs(width: int) -> tuple[np.ndarray, tuple[int, int]]:
    """The four inputs (a, b) = 00, 01, 10, 11 on columns W // 3 and 2W // 3 (rows in §4 order)."""
    columns = (width // 3, 2 * width // 3)
    inputs = np.zeros((4, width), np.uint8)
    for i in range(4):
        inputs[i, columns[0]], inputs[i, columns[1]] = i >> 1, i & 1
    return inputs, columns


# -- engine speed -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpeedConfig:
    width: int = 64
    depth: int = 256
    n_inputs: int = 4096
    rules: tuple[int, ...] = (4, 146)
    repeats: int = 15  # engine timings: median of this many calls
    baseline_inputs: int = 8  # per-input numpy: time this many inputs and scale
    cellpylib_inputs: int = 2  # CellPyLib: time this many inputs and scale
    reference_inputs: int = 512  # batched numpy reference: time this many inputs and scale
    seed: int = 0

    @classmethod
    def quick(cls, seed: int = 0) -> SpeedConfig:
        return cls(depth=64, n_inputs=1024, repeats=5, baseline_inputs=4,
                   cellpylib_inputs=1, reference_inputs=256, seed=seed)  # fmt: skip


@dataclass(frozen=True)
class SpeedResult(Drawable):
    config: SpeedConfig
    rows: list[dict[str, Any]]  # one per implementation, fastest first

    @property
    def engine_rate(self) -> float:
        return self.rows[0]["cell-updates/s"]

    def ratio(self, name: str) -> float | None:
        for row in self.rows:
            if row["implementation"] == name:
                return self.engine_rate / row["cell-updates/s"]
        return None


ENGINE = "RuleArray.output (bit-sliced)"
BATCHED = "numpy reference, batched"
PER_INPUT = "numpy, one input at a time"
CELLPYLIB = "CellPyLib, memoize=True (homogeneous CA)"


def median_seconds(call: Callable[[], Any], repeats: int) -> float:
    """Median wall time of ``call()`` over ``repeats`` calls, after one warm-up call."""
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def per_input_numpy(rules: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """The straightforward baseline: one input at a time, one numpy row update per step."""
    outputs = np.empty_like(inputs)
    for i, row in enumerate(inputs):
        state = row.astype(np.int64)
        for rule_row in rules:
            neighbourhood = 4 * np.roll(state, 1) + 2 * state + np.roll(state, -1)
            state = (rule_row >> neighbourhood) & 1
        outputs[i] = state
    return outputs


def cellpylib_homogeneous(rule: int, inputs: np.ndarray, depth: int) -> np.ndarray:
    """CellPyLib's ``evolve`` (memoize=True) on each input: a homogeneous CA of the same size.

    CellPyLib evolves one rule everywhere per call and memoises on the neighbourhood alone, so
    it cannot run a rule array with ``memoize=True``; the same number of rule applications
    (width x depth per input) as a homogeneous CA is the honest equivalent work.
    """
    import cellpylib as cpl

    def apply_rule(neighbourhood, cell, t):
        return cpl.nks_rule(neighbourhood, rule)

    outputs = []
    for row in inputs:
        run = cpl.evolve(row[None, :].astype(int), depth + 1, apply_rule, memoize=True)
        outputs.append(run[-1])
    return np.array(outputs, np.uint8)


def measure_speed(config: SpeedConfig, *, on_progress: ProgressCallback | None = None):
    """Time every implementation on the same array and inputs; cell-updates/s, fastest first."""
    from minimodels.engine import run_rule_array

    rng = np.random.default_rng(config.seed)
    array = RuleArray.random(config.depth, config.width, rules=config.rules, rng=rng)
    inputs = rng.integers(0, 2, size=(config.n_inputs, config.width), dtype=np.uint8)
    per_input_updates = config.width * config.depth
    rows: list[dict[str, Any]] = []

    def add(name: str, seconds: float, n_inputs: int, note: str) -> None:
        rate = per_input_updates * n_inputs / seconds
        rows.append({"implementation": name, "cell-updates/s": rate, "note": note})

    steps = 4
    how = f"{config.n_inputs} inputs, 0/1 uint8 in and out, median of {config.repeats}"
    seconds = median_seconds(lambda: array.output(inputs), config.repeats)
    add(ENGINE, seconds, config.n_inputs, how)
    report(on_progress, 1, steps)
    some = inputs[: config.reference_inputs]
    add(BATCHED,
        median_seconds(lambda: run_rule_array(array.rules, some), 3),
        len(some), f"{len(some)} inputs at once")  # fmt: skip
    report(on_progress, 2, steps)
    few = inputs[: config.baseline_inputs]
    add(PER_INPUT,
        median_seconds(lambda: per_input_numpy(array.rules, few), 3),
        len(few), f"timed on {len(few)} inputs, scaled")  # fmt: skip
    report(on_progress, 3, steps)
    try:
        import cellpylib  # noqa: F401
    except ImportError:
        pass
    else:
        fewer = inputs[: config.cellpylib_inputs]
        add(CELLPYLIB,
            median_seconds(lambda: cellpylib_homogeneous(146, fewer, config.depth), 1),
            len(fewer), f"timed on {len(fewer)} inputs, scaled")  # fmt: skip
    report(on_progress, 4, steps)
    rows.sort(key=lambda row: -row["cell-updates/s"])
    baseline = next(r for r in rows if r["implementation"] == PER_INPUT)
    for row in rows:
        row["x per-input numpy"] = row["cell-updates/s"] / baseline["cell-updates/s"]
    return SpeedResult(config, rows)
