"""Simplicity bias through four complexity measures (band 40–49, after ``simplicity-images``).

``simplicity-measures`` (44): random 5-40-40-1 ReLU nets (W ~ N(0, 1/fan_in), b ~ N(0, 1)),
each function's probability P(f) against four complexity measures of its truth table —
K_LZ, the critical sample ratio, the literals of a minimal sum-of-products and the average
sensitivity (:mod:`minimodels.analysis.complexity`) — with the constants and parity marked,
and the Spearman rank correlations between log P and each measure and among the measures.

Five inputs, not seven: the minimal sum-of-products is found exactly (Quine–McCluskey and an
exact cover), which :func:`minimodels.analysis.complexity.expression_size` does only up to
n = 5; its cover search, run on 300 functions of 10^5 random 7-40-40-1 nets, took 3.4 ms a
function on average (85 ms at most), about 85 s for the 24,893 distinct functions of that
run — the whole of a full build's budget, before any sampling.

Correlations are taken over the distinct functions seen at least twice, each counted once:
every function seen once has the same estimate P = 1/N, a floor of ties that says more about
N than about the function.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np

from minimodels import gallery
from minimodels.analysis import complexity
from minimodels.base.errors import UsageError
from minimodels.experiments.simplicity import (
    SimplicityConfig,
    SimplicityResult,
    named_functions,
    probability_of,
    run,
)
from minimodels.plotting.measures import plot_correlations, plot_measures

__all__ = ["MEASURES", "build_measures", "measure_values", "measures_section", "rank_correlations"]

MODEL = "5-40-40-1"
MEASURES = ("K_LZ", "critical sample ratio", "expression size", "average sensitivity")
THRESHOLD = -0.3  # a measure "shows the bias" when Spearman ρ(measure, log P) ≤ this


def measure_values(bits: Any) -> dict[str, np.ndarray]:
    """The four measures of (m, 2^n) truth tables, one value per row, keyed by :data:`MEASURES`:
    K_LZ, the critical sample ratio, the literals of a minimal sum-of-products (n ≤ 5) and the
    average sensitivity."""
    batch = complexity.as_bits(bits)
    if batch.ndim == 1:
        batch = batch[None, :]
    return {
        "K_LZ": np.asarray(complexity.k_lz(batch), dtype=np.float64),
        "critical sample ratio": np.asarray(complexity.critical_sample_ratio(batch)),
        "expression size": np.asarray(complexity.expression_size(batch, form="sop")),
        "average sensitivity": np.asarray(complexity.average_sensitivity(batch)),
    }


def rank_correlations(columns: dict[str, np.ndarray]) -> np.ndarray:
    """Spearman ρ between every pair of columns (equal lengths): the Pearson correlation of
    average ranks (:func:`scipy.stats.rankdata`), as :func:`scipy.stats.spearmanr` computes
    it; NaN where a column is constant or there are fewer than 3 rows."""
    from scipy.stats import rankdata

    data = [np.asarray(v, dtype=np.float64) for v in columns.values()]
    lengths = {v.size for v in data}
    if len(lengths) != 1:
        raise UsageError(f"rank correlations need columns of one length, got {sorted(lengths)}")
    k = len(data)
    matrix = np.full((k, k), np.nan)
    if lengths.pop() < 3:
        return matrix
    ranks = [rankdata(v) for v in data]
    for i in range(k):
        for j in range(k):
            a, b = ranks[i] - ranks[i].mean(), ranks[j] - ranks[j].mean()
            norm = np.sqrt((a * a).sum() * (b * b).sum())
            if norm > 0:
                matrix[i, j] = float((a * b).sum() / norm)
    return matrix


def measures_claim(rho: dict[str, float], seen: int) -> gallery.Claim:
    """Supported when every ρ(measure, log P) ≤ −0.3, mixed when some are, refuted if none."""
    shows = [name for name, value in rho.items() if np.isfinite(value) and value <= THRESHOLD]
    verdict = "supported" if len(shows) == len(rho) else "mixed" if shows else "refuted"
    listed = ", ".join(f"{name} {value:+.2f}".replace("-", "−") for name, value in rho.items())
    return gallery.Claim(
        "Every reasonable complexity measure shows the bias: log P falls with each of them",
        "Valle-Pérez et al. 2019; Mingard et al. 2023",
        verdict,
        f"Spearman ρ with log P over the {seen:,} functions seen ≥ 2 times: {listed} "
        f"({len(shows)} of {len(rho)} at ≤ −{abs(THRESHOLD)})",
        "measures",
    )


def measures_section(result: SimplicityResult) -> gallery.Section:
    """The section from a run of an n ≤ 5 input model (split out so tests can feed it)."""
    table = result.table
    n_inputs, n = table.n_inputs, table.n_samples
    bits, counts = table.truth_tables(), table.counts
    values = measure_values(bits)
    log_p = np.log(counts / n)
    repeated = counts >= 2

    columns = {"log P": log_p[repeated], **{k: v[repeated] for k, v in values.items()}}
    matrix = rank_correlations(columns)
    everyone = rank_correlations({"log P": log_p, **values})
    rho = {name: float(matrix[0, i + 1]) for i, name in enumerate(MEASURES)}
    rho_all = {name: float(everyone[0, i + 1]) for i, name in enumerate(MEASURES)}

    named = named_functions(n_inputs)
    marks: list[dict[str, Any]] = []
    for name in ("constant 0", "constant 1", "parity"):
        count, p, _ = probability_of(table, named[name])
        own = {k: float(v[0]) for k, v in measure_values(named[name]).items()}
        marks.append({"name": name, "count": count, "p": p, "values": own})
    parity = marks[-1]

    def said(mark: dict[str, Any]) -> str:
        if mark["count"]:
            return f"{mark['p']:.3g} ({mark['count']:,} of {n:,})"
        return f"never drawn: < {mark['p']:.2g} (95 % bound, 3/N)"

    rows = []
    for name in MEASURES:
        v = values[name]
        rows.append({
            "measure": name,
            "ρ with log P (seen ≥ 2)": round(rho[name], 3),
            "ρ with log P (all functions)": round(rho_all[name], 3),
            "mean, P-weighted": round(float(np.sum(v * counts) / n), 3),
            "max sampled": round(float(v.max()), 3),
            "parity": round(parity["values"][name], 3),
            "distinct sampled functions ≥ parity": f"{np.mean(v >= parity['values'][name]):.2%}",
        })  # fmt: skip
    between = {
        f"ρ({MEASURES[i]}, {MEASURES[j]})": round(float(matrix[i + 1, j + 1]), 3)
        for i in range(len(MEASURES))
        for j in range(i + 1, len(MEASURES))
    }

    pv = parity["values"]
    simple = (values["average sensitivity"] > 0) | (values["expression size"] > 0)
    top = int(np.flatnonzero(simple)[np.argmax(counts[simple])]) if simple.any() else None
    if top is None:
        runner_up = ""
    else:
        tv = {k: float(v[top]) for k, v in values.items()}
        runner_up = (
            f" The most likely non-constant function, {''.join(map(str, bits[top]))} "
            f"(P {counts[top] / n:.2g}), has K_LZ {tv['K_LZ']:g}, critical sample ratio "
            f"{tv['critical sample ratio']:g}, {tv['expression size']:g} literals and average "
            f"sensitivity {tv['average sensitivity']:g}: a constant with one input changed is "
            "simple to K_LZ and to sensitivity, but a sum-of-products needs a literal per input "
            "for it."
        )
    section = gallery.Section(
        title="Simplicity bias through four complexity measures",
        intro=(
            f"{n:,} random {result.config.model} ReLU nets (W ~ N(0, 1/fan_in), b ~ N(0, 1)) "
            f"on all {2**n_inputs} inputs of {{0,1}}^{n_inputs}, each function's probability "
            "against four measures of its truth table: the Lempel–Ziv complexity K_LZ (Dingle "
            "et al. 2018); the critical sample ratio, the fraction of inputs with a Hamming "
            "neighbour of the other class (Arpit et al. 2017, as Valle-Pérez et al. 2019 use "
            "it); the literals of a minimal sum-of-products, exact by Quine–McCluskey and an "
            "exact cover; and the average sensitivity, the mean number of single-bit flips that "
            f"change f(x) (0 … {n_inputs}). Five inputs rather than seven: the exact minimal "
            "expression is computed only up to n = 5 here, and at n = 7 its cover search "
            "would take over a minute for the distinct functions of 10^5 nets.\n\n"
            "The measures are proxies, not Kolmogorov complexity. Parity has a one-line "
            f"description, yet every proxy calls it complex: K_LZ {pv['K_LZ']:g}, critical "
            f"sample ratio {pv['critical sample ratio']:g}, {pv['expression size']:g} literals "
            f"({2 ** (n_inputs - 1)} terms of {n_inputs}), average sensitivity "
            f"{pv['average sensitivity']:g} — and its P is {said(parity)}.\n\n"
            f"Rank correlations are over the {int(repeated.sum()):,} functions seen at least "
            "twice, each counted once (the functions seen once all share P = 1/N)." + runner_up
        ),
        numbers={
            "samples": n,
            "distinct functions": table.n_functions,
            "seen ≥ 2 times": int(repeated.sum()),
            **{f"ρ({name}, log P)": round(rho[name], 3) for name in MEASURES},
            **between,
            "P(parity)": said(parity),
            "P(constant 0)": said(marks[0]),
            "P(constant 1)": said(marks[1]),
            "parity: K_LZ / CSR / literals / sensitivity": (
                f"{pv['K_LZ']:g} / {pv['critical sample ratio']:g} / "
                f"{pv['expression size']:g} / {pv['average sensitivity']:g}"
            ),
        },
        config=asdict(result.config),
        command=result.config.command(),
    )
    section.add_figure(
        "measures",
        plot_measures(values, counts, marks),
        "P(f) (log scale) against each measure, every sampled function a blue dot (jittered "
        "sideways within a value), the largest P at each value among the functions seen more "
        "than once in brown; the constants (green) and parity (red; a downward triangle at the "
        "3/N bound where it was never drawn) marked.",
    )
    section.add_figure(
        "correlations",
        plot_correlations(matrix, ["log P", *MEASURES],
                          f"Spearman ρ, {int(repeated.sum()):,} functions seen ≥ 2 times"),
        "Spearman rank correlations between log P and the four measures, and among the "
        "measures, over the functions seen at least twice (each counted once).",
    )  # fmt: skip
    section.tables.append(("Each measure against log P, and parity's value", rows))
    section.claims = [measures_claim(rho, int(repeated.sum()))]
    return section


@gallery.section(
    "simplicity-measures", title="Simplicity bias through four complexity measures", order=44
)
def build_measures(ctx: gallery.Context) -> gallery.Section:
    config = SimplicityConfig(model=MODEL, samples=20_000 if ctx.quick else 500_000, seed=ctx.seed)
    return measures_section(run(config, on_progress=ctx.on_progress))
