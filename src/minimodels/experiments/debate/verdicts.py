"""The debate's claims, judged by the numbers of a run.

Each function takes a result's ``numbers`` / ``summary()`` and returns claims as dicts
``{"claim", "source", "verdict", "evidence", "figure"}`` — the claim as its authors make it, a
verdict computed from the numbers (``supported``, ``refuted``, ``mixed`` where the run supports
part of it, ``inconclusive`` where the difference is within the noise, ``untested`` where the
run has nothing to say) and the measured evidence.  The gallery turns them into its claims
page; nothing here is typed in but the claims and the thresholds below.
"""

from __future__ import annotations

from typing import Any

CONNECTED = 0.1  # a curved path "removes" a barrier that it lowers at least tenfold
CORRELATED = 0.3  # a rank correlation that counts as a link
PEAK_WINDOW = 0.2  # a test-error peak "at p = n" lies within ±20 % of n
SIGNIFICANT = 2.0  # standard errors between two means that count as a difference


def _claim(claim: str, source: str, verdict: str, evidence: str, figure: str) -> dict[str, Any]:
    return {"claim": claim, "source": source, "verdict": verdict, "evidence": evidence,
            "figure": figure}  # fmt: skip


def _both(first: bool, second: bool) -> str:
    return "supported" if first and second else "mixed" if first or second else "refuted"


def landscape_claims(numbers: dict[str, Any], summary: dict[str, Any]) -> list[dict[str, Any]]:
    stuck = {int(w): f for w, f in summary["stuck fraction by width"].items()}
    narrow, wide = min(stuck), max(stuck)
    falls = stuck[wide] < stuck[narrow] and all(
        stuck[b] <= stuck[a] for a, b in zip(sorted(stuck), sorted(stuck)[1:], strict=False)
    )
    stuck_verdict = "supported" if falls else "refuted" if stuck[wide] >= stuck[narrow] else "mixed"
    sharp = {int(b): v for b, v in summary["median sharpness by batch size"].items()}
    small, large = min(sharp), max(sharp)
    rho = summary["rank correlation, sharpness vs test error"]
    line, curve = numbers["barrier, straight path"], numbers["barrier, Bézier curve"]
    units = numbers["distinct hidden units, constant init"]
    return [
        _claim("The chance of getting stuck in a bad minimum falls with width", "the thread",
               stuck_verdict,
               f"runs that never fit S: {stuck[narrow]:.2f} at width {narrow}, "
               f"{stuck[wide]:.2f} at width {wide}", "minima"),
        _claim("Small batches find flatter minima, and flatter minima generalise better",
               "Keskar et al. 2017", _both(sharp[small] < sharp[large], rho > CORRELATED),
               f"median sharpness {sharp[small]:.3g} at batch {small} vs {sharp[large]:.3g} at "
               f"{large}; rank correlation with test error {rho:.2f}", "sharpness"),
        _claim("Minima from different seeds are joined by a curve of low loss",
               "Garipov et al. 2018; Draxler et al. 2018",
               "supported" if curve < CONNECTED * line else "refuted",
               f"barrier {line:.3g} on the straight line, {curve:.3g} on the trained curve",
               "paths"),
        _claim("A constant initialisation keeps a layer's hidden units identical for ever",
               "textbook symmetry argument",
               "supported" if all(u == 1 for u in units) else "refuted",
               f"distinct units per layer after training: {units}", "minima"),
    ]  # fmt: skip


