"""Every CLI command, run as a user runs it, across a grid of small but realistic settings.

Each case is one or more ``minimodels`` invocations in a fresh directory (a later step may
read an earlier one's run, e.g. ``bias-plots`` after ``sample``).  Every step must exit 0,
write the files it promises and print no traceback.  A handful of cases (:data:`FAST`) run in
the default suite; the full grid — every model spec, initialisation, target kind, training
set size (one input, a typical share, all but one), backend (serial, process pool) and the
gallery's quick preset — runs under ``pytest -m slow``.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import minimodels

SRC = str(Path(minimodels.__file__).resolve().parents[1])

# commands that take --quiet (the others print nothing while they run)
QUIET = {"evolve", "bio", "fit", "grok", "grok-sweep", "sample", "sgd-vs-bayes",
         "evolution-vs-bayes", "gallery"}  # fmt: skip

RUN_FILES = ("config.json", "summary.json")
BAYES_FILES = (*RUN_FILES, "functions.parquet", "comparison.png")
EVOLVE_FILES = (*RUN_FILES, "runs.parquet", "trace.parquet", "learning_curve.png")


@dataclass(frozen=True)
class Step:
    """One invocation: ``args`` (``{d}`` is the case's directory) and the files it writes."""

    args: str
    files: tuple[str, ...] = ()


def case(name: str, *steps: Step | tuple, slow: bool = True):
    steps = tuple(s if isinstance(s, Step) else Step(*s) for s in steps)
    return pytest.param(steps, id=name, marks=[pytest.mark.slow] if slow else [])


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """``python -m minimodels ARGS`` against the package under test, never hanging."""
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "minimodels", *args],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=900,
    )  # fmt: skip


def files_in(run_dir: str, names: tuple[str, ...] = RUN_FILES) -> tuple[str, ...]:
    return tuple(f"{run_dir}/{n}" for n in names)


# -- the fast subset: one of each kind of work, degenerate settings included ----------------

FAST = [
    case(
        "ca-rule30",
        ("ca --rule 30 --width 21 --steps 10 --out {d}/ca.png", ("ca.png",)),
        slow=False,
    ),  # fmt: skip
    case(
        "evolve-bump-process-pool",
        (
            "evolve --steps 300 --runs 3 --backend process --jobs 2 --out {d}/run",
            files_in("run", EVOLVE_FILES),
        ),
        slow=False,
    ),  # fmt: skip
    case(
        "sample-then-bias-plots",
        (
            "sample --model 3-8-1 --samples 3000 --backend serial --out {d}/run",
            files_in("run", (*RUN_FILES, "functions.parquet")),
        ),
        ("bias-plots {d}/run", ("run/bias-overview.png", "run/bias.json")),
        slow=False,
    ),  # fmt: skip
    case(
        # the reported crash: blocks of random nets in which none fits S
        "sgd-vs-bayes-7-40-40-1-nothing-accepted",
        (
            "sgd-vs-bayes --model 7-40-40-1 --train-size 32 --runs 3 --samples 3000 --seed 0 "
            "--out {d}/run",
            files_in("run", BAYES_FILES),
        ),
        slow=False,
    ),  # fmt: skip
    case(
        "evolution-vs-bayes-mesh-all-but-one",
        (
            "evolution-vs-bayes --substrate mesh --n 3 --train-size 7 --width 4 --depth 1 "
            "--runs 20 --steps 200 --samples 2000 --out {d}/run",
            files_in("run", BAYES_FILES),
        ),
        slow=False,
    ),  # fmt: skip
    case(
        "fit-net-without-hidden-layers",
        (
            "fit --widths 1-1 --steps 20 --n-train 2 --out {d}/run",
            files_in("run", (*RUN_FILES, "losses.parquet", "neurons.png")),
        ),
        slow=False,
    ),  # fmt: skip
]


# -- the full grid ---------------------------------------------------------------------------


def _ca_cases():
    settings = {
        "rule110-zero": "--rule 110 --boundary zero",
        "rule0": "--rule 0",
        "k3-random": "--rule 1599 --k 3 --init random",
        "r2": "--rule 1436965290 --r 2",
        "brick": "--rule 6 --r 1/2 --init 0110",
        "one-cell-no-steps": "--rule 30 --width 1 --steps 0",
        "svg": "--rule 90 --width 31 --steps 15 --out {d}/ca.svg",
    }
    for name, options in settings.items():
        out = "" if "--out" in options else " --out {d}/ca.png"
        written = "ca.svg" if "svg" in options else "ca.png"
        yield case(f"ca-{name}", (f"ca {options}{out}", (written,)))


