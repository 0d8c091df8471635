"""Speed of the P_B machinery: batched EP and the compiled rule-array readout.

Prints each figure (median of several repeats) and its ratio against the plain path measured
in the same run:

* EP for F labellings of n points, batched over F vs one call per labelling;
* truth tables of N random rule arrays, compiled loop vs ``RuleArray.output`` per array;
* P_B samples per second of random 7-40-40-1 nets conditioned on |S| = 32 (the simplicity
  sampler plus the fit check), the rate that sets the wall time of a 10^8-sample run.
"""

from __future__ import annotations

import numpy as np
from _timing import median_seconds


def warm_median_seconds(fn, repeats: int = 5) -> float:
    fn()  # warm up (compilation)
    return median_seconds(fn, repeats)


def bench_ep() -> None:
    from minimodels.analysis.bayes.ep import ep_log_marginal
    from minimodels.analysis.bayes.nngp import nngp_kernel

    rng = np.random.default_rng(0)
    rows = rng.choice(128, 48, replace=False)  # distinct inputs: every labelling is possible
    X = ((rows[:, None] >> np.arange(6, -1, -1)) & 1).astype(float)
    K = nngp_kernel(X, depth=2)
    labels = rng.integers(0, 2, (256, 48))
    batched = warm_median_seconds(lambda: ep_log_marginal(K, labels), 3)
    single = warm_median_seconds(lambda: [ep_log_marginal(K, row) for row in labels[:32]], 3) * 8
    print(
        f"EP, 256 labellings of 48 points: batched {batched:.2f} s, one by one {single:.2f} s "
        f"(×{single / batched:.1f})"
    )


def bench_rule_arrays() -> None:
    from minimodels.analysis.bayes.protocol import Split
    from minimodels.analysis.bayes.rule_arrays import RuleArraySubstrate, _readout_tables
    from minimodels.models.rulearray import RuleArray

    substrate = RuleArraySubstrate(width=11, depth=8)
    split = Split(5, np.arange(16), np.arange(16, 32), "0" * 24 + "1" * 8)
    task = substrate.task(split)
    rng = np.random.default_rng(1)
    stack = np.asarray(substrate.rules)[rng.integers(0, 2, (20_000, 8, 11))]
    compiled = warm_median_seconds(lambda: _readout_tables(stack, task, substrate))
    plain = warm_median_seconds(lambda: [task.answers(RuleArray(r)) for r in stack[:500]], 3) * 40
    print(
        f"rule arrays, 20000 truth tables: compiled {20_000 / compiled:,.0f}/s, "
        f"RuleArray.output {20_000 / plain:,.0f}/s (×{plain / compiled:.0f})"
    )


def bench_net_rejection() -> None:
    from minimodels.analysis.bayes.nets import SGDSetup, _net_bayes_block
    from minimodels.analysis.bayes.protocol import boolean_target, random_split

    split = random_split(7, 32, boolean_target(7, "x1&x2&x3"), rng=np.random.default_rng(0))
    args = (split, SGDSetup(), 0, 0, 100_000, 1 << 16)
    seconds = warm_median_seconds(lambda: _net_bayes_block(args), 3)
    print(
        f"P_B rejection, 7-40-40-1, |S| = 32: {100_000 / seconds:,.0f} samples/s "
        f"(10^8 samples ≈ {1e8 / (100_000 / seconds) / 60:.0f} min on this machine)"
    )


if __name__ == "__main__":
    bench_ep()
    bench_rule_arrays()
    bench_net_rejection()
