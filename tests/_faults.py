"""Fault-test helpers: a small-but-real configuration of every resumable command, a SIGKILL
at a chosen moment, the comparison of two run directories, snapshots of a directory, and a
small tmpfs or a read-only place where this machine allows one.

Processes lead a process group of their own (``start_new_session=True``) and the kill goes
to the whole group, workers included.  Their output goes to files, never pipes: an orphaned
worker holding a pipe open would hang the test instead of failing it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import minimodels

STARTUP = 180  # seconds allowed for imports, compilation and the first shard on a busy machine


def cli_env() -> dict[str, str]:
    src = str(Path(minimodels.__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}


def cli(
    *args: str,
    cwd: Path | None = None,
    file_size_limit: int | None = None,
    timeout: float = 600,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """``python -m minimodels ARGS`` to completion (text output captured); ``env`` adds to
    the environment.  ``file_size_limit`` (bytes) is set inside the child itself, so that a
    write past it fails with EFBIG: no ``preexec_fn``, whose fork in a process that imported
    JAX trips JAX's at-fork warning (an unraisable exception under pytest)."""
    launcher = ["-m", "minimodels"]
    if file_size_limit is not None:
        launcher = ["-c", _LIMITED.format(limit=int(file_size_limit))]
    return subprocess.run(
        [sys.executable, *launcher, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**cli_env(), **(env or {})},
        timeout=timeout,
    )


_LIMITED = (
    "import resource, runpy, signal; "
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
    "resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit})); "
    "runpy.run_module('minimodels', run_name='__main__', alter_sys=True)"
)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


# --------------------------------------------------------------------------- the commands


@dataclass(frozen=True)
class Case:
    """A resumable command at a configuration that takes a few seconds and writes ``units``
    progress marks: shard checksums matching ``progress`` (a glob inside the run), or, for
    ``grok``, rewrites of its checkpoint."""

    command: str
    options: str  # the command's options, space-separated
    progress: str
    units: int
    shard: str  # glob of the checksummed files a damage test may pick from

    @property
    def args(self) -> list[str]:
        return self.options.split()

    def argv(self, out: Path, *extra: str) -> list[str]:
        return [self.command, *self.args, "--out", str(out), *extra]


CASES = {
    case.command: case
    for case in [
        # a process pool of two, so the kill has workers to take down with the leader
        Case(
            "sample",
            "--model 6-20-20-1 --samples 6e4 --shard-size 3000 --seed 5 --backend process "
            "--jobs 2 -q",
            "shards/shard-*.parquet.sha256",
            20,
            "shards/shard-*.parquet",
        ),
        Case(
            "evolve",
            "--runs 32 --steps 3e4 --stop-at -1 --seed 1 --backend serial -q",
            "shards/runs-*.npz.sha256",
            16,
            "shards/runs-*.npz",
        ),
        Case(
            "bio",
            "--runs 16 --steps 3000 --seed 2 --backend serial -q",
            "shards/runs-*.npz.sha256",
            16,
            "shards/runs-*.npz",
        ),
        Case(
            "evolution-vs-bayes",
            "--n 3 --train-size 4 --width 5 --depth 3 --runs 64 --steps 2e4 --samples 3e5 "
            "--shards 4 --seed 3 -q",
            "shards/*.json.sha256",
            8,
            "shards/*.json",
        ),
        Case(
            "sgd-vs-bayes",
            "--model 3-8-1 --train-size 4 --runs 32 --samples 1e5 --shards 4 --seed 4 -q",
            "shards/*.json.sha256",
            5,
            "shards/*.json",
        ),
        Case(
            "grok",
            "--p 31 --steps 1200 --width 96 --checkpoint-every 120 --seed 6 -q",
            "checkpoint.npz.sha256",
            10,
            "checkpoint.npz",
        ),
        Case(
            "grok-sweep",
            "--p 23 --steps 600 --width 64 --x-values 0.3,0.5 --y-values 0,1 --seed 7 "
            "--backend serial -q",
            "shards/cell-*.json.sha256",
            4,
            "shards/cell-*.json",
        ),
    ]
}


class Progress:
    """Counts progress marks of ``case`` in ``out`` made since this watcher was created.

    Shards: new checksum files.  A checkpoint: each rewrite (a new inode: writes are renames),
    which :meth:`poll` must see, so it is called every few milliseconds.
    """

    def __init__(self, case: Case, out: Path) -> None:
        self.case, self.out = case, out
        self.rewrites = case.command == "grok"
        self.last = self._signature()
        self.seen = 0
        self.start = 0 if self.rewrites else self._count()

    def _signature(self) -> tuple[int, int] | None:
        try:
            st = (self.out / self.case.progress).stat()
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def _count(self) -> int:
        return len(list(self.out.glob(self.case.progress)))

    def poll(self) -> int:
        if self.rewrites:
            now = self._signature()
            if now is not None and now != self.last:
                self.seen += 1
                self.last = now
            return self.seen
        return self._count() - self.start


@dataclass
class Cut:
    killed: bool  # still running when the SIGKILL came (else it had finished by itself)
    units: int  # progress marks seen before the kill
    returncode: int
    stderr: str


