"""Throughput of training many small nets: ``train_many`` vs Python loops over seeds.

Task (SCIENCE.md §B.5, issue 4): 7-40-40-1 ReLU nets, Gaussian init σw = σb = 1, SGD (lr 1e-3,
momentum 0.9), MSE on ±1 targets, full batch, 32 Boolean training examples of a random
function, each net trained until 100 % training accuracy.

* naive: a Python loop over steps calling a jitted update (what one writes first), on a few
  seeds — the baseline of the issue's target (``train_many`` ≥ 30× its throughput).  The
  update is compiled once for all seeds; the variant that defines (so compiles) it anew for
  every seed, as this benchmark did at first, is timed beside it: on a CPU its compilation
  (~0.2–0.3 s) costs more than the ~10^3 steps themselves;
* compiled loop: a Python loop over seeds, each seed one call of the compiled single-net
  ``train`` (compiled once beforehand, so the loop costs only the per-seed dispatch) — the
  honest baseline: on a 2-core CPU batching buys little per net-step;
* ``train_many``: all seeds in one compiled call with the library's default pool (``n_slots``
  nets in flight, masked, finished ones refilled every ``n_inner`` steps).

Nets need different numbers of steps, and each baseline runs different seeds, so every rate
is also given per net-step and the ratios are ratios of net-steps per second (equal to the
ratio of runs per second at equal steps per run).  ``train_many`` uses enough nets (2048)
that the last, slowest runs cost little; real sweeps run 10^4–10^5.  Prints medians of
``--repeats`` timings (wall seconds; CPU seconds beside them: XLA may use more than one
core), the steps-to-fit distribution and the load average, since the machines these run on
are shared; the timings alternate within each repeat so that load changes hit them all.
Usage: ``python benchmarks/bench_training.py [--nets 2048] [--repeats 3] [--slots N]``.
"""

from __future__ import annotations

import argparse
import os

import jax
import jax.numpy as jnp
import numpy as np
import optax
from _timing import timed

from minimodels.learners.nets import MLP, Training, signed_targets, train, train_many


def boolean_task(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    inputs = ((np.arange(128)[:, None] >> np.arange(6, -1, -1)) & 1).astype(np.float32)
    rows = rng.choice(128, 32, replace=False)
    bits = rng.integers(0, 2, 128)
    return inputs[rows], signed_targets(bits[rows])


def naive_loop(model, x, y, training):
    """A Python loop over steps around a jitted SGD update (the first thing one writes), as a
    function of the seed's key returning the steps to 100 % accuracy.  The update is compiled
    once for all seeds, so the loop costs only the per-step dispatch and accuracy check."""
    optimizer = optax.sgd(training.learning_rate, momentum=training.momentum)
    x, y = jnp.asarray(x), jnp.asarray(y)[:, None]

    @jax.jit
    def update(params, opt_state):
        def loss(p):
            out = model.apply(p, x)
            return jnp.mean((out - y) ** 2), jnp.mean((out > 0) == (y > 0))

        (_, acc), grads = jax.value_and_grad(loss, has_aux=True)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, acc

    def run(key) -> int:
        params = model.init(key=jax.random.split(key)[0])
        opt_state = optimizer.init(params)
        for step in range(training.max_steps):
            new_params, new_state, acc = update(params, opt_state)
            if float(acc) >= 1.0:
                return step
            params, opt_state = new_params, new_state
        return training.max_steps

    return run


def load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nets", type=int, default=2048)
    parser.add_argument("--loop-seeds", type=int, default=32)
    parser.add_argument("--naive-seeds", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--slots", type=int, default=None, help="default: the library's")
    args = parser.parse_args()
    pool = {} if args.slots is None else {"n_slots": args.slots}

    model = MLP("7-40-40-1")
    x, y = boolean_task()
    training = Training(
        "sgd", 1e-3, momentum=0.9, loss="mse", max_steps=20_000, target_accuracy=1.0
    )
    keys = jax.random.split(jax.random.key(0), max(args.nets, args.loop_seeds))
    print(f"device: {jax.devices()[0].platform} ({os.cpu_count()} cores); load average {load()}")
    print("task: 7-40-40-1, SGD lr 1e-3 momentum 0.9, MSE, 32 examples, until 100 % accuracy")

    # compile everything before timing (train_many with the shapes of the timed calls)
    naive_keys, loop_keys, many_keys = (
        keys[: args.naive_seeds],
        keys[: args.loop_seeds],
        keys[: args.nets],
    )
    naive = naive_loop(model, x, y, training)
    naive_steps = [naive(k) for k in naive_keys]
    loop_steps = [train(model, x, y, training, key=k).n_steps for k in loop_keys]
    result = train_many(model, x, y, training, keys=many_keys, **pool)

    # the timings alternate within every repeat, so a change of load on the shared
    # machine hits them alike
    runs = {
        "naive": lambda: [naive(k) for k in naive_keys],
        "rejit": lambda: [naive_loop(model, x, y, training)(k) for k in naive_keys],
        "loop": lambda: [train(model, x, y, training, key=k) for k in loop_keys],
        "many": lambda: train_many(model, x, y, training, keys=many_keys, **pool),
    }
    times = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, run in runs.items():
            times[name].append(timed(run, 1))
    naive_wall, _ = np.median(times["naive"], axis=0)
    rejit_wall, _ = np.median(times["rejit"], axis=0)
    loop_wall, loop_cpu = np.median(times["loop"], axis=0)
    many_wall, many_cpu = np.median(times["many"], axis=0)

    steps = result.n_steps
    p10, p50, p90, p99 = np.percentile(steps, [10, 50, 90, 99])
    print(
        f"steps to 100 % training accuracy ({args.nets} nets, all fitted: "
        f"{bool(result.fitted.all())}): mean {steps.mean():.0f}, p10 {p10:.0f}, median {p50:.0f},"
        f" p90 {p90:.0f}, p99 {p99:.0f}, max {steps.max()}"
    )

    def rates(name, n_runs, n_steps, wall, cpu=None):
        cpu_text = "" if cpu is None else f"  (CPU {n_steps / cpu / 1e3:6.1f}k)"
        print(
            f"{name:44s} {n_runs / wall:8.2f} runs/s {n_steps / wall / 1e3:7.1f}k net-steps/s"
            f"{cpu_text}"
        )
        return n_steps / wall

    naive_rate = rates(
        f"naive: loop over steps ({args.naive_seeds} seeds)",
        args.naive_seeds, sum(naive_steps), naive_wall,
    )  # fmt: skip
    rejit_rate = rates(
        "naive, update re-jitted for every seed", args.naive_seeds, sum(naive_steps), rejit_wall
    )
    loop_rate = rates(
        f"loop over seeds of compiled train ({args.loop_seeds} seeds)",
        args.loop_seeds, sum(loop_steps), loop_wall, loop_cpu,
    )  # fmt: skip
    slots = "default slots" if args.slots is None else f"{args.slots} slots"
    many_rate = rates(
        f"train_many ({args.nets} nets, {slots})", args.nets, steps.sum(), many_wall, many_cpu
    )
    print(f"ratio train_many / naive loop:          {many_rate / naive_rate:6.2f}x (target ≥ 30x)")
    print(f"ratio train_many / naive, re-jitted:    {many_rate / rejit_rate:6.2f}x")
    print(f"ratio train_many / compiled-train loop: {many_rate / loop_rate:6.2f}x")
    print(f"load average at the end {load()}")


if __name__ == "__main__":
    main()
