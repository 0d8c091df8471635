"""Throughput of training many small nets: ``train_many`` vs a Python loop over seeds.

Task (SCIENCE.md §B.5): 7-40-40-1 ReLU nets, Gaussian init σw = σb = 1, SGD (lr 1e-3,
momentum 0.9), MSE on ±1 targets, full batch, 32 Boolean training examples of a random
function, each net trained until 100 % training accuracy.

* baseline: a Python loop over seeds, each seed one call of the compiled single-net
  ``train`` (compiled once beforehand; the loop costs only the per-seed dispatch);
* naive: a Python loop over steps calling a jitted update (what one writes first), timed on
  a few seeds;
* ``train_many``: all seeds in one compiled call (pool of slots, masked, refilled).

Prints medians of ``--repeats`` timings, runs/second and the ratios measured in this run.
Usage: ``python benchmarks/bench_training.py [--nets 512] [--loop-seeds 32] [--repeats 3]``.
"""

from __future__ import annotations

import argparse

import jax
import jax.numpy as jnp
import numpy as np
import optax
from _timing import median_seconds

from minimodels.nets import MLP, Training, signed_targets, train, train_many


def boolean_task(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    inputs = ((np.arange(128)[:, None] >> np.arange(6, -1, -1)) & 1).astype(np.float32)
    rows = rng.choice(128, 32, replace=False)
    bits = rng.integers(0, 2, 128)
    return inputs[rows], signed_targets(bits[rows])


def naive_loop(model, x, y, training, key) -> int:
    """Python loop over steps around a jitted SGD update (the first thing one writes)."""
    params = model.init(key=jax.random.split(key)[0])
    optimizer = optax.sgd(training.learning_rate, momentum=training.momentum)
    opt_state = optimizer.init(params)
    x, y = jnp.asarray(x), jnp.asarray(y)[:, None]

    @jax.jit
    def update(params, opt_state):
        def loss(p):
            out = model.apply(p, x)
            return jnp.mean((out - y) ** 2), jnp.mean((out > 0) == (y > 0))

        (_, acc), grads = jax.value_and_grad(loss, has_aux=True)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, acc

    for step in range(training.max_steps):
        new_params, new_state, acc = update(params, opt_state)
        if float(acc) >= 1.0:
            return step
        params, opt_state = new_params, new_state
    return training.max_steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nets", type=int, default=512)
    parser.add_argument("--loop-seeds", type=int, default=32)
    parser.add_argument("--naive-seeds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--slots", type=int, default=32)
    args = parser.parse_args()

    model = MLP("7-40-40-1")
    x, y = boolean_task()
    training = Training(
        "sgd", 1e-3, momentum=0.9, loss="mse", max_steps=20_000, target_accuracy=1.0
    )
    keys = jax.random.split(jax.random.key(0), max(args.nets, args.loop_seeds))
    print(f"device: {jax.devices()[0].platform}; task: 7-40-40-1, SGD lr 1e-3 m 0.9, 32 examples")

    # compile everything once before timing
    train(model, x, y, training, key=keys[0])
    train_many(model, x, y, training, keys=keys[:4], n_slots=args.slots)

    def loop():
        return [train(model, x, y, training, key=k).n_steps for k in keys[: args.loop_seeds]]

    loop_steps = loop()
    loop_time = median_seconds(loop, args.repeats)
    loop_rate = args.loop_seeds / loop_time

    many_keys = keys[: args.nets]
    result = train_many(model, x, y, training, keys=many_keys, n_slots=args.slots)
    many_time = median_seconds(
        lambda: train_many(model, x, y, training, keys=many_keys, n_slots=args.slots),
        args.repeats,
    )
    many_rate = args.nets / many_time

    naive_keys = keys[: args.naive_seeds]
    naive_loop(model, x, y, training, naive_keys[0])  # compile
    naive_time = median_seconds(
        lambda: [naive_loop(model, x, y, training, k) for k in naive_keys], 1
    )
    naive_rate = args.naive_seeds / naive_time

    steps = result.n_steps
    print(
        f"steps to 100 % train accuracy: median {np.median(steps):.0f}, "
        f"max {steps.max()}, all fitted: {bool(result.fitted.all())} "
        f"(loop seeds: median {np.median(loop_steps):.0f})"
    )
    print(f"loop over steps, jitted update ({args.naive_seeds} seeds): {naive_rate:8.2f} runs/s")
    print(
        f"python loop over seeds, compiled train ({args.loop_seeds} seeds): {loop_rate:8.2f} runs/s"
    )
    print(f"train_many ({args.nets} nets, {args.slots} slots): {many_rate:8.2f} runs/s")
    print(f"ratio train_many / loop over seeds: {many_rate / loop_rate:6.2f}x (target ≥ 30x)")
    print(f"ratio train_many / loop over steps: {many_rate / naive_rate:6.2f}x")
    net_steps = steps.sum() / many_time
    print(f"train_many: {net_steps / 1e3:.0f}k net-steps/s")


if __name__ == "__main__":
    main()
