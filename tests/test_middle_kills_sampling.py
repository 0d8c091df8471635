"""Sampling runs, function tables, the bias analysis and the complexity inputs at their edges.

Expected values come from :mod:`reference` (dicts of strings, the LZ76 definition), from the
plain NumPy samplers (``reference_truth_tables``, held equal to the compiled kernels in
test_sampling.py and test_sampling_substrates.py), from closed forms (a net whose weights are
all zero computes a constant; with no biases the all-zeros input gives 0) or from numbers
worked by hand in the comments; none from the code under test.  Every run is tiny and serial.
"""

import errno
import functools
import json
import math
import os
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from reference import lz, tables as ref

import minimodels as mm
from minimodels.analysis import complexity
from minimodels.analysis.sampling import analysis, files, mlp, runs, substrates, tables
from minimodels.analysis.sampling.models import parse_model
from minimodels.analysis.sampling.streams import run_key
from minimodels.base.errors import StorageError, UsageError
from minimodels.experiments import simplicity

PUBLIC_COLUMNS = ["function", "count", "probability", "k_lz", "entropy", "n_ones"]


def as_dict(table: tables.FunctionTable) -> dict[str, int]:
    return dict(zip(table.strings().tolist(), table.counts.tolist(), strict=True))


def table_of(tally: dict[str, int]) -> tables.FunctionTable:
    return tables.from_strings(list(tally), list(tally.values()))


def plain_tally(model: str, samples: int, seed: int, **init) -> dict[str, int]:
    """The counts a run must report, from the plain sampler of the model, net by net."""
    spec = parse_model(model)
    sampler = mlp if model[0].isdigit() else substrates
    truth = sampler.reference_truth_tables(spec, run_key(seed), 0, samples, **init)
    return ref.tabulate(ref.as_string(row) for row in truth)


def all_strings(n: int) -> list[str]:
    return [format(i, f"0{2**n}b") for i in range(2 ** (2**n))]


# --------------------------------------------------------------------------- merging shards


def test_merging_many_small_shard_tables_equals_one_plain_tally():
    rng = np.random.default_rng(7)
    pool = all_strings(2)  # the 16 functions of 2 inputs, drawn unevenly
    draws = [pool[i] for i in rng.integers(0, 16, 300) * rng.integers(0, 2, 300)]
    merger = runs._Merger()
    for start in range(0, 300, 17):  # 18 shards: several flushes, some left pending
        merger.add(table_of(ref.tabulate(draws[start : start + 17])))
    merged = merger.result()
    assert as_dict(merged) == ref.tabulate(draws) and merged.n_samples == 300


def test_the_merger_flushes_once_the_pending_rows_reach_what_is_merged():
    # batches at least as large as the merged table: 4 merged, then 3 + 1 pending rows flush
    first, second, third = all_strings(2)[:4], all_strings(2)[4:7], all_strings(2)[7:8]
    merger = runs._Merger()
    merger.add(table_of(dict.fromkeys(first, 1)))
    assert merger.merged.n_functions == 4 and merger.pending == []
    merger.add(table_of(dict.fromkeys(second, 2)))
    assert len(merger.pending) == 1 and merger.merged.n_functions == 4  # 3 < 4: wait
    merger.add(table_of(dict.fromkeys(third, 5)))
    assert merger.pending == [] and merger.merged.n_functions == 8  # 3 + 1 ≥ 4: merged
    expected = {**dict.fromkeys(first, 1), **dict.fromkeys(second, 2), **dict.fromkeys(third, 5)}
    assert as_dict(merger.result()) == expected


def test_an_empty_merger_has_nothing_to_merge():
    with pytest.raises(UsageError, match="nothing to merge"):
        runs._Merger().result()


# --------------------------------------------------------------------------- shard tasks


