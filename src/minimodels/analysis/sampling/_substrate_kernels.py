"""Compiled samplers for rule arrays, mesh nets and random polynomials (plain paths in
:mod:`.substrates`).

Each model ``index`` draws from its own stream (:mod:`.streams`), exactly as the MLP sampler.

* Rule arrays: cell (t, x) gets ``rule_set[floor(u · n_rules)]`` for successive uniforms u
  (row-major over (depth, width)); the array runs through the bit-sliced engine
  (:func:`minimodels.engine.evaluate_output`) on all 2^n inputs at once, and the readout
  cell's bit-plane (LSB-first, input i = bit i mod 64 of word i // 64) is bit-reversed into our
  MSB-first truth-table words.
* Mesh nets: parameters in the layout of :class:`minimodels.learners.nets.mesh.MeshNet` — W (depth,
  width, n_nb), b (depth, width), W_out (n_nb,), b_out — as float32(z · scale); a neuron
  computes act(((Σ_j W_j · h_{x+o_j}) in j order) + b), vectorised over the 2^n inputs.
* Random polynomials: one float64 standard normal per monomial, in the order of
  :meth:`.substrates.PolySpec.monomials`; the coefficient of monomial S goes to the row whose
  set bits are S (x1 the most significant bit), and a subset-sum (zeta) transform, one pass per
  input bit, turns that table into the polynomial's value on every row: p(x) = Σ_{S ⊆ x} c_S.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from minimodels.analysis.sampling._mlp_kernel import draw_gaussian, draw_uniform
from minimodels.analysis.sampling.streams import (
    next_double,
    normal_first_try,
    normal_slow,
    seed_stream,
)
from minimodels.engine import evaluate_output


@nb.njit(cache=True, inline="always")
def _reverse_bits(x):
    result = np.uint64(0)
    for _ in range(64):
        result = (result << np.uint64(1)) | (x & np.uint64(1))
        x >>= np.uint64(1)
    return result


@nb.njit(cache=True)
def draw_rules(rules, key, index, rule_set):
    state = seed_stream(key, index)
    depth, width = rules.shape
    n_rules = rule_set.shape[0]
    for t in range(depth):
        for x in range(width):
            state, u = next_double(state)
            rules[t, x] = rule_set[min(n_rules - 1, int(u * n_rules))]


@nb.njit(cache=True, parallel=True)
def sample_rule_arrays(
    key, first, rule_set, depth, width, packed, readout, cyclic, brick, n_rows, n_chunks, out
):
    n_nets = out.shape[0]
    n_chunks = max(1, min(n_nets, n_chunks))
    chunk = (n_nets + n_chunks - 1) // n_chunks
    keep = np.uint64(0xFFFFFFFFFFFFFFFF)
    if n_rows < 64:  # only the top n_rows bits of the single word are inputs
        keep = ~((np.uint64(1) << np.uint64(64 - n_rows)) - np.uint64(1))
    for c in nb.prange(n_chunks):
        rules = np.empty((depth, width), dtype=np.int64)
        for net in range(c * chunk, min(n_nets, (c + 1) * chunk)):
            draw_rules(rules, key, first + net, rule_set)
            final = evaluate_output(rules, packed, cyclic, brick)
            for w in range(out.shape[1]):
                out[net, w] = _reverse_bits(final[readout, w]) & keep


@nb.njit(cache=True, inline="always")
def _column(column, width, cyclic):
    """The column actually read, or -1 outside a zero boundary."""
    if 0 <= column < width:
        return column
    return column % width if cyclic else -1


@nb.njit(cache=True)
def evaluate_mesh(params, inputs, depth, width, n_nb, brick, cyclic, relu, readout, h, g, words):
    """Truth table of one mesh net; inputs (width, 2^n) float32 = row 0; h, g like it."""
    n_rows = inputs.shape[1]
    for x in range(width):
        for i in range(n_rows):
            h[x, i] = inputs[x, i]
    b_at = depth * width * n_nb
    for t in range(1, depth + 2):
        last = t == depth + 1
        for x in range(width):
            if last and x != readout:
                continue
            for i in range(n_rows):
                g[x, i] = 0.0
            for j in range(n_nb):
                if brick:
                    offset = j if t % 2 == 1 else j - 1
                else:
                    offset = j - 1
                column = _column(x + offset, width, cyclic)
                if last:
                    w = params[b_at + depth * width + j]
                else:
                    w = params[((t - 1) * width + x) * n_nb + j]
                if column >= 0:
                    src = h[column]
                    for i in range(n_rows):
                        g[x, i] += w * src[i]
                else:  # outside a zero boundary: adds exact zeros
                    for i in range(n_rows):
                        g[x, i] += w * np.float32(0.0)
            b = params[b_at + depth * width + n_nb] if last else params[b_at + (t - 1) * width + x]
            for i in range(n_rows):
                value = g[x, i] + b
                if relu and not last:
                    value = value if value > 0 else np.float32(0.0)
                g[x, i] = value
        h, g = g, h
    for w in range(words.shape[0]):
        words[w] = 0
    for i in range(n_rows):
        if h[readout, i] > 0:
            words[i >> 6] |= np.uint64(1) << np.uint64(63 - (i & 63))


@nb.njit(cache=True, parallel=True)
def sample_mesh(
    key,
    first,
    scales,
    uniform,
    zig,
    inputs,
    depth,
    width,
    n_nb,
    brick,
    cyclic,
    relu,
    readout,
    n_chunks,
    out,
):
    n_nets = out.shape[0]
    n_chunks = max(1, min(n_nets, n_chunks))
    chunk = (n_nets + n_chunks - 1) // n_chunks
    for c in nb.prange(n_chunks):
        params = np.empty(scales.shape[0], dtype=np.float32)
        h = np.empty(inputs.shape, dtype=np.float32)
        g = np.empty(inputs.shape, dtype=np.float32)
        for net in range(c * chunk, min(n_nets, (c + 1) * chunk)):
            if uniform:
                draw_uniform(params, key, first + net, scales, zig)
            else:
                draw_gaussian(params, key, first + net, scales, zig)
            evaluate_mesh(
                params, inputs, depth, width, n_nb, brick, cyclic, relu, readout, h, g, out[net]
            )


@nb.njit(cache=True)
def draw_normals(values, key, index, zig):
    """values[p] = z_p, the float64 standard normals of net ``index`` (no float32 rounding)."""
    state = seed_stream(key, index)
    p, n = np.uint64(0), np.uint64(values.shape[0])  # both unsigned: mixed, numba compares floats
    while p < n:
        state, accepted, z, layer = normal_first_try(state, zig[0], zig[1])
        if not accepted:
            state, accepted, z = normal_slow(state, layer, z, zig[2])
        if accepted:
            values[p] = z
            p += np.uint64(1)


@nb.njit(cache=True)
def evaluate_polynomial(coefficients, masks, values, words):
    """Packed truth table (into ``words``) of p(x) > 0, p(x) = Σ_m coefficients[m] · [masks[m] ⊆ x].

    ``values`` (2^n,) float64 is scratch; masks are distinct row indices (x1 the top bit).
    """
    n_rows = values.shape[0]
    for i in range(n_rows):
        values[i] = 0.0
    for m in range(masks.shape[0]):
        values[masks[m]] = coefficients[m]
    bit = 1
    while bit < n_rows:  # zeta transform: add each row's value without this bit
        for r in range(n_rows):
            if r & bit:
                values[r] += values[r ^ bit]
        bit <<= 1
    for w in range(words.shape[0]):
        words[w] = 0
    for i in range(n_rows):
        if values[i] > 0:
            words[i >> 6] |= np.uint64(1) << np.uint64(63 - (i & 63))


@nb.njit(cache=True, parallel=True)
def sample_polynomials(key, first, masks, n_rows, zig, n_chunks, out):
    n_nets = out.shape[0]
    n_chunks = max(1, min(n_nets, n_chunks))
    chunk = (n_nets + n_chunks - 1) // n_chunks
    for c in nb.prange(n_chunks):
        coefficients = np.empty(masks.shape[0], dtype=np.float64)
        values = np.empty(n_rows, dtype=np.float64)
        for net in range(c * chunk, min(n_nets, (c + 1) * chunk)):
            draw_normals(coefficients, key, first + net, zig)
            evaluate_polynomial(coefficients, masks, values, out[net])
