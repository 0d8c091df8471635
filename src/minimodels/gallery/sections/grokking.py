"""Grokking at laptop scale: an MLP that groks in seconds, a phase diagram, a small transformer.

Three sections (band 60–69) built from :mod:`minimodels.experiments.grokking`:

* ``grokking-mlp`` — Gromov's quadratic MLP on a + b mod p memorises first and generalises
  hundreds of steps later, *without* weight decay; its neurons end up each tuned to one Fourier
  frequency.
* ``grokking-phase`` — steps to generalise over train fraction × weight decay.
* ``grokking-transformer`` — Nanda et al.'s one-layer transformer, reduced (small p, narrower,
  higher learning rate) so that it fits the gallery budget; the full-scale run is the command
  shown with the section.
"""

from __future__ import annotations

import dataclasses

from minimodels import gallery
from minimodels.experiments.grokking import GrokkingExperiment, _mlp, _transformer, run
from minimodels.learners.grokking import GrokConfig, GrokRun
from minimodels.plotting import grokking as plots

FULL_TRANSFORMER_COMMAND = (
    "minimodels grok --model transformer --p 113 --frac 0.3 --wd 1.0 --seed 0 "
    "--stop-after 0 --out runs/nanda"
)


def _run_numbers(run: GrokRun) -> dict:
    s = run.summary
    return {
        "step memorised (train acc ≥ 0.99)": s["step_memorised"],
        "step generalised (test acc ≥ 0.99)": s["step_generalised"],
        "final test accuracy": round(s["test_accuracy"], 4),
        "key frequencies k": ", ".join(str(k) for k in s["key_frequencies"]),
        "final IPR": round(s["ipr"], 3),
    }


def grokking_claims(run: GrokRun, figure: str) -> list[gallery.Claim]:
    """Late generalisation (Power et al.) and one frequency per neuron (Gromov; Nanda et al.),
    judged by this run's summary."""
    s = run.summary
    memorised, generalised = s["step_memorised"], s["step_generalised"]
    if memorised is None:
        late, evidence = "untested", "the net never memorised the training pairs"
    elif generalised is None:
        late, evidence = "refuted", f"memorised at step {memorised}, never generalised"
    else:
        late = "supported" if generalised >= 2 * memorised else "refuted"
        evidence = f"memorised at step {memorised}, generalised at step {generalised}"
    ipr = s["ipr"]
    fourier = "supported" if ipr >= 0.5 else "mixed" if ipr >= 0.25 else "refuted"
    keys = ", ".join(str(k) for k in s["key_frequencies"])
    return [
        gallery.Claim("A net can generalise long after it has memorised its training set "
                      "(grokking)", "Power et al. 2022", late, evidence, figure),
        gallery.Claim("Grokked modular-addition nets compute with a few Fourier frequencies",
                      "Gromov 2023; Nanda et al. 2023", fourier,
                      f"inverse participation ratio {ipr:.2f} (1: one frequency per neuron); "
                      f"key frequencies {keys}", "neurons" if figure == "accuracy" else figure),
    ]  # fmt: skip


def _command(config: GrokConfig) -> str:
    parts = [
        f"minimodels grok --model {config.model} --p {config.p} --frac {config.frac} "
        f"--wd {config.wd} --lr {config.lr} --loss {config.loss} --steps {config.steps} "
        f"--log-every {config.log_every} --seed {config.seed}"
    ]
    if config.model == "mlp":
        parts.append(f"--width {config.width}")
    if config.stop_after is not None:
        parts.append(f"--stop-after {config.stop_after}")
    return " ".join(parts) + " --out runs/grok"


@gallery.section("grokking-mlp", title="Grokking: an MLP that generalises late", order=60)
def mlp_section(ctx: gallery.Context) -> gallery.Section:

    config = dataclasses.replace(_mlp(quick=ctx.quick), seed=ctx.seed)
    result = run(GrokkingExperiment(mlp=config, phase=None), on_progress=ctx.on_progress)
    mlp = result.mlp
    assert mlp is not None  # config.mlp was given
    section = gallery.Section(
        title="Grokking: an MLP that generalises late",
        intro=(
            f"Gromov's two-layer MLP (quadratic activation, width {config.width}, no biases, "
            f"one-hot input pairs) trained full-batch with Adam on a + b mod {config.p}, "
            f"{int(config.frac * 100)} % of the pairs for training, MSE loss and no weight decay "
            "and no other regulariser. Training accuracy reaches 1 first; test accuracy follows "
            "hundreds of steps later, as in Power et al.'s grokking curves.\n\n"
            "What changed in between is visible in the weights: each hidden neuron's input "
            "weights become a single Fourier mode cos(ω_k a + φ) with ω_k = 2πk/p (the "
            "neuron-by-frequency picture becomes a staircase, the inverse participation ratio "
            "rises towards 1), which is the algorithm Gromov derived by hand."
        ),
        numbers=_run_numbers(mlp),
        config=dataclasses.asdict(config),
        command=_command(config),
    )
    section.add_figure(
        "accuracy", plots.plot_accuracy(mlp), "Train and test accuracy, log step axis."
    )
    section.add_figure(
        "weight_norm", plots.plot_weight_norm(mlp), "Total weight norm over training."
    )
    section.add_figure(
        "fourier",
        plots.plot_fourier_spectrum(mlp),
        "Power of the input embedding per frequency, at memorisation (grey) and at the end "
        "(blue). Unlike the transformer, this MLP spreads its neurons over all frequencies, "
        "so the total spectrum stays flat; the mechanism shows per neuron (next figure).",
    )
    section.add_figure(
        "neurons",
        plots.plot_neuron_frequency(mlp),
        "Each row a hidden neuron's weights on a, split by Fourier frequency and sorted: one "
        "bright cell per row = one frequency per neuron.",
    )
    section.claims = grokking_claims(mlp, "accuracy")
    return section


