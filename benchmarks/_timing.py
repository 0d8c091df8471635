"""Timing shared by the benchmark scripts: medians of repeats, wall and CPU seconds.

CPU seconds (``time.process_time``: this process, all its threads) are reported beside wall
seconds because the machines these run on are shared and noisy.
"""

import statistics
import time


def timed(fn, repeats: int) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds of ``fn()`` over ``repeats`` runs."""
    walls, cpus = [], []
    for _ in range(repeats):
        c, w = time.process_time(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def median_seconds(fn, repeats: int) -> float:
    """Median wall seconds of ``fn()`` over ``repeats`` runs."""
    return timed(fn, repeats)[0]