def _rulearray_cases():
    yield case("rulearray-default", ("rulearray --out {d}/ra.png", ("ra.png",)))
    yield case(
        "rulearray-one-cell", ("rulearray --width 1 --depth 1 --out {d}/ra.png", ("ra.png",))
    )
    yield case(
        "rulearray-brick-one-input",
        ("rulearray --width 6 --depth 4 --r 1/2 --rules 6,8 --inputs 010010 --out {d}/ra.png",
         ("ra.png",)),
    )  # fmt: skip
    yield case(
        "rulearray-save-then-load",
        ("rulearray --width 7 --depth 3 --save {d}/a.json --out {d}/a.png", ("a.png", "a.json")),
        ("rulearray --array {d}/a.json --out {d}/b.png", ("b.png",)),
        ("rulearray --array 4,146;146,4 --readout 0 --out {d}/c.png", ("c.png",)),
    )  # fmt: skip
    yield case(
        "rulearray-readout-column-0",
        ("rulearray --width 5 --depth 2 --readout 0 --out {d}/ra.png", ("ra.png",)),
    )


def _evolve_cases():
    base = "evolve --steps 400 --out {d}/run"
    settings = {
        "bump-serial-one-run": "--backend serial",
        "bump-train-half": "--runs 3 --backend serial --train-fraction 0.5",
        "bump-strict-never-stop": "--runs 2 --backend process --accept < --stop-at -1",
        "bump-brick-zero": "--r 1/2 --rules 6,8 --boundary zero --width 8 --depth 6",
        "bump-one-cell": "--width 1 --depth 1",
        "bump-two-mutations": "--mutations-per-step 2 --runs 2 --backend serial",
        "boolean-majority": "--task boolean --n-bits 3 --width 9 --depth 6",
        "boolean-constant": "--task boolean --target 00000000 --width 9 --runs 2 "
        "--backend serial",  # every even rule maps 0…0 to 0: often solved at step 0
        "boolean-one-bit": "--task boolean --n-bits 1 --target 01 --width 3 --depth 2",
        "boolean-parity-process": "--task boolean --target parity --runs 3 --backend process",
        "lifetime": "--task lifetime --lifetime 4 --width 9 --depth 6",
        "density": "--task density --n-rows 8 --width 7 --depth 4 --runs 2 --backend serial",
        "no-steps": "--steps 0 --runs 2 --backend serial",
    }
    for name, options in settings.items():
        yield case(f"evolve-{name}", (f"{base} {options}", files_in("run", EVOLVE_FILES)))


def _bio_cases():
    settings = {
        "k3": ("--k 3", (3,)),
        "k234-process": ("--k 2,3,4 --runs 2 --backend process", (2, 3, 4)),
        "width-fitness": ("--k 3 --fitness width --runs 2 --backend serial", (3,)),
        "aspect-fitness": ("--k 2 --fitness aspect", (2,)),
        "no-steps": ("--k 3 --steps 0", (3,)),
        "cutoff-1": ("--k 3 --cutoff 1", (3,)),
    }
    for name, (options, ks) in settings.items():
        traces = tuple(f"trace_k{k}.parquet" for k in ks)
        yield case(
            f"bio-{name}",
            (f"bio --steps 300 {options} --out {{d}}/run",
             files_in("run", (*RUN_FILES, "runs.parquet", *traces))),
        )  # fmt: skip


def _multiway_cases():
    files = files_in("run", (*RUN_FILES, "arrays.parquet", "graph.graphml", "graph.png"))
    settings = {
        "3x2": "--width 3 --depth 2 --runs 3 --steps 50",
        "one-cell": "--width 1 --depth 1 --runs 1 --steps 0",
        "brick-strict": "--width 4 --depth 2 --r 1/2 --rules 6,8 --accept <",
    }
    for name, options in settings.items():
        yield case(f"multiway-{name}", (f"multiway {options} --out {{d}}/run", files))


