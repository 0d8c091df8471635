"""``minimodels fit`` writes a complete run directory; bad input exits 2 with one line."""

import json

import numpy as np
import pytest
from conftest import run_cli


def test_fit_writes_summary_config_params_and_figures(tmp_path):
    out = tmp_path / "run"
    done = run_cli(
        "fit", "--model", "mesh", "--target", "bump", "--seed", "0", "--out", str(out),
        "--steps", "40", "--n-train", "30", "--mesh-width", "5", "--mesh-depth", "3", "-q",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    config = json.loads((out / "config.json").read_text())
    assert np.isfinite(summary["final_loss"]) and summary["n_steps"] <= 40
    assert config["seed"] == 0 and config["model"] == "mesh" and "version" in config
    for name in ("params.npz", "model.json", "losses.parquet", "fit.png", "loss.png",
                 "neurons.png", "net.png"):  # fmt: skip
        assert (out / name).stat().st_size > 0, name
    from minimodels.learners.nets.io import load_net

    model, params, _ = load_net(out)
    assert model.width == 5 and model.depth == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "cnn"], "unknown model 'cnn'"),
        (["--widths", "1-0-1"], "layer widths must be positive"),
    ],
)
def test_fit_bad_input_exits_2_with_one_line(tmp_path, args, message):
    done = run_cli("fit", "--out", str(tmp_path / "x"), "-q", *args)
    assert done.returncode == 2
    assert message.lower() in done.stderr.lower()
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


@pytest.mark.slow
def test_fit_with_a_diverging_learning_rate_exits_2(tmp_path):
    done = run_cli(
        "fit", "--out", str(tmp_path / "x"), "-q", "--optimizer", "sgd", "--lr", "1e6",
        "--steps", "50", "--widths", "1-4-1",
    )  # fmt: skip
    assert done.returncode == 2 and "diverged" in done.stderr
