"""Compiled sampler: draw a net's parameters from its own stream and evaluate it on all 2^n inputs.

One ``prange`` task handles a contiguous chunk of nets with its own buffers, so a net's
parameters and activations stay in cache and nothing depends on the number of threads.
Arithmetic is float32 in a fixed order, the same as :mod:`.reference`:

every layer, the first included, accumulates b + Σ_j x_j · W[j] over j in increasing order,
exactly as the reference loop ``h = h + x_j · W[j]`` does.  Layer 1 sees 0/1 inputs, where a
product with 0 adds an exact zero: it is built by subset sums, doubling a table of partial sums
once per input bit (value(r + 2^j) = value(r) + W[j]), which adds the same W[j] in the same
order with one add per input instead of n.  Its table comes out in bit-reversed input order
(bit j of the row r is x_(j+1)); every later layer works input by input, and the truth table is
read back through that permutation.  Later layers are vectorised over the 2^n inputs (units ×
inputs layout), four output units at a time, and skip the units that are zero on every input,
which would add exact zeros too.  Pre-activations go to a scratch row and the activation to
the layer's own row (in place, LLVM does not vectorise ReLU).  Which ReLU units are zero on
every input is read off layer 1's weights (``_may_be_positive``), counted in later layers, and
not looked for before a one-unit layer, where skipping saves less than looking costs.  Layer 1's
tables are built four units at a time; with ReLU, the last doubling writes both halves of the
table through the ReLU straight into the layer's rows (no separate activation pass).  Each
truth-table word is built in a register and stored once.

Where the time goes and what bounds it (``benchmarks/bench_sampling.py`` prints both): for a
7-40-40-1 net the 2,001 normals take about a third, layer 2 (40 outputs × ~33 live units × 128
inputs, a multiply and an add each in the reference's order, hence no FMA) about half.

Parameter layout per net: for each layer, W (fan_in × fan_out, row-major) then b (if any).
Truth tables are packed MSB-first: input i is bit 63 − (i mod 64) of word i // 64.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from minimodels.analysis.sampling.streams import (
    next_double,
    normal_first_try,
    normal_slow,
    seed_stream,
)

RELU, TANH, LINEAR = 0, 1, 2
GAUSSIAN, UNIFORM = 0, 1


@nb.njit(cache=True, inline="always")
def _activate(x, activation):
    if activation == RELU:
        return x if x > 0 else np.float32(0.0)
    if activation == TANH:
        return np.float32(math.tanh(np.float64(x)))
    return x


@nb.njit(cache=True, inline="always")
def _activate_into(source, target, activation, test):
    """target = activation(source) elementwise (two distinct rows).

    Returns whether any value of target is non-zero; for ReLU without ``test`` it returns True
    without looking (there the count costs as much as the activation).
    """
    if activation == RELU and not test:
        for i in range(source.shape[0]):
            target[i] = max(source[i], np.float32(0.0))
        return True
    if activation == RELU:
        # the general loop below in a form that LLVM vectorises: source and target must differ
        # (in place, max(x, 0) becomes a conditional store, which it does not), and the
        # non-zero test is an integer count (a float max reduction does not vectorise either).
        # It may keep a −0.0 where that loop writes +0.0, which changes no sum's value and no
        # comparison with 0.
        n_positive = 0
        for i in range(source.shape[0]):
            value = max(source[i], np.float32(0.0))
            target[i] = value
            n_positive += value > 0
        return n_positive > 0
    nonzero = False
    for i in range(source.shape[0]):
        value = _activate(source[i], activation)
        target[i] = value
        nonzero |= value != 0
    return nonzero


# One flat loop per scheme with a per-parameter scale: LLVM keeps the stream state in registers
# only when the loop around the generator is this simple (nested or branching loops spill it,
# which costs a factor of four or five).  The index is unsigned, which spares numba's
# negative-index wraparound on every store (10 % of the generator's time).


@nb.njit(cache=True)
def draw_gaussian(params, key, index, scales, zig):
    """params[p] = float32(z_p · scales[p]), z_p the standard normals of net ``index``."""
    state = seed_stream(key, index)
    p, n = np.uint64(0), np.uint64(params.shape[0])  # both unsigned: mixed, numba compares floats
    while p < n:
        state, accepted, z, layer = normal_first_try(state, zig[0], zig[1])
        if not accepted:
            state, accepted, z = normal_slow(state, layer, z, zig[2])
        if accepted:
            params[p] = np.float32(z * scales[p])
            p += np.uint64(1)


@nb.njit(cache=True)
def draw_uniform(params, key, index, scales, zig):
    """params[p] = float32((2u_p − 1) · scales[p]), u_p the uniforms of net ``index``."""
    state = seed_stream(key, index)
    for p in range(np.uint64(params.shape[0])):
        state, u = next_double(state)
        params[p] = np.float32((2.0 * u - 1.0) * scales[p])


def parameter_scales(widths, bias: bool, scale_w, scale_b) -> np.ndarray:
    """The per-parameter multiplier in the layout above (float64)."""
    parts = []
    for layer, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
        parts.append(np.full(fan_in * fan_out, scale_w[layer]))
        if bias:
            parts.append(np.full(fan_out, scale_b[layer]))
    return np.concatenate(parts)


# Later layers: g[k] = b_k + Σ_j a[j] · W[j, k] over the live j in increasing order.  Each pass
# adds four live units one after another (the same order as one at a time, with a quarter of
# the loads and stores of the outputs), and ``_four_units`` does so for four outputs at once,
# so that every a[j] strip is loaded once for four outputs instead of once for each.  They
# write pre-activations into ``out`` (rows 0–3): the scratch rows that the activation then
# reads, or the layer's own rows when it is the last.


@nb.njit(cache=True, inline="always")
def _four_units(params, at, b_at, bias, fan_out, k, a, live, n_live, out):
    """out[0 … 3] = the pre-activations of units k … k+3 (see above)."""
    o0, o1, o2, o3 = out[0], out[1], out[2], out[3]
    zero = np.float32(0.0)
    c0 = params[b_at + k] if bias else zero
    c1 = params[b_at + k + 1] if bias else zero
    c2 = params[b_at + k + 2] if bias else zero
    c3 = params[b_at + k + 3] if bias else zero
    for i in range(o0.shape[0]):
        o0[i] = c0
        o1[i] = c1
        o2[i] = c2
        o3[i] = c3
    t = 0
    while t + 4 <= n_live:
        a0, a1, a2, a3 = a[live[t]], a[live[t + 1]], a[live[t + 2]], a[live[t + 3]]
        r0 = at + live[t] * fan_out + k
        r1 = at + live[t + 1] * fan_out + k
        r2 = at + live[t + 2] * fan_out + k
        r3 = at + live[t + 3] * fan_out + k
        w00, w01, w02, w03 = params[r0], params[r1], params[r2], params[r3]
        w10, w11, w12, w13 = params[r0 + 1], params[r1 + 1], params[r2 + 1], params[r3 + 1]
        w20, w21, w22, w23 = params[r0 + 2], params[r1 + 2], params[r2 + 2], params[r3 + 2]
        w30, w31, w32, w33 = params[r0 + 3], params[r1 + 3], params[r2 + 3], params[r3 + 3]
        for i in range(o0.shape[0]):
            x0, x1, x2, x3 = a0[i], a1[i], a2[i], a3[i]
            o0[i] = (((o0[i] + w00 * x0) + w01 * x1) + w02 * x2) + w03 * x3
            o1[i] = (((o1[i] + w10 * x0) + w11 * x1) + w12 * x2) + w13 * x3
            o2[i] = (((o2[i] + w20 * x0) + w21 * x1) + w22 * x2) + w23 * x3
            o3[i] = (((o3[i] + w30 * x0) + w31 * x1) + w32 * x2) + w33 * x3
        t += 4
    for rest in range(t, n_live):
        x = a[live[rest]]
        r = at + live[rest] * fan_out + k
        w0, w1, w2, w3 = params[r], params[r + 1], params[r + 2], params[r + 3]
        for i in range(o0.shape[0]):
            o0[i] += w0 * x[i]
            o1[i] += w1 * x[i]
            o2[i] += w2 * x[i]
            o3[i] += w3 * x[i]


@nb.njit(cache=True, inline="always")
def _one_unit(params, at, b_at, bias, fan_out, k, a, live, n_live, out):
    """out[0] = the pre-activation of unit k (see above)."""
    o = out[0]
    c = params[b_at + k] if bias else np.float32(0.0)
    for i in range(o.shape[0]):
        o[i] = c
    t = 0
    while t + 4 <= n_live:
        a0, a1, a2, a3 = a[live[t]], a[live[t + 1]], a[live[t + 2]], a[live[t + 3]]
        w0 = params[at + live[t] * fan_out + k]
        w1 = params[at + live[t + 1] * fan_out + k]
        w2 = params[at + live[t + 2] * fan_out + k]
        w3 = params[at + live[t + 3] * fan_out + k]
        for i in range(o.shape[0]):
            o[i] = (((o[i] + w0 * a0[i]) + w1 * a1[i]) + w2 * a2[i]) + w3 * a3[i]
        t += 4
    for rest in range(t, n_live):
        w0 = params[at + live[rest] * fan_out + k]
        x = a[live[rest]]
        for i in range(o.shape[0]):
            o[i] += w0 * x[i]


@nb.njit(cache=True, inline="always")
def _subset_sums(params, n_in, fan_out, bias, k, row):
    """row = the table of layer-1 unit k on all 2^n inputs, rows bit-reversed (see above)."""
    row[0] = params[n_in * fan_out + k] if bias else np.float32(0.0)
    size = 1
    for j in range(n_in):
        w = params[j * fan_out + k]
        for r in range(size):
            row[size + r] = row[r] + w
        size *= 2


@nb.njit(cache=True, inline="always")
def _subset_sums_four(params, n_in, fan_out, bias, k, out, steps):
    """out[0 … 3] = the tables of units k … k+3: the same, in one pass (a quarter of the loops).

    The first ``steps`` ≤ ``n_in`` doublings (inputs 0 … steps − 1: the tables' first
    ``2^steps`` entries; ``steps = n_in`` gives the whole tables); returns the entries filled."""
    o0, o1, o2, o3 = out[0], out[1], out[2], out[3]
    b_at = n_in * fan_out + k
    zero = np.float32(0.0)
    o0[0] = params[b_at] if bias else zero
    o1[0] = params[b_at + 1] if bias else zero
    o2[0] = params[b_at + 2] if bias else zero
    o3[0] = params[b_at + 3] if bias else zero
    size = 1
    for j in range(steps):
        at = j * fan_out + k
        w0, w1, w2, w3 = params[at], params[at + 1], params[at + 2], params[at + 3]
        for r in range(size):
            o0[size + r] = o0[r] + w0
            o1[size + r] = o1[r] + w1
            o2[size + r] = o2[r] + w2
            o3[size + r] = o3[r] + w3
        size *= 2
    return size


@nb.njit(cache=True, inline="always")
def _subset_sums_four_relu(params, n_in, fan_out, bias, k, pre, g):
    """g[k … k+3] = ReLU of units k … k+3's tables: ``_subset_sums_four`` with the last
    doubling writing both halves of the table through the ReLU (no separate ReLU pass);
    ``n_in`` ≥ 1 (the sampler's config refuses nets without inputs)."""
    o0, o1, o2, o3 = pre[0], pre[1], pre[2], pre[3]
    g0, g1, g2, g3 = g[k], g[k + 1], g[k + 2], g[k + 3]
    zero = np.float32(0.0)
    size = _subset_sums_four(params, n_in, fan_out, bias, k, pre, n_in - 1)
    at = (n_in - 1) * fan_out + k
    w0, w1, w2, w3 = params[at], params[at + 1], params[at + 2], params[at + 3]
    for r in range(size):
        x0, x1, x2, x3 = o0[r], o1[r], o2[r], o3[r]
        g0[r] = max(x0, zero)
        g1[r] = max(x1, zero)
        g2[r] = max(x2, zero)
        g3[r] = max(x3, zero)
        g0[size + r] = max(x0 + w0, zero)
        g1[size + r] = max(x1 + w1, zero)
        g2[size + r] = max(x2 + w2, zero)
        g3[size + r] = max(x3 + w3, zero)


@nb.njit(cache=True, inline="always")
def _may_be_positive(params, n_in, fan_out, bias, k):
    """False only if unit k of layer 1 is ≤ 0 on every input, read off its weights.

    Its largest value in exact arithmetic is b + Σ max(W[j], 0); a float32 table entry (n_in
    adds) is within n_in · 2^-24 · (|b| + Σ |W[j]|) of its exact value, so a unit whose
    largest value is below minus twice that is zero after ReLU on every input (the factor two
    also covers the float64 rounding of the two sums; gradual underflow, numba's and NumPy's
    default, is assumed).  A dead unit kept by the margin only adds exact zeros.
    """
    top = np.float64(params[n_in * fan_out + k]) if bias else 0.0
    magnitude = abs(top)
    for j in range(n_in):
        w = np.float64(params[j * fan_out + k])
        top += max(w, 0.0)
        magnitude += abs(w)
    return top > -(n_in * 2.0**-23) * magnitude


@nb.njit(cache=True, inline="always")
def _first_layer(params, n_in, fan_out, bias, activation, last, pre, g, live_next):
    """Layer 1 on all 2^n 0/1 inputs by subset sums, rows bit-reversed (see above)."""
    if last:  # a perceptron: no activation, nothing to list
        for k in range(fan_out):
            _subset_sums(params, n_in, fan_out, bias, k, g[k])
        return 0
    n_next = 0
    k = 0
    while k < fan_out:
        n_block = 4 if k + 4 <= fan_out else 1
        if n_block == 4 and activation == RELU:
            _subset_sums_four_relu(params, n_in, fan_out, bias, k, pre, g)
            for q in range(4):
                live_next[n_next] = k + q
                n_next += _may_be_positive(params, n_in, fan_out, bias, k + q)
            k += 4
            continue
        if n_block == 4:
            _subset_sums_four(params, n_in, fan_out, bias, k, pre, n_in)
        else:
            _subset_sums(params, n_in, fan_out, bias, k, pre[0])
        for q in range(n_block):
            live_next[n_next] = k + q
            if activation == RELU:
                _activate_into(pre[q], g[k + q], activation, False)
                n_next += _may_be_positive(params, n_in, fan_out, bias, k + q)
            else:
                n_next += _activate_into(pre[q], g[k + q], activation, True)
        k += n_block
    return n_next


@nb.njit(cache=True, inline="always")
def _layer(
    params, at, fan_in, fan_out, bias, activation, last, test, a, live, n_live, pre, g, live_next
):
    """One layer from the units ``live[:n_live]`` of ``a`` into ``g``; the number of live units.

    ``at`` is where the layer's W starts in ``params``; with ``last`` no activation is applied
    (and no unit is listed); without ``test`` a ReLU layer lists every unit; ``pre`` (4 rows)
    holds the pre-activations of the units in hand.
    """
    b_at = at + fan_in * fan_out
    n_next = 0
    k = 0
    while k < fan_out:
        n_block = 4 if k + 4 <= fan_out else 1
        out = g[k : k + n_block] if last else pre
        if n_block == 4:
            _four_units(params, at, b_at, bias, fan_out, k, a, live, n_live, out)
        else:
            _one_unit(params, at, b_at, bias, fan_out, k, a, live, n_live, out)
        if not last:
            for q in range(n_block):
                live_next[n_next] = k + q
                n_next += _activate_into(pre[q], g[k + q], activation, test)
        k += n_block
    return n_next


@nb.njit(cache=True)
def evaluate(params, widths, bias, activation, rows, a, g, pre, live, live_next, words):
    """Truth table of one net into ``words``.

    ``rows[i]`` is input i's row in layer 1's table (i with its n bits reversed); buffers a
    and g (max width, 2^n) hold the layers' activations and pre (4, 2^n) pre-activations,
    units × inputs in that order, so that the inner loops run over the 2^n inputs; live and
    live_next (max width,) int64 list the units that are not zero on every input (the others
    would add exact zeros).
    """
    n_in = widths[0]
    n_layers = widths.shape[0] - 1
    n_live = _first_layer(params, n_in, widths[1], bias, activation, n_layers == 1, pre, a, live)
    at = n_in * widths[1] + (widths[1] if bias else 0)
    for layer in range(1, n_layers):
        fan_in = widths[layer]
        fan_out = widths[layer + 1]
        last = layer == n_layers - 1
        test = not last and widths[layer + 2] > 1
        n_live = _layer(
            params,
            at,
            fan_in,
            fan_out,
            bias,
            activation,
            last,
            test,
            a,
            live,
            n_live,
            pre,
            g,
            live_next,
        )
        at += fan_in * fan_out + (fan_out if bias else 0)
        a, g = g, a
        live, live_next = live_next, live
    out = a[0]
    for w in range(words.shape[0]):  # each word built in a register, then stored once
        word = np.uint64(0)
        for b in range(min(64, rows.shape[0] - 64 * w)):  # branch-free: no mispredictions
            word |= np.uint64(out[rows[64 * w + b]] > 0) << np.uint64(63 - b)
        words[w] = word


@nb.njit(cache=True, parallel=True)
def sample_mlp(key, first, widths, bias, activation, init, scales, zig, n_chunks, out):
    """Truth tables of nets ``first … first + len(out) − 1`` of the run with ``key``."""
    n_nets = out.shape[0]
    n_in = widths[0]
    n_rows = 1 << n_in
    max_width = widths.max()
    n_params = scales.shape[0]
    rows = np.zeros(n_rows, dtype=np.int64)  # input i (x1 its top bit) → i with bits reversed
    for i in range(n_rows):
        for j in range(n_in):
            rows[i] |= ((i >> (n_in - 1 - j)) & 1) << j
    n_chunks = max(1, min(n_nets, n_chunks))
    chunk = (n_nets + n_chunks - 1) // n_chunks
    for c in nb.prange(n_chunks):
        params = np.empty(n_params, dtype=np.float32)
        a = np.empty((max_width, n_rows), dtype=np.float32)
        g = np.empty((max_width, n_rows), dtype=np.float32)
        pre = np.empty((4, n_rows), dtype=np.float32)
        live = np.empty(max_width, dtype=np.int64)
        live_next = np.empty(max_width, dtype=np.int64)
        for net in range(c * chunk, min(n_nets, (c + 1) * chunk)):
            if init == GAUSSIAN:
                draw_gaussian(params, key, first + net, scales, zig)
            else:
                draw_uniform(params, key, first + net, scales, zig)
            evaluate(params, widths, bias, activation, rows, a, g, pre, live, live_next, out[net])


@nb.njit(cache=True, parallel=True)
def draw_only(key, first, n_nets, scales, zig, n_chunks):
    """Draw the parameters of ``n_nets`` nets and throw them away (benchmarks the generator)."""
    n_chunks = max(1, min(n_nets, n_chunks))
    chunk = (n_nets + n_chunks - 1) // n_chunks
    sums = np.zeros(n_chunks, dtype=np.float64)
    for c in nb.prange(n_chunks):
        params = np.empty(scales.shape[0], dtype=np.float32)
        for net in range(c * chunk, min(n_nets, (c + 1) * chunk)):
            draw_gaussian(params, key, first + net, scales, zig)
            sums[c] += params[0]
    return sums.sum()
