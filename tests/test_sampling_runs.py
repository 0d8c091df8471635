"""Sampling runs on disk: the public table, exact resume after a kill, refusals, full disks,
the Ray backend, and the two CLI commands."""

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from conftest import run_cli

from minimodels.analysis.sampling import files, mlp, runs
from minimodels.analysis.sampling.models import parse_model
from minimodels.analysis.sampling.runs import SampleConfig, sample_run
from minimodels.analysis.sampling.streams import run_key

CONFIG = SampleConfig(model="5-8-8-1", samples=5000, seed=3, shard_size=600)


def _functions(path: Path) -> dict[str, int]:
    table = pq.read_table(path / "functions.parquet").to_pydict()
    return dict(zip(table["function"], table["count"], strict=True))


def test_run_writes_the_public_table_in_the_design_convention(tmp_path):
    config = SampleConfig(model="4-6-1", samples=300, seed=1, shard_size=128)
    run = sample_run(config, tmp_path / "run", backend="serial")
    table = pq.read_table(tmp_path / "run" / "functions.parquet")
    assert {"function", "count", "k_lz", "entropy", "n_ones"} <= set(table.column_names)
    metadata = json.loads(table.schema.metadata[b"truth_table"])
    assert "most significant" in metadata
    counts = _functions(tmp_path / "run")
    assert sum(counts.values()) == 300
    # the same nets through the plain reference, one truth table per net
    spec = parse_model("4-6-1")
    truth = mlp.reference_truth_tables(spec, run_key(1), 0, 300)
    expected: dict[str, int] = {}
    for row in truth:
        s = "".join(map(str, row))
        expected[s] = expected.get(s, 0) + 1
    assert counts == expected
    assert run.summary["n_functions"] == len(expected)
    again, metadata = runs.load_run(tmp_path / "run")
    np.testing.assert_array_equal(again.words, run.table.words)
    np.testing.assert_array_equal(again.counts, run.table.counts)
    assert metadata["n_samples"] == 300
    assert (tmp_path / "run" / "config.json").exists()
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["n_samples"] == 300


def test_a_table_read_back_in_small_batches_or_unsorted_is_the_same_table(tmp_path, monkeypatch):
    # big runs are read a batch at a time (a 10^8 run's text is over 2 GiB)
    run = sample_run(CONFIG, tmp_path / "run", backend="serial")
    monkeypatch.setattr(files, "READ_BATCH", 7)
    again, _ = runs.load_run(tmp_path / "run")
    np.testing.assert_array_equal(again.words, run.table.words)
    np.testing.assert_array_equal(again.counts, run.table.counts)
    # a table written in another order (e.g. by pandas) is sorted back
    table = pq.read_table(tmp_path / "run" / "functions.parquet")
    pq.write_table(table.take(np.arange(table.num_rows)[::-1]), tmp_path / "reversed.parquet")
    shuffled, _ = runs.load_run(tmp_path / "reversed.parquet")
    np.testing.assert_array_equal(shuffled.words, run.table.words)
    np.testing.assert_array_equal(shuffled.counts, run.table.counts)


def test_interrupted_run_resumes_to_exactly_the_uninterrupted_counts(tmp_path):
    sample_run(CONFIG, tmp_path / "whole", backend="serial")

    def stop_after_three(done, total):
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sample_run(CONFIG, tmp_path / "cut", backend="serial", on_progress=stop_after_three)
    assert len(list((tmp_path / "cut" / "shards").glob("*.parquet"))) == 3
    assert not (tmp_path / "cut" / "functions.parquet").exists()
    resumed = sample_run(CONFIG, tmp_path / "cut", backend="process", jobs=2, resume=True)
    assert resumed.summary["n_shards_resumed"] == 3
    assert _functions(tmp_path / "cut") == _functions(tmp_path / "whole")


