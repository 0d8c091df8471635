"""K_LZ speed: compiled bit-parallel kernel vs the plain Kaspar–Schuster reference.

Prints strings per second (median of several repeats) for random 128-bit strings and for
low-complexity ones (as sampled nets produce), and the ratio against the reference measured
in the same run.  Target: ≥ 10^6 strings of 128 bits per second on 2 cores.

Run: ``python benchmarks/bench_complexity.py [--strings 1000000] [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
from _timing import median_seconds, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strings", type=float, default=1e6)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    n = int(args.strings)

    from minimodels.analysis import complexity

    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    rng = np.random.default_rng(0)
    random_strings = rng.integers(0, 2, size=(n, 128), dtype=np.uint8)
    periods = rng.integers(1, 9, size=n)
    simple = ((np.arange(128)[None, :] // periods[:, None]) % 2).astype(np.uint8)
    complexity.k_lz(random_strings[:10])  # compile / load the cache
    n_ref = 2000
    ref_s = median_seconds(
        lambda: [complexity.k_lz_reference(s) for s in random_strings[:n_ref]], 3
    )
    ref_rate = n_ref / ref_s
    print(f"K_LZ reference (python, one string at a time): {ref_rate:12.0f} strings/s")
    for name, batch in [("random", random_strings), ("periodic", simple)]:
        seconds, cpu = timed(lambda batch=batch: complexity.k_lz(batch), args.repeats)
        rate = n / seconds
        print(
            f"K_LZ compiled, {name:8s} 128-bit strings:    {rate:12.0f} strings/s   "
            f"ratio {rate / ref_rate:.0f}x   ({n / cpu:.0f} per CPU-second)"
        )


if __name__ == "__main__":
    main()
