"""Grokking at laptop scale: an MLP that groks in seconds, a phase diagram, a small transformer.

A :class:`GrokkingExperiment` has three parts (``None`` skips one):

* ``mlp`` — Gromov's quadratic MLP on a + b mod p memorises first and generalises hundreds of
  steps later, *without* weight decay; its neurons end up each tuned to one Fourier frequency.
* ``phase`` — steps to generalise over train fraction × weight decay.
* ``transformer`` — Nanda et al.'s one-layer transformer; the :meth:`GrokkingExperiment.full`
  preset runs it reduced (small p, narrower, higher learning rate) so that it fits a laptop
  budget; the paper's scale is ``minimodels grok --model transformer --p 113 --frac 0.3``.

:func:`run` is pure: it trains what a :class:`GrokkingExperiment` asks for and returns the runs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from minimodels.base.progress import ProgressCallback, report, scaled
from minimodels.learners.grokking.runs import GrokConfig, GrokRun, train
from minimodels.learners.grokking.sweep import PhaseDiagram, SweepConfig, sweep

__all__ = ["GrokkingExperiment", "GrokkingResult", "run"]


def _mlp(quick: bool = False) -> GrokConfig:
    if quick:  # the phase diagram's model, so the two share one compiled program
        return GrokConfig(p=23, width=64, frac=0.85, steps=1000, log_every=25, stop_after=100)
    return GrokConfig(p=41, width=128, frac=0.5, wd=0.0, steps=2000, log_every=25, stop_after=250)


def _phase() -> SweepConfig:
    base = GrokConfig(p=23, width=64, steps=1000, log_every=25, stop_after=0)
    return SweepConfig(base=base, x_values=(0.4, 0.55, 0.7, 0.85), y_values=(0.0, 0.3, 1.0, 2.0))


def _transformer() -> GrokConfig:
    return GrokConfig.nanda(
        p=23, frac=0.7, d_model=64, d_mlp=256, lr=5e-3, steps=1500, log_every=25, stop_after=100
    )


@dataclass(frozen=True)
class GrokkingExperiment:
    """What to run; ``None`` skips a part.  Defaults fit a laptop budget."""

    mlp: GrokConfig | None = field(default_factory=_mlp)
    phase: SweepConfig | None = field(default_factory=_phase)
    transformer: GrokConfig | None = None

    @classmethod
    def quick(cls) -> GrokkingExperiment:
        phase = _phase()
        small = dataclasses.replace(phase.base, steps=600)
        return cls(mlp=_mlp(quick=True), phase=dataclasses.replace(phase, base=small))

    @classmethod
    def full(cls) -> GrokkingExperiment:
        return cls(transformer=_transformer())


@dataclass
class GrokkingResult:
    config: GrokkingExperiment
    mlp: GrokRun | None
    phase: PhaseDiagram | None
    transformer: GrokRun | None


def run(
    config: GrokkingExperiment, *, on_progress: ProgressCallback | None = None
) -> GrokkingResult:
    parts = [config.mlp, config.phase, config.transformer]
    total = 100 * sum(part is not None for part in parts)
    outputs: list[Any] = []  # GrokRun, PhaseDiagram or None, in the order of parts
    done = 0
    for part in parts:
        if part is None:
            outputs.append(None)
            continue
        sub = scaled(on_progress, done, 100, total)
        if isinstance(part, SweepConfig):
            outputs.append(sweep(part, backend="serial", on_progress=sub))
        else:
            outputs.append(train(part, on_progress=sub, padded=True))
        done += 100
        report(on_progress, done, total)  # runs that stop early end short of their budget
    return GrokkingResult(config, *outputs)
