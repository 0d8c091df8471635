"""The JAX sampling engine: its tables are the float64 evaluation of its own parameters, its
parameters have the init scales of DESIGN.md §4, a net depends only on (seed, index), and its
function distribution is the numba engine's."""

import json
import math

import numpy as np
import pytest
from conftest import run_cli
from hypothesis import given, settings, strategies as st

import minimodels as mm
from minimodels.analysis.sampling import jax_engine, reference, tables
from minimodels.analysis.sampling.models import parse_model
from minimodels.analysis.sampling.runs import SampleConfig
from minimodels.analysis.sampling.streams import run_key
from minimodels.analysis.sampling.tables import table_words


def _float64_outputs(spec, layers) -> np.ndarray:
    """(m, 2^n) final pre-activations by a naive float64 forward pass."""
    n = spec.n_inputs
    x = ((np.arange(2**n)[:, None] >> np.arange(n - 1, -1, -1)) & 1).astype(np.float64)
    h = np.broadcast_to(x, (layers[0][0].shape[0], *x.shape))
    activate = {"relu": lambda v: np.maximum(v, 0), "tanh": np.tanh, "linear": lambda v: v}
    for layer, (w, b) in enumerate(layers):
        h = h @ w.astype(np.float64)
        if b is not None:
            h = h + b.astype(np.float64)[:, None, :]
        if layer < len(layers) - 1:
            h = activate[spec.activation](h)
    return h[:, :, 0]


@pytest.mark.parametrize(
    ("model", "init", "sigma_b"),
    [
        ("7-40-40-1", "gaussian", 1.0),
        ("7-40-40-1", "uniform", 1.0),
        ("perceptron:7", "gaussian", 0.0),
        ("4-6-5-1:tanh", "gaussian", 0.5),
        ("3-9-1:linear", "uniform", 1.0),
    ],
)
def test_jax_tables_are_the_float64_evaluation_of_the_engines_own_parameters(model, init, sigma_b):
    spec = parse_model(model)
    options = {"init": init, "sigma_w": 1.3, "sigma_b": sigma_b, "batch": 128}
    key = run_key(7)
    words = jax_engine.truth_tables(spec, key, 1000, 300, **options)
    assert words.dtype == np.uint64 and words.shape == (300, table_words(spec.n_inputs))
    fast = tables.unpacked_truth_tables(words, spec.n_inputs)
    layers = jax_engine.split_layers(
        spec, jax_engine.draw_parameters(spec, key, 1000, 300, **options)
    )
    exact = _float64_outputs(spec, layers)
    # float32 sums of ≤ 40 terms of size ~1 are within ~1e-5 of the float64 value: only outputs
    # that close to 0 may land on the other side
    differ = fast != (exact > 0)
    assert np.all(np.abs(exact[differ]) < 1e-5)
    assert differ.mean() < 1e-3
    # and the plain float32 reference of reference.py, evaluating the same parameters
    plain = reference.reference_truth_tables(spec, layers)
    assert np.all(np.abs(exact[fast != plain]) < 1e-5)
    assert 0 < fast.mean() < 1
    if not spec.bias:  # f(0…0) = [0 > 0] = 0 exactly
        assert not fast[:, 0].any()


