"""Trees vs nets on tabular data: Grinsztajn et al.'s three transformations, measured on paired
differences (dataset, split), each with a verdict."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from minimodels.analysis import tabular
from minimodels.base.progress import ProgressCallback, report
from minimodels.experiments.why_nets.config import LearnersConfig
from minimodels.experiments.why_nets.rows import group, mean, mean_se

TREES = ("forest", "boosting")  # Grinsztajn et al.'s tree-based models


def run_tabular(config: LearnersConfig, on_progress: ProgressCallback | None):
    names = config.chosen()
    learners = {name: config.learner(name) for name in names}
    total = len(config.datasets) * config.seeds * len(config.transforms)
    done, rows = 0, []
    for data_index, dataset in enumerate(config.datasets):
        data = tabular.load(dataset, seed=config.seed)
        for s in range(config.seeds):
            root = np.random.SeedSequence([config.seed, data_index, s])
            split_rng, *transform_rngs = (np.random.default_rng(q) for q in root.spawn(5))
            base = tabular.split(data, test_fraction=config.test_fraction, rng=split_rng)
            for how in config.transforms:
                rng = transform_rngs[tabular.TRANSFORMS.index(how)]
                data_t = tabular.transform(
                    base, how, rng=rng, bandwidth=config.bandwidth * np.sqrt(base.d)
                )
                seed = int(root.generate_state(1)[0])
                for name, learner in learners.items():
                    started = time.perf_counter()
                    predict = learner.fit(
                        data_t.x_train, data_t.y_train, kind="classification", seed=seed
                    )
                    seconds = time.perf_counter() - started
                    rows.append(
                        {
                            "learner": name,
                            "task": "tabular",
                            "dataset": dataset,
                            "transform": how,
                            "seed": s,
                            "features": data_t.d,
                            "train_rows": len(data_t.y_train),
                            "train_accuracy": float(
                                np.mean(predict(data_t.x_train) == data_t.y_train)
                            ),
                            "test_accuracy": float(
                                np.mean(predict(data_t.x_test) == data_t.y_test)
                            ),
                            "seconds": seconds,
                        }
                    )
                done += 1
                report(on_progress, done, total)
    return rows, [], {}


def tabular_changes(rows: list[dict[str, Any]]) -> dict[str, dict[str, tuple[float, float]]]:
    """transformation → learner → (mean, standard error) over datasets × splits of the change
    in test accuracy from the original data (paired by dataset and split)."""
    paired = _paired_changes(rows)
    return {
        how: {name: mean_se(list(v.values())) for name, v in by.items()}
        for how, by in paired.items()
    }


def _paired_changes(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[tuple, float]]]:
    """transformation → learner → (dataset, split) → change in test accuracy."""
    original = {
        (r["learner"], r["dataset"], r["seed"]): r["test_accuracy"]
        for r in rows
        if r["transform"] == "original"
    }
    changes: dict[str, dict[str, dict[tuple, float]]] = {}
    for r in rows:
        key = (r["learner"], r["dataset"], r["seed"])
        if r["transform"] != "original" and key in original:
            changes.setdefault(r["transform"], {}).setdefault(r["learner"], {})[key[1:]] = (
                r["test_accuracy"] - original[key]
            )
    return changes


def verdict(mean: float, se: float, expected_sign: int) -> str:
    """``reproduced`` when the mean has the expected sign and lies ≥ 2 standard errors from 0,
    ``opposite`` when it lies as far on the other side, else ``not resolved``."""
    if not np.isfinite(se) or abs(mean) < 2 * se or mean == 0:
        return "not resolved"
    return "reproduced" if np.sign(mean) == expected_sign else "opposite"


def tabular_summary(result: Any) -> dict[str, Any]:
    rows = result.rows
    by = group(rows, "learner")
    summary: dict[str, Any] = {
        "mean test accuracy, original data": {
            k: mean(r["test_accuracy"] for r in v if r["transform"] == "original")
            for k, v in by.items()
        },
        "change in test accuracy": {
            how: {k: round(mean, 4) for k, (mean, _) in by_learner.items()}
            for how, by_learner in tabular_changes(rows).items()
        },
    }
    summary["findings"] = tabular_findings(rows)
    lead = trees_lead(rows)
    if lead:
        summary["trees' lead on the original data"] = lead
    return summary


def trees_lead(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The headline of the debate, "trees beat nets on tabular data": the mean over (dataset,
    split) of the tree ensembles' test accuracy minus the MLP's on the original data, its
    standard error and :func:`verdict` (expected sign +)."""
    accuracy = {
        (r["learner"], r["dataset"], r["seed"]): r["test_accuracy"]
        for r in rows
        if r["transform"] == "original"
    }
    keys = sorted({(d, s) for (learner, d, s) in accuracy if learner == "mlp"})
    keys = [k for k in keys if all((t, *k) in accuracy for t in TREES)]
    if not keys:
        return {}
    lead = [float(np.mean([accuracy[(t, *k)] for t in TREES])) - accuracy[("mlp", *k)]
            for k in keys]  # fmt: skip
    mean, se = mean_se(lead)
    return {"trees minus MLP": mean, "standard error": se, "pairs": len(keys),
            "verdict": verdict(mean, se, 1)}  # fmt: skip


def tabular_findings(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Grinsztajn et al.'s three findings, measured on paired differences (dataset, split):

    (a) uninformative features hurt the MLP more than the trees (forest, boosting);
    (b) a random rotation hurts the trees more than the MLP;
    (c) smoothing the target narrows the trees' lead over the MLP.

    Each: the mean of (trees' change − MLP's change) or of the lead's change, its standard
    error and :func:`verdict`."""
    paired = _paired_changes(rows)
    claims = {
        "uninformative": ("uninformative features hurt the MLP more than the trees", 1),
        "rotated": ("a random rotation hurts the trees more than the MLP", -1),
        "smoothed": ("smoothing the target narrows the trees' lead over the MLP", -1),
    }
    findings: dict[str, dict[str, Any]] = {}
    for how, (claim, sign) in claims.items():
        by = paired.get(how, {})
        trees = [by[t] for t in TREES if t in by]
        if not trees or "mlp" not in by:
            continue
        keys = sorted(set.intersection(*(set(t) for t in trees), set(by["mlp"])))
        if not keys:
            continue
        # trees' change minus the MLP's: > 0 when the MLP lost more (or gained less)
        differences = [float(np.mean([t[k] for t in trees])) - by["mlp"][k] for k in keys]
        mean, se = mean_se(differences)
        findings[how] = {
            "claim": claim,
            "trees' change": float(np.mean([np.mean([t[k] for t in trees]) for k in keys])),
            "MLP's change": float(np.mean([by["mlp"][k] for k in keys])),
            "trees minus MLP": mean,
            "standard error": se,
            "pairs": len(keys),
            "verdict": verdict(mean, se, sign),
        }
    return findings