@pytest.mark.parametrize(
    ("backend", "jobs", "cpus", "threads"),
    [
        ("serial", 2, 8, None),  # in this process: its threads are left as they are
        ("ray", 2, 8, None),
        ("process", 2, 8, 4),  # 8 cores over 2 workers
        ("process", 2, 9, 4),  # whole threads: 9 // 2
        ("process", 4, 4, 1),
        ("process", 8, 4, 1),  # at least one
        ("process", None, 8, 1),  # a worker per core
        ("process", 1, 8, None),  # one worker runs in this process
        ("process", None, None, None),  # an unknown core count: one worker
    ],
)
def test_shard_tasks_split_the_cores_among_process_workers(
    monkeypatch, backend, jobs, cpus, threads
):
    monkeypatch.setattr(os, "cpu_count", lambda: cpus)
    config = runs.SampleConfig(model="2-2-1", samples=30, shard_size=10)
    tasks = runs._tasks(config, range(3), backend, jobs)
    assert tasks == [runs.ShardTask(config, s, threads) for s in range(3)]
    assert [t.threads for t in tasks] == [threads] * 3


def test_a_shard_sets_its_worker_threads_and_its_table_does_not_depend_on_them():
    import numba

    config = runs.SampleConfig(model="3-4-1", samples=40, seed=5, shard_size=40).validated()
    before = numba.get_num_threads()
    try:
        one = runs.run_shard(runs.ShardTask(config, 0, threads=1))
        assert numba.get_num_threads() == 1
        most = runs.run_shard(runs.ShardTask(config, 0, threads=10**6))  # capped
        assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS
    finally:
        numba.set_num_threads(before)
    assert as_dict(one) == as_dict(most) == plain_tally("3-4-1", 40, 5)


# --------------------------------------------------------------------------- initialisations


@pytest.mark.parametrize("model", ["3-4-1", "mesh:6x2:n=2"])
def test_zero_weight_scale_gives_only_constant_functions(model):
    # every weight 0: each unit sees only its bias, so the output is the same on every input
    table = mm.sample_functions(model, samples=60, seed=1, sigma_w=0.0, shard_size=25)
    size = 2 ** parse_model(model).n_inputs
    assert set(as_dict(table)) <= {"0" * size, "1" * size} and table.n_samples == 60


@pytest.mark.parametrize("model", ["3-4-1", "mesh:6x2:n=2"])
def test_zero_bias_scale_maps_the_all_zeros_input_to_zero(model):
    # no biases: input 0…0 gives pre-activations 0 everywhere, and 0 is not > 0
    table = mm.sample_functions(model, samples=60, seed=2, sigma_b=0.0, shard_size=25)
    assert all(f[0] == "0" for f in as_dict(table))
    assert as_dict(table) == plain_tally(model, 60, 2, sigma_b=0.0)
    assert table.n_functions > 1


@pytest.mark.parametrize("model", ["3-4-1", "mesh:6x2:n=2"])
def test_uniform_init_ignores_the_sigmas_and_matches_the_plain_sampler(model):
    # DESIGN.md §4: uniform draws use ±√(6 or 3/fan_in), not σw, σb; at σ = 0 a gaussian net
    # would give the zero function only
    table = mm.sample_functions(
        model, samples=60, seed=3, init="uniform", sigma_w=0.0, sigma_b=0.0, shard_size=25
    )
    expected = plain_tally(model, 60, 3, init="uniform", sigma_w=0.0, sigma_b=0.0)
    assert as_dict(table) == expected and len(expected) > 1


# --------------------------------------------------------------------------- in memory


def test_sample_functions_refuses_the_jax_engine_for_a_mesh_net():
    with pytest.raises(UsageError, match="engine 'jax' samples fully connected nets"):
        mm.sample_functions("mesh:6x2:n=2", samples=5, engine="jax", backend="serial")


def test_sample_functions_reports_progress_and_runs_serial_shards_in_this_process(monkeypatch):
    calls, progress = [], []
    real = runs.run_shard

    def recorded(task):  # a closure: it could not even be sent to a worker process
        calls.append((os.getpid(), task.shard))
        return real(task)

    monkeypatch.setattr(runs, "run_shard", recorded)
    table = mm.sample_functions(
        "2-3-1",
        samples=25,
        seed=4,
        shard_size=10,
        backend="serial",
        on_progress=lambda done, total: progress.append((done, total)),
    )
    assert sorted(calls) == [(os.getpid(), s) for s in range(3)]
    assert progress[0] == (0, 3) and progress[-1] == (3, 3)
    assert as_dict(table) == plain_tally("2-3-1", 25, 4)


