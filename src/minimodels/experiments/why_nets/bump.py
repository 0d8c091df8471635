"""The bump, learner by learner: Wolfram's 1-D bump from 21 points on [−1, 1], every fit on a
grid of [−2, 2].  Rows: training, inside and outside mean squared error against the bump (0
outside); ``curves``: every fit on the grid."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from minimodels.base.progress import ProgressCallback, report
from minimodels.experiments.why_nets.config import BUMP_EVAL, BUMP_TRAIN, LearnersConfig, bump
from minimodels.experiments.why_nets.rows import group


def run_bump(config: LearnersConfig, on_progress: ProgressCallback | None):
    names = config.chosen()
    rows, curves = [], {}
    y_train = bump(BUMP_TRAIN)
    inside = np.abs(BUMP_EVAL) <= 1.0
    target = bump(BUMP_EVAL)
    seeds = np.random.SeedSequence(config.seed).generate_state(config.seeds)
    for i, name in enumerate(names):
        learner = config.learner(name)
        kind = "classification" if name == "rulearray" else "regression"
        fits = []
        for s, seed in enumerate(seeds):
            started = time.perf_counter()
            predict = learner.fit(BUMP_TRAIN[:, None], y_train, kind=kind, seed=int(seed))
            seconds = time.perf_counter() - started
            on_grid = predict(BUMP_EVAL[:, None])
            fits.append(on_grid)
            squared = (on_grid - target) ** 2
            rows.append(
                {
                    "learner": name,
                    "task": "bump",
                    "seed": s,
                    "train_mse": float(np.mean((predict(BUMP_TRAIN[:, None]) - y_train) ** 2)),
                    "inside_mse": float(squared[inside].mean()),
                    "outside_mse": float(squared[~inside].mean()),
                    "outside_max": float(np.abs(on_grid[~inside]).max()),
                    "seconds": seconds,
                }
            )
            report(on_progress, i * len(seeds) + s + 1, len(names) * len(seeds))
        curves[name] = np.array(fits)
    return rows, [], curves


def bump_summary(result: Any) -> dict[str, Any]:
    by = group(result.rows, "learner")
    return {
        "median outside MSE": {
            k: float(np.median([r["outside_mse"] for r in v])) for k, v in by.items()
        },
        "median inside MSE": {
            k: float(np.median([r["inside_mse"] for r in v])) for k, v in by.items()
        },
        "interpolates (train MSE < 1e-6)": [
            k for k, v in by.items() if max(r["train_mse"] for r in v) < 1e-6
        ],
    }
