"""The one registry of named initialisations (DESIGN.md §4), against its closed forms.

Both the compiled sampler (``sampling.mlp.layer_scales``, ``sampling.substrates.mesh_scales``)
and the JAX models (``nets.MLP.init``) read :mod:`minimodels.models.inits`; these tests pin the
numbers they get to the formulas of DESIGN.md §4, written out here independently.
"""

import math

import numpy as np
import pytest

from minimodels.analysis.sampling.mlp import layer_scales
from minimodels.analysis.sampling.models import parse_model
from minimodels.base.errors import UsageError
from minimodels.models.inits import SCHEMES, Init, bias_scale, check_scheme, weight_scale


def test_gaussian_layer_scales_are_sigma_over_root_fan_in():
    w, b = layer_scales(parse_model("7-40-20-1"), "gaussian", 1.5, 0.25)
    assert w.tolist() == [1.5 / math.sqrt(7), 1.5 / math.sqrt(40), 1.5 / math.sqrt(20)]
    assert b.tolist() == [0.25, 0.25, 0.25]


def test_uniform_layer_scales_are_root_six_over_fan_in_and_root_three_at_the_output():
    w, b = layer_scales(parse_model("7-40-20-1"), "uniform", 9.0, 9.0)  # sigmas ignored
    bounds = [math.sqrt(6 / 7), math.sqrt(6 / 40), math.sqrt(3 / 20)]
    assert w.tolist() == bounds and b.tolist() == bounds


def test_the_jax_mlp_draws_at_the_registrys_scales():
    import jax

    from minimodels.learners.nets import MLP

    params = MLP((40, 30, 1)).init(key=jax.random.key(0), scheme="uniform")
    hidden, output = (np.abs(np.asarray(layer["W"])).max() for layer in params)
    # 1200 and 30 uniform draws reach close to their bounds (and never past them)
    assert 0.99 * math.sqrt(6 / 40) < hidden <= math.sqrt(6 / 40)
    assert 0.8 * math.sqrt(3 / 30) < output <= math.sqrt(3 / 30)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("he",), "init"),
        (("gaussian", -1.0, 1.0), "sigma_w"),
        (("gaussian", 1.0, math.nan), "sigma_b"),
        (("uniform", math.inf, 1.0), "sigma_w"),
        (("gaussian", "1", 1.0), "sigma_w"),
    ],
)
def test_a_bad_scheme_or_sigma_is_refused_naming_it(args, option):
    with pytest.raises(UsageError) as refused:
        check_scheme(*args)
    assert refused.value.options == (option,)
    with pytest.raises(UsageError):
        Init(*args)


def test_numpy_scalars_and_zero_are_accepted():
    check_scheme("gaussian", np.float32(0.5), np.int64(0))
    assert Init("uniform", 0.0, 0.0).kwargs() == {
        "scheme": "uniform",
        "sigma_w": 0.0,
        "sigma_b": 0.0,
    }
    assert SCHEMES == ("gaussian", "uniform")
    assert weight_scale(fan_in=4, scheme="gaussian", sigma_w=3.0, output=True) == 1.5
    assert bias_scale(fan_in=2, scheme="uniform", sigma_b=5.0, output=False) == math.sqrt(3)