def _fit_cases():
    files = files_in("run", (*RUN_FILES, "params.npz", "losses.parquet", "fit.png"))
    settings = {
        "mlp-bump": "--steps 60",
        "mlp-step-tanh-sgd": "--target step --activation tanh --optimizer sgd --steps 60",
        "mlp-sin-gaussian-two-points": "--target sin --init gaussian --n-train 2 --steps 30",
        "mesh-bump": "--model mesh --mesh-width 4 --mesh-depth 3 --steps 40",
        "mesh-brick": "--model mesh --mesh-width 4 --mesh-depth 2 --r 1/2 --steps 40",
        "already-at-target": "--target-loss 1e9 --steps 40",
    }
    for name, options in settings.items():
        yield case(f"fit-{name}", (f"fit {options} --out {{d}}/run", files))


def _grok_cases():
    files = files_in("run", ("summary.json", "log.parquet", "accuracy.png"))
    base = "grok --steps 40 --log-every 10 --width 16 --out {d}/run"
    settings = {
        "add-p7": "--p 7",
        "sub-tiny-frac": "--p 7 --op - --frac 0.03",  # one training pair
        "mul-all-but-one": "--p 7 --op * --frac 0.98",  # one test pair
        "div-p2": "--p 2 --op / --frac 0.5",  # two pairs
        "polynomial-ce": "--p 5 --op a*a+b --loss ce",
        "stop-after-0": "--p 5 --stop-after 0",
        "transformer-p5": "--model transformer --p 5 --steps 20",
    }
    for name, options in settings.items():
        yield case(f"grok-{name}", (f"{base} {options}", files))
    sweep = "grok-sweep --p 5 --steps 20 --log-every 10 --width 8 --out {d}/run"
    files = files_in("run", ("summary.json", "phase.parquet", "phase_diagram.png"))
    settings = {
        "1x2-serial": "--x-values 0.5 --y-values 0,1 --backend serial",
        "2x2-two-seeds-process": "--x-values 0.3,0.6 --y-values 0,1 --seeds 2 --backend process",
        "width-by-p": "--x-axis width --x-values 4,8 --y-axis p --y-values 3,5 --backend serial",
    }
    for name, options in settings.items():
        yield case(f"grok-sweep-{name}", (f"{sweep} {options}", files))


def _sample_cases():
    files = files_in("run", (*RUN_FILES, "functions.parquet"))
    bias = ("run/bias-overview.png", "run/bias.json")
    models = {
        "7-40-40-1": "7-40-40-1",
        "3-8-1": "3-8-1",
        "tanh": "3-8-8-1:tanh",
        "linear": "2-4-1:linear",
        "perceptron": "perceptron:3",
        "rulearray": "rulearray:5x3:n=3",
        "rulearray-brick": "rulearray:6x4:n=3:r=1/2:rules=6,8",
        "mesh": "mesh:4x2:n=3",
    }
    for name, model in models.items():
        for init, backend in (("gaussian", "serial"), ("uniform", "process")):
            if init == "uniform" and name in ("7-40-40-1", "rulearray-brick"):
                continue  # enough of the grid; keeps it to minutes
            yield case(
                f"sample-{name}-{init}-{backend}",
                (f"sample --model {model} --init {init} --samples 3000 --shard-size 1000 "
                 f"--backend {backend} --out {{d}}/run", files),
                ("bias-plots {d}/run", bias),
            )  # fmt: skip
    yield case("sample-one", ("sample --model 3-8-1 --samples 1 --out {d}/run", files),
               ("bias-plots {d}/run", bias))  # fmt: skip


def _sgd_cases():
    files = files_in("run", BAYES_FILES)
    base = "sgd-vs-bayes --model 3-8-1 --runs 12 --samples 3000 --max-steps 300 --out {d}/run"
    settings = {
        "train-1": "--train-size 1",
        "train-4-parity": "--train-size 4 --target parity",
        "all-but-one": "--train-size 7",
        "constant-target": "--train-size 4 --target 00000000",
        "truth-table-target": "--train-size 4 --target 01101001",
        "uniform-init": "--train-size 4 --init uniform",
        "nngp": "--train-size 4 --bayes nngp",
        "nngp-all-but-one": "--train-size 7 --bayes nngp",
        "no-run-fits": "--train-size 6 --target x1^x2^x3 --max-steps 1 --bayes nngp",
        "sgd-cross-entropy-process": "--train-size 4 --optimizer sgd --loss cross_entropy "
        "--backend process --jobs 2",
        "overtrain": "--train-size 4 --overtrain 20",
    }
    for name, options in settings.items():
        yield case(f"sgd-vs-bayes-{name}", (f"{base} {options}", files))
    yield case(
        "sgd-vs-bayes-from-a-sample-run",
        ("sample --model 3-8-1 --samples 4000 --backend serial --out {d}/prior",
         files_in("prior", ("functions.parquet",))),
        (f"{base} --train-size 4 --bayes-from {{d}}/prior", files),
    )  # fmt: skip


