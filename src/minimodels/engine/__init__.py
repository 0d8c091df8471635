"""The engine: rule arrays evaluated on many inputs at once, bit-sliced, in compiled code.

Two implementations sit side by side and tests hold them equal:

* :mod:`~minimodels.engine.reference` — plain numpy, one row of cells per input; read it first.
* :mod:`~minimodels.engine.bitsliced` — numba kernels on bit-planes: one uint64 word holds one
  cell for 64 inputs, and a cell update is a few word-wide logical operations.

Data model (everything below except the packing wrappers and ``evaluate_output_parallel`` is a
``numba.njit`` function, callable from other njit code; a RuleArray's read-only ``.rules`` can be
passed as is):

* ``packed = pack_bits(inputs)``: ``(n, W)`` 0/1 -> ``(W, n_words)`` uint64, bit ``j`` of
  ``packed[x, w]`` = ``inputs[64*w + j, x]``; ``unpack_bits(words, n)`` is the inverse and keeps
  leading axes (``(depth+1, W, n_words)`` -> ``(n, depth+1, W)``).  Plain Python (they
  validate) over compiled 8x8 bit transposes when the cell count is a multiple of 8, numpy's
  ``packbits`` otherwise.
* ``rules``: ``(depth, W)`` int64 rule numbers; ``cyclic`` (bool) boundary; ``brick`` (bool)
  selects r = 1/2 instead of r = 1.  Rule row ``t`` computes state row ``t + 1``.
* ``cell_r1(rule, left, centre, right) -> word`` and ``cell_brick(rule, p, q) -> word``: one
  word-wide cell update (bit ``4l+2c+r`` resp. ``2p+q`` of ``rule``), branch-free.
* ``step_row(rule_row, prev, out, zeros, cyclic, brick, t, w0, w1)``: state row ``t`` into
  ``out`` (words ``w0:w1``) from ``prev``; ``zeros`` is a zero word array (``n_words``,).
* ``evaluate_rows(rules, packed, cyclic, brick) -> (depth+1, W, n_words)``: every state row.
* ``evaluate_output(rules, packed, cyclic, brick) -> (W, n_words)``: final row only, in blocks
  of up to ``BLOCK_WORDS`` words whose two row buffers (with halo cells at both ends) stay in
  L2 (the fast path behind :meth:`RuleArray.output`);
  ``evaluate_output_parallel(..., parts=None)`` — plain Python over a compiled kernel — splits
  the words into one equal share per thread (see
  ``minimodels.models.rulearray.PARALLEL_MIN_WORDS`` for when that pays).
* ``evaluate_from(rules, rows, row, col, cyclic, brick) -> int``: after ``rules[row, col]``
  changed, update ``rows`` in place, recomputing only the changed cell's forward light cone
  (narrowed to the columns that really changed, stopping at the first unchanged row); returns
  the last changed state row or -1.  Undo = restore the rule and call it again.
* ``next_segment(start, first_diff, last_diff, t, width, cyclic, brick)``: one row of that
  forward light cone (shared with the compiled evolution loop).
"""

from minimodels.engine.bitsliced import (
    BLOCK_WORDS,
    cell_brick,
    cell_r1,
    evaluate_from,
    evaluate_output,
    evaluate_output_parallel,
    evaluate_rows,
    next_segment,
    step_row,
)
from minimodels.engine.packing import WORD_BITS, as_bits, n_words_for, pack_bits, unpack_bits
from minimodels.engine.reference import run_rule_array

__all__ = [
    "BLOCK_WORDS",
    "WORD_BITS",
    "as_bits",
    "cell_brick",
    "cell_r1",
    "evaluate_from",
    "evaluate_output",
    "evaluate_output_parallel",
    "evaluate_rows",
    "n_words_for",
    "next_segment",
    "pack_bits",
    "run_rule_array",
    "step_row",
    "unpack_bits",
]
