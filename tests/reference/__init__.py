"""Plain-Python references for the middle layer: slow, short, obviously right.

The compiled kernels are held to plain references of their own (``minimodels.*.reference``);
these are the references for the layer above them — the code that turns kernel output into
the numbers a user reads (function tables, P_B / P_SGD tallies and their headline numbers,
steps to zero loss, the experiments' summaries).  Each one is written from the definitions
in DESIGN.md and SCIENCE.md with Python lists, dicts and loops, and imports nothing from
``minimodels``: a bug in the package cannot leak into its own oracle.  Only the random
streams are shared — they are part of each learner's documented definition (which
``Generator`` call draws what, in which order), so a reference draws the same numbers with
``numpy.random`` and then does everything else by hand.

Modules: :mod:`.lz` (K_LZ), :mod:`.tables` (function tables and sampling summaries),
:mod:`.automata` (rule arrays, adaptive evolution, multiway graphs), :mod:`.bio` (the
biological-evolution model), :mod:`.bayes` (splits, tallies and the comparison's headline).
"""