# --------------------------------------------------------------------------- runs on disk


def test_a_shard_written_and_read_back_is_the_same_table(tmp_path):
    strings = ["01" * 64, "0" * 128, "0110" * 32]  # n = 7: two words per function
    table = tables.from_strings(strings, [3, 1, 2])
    runs._write_shard(tmp_path / "s.parquet", table)
    back = runs._read_shard(tmp_path / "s.parquet")
    assert back.n_inputs == 7 and as_dict(back) == dict(zip(strings, [3, 1, 2], strict=True))
    assert back.words.dtype == np.uint64 and back.counts.dtype == np.int64


def test_a_run_records_its_command_and_config_and_can_be_overwritten(tmp_path):
    config = runs.SampleConfig(model="3-4-1", samples=50, seed=3, shard_size=20)
    run = runs.sample_run(config, tmp_path / "r", backend="serial")
    assert json.loads((tmp_path / "r" / "run.json").read_text())["command"] == "sample"
    assert run.config == config.validated() and run.notes == []
    assert as_dict(run.table) == plain_tally("3-4-1", 50, 3)
    assert run.summary["n_shards"] == 3 and run.summary["n_shards_resumed"] == 0
    again = runs.sample_run(config, tmp_path / "r", backend="serial", overwrite=True)
    assert as_dict(again.table) == plain_tally("3-4-1", 50, 3)


def test_a_serial_run_computes_its_shards_in_this_process(tmp_path, monkeypatch):
    calls, real = [], runs.run_shard

    def recorded(task):  # a closure: it could not even be sent to a worker process
        calls.append((os.getpid(), task.shard))
        return real(task)

    monkeypatch.setattr(runs, "run_shard", recorded)
    config = runs.SampleConfig(model="2-3-1", samples=25, seed=8, shard_size=10)
    run = runs.sample_run(config, tmp_path / "r", backend="serial")
    assert sorted(calls) == [(os.getpid(), s) for s in range(3)]
    assert as_dict(run.table) == plain_tally("2-3-1", 25, 8)


def test_refused_jobs_leave_no_run_directory(tmp_path):
    config = runs.SampleConfig(model="2-2-1", samples=10, shard_size=5)
    with pytest.raises(UsageError, match="jobs must be at least 1, got 0"):
        runs.sample_run(config, tmp_path / "r", backend="serial", jobs=0)
    assert not (tmp_path / "r").exists()


def test_a_resumed_run_recomputes_a_damaged_shard_and_says_so(tmp_path):
    config = runs.SampleConfig(model="2-3-1", samples=30, seed=6, shard_size=10)
    runs.sample_run(config, tmp_path / "r", backend="serial")
    shard = tmp_path / "r" / "shards" / "shard-000001.parquet"
    shard.write_bytes(shard.read_bytes() + b"damage")
    resumed = runs.sample_run(config, tmp_path / "r", backend="serial", resume=True)
    assert len(resumed.notes) == 1 and "shard-000001.parquet was damaged" in resumed.notes[0]
    assert resumed.summary["n_shards_resumed"] == 2
    assert as_dict(resumed.table) == plain_tally("2-3-1", 30, 6)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOSPC, "the disk is full or a file-size limit was reached"),
        (errno.EACCES, "Permission denied"),
    ],
)
def test_a_failed_shard_write_names_the_reason_and_the_shards_kept(
    tmp_path, monkeypatch, code, reason
):
    real, written = runs._write_shard, []

    def third_fails(path, table):
        if len(written) == 2:
            raise OSError(code, os.strerror(code))
        written.append(path)
        real(path, table)

    monkeypatch.setattr(runs, "_write_shard", third_fails)
    config = runs.SampleConfig(model="2-2-1", samples=30, seed=1, shard_size=10)
    with pytest.raises(StorageError) as caught:
        runs.sample_run(config, tmp_path / "r", backend="serial")
    message = str(caught.value)
    assert f"({reason})" in message and "the 2 completed shards are kept" in message
    assert caught.value.errno == code
    if code != errno.ENOSPC:
        assert "disk is full" not in message


# --------------------------------------------------------------------------- public columns


