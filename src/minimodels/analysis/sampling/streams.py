"""Per-net random streams: xoshiro256** seeded by SplitMix64, Gaussians by a 256-layer ziggurat.

Every sampled net owns a stream, keyed by (run key, global index of the net), so a net's
parameters do not depend on batching, shard size, threads, workers or where a run was resumed;
shard s of size m simply starts at index s·m.  The run key is 64 bits of
``np.random.SeedSequence(seed)``.

Stream of net k in a run with key K: the four xoshiro256** state words are the SplitMix64
outputs at states K + (4k + 1)·γ … K + (4k + 4)·γ (γ = 0x9E3779B97F4A7C15).  Each 64-bit output
gives either a uniform ``(r >> 11) · 2^-53`` in [0, 1) or the first try of a Gaussian: byte 0
picks the ziggurat layer, bit 8 the sign, bits 9–60 the 52-bit abscissa (Marsaglia & Tsang's
construction, as in NumPy's float64 ziggurat); rare rejections draw further outputs.

This module holds the tables and the compiled generator; :mod:`.reference` re-implements the
same streams in plain NumPy, and the tests hold the two equal.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

GAMMA = np.uint64(0x9E3779B97F4A7C15)
ZIGGURAT_R = 3.6541528853610088  # right edge of the base layer
ZIGGURAT_V = 0.00492867323399  # area of every layer


def ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(k, w, f) for 256 layers and 52-bit abscissas: accept if r < k[i]; x = r · w[i]."""
    m = 2.0**52
    k = np.zeros(256)
    w = np.zeros(256)
    f = np.zeros(256)
    dn = tn = ZIGGURAT_R
    q = ZIGGURAT_V / math.exp(-0.5 * dn * dn)
    k[0] = (dn / q) * m
    k[1] = 0.0
    w[0] = q / m
    w[255] = dn / m
    f[0] = 1.0
    f[255] = math.exp(-0.5 * dn * dn)
    for i in range(254, 0, -1):
        dn = math.sqrt(-2.0 * math.log(ZIGGURAT_V / dn + math.exp(-0.5 * dn * dn)))
        k[i + 1] = (dn / tn) * m
        tn = dn
        f[i] = math.exp(-0.5 * dn * dn)
        w[i] = dn / m
    return np.floor(k).astype(np.uint64), w, f


ZIG_K, ZIG_W, ZIG_F = ziggurat_tables()


def run_key(seed: int) -> np.uint64:
    """64 bits of ``SeedSequence(seed)``: the key of every stream in a run."""
    return np.random.SeedSequence(seed).generate_state(1, np.uint64)[0]


@nb.njit(cache=True, inline="always")
def _splitmix(x):
    z = x
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@nb.njit(cache=True, inline="always")
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@nb.njit(cache=True, inline="always")
def seed_stream(key, index):
    """The 4-word xoshiro256** state of net ``index`` of the run with ``key``."""
    base = key + np.uint64(4) * np.uint64(index) * GAMMA
    return (
        _splitmix(base + GAMMA),
        _splitmix(base + np.uint64(2) * GAMMA),
        _splitmix(base + np.uint64(3) * GAMMA),
        _splitmix(base + np.uint64(4) * GAMMA),
    )


# The generators take and return the state as a tuple of four words: kept in registers, this is
# several times faster than a state array in memory.


@nb.njit(cache=True, inline="always")
def next_u64(state):
    s0, s1, s2, s3 = state
    result = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return (s0, s1, s2, s3), result


@nb.njit(cache=True, inline="always")
def next_double(state):
    """(state, uniform in [0, 1) with 53 random bits)."""
    state, r = next_u64(state)
    return state, np.float64(np.int64(r >> np.uint64(11))) * (1.0 / 9007199254740992.0)


@nb.njit(cache=True)
def normal_slow(state, layer, x, zig_f):
    """The ziggurat's rare branch: tail (layer 0) or wedge test → (state, accepted, value)."""
    if layer == 0:
        while True:
            state, u = next_double(state)
            xx = -math.log1p(-u) / ZIGGURAT_R
            state, u = next_double(state)
            yy = -math.log1p(-u)
            if yy + yy > xx * xx:
                value = ZIGGURAT_R + xx
                return state, True, -value if x < 0 else value
    state, u = next_double(state)
    return state, (zig_f[layer - 1] - zig_f[layer]) * u + zig_f[layer] < math.exp(-0.5 * x * x), x


@nb.njit(cache=True, inline="always")
def normal_first_try(state, zig_k, zig_w):
    """The ziggurat's fast branch → (state, accepted, value, layer).

    Not accepted (about 1 in 100): pass ``layer`` and ``value`` to :func:`normal_slow`, and
    call again while that does not accept either.  Callers write this as a flat
    ``while filled < count`` loop with the slow call in the ``else``: that keeps the stream
    state in registers, where wrapping both branches in one function that returns (state,
    accepted, value) makes LLVM keep it in memory (twice as slow), and a ``while True`` with
    early returns is slower still.  The tables are arguments because global arrays would
    defeat numba's cache.
    """
    state, r = next_u64(state)
    layer = r & np.uint64(0xFF)
    r >>= np.uint64(8)
    negative = np.int64(0) - np.int64(r & np.uint64(1))  # the sign bit as 0 or −1 (all ones)
    r_abs = (r >> np.uint64(1)) & np.uint64(0x000FFFFFFFFFFFFF)
    # branch-free sign (a random branch would be mispredicted half the time), applied to the
    # integer: float(±r_abs) · w is exactly ±(float(r_abs) · w), with fewer float operations,
    # except that r_abs = 0 (probability 2^-61) gives +0.0 whatever the sign bit; the sign of a
    # zero parameter changes no sum's value, no activation and no comparison with 0
    x = np.float64((np.int64(r_abs) ^ negative) - negative) * zig_w[layer]
    return state, r_abs < zig_k[layer], x, layer
