"""Checkpoints on disk: a training :class:`~minimodels.learners.grokking.runs.Checkpoint` as one
``.npz``.

Data model.  The file holds ``step``, every parameter leaf as ``params/<name>``, every optimiser
state leaf as ``opt/<i>`` (in ``jax.tree_util`` flattening order) and every log column as
``log/<name>`` with its own dtype, so a resumed run continues with exactly the numbers it
stopped with.  The tree structures are rebuilt from the config (fresh parameters and optimiser
state of the same shapes), so only arrays are stored.  Writes are atomic.
"""

from __future__ import annotations

import os
from pathlib import Path

import jax
import numpy as np

from minimodels.base.errors import UsageError
from minimodels.learners.grokking.runs import Checkpoint, GrokConfig, init_params, optimiser
from minimodels.runtime.storage import atomic_path

__all__ = ["load_checkpoint", "save_checkpoint"]


def save_checkpoint(path: str | os.PathLike[str], checkpoint: Checkpoint) -> Path:
    arrays: dict[str, np.ndarray] = {"step": np.asarray(checkpoint.step)}
    for name, value in checkpoint.params.items():
        arrays[f"params/{name}"] = np.asarray(value)
    for i, leaf in enumerate(jax.tree_util.tree_leaves(checkpoint.opt_state)):
        arrays[f"opt/{i}"] = np.asarray(leaf)
    for name, values in checkpoint.log.items():
        arrays[f"log/{name}"] = np.stack([np.asarray(v) for v in values])
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]  # numpy stub: ** vs allow_pickle
    return Path(path)


def load_checkpoint(path: str | os.PathLike[str], config: GrokConfig) -> Checkpoint:
    """Read a checkpoint written for ``config`` (its shapes must match)."""
    config = config.check()
    template = jax.eval_shape(lambda: init_params(config, jax.random.key(0)))
    opt_template = jax.eval_shape(optimiser(config).init, template)
    with np.load(path) as stored:
        params = {name: stored[f"params/{name}"] for name in template}
        for name, shape in template.items():
            if params[name].shape != shape.shape:
                raise UsageError(
                    f"checkpoint {str(path)!r} holds {name} of shape {params[name].shape}, "
                    f"but this config needs {shape.shape}"
                )
        leaves, treedef = jax.tree_util.tree_flatten(opt_template)
        opt_state = jax.tree_util.tree_unflatten(
            treedef, [stored[f"opt/{i}"] for i in range(len(leaves))]
        )
        log = {
            key.removeprefix("log/"): list(stored[key])
            for key in stored.files
            if key.startswith("log/")
        }
        step = int(stored["step"])
    return Checkpoint(step, params, opt_state, log)
