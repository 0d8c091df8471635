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
# # Simplicity bias: the parameter–function map
#
# Draw the weights of a small neural net at random and ask which Boolean function it computes
# on all 2ⁿ inputs. This map from parameters to functions is the **parameter–function map**.
#
# **The question.** Is this map anywhere near uniform over the 2^(2ⁿ) possible functions? For
# n = 7 there are 2¹²⁸ of them, so a uniform map would essentially never draw the same
# function twice.
#
# **What we expect** (Dingle et al. 2018; Valle-Pérez, Camargo & Louis 2019): the map is
# strongly biased towards *simple* functions. A few functions take a large share of parameter
# space, and P(f) falls off exponentially with the complexity of f, roughly
# log₂ P(f) ≲ −a·K(f) − b, where K is the Lempel–Ziv complexity of the truth table.
#
# **What to look at:** how often the most common functions come up, and how the largest
# P(f) at each complexity falls as K_LZ grows.

# %%
# %matplotlib inline
import numpy as np
import pandas as pd

import minimodels as mm
from minimodels.analysis.sampling.analysis import analyse

# %% [markdown]
# ## Sampling random nets
#
# `mm.sample_functions` draws random 7-40-40-1 ReLU nets (Gaussian weights, σw = σb = 1),
# evaluates each on all 128 inputs and counts the functions they compute. The result is a
# `FunctionTable`: packed truth tables and how often each was drawn. 20,000 nets take about a
# second.

# %%
table = mm.sample_functions("7-40-40-1", samples=20_000, seed=0)
print(f"{table.n_samples:,} nets computed {table.n_functions:,} distinct functions")
print("the largest counts:", np.sort(table.counts)[::-1][:10])

# %% [markdown]
# A uniform map would give 20,000 distinct functions, each drawn once. Instead two functions
# are drawn thousands of times each, and most of the rest only once.
#
# `table.strings()` gives each truth table as a string of 128 characters (position i holds
# f(row i), with x1 the most significant bit of i), and `table.truth_tables()` gives the same
# as a `(functions, 128)` array of 0s and 1s.

# %%
strings = table.strings()
bits = table.truth_tables()
print(bits.shape)
print(strings[np.argmax(table.counts)])

# %% [markdown]
# ## Lempel–Ziv complexity
#
# `mm.complexity.k_lz` measures how compressible a string is. It counts the phrases of the
# LZ76 parsing of the string and of its reverse. Constant strings score lowest and random
# strings highest. For 128 bits every value is a multiple of 3.5.

# %%
rng = np.random.default_rng(0)
examples = {
    "constant": "0" * 128,
    "x1 (64 zeros, then 64 ones)": "0" * 64 + "1" * 64,
    "alternating (x7)": "01" * 64,
    "a random string": "".join(map(str, rng.integers(0, 2, 128))),
}
pd.DataFrame({"K_LZ": {name: mm.complexity.k_lz(s) for name, s in examples.items()}})

# %% [markdown]
# `k_lz` also takes a 2-D array, one string per row, and returns one value per row. So every
# sampled function gets its complexity in one call. Together with the counts this makes a
# DataFrame, one row per function, most frequent first:

# %%
functions = pd.DataFrame(
    {
        "function": strings,
        "count": table.counts,
        "P": table.counts / table.n_samples,
        "K_LZ": mm.complexity.k_lz(bits),
        "ones": bits.sum(axis=1),
    }
).sort_values("count", ascending=False, ignore_index=True)
functions.head(10)

# %% [markdown]
# The two constant functions (all 0s and all 1s) take almost three quarters of parameter
# space between them. Next come near-constant functions, which differ from a constant on one
# or two inputs. All of them have a K_LZ far below that of a typical random string.
#
# ## P(f) against K_LZ
#
# Group the functions by complexity. For each K_LZ we take the total probability of drawing a
# function of that complexity, P(K), and the largest P(f) among them. For comparison, the
# last column gives the K_LZ distribution of uniformly random 128-bit strings.

# %%
random_k = mm.complexity.k_lz(rng.integers(0, 2, size=(20_000, 128)))
by_k = functions.groupby("K_LZ").agg(
    n_functions=("P", "size"), P_K=("P", "sum"), max_P=("P", "max")
)
random_p_k = pd.Series(random_k).value_counts(normalize=True).rename("P_K_random_strings")
by_k.join(random_p_k, how="outer").fillna(0.0)

# %% [markdown]
# Two things stand out. The largest P(f) falls by orders of magnitude as K_LZ grows, and the
# sampled functions sit at much lower complexity than random strings do:

# %%
mean_k = np.average(functions["K_LZ"], weights=functions["P"])
print(f"mean K_LZ of the functions of random nets: {mean_k:.1f}")
print(f"mean K_LZ of random 128-bit strings:       {random_k.mean():.1f}")

# %% [markdown]
# A `FunctionTable` draws itself in four panels: the rank plot with the Zipf line, P(f)
# against K_LZ with the fitted simplicity-bias bound, the marginal P(K) beside that of random
# strings, and the distribution of the number of ones (entropy bias).

# %%
table.plot()

# %% [markdown]
# The same analysis as numbers: `analyse` fits the bound log₂ P ≤ −a·K − b through the
# largest probabilities, after dropping functions seen only once (their frequency is noise).

# %%
analysis = analyse(table, rng=np.random.default_rng(0))
pd.Series(analysis.numbers()).to_frame("value")

# %% [markdown]
# With 20,000 samples only the frequent functions are resolved, so the bound rests on a few
# points. More samples resolve rarer, more complex functions and extend the line.
#
# ## Scale up
#
# The published figures use 10⁸ nets. `minimodels sample` shards the work over every core,
# writes `functions.parquet` and `summary.json`, and resumes after an interruption:
#
# ```bash
# minimodels sample --model 7-40-40-1 --samples 1e8 --out runs/bias     # every core
# minimodels bias-plots runs/bias                                          # the four panels as PNGs
# minimodels sample --samples 1e8 --engine jax --backend serial --out runs/bias-gpu   # on a GPU
# minimodels sample --samples 1e9 --backend ray --address auto --out runs/bias-ray   # a Ray cluster
# minimodels sample --model perceptron:7 --samples 1e6 --out runs/perceptron          # entropy bias
# ```
#
# ```python
# from minimodels.analysis.sampling import load_run
# table, metadata = load_run("runs/bias")       # the same FunctionTable as above
# functions = pd.read_parquet("runs/bias/functions.parquet")
# ```