def test_function_chunks_list_most_frequent_first_in_chunks_of_the_given_size():
    tally = {"0110": 3, "0000": 5, "1111": 3, "0101": 1, "0001": 3}
    parts = list(runs.function_chunks(table_of(tally), chunk=2))
    assert [len(p["count"]) for p in parts] == [2, 2, 1]
    rows = [
        {name: p[name][i] for name in PUBLIC_COLUMNS} for p in parts for i in range(len(p["count"]))
    ]
    wanted = ref.columns(tally)  # ties by truth table: 0001, 0110, 1111
    assert [(r["function"].as_py(), int(r["count"])) for r in rows] == [
        (w["function"], w["count"]) for w in wanted
    ]
    for got, want in zip(rows, wanted, strict=True):
        assert got["probability"] == pytest.approx(want["probability"], rel=1e-12)
        assert got["k_lz"] == want["k_lz"] and got["n_ones"] == want["n_ones"]
        assert got["entropy"] == pytest.approx(want["entropy"], abs=1e-12)
    for p in parts:
        assert p["n_ones"].dtype == np.int64 and p["count"].dtype == np.int64
        p["function"].validate(full=True)


def test_a_table_of_one_sample_has_probability_one():
    (part,) = runs.function_chunks(table_of({"0110": 1}))
    assert part["probability"].tolist() == [1.0]
    summary = runs.summarise(table_of({"0110": 1}), {}, 0.0)
    assert summary["n_singletons"] == 1 and summary["singleton_fraction"] == 1.0


@pytest.fixture
def run_dir(tmp_path):
    from minimodels.runtime.storage import RunDir

    config = runs.SampleConfig(model="2-2-1", samples=13, seed=0)
    return RunDir.open(tmp_path / "r", command="sample", config=config), config


def test_functions_written_in_chunks_give_the_count_weighted_mean_k(run_dir, monkeypatch):
    run, config = run_dir
    monkeypatch.setattr(files, "function_chunks", functools.partial(files.function_chunks, chunk=2))
    tally = {"0110": 3, "0000": 4, "0101": 1, "1000": 3, "1101": 2}
    summary = runs.write_functions(run, config, table_of(tally), seconds=0.5)
    wanted = ref.summary(tally)
    assert summary["top_function"] == wanted.pop("top_function") == "0000"
    for key, value in wanted.items():
        assert summary[key] == pytest.approx(value, rel=1e-12), key
    assert summary["seconds"] == 0.5 and summary["samples_per_second"] == 26.0  # 13 / 0.5
    assert summary["n_shards"] == config.n_shards and summary["n_shards_resumed"] == 0
    assert json.loads((run.path / "summary.json").read_text()) == summary
    written = pq.read_table(run.path / "functions.parquet")
    for got, want in zip(written.to_pylist(), ref.columns(tally), strict=True):
        assert got.keys() == want.keys()
        assert (got["function"], got["count"], got["n_ones"]) == (
            want["function"],
            want["count"],
            want["n_ones"],
        )
        for name in ("probability", "k_lz", "entropy"):
            assert got[name] == pytest.approx(want[name], rel=1e-12, abs=1e-12), name
    metadata = {k.decode(): json.loads(v) for k, v in written.schema.metadata.items()}
    assert metadata["n_inputs"] == 2 and metadata["n_samples"] == 13
    assert metadata["config"]["model"] == "2-2-1" and metadata["config"]["samples"] == 13
    table, read_back = runs.load_run(run.path)
    assert as_dict(table) == tally and read_back["config"] == metadata["config"]


def test_the_mean_k_of_a_one_sample_table_is_its_k_and_zero_seconds_give_no_rate(run_dir):
    run, config = run_dir
    summary = runs.write_functions(run, config, table_of({"0110": 1}), seconds=0.0, n_resumed=2)
    assert summary["mean_k_lz"] == lz.k_lz("0110")
    assert summary["samples_per_second"] is None and summary["n_shards_resumed"] == 2


