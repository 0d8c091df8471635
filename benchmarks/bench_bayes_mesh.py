"""Speed of the quantised-mesh protocol (:mod:`minimodels.analysis.bayes.mesh`).

Prints each figure (median of several repeats) and its ratio against the plain path measured
in the same run:

* truth tables of N random level vectors of a 5×2 ternary mesh on 4 inputs: the compiled
  loop vs the JAX model (``Quantised(MeshNet).apply``, jitted and vmapped over the nets);
* attempted mutations per second of the mesh evolution (the shared ``mutation_walk`` with the
  compiled training-error loss) vs ``evolve_quantised`` (the same walk with a jitted JAX MSE);
* P_B rejection samples per second (draw, evaluate, check the fit on S).
"""

from __future__ import annotations

import numpy as np
from _timing import median_seconds


def warm_median_seconds(fn, repeats: int = 5) -> float:
    fn()  # warm up (compilation)
    return median_seconds(fn, repeats)


def main() -> None:
    from minimodels.analysis.bayes.mesh import (
        QuantisedMeshSubstrate,
        evolve_mesh,
        random_mesh_plan,
        reference_truth_tables,
        truth_tables,
    )
    from minimodels.analysis.bayes.protocol import boolean_target, random_split, run_plan
    from minimodels.learners.nets.quantised import evolve_quantised

    substrate = QuantisedMeshSubstrate(width=5, depth=2)
    split = random_split(4, 8, boolean_target(4, "x1|x2"), rng=np.random.default_rng(0))
    indices = np.random.default_rng(1).integers(0, 3, (20_000, substrate.n_params))
    compiled = warm_median_seconds(lambda: truth_tables(4, substrate, indices))
    jax_path = warm_median_seconds(lambda: reference_truth_tables(4, substrate, indices), 3)
    print(
        f"mesh truth tables, 20000 nets: compiled {20_000 / compiled:,.0f}/s, "
        f"JAX {20_000 / jax_path:,.0f}/s (×{jax_path / compiled:.1f})"
    )

    steps = 3000

    def ours_walk():
        rng = np.random.default_rng(2)
        return evolve_mesh(split, substrate, steps=steps, rng=rng, accept="<")

    n_ours = len(ours_walk().losses)  # "<" rarely reaches 0 errors: most of the budget is used
    ours = warm_median_seconds(ours_walk, 3)
    x = split.inputs[split.train].astype(np.float32)
    y = 2.0 * split.train_labels - 1.0
    model = substrate.model(4)

    def theirs_walk():
        rng = np.random.default_rng(2)
        return evolve_quantised(
            model, x, y, steps=steps, rng=rng, levels=substrate.levels, stop_at=None
        )

    theirs = warm_median_seconds(theirs_walk, 3)
    print(
        f"mesh evolution: compiled training-error loss {n_ours / ours:,.0f} mutations/s, "
        f"JAX MSE loss (evolve_quantised) {steps / theirs:,.0f}/s "
        f"(×{(theirs / steps) / (ours / n_ours):.1f})"
    )

    plan = random_mesh_plan(split, substrate, n_samples=500_000, seed=3)
    rejection = warm_median_seconds(lambda: run_plan(plan), 3)
    print(f"P_B by rejection: {500_000 / rejection:,.0f} samples/s")


if __name__ == "__main__":
    main()
