"""A net's insides through training (SCIENCE.md §A.1, Wolfram 2024): every neuron against x at
a few steps of training, for the traditional net and for the mesh net.

One section (band 30–39), ``nets-insides`` (34), built from
:mod:`minimodels.experiments.insides` (pure compute) and drawn by
:mod:`minimodels.plotting.insides`: film strips, and the animation of the same checkpoints
(:func:`minimodels.plotting.insides.save_animation`, handed to the gallery as an
:class:`~minimodels.gallery.Animation` that the build writes as a GIF).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from minimodels import gallery
from minimodels.base.progress import scaled
from minimodels.experiments.insides import InsidesConfig, InsidesResult, run_insides
from minimodels.plotting.insides import plot_film_strip, save_animation

FULL = InsidesConfig(steps=3000, n_checkpoints=6, n_train=100, grid_points=200)
QUICK = InsidesConfig(steps=1000, n_checkpoints=5, n_train=60, grid_points=120)
NETS = (("mlp", "traditional net"), ("mesh", "mesh net"))

INTRO = (
    "The pictures of the traditional and mesh nets show where training ends. Here is how "
    "it gets there. One net is trained on the bump (1 on [−1/3, 1/3], 0 elsewhere on "
    "[−1, 1]) by full-batch Adam, and its parameters are kept at a few steps, log-spaced "
    "from the random start to the end. Each column of a film strip is one of those steps: "
    "on top, what the net computes, and below, every hidden neuron's value as a function of "
    "x, one line per neuron, a layer (or mesh row) per row of panels. A neuron keeps its "
    "colour from column to column, and a row keeps one y scale, so you can follow a single "
    "neuron as it bends.\n\n"
    "Both nets are the ones of the sections above: the 1-16-16-16-1 ReLU net and the 10×8 "
    "tanh mesh net, trained with the same optimiser and seed. The loop that keeps the "
    "checkpoints is the library's training step run in segments, with Adam's state carried "
    "across them; with no early stopping it reproduces `fit` step for step."
)


def _strip_caption(result: InsidesResult, what: str) -> str:
    rows = "mesh rows 1 to 8" if result.is_mesh else "hidden layers 1 to 3"
    steps = ", ".join(str(s) for s in result.checkpoints)
    return (
        f"The {what} ({result.model.name}) at steps {steps}: the learned function (blue; "
        f"target grey, training points dark, training interval shaded), then {rows}, each "
        "neuron's value against x. Titles give the training MSE at that step."
    )


@gallery.section("nets-insides", title="A net's insides through training", order=34)
def insides_section(context: gallery.Context) -> gallery.Section:
    base = replace(QUICK if context.quick else FULL, seed=context.seed)
    section = gallery.Section("A net's insides through training", INTRO)
    results = {}
    for i, (kind, what) in enumerate(NETS):
        config = replace(base, model=kind)
        result = run_insides(config, on_progress=scaled(context.on_progress, i, 1, len(NETS)))
        results[kind] = result
        section.add_figure(f"{kind}-film-strip", plot_film_strip(result),
                           _strip_caption(result, what))  # fmt: skip
        if kind == "mlp":
            section.add_animation(
                "mlp-animation",
                partial(save_animation, result, mp4=False),
                f"The same {what} as an animation, one frame per checkpoint.",
            )
    section.numbers = {"steps": base.steps, "checkpoints": ", ".join(
        str(s) for s in results["mlp"].checkpoints)}  # fmt: skip
    for kind, what in NETS:
        result = results[kind]
        for step, loss in zip(result.checkpoints, result.losses, strict=True):
            section.numbers[f"{what}: training MSE at step {step}"] = float(f"{loss:.3g}")
    for kind, what in NETS:
        result = results[kind]
        section.tables.append((
            f"How far each layer of the {what} moved from step 0 to step {base.steps}: RMS "
            "change of its neurons' values on [−1, 1], relative to their RMS at step 0",
            [{"layer": f"{'row' if result.is_mesh else 'layer'} {n + 1}",
              "relative change": float(f"{change:.3g}")}
             for n, change in enumerate(result.layer_change())],
        ))  # fmt: skip
    section.config = {kind: vars(r.config) for kind, r in results.items()}
    return section
