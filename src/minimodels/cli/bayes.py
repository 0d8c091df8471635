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

from minimodels.cli._app import (
    Backend,
    Jobs,
    OutDir,
    Overwrite,
    Quiet,
    Resume,
    Seed,
    app,
    count_option,
    echo,
    warn,
)
from minimodels.errors import UsageError

if TYPE_CHECKING:
    from minimodels.bayes.protocol import FunctionCounts

Address = Annotated[str | None, typer.Option(help="Ray cluster address (with --backend ray).")]
Shards = Annotated[int, count_option(help="Shards of the P_B sampling (and of evolution runs).")]


def _run_and_write(
    config: Any, out: Path, *, command: str, resume: bool, overwrite: bool, backend: str,
    jobs: int | None, address: str | None, quiet: bool,
) -> dict[str, Any]:  # fmt: skip
    import json
    import time
    from collections import Counter

    from minimodels.experiments import bayes as experiment
    from minimodels.parallel import check_backend
    from minimodels.plotting.bayes import plot_comparison_panel
    from minimodels.progress import progress_bar
    from minimodels.storage import RunDir, read_json, to_jsonable

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


@app.command("sgd-vs-bayes")
def sgd_vs_bayes(
    model: Annotated[str, typer.Option(help="Fully connected net, e.g. 7-40-40-1.")] = "7-40-40-1",
    train_size: Annotated[int, count_option(help="Size of the training set S.")] = 32,
    runs: Annotated[int, count_option(help="Training runs (e.g. 1e5).")] = 2000,
    samples: Annotated[int, count_option(help="Random nets drawn for P_B (e.g. 1e8).")] = 10**6,
    bayes: Annotated[
        str, typer.Option(help="P_B by 'rejection' sampling or from the 'nngp' by EP.")
    ] = "rejection",
    bayes_from: Annotated[
        Path | None,
        typer.Option(help="P_B by rejection from this 'minimodels sample' run (same net, init)."),
    ] = None,
    nngp_min_count: Annotated[
        int, count_option(help="With --bayes nngp: EP only for functions found this often.")
    ] = 1,
    target: Annotated[
        str, typer.Option(help="Target: x1&x2-style formula, a name, or a truth table.")
    ] = "x1&x2",
    init: Annotated[str, typer.Option(help="Initialisation (gaussian or uniform).")] = "gaussian",
    sigma_w: Annotated[float, typer.Option(help="σw of the Gaussian initialisation.")] = 1.0,
    sigma_b: Annotated[float, typer.Option(help="σb of the Gaussian initialisation.")] = 1.0,
    optimizer: Annotated[str, typer.Option(help="sgd (with momentum), adam or adamw.")] = "adam",
    lr: Annotated[float, typer.Option(help="Learning rate.")] = 1e-2,
    momentum: Annotated[float, typer.Option(help="Momentum (sgd only).")] = 0.9,
    loss: Annotated[str, typer.Option(help="mse or cross_entropy.")] = "mse",
    batch_size: Annotated[int | None, count_option(help="Minibatch size (default full).")] = None,
    max_steps: Annotated[
        int, count_option(help="Updates before a run counts as unfit.", minimum=0)
    ] = 2000,
    overtrain: Annotated[int, count_option(help="Extra updates after the fit.", minimum=0)] = 0,
    shards: Shards = 4,
    seed: Seed = 0,
    out: OutDir = Path("runs/sgd-vs-bayes"),
    resume: Resume = False,
    overwrite: Overwrite = False,
    jobs: Jobs = None,
    backend: Backend = "serial",
    address: Address = None,
    quiet: Quiet = False,
) -> None:
    """P_SGD vs P_B for a net on Boolean functions (Mingard et al.: is SGD a Bayesian sampler?)."""
    from minimodels.experiments.bayes import SGDVsBayesConfig

    config = SGDVsBayesConfig(
        model=model, train_size=train_size, target=target, init=init, sigma_w=sigma_w,
        sigma_b=sigma_b, optimizer=optimizer, learning_rate=lr, momentum=momentum, loss=loss,
        batch_size=batch_size, max_steps=max_steps, overtrain_steps=overtrain,
        n_runs=runs, n_samples=samples, bayes=bayes,
        bayes_from=None if bayes_from is None else str(bayes_from),
        nngp_min_count=nngp_min_count, n_shards=shards, seed=seed,
    )  # fmt: skip
    summary = _run_and_write(
        config, out, command="sgd-vs-bayes", resume=resume, overwrite=overwrite, backend=backend,
        jobs=jobs, address=address, quiet=quiet,
    )  # fmt: skip
    _report(summary, out)


# Where the command's defaults differ from the configs' (options left out fall to the config)
EVOLUTION_CLI_DEFAULTS = {"rulearray": {"n_runs": 400, "n_samples": 400_000}, "mesh": {}}