def group_gone(pgid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


def run_and_kill(
    case: Case,
    out: Path,
    *,
    after: int | None,
    delay: float,
    log: Path,
    extra: tuple[str, ...] = (),
) -> Cut:
    """Start ``case`` into ``out``; once ``after`` new progress marks exist (None: at once),
    wait ``delay`` seconds and SIGKILL its whole process group."""
    watcher = Progress(case, out)
    with open(log, "w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "minimodels", *case.argv(out, *extra)],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=cli_env(),
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + STARTUP
        seen = watcher.poll()
        while after is not None and seen < after and process.poll() is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"{case.command}: no progress after {STARTUP} s")
            time.sleep(0.005)
            seen = watcher.poll()
        end = time.monotonic() + delay
        while time.monotonic() < end and process.poll() is None:
            seen = watcher.poll()
            time.sleep(0.005)
        alive = process.poll() is None
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        code = process.wait(timeout=30)
        assert group_gone(process.pid), f"{case.command}: processes left after SIGKILL"
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
    return Cut(alive and code == -signal.SIGKILL, seen, code, log.read_text())


# --------------------------------------------------------------------------- comparing runs

TEMP = re.compile(r"^\..+\.tmp$")  # what atomic_path leaves when killed mid-write
TIMES = re.compile(r"second|resumed")  # wall-clock numbers, and how much a run resumed


def without_times(value):
    if isinstance(value, dict):
        return {k: without_times(v) for k, v in value.items() if not TIMES.search(k)}
    if isinstance(value, list):
        return [without_times(v) for v in value]
    return value


def run_files(path: Path) -> set[str]:
    """Every file of a run directory, relative, minus temporary files of killed writes."""
    return {
        p.relative_to(path).as_posix()
        for p in path.rglob("*")
        if p.is_file() and not TEMP.match(p.name)
    }


def temp_files(path: Path) -> list[str]:
    return sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if TEMP.match(p.name))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_checksums_valid(path: Path) -> None:
    for checksum in path.rglob("*.sha256"):
        target = checksum.with_name(checksum.name.removesuffix(".sha256"))
        assert checksum.read_text().strip() == sha256(target), f"{target} fails its checksum"


def assert_same_run(whole: Path, other: Path) -> None:
    """``other`` holds what ``whole`` holds: the same files; Parquet tables byte for byte;
    JSON (summary, config, shards) equal without wall-clock times; ``.npz`` arrays equal;
    every checksum valid.  Figures are not compared."""
    names = run_files(whole)
    assert run_files(other) == names
    for name in sorted(names):
        a, b = whole / name, other / name
        if name.endswith(".parquet"):
            assert a.read_bytes() == b.read_bytes(), f"{name} differs"
        elif name.endswith(".json"):
            assert without_times(json.loads(a.read_text())) == without_times(
                json.loads(b.read_text())
            ), f"{name} differs"
        elif name.endswith(".npz"):
            with np.load(a) as x, np.load(b) as y:
                assert sorted(x.files) == sorted(y.files), f"{name} differs"
                for key in x.files:
                    np.testing.assert_array_equal(x[key], y[key], err_msg=f"{name}:{key}")
    assert_checksums_valid(other)


def snapshot(path: Path) -> dict[str, tuple]:
    """Every entry below ``path`` with its kind, content digest, mode and mtime."""
    if not path.exists():
        return {}
    found: dict[str, tuple] = {".": ("dir", path.stat().st_mode)}
    for p in sorted(path.rglob("*")):
        st = p.lstat()
        key = p.relative_to(path).as_posix()
        if p.is_dir():
            found[key] = ("dir", st.st_mode)
        else:
            found[key] = ("file", sha256(p), st.st_mode, st.st_mtime_ns)
    return found


# --------------------------------------------------------------------------- damage


def flip_bytes(path: Path, seed: int) -> None:
    """Invert a few bytes in the middle part of ``path`` (the size stays)."""
    data = bytearray(path.read_bytes())
    rng = np.random.default_rng(seed)
    lo, hi = len(data) // 4, max(len(data) // 4 + 1, 3 * len(data) // 4)
    for i in rng.choice(np.arange(lo, hi), size=min(4, hi - lo), replace=False):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


# --------------------------------------------------------------------------- mounts


def _run(*argv: str) -> bool:
    return subprocess.run(argv, capture_output=True).returncode == 0


def can_write(directory: Path) -> bool:
    probe = directory / ".probe"
    try:
        probe.write_bytes(b"")
    except OSError:
        return False
    probe.unlink()
    return True


@contextmanager
def tmpfs(path: Path, size: int) -> Iterator[Path]:
    """A tmpfs of ``size`` bytes at ``path`` (skip the test where it cannot be mounted)."""
    path.mkdir(parents=True, exist_ok=True)
    if not sys.platform.startswith("linux") or not _run(
        "mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)
    ):
        pytest.skip("cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN)")
    try:
        yield path
    finally:
        if not _run("umount", str(path)):
            _run("umount", "-l", str(path))


def resize_tmpfs(path: Path, size: int) -> None:
    assert _run("mount", "-o", f"remount,size={size}", str(path))


@contextmanager
def read_only(path: Path) -> Iterator[str]:
    """Make directory ``path`` read-only for this process and its children: ``chmod 555``
    where permissions are enforced, else (root) a read-only bind mount of it; skip the test
    if neither works.  Yields how it was done."""
    path.chmod(0o555)
    how, mounted = "chmod 555", False
    try:
        if can_write(path):  # root ignores permissions
            how = "read-only bind mount"
            mounted = _run("mount", "--bind", str(path), str(path))
            if not mounted or not _run("mount", "-o", "remount,bind,ro", str(path)):
                pytest.skip("cannot make a directory read-only here (root, and no mount)")
            if can_write(path):
                pytest.skip("a read-only bind mount is still writable here")
        yield how
    finally:
        if mounted and not _run("umount", str(path)):
            _run("umount", "-l", str(path))
        path.chmod(0o755)
