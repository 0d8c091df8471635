"""How the learning process changes learning: rule arrays on the bump, three process variants.

One section, ``evolution-process`` (22), built from
:mod:`minimodels.experiments.learning_process`: majority votes of arrays trained on half the
inputs, several mutations per step as a learning rate, and many runs' staircases averaged into
learning curves at three array sizes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, replace
from typing import Any

from minimodels import gallery
from minimodels.experiments.learning_process import LearningProcessConfig, run
from minimodels.plotting.learning_process import plot_curves, plot_mutations, plot_vote

TITLE = "How the learning process changes learning"


def vote_claim(numbers: Mapping[str, float], figure: str = "vote") -> gallery.Claim:
    """Supported when the vote of all arrays is within 2 standard errors of the single-array
    mean or below it; refuted when it is more than 2 standard errors above."""
    vote, single, se = numbers["vote_all"], numbers["single_mean"], numbers["single_se"]
    verdict = "supported" if vote <= single + 2 * se else "refuted"
    return gallery.Claim(
        "A majority vote of many partly-trained rule arrays does not rescue held-out accuracy",
        "Wolfram 2024", verdict,
        f"vote of all arrays {vote:.3f} vs one array {single:.3f} ± {2 * se:.3f} (2 se); "
        f"answering 0 everywhere scores {numbers['answer_zero']:.3f}", figure,
    )  # fmt: skip


def mutation_claim(rows: Sequence[Mapping[str, Any]], figure: str = "mutations") -> gallery.Claim:
    """Two parts, each against one mutation per step (m = 1):

    * *fewer attempts*: some m > 1 has a smaller median number of attempts to zero loss;
    * *worse final loss*: some m > 1 has a mean final loss more than 2 standard errors (of the
      difference) above m = 1's.

    Supported when both hold, mixed when exactly one does, refuted when neither does.
    """
    by_m = {r["mutations per step"]: r for r in rows}
    base = by_m[1]
    others = [r for m, r in sorted(by_m.items()) if m != 1]
    base_median = base["median attempts to zero"]
    medians = [(r["median attempts to zero"], r["mutations per step"]) for r in others
               if r["median attempts to zero"] is not None]  # fmt: skip
    best = min(medians) if medians else None
    fewer = best is not None and (base_median is None or best[0] < base_median)
    worse_at = [
        r["mutations per step"] for r in others
        if r["mean final loss"] - base["mean final loss"]
        > 2 * (r["final loss se"] ** 2 + base["final loss se"] ** 2) ** 0.5
    ]  # fmt: skip
    worse = bool(worse_at)
    verdict = "supported" if fewer and worse else "mixed" if fewer or worse else "refuted"
    attempts = f"{base_median:,.0f}" if base_median is not None else "never solved"
    if best is not None:
        attempts += f" at 1 per step, {best[0]:,.0f} at {best[1]} (fewest)"
    finals = ", ".join(f"{r['mean final loss']:.3f} at {r['mutations per step']}" for r in rows)
    worse_text = (
        f"worse at {', '.join(map(str, worse_at))} per step" if worse else "no m > 1 is worse"
    )
    return gallery.Claim(
        "More mutations per step is like a larger learning rate: fewer attempts but a worse "
        "final loss", "Wolfram 2024", verdict,
        f"median attempts to zero loss {attempts}; mean final loss {finals} ({worse_text} by "
        "more than 2 se)", figure,
    )  # fmt: skip


def _attempts(row: Mapping[str, Any]) -> str:
    median = row["median attempts to zero"]
    return "never" if median is None else f"{median:,.0f}"


def _round(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}


@gallery.section("evolution-process", title=TITLE, order=22)
def process_section(context: gallery.Context) -> gallery.Section:
    config = LearningProcessConfig.quick() if context.quick else LearningProcessConfig()
    config = replace(config, seed=context.seed)
    result = run(config, on_progress=context.on_progress)
    vote = result.vote.numbers
    rows = result.mutations.rows
    by_m = {r["mutations per step"]: r for r in rows}
    fastest = min(
        (r for r in rows if r["median attempts to zero"] is not None),
        key=lambda r: r["median attempts to zero"],
    )
    marks = result.curve_marks()
    middle = marks[len(marks) // 2]
    numbers: dict[str, Any] = {
        "held-out accuracy of one array (train on half)": round(vote["single_mean"], 3),
        f"majority vote of all {config.vote_runs} arrays": round(vote["vote_all"], 3),
        "answering 0 everywhere": round(vote["answer_zero"], 3),
        "median attempts to zero loss, 1 mutation per step": by_m[1]["median attempts to zero"],
        f"fewest median attempts ({fastest['mutations per step']} per step)": fastest[
            "median attempts to zero"
        ],
    }
    for curves in result.curves:
        numbers[f"median loss after {middle:,} attempts, {curves.width} × {curves.depth}"] = (
            curves.median_at(middle)
        )
    section = gallery.Section(
        title=TITLE,
        intro=(
            "The bump task of the section above (rule arrays of rules 4 and 146, one input per "
            "column, answer 1 in the middle third), trained by adaptive evolution, with the "
            "process changed three ways instead of the model.\n\n"
            f"**Ensembles.** On each of {config.vote_splits} random halves of the "
            f"{config.width} inputs, {config.vote_runs} arrays are trained on that half "
            f"({100 * vote['solved_fraction']:.0f} % reach zero loss on it); odd-sized subsets "
            f"of them vote on the other half. One array answers {vote['single_mean']:.2f} of "
            f"the held-out inputs right, an array that always says 0 scores "
            f"{vote['answer_zero']:.2f}, and the vote of all {config.vote_runs} scores "
            f"{vote['vote_all']:.2f} (the first claim below compares the two).\n\n"
            "**Several mutations per step.** Changing m cells at once (kept when the loss does "
            "not rise) is the analogue of a learning rate. The median attempts to zero loss are "
            f"{by_m[1]['median attempts to zero']:,.0f} at m = 1, "
            f"{fastest['median attempts to zero']:,.0f} at m = {fastest['mutations per step']} "
            f"(the fewest) and {_attempts(rows[-1])} at m = {rows[-1]['mutations per step']}. "
            "A change that raises the loss is never kept, so a larger step cannot make the "
            "loss worse; it can only stall.\n\n"
            "**Aggregate learning curves.** Each run's loss is a staircase with long neutral "
            "plateaus; the median, the mean and the 10–90 % band over many runs, against "
            "attempts on a log axis, average them into one curve per array size."
        ),
        numbers=numbers,
        tables=[
            (
                f"Mutations per step ({config.mutation_runs} runs each, the same seeds, "
                f"{config.steps:,} attempts at most)",
                [_round(r) for r in rows],
            ),
            (
                "Loss after a number of attempts at three array sizes (median and 10–90 % of runs)",
                result.curve_rows(),
            ),
            (
                "Majority vote against ensemble size (held-out accuracy, mean and sd over "
                "ensembles and halves)",
                [_round(r) for r in result.vote.rows],
            ),
        ],  # fmt: skip
        config=asdict(config),
        command=(
            f"minimodels evolve --task bump --width {config.width} --depth {config.depth} "
            f"--rules 4,146 --train-fraction {config.train_fraction} --runs {config.vote_runs} "
            f"--seed {config.seed} --out runs/bump-half"
        ),
    )
    section.claims = [vote_claim(vote), mutation_claim(rows)]
    section.add_figure(
        "vote",
        plot_vote(result.vote.rows, vote),
        "Held-out accuracy of the majority vote of k arrays trained on the same half of the "
        "inputs (mean over random ensembles and halves, band ± 1 sd), beside one array's mean "
        "(dashed, ± 2 standard errors) and an array that answers 0 everywhere (dotted).",
    )
    section.add_figure(
        "mutations",
        plot_mutations(rows, budget=config.steps),
        "Mutations per step as a learning rate: the fraction of runs at zero loss, the "
        "attempts it took (median and quartiles of the solved runs; the fewest circled) and "
        "the mean loss when the budget ran out (± 1 se).",
    )
    section.add_figure(
        "curves",
        plot_curves(result.curves),
        "Loss against attempted mutations (log x) at three array sizes: a few runs' staircases "
        "(thin), the median over all runs (thick), the mean (dashed) and the 10–90 % band.",
    )
    return section
