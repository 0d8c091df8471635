"""Is SGD a Bayesian sampler — and is adaptive evolution one?  P_train vs P_B, side by side.

Mingard et al.'s question (SCIENCE.md §B.5): train many randomly initialised models until they
fit a training set S, record the function each lands on at the test inputs T, and compare those
frequencies (P_SGD, or P_evolution for rule arrays) with the Bayesian posterior P_B(f | S) —
the probability that *random* parameters give f on T, given that they fit S.

* :mod:`~minimodels.analysis.bayes.nngp` — the NNGP kernel of wide fully connected nets (ReLU closed
  form, tanh by Monte Carlo);
* :mod:`~minimodels.analysis.bayes.ep` — P(U) and P_B(f | S) under that Gaussian process by
  expectation propagation, with an exact orthant-probability reference;
* :mod:`~minimodels.analysis.bayes.protocol` — the Boolean protocol: splits, tallies of test
  functions, and their comparison table;
* :mod:`~minimodels.analysis.bayes.nets` — P_SGD of fully connected nets, their P_B by rejection
  sampling, and the NNGP posterior;
* :mod:`~minimodels.analysis.bayes.rule_arrays` — P_evolution of rule arrays, and their P_B by
  rejection or exact enumeration;
* :mod:`~minimodels.analysis.bayes.mesh` — the same protocol for quantised mesh nets (P_evolution,
  and P_B exactly or by rejection over random level vectors);
* :mod:`~minimodels.analysis.bayes.digits` — the small real-data case (scikit-learn's 8×8 digits).
"""

from minimodels.analysis.bayes.ep import (
    EPResult,
    ep_log_marginal,
    log_pb_given_train,
    orthant_probability,
)
from minimodels.analysis.bayes.mesh import (
    QuantisedMeshSubstrate,
    evolve_mesh_functions,
    exact_mesh_posterior,
    random_mesh_functions,
)
from minimodels.analysis.bayes.nets import SGDSetup, sgd_functions
from minimodels.analysis.bayes.nngp import nngp_kernel
from minimodels.analysis.bayes.protocol import (
    Comparison,
    FunctionCounts,
    Split,
    boolean_target,
    compare,
    compare_with_computed,
    random_split,
    tabulate,
)
from minimodels.analysis.bayes.rule_arrays import (
    RuleArraySubstrate,
    evolve_functions,
    exact_rule_array_posterior,
    random_array_functions,
)

__all__ = [
    "Comparison",
    "EPResult",
    "FunctionCounts",
    "QuantisedMeshSubstrate",
    "RuleArraySubstrate",
    "SGDSetup",
    "Split",
    "boolean_target",
    "compare",
    "compare_with_computed",
    "ep_log_marginal",
    "evolve_functions",
    "evolve_mesh_functions",
    "exact_mesh_posterior",
    "exact_rule_array_posterior",
    "log_pb_given_train",
    "nngp_kernel",
    "orthant_probability",
    "random_array_functions",
    "random_mesh_functions",
    "random_split",
    "sgd_functions",
    "tabulate",
]