def test_truth_tables_pack_x1_as_the_most_significant_bit_of_the_first_word():
    spec = parse_model("perceptron:7")
    words = jax_engine.truth_tables(spec, run_key(1), 0, 50, batch=128)
    w = jax_engine.draw_parameters(spec, run_key(1), 0, 50, batch=128)  # (50, 7): w1 … w7
    rows = (np.arange(128)[:, None] >> np.arange(6, -1, -1)) & 1
    bits = (rows @ w.T.astype(np.float64) > 0).T  # (50, 128); no sum here is near 0 in float32
    expected = np.zeros((50, 2), dtype=np.uint64)
    for i in range(128):
        expected[:, i // 64] |= bits[:, i].astype(np.uint64) << np.uint64(63 - i % 64)
    np.testing.assert_array_equal(words, expected)


@pytest.mark.parametrize("init", ["gaussian", "uniform"])
def test_parameters_have_the_design_init_scales(init):
    spec = parse_model("7-40-40-1")
    sigma_w, sigma_b = 1.3, 0.5
    params = jax_engine.draw_parameters(
        spec, run_key(2), 0, 2000, init=init, sigma_w=sigma_w, sigma_b=sigma_b, batch=128
    )
    for layer, (w, b) in enumerate(jax_engine.split_layers(spec, params)):
        fan_in, last = spec.widths[layer], layer == len(spec.widths) - 2
        if init == "gaussian":  # W ~ N(0, σw²/fan_in), b ~ N(0, σb²)
            expected = [(w, sigma_w**2 / fan_in), (b, sigma_b**2)]
        else:  # U(±√(6/fan_in)) hidden, U(±√(3/fan_in)) output, weights and biases alike
            bound = math.sqrt((3.0 if last else 6.0) / fan_in)
            assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
            expected = [(w, bound**2 / 3), (b, bound**2 / 3)]
        for values, variance in expected:
            v = values.astype(np.float64).ravel()
            kurtosis = 3.0 if init == "gaussian" else 1.8
            # standard error of the sample variance: σ² √((κ − 1)/N)
            error = variance * math.sqrt((kurtosis - 1) / v.size)
            assert abs(v.var() - variance) < 5 * error
            assert abs(v.mean()) < 5 * math.sqrt(variance / v.size)


def test_a_net_depends_only_on_the_seed_and_its_index():
    # (batch sizes shared with the tests above: each new one is a compilation)
    spec, options = parse_model("4-6-5-1:tanh"), {"sigma_w": 1.3, "sigma_b": 0.5}
    key = run_key(5)
    whole = jax_engine.truth_tables(spec, key, 0, 600, batch=128, **options)
    np.testing.assert_array_equal(
        jax_engine.truth_tables(spec, key, 0, 600, batch=64, **options), whole
    )
    np.testing.assert_array_equal(
        jax_engine.truth_tables(spec, key, 123, 300, batch=64, **options), whole[123:423]
    )
    # net indices beyond 2^32 carry into the high word: no wrap-around to net 0
    edge = jax_engine.draw_parameters(spec, key, 2**32 - 2, 4, batch=128, **options)
    np.testing.assert_array_equal(
        jax_engine.draw_parameters(spec, key, 2**32, 2, batch=128, **options), edge[2:]
    )
    assert not np.array_equal(
        edge[2], jax_engine.draw_parameters(spec, key, 0, 1, batch=128, **options)[0]
    )
    other = jax_engine.truth_tables(spec, run_key(6), 0, 600, batch=64, **options)
    assert (other != whole).any()


@settings(max_examples=20)
@given(
    first=st.one_of(st.integers(0, 10**13), st.integers(2**32 - 200, 2**32 + 200)),
    n=st.integers(1, 150),
    data=st.data(),
)
def test_any_split_of_a_range_of_nets_gives_the_same_tables(first, n, data):
    spec, options = parse_model("4-6-5-1:tanh"), {"sigma_w": 1.3, "sigma_b": 0.5, "batch": 64}
    k = data.draw(st.integers(0, n))
    whole = jax_engine.truth_tables(spec, run_key(8), first, n, **options)
    head = jax_engine.truth_tables(spec, run_key(8), first, k, **options)
    tail = jax_engine.truth_tables(spec, run_key(8), first + k, n - k, **options)
    np.testing.assert_array_equal(np.concatenate([head, tail]), whole)


def test_jax_counts_do_not_depend_on_shard_size_or_backend():
    options = {"samples": 3000, "seed": 4, "engine": "jax"}
    single = mm.sample_functions("5-8-8-1", shard_size=10**6, **options)
    sharded = mm.sample_functions("5-8-8-1", shard_size=700, **options)
    pooled = mm.sample_functions("5-8-8-1", shard_size=1100, backend="process", jobs=2, **options)
    for other in (sharded, pooled):
        np.testing.assert_array_equal(single.words, other.words)
        np.testing.assert_array_equal(single.counts, other.counts)
    assert single.n_samples == 3000


def _constant_zero_and_ones(table):
    """(samples computing the constant-0 function, per-sample numbers of ones as values/weights)."""
    ones = table.truth_tables().sum(axis=1)
    return int(table.counts[ones == 0].sum()), ones, table.counts


def test_jax_and_numba_engines_sample_the_same_function_distribution():
    n = 20_000
    tables = [
        mm.sample_functions("7-40-40-1", samples=n, seed=11, engine=engine)
        for engine in ("numba", "jax")
    ]
    (z1, ones1, w1), (z2, ones2, w2) = map(_constant_zero_and_ones, tables)
    # P(constant 0): two binomial proportions, pooled standard error
    p = (z1 + z2) / (2 * n)
    assert 0.01 < p < 0.99  # a probability the test can resolve
    assert abs(z1 - z2) / n < 4 * math.sqrt(p * (1 - p) * 2 / n)
    # mean number of ones: standard error from the samples' own variances
    means = [np.average(o, weights=w) for o, w in ((ones1, w1), (ones2, w2))]
    variances = [
        np.average((o - m) ** 2, weights=w)
        for o, w, m in ((ones1, w1, means[0]), (ones2, w2, means[1]))
    ]
    assert abs(means[0] - means[1]) < 4 * math.sqrt(sum(variances) / n)


def test_jax_perceptron_without_bias_has_a_uniform_number_of_ones():
    n = 5
    table = mm.sample_functions(f"perceptron:{n}", samples=40_000, seed=2, engine="jax")
    ones = table.truth_tables().sum(axis=1)
    per_t = np.bincount(ones, weights=table.counts, minlength=2**n + 1)
    assert per_t[2**n] == 0  # f(0…0) = 0, so at most 2^n − 1 ones
    expected = per_t.sum() / 2**n
    chi2 = ((per_t[: 2**n] - expected) ** 2 / expected).sum()
    assert chi2 < 75  # 31 degrees of freedom: P(chi2 > 75) ≈ 1e-5


def test_engine_is_validated_resolved_and_limited_to_fully_connected_nets():
    auto = SampleConfig(model="3-4-1", engine="auto").validated()
    assert auto.engine == ("jax" if jax_engine.has_accelerator() else "numba")
    assert SampleConfig(model="rulearray:8x3:rules=4,146", engine="auto").validated().engine == (
        "numba"
    )
    with pytest.raises(ValueError, match="unknown engine 'cuda'"):
        mm.sample_functions("3-4-1", samples=10, engine="cuda")
    with pytest.raises(ValueError, match="engine 'jax' samples fully connected nets"):
        mm.sample_functions("rulearray:8x3:rules=4,146", samples=10, engine="jax")


def test_cli_sample_with_the_jax_engine_and_refusals(tmp_path):
    out = str(tmp_path / "run")
    args = ("sample", "--model", "7-40-40-1", "--samples", "300", "--seed", "1", "--out", out)
    done = run_cli(*args, "--engine", "jax", "--backend", "serial", "-q")
    assert done.returncode == 0, done.stderr
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["engine"] == "jax"
    table, _ = mm.sampling.load_run(out)
    expected = mm.sample_functions("7-40-40-1", samples=300, seed=1, engine="jax")
    np.testing.assert_array_equal(table.words, expected.words)
    np.testing.assert_array_equal(table.counts, expected.counts)
    mixed = run_cli(*args, "--engine", "numba", "--resume", "-q")
    assert mixed.returncode == 2
    assert "engine = 'jax'" in mixed.stderr and len(mixed.stderr.strip().splitlines()) == 1
    bad = run_cli(*args[:-1], str(tmp_path / "other"), "--engine", "cuda", "-q")
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
    assert "unknown engine 'cuda'" in bad.stderr
