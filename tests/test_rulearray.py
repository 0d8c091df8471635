"""RuleArray: the public rule-array value, its evaluation paths, serialisation and errors."""

import json

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minimodels as mm
from minimodels.models.rulearray import single_cell_inputs


@st.composite
def arrays_and_inputs(draw):
    brick = draw(st.booleans())
    depth, width = draw(st.integers(1, 8)), draw(st.integers(1, 10))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    rules = rng.integers(0, 16 if brick else 256, size=(depth, width))
    boundary = draw(st.sampled_from(["cyclic", "zero"]))
    array = mm.RuleArray(rules, r="1/2" if brick else 1, boundary=boundary)
    inputs = rng.integers(0, 2, size=(draw(st.integers(1, 150)), width), dtype=np.uint8)
    return array, inputs


@given(arrays_and_inputs())
def test_run_output_and_reference_agree(case):
    array, inputs = case
    states = array.run(inputs)
    assert states.shape == (len(inputs), array.depth + 1, array.width)
    assert states.dtype == np.uint8
    assert np.array_equal(states, array.run_reference(inputs))
    assert np.array_equal(array.output(inputs), states[:, -1])
    assert np.array_equal(array.run(inputs[0]), states[0])  # a single input gives one run
    assert np.array_equal(array.output(inputs[0]), states[0, -1])


def test_brick_rows_alternate_which_neighbour_they_read():
    # One And (8) cell per row, everything else Or (14): And needs both cells it reads to be 1.
    inputs = np.array([[1, 1, 0, 0], [0, 1, 1, 0]], np.uint8)
    array = mm.RuleArray([[8, 0, 0, 0], [0, 0, 0, 0]], r=0.5, boundary="zero")
    # Row 1 (odd) reads (x, x+1): cell 0 = And(x0, x1).
    assert array.run(inputs)[:, 1, 0].tolist() == [1, 0]
    # Row 2 (even) reads (x-1, x): Or (14) on row 1 spreads each 1 one cell left, then the
    # And cell 1 of row 2 sees (row1[0], row1[1]); reading (x, x+1) would flip both answers.
    array = mm.RuleArray([[14, 14, 14, 14], [0, 8, 0, 0]], r=0.5, boundary="zero")
    rows = array.run(np.array([[0, 0, 1, 0], [0, 1, 0, 0]], np.uint8))
    assert rows[:, 1].tolist() == [[0, 1, 1, 0], [1, 1, 0, 0]]
    assert rows[:, 2, 1].tolist() == [0, 1]


def test_random_construction_is_reproducible_and_uses_only_the_given_rules():
    a = mm.RuleArray.random(10, 20, rules=(4, 146), rng=np.random.default_rng(3))
    b = mm.RuleArray.random(10, 20, rules=(4, 146), rng=np.random.default_rng(3))
    assert a == b and hash(a) == hash(b)
    assert set(a.rule_set) == {4, 146}
    assert a.shape == (10, 20)


def test_equality_copy_and_mutation():
    a = mm.RuleArray.random(3, 4, rules=(6, 8), r="1/2", rng=np.random.default_rng(0))
    b = a.copy()
    assert a == b and a.rules is not b.rules
    c = a.with_rule(1, 2, 14)
    assert c != a and c.rules[1, 2] == 14 and a.rules[1, 2] != 14
    assert a != mm.RuleArray(a.rules, r="1/2", boundary="zero")
    with pytest.raises(ValueError):
        a.rules[0, 0] = 1  # read-only: the value cannot change under a hash


def test_to_dict_is_json_and_round_trips():
    a = mm.RuleArray.random(
        5, 7, rules=(6, 8), r=0.5, boundary="zero", rng=np.random.default_rng(1)
    )
    data = json.loads(json.dumps(a.to_dict()))
    assert data["r"] == "1/2" and data["boundary"] == "zero"
    assert mm.RuleArray.from_dict(data) == a
    with pytest.raises(ValueError, match="'rules' entry"):
        mm.RuleArray.from_dict({"r": "1"})


def test_single_cell_inputs_are_the_identity():
    inputs = single_cell_inputs(5)
    assert np.array_equal(inputs.argmax(axis=1), np.arange(5)) and inputs.sum() == 5


