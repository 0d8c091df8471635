"""Every kind of learner behind one interface: fit on a training set, predict anywhere.

Data model.  A learner is a frozen dataclass with a ``name`` (``"knn1"``), a ``label`` for
pictures and one method::

    predict = learner.fit(x, y, kind=..., seed=...)

* ``x`` ``(m, d)`` training inputs; ``y`` ``(m,)`` targets — real numbers when ``kind`` is
  ``"regression"``, 0/1 labels when it is ``"classification"``;
* ``seed`` an int that fixes everything random in the fit (scikit-learn's ``random_state``,
  the JAX key, the evolution's random stream);
* ``predict(x)`` ``(n, d)`` → ``(n,)`` float64: real values, or 0/1 for classification.

:func:`make_learner` builds one by name; the names, what inputs each takes and where each
departs from scikit-learn's defaults are listed in :mod:`minimodels.analysis.catalogue`
(light, so the command line starts without scikit-learn).  Regressors used as
classifiers (Gaussian processes, polynomials) fit the signed labels ±1 and answer 1 where their
output is > 0 — the convention of the nets (DESIGN.md §4).  A training set with a single
class is a normal case: every learner of scikit-learn answers that class.  Our own learners —
the MLP and the mesh net (JAX, trained by :func:`minimodels.learners.nets.train_many`) and the
rule array (adaptive evolution, :func:`minimodels.learners.evolution.evolve`) — look the same
from outside.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn import ensemble, gaussian_process, neighbors, svm, tree
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process.kernels import RBF, Kernel
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures
from threadpoolctl import ThreadpoolController

from minimodels.analysis.bayes.nngp import nngp_kernel
from minimodels.analysis.catalogue import NAMES, OURS, SKLEARN
from minimodels.base.errors import UsageError

__all__ = ["ArcCosineKernel", "LearnerOptions", "Predictor", "make_learner"]

_THREADS = ThreadpoolController()  # scanning the loaded libraries once, not at every fit (ms)

Predictor = Callable[[np.ndarray], np.ndarray]
KINDS = ("regression", "classification")


class ArcCosineKernel(Kernel):
    """The NNGP kernel of a ReLU net (:func:`~minimodels.analysis.bayes.nngp.nngp_kernel`) as a
    scikit-learn kernel with no free hyper-parameters, so a GP uses it as it stands."""

    def __init__(self, depth: int = 2, sigma_w: float = 1.0, sigma_b: float = 1.0):
        self.depth, self.sigma_w, self.sigma_b = depth, sigma_w, sigma_b

    def _k(self, X: np.ndarray) -> np.ndarray:
        return nngp_kernel(X, depth=self.depth, sigma_w=self.sigma_w, sigma_b=self.sigma_b)

    def __call__(self, X, Y=None, eval_gradient=False):
        X = np.atleast_2d(X)
        K = self._k(X) if Y is None else self._k(np.vstack([X, Y]))[: len(X), len(X) :]
        return (K, np.empty((len(X), len(X), 0))) if eval_gradient else K

    def diag(self, X):
        return np.array([self._k(row[None])[0, 0] for row in np.atleast_2d(X)])

    def is_stationary(self):
        return False


def _estimator(name: str, kind: str, seed: int, m: int, degree: int) -> tuple[Any, bool]:
    """(scikit-learn estimator, whether it regresses the signed labels of a classification)."""
    classify = kind == "classification"
    if name == "gp-rbf" or name == "gp-nngp":
        kernel = RBF(length_scale_bounds=(0.1, 1e3)) if name == "gp-rbf" else ArcCosineKernel()
        return gaussian_process.GaussianProcessRegressor(kernel, alpha=1e-6), classify
    if name == "poly":
        polynomial = make_pipeline(PolynomialFeatures(degree), LinearRegression())
        return polynomial, classify
    made: dict[str, Callable[[], Any]] = {
        "tree": lambda: (tree.DecisionTreeClassifier if classify else tree.DecisionTreeRegressor)(
            random_state=seed
        ),
        "forest": lambda: (
            ensemble.RandomForestClassifier if classify else ensemble.RandomForestRegressor
        )(random_state=seed),
        "boosting": lambda: (
            ensemble.HistGradientBoostingClassifier
            if classify
            else ensemble.HistGradientBoostingRegressor
        )(random_state=seed, **({"min_samples_leaf": 1} if m < 200 else {})),
        "knn1": lambda: (
            neighbors.KNeighborsClassifier if classify else neighbors.KNeighborsRegressor
        )(n_neighbors=1),
        "knn": lambda: (
            neighbors.KNeighborsClassifier if classify else neighbors.KNeighborsRegressor
        )(n_neighbors=min(5, m)),
        "svm-rbf": lambda: (svm.SVC if classify else svm.SVR)(kernel="rbf"),
        "svm-poly": lambda: (svm.SVC if classify else svm.SVR)(kernel="poly"),
    }
    return made[name](), False


@dataclass(frozen=True)
class SklearnLearner:
    """A learner of scikit-learn (or a pipeline of it), defaults but for
    :data:`~minimodels.analysis.catalogue.TUNED`.

    Fits and predictions run on one thread: on training sets of tens to hundreds of rows,
    OpenMP's thread start-up and spinning cost more than the work (a gradient-boosted fit on 64
    rows took 0.06 s on one thread, 0.2–7.8 s on two threads of a busy 2-core machine), and
    one thread keeps every floating-point sum in one order."""

    name: str
    degree: int = 3  # polynomial degree (``poly`` only)

    @property
    def label(self) -> str:
        return f"polynomial, degree {self.degree}" if self.name == "poly" else SKLEARN[self.name]

    def fit(self, x: np.ndarray, y: np.ndarray, *, kind: str, seed: int) -> Predictor:
        x, y = _checked(x, y, kind)
        if kind == "classification" and len(np.unique(y)) == 1:
            constant = float(y[0])
            return lambda new: np.full(len(new), constant)
        estimator, signed = _estimator(self.name, kind, seed, len(x), self.degree)
        with warnings.catch_warnings(), _THREADS.limit(limits=1):
            warnings.simplefilter("ignore", ConvergenceWarning)  # an optimum on a bound is a result
            estimator.fit(x, 2 * y - 1 if signed else y)

        def predict(new: np.ndarray) -> np.ndarray:
            with _THREADS.limit(limits=1):
                out = np.asarray(estimator.predict(np.asarray(new, dtype=np.float64)), np.float64)
            return (out > 0).astype(np.float64) if signed else out

        return predict


@dataclass(frozen=True)
class Interpolation:
    """Piecewise-linear interpolation of 1-D data (:func:`numpy.interp`): through every
    training point, constant beyond the outermost ones."""

    name: str = "interp"
    label: str = OURS["interp"]

    def fit(self, x: np.ndarray, y: np.ndarray, *, kind: str, seed: int) -> Predictor:
        x, y = _checked(x, y, kind)
        order = np.argsort(x[:, 0], kind="stable")
        xs, ys = x[order, 0], y[order]

        def predict(new: np.ndarray) -> np.ndarray:
            out = np.interp(np.asarray(new, dtype=np.float64)[:, 0], xs, ys)
            return (out > 0.5).astype(np.float64) if kind == "classification" else out

        return predict


@dataclass(frozen=True)
class NetLearner:
    """An MLP or a mesh net trained by :func:`~minimodels.learners.nets.train_many` (one net).

    The net is built for the data's input width ``d`` at fit time: the MLP is
    ``d-hidden-…-1``; the mesh net takes one real number (the broadcast encoding) or ``d``
    bits on evenly spread columns of its top row.  Classification trains on signed labels ±1
    (MSE) and answers ``output > 0``.  Net ``seed`` starts from ``fold_in(key(seed), 0)``, the
    key of the first net of :func:`~minimodels.analysis.bayes.nets.sgd_plan` — the same seed
    gives the same function as the Boolean P_SGD pipeline.
    """

    name: str
    training: Any  # minimodels.learners.nets.Training
    init: Any  # minimodels.models.inits.Init
    hidden: tuple[int, ...] = (40, 40)
    activation: str = "relu"
    mesh_width: int = 10
    mesh_depth: int = 8

    @property
    def label(self) -> str:
        return OURS[self.name]

    def model(self, d: int) -> Any:
        from minimodels.learners.nets import MLP, MeshNet

        if self.name == "mlp":
            return MLP((d, *self.hidden, 1), self.activation)
        if d == 1:
            return MeshNet(self.mesh_width, self.mesh_depth, activation=self.activation)
        return MeshNet(
            self.mesh_width,
            self.mesh_depth,
            activation=self.activation,
            encoding="spread",
            n_inputs=d,
        )

    def fit(self, x: np.ndarray, y: np.ndarray, *, kind: str, seed: int) -> Predictor:
        import jax

        from minimodels.learners.nets import train_many

        x, y = _checked(x, y, kind)
        model = self.model(x.shape[1])
        target = (2 * y - 1) if kind == "classification" else y
        keys = jax.random.fold_in(jax.random.key(seed), 0)[None]
        result = train_many(
            model,
            x.astype(np.float32),
            target.astype(np.float32),
            self.training,
            keys=keys,
            init=self.init,
        )

        def predict(new: np.ndarray) -> np.ndarray:
            out = np.asarray(result.predict(np.asarray(new, np.float32))[0, :, 0], np.float64)
            return (out > 0).astype(np.float64) if kind == "classification" else out

        return predict


@dataclass(frozen=True)
class RuleArrayLearner:
    """A rule array trained by adaptive evolution until it answers every training case.

    Bits: input bit ``i`` sits on column ``(2i + 1)·width // (2d)`` of the top row, as in the
    sampler's ``rulearray:`` models, so random arrays are this learner's prior.  One real
    number: the array has one column per point of ``columns`` (a grid), the input ``x`` is a
    single 1 at the nearest column (Wolfram's bump, DESIGN.md §3) and the answer holds until
    the next column.  Read at the bottom
    column ``width // 2``; classification only (its answers are bits).  With even rules only
    (4 and 146 are) the all-zero input always gives 0: a training label 1 there is left out of
    the evolution's loss, and the learner answers it wrongly, as it must.
    """

    name: str = "rulearray"
    depth: int = 8
    width: int = 15  # bit inputs; on a grid the width is the number of columns
    rules: tuple[int, ...] = (4, 146)
    steps: int = 20_000
    columns: tuple[float, ...] | None = None  # the grid of a 1-D task
    label: str = OURS["rulearray"]

    def fit(self, x: np.ndarray, y: np.ndarray, *, kind: str, seed: int) -> Predictor:
        from minimodels import tasks
        from minimodels.learners.evolution import evolve

        x, y = _checked(x, y, kind)
        if self.columns is None and not np.isin(x, (0.0, 1.0)).all():
            raise UsageError("a rule array takes bits, or one real number with a grid of columns")
        if x.shape[1] == 1 and self.columns is not None:
            grid = np.asarray(self.columns, dtype=np.float64)
            rows = self._columns_of(x, grid)
            width = len(grid)
            targets = np.zeros(width, np.uint8)
            targets[rows] = y > 0.5
            task = tasks.Task(
                "grid",
                np.eye(width, dtype=np.uint8),
                (width // 2,),
                targets[:, None],
                np.isin(np.arange(width), rows),
            )
        else:
            rows = _rows_of_bits(x)
            table = np.zeros(2 ** x.shape[1], np.uint8)
            table[rows] = y > 0.5
            if table[0] and all(rule % 2 == 0 for rule in self.rules):
                rows = rows[rows != 0]  # even rules keep the all-zero row 0: that case is lost
            if len(rows) == 0:
                return lambda new: np.zeros(len(new))
            d = x.shape[1]  # spread as the sampler spreads them (rulearray: models)
            columns = [(2 * i + 1) * self.width // (2 * d) for i in range(d)]
            task = tasks.boolean(d, table, width=self.width, columns=columns, train=rows)
        result = evolve(task, depth=self.depth, rules=self.rules, steps=self.steps, seed=seed)
        answers = task.answers(result.array)[:, 0].astype(np.float64)

        def predict(new: np.ndarray) -> np.ndarray:
            new = np.asarray(new, dtype=np.float64)
            if task.name == "grid":
                return answers[self._columns_of(new, grid)]
            return answers[_rows_of_bits(new)]

        return predict

    @staticmethod
    def _columns_of(x: np.ndarray, grid: np.ndarray) -> np.ndarray:
        return np.abs(x[:, :1] - grid[None, :]).argmin(axis=1)


def _rows_of_bits(x: np.ndarray) -> np.ndarray:
    """Row numbers of 0/1 inputs ``(m, d)``, x1 the most significant bit (DESIGN.md §4)."""
    bits = np.asarray(x) > 0.5
    return (bits * (1 << np.arange(bits.shape[1] - 1, -1, -1))).sum(axis=1)


def _checked(x: Any, y: Any, kind: str) -> tuple[np.ndarray, np.ndarray]:
    if kind not in KINDS:
        raise UsageError(f"kind must be 'regression' or 'classification', got {kind!r}")
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if x.ndim != 2 or len(x) != len(y) or len(x) == 0:
        raise UsageError(f"need x (m, d) and y (m,) with m ≥ 1, got {x.shape} and {y.shape}")
    if kind == "classification" and not np.isin(y, (0.0, 1.0)).all():
        raise UsageError("classification labels must be 0 or 1")
    return x, y


@dataclass(frozen=True)
class LearnerOptions:
    """What :func:`make_learner` needs beyond a name: the task's nets and sizes."""

    training: Any = None  # Training of the nets (required for mlp and mesh)
    init: Any = None  # Init of the MLP
    mesh_init: Any = None  # Init of the mesh net
    hidden: tuple[int, ...] = (40, 40)
    activation: str = "relu"
    mesh_width: int = 10
    mesh_depth: int = 8
    degree: int = 3
    rule_depth: int = 8
    rule_width: int = 15
    rule_steps: int = 20_000
    columns: tuple[float, ...] | None = None


def make_learner(name: str, options: LearnerOptions = LearnerOptions()) -> Any:
    """The learner called ``name`` (one of :data:`NAMES`), built with ``options``."""
    if name not in NAMES:
        raise UsageError(
            f"unknown learner {name!r}; choose from {', '.join(NAMES)}", option="learners"
        )
    if name in SKLEARN:
        return SklearnLearner(name, degree=options.degree)
    if name == "interp":
        return Interpolation()
    if name == "rulearray":
        return RuleArrayLearner(
            depth=options.rule_depth,
            width=options.rule_width,
            steps=options.rule_steps,
            columns=options.columns,
        )
    if name == "mlp":
        return NetLearner(
            "mlp",
            options.training,
            options.init,
            hidden=options.hidden,
            activation=options.activation,
        )
    return NetLearner(
        "mesh",
        options.training,
        options.mesh_init,
        activation="tanh",
        mesh_width=options.mesh_width,
        mesh_depth=options.mesh_depth,
    )
