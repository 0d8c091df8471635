"""Does every test kill a mutant?  A check that no test passes for every implementation.

Run after a mutation run (docs/testing.md), from the repository root::

    python tests/mutation_kills.py [--tries 20] [--jobs 2]

For each test of the mutation selection that calls a mutated function (mutmut's stats say
which), it runs the test alone against mutants of those functions that the mutation run
killed — one forked worker per (test, mutant), in ``mutants/`` — until one fails.  A test
that no mutant makes fail within ``--tries`` is listed: it either checks something the
mutants cannot change (say which) or it cannot fail.  Tests that call no mutated function
test other layers and are listed separately.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")
os.environ.setdefault("HYPOTHESIS_PROFILE", "mutation")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

KILLED = {1, 3, -24, 24, 152, 255, 36}  # failed, pytest error, or timed out


def killed_mutants(root: Path) -> dict[str, list[str]]:
    """Function (mangled name) → the mutants of it that the mutation run killed."""
    out: dict[str, list[str]] = defaultdict(list)
    for meta in root.glob("src/**/*.py.meta"):
        for mutant, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if code in KILLED:
                out[mutant.rsplit("__mutmut_", 1)[0]].append(mutant)
    return out


def run_one(nodeid: str, mutant: str, pytest_args: list[str], timeout: float) -> int:
    """Exit code of the test run alone with ``mutant`` active, in a forked child."""
    pid = os.fork()
    if pid == 0:
        import signal

        signal.alarm(int(timeout))
        os.environ["MUTANT_UNDER_TEST"] = mutant
        import pytest

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1), os.dup2(devnull, 2)
        os._exit(int(pytest.main(["-x", "-q", "--rootdir=.", *pytest_args, nodeid])))
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    root = Path("mutants")
    stats = json.loads((root / "mutmut-stats.json").read_text())
    config = __import__("tomllib").loads(Path("pyproject.toml").read_text())["tool"]["mutmut"]
    pytest_args = list(config.get("pytest_add_cli_args", []))
    functions_of: dict[str, set[str]] = defaultdict(set)
    for function, tests in stats["tests_by_mangled_function_name"].items():
        for test in tests:
            functions_of[test].add(function)
    killed = killed_mutants(root)
    sys.path.insert(0, str((root / "src").resolve()))
    os.chdir(root)
    import pytest  # import the tests and the package once; every worker forks from here

    pytest.main(["--collect-only", "-qq", "--rootdir=.", *pytest_args, *config[
        "pytest_add_cli_args_test_selection"]])  # fmt: skip
    rng = random.Random(options.seed)
    never, results = [], {}
    for test in sorted(stats["duration_by_test"]):
        candidates = sorted(m for f in functions_of.get(test, ()) for m in killed.get(f, []))
        if not candidates:
            results[test] = None
            continue
        rng.shuffle(candidates)
        killer = next(
            (m for m in candidates[: options.tries]
             if run_one(test, m, pytest_args, options.timeout) not in (0, 5)),
            None,
        )  # fmt: skip
        results[test] = killer
        print(f"{'ok ' if killer else 'NO '} {test}  {killer or ''}", flush=True)
        if killer is None:
            never.append(test)
    untouched = [t for t, k in results.items() if k is None and t not in never]
    n_killing = len(results) - len(never) - len(untouched)
    print(f"\n{len(results)} tests: {n_killing} fail under some mutant, {len(untouched)} call no")
    print(f"mutated function, {len(never)} fail under none of the mutants tried:")
    for test in never:
        print("   ", test)
    return 1 if never else 0


if __name__ == "__main__":
    sys.exit(main())
