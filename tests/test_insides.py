"""A net's insides through training: the checkpoint loop, the pictures and the gallery section,
each against an independent NumPy reference (forward passes and losses written by hand)."""

from __future__ import annotations

import json
from dataclasses import replace

import jax
import numpy as np
import pytest
from PIL import Image

from minimodels import gallery
from minimodels.base.errors import UsageError
from minimodels.experiments.insides import InsidesConfig, checkpoint_steps, run_insides
from minimodels.gallery.sections import insides as section_module
from minimodels.learners.nets.fitting import bump, default_init, default_model, fit
from minimodels.learners.nets.train import Training
from minimodels.plotting.insides import animation_frame, plot_film_strip, save_animation

# small runs that share compiled code: same training points, same grid
SMALL = InsidesConfig(steps=120, checkpoints=(0, 3, 40, 120), n_train=30, grid_points=50)


@pytest.fixture(scope="module")
def runs():
    return {kind: run_insides(replace(SMALL, model=kind)) for kind in ("mlp", "mesh")}


# ---------------------------------------------------------------- independent references
def numpy_mlp(params, x):
    """Hidden layers and output of a ReLU MLP by hand: ``h = relu(h @ W + b)``, last affine."""
    h = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    hidden = []
    for i, layer in enumerate(params):
        h = h @ np.asarray(layer["W"], np.float64) + np.asarray(layer["b"], np.float64)
        if i < len(params) - 1:
            h = np.maximum(h, 0.0)
            hidden.append(h)
    return hidden, h[:, 0]


def numpy_mesh(params, x, width=10):
    """Rows and output of a tanh mesh net (r = 1, cyclic, x broadcast to row 0) by hand:
    neuron c of a row reads columns c−1, c, c+1 of the row above; the readout reads the
    three columns around ``width // 2`` of the last row."""
    W = np.asarray(params["W"], np.float64)  # (depth, width, 3)
    b = np.asarray(params["b"], np.float64)
    h = np.repeat(np.asarray(x, np.float64).reshape(-1, 1), width, axis=1)
    rows = []
    for t in range(W.shape[0]):
        left, right = np.roll(h, 1, axis=1), np.roll(h, -1, axis=1)  # h[c−1], h[c+1]
        h = np.tanh(W[t, :, 0] * left + W[t, :, 1] * h + W[t, :, 2] * right + b[t])
        rows.append(h)
    c = width // 2
    below = h[:, [c - 1, c, c + 1]]
    out = below @ np.asarray(params["W_out"], np.float64) + float(params["b_out"])
    return rows, out


def numpy_forward(kind, params, x):
    return numpy_mlp(params, x) if kind == "mlp" else numpy_mesh(params, x)


# ---------------------------------------------------------------- checkpoints
def test_default_checkpoints_are_log_spaced_from_zero_to_the_end():
    assert checkpoint_steps(3000, 6) == (0, 30, 95, 300, 949, 3000)
    steps = checkpoint_steps(1000, 5)
    assert steps[0] == 0 and steps[-1] == 1000
    ratios = np.diff(np.log(steps[1:]))
    np.testing.assert_allclose(ratios, ratios[0], rtol=0.05)
    # few steps: the checkpoints stay distinct, one per step if need be
    assert checkpoint_steps(5, 6) == (0, 1, 2, 3, 4, 5)
    assert checkpoint_steps(7, 3) == (0, 1, 7)
    assert checkpoint_steps(200, checkpoints=(0, 10, 200)) == (0, 10, 200)


@pytest.mark.parametrize(
    ("kwargs", "option", "words"),
    [
        ({"steps": 100, "checkpoints": (0, 50, 20)}, "checkpoints", "strictly increasing"),
        ({"steps": 100, "checkpoints": (0, 50, 50)}, "checkpoints", "strictly increasing"),
        ({"steps": 100, "checkpoints": (-5, 10)}, "checkpoints", "≥ 0"),
        ({"steps": 100, "checkpoints": (0, 200)}, "checkpoints", "beyond"),
        ({"steps": 3, "checkpoints": (0, 1, 2, 3, 4)}, "checkpoints", "more than"),
        ({"steps": 5, "n_checkpoints": 10, "checkpoints": None}, "n_checkpoints", "more than"),
        ({"steps": 5, "n_checkpoints": 1, "checkpoints": None}, "n_checkpoints", "at least 2"),
        ({"steps": -1}, "steps", "≥ 0"),
    ],
)
def test_bad_checkpoints_are_refused_in_one_sentence_naming_the_option(kwargs, option, words):
    with pytest.raises(UsageError) as refused:
        run_insides(replace(SMALL, **kwargs))  # refused before anything trains
    message = str(refused.value)
    assert option in refused.value.options
    assert option in message or "checkpoint" in message or "steps" in message
    assert words in message
    assert "\n" not in message and ". " not in message  # one sentence


def test_an_unknown_model_is_refused():
    with pytest.raises(UsageError) as refused:
        run_insides(replace(SMALL, model="cnn"))
    assert "model" in refused.value.options