def _evolution_bayes_cases():
    files = files_in("run", BAYES_FILES)
    arrays = "evolution-vs-bayes --n 3 --width 5 --depth 3 --runs 16 --steps 300 --samples 3000"
    mesh = (
        "evolution-vs-bayes --substrate mesh --n 3 --width 4 --depth 1 --runs 16 --steps 200 "
        "--samples 3000"
    )
    settings = {
        "arrays-train-1": f"{arrays} --train-size 1",
        "arrays-typical": f"{arrays} --train-size 4",
        "arrays-all-but-one": f"{arrays} --train-size 7",
        "arrays-constant": f"{arrays} --train-size 4 --target 00000000",
        "arrays-brick-process": f"{arrays} --train-size 4 --r 1/2 --rules 6,8 --backend process",
        "arrays-no-steps": f"{arrays} --train-size 4 --steps 0",
        "mesh-exact": f"{mesh} --train-size 4 --width 3 --levels -1,1 --bayes exact",
        "mesh-rejection-train-1": f"{mesh} --train-size 1 --bayes rejection",
        "mesh-two-levels": f"{mesh} --train-size 4 --levels -1,1",
        "mesh-constant-process": f"{mesh} --train-size 4 --target 11111111 --backend process",
    }
    for name, command in settings.items():
        yield case(f"evolution-vs-bayes-{name}", (f"{command} --out {{d}}/run", files))
    yield case(
        "bayes-plots-side-by-side",
        ("sgd-vs-bayes --model 3-8-1 --train-size 4 --runs 8 --samples 2000 --out {d}/a",
         files_in("a", BAYES_FILES)),
        (f"{arrays} --train-size 4 --out {{d}}/b", files_in("b", BAYES_FILES)),
        ("bayes-plots {d}/a {d}/b --out {d}/side.png", ("side.png",)),
    )  # fmt: skip


def _gallery_cases():
    yield case("gallery-list", ("gallery --list",))
    yield case("gallery-quick", ("gallery --quick --out {d}/gallery", ("gallery/index.html",)))


GRID = [
    *_ca_cases(), *_rulearray_cases(), *_evolve_cases(), *_bio_cases(), *_multiway_cases(),
    *_fit_cases(), *_grok_cases(), *_sample_cases(), *_sgd_cases(), *_evolution_bayes_cases(),
    *_gallery_cases(),
]  # fmt: skip


@pytest.mark.parametrize("steps", FAST + GRID)
def test_every_command_runs_to_the_end_on_realistic_settings(steps, tmp_path):
    for step in steps:
        args = shlex.split(step.args.format(d=tmp_path))
        if args[0] in QUIET:
            args.append("--quiet")
        done = run(args, cwd=tmp_path)
        said = f"minimodels {' '.join(args)}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        assert done.returncode == 0, said
        assert "Traceback" not in done.stderr and "Internal error" not in done.stderr, said
        missing = [name for name in step.files if not (tmp_path / name).is_file()]
        assert not missing, f"{said}\nmissing: {missing}"
        for name in step.files:
            if name.endswith(".json"):
                json.loads((tmp_path / name).read_text())  # complete, not cut short


def test_the_grid_covers_every_command():
    listed = run(["--help"], cwd=Path.cwd())
    covered = {shlex.split(step.args)[0] for p in FAST + GRID for step in p.values[0]}
    commands = {
        "gallery", "ca", "rulearray", "evolve", "bio", "multiway", "fit", "grok", "grok-sweep",
        "sample", "bias-plots", "sgd-vs-bayes", "evolution-vs-bayes", "bayes-plots",
    }  # fmt: skip
    assert commands <= covered
    assert all(name in listed.stdout for name in commands)