def test_an_empty_table_still_writes_its_columns_and_reads_back_empty(run_dir):
    run, config = run_dir
    empty = tables.from_strings([], [], n_inputs=3)
    summary = runs.write_functions(run, config, empty, seconds=2.0)
    assert summary["top_function"] is None and summary["mean_k_lz"] == 0.0
    assert summary["n_samples"] == 0 and summary["samples_per_second"] == 0.0
    written = pq.read_table(run.path / "functions.parquet")
    assert written.column_names == PUBLIC_COLUMNS and written.num_rows == 0
    assert json.loads(written.schema.metadata[b"n_inputs"]) == 3
    table, metadata = runs.load_run(run.path)
    assert metadata["n_inputs"] == 3 and table.n_inputs == 3 and table.n_functions == 0
    assert table.words.shape == (0, tables.table_words(3)) and table.words.dtype == np.uint64
    assert table.counts.dtype == np.int64


def test_an_empty_n7_run_reads_back_with_two_words_and_merges_with_a_full_one(run_dir):
    # a bug found by this file: an empty run loaded as words of shape (0, 1) whatever n, so
    # merging it with an n = 7 table (two uint64 words per function) raised numpy's ValueError
    run, config = run_dir
    runs.write_functions(run, config, tables.from_strings([], [], n_inputs=7), seconds=1.0)
    empty, _ = runs.load_run(run.path)
    assert empty.words.shape == (0, 2) and empty.n_inputs == 7
    full = table_of({"01" * 64: 3, "1" * 128: 1})
    assert as_dict(tables.merge_tables([empty, full])) == {"01" * 64: 3, "1" * 128: 1}


def test_a_foreign_table_without_metadata_reads_its_size_from_the_strings(tmp_path):
    tally = {"01101001": 4, "00000000": 1, "11110000": 2}
    pq.write_table(
        pa.table({"note": ["a", "b", "c"], "count": list(tally.values()), "function": list(tally)}),
        tmp_path / "f.parquet",
    )
    table, metadata = runs.load_run(tmp_path / "f.parquet")
    assert metadata == {} and table.n_inputs == 3 and as_dict(table) == tally


def test_a_table_written_by_pandas_reads_back_without_its_bookkeeping(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"function": ["0110", "0001"], "count": [2, 5]})
    pq.write_table(pa.Table.from_pandas(frame), tmp_path / "f.parquet")
    table, metadata = runs.load_run(tmp_path / "f.parquet")
    assert "pandas" not in metadata and as_dict(table) == {"0110": 2, "0001": 5}


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string(), pa.large_binary()])
def test_packed_batches_of_any_string_type_and_slice(kind):
    strings = ["0110", "0001", "1111", "1000"]
    column = pa.array(strings, kind)
    for start, stop in [(0, 4), (0, 2), (1, 3), (3, 4)]:
        packed, size = runs._packed_batch(column.slice(start, stop - start))
        expected = [ref.pack(s) for s in strings[start:stop]]
        assert size == 4 and packed.tolist() == expected and packed.dtype == np.uint64


# --------------------------------------------------------------------------- tables


def test_tables_keep_their_documented_types_and_sizes():
    tables.check_inputs(tables.MAX_INPUTS)  # 1..MAX_INPUTS inputs, both ends allowed
    with pytest.raises(UsageError, match=r"\(1\.\.10\)"):
        tables.check_inputs(tables.MAX_INPUTS + 1)
    table = tables.count_functions(np.array([[ref.pack("0110")[0]]] * 3, np.uint64), 2)
    assert table.counts.dtype == np.int64 and table.counts.tolist() == [3]
    assert table.strings().dtype == object and table.strings().tolist() == ["0110"]
    # unsigned counts (a uint64 column) become int64: "most frequent first" sorts by −count
    weighted = tables.from_words(np.array([[3], [1]], np.uint64), np.array([2, 5], np.uint64), 2)
    assert weighted.counts.dtype == np.int64 and weighted.counts.tolist() == [5, 2]
    (part,) = runs.function_chunks(weighted)
    assert part["count"].tolist() == [5, 2]
    empty = tables.count_functions(np.zeros((0, 1), np.uint64), 3)
    assert empty.words.shape == (0, 1) and empty.n_functions == 0
    assert tables.from_strings([], []).n_inputs == 1  # no size given: the least, 1 input


# --------------------------------------------------------------------------- bias analysis


