"""The plain NumPy sampler: the same streams and the same float32 arithmetic, written simply.

This is what :mod:`._mlp_kernel` must reproduce bit for bit (tests hold them equal).  It draws
every net's stream with vectorised xoshiro256** over the nets, then evaluates the nets on all
2^n inputs layer by layer with ``h = h + x_j · W[j]`` accumulation in a fixed order.
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np

from minimodels.analysis.sampling.streams import GAMMA, ZIG_F, ZIG_K, ZIG_W, ZIGGURAT_R

_M = 0xFFFFFFFFFFFFFFFF


def _splitmix(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _rotl(x: np.ndarray, k: int) -> np.ndarray:
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


class Streams:
    """The per-net xoshiro256** streams of nets ``indices`` in the run with ``key``."""

    def __init__(self, key: int, indices: np.ndarray):
        with np.errstate(over="ignore"):
            base = np.uint64(key) + np.uint64(4) * indices.astype(np.uint64) * GAMMA
            self.s = [_splitmix(base + np.uint64(j + 1) * GAMMA) for j in range(4)]

    def u64(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Advance the streams of ``rows`` by one output and return it."""
        s0, s1, s2, s3 = (w[rows] for w in self.s)
        with np.errstate(over="ignore"):
            result = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
            t = s1 << np.uint64(17)
            s2 = s2 ^ s0
            s3 = s3 ^ s1
            s1 = s1 ^ s2
            s0 = s0 ^ s3
            s2 = s2 ^ t
            s3 = _rotl(s3, 45)
        for w, new in zip(self.s, (s0, s1, s2, s3), strict=True):
            w[rows] = new
        return result

    def uniform(self) -> np.ndarray:
        return (self.u64() >> np.uint64(11)).astype(np.float64) / 9007199254740992.0

    def normal(self) -> np.ndarray:
        """One standard normal per stream (the ziggurat; rejected streams draw again)."""
        out = np.empty(len(self.s[0]))
        pending = np.arange(len(out))
        while pending.size:
            r = self.u64(pending)
            layer = (r & np.uint64(0xFF)).astype(np.int64)
            r = r >> np.uint64(8)
            sign = (r & np.uint64(1)).astype(bool)
            r_abs = (r >> np.uint64(1)) & np.uint64(0x000FFFFFFFFFFFFF)
            x = r_abs.astype(np.float64) * ZIG_W[layer]
            x = np.where(sign, -x, x)
            fast = r_abs < ZIG_K[layer]
            out[pending[fast]] = x[fast]
            retry = []
            for at in np.flatnonzero(~fast):  # rare: tail or wedge, one stream at a time
                row = pending[at : at + 1]
                accepted, value = self._slow(row, int(layer[at]), bool(sign[at]), float(x[at]))
                if accepted:
                    out[row] = value
                else:
                    retry.append(row[0])
            pending = np.array(retry, dtype=np.int64)
        return out

    def _double(self, row: np.ndarray) -> float:
        return float(self.u64(row)[0] >> np.uint64(11)) / 9007199254740992.0

    def _slow(self, row: np.ndarray, layer: int, sign: bool, x: float) -> tuple[bool, float]:
        if layer == 0:
            while True:
                xx = -math.log1p(-self._double(row)) / ZIGGURAT_R
                yy = -math.log1p(-self._double(row))
                if yy + yy > xx * xx:
                    return True, -(ZIGGURAT_R + xx) if sign else ZIGGURAT_R + xx
        u = self._double(row)
        return (ZIG_F[layer - 1] - ZIG_F[layer]) * u + ZIG_F[layer] < math.exp(-0.5 * x * x), x


def reference_parameters(spec, key: int, indices: np.ndarray, *, init: str, scale_w, scale_b):
    """Per layer (W (m, fan_in, fan_out), b (m, fan_out) or None), float32, for nets ``indices``."""
    streams = Streams(key, indices)
    draw = streams.normal if init == "gaussian" else lambda: 2.0 * streams.uniform() - 1.0
    layers = []
    for layer, (fan_in, fan_out) in enumerate(zip(spec.widths[:-1], spec.widths[1:], strict=True)):
        w = np.stack([draw() * scale_w[layer] for _ in range(fan_in * fan_out)], axis=1)
        w = w.astype(np.float32).reshape(len(indices), fan_in, fan_out)
        b = None
        if spec.bias:
            b = np.stack([draw() * scale_b[layer] for _ in range(fan_out)], axis=1)
            b = b.astype(np.float32)
        layers.append((w, b))
    return layers


def reference_truth_tables(spec, layers) -> np.ndarray:
    """(m, 2^n) uint8 truth tables; x1 is the most significant bit of the input index."""
    n = spec.n_inputs
    m = layers[0][0].shape[0]
    inputs = (np.arange(2**n)[:, None] >> np.arange(n - 1, -1, -1)) & 1  # (2^n, n)
    x = np.broadcast_to(inputs.astype(np.float32), (m, 2**n, n))
    for layer, (w, b) in enumerate(layers):
        h = np.zeros((m, 2**n, w.shape[2]), dtype=np.float32)
        if b is not None:
            h = h + b[:, None, :]
        for j in range(w.shape[1]):  # a fixed order of float32 additions
            h = h + x[:, :, j : j + 1] * w[:, None, j, :]
        last = layer == len(layers) - 1
        x = h if last else _activate(h, spec.activation)
    return (x[:, :, 0] > 0).astype(np.uint8)


def _activate(h: np.ndarray, activation: str) -> np.ndarray:
    if activation == "relu":
        return np.maximum(h, np.float32(0))
    if activation == "tanh":
        tanh = cast(np.ndarray, np.frompyfunc(math.tanh, 1, 1)(h.astype(np.float64)))
        return tanh.astype(np.float32)
    return h
