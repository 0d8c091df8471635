"""Scaling laws (Kaplan et al. 2020) at laptop scale: test loss vs parameters and vs data.

* ``teacher`` — students d-w-w-1 (ReLU, d = 8) of the fixed tanh teacher of
  :mod:`.tasks`, full-batch Adam for a fixed budget; across widths at ``big_n`` training points
  (N = parameters) and across training-set sizes at width ``big_width`` (N = examples).
* ``modular`` — Gromov's quadratic MLP on a + b mod p (:mod:`minimodels.learners.grokking`):
  across hidden widths at train fraction 0.5, and across train fractions at width 128.

Each axis gets L = a·N^(−α) + c fitted by least squares in log space with bootstrap error bars
(:func:`minimodels.analysis.power_law.fit_power_law`), and the N from which the points leave the
fit by more than 10 % (``breaks_at``), and whether the law describes the points at all (RMS
log deviation ``residual`` < ``DESCRIBES``; where the net groks it does not).
Rows: one per axis × N × seed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from minimodels.analysis.power_law import breaks_at, fit_power_law
from minimodels.base.progress import ProgressCallback, report
from minimodels.experiments.debate.config import ScalingConfig
from minimodels.experiments.debate.tasks import seed_keys, teacher_data
from minimodels.learners.nets import MLP, Init, Training, train_many

D = 8
N_TEST = 2000
MOD_FRAC = 0.5
MOD_WIDTH = 128
STUDENT_INIT = Init("gaussian", 1.0, 0.0)
# a law "describes" the points when its RMS log deviation is below this (≈ 35 % typical error)
DESCRIBES = 0.3
AXES = {
    "teacher, parameters": ("teacher", "parameters"),
    "teacher, examples": ("teacher", "examples"),
    "modular, parameters": ("modular", "parameters"),
    "modular, examples": ("modular", "examples"),
}


def run_scaling(config: ScalingConfig, on_progress: ProgressCallback | None = None):
    total = len(config.widths) + len(config.sizes) + len(config.mod_widths) + len(config.fracs)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        report(on_progress, done, total)

    rows = _teacher(config, tick) + _modular(config, tick)
    return rows, fit_laws(rows, bootstrap=config.bootstrap, seed=config.seed)


def _teacher(config: ScalingConfig, tick) -> list[dict[str, Any]]:
    adam = Training("adam", 3e-3, loss="mse", max_steps=config.net_steps)
    x_test, y_test = teacher_data(N_TEST, D, seed=config.seed + 1)
    rows = []
    plan = [("parameters", w, config.big_n) for w in config.widths]
    plan += [("examples", config.big_width, n) for n in config.sizes]
    x_all, y_all = teacher_data(max(config.big_n, *config.sizes), D, seed=config.seed)
    for i, (axis, width, n) in enumerate(plan):
        model = MLP((D, width, width, 1))
        keys = seed_keys(config.seed, config.seeds, stream=300 + i)
        result = train_many(model, x_all[:n], y_all[:n, None], adam, keys=keys, init=STUDENT_INIT)
        losses = np.mean((result.predict(x_test)[..., 0] - y_test) ** 2, axis=1)
        for s, loss in enumerate(losses):
            rows.append({
                "task": "teacher", "axis": axis,
                "n": model.n_params if axis == "parameters" else n,
                "width": width, "examples": n, "parameters": model.n_params, "seed": s,
                "test_loss": float(loss), "train_loss": float(result.final_loss[s]),
            })  # fmt: skip
        tick()
    return rows


def _modular(config: ScalingConfig, tick) -> list[dict[str, Any]]:
    from minimodels.learners.grokking.runs import GrokConfig, train_many as train_grok

    base = GrokConfig(p=config.p, steps=config.mod_steps, log_every=max(config.mod_steps // 20, 1))
    seeds = [int(s) for s in np.random.SeedSequence(config.seed).generate_state(config.seeds)]
    # one vmapped call per width; the fractions (same width) share one call
    groups = [[(w, MOD_FRAC)] for w in config.mod_widths] + [[(MOD_WIDTH, f) for f in config.fracs]]
    axes = ["parameters"] * len(config.mod_widths) + ["examples"]
    rows = []
    for axis, group in zip(axes, groups, strict=True):
        runs = [dataclasses.replace(base, width=w, frac=f, seed=s) for w, f in group for s in seeds]
        summaries = [r["summary"] for r in train_grok(runs)]
        for i, summary in enumerate(summaries):
            width, frac = group[i // len(seeds)]
            s = i % len(seeds)
            parameters = width * (2 * config.p) + width * config.p  # W_in 2p × N, W_out N × p
            examples = int(round(frac * config.p**2))
            rows.append({
                "task": "modular", "axis": axis,
                "n": parameters if axis == "parameters" else examples,
                "width": width, "examples": examples, "parameters": parameters, "seed": s,
                "test_loss": float(summary["test_loss"]),
                "train_loss": float(summary["train_loss"]),
                "test_accuracy": float(summary["test_accuracy"]),
            })  # fmt: skip
            if i % len(seeds) == len(seeds) - 1:
                tick()
    return rows


def fit_laws(rows: list[dict[str, Any]], *, bootstrap: int, seed: int) -> dict[str, Any]:
    """Per axis: the fitted law's a, α, c with standard errors, and where it breaks."""
    laws: dict[str, Any] = {}
    for name, (task, axis) in AXES.items():
        points = [r for r in rows if r["task"] == task and r["axis"] == axis]
        n = np.array([r["n"] for r in points], dtype=float)
        loss = np.array([r["test_loss"] for r in points], dtype=float)
        if len(np.unique(n)) < 4 or not np.all(np.isfinite(loss)) or np.any(loss <= 0):
            laws[name] = None  # too few sizes (or a zero loss) to fit three numbers
            continue
        law = fit_power_law(n, loss, bootstrap=bootstrap, seed=seed)
        laws[name] = {
            "a": law.a, "alpha": law.alpha, "c": law.c,
            "a_se": law.a_se, "alpha_se": law.alpha_se, "c_se": law.c_se,
            "breaks_at": breaks_at(n, loss, law),
            "residual": law.residual, "power law": law.residual < DESCRIBES,
        }  # fmt: skip
    return laws