def test_the_bound_of_a_single_k_level_is_undefined_but_keeps_its_points():
    # only the functions seen twice or more count: both have K = 3
    a, b, points = analysis.fit_bound(np.array([3.0, 3.0, 5.0]), np.array([4, 2, 1]), 7)
    assert math.isnan(a) and math.isnan(b)
    assert points["k"].tolist() == [3.0]
    assert points["log2_p"].tolist() == pytest.approx([math.log2(4 / 7)])


def test_the_bound_takes_the_hull_edge_above_a_mean_k_that_is_a_vertex():
    # log2 P = −4, −2, −1 at K = 0, 1, 2 (concave: all three on the hull); mean K = 1 is a
    # vertex, and the edge above it is K 1 → 2, slope 1: log2 P ≤ K − 3, i.e. a = −1, b = 3
    a, b, _ = analysis.fit_bound(np.array([0.0, 1.0, 2.0]), np.array([2, 8, 16]), 32)
    assert (a, b) == pytest.approx((-1.0, 3.0))


def test_the_upper_hull_drops_points_on_or_just_below_a_segment():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    assert analysis._upper_hull(x, np.array([0.0, 1.0, 2.0, 0.0])) == [0, 2, 3]  # collinear
    assert analysis._upper_hull(x[:3], np.array([0.0, -0.25, 0.0])) == [0, 2]
    assert analysis._upper_hull(x[:3], np.array([0.0, 0.25, 0.0])) == [0, 1, 2]


def test_random_k_is_exact_up_to_16_bits_and_sampled_beyond():
    rng = np.random.default_rng(0)
    values, p = analysis.random_k_distribution(16, rng=rng, n_strings=10)
    # all 2^16 strings: only the two constants have K = log2 16 = 4 (others have c ≥ 2)
    assert values[0] == 4.0 and p[0] == 2 / 2**16 and p.sum() == pytest.approx(1.0)
    assert np.all(p * 2**16 == np.round(p * 2**16))
    values, p = analysis.random_k_distribution(17, rng=rng, n_strings=50)
    assert np.allclose(p * 50, np.round(p * 50)) and len(values) > 1  # 50 random strings


def test_the_analysis_samples_n_random_strings_and_has_no_label_by_default():
    table = table_of({"01" * 16: 3, "0" * 32: 2, "0110" * 8: 1})  # 32 bits: sampled
    a = analysis.analyse(table, rng=np.random.default_rng(1), n_random=40)
    assert a.label == "" and np.allclose(a.random_p_k * 40, np.round(a.random_p_k * 40))


def test_the_listed_bound_b_has_three_decimals():
    # 0…0 (K = 3) five times, 0101… (K = 9) three times, of 8: the line through the two
    # points has slope log2(3/5)/6 and log2 P = −aK − b
    slope = math.log2(3 / 5) / 6
    b = -(math.log2(5 / 8) - 3 * slope)
    assert round(b, 3) != round(b, 4)
    numbers = analysis.analyse(
        table_of({"0" * 8: 5, "01" * 4: 3}), rng=np.random.default_rng(0)
    ).numbers()
    assert numbers["bound b"] == round(b, 3)
    assert numbers["bound a (log2 P ≤ −aK − b)"] == round(-slope, 3)


# --------------------------------------------------------------------------- complexity


def test_uint8_values_above_one_and_a_bare_string_array_are_refused():
    with pytest.raises(UsageError, match="expected 0/1 values, got 2"):
        complexity.as_bits(np.array([0, 2], np.uint8))
    with pytest.raises(UsageError, match=r"1-D or 2-D 0/1 array, got shape \(\)"):
        complexity.as_bits(np.array("0110"))  # not a batch of four 1-bit strings


def test_one_bit_batches_give_one_zero_per_row():
    assert complexity.k_lz(np.ones((3, 1), np.uint8)).tolist() == [0.0, 0.0, 0.0]
    assert complexity.k_lz(np.zeros((0, 1), np.uint8)).shape == (0,)


