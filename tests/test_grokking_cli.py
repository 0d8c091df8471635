"""``minimodels grok`` and ``grok-sweep`` as a user meets them."""

import json

import numpy as np
import pytest
from conftest import run_cli

from minimodels.runtime.storage import read_table

TINY = [
    "--model",
    "mlp",
    "--p",
    "11",
    "--width",
    "16",
    "--frac",
    "0.6",
    "--steps",
    "40",
    "--log-every",
    "20",
    "--seed",
    "3",
    "-q",
]


def test_grok_writes_summary_config_log_figures_and_resumes_to_the_same_result(tmp_path):
    out = tmp_path / "run"
    result = run_cli("grok", *TINY, "--wd", "0.5", "--checkpoint-every", "20", "--out", str(out))
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert {"train_accuracy", "test_accuracy", "step_generalised"} <= set(summary)
    assert 0.0 <= summary["test_accuracy"] <= 1.0
    step = summary["step_generalised"]
    said = "not generalised" if step is None else f"generalised at step {step}"
    assert said in result.stdout
    config = json.loads((out / "config.json").read_text())
    assert config["wd"] == 0.5 and config["seed"] == 3 and "version" in config
    columns, _ = read_table(out / "log.parquet")
    np.testing.assert_array_equal(columns["step"], [0, 20, 40])
    assert columns["test_accuracy"][-1] == pytest.approx(summary["test_accuracy"])
    for name in ("accuracy", "loss", "weight_norm", "fourier_spectrum", "neurons"):
        assert (out / f"{name}.png").stat().st_size > 0
    assert (out / "checkpoint.npz").exists()
    # resuming a finished run from its last checkpoint reproduces it exactly
    again = run_cli(
        "grok", *TINY, "--wd", "0.5", "--checkpoint-every", "20", "--resume", "--out", str(out)
    )
    assert again.returncode == 0, again.stderr
    resumed, _ = read_table(out / "log.parquet")
    for name in columns:
        if name != "fourier_power":
            np.testing.assert_array_equal(resumed[name], columns[name])
    # resuming with other options is refused
    other = run_cli("grok", *TINY, "--wd", "0.1", "--resume", "--out", str(out))
    assert other.returncode == 2 and "wd = 0.5, not 0.1" in other.stderr
    # a new run in the same place is refused without --overwrite ...
    again = run_cli("grok", *TINY, "--wd", "0.1", "--checkpoint-every", "60", "--out", str(out))
    assert again.returncode == 2 and "--overwrite" in again.stderr
    # ... and with it drops the old checkpoint, which a later --resume would otherwise take for
    # its own (this run is too short to write a checkpoint of its own)
    fresh = run_cli(
        "grok", *TINY, "--wd", "0.1", "--checkpoint-every", "60", "--overwrite", "--out", str(out)
    )
    assert fresh.returncode == 0, fresh.stderr
    assert not (out / "checkpoint.npz").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--frac", "1.5"], "outside (0, 1)"),
        (["--op", "/", "--p", "12"], "p = 12 is not"),
        (["--p", "1"], "out of range"),
        (["--p", "5", "--frac", "0.01"], "empty train or test set"),
        (["--checkpoint-every", "7"], "--checkpoint-every 7 must be a multiple of --log-every"),
    ],
)
def test_grok_bad_input_exits_2_with_one_line(tmp_path, args, message):
    base = [a for a in TINY if a not in ("--p", "11", "--frac", "0.6", "--model", "mlp")]
    result = run_cli("grok", *base, *args, "--out", str(tmp_path / "bad"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert message.lower() in result.stderr.lower()
    assert not (tmp_path / "bad").exists()  # rejected before anything is written


def test_grok_sweep_writes_a_phase_diagram(tmp_path):
    out = tmp_path / "sweep"
    result = run_cli(
        "grok-sweep",
        "--p",
        "11",
        "--width",
        "16",
        "--steps",
        "40",
        "--log-every",
        "20",
        "--x-values",
        "0.4,0.6",
        "--y-values",
        "0,1",
        "--backend",
        "serial",
        "-q",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    columns, _ = read_table(out / "phase.parquet")
    assert len(columns["wd"]) == 4 and set(columns["frac"]) == {0.4, 0.6}
    assert (out / "phase_diagram.png").exists()
    assert json.loads((out / "summary.json").read_text())["cells"] == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--x-axis", "colour"], "unknown sweep axis 'colour'"),
        (["--y-values", ","], "--y-values ',' gives no value"),
        (["--x-values", "a,b"], "--x-values: cannot read 'a,b'"),
    ],
)
def test_grok_sweep_bad_axis_exits_2(tmp_path, args, message):
    result = run_cli("grok-sweep", *args, "--out", str(tmp_path / "s"), "-q")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
    assert not (tmp_path / "s").exists()
