"""Loss landscapes and the minima training reaches (Li et al. 2018; Keskar et al. 2017;
Garipov et al. / Draxler et al. 2018), on 7-40-40-1 nets learning an n = 7 Boolean target.

Two nets (seeds A and B) are trained on the same S.  Around A: 1-D slices (train and test loss,
test error) along one direction and a 2-D slice of the train loss along two, each direction
filter-normalised (or random, scaled to the weights' norm); A's top Hessian eigenvalues and
Hutchinson trace.  Between A and B: the straight path (its barrier) and a quadratic Bézier
curve whose middle point is trained to remove it.  Over many runs: sharpness (top eigenvalue)
vs SGD batch size and vs test error; how often a net of each width gets stuck (never fits S)
and how many distinct functions the fitted ones compute; constant vs random initialisation
(how many distinct hidden units survive training); and the initialisation scale (how far the
weights move, lazy vs rich, and the test error).

:func:`run_landscape` returns ``(rows, curves, numbers)``: rows one per run of the many-run
parts (``part`` says which), curves the slices and paths as arrays, numbers the headline ones.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from minimodels.analysis import landscape as ls
from minimodels.base.progress import ProgressCallback, report
from minimodels.experiments.debate.config import LandscapeConfig
from minimodels.experiments.debate.tasks import (
    boolean_split,
    function_bits,
    mse_loss,
    net,
    seed_keys,
    sign_error,
)
from minimodels.learners.nets import MLP, Init, Training, init_many, train_many

RANDOM_INIT = Init("gaussian", 1.0, 1.0)
STAGES = 6


def random_direction(params: Any, key: jax.Array) -> Any:
    """A Gaussian direction in the weights (biases 0), scaled to the weights' total norm."""
    leaves, tree = jax.tree_util.tree_flatten(params)
    keys = jax.random.split(key, len(leaves))
    raw = [
        jax.random.normal(k, leaf.shape, leaf.dtype) if leaf.ndim >= 2 else jnp.zeros_like(leaf)
        for k, leaf in zip(keys, leaves, strict=True)
    ]
    weights = jnp.sqrt(sum(jnp.sum(leaf**2) for leaf in leaves if leaf.ndim >= 2))
    scale = weights / jnp.sqrt(sum(jnp.sum(r**2) for r in raw))
    return jax.tree_util.tree_unflatten(tree, [r * scale for r in raw])


def _direction(config: LandscapeConfig, params: Any, key: jax.Array) -> Any:
    if config.directions == "filter":
        return ls.filter_normalised_direction(params, key)
    return random_direction(params, key)


def _along_curve(loss_fn, a, theta, b, ts) -> np.ndarray:
    point = jax.vmap(lambda t: loss_fn(ls.bezier_point(a, theta, b, t)))
    return np.asarray(jax.jit(point)(jnp.asarray(ts, dtype=jnp.float32)))


