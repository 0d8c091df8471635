"""Double descent (Belkin et al. 2019; Nakkiran et al. 2020): test error vs parameters.

* ``random_features`` — min-norm least squares on p random ReLU features of a teacher task
  (d = 10, ``n_train`` points, 1000 clean test points), exact; with label noise the test error
  peaks at the interpolation threshold p = n_train, and a small ridge removes the peak.
* ``mlp`` — one-hidden-layer ReLU nets of growing width (parameters w·(d + 2) + 1) on the same
  task, trained by full-batch Adam for a fixed budget with no early stopping.
* ``polynomial`` — min-norm least squares on Legendre polynomials of growing degree, 20 points of
  sin(πx) on [−1, 1], tested inside the points' range; the threshold is degree 19 (20 coefficients).
* ``deep_vs_wide`` — at one parameter budget, nets with 1, 2, 4 … hidden layers (the width
  chosen to match the budget) on the Boolean task: test error of those that fit S.

Rows: one per part × noise × size × seed, with ``parameters``, ``train_mse`` and ``test_mse``
(or ``test_error`` for the Boolean part).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minimodels.analysis import double_descent as dd
from minimodels.base.progress import ProgressCallback, report
from minimodels.experiments.debate.config import DoubleDescentConfig, deep_width
from minimodels.experiments.debate.tasks import (
    boolean_split,
    function_bits,
    seed_keys,
    teacher_data,
)
from minimodels.learners.nets import MLP, Init, Training, train_many

D = 10
N_TEST = 1000
POLY_POINTS = 20


def _seeds(config: DoubleDescentConfig, stream: int) -> list[int]:
    sequence = np.random.SeedSequence([config.seed, stream])
    return [int(s) for s in sequence.generate_state(config.seeds)]


def run_double_descent(config: DoubleDescentConfig, on_progress: ProgressCallback | None = None):
    noises = (0.0, config.noise) if config.noise > 0 else (0.0,)
    stages = 2 * len(noises) + 2
    rows: list[dict[str, Any]] = []
    done = 0
    for noise in noises:
        rows += _random_features(config, noise)
        rows += _polynomials(config, noise)
        done += 1
        report(on_progress, done, stages)
    for noise in noises:
        rows += _mlps(config, noise)
        done += 1
        report(on_progress, done, stages)
    rows += _deep_vs_wide(config)
    report(on_progress, stages, stages)
    return rows


def _random_features(config: DoubleDescentConfig, noise: float) -> list[dict[str, Any]]:
    rows = []
    ridges = (0.0, config.ridge) if noise > 0 and config.ridge > 0 else (0.0,)
    for s, seed in enumerate(_seeds(config, 1)):
        x, y = teacher_data(config.n_train, D, seed=seed, noise=noise)
        x_test, y_test = teacher_data(N_TEST, D, seed=seed + 1)
        for ridge in ridges:
            curve = dd.random_features_curve(
                x, y, x_test, y_test, config.features, seed=seed, ridge=ridge
            )
            for i, p in enumerate(curve["features"]):
                rows.append(_row("random_features", noise, int(p), s, curve, i, ridge=ridge))
    return rows


def _row(part: str, noise: float, parameters: int, seed: int, curve, i, **extra) -> dict:
    return {
        "part": part, "noise": noise, "parameters": parameters, "seed": seed,
        "train_mse": float(curve["train_mse"][i]), "test_mse": float(curve["test_mse"][i]),
        "norm": float(curve["norm"][i]), **extra,
    }  # fmt: skip


def poly_target(x: np.ndarray) -> np.ndarray:
    return np.sin(np.pi * x)


def _polynomials(config: DoubleDescentConfig, noise: float) -> list[dict[str, Any]]:
    rows = []
    for s, seed in enumerate(_seeds(config, 2)):
        rng = np.random.default_rng(seed)
        x = rng.uniform(-1.0, 1.0, POLY_POINTS)
        y = poly_target(x) + noise * rng.normal(size=POLY_POINTS)
        # test inside the training range: outside it a degree-100 polynomial explodes (~1e40)
        x_test = np.linspace(x.min(), x.max(), N_TEST)
        curve = dd.polynomial_curve(x, y, x_test, poly_target(x_test), config.degrees)
        for i, p in enumerate(curve["parameters"]):
            rows.append(_row("polynomial", noise, int(p), s, curve, i,
                             degree=int(p) - 1))  # fmt: skip
    return rows


def _mlps(config: DoubleDescentConfig, noise: float) -> list[dict[str, Any]]:
    """Every width on one data draw, ``seeds`` initialisations each, a fixed Adam budget."""
    x, y = teacher_data(config.n_train, D, seed=_seeds(config, 3)[0], noise=noise)
    x_test, y_test = teacher_data(N_TEST, D, seed=_seeds(config, 4)[0])
    adam = Training("adam", 3e-3, loss="mse", max_steps=config.net_steps)
    rows = []
    for i, width in enumerate(config.widths):
        model = MLP((D, width, 1))
        result = train_many(model, x, y[:, None], adam, init=Init("gaussian", 1.0, 0.0),
                            keys=seed_keys(config.seed, config.seeds, stream=100 + i))  # fmt: skip
        train_out = result.predict(x)[..., 0]
        test_out = result.predict(x_test)[..., 0]
        for s in range(config.seeds):
            rows.append({
                "part": "mlp", "noise": noise, "parameters": model.n_params, "seed": s,
                "width": width,
                "train_mse": float(np.mean((train_out[s] - y) ** 2)),
                "test_mse": float(np.mean((test_out[s] - y_test) ** 2)),
                "norm": float(np.sqrt(sum(float(np.sum(np.asarray(leaf[s]) ** 2))
                                          for layer in result.params for leaf in layer.values()))),
            })  # fmt: skip
    return rows


def _deep_vs_wide(config: DoubleDescentConfig) -> list[dict[str, Any]]:
    split = boolean_split(config.target, 64, config.seed)
    until_fit = Training("adam", 1e-2, loss="mse", max_steps=3000, target_accuracy=1.0)
    labels = (split.y[split.test] > 0).astype(np.uint8)
    rows = []
    for i, depth in enumerate(config.depths):
        width = deep_width(config.budget, depth)
        model = MLP((7, *[width] * depth, 1))
        result = train_many(model, split.x_train, split.y_train, until_fit,
                            init=Init("gaussian", 1.0, 1.0),
                            keys=seed_keys(config.seed, config.seeds, stream=200 + i))  # fmt: skip
        functions = function_bits(result.predict(split.x))
        for s in range(config.seeds):
            rows.append({
                "part": "deep_vs_wide", "depth": depth, "width": width,
                "parameters": model.n_params, "seed": s, "fitted": bool(result.fitted[s]),
                "test_error": float(np.mean(functions[s][split.test] != labels)),
            })  # fmt: skip
    return rows