def double_descent_claims(
    summary: dict[str, Any], *, n_train: int, noise: float, ridge: float
) -> list[dict[str, Any]]:
    peaks = summary["test MSE peaks"]
    claims = []
    noisy = peaks.get(f"random_features, noise {noise:g}")
    ridged = peaks.get(f"random_features, noise {noise:g}, ridge {ridge:g}")
    if noisy:
        at_n = abs(noisy["parameters"] - n_train) <= PEAK_WINDOW * n_train
        descends = noisy["median test MSE at the largest size"] < noisy["median test MSE"] / 2
        peak, last = noisy["median test MSE"], noisy["median test MSE at the largest size"]
        evidence = (f"peak at p = {noisy['parameters']:.0f} (n = {n_train}), test MSE "
                    f"{peak:.3g} → {last:.3g} at the largest p")  # fmt: skip
        if ridged:
            evidence += f"; ridge {ridge:g}: at most {ridged['median test MSE']:.3g}"
        claims.append(_claim(
            "Test error peaks where the model can just interpolate (p = n) and falls again "
            "beyond it", "Belkin et al. 2019; Nakkiran et al. 2020", _both(at_n, descends),
            evidence, "double_descent"))  # fmt: skip
    deep = summary["deep vs wide"]
    if len(deep) >= 2:
        depths = sorted(deep, key=int)
        one, most = deep[depths[0]], deep[depths[-1]]
        if one["mean test error"] is None or most["mean test error"] is None:
            verdict, evidence = "untested", "no fitted nets at one of the depths"
        else:
            gap = one["mean test error"] - most["mean test error"]  # > 0: deeper is better
            se = (one["standard error"] ** 2 + most["standard error"] ** 2) ** 0.5
            verdict = ("inconclusive" if abs(gap) <= SIGNIFICANT * se
                       else "supported" if gap > 0 else "refuted")  # fmt: skip
            evidence = (f"test error {one['mean test error']:.3f} ± {one['standard error']:.3f} "
                        f"with {depths[0]} layer(s) of {one['width']} vs "
                        f"{most['mean test error']:.3f} ± {most['standard error']:.3f} with "
                        f"{depths[-1]} of {most['width']}")  # fmt: skip
        claims.append(
            _claim(
                "At equal parameters a deep net generalises better than one wide layer",
                "the thread",
                verdict,
                evidence,
                "double_descent",
            )
        )
    return claims


def scaling_claims(laws: dict[str, Any]) -> list[dict[str, Any]]:
    def holds(name: str) -> bool | None:
        law = laws.get(name)
        return None if law is None else bool(law["power law"])

    def said(name: str) -> str:
        law = laws.get(name)
        if law is None:
            return f"{name}: not fitted"
        if law["power law"]:
            return f"{name}: α = {law['alpha']:.2f} ± {law['alpha_se']:.2f}"
        return f"{name}: no power law (RMS log deviation {law['residual']:.2f})"

    results = [holds(name) for name in laws]
    tested = [r for r in results if r is not None]
    verdict = ("untested" if not tested else "supported" if all(tested)
               else "refuted" if not any(tested) else "mixed")  # fmt: skip
    return [_claim("Test loss falls as a power law in parameters and in data",
                   "Kaplan et al. 2020", verdict, "; ".join(said(name) for name in laws),
                   "scaling")]  # fmt: skip


def implicit_claims(summary: dict[str, Any]) -> list[dict[str, Any]]:
    claims = []
    sgd = summary["after fitting"].get("sgd")
    if sgd:
        k = sgd["median k_lz, at first fit → at the end"]
        err = sgd["median test_error, at first fit → at the end"]
        if None in (*k, *err):
            verdict = "untested"
        else:
            verdict = _both(k[1] < k[0], err[1] < err[0])
        claims.append(_claim(
            "After fitting the data, SGD keeps drifting to simpler functions that generalise "
            "better (implicit regularisation)", "the thread", verdict,
            f"plain SGD, from first fit to the end: K_LZ {k[0]:.3g} → {k[1]:.3g}, test error "
            f"{err[0]:.3g} → {err[1]:.3g}", "tracked"))  # fmt: skip
    grok = summary.get("grokking") or {}
    if grok:
        claims.append(_claim(
            "Grokking requires L1 regularisation", "the thread", grok["verdict"],
            f"generalised without L1: {grok['generalised without L1']}; with L1: "
            f"{grok['generalised with L1']}", "grokking"))  # fmt: skip
    return claims
