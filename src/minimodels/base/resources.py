"""What a request costs before it starts: memory (and, where cheap, time) against what there is.

Every compute path that allocates in proportion to a user-given size (runs, steps, samples,
width, p, seeds …) estimates its peak memory in its config check and calls
:func:`check_memory` before anything is allocated or written; a request that cannot fit is
refused with one :class:`~minimodels.base.errors.UsageError` sentence that says how much it needs,
how much is available and what to lower::

    evolving 4e8 runs of 20000 steps needs about 450 TB of memory (every run's loss trace
    and kept mutations) but 22.9 GB is available; lower the runs or the steps

Estimates are deliberately simple upper bounds of the arrays a run holds at once (a factor
of two either way is fine: they exist to refuse the request that would exhaust the machine,
not to budget the one that fits).  Small requests (under :data:`QUICK_BYTES`) are passed
without reading the system's memory, so the checks cost nothing on ordinary settings.
Where time is cheap to estimate, :func:`check_time` refuses what would run for longer than
:data:`MAX_DAYS` days even at an optimistic speed (set ``MINIMODELS_MAX_DAYS`` to change it).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from minimodels.base.errors import UsageError

__all__ = [
    "MAX_DAYS",
    "available_memory",
    "check_memory",
    "check_time",
    "format_bytes",
    "format_count",
    "format_duration",
    "plural",
]

QUICK_BYTES = 1 << 28  # 256 MiB: below this a request is not checked against the system
MAX_DAYS = 30.0  # default limit of check_time (environment: MINIMODELS_MAX_DAYS)


def _meminfo_available() -> int | None:
    """``MemAvailable`` of ``/proc/meminfo`` in bytes (Linux), or None."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_available() -> int | None:
    """What a cgroup-v2 memory limit (a container's) leaves, or None where there is none."""
    base = Path("/sys/fs/cgroup")
    try:
        limit = (base / "memory.max").read_text().strip()
        if limit == "max":
            return None
        return max(0, int(limit) - int((base / "memory.current").read_text().strip()))
    except (OSError, ValueError):
        return None


def _sysconf_available() -> int | None:
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def available_memory() -> int | None:
    """Bytes of memory a new allocation can use now (None where the system does not say).

    Linux: ``MemAvailable`` (free memory plus what the kernel can reclaim), capped by a
    container's cgroup limit; elsewhere the free physical pages of ``os.sysconf``.
    """
    found = [v for v in (_meminfo_available(), _cgroup_available()) if v is not None]
    if not found:
        found = [v for v in (_sysconf_available(),) if v is not None]
    return min(found) if found else None


def format_bytes(n_bytes: float) -> str:
    """``3.2 TB``, ``22.9 GB``, ``512 B`` (decimal units, three significant figures)."""
    value = float(n_bytes)
    for unit in ("B", "kB", "MB", "GB", "TB", "PB", "EB"):
        if value < 999.5 or unit == "EB":
            break
        value /= 1000
    if unit == "B":
        return f"{int(value)} B"
    if unit == "EB" and value >= 1000:
        mantissa, _, exponent = f"{value:.2e}".partition("e")
        return f"{float(mantissa):g}e{int(exponent)} EB"
    return f"{value:.3g} {unit}"


def format_count(n: float) -> str:
    """``20000``, ``1e+12`` → ``1e12``: a count as a user would type it (an exact int of any
    size too: ``2**5000`` → ``1.41e1505``)."""
    if isinstance(n, int) and n >= 10**300:  # beyond float: three digits by integer division
        power = int((n.bit_length() - 1) * math.log10(2))  # the true one, or one less
        power += n >= 10 ** (power + 1)
        return f"{n // 10 ** (power - 2) / 100:.3g}e{power}"
    n = float(n)
    if n < 1e6 and n == int(n):
        return str(int(n))
    mantissa, _, exponent = f"{n:.3g}".partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa


def plural(n: float, noun: str) -> str:
    """``1 run``, ``20000 steps``, ``1e12 runs``."""
    return f"{format_count(n)} {noun}{'' if n == 1 else 's'}"


def format_duration(seconds: float) -> str:
    """``45 s``, ``12 min``, ``3.5 h``, ``89 days``, ``1.2e4 years``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.2g} h"
    days = seconds / 86400
    if days < 1000:
        return f"{days:.0f} days"
    return f"{format_count(days / 365.25)} years"


def check_memory(
    n_bytes: float, what: str, *, why: str | None = None, fix: str | None = None
) -> None:
    """Refuse (one sentence) a request of ``n_bytes`` that the available memory cannot hold.

    ``what`` is the request as the user sees it, as the subject of "needs" ("evolving 4e8
    runs of 20000 steps"), ``why`` what the memory holds, ``fix`` what to lower.  Passes
    when the system does not say how much memory there is, and without asking it for
    requests under :data:`QUICK_BYTES`.
    """
    if not n_bytes < QUICK_BYTES:  # NaN and inf are refused too
        available = available_memory()
        if available is not None and not n_bytes <= available:
            held = f" ({why})" if why else ""
            advice = f"; {fix}" if fix else ""
            size = f"about {format_bytes(n_bytes)} of" if math.isfinite(n_bytes) else "unbounded"
            raise UsageError(
                f"{what} needs {size} memory{held} but {format_bytes(available)} is "
                f"available{advice}"
            )


def max_seconds() -> float:
    """The time limit of :func:`check_time` in seconds (``MINIMODELS_MAX_DAYS`` overrides it)."""
    text = os.environ.get("MINIMODELS_MAX_DAYS")
    try:
        days = float(text) if text else MAX_DAYS
    except ValueError:
        raise UsageError(f"MINIMODELS_MAX_DAYS must be a number of days, got {text!r}") from None
    return days * 86400 if days > 0 else math.inf


def check_time(seconds: float, what: str, *, fix: str | None = None) -> None:
    """Refuse a request that would run for more than :data:`MAX_DAYS` days.

    ``seconds`` must be a *lower* bound (an optimistic speed on every core), so that only
    requests that are hopeless on this machine are refused.
    """
    limit = max_seconds()
    if not seconds <= limit:
        cores = os.cpu_count() or 1
        advice = f"; {fix}" if fix else ""
        raise UsageError(
            f"{what} would take at least {format_duration(seconds)} on this machine's {cores} "
            f"cores (the limit is {format_duration(limit)}: set MINIMODELS_MAX_DAYS to change "
            f"it){advice}"
        )