def run_landscape(config: LandscapeConfig, on_progress: ProgressCallback | None = None):
    split = boolean_split(config.target, config.train_size, config.seed)
    model = MLP((7, *config.hidden, 1))
    train_loss = mse_loss(model, split.x_train, split.y_train)
    test_loss = mse_loss(model, split.x[split.test], split.y[split.test])
    test_error = sign_error(model, split.x[split.test], split.y[split.test])
    key = jax.random.fold_in(jax.random.key(config.seed), 99)
    k_dir1, k_dir2, k_eig, k_trace, k_curve = jax.random.split(key, 5)

    adam = Training("adam", 1e-2, loss="mse", max_steps=config.steps)
    pair = train_many(model, split.x_train, split.y_train, adam,
                      keys=seed_keys(config.seed, 2), init=RANDOM_INIT)  # fmt: skip
    a, b = net(pair.params, 0), net(pair.params, 1)
    report(on_progress, 1, STAGES)

    # slices around A
    alphas = np.linspace(-config.span, config.span, config.resolution)
    d1, d2 = _direction(config, a, k_dir1), _direction(config, a, k_dir2)
    curves: dict[str, np.ndarray] = {"alpha": alphas}
    for name, fn in (("train_loss", train_loss), ("test_loss", test_loss),
                     ("test_error", test_error)):  # fmt: skip
        curves[f"slice_{name}"] = ls.loss_slice(fn, a, d1, alphas)
    grid = np.linspace(-config.span, config.span, config.grid)
    curves["grid"] = grid
    curves["slice_2d"] = ls.loss_slice(train_loss, a, (d1, d2), grid, betas=grid)
    report(on_progress, 2, STAGES)

    # curvature at A
    eigenvalues = ls.top_eigenvalues(train_loss, a, k=config.eigenvalues, key=k_eig)
    trace, trace_se = ls.hessian_trace(train_loss, a, samples=config.trace_samples, key=k_trace)

    # the straight path from A to B, and the Bézier curve that bends round its barrier
    ts = np.linspace(0.0, 1.0, config.resolution)
    theta = ls.fit_bezier(train_loss, a, b, key=k_curve, steps=config.bezier_steps)
    curves["t"] = ts
    curves["line_train_loss"] = ls.interpolate(train_loss, a, b, ts)
    curves["line_test_error"] = ls.interpolate(test_error, a, b, ts)
    curves["curve_train_loss"] = _along_curve(train_loss, a, theta, b, ts)
    curves["curve_test_error"] = _along_curve(test_error, a, theta, b, ts)
    report(on_progress, 3, STAGES)

    numbers = {
        "train loss A": float(train_loss(a)),
        "train loss B": float(train_loss(b)),
        "test error A": float(test_error(a)),
        "test error B": float(test_error(b)),
        "top Hessian eigenvalues": [float(v) for v in eigenvalues],
        "Hessian trace": float(trace),
        "Hessian trace SE": float(trace_se),
        "distance A–B": ls.distance(a, b),
        "weight norm A": ls.weight_norm(a),
        "barrier, straight path": ls.barrier(curves["line_train_loss"]),
        "barrier, Bézier curve": ls.barrier(curves["curve_train_loss"]),
        "test error at the straight path's midpoint": float(
            curves["line_test_error"][len(ts) // 2]
        ),
    }
    rows = _sharpness_rows(config, model, split, train_loss, on_progress)
    report(on_progress, 4, STAGES)
    rows += _minima_rows(config, split)
    report(on_progress, 5, STAGES)
    rows += _init_rows(config, split)
    symmetry = constant_init_symmetry(model, split, config.steps)
    numbers.update(symmetry)
    report(on_progress, 6, STAGES)
    return rows, curves, numbers


def _sharpness_rows(config, model, split, train_loss, on_progress) -> list[dict[str, Any]]:
    """Keskar et al.: plain SGD at each batch size, every run's top eigenvalue and test error."""
    rows = []
    for i, batch in enumerate(config.batch_sizes):
        batch = min(batch, config.train_size)
        sgd = Training("sgd", 0.05, momentum=0.0, loss="mse", max_steps=config.sgd_steps,
                       batch_size=batch)  # fmt: skip
        result = train_many(model, split.x_train, split.y_train, sgd, init=RANDOM_INIT,
                            keys=seed_keys(config.seed, config.runs, stream=10 + i),
                            on_diverge="mark")  # fmt: skip
        functions = function_bits(result.predict(split.x))
        for r in range(config.runs):
            params = net(result.params, r)
            diverged = bool(result.diverged[r])
            sharpness = (
                float("nan")
                if diverged
                else float(
                    ls.top_eigenvalues(train_loss, params, k=1, key=jax.random.key(r))[0]
                )  # fmt: skip
            )
            rows.append({
                "part": "sharpness", "batch_size": batch, "run": r, "sharpness": sharpness,
                "train_loss": float(result.final_loss[r]),
                "train_accuracy": float(result.final_accuracy[r]),
                "test_error": _error(functions[r], split),
                "diverged": diverged,
            })  # fmt: skip
    return rows


def _error(function: np.ndarray, split) -> float:
    labels = (split.y[split.test] > 0).astype(np.uint8)
    return float(np.mean(function[split.test] != labels))


def _minima_rows(config, split) -> list[dict[str, Any]]:
    """Per width: which runs fit S within the budget, and the function each one computes."""
    rows = []
    until_fit = Training("adam", 1e-2, loss="mse", max_steps=config.steps, target_accuracy=1.0)
    for i, width in enumerate(config.widths):
        model = MLP((7, width, width, 1))
        result = train_many(model, split.x_train, split.y_train, until_fit, init=RANDOM_INIT,
                            keys=seed_keys(config.seed, config.runs, stream=20 + i))  # fmt: skip
        functions = function_bits(result.predict(split.x))
        for r in range(config.runs):
            rows.append({
                "part": "minima", "width": width, "run": r,
                "fitted": bool(result.fitted[r]),
                "train_loss": float(result.final_loss[r]),
                "test_error": _error(functions[r], split),
                "function": "".join(map(str, functions[r].tolist())),
            })  # fmt: skip
    return rows


def _init_rows(config, split) -> list[dict[str, Any]]:
    """Per initialisation scale σw: relative distance moved, test error, unit alignment."""
    rows = []
    model = MLP((7, *config.hidden, 1))
    until_fit = Training("adam", 1e-2, loss="mse", max_steps=config.steps, target_accuracy=1.0)
    for i, scale in enumerate(config.init_scales):
        init = Init("gaussian", float(scale), 1.0)
        keys = seed_keys(config.seed, config.runs, stream=40 + i)
        start = init_many(model, keys, init)
        result = train_many(model, split.x_train, split.y_train, until_fit, keys=keys,
                            init=init)  # fmt: skip
        functions = function_bits(result.predict(split.x))
        for r in range(config.runs):
            before, after = net(start, r), net(result.params, r)
            rows.append({
                "part": "init_scale", "init_scale": float(scale), "run": r,
                "fitted": bool(result.fitted[r]),
                "relative_movement": ls.distance(before, after) / ls.weight_norm(before),
                "test_error": _error(functions[r], split),
                "alignment_before": unit_alignment(before),
                "alignment_after": unit_alignment(after),
            })  # fmt: skip
    return rows


def unit_alignment(params: Any) -> float:
    """Mean |cosine| between the incoming weight vectors of the first hidden layer's units."""
    w = np.asarray(params[0]["W"], dtype=np.float64)
    w = w / np.maximum(np.linalg.norm(w, axis=0, keepdims=True), 1e-30)
    cos = np.abs(w.T @ w)
    n = cos.shape[0]
    return float((cos.sum() - np.trace(cos)) / max(n * (n - 1), 1))


def distinct_units(params: Any) -> list[int]:
    """Per hidden layer: how many distinct units (incoming weights and bias, bit for bit)."""
    return [len(np.unique(_units(layer), axis=0)) for layer in params[:-1]]


def _units(layer: Any) -> np.ndarray:
    """One row per unit of a layer: its incoming weights, then its bias."""
    return np.vstack([np.asarray(layer["W"]), np.asarray(layer["b"])[None, :]]).T


def constant_params(model: MLP, value: float = 0.3, bias: float = 0.1) -> Any:
    """Every weight ``value / √fan_in`` and every bias ``bias``: the symmetric start."""
    return tuple(
        {
            "W": jnp.full((a, b), value / np.sqrt(a), dtype=jnp.float32),
            "b": jnp.full((b,), bias, dtype=jnp.float32),
        }
        for a, b in zip(model.widths[:-1], model.widths[1:], strict=True)
    )


def plain_descent(params: Any, x: Any, y: Any, *, learning_rate: float, steps: int) -> Any:
    """Full-batch gradient descent on the mean squared error of a ReLU net, in float64 NumPy.

    Every sum is an ``einsum`` without BLAS, so each hidden unit's arithmetic is the same
    sequence of operations in the same order: units that start equal stay equal bit for bit.
    A compiled matmul gives no such promise (XLA tiles the columns of a product, and units in
    different tiles are rounded differently), which is why the symmetry is shown here.
    """
    layers = [(np.asarray(p["W"], np.float64), np.asarray(p["b"], np.float64)) for p in params]
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64).reshape(len(x), -1)
    last = len(layers) - 1
    for _ in range(steps):
        values, pre = _plain_forward(layers, x)
        delta = 2.0 * (values[-1] - y) / y.size  # ∂loss/∂(output pre-activation)
        grads: list[tuple[np.ndarray, np.ndarray]] = []  # last layer first
        for i in range(last, -1, -1):
            grads.append((np.einsum("ni,nj->ij", values[i], delta, optimize=False), delta.sum(0)))
            if i:
                delta = np.einsum("nj,ij->ni", delta, layers[i][0], optimize=False)
                delta = delta * (pre[i - 1] > 0)
        layers = [
            (W - learning_rate * gW, b - learning_rate * gb)
            for (W, b), (gW, gb) in zip(layers, reversed(grads), strict=True)
        ]
    return tuple({"W": W, "b": b} for W, b in layers)