@gallery.section(
    "grokking-phase", title="Grokking phase diagram: train fraction × weight decay", order=61
)
def phase_section(ctx: gallery.Context) -> gallery.Section:
    experiment = GrokkingExperiment.quick() if ctx.quick else GrokkingExperiment()
    assert experiment.phase is not None  # both have a phase diagram
    phase = dataclasses.replace(experiment.phase, seed=ctx.seed)
    result = run(GrokkingExperiment(mlp=None, phase=phase), on_progress=ctx.on_progress)
    diagram = result.phase
    assert diagram is not None  # phase was given
    rows = diagram.rows()
    base = phase.base
    section = gallery.Section(
        title="Grokking phase diagram: train fraction × weight decay",
        intro=(
            f"The quadratic MLP (width {base.width}) on a + b mod {base.p}, one run per cell, "
            f"trained until test accuracy reaches 0.99 or {base.steps} steps have passed. The "
            "colour is the number of steps to generalise; ✗ marks cells that did not generalise "
            "within the budget. More training data generalises sooner; moderate weight decay "
            "speeds generalisation up but is not needed for it in this model, and too much of it "
            "stops the net from fitting in time. The same diagram over L1, "
            "loss type or initialisation scale is one option away (see the command)."
        ),
        numbers={
            "cells": len(rows),
            "generalised within budget": sum(r["steps_generalised"] is not None for r in rows),
        },
        tables=[("steps to memorise / generalise per cell", rows)],
        config=dataclasses.asdict(phase),
        command=(
            f"minimodels grok-sweep --p {base.p} --width {base.width} --steps {base.steps} "
            f"--x-axis {phase.x_axis} --x-values {','.join(map(str, phase.x_values))} "
            f"--y-axis {phase.y_axis} --y-values {','.join(map(str, phase.y_values))} "
            "--out runs/grok-sweep"
        ),
    )
    section.add_figure("phase_diagram", diagram.plot(), "Median steps to generalise per cell.")
    if "wd" in (phase.x_axis, phase.y_axis):
        without = [r for r in rows if r["wd"] == 0]
        n_gen = sum(r["steps_generalised"] is not None for r in without)
        verdict = "untested" if not without else "refuted" if n_gen else "supported"
        section.claims = [gallery.Claim(
            "Grokking needs weight decay", "the thread", verdict,
            f"cells without weight decay that generalised: {n_gen} of {len(without)}",
            "phase_diagram",
        )]  # fmt: skip
    return section


@gallery.section("grokking-transformer", title="Grokking in Nanda et al.'s transformer", order=62)
def transformer_section(ctx: gallery.Context) -> gallery.Section:

    config = dataclasses.replace(_transformer(), seed=ctx.seed)
    intro = (
        "Nanda et al.'s one-layer transformer (4 heads, ReLU MLP, no LayerNorm, tokens "
        "'a b =', read-out at '=') trained with AdamW (β = 0.9, 0.98, weight decay 1) "
        "on the full training batch. The paper's setting (p = 113, d_model 128, 30 % of the "
        "pairs, lr 10⁻³) takes thousands of steps, minutes on a laptop CPU, so this "
        f"section runs a reduced version: p = {config.p}, d_model {config.d_model}, d_mlp "
        f"{config.d_mlp}, {int(config.frac * 100)} % of the pairs, lr {config.lr}. The full run "
        "is the command below. The embedding ends up concentrated on a few key frequencies, "
        "and the restricted loss (only those frequencies kept) falls before the test loss."
    )
    if ctx.quick:
        return gallery.Section(
            title="Grokking in Nanda et al.'s transformer",
            intro=intro + "\n\nSkipped with --quick.",
            command=FULL_TRANSFORMER_COMMAND,
        )
    result = run(
        GrokkingExperiment(mlp=None, phase=None, transformer=config), on_progress=ctx.on_progress
    )
    model = result.transformer
    assert model is not None  # transformer was given
    section = gallery.Section(
        title="Grokking in Nanda et al.'s transformer",
        intro=intro,
        numbers=_run_numbers(model),
        config=dataclasses.asdict(config),
        command=FULL_TRANSFORMER_COMMAND,
    )
    section.add_figure(
        "run",
        plots.plot_run(model),
        "Accuracy, loss (with Nanda's restricted and excluded losses), weight norm and the "
        "embedding's Fourier spectrum.",
    )
    return section
