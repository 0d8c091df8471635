"""Grokking speed: Nanda's transformer steps per second, the time for the MLP to grok, and a
phase diagram trained cell by cell vs batched over cells.

Targets (issue 7): the Nanda setup (p = 113, 30 % train, full batch) at ≥ 8 steps/s on a
2-core CPU; the MLP setup groks in ≤ 2 minutes.  The baseline is the straightforward loop: the
plain causal transformer, one jitted AdamW step per Python call.  Each figure is the median of
several repeats after a warm-up call; the machine load is printed with the results, since this
machine is shared.

Phase diagram (issue 17): ``minimodels grok-sweep``'s 64-cell diagram (8 × 8 MLP cells of the
command's preset, one seed each, 1500 steps) in ≤ 3 minutes on one H200, vmapped over cells.
The row times a small diagram (4 × 4 cells, ``--sweep-steps`` steps) on the device JAX finds,
cell by cell (``cells_per_task=1``, the CPU default) and batched (all 16 cells in one vmapped
task, the GPU default), alternating the two in each of ``--sweep-repeats`` repeats (medians;
≥ 5, each a few seconds), after a warm-up that compiles both.  Where the time goes comes from
one more instrumented run of each: the compiled training chunks, the compiled measures (every
logged row) and the rest (host: data, initialisation, logs, summaries).  The limit is
arithmetic: the multiply-adds of the runs (:func:`run_cost`, padded to every pair, each run to
its own stop) against :func:`fast_macs` (every core at its FMA peak on a CPU; 1e15/s on an
accelerator).  Batching cannot beat that bound; what it removes is the per-call overhead of
small steps, which a GPU pays per kernel launch (tens of µs) and a CPU barely notices, so on a
CPU the two paths cost about the same.  The 64-cell estimate extrapolates the batched path's
seconds per cell-step to 64 cells × 1500 steps (the whole budget, no early stop: an upper
bound); on a CPU this is not the GPU target, which stays unmeasured until run on a GPU
(``--full-diagram`` times the real 64-cell diagram, batched, wherever it runs).

    python benchmarks/bench_grokking.py [--repeats 3] [--steps 50] [--rows all]
        [--sweep-steps 200] [--sweep-repeats 5] [--full-diagram]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

from minimodels.cli.grok import SWEEP_PRESETS
from minimodels.learners.grokking import GrokConfig, runs, train, transformer
from minimodels.learners.grokking.config import fast_macs, run_cost
from minimodels.learners.grokking.data import make_data
from minimodels.learners.grokking.measures import loss_value
from minimodels.learners.grokking.runs import _device_data, compiled_chunk, init_params, optimiser
from minimodels.learners.grokking.sweep import SweepConfig, sweep

# the diagram: 8 × 8 cells of grok-sweep's MLP preset, one seed, target ≤ 180 s (H200)
FULL_X = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
FULL_Y = (0.0, 0.1, 0.3, 0.5, 1.0, 1.5, 2.0, 3.0)
FULL_TARGET_S = 180.0
SMALL_X, SMALL_Y = (0.3, 0.5, 0.7, 0.9), (0.0, 0.3, 1.0, 3.0)


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


def _device() -> str:
    device = jax.devices()[0]
    return f"{jax.default_backend()} ({device.device_kind}, {len(jax.devices())} device(s))"


def _timed_sweep(config: SweepConfig) -> tuple[float, float, list[dict]]:
    """Wall and CPU seconds of one sweep, and every run's summary (cell-major)."""
    summaries: dict[int, list[dict]] = {}
    wall, cpu = time.perf_counter(), time.process_time()
    sweep(config, on_result=lambda cell, s: summaries.__setitem__(cell, s))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, [s for cell in sorted(summaries) for s in summaries[cell]]


def _where_the_time_goes(config: SweepConfig) -> dict[str, float]:
    """Wall seconds of one sweep split into the compiled training chunks, the compiled
    measures and the rest, by timing (and blocking on) every compiled call of :mod:`runs`."""
    stages = {"training chunks": 0.0, "measures": 0.0}
    chunk, measure = runs.compiled_chunk, runs.compiled_measure

    def timing(stage, fn):
        def call(*args):
            started = time.perf_counter()
            out = jax.block_until_ready(fn(*args))
            stages[stage] += time.perf_counter() - started
            return out

        return call

    runs.compiled_chunk = lambda *a, **k: timing("training chunks", chunk(*a, **k))  # type: ignore[assignment]
    runs.compiled_measure = lambda *a, **k: timing("measures", measure(*a, **k))  # type: ignore[assignment]
    try:
        total = _timed_sweep(config)[0]
    finally:
        runs.compiled_chunk, runs.compiled_measure = chunk, measure
    return {**stages, "rest (host)": total - sum(stages.values()), "total": total}


