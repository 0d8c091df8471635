"""Computational power vs trainability: which rule sets learn the bump, and how fast.

One section, ``evolution-rule-sets`` (23), built from :mod:`minimodels.experiments.rule_sets`:
rule arrays of Wolfram's {4, 146} and of sets with class 3 and 4 rules (30, 110, 22, the
additive 90 and 150) trained on the bump; the solved fraction, the attempts, the spacetime
K_LZ of trained and random arrays, and one trained array per set.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from minimodels import gallery
from minimodels.experiments.rule_sets import (
    MARGIN,
    RATIO,
    RuleSetOutcome,
    RuleSetsConfig,
    RuleSetsResult,
    compare_to_tame,
    run,
    shared_neighbourhoods,
    verdict,
)
from minimodels.plotting.rule_sets import plot_complexity, plot_examples, plot_trainability

TITLE = "Computational power vs trainability"
CLAIM = "Rule sets capable of wild (class 3/4) computation are harder to train"


def _name(rules: tuple[int, ...]) -> str:
    return "{" + ", ".join(map(str, rules)) + "}"


def _attempts(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def rule_sets_claim(result: RuleSetsResult, figure: str = "trainability") -> gallery.Claim:
    """The claim, judged by :func:`minimodels.experiments.rule_sets.verdict`: every learnable
    wild set (one using 30 or 110) against the tame {4, 146}, first on the share of runs that
    reach zero loss (a difference counts when it exceeds ``MARGIN`` and 2 standard errors),
    then on median attempts (``RATIO`` times more or fewer counts as slower or faster);
    supported when every one is harder, refuted when none is, else mixed."""
    tame = result.by_rules(result.config.tame)
    parts = []
    if tame is not None and tame.solved_fraction is not None:
        parts.append(
            f"tame {_name(tame.rules)}: {100 * tame.solved_fraction:.0f} % solved, median "
            f"{_attempts(tame.median_attempts)} attempts"
        )
    for outcome, label in compare_to_tame(result):
        parts.append(
            f"{_name(outcome.rules)} {label} ({100 * (outcome.solved_fraction or 0):.0f} %, "
            f"{_attempts(outcome.median_attempts)})"
        )
    unlearnable = [_name(o.rules) for o in result.outcomes if not o.learnable]
    if unlearnable:
        parts.append(f"left out as unable to express the bump at all: {', '.join(unlearnable)}")
    return gallery.Claim(CLAIM, "Wolfram 2024", verdict(result), "; ".join(parts), figure)


def _why(outcome: RuleSetOutcome) -> str:
    """Why a set cannot learn: its refusal, and the neighbourhoods no choice of rules changes."""
    every, none = shared_neighbourhoods(outcome.rules)
    fixed = []
    if every:
        fixed.append(f"every rule of {_name(outcome.rules)} maps {', '.join(every)} → 1")
    if none:
        fixed.append(f"none maps {', '.join(none)} → 1" if every else
                     f"no rule of {_name(outcome.rules)} maps {', '.join(none)} → 1")  # fmt: skip
    refusal = outcome.refusal or ""
    return refusal[0].upper() + refusal[1:] + (f" ({'; '.join(fixed)})." if fixed else ".")


def _shift_text(result: RuleSetsResult) -> str:
    """Which sets' trained patterns are more, less or as irregular as random ones (2 se)."""
    groups: dict[str, list[str]] = {"more": [], "less": [], "as": []}
    for outcome in result.outcomes:
        shift, se = outcome.k_shift
        if shift is None or se is None:
            continue
        key = "more" if shift > 2 * se else "less" if shift < -2 * se else "as"
        groups[key].append(_name(outcome.rules))
    words = {
        "more": "more irregular than random arrays of the same rules",
        "less": "less irregular than random arrays",
        "as": "as irregular as random arrays (within 2 se)",
    }
    parts = [f"{', '.join(names)}: trained patterns {words[k]}" for k, names in groups.items()
             if names]  # fmt: skip
    return ("; ".join(parts) + ".") if parts else ""


