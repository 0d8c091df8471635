"""P_train vs P_B by hand (SCIENCE.md §B.5, DESIGN.md §4): splits, tallies, the headline.

A tally is ``(counts, n_attempts, n_kept)``: ``counts`` maps each kept test function (a
'0'/'1' string on the test rows) to how often it was seen; ``n_attempts`` counts every run
started or sample drawn, ``n_kept`` the runs that fit S or the samples accepted.  P(f) is
counts[f] / n_kept — the distribution *of the kept functions* — whatever the acceptance.
"""

from __future__ import annotations

import math
import re

import numpy as np


def formula_table(n: int, spec: str) -> str:
    """'x1', 'x1&x3', 'x2|x4', 'x1^x2' …: row i is i in binary with x1 the most significant."""
    operator = (re.findall(r"[&|^]", spec) or ["&"])[0]
    indices = [int(v) for v in re.findall(r"\d+", spec)]
    out = []
    for i in range(2**n):
        bits = [(i >> (n - j)) & 1 for j in indices]
        if operator == "&":
            value = int(all(bits))
        elif operator == "|":
            value = int(any(bits))
        else:
            value = sum(bits) % 2
        out.append(str(value))
    return "".join(out)


def split_rows(n: int, train_size: int, seed) -> tuple[list[int], list[int]]:
    """A uniformly random training set: ``train_size`` distinct rows drawn without replacement
    by ``default_rng(seed).choice``, sorted; the test rows are the rest, sorted."""
    train = sorted(np.random.default_rng(seed).choice(2**n, size=train_size, replace=False))
    train = [int(i) for i in train]
    return train, [i for i in range(2**n) if i not in train]


def fits(table: str, target: str, train: list[int]) -> bool:
    return all(table[i] == target[i] for i in train)


def on_rows(table: str, rows: list[int]) -> str:
    return "".join(table[i] for i in rows)


def tally(functions, n_attempts: int | None = None) -> tuple[dict[str, int], int, int]:
    counts: dict[str, int] = {}
    for f in functions:
        counts[f] = counts.get(f, 0) + 1
    n_kept = sum(counts.values())
    return counts, n_kept if n_attempts is None else n_attempts, n_kept


def rejection(tables, target: str, train: list[int], test: list[int]):
    """P_B by rejection: keep the tables that fit S; tally their test functions."""
    tables = list(tables)
    kept = [on_rows(t, test) for t in tables if fits(t, target, train)]
    return tally(kept, len(tables))


def errors(function: str, target_test: str) -> int:
    return sum(a != b for a, b in zip(function, target_test, strict=True))


def headline(train, bayes, target_test: str, *, computed: dict[str, float] | None = None):
    """Comparison.headline() from its definition.  ``train``/``bayes`` are tallies; with
    ``computed`` (function → P_B) P_B is given instead of counted (EP, exact)."""
    t_counts, _, t_kept = train
    p_t = {f: c / max(1, t_kept) for f, c in t_counts.items()}
    if computed is None:
        b_counts, _, b_kept = bayes
        p_b = {f: c / max(1, b_kept) for f, c in b_counts.items()}
    else:
        b_counts, p_b = {}, dict(computed)
    everything = sorted(set(p_t) | set(p_b))
    pt = {f: p_t.get(f, 0.0) for f in everything}
    pb = {f: p_b.get(f, 0.0) for f in everything}
    ct = {f: t_counts.get(f, 0) for f in everything}
    cb = {f: b_counts.get(f, 0) for f in everything}

    def within(f):  # |log10(P_train / P_B)| ≤ 1, both seen
        return pt[f] > 0 and pb[f] > 0 and abs(math.log10(pt[f] / pb[f])) <= 1

    def twice(f):  # seen at least twice by both (a computed P_B: any value > 0)
        return ct[f] >= 2 and (pb[f] > 0 if computed is not None else cb[f] >= 2)

    seen_twice = [f for f in everything if twice(f)]
    mass_twice = sum(pt[f] for f in seen_twice)
    n_test = len(everything[0]) if everything else 0

    def mean_error(p):
        mass = sum(p.values())
        if mass <= 0:
            return None
        return sum(p[f] * errors(f, target_test) for f in p) / mass / n_test

    if len(seen_twice) >= 3:
        correlation = _pearson(
            [math.log10(pt[f]) for f in seen_twice], [math.log10(pb[f]) for f in seen_twice]
        )
    else:
        correlation = math.nan
    scored = sum(pt[f] for f in everything if pb[f] > 0)
    within_mass = sum(pt[f] for f in everything if within(f))
    return {
        "n_functions_train": sum(1 for f in everything if ct[f] > 0),
        "n_functions_bayes": sum(1 for f in everything if cb[f] > 0),
        "n_functions_both_seen_twice": len(seen_twice),
        "train_mass_within_decade": within_mass,
        "train_mass_within_decade_seen_twice": (
            sum(pt[f] for f in seen_twice if within(f)) / mass_twice if mass_twice else None
        ),
        "train_mass_unseen_by_bayes": sum(pt[f] for f in everything if pb[f] == 0),
        "train_mass_within_decade_scored": within_mass / scored if scored else 0.0,
        "log10_correlation_seen_twice": correlation,
        "mean_test_error_train": mean_error(pt),
        "mean_test_error_train_scored": mean_error(
            {f: (pt[f] if pb[f] > 0 else 0.0) for f in everything}
        ),
        "mean_test_error_bayes": mean_error(pb),
    }