@pytest.mark.slow  # three CLI runs; the in-process interruption test above is the fast check
def test_a_killed_cli_run_resumes_to_the_uninterrupted_counts(tmp_path):
    args = ["--model", "6-20-20-1", "--samples", "60000", "--seed", "5", "--shard-size", "3000"]
    args += ["--backend", "serial", "--quiet"]
    whole = run_cli("sample", *args, "--out", str(tmp_path / "whole"))
    assert whole.returncode == 0, whole.stderr
    src = str(Path(runs.__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": src}
    cut = tmp_path / "cut"
    process = subprocess.Popen(
        [sys.executable, "-m", "minimodels", "sample", *args, "--out", str(cut)], env=env
    )
    deadline = time.time() + 60
    while time.time() < deadline and len(list(cut.glob("shards/*.parquet"))) < 2:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    n_done = len(list(cut.glob("shards/*.parquet")))
    assert 2 <= n_done < 20
    again = run_cli("sample", *args, "--out", str(cut), "--resume")
    assert again.returncode == 0, again.stderr
    assert _functions(cut) == _functions(tmp_path / "whole")


def test_resume_with_another_config_or_rerun_without_resume_is_refused(tmp_path):
    sample_run(CONFIG, tmp_path / "run", backend="serial")
    other = SampleConfig(**{**CONFIG.__dict__, "sigma_b": 0.5})
    with pytest.raises(ValueError, match="sigma_b = 1.0, not 0.5"):
        sample_run(other, tmp_path / "run", backend="serial", resume=True)
    with pytest.raises(ValueError, match="pass --resume"):
        sample_run(CONFIG, tmp_path / "run", backend="serial")


def test_a_full_disk_fails_cleanly_and_keeps_completed_shards(tmp_path, monkeypatch):
    real_write = runs._write_shard
    calls = []

    def write_until_full(path, table):
        calls.append(path)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(path, table)

    monkeypatch.setattr(runs, "_write_shard", write_until_full)
    with pytest.raises(OSError, match="disk is full.*3 completed shards are kept"):
        sample_run(CONFIG, tmp_path / "run", backend="serial")
    assert len(list((tmp_path / "run" / "shards").glob("*.parquet"))) == 3
    monkeypatch.setattr(runs, "_write_shard", real_write)
    sample_run(CONFIG, tmp_path / "run", backend="serial", resume=True)
    sample_run(CONFIG, tmp_path / "whole", backend="serial")
    assert _functions(tmp_path / "run") == _functions(tmp_path / "whole")


@pytest.mark.slow  # starting Ray takes ~20 s on this machine
def test_ray_backend_equals_the_local_backend():
    ray = pytest.importorskip("ray")
    from minimodels import sample_functions
    from minimodels.runtime.parallel import start_ray

    options = {"samples": 3000, "seed": 9, "shard_size": 1000}
    local = [sample_functions("5-8-1", **options, engine=e) for e in ("numba", "jax")]
    start_ray(num_cpus=2)
    try:
        remote = [
            sample_functions("5-8-1", **options, engine=e, backend="ray") for e in ("numba", "jax")
        ]
    finally:
        ray.shutdown()
    for here, there in zip(local, remote, strict=True):
        np.testing.assert_array_equal(here.words, there.words)
        np.testing.assert_array_equal(here.counts, there.counts)


def test_cli_sample_and_bias_plots_smoke(tmp_path):
    out = tmp_path / "run"
    result = run_cli(
        "sample", "--model", "7-40-40-1", "--init", "gaussian", "--sigma-w", "1",
        "--sigma-b", "1", "--samples", "2e3", "--seed", "0", "--out", str(out), "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "2000 samples" in result.stdout
    counts = _functions(out)
    assert sum(counts.values()) == 2000 and {len(f) for f in counts} == {128}
    plots = run_cli("bias-plots", str(out))
    assert plots.returncode == 0, plots.stderr
    assert (out / "bias-complexity.png").exists() and (out / "bias.json").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--init", "he"], "unknown init 'he'"),
        (["--model", "7-40-x-1"], "unknown model spec"),
        (["--model", "12-4-1"], "out of range for exhaustive evaluation"),
        (["--samples", "1.5"], "whole number"),
        (["--backend", "mpi"], "unknown backend"),
        (["--sigma-w", "nan"], "sigma_w = nan must be a finite number"),
        (["--sigma-b", "inf"], "sigma_b = inf must be a finite number"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(tmp_path, args, message):
    # a later option wins, so args may override --samples
    result = run_cli("sample", "--samples", "100", *args, "--out", str(tmp_path / "r"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert message.lower() in result.stderr.lower()
    assert len(result.stderr.strip().splitlines()) == 1  # no progress bar before the error
    assert not (tmp_path / "r").exists()


def test_cli_resume_against_another_config_exits_2(tmp_path):
    out = str(tmp_path / "r")
    first = run_cli("sample", "--model", "3-4-1", "--samples", "100", "--out", out, "-q")
    assert first.returncode == 0, first.stderr
    second = run_cli(
        "sample", "--model", "3-4-1", "--samples", "200", "--out", out, "--resume", "-q"
    )
    assert second.returncode == 2
    assert "cannot resume" in second.stderr.lower()
    assert len(second.stderr.strip().splitlines()) == 1
    missing = run_cli("bias-plots", str(tmp_path / "nothing"))
    assert missing.returncode == 2


def test_simplicity_experiment_runs_at_a_tiny_config_and_makes_a_section():
    from minimodels import gallery
    from minimodels.experiments import simplicity
    from minimodels.gallery.sections import simplicity as sections

    config = simplicity.SimplicityConfig(model="5-10-1", samples=3000, seed=1)
    result = simplicity.run(config)
    assert result.table.n_samples == 3000
    section = sections._section(result, "t", "intro", "tiny")
    assert section.figures and "bound a (log2 P ≤ −aK − b)" in section.numbers
    assert "minimodels sample --model 5-10-1" in section.command
    perceptron = sections.build_perceptron(gallery.Context(quick=True, seed=0))
    assert perceptron.figures


def test_the_2x2_image_section_counts_every_net_and_marks_parity_and_the_constants():
    from minimodels.experiments import simplicity
    from minimodels.gallery.sections.simplicity import images_section

    config = simplicity.SimplicityConfig(model="4-40-40-1", samples=5000, seed=2)
    result = simplicity.run(config)
    assert result.table.counts.sum() == 5000
    # the same 5000 nets through the float64 NumPy reference, net for net
    truth = mlp.reference_truth_tables(parse_model("4-40-40-1"), run_key(2), 0, 5000)
    rows, counts = np.unique(truth, axis=0, return_counts=True)
    expected = {"".join(map(str, r)): int(c) for r, c in zip(rows, counts, strict=True)}
    got = {"".join(map(str, r)): int(c) for r, c in
           zip(result.table.truth_tables(), result.table.counts, strict=True)}  # fmt: skip
    assert got == expected
    section = images_section(result)
    zero = expected.get("0" * 16, 0)
    assert section.numbers["P(constant 0)"] == zero / 5000
    assert section.numbers["distinct functions of 65,536"] == len(expected)
    parity = "0110100110010110"  # row i = binary i, x1 most significant
    if parity in expected:
        assert section.numbers["P(parity)"].startswith(f"{expected[parity] / 5000:.3g}")
    else:  # never drawn: the rule-of-three bound 3/N
        assert section.numbers["P(parity)"] == "never drawn: < 0.0006 (95 % bound, 3/N)"
    assert section.claims[0].verdict == "supported"
