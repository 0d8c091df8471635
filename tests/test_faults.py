"""Faults, as a user's machine makes them, against every resumable command: SIGKILL at random
(seeded) moments, then ``--resume`` ends with exactly the uninterrupted run's tables; a damaged
shard or checkpoint is named and recomputed; a full disk or a file-size limit fails with one
line and keeps the completed shards; a read-only place fails with one line; and a directory
that is not the command's own run is refused and left as it was.

The default suite kills each command once; ``-m slow`` kills each several times (sometimes
its resume too, sometimes before any shard exists) and damages, fills and refuses every
command.  Every CLI run is a real subprocess (2–4 s of imports each), so the configurations in
``_faults.CASES`` are the smallest that still write several shards over a second or more.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import sys
from pathlib import Path

import pytest
from _faults import (
    CASES,
    Progress,
    assert_checksums_valid,
    assert_same_run,
    cli,
    error_lines,
    flip_bytes,
    read_only,
    resize_tmpfs,
    run_and_kill,
    run_files,
    sha256,
    snapshot,
    temp_files,
    tmpfs,
    truncate,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="process groups, /proc, rlimits and mounts"
)

RESUMABLE = list(CASES)
slow = pytest.mark.slow

# every command that writes a run directory, at its cheapest (a foreign --out is refused first)
RUN_COMMANDS = {
    "sample": ("-q",),
    "evolve": ("-q",),
    "bio": ("-q",),
    "sgd-vs-bayes": ("-q",),
    "evolution-vs-bayes": ("-q",),
    "grok": ("-q",),
    "grok-sweep": ("-q",),
    "fit": ("-q",),
    "multiway": (),
    "gallery": ("--quick", "-q"),
}


def _only(default: set[str], values) -> list:
    """Parameters: those in ``default`` run in the default suite, the rest with ``-m slow``."""
    return [v if v in default else pytest.param(v, marks=slow) for v in values]


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """``whole(command)``: the directory of an uninterrupted run of ``CASES[command]``."""
    done: dict[str, Path] = {}

    def get(command: str) -> Path:
        if command not in done:
            out = tmp_path_factory.mktemp("whole") / command
            result = cli(*CASES[command].argv(out))
            assert result.returncode == 0, result.stderr
            assert_checksums_valid(out)
            done[command] = out
        return done[command]

    return get


def _copy(run: Path, tmp_path: Path) -> Path:
    out = tmp_path / "run"
    shutil.copytree(run, out)
    return out


def _assert_one_error_line(result, *, codes=(2,)) -> str:
    lines = error_lines(result.stderr)
    assert result.returncode in codes, result.stderr
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, f"expected one line, got: {result.stderr!r}"
    assert lines[0].startswith("Error: "), lines[0]
    return lines[0]


# --------------------------------------------------------------------------- SIGKILL, --resume


def _kill_then_resume(command, whole, tmp_path, rng, *, early=False, again=False):
    """Kill a run of ``command`` at a moment drawn from ``rng`` (``again``: kill its first
    resume too), resume it to the end and compare with the uninterrupted run.  Returns the
    kills' records."""
    case = CASES[command]
    out = tmp_path / "run"
    if early:  # any moment from start-up on, shards or none
        after, delay = None, rng.uniform(0.3, 4.0)
    else:  # after some shards (checkpoints), then a little later
        after, delay = rng.randint(1, case.units), rng.uniform(0.0, 0.4)
    cuts = [run_and_kill(case, out, after=after, delay=delay, log=tmp_path / "cut-0.log")]
    if again and cuts[0].killed and (out / "config.json").exists():
        left = case.units - Progress(case, out).start if command != "grok" else 3
        after = rng.randint(1, left) if left > 0 else None
        cuts.append(
            run_and_kill(
                case,
                out,
                after=after,
                delay=rng.uniform(0.0, 0.4),
                log=tmp_path / "cut-1.log",
                extra=("--resume",),
            )
        )
    for cut in cuts:
        assert cut.returncode in (0, -signal.SIGKILL), cut.stderr
        assert "Traceback" not in cut.stderr
    if (out / "run.json").exists() and not (out / "config.json").exists():
        # killed between its two first writes: nothing to resume, and it says so
        refused = cli(*case.argv(out, "--resume"))
        assert refused.returncode == 2 and "config.json" in refused.stderr, refused.stderr
        final = cli(*case.argv(out, "--overwrite"))
    else:
        started = (out / "config.json").exists()
        final = cli(*case.argv(out, *(("--resume",) if started else ())))
    assert final.returncode == 0, final.stderr
    # a kill never damages a file (atomic writes): nothing to report on resume
    assert "damaged" not in final.stderr and "could not be read" not in final.stderr
    assert_same_run(whole(command), out)
    assert not temp_files(out), "a killed write's temporary file was left in the run"
    return cuts