@pytest.mark.parametrize("length", [127, 128, 129])
def test_k_lz_around_the_128_bit_kernel_switch_is_its_definition(length):
    rng = np.random.default_rng(length)
    batch = rng.integers(0, 2, (6, length)).astype(np.uint8)
    batch[0] = 0
    batch[1, : length // 2] = 1
    strings = ["".join(map(str, row)) for row in batch]
    assert complexity.k_lz(batch).tolist() == [lz.k_lz(s) for s in strings]


def test_one_string_gives_one_plain_number():
    h = complexity.entropy("0111")
    assert type(h) is float and h == pytest.approx(
        -(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25))
    )
    size = complexity.expression_size("0110")
    assert type(size) is int and size == 4  # x1 x2' + x1' x2
    assert complexity.expression_size(["0110"]).tolist() == [4]
    assert complexity.entropy(["0111", "0000"]).tolist() == pytest.approx([h, 0.0])


# ------------------------------------------------------------- survivors of the mutation run


def random_baseline(rng: np.random.Generator, n_strings: int, length: int):
    """K values and P(K) of ``n_strings`` uniform ``length``-bit strings, one uint8 draw."""
    strings = rng.integers(0, 2, size=(n_strings, length), dtype=np.uint8)
    values, counts = np.unique(complexity.k_lz(strings), return_counts=True)
    return values.tolist(), (counts / n_strings).tolist()


def test_a_jax_engine_shard_hands_its_nets_and_initialisation_to_the_jax_sampler(monkeypatch):
    from minimodels.analysis.sampling import (
        jax_engine,  # imports no JAX: its sampler is replaced here
    )

    seen = []
    words = np.array([ref.pack("0110"), ref.pack("0001"), ref.pack("0110")], np.uint64)

    def fake(spec, key, first, n, *, init="gaussian", sigma_w=1.0, sigma_b=1.0):
        seen.append((spec, key, first, n, init, sigma_w, sigma_b))
        return words

    monkeypatch.setattr(jax_engine, "truth_tables", fake)
    config = runs.SampleConfig(
        model="2-3-1", init="uniform", sigma_w=2.5, sigma_b=0.5, samples=10, seed=7,
        shard_size=4, engine="jax",
    )  # fmt: skip
    table = runs.run_shard(runs.ShardTask(config, 2))  # the last shard: nets 8 and 9
    assert seen == [(parse_model("2-3-1"), run_key(7), 8, 2, "uniform", 2.5, 0.5)]
    assert as_dict(table) == {"0110": 2, "0001": 1}


def test_the_simplicity_random_baseline_draws_from_the_seeds_second_stream():
    config = simplicity.SimplicityConfig(model="5-3-1", samples=30, seed=2)
    result = simplicity.run(config).analysis
    rng = np.random.default_rng(np.random.SeedSequence(2, spawn_key=(1,)))
    values, p = random_baseline(rng, 20_000, 32)  # 32-bit strings: sampled
    assert result.random_k_values.tolist() == values and result.random_p_k.tolist() == p


def test_the_zipf_line_is_float64_whatever_the_rank_type():
    ranks = np.array([1, 3, 7], np.float32)
    line = analysis.zipf_line(3, ranks)  # 1 / (ln(2^8) · r)
    assert line.dtype == np.float64
    assert line.tolist() == pytest.approx([1 / (8 * math.log(2) * r) for r in (1, 3, 7)], rel=1e-15)


def test_the_random_k_baseline_and_the_analysis_sample_200000_strings_by_default():
    values, p = analysis.random_k_distribution(17, rng=np.random.default_rng(3))
    assert (values.tolist(), p.tolist()) == random_baseline(np.random.default_rng(3), 200_000, 17)
    table = table_of({"01" * 16: 3, "0" * 32: 2, "0110" * 8: 1})  # 32 bits: sampled
    a = analysis.analyse(table, rng=np.random.default_rng(4))
    wanted = random_baseline(np.random.default_rng(4), 200_000, 32)
    assert (a.random_k_values.tolist(), a.random_p_k.tolist()) == wanted


def test_sample_functions_defaults_to_100000_nets_of_7_40_40_1_from_seed_0():
    assert as_dict(mm.sample_functions(samples=3)) == plain_tally("7-40-40-1", 3, 0)
    assert mm.sample_functions("perceptron:1").n_samples == 100_000


