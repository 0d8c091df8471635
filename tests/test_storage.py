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
