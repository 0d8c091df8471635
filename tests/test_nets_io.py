"""Saving and loading nets round-trips exactly."""

import jax
import numpy as np
import pytest

from minimodels.learners.nets import MLP, MeshNet
from minimodels.learners.nets.io import flatten_params, load_net, save_net


@pytest.mark.parametrize(
    "model",
    [MLP((3, 7, 2), "gelu"), MeshNet(width=5, depth=3, r="1/2", boundary="zero", readout=1)],
    ids=["mlp", "mesh"],
)
def test_save_then_load_round_trips_exactly(tmp_path, model):
    params = model.init(key=jax.random.key(4), scheme="uniform")
    save_net(tmp_path / "net", model, params, config={"note": "hello", "seed": 4})
    loaded_model, loaded, config = load_net(tmp_path / "net")
    assert loaded_model == model
    assert config == {"note": "hello", "seed": 4}
    assert jax.tree.structure(loaded) == jax.tree.structure(params)
    for a, b in zip(jax.tree.leaves(params), jax.tree.leaves(loaded), strict=True):
        assert np.asarray(a).dtype == np.asarray(b).dtype
        assert np.array_equal(np.asarray(a), np.asarray(b))  # bit for bit
    x = np.linspace(-1, 1, 4 * model.n_inputs).reshape(4, -1)
    apply = jax.jit(type(model).apply, static_argnums=0)  # equal models share one compile
    assert np.array_equal(
        np.asarray(apply(model, params, x)), np.asarray(apply(loaded_model, loaded, x))
    )


def test_parameter_files_name_every_leaf_by_its_path():
    params = MLP((2, 3, 1)).init(key=jax.random.key(0))
    assert sorted(flatten_params(params)) == ["0/W", "0/b", "1/W", "1/b"]


def test_loading_from_an_empty_or_mismatched_directory_is_a_one_sentence_error(tmp_path):
    with pytest.raises(ValueError, match="holds no saved net"):
        load_net(tmp_path)
    model = MLP((2, 3, 1))
    save_net(tmp_path / "a", model, model.init(key=jax.random.key(0)))
    other = MLP((2, 4, 1))
    save_net(tmp_path / "b", other, other.init(key=jax.random.key(0)))
    (tmp_path / "a" / "params.npz").write_bytes((tmp_path / "b" / "params.npz").read_bytes())
    with pytest.raises(ValueError, match="has shape"):
        load_net(tmp_path / "a")
