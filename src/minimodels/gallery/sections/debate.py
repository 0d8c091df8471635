"""Why nets work, continued (SCIENCE.md §C.4–C.7), band 80–89.

Four sections built from :mod:`minimodels.experiments.debate`:

* ``landscape`` (80) — slices, curvature, barriers, sharpness vs batch size, local minima and
  the initialisation;
* ``double-descent`` (81) — random features, MLPs, polynomials; deep vs wide;
* ``scaling`` (82) — fitted power laws in parameters and data;
* ``implicit-regularisation`` (83) — training past 100 % accuracy, and the grokking verdict.

Every verdict sentence is read off the run's numbers, never typed in.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from minimodels import gallery
from minimodels.experiments.debate import verdicts
from minimodels.experiments.debate.config import (
    DoubleDescentConfig,
    ImplicitConfig,
    LandscapeConfig,
    ScalingConfig,
)
from minimodels.experiments.debate.runs import run
from minimodels.experiments.debate.scaling import DESCRIBES
from minimodels.plotting import debate as plots


def _config(context: gallery.Context, cls: Any) -> Any:
    return (cls.quick if context.quick else cls.preset)(seed=context.seed)


def _command(name: str, config: Any) -> str:
    default = type(config)()
    options = []
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        if value != getattr(default, f.name) or f.name == "seed":
            shown = ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value) \
                if isinstance(value, tuple) else str(value)  # fmt: skip
            options.append(f"--{f.name.replace('_', '-')} {shown}")
    return f"minimodels {name} {' '.join(options)} --out runs/{name}"


def _section(title: str, intro: str, name: str, config: Any) -> gallery.Section:
    section = gallery.Section(title, intro)
    section.config = dataclasses.asdict(config)
    section.command = _command(name, config)
    return section


def _claims(found: list[dict[str, Any]]) -> list[gallery.Claim]:
    return [gallery.Claim(**claim) for claim in found]


def _fmt(value: float, digits: int = 3) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{value:.{digits}g}"


@gallery.section("landscape", title="Loss landscapes, minima and initialisation", order=80)
def landscape_section(context: gallery.Context) -> gallery.Section:
    config = _config(context, LandscapeConfig)
    result = run(config, on_progress=context.on_progress)
    n, s = result.numbers, result.summary()
    sharp = s["median sharpness by batch size"]
    batches = sorted(sharp, key=int)
    trend = "flatter" if sharp[batches[0]] < sharp[batches[-1]] else "sharper"
    rho = s["rank correlation, sharpness vs test error"]
    section = _section(
        "Loss landscapes, minima and initialisation",
        f"Two {'-'.join(map(str, (7, *config.hidden, 1)))} nets (seeds A and B) trained on the "
        f"same {config.train_size} of the 128 inputs of the Boolean target {config.target!r}. "
        f"Walking from A to B in a straight line crosses a barrier of "
        f"{n['barrier, straight path']:.3g} in train loss; a quadratic Bézier curve whose "
        f"middle point is trained (Garipov et al.) brings it down to "
        f"{n['barrier, Bézier curve']:.3g}: the two minima are connected. Over "
        f"{config.runs} runs per batch size, small-batch SGD ends {trend} than large-batch "
        f"SGD (median top eigenvalue {_fmt(sharp[batches[0]])} at batch {batches[0]} vs "
        f"{_fmt(sharp[batches[-1]])} at {batches[-1]}); across runs, sharpness and test error "
        f"have rank correlation {_fmt(rho, 2)} — Keskar et al.'s link, at this scale, "
        f"{'holds' if rho > 0.3 else 'is weak or absent'}.",
        "landscape",
        config,
    )
    section.add_figure("slices", plots.plot_slices(result),
                       "Left: train loss, test loss and test error along one direction around "
                       "A. Right: log10 train loss on a plane through A (star).")  # fmt: skip
    section.add_figure("paths", plots.plot_paths(result),
                       "Train loss and test error from A to B: the straight line (black) and "
                       "the trained Bézier curve (red).")  # fmt: skip
    section.add_figure("sharpness", plots.plot_sharpness(result),
                       "Plain SGD, learning rate 0.05, fixed budget; sharpness is the top "
                       "eigenvalue of the training loss's Hessian at the end.")  # fmt: skip
    section.add_figure("minima", plots.plot_minima(result),
                       "Left: runs that never fit S within the budget, and how many different "
                       "functions the ones that fit compute. Right: how far the weights move "
                       "from their start, relative to its norm, and the test error, against the "
                       "initialisation scale.")  # fmt: skip
    section.numbers = {
        "barrier, straight path": n["barrier, straight path"],
        "barrier, Bézier curve": n["barrier, Bézier curve"],
        "top Hessian eigenvalue at A": n["top Hessian eigenvalues"][0],
        "Hessian trace at A": f"{n['Hessian trace']:.0f} ± {n['Hessian trace SE']:.0f}",
        "rank correlation, sharpness vs test error": rho,
        "stuck fraction, narrowest width": list(s["stuck fraction by width"].values())[0],
        "distinct hidden units after training, constant init (exact-order descent)": str(
            n["distinct hidden units, constant init"]
        ),
        "unit spread after training, constant init, compiled Adam (rounding)": n[
            "unit spread, constant init, compiled Adam"
        ],
        "distinct hidden units after training, random init": str(
            n["distinct hidden units, random init"]
        ),
    }
    section.claims = _claims(verdicts.landscape_claims(n, s))
    return section


@gallery.section("double-descent", title="Double descent", order=81)
def double_descent_section(context: gallery.Context) -> gallery.Section:
    config = _config(context, DoubleDescentConfig)
    result = run(config, on_progress=context.on_progress)
    peaks = result.summary()["test MSE peaks"]
    noisy = peaks.get(f"random_features, noise {config.noise:g}", {})
    ridged = peaks.get(f"random_features, noise {config.noise:g}, ridge {config.ridge:g}", {})
    poly = peaks.get(f"polynomial, noise {config.noise:g}", {})
    deep = result.summary()["deep vs wide"]
    section = _section(
        "Double descent",
        f"Test error against the number of parameters. With label noise σ = {config.noise:g}, "
        f"min-norm regression on random ReLU features peaks at p = "
        f"{noisy.get('parameters', float('nan')):.0f} (n = {config.n_train} training points) "
        f"with median test MSE {_fmt(noisy.get('median test MSE'))}, and descends again to "
        f"{_fmt(noisy.get('median test MSE at the largest size'))} at the largest p; a ridge of "
        f"{config.ridge:g} flattens the peak to {_fmt(ridged.get('median test MSE'))}. "
        f"Polynomials peak at {poly.get('parameters', float('nan')):.0f} coefficients for 20 "
        "points. MLPs trained by Adam for a fixed budget show how far the picture carries "
        "over to nets.",
        "double-descent",
        config,
    )
    section.add_figure("double_descent", plots.plot_double_descent(result),
                       "Median test MSE over seeds (log–log); dotted: the interpolation "
                       "threshold. Right: nets of equal parameter count, one wide hidden layer "
                       "vs several narrow ones, on the Boolean task (mean ± SE over "
                       "seeds).")  # fmt: skip
    section.numbers = {
        "random-features peak (p, test MSE)": f"{noisy.get('parameters', 0):.0f}, "
        f"{_fmt(noisy.get('median test MSE'))}",
        "with ridge": _fmt(ridged.get("median test MSE")),
        "polynomial peak (coefficients)": poly.get("parameters"),
    }
    section.tables.append(("Deep vs wide at equal parameters", [
        {"hidden layers": d, **{k: (f"{v:.3f}" if isinstance(v, float) else v)
                                for k, v in row.items()}}
        for d, row in deep.items()
    ]))  # fmt: skip
    found = verdicts.double_descent_claims(
        result.summary(), n_train=config.n_train, noise=config.noise, ridge=config.ridge
    )
    section.claims = _claims(found)
    return section


@gallery.section("scaling", title="Scaling laws", order=82)
def scaling_section(context: gallery.Context) -> gallery.Section:
    config = _config(context, ScalingConfig)
    result = run(config, on_progress=context.on_progress)
    laws = result.numbers["power laws"]
    fitted = {k: v for k, v in laws.items() if v}

    def alpha(name: str) -> str:
        law = laws.get(name)
        if not law:
            return "not fitted"
        if not law["power law"]:
            return f"no power law (RMS log deviation {law['residual']:.1f})"
        return f"{law['alpha']:.2f} ± {law['alpha_se']:.2f}"

    section = _section(
        "Scaling laws",
        "Test loss against parameters and against training examples, with L = a·N^(−α) + c "
        "fitted in log space and bootstrap error bars (Kaplan et al.). Teacher–student "
        f"(d = 8, tanh teacher): α = {alpha('teacher, parameters')} in parameters, "
        f"{alpha('teacher, examples')} in examples. Modular arithmetic (a + b mod {config.p}): "
        f"{alpha('modular, parameters')} in parameters, {alpha('modular, examples')} in "
        "examples — where the net groks, the loss falls off a cliff instead of along a power "
        "law (a fit is drawn only where its RMS log deviation is below "
        f"{DESCRIBES}), and the dashed line marks where the points leave the fit by more than "
        "10 %.",
        "scaling",
        config,
    )
    section.add_figure("scaling", plots.plot_scaling(result),
                       "Every run's test loss (dots) and the fitted law (red); dashed: where "
                       "the fit breaks.")  # fmt: skip
    section.tables.append(("Fitted laws", [
        {"axis": k, "α": f"{v['alpha']:.3f} ± {v['alpha_se']:.3f}", "a": f"{v['a']:.3g}",
         "c": f"{v['c']:.3g} ± {v['c_se']:.2g}", "breaks at": v["breaks_at"],
         "RMS log deviation": f"{v['residual']:.2f}",
         "a power law?": "yes" if v["power law"] else "no"}
        for k, v in fitted.items()
    ]))  # fmt: skip
    section.numbers = {f"α, {k}": alpha(k) for k in laws}
    section.claims = _claims(verdicts.scaling_claims(laws))
    return section


@gallery.section(
    "implicit-regularisation", title="Implicit regularisation, and what grokking needs", order=83
)
def implicit_section(context: gallery.Context) -> gallery.Section:
    config = _config(context, ImplicitConfig)
    result = run(config, on_progress=context.on_progress)
    s = result.summary()
    after, verdict = s["after fitting"], s["grokking"]
    lines = []
    for optimizer, numbers in after.items():
        norm = numbers["median weight_norm, at first fit → at the end"]
        k = numbers["median k_lz, at first fit → at the end"]
        err = numbers["median test_error, at first fit → at the end"]
        lines.append(
            f"{optimizer}: weight norm {_fmt(norm[0])} → {_fmt(norm[1])}, K_LZ {_fmt(k[0])} → "
            f"{_fmt(k[1])}, test error {_fmt(err[0])} → {_fmt(err[1])}"
        )
    section = _section(
        "Implicit regularisation, and what grokking needs",
        f"7-40-40-1 nets trained on {config.train_size} inputs of {config.target!r} for "
        f"{config.steps:,} full-batch steps with no regulariser, long after they fit S "
        f"(from the first step with 100 % training accuracy to the end; {'; '.join(lines)}). "
        f"Then the claim “grokking requires L1”: Gromov's quadratic MLP on a + b mod 31 over "
        f"weight decay × L1 for the losses {', '.join(config.losses)}; "
        f"{verdict.get('generalised without L1', '—')} seeds without L1 generalised, so the "
        f"claim is {verdict.get('verdict', 'untested')}.",
        "implicit",
        config,
    )
    section.add_figure("tracked", plots.plot_tracked(result),
                       "Thin: each run; thick: the median. Dotted: the median step of first "
                       "100 % training accuracy.")  # fmt: skip
    section.add_figure(
        "grokking",
        plots.plot_grokking_verdict(result),
        "Seeds that reached 0.99 test accuracy within the budget, per cell.",
    )
    section.numbers = {
        "grokking requires L1": verdict.get("verdict"),
        "generalised without L1": verdict.get("generalised without L1"),
        "generalised with L1": verdict.get("generalised with L1"),
    }
    section.claims = _claims(verdicts.implicit_claims(s))
    return section
