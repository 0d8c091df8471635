"""Boolean functions, learner by learner: n = 7 targets of rising K_LZ, random training sets,
each learner's function on all inputs, and the priors (functions drawn with no data)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from minimodels.analysis.bayes.nngp import nngp_kernel, sample_gaussian
from minimodels.analysis.bayes.protocol import boolean_target, random_split, truth_table_bits
from minimodels.analysis.complexity import k_lz
from minimodels.base.progress import ProgressCallback, report
from minimodels.experiments.why_nets.config import LearnersConfig
from minimodels.experiments.why_nets.rows import group, mean


def boolean_targets(config: LearnersConfig) -> list[tuple[str, str]]:
    """(name, truth table) of every target: x1 with ``k`` random bits flipped, then ``named``.

    The flipped bits are drawn as :func:`minimodels.experiments.bayes.run_ladder` draws them."""
    n = config.n
    rng = np.random.default_rng(config.seed)
    base = np.array([int(c) for c in boolean_target(n, "x1")])
    targets = []
    for k in config.flips:
        table = base.copy()
        table[rng.choice(2**n, size=k, replace=False)] ^= 1
        targets.append((f"x1, {k} flipped", "".join(map(str, table))))
    named_rng = np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=(3,)))
    return targets + [(name, boolean_target(n, name, rng=named_rng)) for name in config.named]


def run_seed(config: LearnersConfig, target: int, train_size: int, set_index: int) -> int:
    """The seed of one fit (every learner's, so all see the same S and the same randomness)."""
    sequence = np.random.SeedSequence([config.seed, target, train_size, set_index])
    return int(sequence.generate_state(1)[0])


def run_boolean(config: LearnersConfig, on_progress: ProgressCallback | None):
    names = config.chosen()
    targets = boolean_targets(config)
    learners = {name: config.learner(name) for name in names}
    n = config.n
    total = len(targets) * len(config.train_sizes) * config.n_sets + len(names)
    done, rows = 0, []
    for t, (target_name, target) in enumerate(targets):
        target_k = float(k_lz(target))
        truth = truth_table_bits(target)
        for m in config.train_sizes:
            for j in range(config.n_sets):
                seed = run_seed(config, t, m, j)
                split = random_split(n, m, target, rng=np.random.default_rng(seed))
                x = split.inputs.astype(np.float64)
                labels = split.train_labels.astype(np.float64)
                test_ones = truth[split.test].mean()
                majority = test_ones if labels.mean() < 0.5 else 1 - test_ones
                for name, learner in learners.items():
                    started = time.perf_counter()
                    predict = learner.fit(x[split.train], labels, kind="classification", seed=seed)
                    seconds = time.perf_counter() - started
                    bits = predict(x).astype(np.uint8)
                    rows.append(
                        {
                            "learner": name,
                            "task": "boolean",
                            "target": target_name,
                            "target_k": target_k,
                            "train_size": m,
                            "set": j,
                            "seed": seed,
                            "train_error": float(np.mean(bits[split.train] != truth[split.train])),
                            "test_error": float(np.mean(bits[split.test] != truth[split.test])),
                            "majority_error": float(majority),
                            "function": "".join(map(str, bits.tolist())),
                            "function_k": float(k_lz(bits)),
                            "seconds": seconds,
                        }
                    )
                done += 1
                report(on_progress, done, total)
    priors = []
    for name in names:
        priors += _prior_rows(config, name)
        done += 1
        report(on_progress, done, total)
    return rows, priors, {}


def prior_tables(config: LearnersConfig, name: str) -> np.ndarray | None:
    """``(prior_samples, 2^n)`` 0/1 functions of learner ``name`` drawn with no data, or None
    where the learner has no prior of its own (nearest neighbours, SVMs, boosting …)."""
    n, count = config.n, config.prior_samples
    if count == 0:
        return None
    rng = np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=(2, len(name))))
    x = ((np.arange(2**n)[:, None] >> np.arange(n - 1, -1, -1)) & 1).astype(np.float64)
    if name in ("mlp", "rulearray"):  # the compiled sampler, under the learner's own prior
        from minimodels.analysis.sampling import sample_functions

        spec = f"{n}-40-40-1" if name == "mlp" else f"rulearray:15x8:rules=4,146:n={n}"
        table = sample_functions(spec, samples=count, seed=config.seed)
        return np.repeat(table.truth_tables(), table.counts, axis=0)
    if name == "mesh":  # tanh meshes: the JAX net itself (the sampler has relu and linear)
        return _random_net_tables(config, x, count)
    if name in ("gp-nngp", "gp-rbf"):
        if name == "gp-nngp":
            K = nngp_kernel(x, depth=2)
        else:
            K = np.exp(-((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2) / 2)
        return (sample_gaussian(K, count, rng=rng) > 0).astype(np.uint8)
    if name == "poly":
        from sklearn.preprocessing import PolynomialFeatures

        features = PolynomialFeatures(config.degree).fit_transform(x)
        weights = rng.standard_normal((count, features.shape[1]))
        return (weights @ features.T > 0).astype(np.uint8)
    if name == "tree":
        from sklearn.tree import ExtraTreeClassifier

        tables = np.empty((count, 2**n), np.uint8)
        for i in range(count):
            labels = rng.integers(0, 2, 2**n)
            tree = ExtraTreeClassifier(max_depth=4, random_state=int(rng.integers(2**31)))
            tables[i] = tree.fit(x, labels).predict(x)
        return tables
    return None


def _random_net_tables(config: LearnersConfig, x: np.ndarray, count: int) -> np.ndarray:
    """Functions of ``count`` mesh nets drawn from the mesh learner's initialisation."""
    import jax

    from minimodels.learners.nets.train import apply_many, init_many

    options = config.learner_options()
    model = config.learner("mesh").model(x.shape[1])
    keys = jax.random.split(jax.random.key(config.seed), count)
    tables = []
    for start in range(0, count, 4096):
        params = init_many(model, keys[start : start + 4096], options.mesh_init)
        tables.append(np.asarray(apply_many(model, params, x.astype(np.float32)))[:, :, 0] > 0)
    return np.concatenate(tables).astype(np.uint8)


def _prior_rows(config: LearnersConfig, name: str) -> list[dict[str, Any]]:
    tables = prior_tables(config, name)
    if tables is None:
        return []
    functions, counts = np.unique(tables, axis=0, return_counts=True)
    complexities = np.atleast_1d(k_lz(functions))
    return [
        {
            "learner": name,
            "function": "".join(map(str, f.tolist())),
            "count": int(c),
            "k_lz": float(k),
        }
        for f, c, k in zip(functions, counts, complexities, strict=True)
    ]


def boolean_summary(result: Any) -> dict[str, Any]:
    by = group(result.rows, "learner")
    simplest = min(r["target_k"] for r in result.rows)
    hardest = max(r["target_k"] for r in result.rows)
    summary: dict[str, Any] = {
        "mean test error, simplest target": {
            k: mean(r["test_error"] for r in v if r["target_k"] == simplest) for k, v in by.items()
        },
        "mean test error, most complex target": {
            k: mean(r["test_error"] for r in v if r["target_k"] == hardest) for k, v in by.items()
        },
        "majority-class error, simplest target": mean(
            r["majority_error"] for r in result.rows if r["target_k"] == simplest
        ),
        "mean K_LZ of the output functions": {
            k: mean(r["function_k"] for r in v) for k, v in by.items()
        },
    }
    priors = group(result.priors, "learner")
    if priors:
        slopes = {}
        for k, v in priors.items():
            counts = np.array([r["count"] for r in v], float)
            ks = np.array([r["k_lz"] for r in v])
            slopes[k] = _mean_k(ks, counts)
        summary["mean K_LZ of the prior's functions"] = slopes
        summary["distinct functions among the prior's draws"] = {
            k: len(v) for k, v in priors.items()
        }
    return summary


def _mean_k(ks: np.ndarray, counts: np.ndarray) -> float:
    return float((ks * counts).sum() / counts.sum())
