"""The config of the learners-side-by-side experiment: which learners, which task, what size.

Light on purpose: ``minimodels learners`` builds its options from :class:`LearnersConfig` when
the command line starts, so this module loads neither scikit-learn, JAX nor numba (its checks
and the nets' settings import them when called).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from minimodels.analysis import catalogue
from minimodels.analysis.tabular import DATASETS, TRANSFORMS
from minimodels.base.errors import UsageError
from minimodels.base.fields import comma_list, described
from minimodels.base.resources import check_memory, plural

__all__ = ["BUMP_EVAL", "BUMP_GRID", "BUMP_TRAIN", "TASKS", "LearnersConfig", "bump"]

TASKS = ("bump", "boolean", "tabular")
BUMP_GRID = np.round(np.linspace(-2.0, 2.0, 41), 10)  # the rule array's columns, step 0.1
BUMP_TRAIN = BUMP_GRID[np.abs(BUMP_GRID) <= 1.0]  # 21 training points on [−1, 1]
BUMP_EVAL = np.linspace(-2.0, 2.0, 401)  # where every fit is drawn and measured
POLY_DEGREE = {"bump": 10, "boolean": 3, "tabular": 2}
MAX_POLY_DEGREE = 64  # beyond, float64 powers of the inputs overflow or carry no information
TASK_DEFAULTS: dict[str, dict[str, Any]] = {"tabular": {"seeds": 6}}


def bump(x: np.ndarray) -> np.ndarray:
    """Wolfram's bump: 1 on [−1/3, 1/3], 0 elsewhere."""
    return (np.abs(x) <= 1 / 3 + 1e-12).astype(np.float64)