# ---------------------------------------------------------------- the run
@pytest.mark.parametrize("kind", ["mlp", "mesh"])
def test_checkpoint_zero_is_the_librarys_initial_draw(runs, kind):
    model = default_model(kind)
    init_key = jax.random.split(jax.random.key(SMALL.seed))[0]  # train(): (init key, batch key)
    expected = model.init(key=init_key, **default_init(model).kwargs())
    got = runs[kind].params[0]
    for a, b in zip(jax.tree.leaves(expected), jax.tree.leaves(got), strict=True):
        np.testing.assert_array_equal(np.asarray(a), b)


@pytest.mark.parametrize("kind", ["mlp", "mesh"])
def test_neuron_values_at_every_checkpoint_equal_a_numpy_forward_pass(runs, kind):
    result = runs[kind]
    assert result.checkpoints == SMALL.checkpoints
    for k, params in enumerate(result.params):
        hidden, output = numpy_forward(kind, params, result.grid)
        assert len(result.hidden[k]) == len(hidden)
        for got, expected in zip(result.hidden[k], hidden, strict=True):
            np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(result.outputs[k], output, rtol=1e-4, atol=1e-4)
    # training moved the parameters between checkpoints
    assert not np.allclose(result.outputs[0], result.outputs[-1])


@pytest.mark.parametrize("kind", ["mlp", "mesh"])
def test_checkpoint_losses_equal_the_numpy_training_mse(runs, kind):
    result = runs[kind]
    x = np.linspace(-1.0, 1.0, SMALL.n_train)
    y = ((x >= -1 / 3) & (x <= 1 / 3)).astype(float)  # the bump, written again
    for k, params in enumerate(result.params):
        _, output = numpy_forward(kind, params, x)
        assert result.losses[k] == pytest.approx(np.mean((output - y) ** 2), rel=1e-4)
    assert result.loss_curve.shape == (SMALL.steps + 1,)
    assert result.losses[-1] == result.loss_curve[-1]
    assert result.losses[-1] < result.losses[0]


@pytest.mark.parametrize("kind", ["mlp", "mesh"])
def test_the_checkpoint_loop_follows_the_librarys_fit_step_for_step(runs, kind):
    """Adam's state is carried across checkpoints: pausing changes nothing."""
    result = runs[kind]
    reference = fit(
        default_model(kind), "bump", key=jax.random.key(SMALL.seed), n_train=SMALL.n_train,
        training=Training("adam", SMALL.learning_rate, max_steps=SMALL.steps),
    )  # fmt: skip
    np.testing.assert_allclose(result.loss_curve, reference.losses, rtol=1e-6, atol=1e-9)
    for a, b in zip(jax.tree.leaves(reference.params), jax.tree.leaves(result.params[-1]),
                    strict=True):  # fmt: skip
        np.testing.assert_allclose(np.asarray(a), b, rtol=1e-6, atol=1e-7)
    # an intermediate checkpoint is fit() with that many steps
    step = SMALL.checkpoints[2]
    shorter = fit(
        default_model(kind), "bump", key=jax.random.key(SMALL.seed), n_train=SMALL.n_train,
        training=Training("adam", SMALL.learning_rate, max_steps=step),
    )  # fmt: skip
    for a, b in zip(jax.tree.leaves(shorter.params), jax.tree.leaves(result.params[2]),
                    strict=True):  # fmt: skip
        np.testing.assert_allclose(np.asarray(a), b, rtol=1e-6, atol=1e-7)


def test_a_checkpoint_before_the_end_keeps_training_to_the_end():
    result = run_insides(replace(SMALL, checkpoints=(0, 40)))
    assert result.checkpoints == (0, 40)
    assert result.loss_curve.shape == (SMALL.steps + 1,)
    assert np.all(np.isfinite(result.loss_curve))
    assert result.losses[1] == result.loss_curve[40]


def test_layer_change_is_measured_on_the_training_interval(runs):
    result = runs["mlp"]
    inside = (result.grid >= -1) & (result.grid <= 1)
    first, last = result.hidden[0][1][inside], result.hidden[-1][1][inside]
    expected = np.sqrt(np.mean((last - first) ** 2)) / np.sqrt(np.mean(first**2))
    assert result.layer_change()[1] == pytest.approx(expected)
    assert result.layer_change().shape == (3,)


# ---------------------------------------------------------------- pictures
def _curves(ax, n):
    return [line for line in ax.get_lines() if len(line.get_xdata()) == n]


