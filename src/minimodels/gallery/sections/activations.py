"""Activation functions side by side on the bump (SCIENCE.md §A.1, Wolfram 2024).

One section (band 30–39), ``nets-activations`` (33): the fitting pictures' traditional net
(:func:`minimodels.learners.nets.fitting.default_model`, 1-16-16-16-1) fits the bump once per
activation function, with the same seed, initialisation, training points and Adam budget;
only the activation changes.  :func:`compare_activations` is the compute (pure: it writes
nothing), :func:`activation_claim` turns its MSEs into a verdict, the pictures live in
:mod:`minimodels.plotting.activations`.

The claim is judged on the activations in common use (:data:`COMMON`); the full run adds two
controls that show where it stops: ``linear`` (no nonlinearity: the net is an affine map) and
``quadratic`` (a polynomial net, unbounded in every neuron).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import jax
import numpy as np

from minimodels import gallery
from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback, scaled
from minimodels.learners.nets.activations import check_activation
from minimodels.learners.nets.fitting import FIT_TRAINING, Fit, default_model, fit
from minimodels.learners.nets.mlp import MLP

COMMON = ("relu", "tanh", "sigmoid", "elu", "gelu")  # the activations the claim is about
CONTROLS = ("quadratic", "linear")  # shown in the full run, not judged
QUICK = ("relu", "tanh", "sigmoid")
FIT_THRESHOLD = 0.01  # training MSE below which an activation "fits the bump"
FULL_STEPS, QUICK_STEPS = 5000, 1500
FULL_TRAIN, QUICK_TRAIN = 100, 60
EXTRAPOLATION = (-2.0, 2.0)
OUTSIDE_POINTS = 400  # grid on EXTRAPOLATION for the MSE outside the training interval


@dataclass(frozen=True)
class ActivationFit:
    activation: str
    fit: Fit
    train_mse: float  # final training MSE
    outside_mse: float  # MSE against the target on the grid points outside the interval


def outside_mse(fit: Fit, n: int = OUTSIDE_POINTS) -> float:
    """MSE of the learned function against the target on the points of an ``n``-point grid of
    the extrapolation range that lie outside the training interval."""
    grid = fit.grid(n)
    lo, hi = fit.interval
    outside = grid[(grid < lo) | (grid > hi)]
    if outside.size == 0:
        return float("nan")
    return float(np.mean((fit.predict(outside) - fit.target(outside)) ** 2))


def compare_activations(
    activations: Sequence[str],
    *,
    seed: int = 0,
    max_steps: int = FULL_STEPS,
    n_train: int = FULL_TRAIN,
    on_progress: ProgressCallback | None = None,
) -> list[ActivationFit]:
    """Fit the bump with the default MLP once per activation: same seed, init and budget.

    Every net trains for exactly ``max_steps`` full-batch Adam steps (no early stop), so the
    MSEs compare equal budgets.  An unknown activation is refused before anything trains."""
    names = list(dict.fromkeys(activations))
    if not names:
        raise UsageError("name at least one activation to compare")
    for name in names:
        check_activation(name)
    widths = default_model("mlp").widths
    training = replace(FIT_TRAINING, max_steps=max_steps, target_loss=0.0)
    results = []
    for i, name in enumerate(names):
        fitted = fit(
            MLP(widths, name), "bump", key=jax.random.key(seed), n_train=n_train,
            extrapolation=EXTRAPOLATION, training=training,
            on_progress=scaled(on_progress, i * max_steps, max_steps, len(names) * max_steps),
        )  # fmt: skip
        results.append(ActivationFit(name, fitted, float(fitted.final_loss), outside_mse(fitted)))
    return results


def activation_claim(
    train_mses: Mapping[str, float], threshold: float = FIT_THRESHOLD
) -> gallery.Claim:
    """Supported when every judged activation's training MSE is below ``threshold``, mixed
    when more than half are, refuted otherwise (a NaN MSE does not fit)."""
    judged = {name: mse for name, mse in train_mses.items() if name in COMMON}
    fitted = [name for name, mse in judged.items() if np.isfinite(mse) and mse < threshold]
    if not judged:
        verdict = "untested"
    elif len(fitted) == len(judged):
        verdict = "supported"
    elif 2 * len(fitted) > len(judged):
        verdict = "mixed"
    else:
        verdict = "refuted"
    listed = ", ".join(f"{name} {mse:.1e}" for name, mse in judged.items())
    evidence = (
        f"{len(fitted)} of {len(judged)} activations reach training MSE < {threshold:g} ({listed})"
    )
    controls = {name: mse for name, mse in train_mses.items() if name not in COMMON}
    if controls:
        evidence += "; controls, not judged: " + ", ".join(
            f"{name} {mse:.1e}" for name, mse in controls.items()
        )
    return gallery.Claim(
        "The choice of activation function matters little for fitting the bump: all fit it",
        "Wolfram 2024",
        verdict,
        evidence,
        "fits",
    )


def _round(value: float) -> Any:
    return float(f"{value:.3g}") if np.isfinite(value) else value


@gallery.section("nets-activations", title="Activation functions side by side", order=33)
def activations_section(context: gallery.Context) -> gallery.Section:
    from minimodels.plotting.activations import plot_activation_fits, plot_activation_insides

    judged, controls, steps, n_train = (
        (QUICK, (), QUICK_STEPS, QUICK_TRAIN)
        if context.quick
        else (COMMON, CONTROLS, FULL_STEPS, FULL_TRAIN)
    )
    total = len(judged) + len(controls)
    results = compare_activations(
        judged, seed=context.seed, max_steps=steps, n_train=n_train,
        on_progress=scaled(context.on_progress, 0, len(judged), total),
    )  # fmt: skip
    diverged = []  # a control whose loss became NaN is left out, not the section
    for i, name in enumerate(controls, start=len(judged)):
        try:
            results += compare_activations(
                [name], seed=context.seed, max_steps=steps, n_train=n_train,
                on_progress=scaled(context.on_progress, i, 1, total),
            )  # fmt: skip
        except UsageError as error:
            if not str(error).startswith("training diverged"):
                raise
            diverged.append(name)
    names = [r.activation for r in results]
    widths = "-".join(map(str, default_model("mlp").widths))
    section = gallery.Section(
        "Activation functions side by side",
        f"The traditional net of the fitting pictures ({widths}) learns the bump (1 on "
        f"[−1/3, 1/3], 0 elsewhere on [−1, 1]) once per activation function: same seed, so the "
        f"same initial weights, same {n_train} training points, {steps:,} full-batch Adam steps "
        f"(learning rate {FIT_TRAINING.learning_rate:g}) each; only the activation changes. "
        "Outside [−1, 1] the target is 0 and the nets extrapolate as they please.\n\n"
        f"The claim is judged on {', '.join(judged)} with the threshold training MSE < "
        f"{FIT_THRESHOLD:g}"
        + (
            "; linear (no nonlinearity) and quadratic (a polynomial net) are controls, shown "
            "but not judged."
            if controls
            else "."
        )
        + (f" Left out, their training diverged: {', '.join(diverged)}." if diverged else ""),
    )
    fits = {r.activation: r.fit for r in results}
    section.add_figure(
        "fits", plot_activation_fits(fits),
        "Target (grey) and learned function per activation on [−2, 2]; the training "
        "interval [−1, 1] is shaded, its points are the dots"
        + ("; the controls (quadratic, linear) do not fit." if controls else "."),
    )  # fmt: skip
    section.add_figure(
        "insides", plot_activation_insides(fits),
        "Every hidden neuron's value against x, one column per activation and one row per "
        "hidden layer (each neuron in its own units). ReLU neurons are piecewise linear with "
        "kinks; tanh and sigmoid neurons are smooth steps"
        + ("; ELU and GELU neurons are smoothed ramps" if {"elu", "gelu"} <= set(names) else "")
        + ".",
    )  # fmt: skip
    mses = {r.activation: r.train_mse for r in results}
    section.claims = [activation_claim(mses)]
    section.numbers = {"model": widths, "steps": steps, "MSE threshold": FIT_THRESHOLD}
    for r in results:
        section.numbers[f"training MSE, {r.activation}"] = _round(r.train_mse)
    for r in results:
        section.numbers[f"MSE outside [−1, 1], {r.activation}"] = _round(r.outside_mse)
    section.tables.append(("One row per activation", [
        {"activation": r.activation, "training MSE": _round(r.train_mse),
         "MSE outside [−1, 1]": _round(r.outside_mse),
         f"fits (MSE < {FIT_THRESHOLD:g})": bool(np.isfinite(r.train_mse)
                                                 and r.train_mse < FIT_THRESHOLD),
         "judged": r.activation in COMMON}
        for r in results
    ]))  # fmt: skip
    section.config = {
        "activations": list(names), "widths": widths, "target": "bump", "optimizer": "adam",
        "learning_rate": FIT_TRAINING.learning_rate, "max_steps": steps, "n_train": n_train,
        "init": "uniform", "seed": context.seed, "threshold": FIT_THRESHOLD,
    }  # fmt: skip
    return section