def _plain_forward(
    layers: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Every layer's values ``[x, h1, …, output]`` and pre-activations of a ReLU net, each
    sum an ``einsum`` in the same order for every unit (see :func:`plain_descent`)."""
    values, pre = [x], []
    for i, (W, b) in enumerate(layers):
        z = np.einsum("ni,ij->nj", values[-1], W, optimize=False) + b
        pre.append(z)
        values.append(np.maximum(z, 0.0) if i < len(layers) - 1 else z)
    return values, pre


def unit_spread(params: Any) -> float:
    """Largest gap between any hidden unit and its layer's first unit (incoming weights and
    bias), relative to the layer's largest weight: 0 when every layer's units are identical."""
    spreads = []
    for layer in params[:-1]:
        units = _units(layer)
        spreads.append(np.abs(units - units[:1]).max() / max(np.abs(units).max(), 1e-30))
    return float(max(spreads))


def constant_init_symmetry(model: MLP, split, steps: int) -> dict[str, Any]:
    """Train from the constant start and from a random start.

    The constant start is trained twice: by plain gradient descent in exact unit order
    (:func:`plain_descent`; its hidden units stay identical to the bit, so it is a width-1 net
    in disguise) and by the compiled Adam trainer (the units differ only by rounding,
    :func:`unit_spread` ~ 1e-7).  The random start, trained by Adam, keeps every unit distinct.
    """
    adam = Training("adam", 1e-2, loss="mse", max_steps=steps)
    keys = seed_keys(0, 1, stream=60)
    start = constant_params(model)
    exact = plain_descent(start, split.x_train, split.y_train, learning_rate=0.1, steps=steps)
    stacked = jax.tree_util.tree_map(lambda leaf: leaf[None], start)
    compiled = train_many(model, split.x_train, split.y_train, adam, keys=keys, params=stacked)
    random = train_many(model, split.x_train, split.y_train, adam, keys=keys, init=RANDOM_INIT)
    exact_outputs = plain_outputs(exact, split.x_train)
    return {
        "distinct hidden units, constant init": distinct_units(exact),
        "distinct hidden units, constant init, compiled Adam": distinct_units(
            net(compiled.params, 0)
        ),
        "unit spread, constant init, compiled Adam": unit_spread(net(compiled.params, 0)),
        "distinct hidden units, random init": distinct_units(net(random.params, 0)),
        "unit spread, random init": unit_spread(net(random.params, 0)),
        "train accuracy, constant init": float(
            np.mean((exact_outputs > 0) == (np.asarray(split.y_train).reshape(-1) > 0))
        ),
        "train accuracy, constant init, compiled Adam": float(compiled.final_accuracy[0]),
        "train accuracy, random init": float(random.final_accuracy[0]),
    }


def plain_outputs(params: Any, x: Any) -> np.ndarray:
    """The ReLU net's single output for inputs ``x``, by the same float64 NumPy forward pass
    as :func:`plain_descent`."""
    layers = [(np.asarray(p["W"], np.float64), np.asarray(p["b"], np.float64)) for p in params]
    return _plain_forward(layers, np.asarray(x, np.float64))[0][-1][:, 0]