def _pearson(x: list[float], y: list[float]) -> float:
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else math.nan


def summary(train, bayes, target: str, train_rows, test_rows, *, learner: str, method: str):
    """BayesResult.summary() less the timings: the bookkeeping, then the headline."""
    t_counts, t_attempts, t_kept = train
    b_counts, b_attempts, b_kept = bayes
    target_test = on_rows(target, test_rows)
    return {
        "learner": learner,
        "target": target,
        "train_rows": list(train_rows),
        "test_target": target_test,
        "n_runs": t_attempts,
        "n_fit": t_kept,
        "n_unfit": t_attempts - t_kept,
        "bayes_method": method,
        "n_samples": b_attempts,
        "n_accepted": b_kept,
        "acceptance_rate": b_kept / b_attempts if b_attempts else None,
        **headline(train, bayes, target_test),
    }


def evolution_vs_bayes(learner, target: str, train, test, *, rules, depth, n_runs, steps,
                       n_samples, n_shards, seed, batch=4096):  # fmt: skip
    """Both tallies of the rule-array experiment (P_evo, P_B by rejection) by hand.

    ``learner`` is a :class:`reference.automata.Learner` of the Boolean task on the split.
    Seeds as promised by the plans: the run seed and the sample seed are the first words of
    ``SeedSequence(seed).spawn(2)``; run i evolves from ``SeedSequence(run seed).spawn(runs)[i]``
    and stops at zero training errors; shard j of the samples draws from
    ``SeedSequence(sample seed).spawn(shards)[j]``, ``batch`` arrays of uniform rules at a time.
    """
    from reference.automata import evolve

    train_seed, bayes_seed = np.random.SeedSequence(seed).spawn(2)
    evolved = []
    for run_seed in np.random.SeedSequence(int(train_seed.generate_state(1)[0])).spawn(n_runs):
        run = evolve(learner, depth=depth, rules=rules, steps=steps, seed=run_seed)
        if run.final_loss == 0:
            evolved.append(on_rows("".join(str(a[0]) for a in learner.answers(run.rules)), test))
    sizes = [len(part) for part in np.array_split(np.arange(n_samples), min(n_shards, n_samples))]
    shard_seeds = np.random.SeedSequence(int(bayes_seed.generate_state(1)[0])).spawn(len(sizes))
    tables = []
    for shard_seed, size in zip(shard_seeds, sizes, strict=True):
        rng = np.random.default_rng(shard_seed)
        for start in range(0, size, batch):
            width = len(learner.inputs[0])
            draws = rng.integers(0, len(rules), (min(batch, size - start), depth, width)).tolist()
            for array in draws:
                rule_rows = [[rules[i] for i in row] for row in array]
                tables.append("".join(str(a[0]) for a in learner.answers(rule_rows)))
    return tally(evolved, n_runs), rejection(tables, target, train, test)