def _table_row(row: dict[str, Any]) -> dict[str, Any]:
    solved = row["solved fraction"]
    k_trained = row["K_LZ trained"]
    return {
        "rules": row["rules"],
        "classes": row["Wolfram classes"],
        "kind": row["kind"],
        "can learn the bump": row["learnable"],
        "solved": "—" if solved is None else f"{100 * solved:.0f} %",
        "median attempts": _attempts(row["median attempts"]),
        "attempts 25–75 %": "—"
        if row["attempts quartiles"] is None
        else "–".join(f"{q:,.0f}" for q in row["attempts quartiles"]),
        "K_LZ trained": "—"
        if k_trained is None
        else f"{k_trained:.1f} ± {row['K_LZ trained sd']:.1f}",
        "K_LZ random": f"{row['K_LZ random']:.1f} ± {row['K_LZ random sd']:.1f}",
    }


@gallery.section("evolution-rule-sets", title=TITLE, order=23)
def rule_sets_section(context: gallery.Context) -> gallery.Section:
    config = RuleSetsConfig.quick() if context.quick else RuleSetsConfig()
    config = replace(config, seed=context.seed)
    result = run(config, on_progress=context.on_progress)
    numbers = result.numbers()
    claim = rule_sets_claim(result)
    tame = result.by_rules(config.tame)
    bits = (config.depth + 1) * config.width
    headline: dict[str, Any] = {}
    if tame is not None and tame.learnable:
        headline[f"tame {_name(config.tame)} solved"] = f"{100 * (tame.solved_fraction or 0):.0f} %"
        headline[f"tame {_name(config.tame)} median attempts"] = tame.median_attempts
    headline.update({k: round(v, 2) if isinstance(v, float) else v for k, v in numbers.items()})
    section = gallery.Section(
        title=TITLE,
        intro=(
            "Wolfram trains rule arrays whose cells use rule 4 or rule 146, and remarks that "
            'rule sets capable of "wild computation" — class 3 and 4 rules such as 30 or '
            "110 — are harder to train. Here the bump task of the sections above "
            f"({config.width} × {config.depth} array, readout in the middle of the last row) "
            f"is trained by adaptive evolution with each rule set in turn: {config.runs} runs "
            f"per set, at most {config.steps:,} attempted mutations each, the same seeds for "
            "every set.\n\n"
            "**Can the set learn the bump at all?** Before training, a cell-by-cell analysis "
            "finds which values each cell *can* take for some choice of rules; if the readout "
            "cannot take the wanted bit on some input, no array of the set can reach zero loss "
            "and the set is not trained. "
            + "".join(f"{_why(o)} " for o in result.outcomes if not o.learnable)
            + "What stops them is what no choice of rules can change, not how wild the "
            "patterns are, so such sets are left out of the claim."
            "\n\n**How irregular are the patterns?** K_LZ (Lempel–Ziv complexity) of the whole "
            f"spacetime pattern, {bits} bits, averaged over the {config.width} inputs, for the "
            f"trained arrays and for {config.random_arrays} random arrays of the same rules; "
            f"uniformly random bits score {result.random_bits:.0f}."
        ),
        numbers=headline,
        tables=[
            (
                f"Rule sets on the bump ({config.runs} runs each, at most {config.steps:,} "
                f"attempts; K_LZ mean ± sd over arrays, {config.random_arrays} random arrays)",
                [_table_row(row) for row in result.rows()],
            )
        ],
        config=asdict(config),
    )
    section.claims = [claim]
    section.add_figure(
        "trainability",
        plot_trainability(result),
        "Top: the share of runs that reach zero loss within the budget. Bottom: attempted "
        "mutations to zero loss of the runs that do (dot: median; bar: 25–75 %). Labels "
        "coloured by kind: tame (Wolfram's {4, 146}), wild (uses 30 or 110), other.",
    )
    section.add_figure(
        "complexity",
        plot_complexity(result),
        "Spacetime K_LZ (mean over the bump's inputs) of random arrays of each set and of its "
        f"arrays trained to zero loss. {_shift_text(result)}",
    )
    section.add_figure(
        "examples",
        plot_examples(result),
        "One trained array per rule set, all on the same input (a black cell at the middle of "
        "the bump's interval), readout outlined; sets that cannot learn show a random array.",
    )
    return section


__all__ = ["CLAIM", "MARGIN", "RATIO", "rule_sets_claim", "rule_sets_section"]
