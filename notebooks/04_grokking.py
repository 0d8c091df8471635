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
# # Grokking: memorise first, generalise later
#
# Train a net on modular addition, (a + b) mod p, using half of the p² pairs. Power et al.
# (2022) saw nets fit the training pairs long before they answered the held-out pairs right,
# and then, much later, test accuracy jumped to 100 %. They called this **grokking**.
#
# We use Gromov's (2023) minimal version: a two-layer MLP with a quadratic activation on
# one-hot encoded a and b, trained full batch with Adam on the MSE and no regulariser. The
# algorithm it ends up with can be written down by hand. Each hidden neuron picks one
# Fourier frequency and the net adds angles.
#
# **The question:** does a net this small grok, and where is the gap between memorising and
# generalising? **What we expect:** train accuracy reaches 100 % first, test accuracy stays
# low for a while and then climbs, and the trained neurons each settle on one frequency.
#
# **What to look at:** the two marked steps (memorised, generalised) on the accuracy curves,
# the weight norm, and the neurons' frequency picture.

# %%
# %matplotlib inline
import pandas as pd

from minimodels.learners.grokking import GrokConfig, train
from minimodels.learners.grokking.sweep import SweepConfig, sweep
from minimodels.plotting.grokking import (
    plot_fourier_spectrum,
    plot_neuron_frequency,
    plot_weight_norm,
)

# %% [markdown]
# ## One run
#
# p = 41, width 128, half of the 1,681 pairs for training. We log every 25 steps and stop
# 250 steps after test accuracy first reaches 99 %. This is the setting of the gallery's
# grokking section, and it takes about ten seconds on a laptop CPU (JAX compiles the training
# step first).

# %%
config = GrokConfig(p=41, width=128, frac=0.5, wd=0.0, steps=2000, log_every=25, stop_after=250)
run = train(config)
summary = run.summary
print(
    f"memorised (train accuracy ≥ 99 %) at step {summary['step_memorised']}, "
    f"generalised (test accuracy ≥ 99 %) at step {summary['step_generalised']}"
)

# %% [markdown]
# The run draws itself as train and test accuracy against the step, on a log axis, with the
# two moments marked. `minimodels.plotting.grokking.plot_accuracy(run)` draws the same figure
# (and takes an `ax=` to put it into a figure of your own).

# %%
run.plot()

# %% [markdown]
# Train accuracy reaches 100 % first. For a stretch of training the net answers the training
# pairs right and the held-out pairs mostly wrong: it has memorised. Then test accuracy climbs
# to 100 % too. At this small size the gap is a few hundred steps. With a smaller training
# fraction or a larger p it grows.
#
# ## The log as a DataFrame
#
# `run.log` has one row per logged step: the losses, the accuracies, the weight norms, the
# inverse participation ratio (IPR) of the neurons' Fourier spectra and Nanda et al.'s
# restricted and excluded losses. (`fourier_power` is a 2-D array, one spectrum per row, so we
# leave it out of the table.)

# %%
log = pd.DataFrame({k: v for k, v in run.log.items() if k != "fourier_power"}).set_index("step")
log[["train_accuracy", "test_accuracy", "train_loss", "test_loss", "weight_norm", "ipr"]].iloc[
    ::4
].round(3)

# %% [markdown]
# Where did the net stand when it had just memorised, and when it had generalised?

# %%
moments = {"memorised": summary["step_memorised"], "generalised": summary["step_generalised"]}
log.loc[list(moments.values()), ["train_accuracy", "test_accuracy", "weight_norm", "ipr"]].rename(
    index={step: f"{name} (step {step})" for name, step in moments.items()}
)

# %% [markdown]
# ## Inside the net
#
# The weight norm falls while the net memorises, then rises again through the jump in test
# accuracy. There is no weight decay here, so nothing pulls it down at the end:

# %%
plot_weight_norm(run)

# %% [markdown]
# The embedding's power per Fourier frequency ω_k = 2πk/p, when the net had memorised and at
# the end. By the end the power is concentrated on a few key frequencies:

# %%
plot_fourier_spectrum(run)

# %% [markdown]
# Each hidden neuron's input weights, by frequency, with the neurons sorted. A grokked MLP's
# neurons each use one frequency, so the picture becomes a staircase of bright cells.

# %%
plot_neuron_frequency(run)

# %% [markdown]
# ## A small phase diagram
#
# When does the MLP generalise at all? A `SweepConfig` names two fields of a base config and
# the values to try. Every cell is one run, and the seeds of a cell are trained together. Here
# we sweep the training fraction across and weight decay up, on p = 23 with width 64, for
# 1,000 steps.

# %%
base = GrokConfig(p=23, width=64, steps=1000, log_every=25, stop_after=0)
diagram = sweep(
    SweepConfig(base=base, x_values=(0.3, 0.5, 0.7, 0.85), y_values=(0.0, 1.0)),
    backend="serial",
)
pd.DataFrame(diagram.rows())

# %% [markdown]
# `steps_generalised` is missing (`NaN`) where the run did not generalise within the budget.
# In this small sweep, weight decay lowers the training fraction the MLP needs to generalise
# within 1,000 steps, and it shortens the wait where both settings generalise.
# The diagram draws itself, colouring each cell by the median steps to generalise and marking
# ✗ where a cell did not generalise:

# %%
diagram.plot()

# %% [markdown]
# ## Scale up
#
# The command line runs the same things with checkpoints, resumable sweeps and every core:
#
# ```bash
# minimodels grok --model mlp --p 41 --width 128 --frac 0.5 --steps 2000 --out runs/grok-mlp
# minimodels grok --model transformer --out runs/grok-nanda          # Nanda et al.'s transformer
# minimodels grok-sweep --model mlp --x-axis frac --x-values 0.2,0.35,0.5,0.7 \
#     --y-axis wd --y-values 0,0.3,1,3 --seeds 3 --out runs/grok-phase
# minimodels grok-sweep --model mlp --x-axis wd --x-values 0,0.3,1 --y-axis l1 \
#     --y-values 0,1e-5,1e-4 --out runs/grok-l1                      # does grokking need L1?
# ```
#
# `runs/grok-phase/phase.parquet` has one row per cell and seed, the table above; read it
# with `pd.read_parquet`. On a GPU, JAX uses it without any change to the commands.
