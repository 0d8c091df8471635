"""``minimodels sgd-vs-bayes`` and ``minimodels evolution-vs-bayes``: P_train vs P_B runs.

Both write a run directory: ``config.json``, ``functions.parquet`` (one row per test function:
``function``, ``p_train``, ``p_bayes``, ``count_train``, ``count_bayes``, ``n_errors``),
``summary.json`` (fit and acceptance counts, wall times, headline fractions) and the figures.
Work is split into seeded shards; each finished shard is saved under ``shards/`` so a killed
run continues with ``--resume`` and ends with exactly the tallies of an uninterrupted one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from minimodels.base.errors import UsageError
from minimodels.cli._app import (
    Backend,
    Jobs,
    OutDir,
    Overwrite,
    Quiet,
    Resume,
    app,
    echo,
    warn,
)
from minimodels.cli._options import config_options, from_preset
from minimodels.experiments.bayes_configs import (
    EvolutionVsBayesConfig,
    MeshEvolutionVsBayesConfig,
    SGDVsBayesConfig,
)

if TYPE_CHECKING:
    from minimodels.analysis.bayes.protocol import FunctionCounts

Address = Annotated[str | None, typer.Option(help="Ray cluster address (with --backend ray).")]


def _run_and_write(
    config: Any, out: Path, *, command: str, resume: bool, overwrite: bool, backend: str,
    jobs: int | None, address: str | None, quiet: bool,
) -> dict[str, Any]:  # fmt: skip
    import json
    import time
    from collections import Counter

    from minimodels.base.progress import progress_bar
    from minimodels.experiments import bayes as experiment
    from minimodels.plotting.bayes import plot_comparison_panel
    from minimodels.runtime.parallel import check_backend
    from minimodels.runtime.storage import RunDir, read_json, to_jsonable

    check_backend(backend, jobs)
    split, train_plan, bayes_plan = experiment.plans(config)  # checks every option first
    run = RunDir.open(out, command=command, config=config, resume=resume, overwrite=overwrite)

    def read(path: Path):
        saved = read_json(path)
        return Counter(saved["counts"]), saved["n_rest"], saved["seconds"]

    started = time.perf_counter()
    tallies: dict[str, FunctionCounts | None] = {"bayes": None}
    for name, plan in (("train", train_plan), ("bayes", bayes_plan)):
        if plan is None:  # P_B from the NNGP, computed after training
            continue
        done = run.load_shards(name, ".json", read, len(plan.tasks))
        for note in run.notes:
            warn(note)
        run.notes.clear()

        def save(index: int, result, name=name) -> None:
            kept, n_rest, seconds = result
            record = {"counts": dict(kept), "n_rest": n_rest, "seconds": seconds}
            text = json.dumps(to_jsonable(record)) + "\n"
            run.save_shard(name, index, ".json", lambda tmp: tmp.write_text(text))

        with progress_bar(f"{name} shards", enabled=not quiet) as on_progress:
            tallies[name] = experiment.run_plan(
                plan, backend=backend, jobs=jobs, address=address, done=done, on_result=save,
                on_progress=on_progress,
            )  # fmt: skip
    by_ep = bayes_plan is None and getattr(config, "bayes", None) == "nngp"
    with progress_bar("P_B by EP", enabled=not quiet and by_ep) as on_progress:
        train = tallies["train"]
        assert train is not None  # the training plan always runs
        result = experiment.finish(
            config, split, train, tallies["bayes"], started, on_progress=on_progress
        )
    comparison = result.comparison
    metadata = {
        "function": "the function on the test inputs: '0'/'1' string, test rows in increasing "
        "order (row i = i in binary, x1 the most significant bit)",
        "test_rows": split.test,
        "train_rows": split.train,
        "target": split.target,
    }
    run.write_table("functions.parquet", comparison.table(), metadata=metadata)
    summary = result.summary()
    run.write_json("summary.json", summary)
    run.write_figure("comparison", plot_comparison_panel(comparison))
    return summary


def _fraction(value: float | None) -> str:
    return "n/a (nothing kept)" if value is None else f"{value:.3f}"


def _report(summary: dict[str, Any], out: Path) -> None:
    if summary["bayes_method"] == "rejection":
        bayes = (
            f"P_B: {summary['n_accepted']} of {summary['n_samples']} samples fit S "
            f"(acceptance {summary['acceptance_rate']:.3g})."
        )
    elif summary["bayes_method"] == "exact":
        bayes = "P_B exactly, from every parameter setting."
    else:
        bayes = "P_B of the functions it found from the NNGP by EP."
    echo(f"{summary['learner']}: {summary['n_fit']} of {summary['n_runs']} runs fit S; {bayes}")
    learner = summary["learner"]
    if summary["bayes_method"] == "ep":  # EP scored only the functions found often enough
        scored = 1.0 - summary["train_mass_unseen_by_bayes"]
        echo(
            f"EP scored the functions carrying {scored:.1%} of {learner} mass; "
            f"{summary['train_mass_within_decade_scored']:.1%} of that lies within a factor 10 "
            "of P_B."
        )
        # both means over the functions EP scored
        errors = (summary["mean_test_error_train_scored"], summary["mean_test_error_bayes"])
        scope = " (over the functions EP scored)"
    else:
        within = summary["train_mass_within_decade"]
        echo(f"{within:.1%} of {learner} mass lies within a factor 10 of P_B.")
        errors, scope = (summary["mean_test_error_train"], summary["mean_test_error_bayes"]), ""
    echo(
        f"Mean test error{scope}: {_fraction(errors[0])} under {learner}, "
        f"{_fraction(errors[1])} under P_B."
    )
    unseen = summary["train_mass_unseen_by_bayes"]
    if summary["bayes_method"] == "rejection" and unseen > 0.2:
        echo(
            f"{unseen:.0%} of {learner} mass is on functions no accepted sample "
            "computed: that fraction is P_B's resolution, not disagreement (draw more samples "
            "or use a bigger sample run, or for nets use --bayes nngp)."
        )
    echo(f"Wrote {out}/functions.parquet and summary.json ({summary['wall_seconds']:.1f} s).")


SGD_PRESETS = {"sgd-vs-bayes": SGDVsBayesConfig()}


@app.command("sgd-vs-bayes")
@config_options(SGD_PRESETS, after="out")
def sgd_vs_bayes(
    out: OutDir = Path("runs/sgd-vs-bayes"),
    resume: Resume = False,
    overwrite: Overwrite = False,
    jobs: Jobs = None,
    backend: Backend = "serial",
    address: Address = None,
    quiet: Quiet = False,
    fields: dict[str, Any] | None = None,
) -> None:
    """P_SGD vs P_B for a net on Boolean functions (Mingard et al.: is SGD a Bayesian sampler?)."""
    config = from_preset(SGD_PRESETS, "sgd-vs-bayes", fields or {})
    summary = _run_and_write(
        config, out, command="sgd-vs-bayes", resume=resume, overwrite=overwrite, backend=backend,
        jobs=jobs, address=address, quiet=quiet,
    )  # fmt: skip
    _report(summary, out)


# what --substrate starts from: the configs, with more runs and samples for rule arrays
EVOLUTION_PRESETS: dict[str, EvolutionVsBayesConfig | MeshEvolutionVsBayesConfig] = {
    "rulearray": EvolutionVsBayesConfig(n_runs=400, n_samples=400_000),
    "mesh": MeshEvolutionVsBayesConfig(),
}


@app.command("evolution-vs-bayes")
@config_options(EVOLUTION_PRESETS, after="substrate")
def evolution_vs_bayes(
    substrate: Annotated[
        str, typer.Option(help="Learner: 'rulearray' or 'mesh' (quantised mesh net).")
    ] = "rulearray",
    out: OutDir = Path("runs/evolution-vs-bayes"),
    resume: Resume = False,
    overwrite: Overwrite = False,
    jobs: Jobs = None,
    backend: Backend = "serial",
    address: Address = None,
    quiet: Quiet = False,
    fields: dict[str, Any] | None = None,
) -> None:
    """P_evolution vs P_B for rule arrays or quantised mesh nets trained by adaptive evolution.

    Mesh nets: every weight and bias one of --levels, inputs spread over the top row; evolution
    mutates one weight's level at a time, kept when the training errors do not rise.
    """
    if substrate not in EVOLUTION_PRESETS:
        raise UsageError(f"--substrate must be 'rulearray' or 'mesh', got {substrate!r}")
    config = from_preset(EVOLUTION_PRESETS, substrate, fields or {}, chosen_by="substrate")
    summary = _run_and_write(
        config, out, command="evolution-vs-bayes", resume=resume, overwrite=overwrite,
        backend=backend, jobs=jobs, address=address, quiet=quiet,
    )  # fmt: skip
    _report(summary, out)


@app.command("bayes-plots")
def bayes_plots(
    runs: Annotated[list[Path], typer.Argument(help="Run directories of the two commands.")],
    out: Annotated[Path, typer.Option("--out", help="Figure path (PNG).")] = Path(
        "bayes-side-by-side.png"
    ),
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace --out if minimodels wrote it.")
    ] = False,
) -> None:
    """Scatter plots of several sgd-vs-bayes / evolution-vs-bayes runs side by side."""
    from minimodels.analysis.bayes.protocol import Comparison
    from minimodels.plotting.bayes import plot_side_by_side
    from minimodels.runtime.storage import prepare_out_file, read_json, read_table, write_figure

    target = prepare_out_file(out.with_suffix(".png"), overwrite=overwrite)
    comparisons, titles = [], []
    for run in runs:
        not_ours = UsageError(f"{run} is not a finished sgd-vs-bayes or evolution-vs-bayes run")
        if not (run / "functions.parquet").exists() or not (run / "summary.json").exists():
            raise not_ours
        try:
            summary = read_json(run / "summary.json")
        except ValueError:
            raise not_ours from None
        if not isinstance(summary, dict) or not {"learner", "bayes_method"} <= summary.keys():
            raise not_ours
        columns, _ = read_table(run / "functions.parquet")
        comparisons.append(
            Comparison.from_table(
                columns, train_name=summary["learner"], bayes_source=summary["bayes_method"]
            )
        )
        titles.append(f"{run.name}: {summary['learner']} vs P_B ({summary['bayes_method']})")
    write_figure(target.with_suffix(""), plot_side_by_side(comparisons, titles))
    echo(f"Wrote {target.with_suffix('.png')}.")