@pytest.mark.parametrize("kind", ["mlp", "mesh"])
def test_the_film_strip_draws_the_numpy_values(runs, kind):
    result = runs[kind]
    figure = plot_film_strip(result)
    n_layers = 3 if kind == "mlp" else 8
    axes = np.array(figure.axes).reshape(1 + n_layers, len(result.checkpoints))
    n = result.grid.size
    for k, params in enumerate(result.params):
        hidden, output = numpy_forward(kind, params, result.grid)
        drawn = _curves(axes[0, k], n)[-1]  # target first, then the net
        np.testing.assert_allclose(drawn.get_ydata(), output, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(drawn.get_xdata(), result.grid)
        for layer, expected in enumerate(hidden):
            lines = _curves(axes[layer + 1, k], n)
            assert len(lines) == expected.shape[1]
            for neuron, line in enumerate(lines):
                np.testing.assert_allclose(line.get_ydata(), expected[:, neuron], rtol=1e-4,
                                           atol=1e-4)  # fmt: skip
        step = result.checkpoints[k]
        assert f"step {step}" in axes[0, k].get_title()
    for text in figure.findobj(lambda artist: hasattr(artist, "get_fontsize")):
        assert text.get_fontsize() >= 8


def test_an_animation_frame_draws_that_checkpoint(runs):
    result = runs["mesh"]
    figure = animation_frame(result, 2)
    hidden, output = numpy_mesh(result.params[2], result.grid)
    np.testing.assert_allclose(_curves(figure.axes[0], result.grid.size)[-1].get_ydata(), output,
                               rtol=1e-4, atol=1e-4)  # fmt: skip
    last_row = _curves(figure.axes[-1], result.grid.size)
    np.testing.assert_allclose(np.column_stack([line.get_ydata() for line in last_row]),
                               hidden[-1], rtol=1e-4, atol=1e-4)  # fmt: skip
    assert f"step {result.checkpoints[2]} of {SMALL.steps}" in figure.texts[0].get_text()


def test_the_gif_has_one_frame_per_checkpoint_and_no_ffmpeg_is_needed(runs, tmp_path,
                                                                       monkeypatch):  # fmt: skip
    from matplotlib import animation

    monkeypatch.setattr(animation.writers, "is_available", lambda name: False)
    path = tmp_path / "insides.gif"
    written = save_animation(runs["mlp"], path)
    assert written == [path]
    with Image.open(path) as gif:
        assert gif.n_frames == len(runs["mlp"].checkpoints)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["insides.gif"]  # no leftovers


def test_save_animation_refuses_a_path_that_is_not_a_gif(runs, tmp_path):
    with pytest.raises(UsageError) as refused:
        save_animation(runs["mlp"], tmp_path / "insides.mp4")
    assert ".gif" in str(refused.value)
    with pytest.raises(UsageError):
        save_animation(runs["mlp"], tmp_path / "missing" / "insides.gif")


def test_the_result_draws_itself_as_the_film_strip(runs):
    import minimodels.plotting.insides  # noqa: F401  (registers the drawer)

    figure = runs["mlp"].plot()
    assert len(figure.axes) == 4 * len(SMALL.checkpoints)


# ---------------------------------------------------------------- the gallery section
def test_the_section_reports_the_loss_at_every_checkpoint(monkeypatch, tmp_path):
    from PIL import Image

    tiny = replace(SMALL, checkpoints=None, n_checkpoints=3, steps=30)
    monkeypatch.setattr(section_module, "QUICK", tiny)
    section = section_module.insides_section(gallery.Context(quick=True, seed=0))
    names = [item.name for item in section.figures]
    assert names == ["mlp-film-strip", "mlp-animation", "mesh-film-strip"]
    animation = section.figures[1].figure
    assert isinstance(animation, gallery.Animation)
    animation.write(tmp_path / "a.gif")  # what the build does: one frame per checkpoint
    with Image.open(tmp_path / "a.gif") as gif:
        assert gif.n_frames == 3
    steps = checkpoint_steps(30, 3)
    for kind, what in section_module.NETS:
        result = run_insides(replace(tiny, model=kind))
        for step, loss in zip(steps, result.losses, strict=True):
            assert section.numbers[f"{what}: training MSE at step {step}"] == float(f"{loss:.3g}")
    assert len(section.tables) == 2
    assert [spec.key for spec in gallery.registry()].count("nets-insides") == 1
    assert bump(np.array([0.0]))[0] == 1.0


def test_the_insides_command_writes_strip_gif_and_summary_and_refuses_bad_checkpoints(tmp_path):
    from conftest import run_cli
    from PIL import Image

    bad = run_cli("insides", "--checkpoints", "5,3", "--out", str(tmp_path / "bad"))
    assert bad.returncode == 2 and "--checkpoints" in bad.stderr
    assert not (tmp_path / "bad").exists()
    done = run_cli("insides", "--steps", "40", "--n-checkpoints", "3", "-q",
                   "--out", str(tmp_path / "run"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["checkpoints"][0] == 0 and summary["checkpoints"][-1] == 40
    assert len(summary["training MSE"]) == 3
    with Image.open(tmp_path / "run" / "insides.gif") as gif:
        assert gif.n_frames == 3
    assert (tmp_path / "run" / "insides.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [(("--grid-points", "10000000000"), "memory"), (("--steps", "100000000000"), "memory")],
)
def test_the_insides_command_refuses_what_cannot_fit_before_writing(args, fragment, tmp_path):
    from conftest import run_cli

    done = run_cli("insides", *args, "--out", str(tmp_path / "run"))
    assert done.returncode == 2 and fragment in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()