def _parse_list(text: str, name: str, kind: type) -> tuple:
    """'4,146' → (4, 146); one sentence on anything else."""
    try:
        return tuple(kind(x) for x in text.split(","))
    except ValueError:
        noun = "integers" if kind is int else "numbers"
        raise UsageError(f"--{name} must be comma-separated {noun}, got {text!r}") from None


@app.command("evolution-vs-bayes")
def evolution_vs_bayes(
    substrate: Annotated[
        str, typer.Option(help="Learner: 'rulearray' or 'mesh' (quantised mesh net).")
    ] = "rulearray",
    n: Annotated[int | None, count_option(help="Input bits (default 5; mesh 4).")] = None,
    train_size: Annotated[int | None, count_option(help="Size of S (default 16; mesh 8).")] = None,
    target: Annotated[
        str | None,
        typer.Option(
            help="Target: x1&x2-style formula, a name or a truth table (default x1&x2; mesh x1|x2)."
        ),
    ] = None,
    width: Annotated[
        int | None, count_option(help="Array / mesh width (default 11; mesh 5).")
    ] = None,
    depth: Annotated[
        int | None, count_option(help="Array / mesh depth (default 8; mesh 2).")
    ] = None,
    rules: Annotated[
        str | None,
        typer.Option(help="Rule arrays: allowed rules, comma-separated (default 4,146)."),
    ] = None,
    levels: Annotated[
        str | None, typer.Option(help="Mesh: weight levels, comma-separated (default -1,0,1).")
    ] = None,
    r: Annotated[str, typer.Option(help="Range: 1 or 1/2 (brick).")] = "1",
    runs: Annotated[
        int | None, count_option(help="Evolution runs (default 400; mesh 2000).")
    ] = None,
    steps: Annotated[
        int, count_option(help="Mutation attempts per run at most.", minimum=0)
    ] = 20_000,
    samples: Annotated[
        int | None,
        count_option(help="Random arrays / nets drawn for P_B (default 400000; mesh 3e6)."),
    ] = None,
    bayes: Annotated[
        str | None,
        typer.Option(
            help="Mesh: P_B 'exact' (every level vector), 'rejection' or 'auto' (exact when "
            "there are at most 2^22; the default)."
        ),
    ] = None,
    shards: Shards = 4,
    seed: Seed = 0,
    out: OutDir = Path("runs/evolution-vs-bayes"),
    resume: Resume = False,
    overwrite: Overwrite = False,
    jobs: Jobs = None,
    backend: Backend = "serial",
    address: Address = None,
    quiet: Quiet = False,
) -> None:
    """P_evolution vs P_B for rule arrays or quantised mesh nets trained by adaptive evolution.

    Mesh nets: every weight and bias one of --levels, ReLU, inputs spread over the top row;
    evolution mutates one weight's level at a time, kept when the training errors do not rise.
    """
    from minimodels.experiments.bayes import EvolutionVsBayesConfig, MeshEvolutionVsBayesConfig

    if substrate not in EVOLUTION_CLI_DEFAULTS:
        raise UsageError(f"--substrate must be 'rulearray' or 'mesh', got {substrate!r}")
    given = {"n": n, "train_size": train_size, "target": target, "width": width, "depth": depth}
    options: dict[str, Any] = {**EVOLUTION_CLI_DEFAULTS[substrate], "steps": steps,
                               "n_shards": shards, "seed": seed}  # fmt: skip
    options |= {k: v for k, v in given.items() if v is not None}
    if runs is not None:
        options["n_runs"] = runs
    if samples is not None:
        options["n_samples"] = samples
    config: MeshEvolutionVsBayesConfig | EvolutionVsBayesConfig
    if substrate == "mesh":
        if rules is not None:
            raise UsageError("--rules applies to --substrate rulearray; mesh nets take --levels")
        if levels is not None:
            options["levels"] = _parse_list(levels, "levels", float)
        if bayes is not None:
            options["bayes"] = bayes
        config = MeshEvolutionVsBayesConfig(**options, r=r)
    else:
        if levels is not None or bayes is not None:
            raise UsageError(
                "--levels and --bayes apply to --substrate mesh; rule arrays take --rules"
            )
        if rules is not None:
            options["rules"] = _parse_list(rules, "rules", int)
        config = EvolutionVsBayesConfig(**options, r=1 if r == "1" else r)
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
        bool, typer.Option("--overwrite", help="Replace --out if it exists.")
    ] = False,
) -> None:
    """Scatter plots of several sgd-vs-bayes / evolution-vs-bayes runs side by side."""
    from minimodels.bayes.protocol import Comparison
    from minimodels.plotting.bayes import plot_side_by_side
    from minimodels.storage import prepare_out_file, read_json, read_table, write_figure

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
