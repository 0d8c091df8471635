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
# # Rule arrays and adaptive evolution
#
# A **rule array** is a grid of cells, each with its own elementary cellular-automaton rule.
# A row of 0s and 1s goes in at the top. Each rule row computes the next state row from the
# one above it, and we read the answer off the bottom row. There are no weights and no
# gradients, only a choice of rule per cell.
#
# **The question.** Can such a thing be *trained*? The learner is about as simple as a
# learner gets: change one cell's rule at random and keep the change if the loss does not go
# up (Wolfram 2024, "adaptive evolution"). **What we expect:** a loss that falls in steps
# rather than smoothly, long flat stretches of neutral drift, and different runs reaching
# zero loss with very different arrays.
#
# **What to look at:** the staircase of the loss, the trained array on every input, and the
# spread of "attempts to zero loss" over many runs.

# %%
# %matplotlib inline
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import minimodels as mm
from minimodels.experiments import evolution
from minimodels.plotting.evolution import plot_answers, plot_decreases, plot_steps_histogram

# %% [markdown]
# ## A random rule array
#
# Twenty cells wide and ten rules deep, each cell drawn at random from rules 4 and 146. A
# single 1 enters at the top, in column 12. `run` returns every state row, `(depth + 1, width)`,
# with time running down.

# %%
rng = np.random.default_rng(0)
array = mm.RuleArray.random(10, 20, rules=(4, 146), rng=rng)
x = np.zeros(20, dtype=np.uint8)
x[12] = 1
states = array.run(x)
print(array)
print("state rows:", states.shape, "| output row:", "".join(map(str, states[-1])))

# %% [markdown]
# Arrays draw themselves. A cell that ends an expression is shown as a picture: cell colours
# give each cell's rule, and the black squares are the states, so this is the run above.

# %%
array.plot(x)

# %% [markdown]
# ## Training on the bump
#
# The **bump task**: the input is a single 1 at position x, and the readout cell in the middle
# of the bottom row should be 1 exactly when x lies in the middle third, `[6, 13)` for width 20.
# The loss counts the inputs answered wrongly, so it is a whole number between 0 and 20.
#
# `mm.evolve` attempts up to `steps` single-cell mutations and stops at zero loss. The same
# seed reproduces a run bit for bit.

# %%
task = mm.tasks.bump(20)
result = mm.evolve(task, depth=10, rules=(4, 146), steps=20_000, seed=1)
print(
    f"initial loss {result.initial_loss:g}, final loss {result.final_loss:g}, "
    f"zero loss after {result.steps_to_zero} attempted mutations, "
    f"{len(result.kept)} of them kept"
)

# %% [markdown]
# The result draws its loss after every attempted mutation. The loss can only stay level or
# fall, so the curve is a staircase. Most kept mutations are *neutral*: they change the array
# without changing the loss, and they account for the long flat stretches.

# %%
result.plot()

# %% [markdown]
# The loss fell in a few discrete drops. Here is the array at each of them, run on one input
# from the middle third.

# %%
plot_decreases(result)

# %% [markdown]
# Now the trained array on **every** input, the readout cell outlined. A wrong answer would be
# flagged in red; after a run that reached zero loss there are none.

# %%
plot_answers(result.array, task)

# %% [markdown]
# Every kept mutation is recorded (attempt, cell, old and new rule, loss), so the run can be
# replayed exactly. Here are the first of them, as a DataFrame:

# %%
kept = pd.DataFrame(
    {
        "attempt": result.kept.step,
        "row": result.kept.row,
        "col": result.kept.col,
        "old_rule": result.kept.old_rule,
        "new_rule": result.kept.new_rule,
        "loss": result.kept.loss,
    }
)
kept.head(8)

# %% [markdown]
# ## Many runs
#
# One run is an anecdote. `minimodels.experiments.evolution` runs many, each from its own
# seed (spawned from one `SeedSequence`, so results do not depend on the backend or the number
# of workers). The defaults are the bump task with width 20, depth 10 and rules 4 and 146.
# We run 100 runs with a budget of 20,000 attempts each.

# %%
config = evolution.EvolutionConfig(task="bump", runs=100, steps=20_000, seed=0)
many = evolution.run(config)
many.summary()

# %% [markdown]
# The per-run table (`many.table()`, the same columns the command line writes to
# `runs.parquet`) goes straight into pandas:

# %%
runs = pd.DataFrame(many.table())
runs.head()

# %% [markdown]
# `steps_to_zero` is missing (`NaN`) for a run that did not reach zero loss within its
# budget. How are the attempts to zero loss distributed?

# %%
runs["steps_to_zero"].describe(percentiles=[0.1, 0.5, 0.9]).to_frame()

# %% [markdown]
# The spread is wide, close to an order of magnitude between the fastest and slowest tenth,
# which is why the histogram uses log bins.

# %%
plot_steps_histogram(many.steps_to_zero, budget=config.steps)

# %% [markdown]
# How many of the attempted mutations were kept? A mutation is kept when the loss does not
# rise, so this counts the neutral changes as well as the improvements. And do different
# solutions look alike?

# %%
runs["kept_fraction"] = runs["n_kept"] / runs["n_steps"]
print(f"median fraction of attempts kept: {runs['kept_fraction'].median():.2f}")
print(f"mean fraction of cells in which two solutions differ: {many.differing_cells():.2f}")

# %% [markdown]
# Most attempts are kept, and nearly all of those are neutral: the array wanders over a
# plateau of equally good arrays and only now and then steps down. The solutions are far from
# unique. Two runs that both reach zero loss differ in about as many cells as two random
# arrays would (half of them, with two rules to choose from).
#
# ## The same runs from the command line, read back with pandas
#
# `minimodels evolve` makes the same runs and writes a run directory: `config.json`,
# `summary.json`, Parquet tables and PNG figures. Here we make a small run into a temporary
# directory. In your own work you would write `--out runs/bump` and keep it.

# %%
out = Path(tempfile.mkdtemp(prefix="minimodels-")) / "bump"
command = [sys.executable, "-m", "minimodels", "evolve", "--task", "bump", "--runs", "20",
           "--backend", "serial", "--quiet", "--out", str(out)]  # fmt: skip
print(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
sorted(p.name for p in out.iterdir())

# %% [markdown]
# `runs.parquet` has one row per run; `trace.parquet` and `kept.parquet` hold run 0's loss
# trace and kept mutations. Any Parquet reader opens them: pandas as here, and also polars
# (`pl.read_parquet`) or DuckDB (`SELECT * FROM 'runs/bump/runs.parquet'`), which are not
# needed by minimodels.

# %%
cli_runs = pd.read_parquet(out / "runs.parquet")
cli_runs[["run", "steps_to_zero", "final_loss", "n_kept"]].head()

# %% [markdown]
# ## Scale up
#
# Everything above runs in seconds. The command line makes the same runs at any size, in
# parallel, with progress bars and resumable shards:
#
# ```bash
# minimodels evolve --task bump --runs 100 --out runs/bump
# minimodels evolve --task bump --runs 10000 --jobs 8 --out runs/bump-10k
# minimodels evolve --task boolean --n-bits 3 --target parity --runs 100 --out runs/parity
# minimodels evolve --task bump --runs 10000 --resume --out runs/bump-10k  # after an interruption
# ```
#
# ```python
# runs = pd.read_parquet("runs/bump/runs.parquet")
# ```
#
# `--backend ray` spreads the runs over a Ray cluster (`pip install -e '.[ray]'`).
