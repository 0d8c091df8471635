"""The Occam papers' deep nets (band 40–49): ``simplicity-occam`` (45).

Random 7-64×10-1 nets (10 hidden layers of width 64) with tanh and with ReLU, for σw in
(1, 2, 4), initialised as the papers' code does (W ~ N(0, σw²/fan_in), b ~ N(0, σb²), σb = 1,
inputs in {0,1}: the lab's ``gaussian`` scheme); built from :mod:`minimodels.experiments.occam`.
Quick: 400 tanh and 1,000 ReLU nets per σw; full: 5,000 and 10,000.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from minimodels import gallery
from minimodels.experiments.bayes import LadderConfig, run_ladder
from minimodels.experiments.occam import OccamConfig, OccamResult, chaos_verdict, run

QUICK = {"tanh": 400, "relu": 1_000}
FULL = {"tanh": 5_000, "relu": 10_000}


@gallery.section(
    "simplicity-occam",
    title="The Occam paper's deep nets: P(K) by activation and σw",
    order=45,
)
def build_occam(ctx: gallery.Context) -> gallery.Section:
    config = OccamConfig(samples=dict(QUICK if ctx.quick else FULL), seed=ctx.seed)
    section = occam_section(run(config, on_progress=ctx.on_progress))
    ladders = {
        activation: run_ladder(replace(LADDER_QUICK if ctx.quick else LADDER_FULL,
                                       activation=activation, seed=ctx.seed))
        for activation in (("relu",) if ctx.quick else ("relu", "tanh"))
    }  # fmt: skip
    add_generalisation(section, ladders)
    return section


DEEP = "7-" + "-".join(["64"] * 10) + "-1"
LADDER_QUICK = LadderConfig(model=DEEP, n_runs=6, flips=(0, 16, 64), named=())
LADDER_FULL = LadderConfig(model=DEEP, n_runs=16, flips=(0, 4, 16, 32, 64), named=("x1&x2&x3",))


def add_generalisation(section: gallery.Section, ladders: dict) -> None:
    """The trained nets' test error against the target's complexity (σw = σb = 1)."""
    from minimodels.plotting.occam import plot_occam_generalisation

    config = next(iter(ladders.values())).config
    section.add_figure(
        "generalisation",
        plot_occam_generalisation(ladders),
        f"{config.n_runs} nets per target, σw = σb = 1, trained by Adam on {config.train_size} "
        "of the 128 inputs until every training label is right; test error on the other "
        "half (bars: standard deviation over runs) against the K_LZ of the target (x1 with k "
        "outputs flipped).",
    )
    for activation, ladder in ladders.items():
        for row in ladder.rows:
            key = f"{activation}: test error, target K_LZ {row['k_lz']:.0f} ({row['target']})"
            fitted = f"{row['n_fit']} of {row['n_runs']} nets fitted S"
            error = row["test_error"]
            section.numbers[key] = f"{error:.3f} ({fitted})" if error is not None else fitted


def occam_section(result: OccamResult) -> gallery.Section:
    """The section from a finished run (split out so tests can feed it a small one)."""
    config = result.config
    sigmas = ", ".join(f"{s:g}" for s in config.sigma_ws)
    section = gallery.Section(
        title="The Occam paper's deep nets: P(K) by activation and σw",
        intro=(
            "Valle-Pérez, Camargo & Louis (2019) and Mingard et al. (2023) sample deep fully "
            "connected nets on all 128 inputs of {0,1}^7 and histogram the Lempel–Ziv "
            "complexity K of the functions drawn. Here: 7-64×10-1 nets (10 hidden layers of "
            f"width 64) with tanh and with ReLU, for σw = {sigmas}, initialised as their code "
            "does — every weight W ~ N(0, σw²/fan_in), every bias b ~ N(0, σb²) with "
            f"σb = {config.sigma_b:g} not scaled by fan_in, inputs 0/1 — which is the lab's "
            "`gaussian` scheme. Every σw reuses the same standard draws, rescaled.\n\n"
            "A deep tanh net passes from an ordered to a chaotic regime as σw grows: its "
            "functions become as complex as random strings and the simplicity bias goes. A "
            "ReLU net is positively homogeneous — with σb = 0 its function would not depend "
            "on σw at all — so σw only sets the weights' share against the biases."
        ),
        numbers={
            "mean K_LZ of random 128-bit strings": round(result.random_mean_k, 1),
            **{
                f"{p.activation}, σw = {p.sigma_w:g}: mean K_LZ / constant fraction": (
                    f"{p.mean_k:.1f} ± {p.se_k:.1f} / {p.constant_fraction:.3f}"
                )
                for p in result.points
            },
        },
        config=asdict(config),
        command=config.command(),
    )
    section.tables.append(("Per activation and σw", result.rows()))
    section.add_figure(
        "occam",
        result.plot(),
        "P(K) of the functions of random 7-64×10-1 nets, one panel per activation and one "
        "line per σw (log scale; dashed grey: uniformly random 128-bit strings), and the mean "
        "K against σw (bars: one standard error).",
    )
    verdict, evidence = chaos_verdict(result)
    section.claims = [
        gallery.Claim(
            "Deep tanh nets lose their simplicity bias as σw grows (chaotic regime)",
            "Valle-Pérez et al. 2019",
            verdict,
            evidence,
            "occam",
        )
    ]
    return section
