"""Saving and loading nets: parameters as ``.npz``, the model and any config as JSON.

A saved net is two files in one directory:

* ``params.npz`` — one array per parameter leaf, named by its path in the pytree
  (``"0/W"``, ``"0/b"``, … for an MLP; ``"W"``, ``"b"``, ``"W_out"``, ``"b_out"`` for a mesh
  net), stored with their dtype and shape, so loading gives back identical bits;
* ``model.json`` — ``{"kind": "mlp" | "mesh", "model": {…fields…}, "config": {…}}``.

Both are written atomically.  :func:`load_net` rebuilds the model from JSON, checks that the
arrays have the shapes that model expects, and returns ``(model, params, config)``.
"""

from __future__ import annotations

import dataclasses
import io
import os
from pathlib import Path
from typing import Any

import jax
import numpy as np

from minimodels.base.errors import UsageError
from minimodels.learners.nets.mesh import MeshNet
from minimodels.learners.nets.mlp import MLP
from minimodels.runtime.storage import prepare_out_dir, read_json, write_bytes, write_json

KINDS: dict[str, type] = {"mlp": MLP, "mesh": MeshNet}
PARAMS_FILE = "params.npz"
MODEL_FILE = "model.json"


def _kind(model: Any) -> str:
    for kind, cls in KINDS.items():
        if isinstance(model, cls):
            return kind
    raise UsageError(f"cannot save a model of type {type(model).__name__}; expected MLP or MeshNet")


def _path_name(path: tuple) -> str:
    parts = []
    for entry in path:
        key = getattr(entry, "key", getattr(entry, "idx", None))
        parts.append(str(key))
    return "/".join(parts)


def flatten_params(params: Any) -> dict[str, np.ndarray]:
    """``{"0/W": array, …}``: every leaf under its pytree path."""
    leaves = jax.tree_util.tree_flatten_with_path(params)[0]
    return {_path_name(path): np.asarray(leaf) for path, leaf in leaves}


def unflatten_params(model: Any, arrays: dict[str, np.ndarray]) -> Any:
    """The inverse of :func:`flatten_params` for ``model``'s parameter structure."""
    template = jax.eval_shape(lambda k: model.draw(k, "gaussian", 1.0, 1.0), jax.random.key(0))
    paths, treedef = jax.tree_util.tree_flatten_with_path(template)
    leaves = []
    for path, spec in paths:
        name = _path_name(path)
        if name not in arrays:
            raise UsageError(f"saved parameters lack {name!r} needed by {model.name}")
        if tuple(arrays[name].shape) != tuple(spec.shape):
            raise UsageError(
                f"saved parameter {name!r} has shape {arrays[name].shape}, "
                f"but {model.name} needs {tuple(spec.shape)}"
            )
        leaves.append(arrays[name])
    return jax.tree.unflatten(treedef, leaves)


def save_net(
    directory: str | os.PathLike[str], model: Any, params: Any, *, config: Any = None
) -> Path:
    """Write ``params.npz`` and ``model.json`` into ``directory`` (created if needed)."""

    out = prepare_out_dir(directory)
    buffer = io.BytesIO()
    np.savez(buffer, **flatten_params(params))  # type: ignore[arg-type]  # numpy stub: ** vs allow_pickle
    write_bytes(out / PARAMS_FILE, buffer.getvalue())
    write_json(
        out / MODEL_FILE,
        {"kind": _kind(model), "model": dataclasses.asdict(model), "config": config or {}},
    )
    return out


def load_net(directory: str | os.PathLike[str]) -> tuple[Any, Any, dict[str, Any]]:
    """``(model, params, config)`` as saved by :func:`save_net`."""
    where = Path(directory)
    if not (where / MODEL_FILE).is_file() or not (where / PARAMS_FILE).is_file():
        raise UsageError(f"{str(where)!r} holds no saved net ({MODEL_FILE} and {PARAMS_FILE})")
    meta = read_json(where / MODEL_FILE)
    if meta.get("kind") not in KINDS:
        raise UsageError(f"unknown saved model kind {meta.get('kind')!r}; expected mlp or mesh")
    fields = dict(meta["model"])
    if "widths" in fields:
        fields["widths"] = tuple(fields["widths"])
    model = KINDS[meta["kind"]](**fields)
    with np.load(where / PARAMS_FILE) as data:
        arrays = {name: data[name] for name in data.files}
    return model, unflatten_params(model, arrays), meta.get("config", {})
