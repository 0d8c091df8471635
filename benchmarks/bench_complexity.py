"""K_LZ speed on 128-bit strings: where the time goes, how near the limit, and the target.

``complexity.k_lz(batch)`` on an (m, 128) uint8 batch runs three stages (the last two fused
block by block in ``lz_kernels.k_lz_words``; here each is also timed alone):

* check — ``as_bits``: one max-reduction over the bytes (are they all 0/1?);
* pack  — ``lz_kernels.as_words`` (a view) and ``pack_rows``: 2 × 16 multiplications per
  string give the string and its reverse as 128-bit numbers;
* parse — ``lz_kernels.k_lz_packed``: 128 branch-free mask updates per direction, the
  strings' two directions run as lanes of one vectorised loop.

Limit.  Any bit-parallel LZ76 parse reads every symbol of both directions and, per symbol,
must at least match it against all earlier positions at once: AND the candidate mask with
the mask of positions holding the same symbol, and shift it on (``_minimal_parse`` below:
the kernel's loop with its lanes, vectorisation and 2 × 128 steps per string, and nothing
else — no end-of-phrase test, reset or count).  Its rate is the calibrated limit of the
parse; the benchmark prints parse rate / limit.  The pack's limit is reading the 128 input
bytes once (a uint64 max-reduction over the same memory).  The parse's work does not
depend on the data (phrases per string change nothing), so random and periodic strings
run at the same speed; both are timed.

Rates are medians of ``--repeats`` runs, wall and per CPU-second (the machine is shared:
CPU seconds are the steadier figure; per CPU-second × cores is what a quiet machine gives).
Stages and limits run on one thread (the cost per core); end to end runs on all threads.
The reference is the plain Python ``k_lz_reference``, timed in the same run.
Target: ≥ 5·10^6 strings/s wall on this 2-core machine.

Run: ``python benchmarks/bench_complexity.py [--strings 1000000] [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import os

import numba as nb
import numpy as np
from _timing import timed

TARGET = 5e6


@nb.njit(cache=True, parallel=True)
def _minimal_parse(packed):
    """Per symbol and direction, only the bit-parallel match R = (R & class of s[at]) << 1,
    on the kernel's lanes (blocks of 64 strings, both directions); returns R's low words."""
    m = packed.shape[0]
    out = np.empty(2 * m, dtype=np.uint64)
    zero, one = np.uint64(0), np.uint64(1)
    for block in nb.prange((m + 63) // 64):
        first = block * 64
        rows = min(64, m - first)
        s_lo = np.empty(2 * rows, dtype=np.uint64)
        s_hi = np.empty(2 * rows, dtype=np.uint64)
        for i in range(rows):
            s_lo[i], s_hi[i] = packed[first + i, 0], packed[first + i, 1]
            s_lo[rows + i], s_hi[rows + i] = packed[first + i, 2], packed[first + i, 3]
        r_lo = np.full(2 * rows, ~zero)
        r_hi = np.full(2 * rows, ~zero)
        for at in range(0, 64, 2):
            for i in range(2 * rows):
                s, r = s_lo[i], r_lo[i]
                for k in range(2):
                    ones_if_1 = zero - np.uint64(np.int64(s << np.uint64(63 - at - k)) < 0)
                    r = (r & ~(s ^ ones_if_1)) << one
                r_lo[i] = r
        for at in range(64, 128, 2):
            for i in range(2 * rows):
                a, b, x, y = s_lo[i], s_hi[i], r_lo[i], r_hi[i]
                for k in range(2):
                    ones_if_1 = zero - np.uint64(np.int64(b << np.uint64(127 - at - k)) < 0)
                    x, y = x & ~(a ^ ones_if_1), y & ~(b ^ ones_if_1)
                    x, y = x << one, (y << one) | (x >> np.uint64(63))
                r_lo[i], r_hi[i] = x, y
        out[2 * first : 2 * (first + rows)] = r_lo ^ r_hi
    return out


def _line(name: str, n: int, wall: float, cpu: float, note: str = "") -> None:
    print(
        f"  {name:34s} {n / wall:12.0f} /s wall  {n / cpu:12.0f} /CPU-s  "
        f"{1e9 * wall / n:7.1f} ns/string  {note}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strings", type=float, default=1e6)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    n, repeats = int(args.strings), max(args.repeats, 5)

    from minimodels.analysis import complexity
    from minimodels.engine import lz_kernels

    cores = os.cpu_count()
    print(f"cores: {cores}, numba threads: {nb.get_num_threads()}, repeats: {repeats}")
    print(f"load average (1 min) before: {os.getloadavg()[0]:.2f}")
    rng = np.random.default_rng(0)
    random_strings = rng.integers(0, 2, size=(n, 128), dtype=np.uint8)
    periods = rng.integers(1, 9, size=n)
    periodic = ((np.arange(128)[None, :] // periods[:, None]) % 2).astype(np.uint8)
    words = lz_kernels.as_words(random_strings)
    packed = lz_kernels.pack_rows(words, 128)
    complexity.k_lz(random_strings[:10])  # compile / load the caches
    lz_kernels.k_lz_packed(packed[:10], 128)
    _minimal_parse(packed[:10])

    n_ref = 400
    ref_wall, ref_cpu = timed(
        lambda: [complexity.k_lz_reference(s) for s in random_strings[:n_ref]], repeats
    )
    print("reference (plain Python, one string at a time):")
    _line("k_lz_reference", n_ref, ref_wall, ref_cpu)

    threads = nb.get_num_threads()
    nb.set_num_threads(1)  # stages and limits per core: no thread start-up or waits in them
    print("where the time goes (random strings, each stage alone, one thread):")
    stages = {
        "check (as_bits)": lambda: complexity.as_bits(random_strings),
        "pack (as_words + pack_rows)": lambda: lz_kernels.pack_rows(
            lz_kernels.as_words(random_strings), 128
        ),
        "parse (k_lz_packed)": lambda: lz_kernels.k_lz_packed(packed, 128),
    }
    times = {name: timed(fn, repeats) for name, fn in stages.items()}
    total_cpu = sum(cpu for _, cpu in times.values())
    for name, (wall, cpu) in times.items():
        _line(name, n, wall, cpu, f"{100 * cpu / total_cpu:4.1f} % of CPU")

    print("limits (calibration loops, same run, one thread):")
    read_wall, read_cpu = timed(lambda: words.max(), repeats)
    match_wall, match_cpu = timed(lambda: _minimal_parse(packed), repeats)
    _line("read the input once (max)", n, read_wall, read_cpu)
    _line("bit-parallel match only", n, match_wall, match_cpu, "2 x 128 steps/string")
    pack_cpu, parse_cpu = times["pack (as_words + pack_rows)"][1], times["parse (k_lz_packed)"][1]
    print(f"  pack  at {read_cpu / pack_cpu:5.2f} of its limit (input read once), CPU time")
    print(f"  parse at {match_cpu / parse_cpu:5.2f} of its limit (match-only loop), CPU time")
    nb.set_num_threads(threads)

    print(f"end to end, complexity.k_lz(batch), {threads} threads:")
    results = {}
    for name, batch in [("random", random_strings), ("periodic", periodic)]:
        wall, cpu = timed(lambda batch=batch: complexity.k_lz(batch), repeats)
        results[name] = (wall, cpu)
        _line(f"{name} 128-bit strings", n, wall, cpu, f"{ref_wall / n_ref * n / wall:.0f}x ref")
    wall, cpu = results["random"]
    print(f"load average (1 min) after: {os.getloadavg()[0]:.2f}")
    rate = n / wall
    verdict = "MET" if rate >= TARGET else "NOT MET"
    print(
        f"verdict: {rate:.3g} random strings/s wall vs target {TARGET:.0e}: {verdict} "
        f"(per CPU-second {n / cpu:.3g}; x {cores} free cores ≈ {cores * n / cpu:.3g}/s)"
    )


if __name__ == "__main__":
    main()
