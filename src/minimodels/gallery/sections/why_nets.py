"""Why nets? Every kind of learner side by side (SCIENCE.md §C.2–C.3), band 70–79.

Three sections built from :mod:`minimodels.experiments.why_nets`:

* ``why-nets-bump`` (70) — every learner's fit of the bump, inside and outside the training range;
* ``why-nets-boolean`` (71) — test error vs target complexity and P(f) vs K_LZ per learner;
* ``why-nets-tabular`` (72) — Grinsztajn et al.'s three transformations, with verdicts.

Every verdict sentence is read off the run's numbers, never typed in.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from minimodels import gallery
from minimodels.experiments.why_nets.config import LearnersConfig
from minimodels.experiments.why_nets.runs import run
from minimodels.experiments.why_nets.tabular import tabular_changes
from minimodels.plotting.why_nets import (
    plot_bump_fits,
    plot_error_vs_complexity,
    plot_function_priors,
    plot_tabular_changes,
)

INTRO = (
    "Universal approximation is not unique to nets: trees, kernel machines, Gaussian "
    "processes, nearest neighbours, polynomials and interpolation can fit any training set "
    "too. What tells them apart is which of the many interpolants each one picks — its "
    "inductive bias. Here every learner sees the same data and is measured the same way. "
    "scikit-learn's learners keep scikit-learn's defaults except where the config's "
    "'tuned' entry says otherwise."
)


def _config(context: gallery.Context, task: str) -> LearnersConfig:
    make = LearnersConfig.quick if context.quick else LearnersConfig.preset
    return make(task, seed=context.seed)


def _section(title: str, intro: str, config: LearnersConfig) -> gallery.Section:
    from minimodels.analysis.catalogue import TUNED

    options = " ".join(
        f"--{f.name.replace('_', '-')} {_shown(getattr(config, f.name))}"
        for f in dataclasses.fields(config)
        if f.name in _FLAGS[config.task] and getattr(config, f.name) != _DEFAULT[f.name]
    )
    section = gallery.Section(title, f"{INTRO}\n\n{intro}")
    section.config = {**dataclasses.asdict(config), "tuned": TUNED}
    section.command = (
        f"minimodels learners --task {config.task} {options} --seed {config.seed} "
        f"--out runs/learners-{config.task}"
    ).replace("  ", " ")
    return section


_FLAGS = {
    "bump": ("seeds",),
    "boolean": ("train_sizes", "flips", "named", "n_sets", "prior_samples", "net_steps"),
    "tabular": ("seeds", "datasets", "transforms"),
}
_DEFAULT = {f.name: f.default for f in dataclasses.fields(LearnersConfig)}


def _shown(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)


@gallery.section("why-nets-bump", title="Why nets? The bump, learner by learner", order=70)
def bump_section(context: gallery.Context) -> gallery.Section:
    config = _config(context, "bump")
    result = run(config, on_progress=context.on_progress)
    summary = result.summary()
    outside = summary["median outside MSE"]
    wild = sorted(outside, key=outside.get, reverse=True)[:3]
    flat = [k for k, v in outside.items() if v < 1e-3]
    section = _section(
        "Why nets? The bump, learner by learner",
        "Wolfram's bump (1 on [−1/3, 1/3], 0 elsewhere) from 21 points on [−1, 1]. Inside "
        "the training range nearly every learner is right; outside it, where no data says "
        "anything, each one shows its bias: trees, neighbours and interpolation hold their "
        "last value, kernels decay to their mean, polynomials and ReLU nets extrapolate their "
        f"last pieces. Farthest from 0 outside: {', '.join(wild)}.",
        config,
    )
    section.add_figure(
        "fits",
        plot_bump_fits(result),
        "Each panel: the bump (grey), the training points (black) and every seed's fit; the "
        "title gives the median mean squared error outside [−1, 1], where the bump is 0.",
    )
    section.numbers = {
        "learners": len(outside),
        "stay flat outside (MSE < 1e-3)": ", ".join(flat),
        "MLP outside MSE": outside.get("mlp"),
        "polynomial outside MSE": outside.get("poly"),
        "interpolate the training points": ", ".join(summary["interpolates (train MSE < 1e-6)"]),
    }
    inside = summary["median inside MSE"]
    section.claims = [extrapolation_claim(inside, outside)]
    section.tables.append(
        (
            "Median mean squared error against the bump, on a grid of 401 points",
            [
                {"learner": k, "inside [−1, 1]": f"{inside[k]:.3g}", "outside": f"{v:.3g}"}
                for k, v in outside.items()
            ],
        )
    )
    return section


@gallery.section(
    "why-nets-boolean", title="Why nets? Boolean functions, learner by learner", order=71
)
def boolean_section(context: gallery.Context) -> gallery.Section:
    config = _config(context, "boolean")
    result = run(config, on_progress=context.on_progress)
    summary = result.summary()
    simple = summary["mean test error, simplest target"]
    hard = summary["mean test error, most complex target"]
    out_k = summary["mean K_LZ of the output functions"]
    prior_k = summary.get("mean K_LZ of the prior's functions", {})
    random_k = _random_k(config)
    biased = sorted((k for k, v in prior_k.items() if v < random_k / 2), key=prior_k.get)
    unbiased = [k for k, v in prior_k.items() if v >= random_k / 2]
    section = _section(
        "Why nets? Boolean functions, learner by learner",
        f"Targets on n = {config.n} bits of rising Lempel–Ziv complexity (x1, then x1 with "
        "k of its 128 bits flipped, and named functions); each learner is fitted to "
        f"{config.n_sets} random training sets S of each size and outputs a function on all "
        f"{2**config.n} inputs. With no data at all, the priors of {', '.join(biased) or 'none'} "
        f"put their mass on simple functions (mean K_LZ below half the {random_k:.0f} of random "
        f"functions), those of {', '.join(unbiased) or 'none'} do not." + _parity(result),
        config,
    )
    section.add_figure(
        "errors",
        plot_error_vs_complexity(result),
        "Mean test error against the target's K_LZ; dashed: always answering the training "
        "set's majority class. Thick: the MLP and the GP with its NNGP kernel.",
    )
    section.add_figure(
        "functions",
        plot_function_priors(result),
        "log10 P(f) against K_LZ(f). Coloured: the frequency of each output function over "
        "the training sets of one target (colour: the target's K_LZ). Grey: functions drawn "
        f"from the learner's prior with no data ({config.prior_samples:,} draws), where it "
        "has one: random nets at their initialisation, GP draws, random trees (extremely "
        "randomised trees of depth ≤ 4 on random labels), random rule arrays, random cubic "
        "polynomials.",
    )
    section.numbers = {
        "random functions' mean K_LZ": random_k,
        "MLP test error, simplest / most complex target": f"{simple.get('mlp', float('nan')):.3f}"
        f" / {hard.get('mlp', float('nan')):.3f}",
        "majority-class error, simplest target": summary["majority-class error, simplest target"],
        "simplicity-biased priors": ", ".join(biased),
    }
    section.tables.append(
        (
            "Per learner: mean test error on the simplest and the most complex target, mean "
            "K_LZ of the functions it output, and of its prior's functions",
            [
                {
                    "learner": k,
                    "error, simplest": f"{simple[k]:.3f}",
                    "error, most complex": f"{hard[k]:.3f}",
                    "K_LZ of outputs": f"{out_k[k]:.1f}",
                    "K_LZ of prior": f"{prior_k[k]:.1f}" if k in prior_k else "—",
                }
                for k in simple
            ],
        )
    )
    section.claims = [prior_claim(prior_k, random_k), bias_claim(simple, biased, unbiased)]
    return section


def _parity(result: Any) -> str:
    """A sentence on parity, read off the rows (empty when parity is not a target)."""
    errors: dict[str, list[float]] = {}
    for r in result.rows:
        if r["target"] == "parity":
            errors.setdefault(r["learner"], []).append(r["test_error"])
    if not errors:
        return ""
    worse = sorted(k for k, v in errors.items() if np.mean(v) > 0.5)
    return (
        f" Parity — simple to describe, but every neighbour of an input has the other label — "
        f"is learned worse than chance (mean test error > 0.5) by {len(worse)} of "
        f"{len(errors)} learners."
    )


def _random_k(config: LearnersConfig) -> float:
    """Mean K_LZ of uniformly random truth tables of ``2^n`` bits (20,000 of them)."""
    from minimodels.analysis.complexity import k_lz

    rng = np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=(9,)))
    return float(np.mean(k_lz(rng.integers(0, 2, (20_000, 2**config.n), dtype=np.uint8))))


@gallery.section("why-nets-tabular", title="Why nets? Trees vs nets on tabular data", order=72)
def tabular_section(context: gallery.Context) -> gallery.Section:
    config = _config(context, "tabular")
    result = run(config, on_progress=context.on_progress)
    findings = result.summary()["findings"]
    sentences = [
        f"{f['claim'][0].upper()}{f['claim'][1:]}: {f['verdict']} (trees' change minus the "
        f"MLP's {f['trees minus MLP']:+.3f} ± {f['standard error']:.3f})."
        for f in findings.values()
    ]
    section = _section(
        "Why nets? Trees vs nets on tabular data",
        "Grinsztajn, Oyallon & Varoquaux (2022) found three reasons why tree ensembles still "
        "beat nets on tabular data: nets are hurt more by uninformative features, trees (not "
        "nets) are hurt by rotating the features, and nets struggle with irregular targets. "
        f"Each is one transformation of the same data ({', '.join(config.datasets)}), over "
        f"{config.seeds} random splits. Measured here: " + " ".join(sentences),
        config,
    )
    section.add_figure(
        "changes",
        plot_tabular_changes(result),
        "Change in test accuracy from the original data, per learner: mean ± standard error "
        "over datasets and splits.",
    )
    changes = tabular_changes(result.rows)
    original = result.summary()["mean test accuracy, original data"]
    section.tables.append(
        (
            "Test accuracy on the original data, and its change under each transformation "
            "(mean ± standard error over datasets × splits)",
            [
                {
                    "learner": name,
                    "original": f"{acc:.3f}",
                    **{
                        how: f"{by[name][0]:+.3f} ± {by[name][1]:.3f}"
                        for how, by in changes.items()
                        if name in by
                    },
                }
                for name, acc in original.items()
            ],
        )
    )
    section.tables.append(
        (
            "Grinsztajn et al.'s findings: paired differences (trees = random forest and "
            "gradient-boosted trees), reproduced when ≥ 2 standard errors from 0",
            [
                {
                    "claim": f["claim"],
                    "trees' change": _signed(f["trees' change"]),
                    "MLP's change": _signed(f["MLP's change"]),
                    "difference": f"{f['trees minus MLP']:+.3f} ± {f['standard error']:.3f}",
                    "verdict": f["verdict"],
                }
                for f in findings.values()
            ],
        )
    )
    section.numbers = {f"{how}: verdict": f["verdict"] for how, f in findings.items()}
    as_claim = {"reproduced": "supported", "opposite": "refuted", "not resolved": "inconclusive"}
    section.claims = [_tabular_claim(f, as_claim[f["verdict"]]) for f in findings.values()]
    lead = result.summary().get("trees' lead on the original data")
    if lead:
        section.claims.insert(0, gallery.Claim(
            "Tree ensembles beat nets on tabular data", "Grinsztajn, Oyallon & Varoquaux 2022",
            as_claim[lead["verdict"]],
            f"test accuracy of forest and boosting minus the MLP's, original data: "
            f"{lead['trees minus MLP']:+.3f} ± {lead['standard error']:.3f} over "
            f"{lead['pairs']} dataset × split pairs", "changes",
        ))  # fmt: skip
    return section


def _tabular_claim(finding: dict[str, Any], verdict: str) -> gallery.Claim:
    trees, mlp = finding["trees' change"], finding["MLP's change"]
    return gallery.Claim(
        f"On tabular data, {finding['claim']}", "Grinsztajn, Oyallon & Varoquaux 2022", verdict,
        f"test accuracy change: trees {trees:+.3f}, MLP {mlp:+.3f}; difference "
        f"{finding['trees minus MLP']:+.3f} ± {finding['standard error']:.3f}",
        "changes",
    )  # fmt: skip


def bias_claim(simple: dict[str, float], biased: list[str], unbiased: list[str]) -> gallery.Claim:
    """ "Learners whose prior favours simple functions generalise better on a simple target":
    the mean test error on the simplest target of the learners whose prior is simplicity-biased
    against that of the learners whose prior is not (supported when lower)."""
    low = [simple[k] for k in biased if k in simple]
    high = [simple[k] for k in unbiased if k in simple]
    if not low or not high:
        verdict, evidence = "untested", "no learner on one side of the split"
    else:
        a, b = float(np.mean(low)), float(np.mean(high))
        verdict = "supported" if a < b else "refuted"
        evidence = (f"mean test error on the simplest target: {a:.3f} for learners with a "
                    f"simplicity-biased prior ({', '.join(biased)}), {b:.3f} for the others "
                    f"({', '.join(unbiased)})")  # fmt: skip
    return gallery.Claim(
        "Learners whose prior favours simple functions generalise better on simple targets",
        "Valle-Pérez et al. 2019; Mingard et al. 2023", verdict, evidence, "errors",
    )  # fmt: skip


def extrapolation_claim(inside: dict[str, float], outside: dict[str, float]) -> gallery.Claim:
    """ "Universal approximators agree where the data are and disagree outside": supported
    when every learner but at most one fits the bump inside [−1, 1] (median MSE ≤ 0.05) while
    outside some of those that fit stay flat (MSE < 1e-3) and others leave 0 (MSE ≥ 1e-2)."""
    fit = [k for k, v in inside.items() if v <= 0.05]
    flat = [k for k in fit if outside[k] < 1e-3]
    wild = sorted((k for k in fit if outside[k] >= 1e-2), key=lambda k: -outside[k])
    if len(inside) < 2:
        verdict = "untested"
    elif len(fit) >= len(inside) - 1:
        verdict = "supported" if flat and wild else "refuted"
    else:
        verdict = "inconclusive"
    evidence = (
        f"{len(fit)} of {len(inside)} learners fit the bump inside [−1, 1] (median MSE ≤ 0.05); "
        f"outside, {len(flat)} of these stay flat (MSE < 1e-3) and {len(wild)} do not"
        + (" (" + ", ".join(f"{k} {outside[k]:.2g}" for k in wild) + ")" if wild else "")
    )
    return gallery.Claim(
        "Universal approximators fit the same data but disagree outside it",
        "Wolfram 2024; the why-nets debate", verdict, evidence, "fits",
    )  # fmt: skip


def prior_claim(prior_k: dict[str, float], random_k: float) -> gallery.Claim:
    """ "Nets (and GPs with the NNGP kernel) prefer simple functions, polynomials do not":
    supported when the MLP's and the NNGP's priors have mean K_LZ below half that of random
    functions and the polynomial's prior does not; refuted when a net's prior is not simple."""
    needed = ("mlp", "gp-nngp", "poly")
    if any(k not in prior_k for k in needed):
        verdict = "untested"
    elif max(prior_k["mlp"], prior_k["gp-nngp"]) >= random_k / 2:
        verdict = "refuted"
    else:
        verdict = "supported" if prior_k["poly"] >= random_k / 2 else "mixed"
    evidence = (
        "mean K_LZ of the functions drawn with no data: "
        + ", ".join(f"{k} {prior_k[k]:.1f}" for k in sorted(prior_k, key=lambda k: prior_k[k]))
        + f"; random functions {random_k:.1f}"
    )
    return gallery.Claim(
        "Nets and GPs with the NNGP kernel prefer simple functions; polynomials do not",
        "Valle-Pérez et al. 2019; Mingard et al. 2023", verdict, evidence, "functions",
    )  # fmt: skip


def _signed(value: float) -> str:
    return f"{value:+.3f}"