def test_sample_functions_refuses_zero_jobs():
    with pytest.raises(UsageError, match="jobs must be at least 1, got 0"):
        mm.sample_functions("2-2-1", samples=5, jobs=0)


def test_a_sample_run_marks_its_directory_returns_its_config_times_itself_and_is_replaced(
    tmp_path,
):
    from minimodels.runtime.storage import RunDir

    config = runs.SampleConfig(model="2-3-1", samples=20, seed=1, shard_size=10)
    before = time.perf_counter()
    run = runs.sample_run(config, tmp_path / "r", backend="serial")
    elapsed = time.perf_counter() - before
    assert json.loads((tmp_path / "r" / "run.json").read_text())["command"] == "sample"
    RunDir.attach(tmp_path / "r", command="sample")  # what bias-plots checks
    assert run.config == config.validated()
    assert 0 <= run.summary["seconds"] <= elapsed
    saved = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert saved["seconds"] == run.summary["seconds"]
    again = runs.sample_run(config, tmp_path / "r", backend="serial", overwrite=True)
    assert as_dict(again.table) == plain_tally("2-3-1", 20, 1) and again.notes == []


def check_public_columns(columns, tally):
    wanted = ref.columns(tally)
    assert list(columns) == PUBLIC_COLUMNS
    assert columns["function"].dtype == object
    assert columns["count"].dtype == np.int64 and columns["n_ones"].dtype == np.int64
    assert columns["function"].tolist() == [w["function"] for w in wanted]
    assert columns["count"].tolist() == [w["count"] for w in wanted]
    assert columns["n_ones"].tolist() == [w["n_ones"] for w in wanted]
    assert columns["k_lz"].tolist() == [w["k_lz"] for w in wanted]
    for name in ("probability", "entropy"):
        assert columns[name].tolist() == pytest.approx([w[name] for w in wanted], abs=1e-12)


def test_function_columns_are_the_public_columns_at_once_in_one_chunk_or_many(monkeypatch):
    tally = {"0110": 3, "0000": 5, "1111": 3, "0101": 1, "0001": 3}
    check_public_columns(runs.function_columns(table_of(tally)), tally)  # one chunk
    monkeypatch.setattr(files, "function_chunks", functools.partial(files.function_chunks, chunk=2))
    check_public_columns(runs.function_columns(table_of(tally)), tally)  # three chunks


PUBLIC_TYPES = {
    "function": pa.string(), "count": pa.int64(), "probability": pa.float64(),
    "k_lz": pa.float64(), "entropy": pa.float64(), "n_ones": pa.int64(),
}  # fmt: skip


def test_function_columns_of_an_empty_table_keep_their_types():
    columns = runs.function_columns(tables.from_strings([], [], n_inputs=2))
    assert list(columns) == PUBLIC_COLUMNS and all(len(c) == 0 for c in columns.values())
    assert columns["function"].dtype == object
    assert columns["count"].dtype == np.int64 and columns["n_ones"].dtype == np.int64
    for name in ("probability", "k_lz", "entropy"):
        assert columns[name].dtype == np.float64


def test_an_empty_runs_functions_file_has_the_column_types_of_a_full_one(run_dir):
    # a bug found by this test: the empty table's "function" column was written as Arrow
    # type null (pa.array of an empty object array), not string like every other run's
    run, config = run_dir
    for table in (tables.from_strings([], [], n_inputs=2), table_of({"0110": 2})):
        runs.write_functions(run, config, table, seconds=1.0)
        schema = pq.read_schema(run.path / "functions.parquet")
        assert {name: schema.field(name).type for name in schema.names} == PUBLIC_TYPES


def test_an_empty_foreign_table_without_metadata_reads_back_as_zero_inputs(tmp_path):
    # no strings to measure and no n_inputs: the fallback is 0 inputs (2^0 = 1-bit strings)
    empty = {"function": pa.array([], pa.string()), "count": pa.array([], pa.int64())}
    pq.write_table(pa.table(empty), tmp_path / "f.parquet")
    table, metadata = runs.load_run(tmp_path / "f.parquet")
    assert metadata == {} and table.n_inputs == 0 and table.n_functions == 0
    assert table.words.shape == (0, 1) and table.counts.dtype == np.int64
