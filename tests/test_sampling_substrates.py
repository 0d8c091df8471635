"""Rule arrays and mesh nets as sampled models: compiled ≡ plain path, and the layout agrees
with the mesh nets' own independent reference."""

import numpy as np
import pytest

import minimodels as mm
from minimodels.analysis.sampling import substrates, tables
from minimodels.analysis.sampling.models import parse_model
from minimodels.analysis.sampling.streams import run_key


@pytest.mark.parametrize(
    "model",
    [
        "rulearray:20x10:rules=4,146",
        "rulearray:9x6:rules=8,6:n=3:r=1/2:boundary=zero",
        "rulearray:12x5:rules=30,90,110:n=6:readout=2",
        "mesh:14x6",
        "mesh:9x5:n=4:r=1/2:boundary=zero:act=linear",
    ],
)
def test_compiled_substrate_sampler_equals_the_plain_path(model):
    spec = parse_model(model)
    key = run_key(11)
    fast = substrates.truth_tables(spec, key, 50, 150)
    plain = substrates.reference_truth_tables(spec, key, 50, 150)
    np.testing.assert_array_equal(tables.unpacked_truth_tables(fast, spec.n_inputs), plain)


def test_rule_arrays_of_zero_preserving_rules_give_f_of_zero_equal_zero():
    table = mm.sample_functions("rulearray:20x10:rules=4,146", samples=3000, seed=0)
    assert (table.truth_tables()[:, 0] == 0).all()
    assert table.n_functions > 20


def test_mesh_truth_tables_agree_with_the_mesh_nets_own_reference():
    from minimodels.learners.nets.mesh import reference_apply

    spec = parse_model("mesh:8x4:n=3")
    model = spec.model()
    key = run_key(2)
    params = substrates.mesh_parameters(spec, key, 0, 40, init="gaussian", sigma_w=1.0, sigma_b=1.0)
    truth = tables.unpacked_truth_tables(substrates.truth_tables(spec, key, 0, 40), 3)
    x = substrates.boolean_inputs(3)
    D, W, k = spec.depth, spec.width, model.n_neighbours
    agree = 0
    for p, row in zip(params, truth, strict=True):
        named = {
            "W": p[: D * W * k].reshape(D, W, k),
            "b": p[D * W * k : D * W * (k + 1)].reshape(D, W),
            "W_out": p[D * W * (k + 1) : -1],
            "b_out": p[-1],
        }
        z = reference_apply(model, named, x)[:, 0]
        clear = np.abs(z) > 1e-4  # float32 vs float64 may differ only at the threshold
        np.testing.assert_array_equal((z > 0)[clear], row[clear].astype(bool))
        agree += clear.sum()
    assert agree > 0.95 * 40 * 8


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("rulearray:20", "WIDTHxDEPTH"),
        ("rulearray:20x10:rules=4,999", "rule"),
        ("rulearray:20x10:colour=3", "bad option"),
        ("rulearray:4x3:n=7", "do not fit"),
        ("mesh:10x4:act=swish", "relu or linear"),
        ("mesh:10x4:n=11", "1..10"),
    ],
)
def test_bad_substrate_specs_are_one_sentence_errors(model, message):
    with pytest.raises(ValueError, match=message):
        parse_model(model)
