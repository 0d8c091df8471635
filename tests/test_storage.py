import json
import os
from dataclasses import dataclass

import numpy as np
import pytest

from minimodels.runtime import storage


@dataclass(frozen=True)
class _Config:
    width: int = 3
    rate: float = 0.5
    rules: tuple[int, ...] = (4, 146)


def test_atomic_write_leaves_no_temporary_file_and_replaces_content(tmp_path):
    target = tmp_path / "a.json"
    storage.write_json(target, {"x": 1})
    storage.write_json(target, {"x": 2})
    assert json.loads(target.read_text()) == {"x": 2}
    assert os.listdir(tmp_path) == ["a.json"]


def test_failed_write_keeps_the_old_file_and_cleans_up(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), storage.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_resolved_config_records_fields_seed_and_version():
    data = storage.resolved_config(_Config(), seed=7)
    assert data["width"] == 3 and data["rules"] == [4, 146] and data["seed"] == 7
    assert isinstance(data["version"], str)


def test_to_jsonable_turns_numpy_and_non_finite_values_into_json():
    value = {"a": np.int64(3), "b": np.array([1.5, 2.0]), "c": float("inf")}
    assert storage.to_jsonable(value) == {"a": 3, "b": [1.5, 2.0], "c": None}


def test_parquet_round_trip_keeps_columns_and_metadata(tmp_path):
    path = tmp_path / "t.parquet"
    storage.write_table(
        path,
        {"function": ["0101", "1111"], "count": np.array([3, 5], dtype=np.int64)},
        metadata={"truth_table": "bitstring, row i = f(binary i), x1 most significant"},
    )
    columns, metadata = storage.read_table(path)
    assert list(columns["function"]) == ["0101", "1111"]
    assert columns["count"].tolist() == [3, 5]
    assert metadata["truth_table"].startswith("bitstring")


def test_prepare_out_dir_refuses_a_file_and_an_unwritable_place(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ValueError, match="not a directory"):
        storage.prepare_out_dir(tmp_path / "f")
    with pytest.raises(ValueError, match="cannot create"):
        storage.prepare_out_dir(tmp_path / "f" / "sub")


def test_written_files_get_the_usual_permissions_not_the_temporary_files_0600(tmp_path):
    umask = os.umask(0o022)
    try:
        written = [
            storage.write_json(tmp_path / "a.json", {"x": 1}),
            storage.write_table(tmp_path / "t.parquet", {"x": np.arange(3)}),
        ]
    finally:
        os.umask(umask)
    for path in written:
        assert (os.stat(path).st_mode & 0o777) == 0o644, path


def test_an_existing_run_is_refused_offering_resume_only_where_the_command_has_it(tmp_path):
    from minimodels.base.errors import UsageError
    from minimodels.runtime.storage import RunDir

    RunDir.open(tmp_path / "run", command="ca", config={"a": 1})
    with pytest.raises(UsageError) as without:
        RunDir.open(tmp_path / "run", command="ca", config={"a": 1})
    assert "--resume" not in str(without.value) and "--overwrite" in str(without.value)
    with pytest.raises(UsageError) as offered:
        RunDir.open(tmp_path / "run", command="ca", config={"a": 1}, resume=False)
    assert "--resume to continue it" in str(offered.value)


# ---- what --overwrite and a refused run may touch


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_overwrite_replaces_a_picture_minimodels_wrote_and_refuses_anyone_elses(tmp_path, fmt):
    from matplotlib.figure import Figure

    figure = Figure()
    figure.add_subplot().plot([0, 1], [1, 0])
    theirs, ours = tmp_path / f"theirs.{fmt}", tmp_path / f"ours.{fmt}"
    figure.savefig(theirs)  # plain matplotlib: no mark
    storage.write_figure(ours.with_suffix(""), figure, formats=(fmt,))
    assert not storage.written_by_us(theirs) and storage.written_by_us(ours)
    before = theirs.read_bytes()
    with pytest.raises(ValueError, match="not written by minimodels"):
        storage.prepare_out_file(theirs, overwrite=True)
    assert theirs.read_bytes() == before
    assert storage.prepare_out_file(ours, overwrite=True) == ours
    with pytest.raises(ValueError, match="already exists"):
        storage.prepare_out_file(ours)


def test_a_file_named_like_an_output_of_an_attached_command_is_not_replaced(tmp_path):
    run = storage.RunDir.open(tmp_path / "run", command="sample", config={"a": 1})
    run.write_json("summary.json", {"x": 1})
    (run.path / "bias.json").write_text("the user's own")
    with pytest.raises(ValueError, match="not a file of this run"):
        storage.RunDir.attach(run.path, command="sample", outputs=("bias.json",))
    again = storage.RunDir.attach(run.path, command="sample", outputs=("summary.json",))
    again.write_json("summary.json", {"x": 2})
    assert json.loads((run.path / "summary.json").read_text()) == {"x": 2}
    assert (run.path / "bias.json").read_text() == "the user's own"


def test_discarding_a_fresh_run_removes_what_it_wrote_and_only_that(tmp_path):
    from minimodels.runtime.storage import rundir

    mark = rundir.fresh_run_count()
    new = storage.RunDir.open(tmp_path / "new" / "run", command="fit", config={"a": 1})
    new.write_json("summary.json", {})
    new.save_shard("shard", 0, ".json", lambda tmp: tmp.write_text("{}"))
    old = storage.RunDir.open(tmp_path / "old", command="fit", config={"a": 1})
    old.write_json("summary.json", {})
    (old.path / "notes.txt").write_text("the user's own")
    (old.path / "shards").mkdir()
    (old.path / "shards" / "mine.txt").write_text("the user's own")
    again = storage.RunDir.open(old.path, command="fit", config={"a": 2}, overwrite=True)
    again.write_json("other.json", {})
    assert rundir.fresh_run_count() == mark + 3
    rundir.discard_since(mark)
    assert rundir.fresh_run_count() == mark
    assert not (tmp_path / "new" / "run").exists()  # made by open(): removed with its files
    assert (tmp_path / "new").is_dir()  # its parent was not the run's
    left = sorted(p.relative_to(old.path).as_posix() for p in old.path.rglob("*"))
    assert left == ["notes.txt", "shards", "shards/mine.txt"]


def test_a_resumed_run_is_never_discarded(tmp_path):
    from minimodels.runtime.storage import rundir

    first = storage.RunDir.open(tmp_path / "run", command="evolve", config={"a": 1}, resume=False)
    first.write_json("summary.json", {})
    mark = rundir.fresh_run_count()
    storage.RunDir.open(first.path, command="evolve", config={"a": 1}, resume=True)
    rundir.discard_since(mark)
    assert (first.path / "summary.json").exists() and (first.path / "run.json").exists()


def test_format_count_writes_exact_ints_of_any_size_like_decimal_does():
    from decimal import Decimal

    from minimodels.base.resources import format_count

    for n in (2**5000, 3 * 10**400, 35 * 10**1700, 7**2000):
        mantissa, exponent = f"{Decimal(n):.2e}".split("e")
        assert format_count(n) == f"{float(mantissa):g}e{int(exponent)}", n
    assert format_count(20000) == "20000" and format_count(10**12) == "1e12"
