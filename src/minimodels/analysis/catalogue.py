"""The learners of :mod:`minimodels.analysis.zoo` by name: what each is called, what inputs it
can take, and where it departs from scikit-learn's defaults.

Data model.  :data:`NAMES` maps a learner's name (``"knn1"``) to its label for pictures;
:data:`TAKES` maps it to the inputs it can take (a key of :data:`INPUTS`): ``"real"`` vectors of
any width, ``"bits"`` (0/1 vectors, or one real number on a grid of columns) or ``"1-d"`` (one
real number).  :func:`check_learner` refuses, in one sentence, a learner that cannot take a
task's inputs.  This module imports nothing heavy, so configs and the command line can name
and check learners without loading scikit-learn or JAX.
"""

from __future__ import annotations

from minimodels.base.errors import UsageError

__all__ = ["INPUTS", "NAMES", "OURS", "SKLEARN", "TAKES", "TUNED", "check_learner"]

SKLEARN = {
    "tree": "decision tree",
    "forest": "random forest",
    "boosting": "gradient-boosted trees",
    "knn1": "1-nearest neighbour",
    "knn": "5-nearest neighbours",
    "svm-rbf": "SVM, RBF kernel",
    "svm-poly": "SVM, cubic kernel",
    "gp-rbf": "GP, RBF kernel",
    "gp-nngp": "GP, NNGP kernel",
    "poly": "polynomial least squares",
}
OURS = {
    "interp": "piecewise-linear interpolation",
    "mlp": "MLP (SGD)",
    "mesh": "mesh net (SGD)",
    "rulearray": "rule array (evolution)",
}
NAMES = {**SKLEARN, **OURS}

INPUTS = {"real": "real vectors", "bits": "bits or one real number", "1-d": "one real number"}
TAKES = {**dict.fromkeys(SKLEARN, "real"), "interp": "1-d", "mlp": "real", "mesh": "bits",
         "rulearray": "bits"}  # fmt: skip

# Where a learner departs from scikit-learn's defaults, and why (every run records these).
TUNED = {
    "boosting": "min_samples_leaf=1 when the training set has < 200 rows (scikit-learn's 20 "
    "leaves a 32-row set a single split)",
    "gp-rbf": "alpha=1e-6 (jitter: the kernel matrix of repeated Boolean inputs is singular); "
    "length scale fitted by scikit-learn's marginal-likelihood optimiser within [0.1, 1000], "
    "not its default [1e-5, 1e5] (on the bump it shrank to 1e-5: spikes at the training "
    "points)",
    "gp-nngp": "alpha=1e-6; the arc-cosine kernel of a 2-hidden-layer ReLU net, σw = σb = 1",
}


def check_learner(name: str, task: str, *, d: int, inputs: str) -> None:
    """Refuse, in one sentence, an unknown learner or one that cannot take a task's inputs.

    ``inputs`` is ``"real"`` (real vectors of width ``d``) or ``"bits"``."""
    if name not in NAMES:
        raise UsageError(
            f"unknown learner {name!r}; choose from {', '.join(NAMES)}", option="learners"
        )
    takes = TAKES[name]
    fits = (
        takes == "real"
        or (takes == "bits" and (inputs == "bits" or d == 1))
        or (takes == "1-d" and d == 1)
    )
    if not fits:
        what = "bits" if inputs == "bits" else "rows of real features"
        raise UsageError(
            f"learner {name} cannot run task {task}: it takes {INPUTS[takes]}, "
            f"and this task's inputs are {what}",
            option="learners",
        )
