"""Ray under faults: a worker killed mid-run costs a retry, not the run or its result.

The test starts a real two-node cluster on this machine (``ray start --head`` and a second
``ray start --address``, loopback only, one CPU each, each leading its own process group),
runs ``sample_functions(backend="ray")`` from a separate driver process, SIGKILLs a worker
while it is running a shard, and checks that the run completes with exactly the serial
backend's table (Ray reruns the lost task: ``parallel.RAY_MAX_RETRIES``; the driver's log,
where the raylet reports it, must mention the retry).

Ray turns a loopback ``--node-ip-address`` or address into the machine's own interface
address in multi-node mode (``services.resolve_ip_for_localhost``), so the nodes talk over
that address; it is still this machine, and nothing here names any other host.  It stops the cluster
by its own process groups: ``ray stop --force`` would also stop anyone else's Ray on the
machine.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from _process_group import cpu_seconds, kill_group, wait_for, wait_group_gone

import minimodels

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]
pytest.importorskip("ray")

MODEL, SAMPLES, SHARD, SEED = "7-40-40-1", 320_000, 40_000, 11  # 8 shards, ~2 s each
RAY = str(Path(sys.executable).with_name("ray"))
DRIVER = """
import sys
import numpy as np
from minimodels import sample_functions
table = sample_functions(
    sys.argv[1], samples=int(sys.argv[2]), shard_size=int(sys.argv[3]), seed=int(sys.argv[4]),
    backend="ray", address=sys.argv[5],
)
np.savez(sys.argv[6], words=table.words, counts=table.counts)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(temp: Path) -> dict[str, str]:
    """Our package first; token auth with a token of this cluster's own (not ~/.ray's)."""
    src = str(Path(minimodels.__file__).resolve().parents[1])
    return {
        **os.environ,
        "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN_PATH": str(temp / "token"),
    }


def _start(args: list[str], temp: Path, log: str) -> subprocess.Popen:
    with open(temp / log, "w") as out:
        return subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env=_env(temp), start_new_session=True
        )


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _stop(process: subprocess.Popen) -> None:
    """Stop a process group this test started (a throwaway cluster: no need to be gentle)."""
    kill_group(process.pid)
    process.wait()
    wait_group_gone(process.pid, 10)


def _wait_started(process: subprocess.Popen, log: Path) -> None:
    def started():
        return "Ray runtime started" in log.read_text() or process.poll() is not None

    try:
        wait_for(started, 120, f"ray start ({log.name})")
    except AssertionError as error:
        raise AssertionError(f"{error}:\n{log.read_text()}") from None
    assert process.poll() is None, f"ray start exited:\n{log.read_text()}"


@pytest.fixture
def cluster():
    """A head and a second node, one CPU each: yields the head's address."""
    temp = Path(tempfile.mkdtemp(prefix="mmray", dir="/tmp"))  # Ray's socket paths must be short
    (temp / "token").write_text(secrets.token_hex(32))
    port = _free_port()
    common = ["--num-cpus", "1", "--node-ip-address", "127.0.0.1", "--block"]
    started: list[subprocess.Popen] = []
    try:
        head = [RAY, "start", "--head", f"--port={port}", "--include-dashboard=false"]
        started.append(_start([*head, f"--temp-dir={temp}", *common], temp, "head.log"))
        _wait_started(started[-1], temp / "head.log")
        node = [RAY, "start", f"--address=127.0.0.1:{port}", *common]
        started.append(_start(node, temp, "node.log"))
        _wait_started(started[-1], temp / "node.log")
        yield f"127.0.0.1:{port}", temp
    finally:
        for process in reversed(started):
            _stop(process)
        # anything that left our groups but still names our temp dir
        for entry in os.listdir("/proc"):
            if entry.isdigit() and str(temp) in _cmdline(int(entry)):
                try:
                    os.kill(int(entry), signal.SIGKILL)
                except ProcessLookupError:
                    pass
        shutil.rmtree(temp, ignore_errors=True)


def _shard_workers() -> list[int]:
    """Ray worker processes running a shard now (Ray names them after their task)."""
    return [
        int(entry)
        for entry in os.listdir("/proc")
        if entry.isdigit() and _cmdline(int(entry)).startswith("ray::run_shard")
    ]


def test_a_killed_worker_costs_a_retry_not_the_run(cluster, tmp_path):
    from minimodels import sample_functions

    address, temp = cluster
    started = time.monotonic()
    driver = _start(
        [sys.executable, "-c", DRIVER, MODEL, *map(str, (SAMPLES, SHARD, SEED)), address,
         str(tmp_path / "table.npz")],
        temp, "driver.log",
    )  # fmt: skip
    try:
        # a worker some way into its shard
        def busy_worker():
            return [p for p in _shard_workers() if cpu_seconds(p) >= 0.3] or driver.poll()

        wait_for(busy_worker, 180, "a Ray worker to run a shard")
        assert driver.poll() is None, (temp / "driver.log").read_text()
        victim = next(p for p in _shard_workers() if cpu_seconds(p) >= 0.3)
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        code = driver.wait(timeout=300)
    finally:
        _stop(driver)
    log = (temp / "driver.log").read_text()
    assert code == 0, log
    assert "retr" in log.lower(), f"Ray reported no retry, so no task was lost: {log}"
    print(
        f"\nray fault run: killed worker {victim} after {killed_at - started:.1f} s; run done "
        f"after {time.monotonic() - started:.1f} s"
    )
    remote = np.load(tmp_path / "table.npz")
    local = sample_functions(MODEL, samples=SAMPLES, shard_size=SHARD, seed=SEED)
    np.testing.assert_array_equal(remote["words"], local.words)
    np.testing.assert_array_equal(remote["counts"], local.counts)