@pytest.mark.parametrize(("rule", "r"), [(110, 1), (30, 1), (6, "1/2"), (8, 0.5), (13, "1/2")])
@pytest.mark.parametrize("boundary", ["cyclic", "zero"])
def test_uniform_rule_array_is_the_homogeneous_ca(rule, r, boundary):
    # Two independent implementations (numpy CA, bit-sliced engine) of the same conventions.
    row = np.random.default_rng(rule).integers(0, 2, 31, dtype=np.uint8)
    array = mm.RuleArray.uniform(12, 31, rule, r=r, boundary=boundary)
    assert np.array_equal(array.run(row), mm.ca.run(rule, row, 12, r=r, boundary=boundary))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rules": [[300]]}, r"rule 300 is out of range for k=2, r=1 \(0..255\)"),
        ({"rules": [[16]], "r": 0.5}, r"rule 16 is out of range for k=2, r=1/2 \(0..15\)"),
        ({"rules": [[-1]]}, r"rule -1 is out of range"),
        ({"rules": [[4]], "boundary": "open"}, r"boundary 'open' is unknown"),
        ({"rules": [[4]], "r": 2}, r"r=1 or r=1/2"),
        ({"rules": [4, 146]}, r"rectangular 2-D"),
        ({"rules": np.zeros((0, 3), int)}, r">= 1"),
        ({"rules": [[4, 146], [4]]}, r"rectangular 2-D"),
    ],
)
def test_bad_arrays_are_refused_with_one_sentence(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mm.RuleArray(**kwargs)


def test_bad_inputs_are_refused_with_one_sentence():
    array = mm.RuleArray([[4, 146, 4]])
    with pytest.raises(ValueError, match="only 0 and 1"):
        array.output(np.array([[0, 2, 1]]))
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        array.output(np.zeros((2, 4), np.uint8))
    with pytest.raises(TypeError, match="integers"):
        mm.RuleArray([[4.5]])
    with pytest.raises(ValueError, match="depth must be an integer >= 1"):
        mm.RuleArray.random(0, 3, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="width must be an integer >= 1"):
        single_cell_inputs(0)


def test_arrays_draw_themselves_as_one_run_or_a_grid():
    array = mm.RuleArray.random(4, 6, rules=(4, 146), rng=np.random.default_rng(0))
    assert array._repr_png_()[:4] == b"\x89PNG"
    grid = array.plot(single_cell_inputs(6), readout=2)
    assert len([ax for ax in grid.axes if ax.images]) == 6


# -- the command line -------------------------------------------------------------------------
def test_cli_rulearray_draws_random_and_given_arrays(tmp_path):
    from conftest import run_cli

    out, saved = tmp_path / "ra.png", tmp_path / "ra.json"
    result = run_cli(
        "rulearray", "--depth", "6", "--width", "9", "--out", str(out), "--save", str(saved)
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:4] == b"\x89PNG"
    array = mm.RuleArray.from_dict(json.loads(saved.read_text()))
    assert array.shape == (6, 9)
    # The printed readout is the array's own answer on every single-cell input.
    expected = "".join(map(str, array.output(single_cell_inputs(9))[:, 4]))
    assert f"readout {expected}" in result.stdout
    again = ("rulearray", "--array", str(saved), "--inputs", "000010000", "--out", str(out))
    assert run_cli(*again).returncode == 2  # ra.png exists: not replaced unasked
    result = run_cli(*again, "--overwrite")
    assert result.returncode == 0, result.stderr
    result = run_cli(
        "rulearray", "--array", "8,6;6,8", "--r", "1/2", "--out", str(tmp_path / "b.png")
    )
    assert result.returncode == 0, result.stderr


def test_cli_rulearray_writes_a_run_directory_that_reloads(tmp_path):
    from conftest import run_cli

    from minimodels.runtime.storage import read_json

    out = tmp_path / "run"
    result = run_cli("rulearray", "--depth", "5", "--width", "7", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "array.json", "config.json", "rulearray.png", "run.json", "states.npy", "summary.json",
    ]  # fmt: skip
    assert (out / "rulearray.png").read_bytes()[:4] == b"\x89PNG"
    array = mm.RuleArray.from_dict(json.loads((out / "array.json").read_text()))
    assert array.shape == (5, 7)
    states = np.load(out / "states.npy")
    assert np.array_equal(states, array.run(single_cell_inputs(7)))  # (7 inputs, 6 rows, 7)
    expected = "".join(map(str, array.output(single_cell_inputs(7))[:, 3]))
    assert read_json(out / "summary.json")["outputs"] == expected
    assert f"readout {expected}" in result.stdout
    assert read_json(out / "config.json")["array"] == array.to_dict()
    assert read_json(out / "run.json")["command"] == "rulearray"
    again = ("rulearray", "--array", str(out / "array.json"), "--inputs", "0001000")
    refused = run_cli(*again, "--out", str(out))
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    other = tmp_path / "again"
    result = run_cli(*again, "--out", str(other))  # the saved array reloads
    assert result.returncode == 0, result.stderr
    assert np.load(other / "states.npy").shape == (6, 7)
    assert f"readout {array.output(np.array([0, 0, 0, 1, 0, 0, 0]))[3]})" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--rules", "4,300"), "rule 300 is out of range for k=2, r=1 (0..255)"),
        (("--depth", "0"), "'--depth': '0' is below the smallest allowed value, 1"),
        (("--boundary", "open"), "boundary 'open' is unknown"),
        (("--array", "4,146;4"), "rectangular"),
        (("--width", "5", "--inputs", "0120"), "--inputs must be 'single' or 5 binary digits"),
        (("--readout", "99"), "--readout 99 is outside the row"),
        (("--save", "array.txt"), "--save must name a .json file"),
    ],
)
@pytest.mark.parametrize("out", ["x.png", "run"])
def test_cli_rulearray_bad_input_exits_2_with_one_line(tmp_path, args, message, out):
    from conftest import run_cli

    result = run_cli("rulearray", *args, "--out", str(tmp_path / out), cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert message.lower() in result.stderr.lower()
    assert list(tmp_path.iterdir()) == []
