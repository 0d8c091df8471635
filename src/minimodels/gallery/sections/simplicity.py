"""Simplicity bias of random models (SCIENCE.md §B): sample, count functions, look.

Three sections (band 40–49) built from :mod:`minimodels.experiments.simplicity`:

* ``simplicity-mlp`` (40): a 7-40-40-1 ReLU net, Gaussian σw = σb = 1 — rank vs probability
  with the Zipf line, P(f) vs K_LZ with the fitted bound log2 P ≤ −a·K − b, the marginal P(K)
  beside random strings, the number of ones; distinct functions and the fraction seen once.
* ``simplicity-perceptron`` (41): the perceptron without bias — the number of ones is uniform
  on 0 … 2^n − 1 (entropy bias, Mingard et al. 2019).
* ``simplicity-substrates`` (42): the same measurement on random rule arrays and mesh nets.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np

from minimodels import gallery
from minimodels.analysis.sampling.analysis import BiasAnalysis
from minimodels.experiments.simplicity import (
    SimplicityConfig,
    SimplicityResult,
    named_functions,
    probability_of,
    run,
)
from minimodels.plotting.bias import compare


def _section(result: SimplicityResult, title: str, intro: str, name: str) -> gallery.Section:
    section = gallery.Section(
        title=title, intro=intro, config=asdict(result.config), command=result.config.command()
    )
    a = result.analysis
    section.add_figure(
        name,
        a.plot(),
        "Left to right: probability vs rank (dashed: Zipf line); probability vs K_LZ with the "
        "per-K maxima of functions seen more than once and the fitted bound (the tightest line "
        "that none of them lies above); the marginal P(K) "
        "against uniformly random strings; the distribution of the number of ones.",
    )
    section.numbers.update(a.numbers())
    return section


def simplicity_claim(a: BiasAnalysis, who: str, source: str, figure: str) -> gallery.Claim:
    """ "P(f) falls exponentially with K_LZ": the fitted bound slopes down (a > 0) and the
    sampled functions are simpler on average than random strings of the same length."""
    sampled = float(np.sum(a.probabilities * a.k_lz))
    random = float(np.sum(a.random_p_k * a.random_k_values))
    simpler = sampled < random
    verdict = "supported" if a.bound_a > 0 and simpler else "mixed" if simpler else "refuted"
    return gallery.Claim(
        f"{who}: P(f) falls exponentially with the Lempel–Ziv complexity of f",
        source, verdict,
        f"bound log2 P ≤ −{a.bound_a:.2f}·K {'−' if a.bound_b >= 0 else '+'} "
        f"{abs(a.bound_b):.2f}; mean K_LZ {sampled:.1f} of "
        f"the sampled functions vs {random:.1f} of random strings",
        figure,
    )  # fmt: skip


@gallery.section("simplicity-mlp", title="Simplicity bias of a random 7-40-40-1 net", order=40)
def build_mlp(ctx: gallery.Context) -> gallery.Section:
    config = SimplicityConfig(samples=100_000 if ctx.quick else 1_000_000, seed=ctx.seed)
    result = run(config, on_progress=ctx.on_progress)
    section = _section(
        result,
        "Simplicity bias of a random 7-40-40-1 net",
        "Random ReLU nets (W ~ N(0, 1/fan_in), b ~ N(0, 1)) evaluated on all 128 inputs of "
        "{0,1}^7. A few simple functions take most of the parameter volume: the probability "
        "of a function falls exponentially with its Lempel–Ziv complexity, and the functions "
        "that are seen are far simpler than random strings (Valle-Pérez, Camargo & Louis 2019).",
        "mlp",
    )
    source = "Valle-Pérez et al. 2019; Dingle et al. 2018"
    section.claims = [simplicity_claim(result.analysis, "Random 7-40-40-1 nets", source, "mlp")]
    return section


@gallery.section("simplicity-perceptron", title="Entropy bias of the perceptron", order=41)
def build_perceptron(ctx: gallery.Context) -> gallery.Section:
    config = SimplicityConfig(
        model="perceptron:7", samples=20_000 if ctx.quick else 100_000, seed=ctx.seed
    )
    result = run(config, on_progress=ctx.on_progress)
    section = _section(
        result,
        "Entropy bias of the perceptron",
        "A perceptron without bias on {0,1}^7: the number of inputs it maps to 1 is uniform on "
        "0 … 127 (Mingard et al. 2019), so low-entropy functions, being fewer, are each far "
        "more likely.",
        "perceptron",
    )
    ones = result.analysis.ones_distribution()
    low, high = ones[:128].min() * 128, ones[:128].max() * 128
    section.numbers["P(t ones), t = 0…127: min / max × 128"] = f"{low:.2f} / {high:.2f}"
    section.claims = [gallery.Claim(
        "A perceptron's number of ones is uniform over 0 … 2^n − 1 (entropy bias)",
        "Mingard et al. 2019", "supported" if low > 0.5 and high < 2 else "refuted",
        f"P(t ones) × 128 ranges over {low:.2f} … {high:.2f} for t = 0 … 127", "perceptron",
    )]  # fmt: skip
    return section


SUBSTRATES = (
    ("rulearray:20x10:rules=4,146", "random {4, 146} rule arrays, 20 wide × 10 deep"),
    ("rulearray:16x8:rules=8,6:r=1/2", "random And/Xor brick arrays (r = 1/2), 16 × 8"),
    ("mesh:14x6", "mesh nets 14 × 6 (ReLU, each neuron sees 3 neighbours), σw = σb = 1"),
    ("poly:7:3", "random polynomials of degree ≤ 3 in the 7 inputs, thresholded at 0 (the "
     "contrast: every monomial's coefficient N(0, 1))"),
    ("poly:7:7", "random polynomials of full degree 7 (one N(0, 1) coefficient per subset of "
     "the inputs: every function reachable)"),
)  # fmt: skip


@gallery.section(
    "simplicity-substrates",
    title="Simplicity bias in rule arrays, mesh nets and polynomials",
    order=42,
)
def build_substrates(ctx: gallery.Context) -> gallery.Section:
    samples = 10_000 if ctx.quick else 100_000
    section = gallery.Section(
        title="Simplicity bias in rule arrays, mesh nets and polynomials",
        intro=(
            "The same measurement on substrates no one has measured it on: random rule arrays "
            "(every cell drawn from the rule set; the 7 inputs spread over the top row, the "
            "output read at the middle of the bottom row) and random mesh nets. Rules 4, 146, "
            "And and Xor send 000 → 0, so every function has f(0…0) = 0. As a contrast with no "
            "architecture at all, the last two rows are random polynomials in the 0/1 inputs (one "
            "N(0, 1) coefficient per monomial of degree ≤ d), thresholded at 0."
        ),
        config={"samples": samples, "models": [m for m, _ in SUBSTRATES], "seed": ctx.seed},
        command=SimplicityConfig(model=SUBSTRATES[0][0], samples=samples).command(),
    )
    rows, analyses = [], []
    for model, _ in SUBSTRATES:
        result = run(SimplicityConfig(model=model, samples=samples, seed=ctx.seed))
        analyses.append(result.analysis)
        rows.append({"model": model, **result.analysis.numbers()})

    section.add_figure(
        "substrates",
        compare(analyses, panels=("rank", "complexity", "ones")),
        "One row per substrate — "
        + "; ".join(description for _, description in SUBSTRATES)
        + ": probability vs rank (dashed: Zipf line), probability vs K_LZ with the fitted "
        "bound, and the distribution of the number of ones.",
    )
    section.tables.append(("Per substrate", rows))
    section.claims = [
        simplicity_claim(a, description[0].upper() + description[1:], "minimodels' question",
                         "substrates")
        for a, (_, description) in zip(analyses, SUBSTRATES, strict=True)
    ]  # fmt: skip
    return section


@gallery.section("simplicity-images", title="2×2 images: every function of 4 pixels", order=43)
def build_images(ctx: gallery.Context) -> gallery.Section:
    config = SimplicityConfig(
        model="4-40-40-1", samples=200_000 if ctx.quick else 2_000_000, seed=ctx.seed
    )
    result = run(config, on_progress=ctx.on_progress)
    return images_section(result)


def images_section(result: SimplicityResult) -> gallery.Section:
    """The 2×2-image section from a run of a 4-input net (split out so tests can feed it)."""
    from minimodels.analysis import complexity
    from minimodels.plotting.bias import plot_marked

    table, a = result.table, result.analysis
    n, total = table.n_samples, 2**16
    order = np.argsort(-table.counts, kind="stable")  # the analysis's rank order
    rank_of = np.empty(len(order), dtype=int)
    rank_of[order] = np.arange(1, len(order) + 1)
    bits = table.truth_tables()
    marks: list[dict[str, Any]] = []
    for name, truth in named_functions(4).items():
        count, p, row = probability_of(table, truth, bits=bits)
        rank = None if row is None else int(rank_of[row])
        marks.append({"name": name, "count": count, "p": p, "rank": rank,
                      "k": float(complexity.k_lz(truth))})  # fmt: skip
    by_name = {m["name"]: m for m in marks}

    def said(mark: dict) -> str:
        if mark["count"]:
            return f"{mark['p']:.3g} (rank {mark['rank']})"
        return f"never drawn: < {mark['p']:.2g} (95 % bound, 3/N)"

    constants = by_name["constant 0"]["p"] + by_name["constant 1"]["p"]
    parity_k = by_name["parity"]["k"]
    section = gallery.Section(
        title="2×2 images: every function of 4 pixels",
        intro=(
            "The simplicity-bias papers' smallest example: a 2×2 black-and-white image is 4 "
            "bits, so a classifier of such images is one of the 2^16 = 65,536 Boolean "
            f"functions of 4 inputs. {n:,} random 4-40-40-1 ReLU nets (W ~ N(0, 1/fan_in), "
            f"b ~ N(0, 1)) compute only {table.n_functions:,} of them "
            f"({table.n_functions / total:.1%}), and the two constant classifiers take "
            f"{constants:.0%} of the parameter volume between them. Parity (K_LZ "
            f"{parity_k:.0f} of its truth table; simple to describe, hard for a net) has P "
            f"{said(by_name['parity'])}."
        ),
        numbers={
            "samples": n,
            f"distinct functions of {total:,}": table.n_functions,
            "P(constant 0)": by_name["constant 0"]["p"],
            "P(constant 1)": by_name["constant 1"]["p"],
            "P(parity)": said(by_name["parity"]),
            "P(not parity)": said(by_name["not parity"]),
            "bound a (log2 P ≤ −aK − b)": round(a.bound_a, 3),
        },
        config=asdict(result.config),
        command=result.config.command(),
    )
    section.add_figure(
        "images",
        plot_marked(a, marks),
        "Probability vs rank (dashed: Zipf line) and vs K_LZ of the truth table, with the "
        "constant classifiers (green) and parity (red; a downward triangle at the 3/N bound "
        "where it was never drawn) marked.",
    )
    section.claims = [simplicity_claim(a, "Random 4-40-40-1 nets on 2×2 images",
                                       "Mingard et al. 2023", "images")]  # fmt: skip
    return section
