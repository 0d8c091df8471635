"""Headline numbers of the debate's experiments, read off their rows (pure; no JAX)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def _by(rows: list[dict[str, Any]], *keys: str) -> dict[tuple, list[dict[str, Any]]]:
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row[k] for k in keys), []).append(row)
    return groups


def _median(rows: list[dict[str, Any]], key: str) -> float:
    values = [r[key] for r in rows if r.get(key) is not None and np.isfinite(r[key])]
    return float(np.median(values)) if values else float("nan")


def _spearman(a: list[float], b: list[float]) -> float:
    """Rank correlation (ties broken by order; NaN pairs dropped)."""
    pairs = np.array(
        [(x, y) for x, y in zip(a, b, strict=True) if np.isfinite(x) and np.isfinite(y)]
    )
    if len(pairs) < 3:
        return float("nan")
    ranks = np.argsort(np.argsort(pairs, axis=0), axis=0).astype(float)
    if np.std(ranks[:, 0]) == 0 or np.std(ranks[:, 1]) == 0:
        return float("nan")
    return float(np.corrcoef(ranks[:, 0], ranks[:, 1])[0, 1])


def landscape_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    sharp = [r for r in rows if r["part"] == "sharpness" and not r["diverged"]]
    minima = [r for r in rows if r["part"] == "minima"]
    scales = [r for r in rows if r["part"] == "init_scale"]
    return {
        "median sharpness by batch size": {
            str(b): _median(v, "sharpness") for (b,), v in _by(sharp, "batch_size").items()
        },
        "median test error by batch size": {
            str(b): _median(v, "test_error") for (b,), v in _by(sharp, "batch_size").items()
        },
        "rank correlation, sharpness vs test error": _spearman(
            [r["sharpness"] for r in sharp], [r["test_error"] for r in sharp]
        ),
        "stuck fraction by width": {
            str(w): float(np.mean([not r["fitted"] for r in v]))
            for (w,), v in _by(minima, "width").items()
        },
        "distinct functions among fitted runs by width": {
            str(w): len({r["function"] for r in v if r["fitted"]})
            for (w,), v in _by(minima, "width").items()
        },
        "median relative movement by init scale": {
            f"{s:g}": _median(v, "relative_movement")
            for (s,), v in _by(scales, "init_scale").items()
        },
        "median test error by init scale": {
            f"{s:g}": _median(v, "test_error") for (s,), v in _by(scales, "init_scale").items()
        },
    }


def peak(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Where the median test MSE over seeds is largest, and how large."""
    medians = {p: _median(v, "test_mse") for (p,), v in _by(rows, "parameters").items()}
    at = max(medians, key=lambda p: medians[p])
    return {"parameters": float(at), "median test MSE": medians[at],
            "median test MSE at the largest size": medians[max(medians)]}  # fmt: skip


def double_descent_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    peaks = {}
    curves = [r for r in rows if r["part"] != "deep_vs_wide"]
    for (part, noise, ridge), group in _by(
        [{**r, "ridge": r.get("ridge", 0.0)} for r in curves], "part", "noise", "ridge"
    ).items():
        label = f"{part}, noise {noise:g}" + (f", ridge {ridge:g}" if ridge else "")
        peaks[label] = peak(group)
    deep = [r for r in rows if r["part"] == "deep_vs_wide"]
    by_depth = {}
    for (depth,), group in _by(deep, "depth").items():
        fitted = [r["test_error"] for r in group if r["fitted"]]
        by_depth[str(depth)] = {
            "width": group[0]["width"], "parameters": group[0]["parameters"],
            "fitted": f"{len(fitted)} of {len(group)}",
            "mean test error": float(np.mean(fitted)) if fitted else None,
            "standard error": float(np.std(fitted, ddof=1) / np.sqrt(len(fitted)))
            if len(fitted) > 1 else None,
        }  # fmt: skip
    return {"test MSE peaks": peaks, "deep vs wide": by_depth}


def scaling_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"points": len(rows)}


def implicit_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    from minimodels.experiments.debate.implicit import grokking_verdict

    tracked = [r for r in rows if r["part"] == "tracked"]
    out: dict[str, Any] = {}
    for (optimizer,), group in _by(tracked, "optimizer").items():
        by_run = _by(group, "run")
        first_fit, last = [], []
        for run_rows in by_run.values():
            run_rows.sort(key=lambda r: r["step"])
            fits = [r for r in run_rows if r["train_accuracy"] >= 1.0]
            if fits:
                first_fit.append(fits[0])
                last.append(run_rows[-1])
        out[optimizer] = {
            "runs that fit S": f"{len(first_fit)} of {len(by_run)}",
            **{
                f"median {key}, at first fit → at the end": [
                    _median(first_fit, key),
                    _median(last, key),
                ]
                for key in ("step", "weight_norm", "k_lz", "sensitivity", "test_error")
            },
        }
    return {"after fitting": out, "grokking": grokking_verdict(rows)}


SUMMARIES: dict[str, Callable[[list[dict[str, Any]]], dict[str, Any]]] = {
    "landscape": landscape_summary,
    "double-descent": double_descent_summary,
    "scaling": scaling_summary,
    "implicit": implicit_summary,
}