def bench_sweep(steps: int, repeats: int) -> None:
    base = dataclasses.replace(SWEEP_PRESETS["mlp"], steps=steps)
    small = SweepConfig(base=base, x_values=SMALL_X, y_values=SMALL_Y)
    n_cells = len(SMALL_X) * len(SMALL_Y)
    paths = {
        "cell by cell": dataclasses.replace(small, cells_per_task=1),
        f"batched ({n_cells} cells/task)": dataclasses.replace(small, cells_per_task=n_cells),
    }
    warm = {name: _timed_sweep(config) for name, config in paths.items()}  # compiles
    walls: dict[str, list[float]] = {name: [] for name in paths}
    cpus: dict[str, list[float]] = {name: [] for name in paths}
    summaries: dict[str, list[dict]] = {}
    for _ in range(repeats):  # alternate the paths, so both see the same load
        for name, config in paths.items():
            wall, cpu, summaries[name] = _timed_sweep(config)
            walls[name].append(wall)
            cpus[name].append(cpu)
    med = {name: statistics.median(walls[name]) for name in paths}
    (cell_path, batch_path) = paths
    same = all(
        (a["step_memorised"], a["step_generalised"]) == (b["step_memorised"], b["step_generalised"])
        for a, b in zip(summaries[cell_path], summaries[batch_path], strict=True)
    )
    cells = small.cells()
    steps_run = [s["steps_run"] for s in summaries[batch_path]]
    useful = sum(
        run_cost(dataclasses.replace(c, steps=n), padded=True)[1]
        for c, n in zip(cells, steps_run, strict=True)
    )
    limit = fast_macs()
    print(
        f"phase diagram {len(SMALL_Y)} x {len(SMALL_X)} MLP cells (grok-sweep preset: p={base.p}, "
        f"width {base.width}, log every {base.log_every}), 1 seed, {steps} steps, on {_device()}:\n"
        f"  median of {repeats} alternating repeats, wall s (CPU s); warm-up incl. compile:"
    )
    for name in paths:
        print(
            f"    {name:<24} {med[name]:7.2f} s ({statistics.median(cpus[name]):6.2f} s CPU)"
            f"   warm-up {warm[name][0]:6.2f} s"
        )
    print(
        f"  ratio cell by cell / batched: {med[cell_path] / med[batch_path]:.2f}x   "
        f"same steps to memorise/generalise: {same}   runs generalised: "
        f"{sum(s['step_generalised'] is not None for s in summaries[batch_path])} of {n_cells}"
    )
    print("  where the time goes (one instrumented run each, wall s):")
    for name, config in paths.items():
        stages = _where_the_time_goes(config)
        parts = ", ".join(f"{stage} {seconds:.2f}" for stage, seconds in stages.items())
        print(f"    {name:<24} {parts}")
    for name in paths:
        rate = useful / med[name]
        print(
            f"  limit ({name}): {useful:.3g} useful multiply-adds at {rate:.3g}/s = "
            f"{rate / limit:.1%} of the device's {limit:.3g}/s (fast_macs)"
        )
    # the diagram: 64 cells x 1500 steps, from seconds per cell-step of each path
    full_steps = SWEEP_PRESETS["mlp"].steps
    n_full = len(FULL_X) * len(FULL_Y)
    per_cell_step = {
        cell_path: med[cell_path] / sum(steps_run),
        batch_path: med[batch_path] / (n_cells * max(steps_run)),  # all train to the last stop
    }
    estimates = {name: rate * n_full * full_steps for name, rate in per_cell_step.items()}
    print(
        f"  estimated {n_full}-cell diagram ({len(FULL_Y)} x {len(FULL_X)}, {full_steps} steps, "
        f"no early stop) here: cell by cell {estimates[cell_path]:.0f} s, batched "
        f"{estimates[batch_path]:.0f} s   target <= {FULL_TARGET_S:.0f} s on one H200"
    )
    if jax.default_backend() == "cpu":
        print(
            "  GPU target UNMEASURED: JAX runs on the CPU here; these are CPU figures, not the "
            "H200's (run this benchmark on a GPU, with --full-diagram, to measure it)"
        )


def bench_full_diagram() -> None:
    """The issue's 64-cell diagram itself, once, batched as the device's default chooses."""
    config = SweepConfig(base=SWEEP_PRESETS["mlp"], x_values=FULL_X, y_values=FULL_Y)
    per_task = config.task_size(config.cells())
    wall, cpu, summaries = _timed_sweep(config)
    generalised = sum(s["step_generalised"] is not None for s in summaries)
    verdict = "met" if wall <= FULL_TARGET_S else "missed"
    print(
        f"{len(summaries)}-cell diagram on {_device()}, {per_task} cells/task: {wall:.1f} s wall "
        f"({cpu:.1f} s CPU) incl. compile, {generalised} runs generalised   target <= "
        f"{FULL_TARGET_S:.0f} s on one H200: {verdict} on this device (one run, not a median)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--rows", choices=("all", "transformer", "mlp", "sweep"), default="all")
    parser.add_argument("--sweep-steps", type=int, default=200)
    parser.add_argument("--sweep-repeats", type=int, default=5)
    parser.add_argument("--full-diagram", action="store_true", help="time the 64-cell diagram")
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()}  cores: {os.cpu_count()}  jax {jax.__version__}")
    if args.rows in ("all", "transformer"):
        rates = bench_transformer(args.steps, args.repeats)
        print(
            f"Nanda transformer p=113, 30 % train, full batch ({args.steps} steps x "
            f"{args.repeats}):\n"
            "  baseline (plain model, one jitted step per call): "
            f"{rates['baseline']:6.2f} steps/s\n"
            f"  minimodels (exact read-out path, lax.scan chunk): {rates['fast']:6.2f} steps/s"
            f"   ratio {rates['fast'] / rates['baseline']:.2f}x   target >= 8 steps/s"
        )
    if args.rows in ("all", "mlp"):
        seconds, summary = bench_mlp_grok()
        print(
            f"Gromov MLP p=97 width 512, 50 % train, no weight decay: generalised at step "
            f"{summary['step_generalised']} in {seconds:.1f} s wall (incl. compile)   "
            "target <= 120 s"
        )
    if args.rows in ("all", "sweep"):
        bench_sweep(args.sweep_steps, args.sweep_repeats)
        print(f"load after the diagram rows: {os.getloadavg()}")
    if args.full_diagram:
        bench_full_diagram()
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
