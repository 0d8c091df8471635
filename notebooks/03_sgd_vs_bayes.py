# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Is SGD a Bayesian sampler?
#
# Train many copies of a small net on the same training set S, each from its own random
# initialisation, and record which function each copy computes on the inputs it was *not*
# trained on. Call the resulting distribution over test functions **P_SGD(f | S)**. Now take
# random nets of the same initialisation, keep those that happen to fit S, and record their
# test functions. That gives the Bayesian posterior with the initialisation as prior,
# **P_B(f | S)**.
#
# **The question** (Mingard et al. 2021): is P_SGD ≈ P_B? If so, the optimiser mostly finds
# functions with about the probability of their share of parameter space, and the simplicity
# bias of the parameter–function map (notebook 02) goes a long way to explaining why
# trained nets generalise.
#
# **What we expect:** the two probabilities agree within about a decade for the functions
# that carry most of the mass, and functions with fewer test errors are more probable under
# both.
#
# **What to look at:** the scatter of P_SGD against P_B around the diagonal, and the share of
# P_SGD mass that lies within ×10 of P_B.

# %%
# %matplotlib inline
import dataclasses

import numpy as np
import pandas as pd

import minimodels as mm
from minimodels.experiments import bayes
from minimodels.experiments.bayes_configs import SGDVsBayesConfig

# %% [markdown]
# ## The quick preset
#
# The published experiment uses 7-input nets and 10⁵ training runs. The quick preset shrinks
# it to run in seconds: a 5-40-40-1 ReLU net on all 32 inputs of 5 bits, a training set of 12
# of them, target x1 ∨ x2, 256 training runs with Adam on the MSE. Sampling P_B by rejection
# at this size would be slow, because few random nets fit 12 points. So P_B comes from the
# net's Gaussian-process limit (the NNGP), computed by expectation propagation (EP) for each
# function that SGD found.

# %%
config = SGDVsBayesConfig.quick()
pd.Series(dataclasses.asdict(config)).to_frame("quick preset")

# %% [markdown]
# `bayes.run` makes the split, trains the nets (vmapped, a batch at a time), computes P_B and
# compares the two. This takes 10–30 seconds on a laptop CPU.

# %%
result = bayes.run(config)
split = result.split
print("target on all 32 inputs:", split.target)
print("training rows S:        ", split.train.tolist())
print("target on the test rows:", split.test_target)

# %% [markdown]
# ## The comparison
#
# The result draws itself. Each point is a test function that both methods gave weight to,
# with P_B across and P_SGD up. The grey band is ±1 decade around the diagonal, and the colour
# is the number of test errors.

# %%
result.plot()

# %% [markdown]
# The headline numbers come from `result.summary()`. `train_mass_within_decade` is the share
# of P_SGD mass on functions where P_SGD and P_B agree within a factor of 10.

# %%
summary = result.summary()
headline = [
    "n_runs",
    "n_fit",
    "n_functions_train",
    "bayes_method",
    "train_mass_within_decade",
    "log10_correlation_seen_twice",
    "mean_test_error_train",
    "mean_test_error_bayes",
    "wall_seconds",
]
pd.Series({key: summary[key] for key in headline}).to_frame("value")

# %% [markdown]
# ## Function by function
#
# `result.comparison` holds one row per test function: its truth table on the test inputs,
# both probabilities, both counts and its number of test errors. P_B was computed here, not
# counted, so `count_bayes` is all zeros and we drop it. We add the K_LZ of each function and
# the ratio of the two probabilities.

# %%
functions = pd.DataFrame(result.comparison.table()).drop(columns="count_bayes")
functions["K_LZ"] = mm.complexity.k_lz(np.array([list(f) for f in functions["function"]], int))
functions["log10_ratio"] = np.log10(functions["p_train"] / functions["p_bayes"])
functions = functions.sort_values("p_train", ascending=False, ignore_index=True)
functions.head(10)

# %% [markdown]
# How does the mass spread over the number of test errors? Under both methods most of it
# sits on functions with few errors: the nets generalise, and so does the prior.

# %%
by_errors = functions.groupby("n_errors")[["p_train", "p_bayes"]].sum()
by_errors["p_bayes"] /= by_errors["p_bayes"].sum()  # P_B over the functions SGD found
by_errors.round(4)

# %% [markdown]
# P_B here is normalised over the functions SGD found (EP scores only those), so the two
# columns are comparable row by row. At this small scale the two distributions are close
# for this target. The published experiment below shows that how close depends on the target.
#
# ## Scale up
#
# The same experiment from the command line writes `functions.parquet` (the table above) and
# `summary.json` to a run directory, in resumable shards:
#
# ```bash
# # the quick preset
# minimodels sgd-vs-bayes --model 5-40-40-1 --train-size 12 --target 'x1|x2' --runs 256 \
#     --bayes nngp --out runs/sgd-vs-bayes-quick
#
# # Mingard et al.'s scale (docs/results.md): 10^8 random nets once, then P_B by rejection
# # from that table for any training set, and 10^5 SGD runs
# minimodels sample --model 7-40-40-1 --samples 1e8 --seed 0 --out runs/sample-1e8
# minimodels sgd-vs-bayes --target x1 --optimizer sgd --lr 1e-3 --momentum 0.9 --loss mse \
#     --max-steps 20000 --runs 1e5 --bayes-from runs/sample-1e8 --out runs/x1
# minimodels sgd-vs-bayes --target x1 --optimizer sgd --lr 1e-3 --momentum 0.9 --loss mse \
#     --max-steps 20000 --runs 1e5 --bayes nngp --nngp-min-count 50 --out runs/x1-ep
# minimodels bayes-plots runs/x1 runs/x1-ep --out x1.png
# ```
#
# In Python, `SGDVsBayesConfig.paper()` is the published configuration, and
# `pd.read_parquet("runs/x1/functions.parquet")` reads the function table back.
