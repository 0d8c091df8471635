"""Shared test settings: Hypothesis without deadlines (first calls compile numba/JAX code)."""

import os
import signal

os.environ.setdefault("JAX_PLATFORMS", "cpu")

# Ctrl-C as at a terminal: a shell starts a background job (`pytest &`, `nohup … &`) with SIGINT
# ignored, which the commands under test rightly keep, so the interrupt tests would test nothing
signal.signal(signal.SIGINT, signal.default_int_handler)

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "default",
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=1000)
# mutation testing (docs/testing.md): the same examples for every mutant, and no example
# database, so that one mutant's failures are not replayed against the next
settings.register_profile(
    "mutation", parent=settings.get_profile("default"), derandomize=True, database=None
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def run_cli(*args: str, cwd=None):
    """Run ``python -m minimodels ARGS`` against the package under test (not some other install)."""
    import subprocess
    import sys
    from pathlib import Path

    import minimodels

    src = str(Path(minimodels.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "minimodels", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
    )