@dataclass(frozen=True)
class LearnersConfig:
    """Which learners, on which task, at what size; ``minimodels learners`` reads its options
    from these fields.  Hyper-parameters are scikit-learn's defaults except those in
    :data:`minimodels.analysis.catalogue.TUNED`; the nets train as the rest of minimodels does."""

    task: str = described("bump", "bump, boolean or tabular.")
    learners: tuple[str, ...] = described(
        (),
        "Learners, comma-separated, of "
        + ", ".join(catalogue.NAMES)
        + " (default: every one that can run the task).",
        text=comma_list(str, "learners", "learner names"),
    )
    seeds: int = described(3, "Seeds (bump), or random splits (tabular).")
    poly_degree: int = described(
        0, "Polynomial degree (0: 10 bump, 3 boolean, 2 tabular).", minimum=0
    )
    n: int = described(7, "Boolean: input bits.")
    train_sizes: tuple[int, ...] = described(
        (32, 64),
        "Boolean: training-set sizes, comma-separated.",
        text=comma_list(int, "train-sizes"),
    )
    flips: tuple[int, ...] = described(
        (0, 4, 16, 64),
        "Boolean: targets x1 with this many bits flipped, comma-separated.",
        text=comma_list(int, "flips"),
    )
    named: tuple[str, ...] = described(
        ("x1&x2&x3", "parity"),
        "Boolean: named targets too, comma-separated.",
        text=comma_list(str, "named", "target names"),
    )
    n_sets: int = described(12, "Boolean: random training sets per target and size.", flag="sets")
    prior_samples: int = described(
        20_000, "Boolean: functions drawn from each prior, no data.", minimum=0
    )
    rule_steps: int = described(20_000, "Rule arrays: most mutations per fit.")
    net_steps: int = described(3000, "Nets: most gradient steps per fit.", flag="steps")
    datasets: tuple[str, ...] = described(
        DATASETS,
        "Tabular: datasets, comma-separated.",
        text=comma_list(str, "datasets", "dataset names"),
    )
    transforms: tuple[str, ...] = described(
        TRANSFORMS,
        "Tabular: transformations, comma-separated.",
        text=comma_list(str, "transforms", "transformation names"),
    )
    bandwidth: float = described(0.5, "Tabular: smoothing bandwidth, per √d standardised units.")
    test_fraction: float = described(0.3, "Tabular: fraction of rows held out.")
    seed: int = described(0, "Random seed; the same seed reproduces a run bit for bit.", minimum=0)

    @classmethod
    def preset(cls, task: str, **overrides: Any) -> LearnersConfig:
        """The default run of ``task`` (tabular: 6 splits, so its verdicts have error bars)."""
        return cls(task=task, **{**TASK_DEFAULTS.get(task, {}), **overrides})

    @classmethod
    def quick(cls, task: str, **overrides: Any) -> LearnersConfig:
        """Small enough for the gallery's quick build."""
        small: dict[str, dict[str, Any]] = {
            "bump": {"seeds": 1},
            "boolean": {
                "train_sizes": (32,),
                "flips": (0, 16),
                "named": ("parity",),
                "n_sets": 3,
                "prior_samples": 2000,
                "net_steps": 1500,
            },
            "tabular": {
                "seeds": 1,
                "datasets": ("wine", "synthetic"),
                "transforms": ("original", "rotated"),
            },
        }
        return cls(task=task, **{**small.get(task, {}), **overrides})

    @property
    def degree(self) -> int:
        return self.poly_degree or POLY_DEGREE.get(self.task, 3)

    def check(self) -> LearnersConfig:
        """This config if it can run; else one sentence naming the first bad option."""
        if self.task not in TASKS:
            raise UsageError(
                f"unknown task {self.task!r}; choose bump, boolean or tabular", option="task"
            )
        if self.poly_degree > MAX_POLY_DEGREE:
            raise UsageError(
                f"--poly-degree must be at most {MAX_POLY_DEGREE} (higher powers overflow "
                f"float64 or carry no information), got {self.poly_degree}",
                option="poly_degree",
            )
        check_memory(
            8.0 * 1000 * self.seeds * max(len(self.chosen()), 1),
            f"{self.seeds:,} seeds of {plural(len(self.chosen()), 'learner')}",
            fix="lower --seeds",
        )
        for name in self.chosen():
            catalogue.check_learner(name, self.task, d=self._d(), inputs=self._inputs())
        if self.task == "boolean":
            if not 1 <= self.n <= 10:
                raise UsageError(f"--n must lie in 1..10, got {self.n}", option="n")
            for m in self.train_sizes:
                if not 0 < m < 2**self.n:
                    raise UsageError(
                        f"train size {m} is out of range for n={self.n} (1..{2**self.n - 1})",
                        option="train_sizes",
                    )
            for k in self.flips:
                if not 0 <= k <= 2**self.n:
                    raise UsageError(f"cannot flip {k} of {2**self.n} bits", option="flips")
            from minimodels.analysis.bayes.protocol import boolean_target

            for name in self.named:
                try:
                    boolean_target(self.n, name, rng=np.random.default_rng(0))
                except UsageError as error:
                    raise UsageError(str(error), option="named") from None
            if not (self.flips or self.named):
                raise UsageError("give at least one target (--flips or --named)", option="flips")
            check_memory(
                self.prior_samples * 2**self.n * 8 * 2,
                f"drawing {self.prior_samples:,} prior functions",
            )
        if self.task == "tabular":
            for name in self.datasets:
                if name not in DATASETS:
                    raise UsageError(
                        f"unknown dataset {name!r}; choose from {', '.join(DATASETS)}",
                        option="datasets",
                    )
            for name in self.transforms:
                if name not in TRANSFORMS:
                    raise UsageError(
                        f"unknown transformation {name!r}; choose from {', '.join(TRANSFORMS)}",
                        option="transforms",
                    )
            if not 0 < self.test_fraction < 1:
                raise UsageError(
                    f"test fraction must lie in (0, 1), got {self.test_fraction}",
                    option="test_fraction",
                )
            if not self.bandwidth > 0:
                raise UsageError(
                    f"bandwidth must be positive, got {self.bandwidth}", option="bandwidth"
                )
        return self

    def _d(self) -> int:
        """The width of the task's inputs (tabular: any number of features above one)."""
        return {"bump": 1, "boolean": self.n}.get(self.task, 2)

    def _inputs(self) -> str:
        return "bits" if self.task == "boolean" else "real"

    def chosen(self) -> tuple[str, ...]:
        """The learners asked for, or every one that can take this task's inputs."""
        if self.learners:
            return tuple(dict.fromkeys(self.learners))
        able = []
        for name in catalogue.NAMES:
            try:
                catalogue.check_learner(name, self.task, d=self._d(), inputs=self._inputs())
            except UsageError:
                continue
            able.append(name)
        return tuple(able)

    def learner(self, name: str) -> Any:
        """The learner ``name`` as this task trains it (the nets' sizes and training)."""
        from minimodels.analysis import zoo

        return zoo.make_learner(name, self.learner_options())

    def learner_options(self) -> Any:
        """:class:`minimodels.analysis.zoo.LearnerOptions` of this task."""
        from minimodels.analysis import zoo
        from minimodels.analysis.bayes.nets import SGDSetup
        from minimodels.learners.nets.fitting import FIT_INIT, FIT_TRAINING, MESH_INIT

        if self.task == "bump":
            training = replace(FIT_TRAINING, max_steps=self.net_steps)
            return zoo.LearnerOptions(
                training=training,
                init=FIT_INIT,
                mesh_init=MESH_INIT,
                hidden=(16, 16, 16),
                degree=self.degree,
                rule_depth=20,
                rule_steps=self.rule_steps,
                columns=tuple(BUMP_GRID.tolist()),
            )
        # Boolean and tabular: the nets of the P_SGD experiment (7-40-40-1, Gaussian σw = σb = 1,
        # Adam 1e-2 on MSE of ±1 labels, until every training label is right), built by the
        # same SGDSetup, so the same seed trains the same net
        _, training, init = SGDSetup(max_steps=self.net_steps).parts()
        return zoo.LearnerOptions(
            training=training,
            init=init,
            mesh_init=MESH_INIT,
            hidden=(40, 40),
            degree=self.degree,
            rule_depth=8,
            rule_width=15,
            rule_steps=self.rule_steps,
        )