# under -m slow: the two grokking commands (10 s each; their resume from a checkpoint is also
# checked by test_grokking_cli.py) and the two Bayes commands (8–12 s; they share one resume
# path, checked by test_bayes_experiments.py's resume test); the default suite kills sample,
# evolve and bio
SLOW_TO_KILL = ("grok", "grok-sweep", "sgd-vs-bayes", "evolution-vs-bayes")


@pytest.mark.parametrize(
    "command",
    [pytest.param(c, marks=slow) if c in SLOW_TO_KILL else c for c in RESUMABLE],
)
def test_sigkill_after_some_shards_then_resume_gives_the_uninterrupted_run(
    command, whole, tmp_path
):
    rng = random.Random(f"faults/{command}/0")
    case = CASES[command]
    out = tmp_path / "run"
    # early enough that the run is surely still working when the kill comes
    cut = run_and_kill(
        case,
        out,
        after=rng.randint(1, max(1, case.units // 3)),
        delay=rng.uniform(0, 0.05),
        log=tmp_path / "cut.log",
    )
    assert cut.killed, f"{command} finished before the kill; make CASES[{command!r}] bigger"
    assert cut.units >= 1
    if command == "grok":
        assert (out / "checkpoint.npz").exists() and (out / "checkpoint.npz.sha256").exists()
    else:
        assert 1 <= len(list(out.glob(case.progress))) < case.units
        assert not (out / "summary.json").exists()
    assert_checksums_valid(out)
    final = cli(*case.argv(out, "--resume"))
    assert final.returncode == 0, final.stderr
    assert "damaged" not in final.stderr
    assert_same_run(whole(command), out)
    assert not temp_files(out), "a killed write's temporary file was left in the run"
    if command == "sample":  # it says how much it took over
        assert json.loads((out / "summary.json").read_text())["n_shards_resumed"] >= 1


@slow
@pytest.mark.parametrize("moment", range(1, 4))
@pytest.mark.parametrize("command", RESUMABLE)
def test_sigkill_at_random_moments_then_resume_gives_the_uninterrupted_run(
    command, moment, whole, tmp_path
):
    rng = random.Random(f"faults/{command}/{moment}")
    cuts = _kill_then_resume(command, whole, tmp_path, rng, again=rng.random() < 0.5)
    print(command, moment, [(c.killed, c.units) for c in cuts], temp_files(tmp_path / "run"))


@slow
@pytest.mark.parametrize("command", RESUMABLE)
def test_sigkill_at_any_moment_from_start_up_on_is_recoverable(command, whole, tmp_path):
    # before, while or after the run directory and the first shards appear
    rng = random.Random(f"faults/{command}/early")
    _kill_then_resume(command, whole, tmp_path, rng, early=True)


# --------------------------------------------------------------------------- damage


def _damage_and_resume(command, whole, tmp_path, damages):
    """Damage files of a copy of the uninterrupted run, ``--resume`` it: exit 0, every damaged
    file named, the outputs as before."""
    case = CASES[command]
    out = _copy(whole(command), tmp_path)
    for name, how in damages:
        how(out / name)
    result = cli(*case.argv(out, "--resume"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    for name, _ in damages:
        shard = name.removesuffix(".sha256")
        assert any(shard in line and "damaged" in line for line in result.stderr.splitlines()), (
            f"{name}: {result.stderr!r}"
        )
    assert_same_run(whole(command), out)


def _shards(command, whole):
    case = CASES[command]
    run = whole(command)
    return sorted(p.relative_to(run).as_posix() for p in run.glob(case.shard))


@pytest.mark.parametrize("command", _only({"sample"}, RESUMABLE))
def test_a_flipped_and_a_truncated_shard_are_named_and_recomputed(command, whole, tmp_path):
    shards = _shards(command, whole)
    rng = random.Random(f"faults/damage/{command}")
    if len(shards) == 1:  # grok: its one checkpoint
        damages = [(shards[0], lambda p: flip_bytes(p, 1))]
    else:
        first, second = rng.sample(shards, 2)
        damages = [(first, lambda p: flip_bytes(p, 1)), (second, truncate)]
    _damage_and_resume(command, whole, tmp_path, damages)


@slow
def test_a_truncated_checkpoint_is_named_and_recomputed(whole, tmp_path):
    _damage_and_resume("grok", whole, tmp_path, [("checkpoint.npz", truncate)])


@slow
@pytest.mark.parametrize("command", ["sample", "evolve", "sgd-vs-bayes"])
def test_a_damaged_checksum_file_is_named_and_its_shard_recomputed(command, whole, tmp_path):
    name = _shards(command, whole)[0] + ".sha256"
    _damage_and_resume(command, whole, tmp_path, [(name, lambda p: p.write_text("0" * 64))])


@slow
def test_a_shard_killed_before_its_checksum_is_quietly_recomputed(whole, tmp_path):
    # a kill between the rename and the checksum leaves a shard without one: never trusted
    out = _copy(whole("sample"), tmp_path)
    (out / "shards/shard-000003.parquet.sha256").unlink()
    flip_bytes(out / "shards/shard-000003.parquet", 2)
    result = cli(*CASES["sample"].argv(out, "--resume"))
    assert result.returncode == 0, result.stderr
    assert_same_run(whole("sample"), out)


@slow
def test_a_shard_that_matches_its_checksum_but_cannot_be_read_is_recomputed(whole, tmp_path):
    out = _copy(whole("sample"), tmp_path)
    shard = out / "shards/shard-000002.parquet"
    shard.write_bytes(b"not parquet at all")
    (out / "shards/shard-000002.parquet.sha256").write_text(sha256(shard) + "\n")
    result = cli(*CASES["sample"].argv(out, "--resume"))
    assert result.returncode == 0, result.stderr
    assert "shard-000002.parquet could not be read" in result.stderr
    assert_same_run(whole("sample"), out)


@slow
def test_resume_clears_the_temporary_files_a_kill_left_behind(whole, tmp_path):
    # the names real SIGKILLs of sample left: a shard's temporary and the one inside it
    out = _copy(whole("sample"), tmp_path)
    left = [
        "shards/.shard-000003.parquet.gscc_jrn.tmp",  # save_checked's, half written
        "shards/..shard-000003.parquet.gscc_jrn.tmp.cfb0nb3y.tmp",  # write_table's inside it
        ".functions.parquet.x1y2z3w4.tmp",
    ]
    for name in left:
        (out / name).write_bytes(b"PAR1 half a table")
    result = cli(*CASES["sample"].argv(out, "--resume"))
    assert result.returncode == 0, result.stderr
    assert temp_files(out) == []


@slow
def test_resume_keeps_a_users_own_dot_tmp_file(whole, tmp_path):
    out = _copy(whole("sample"), tmp_path)
    (out / ".scratch.tmp").write_text("the user's own")
    result = cli(*CASES["sample"].argv(out, "--resume"))
    assert result.returncode == 0, result.stderr
    assert (out / ".scratch.tmp").read_text() == "the user's own"


@slow
def test_a_run_killed_during_its_first_write_can_be_started_again(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / ".run.json.ab12cd34.tmp").write_text('{"comm')
    result = cli(*CASES["sample"].argv(out))
    assert result.returncode == 0, result.stderr
    assert not temp_files(out)


@pytest.mark.parametrize("name", ["config.json", pytest.param("run.json", marks=slow)])
@pytest.mark.parametrize("command", _only({"sample"}, RESUMABLE))
def test_a_garbled_config_or_run_file_is_refused_with_one_line(command, name, whole, tmp_path):
    out = _copy(whole(command), tmp_path)
    (out / name).write_text('{"model": "6-20-20-1", "samp')
    before = snapshot(out)
    result = cli(*CASES[command].argv(out, "--resume"))
    line = _assert_one_error_line(result)
    assert name in line and "damaged" in line, line
    assert snapshot(out) == before


# --------------------------------------------------------------------------- full disk


@pytest.fixture(scope="module")
def size_limited_sample(tmp_path_factory, whole):
    """``sample`` under a 64 KiB file-size limit: every shard fits, the final table does not.
    The whole run first, so that numba's on-disk cache (files over the limit) is written."""
    whole("sample")
    out = tmp_path_factory.mktemp("fsize") / "run"
    result = cli(*CASES["sample"].argv(out), file_size_limit=64 * 1024)
    return out, result


def test_a_file_size_limit_fails_with_one_line_and_keeps_the_shards(
    size_limited_sample, whole, tmp_path
):
    limited, result = size_limited_sample
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "Internal error" not in result.stderr
    lines = error_lines(result.stderr)
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    out = _copy(limited, tmp_path)
    assert len(list(out.glob(CASES["sample"].progress))) == CASES["sample"].units
    assert_checksums_valid(out)
    assert not (out / "functions.parquet").exists() and not temp_files(out)
    again = cli(*CASES["sample"].argv(out, "--resume"))
    assert again.returncode == 0, again.stderr
    assert_same_run(whole("sample"), out)


def test_a_file_size_limit_is_named_as_such_with_the_way_on(size_limited_sample):
    # pyarrow's own OSError (EFBIG, no filename) once came out as its raw message
    _, result = size_limited_sample
    line = error_lines(result.stderr)[0].lower()
    assert ("full" in line or "limit" in line) and "--resume" in line, line


def _usage(run: Path) -> int:
    """Bytes ``run`` takes on a tmpfs (whole pages per file)."""
    return sum(-(-p.stat().st_size // 4096) * 4096 for p in run.rglob("*") if p.is_file())


@pytest.mark.parametrize("command", _only(set(), RESUMABLE))
def test_a_full_disk_fails_with_one_line_keeps_completed_shards_and_resumes(
    command, whole, tmp_path
):
    case = CASES[command]
    reference = whole(command)
    disk = tmp_path / "disk"
    with tmpfs(disk, size=_usage(reference) // 2):
        out = disk / "run"
        result = cli(*case.argv(out))
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr and "Internal error" not in result.stderr
        lines = error_lines(result.stderr)
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert_checksums_valid(out)  # what was completed is whole
        if command != "grok":
            assert list(out.glob(case.progress)), "no completed shard was kept"
        resize_tmpfs(disk, 64 << 20)
        again = cli(*case.argv(out, "--resume"))
        assert again.returncode == 0, again.stderr
        assert_same_run(reference, out)


# --------------------------------------------------------------------------- read-only places


@pytest.mark.parametrize("command", _only({"sample"}, RUN_COMMANDS))
def test_an_out_inside_a_read_only_directory_fails_with_one_line(command, tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir()
    (parent / "keep.txt").write_text("mine")
    before = snapshot(parent)
    with read_only(parent):
        result = cli(command, *RUN_COMMANDS[command], "--out", str(parent / "run"))
    _assert_one_error_line(result, codes=(1, 2))
    assert snapshot(parent) == before


@pytest.mark.parametrize("command", _only({"sample"}, RESUMABLE))
def test_resume_in_a_read_only_run_fails_with_one_line_and_touches_nothing(
    command, whole, tmp_path
):
    out = _copy(whole(command), tmp_path)
    flip_bytes(next(iter(sorted(out.glob(CASES[command].shard)))), 3)  # work it would redo
    before = snapshot(out)
    with read_only(out):
        result = cli(*CASES[command].argv(out, "--resume"))
    _assert_one_error_line(result, codes=(1, 2))
    assert snapshot(out) == before


# --------------------------------------------------------------------------- refusals


def _foreign(tmp_path: Path) -> Path:
    out = tmp_path / "mine"
    (out / "notes").mkdir(parents=True)
    (out / "data.csv").write_text("a,b\n1,2\n")
    (out / "notes" / "todo.txt").write_text("the user's own")
    (out / "config.json").write_text('{"not": "a minimodels run"}')
    return out


@pytest.mark.parametrize("command", list(RUN_COMMANDS))
def test_a_foreign_directory_is_refused_and_left_as_it_was(command, tmp_path):
    out = _foreign(tmp_path)
    before = snapshot(out)
    result = cli(command, *RUN_COMMANDS[command], "--out", str(out))
    line = _assert_one_error_line(result)
    assert "--out" in line and str(out) in line, line
    assert snapshot(out) == before


@pytest.mark.parametrize("command", _only({"sample"}, RUN_COMMANDS))
def test_a_refusal_is_one_line_with_progress_bars_on(command, tmp_path):
    # a bar drawn before the checks once put a line of its own above the error
    out = _foreign(tmp_path)
    args = [a for a in RUN_COMMANDS[command] if a != "-q"]
    result = cli(command, *args, "--out", str(out))
    _assert_one_error_line(result)


@pytest.mark.parametrize("where", ["missing", pytest.param("empty", marks=slow), "foreign"])
@pytest.mark.parametrize("command", _only({"sample"}, RESUMABLE))
def test_resume_where_there_is_no_run_is_refused(command, where, tmp_path):
    out = {"missing": tmp_path / "nothing", "empty": tmp_path / "empty"}.get(where)
    if where == "empty":
        out.mkdir()
    elif where == "foreign":
        out = _foreign(tmp_path)
    before = snapshot(out)
    result = cli(*CASES[command].argv(out, "--resume"))
    line = _assert_one_error_line(result).replace(str(out), "DIR")
    assert "--out 'DIR'" in line and "holds no minimodels run" in line, line
    assert snapshot(out) == before and out.exists() == (where != "missing")


@pytest.mark.parametrize("command", _only({"sample"}, RESUMABLE))
def test_an_existing_run_is_refused_without_resume_or_overwrite(command, whole, tmp_path):
    out = _copy(whole(command), tmp_path)
    before = snapshot(out)
    result = cli(*CASES[command].argv(out))
    line = _assert_one_error_line(result)
    assert "--resume" in line and "--overwrite" in line, line
    both = cli(*CASES[command].argv(out, "--resume", "--overwrite"))
    _assert_one_error_line(both)
    assert snapshot(out) == before


def test_resume_with_another_option_names_it_and_a_run_of_another_command_is_refused(
    whole, tmp_path
):
    out = _copy(whole("evolve"), tmp_path)
    before = snapshot(out)
    args = list(CASES["evolve"].argv(out, "--resume"))
    args[args.index("--steps") + 1] = "5e4"
    line = _assert_one_error_line(cli(*args))
    assert "steps" in line and "30000" in line and "50000" in line, line
    line = _assert_one_error_line(cli(*CASES["bio"].argv(out, "--resume")))
    assert "evolve" in line and "bio" in line, line
    assert snapshot(out) == before


OVERWRITE_ONLY = {  # non-resumable run commands, at small configurations
    "fit": ("--steps", "200", "-q"),
    "multiway": ("--runs", "2", "--steps", "50"),
}


@pytest.mark.parametrize("command", _only({"sample"}, [*RESUMABLE, *OVERWRITE_ONLY]))
def test_overwrite_replaces_the_run_and_keeps_the_users_own_files(command, whole, tmp_path):
    if command in OVERWRITE_ONLY:
        reference = tmp_path / "first"
        argv = [command, *OVERWRITE_ONLY[command]]
        assert cli(*argv, "--out", str(reference)).returncode == 0
        out = _copy(reference, tmp_path)
    else:
        reference = whole(command)
        out = _copy(reference, tmp_path)
        argv = [command, *CASES[command].args]
    (out / "my notes.txt").write_text("the user's own")
    (out / "analysis").mkdir()
    (out / "analysis" / "fig.py").write_text("print('mine')")
    users = ["my notes.txt", "analysis/fig.py"]
    if (out / "shards").is_dir():  # a file of the user's among the shards stays too
        (out / "shards" / "mine.txt").write_text("the user's own")
        users.append("shards/mine.txt")
    mine = {k: v for k, v in snapshot(out).items() if k in users}
    assert len(mine) == len(users)
    result = cli(*argv, "--out", str(out), "--overwrite")
    assert result.returncode == 0, result.stderr
    after = snapshot(out)
    assert {k: after[k] for k in mine} == mine
    assert run_files(out) == run_files(reference) | set(users)
    if command in CASES:
        for name in users:
            (out / name).unlink()
        (out / "analysis").rmdir()
        assert_same_run(reference, out)


# --------------------------------------------------------------------------- bad input


BAD_INPUT = [
    # (arguments, what the one line must name); "RUN" is a finished sample run.  The first
    # five were bugs: exit 1 'Internal error', a run written, or files left behind.
    pytest.param(["grok", "--op", "foo", "--out", "o"], "foo", id="grok-unknown-op"),
    pytest.param(
        ["grok-sweep", "--op", "a/b", "--out", "o"], "a/b", marks=slow, id="grok-sweep-op-a/b"
    ),
    pytest.param(["bayes-plots", "RUN"], "RUN", id="bayes-plots-of-a-sample-run"),
    pytest.param(["fit", "--n-train", "1e12", "--out", "o"], "1e12", id="fit-n-train-1e12"),
    pytest.param(
        ["fit", "--target-loss", "nan", "--steps", "10", "--out", "o"],
        "nan",
        marks=slow,
        id="fit-target-loss-nan",
    ),
    pytest.param(["sample", "--samples", "1e12", "--out", "o"], "1e12", id="sample-1e12"),
    pytest.param(
        ["evolve", "--width", "2.5", "--out", "o"], "--width", marks=slow, id="evolve-width-2.5"
    ),
    pytest.param(
        ["grok", "--checkpoint-every", "7", "--out", "o"],
        "checkpoint",
        marks=slow,
        id="grok-checkpoint-every-7",
    ),
    pytest.param(["ca", "--rule", "256", "--out", "x.png"], "256", marks=slow, id="ca-rule-256"),
    pytest.param(["bias-plots", "nothing"], "nothing", marks=slow, id="bias-plots-of-nothing"),
    # Found by a review: exit 1 (memory or a number too long to print), the wrong option named,
    # or a run directory left behind by a refusal that came after the run was opened.
    pytest.param(["fit", "--widths", "2-4-1", "--out", "o"], "--widths", id="fit-widths-2-in"),
    pytest.param(["fit", "--steps", "1e12", "--out", "o"], "steps", id="fit-steps-1e12"),
    pytest.param(["insides", "--lr", "0", "--out", "o"], "--lr", id="insides-lr-0"),
    pytest.param(["grok", "--beta1", "1.5", "--out", "o"], "--beta1", id="grok-beta1-1.5"),
    pytest.param(
        ["grok-sweep", "--x-values", "0.5,2", "--out", "o"], "--x-values", id="grok-sweep-frac-2"
    ),
    pytest.param(["ca", "--r", "1000000", "--out", "x.png"], "--r", id="ca-r-1e6"),
    pytest.param(
        ["evolution-vs-bayes", "--rules", "4", "--out", "o"], "--rules", id="evo-bayes-one-rule"
    ),
    pytest.param(
        ["learners", "--task", "bump", "--seeds", "1e12", "--out", "o"],
        "--seeds",
        id="learners-seeds-1e12",
    ),
    pytest.param(
        ["learners", "--task", "bump", "--learners", "poly", "--poly-degree", "1e6", "--out", "o"],
        "--poly-degree",
        id="learners-poly-degree-1e6",
    ),
    pytest.param(
        ["double-descent", "--seeds", "1e12", "--out", "o"], "--seeds", id="dd-seeds-1e12"
    ),
    pytest.param(
        ["double-descent", "--budget", "1e12", "--out", "o"], "--budget", id="dd-budget-1e12"
    ),
    pytest.param(["landscape", "--runs", "1e12", "--out", "o"], "--runs", id="landscape-runs"),
    pytest.param(
        ["landscape", "--trace-samples", "1", "--out", "o"],
        "--trace-samples",
        id="landscape-trace-samples-1",
    ),
    pytest.param(
        ["landscape", "--eigenvalues", "1000", "--out", "o"],
        "--eigenvalues",
        id="landscape-eigenvalues-1000",
    ),
    pytest.param(["scaling", "--seeds", "1e12", "--out", "o"], "--seeds", id="scaling-seeds"),
    pytest.param(
        ["sgd-vs-bayes", "--overtrain", "1e12", "--out", "o"], "years", id="sgd-overtrain-1e12"
    ),
]


@pytest.mark.parametrize(("args", "names"), BAD_INPUT)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(args, names, whole, tmp_path):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    if "RUN" in args:
        shutil.copytree(whole("sample"), cwd / "RUN")
    before = snapshot(cwd)
    # an internal error's traceback file lands here, not in the user's cache
    result = cli(*args, cwd=cwd, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    line = _assert_one_error_line(result)
    assert names in line, line
    assert snapshot(cwd) == before
