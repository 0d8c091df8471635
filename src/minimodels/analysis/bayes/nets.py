"""Nets in the Boolean protocol: P_SGD vs P_B of the same fully connected net and initialisation.

Data model.  An :class:`SGDSetup` names a fully connected net (``"7-40-40-1"``, activation),
its named initialisation (``init``, ``sigma_w``, ``sigma_b``: the prior P_B is taken under)
and how it is trained to fit S.  Net ``i`` of a run is keyed by the run seed and ``i`` alone, so
tallies do not depend on batching or workers.  Each way of tallying test functions on a
:class:`~minimodels.analysis.bayes.protocol.Split` is a
:class:`~minimodels.analysis.bayes.protocol.TallyPlan` (seeded shards, see
:mod:`minimodels.runtime.plans`) or a computed value:

* P_SGD — :func:`sgd_plan`: nets trained until they fit S (JAX);
* P_B by rejection — :func:`net_bayes_plan`: random nets from the compiled sampler that fit
  S, or :func:`table_bayes_plan`: the rows that fit S of a stored ``minimodels sample`` run;
* P_B computed — :func:`nngp_posterior`: the infinite-width limit (NNGP) by EP.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from minimodels.analysis.bayes.ep import log_pb_given_train
from minimodels.analysis.bayes.nngp import nngp_kernel
from minimodels.analysis.bayes.protocol import (
    BlockResult,
    FunctionCounts,
    Split,
    TallyPlan,
    bits_to_strings,
    truth_table_bits,
)
from minimodels.analysis.sampling import mlp
from minimodels.analysis.sampling.models import parse_model
from minimodels.analysis.sampling.runs import load_run
from minimodels.analysis.sampling.streams import run_key
from minimodels.base.errors import UsageError
from minimodels.base.progress import ProgressCallback, report
from minimodels.runtime.plans import block_bounds, run_here
from minimodels.runtime.storage import read_json

__all__ = [
    "SGDSetup",
    "net_bayes_plan",
    "nngp_posterior",
    "sgd_functions",
    "sgd_plan",
    "table_bayes_plan",
]


@dataclass(frozen=True)
class SGDSetup:
    """A fully connected net, its initialisation and how it is trained to fit S.

    Training stops for each net at 100 % training accuracy (or after ``max_steps`` updates: an
    *unfit* run, counted and reported); ``overtrain_steps > 0`` keeps training the fitted nets
    for that many more updates (fresh optimiser state) before their functions are read.
    """

    model: str = "7-40-40-1"
    activation: str = "relu"
    init: str = "gaussian"
    sigma_w: float = 1.0
    sigma_b: float = 1.0
    optimizer: str = "adam"
    learning_rate: float = 1e-2
    momentum: float = 0.9
    loss: str = "mse"
    batch_size: int | None = None
    max_steps: int = 2000
    overtrain_steps: int = 0

    def parts(self):
        """(model, training, init) objects of :mod:`minimodels.learners.nets`."""
        # lazy: minimodels.learners.nets imports JAX (2.2 s, measured), which only SGD needs;
        # importing this module (the P_B side, minimodels.analysis.bayes) must not pay for it or
        # start it
        from minimodels.learners.nets import MLP, Init, Training

        model = MLP(self.model, self.activation)
        training = Training(
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            momentum=self.momentum,
            loss=self.loss,
            max_steps=self.max_steps,
            batch_size=self.batch_size,
            target_accuracy=1.0,
        )
        return model, training, Init(self.init, self.sigma_w, self.sigma_b)


def _sgd_block(args: tuple) -> BlockResult:
    """Worker: train nets ``first … first + count − 1`` of a run; (test functions, n_unfit, s)."""
    # lazy, as in SGDSetup.parts: JAX costs 2.2 s to import and only this worker runs it
    import jax

    from minimodels.learners.nets import train_many

    split, setup, seed, first, count = args
    started = time.perf_counter()
    model, training, init = setup.parts()
    if model.n_inputs != split.n:
        raise UsageError(f"model {setup.model} takes {model.n_inputs} inputs but n = {split.n}")
    root = jax.random.key(seed)
    keys = jax.vmap(lambda i: jax.random.fold_in(root, i))(np.arange(first, first + count))
    x_all = split.inputs.astype(np.float32)
    labels = split.train_labels.astype(np.float32)
    y = 2 * labels - 1 if setup.loss == "mse" else labels  # MSE on ±1 targets (DESIGN §4)
    result = train_many(model, x_all[split.train], y, training, keys=keys, init=init)
    fitted = np.asarray(result.fitted)
    if setup.overtrain_steps and fitted.any():
        longer = dataclasses.replace(
            training, max_steps=setup.overtrain_steps, target_accuracy=None
        )
        result = train_many(
            model, x_all[split.train], y, longer, keys=keys, params=result.params, init=init
        )
        fitted = fitted & (np.asarray(result.final_accuracy) >= 1.0)  # still fits S after it
    outputs = np.asarray(result.predict(x_all[split.test]))[:, :, 0]  # (count, t)
    strings = bits_to_strings((outputs[fitted] > 0).astype(np.uint8))
    return Counter(strings.tolist()), int((~fitted).sum()), time.perf_counter() - started


def sgd_plan(
    split: Split, setup: SGDSetup, *, n_runs: int, seed: int, batch: int = 2048
) -> TallyPlan:
    """P_SGD: ``n_runs`` nets trained to 100 % train accuracy, in batches of ``batch``.

    Net ``i`` starts from key ``fold_in(key(seed), i)``, so the tally does not depend on how
    the runs are grouped into batches or workers.
    """
    if n_runs < 1:
        raise UsageError(f"number of runs must be at least 1, got {n_runs}")
    tasks = [
        (split, setup, seed, first, min(batch, n_runs - first)) for first in range(0, n_runs, batch)
    ]
    return TallyPlan(_sgd_block, tasks, n_runs)


def sgd_functions(split: Split, setup: SGDSetup, **options) -> FunctionCounts:
    """Run :func:`sgd_plan` here and now."""
    return run_here(sgd_plan, split, setup, **options)


def _net_bayes_block(args: tuple) -> BlockResult:
    """Worker: random nets ``first … first + count − 1``; test functions of those that fit S.

    Parameters come from the simplicity sampler (:mod:`minimodels.analysis.sampling.mlp`: compiled,
    one random stream per net, keyed by the run seed and the net's index), drawn under the
    same named initialisation (DESIGN.md §4) that the trained nets start from.
    """
    split, setup, seed, first, count, batch = args
    started = time.perf_counter()
    suffix = "" if setup.activation == "relu" else f":{setup.activation}"
    spec = parse_model(setup.model + suffix)
    if spec.n_inputs != split.n:
        raise UsageError(f"model {setup.model} takes {spec.n_inputs} inputs but n = {split.n}")
    key = run_key(seed)
    kept: list[str] = []
    for start in range(first, first + count, batch):
        size = min(batch, first + count - start)
        words = mlp.truth_tables(
            spec, key, start, size, init=setup.init, sigma_w=setup.sigma_w, sigma_b=setup.sigma_b
        )
        kept.extend(split.fitting_test_functions(words)[1].tolist())
    return Counter(kept), count - len(kept), time.perf_counter() - started


def net_bayes_plan(
    split: Split,
    setup: SGDSetup,
    *,
    n_samples: int,
    seed: int,
    n_shards: int = 1,
    batch: int = 1 << 16,
) -> TallyPlan:
    """P_B of nets by rejection: random nets (the training's initialisation) that fit S."""
    if n_samples < 1:
        raise UsageError(f"number of samples must be at least 1, got {n_samples}")
    tasks = [
        (split, setup, seed, first, size, batch)
        for first, size in block_bounds(n_samples, min(n_shards, n_samples))
    ]
    return TallyPlan(_net_bayes_block, tasks, n_samples)


def table_bayes_plan(split: Split, setup: SGDSetup, run: str | Path) -> TallyPlan:
    """P_B by rejection from a stored ``minimodels sample`` run of the same net and init.

    A sample run's table holds every function its random nets computed, with counts; the
    nets that fit S are the rows that agree with the target on S.  One 10^8-sample run thus
    serves every training set and target, with no new sampling.
    """
    run = Path(run)
    if not (run / "config.json").exists() or not (run / "functions.parquet").exists():
        raise UsageError(f"{str(run)!r} is not a finished 'minimodels sample' run directory")
    sampled = read_json(run / "config.json")
    suffix = "" if setup.activation == "relu" else f":{setup.activation}"
    wanted = {"model": parse_model(setup.model + suffix), "init": setup.init}
    wanted |= {"sigma_w": setup.sigma_w, "sigma_b": setup.sigma_b}
    found = {key: sampled.get(key) for key in wanted}
    found["model"] = parse_model(str(found["model"]))
    if found != wanted:
        differ = ", ".join(f"{k} {found[k]} ≠ {wanted[k]}" for k in wanted if found[k] != wanted[k])
        raise UsageError(f"the sample run {str(run)!r} is of another prior ({differ})")
    return TallyPlan(_table_bayes_block, [(split, str(run))], int(sampled["samples"]))


def _table_bayes_block(args: tuple) -> BlockResult:
    """Worker: the test functions of a stored sample table's rows that fit S, with counts."""
    split, run = args
    started = time.perf_counter()
    table, _ = load_run(run)
    fits, tests = split.fitting_test_functions(table.words)
    kept: Counter[str] = Counter()
    for function, count in zip(tests.tolist(), table.counts[fits].tolist(), strict=True):
        kept[function] += count  # functions that differ on S only share a test function
    return kept, table.n_samples - sum(kept.values()), time.perf_counter() - started


def nngp_posterior(
    split: Split,
    setup: SGDSetup,
    functions: np.ndarray,
    *,
    rng: np.random.Generator | None = None,
    on_progress: ProgressCallback | None = None,
) -> np.ndarray:
    """P_B(f | S) of test functions under the net's NNGP, by EP (no sampling noise).

    The infinite-width limit of ``setup``'s net (Gaussian initialisation only): Mingard et al.'s
    method where rejection sampling is hopeless.  EP costs about a second per function at
    n = 7; ``on_progress`` hears after every group of 16.
    """
    if setup.init != "gaussian":
        raise UsageError(
            f"the NNGP needs the gaussian initialisation, got {setup.init!r}", option="init"
        )
    depth = len(setup.model.split("-")) - 2
    order = np.r_[split.train, split.test]
    K = nngp_kernel(
        split.inputs[order].astype(float),
        depth=depth,
        sigma_w=setup.sigma_w,
        sigma_b=setup.sigma_b,
        activation=setup.activation,
        rng=rng,
    )
    if len(functions) == 0:
        return np.zeros(0)
    bits = np.array([truth_table_bits(str(f)) for f in functions])
    log_pb = []
    for start in range(0, len(bits), 16):
        log_pb.append(log_pb_given_train(K, split.train_labels, bits[start : start + 16]))
        report(on_progress, start + len(log_pb[-1]), len(bits))
    return np.exp(np.concatenate(log_pb))
