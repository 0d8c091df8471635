"""Grokking speed: Nanda's transformer steps per second, and the time for the MLP to grok.

Targets (issue 7): the Nanda setup (p = 113, 30 % train, full batch) at ≥ 8 steps/s on a
2-core CPU; the MLP setup groks in ≤ 2 minutes.  The baseline is the straightforward loop: the
plain causal transformer, one jitted AdamW step per Python call.  Each figure is the median of
several repeats after a warm-up call; the machine load is printed with the results, since this
machine is shared.

    python benchmarks/bench_grokking.py [--repeats 3] [--steps 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

from minimodels.learners.grokking import GrokConfig, train, transformer
from minimodels.learners.grokking.data import make_data
from minimodels.learners.grokking.measures import loss_value
from minimodels.learners.grokking.runs import _device_data, compiled_chunk, init_params, optimiser


def _median_rate(call, steps: int, repeats: int) -> float:
    call()  # compile / warm up
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        rates.append(steps / (time.perf_counter() - started))
    return statistics.median(rates)


def bench_transformer(steps: int, repeats: int) -> dict[str, float]:
    config = GrokConfig.nanda().check()
    data = make_data(config.op, config.p, config.frac, rng=np.random.default_rng(0))
    params = init_params(config, jax.random.key(0))
    opt = optimiser(config)
    tokens = jnp.asarray(data.tokens()[data.train])
    labels = jnp.asarray(data.c[data.train])

    @jax.jit
    def plain_step(params, opt_state):
        loss, grads = jax.value_and_grad(
            lambda q: loss_value(transformer.logits_reference(q, tokens), labels)
        )(params)
        updates, opt_state = opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    state = {"carry": (params, opt.init(params))}

    def plain_loop():
        p, s = state["carry"]
        for _ in range(steps):
            p, s, _ = plain_step(p, s)
        jax.block_until_ready(p)
        state["carry"] = (p, s)

    train_args, _ = _device_data(data, config.l1)
    chunk = compiled_chunk(config, steps)
    fast_state = {"carry": (params, opt.init(params))}

    def fast_loop():
        p, s = fast_state["carry"]
        p, s, _ = chunk(p, s, *train_args)
        jax.block_until_ready(p)
        fast_state["carry"] = (p, s)

    baseline = _median_rate(plain_loop, steps, repeats)
    fast = _median_rate(fast_loop, steps, repeats)
    return {"baseline": baseline, "fast": fast}


def bench_mlp_grok() -> tuple[float, dict]:
    config = GrokConfig.gromov(stop_after=0, log_every=50)
    started = time.perf_counter()
    run = train(config)
    return time.perf_counter() - started, run.summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()}  cores: {os.cpu_count()}  jax {jax.__version__}")
    rates = bench_transformer(args.steps, args.repeats)
    print(
        f"Nanda transformer p=113, 30 % train, full batch ({args.steps} steps x {args.repeats}):\n"
        f"  baseline (plain model, one jitted step per call): {rates['baseline']:6.2f} steps/s\n"
        f"  minimodels (exact read-out path, lax.scan chunk): {rates['fast']:6.2f} steps/s"
        f"   ratio {rates['fast'] / rates['baseline']:.2f}x   target >= 8 steps/s"
    )
    seconds, summary = bench_mlp_grok()
    print(
        f"Gromov MLP p=97 width 512, 50 % train, no weight decay: generalised at step "
        f"{summary['step_generalised']} in {seconds:.1f} s wall (incl. compile)   target <= 120 s"
    )
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
