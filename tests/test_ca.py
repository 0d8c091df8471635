"""Cellular automata against independent oracles: closed forms and naive implementations."""

from math import comb

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minimodels as mm

# Rule 30 as Wolfram draws it: the eight neighbourhoods, 111 first, and the cell below each.
RULE_30_PICTURE = {
    "111": 0, "110": 0, "101": 0, "100": 1, "011": 1, "010": 1, "001": 1, "000": 0,
}  # fmt: skip


def naive_run(rule, row, steps, *, k=2, r=1, cyclic=True):
    """One cell at a time: the neighbourhood as a base-k number, then that digit of the rule."""
    rows = [list(int(v) for v in row)]
    width = len(row)
    for t in range(1, steps + 1):
        above, new = rows[-1], []
        for x in range(width):
            if r == 0.5:
                offsets = (0, 1) if t % 2 == 1 else (-1, 0)
            else:
                offsets = range(-r, r + 1)
            index = 0
            for offset in offsets:
                y = x + offset
                inside = 0 <= y < width
                value = above[y % width] if (cyclic or inside) else 0
                index = index * k + value
            new.append((rule // k**index) % k)
        rows.append(new)
    return np.array(rows, np.uint8)


def test_rule_90_from_one_cell_is_pascals_triangle_mod_2():
    steps, width = 40, 101
    states = mm.ca.run(90, mm.ca.single_cell(width), steps)
    centre = width // 2
    for t in range(steps + 1):
        for x in range(width):
            d = x - centre
            expected = comb(t, (t + d) // 2) % 2 if abs(d) <= t and (t + d) % 2 == 0 else 0
            assert states[t, x] == expected, (t, x)


def test_rule_30_centre_column_matches_a_lookup_of_wolframs_picture():
    steps, width = 100, 203  # wide enough that the boundary is never reached
    row = "0" * (width // 2) + "1" + "0" * (width // 2)
    centre = []
    for _ in range(steps + 1):
        centre.append(int(row[width // 2]))
        padded = "0" + row + "0"
        row = "".join(str(RULE_30_PICTURE[padded[x : x + 3]]) for x in range(width))
    states = mm.ca.run(30, mm.ca.single_cell(width), steps, boundary="zero")
    assert states[:, width // 2].tolist() == centre
    assert centre[:8] == [1, 1, 0, 1, 1, 1, 0, 0]  # the familiar start of the sequence


@pytest.mark.parametrize("boundary", ["cyclic", "zero"])
def test_all_256_elementary_rules_match_a_naive_implementation(boundary):
    rng = np.random.default_rng(0)
    row = rng.integers(0, 2, 17, dtype=np.uint8)
    for rule in range(256):
        expected = naive_run(rule, row, 9, cyclic=boundary == "cyclic")
        assert np.array_equal(mm.ca.run(rule, row, 9, boundary=boundary), expected), rule


@given(
    st.sampled_from([(2, 2), (2, 3), (3, 1), (4, 1), (3, 2), (3, 0.5), (2, 0.5)]),
    st.integers(0, 2**64),
    st.integers(1, 13),
    st.booleans(),
)
def test_larger_ranges_and_more_colours_match_a_naive_implementation(kr, seed, width, cyclic):
    k, r = kr
    rng = np.random.default_rng(seed % 2**63)
    rule = int(rng.integers(0, 2**62)) * int(rng.integers(0, 2**62)) % mm.ca.n_rules(k, r)
    row = rng.integers(0, k, width, dtype=np.uint8)
    boundary = "cyclic" if cyclic else "zero"
    got = mm.ca.run(rule, row, 6, k=k, r=r, boundary=boundary)
    assert np.array_equal(got, naive_run(rule, row, 6, k=k, r=r, cyclic=cyclic))


@pytest.mark.parametrize(("rule", "name"), [(8, "and"), (6, "xor"), (14, "or")])
def test_brick_rules_8_6_14_are_and_xor_or_of_the_left_and_right_cell(rule, name):
    truth = {"and": lambda p, q: p & q, "xor": lambda p, q: p ^ q, "or": lambda p, q: p | q}[name]
    for p in (0, 1):
        for q in (0, 1):
            # Row 1 (odd) reads (x, x+1): cell 0 sees (p, q).  Row 2 (even) reads (x-1, x).
            states = mm.ca.run(rule, [p, q, 0, 0], 1, r="1/2", boundary="zero")
            assert states[1, 0] == truth(p, q)
            two = mm.ca.run(rule, [0, 0, 0, 0], 2, r=0.5, boundary="zero")
            assert two[2, 1] == truth(two[1, 0], two[1, 1])


def test_rule_tables_and_huge_rule_numbers_round_trip():
    k, r = 4, 1
    rule = 4**64 - 12345  # needs 128 bits
    table = mm.ca.rule_table(rule, k=k, r=r)
    assert table.shape == (64,) and mm.ca.rule_number(table, k=k) == rule
    row = np.random.default_rng(1).integers(0, k, 11, dtype=np.uint8)
    assert np.array_equal(mm.ca.run(rule, row, 5, k=k), mm.ca.run(table, row, 5, k=k))
    assert np.array_equal(mm.ca.run(rule, row, 5, k=k), naive_run(rule, row, 5, k=k))


def test_initial_rows():
    assert mm.ca.single_cell(5).tolist() == [0, 0, 1, 0, 0]
    assert mm.ca.row_from_digits("0120", k=3).tolist() == [0, 1, 2, 0]
    a = mm.ca.random_row(50, k=3, rng=np.random.default_rng(7))
    assert np.array_equal(a, mm.ca.random_row(50, k=3, rng=np.random.default_rng(7)))
    assert set(a.tolist()) == {0, 1, 2}
    states = mm.ca.run(4, mm.ca.single_cell(9), 0)
    assert states.shape == (1, 9) and states.dtype == np.uint8


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mm.ca.run(256, [0, 1], 3), r"rule 256 is out of range for k=2, r=1 \(0..255\)"),
        (lambda: mm.ca.run(16, [0, 1], 3, r="1/2"), r"out of range for k=2, r=1/2 \(0..15\)"),
        (lambda: mm.ca.run(3**9, [0, 1], 3, k=3, r=0.5), r"k=3, r=1/2 \(0..19682\)"),
        (lambda: mm.ca.run(30, [0, 1], 3, boundary="open"), r"boundary 'open' is unknown"),
        (lambda: mm.ca.run(30, [0, 2], 3), r"colours 0..1"),
        (lambda: mm.ca.run(30, [], 3), r"width >= 1"),
        (lambda: mm.ca.run(30, [[0, 1]], 3), r"1-D row"),
        (lambda: mm.ca.run(30, [0, 1], -1), r"steps must be"),
        (lambda: mm.ca.run(30, [0, 1], 3, r=1.5), r"range r must be"),
        (lambda: mm.ca.run([0, 1, 1], [0, 1], 3), r"must be 8 integers"),
        (lambda: mm.ca.single_cell(0), r"width must be"),
        (lambda: mm.ca.row_from_digits("0120"), r"digits 0..1"),
    ],
)
def test_bad_input_is_refused_with_one_sentence(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_run_draws_itself_without_pyplot():
    import os
    import subprocess
    import sys
    from pathlib import Path

    three = mm.ca.run(2**20 + 7, mm.ca.random_row(15, k=3, rng=np.random.default_rng(0)), 6, k=3)
    assert mm.ca.plot(three, k=3).axes
    # In a fresh interpreter (other tests' libraries may import pyplot here), drawing a run and
    # a rule array must not import pyplot.
    code = (
        "import sys, minimodels as mm; mm.ca.plot(mm.ca.run(30, mm.ca.single_cell(21), 10)); "
        "mm.RuleArray([[4, 146]])._repr_png_(); print('matplotlib.pyplot' in sys.modules)"
    )
    src = str(Path(mm.__file__).resolve().parents[1])  # the package under test
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stdout.strip() == "False", result.stderr


# -- the command line -------------------------------------------------------------------------
def test_cli_ca_writes_a_png(tmp_path):
    from conftest import run_cli

    out = tmp_path / "rule30.png"
    result = run_cli("ca", "--rule", "30", "--width", "101", "--steps", "50", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    extra = ("--k", "3", "--r", "1", "--init", "random", "--seed", "4", "--boundary", "zero")
    result = run_cli("ca", "--rule", str(3**20), *extra, "--out", str(tmp_path / "k3.png"))
    assert result.returncode == 0, result.stderr
    again = ("ca", "--rule", "6", "--r", "1/2", "--init", "0110", "--out", str(out))
    refused = run_cli(*again)  # the picture exists: it is not ours to replace unasked
    assert refused.returncode == 2 and "--overwrite" in refused.stderr
    result = run_cli(*again, "--overwrite")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--rule", "300"), "rule 300 is out of range for k=2, r=1 (0..255)"),
        (("--rule", "30", "--boundary", "open"), "boundary 'open' is unknown"),
        (("--rule", "30", "--width", "0"), "'--width': '0' is below the smallest allowed value, 1"),
        (("--rule", "30", "--init", "012"), "digits 0..1"),
        (("--rule", "thirty"), "--rule must be a whole number"),
    ],
)
@pytest.mark.parametrize("out", ["x.png", "run"])
def test_cli_ca_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, args, message, out):
    from conftest import run_cli

    result = run_cli("ca", *args, "--out", str(tmp_path / out))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert message.lower() in result.stderr.lower()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("out", ["rule30.png", "run"])
def test_cli_ca_refuses_an_unwritable_output_path(tmp_path, out):
    from conftest import run_cli

    (tmp_path / "file").write_text("x")
    result = run_cli("ca", "--rule", "30", "--out", str(tmp_path / "file" / out))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_cli_ca_writes_a_run_directory(tmp_path):
    from conftest import run_cli

    from minimodels.runtime.storage import read_json

    out = tmp_path / "run"
    args = ("ca", "--rule", "30", "--width", "21", "--steps", "10", "--out", str(out))
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "ca.png", "config.json", "run.json", "states.npy", "summary.json",
    ]  # fmt: skip
    assert (out / "ca.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    states = np.load(out / "states.npy")
    assert states.shape == (11, 21)
    assert np.array_equal(states, mm.ca.run(30, mm.ca.single_cell(21), 10))
    assert read_json(out / "config.json")["rule"] == 30
    assert read_json(out / "run.json")["command"] == "ca"
    assert read_json(out / "summary.json")["rows"] == 11
    refused = run_cli(*args)  # a run is there: not replaced unasked
    assert refused.returncode == 2 and "--overwrite" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x")
    foreign = run_cli("ca", "--out", str(tmp_path / "mine"), "--overwrite")
    assert foreign.returncode == 2 and len(foreign.stderr.strip().splitlines()) == 1
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]
    (out / "notes.txt").write_text("mine")
    result = run_cli(*args[:-2], "--init", "random", "--out", str(out), "--overwrite")
    assert result.returncode == 0, result.stderr
    assert (out / "notes.txt").read_text() == "mine"  # only the run's own files replaced


def test_many_colours_get_distinct_palette_entries():
    from matplotlib.colors import to_hex

    from minimodels.plotting.spacetime import ca_colours

    for k in (2, 3, 6, 7, 12):
        colours = [to_hex(c) for c in ca_colours(k)]
        assert len(set(colours)) == k and colours[:2] == ["#ffffff", "#222222"]
